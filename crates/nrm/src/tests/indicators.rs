use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::indicators::{
    AgeGroup, Catalogue, Conclusion, DecisionRule, Dimension, ExploitationKind, Strength, assess,
    assess_with, catalogue,
};

#[test]
fn adult_labour_counts_per_dimension_match_the_publication() {
    // Brief (ILO/EC 2009, adults trafficked for labour): 10, 10, 16, 9, 15, 7 = 67.
    let mut counts: BTreeMap<Dimension, usize> = BTreeMap::new();
    for e in Catalogue::builtin().profile(AgeGroup::Adult, ExploitationKind::Labour) {
        *counts.entry(e.dimension).or_default() += 1;
        assert!(
            !e.verified,
            "secondary-source entries must be marked unverified"
        );
    }
    let got: Vec<usize> = Dimension::ALL.iter().map(|d| counts[d]).collect();
    assert_eq!(got, vec![10, 10, 16, 9, 15, 7]);
    assert_eq!(
        Catalogue::builtin()
            .profile(AgeGroup::Child, ExploitationKind::Labour)
            .count(),
        65
    );
    assert_eq!(
        Catalogue::builtin()
            .profile(AgeGroup::Adult, ExploitationKind::Sexual)
            .count(),
        0
    );
    assert_eq!(catalogue::FORCED_LABOUR.len(), 11);
}

#[test]
fn ids_are_unique_within_a_profile() {
    for age in [AgeGroup::Adult, AgeGroup::Child] {
        let ids: Vec<_> = Catalogue::builtin()
            .profile(age, ExploitationKind::Labour)
            .map(|e| e.id.clone())
            .collect();
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len());
    }
}

#[test]
fn dimension_rule_table() {
    // (observed in coercion at destination, positive?) — the brief's unverified rule:
    // ≥2 strong | 1 strong + 1 medium/weak | 3 medium | 2 medium + 1 weak.
    let cases: [(&[&str], bool); 9] = [
        (&["CD01", "CD02"], true),         // 2 strong
        (&["CD01", "CD09"], true),         // 1 strong + 1 medium
        (&["CD01", "CD15"], true),         // 1 strong + 1 weak
        (&["CD09", "CD10", "CD11"], true), // 3 medium
        (&["CD09", "CD10", "CD15"], true), // 2 medium + 1 weak
        (&["CD01"], false),                // 1 strong alone
        (&["CD09", "CD10"], false),        // 2 medium
        (&["CD09", "CD15"], false),        // 1 medium + 1 weak
        (&["CD15", "CD15"], false),        // repeats count once
    ];
    for (observed, positive) in cases {
        let a = assess(observed, AgeGroup::Adult, ExploitationKind::Labour);
        let dim = &a.dimensions[4];
        assert_eq!(dim.dimension, Dimension::CoercionAtDestination);
        assert_eq!(dim.positive, positive, "{observed:?}");
    }
}

#[test]
fn a_likely_adult_victim_is_explained() {
    let a = assess(
        &["DR01", "DR02", "EX01", "EX02", "CD01", "CD02", "AVD01"],
        AgeGroup::Adult,
        ExploitationKind::Labour,
    );
    assert_eq!(a.conclusion, Conclusion::LikelyVictim);
    assert!(a.rule_unverified && a.uses_unverified_indicators);
    for id in ["DR01", "DR02", "EX01", "EX02", "CD01", "CD02"] {
        assert!(
            a.evidence.iter().any(|e| e == id),
            "{id} not in evidence {:?}",
            a.evidence
        );
    }
    assert!(
        !a.evidence.iter().any(|e| e == "AVD01"),
        "a negative dimension is not evidence"
    );
    assert_eq!(a.requirements.len(), 3);
    assert!(a.requirements.iter().all(|r| !r.met_by.is_empty()));
    let dr = &a.dimensions[0];
    assert_eq!(
        dr.indicators[0].strength,
        Strength::Strong,
        "strongest first"
    );
}

#[test]
fn an_adult_needs_means_but_a_child_does_not() {
    let observed = ["EX01", "EX02"];
    assert_eq!(
        assess(&observed, AgeGroup::Adult, ExploitationKind::Labour).conclusion,
        Conclusion::NotIndicated
    );
    let child = assess(&observed, AgeGroup::Child, ExploitationKind::Labour);
    assert_eq!(child.conclusion, Conclusion::LikelyVictim);
    assert_eq!(child.evidence.len(), 2);
}

#[test]
fn unknown_ids_and_missing_lists_are_reported_not_guessed() {
    let a = assess(
        &["NOPE", "AVR08"],
        AgeGroup::Child,
        ExploitationKind::Labour,
    );
    assert_eq!(a.unknown, vec!["NOPE".to_string()]);
    assert_eq!(
        a.not_in_profile,
        vec!["AVR08".to_string()],
        "AVR08 is not in the children's list"
    );
    let s = assess(&["CD01", "CD02"], AgeGroup::Adult, ExploitationKind::Sexual);
    assert_eq!(s.conclusion, Conclusion::NoIndicatorList);
}

#[test]
fn the_rule_is_configurable() {
    let mut rule = DecisionRule::default();
    rule.dimension_positive_when.retain(|c| c.strong >= 2);
    let a = assess_with(
        Catalogue::builtin(),
        &rule,
        &["CD01", "CD09"],
        AgeGroup::Adult,
        ExploitationKind::Labour,
    );
    assert!(!a.dimensions[4].positive);
}

fn any_ids() -> impl Strategy<Value = Vec<String>> {
    let ids: Vec<String> = catalogue::DELPHI_LABOUR
        .iter()
        .map(|r| r.0.to_string())
        .collect();
    prop::collection::vec(prop::sample::select(ids), 0..20)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Adding an observed indicator never turns a positive dimension negative, nor a likely
    /// victim into anything else.
    #[test]
    fn assessment_is_monotone(observed in any_ids(), extra in any_ids(), child in any::<bool>()) {
        let age = if child { AgeGroup::Child } else { AgeGroup::Adult };
        let before = assess(&observed, age, ExploitationKind::Labour);
        let mut more = observed.clone();
        more.extend(extra);
        let after = assess(&more, age, ExploitationKind::Labour);
        for (b, a) in before.dimensions.iter().zip(&after.dimensions) {
            prop_assert!(!b.positive || a.positive, "{:?} turned negative", b.dimension);
        }
        if before.conclusion == Conclusion::LikelyVictim {
            prop_assert_eq!(after.conclusion, Conclusion::LikelyVictim);
        }
    }
}
