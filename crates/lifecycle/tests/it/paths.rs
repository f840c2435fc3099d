//! Paths real work takes, which must be accepted, and what the queries say about them.

use unchain_lifecycle::{
    AdvocacyState, AftercareState, Case, CaseState, ClaimForum, ClaimState, ClosureReason,
    EndedCase, Ending, Event, EventKind, HtcdsCaseStatus, NotPursuedReason, NrmDecision, NrmRoute,
    NrmState, Outcome, ProsecutionState, Reason, RescueOrigin, Stage, Track, Verdict, replay,
};

use crate::support::*;

fn accepted(events: &[Event]) -> CaseState {
    match replay(events) {
        Ok(state) => state,
        Err(e) => panic!("refused: {e}"),
    }
}

#[test]
fn the_main_line_end_to_end() {
    let state = accepted(&then(
        moving_on(),
        [ev(30, kind::closed(ClosureReason::MovedOnIndependent))],
    ));
    assert_eq!(state.stage(), Some(Stage::Closed));
    assert_eq!(state.opened_on(), Some(day(0)));
    assert_eq!(state.rescued_on(), Some(day(3)));
    assert_eq!(state.htcds_status(), Some(HtcdsCaseStatus::Closed));
    assert!(state.is_ended() && !state.is_open() && state.is_rescued());
}

#[test]
fn self_presented_and_other_origins_skip_the_plan() {
    for (history, origin) in [
        (opened(), RescueOrigin::SelfPresented),
        (assessing(), RescueOrigin::SelfPresented),
        (planned(), RescueOrigin::SelfPresented),
        (opened(), RescueOrigin::FoundInOperation),
        (assessing(), RescueOrigin::OtherAgency),
        (planned(), RescueOrigin::OtherAgency),
    ] {
        let state = accepted(&then(history, [ev(3, kind::rescued(origin))]));
        assert_eq!(state.stage(), Some(Stage::Rescued));
        assert_eq!(state.rescue().map(|r| r.origin), Some(origin));
    }
}

#[test]
fn a_plan_can_be_stood_down_and_made_again() {
    let state = accepted(&then(
        planned(),
        [
            ev(3, EventKind::RescuePlanStoodDown),
            ev(4, EventKind::RescuePlanned),
            ev(5, kind::rescued(RescueOrigin::PlannedOperation)),
        ],
    ));
    assert_eq!(state.rescued_on(), Some(day(5)));
}

#[test]
fn support_resumes_when_moving_on_breaks_down() {
    let state = accepted(&then(moving_on(), [ev(9, EventKind::SupportResumed)]));
    assert_eq!(state.stage(), Some(Stage::InSupport));
    assert_eq!(state.stage_since(), Some(day(9)));
}

#[test]
fn reopen_returns_to_the_stage_left() {
    let reopened = |history: Vec<Event>, on| {
        accepted(&then(
            history,
            [ev(on, EventKind::Reopened).with_reason("She called back")],
        ))
    };
    let state = reopened(closed(), 10);
    assert_eq!(state.stage(), Some(Stage::InSupport));
    assert_eq!(state.ended(), None);
    assert!(state.is_rescued(), "a reopen keeps the rescue");

    let state = reopened(not_pursued(), 20);
    assert_eq!(state.stage(), Some(Stage::Assessing));
    assert!(!state.is_rescued());

    let closed_twice = then(
        closed(),
        [
            ev(11, EventKind::Reopened).with_reason("new report"),
            ev(12, kind::closed(ClosureReason::Repatriated)),
        ],
    );
    let state = accepted(&closed_twice);
    assert_eq!(
        state.ended(),
        Some(&EndedCase {
            ending: Ending::Closed {
                closure_reason: ClosureReason::Repatriated
            },
            from: Stage::InSupport,
            on: day(12),
        })
    );
}

#[test]
fn not_pursued_from_every_stage_before_rescue() {
    for history in [opened(), assessing(), planned()] {
        let state = accepted(&then(
            history,
            [ev(3, kind::not_pursued(NotPursuedReason::CouldNotLocate))],
        ));
        assert_eq!(state.stage(), Some(Stage::NotPursued));
        assert_eq!(state.htcds_status(), Some(HtcdsCaseStatus::Closed));
    }
}

#[test]
fn other_reasons_are_accepted_with_a_text() {
    accepted(&then(
        in_support(),
        [ev(5, kind::closed(ClosureReason::Other)).with_reason("Entered witness protection")],
    ));
    accepted(&then(
        assessing(),
        [ev(2, kind::not_pursued(NotPursuedReason::Other))
            .with_reason("Report withdrawn by its source")],
    ));
}

#[test]
fn a_transfer_may_close_with_an_open_placement() {
    let state = accepted(&then(
        placed(),
        [ev(
            7,
            kind::closed(ClosureReason::TransferredToOtherOrganisation),
        )],
    ));
    assert!(state.has_open_placement());
    assert_eq!(state.htcds_status(), Some(HtcdsCaseStatus::ClosedReferred));
}

#[test]
fn same_day_events_are_fine() {
    let all_on_day_0 = vec![
        ev(0, EventKind::Opened),
        ev(0, kind::rescued(RescueOrigin::SelfPresented)),
        ev(0, kind::referred(NrmRoute::DutyToNotify)),
        ev(0, EventKind::NrmNotified),
        ev(0, EventKind::AftercareNeedsAssessed),
        ev(0, EventKind::SupportStarted),
    ];
    accepted(&all_on_day_0);
}

#[test]
fn tracks_may_be_recorded_late_with_their_true_dates() {
    // Stage moved on day 20; the NRM referral made on day 4 is entered afterwards.
    let state = accepted(&then(
        in_support(),
        [
            ev(20, EventKind::MovingOnStarted),
            ev(4, kind::referred(NrmRoute::NrmReferral)),
        ],
    ));
    assert_eq!(state.nrm_since(), Some(day(4)));
    assert_eq!(state.last_event_on(), Some(day(20)));
}

#[test]
fn nrm_full_line_with_reconsiderations() {
    let state = accepted(&then(
        rg(Outcome::Negative),
        [
            ev(12, EventKind::NrmReconsiderationRequested),
            ev(30, kind::rg(Outcome::Positive)),
            ev(80, kind::cg(Outcome::Negative)),
            ev(90, EventKind::NrmReconsiderationRequested),
        ],
    ));
    assert_eq!(
        state.nrm(),
        NrmState::ReconsiderationRequested {
            of: NrmDecision::ConclusiveGrounds
        }
    );
    assert!(state.nrm().awaits_decision());
    let state = accepted(&then(
        cg(Outcome::Positive),
        [
            ev(61, EventKind::NrmMoveOnStarted),
            ev(120, EventKind::NrmEnded),
        ],
    ));
    assert_eq!(state.nrm(), NrmState::Ended);
    assert!(!state.open_tracks().contains(&Track::Nrm));
}

#[test]
fn nrm_negative_outcomes_may_end() {
    accepted(&then(rg(Outcome::Negative), [ev(50, EventKind::NrmEnded)]));
    accepted(&then(cg(Outcome::Negative), [ev(100, EventKind::NrmEnded)]));
    accepted(&then(cg(Outcome::Positive), [ev(100, EventKind::NrmEnded)]));
}

#[test]
fn duty_to_notify_ends_at_notified_and_may_become_a_referral() {
    let notified = then(
        referred(NrmRoute::DutyToNotify),
        [ev(6, EventKind::NrmNotified)],
    );
    let state = accepted(&notified);
    assert_eq!(state.nrm(), NrmState::Notified);
    assert!(!state.nrm().is_open());
    let state = accepted(&then(
        notified,
        [
            // The adult later consents to a full referral.
            ev(30, kind::referred(NrmRoute::NrmReferral)),
            ev(35, kind::rg(Outcome::Positive)),
        ],
    ));
    assert_eq!(state.nrm(), NrmState::RgPositive);
}

#[test]
fn withdrawal_and_referral_again() {
    for history in [
        referred(NrmRoute::NrmReferral),
        referred(NrmRoute::DutyToNotify),
        rg(Outcome::Positive),
        then(
            rg(Outcome::Negative),
            [ev(11, EventKind::NrmReconsiderationRequested)],
        ),
    ] {
        let state = accepted(&then(
            history,
            [
                ev(70, EventKind::NrmWithdrawn),
                ev(80, kind::referred(NrmRoute::NrmReferral)),
            ],
        ));
        assert_eq!(
            state.nrm(),
            NrmState::Referred {
                route: NrmRoute::NrmReferral
            }
        );
    }
}

#[test]
fn aftercare_moves_exits_and_starts_again() {
    let state = accepted(&then(
        placed(),
        [
            ev(20, kind::moved(facility(2))),
            ev(30, kind::moved(facility(1))),
        ],
    ));
    assert_eq!(
        state.aftercare(),
        AftercareState::Moved {
            facility: facility(1)
        }
    );
    assert_eq!(state.placed_at(), Some(facility(1)));
    assert!(state.has_open_placement());

    let state = accepted(&then(
        placed(),
        [
            ev(20, EventKind::AftercareExited),
            ev(40, EventKind::AftercareNeedsAssessed),
            ev(41, kind::matched(facility(2))),
            ev(42, EventKind::AftercareTransportArranged),
            ev(43, EventKind::AftercarePlaced),
        ],
    ));
    assert_eq!(
        state.aftercare(),
        AftercareState::Placed {
            facility: facility(2)
        }
    );
    assert_eq!(state.aftercare_since(), Some(day(43)));
}

#[test]
fn aftercare_rematch_and_transport_skip() {
    let state = accepted(&then(
        matched(),
        [
            ev(6, EventKind::AftercareTransportArranged),
            ev(7, kind::matched(facility(2))),
            ev(8, EventKind::AftercarePlaced),
        ],
    ));
    assert_eq!(state.placed_at(), Some(facility(2)));
    assert_eq!(state.aftercare().facility(), Some(facility(2)));
    let state = accepted(&then(matched(), [ev(6, EventKind::AftercareNeedsAssessed)]));
    assert_eq!(state.aftercare(), AftercareState::NeedsAssessed);
}

#[test]
fn closing_after_exit_is_fine() {
    accepted(&then(
        placed(),
        [
            ev(7, EventKind::AftercareExited),
            ev(8, kind::closed(ClosureReason::LostContact)),
        ],
    ));
}

#[test]
fn advocacy_answers_may_change() {
    let state = accepted(&then(
        rescued(),
        [
            ev(4, EventKind::AdvocacyDeclined),
            ev(9, EventKind::AdvocacyRequested),
            ev(12, EventKind::AdvocacyDeclined),
        ],
    ));
    assert_eq!(state.advocacy(), AdvocacyState::Declined);
    assert_eq!(state.advocacy_since(), Some(day(12)));
}

#[test]
fn several_prosecutions_and_claims() {
    let s2 = suspect(2);
    let state = accepted(&then(
        convicted(),
        [
            ev(7, kind::reported(s2)),
            ev(8, EventKind::ProsecutionNoFurtherAction { suspect: s2 }),
            ev(
                90,
                EventKind::ProsecutionInvestigationOpened { suspect: s2 },
            ),
            ev(60, kind::lodged(claim(1), ClaimForum::ReparationOrder)),
            ev(70, EventKind::ClaimAwarded { claim: claim(1) }),
            ev(61, kind::lodged(claim(2), ClaimForum::EmploymentTribunal)),
            ev(65, EventKind::ClaimSettled { claim: claim(2) }),
            ev(75, EventKind::ClaimPaid { claim: claim(2) }),
        ],
    ));
    assert!(state.has_conviction());
    assert_eq!(state.prosecutions().len(), 2);
    assert_eq!(
        state.prosecution(s2).map(|p| (p.state, p.since)),
        Some((ProsecutionState::UnderInvestigation, day(90)))
    );
    assert_eq!(
        state.claim(claim(1)).map(|c| c.state),
        Some(ClaimState::Awarded)
    );
    assert_eq!(state.claims().len(), 2);
    assert_eq!(
        state.open_tracks(),
        vec![
            Track::Prosecution { suspect: s2 },
            Track::Claim { claim: claim(1) }
        ]
    );
}

#[test]
fn prosecution_endings() {
    let s = suspect(1);
    accepted(&then(
        at_trial(),
        [ev(50, kind::verdict(s, Verdict::Acquitted))],
    ));
    for history in [
        police_reported(),
        then(
            police_reported(),
            [ev(
                6,
                EventKind::ProsecutionInvestigationOpened { suspect: s },
            )],
        ),
        then(
            police_reported(),
            [
                ev(6, EventKind::ProsecutionInvestigationOpened { suspect: s }),
                ev(7, EventKind::ProsecutionCharged { suspect: s }),
            ],
        ),
    ] {
        let state = accepted(&then(
            history,
            [ev(30, EventKind::ProsecutionNoFurtherAction { suspect: s })],
        ));
        assert_eq!(
            state.prosecution(s).map(|p| p.state),
            Some(ProsecutionState::NoFurtherAction)
        );
        assert!(state.open_tracks().is_empty());
    }
}

#[test]
fn claim_endings() {
    let c = claim(1);
    for (step, end) in [
        (EventKind::ClaimRejected { claim: c }, ClaimState::Rejected),
        (
            EventKind::ClaimWithdrawn { claim: c },
            ClaimState::Withdrawn,
        ),
    ] {
        let state = accepted(&then(
            lodged(ClaimForum::CriminalInjuriesCompensation),
            [ev(9, step)],
        ));
        assert_eq!(state.claim(c).map(|c| c.state), Some(end));
    }
    let state = accepted(&then(
        lodged(ClaimForum::CriminalInjuriesCompensation),
        [
            ev(9, EventKind::ClaimAwarded { claim: c }),
            ev(30, EventKind::ClaimPaid { claim: c }),
        ],
    ));
    assert_eq!(
        state.claim(c).map(|c| (c.forum, c.state)),
        Some((ClaimForum::CriminalInjuriesCompensation, ClaimState::Paid))
    );
}

#[test]
fn open_tracks_and_status_of_a_busy_case() {
    let state = accepted(&then(
        placed(),
        [
            ev(7, kind::referred(NrmRoute::NrmReferral)),
            ev(8, EventKind::SupportStarted),
            ev(9, kind::reported(suspect(1))),
            ev(10, EventKind::MovingOnStarted),
        ],
    ));
    assert_eq!(
        state.open_tracks(),
        vec![
            Track::Nrm,
            Track::Aftercare,
            Track::Prosecution {
                suspect: suspect(1)
            }
        ]
    );
    assert_eq!(state.htcds_status(), Some(HtcdsCaseStatus::FollowUp));
    assert_eq!(CaseState::new().htcds_status(), None);
    assert_eq!(CaseState::new().stage(), None);
    assert!(!CaseState::new().is_opened());
}

#[test]
fn the_case_log_records_checks_and_describes() {
    let mut case = Case::open(ev(0, EventKind::Opened)).expect("opens");
    assert!(
        case.check(&ev(1, EventKind::AftercareNeedsAssessed))
            .is_err()
    );
    case.record(ev(1, kind::rescued(RescueOrigin::SelfPresented)))
        .expect("rescue");
    case.record(ev(2, kind::referred(NrmRoute::DutyToNotify)))
        .expect("dtn");
    assert_eq!(
        case.timeline(),
        vec![
            "2026-01-10: Case opened",
            "2026-01-11: Rescued (self-presented)",
            "2026-01-12: Duty to Notify started",
        ]
    );
    let events = case.clone().into_events();
    assert_eq!(Case::replay(events).expect("replays"), case);
    assert!(Case::open(ev(0, EventKind::AssessmentStarted)).is_err());
}

#[test]
fn replay_names_the_refused_event() {
    let mut events = rescued();
    events.insert(2, ev(2, EventKind::AftercarePlaced));
    let error = replay(&events).expect_err("refused");
    assert_eq!(error.index, 2);
    assert_eq!(error.error.guard, unchain_lifecycle::Guard::RequiresRescue);
    assert!(Case::replay(events).is_err());
}

#[test]
fn every_kind_has_a_description_and_its_json_name() {
    for kind in all_kinds() {
        let json = serde_json::to_value(kind).expect("serialises");
        assert_eq!(json["type"], kind.name(), "{kind:?}");
        assert!(EventKind::NAMES.contains(&kind.name()));
        assert!(!kind.describe().is_empty());
        assert_eq!(kind.to_string(), kind.name());
    }
    let covered: std::collections::BTreeSet<&str> = all_kinds().iter().map(|k| k.name()).collect();
    assert_eq!(
        covered.len(),
        EventKind::NAMES.len(),
        "all_kinds covers every kind"
    );
}

#[test]
fn reasons_stay_out_of_debug_output() {
    let event = ev(11, EventKind::Reopened).with_reason("Seen at 12 Acacia Road");
    let debug = format!("{event:?}");
    assert!(!debug.contains("Acacia"), "{debug}");
    assert!(debug.contains("redacted"));
    assert_eq!(
        event.reason.as_ref().map(Reason::as_str),
        Some("Seen at 12 Acacia Road")
    );
    assert!(!event.describe().contains("Acacia"));
}
