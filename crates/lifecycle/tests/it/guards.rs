//! Every guard, table-driven: a history, an attempted event and the guard that must refuse it.

use std::collections::BTreeSet;

use unchain_lifecycle::{
    AftercareState, CaseState, ClaimForum, ClosureReason, Event, EventKind, Guard, MachineState,
    NotPursuedReason, NrmRoute, NrmState, Outcome, RescueOrigin, Stage, Verdict, replay,
};

use crate::support::*;

/// Replays `history`, applies `attempted`, and demands a refusal by `expected` that leaves the
/// state as it was.
fn check(history: &[Event], attempted: &Event, expected: Guard) -> Result<(), String> {
    let mut state = replay(history).map_err(|e| format!("history does not replay: {e}"))?;
    let before = state.clone();
    let error = match state.apply(attempted) {
        Ok(()) => return Err(format!("accepted; expected {expected}")),
        Err(error) => error,
    };
    if error.guard != expected {
        return Err(format!(
            "refused by {}, expected {expected}: {error}",
            error.guard
        ));
    }
    if error.attempted != attempted.kind {
        return Err(format!("error names {} as attempted", error.attempted));
    }
    if state != before {
        return Err("a refused event changed the state".to_owned());
    }
    if !error.to_string().starts_with(expected.code()) {
        return Err(format!("message does not lead with the guard: {error}"));
    }
    Ok(())
}

struct Row {
    name: &'static str,
    history: Vec<Event>,
    attempted: Event,
    guard: Guard,
}

fn row(name: &'static str, history: Vec<Event>, attempted: Event, guard: Guard) -> Row {
    Row {
        name,
        history,
        attempted,
        guard,
    }
}

fn table() -> Vec<Row> {
    use EventKind as K;
    use Guard as G;
    let s1 = suspect(1);
    let c1 = claim(1);
    let reopen = |d| ev(d, K::Reopened).with_reason("new information");
    vec![
        // Opening and the case's own dates.
        row(
            "nothing before opened",
            vec![],
            ev(0, K::AssessmentStarted),
            G::CaseNotOpened,
        ),
        row("reopen of nothing", vec![], reopen(0), G::CaseNotOpened),
        row("opened twice", opened(), ev(1, K::Opened), G::AlreadyOpened),
        row(
            "opened again on a closed case",
            closed(),
            ev(11, K::Opened),
            G::AlreadyOpened,
        ),
        row(
            "stage event before opening",
            opened(),
            ev(-1, K::AssessmentStarted),
            G::BeforeOpening,
        ),
        row(
            "track event before opening",
            rescued(),
            ev(-3, kind::referred(NrmRoute::NrmReferral)),
            G::BeforeOpening,
        ),
        row(
            "reopen dated before the closure",
            closed(),
            reopen(9),
            G::DatedBeforeClosure,
        ),
        row(
            "after reopen, an event dated while closed",
            then(closed(), [reopen(12)]),
            ev(9, kind::referred(NrmRoute::NrmReferral)),
            G::DatedBeforeClosure,
        ),
        // Ended cases.
        row(
            "closed accepts no stage event",
            closed(),
            ev(11, K::MovingOnStarted),
            G::CaseEnded,
        ),
        row(
            "closed accepts no track event",
            closed(),
            ev(11, K::AftercareNeedsAssessed),
            G::CaseEnded,
        ),
        row(
            "closed cannot close again",
            closed(),
            ev(11, kind::closed(ClosureReason::Deceased)),
            G::CaseEnded,
        ),
        row(
            "not pursued accepts no assessment",
            not_pursued(),
            ev(6, K::AssessmentStarted),
            G::CaseEnded,
        ),
        row(
            "not pursued accepts no rescue",
            not_pursued(),
            ev(6, kind::rescued(RescueOrigin::SelfPresented)),
            G::CaseEnded,
        ),
        row("reopen an open case", in_support(), reopen(5), G::NotEnded),
        // Reasons.
        row(
            "reopen without reason",
            closed(),
            ev(11, K::Reopened),
            G::ReasonRequired,
        ),
        row(
            "reopen with a blank reason",
            closed(),
            ev(11, K::Reopened).with_reason("  \n"),
            G::ReasonRequired,
        ),
        row(
            "close for other without reason",
            in_support(),
            ev(5, kind::closed(ClosureReason::Other)),
            G::ReasonRequired,
        ),
        row(
            "not pursued for other without reason",
            assessing(),
            ev(2, kind::not_pursued(NotPursuedReason::Other)),
            G::ReasonRequired,
        ),
        // Dates within a machine.
        row(
            "stage date goes backwards",
            in_support(),
            ev(3, K::MovingOnStarted),
            G::OutOfOrder,
        ),
        row(
            "support resumed dated before moving on",
            moving_on(),
            ev(4, K::SupportResumed),
            G::OutOfOrder,
        ),
        row(
            "NRM date goes backwards",
            rg(Outcome::Positive),
            ev(9, kind::cg(Outcome::Positive)),
            G::OutOfOrder,
        ),
        row(
            "aftercare date goes backwards",
            placed(),
            ev(5, K::AftercareExited),
            G::OutOfOrder,
        ),
        row(
            "advocacy date goes backwards",
            then(rescued(), [ev(8, K::AdvocacyRequested)]),
            ev(7, K::AdvocacyDeclined),
            G::OutOfOrder,
        ),
        row(
            "prosecution date goes backwards",
            police_reported(),
            ev(4, K::ProsecutionInvestigationOpened { suspect: s1 }),
            G::OutOfOrder,
        ),
        row(
            "claim date goes backwards",
            lodged(ClaimForum::CivilCourt),
            ev(7, K::ClaimAwarded { claim: c1 }),
            G::OutOfOrder,
        ),
        // The main line.
        row(
            "plan without assessment",
            opened(),
            ev(1, K::RescuePlanned),
            G::StageOrder,
        ),
        row(
            "support before rescue",
            assessing(),
            ev(2, K::SupportStarted),
            G::StageOrder,
        ),
        row(
            "moving on straight from rescued",
            rescued(),
            ev(4, K::MovingOnStarted),
            G::StageOrder,
        ),
        row(
            "assess again after rescue",
            rescued(),
            ev(4, K::AssessmentStarted),
            G::StageOrder,
        ),
        row(
            "stand down without a plan",
            assessing(),
            ev(2, K::RescuePlanStoodDown),
            G::StageOrder,
        ),
        row(
            "resume support while in support",
            in_support(),
            ev(5, K::SupportResumed),
            G::StageOrder,
        ),
        row(
            "planned-operation rescue from reported",
            opened(),
            ev(1, kind::rescued(RescueOrigin::PlannedOperation)),
            G::PlannedRescueNeedsPlan,
        ),
        row(
            "planned-operation rescue while assessing",
            assessing(),
            ev(2, kind::rescued(RescueOrigin::PlannedOperation)),
            G::PlannedRescueNeedsPlan,
        ),
        row(
            "rescued twice",
            in_support(),
            ev(5, kind::rescued(RescueOrigin::SelfPresented)),
            G::AlreadyRescued,
        ),
        row(
            "close before rescue",
            assessing(),
            ev(2, kind::closed(ClosureReason::LostContact)),
            G::CloseNeedsRescue,
        ),
        row(
            "not pursued after rescue",
            in_support(),
            ev(5, kind::not_pursued(NotPursuedReason::NotAVictim)),
            G::NotPursuedAfterRescue,
        ),
        row(
            "support completed without support",
            rescued(),
            ev(4, kind::closed(ClosureReason::SupportCompleted)),
            G::ClosureReasonNeedsSupport,
        ),
        row(
            "moved on without support",
            rescued(),
            ev(4, kind::closed(ClosureReason::MovedOnIndependent)),
            G::ClosureReasonNeedsSupport,
        ),
        row(
            "close with an open placement",
            placed(),
            ev(7, kind::closed(ClosureReason::LostContact)),
            G::OpenPlacement,
        ),
        row(
            "close as deceased with an open placement",
            then(placed(), [ev(7, K::SupportStarted)]),
            ev(8, kind::closed(ClosureReason::Deceased)),
            G::OpenPlacement,
        ),
        row(
            "close with a moved placement",
            then(placed(), [ev(7, kind::moved(facility(2)))]),
            ev(8, kind::closed(ClosureReason::Repatriated)),
            G::OpenPlacement,
        ),
        row(
            "closure dated before the latest event",
            then(rescued(), [ev(8, kind::referred(NrmRoute::NrmReferral))]),
            ev(6, kind::closed(ClosureReason::LostContact)),
            G::CloseBeforeLastEvent,
        ),
        // Rescue first.
        row(
            "NRM referral before rescue",
            assessing(),
            ev(2, kind::referred(NrmRoute::NrmReferral)),
            G::RequiresRescue,
        ),
        row(
            "Duty to Notify before rescue",
            planned(),
            ev(3, kind::referred(NrmRoute::DutyToNotify)),
            G::RequiresRescue,
        ),
        row(
            "aftercare before rescue",
            planned(),
            ev(3, K::AftercareNeedsAssessed),
            G::RequiresRescue,
        ),
        row(
            "advocacy before rescue",
            opened(),
            ev(1, K::AdvocacyRequested),
            G::RequiresRescue,
        ),
        row(
            "police report before rescue",
            opened(),
            ev(1, kind::reported(s1)),
            G::RequiresRescue,
        ),
        row(
            "claim before rescue",
            opened(),
            ev(1, kind::lodged(c1, ClaimForum::CivilCourt)),
            G::RequiresRescue,
        ),
        row(
            "NRM referral dated before the rescue",
            rescued(),
            ev(2, kind::referred(NrmRoute::NrmReferral)),
            G::BeforeRescue,
        ),
        row(
            "placement step dated before the rescue",
            rescued(),
            ev(1, K::AftercareNeedsAssessed),
            G::BeforeRescue,
        ),
        // NRM.
        row(
            "second referral while one runs",
            referred(NrmRoute::NrmReferral),
            ev(6, kind::referred(NrmRoute::NrmReferral)),
            G::NrmReferralInProgress,
        ),
        row(
            "referral during reconsideration",
            then(
                rg(Outcome::Negative),
                [ev(11, K::NrmReconsiderationRequested)],
            ),
            ev(12, kind::referred(NrmRoute::DutyToNotify)),
            G::NrmReferralInProgress,
        ),
        row(
            "notified after a full referral",
            referred(NrmRoute::NrmReferral),
            ev(6, K::NrmNotified),
            G::NotifiedNeedsDutyToNotify,
        ),
        row(
            "notified without referral",
            rescued(),
            ev(4, K::NrmNotified),
            G::NotifiedNeedsDutyToNotify,
        ),
        row(
            "RG on a Duty to Notify",
            referred(NrmRoute::DutyToNotify),
            ev(6, kind::rg(Outcome::Positive)),
            G::DutyToNotifyHasNoDecision,
        ),
        row(
            "CG on a Duty to Notify",
            referred(NrmRoute::DutyToNotify),
            ev(6, kind::cg(Outcome::Positive)),
            G::DutyToNotifyHasNoDecision,
        ),
        row(
            "RG without referral",
            rescued(),
            ev(4, kind::rg(Outcome::Positive)),
            G::NoDecisionPending,
        ),
        row(
            "RG twice",
            rg(Outcome::Positive),
            ev(11, kind::rg(Outcome::Negative)),
            G::NoDecisionPending,
        ),
        row(
            "RG while a CG reconsideration is pending",
            then(
                cg(Outcome::Negative),
                [ev(61, K::NrmReconsiderationRequested)],
            ),
            ev(62, kind::rg(Outcome::Positive)),
            G::NoDecisionPending,
        ),
        row(
            "reconsideration of a positive RG",
            rg(Outcome::Positive),
            ev(11, K::NrmReconsiderationRequested),
            G::ReconsiderationNeedsNegativeDecision,
        ),
        row(
            "reconsideration of a positive CG",
            cg(Outcome::Positive),
            ev(61, K::NrmReconsiderationRequested),
            G::ReconsiderationNeedsNegativeDecision,
        ),
        row(
            "reconsideration before any decision",
            referred(NrmRoute::NrmReferral),
            ev(6, K::NrmReconsiderationRequested),
            G::ReconsiderationNeedsNegativeDecision,
        ),
        row(
            "CG after a negative RG",
            rg(Outcome::Negative),
            ev(60, kind::cg(Outcome::Positive)),
            G::CgNeedsPositiveRg,
        ),
        row(
            "CG straight after referral",
            referred(NrmRoute::NrmReferral),
            ev(60, kind::cg(Outcome::Positive)),
            G::CgNeedsPositiveRg,
        ),
        row(
            "CG while an RG reconsideration is pending",
            then(
                rg(Outcome::Negative),
                [ev(11, K::NrmReconsiderationRequested)],
            ),
            ev(60, kind::cg(Outcome::Positive)),
            G::CgNeedsPositiveRg,
        ),
        row(
            "CG without referral",
            rescued(),
            ev(60, kind::cg(Outcome::Negative)),
            G::CgNeedsPositiveRg,
        ),
        row(
            "move-on after a negative CG",
            cg(Outcome::Negative),
            ev(61, K::NrmMoveOnStarted),
            G::MoveOnNeedsPositiveCg,
        ),
        row(
            "move-on after RG",
            rg(Outcome::Positive),
            ev(61, K::NrmMoveOnStarted),
            G::MoveOnNeedsPositiveCg,
        ),
        row(
            "end while referred",
            referred(NrmRoute::NrmReferral),
            ev(6, K::NrmEnded),
            G::NrmEndNeedsOutcome,
        ),
        row(
            "end in recovery period",
            rg(Outcome::Positive),
            ev(11, K::NrmEnded),
            G::NrmEndNeedsOutcome,
        ),
        row(
            "end without referral",
            rescued(),
            ev(4, K::NrmEnded),
            G::NrmEndNeedsOutcome,
        ),
        row(
            "withdraw without referral",
            rescued(),
            ev(4, K::NrmWithdrawn),
            G::NothingToWithdraw,
        ),
        row(
            "withdraw after a positive CG",
            cg(Outcome::Positive),
            ev(61, K::NrmWithdrawn),
            G::NothingToWithdraw,
        ),
        row(
            "withdraw after notified",
            then(referred(NrmRoute::DutyToNotify), [ev(6, K::NrmNotified)]),
            ev(7, K::NrmWithdrawn),
            G::NothingToWithdraw,
        ),
        // Aftercare.
        row(
            "reassess while placed",
            placed(),
            ev(7, K::AftercareNeedsAssessed),
            G::PlacementOpen,
        ),
        row(
            "match while placed",
            placed(),
            ev(7, kind::matched(facility(2))),
            G::PlacementOpen,
        ),
        row(
            "place twice",
            placed(),
            ev(7, K::AftercarePlaced),
            G::PlacementOpen,
        ),
        row(
            "match without assessment",
            rescued(),
            ev(4, kind::matched(facility(1))),
            G::MatchNeedsAssessment,
        ),
        row(
            "match after exit without a new assessment",
            then(placed(), [ev(7, K::AftercareExited)]),
            ev(8, kind::matched(facility(2))),
            G::MatchNeedsAssessment,
        ),
        row(
            "transport without a match",
            needs_assessed(),
            ev(5, K::AftercareTransportArranged),
            G::TransportNeedsMatch,
        ),
        row(
            "transport twice",
            then(matched(), [ev(6, K::AftercareTransportArranged)]),
            ev(7, K::AftercareTransportArranged),
            G::TransportNeedsMatch,
        ),
        row(
            "placed without a match",
            needs_assessed(),
            ev(5, K::AftercarePlaced),
            G::PlacementNeedsMatch,
        ),
        row(
            "placed without anything",
            rescued(),
            ev(4, K::AftercarePlaced),
            G::PlacementNeedsMatch,
        ),
        row(
            "move without a placement",
            matched(),
            ev(6, kind::moved(facility(2))),
            G::MoveNeedsPlacement,
        ),
        row(
            "move after exit",
            then(placed(), [ev(7, K::AftercareExited)]),
            ev(8, kind::moved(facility(2))),
            G::MoveNeedsPlacement,
        ),
        row(
            "move to the same facility",
            placed(),
            ev(7, kind::moved(facility(1))),
            G::MoveToSameFacility,
        ),
        row(
            "move back to where the person is",
            then(placed(), [ev(7, kind::moved(facility(2)))]),
            ev(8, kind::moved(facility(2))),
            G::MoveToSameFacility,
        ),
        row(
            "exit without a placement",
            matched(),
            ev(6, K::AftercareExited),
            G::ExitNeedsPlacement,
        ),
        row(
            "exit twice",
            then(placed(), [ev(7, K::AftercareExited)]),
            ev(8, K::AftercareExited),
            G::ExitNeedsPlacement,
        ),
        // Advocacy.
        row(
            "request advocacy twice",
            then(rescued(), [ev(4, K::AdvocacyRequested)]),
            ev(5, K::AdvocacyRequested),
            G::AdvocacyUnchanged,
        ),
        row(
            "decline advocacy twice",
            then(rescued(), [ev(4, K::AdvocacyDeclined)]),
            ev(5, K::AdvocacyDeclined),
            G::AdvocacyUnchanged,
        ),
        // Prosecutions.
        row(
            "report the same suspect twice",
            police_reported(),
            ev(6, kind::reported(s1)),
            G::ProsecutionExists,
        ),
        row(
            "report a convicted suspect again",
            convicted(),
            ev(51, kind::reported(s1)),
            G::ProsecutionExists,
        ),
        row(
            "charge an unknown suspect",
            rescued(),
            ev(4, K::ProsecutionCharged { suspect: s1 }),
            G::UnknownProsecution,
        ),
        row(
            "verdict for another suspect",
            at_trial(),
            ev(50, kind::verdict(suspect(2), Verdict::Convicted)),
            G::UnknownProsecution,
        ),
        row(
            "charge without investigation",
            police_reported(),
            ev(6, K::ProsecutionCharged { suspect: s1 }),
            G::ProsecutionOrder,
        ),
        row(
            "trial without charge",
            then(
                police_reported(),
                [ev(6, K::ProsecutionInvestigationOpened { suspect: s1 })],
            ),
            ev(7, K::ProsecutionTrialStarted { suspect: s1 }),
            G::ProsecutionOrder,
        ),
        row(
            "verdict before trial",
            police_reported(),
            ev(6, kind::verdict(s1, Verdict::Acquitted)),
            G::ProsecutionOrder,
        ),
        row(
            "no further action at trial",
            at_trial(),
            ev(41, K::ProsecutionNoFurtherAction { suspect: s1 }),
            G::ProsecutionOrder,
        ),
        row(
            "reopen investigation after conviction",
            convicted(),
            ev(51, K::ProsecutionInvestigationOpened { suspect: s1 }),
            G::ProsecutionOrder,
        ),
        // Claims.
        row(
            "lodge the same claim twice",
            lodged(ClaimForum::CivilCourt),
            ev(9, kind::lodged(c1, ClaimForum::EmploymentTribunal)),
            G::ClaimExists,
        ),
        row(
            "award an unknown claim",
            rescued(),
            ev(4, K::ClaimAwarded { claim: c1 }),
            G::UnknownClaim,
        ),
        row(
            "reparation order without conviction",
            at_trial(),
            ev(41, kind::lodged(c1, ClaimForum::ReparationOrder)),
            G::OrderNeedsConviction,
        ),
        row(
            "compensation order after an acquittal",
            then(at_trial(), [ev(50, kind::verdict(s1, Verdict::Acquitted))]),
            ev(51, kind::lodged(c1, ClaimForum::CompensationOrder)),
            G::OrderNeedsConviction,
        ),
        row(
            "settle a CICA claim",
            lodged(ClaimForum::CriminalInjuriesCompensation),
            ev(9, K::ClaimSettled { claim: c1 }),
            G::SettlementNeedsCivilForum,
        ),
        row(
            "pay a lodged claim",
            lodged(ClaimForum::CivilCourt),
            ev(9, K::ClaimPaid { claim: c1 }),
            G::ClaimOrder,
        ),
        row(
            "pay a rejected claim",
            then(
                lodged(ClaimForum::CivilCourt),
                [ev(9, K::ClaimRejected { claim: c1 })],
            ),
            ev(10, K::ClaimPaid { claim: c1 }),
            G::ClaimOrder,
        ),
        row(
            "withdraw an awarded claim",
            then(
                lodged(ClaimForum::CivilCourt),
                [ev(9, K::ClaimAwarded { claim: c1 })],
            ),
            ev(10, K::ClaimWithdrawn { claim: c1 }),
            G::ClaimOrder,
        ),
        row(
            "pay twice",
            then(
                lodged(ClaimForum::EmploymentTribunal),
                [
                    ev(9, K::ClaimSettled { claim: c1 }),
                    ev(10, K::ClaimPaid { claim: c1 }),
                ],
            ),
            ev(11, K::ClaimPaid { claim: c1 }),
            G::ClaimOrder,
        ),
    ]
}

#[test]
fn every_row_is_refused_by_its_guard() {
    let failures: Vec<String> = table()
        .iter()
        .filter_map(|r| {
            check(&r.history, &r.attempted, r.guard)
                .err()
                .map(|why| format!("{}: {why}", r.name))
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_guard_has_a_row() {
    let covered: BTreeSet<Guard> = table().iter().map(|r| r.guard).collect();
    let missing: Vec<Guard> = Guard::ALL
        .into_iter()
        .filter(|g| !covered.contains(g))
        .collect();
    assert!(missing.is_empty(), "guards without a test row: {missing:?}");
}

#[test]
fn guard_codes_are_distinct_and_match_their_json() {
    let codes: BTreeSet<&str> = Guard::ALL.iter().map(|g| g.code()).collect();
    assert_eq!(codes.len(), Guard::ALL.len());
    for guard in Guard::ALL {
        let json = serde_json::to_string(&guard).expect("serialises");
        assert_eq!(json, format!("\"{}\"", guard.code()));
        assert!(!guard.explanation().is_empty());
    }
}

/// Case-wide guards name the stage; a track's own guards name the track's state.
#[test]
fn errors_name_the_state_the_guard_failed_in() {
    let refused = |history: Vec<Event>, attempted: Event| {
        let state: CaseState = replay(&history).expect("history replays");
        state.check(&attempted).expect_err("refused")
    };

    let e = refused(vec![], ev(0, EventKind::RescuePlanned));
    assert_eq!(e.state, MachineState::Unopened);

    let e = refused(closed(), ev(11, EventKind::NrmEnded));
    assert_eq!(
        e.state,
        MachineState::Stage {
            stage: Stage::Closed
        }
    );

    let e = refused(assessing(), ev(2, kind::referred(NrmRoute::NrmReferral)));
    assert_eq!(
        e.state,
        MachineState::Stage {
            stage: Stage::Assessing
        }
    );

    let e = refused(rg(Outcome::Negative), ev(60, kind::cg(Outcome::Positive)));
    assert_eq!(
        e.state,
        MachineState::Nrm {
            nrm: NrmState::RgNegative
        }
    );
    assert_eq!(e.attempted.name(), "nrm_conclusive_grounds");
    assert_eq!(
        e.to_string(),
        "cg_needs_positive_rg: nrm_conclusive_grounds refused in nrm rg_negative (a Conclusive \
         Grounds decision needs a positive Reasonable Grounds decision)"
    );

    let e = refused(placed(), ev(7, EventKind::AftercarePlaced));
    assert_eq!(
        e.state,
        MachineState::Aftercare {
            aftercare: AftercareState::Placed {
                facility: facility(1)
            }
        }
    );

    let e = refused(
        rescued(),
        ev(
            4,
            EventKind::ProsecutionCharged {
                suspect: suspect(1),
            },
        ),
    );
    assert_eq!(
        e.state,
        MachineState::Prosecution {
            suspect: suspect(1),
            state: None
        }
    );
}

#[test]
fn a_refused_record_leaves_the_log_alone() {
    let mut case = unchain_lifecycle::Case::replay(placed()).expect("replays");
    let before = case.clone();
    let refused = case.record(ev(7, kind::closed(ClosureReason::LostContact)));
    assert!(refused.is_err());
    assert_eq!(case, before);
}
