//! The wire form, pinned: a change to any of these strings is a change to stored data and to
//! every integrator, so it must be deliberate (and documented in docs/lifecycle.md).

use unchain_lifecycle::{
    Case, CaseState, ClaimForum, ClosureReason, Event, EventKind, NrmRoute, Outcome, RescueOrigin,
    Verdict, replay,
};

use crate::support::*;

const ACTOR_JSON: &str = "00000000-0000-0000-0000-00000000000a";

fn golden(event: &Event, expected: &str) {
    let json = serde_json::to_string(event).expect("serialises");
    assert_eq!(json, expected);
    let back: Event = serde_json::from_str(expected).expect("deserialises");
    assert_eq!(&back, event);
}

#[test]
fn events_have_a_stable_json_form() {
    golden(
        &ev(0, EventKind::Opened),
        &format!(r#"{{"date":"2026-01-10","actor":"{ACTOR_JSON}","kind":{{"type":"opened"}}}}"#),
    );
    golden(
        &ev(
            3,
            EventKind::Rescued {
                origin: RescueOrigin::SelfPresented,
            },
        ),
        &format!(
            r#"{{"date":"2026-01-13","actor":"{ACTOR_JSON}","kind":{{"type":"rescued","origin":"self_presented"}}}}"#
        ),
    );
    golden(
        &ev(
            40,
            EventKind::Closed {
                closure_reason: ClosureReason::TransferredToOtherOrganisation,
            },
        )
        .with_reason("Moved to a provider in Scotland"),
        &format!(
            r#"{{"date":"2026-02-19","actor":"{ACTOR_JSON}","kind":{{"type":"closed","closure_reason":"transferred_to_other_organisation"}},"reason":"Moved to a provider in Scotland"}}"#
        ),
    );
    golden(
        &ev(
            5,
            EventKind::NrmReferred {
                route: NrmRoute::DutyToNotify,
            },
        ),
        &format!(
            r#"{{"date":"2026-01-15","actor":"{ACTOR_JSON}","kind":{{"type":"nrm_referred","route":"duty_to_notify"}}}}"#
        ),
    );
    golden(
        &ev(
            9,
            EventKind::NrmReasonableGrounds {
                outcome: Outcome::Negative,
            },
        ),
        &format!(
            r#"{{"date":"2026-01-19","actor":"{ACTOR_JSON}","kind":{{"type":"nrm_reasonable_grounds","outcome":"negative"}}}}"#
        ),
    );
    golden(
        &ev(
            7,
            EventKind::AftercareMoved {
                facility: facility(2),
            },
        ),
        &format!(
            r#"{{"date":"2026-01-17","actor":"{ACTOR_JSON}","kind":{{"type":"aftercare_moved","facility":"00000000-0000-0000-0000-00000000f002"}}}}"#
        ),
    );
    golden(
        &ev(
            50,
            EventKind::ProsecutionVerdict {
                suspect: suspect(1),
                verdict: Verdict::Convicted,
            },
        ),
        &format!(
            r#"{{"date":"2026-03-01","actor":"{ACTOR_JSON}","kind":{{"type":"prosecution_verdict","suspect":"00000000-0000-0000-0000-000000005001","verdict":"convicted"}}}}"#
        ),
    );
    golden(
        &ev(
            8,
            EventKind::ClaimLodged {
                claim: claim(1),
                forum: ClaimForum::CriminalInjuriesCompensation,
            },
        ),
        &format!(
            r#"{{"date":"2026-01-18","actor":"{ACTOR_JSON}","kind":{{"type":"claim_lodged","claim":"00000000-0000-0000-0000-00000000c001","forum":"criminal_injuries_compensation"}}}}"#
        ),
    );
}

#[test]
fn a_null_reason_reads_as_none_and_unknown_types_fail() {
    let json = format!(
        r#"{{"date":"2026-01-10","actor":"{ACTOR_JSON}","kind":{{"type":"opened"}},"reason":null}}"#
    );
    let event: Event = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(event, ev(0, EventKind::Opened));
    let unknown =
        format!(r#"{{"date":"2026-01-10","actor":"{ACTOR_JSON}","kind":{{"type":"teleported"}}}}"#);
    assert!(serde_json::from_str::<Event>(&unknown).is_err());
    let bad_date =
        format!(r#"{{"date":"2026-02-30","actor":"{ACTOR_JSON}","kind":{{"type":"opened"}}}}"#);
    assert!(serde_json::from_str::<Event>(&bad_date).is_err());
}

#[test]
fn a_case_is_its_event_array_and_refuses_bad_logs() {
    let case = Case::replay(rescued()).expect("replays");
    let json = serde_json::to_string(&case).expect("serialises");
    assert!(json.starts_with(r#"[{"date":"2026-01-10""#), "{json}");
    let back: Case = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, case);

    let bad = serde_json::to_string(&then(opened(), [ev(1, EventKind::AftercarePlaced)]))
        .expect("serialises");
    let error = serde_json::from_str::<Case>(&bad).expect_err("replay refuses");
    assert!(error.to_string().contains("requires_rescue"), "{error}");
}

#[test]
fn the_state_has_a_stable_json_form() {
    let state: CaseState = replay(&then(
        referred(NrmRoute::NrmReferral),
        [ev(6, EventKind::AftercareNeedsAssessed)],
    ))
    .expect("replays");
    let json = serde_json::to_string(&state).expect("serialises");
    assert_eq!(
        json,
        r#"{"opened_on":"2026-01-10","stage":"rescued","stage_since":"2026-01-13","rescue":{"on":"2026-01-13","origin":"planned_operation"},"ended":null,"last_ended_on":null,"last_event_on":"2026-01-16","nrm":{"state":"referred","route":"nrm_referral"},"nrm_since":"2026-01-15","aftercare":{"state":"needs_assessed"},"aftercare_since":"2026-01-16","advocacy":"not_asked","advocacy_since":null,"prosecutions":{},"claims":{}}"#
    );
}

#[test]
fn errors_have_a_stable_json_form() {
    let state = replay(&rg(Outcome::Negative)).expect("replays");
    let error = state
        .check(&ev(
            60,
            EventKind::NrmConclusiveGrounds {
                outcome: Outcome::Positive,
            },
        ))
        .expect_err("refused");
    assert_eq!(
        serde_json::to_string(&error).expect("serialises"),
        r#"{"state":{"machine":"nrm","nrm":{"state":"rg_negative"}},"attempted":{"type":"nrm_conclusive_grounds","outcome":"positive"},"guard":"cg_needs_positive_rg"}"#
    );
}

#[test]
fn prosecutions_and_claims_serialise_keyed_by_id() {
    let state = replay(&then(
        convicted(),
        [ev(
            60,
            EventKind::ClaimLodged {
                claim: claim(1),
                forum: ClaimForum::ReparationOrder,
            },
        )],
    ))
    .expect("replays");
    let json = serde_json::to_value(&state).expect("serialises");
    assert_eq!(
        json["prosecutions"],
        serde_json::json!({"00000000-0000-0000-0000-000000005001": {"state": "convicted", "since": "2026-03-01"}})
    );
    assert_eq!(
        json["claims"],
        serde_json::json!({"00000000-0000-0000-0000-00000000c001": {"forum": "reparation_order", "state": "lodged", "since": "2026-03-11"}})
    );
}
