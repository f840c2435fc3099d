//! The aftercare track: from the assessment of the person's needs to a placement with a provider
//! and the exit from it. Which facility suits whom is the placement crate's business.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Guard;
use crate::ids::FacilityId;

/// Where the case stands in aftercare. JSON: an object tagged by `"state"`, e.g.
/// `{"state": "placed", "facility": "…uuid…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AftercareState {
    /// No aftercare yet (the starting state).
    #[default]
    NotStarted,
    /// The person's needs were assessed; no facility matched yet.
    NeedsAssessed,
    /// A facility was matched to the needs.
    Matched {
        /// The matched facility.
        facility: FacilityId,
    },
    /// Transport to the matched facility is arranged.
    TransportArranged {
        /// The facility the transport goes to.
        facility: FacilityId,
    },
    /// The person lives at the facility: an open placement.
    Placed {
        /// Where.
        facility: FacilityId,
    },
    /// The person was moved from one facility to another and lives there: an open placement.
    Moved {
        /// Where the person lives now.
        facility: FacilityId,
    },
    /// The person left the placement. A new needs assessment may start another episode.
    Exited,
}

impl AftercareState {
    /// The snake_case name of the state, as in JSON's `"state"` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            AftercareState::NotStarted => "not_started",
            AftercareState::NeedsAssessed => "needs_assessed",
            AftercareState::Matched { .. } => "matched",
            AftercareState::TransportArranged { .. } => "transport_arranged",
            AftercareState::Placed { .. } => "placed",
            AftercareState::Moved { .. } => "moved",
            AftercareState::Exited => "exited",
        }
    }

    /// True while the person lives at a facility (placed, or moved to another one).
    pub const fn has_open_placement(self) -> bool {
        matches!(
            self,
            AftercareState::Placed { .. } | AftercareState::Moved { .. }
        )
    }

    /// The facility the person lives at, if placed.
    pub const fn placed_at(self) -> Option<FacilityId> {
        match self {
            AftercareState::Placed { facility } | AftercareState::Moved { facility } => {
                Some(facility)
            }
            _ => None,
        }
    }

    /// The facility in play: matched, transported to or placed at.
    pub const fn facility(self) -> Option<FacilityId> {
        match self {
            AftercareState::Matched { facility }
            | AftercareState::TransportArranged { facility }
            | AftercareState::Placed { facility }
            | AftercareState::Moved { facility } => Some(facility),
            AftercareState::NotStarted | AftercareState::NeedsAssessed | AftercareState::Exited => {
                None
            }
        }
    }

    /// True from the needs assessment until the exit.
    pub const fn is_open(self) -> bool {
        !matches!(self, AftercareState::NotStarted | AftercareState::Exited)
    }
}

impl fmt::Display for AftercareState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An aftercare event, as the track machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AftercareStep {
    NeedsAssessed,
    Matched(FacilityId),
    TransportArranged,
    Placed,
    Moved(FacilityId),
    Exited,
}

/// The aftercare edges (see docs/lifecycle.md for the table and the reason for each).
pub(crate) fn advance(
    current: AftercareState,
    step: AftercareStep,
) -> Result<AftercareState, Guard> {
    use AftercareState as S;
    use AftercareStep as E;
    let placed = current.has_open_placement();
    match step {
        // Needs may be reassessed at any time outside a placement (a new episode after an exit, or
        // a match that fell through); inside one, a move is the tool.
        E::NeedsAssessed if placed => Err(Guard::PlacementOpen),
        E::NeedsAssessed => Ok(S::NeedsAssessed),
        E::Matched(_) if placed => Err(Guard::PlacementOpen),
        E::Matched(facility) => match current {
            S::NeedsAssessed | S::Matched { .. } | S::TransportArranged { .. } => {
                Ok(S::Matched { facility })
            }
            _ => Err(Guard::MatchNeedsAssessment),
        },
        E::TransportArranged => match current {
            S::Matched { facility } => Ok(S::TransportArranged { facility }),
            _ => Err(Guard::TransportNeedsMatch),
        },
        E::Placed if placed => Err(Guard::PlacementOpen),
        // Transport may be skipped: some providers collect the person themselves.
        E::Placed => match current {
            S::Matched { facility } | S::TransportArranged { facility } => {
                Ok(S::Placed { facility })
            }
            _ => Err(Guard::PlacementNeedsMatch),
        },
        E::Moved(to) => match current.placed_at() {
            None => Err(Guard::MoveNeedsPlacement),
            Some(at) if at == to => Err(Guard::MoveToSameFacility),
            Some(_) => Ok(S::Moved { facility: to }),
        },
        E::Exited if placed => Ok(S::Exited),
        E::Exited => Err(Guard::ExitNeedsPlacement),
    }
}
