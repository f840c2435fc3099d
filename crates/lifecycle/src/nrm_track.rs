//! The National Referral Mechanism track: which NRM step may follow which. Dates, deadlines and
//! who may refer are the NRM rules crate's business, not this one's.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Guard;

/// How the person was brought to the Competent Authority's attention. JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NrmRoute {
    /// A full NRM referral by a First Responder Organisation (with the adult's consent, or any
    /// child). Leads to Reasonable and Conclusive Grounds decisions.
    NrmReferral,
    /// A Duty to Notify (MS1) for an adult who does not consent: anonymous, no decisions; ends at
    /// `notified`.
    DutyToNotify,
}

impl NrmRoute {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            NrmRoute::NrmReferral => "nrm_referral",
            NrmRoute::DutyToNotify => "duty_to_notify",
        }
    }
}

/// The outcome of a Reasonable or Conclusive Grounds decision. JSON: `"positive"` / `"negative"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The Competent Authority found the grounds met.
    Positive,
    /// The Competent Authority found the grounds not met.
    Negative,
}

/// Which NRM decision: Reasonable Grounds or Conclusive Grounds. JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NrmDecision {
    /// The Reasonable Grounds decision.
    ReasonableGrounds,
    /// The Conclusive Grounds decision.
    ConclusiveGrounds,
}

/// Where the case stands in the NRM. JSON: an object tagged by `"state"`, e.g.
/// `{"state": "referred", "route": "nrm_referral"}` or `{"state": "rg_positive"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NrmState {
    /// No referral (the starting state).
    #[default]
    NotReferred,
    /// Referred (or a Duty to Notify being made); awaiting the next step.
    Referred {
        /// The route taken.
        route: NrmRoute,
    },
    /// Positive Reasonable Grounds: recovery period; awaiting the Conclusive Grounds decision.
    RgPositive,
    /// Negative Reasonable Grounds: reconsideration may be requested, or the NRM ends.
    RgNegative,
    /// A reconsideration of a negative decision was requested; the decision will be made again.
    ReconsiderationRequested {
        /// The decision being reconsidered.
        of: NrmDecision,
    },
    /// Positive Conclusive Grounds: recognised as a victim; move-on support may follow.
    CgPositive,
    /// Negative Conclusive Grounds: reconsideration may be requested, or the NRM ends.
    CgNegative,
    /// Move-on support after a positive Conclusive Grounds decision.
    MoveOn,
    /// The person's time in the NRM is over.
    Ended,
    /// The referral was withdrawn (consent withdrawn, or the person left) before it ran its course.
    Withdrawn,
    /// A Duty to Notify was sent; that route ends here.
    Notified,
}

impl NrmState {
    /// The snake_case name of the state, as in JSON's `"state"` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            NrmState::NotReferred => "not_referred",
            NrmState::Referred { .. } => "referred",
            NrmState::RgPositive => "rg_positive",
            NrmState::RgNegative => "rg_negative",
            NrmState::ReconsiderationRequested { .. } => "reconsideration_requested",
            NrmState::CgPositive => "cg_positive",
            NrmState::CgNegative => "cg_negative",
            NrmState::MoveOn => "move_on",
            NrmState::Ended => "ended",
            NrmState::Withdrawn => "withdrawn",
            NrmState::Notified => "notified",
        }
    }

    /// True while a referral is in progress (referred and not yet ended, withdrawn or notified).
    pub const fn is_open(self) -> bool {
        !matches!(
            self,
            NrmState::NotReferred | NrmState::Ended | NrmState::Withdrawn | NrmState::Notified
        )
    }

    /// True while the NRM awaits a Competent Authority decision (the case is "simply waiting").
    pub const fn awaits_decision(self) -> bool {
        matches!(
            self,
            NrmState::Referred {
                route: NrmRoute::NrmReferral
            } | NrmState::RgPositive
                | NrmState::ReconsiderationRequested { .. }
        )
    }
}

impl fmt::Display for NrmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NrmState::Referred { route } => write!(f, "referred ({})", route.as_str()),
            NrmState::ReconsiderationRequested { of } => {
                let of = match of {
                    NrmDecision::ReasonableGrounds => "rg",
                    NrmDecision::ConclusiveGrounds => "cg",
                };
                write!(f, "reconsideration_requested ({of})")
            }
            other => f.write_str(other.as_str()),
        }
    }
}

/// An NRM event, as the track machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NrmStep {
    Referred(NrmRoute),
    Notified,
    ReasonableGrounds(Outcome),
    ReconsiderationRequested,
    ConclusiveGrounds(Outcome),
    MoveOnStarted,
    Ended,
    Withdrawn,
}

/// The NRM edges (see docs/lifecycle.md for the table and the reason for each).
pub(crate) fn advance(current: NrmState, step: NrmStep) -> Result<NrmState, Guard> {
    use NrmState as S;
    use NrmStep as E;
    match step {
        // A new referral is possible whenever none is running: a Duty to Notify may later become a
        // full referral once the adult consents, and a person may be re-trafficked after an NRM
        // ended or was withdrawn.
        E::Referred(route) if !current.is_open() => Ok(S::Referred { route }),
        E::Referred(_) => Err(Guard::NrmReferralInProgress),
        E::Notified => match current {
            S::Referred {
                route: NrmRoute::DutyToNotify,
            } => Ok(S::Notified),
            _ => Err(Guard::NotifiedNeedsDutyToNotify),
        },
        E::ReasonableGrounds(outcome) => match current {
            S::Referred {
                route: NrmRoute::NrmReferral,
            }
            | S::ReconsiderationRequested {
                of: NrmDecision::ReasonableGrounds,
            } => Ok(match outcome {
                Outcome::Positive => S::RgPositive,
                Outcome::Negative => S::RgNegative,
            }),
            S::Referred {
                route: NrmRoute::DutyToNotify,
            } => Err(Guard::DutyToNotifyHasNoDecision),
            _ => Err(Guard::NoDecisionPending),
        },
        E::ReconsiderationRequested => match current {
            S::RgNegative => Ok(S::ReconsiderationRequested {
                of: NrmDecision::ReasonableGrounds,
            }),
            S::CgNegative => Ok(S::ReconsiderationRequested {
                of: NrmDecision::ConclusiveGrounds,
            }),
            _ => Err(Guard::ReconsiderationNeedsNegativeDecision),
        },
        E::ConclusiveGrounds(outcome) => match current {
            S::RgPositive
            | S::ReconsiderationRequested {
                of: NrmDecision::ConclusiveGrounds,
            } => Ok(match outcome {
                Outcome::Positive => S::CgPositive,
                Outcome::Negative => S::CgNegative,
            }),
            S::Referred {
                route: NrmRoute::DutyToNotify,
            } => Err(Guard::DutyToNotifyHasNoDecision),
            _ => Err(Guard::CgNeedsPositiveRg),
        },
        E::MoveOnStarted => match current {
            S::CgPositive => Ok(S::MoveOn),
            _ => Err(Guard::MoveOnNeedsPositiveCg),
        },
        E::Ended => match current {
            S::RgNegative | S::CgNegative | S::CgPositive | S::MoveOn => Ok(S::Ended),
            _ => Err(Guard::NrmEndNeedsOutcome),
        },
        E::Withdrawn => match current {
            S::Referred { .. } | S::RgPositive | S::ReconsiderationRequested { .. } => {
                Ok(S::Withdrawn)
            }
            _ => Err(Guard::NothingToWithdraw),
        },
    }
}
