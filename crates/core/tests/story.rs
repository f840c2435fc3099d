//! The whole story of one rescue, through every operation, on both storage backends: intelligence
//! in and graded, shared with police once consent allows, a rescue of three people, NRM referrals
//! and decisions, batch placement, follow-ups, a prosecution to conviction, a civil claim paid,
//! and the cases closed — with the audit chain verifying and no identity in clear in the store.

use unchain_core::justice::{ClaimChange, ProsecutionChange};
use unchain_core::lifecycle::{ClaimState, ClosureReason, EventKind, Outcome, Stage};
use unchain_core::placements::AssignRequest;
use unchain_core::store::Backend;
use unchain_core::testing::story::{self, day};
use unchain_core::testing::{TestCore, contains, cores_at, event, grading, raw_bytes};
use unchain_core::{CoreError, Unchain};

#[test]
fn a_rescue_of_three_people_from_intelligence_to_closed_cases() {
    for TestCore {
        name,
        core,
        backend,
        ..
    } in cores_at(story::now())
    {
        story(name, &core, backend.as_ref());
    }
}

fn story(backend_name: &str, core: &Unchain, backend: &dyn Backend) {
    core.bootstrap_admin("admin").expect("bootstrap");
    let admin = core.actor("admin").expect("admin");
    for (user, role) in story::STAFF {
        core.create_user(&admin, user, role).expect("user");
    }
    let [ivy, kim, lee, max, ana] =
        ["ivy", "kim", "lee", "max", "ana"].map(|u| core.actor(u).expect("actor"));

    // Investigate: a helpline call, graded before anything goes to police.
    let helpline = core.create_source(&ivy, story::helpline()).expect("source");
    let report = core
        .create_report(&ivy, story::report(helpline.id))
        .expect("report");
    assert!(
        matches!(
            core.report(&ana, report.id),
            Err(CoreError::Forbidden { .. })
        ),
        "{backend_name}"
    );
    let report = core
        .grade_report(&ivy, report.id, report.version, grading())
        .expect("graded");

    // Rescue: three women, two adults and a girl of 16, each a new case.
    let rescue = core
        .record_rescue(&ivy, story::rescue(report.id, &story::people()))
        .expect("rescue");
    let case_ids = rescue.data.case_ids();
    assert_eq!(case_ids.len(), 3, "{backend_name}");

    // Consent: the adults to referral, sharing with police and with aftercare providers; the
    // girl through her guardian for sharing (children are referred without consent).
    for (i, &case_id) in case_ids.iter().enumerate() {
        let person_id = core.case(&max, case_id).expect("case").person.id;
        for consent in story::consents(i < 2) {
            core.record_consent(&kim, person_id, consent)
                .expect("consent");
        }
    }
    let sent = core.disseminate(&ivy, report.id, story::dissemination());
    assert!(sent.is_ok(), "{backend_name}: {sent:?}");

    // NRM: referred, positive RG, positive CG.
    for &case_id in &case_ids {
        let case = core.case(&lee, case_id).expect("case");
        let referral = core
            .nrm_refer(&lee, case_id, case.version, story::referral())
            .unwrap_or_else(|e| panic!("{backend_name}: referral: {e}"));
        let rg = core
            .nrm_reasonable_grounds(
                &lee,
                case_id,
                referral.case_version,
                Outcome::Positive,
                day(3, 12),
            )
            .expect("rg");
        core.nrm_conclusive_grounds(
            &lee,
            case_id,
            rg.case_version,
            Outcome::Positive,
            day(7, 30),
        )
        .expect("cg");
    }
    // Every decision came in time, so nothing is overdue across the cases.
    let overdue = core.nrm_overdue(&lee, day(9, 30)).expect("overdue");
    assert!(overdue.is_empty(), "{backend_name}: {overdue:?}");

    // Aftercare: one safe house, needs, batch assignment for the rescue, placement.
    let house = core
        .create_facility(&kim, story::rose_house())
        .expect("facility");
    let seen = core
        .facility(&ana, house.id)
        .expect("analysts see facilities");
    assert!(
        !format!("{seen:?}").contains("Hidden Lane"),
        "{backend_name}: analysts never see the address"
    );
    for (i, &case_id) in case_ids.iter().enumerate() {
        let case = core.case(&kim, case_id).expect("case");
        core.assess_needs(&kim, case_id, case.version, story::needs(i < 2))
            .expect("needs");
    }
    let proposal = core
        .placement_assign(
            &kim,
            &AssignRequest {
                rescue_id: Some(rescue.id),
                case_ids: vec![],
            },
        )
        .expect("proposal");
    assert_eq!(
        proposal.assignment.unplaced.len(),
        0,
        "{backend_name}: {proposal:?}"
    );
    let mut followup_ids = Vec::new();
    for &case_id in &case_ids {
        let case = core.case(&kim, case_id).expect("case");
        let placed = core
            .place(&kim, case_id, case.version, house.id, day(3, 9))
            .expect("placed");
        assert_eq!(placed.followups.len(), 4);
        followup_ids.push(placed.followups[0]);
    }
    assert_eq!(
        core.facility(&kim, house.id).expect("facility").occupancy,
        3
    );
    // The day-1 call for each, made on time.
    for (i, &case_id) in case_ids.iter().enumerate() {
        let line = core.followups(&kim, case_id).expect("followups")[0].clone();
        assert_eq!(line.id, followup_ids[i]);
        core.log_followup(&kim, line.id, line.version, story::first_call())
            .expect("logged");
    }

    // Justice: the first woman asks for advocacy; a prosecution to conviction; a claim paid.
    let first = case_ids[0];
    let case = core.case(&lee, first).expect("case");
    core.record_advocacy(&lee, first, case.version, true, Some(day(3, 15)))
        .expect("advocacy");
    let suspect = core
        .create_suspect(&ivy, story::suspect(report.id, first))
        .expect("suspect");
    let case = core.case(&lee, first).expect("case");
    let mut prosecution = core
        .report_to_police(&lee, first, case.version, story::police_report(suspect.id))
        .expect("police report");
    for (step, on) in story::prosecution() {
        prosecution = core
            .prosecution_update(
                &lee,
                first,
                prosecution.case_version,
                ProsecutionChange {
                    suspect_id: suspect.id,
                    step,
                    on: Some(on),
                },
            )
            .expect("prosecution step");
    }
    let claim = core
        .lodge_claim(&lee, first, prosecution.case_version, story::claim())
        .unwrap_or_else(|e| panic!("{backend_name}: claim: {e}"));
    let mut case_version = claim.case_version;
    let mut state = None;
    for (update, on) in story::claim_updates() {
        let changed = core
            .claim_update(
                &lee,
                first,
                case_version,
                ClaimChange {
                    claim_id: claim.id,
                    update,
                    on: Some(on),
                },
            )
            .unwrap_or_else(|e| panic!("{backend_name}: claim update on {on}: {e}"));
        case_version = changed.case_version;
        state = Some(changed.data.state);
    }
    assert_eq!(state, Some(ClaimState::Paid));

    // Moving on: the placement ends and the case closes.
    let case = core.case(&kim, first).expect("case");
    core.exit_placement(&kim, first, case.version, story::exit())
        .expect("exit");
    assert_eq!(
        core.facility(&kim, house.id).expect("facility").occupancy,
        2
    );
    let mut case = core.case(&max, first).expect("case");
    for kind in [EventKind::SupportStarted, EventKind::MovingOnStarted] {
        if case.stage == Stage::InSupport && kind == EventKind::SupportStarted {
            continue;
        }
        case = core
            .record_case_event(&max, first, case.version, event(kind, Some(day(9, 26))))
            .unwrap_or_else(|e| panic!("{backend_name}: {kind:?}: {e}"));
    }
    let closed = core.record_case_event(
        &max,
        first,
        case.version,
        event(
            EventKind::Closed {
                closure_reason: ClosureReason::SupportCompleted,
            },
            Some(day(9, 28)),
        ),
    );
    let closed = closed.unwrap_or_else(|e| panic!("{backend_name}: close: {e}"));
    assert_eq!(closed.stage, Stage::Closed);
    let timeline = core.timeline(&max, first).expect("timeline");
    assert!(
        timeline.len() >= 15,
        "{backend_name}: {} entries",
        timeline.len()
    );

    // The record holds: the chain verifies, and no identity sits in clear anywhere.
    assert!(
        core.verify_audit(&admin)
            .expect("verify")
            .first_bad
            .is_none(),
        "{backend_name}"
    );
    let raw = raw_bytes(backend);
    for secret in story::SECRETS {
        assert!(
            !contains(&raw, secret),
            "{backend_name}: {secret:?} in clear"
        );
    }
}
