//! Why an event was refused: the guard that failed, the state it failed in, the event attempted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::aftercare::AftercareState;
use crate::event::EventKind;
use crate::ids::{ClaimId, SuspectId};
use crate::justice::{AdvocacyState, ClaimState, ProsecutionState};
use crate::nrm_track::NrmState;
use crate::stage::Stage;

/// A rule an event must pass. JSON: the snake_case name, e.g. `"cg_needs_positive_rg"`.
///
/// Guards are checked in a fixed order, so that an event breaking several rules is always refused
/// for the same one: opening, then dates against the case (opening, last closure), then whether
/// the case is ended, then the reason text, then rescue, then the machine's own edges, then dates
/// within the machine and closure against the latest event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// The first event of a case must be `opened`.
    CaseNotOpened,
    /// A case is opened once.
    AlreadyOpened,
    /// No event may be dated before the case's opening date.
    BeforeOpening,
    /// No event may be dated before the case's latest closure: closing says the record is complete
    /// up to that date.
    DatedBeforeClosure,
    /// A closed or not-pursued case accepts nothing but a reopen.
    CaseEnded,
    /// Only a closed or not-pursued case can be reopened.
    NotEnded,
    /// A reopen, and a closure or not-pursued with the reason `other`, need a reason text.
    ReasonRequired,
    /// Within one machine, dates may not go backwards.
    OutOfOrder,
    /// The main line has no such edge from the current stage.
    StageOrder,
    /// A rescue by a planned operation needs the stage `rescue_planned`.
    PlannedRescueNeedsPlan,
    /// The person has already been rescued.
    AlreadyRescued,
    /// A case can be closed only after a rescue; before, it is not pursued.
    CloseNeedsRescue,
    /// After a rescue a case is closed, not "not pursued".
    NotPursuedAfterRescue,
    /// "Support completed" and "moved on" need support to have started.
    ClosureReasonNeedsSupport,
    /// A case with an open placement may only be closed by transfer to another organisation.
    OpenPlacement,
    /// A closure may not be dated before the latest event of the case.
    CloseBeforeLastEvent,
    /// NRM, aftercare and justice events need the person rescued (or self-presented).
    RequiresRescue,
    /// NRM, aftercare and justice events may not be dated before the rescue.
    BeforeRescue,
    /// A referral is already running; it must end, be withdrawn or be notified first.
    NrmReferralInProgress,
    /// `nrm_notified` needs a Duty to Notify in progress.
    NotifiedNeedsDutyToNotify,
    /// A Duty to Notify gets no Competent Authority decision.
    DutyToNotifyHasNoDecision,
    /// A Reasonable Grounds decision needs a referral (or an RG reconsideration) awaiting it.
    NoDecisionPending,
    /// Reconsideration needs a negative decision.
    ReconsiderationNeedsNegativeDecision,
    /// A Conclusive Grounds decision needs a positive Reasonable Grounds decision (or a CG
    /// reconsideration).
    CgNeedsPositiveRg,
    /// Move-on support needs a positive Conclusive Grounds decision.
    MoveOnNeedsPositiveCg,
    /// The NRM can end only after a decision (negative RG, or any CG) or move-on.
    NrmEndNeedsOutcome,
    /// Only a running referral can be withdrawn.
    NothingToWithdraw,
    /// A placement is open: reassessing, matching or placing again is refused (move or exit).
    PlacementOpen,
    /// A match needs a needs assessment.
    MatchNeedsAssessment,
    /// Transport needs a matched facility.
    TransportNeedsMatch,
    /// A placement needs a matched facility.
    PlacementNeedsMatch,
    /// A move needs an open placement.
    MoveNeedsPlacement,
    /// A move must be to another facility.
    MoveToSameFacility,
    /// An exit needs an open placement.
    ExitNeedsPlacement,
    /// The advocacy answer is already the one given.
    AdvocacyUnchanged,
    /// This suspect's prosecution already exists (one per suspect).
    ProsecutionExists,
    /// No prosecution of this suspect has been reported.
    UnknownProsecution,
    /// The prosecution has no such step from its current state.
    ProsecutionOrder,
    /// A claim with this id already exists.
    ClaimExists,
    /// No claim with this id has been lodged.
    UnknownClaim,
    /// Compensation and reparation orders need a conviction in one of the case's prosecutions.
    OrderNeedsConviction,
    /// Only employment-tribunal, civil-court and other claims can be settled.
    SettlementNeedsCivilForum,
    /// The claim has no such step from its current state.
    ClaimOrder,
}

impl Guard {
    /// Every guard, in declaration order.
    pub const ALL: [Guard; 43] = [
        Guard::CaseNotOpened,
        Guard::AlreadyOpened,
        Guard::BeforeOpening,
        Guard::DatedBeforeClosure,
        Guard::CaseEnded,
        Guard::NotEnded,
        Guard::ReasonRequired,
        Guard::OutOfOrder,
        Guard::StageOrder,
        Guard::PlannedRescueNeedsPlan,
        Guard::AlreadyRescued,
        Guard::CloseNeedsRescue,
        Guard::NotPursuedAfterRescue,
        Guard::ClosureReasonNeedsSupport,
        Guard::OpenPlacement,
        Guard::CloseBeforeLastEvent,
        Guard::RequiresRescue,
        Guard::BeforeRescue,
        Guard::NrmReferralInProgress,
        Guard::NotifiedNeedsDutyToNotify,
        Guard::DutyToNotifyHasNoDecision,
        Guard::NoDecisionPending,
        Guard::ReconsiderationNeedsNegativeDecision,
        Guard::CgNeedsPositiveRg,
        Guard::MoveOnNeedsPositiveCg,
        Guard::NrmEndNeedsOutcome,
        Guard::NothingToWithdraw,
        Guard::PlacementOpen,
        Guard::MatchNeedsAssessment,
        Guard::TransportNeedsMatch,
        Guard::PlacementNeedsMatch,
        Guard::MoveNeedsPlacement,
        Guard::MoveToSameFacility,
        Guard::ExitNeedsPlacement,
        Guard::AdvocacyUnchanged,
        Guard::ProsecutionExists,
        Guard::UnknownProsecution,
        Guard::ProsecutionOrder,
        Guard::ClaimExists,
        Guard::UnknownClaim,
        Guard::OrderNeedsConviction,
        Guard::SettlementNeedsCivilForum,
        Guard::ClaimOrder,
    ];

    /// The snake_case name, as in JSON.
    pub const fn code(self) -> &'static str {
        match self {
            Guard::CaseNotOpened => "case_not_opened",
            Guard::AlreadyOpened => "already_opened",
            Guard::BeforeOpening => "before_opening",
            Guard::DatedBeforeClosure => "dated_before_closure",
            Guard::CaseEnded => "case_ended",
            Guard::NotEnded => "not_ended",
            Guard::ReasonRequired => "reason_required",
            Guard::OutOfOrder => "out_of_order",
            Guard::StageOrder => "stage_order",
            Guard::PlannedRescueNeedsPlan => "planned_rescue_needs_plan",
            Guard::AlreadyRescued => "already_rescued",
            Guard::CloseNeedsRescue => "close_needs_rescue",
            Guard::NotPursuedAfterRescue => "not_pursued_after_rescue",
            Guard::ClosureReasonNeedsSupport => "closure_reason_needs_support",
            Guard::OpenPlacement => "open_placement",
            Guard::CloseBeforeLastEvent => "close_before_last_event",
            Guard::RequiresRescue => "requires_rescue",
            Guard::BeforeRescue => "before_rescue",
            Guard::NrmReferralInProgress => "nrm_referral_in_progress",
            Guard::NotifiedNeedsDutyToNotify => "notified_needs_duty_to_notify",
            Guard::DutyToNotifyHasNoDecision => "duty_to_notify_has_no_decision",
            Guard::NoDecisionPending => "no_decision_pending",
            Guard::ReconsiderationNeedsNegativeDecision => {
                "reconsideration_needs_negative_decision"
            }
            Guard::CgNeedsPositiveRg => "cg_needs_positive_rg",
            Guard::MoveOnNeedsPositiveCg => "move_on_needs_positive_cg",
            Guard::NrmEndNeedsOutcome => "nrm_end_needs_outcome",
            Guard::NothingToWithdraw => "nothing_to_withdraw",
            Guard::PlacementOpen => "placement_open",
            Guard::MatchNeedsAssessment => "match_needs_assessment",
            Guard::TransportNeedsMatch => "transport_needs_match",
            Guard::PlacementNeedsMatch => "placement_needs_match",
            Guard::MoveNeedsPlacement => "move_needs_placement",
            Guard::MoveToSameFacility => "move_to_same_facility",
            Guard::ExitNeedsPlacement => "exit_needs_placement",
            Guard::AdvocacyUnchanged => "advocacy_unchanged",
            Guard::ProsecutionExists => "prosecution_exists",
            Guard::UnknownProsecution => "unknown_prosecution",
            Guard::ProsecutionOrder => "prosecution_order",
            Guard::ClaimExists => "claim_exists",
            Guard::UnknownClaim => "unknown_claim",
            Guard::OrderNeedsConviction => "order_needs_conviction",
            Guard::SettlementNeedsCivilForum => "settlement_needs_civil_forum",
            Guard::ClaimOrder => "claim_order",
        }
    }

    /// The rule in a sentence, for people.
    pub const fn explanation(self) -> &'static str {
        match self {
            Guard::CaseNotOpened => "the first event of a case must open it",
            Guard::AlreadyOpened => "the case is already open",
            Guard::BeforeOpening => "no event may predate the case's opening",
            Guard::DatedBeforeClosure => "no event may predate the case's latest closure",
            Guard::CaseEnded => "a closed or not-pursued case accepts only a reopen",
            Guard::NotEnded => "only a closed or not-pursued case can be reopened",
            Guard::ReasonRequired => "this event needs a reason",
            Guard::OutOfOrder => "dates may not go backwards within a track",
            Guard::StageOrder => "this stage cannot follow the current one",
            Guard::PlannedRescueNeedsPlan => "a planned-operation rescue needs a rescue plan",
            Guard::AlreadyRescued => "the person has already been rescued",
            Guard::CloseNeedsRescue => {
                "only a rescued case can be closed; before a rescue, mark it not pursued"
            }
            Guard::NotPursuedAfterRescue => "after a rescue, close the case instead",
            Guard::ClosureReasonNeedsSupport => "this closure reason needs support to have started",
            Guard::OpenPlacement => {
                "a case with an open placement can only be closed by transfer to another organisation"
            }
            Guard::CloseBeforeLastEvent => "a closure may not predate the case's latest event",
            Guard::RequiresRescue => "this needs the person rescued (or self-presented) first",
            Guard::BeforeRescue => "this may not predate the rescue",
            Guard::NrmReferralInProgress => "an NRM referral is already in progress",
            Guard::NotifiedNeedsDutyToNotify => "notification needs a Duty to Notify in progress",
            Guard::DutyToNotifyHasNoDecision => "a Duty to Notify gets no NRM decision",
            Guard::NoDecisionPending => "no Reasonable Grounds decision is pending",
            Guard::ReconsiderationNeedsNegativeDecision => {
                "reconsideration needs a negative decision"
            }
            Guard::CgNeedsPositiveRg => {
                "a Conclusive Grounds decision needs a positive Reasonable Grounds decision"
            }
            Guard::MoveOnNeedsPositiveCg => {
                "move-on support needs a positive Conclusive Grounds decision"
            }
            Guard::NrmEndNeedsOutcome => "the NRM can end only after a decision or move-on",
            Guard::NothingToWithdraw => "no running NRM referral to withdraw",
            Guard::PlacementOpen => "a placement is open: move or exit instead",
            Guard::MatchNeedsAssessment => "matching needs a needs assessment",
            Guard::TransportNeedsMatch => "transport needs a matched facility",
            Guard::PlacementNeedsMatch => "a placement needs a matched facility",
            Guard::MoveNeedsPlacement => "a move needs an open placement",
            Guard::MoveToSameFacility => "a move must be to another facility",
            Guard::ExitNeedsPlacement => "an exit needs an open placement",
            Guard::AdvocacyUnchanged => "the advocacy answer is already this one",
            Guard::ProsecutionExists => "this suspect already has a prosecution",
            Guard::UnknownProsecution => "no prosecution of this suspect was reported",
            Guard::ProsecutionOrder => "this prosecution step cannot follow the current one",
            Guard::ClaimExists => "a claim with this id already exists",
            Guard::UnknownClaim => "no claim with this id was lodged",
            Guard::OrderNeedsConviction => "a compensation or reparation order needs a conviction",
            Guard::SettlementNeedsCivilForum => {
                "only tribunal, civil-court and other claims can be settled"
            }
            Guard::ClaimOrder => "this claim step cannot follow the current one",
        }
    }
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The state a guard failed in: the stage for case-wide guards (opening, dates against the case,
/// ended, reason, rescue, closure), otherwise the state of the machine the event drives.
///
/// JSON: tagged by `"machine"`, e.g. `{"machine":"stage","stage":"closed"}`,
/// `{"machine":"nrm","nrm":{"state":"rg_negative"}}`,
/// `{"machine":"prosecution","suspect":"…","state":null}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "machine", rename_all = "snake_case")]
pub enum MachineState {
    /// No case yet: nothing has been opened.
    Unopened,
    /// The main line.
    Stage {
        /// The current stage.
        stage: Stage,
    },
    /// The NRM track.
    Nrm {
        /// Its state.
        nrm: NrmState,
    },
    /// The aftercare track.
    Aftercare {
        /// Its state.
        aftercare: AftercareState,
    },
    /// The advocacy answer.
    Advocacy {
        /// Its state.
        advocacy: AdvocacyState,
    },
    /// One suspect's prosecution.
    Prosecution {
        /// The suspect.
        suspect: SuspectId,
        /// Its state; `None` when no such prosecution exists.
        state: Option<ProsecutionState>,
    },
    /// One claim.
    Claim {
        /// The claim.
        claim: ClaimId,
        /// Its state; `None` when no such claim exists.
        state: Option<ClaimState>,
    },
}

impl fmt::Display for MachineState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MachineState::Unopened => f.write_str("unopened case"),
            MachineState::Stage { stage } => write!(f, "stage {stage}"),
            MachineState::Nrm { nrm } => write!(f, "nrm {nrm}"),
            MachineState::Aftercare { aftercare } => write!(f, "aftercare {aftercare}"),
            MachineState::Advocacy { advocacy } => write!(f, "advocacy {advocacy}"),
            MachineState::Prosecution { suspect, state } => match state {
                Some(state) => write!(f, "prosecution of suspect {suspect} {state}"),
                None => write!(f, "no prosecution of suspect {suspect}"),
            },
            MachineState::Claim { claim, state } => match state {
                Some(state) => write!(f, "claim {claim} {state}"),
                None => write!(f, "no claim {claim}"),
            },
        }
    }
}

/// A refused event: the state it met, the event attempted and the guard that failed. The state
/// it was applied to is unchanged.
///
/// Display: `"cg_needs_positive_rg: nrm_conclusive_grounds refused in nrm rg_negative (a
/// Conclusive Grounds decision needs a positive Reasonable Grounds decision)"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("{guard}: {attempted} refused in {state} ({})", guard.explanation())]
pub struct TransitionError {
    /// The state the guard failed in.
    pub state: MachineState,
    /// The event kind attempted.
    pub attempted: EventKind,
    /// The guard that failed.
    pub guard: Guard,
}

/// A replayed event list holds an event the machines refuse: the list was not produced by
/// accepted events (or the rules changed since).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("event {index} of the replayed list: {error}")]
pub struct ReplayError {
    /// The refused event's position in the list (0-based).
    pub index: usize,
    /// Why it was refused.
    #[source]
    pub error: TransitionError,
}
