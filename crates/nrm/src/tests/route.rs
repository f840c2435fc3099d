use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::d;
use crate::jurisdiction::Jurisdiction::{
    self, EnglandAndWales as EW, NorthernIreland as NI, Scotland as SC,
};
use crate::route::{
    AgeFacts, AgeStatus, Consent, ReferrerKind as K, RouteDecision as D, RouteFacts,
    RouteReason as R, route,
};

fn adult() -> AgeFacts {
    AgeFacts {
        age_years: Some(30),
        ..Default::default()
    }
}
fn child() -> AgeFacts {
    AgeFacts {
        age_years: Some(15),
        ..Default::default()
    }
}
fn facts(
    j: Jurisdiction,
    date: NaiveDate,
    age: AgeFacts,
    consent: Consent,
    referrer: K,
) -> RouteFacts {
    RouteFacts {
        jurisdiction: j,
        date,
        age,
        consent,
        referrer,
    }
}

#[test]
fn route_table() {
    // (facts, decision, through a First Responder, a reason that must be present, source)
    let cases = [
        (
            facts(EW, d(2024, 1, 1), adult(), Consent::Given, K::Police),
            D::NrmReferral,
            false,
            R::AdultConsented,
            "brief: adults need informed consent",
        ),
        (
            facts(
                EW,
                d(2024, 1, 1),
                adult(),
                Consent::Given,
                K::NotFirstResponder,
            ),
            D::NrmReferral,
            true,
            R::MustGoThroughFirstResponder,
            "brief: an NGO that is not an FRO refers through one",
        ),
        (
            facts(EW, d(2024, 1, 1), child(), Consent::Refused, K::Police),
            D::NrmReferral,
            false,
            R::ChildNeverDutyToNotify,
            "brief: children are referred, no consent, never DtN",
        ),
        (
            facts(
                SC,
                d(2024, 1, 1),
                child(),
                Consent::NotRecorded,
                K::NotFirstResponder,
            ),
            D::NrmReferral,
            true,
            R::Child,
            "brief: children must be referred",
        ),
        (
            facts(
                NI,
                d(2024, 1, 1),
                AgeFacts {
                    age_years: Some(25),
                    possibly_under_18: true,
                    ..Default::default()
                },
                Consent::Refused,
                K::Police,
            ),
            D::NrmReferral,
            false,
            R::PossiblyChild,
            "brief: possibly under 18 is treated as a child",
        ),
        (
            facts(EW, d(2015, 11, 1), adult(), Consent::Refused, K::Police),
            D::DutyToNotify,
            false,
            R::DutyToNotifyApplies,
            "MSA 2015 s.52 in force 2015-11-01",
        ),
        (
            facts(EW, d(2015, 10, 31), adult(), Consent::Refused, K::Police),
            D::NoReferralPossible,
            false,
            R::DutyToNotifyNotAvailable,
            "MSA 2015 s.52 not yet in force",
        ),
        (
            facts(
                EW,
                d(2024, 1, 1),
                adult(),
                Consent::Refused,
                K::HomeOfficeImmigration,
            ),
            D::DutyToNotify,
            false,
            R::DutyToNotifyApplies,
            "brief: Home Office immigration bodies notify by policy",
        ),
        (
            facts(
                EW,
                d(2024, 1, 1),
                adult(),
                Consent::Refused,
                K::OtherFirstResponder,
            ),
            D::NoReferralPossible,
            false,
            R::ReferrerHasNoDutyToNotify,
            "MSA 2015 s.52(5): only specified public authorities",
        ),
        (
            facts(SC, d(2024, 1, 1), adult(), Consent::Refused, K::Police),
            D::NoReferralPossible,
            false,
            R::DutyToNotifyNotAvailable,
            "brief: DtN is England & Wales only",
        ),
        (
            facts(NI, d(2024, 1, 1), adult(), Consent::Refused, K::Police),
            D::NoReferralPossible,
            false,
            R::DutyToNotifyNotAvailable,
            "brief: DtN is England & Wales only",
        ),
        (
            facts(EW, d(2024, 1, 1), adult(), Consent::NotRecorded, K::Police),
            D::NoReferralPossible,
            false,
            R::ConsentNotRecorded,
            "brief: adults need informed consent",
        ),
        (
            facts(
                EW,
                d(2024, 1, 1),
                AgeFacts::default(),
                Consent::Given,
                K::Police,
            ),
            D::NoReferralPossible,
            false,
            R::AgeUnknown,
            "brief: age or possibly-under-18 decides the route",
        ),
        (
            facts(EW, d(2009, 3, 31), child(), Consent::Given, K::Police),
            D::NoReferralPossible,
            false,
            R::NrmNotInForce,
            "NRM began 2009-04-01",
        ),
        (
            facts(EW, d(2009, 4, 1), child(), Consent::Given, K::Police),
            D::NrmReferral,
            false,
            R::Child,
            "NRM began 2009-04-01",
        ),
    ];
    for (f, decision, via, reason, source) in cases {
        let r = route(&f).expect("valid facts");
        assert_eq!(r.decision, decision, "{f:?} ({source})");
        assert_eq!(r.through_first_responder, via, "{f:?} ({source})");
        assert!(
            r.reasons.contains(&reason),
            "{f:?}: {:?} lacks {reason:?} ({source})",
            r.reasons
        );
    }
}

#[test]
fn age_from_date_of_birth_turns_on_the_eighteenth_birthday() {
    let age = AgeFacts {
        date_of_birth: Some(d(2006, 3, 1)),
        ..Default::default()
    };
    assert_eq!(
        age.status_on(d(2024, 2, 29)).expect("valid"),
        AgeStatus::Child(17)
    );
    assert_eq!(
        age.status_on(d(2024, 3, 1)).expect("valid"),
        AgeStatus::Adult(18)
    );
    assert!(
        age.status_on(d(2005, 1, 1)).is_err(),
        "a birth after the as-of date is an error"
    );
}

#[test]
fn reasons_read_as_sentences() {
    let r = route(&facts(
        EW,
        d(2024, 1, 1),
        adult(),
        Consent::Given,
        K::NotFirstResponder,
    ))
    .expect("valid");
    let text: Vec<String> = r.reasons.iter().map(|r| r.to_string()).collect();
    assert!(text.iter().any(|t| t.contains("First Responder")));
}

fn any_referrer() -> impl Strategy<Value = K> {
    prop::sample::select(vec![
        K::Police,
        K::LocalAuthority,
        K::Nca,
        K::Glaa,
        K::HomeOfficeImmigration,
        K::OtherFirstResponder,
        K::NotFirstResponder,
    ])
}
fn any_consent() -> impl Strategy<Value = Consent> {
    prop::sample::select(vec![Consent::Given, Consent::Refused, Consent::NotRecorded])
}
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..(60 * 366)).prop_map(|n| d(1990, 1, 1) + Days::new(n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A child (or possible child) is never routed to the Duty to Notify, and is always referred
    /// once the NRM exists — whatever the consent and the referrer.
    #[test]
    fn a_child_never_gets_duty_to_notify(
        j in prop::sample::select(Jurisdiction::ALL.to_vec()),
        date in any_date(),
        years in 0u32..18,
        possibly in any::<bool>(),
        consent in any_consent(),
        referrer in any_referrer(),
    ) {
        let age = if possibly { AgeFacts { possibly_under_18: true, ..Default::default() } } else { AgeFacts { age_years: Some(years), ..Default::default() } };
        let r = route(&facts(j, date, age, consent, referrer)).expect("valid");
        prop_assert_ne!(r.decision, D::DutyToNotify);
        if date >= d(2009, 4, 1) {
            prop_assert_eq!(r.decision, D::NrmReferral);
            prop_assert_eq!(r.through_first_responder, !referrer.is_first_responder());
        }
    }

    /// Duty to Notify only for a refusing adult, in England & Wales, from 2015-11-01, by a body
    /// with the duty; and every route has at least one reason.
    #[test]
    fn duty_to_notify_only_where_it_exists(
        j in prop::sample::select(Jurisdiction::ALL.to_vec()),
        date in any_date(),
        years in 18u32..90,
        consent in any_consent(),
        referrer in any_referrer(),
    ) {
        let r = route(&facts(j, date, AgeFacts { age_years: Some(years), ..Default::default() }, consent, referrer)).expect("valid");
        prop_assert!(!r.reasons.is_empty());
        if r.decision == D::DutyToNotify {
            prop_assert_eq!(j, EW);
            prop_assert!(date >= d(2015, 11, 1));
            prop_assert_eq!(consent, Consent::Refused);
            prop_assert!(referrer.has_duty_to_notify());
        }
        if r.decision == D::NrmReferral {
            prop_assert_eq!(consent, Consent::Given);
        }
    }
}
