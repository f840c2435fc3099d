//! Properties of the core as a whole, over random sequences of operations by random roles:
//! a refused or invalid operation writes nothing (a denied one only its audit entry), accepted
//! ones keep the audit chain verifiable, and the matrix decides every authorisation.

use chrono::NaiveDate;
use proptest::prelude::*;
use unchain_lifecycle::{ClosureReason, EventKind, RescueOrigin};

use crate::auth::{self, Operation, Role};
use crate::campaign::CommunityGroup;
use crate::cases::{NewCase, NewEvent, event_operation};
use crate::consent::{ConsentMethod, ConsentScope, NewConsent};
use crate::error::CoreError;
use crate::people::PersonDetails;
use crate::testing::{Dump, core, dump, staff};

#[derive(Clone, Debug)]
enum Step {
    Open {
        role: usize,
        valid: bool,
    },
    Event {
        role: usize,
        case: usize,
        kind: usize,
        stale: bool,
    },
    Consent {
        role: usize,
        case: usize,
        scope: usize,
        given: bool,
    },
    Group {
        role: usize,
        valid: bool,
    },
    Erase {
        role: usize,
        case: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let role = 0usize..Role::ALL.len();
    prop_oneof![
        (role.clone(), any::<bool>()).prop_map(|(role, valid)| Step::Open { role, valid }),
        (
            role.clone(),
            0usize..4,
            0usize..KINDS.len(),
            prop::bool::weighted(0.2)
        )
            .prop_map(|(role, case, kind, stale)| Step::Event {
                role,
                case,
                kind,
                stale
            }),
        (
            role.clone(),
            0usize..4,
            0usize..ConsentScope::ALL.len(),
            any::<bool>()
        )
            .prop_map(|(role, case, scope, given)| Step::Consent {
                role,
                case,
                scope,
                given
            }),
        (role.clone(), any::<bool>()).prop_map(|(role, valid)| Step::Group { role, valid }),
        (role, 0usize..4).prop_map(|(role, case)| Step::Erase { role, case }),
    ]
}

const KINDS: &[EventKind] = &[
    EventKind::AssessmentStarted,
    EventKind::RescuePlanned,
    EventKind::RescuePlanStoodDown,
    EventKind::Rescued {
        origin: RescueOrigin::SelfPresented,
    },
    EventKind::SupportStarted,
    EventKind::MovingOnStarted,
    EventKind::SupportResumed,
    EventKind::Closed {
        closure_reason: ClosureReason::SupportCompleted,
    },
    EventKind::Reopened,
    EventKind::AdvocacyRequested,
    EventKind::AdvocacyDeclined,
];

/// A case as stored, read without the audit a user's read would add.
fn stored_case(core: &crate::Unchain, id: uuid::Uuid) -> Option<crate::Entity<crate::cases::Case>> {
    crate::records::find(core.backend.as_ref(), id)
        .ok()
        .flatten()
}

/// The store without the audit chain's head, which a denied operation advances.
fn without_audit(d: Dump) -> Dump {
    d.into_iter().filter(|(c, _)| c != "meta").collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn refusals_write_nothing_and_the_chain_always_verifies(steps in prop::collection::vec(step(), 1..24)) {
        let (core, backend) = core();
        let staff = staff(&core);
        let actor = |i: usize| staff[i].clone();
        let mut cases: Vec<uuid::Uuid> = Vec::new();
        for s in steps {
            let before = dump(&backend);
            let (who, op, checked, result): (usize, Operation, bool, Result<(), CoreError>) = match s {
                Step::Open { role, valid } => {
                    let mut person = PersonDetails { names: vec!["Test Person".into()], ..PersonDetails::default() };
                    if !valid {
                        person.nationalities = vec!["Narnia".into()];
                    }
                    let new = NewCase {
                        person,
                        jurisdiction: unchain_nrm::Jurisdiction::EnglandAndWales,
                        exploitation: vec![],
                        opened_on: NaiveDate::from_ymd_opt(2024, 5, 1),
                        owner: None,
                        report_ids: vec![],
                    };
                    let r = core.open_case(&actor(role), new).map(|v| cases.push(v.id));
                    (role, Operation::CaseCreate, valid, r)
                }
                Step::Event { role, case, kind, stale } => {
                    let Some(&id) = cases.get(case) else { continue };
                    let current = stored_case(&core, id).map(|c| c.version).unwrap_or(1);
                    let kind = KINDS[kind];
                    let new = NewEvent {
                        kind,
                        date: None,
                        reason: matches!(kind, EventKind::Reopened).then(|| "new information".to_owned()),
                    };
                    let version = if stale { current.saturating_sub(1).max(1) + u64::from(current == 1) * 5 } else { current };
                    let r = core.record_case_event(&actor(role), id, version, new).map(|_| ());
                    (role, event_operation(&kind).0, true, r)
                }
                Step::Consent { role, case, scope, given } => {
                    let Some(&id) = cases.get(case) else { continue };
                    let Some(person) = stored_case(&core, id).map(|c| c.data.person_id) else { continue };
                    let new = NewConsent {
                        scope: ConsentScope::ALL[scope],
                        given,
                        on: None,
                        method: ConsentMethod::SignedForm,
                        document_id: None,
                    };
                    (role, Operation::ConsentRecord, true, core.record_consent(&actor(role), person, new).map(|_| ()))
                }
                Step::Group { role, valid } => {
                    let g = CommunityGroup {
                        name: if valid { "Hope Street".into() } else { String::new() },
                        area: "Leeds".into(),
                        members: 12,
                        joined_on: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
                    };
                    (role, Operation::CampaignManage, valid, core.create_group(&actor(role), g).map(|_| ()))
                }
                Step::Erase { role, case } => {
                    let Some(&id) = cases.get(case) else { continue };
                    let Some(person) = stored_case(&core, id).map(|c| c.data.person_id) else { continue };
                    (role, Operation::PersonErase, true, core.erase_person(&actor(role), person, "request").map(|_| ()))
                }
            };
            if checked {
                // With valid input, a denial is exactly what the matrix says.
                let denied = matches!(result, Err(CoreError::Forbidden { .. }));
                prop_assert_eq!(denied, !auth::allowed(staff[who].role, op), "{:?} by {}", op, staff[who].role);
            }
            match result {
                Ok(()) => {}
                Err(CoreError::Forbidden { .. }) => {
                    prop_assert!(without_audit(dump(&backend)) == without_audit(before), "denied {:?} wrote more than its audit entry", op);
                }
                Err(CoreError::Validation(_) | CoreError::Refused(_) | CoreError::Conflict { .. } | CoreError::NotFound { .. }) => {
                    prop_assert!(dump(&backend) == before, "refused {:?} wrote to the store", op);
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }
        let verification = core.verify_audit(&actor(0)).expect("verifies");
        prop_assert!(verification.first_bad.is_none(), "{:?}", verification.first_bad);
    }

    #[test]
    fn every_denial_is_exactly_the_matrix(role in 0usize..Role::ALL.len(), valid in any::<bool>()) {
        let (core, _) = core();
        let staff = staff(&core);
        let who = &staff[role];
        let g = CommunityGroup {
            name: if valid { "Hope Street".into() } else { String::new() },
            area: "Leeds".into(),
            members: 3,
            joined_on: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
        };
        let denied = matches!(core.create_group(who, g), Err(CoreError::Forbidden { .. }));
        prop_assert_eq!(denied, !auth::allowed(who.role, Operation::CampaignManage));
        let person = PersonDetails::default();
        let new = NewCase { person, jurisdiction: unchain_nrm::Jurisdiction::Scotland, exploitation: vec![], opened_on: None, owner: None, report_ids: vec![] };
        let denied = matches!(core.open_case(who, new), Err(CoreError::Forbidden { .. }));
        prop_assert_eq!(denied, !auth::allowed(who.role, Operation::CaseCreate));
    }
}
