//! # unchain-lifecycle
//!
//! Case state machines: the stage line and the NRM, aftercare and justice tracks, as event-sourced
//! machines with guarded transitions. Pure: no IO, no clock (dates are carried by events), no
//! randomness (ids are given by the caller).
//!
//! A case is the fold of an append-only list of [`Event`]s. Each event carries its effective
//! date, the [`ActorId`] who recorded it, its [`EventKind`] and, where it matters, a [`Reason`].
//! [`CaseState::apply`] accepts an event when every [`Guard`] passes and otherwise returns a
//! [`TransitionError`] naming the state, the attempted event and the failed guard, leaving the
//! state unchanged. [`replay`] folds a list from scratch; [`Case`] keeps the log and its fold
//! together. The edges, guards and JSON forms are documented in `docs/lifecycle.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use unchain_lifecycle::{
//!     ActorId, AftercareState, Case, Event, EventKind, FacilityId, Guard, NrmRoute, NrmState,
//!     RescueOrigin, Stage,
//! };
//! use uuid::Uuid;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let coordinator = ActorId::new(Uuid::from_u128(1));
//! let shelter = FacilityId::new(Uuid::from_u128(7));
//! let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).ok_or("no such date");
//! let event = |d, kind| -> Result<Event, &str> { Ok(Event::new(day(d)?, coordinator, kind)) };
//!
//! // A woman walks into the office, already free.
//! let mut case = Case::open(event(2, EventKind::Opened)?)?;
//! case.record(event(2, EventKind::Rescued { origin: RescueOrigin::SelfPresented })?)?;
//!
//! // Aftercare before rescue would have been refused; now it is not.
//! case.record(event(3, EventKind::NrmReferred { route: NrmRoute::NrmReferral })?)?;
//! case.record(event(3, EventKind::AftercareNeedsAssessed)?)?;
//! case.record(event(4, EventKind::AftercareMatched { facility: shelter })?)?;
//! case.record(event(5, EventKind::AftercarePlaced)?)?;
//!
//! let state = case.state();
//! assert_eq!(state.stage(), Some(Stage::Rescued));
//! assert_eq!(state.nrm(), NrmState::Referred { route: NrmRoute::NrmReferral });
//! assert_eq!(state.aftercare(), AftercareState::Placed { facility: shelter });
//! assert!(state.has_open_placement());
//!
//! // Closing while she is placed is refused unless the case is transferred.
//! let refused = case
//!     .record(event(6, EventKind::Closed {
//!         closure_reason: unchain_lifecycle::ClosureReason::LostContact,
//!     })?)
//!     .err()
//!     .ok_or("closing with an open placement must be refused")?;
//! assert_eq!(refused.guard, Guard::OpenPlacement);
//! assert_eq!(case.events().len(), 6);
//!
//! // The log replays to the same state.
//! assert_eq!(unchain_lifecycle::replay(case.events())?, *case.state());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod aftercare;
pub mod case;
pub mod error;
pub mod event;
pub mod ids;
pub mod justice;
pub mod nrm_track;
pub mod reason;
pub mod stage;

pub use aftercare::AftercareState;
pub use case::{Case, CaseState, replay};
pub use error::{Guard, MachineState, ReplayError, TransitionError};
pub use event::{Event, EventKind, Track};
pub use ids::{ActorId, ClaimId, FacilityId, SuspectId};
pub use justice::{
    AdvocacyState, Claim, ClaimForum, ClaimState, Prosecution, ProsecutionState, Verdict,
};
pub use nrm_track::{NrmDecision, NrmRoute, NrmState, Outcome};
pub use reason::Reason;
pub use stage::{
    ClosureReason, EndedCase, Ending, HtcdsCaseStatus, NotPursuedReason, Rescue, RescueOrigin,
    Stage,
};
