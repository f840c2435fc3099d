//! The main line of a case: from the first report to closure, and the vocabulary of its edges
//! (how a person was rescued, why a case was closed or not pursued).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Guard;

/// Where a case stands on its main line. JSON: a snake_case string, e.g. `"rescue_planned"`.
///
/// Deliberately not `Ord`: `not_pursued` is not "after" `closed`, and "at least rescued" is
/// [`Stage::is_after_rescue`] (or [`CaseState::is_rescued`](crate::CaseState::is_rescued)), not a
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A potential victim identified from intelligence; nothing done yet.
    Reported,
    /// The team is assessing the report (indicators, grading, feasibility of a rescue).
    Assessing,
    /// A rescue is being planned.
    RescuePlanned,
    /// The person has been removed from exploitation (or came to the NGO already free).
    Rescued,
    /// The person is receiving support (aftercare, legal, NRM).
    InSupport,
    /// Support is winding down towards independence.
    MovingOn,
    /// The case is closed, with an HTCDS-style [`ClosureReason`]. Only a reopen is accepted.
    Closed,
    /// The report was not pursued before any rescue, with a [`NotPursuedReason`]. Only a reopen is
    /// accepted.
    NotPursued,
}

impl Stage {
    /// Every stage, in main-line order.
    pub const ALL: [Stage; 8] = [
        Stage::Reported,
        Stage::Assessing,
        Stage::RescuePlanned,
        Stage::Rescued,
        Stage::InSupport,
        Stage::MovingOn,
        Stage::Closed,
        Stage::NotPursued,
    ];

    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Reported => "reported",
            Stage::Assessing => "assessing",
            Stage::RescuePlanned => "rescue_planned",
            Stage::Rescued => "rescued",
            Stage::InSupport => "in_support",
            Stage::MovingOn => "moving_on",
            Stage::Closed => "closed",
            Stage::NotPursued => "not_pursued",
        }
    }

    /// Closed or not pursued: the case accepts nothing but a reopen.
    pub const fn is_ended(self) -> bool {
        matches!(self, Stage::Closed | Stage::NotPursued)
    }

    /// Reported, assessing or rescue planned: the person is not yet free.
    pub const fn is_before_rescue(self) -> bool {
        matches!(
            self,
            Stage::Reported | Stage::Assessing | Stage::RescuePlanned
        )
    }

    /// Rescued, in support or moving on: an open case whose person is free.
    pub const fn is_after_rescue(self) -> bool {
        matches!(self, Stage::Rescued | Stage::InSupport | Stage::MovingOn)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a person came to be free. It decides which stages a rescue may follow.
/// JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RescueOrigin {
    /// The NGO's own planned operation; needs the stage `rescue_planned`.
    PlannedOperation,
    /// The person walked into an office (or called) already free: allowed straight from
    /// `reported` or `assessing`.
    SelfPresented,
    /// Found during an operation planned for other people; their own case never had a plan.
    FoundInOperation,
    /// Removed by police or another agency, then referred to the NGO.
    OtherAgency,
}

impl RescueOrigin {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            RescueOrigin::PlannedOperation => "planned_operation",
            RescueOrigin::SelfPresented => "self_presented",
            RescueOrigin::FoundInOperation => "found_in_operation",
            RescueOrigin::OtherAgency => "other_agency",
        }
    }
}

/// The rescue of the person: its date (the rescue event's effective date) and how it came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rescue {
    /// The rescue date.
    pub on: NaiveDate,
    /// How the person came to be free.
    pub origin: RescueOrigin,
}

/// Why a case was closed, after HTCDS `cas_ReasonForCaseClosure`. JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// The support plan was completed. Needs support to have started.
    SupportCompleted,
    /// The person moved on and lives independently. Needs support to have started.
    MovedOnIndependent,
    /// The case was transferred or referred to another organisation; the only reason that may
    /// close a case while a placement is open (the placement goes with the person).
    TransferredToOtherOrganisation,
    /// The NGO lost contact with the person.
    LostContact,
    /// The person declined further support.
    DeclinedFurtherSupport,
    /// The person died.
    Deceased,
    /// The person returned to their country of origin.
    Repatriated,
    /// Anything else; the event must then carry a reason text.
    Other,
}

impl ClosureReason {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClosureReason::SupportCompleted => "support_completed",
            ClosureReason::MovedOnIndependent => "moved_on_independent",
            ClosureReason::TransferredToOtherOrganisation => "transferred_to_other_organisation",
            ClosureReason::LostContact => "lost_contact",
            ClosureReason::DeclinedFurtherSupport => "declined_further_support",
            ClosureReason::Deceased => "deceased",
            ClosureReason::Repatriated => "repatriated",
            ClosureReason::Other => "other",
        }
    }

    /// Whether this reason claims that support took place (so the case must have reached
    /// `in_support` or `moving_on`).
    pub const fn needs_support(self) -> bool {
        matches!(
            self,
            ClosureReason::SupportCompleted | ClosureReason::MovedOnIndependent
        )
    }

    /// Whether a case may close with this reason while a placement is open.
    pub const fn allows_open_placement(self) -> bool {
        matches!(self, ClosureReason::TransferredToOtherOrganisation)
    }
}

/// Why a report was not pursued (before any rescue). JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotPursuedReason {
    /// The assessment found the person is not a victim of trafficking.
    NotAVictim,
    /// Not enough information to act on.
    InsufficientInformation,
    /// The person could not be located.
    CouldNotLocate,
    /// The person declined the NGO's help.
    DeclinedHelp,
    /// Police or another agency took the matter on.
    HandledByOtherAgency,
    /// The report duplicates another case.
    Duplicate,
    /// Anything else; the event must then carry a reason text.
    Other,
}

impl NotPursuedReason {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            NotPursuedReason::NotAVictim => "not_a_victim",
            NotPursuedReason::InsufficientInformation => "insufficient_information",
            NotPursuedReason::CouldNotLocate => "could_not_locate",
            NotPursuedReason::DeclinedHelp => "declined_help",
            NotPursuedReason::HandledByOtherAgency => "handled_by_other_agency",
            NotPursuedReason::Duplicate => "duplicate",
            NotPursuedReason::Other => "other",
        }
    }
}

/// How a case ended. JSON: `{"outcome": "closed", "closure_reason": "lost_contact"}` or
/// `{"outcome": "not_pursued", "not_pursued_reason": "duplicate"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Ending {
    /// Closed after a rescue.
    Closed {
        /// Why.
        closure_reason: ClosureReason,
    },
    /// Not pursued before any rescue.
    NotPursued {
        /// Why.
        not_pursued_reason: NotPursuedReason,
    },
}

/// The current ending of an ended case: how, from which stage (where a reopen returns to), when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EndedCase {
    /// How the case ended.
    pub ending: Ending,
    /// The stage the case left; a reopen returns there.
    pub from: Stage,
    /// The date it ended.
    pub on: NaiveDate,
}

/// HTCDS `cas_Status`. JSON: snake_case; [`HtcdsCaseStatus::htcds_value`] gives the HTCDS spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HtcdsCaseStatus {
    /// Open and being worked.
    Active,
    /// Moving on: only follow-up remains.
    FollowUp,
    /// Closed (or not pursued).
    Closed,
    /// Closed by transfer to another organisation.
    ClosedReferred,
}

impl HtcdsCaseStatus {
    /// The value as HTCDS v2.0 spells it.
    pub const fn htcds_value(self) -> &'static str {
        match self {
            HtcdsCaseStatus::Active => "Active",
            HtcdsCaseStatus::FollowUp => "FollowUp",
            HtcdsCaseStatus::Closed => "Closed",
            HtcdsCaseStatus::ClosedReferred => "ClosedReferred",
        }
    }
}

/// A main-line event, as the case machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StageStep {
    Opened,
    AssessmentStarted,
    RescuePlanned,
    RescuePlanStoodDown,
    Rescued(RescueOrigin),
    SupportStarted,
    MovingOnStarted,
    SupportResumed,
    Closed(ClosureReason),
    NotPursued(NotPursuedReason),
    Reopened,
}

/// The main-line edges (docs/lifecycle.md has the table and the reason for each). Opening and
/// reopening need more than the stage, so the case handles them before calling this.
pub(crate) fn advance(current: Stage, step: StageStep) -> Result<Stage, Guard> {
    use Stage as S;
    use StageStep as E;
    match (step, current) {
        (E::AssessmentStarted, S::Reported) => Ok(S::Assessing),
        (E::RescuePlanned, S::Assessing) => Ok(S::RescuePlanned),
        (E::RescuePlanStoodDown, S::RescuePlanned) => Ok(S::Assessing),
        (E::Rescued(RescueOrigin::PlannedOperation), S::RescuePlanned) => Ok(S::Rescued),
        (E::Rescued(RescueOrigin::PlannedOperation), S::Reported | S::Assessing) => {
            Err(Guard::PlannedRescueNeedsPlan)
        }
        (E::Rescued(_), s) if s.is_before_rescue() => Ok(S::Rescued),
        (E::Rescued(_), s) if s.is_after_rescue() => Err(Guard::AlreadyRescued),
        (E::SupportStarted, S::Rescued) => Ok(S::InSupport),
        (E::MovingOnStarted, S::InSupport) => Ok(S::MovingOn),
        (E::SupportResumed, S::MovingOn) => Ok(S::InSupport),
        (E::Closed(_), s) if s.is_before_rescue() => Err(Guard::CloseNeedsRescue),
        (E::Closed(reason), S::Rescued) if reason.needs_support() => {
            Err(Guard::ClosureReasonNeedsSupport)
        }
        (E::Closed(_), s) if s.is_after_rescue() => Ok(S::Closed),
        (E::NotPursued(_), s) if s.is_before_rescue() => Ok(S::NotPursued),
        (E::NotPursued(_), s) if s.is_after_rescue() => Err(Guard::NotPursuedAfterRescue),
        _ => Err(Guard::StageOrder),
    }
}
