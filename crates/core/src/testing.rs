//! Test support, shared by the tests of every crate so that each set-up is written once: a core
//! over the in-memory store (or one per storage backend) with a fixed clock and one user per role,
//! store snapshots, and builders for the inputs the tests keep needing (a person, a case, a safe
//! house, needs, a grading) and for the one story the scenario tests tell ([`story`]).
//!
//! Compiled for the core's own tests and, for other crates' tests, behind the `testing` feature,
//! which only dev-dependencies enable: never by default, never in a release binary.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use unchain_store::{Backend, MasterKey, MemoryBackend, Store};
use uuid::Uuid;

use crate::auth::Role;
use crate::cases::{NewCase, NewEvent};
use crate::clock::{Clock, FixedClock};
use crate::consent::{ConsentMethod, ConsentScope, NewConsent};
use crate::facilities::{FacilityAddress, FacilityInput};
use crate::grading::{Grading, HandlingCode, IntelligenceAssessment, SourceEvaluation};
use crate::people::{Gender, PersonDetails};
use crate::placements::NeedsInput;
use crate::unchain::Unchain;
use crate::users::Actor;
use unchain_lifecycle::{EventKind, RescueOrigin};
use unchain_nrm::{ExploitationType, Jurisdiction};
use unchain_placement::{Acceptance, AgeGroup, GeoPoint, Needs, SecurityLevel, Service};

/// The instant every test core lives at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0)
        .single()
        .expect("valid instant")
}

/// A calendar date, for tables that spell dates out.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A store over `backend` at the current schema, as the core opens one.
pub fn memory_store(backend: Arc<dyn Backend>) -> Store {
    Store::over(
        backend,
        "memory".into(),
        unchain_store::SCHEMA_VERSION,
        unchain_store::schema::MIGRATIONS,
    )
    .expect("store opens")
}

/// A core over `backend` with `clock`: a second core over the same data can live at another
/// instant (to expire tokens, to test deadlines).
pub fn core_over(backend: &Arc<MemoryBackend>, clock: Arc<dyn Clock>) -> Unchain {
    let dyn_backend: Arc<dyn Backend> = backend.clone();
    Unchain::over(
        memory_store(dyn_backend),
        clock,
        MasterKey::from_bytes([7; 32]),
    )
    .expect("core opens")
}

/// A core over memory, and its backend (so tests can compare raw contents).
pub fn core() -> (Unchain, Arc<MemoryBackend>) {
    let backend = Arc::new(MemoryBackend::new());
    (reopen(&backend), backend)
}

/// Another core over the same memory store, with empty caches (as after a restart): what it
/// reads, the store really holds.
pub fn reopen(backend: &Arc<MemoryBackend>) -> Unchain {
    core_over(backend, Arc::new(FixedClock(now())))
}

/// Creates the administrator and one user of each role; returns their actors by role.
pub fn staff(core: &Unchain) -> Vec<Actor> {
    core.bootstrap_admin("admin").expect("bootstrap");
    let admin = core.actor("admin").expect("admin exists");
    let mut out = vec![admin.clone()];
    for role in Role::ALL.into_iter().skip(1) {
        let name = role.as_str().replace('_', "-");
        core.create_user(&admin, &name, role).expect("user created");
        out.push(core.actor(&name).expect("user exists"));
    }
    out
}

/// The member of [`staff`] with `role`.
pub fn by_role(staff: &[Actor], role: Role) -> &Actor {
    staff.iter().find(|a| a.role == role).expect("role present")
}

/// Every collection's entries as (key, version, value).
pub type Dump = Vec<(String, Vec<(Vec<u8>, u64, Vec<u8>)>)>;

/// A snapshot of every collection and stream, to prove a refused operation wrote nothing
/// (audit entries for refusals excepted, which tests take into account).
pub fn dump(backend: &MemoryBackend) -> Dump {
    dump_any(backend)
}

/// A test core over one storage backend, and what keeps it alive.
pub struct TestCore {
    /// Which backend (`memory` or `sled`), for messages.
    pub name: &'static str,
    /// The core.
    pub core: Unchain,
    /// Its backend, for raw checks.
    pub backend: Arc<dyn Backend>,
    /// The sled store's folder, removed on drop.
    _dir: Option<tempfile::TempDir>,
}

/// One core per storage backend (memory and sled), each with the fixed clock: the services'
/// scenario tests run against both, so no service relies on one backend's quirks.
pub fn cores() -> Vec<TestCore> {
    cores_at(now())
}

/// [`cores`] with the clock fixed at `now`.
pub fn cores_at(now: DateTime<Utc>) -> Vec<TestCore> {
    let clock: Arc<FixedClock> = Arc::new(FixedClock(now));
    let memory: Arc<dyn Backend> = Arc::new(MemoryBackend::new());
    let dir = tempfile::tempdir().expect("temporary folder");
    let sled = Store::open(&unchain_store::StoreConfig::sled(dir.path().join("store")))
        .expect("sled store opens");
    let mem_store = memory_store(memory.clone());
    let sled_backend = sled.backend().clone();
    vec![
        TestCore {
            name: "memory",
            core: Unchain::over(mem_store, clock.clone(), MasterKey::from_bytes([7; 32]))
                .expect("core opens"),
            backend: memory,
            _dir: None,
        },
        TestCore {
            name: "sled",
            core: Unchain::over(sled, clock, MasterKey::from_bytes([7; 32])).expect("core opens"),
            backend: sled_backend,
            _dir: Some(dir),
        },
    ]
}

/// [`dump`] for any backend.
pub fn dump_any(backend: &dyn Backend) -> Dump {
    let mut out = Vec::new();
    for c in backend.collections().expect("collections") {
        let entries = backend
            .scan(&c, &unchain_store::Scan::all())
            .expect("scan")
            .into_iter()
            .map(|(k, v)| (k, v.version, v.value))
            .collect();
        out.push((c, entries));
    }
    out
}

/// Every byte the backend holds (collection names, keys and values), to search for text that
/// must never be stored in clear.
pub fn raw_bytes(backend: &dyn Backend) -> Vec<u8> {
    dump_any(backend)
        .into_iter()
        .flat_map(|(c, e)| {
            c.into_bytes()
                .into_iter()
                .chain(e.into_iter().flat_map(|(k, _, v)| k.into_iter().chain(v)))
        })
        .collect()
}

/// Whether `needle` stands in `hay` byte for byte.
pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// How many of racing placements into one facility applied; every other one must have lost the
/// race on the facility's version (`Conflict`) or been refused by its capacity, never failed
/// otherwise.
pub fn placed_or_lost_race<T>(results: &[crate::Result<T>]) -> usize {
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                r,
                crate::CoreError::Conflict {
                    kind: "facility",
                    ..
                } | crate::CoreError::Refused(_)
            ),
            "{r:?}"
        );
    }
    results.iter().filter(|r| r.is_ok()).count()
}

/// The fields a validation error names, in order. Panics on success or on any other error, so a
/// test that expects a validation error cannot pass without one.
pub fn invalid_fields<T>(result: crate::Result<T>) -> Vec<String> {
    match result {
        Err(crate::CoreError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
        Err(other) => panic!("expected a validation error, got {other:?}"),
        Ok(_) => panic!("expected a validation error, got success"),
    }
}

/// A lifecycle event to record on `date` (today when `None`), with no reason given.
pub fn event(kind: EventKind, date: Option<NaiveDate>) -> NewEvent {
    NewEvent {
        kind,
        date,
        reason: None,
    }
}

/// A woman's details: one name, an estimated age, one nationality, speaking Albanian.
pub fn woman(name: &str, age: u32, nationality: &str) -> PersonDetails {
    PersonDetails {
        names: vec![name.into()],
        estimated_age: Some(age),
        gender: Some(Gender::Female),
        nationalities: vec![nationality.into()],
        languages: vec!["sq".into()],
        ..PersonDetails::default()
    }
}

/// A case for `person` in England and Wales for sexual exploitation, opened today, owned by its
/// opener, linked to no report; tests change what they test with `NewCase { .., ..new_case(p) }`.
pub fn new_case(person: PersonDetails) -> NewCase {
    NewCase {
        person,
        jurisdiction: Jurisdiction::EnglandAndWales,
        exploitation: vec![ExploitationType::Sexual],
        opened_on: None,
        owner: None,
        report_ids: vec![],
    }
}

/// Opens a case for `name` (aged about 30) on 2024-04-01, records that the person
/// self-presented on 2024-04-02 and their consent to sharing with organisations (placing tells
/// the provider who the person is); returns the case id.
pub fn rescued_case(core: &Unchain, actor: &Actor, name: &str) -> Uuid {
    let c = core
        .open_case(
            actor,
            NewCase {
                person: PersonDetails {
                    names: vec![name.into()],
                    estimated_age: Some(30),
                    ..PersonDetails::default()
                },
                opened_on: Some(date(2024, 4, 1)),
                ..new_case(PersonDetails::default())
            },
        )
        .expect("case opens");
    core.record_case_event(
        actor,
        c.id,
        c.version,
        event(
            EventKind::Rescued {
                origin: RescueOrigin::SelfPresented,
            },
            Some(date(2024, 4, 2)),
        ),
    )
    .expect("rescued");
    core.record_consent(
        actor,
        c.person.id,
        NewConsent {
            scope: ConsentScope::SharingWithOrganisations,
            given: true,
            on: Some(date(2024, 4, 1)),
            method: ConsentMethod::SignedForm,
            document_id: None,
        },
    )
    .expect("consent");
    c.id
}

/// A women's safe house in Greater Manchester for adults with up to two dependants, speaking
/// English and Albanian, specialised in sexual exploitation (coordinates are a city-centre
/// point, not a real address; the sealed address names the house).
pub fn safe_house(name: &str, capacity: u32) -> FacilityInput {
    FacilityInput {
        name: name.into(),
        operator: "Provider A".into(),
        region: "north west".into(),
        address: FacilityAddress {
            address: format!("1 Secret Street, {name}"),
            location: GeoPoint::new(53.48, -2.24),
        },
        capacity,
        accepts: Acceptance {
            genders: [unchain_placement::Gender::Female].into(),
            age_groups: [AgeGroup::Adult].into(),
            max_dependants: 2,
            pregnancy: true,
        },
        languages: ["en".to_string(), "sq".to_string()].into(),
        specialisms: [unchain_placement::ExploitationType::Sexual].into(),
        services: [Service::Medical, Service::MentalHealth].into(),
        security: SecurityLevel::Enhanced,
        admission_rules: BTreeSet::new(),
        open_to_referrals: true,
    }
}

/// The needs of an adult woman with `dependants`, speaking Albanian, exploited sexually,
/// assessed on 2024-04-03: [`safe_house`] fits her.
pub fn needs(dependants: u32) -> NeedsInput {
    let mut n = Needs::new(unchain_placement::Gender::Female, AgeGroup::Adult);
    n.dependants = dependants;
    n.languages = ["sq".to_string()].into();
    n.exploitation_types = [unchain_placement::ExploitationType::Sexual].into();
    NeedsInput {
        needs: n,
        assessed_on: Some(date(2024, 4, 3)),
        keep_together_with: vec![],
        keep_apart_from: vec![],
    }
}

/// The 3x5x2 grading the tests give a report that may be shared: an untested source, known
/// indirectly and corroborated, handling code P (lawful sharing permitted).
pub fn grading() -> Grading {
    Grading::ThreeFiveTwo {
        source: SourceEvaluation::Untested,
        intelligence: IntelligenceAssessment::KnownIndirectlyCorroborated,
        handling: HandlingCode::P,
        conditions: None,
    }
}

/// The one story the scenario tests tell, in the core (`crates/core/tests/story.rs`) and over
/// HTTP (`tests/e2e/server.rs`): a helpline call about a house on Zelda Road in Leeds, a rescue of
/// three Albanian women (two adults and a girl of 16) on 2024-03-04, NRM referrals, one safe
/// house, a prosecution to conviction and a compensation order paid. Its data lives here once so
/// that both tellings stay the same story.
pub mod story {
    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use uuid::Uuid;

    use super::woman;
    use crate::auth::Role;
    use crate::consent::{ConsentMethod, ConsentScope, NewConsent};
    use crate::facilities::{FacilityAddress, FacilityInput};
    use crate::followups::{ContactInput, ContactKind, ContactOutcome};
    use crate::intel::{
        Identifier, IdentifierKind, NewDissemination, NewReport, Source, SourceKind,
    };
    use crate::justice::{ClaimUpdate, NewClaim, NewPoliceReport, Offence, ProsecutionStep};
    use crate::people::PersonDetails;
    use crate::placements::{ExitInput, ExitReason, NeedsInput};
    use crate::referrals::NewReferral;
    use crate::rescues::{NewRescue, RescuedPerson};
    use crate::suspects::{NewSuspect, SuspectDetails};
    use unchain_lifecycle::{ClaimForum, Verdict};
    use unchain_nrm::{
        AgeGroup as IndicatorAge, ExploitationKind, ExploitationType, Jurisdiction, ReferrerKind,
    };
    use unchain_placement::{Acceptance, AgeGroup, Gender, GeoPoint, Needs};

    /// A day of 2024, the story's year.
    pub fn day(m: u32, d: u32) -> NaiveDate {
        super::date(2024, m, d)
    }

    /// When the story is told: 30 September 2024, after its last event.
    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 9, 30, 10, 0, 0)
            .single()
            .expect("instant")
    }

    /// The staff: an investigator, an aftercare coordinator, a legal advocate, a manager and an
    /// analyst, by user name.
    pub const STAFF: [(&str, Role); 5] = [
        ("ivy", Role::Investigator),
        ("kim", Role::AftercareCoordinator),
        ("lee", Role::LegalAdvocate),
        ("max", Role::Manager),
        ("ana", Role::Analyst),
    ];

    /// The source of the first call.
    pub fn helpline() -> Source {
        Source {
            kind: SourceKind::Helpline,
            name: "Modern Slavery Helpline".into(),
            group_id: None,
        }
    }

    /// The call, from `source_id`, on 2024-02-20: six indicators and a phone number.
    pub fn report(source_id: Uuid) -> NewReport {
        NewReport {
            received_on: Some(day(2, 20)),
            source_id,
            narrative: "Caller saw young women taken nightly from a house on Zelda Road".into(),
            area: Some("Leeds".into()),
            indicators: ["DR01", "DR02", "EX01", "EX02", "CD01", "CD02"]
                .map(String::from)
                .to_vec(),
            age_group: Some(IndicatorAge::Adult),
            exploitation_kind: Some(ExploitationKind::Sexual),
            identifiers: vec![Identifier {
                kind: IdentifierKind::Phone,
                value: "07700 900456".into(),
            }],
            case_ids: vec![],
            suspect_ids: vec![],
        }
    }

    /// The three women rescued: two adults, then the girl of 16.
    pub fn people() -> [PersonDetails; 3] {
        [
            woman("Arta Zogu", 24, "AL"),
            woman("Besa Krasniqi", 31, "AL"),
            woman("Drita Hoxha", 16, "AL"),
        ]
    }

    /// The rescue of `people` in Leeds on 2024-03-04, acting on `report_id`: a new case each.
    pub fn rescue(report_id: Uuid, people: &[PersonDetails]) -> NewRescue {
        NewRescue {
            date: day(3, 4),
            area: "Leeds".into(),
            partner_agencies: vec!["West Yorkshire Police".into()],
            report_ids: vec![report_id],
            people: people
                .iter()
                .map(|p| RescuedPerson::New {
                    person: p.clone(),
                    jurisdiction: Jurisdiction::EnglandAndWales,
                    exploitation: vec![ExploitationType::Sexual],
                    owner: None,
                    origin: None,
                })
                .collect(),
        }
    }

    /// The consents recorded on 2024-03-05: an adult's own, through an interpreter, to sharing
    /// with police and with aftercare providers and to the NRM referral; for the girl, her
    /// guardian's to sharing only (children are referred without consent).
    pub fn consents(adult: bool) -> Vec<NewConsent> {
        let mut scopes = vec![
            ConsentScope::SharingWithPolice,
            ConsentScope::SharingWithOrganisations,
        ];
        if adult {
            scopes.push(ConsentScope::NrmReferral);
        }
        scopes
            .into_iter()
            .map(|scope| NewConsent {
                scope,
                given: true,
                on: Some(day(3, 5)),
                method: if adult {
                    ConsentMethod::VerbalInterpreted
                } else {
                    ConsentMethod::Guardian
                },
                document_id: None,
            })
            .collect()
    }

    /// The graded report shared with West Yorkshire Police.
    pub fn dissemination() -> NewDissemination {
        NewDissemination {
            force: "West Yorkshire Police".into(),
            date: None,
            reference: "WYP/2024/0311".into(),
            summary: "Address and phone".into(),
        }
    }

    /// Each woman's NRM referral on 2024-03-07, made through the Salvation Army.
    pub fn referral() -> NewReferral {
        NewReferral {
            referred_on: Some(day(3, 7)),
            referrer: ReferrerKind::NotFirstResponder,
            first_responder_org: "Salvation Army".into(),
            immigration: Default::default(),
            exploitation_location: Some("Leeds".into()),
            exploitation_start: Some(day(1, 10)),
            exploitation_end: Some(day(3, 4)),
            exploitation_ongoing: false,
            indicators: vec!["ILO08".into()],
            consent_informed: true,
            notes: None,
        }
    }

    /// The safe house, four beds for women and girls, at a sealed address on Hidden Lane.
    pub fn rose_house() -> FacilityInput {
        FacilityInput {
            name: "Rose House".into(),
            operator: "Provider A".into(),
            region: "Yorkshire and The Humber".into(),
            address: FacilityAddress {
                address: "12 Hidden Lane, Leeds".into(),
                location: GeoPoint::new(53.8, -1.55),
            },
            capacity: 4,
            accepts: Acceptance {
                genders: [Gender::Female].into(),
                age_groups: [AgeGroup::Adult, AgeGroup::Child].into(),
                max_dependants: 1,
                pregnancy: true,
            },
            languages: Default::default(),
            specialisms: Default::default(),
            services: Default::default(),
            security: Default::default(),
            admission_rules: Default::default(),
            open_to_referrals: true,
        }
    }

    /// A woman's needs (an adult's or the girl's), assessed on 2024-03-08.
    pub fn needs(adult: bool) -> NeedsInput {
        let age = if adult {
            AgeGroup::Adult
        } else {
            AgeGroup::Child
        };
        NeedsInput {
            needs: Needs::new(Gender::Female, age),
            assessed_on: Some(day(3, 8)),
            keep_together_with: vec![],
            keep_apart_from: vec![],
        }
    }

    /// The day-1 follow-up call on 2024-03-10, made on time; its note is personal.
    pub fn first_call() -> ContactInput {
        ContactInput {
            on: Some(day(3, 10)),
            kind: ContactKind::Call,
            outcome: ContactOutcome::Reached,
            notes: Some("settling in".into()),
        }
    }

    /// The suspect named in `report_id`, linked to the first woman's case.
    pub fn suspect(report_id: Uuid, case_id: Uuid) -> NewSuspect {
        NewSuspect {
            details: SuspectDetails {
                identifiers: vec![Identifier {
                    kind: IdentifierKind::Name,
                    value: "Zef Example".into(),
                }],
                ..SuspectDetails::default()
            },
            report_ids: vec![report_id],
            case_ids: vec![case_id],
        }
    }

    /// The first woman's report of `suspect_id` to police on 2024-03-20.
    pub fn police_report(suspect_id: Uuid) -> NewPoliceReport {
        NewPoliceReport {
            suspect_id,
            force: "West Yorkshire Police".into(),
            crime_reference: "13/123456/24".into(),
            reported_on: Some(day(3, 20)),
        }
    }

    /// The prosecution's steps and days, to a conviction on 2024-08-30.
    pub fn prosecution() -> [(ProsecutionStep, NaiveDate); 4] {
        [
            (ProsecutionStep::InvestigationOpened, day(3, 25)),
            (
                ProsecutionStep::Charged {
                    offences: vec![Offence::ModernSlaveryActS2],
                },
                day(5, 2),
            ),
            (
                ProsecutionStep::TrialStarted {
                    court: Some("Leeds Crown Court".into()),
                },
                day(8, 5),
            ),
            (
                ProsecutionStep::Verdict {
                    verdict: Verdict::Convicted,
                    sentence: Some("8 years".into()),
                },
                day(8, 30),
            ),
        ]
    }

    /// The compensation order claimed on the day of the conviction.
    pub fn claim() -> NewClaim {
        NewClaim {
            forum: ClaimForum::CompensationOrder,
            lodged_on: Some(day(8, 30)),
            claimed_pence: Some(1_000_000),
            forum_reference: None,
        }
    }

    /// What the claim went through and when: £7,500 awarded, then paid.
    pub fn claim_updates() -> [(ClaimUpdate, NaiveDate); 2] {
        [
            (
                ClaimUpdate::Awarded {
                    amount_pence: 750_000,
                },
                day(8, 30),
            ),
            (
                ClaimUpdate::Paid {
                    amount_pence: 750_000,
                },
                day(9, 20),
            ),
        ]
    }

    /// The first woman moves on from the house on 2024-09-25.
    pub fn exit() -> ExitInput {
        ExitInput {
            on: day(9, 25),
            reason: ExitReason::MovedOn,
            notes: None,
        }
    }

    /// What the story writes that must never stand in clear in the store: names, the address,
    /// the phone number, the suspect and a follow-up note.
    pub const SECRETS: [&str; 8] = [
        "Arta Zogu",
        "Besa Krasniqi",
        "Drita Hoxha",
        "Zelda Road",
        "07700 900456",
        "Hidden Lane",
        "Zef Example",
        "settling in",
    ];
}
