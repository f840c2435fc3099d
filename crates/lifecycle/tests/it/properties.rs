//! Properties over random event sequences. The generator picks from every event kind (with small
//! pools of ids so that sequences meet the same suspect, claim and facility again) and, most of
//! the time, from those the case would accept, so that sequences get deep into every track while
//! still throwing refused events at it. The invariants are checked against the event log by code
//! that does not share the machines' logic.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::Index;
use unchain_lifecycle::{
    Case, CaseState, ClosureReason, Event, EventKind, NrmState, Outcome, Stage, SuspectId, Track,
    Verdict, replay,
};

use crate::support::*;

#[derive(Debug, Clone)]
struct Command {
    pick: Index,
    prefer_accepted: bool,
    /// Days from the latest accepted date; sometimes negative, to try dates going backwards.
    delta: i64,
    with_reason: bool,
}

fn command() -> impl Strategy<Value = Command> {
    (
        any::<Index>(),
        prop::bool::weighted(0.8),
        prop_oneof![6 => 0i64..=10, 1 => -5i64..0],
        prop::bool::weighted(0.85),
    )
        .prop_map(|(pick, prefer_accepted, delta, with_reason)| Command {
            pick,
            prefer_accepted,
            delta,
            with_reason,
        })
}

fn event(offset: i64, kind: EventKind, with_reason: bool) -> Event {
    let event = ev(offset, kind);
    if with_reason {
        event.with_reason("recorded reason")
    } else {
        event
    }
}

/// Runs the commands, checking the per-step properties; returns the final state and the log of
/// accepted events.
fn run(commands: &[Command]) -> Result<(CaseState, Vec<Event>), TestCaseError> {
    let kinds = all_kinds();
    let mut state = CaseState::new();
    let mut log: Vec<Event> = Vec::new();
    let mut cursor = 0i64;
    for command in commands {
        let offset = cursor + command.delta;
        let make = |kind: EventKind| event(offset, kind, command.with_reason);
        let accepted: Vec<EventKind> = if command.prefer_accepted {
            kinds
                .iter()
                .copied()
                .filter(|k| state.check(&make(*k)).is_ok())
                .collect()
        } else {
            Vec::new()
        };
        let pool = if accepted.is_empty() {
            &kinds
        } else {
            &accepted
        };
        let attempted = make(*command.pick.get(pool));

        let before = state.clone();
        match state.apply(&attempted) {
            Err(error) => {
                prop_assert_eq!(&state, &before, "a refused event changed the state");
                prop_assert_eq!(error.attempted, attempted.kind);
            }
            Ok(()) => {
                cursor = cursor.max(offset);
                log.push(attempted);
                check_invariants(&state, &log)?;
            }
        }

        if state.is_ended() {
            // Closed or not pursued: nothing but a reopen, on any date.
            for kind in &kinds {
                if *kind != EventKind::Reopened {
                    for date in [cursor, cursor + 30] {
                        let refused = state.check(&event(date, *kind, true));
                        prop_assert!(refused.is_err(), "ended case accepted {:?}", kind);
                    }
                }
            }
        }
    }
    Ok((state, log))
}

/// Forbidden states, checked against the state's queries and against the log itself.
fn check_invariants(state: &CaseState, log: &[Event]) -> Result<(), TestCaseError> {
    let Some(stage) = state.stage() else {
        prop_assert!(log.is_empty());
        return Ok(());
    };
    prop_assert_eq!(log.first().map(|e| e.kind), Some(EventKind::Opened));
    prop_assert_eq!(
        log.iter().filter(|e| e.kind == EventKind::Opened).count(),
        1
    );
    prop_assert_eq!(state.ended().is_some(), stage.is_ended());
    prop_assert_eq!(state.is_ended(), stage.is_ended());
    match stage {
        Stage::Reported | Stage::Assessing | Stage::RescuePlanned | Stage::NotPursued => {
            prop_assert!(!state.is_rescued(), "{} but rescued", stage)
        }
        Stage::Rescued | Stage::InSupport | Stage::MovingOn | Stage::Closed => {
            prop_assert!(state.is_rescued(), "{} but never rescued", stage)
        }
    }
    let any_track = state.nrm() != NrmState::NotReferred
        || state.aftercare() != Default::default()
        || state.advocacy() != Default::default()
        || !state.prosecutions().is_empty()
        || !state.claims().is_empty();
    prop_assert!(
        !any_track || state.is_rescued(),
        "track work without a rescue"
    );

    let opened_on = log[0].date;
    let mut rescued_on = None;
    let mut last_by_track: BTreeMap<Track, chrono::NaiveDate> = BTreeMap::new();
    let mut positive_rg_since_referral = false;
    let mut last_nrm: Option<EventKind> = None;
    let mut matched_ever = false;
    let mut placement_open = false;
    let mut convicted_ever = false;
    let mut reported: BTreeSet<SuspectId> = BTreeSet::new();
    let mut ended = false;
    for e in log {
        prop_assert!(e.date >= opened_on, "event before the opening");
        if ended {
            prop_assert_eq!(e.kind, EventKind::Reopened, "an ended case took an event");
        }
        let track = e.kind.track();
        if let Some(last) = last_by_track.insert(track, e.date) {
            prop_assert!(e.date >= last, "{} went backwards", track);
        }
        if track != Track::Stage {
            let on = rescued_on.ok_or_else(|| TestCaseError::fail("track event before rescue"))?;
            prop_assert!(e.date >= on, "track event dated before the rescue");
        }
        match e.kind {
            EventKind::Rescued { .. } => rescued_on = Some(e.date),
            EventKind::Closed { closure_reason } => {
                prop_assert!(
                    !placement_open
                        || closure_reason == ClosureReason::TransferredToOtherOrganisation,
                    "closed with an open placement"
                );
                ended = true;
            }
            EventKind::NotPursued { .. } => ended = true,
            EventKind::Reopened => ended = false,
            EventKind::NrmReferred { .. } => positive_rg_since_referral = false,
            EventKind::NrmReasonableGrounds { outcome } => {
                positive_rg_since_referral = outcome == Outcome::Positive;
            }
            EventKind::NrmConclusiveGrounds { .. } => {
                prop_assert!(positive_rg_since_referral, "CG without a positive RG");
            }
            EventKind::NrmReconsiderationRequested => prop_assert!(
                matches!(
                    last_nrm,
                    Some(
                        EventKind::NrmReasonableGrounds {
                            outcome: Outcome::Negative
                        } | EventKind::NrmConclusiveGrounds {
                            outcome: Outcome::Negative
                        }
                    )
                ),
                "reconsideration without a negative decision"
            ),
            EventKind::AftercareMatched { .. } => matched_ever = true,
            EventKind::AftercarePlaced => {
                prop_assert!(matched_ever, "placed without a match");
                placement_open = true;
            }
            EventKind::AftercareMoved { .. } => {
                prop_assert!(placement_open, "moved without a placement")
            }
            EventKind::AftercareExited => placement_open = false,
            EventKind::ProsecutionReported { suspect } => {
                prop_assert!(reported.insert(suspect), "two prosecutions of one suspect");
            }
            EventKind::ProsecutionVerdict { verdict, .. } => {
                convicted_ever |= verdict == Verdict::Convicted;
            }
            EventKind::ClaimLodged { forum, .. } if forum.needs_conviction() => {
                prop_assert!(convicted_ever, "order without a conviction");
            }
            _ => {}
        }
        if track == Track::Nrm {
            last_nrm = Some(e.kind);
        }
        if let Track::Prosecution { suspect } = track {
            prop_assert!(
                reported.contains(&suspect),
                "prosecution step before the report"
            );
        }
    }
    prop_assert_eq!(state.has_open_placement(), placement_open);
    prop_assert_eq!(state.rescued_on(), rescued_on);
    Ok(())
}

proptest! {
    // Modest on purpose: the whole crate's tests must stay well under 30 s in debug on 2 cores.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_every_property(commands in prop::collection::vec(command(), 0..90)) {
        let (state, log) = run(&commands)?;

        // Replaying the accepted events reproduces the state exactly…
        let replayed = replay(&log);
        prop_assert_eq!(replayed.as_ref(), Ok(&state));
        // …and so does a round trip through the wire form.
        let json = serde_json::to_string(&log).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let case: Case = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(case.state(), &state);
        prop_assert_eq!(case.events(), &log[..]);
        // The display form serialises whatever the state holds (ids as map keys included).
        prop_assert!(serde_json::to_string(&state).is_ok());
    }
}

/// The generator is only useful if it reaches deep states; this guards against a change that
/// quietly makes it shallow.
#[test]
fn the_generator_reaches_deep_states() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = prop::collection::vec(command(), 60..90);
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    for _ in 0..40 {
        let commands = strategy.new_tree(&mut runner).expect("generates").current();
        let (_, log) = run(&commands).expect("properties hold");
        seen.extend(log.iter().map(|e| e.kind.name()));
    }
    for deep in [
        "nrm_conclusive_grounds",
        "aftercare_placed",
        "aftercare_moved",
        "prosecution_verdict",
        "claim_paid",
        "closed",
        "reopened",
    ] {
        assert!(seen.contains(deep), "never reached {deep}; saw {seen:?}");
    }
}
