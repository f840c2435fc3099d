use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::d;
use crate::jurisdiction::Jurisdiction::{
    self, EnglandAndWales as EW, NorthernIreland as NI, Scotland as SC,
};
use crate::rules::{RuleBook, RuleSet, rules_at};

/// One parameter of a rule set, rendered for comparison.
type Project = fn(&RuleSet<'_>) -> String;

fn nrm(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.nrm_in_force.value)
}
fn authorities(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.competent_authorities.value)
}
fn rg_target(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.rg_target_working_days.value)
}
fn rg_test(r: &RuleSet<'_>) -> String {
    let t = r.rg_test.value.unwrap_or("none");
    let key = if t.contains("suspect") {
        "suspect"
    } else if t.contains("objective factors") {
        "objective factors"
    } else if t.contains("general and specific") {
        "general and specific evidence"
    } else {
        t
    };
    key.to_owned()
}
fn cg_test(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.cg_test.value)
}
fn recovery_days(r: &RuleSet<'_>) -> String {
    r.recovery_period
        .value
        .map_or("none".into(), |p| p.days.to_string())
}
fn recovery(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.recovery_period.value)
}
fn cg_earliest(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.cg_earliest_days.value)
}
fn reconsideration(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.reconsideration_days.value)
}
fn move_on(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.move_on.value)
}
fn move_on_source(r: &RuleSet<'_>) -> String {
    r.move_on
        .source
        .split(" Act")
        .next()
        .unwrap_or("")
        .to_owned()
}
fn dtn(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.duty_to_notify.value)
}
fn public_order(r: &RuleSet<'_>) -> String {
    format!("{:?}", r.public_order_disqualification.value)
}

/// (jurisdiction, change date, parameter, value the day before, value on the day, source).
type Case = (
    Jurisdiction,
    NaiveDate,
    Project,
    &'static str,
    &'static str,
    &'static str,
);

fn cases() -> Vec<Case> {
    const NRM_SRC: &str = "NRM launched 2009-04-01 (Home Office; CoE Convention Art. 10)";
    let mut v: Vec<Case> = Vec::new();
    for j in [EW, SC, NI] {
        v.push((j, d(2009, 4, 1), nrm, "false", "true", NRM_SRC));
        v.push((
            j,
            d(2009, 4, 1),
            authorities,
            "NoNrm",
            "UkhtcAndHomeOffice",
            NRM_SRC,
        ));
        v.push((
            j,
            d(2009, 4, 1),
            rg_target,
            "None",
            "Some(5)",
            "Home Office guidance: RG target 5 working days",
        ));
        v.push((
            j,
            d(2009, 4, 1),
            rg_test,
            "none",
            "suspect",
            "Home Office guidance: RG 'suspect but cannot prove'",
        ));
        v.push((
            j,
            d(2009, 4, 1),
            cg_test,
            "None",
            "Some(\"on the balance of probabilities\")",
            "Home Office guidance: CG on the balance of probabilities",
        ));
        v.push((
            j,
            d(2009, 4, 1),
            recovery_days,
            "none",
            "45",
            "gov.uk NABA factsheet: 45 days as a matter of policy; NI 2015 Act s.18(4)",
        ));
        v.push((
            j,
            d(2009, 4, 1),
            cg_earliest,
            "None",
            "Some(45)",
            "Home Office guidance: no CG before the recovery period ends",
        ));
        v.push((
            j,
            d(2009, 4, 1),
            reconsideration,
            "None",
            "Some(30)",
            "domain brief: reconsideration within 30 calendar days",
        ));
        v.push((
            j,
            d(2019, 4, 29),
            authorities,
            "UkhtcAndHomeOffice",
            "SingleCompetentAuthority",
            "Home Office NRM reform: SCA from 2019-04-29 (domain brief)",
        ));
        v.push((
            j,
            d(2021, 11, 8),
            authorities,
            "SingleCompetentAuthority",
            "ScaAndIeca",
            "Home Office guidance: IECA from 2021-11-08 (domain brief)",
        ));
        v.push((
            j,
            d(2023, 1, 30),
            rg_test,
            "suspect",
            "objective factors",
            "Home Office statutory guidance in force 2023-01-30 (NABA 2022 s.60)",
        ));
        v.push((
            j,
            d(2023, 7, 10),
            rg_test,
            "objective factors",
            "general and specific evidence",
            "UNVERIFIED revision ~2023-07 (domain brief)",
        ));
        v.push((
            j,
            d(2023, 1, 30),
            public_order,
            "false",
            "true",
            "NABA 2022 s.63, in force 2023-01-30",
        ));
        v.push((
            j,
            d(2022, 12, 13),
            cg_earliest,
            "Some(45)",
            "Some(30)",
            "domain brief: CG no sooner than the recovery period (45, later 30)",
        ));
    }
    v.push((
        EW,
        d(2009, 4, 1),
        move_on,
        "NotProvided",
        "Days(45)",
        "domain brief: move-on at least 45 days (E&W)",
    ));
    v.push((
        SC,
        d(2009, 4, 1),
        move_on,
        "NotProvided",
        "Discretionary",
        "HTE(S)A 2015 s.9(3)(c)",
    ));
    v.push((
        NI,
        d(2009, 4, 1),
        move_on,
        "NotProvided",
        "Discretionary",
        "NI 2015 Act s.18(9)",
    ));
    v.push((
        NI,
        d(2022, 4, 28),
        move_on_source,
        "Human Trafficking and Exploitation (Criminal Justice and Support for Victims)",
        "Justice (Sexual Offences and Trafficking Victims)",
        "JSOTV Act (NI) 2022 s.21, in operation 2022-04-28",
    ));
    v.push((
        EW,
        d(2015, 11, 1),
        dtn,
        "false",
        "true",
        "Modern Slavery Act 2015 s.52, in force 2015-11-01",
    ));
    for j in [SC, NI] {
        v.push((
            j,
            d(2015, 11, 1),
            dtn,
            "false",
            "false",
            "MSA 2015 s.52 extends to England & Wales only",
        ));
    }
    v.push((
        SC,
        d(2018, 4, 1),
        recovery_days,
        "45",
        "90",
        "SSI 2018/90 reg. 2, in force 2018-04-01",
    ));
    v.push((SC, d(2018, 4, 1), recovery, "Some(RecoveryRule { days: 45, first_day_counts: false, end: LaterOfCgAndPeriod, extendable: false })", "Some(RecoveryRule { days: 90, first_day_counts: false, end: EarlierOfCgAndPeriod, extendable: true })", "SSI 2018/90 reg. 3(3): ends on the earlier of 90 days and the conclusive determination"));
    v.push((NI, d(2022, 4, 28), recovery, "Some(RecoveryRule { days: 45, first_day_counts: false, end: UntilCgOrPeriodIfPositive, extendable: false })", "Some(RecoveryRule { days: 45, first_day_counts: false, end: UntilCgOrPeriodIfPositive, extendable: true })", "JSOTV Act (NI) 2022 s.21(3)(b): 'or such longer period as the Department thinks necessary'"));
    v.push((
        EW,
        d(2022, 12, 13),
        recovery_days,
        "45",
        "30",
        "domain brief (UNVERIFIED date): E&W 30 days after 2022-12-13",
    ));
    v.push((EW, d(2023, 1, 30), recovery, "Some(RecoveryRule { days: 30, first_day_counts: false, end: LaterOfCgAndPeriod, extendable: false })", "Some(RecoveryRule { days: 30, first_day_counts: true, end: LaterOfCgAndPeriod, extendable: false })", "NABA 2022 s.61 and MSA 2015 s.50A (inserted by NABA s.64), in force 2023-01-30"));
    v.push((
        SC,
        d(2022, 12, 13),
        recovery_days,
        "90",
        "90",
        "SSI 2018/90: the E&W change does not reach Scotland",
    ));
    v.push((
        NI,
        d(2022, 12, 13),
        recovery_days,
        "45",
        "45",
        "NI 2015 Act s.18(4): the E&W change does not reach NI",
    ));
    v
}

#[test]
fn every_rule_change_on_both_sides_of_its_date() {
    for (j, date, project, before, on, source) in cases() {
        let day_before = date.pred_opt().expect("date has a predecessor");
        let got_before = project(&rules_at(j, day_before));
        let got_on = project(&rules_at(j, date));
        assert_eq!(
            got_before, before,
            "{j} day before {date} (source: {source})"
        );
        assert_eq!(got_on, on, "{j} on {date} (source: {source})");
    }
}

#[test]
fn every_change_date_in_the_table_is_covered_by_a_case() {
    let covered: std::collections::BTreeSet<(Jurisdiction, NaiveDate)> =
        cases().iter().map(|c| (c.0, c.1)).collect();
    for j in Jurisdiction::ALL {
        for date in RuleBook::default().change_dates(j) {
            assert!(covered.contains(&(j, date)), "no case for {j} on {date}");
        }
    }
}

#[test]
fn unverified_parameters_are_reported() {
    let book = RuleBook::default();
    let unverified = book.unverified_params();
    for name in ["rg_test", "recovery_period", "move_on", "cg_earliest_days"] {
        assert!(unverified.contains(&name), "{name} should be flagged");
    }
    assert!(
        rules_at(EW, d(2024, 1, 1))
            .unverified()
            .contains(&"rg_test")
    );
    assert!(
        !rules_at(EW, d(2016, 1, 1))
            .unverified()
            .contains(&"duty_to_notify")
    );
}

#[test]
fn a_deployment_can_override_an_unverified_parameter() {
    let mut book = RuleBook::default();
    let revised = book
        .rg_test
        .changes
        .iter_mut()
        .find(|c| c.from == d(2023, 7, 10))
        .expect("the unverified revision is in the table");
    revised.provision.value = Some("checked wording".into());
    revised.provision.unverified = false;
    let rs = book.rules_at(EW, d(2024, 1, 1));
    assert_eq!(rs.rg_test.value, Some("checked wording"));
    assert!(!rs.rg_test.unverified);
    // The built-in table is untouched.
    assert_ne!(
        rules_at(EW, d(2024, 1, 1)).rg_test.value,
        Some("checked wording")
    );
}

#[test]
fn the_book_round_trips_through_json() {
    let book = RuleBook::default();
    let json = serde_json::to_string(&book).expect("serialises");
    let back: RuleBook = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, book);
}

fn same_rules(a: &RuleSet<'_>, b: &RuleSet<'_>) -> bool {
    let mut b = b.clone();
    b.date = a.date;
    *a == b
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..(130 * 366)).prop_map(|n| d(1971, 1, 1) + Days::new(n))
}

fn any_jurisdiction() -> impl Strategy<Value = Jurisdiction> {
    prop::sample::select(Jurisdiction::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// rules_at is total over 1971–2100 and constant between consecutive change dates.
    #[test]
    fn rules_are_total_and_piecewise_constant(j in any_jurisdiction(), date in any_date()) {
        let book = RuleBook::default();
        let here = book.rules_at(j, date);
        let changes = book.change_dates(j);
        let start = changes.iter().rev().find(|c| **c <= date).copied().unwrap_or(d(1971, 1, 1));
        prop_assert!(same_rules(&here, &book.rules_at(j, start)));
        if let Some(next) = changes.iter().find(|c| **c > date) {
            let last = next.pred_opt().expect("has predecessor");
            prop_assert!(same_rules(&here, &book.rules_at(j, last)));
        }
    }

    /// `since`/`until` bracket the date for every parameter.
    #[test]
    fn provenance_brackets_the_date(j in any_jurisdiction(), date in any_date()) {
        let r = rules_at(j, date);
        for (since, until) in [
            (r.recovery_period.since, r.recovery_period.until),
            (r.rg_test.since, r.rg_test.until),
            (r.competent_authorities.since, r.competent_authorities.until),
            (r.move_on.since, r.move_on.until),
        ] {
            prop_assert!(since.is_none_or(|s| s <= date));
            prop_assert!(until.is_none_or(|u| u > date));
        }
    }
}
