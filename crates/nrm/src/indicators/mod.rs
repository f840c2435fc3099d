//! Identification indicators: the catalogue (data) and the assessment that explains itself.
//!
//! An [`Assessment`] names, for each of the six ILO/EC dimensions, the observed indicators and
//! their strengths, whether the dimension is positive and by which combination, and the overall
//! conclusion with the dimensions and indicators that produced it. The decision rule is a dated,
//! configurable [`DecisionRule`]; the built-in one is the brief's *unverified* secondary-source
//! rule.

pub mod catalogue;

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::Text;

/// The six dimensions of the ILO/EC operational indicators (the elements of the Palermo
/// Protocol's definition).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Deceptive recruitment (including transfer and transport).
    DeceptiveRecruitment,
    /// Coercive recruitment.
    CoerciveRecruitment,
    /// Recruitment by abuse of vulnerability.
    RecruitmentAbuseOfVulnerability,
    /// Exploitation.
    Exploitation,
    /// Coercion at destination.
    CoercionAtDestination,
    /// Abuse of vulnerability at destination.
    AbuseOfVulnerabilityAtDestination,
}

impl Dimension {
    /// All six, in the publication's order.
    pub const ALL: [Dimension; 6] = [
        Dimension::DeceptiveRecruitment,
        Dimension::CoerciveRecruitment,
        Dimension::RecruitmentAbuseOfVulnerability,
        Dimension::Exploitation,
        Dimension::CoercionAtDestination,
        Dimension::AbuseOfVulnerabilityAtDestination,
    ];

    /// The dimension's name.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::DeceptiveRecruitment => "deceptive recruitment",
            Dimension::CoerciveRecruitment => "coercive recruitment",
            Dimension::RecruitmentAbuseOfVulnerability => "recruitment by abuse of vulnerability",
            Dimension::Exploitation => "exploitation",
            Dimension::CoercionAtDestination => "coercion at destination",
            Dimension::AbuseOfVulnerabilityAtDestination => "abuse of vulnerability at destination",
        }
    }

    /// Position in [`Dimension::ALL`]: always < 6, so indexing the six-element per-dimension
    /// arrays and vectors built from `ALL` cannot go out of bounds.
    fn index(self) -> usize {
        self as usize
    }
}

/// How strongly an indicator points to trafficking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Strong.
    Strong,
    /// Medium.
    Medium,
    /// Weak.
    Weak,
}

/// Adult or child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// 18 or over.
    Adult,
    /// Under 18 (or treated as such).
    Child,
}

/// The kind of exploitation an indicator list is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExploitationKind {
    /// Labour exploitation.
    Labour,
    /// Sexual exploitation.
    Sexual,
}

/// One indicator in one profile (age group × exploitation kind).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorEntry {
    /// Stable id, shared by the same indicator across profiles (e.g. `CD01`).
    pub id: Text,
    /// The indicator's wording.
    pub text: Text,
    /// Its dimension.
    pub dimension: Dimension,
    /// Its strength in this profile.
    pub strength: Strength,
    /// The profile's age group.
    pub age_group: AgeGroup,
    /// The profile's exploitation kind.
    pub kind: ExploitationKind,
    /// True only when checked against the primary source.
    pub verified: bool,
    /// Where it comes from.
    pub source: Text,
}

/// An indicator catalogue. [`Catalogue::default`] is the built-in one (see [`catalogue`] for what
/// it holds and what is unverified); a deployment may add or replace entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// The entries, one per indicator and profile.
    pub entries: Vec<IndicatorEntry>,
}

impl Default for Catalogue {
    fn default() -> Self {
        let mut entries = Vec::with_capacity(2 * catalogue::DELPHI_LABOUR.len());
        for (age_group, pick) in [(AgeGroup::Adult, 0usize), (AgeGroup::Child, 1usize)] {
            for (id, dimension, text, adult, child) in catalogue::DELPHI_LABOUR {
                let strength = if pick == 0 { Some(adult) } else { child };
                if let Some(strength) = strength {
                    entries.push(IndicatorEntry {
                        id: Cow::Borrowed(id),
                        text: Cow::Borrowed(text),
                        dimension,
                        strength,
                        age_group,
                        kind: ExploitationKind::Labour,
                        verified: false,
                        source: Cow::Borrowed(catalogue::DELPHI_2009_SECONDARY),
                    });
                }
            }
        }
        Catalogue { entries }
    }
}

static BUILTIN_CATALOGUE: std::sync::LazyLock<Catalogue> =
    std::sync::LazyLock::new(Catalogue::default);

impl Catalogue {
    /// The built-in catalogue, shared.
    pub fn builtin() -> &'static Catalogue {
        &BUILTIN_CATALOGUE
    }

    /// The entries of one profile.
    pub fn profile(
        &self,
        age: AgeGroup,
        kind: ExploitationKind,
    ) -> impl Iterator<Item = &IndicatorEntry> {
        self.entries
            .iter()
            .filter(move |e| e.age_group == age && e.kind == kind)
    }

    /// The entry for `id` in a profile.
    pub fn get(&self, id: &str, age: AgeGroup, kind: ExploitationKind) -> Option<&IndicatorEntry> {
        self.profile(age, kind).find(|e| e.id == id)
    }

    /// Is `id` in any profile?
    pub fn knows(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id == id)
    }
}

/// A combination of observed strengths that makes a dimension positive: at least `strong` strong,
/// `medium` medium and `weak` weak indicators, plus `medium_or_weak` more of either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Combination {
    /// Strong indicators needed.
    pub strong: u8,
    /// Medium indicators needed.
    pub medium: u8,
    /// Weak indicators needed.
    pub weak: u8,
    /// Further medium-or-weak indicators needed.
    pub medium_or_weak: u8,
}

impl Combination {
    /// Do these counts satisfy the combination? Monotone: more indicators never un-satisfy it.
    pub fn satisfied_by(&self, strong: usize, medium: usize, weak: usize) -> bool {
        let (s, m, w) = (
            usize::from(self.strong),
            usize::from(self.medium),
            usize::from(self.weak),
        );
        strong >= s
            && medium >= m
            && weak >= w
            && (medium - m) + (weak - w) >= usize::from(self.medium_or_weak)
    }
}

impl std::fmt::Display for Combination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.strong, "strong"),
            (self.medium, "medium"),
            (self.weak, "weak"),
            (self.medium_or_weak, "medium or weak"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        f.write_str(&parts.join(" + "))
    }
}

/// The decision rule: when a dimension is positive and which dimensions make a likely victim.
/// Requirements are "all of these groups, each met by any one of its dimensions".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRule {
    /// A name for the rule, reported in every assessment.
    pub id: Text,
    /// The first day the rule applies.
    pub in_force_from: NaiveDate,
    /// Where it comes from.
    pub source: Text,
    /// True when not confirmed against a primary source.
    pub unverified: bool,
    /// A dimension is positive when any of these combinations is satisfied.
    pub dimension_positive_when: Vec<Combination>,
    /// For adults: every group must have a positive dimension.
    pub adult_requires: Vec<Vec<Dimension>>,
    /// For children: every group must have a positive dimension (no "means" needed).
    pub child_requires: Vec<Vec<Dimension>>,
}

impl Default for DecisionRule {
    /// The brief's rule (secondary source; unverified), from the list's publication (March 2009).
    fn default() -> Self {
        use Dimension::*;
        let c = |strong, medium, weak, medium_or_weak| Combination {
            strong,
            medium,
            weak,
            medium_or_weak,
        };
        DecisionRule {
            id: Cow::Borrowed("ilo-ec-2009-secondary"),
            in_force_from: NaiveDate::from_ymd_opt(2009, 3, 1).unwrap_or_default(),
            source: Cow::Borrowed(
                "unchain domain brief, after a secondary-source reading of ILO/EC Operational indicators of trafficking in human beings (2009) — UNVERIFIED",
            ),
            unverified: true,
            dimension_positive_when: vec![
                c(2, 0, 0, 0),
                c(1, 0, 0, 1),
                c(0, 3, 0, 0),
                c(0, 2, 1, 0),
            ],
            adult_requires: vec![
                vec![
                    DeceptiveRecruitment,
                    CoerciveRecruitment,
                    RecruitmentAbuseOfVulnerability,
                ],
                vec![Exploitation],
                vec![CoercionAtDestination, AbuseOfVulnerabilityAtDestination],
            ],
            child_requires: vec![vec![Exploitation]],
        }
    }
}

/// Decision rules by date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRules {
    /// The rules; the one with the latest `in_force_from` on or before a date applies.
    pub rules: Vec<DecisionRule>,
}

impl Default for DecisionRules {
    fn default() -> Self {
        DecisionRules {
            rules: vec![DecisionRule::default()],
        }
    }
}

impl DecisionRules {
    /// The rule in force on `date` (the earliest rule for dates before every rule; `None` only when
    /// there are no rules).
    pub fn at(&self, date: NaiveDate) -> Option<&DecisionRule> {
        let in_force = self
            .rules
            .iter()
            .filter(|r| r.in_force_from <= date)
            .max_by_key(|r| r.in_force_from);
        in_force.or_else(|| self.rules.iter().min_by_key(|r| r.in_force_from))
    }
}

/// An observed indicator as counted in a dimension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counted {
    /// Its id.
    pub id: Text,
    /// Its wording.
    pub text: Text,
    /// Its strength in the assessed profile.
    pub strength: Strength,
    /// Whether the entry is verified.
    pub verified: bool,
}

/// One dimension's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DimensionResult {
    /// The dimension.
    pub dimension: Dimension,
    /// Positive under the rule.
    pub positive: bool,
    /// The combination that made it positive (the first satisfied, in the rule's order).
    pub satisfied: Option<Combination>,
    /// The observed indicators in this dimension, strongest first.
    pub indicators: Vec<Counted>,
}

/// The overall conclusion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// Every requirement of the rule is met: a likely victim of trafficking.
    LikelyVictim,
    /// Some requirement is not met.
    NotIndicated,
    /// The catalogue holds no indicators for this profile, so nothing could be assessed.
    NoIndicatorList,
}

/// One requirement group and how it fared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequirementResult {
    /// Any one of these dimensions meets the requirement.
    pub any_of: Vec<Dimension>,
    /// The positive dimensions that met it (empty: not met).
    pub met_by: Vec<Dimension>,
}

/// A full, self-explaining assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Adult or child.
    pub age_group: AgeGroup,
    /// Labour or sexual.
    pub kind: ExploitationKind,
    /// The rule applied (its id).
    pub rule: Text,
    /// Whether the rule is unverified.
    pub rule_unverified: bool,
    /// The six dimensions, in order.
    pub dimensions: Vec<DimensionResult>,
    /// Each requirement group of the rule and the dimensions that met it.
    pub requirements: Vec<RequirementResult>,
    /// The conclusion.
    pub conclusion: Conclusion,
    /// The indicators (ids) in the positive dimensions that met the requirements: what produced
    /// the conclusion.
    pub evidence: Vec<Text>,
    /// Observed ids found in no profile of the catalogue.
    pub unknown: Vec<String>,
    /// Observed ids known in other profiles but not in this one (not counted).
    pub not_in_profile: Vec<String>,
    /// True when any counted indicator is unverified.
    pub uses_unverified_indicators: bool,
}

/// Assess observed indicator ids for a profile with the built-in catalogue and rule.
pub fn assess<S: AsRef<str>>(observed: &[S], age: AgeGroup, kind: ExploitationKind) -> Assessment {
    static RULE: std::sync::LazyLock<DecisionRule> =
        std::sync::LazyLock::new(DecisionRule::default);
    assess_with(Catalogue::builtin(), &RULE, observed, age, kind)
}

/// Assess observed indicator ids for a profile with a given catalogue and rule. Repeated ids
/// count once.
pub fn assess_with<S: AsRef<str>>(
    catalogue: &Catalogue,
    rule: &DecisionRule,
    observed: &[S],
    age: AgeGroup,
    kind: ExploitationKind,
) -> Assessment {
    let ids: BTreeSet<&str> = observed.iter().map(|s| s.as_ref().trim()).collect();
    let mut per_dim: [Vec<Counted>; 6] = Default::default();
    let mut unknown = Vec::new();
    let mut not_in_profile = Vec::new();
    for id in ids {
        match catalogue.get(id, age, kind) {
            Some(e) => per_dim[e.dimension.index()].push(Counted {
                id: e.id.clone(),
                text: e.text.clone(),
                strength: e.strength,
                verified: e.verified,
            }),
            None if catalogue.knows(id) => not_in_profile.push(id.to_owned()),
            None => unknown.push(id.to_owned()),
        }
    }
    let uses_unverified_indicators = per_dim.iter().flatten().any(|c| !c.verified);
    let dimensions: Vec<DimensionResult> = Dimension::ALL
        .iter()
        .zip(per_dim)
        .map(|(&dimension, mut indicators)| {
            indicators.sort_by(|a, b| a.strength.cmp(&b.strength).then_with(|| a.id.cmp(&b.id)));
            let count = |s| indicators.iter().filter(|c| c.strength == s).count();
            let (s, m, w) = (
                count(Strength::Strong),
                count(Strength::Medium),
                count(Strength::Weak),
            );
            let satisfied = rule
                .dimension_positive_when
                .iter()
                .find(|c| c.satisfied_by(s, m, w))
                .copied();
            DimensionResult {
                dimension,
                positive: satisfied.is_some(),
                satisfied,
                indicators,
            }
        })
        .collect();
    let groups = match age {
        AgeGroup::Adult => &rule.adult_requires,
        AgeGroup::Child => &rule.child_requires,
    };
    let requirements: Vec<RequirementResult> = groups
        .iter()
        .map(|any_of| RequirementResult {
            any_of: any_of.clone(),
            met_by: any_of
                .iter()
                .copied()
                .filter(|d| dimensions[d.index()].positive)
                .collect(),
        })
        .collect();
    let has_list = catalogue.profile(age, kind).next().is_some();
    let conclusion = if !has_list {
        Conclusion::NoIndicatorList
    } else if requirements.iter().all(|r| !r.met_by.is_empty()) {
        Conclusion::LikelyVictim
    } else {
        Conclusion::NotIndicated
    };
    let evidence = if conclusion == Conclusion::LikelyVictim {
        let used: BTreeSet<Dimension> = requirements
            .iter()
            .flat_map(|r| r.met_by.iter().copied())
            .collect();
        used.iter()
            .flat_map(|d| {
                dimensions[d.index()]
                    .indicators
                    .iter()
                    .map(|c| c.id.clone())
            })
            .collect()
    } else {
        Vec::new()
    };
    Assessment {
        age_group: age,
        kind,
        rule: rule.id.clone(),
        rule_unverified: rule.unverified,
        dimensions,
        requirements,
        conclusion,
        evidence,
        unknown,
        not_in_profile,
        uses_unverified_indicators,
    }
}
