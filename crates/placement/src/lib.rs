//! # unchain-placement
//!
//! Needs-based aftercare placement: hard constraints, explained scores and optimal batch
//! assignment for a rescue. Pure and deterministic: no IO, no clock, no randomness; every result
//! depends only on the inputs (ties are broken by id).
//!
//! * [`rank`] — one person against every facility: eligible ones with a score broken down per
//!   criterion ([`Score`]), ineligible ones with **every** hard constraint they fail
//!   ([`Ineligibility`]).
//! * [`assign`] — a whole rescue at once: houses as many people as possible, then maximises the
//!   total score, under every hard constraint, free beds, keep-together groups and keep-apart
//!   pairs, and explains everyone left unplaced. Exact min-cost flow when everyone needs one bed;
//!   branch and bound over the flow relaxation otherwise ([`Optimality`] says what was proven).
//!
//! The model, every constraint and criterion, and the algorithms are described in
//! `docs/placement.md`.
//!
//! ```
//! use unchain_placement::*;
//!
//! let house = |id: &str, lat: f64, free: u32| Facility {
//!     id: id.into(),
//!     name: format!("House {id}"),
//!     provider: "Provider".into(),
//!     region: "North West".into(),
//!     location: GeoPoint::new(lat, -2.24),
//!     beds: Beds { capacity: 4, occupied: 4 - free },
//!     accepts: Acceptance {
//!         genders: [Gender::Female].into(),
//!         age_groups: [AgeGroup::Adult].into(),
//!         max_dependants: 2,
//!         pregnancy: true,
//!     },
//!     languages: ["en".to_string(), "ro".to_string()].into(),
//!     specialisms: [ExploitationType::Sexual].into(),
//!     services: [Service::Medical].into(),
//!     security: SecurityLevel::Enhanced,
//!     admission_rules: Default::default(),
//!     open_to_referrals: true,
//! };
//! let facilities = vec![house("a", 53.48, 2), house("b", 54.50, 1)];
//!
//! let mut needs = Needs::new(Gender::Female, AgeGroup::Adult);
//! needs.languages = ["ro".to_string()].into();
//! needs.exploitation_types = [ExploitationType::Sexual].into();
//! // Never within 20 km of where she was exploited.
//! needs.exclusion_zones.push(ExclusionZone {
//!     kind: ExclusionKind::PlaceOfExploitation,
//!     centre: GeoPoint::new(53.40, -2.20),
//!     radius_km: 20.0,
//! });
//!
//! let ranking = rank(&needs, &facilities, &Weights::default())?;
//! assert_eq!(ranking.eligible[0].facility_id, "b");
//! assert!(matches!(
//!     ranking.ineligible[0].reasons[0],
//!     Ineligibility::InsideExclusionZone { .. }
//! ));
//! let best = &ranking.eligible[0].score;
//! assert_eq!(best.total, best.parts.iter().map(|p| p.points).sum::<u32>());
//!
//! // A batch: two people who must be kept apart, one bed each.
//! let people = vec![
//!     Person { id: "p1".into(), needs: needs.clone() },
//!     Person { id: "p2".into(), needs: Needs::new(Gender::Female, AgeGroup::Adult) },
//! ];
//! let groups = Groups {
//!     keep_together: vec![],
//!     keep_apart: vec![["p1".into(), "p2".into()]],
//! };
//! let plan = assign(&people, &facilities, &groups, &Weights::default())?;
//! assert_eq!(plan.placements.len(), 2);
//! assert_ne!(plan.placements[0].facility_id, plan.placements[1].facility_id);
//! assert!(matches!(plan.optimality, Optimality::Proven { .. }));
//! # Ok::<(), PlacementError>(())
//! ```
#![deny(missing_docs)]

pub mod assign;
pub mod eligibility;
pub mod error;
pub mod geo;
pub mod model;
pub mod rank;
pub mod score;
mod validate;

pub use assign::{
    AssignOptions, Assignment, Batch, Blocked, DEFAULT_NODE_LIMIT, Objective, Optimality,
    Placement, Rejection, Unplaced, UnplacedReason, assign, assign_with,
};
pub use eligibility::Ineligibility;
pub use error::{PlacementError, Problem};
pub use geo::haversine_km;
pub use model::{
    Acceptance, AdmissionRule, AgeGroup, Beds, ExclusionKind, ExclusionZone, ExploitationType,
    Facility, Gender, GeoPoint, Groups, Needs, Person, SecurityLevel, Service,
};
pub use rank::{EligibleFacility, IneligibleFacility, Ranking, rank};
pub use score::{Criterion, MAX_WEIGHT, Score, ScorePart, Weights};
