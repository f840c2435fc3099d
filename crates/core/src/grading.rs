//! Intelligence grading before anything goes to police: 3x5x2 (College of Policing APP) and the
//! legacy 5x5x5 kept exactly as recorded, with the dated switch between them as a parameter.
//!
//! Sources: College of Policing APP "Intelligence management — intelligence report" (3x5x2: source
//! evaluation 1–3, intelligence assessment A–E, handling code P/C); the 5x5x5 system it replaced
//! (source A–E, intelligence 1–5, handling 1–5). The switch date is not pinned by any primary
//! source (3x5x2 was in College of Policing guidance by early 2017), so it is configurable.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 3x5x2 source evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceEvaluation {
    /// 1 — reliable.
    Reliable,
    /// 2 — untested.
    Untested,
    /// 3 — not reliable (some sources say "unreliable").
    NotReliable,
}

/// 3x5x2 intelligence assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntelligenceAssessment {
    /// A — known directly to the source.
    KnownDirectly,
    /// B — known indirectly to the source but corroborated.
    KnownIndirectlyCorroborated,
    /// C — known indirectly to the source.
    KnownIndirectly,
    /// D — not known.
    NotKnown,
    /// E — suspected to be false.
    SuspectedFalse,
}

/// 3x5x2 handling code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HandlingCode {
    /// P — lawful sharing permitted (policing purpose and a legitimate need to receive it).
    P,
    /// C — lawful sharing permitted with conditions (specific handling instructions apply).
    C,
}

/// Legacy 5x5x5 source evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LegacySource {
    /// A — always reliable.
    A,
    /// B — mostly reliable.
    B,
    /// C — sometimes reliable.
    C,
    /// D — unreliable.
    D,
    /// E — untested.
    E,
}

/// A grading as recorded: new records in 3x5x2, old records keep their 5x5x5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "system", rename_all = "snake_case")]
pub enum Grading {
    /// College of Policing 3x5x2.
    #[serde(rename = "3x5x2")]
    ThreeFiveTwo {
        /// Source evaluation (1–3).
        source: SourceEvaluation,
        /// Intelligence assessment (A–E).
        intelligence: IntelligenceAssessment,
        /// Handling code (P or C).
        handling: HandlingCode,
        /// The handling instructions that apply under code C (required for C, empty for P).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conditions: Option<String>,
    },
    /// The legacy 5x5x5 system, kept as recorded.
    #[serde(rename = "5x5x5")]
    FiveByFive {
        /// Source evaluation (A–E).
        source: LegacySource,
        /// Intelligence evaluation (1–5).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
        intelligence: u8,
        /// Handling code (1–5).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
        handling: u8,
    },
}

/// One problem with a grading, naming the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingProblem {
    /// The field at fault (e.g. `grading.conditions`).
    pub field: String,
    /// Why.
    pub reason: String,
}

/// When 3x5x2 replaced 5x5x5 for new gradings. A dated parameter: no primary source pins it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingPolicy {
    /// Gradings made on or after this day must use 3x5x2.
    pub three_five_two_from: NaiveDate,
    /// Marked because the brief could not verify it (College of Policing guidance had 3x5x2 by
    /// early 2017; forces switched during 2016).
    pub unverified: bool,
}

impl Default for GradingPolicy {
    fn default() -> Self {
        Self {
            three_five_two_from: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default(),
            unverified: true,
        }
    }
}

impl Grading {
    /// Short code as police write it: `1/A/P`, `2/C/C`, `B/2/1`.
    pub fn code(&self) -> String {
        match self {
            Grading::ThreeFiveTwo {
                source,
                intelligence,
                handling,
                ..
            } => {
                let s = match source {
                    SourceEvaluation::Reliable => '1',
                    SourceEvaluation::Untested => '2',
                    SourceEvaluation::NotReliable => '3',
                };
                let i = match intelligence {
                    IntelligenceAssessment::KnownDirectly => 'A',
                    IntelligenceAssessment::KnownIndirectlyCorroborated => 'B',
                    IntelligenceAssessment::KnownIndirectly => 'C',
                    IntelligenceAssessment::NotKnown => 'D',
                    IntelligenceAssessment::SuspectedFalse => 'E',
                };
                let h = match handling {
                    HandlingCode::P => 'P',
                    HandlingCode::C => 'C',
                };
                format!("{s}/{i}/{h}")
            }
            Grading::FiveByFive {
                source,
                intelligence,
                handling,
            } => {
                format!("{source:?}/{intelligence}/{handling}")
            }
        }
    }

    /// A rank for "the best grading present" in a cluster: lower is better (more reliable source,
    /// more direct knowledge). 5x5x5 gradings are mapped onto the same scale approximately.
    pub fn strength_rank(&self) -> u8 {
        match self {
            Grading::ThreeFiveTwo {
                source,
                intelligence,
                ..
            } => (*source as u8) * 5 + (*intelligence as u8),
            Grading::FiveByFive {
                source,
                intelligence,
                ..
            } => {
                let s = match source {
                    LegacySource::A => 0,
                    LegacySource::B | LegacySource::C => 1,
                    LegacySource::E => 1,
                    LegacySource::D => 2,
                };
                s * 5 + intelligence.saturating_sub(1).min(4)
            }
        }
    }

    /// Every problem with this grading made on `graded_on` under `policy`, each naming the field.
    pub fn problems(&self, graded_on: NaiveDate, policy: &GradingPolicy) -> Vec<GradingProblem> {
        let mut out = Vec::new();
        let mut p = |field: &str, reason: String| {
            out.push(GradingProblem {
                field: field.to_owned(),
                reason,
            })
        };
        match self {
            Grading::ThreeFiveTwo {
                handling,
                conditions,
                ..
            } => {
                let has_conditions = conditions.as_deref().is_some_and(|c| !c.trim().is_empty());
                match handling {
                    HandlingCode::C if !has_conditions => p(
                        "grading.conditions",
                        "handling code C requires the handling instructions that apply".into(),
                    ),
                    HandlingCode::P if conditions.is_some() => p(
                        "grading.conditions",
                        "conditions are recorded only with handling code C".into(),
                    ),
                    _ => {}
                }
            }
            Grading::FiveByFive {
                intelligence,
                handling,
                ..
            } => {
                if graded_on >= policy.three_five_two_from {
                    p(
                        "grading.system",
                        format!(
                            "gradings made on or after {} use 3x5x2; 5x5x5 is kept only as recorded on older reports",
                            policy.three_five_two_from
                        ),
                    );
                }
                if !(1..=5).contains(intelligence) {
                    p(
                        "grading.intelligence",
                        "5x5x5 intelligence evaluation is 1 to 5".into(),
                    );
                }
                if !(1..=5).contains(handling) {
                    p("grading.handling", "5x5x5 handling code is 1 to 5".into());
                }
            }
        }
        out
    }

    /// Whether the handling code lets the NGO pass this report to a police force, and why not.
    ///
    /// 3x5x2 P and C both permit lawful sharing (C with its conditions attached to what is sent).
    /// Under 5x5x5, codes 1–3 allowed dissemination to law enforcement; code 4 restricted it to
    /// the originating agency and code 5 forbade further dissemination without the originator —
    /// the NGO received those reports under that restriction, so it refuses to pass them on.
    pub fn police_sharing(&self) -> Result<(), String> {
        match self {
            Grading::ThreeFiveTwo {
                handling: HandlingCode::P,
                ..
            } => Ok(()),
            Grading::ThreeFiveTwo {
                handling: HandlingCode::C,
                conditions,
                ..
            } => {
                if conditions.as_deref().is_some_and(|c| !c.trim().is_empty()) {
                    Ok(())
                } else {
                    Err("handling code C without recorded handling conditions".into())
                }
            }
            Grading::FiveByFive {
                handling: 1..=3, ..
            } => Ok(()),
            Grading::FiveByFive { handling, .. } => Err(format!(
                "5x5x5 handling code {handling} does not permit dissemination beyond the originator"
            )),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::testing::date as d;

    /// Every 3x5x2 source evaluation, for strategies that draw one by index.
    pub(crate) const SOURCES: [SourceEvaluation; 3] = [
        SourceEvaluation::Reliable,
        SourceEvaluation::Untested,
        SourceEvaluation::NotReliable,
    ];

    /// Every 3x5x2 intelligence assessment, for strategies that draw one by index.
    pub(crate) const ASSESSMENTS: [IntelligenceAssessment; 5] = [
        IntelligenceAssessment::KnownDirectly,
        IntelligenceAssessment::KnownIndirectlyCorroborated,
        IntelligenceAssessment::KnownIndirectly,
        IntelligenceAssessment::NotKnown,
        IntelligenceAssessment::SuspectedFalse,
    ];

    fn g352(
        s: SourceEvaluation,
        i: IntelligenceAssessment,
        h: HandlingCode,
        c: Option<&str>,
    ) -> Grading {
        Grading::ThreeFiveTwo {
            source: s,
            intelligence: i,
            handling: h,
            conditions: c.map(str::to_owned),
        }
    }

    #[test]
    fn codes_read_as_police_write_them() {
        // College of Policing APP: 3x5x2 codes are written source/intelligence/handling.
        use IntelligenceAssessment::*;
        use SourceEvaluation::*;
        assert_eq!(
            g352(Reliable, KnownDirectly, HandlingCode::P, None).code(),
            "1/A/P"
        );
        assert_eq!(
            g352(NotReliable, SuspectedFalse, HandlingCode::C, Some("x")).code(),
            "3/E/C"
        );
        let legacy = Grading::FiveByFive {
            source: LegacySource::B,
            intelligence: 2,
            handling: 1,
        };
        assert_eq!(legacy.code(), "B/2/1");
    }

    #[test]
    fn handling_c_needs_conditions() {
        use IntelligenceAssessment::*;
        use SourceEvaluation::*;
        let policy = GradingPolicy::default();
        let bad = g352(Untested, KnownIndirectly, HandlingCode::C, Some("  "));
        let problems = bad.problems(d(2024, 1, 1), &policy);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "grading.conditions");
        assert!(bad.police_sharing().is_err());
        let good = g352(
            Untested,
            KnownIndirectly,
            HandlingCode::C,
            Some("not to be shared with UKVI"),
        );
        assert!(good.problems(d(2024, 1, 1), &policy).is_empty());
        assert!(good.police_sharing().is_ok());
    }

    #[test]
    fn legacy_grading_only_before_the_switch() {
        let policy = GradingPolicy::default();
        let legacy = Grading::FiveByFive {
            source: LegacySource::A,
            intelligence: 1,
            handling: 1,
        };
        // The day before and the day of the (configurable) switch.
        assert!(legacy.problems(d(2015, 12, 31), &policy).is_empty());
        assert_eq!(
            legacy.problems(d(2016, 1, 1), &policy)[0].field,
            "grading.system"
        );
        let out_of_range = Grading::FiveByFive {
            source: LegacySource::A,
            intelligence: 0,
            handling: 9,
        };
        let fields: Vec<_> = out_of_range
            .problems(d(2010, 1, 1), &policy)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["grading.intelligence", "grading.handling"]);
    }

    #[test]
    fn legacy_handling_4_and_5_are_not_passed_on() {
        for (h, ok) in [(1, true), (2, true), (3, true), (4, false), (5, false)] {
            let g = Grading::FiveByFive {
                source: LegacySource::C,
                intelligence: 3,
                handling: h,
            };
            assert_eq!(g.police_sharing().is_ok(), ok, "handling {h}");
        }
    }

    #[test]
    fn json_form_is_stable() {
        let g = g352(
            SourceEvaluation::Reliable,
            IntelligenceAssessment::KnownIndirectlyCorroborated,
            HandlingCode::P,
            None,
        );
        assert_eq!(
            serde_json::to_string(&g).expect("serialises"),
            r#"{"system":"3x5x2","source":"reliable","intelligence":"known_indirectly_corroborated","handling":"p"}"#
        );
    }

    fn any_352() -> impl Strategy<Value = Grading> {
        (
            0u8..3,
            0u8..5,
            any::<bool>(),
            proptest::option::of("[a-z ]{0,12}"),
        )
            .prop_map(|(s, i, c, cond)| {
                let source = SOURCES[s as usize];
                let intelligence = ASSESSMENTS[i as usize];
                let handling = if c { HandlingCode::C } else { HandlingCode::P };
                Grading::ThreeFiveTwo {
                    source,
                    intelligence,
                    handling,
                    conditions: cond,
                }
            })
    }

    proptest! {
        // A grading that passes validation is always shareable under 3x5x2: validation and the
        // sharing rule must never disagree.
        #[test]
        fn valid_352_gradings_are_shareable(g in any_352()) {
            if g.problems(d(2024, 6, 1), &GradingPolicy::default()).is_empty() {
                prop_assert!(g.police_sharing().is_ok());
            }
        }

        #[test]
        fn strength_rank_orders_by_source_then_intelligence(a in any_352(), b in any_352()) {
            if let (Grading::ThreeFiveTwo { source: sa, intelligence: ia, .. },
                    Grading::ThreeFiveTwo { source: sb, intelligence: ib, .. }) = (&a, &b) {
                prop_assert_eq!(a.strength_rank().cmp(&b.strength_rank()), (sa, ia).cmp(&(sb, ib)));
            }
        }
    }
}
