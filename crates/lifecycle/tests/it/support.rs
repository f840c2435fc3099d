//! Builders shared by the tests: dates as day offsets, a fixed actor, id pools and histories that
//! bring a case to a named point.

use chrono::{Days, NaiveDate};
use unchain_lifecycle::{
    ActorId, ClaimForum, ClaimId, ClosureReason, Event, EventKind, FacilityId, NotPursuedReason,
    NrmRoute, Outcome, RescueOrigin, SuspectId, Verdict,
};
use uuid::Uuid;

/// The opening date of every test case.
pub fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 10).expect("valid date")
}

/// A date `offset` days from [`base`] (negative is before the opening).
pub fn day(offset: i64) -> NaiveDate {
    let magnitude = Days::new(offset.unsigned_abs());
    if offset >= 0 {
        base() + magnitude
    } else {
        base() - magnitude
    }
}

pub const ACTOR: ActorId = ActorId(Uuid::from_u128(0xA));

pub fn suspect(n: u128) -> SuspectId {
    SuspectId::new(Uuid::from_u128(0x5000 + n))
}

pub fn claim(n: u128) -> ClaimId {
    ClaimId::new(Uuid::from_u128(0xC000 + n))
}

pub fn facility(n: u128) -> FacilityId {
    FacilityId::new(Uuid::from_u128(0xF000 + n))
}

/// The event kinds that carry data, as calls, so that a table row or a history step stays on one
/// line.
pub mod kind {
    use unchain_lifecycle::{
        ClaimForum, ClaimId, ClosureReason, EventKind, FacilityId, NotPursuedReason, NrmRoute,
        Outcome, RescueOrigin, SuspectId, Verdict,
    };

    pub fn rescued(origin: RescueOrigin) -> EventKind {
        EventKind::Rescued { origin }
    }

    pub fn closed(closure_reason: ClosureReason) -> EventKind {
        EventKind::Closed { closure_reason }
    }

    pub fn not_pursued(not_pursued_reason: NotPursuedReason) -> EventKind {
        EventKind::NotPursued { not_pursued_reason }
    }

    pub fn referred(route: NrmRoute) -> EventKind {
        EventKind::NrmReferred { route }
    }

    /// A Reasonable Grounds decision.
    pub fn rg(outcome: Outcome) -> EventKind {
        EventKind::NrmReasonableGrounds { outcome }
    }

    /// A Conclusive Grounds decision.
    pub fn cg(outcome: Outcome) -> EventKind {
        EventKind::NrmConclusiveGrounds { outcome }
    }

    pub fn matched(facility: FacilityId) -> EventKind {
        EventKind::AftercareMatched { facility }
    }

    pub fn moved(facility: FacilityId) -> EventKind {
        EventKind::AftercareMoved { facility }
    }

    pub fn reported(suspect: SuspectId) -> EventKind {
        EventKind::ProsecutionReported { suspect }
    }

    pub fn verdict(suspect: SuspectId, verdict: Verdict) -> EventKind {
        EventKind::ProsecutionVerdict { suspect, verdict }
    }

    pub fn lodged(claim: ClaimId, forum: ClaimForum) -> EventKind {
        EventKind::ClaimLodged { claim, forum }
    }
}

pub fn ev(offset: i64, kind: EventKind) -> Event {
    Event::new(day(offset), ACTOR, kind)
}

/// `history` followed by `more`.
pub fn then(mut history: Vec<Event>, more: impl IntoIterator<Item = Event>) -> Vec<Event> {
    history.extend(more);
    history
}

// Histories, each dated so that the next step can take any later day.

pub fn opened() -> Vec<Event> {
    vec![ev(0, EventKind::Opened)]
}

pub fn assessing() -> Vec<Event> {
    then(opened(), [ev(1, EventKind::AssessmentStarted)])
}

pub fn planned() -> Vec<Event> {
    then(assessing(), [ev(2, EventKind::RescuePlanned)])
}

/// Rescued on day 3 by a planned operation.
pub fn rescued() -> Vec<Event> {
    then(
        planned(),
        [ev(3, kind::rescued(RescueOrigin::PlannedOperation))],
    )
}

pub fn in_support() -> Vec<Event> {
    then(rescued(), [ev(4, EventKind::SupportStarted)])
}

pub fn moving_on() -> Vec<Event> {
    then(in_support(), [ev(5, EventKind::MovingOnStarted)])
}

/// In support, closed on day 10 for lost contact.
pub fn closed() -> Vec<Event> {
    then(
        in_support(),
        [ev(10, kind::closed(ClosureReason::LostContact))],
    )
}

pub fn not_pursued() -> Vec<Event> {
    then(
        assessing(),
        [ev(5, kind::not_pursued(NotPursuedReason::Duplicate))],
    )
}

pub fn needs_assessed() -> Vec<Event> {
    then(rescued(), [ev(4, EventKind::AftercareNeedsAssessed)])
}

pub fn matched() -> Vec<Event> {
    then(needs_assessed(), [ev(5, kind::matched(facility(1)))])
}

/// Placed at facility 1 on day 6.
pub fn placed() -> Vec<Event> {
    then(matched(), [ev(6, EventKind::AftercarePlaced)])
}

/// Referred on day 5.
pub fn referred(route: NrmRoute) -> Vec<Event> {
    then(rescued(), [ev(5, kind::referred(route))])
}

/// RG decision on day 10.
pub fn rg(outcome: Outcome) -> Vec<Event> {
    then(referred(NrmRoute::NrmReferral), [ev(10, kind::rg(outcome))])
}

/// Positive RG, then a CG decision on day 60.
pub fn cg(outcome: Outcome) -> Vec<Event> {
    then(rg(Outcome::Positive), [ev(60, kind::cg(outcome))])
}

/// Suspect 1 reported on day 5.
pub fn police_reported() -> Vec<Event> {
    then(rescued(), [ev(5, kind::reported(suspect(1)))])
}

/// Suspect 1 at trial from day 40.
pub fn at_trial() -> Vec<Event> {
    let s = suspect(1);
    then(
        police_reported(),
        [
            ev(6, EventKind::ProsecutionInvestigationOpened { suspect: s }),
            ev(20, EventKind::ProsecutionCharged { suspect: s }),
            ev(40, EventKind::ProsecutionTrialStarted { suspect: s }),
        ],
    )
}

/// Suspect 1 convicted on day 50.
pub fn convicted() -> Vec<Event> {
    then(
        at_trial(),
        [ev(50, kind::verdict(suspect(1), Verdict::Convicted))],
    )
}

/// Claim 1 lodged on day 8 in `forum`.
pub fn lodged(forum: ClaimForum) -> Vec<Event> {
    then(rescued(), [ev(8, kind::lodged(claim(1), forum))])
}

/// Every event kind the tests know, with each parameter drawn from small pools (two suspects,
/// two claims, two facilities) so that random sequences meet the same ids again.
pub fn all_kinds() -> Vec<EventKind> {
    use ClaimForum as F;
    use ClosureReason as C;
    use NotPursuedReason as N;
    use RescueOrigin as R;
    let mut kinds = vec![
        EventKind::Opened,
        EventKind::AssessmentStarted,
        EventKind::RescuePlanned,
        EventKind::RescuePlanStoodDown,
        EventKind::SupportStarted,
        EventKind::MovingOnStarted,
        EventKind::SupportResumed,
        EventKind::Reopened,
        EventKind::NrmNotified,
        EventKind::NrmReconsiderationRequested,
        EventKind::NrmMoveOnStarted,
        EventKind::NrmEnded,
        EventKind::NrmWithdrawn,
        EventKind::AftercareNeedsAssessed,
        EventKind::AftercareTransportArranged,
        EventKind::AftercarePlaced,
        EventKind::AftercareExited,
        EventKind::AdvocacyRequested,
        EventKind::AdvocacyDeclined,
    ];
    for origin in [
        R::PlannedOperation,
        R::SelfPresented,
        R::FoundInOperation,
        R::OtherAgency,
    ] {
        kinds.push(kind::rescued(origin));
    }
    for closure_reason in [
        C::SupportCompleted,
        C::MovedOnIndependent,
        C::TransferredToOtherOrganisation,
        C::LostContact,
        C::DeclinedFurtherSupport,
        C::Deceased,
        C::Repatriated,
        C::Other,
    ] {
        kinds.push(kind::closed(closure_reason));
    }
    for not_pursued_reason in [
        N::NotAVictim,
        N::InsufficientInformation,
        N::CouldNotLocate,
        N::DeclinedHelp,
        N::HandledByOtherAgency,
        N::Duplicate,
        N::Other,
    ] {
        kinds.push(kind::not_pursued(not_pursued_reason));
    }
    for route in [NrmRoute::NrmReferral, NrmRoute::DutyToNotify] {
        kinds.push(kind::referred(route));
    }
    for outcome in [Outcome::Positive, Outcome::Negative] {
        kinds.push(kind::rg(outcome));
        kinds.push(kind::cg(outcome));
    }
    for n in 1..=2 {
        kinds.push(kind::matched(facility(n)));
        kinds.push(kind::moved(facility(n)));
        let s = suspect(n);
        kinds.extend([
            kind::reported(s),
            EventKind::ProsecutionInvestigationOpened { suspect: s },
            EventKind::ProsecutionCharged { suspect: s },
            EventKind::ProsecutionTrialStarted { suspect: s },
            kind::verdict(s, Verdict::Convicted),
            kind::verdict(s, Verdict::Acquitted),
            EventKind::ProsecutionNoFurtherAction { suspect: s },
        ]);
        let c = claim(n);
        for forum in [
            F::CriminalInjuriesCompensation,
            F::EmploymentTribunal,
            F::CivilCourt,
            F::CompensationOrder,
            F::ReparationOrder,
            F::Other,
        ] {
            kinds.push(kind::lodged(c, forum));
        }
        kinds.extend([
            EventKind::ClaimAwarded { claim: c },
            EventKind::ClaimRejected { claim: c },
            EventKind::ClaimSettled { claim: c },
            EventKind::ClaimPaid { claim: c },
            EventKind::ClaimWithdrawn { claim: c },
        ]);
    }
    kinds
}
