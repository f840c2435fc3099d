use super::d;
use crate::completeness::{ConsentRecord, ExploitationType, ProblemKind, ReferralFacts, check};
use crate::jurisdiction::Jurisdiction::EnglandAndWales as EW;
use crate::route::{AgeFacts, Consent, ReferrerKind};

fn complete() -> ReferralFacts {
    ReferralFacts {
        jurisdiction: Some(EW),
        referral_date: Some(d(2024, 5, 1)),
        age: AgeFacts {
            date_of_birth: Some(d(1990, 1, 1)),
            ..Default::default()
        },
        gender: Some("female".into()),
        nationality: Some("Albanian".into()),
        exploitation_types: vec![ExploitationType::Labour],
        exploitation_location: Some("Leeds, UK".into()),
        exploitation_start: Some(d(2023, 1, 1)),
        exploitation_end: Some(d(2024, 4, 1)),
        exploitation_ongoing: false,
        indicators: vec!["CD01".into()],
        consent: Some(ConsentRecord {
            consent: Consent::Given,
            recorded_on: d(2024, 4, 30),
            informed: true,
        }),
        referrer: Some(ReferrerKind::NotFirstResponder),
        first_responder: Some("Salvation Army".into()),
    }
}

fn fields(facts: &ReferralFacts) -> Vec<&'static str> {
    check(facts, d(2024, 6, 1))
        .iter()
        .map(|p| p.field)
        .collect()
}

#[test]
fn a_complete_referral_has_no_problems() {
    assert_eq!(check(&complete(), d(2024, 6, 1)), vec![]);
}

#[test]
fn an_empty_referral_reports_every_problem_at_once() {
    let got = fields(&ReferralFacts::default());
    for want in [
        "jurisdiction",
        "referral_date",
        "age",
        "gender",
        "nationality",
        "exploitation_types",
        "exploitation_location",
        "exploitation_start",
        "exploitation_end",
        "indicators",
        "consent",
        "referrer",
    ] {
        assert!(got.contains(&want), "{want} missing from {got:?}");
    }
    for p in check(&ReferralFacts::default(), d(2024, 6, 1)) {
        assert!(!p.reason.is_empty(), "{} has no reason", p.field);
    }
}

#[test]
fn field_problems_table() {
    // (change to a complete referral, field that must be reported, kind)
    type Edit = fn(&mut ReferralFacts);
    let cases: [(Edit, &str, ProblemKind); 11] = [
        (
            |f| f.first_responder = None,
            "first_responder",
            ProblemKind::Missing,
        ),
        (
            |f| f.nationality = Some("  ".into()),
            "nationality",
            ProblemKind::Missing,
        ),
        (|f| f.consent = None, "consent", ProblemKind::Missing),
        (
            |f| f.consent.as_mut().expect("set").consent = Consent::Refused,
            "consent.consent",
            ProblemKind::Blocking,
        ),
        (
            |f| f.consent.as_mut().expect("set").informed = false,
            "consent.informed",
            ProblemKind::Invalid,
        ),
        (
            |f| f.consent.as_mut().expect("set").recorded_on = d(2024, 5, 2),
            "consent.recorded_on",
            ProblemKind::Inconsistent,
        ),
        (
            |f| f.exploitation_end = Some(d(2022, 1, 1)),
            "exploitation_end",
            ProblemKind::Inconsistent,
        ),
        (
            |f| f.exploitation_ongoing = true,
            "exploitation_end",
            ProblemKind::Inconsistent,
        ),
        (
            |f| f.referral_date = Some(d(2025, 1, 1)),
            "referral_date",
            ProblemKind::Invalid,
        ),
        (
            |f| f.age.age_years = Some(20),
            "age.age_years",
            ProblemKind::Inconsistent,
        ),
        (
            |f| f.indicators = vec![],
            "indicators",
            ProblemKind::Missing,
        ),
    ];
    for (edit, field, kind) in cases {
        let mut f = complete();
        edit(&mut f);
        let problems = check(&f, d(2024, 6, 1));
        assert!(
            problems.iter().any(|p| p.field == field && p.kind == kind),
            "{field} {kind:?} not in {problems:?}"
        );
    }
}

#[test]
fn children_need_no_consent_record() {
    let mut f = complete();
    f.age = AgeFacts {
        possibly_under_18: true,
        ..Default::default()
    };
    f.consent = None;
    assert_eq!(check(&f, d(2024, 6, 1)), vec![]);
}
