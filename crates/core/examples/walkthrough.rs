//! The first thing an embedding developer reads: the core over the in-memory store, walking one
//! rescued person from a helpline call to a placed, referred case.
//!
//! Run it with `cargo run -p unchain-core --example walkthrough`.

use std::sync::Arc;

use unchain_core::consent::{ConsentMethod, ConsentScope, NewConsent};
use unchain_core::facilities::{FacilityAddress, FacilityInput};
use unchain_core::grading::{Grading, HandlingCode, IntelligenceAssessment, SourceEvaluation};
use unchain_core::intel::{Identifier, IdentifierKind, NewReport, Source, SourceKind};
use unchain_core::nrm::{AgeGroup, ExploitationKind, ExploitationType, Jurisdiction, ReferrerKind};
use unchain_core::people::{Gender, PersonDetails};
use unchain_core::placement::{self, Acceptance, GeoPoint, Needs};
use unchain_core::placements::NeedsInput;
use unchain_core::referrals::NewReferral;
use unchain_core::rescues::{NewRescue, RescuedPerson};
use unchain_core::{CoreError, Role, SystemClock, Unchain};

fn main() -> Result<(), CoreError> {
    // 1. A core over memory (`Unchain::init`/`open` give the same over sled on disk), the first
    //    administrator, and the staff who will do the work. Every call names its actor: the role
    //    decides what it may do, and the audit chain records it.
    let core = Unchain::in_memory(Arc::new(SystemClock))?;
    core.bootstrap_admin("admin")?;
    let admin = core.actor("admin")?;
    for (name, role) in [
        ("ivy", Role::Investigator),
        ("kim", Role::AftercareCoordinator),
        ("lee", Role::LegalAdvocate),
    ] {
        core.create_user(&admin, name, role)?;
    }
    let (ivy, kim, lee) = (core.actor("ivy")?, core.actor("kim")?, core.actor("lee")?);
    let today = core.clock().today();

    // 2. Intelligence: a helpline call with indicators and a phone number, graded 3x5x2.
    let helpline = core.create_source(
        &ivy,
        Source {
            kind: SourceKind::Helpline,
            name: "Modern Slavery Helpline".into(),
            group_id: None,
        },
    )?;
    let report = core.create_report(
        &ivy,
        NewReport {
            received_on: None,
            source_id: helpline.id,
            narrative: "Workers seen locked in a car wash overnight".into(),
            area: Some("Bradford".into()),
            indicators: vec!["DR01".into(), "DR02".into(), "EX01".into(), "EX02".into()],
            age_group: Some(AgeGroup::Adult),
            exploitation_kind: Some(ExploitationKind::Labour),
            identifiers: vec![Identifier {
                kind: IdentifierKind::Phone,
                value: "07700 900123".into(),
            }],
            case_ids: vec![],
            suspect_ids: vec![],
        },
    )?;
    let report = core.grade_report(
        &ivy,
        report.id,
        report.version,
        Grading::ThreeFiveTwo {
            source: SourceEvaluation::Untested,
            intelligence: IntelligenceAssessment::KnownIndirectlyCorroborated,
            handling: HandlingCode::P,
            conditions: None,
        },
    )?;
    println!(
        "report {} graded {}",
        report.id,
        report
            .grading
            .as_ref()
            .map_or("-".into(), |g| g.grading.code())
    );

    // 3. The rescue: one man freed; a case is opened for him, his identity sealed.
    let rescue = core.record_rescue(
        &ivy,
        NewRescue {
            date: today,
            area: "Bradford".into(),
            partner_agencies: vec!["West Yorkshire Police".into()],
            report_ids: vec![report.id],
            people: vec![RescuedPerson::New {
                person: PersonDetails {
                    names: vec!["Example Person".into()],
                    estimated_age: Some(29),
                    gender: Some(Gender::Male),
                    nationalities: vec!["VN".into()],
                    languages: vec!["vi".into()],
                    ..PersonDetails::default()
                },
                jurisdiction: Jurisdiction::EnglandAndWales,
                exploitation: vec![ExploitationType::Labour],
                owner: None,
                origin: None,
            }],
        },
    )?;
    let case_id = rescue.data.case_ids()[0];
    let case = core.case(&kim, case_id)?;
    println!(
        "case {} for {} at stage {:?}",
        case.reference, case.person.pseudonym, case.stage
    );

    // 4. Consent, recorded before anything is shared: to the NRM referral and to aftercare.
    for scope in [
        ConsentScope::NrmReferral,
        ConsentScope::SharingWithOrganisations,
    ] {
        core.record_consent(
            &kim,
            case.person.id,
            NewConsent {
                scope,
                given: true,
                on: None,
                method: ConsentMethod::VerbalInterpreted,
                document_id: None,
            },
        )?;
    }

    // 5. Aftercare: a facility, his needs, the ranked matches, the placement.
    let house = core.create_facility(
        &kim,
        FacilityInput {
            name: "Oak House".into(),
            operator: "Provider B".into(),
            region: "Yorkshire and The Humber".into(),
            address: FacilityAddress {
                address: "(sealed) 1 Example Street".into(),
                location: GeoPoint::new(53.79, -1.75),
            },
            capacity: 6,
            accepts: Acceptance {
                genders: [placement::Gender::Male].into(),
                age_groups: [placement::AgeGroup::Adult].into(),
                max_dependants: 0,
                pregnancy: false,
            },
            // What the matcher scores a facility on, beyond whom it accepts.
            languages: ["en".to_string(), "vi".to_string()].into(),
            specialisms: [placement::ExploitationType::Labour].into(),
            services: [placement::Service::Medical, placement::Service::Interpreter].into(),
            security: placement::SecurityLevel::Standard,
            admission_rules: Default::default(),
            open_to_referrals: true,
        },
    )?;
    let needs = core.assess_needs(
        &kim,
        case_id,
        case.version,
        NeedsInput {
            needs: Needs::new(placement::Gender::Male, placement::AgeGroup::Adult),
            assessed_on: None,
            keep_together_with: vec![],
            keep_apart_from: vec![],
        },
    )?;
    let matches = core.placement_matches(&kim, case_id)?;
    println!(
        "{} eligible facility(ies), best: {}",
        matches.eligible.len(),
        matches.eligible[0].facility_id
    );
    let placed = core.place(&kim, case_id, needs.case_version, house.id, today)?;
    println!("placed; {} follow-ups scheduled", placed.followups.len());

    // 6. The NRM referral: route and competent authority come from the rules.
    let referral = core.nrm_refer(
        &lee,
        case_id,
        placed.case_version,
        NewReferral {
            referred_on: None,
            referrer: ReferrerKind::NotFirstResponder,
            first_responder_org: "Salvation Army".into(),
            immigration: Default::default(),
            exploitation_location: Some("a car wash".into()),
            exploitation_start: today.checked_sub_days(chrono::Days::new(200)),
            exploitation_end: Some(today),
            exploitation_ongoing: false,
            indicators: vec!["ILO08".into()],
            consent_informed: true,
            notes: None,
        },
    )?;
    println!(
        "referred: {:?} to {:?}",
        referral.referral.route, referral.referral.competent_authority
    );
    let deadlines = core.nrm_deadlines(&lee, case_id, today)?;
    if let Some(rg) = deadlines.deadlines.as_ref().and_then(|d| d.rg_due.due) {
        println!("Reasonable Grounds decision due by {rg} (5 working days, docs/rules.md)");
    }

    // 7. Everything above is in the audit chain, which verifies.
    let verified = core.verify_audit(&admin)?;
    println!(
        "audit chain: {} entries, intact: {}",
        verified.entries,
        verified.first_bad.is_none()
    );
    Ok(())
}
