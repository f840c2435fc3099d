//! The event envelope and every kind of event a case accepts.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aftercare::AftercareStep;
use crate::ids::{ActorId, ClaimId, FacilityId, SuspectId};
use crate::justice::{AdvocacyStep, ClaimForum, ClaimStep, ProsecutionStep, Verdict};
use crate::nrm_track::{NrmRoute, NrmStep, Outcome};
use crate::reason::Reason;
use crate::stage::{ClosureReason, NotPursuedReason, RescueOrigin, StageStep};

/// One recorded fact about a case: what happened ([`EventKind`]), when it took effect, who recorded
/// it, and, where it matters, why.
///
/// JSON (the `reason` key is left out when there is none):
/// ```json
/// {"date":"2026-03-02","actor":"00000000-0000-0000-0000-000000000001",
///  "kind":{"type":"rescued","origin":"self_presented"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The effective date: when it happened, which may be earlier than when it was recorded.
    pub date: NaiveDate,
    /// Who recorded it.
    pub actor: ActorId,
    /// What happened.
    pub kind: EventKind,
    /// Why, in the actor's words. Required for a reopen and for the `other` closure and
    /// not-pursued reasons; optional elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

impl Event {
    /// An event without a reason.
    pub fn new(date: NaiveDate, actor: ActorId, kind: EventKind) -> Self {
        Self {
            date,
            actor,
            kind,
            reason: None,
        }
    }

    /// The same event with a reason.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<Reason>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// A timeline line: the date and [`EventKind::describe`]. It never includes the reason text,
    /// which may hold personal data.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.date, self.kind.describe())
    }
}

/// What happened. JSON: an object tagged by `"type"` (the snake_case variant name), with the
/// variant's fields beside it, e.g. `{"type":"nrm_referred","route":"duty_to_notify"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The case is opened at `reported`. Must be the first event; its date is the case's opening
    /// date, before which no event may be dated.
    Opened,
    /// `reported` → `assessing`.
    AssessmentStarted,
    /// `assessing` → `rescue_planned`.
    RescuePlanned,
    /// `rescue_planned` → `assessing`: the plan was called off (new intelligence, too risky).
    RescuePlanStoodDown,
    /// The person is free; the event's date is the rescue date.
    Rescued {
        /// How the person came to be free.
        origin: RescueOrigin,
    },
    /// `rescued` → `in_support`.
    SupportStarted,
    /// `in_support` → `moving_on`.
    MovingOnStarted,
    /// `moving_on` → `in_support`: the move-on broke down and support resumes.
    SupportResumed,
    /// The case is closed (after a rescue).
    Closed {
        /// Why (HTCDS `cas_ReasonForCaseClosure`).
        closure_reason: ClosureReason,
    },
    /// The report is not pursued (before any rescue).
    NotPursued {
        /// Why.
        not_pursued_reason: NotPursuedReason,
    },
    /// A closed or not-pursued case returns to the stage it left. Needs a reason.
    Reopened,

    /// An NRM referral or a Duty to Notify is being made.
    NrmReferred {
        /// Which route.
        route: NrmRoute,
    },
    /// The Duty to Notify was sent; that route ends here.
    NrmNotified,
    /// The Reasonable Grounds decision (or its reconsidered decision).
    NrmReasonableGrounds {
        /// Positive or negative.
        outcome: Outcome,
    },
    /// A reconsideration of the latest negative decision was requested.
    NrmReconsiderationRequested,
    /// The Conclusive Grounds decision (or its reconsidered decision).
    NrmConclusiveGrounds {
        /// Positive or negative.
        outcome: Outcome,
    },
    /// Move-on support after a positive Conclusive Grounds decision.
    NrmMoveOnStarted,
    /// The person's time in the NRM ended.
    NrmEnded,
    /// The referral was withdrawn before it ran its course.
    NrmWithdrawn,

    /// The person's aftercare needs were assessed (again).
    AftercareNeedsAssessed,
    /// A facility was matched to the needs (a new match replaces an earlier one).
    AftercareMatched {
        /// The facility.
        facility: FacilityId,
    },
    /// Transport to the matched facility was arranged.
    AftercareTransportArranged,
    /// The person arrived at the matched facility.
    AftercarePlaced,
    /// The person was moved to another facility.
    AftercareMoved {
        /// The new facility.
        facility: FacilityId,
    },
    /// The person left the placement.
    AftercareExited,

    /// The person asked for the NGO's advocacy.
    AdvocacyRequested,
    /// The person declined the NGO's advocacy.
    AdvocacyDeclined,

    /// The offence by this suspect was reported to police: starts that suspect's prosecution.
    ProsecutionReported {
        /// The suspect (the caller's id).
        suspect: SuspectId,
    },
    /// Police opened (or reopened) an investigation.
    ProsecutionInvestigationOpened {
        /// The suspect.
        suspect: SuspectId,
    },
    /// The suspect was charged.
    ProsecutionCharged {
        /// The suspect.
        suspect: SuspectId,
    },
    /// The trial started.
    ProsecutionTrialStarted {
        /// The suspect.
        suspect: SuspectId,
    },
    /// The trial ended in a verdict.
    ProsecutionVerdict {
        /// The suspect.
        suspect: SuspectId,
        /// Convicted or acquitted.
        verdict: Verdict,
    },
    /// No further action (or the charge was discontinued).
    ProsecutionNoFurtherAction {
        /// The suspect.
        suspect: SuspectId,
    },

    /// A compensation claim was lodged.
    ClaimLodged {
        /// The claim (the caller's id).
        claim: ClaimId,
        /// Where it is brought.
        forum: ClaimForum,
    },
    /// Compensation was awarded.
    ClaimAwarded {
        /// The claim.
        claim: ClaimId,
    },
    /// The claim was rejected.
    ClaimRejected {
        /// The claim.
        claim: ClaimId,
    },
    /// The parties settled.
    ClaimSettled {
        /// The claim.
        claim: ClaimId,
    },
    /// The award or settlement was paid.
    ClaimPaid {
        /// The claim.
        claim: ClaimId,
    },
    /// The claimant withdrew the claim.
    ClaimWithdrawn {
        /// The claim.
        claim: ClaimId,
    },
}

/// Which machine an event drives. JSON: an object tagged by `"track"`, e.g. `{"track":"nrm"}` or
/// `{"track":"prosecution","suspect":"…uuid…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "track", rename_all = "snake_case")]
pub enum Track {
    /// The main line.
    Stage,
    /// The NRM track.
    Nrm,
    /// The aftercare track.
    Aftercare,
    /// The advocacy answer.
    Advocacy,
    /// One suspect's prosecution.
    Prosecution {
        /// The suspect.
        suspect: SuspectId,
    },
    /// One compensation claim.
    Claim {
        /// The claim.
        claim: ClaimId,
    },
}

impl fmt::Display for Track {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Track::Stage => f.write_str("stage"),
            Track::Nrm => f.write_str("nrm"),
            Track::Aftercare => f.write_str("aftercare"),
            Track::Advocacy => f.write_str("advocacy"),
            Track::Prosecution { suspect } => write!(f, "prosecution of suspect {suspect}"),
            Track::Claim { claim } => write!(f, "claim {claim}"),
        }
    }
}

/// An event sorted by the machine it drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Stage(StageStep),
    Nrm(NrmStep),
    Aftercare(AftercareStep),
    Advocacy(AdvocacyStep),
    Prosecution(SuspectId, ProsecutionStep),
    Claim(ClaimId, ClaimStep),
}

impl EventKind {
    /// Every event type name, as in JSON's `"type"` field.
    pub const NAMES: [&'static str; 39] = [
        "opened",
        "assessment_started",
        "rescue_planned",
        "rescue_plan_stood_down",
        "rescued",
        "support_started",
        "moving_on_started",
        "support_resumed",
        "closed",
        "not_pursued",
        "reopened",
        "nrm_referred",
        "nrm_notified",
        "nrm_reasonable_grounds",
        "nrm_reconsideration_requested",
        "nrm_conclusive_grounds",
        "nrm_move_on_started",
        "nrm_ended",
        "nrm_withdrawn",
        "aftercare_needs_assessed",
        "aftercare_matched",
        "aftercare_transport_arranged",
        "aftercare_placed",
        "aftercare_moved",
        "aftercare_exited",
        "advocacy_requested",
        "advocacy_declined",
        "prosecution_reported",
        "prosecution_investigation_opened",
        "prosecution_charged",
        "prosecution_trial_started",
        "prosecution_verdict",
        "prosecution_no_further_action",
        "claim_lodged",
        "claim_awarded",
        "claim_rejected",
        "claim_settled",
        "claim_paid",
        "claim_withdrawn",
    ];

    /// The type name, as in JSON's `"type"` field (e.g. `"nrm_referred"`).
    pub const fn name(&self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::AssessmentStarted => "assessment_started",
            EventKind::RescuePlanned => "rescue_planned",
            EventKind::RescuePlanStoodDown => "rescue_plan_stood_down",
            EventKind::Rescued { .. } => "rescued",
            EventKind::SupportStarted => "support_started",
            EventKind::MovingOnStarted => "moving_on_started",
            EventKind::SupportResumed => "support_resumed",
            EventKind::Closed { .. } => "closed",
            EventKind::NotPursued { .. } => "not_pursued",
            EventKind::Reopened => "reopened",
            EventKind::NrmReferred { .. } => "nrm_referred",
            EventKind::NrmNotified => "nrm_notified",
            EventKind::NrmReasonableGrounds { .. } => "nrm_reasonable_grounds",
            EventKind::NrmReconsiderationRequested => "nrm_reconsideration_requested",
            EventKind::NrmConclusiveGrounds { .. } => "nrm_conclusive_grounds",
            EventKind::NrmMoveOnStarted => "nrm_move_on_started",
            EventKind::NrmEnded => "nrm_ended",
            EventKind::NrmWithdrawn => "nrm_withdrawn",
            EventKind::AftercareNeedsAssessed => "aftercare_needs_assessed",
            EventKind::AftercareMatched { .. } => "aftercare_matched",
            EventKind::AftercareTransportArranged => "aftercare_transport_arranged",
            EventKind::AftercarePlaced => "aftercare_placed",
            EventKind::AftercareMoved { .. } => "aftercare_moved",
            EventKind::AftercareExited => "aftercare_exited",
            EventKind::AdvocacyRequested => "advocacy_requested",
            EventKind::AdvocacyDeclined => "advocacy_declined",
            EventKind::ProsecutionReported { .. } => "prosecution_reported",
            EventKind::ProsecutionInvestigationOpened { .. } => "prosecution_investigation_opened",
            EventKind::ProsecutionCharged { .. } => "prosecution_charged",
            EventKind::ProsecutionTrialStarted { .. } => "prosecution_trial_started",
            EventKind::ProsecutionVerdict { .. } => "prosecution_verdict",
            EventKind::ProsecutionNoFurtherAction { .. } => "prosecution_no_further_action",
            EventKind::ClaimLodged { .. } => "claim_lodged",
            EventKind::ClaimAwarded { .. } => "claim_awarded",
            EventKind::ClaimRejected { .. } => "claim_rejected",
            EventKind::ClaimSettled { .. } => "claim_settled",
            EventKind::ClaimPaid { .. } => "claim_paid",
            EventKind::ClaimWithdrawn { .. } => "claim_withdrawn",
        }
    }

    /// The machine this event drives.
    pub const fn track(&self) -> Track {
        match self.step() {
            Step::Stage(_) => Track::Stage,
            Step::Nrm(_) => Track::Nrm,
            Step::Aftercare(_) => Track::Aftercare,
            Step::Advocacy(_) => Track::Advocacy,
            Step::Prosecution(suspect, _) => Track::Prosecution { suspect },
            Step::Claim(claim, _) => Track::Claim { claim },
        }
    }

    /// A short English sentence for a timeline, e.g. "Rescued (self-presented)". Ids are left
    /// out (the core knows the names behind them); so is any reason text.
    pub fn describe(&self) -> String {
        let text: &str = match self {
            EventKind::Opened => "Case opened",
            EventKind::AssessmentStarted => "Assessment started",
            EventKind::RescuePlanned => "Rescue planned",
            EventKind::RescuePlanStoodDown => "Rescue plan stood down",
            EventKind::Rescued { origin } => {
                let how = match origin {
                    RescueOrigin::PlannedOperation => "planned operation",
                    RescueOrigin::SelfPresented => "self-presented",
                    RescueOrigin::FoundInOperation => "found during an operation",
                    RescueOrigin::OtherAgency => "by another agency",
                };
                return format!("Rescued ({how})");
            }
            EventKind::SupportStarted => "Support started",
            EventKind::MovingOnStarted => "Moving on started",
            EventKind::SupportResumed => "Support resumed",
            EventKind::Closed { closure_reason } => {
                let why = match closure_reason {
                    ClosureReason::SupportCompleted => "support completed",
                    ClosureReason::MovedOnIndependent => "moved on, independent",
                    ClosureReason::TransferredToOtherOrganisation => {
                        "transferred to another organisation"
                    }
                    ClosureReason::LostContact => "lost contact",
                    ClosureReason::DeclinedFurtherSupport => "declined further support",
                    ClosureReason::Deceased => "deceased",
                    ClosureReason::Repatriated => "repatriated",
                    ClosureReason::Other => "other reason",
                };
                return format!("Case closed ({why})");
            }
            EventKind::NotPursued { not_pursued_reason } => {
                let why = match not_pursued_reason {
                    NotPursuedReason::NotAVictim => "not a victim",
                    NotPursuedReason::InsufficientInformation => "insufficient information",
                    NotPursuedReason::CouldNotLocate => "could not locate",
                    NotPursuedReason::DeclinedHelp => "declined help",
                    NotPursuedReason::HandledByOtherAgency => "handled by another agency",
                    NotPursuedReason::Duplicate => "duplicate",
                    NotPursuedReason::Other => "other reason",
                };
                return format!("Not pursued ({why})");
            }
            EventKind::Reopened => "Case reopened",
            EventKind::NrmReferred {
                route: NrmRoute::NrmReferral,
            } => "NRM referral made",
            EventKind::NrmReferred {
                route: NrmRoute::DutyToNotify,
            } => "Duty to Notify started",
            EventKind::NrmNotified => "Duty to Notify sent",
            EventKind::NrmReasonableGrounds {
                outcome: Outcome::Positive,
            } => "NRM: positive Reasonable Grounds decision",
            EventKind::NrmReasonableGrounds {
                outcome: Outcome::Negative,
            } => "NRM: negative Reasonable Grounds decision",
            EventKind::NrmReconsiderationRequested => "NRM: reconsideration requested",
            EventKind::NrmConclusiveGrounds {
                outcome: Outcome::Positive,
            } => "NRM: positive Conclusive Grounds decision",
            EventKind::NrmConclusiveGrounds {
                outcome: Outcome::Negative,
            } => "NRM: negative Conclusive Grounds decision",
            EventKind::NrmMoveOnStarted => "NRM: move-on support started",
            EventKind::NrmEnded => "NRM: ended",
            EventKind::NrmWithdrawn => "NRM: referral withdrawn",
            EventKind::AftercareNeedsAssessed => "Aftercare: needs assessed",
            EventKind::AftercareMatched { .. } => "Aftercare: facility matched",
            EventKind::AftercareTransportArranged => "Aftercare: transport arranged",
            EventKind::AftercarePlaced => "Aftercare: placed",
            EventKind::AftercareMoved { .. } => "Aftercare: moved to another facility",
            EventKind::AftercareExited => "Aftercare: left the placement",
            EventKind::AdvocacyRequested => "Advocacy requested",
            EventKind::AdvocacyDeclined => "Advocacy declined",
            EventKind::ProsecutionReported { .. } => "Police: offence reported",
            EventKind::ProsecutionInvestigationOpened { .. } => "Police: investigation opened",
            EventKind::ProsecutionCharged { .. } => "Prosecution: suspect charged",
            EventKind::ProsecutionTrialStarted { .. } => "Prosecution: trial started",
            EventKind::ProsecutionVerdict {
                verdict: Verdict::Convicted,
                ..
            } => "Prosecution: convicted",
            EventKind::ProsecutionVerdict {
                verdict: Verdict::Acquitted,
                ..
            } => "Prosecution: acquitted",
            EventKind::ProsecutionNoFurtherAction { .. } => "Prosecution: no further action",
            EventKind::ClaimLodged { .. } => "Compensation claim lodged",
            EventKind::ClaimAwarded { .. } => "Compensation awarded",
            EventKind::ClaimRejected { .. } => "Compensation claim rejected",
            EventKind::ClaimSettled { .. } => "Compensation claim settled",
            EventKind::ClaimPaid { .. } => "Compensation paid",
            EventKind::ClaimWithdrawn { .. } => "Compensation claim withdrawn",
        };
        text.to_owned()
    }

    /// Whether this kind needs a reason text on its event (see [`Guard::ReasonRequired`]).
    ///
    /// [`Guard::ReasonRequired`]: crate::Guard::ReasonRequired
    pub const fn needs_reason(&self) -> bool {
        matches!(
            self,
            EventKind::Reopened
                | EventKind::Closed {
                    closure_reason: ClosureReason::Other
                }
                | EventKind::NotPursued {
                    not_pursued_reason: NotPursuedReason::Other
                }
        )
    }

    pub(crate) const fn step(&self) -> Step {
        match *self {
            EventKind::Opened => Step::Stage(StageStep::Opened),
            EventKind::AssessmentStarted => Step::Stage(StageStep::AssessmentStarted),
            EventKind::RescuePlanned => Step::Stage(StageStep::RescuePlanned),
            EventKind::RescuePlanStoodDown => Step::Stage(StageStep::RescuePlanStoodDown),
            EventKind::Rescued { origin } => Step::Stage(StageStep::Rescued(origin)),
            EventKind::SupportStarted => Step::Stage(StageStep::SupportStarted),
            EventKind::MovingOnStarted => Step::Stage(StageStep::MovingOnStarted),
            EventKind::SupportResumed => Step::Stage(StageStep::SupportResumed),
            EventKind::Closed { closure_reason } => Step::Stage(StageStep::Closed(closure_reason)),
            EventKind::NotPursued { not_pursued_reason } => {
                Step::Stage(StageStep::NotPursued(not_pursued_reason))
            }
            EventKind::Reopened => Step::Stage(StageStep::Reopened),
            EventKind::NrmReferred { route } => Step::Nrm(NrmStep::Referred(route)),
            EventKind::NrmNotified => Step::Nrm(NrmStep::Notified),
            EventKind::NrmReasonableGrounds { outcome } => {
                Step::Nrm(NrmStep::ReasonableGrounds(outcome))
            }
            EventKind::NrmReconsiderationRequested => Step::Nrm(NrmStep::ReconsiderationRequested),
            EventKind::NrmConclusiveGrounds { outcome } => {
                Step::Nrm(NrmStep::ConclusiveGrounds(outcome))
            }
            EventKind::NrmMoveOnStarted => Step::Nrm(NrmStep::MoveOnStarted),
            EventKind::NrmEnded => Step::Nrm(NrmStep::Ended),
            EventKind::NrmWithdrawn => Step::Nrm(NrmStep::Withdrawn),
            EventKind::AftercareNeedsAssessed => Step::Aftercare(AftercareStep::NeedsAssessed),
            EventKind::AftercareMatched { facility } => {
                Step::Aftercare(AftercareStep::Matched(facility))
            }
            EventKind::AftercareTransportArranged => {
                Step::Aftercare(AftercareStep::TransportArranged)
            }
            EventKind::AftercarePlaced => Step::Aftercare(AftercareStep::Placed),
            EventKind::AftercareMoved { facility } => {
                Step::Aftercare(AftercareStep::Moved(facility))
            }
            EventKind::AftercareExited => Step::Aftercare(AftercareStep::Exited),
            EventKind::AdvocacyRequested => Step::Advocacy(AdvocacyStep::Requested),
            EventKind::AdvocacyDeclined => Step::Advocacy(AdvocacyStep::Declined),
            EventKind::ProsecutionReported { suspect } => {
                Step::Prosecution(suspect, ProsecutionStep::Reported)
            }
            EventKind::ProsecutionInvestigationOpened { suspect } => {
                Step::Prosecution(suspect, ProsecutionStep::InvestigationOpened)
            }
            EventKind::ProsecutionCharged { suspect } => {
                Step::Prosecution(suspect, ProsecutionStep::Charged)
            }
            EventKind::ProsecutionTrialStarted { suspect } => {
                Step::Prosecution(suspect, ProsecutionStep::TrialStarted)
            }
            EventKind::ProsecutionVerdict { suspect, verdict } => {
                Step::Prosecution(suspect, ProsecutionStep::Verdict(verdict))
            }
            EventKind::ProsecutionNoFurtherAction { suspect } => {
                Step::Prosecution(suspect, ProsecutionStep::NoFurtherAction)
            }
            EventKind::ClaimLodged { claim, forum } => Step::Claim(claim, ClaimStep::Lodged(forum)),
            EventKind::ClaimAwarded { claim } => Step::Claim(claim, ClaimStep::Awarded),
            EventKind::ClaimRejected { claim } => Step::Claim(claim, ClaimStep::Rejected),
            EventKind::ClaimSettled { claim } => Step::Claim(claim, ClaimStep::Settled),
            EventKind::ClaimPaid { claim } => Step::Claim(claim, ClaimStep::Paid),
            EventKind::ClaimWithdrawn { claim } => Step::Claim(claim, ClaimStep::Withdrawn),
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
