//! A deterministic demo dataset (a seed and a size) for demos, tests and benches, written through
//! the real services so that everything in it is valid, sealed and audited.
//!
//! Its shape follows published figures — Home Office, *Modern Slavery: National Referral
//! Mechanism and Duty to Notify statistics UK, end of year summary 2023*: 17,004 referrals of
//! which 7,432 were children (44%, used as is); labour exploitation the most common for adults
//! and criminal exploitation for children (used as the largest weights); the most referred
//! nationalities UK, Albania, Vietnam, Sudan, Eritrea (used as weights in that order). The other
//! weights (gender, the smaller exploitation types, stages) are illustrative, not statistics.
//!
//! No real person's data: names are drawn from a small list of invented ones with a number,
//! phones from Ofcom's ranges reserved for drama (07700 900000–900999), plates with the unissued
//! `ZZ` memory tag, e-mails at `example.org` (RFC 2606), facility addresses are made up.
//!
//! What it writes: community groups (most trained), sources, suspects, intelligence reports
//! (some graded, sharing identifiers with suspects and with each other so that clusters form,
//! some linked to cases), cases with people through the first stages of the lifecycle, advocacy
//! answers, and facilities across the UK regions. NRM referrals, placements, follow-ups,
//! prosecutions and claims are left to their services' own scenarios for now.

use chrono::Days;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Operation;
use crate::campaign::{CommunityGroup, TrainingSession};
use crate::cases::{NewCase, NewEvent};
use crate::error::Result;
use crate::grading::{Grading, HandlingCode, IntelligenceAssessment, SourceEvaluation};
use crate::intel::{Identifier, IdentifierKind, NewReport, Source, SourceKind};
use crate::lifecycle::EventKind;
use crate::nrm::{ExploitationType, Jurisdiction};
use crate::people::{Gender, PersonDetails};
use crate::suspects::{NewSuspect, SuspectDetails};
use crate::unchain::Unchain;
use crate::users::Actor;

/// How much to generate: `size` cases (and about twice as many reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    /// The same seed and size give the same data (ids and timestamps aside).
    pub seed: u64,
    /// Cases to create.
    pub size: u32,
}

/// What was generated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSummary {
    /// Community groups.
    pub groups: u32,
    /// Training sessions.
    pub trainings: u32,
    /// Intelligence sources.
    pub sources: u32,
    /// Suspects.
    pub suspects: u32,
    /// Intelligence reports.
    pub reports: u32,
    /// Reports graded.
    pub graded: u32,
    /// Cases (each with its person).
    pub cases: u32,
    /// Of them, children.
    pub children: u32,
    /// Facilities.
    pub facilities: u32,
}

/// SplitMix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total);
        for (t, w) in items {
            if x < *w {
                return t;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Nationalities in the order of the 2023 NRM statistics (UK, Albania, Vietnam, Sudan, Eritrea
/// first), then others; weights illustrative in that rank order.
const NATIONALITIES: &[(&str, u64)] = &[
    ("GB", 25),
    ("AL", 13),
    ("VN", 7),
    ("SD", 6),
    ("ER", 6),
    ("RO", 4),
    ("IN", 4),
    ("IR", 3),
    ("AF", 3),
    ("NG", 3),
    ("PL", 2),
];

/// Adults: labour the most common (NRM 2023); the rest illustrative.
const ADULT_EXPLOITATION: &[(ExploitationType, u64)] = &[
    (ExploitationType::Labour, 45),
    (ExploitationType::Sexual, 20),
    (ExploitationType::Criminal, 12),
    (ExploitationType::DomesticServitude, 8),
    (ExploitationType::NotSpecifiedOrUnknown, 15),
];

/// Children: criminal the most common (NRM 2023, county lines); the rest illustrative.
const CHILD_EXPLOITATION: &[(ExploitationType, u64)] = &[
    (ExploitationType::Criminal, 55),
    (ExploitationType::Sexual, 15),
    (ExploitationType::Labour, 10),
    (ExploitationType::NotSpecifiedOrUnknown, 20),
];

const GIVEN: &[&str] = &[
    "Ardit", "Bora", "Linh", "Minh", "Amal", "Yonas", "Selam", "Ionut", "Ravi", "Sam", "Jordan",
    "Alex", "Hana", "Omid",
];
const FAMILY: &[&str] = &[
    "Example",
    "Sample",
    "Testfield",
    "Placeholder",
    "Fictional",
    "Madeup",
    "Invented",
];
const AREAS: &[&str] = &[
    "Leeds",
    "Bradford",
    "Manchester",
    "Liverpool",
    "Birmingham",
    "Leicester",
    "Nottingham",
    "Newcastle",
    "Hull",
    "Sheffield",
    "Bristol",
    "Cardiff",
    "Glasgow",
    "Belfast",
    "Luton",
    "Peterborough",
    "Southampton",
    "Croydon",
    "Newham",
    "Ealing",
];
const INDICATOR_TOPICS: &[&str] = &[
    "indicators of labour exploitation",
    "county lines and criminal exploitation",
    "sexual exploitation in rented flats",
    "nail bars and car washes",
];

impl Unchain {
    /// Writes a demo dataset through the services, as `actor` (who needs every operation used:
    /// an administrator). Deterministic in content for a seed and size.
    pub fn generate_demo(&self, actor: &Actor, config: DemoConfig) -> Result<DemoSummary> {
        self.authorize(actor, Operation::ImportRun)?;
        let mut rng = Rng(config.seed);
        let mut out = DemoSummary::default();
        let today = self.clock.today();
        let day = |rng: &mut Rng, within: u64| {
            today
                .checked_sub_days(Days::new(rng.below(within) + 1))
                .unwrap_or(today)
        };
        let n = u64::from(config.size.max(1));

        // Groups and their trainings; a source per group, and the other channels.
        let mut sources = Vec::new();
        for g in 0..(n / 10).max(3) {
            let area = *rng.pick(AREAS);
            let joined = day(&mut rng, 700);
            let group = self.create_group(
                actor,
                CommunityGroup {
                    name: format!("{area} community watch {}", g + 1),
                    area: area.to_owned(),
                    members: 5 + rng.below(40) as u32,
                    joined_on: joined,
                },
            )?;
            out.groups += 1;
            if rng.chance(75) {
                let span = (today - joined).num_days().max(1) as u64;
                let date = joined
                    .checked_add_days(Days::new(rng.below(span.min(60))))
                    .unwrap_or(joined)
                    .min(today);
                self.record_training(
                    actor,
                    TrainingSession {
                        group_id: group.id,
                        date,
                        trainer: "Demo trainer".into(),
                        attendees: 3 + rng.below(20) as u32,
                        topic: (*rng.pick(INDICATOR_TOPICS)).to_owned(),
                    },
                )?;
                out.trainings += 1;
            }
            let s = self.create_source(
                actor,
                Source {
                    kind: SourceKind::CommunityGroup,
                    name: group.data.name.clone(),
                    group_id: Some(group.id),
                },
            )?;
            sources.push(s.id);
        }
        for (kind, name) in [
            (SourceKind::Helpline, "Modern Slavery Helpline"),
            (SourceKind::Police, "Police liaison"),
            (SourceKind::Public, "Member of the public"),
            (SourceKind::Ngo, "Partner NGO"),
        ] {
            let s = self.create_source(
                actor,
                Source {
                    kind,
                    name: name.into(),
                    group_id: None,
                },
            )?;
            sources.push(s.id);
        }
        out.sources = sources.len() as u32;

        // Suspects, each with a phone, often a plate, sometimes a business.
        let mut suspect_ids: Vec<(Uuid, Vec<Identifier>)> = Vec::new();
        let ident = |kind, value: String| Identifier { kind, value };
        for s in 0..(n / 5).max(2) {
            let mut ids = vec![ident(
                IdentifierKind::Phone,
                format!("07700 900{:03}", (s * 7 + rng.below(5)) % 1000),
            )];
            if rng.chance(60) {
                ids.push(ident(
                    IdentifierKind::Vehicle,
                    format!("ZZ{:02} {}", rng.below(100), plate_letters(&mut rng)),
                ));
            }
            if rng.chance(30) {
                ids.push(ident(
                    IdentifierKind::Business,
                    format!("{} Hand Car Wash Ltd", rng.pick(AREAS)),
                ));
            }
            let created = self.create_suspect(
                actor,
                NewSuspect {
                    details: SuspectDetails {
                        identifiers: ids.clone(),
                        ..Default::default()
                    },
                    report_ids: vec![],
                    case_ids: vec![],
                },
            )?;
            out.suspects += 1;
            suspect_ids.push((created.id, ids));
        }

        // Cases: 44% children (NRM 2023), nationality and exploitation by the weights above.
        let mut case_ids = Vec::new();
        for i in 0..n {
            let child = rng.below(10_000) < CHILD_SHARE_PER_10000;
            let age = if child {
                12 + rng.below(6) as u32
            } else {
                18 + rng.below(40) as u32
            };
            let exploitation = if child {
                *rng.weighted(CHILD_EXPLOITATION)
            } else {
                *rng.weighted(ADULT_EXPLOITATION)
            };
            let nationality = (*rng.weighted(NATIONALITIES)).to_owned();
            let gender = if rng.chance(75) {
                Gender::Male
            } else {
                Gender::Female
            };
            let opened = day(&mut rng, 600);
            let case = self.open_case(
                actor,
                NewCase {
                    person: PersonDetails {
                        names: vec![format!(
                            "{} {} {}",
                            rng.pick(GIVEN),
                            rng.pick(FAMILY),
                            i + 1
                        )],
                        estimated_age: Some(age),
                        possibly_under_18: child,
                        gender: Some(gender),
                        nationalities: vec![nationality],
                        ..Default::default()
                    },
                    jurisdiction: *rng.weighted(&[
                        (Jurisdiction::EnglandAndWales, 88),
                        (Jurisdiction::Scotland, 8),
                        (Jurisdiction::NorthernIreland, 4),
                    ]),
                    exploitation: vec![exploitation],
                    opened_on: Some(opened),
                    owner: None,
                    report_ids: vec![],
                },
            )?;
            out.cases += 1;
            out.children += u32::from(child);
            let mut version = case.version;
            if rng.chance(70) {
                let date = opened
                    .checked_add_days(Days::new(rng.below(10)))
                    .unwrap_or(opened)
                    .min(today);
                let v = self.record_case_event(
                    actor,
                    case.id,
                    version,
                    NewEvent {
                        kind: EventKind::AssessmentStarted,
                        date: Some(date),
                        reason: None,
                    },
                )?;
                version = v.version;
            }
            if rng.chance(60) {
                let kind = if rng.chance(78) {
                    EventKind::AdvocacyRequested
                } else {
                    EventKind::AdvocacyDeclined
                };
                let _ = self.record_case_event(
                    actor,
                    case.id,
                    version,
                    NewEvent {
                        kind,
                        date: Some(opened),
                        reason: None,
                    },
                );
            }
            case_ids.push(case.id);
        }

        // Reports: about two per case; half carry a suspect's phone or plate (so clusters form),
        // some link a case; 70% graded, mostly P, some C with conditions.
        for r in 0..2 * n {
            let mut ids = Vec::new();
            if rng.chance(50) {
                let (_, sids) = rng.pick(&suspect_ids);
                ids.push(sids[rng.below(sids.len() as u64) as usize].clone());
            }
            if rng.chance(40) {
                ids.push(ident(
                    IdentifierKind::Email,
                    format!("contact{}@example.org", rng.below(n * 3)),
                ));
            }
            let case_link = if rng.chance(25) {
                vec![*rng.pick(&case_ids)]
            } else {
                vec![]
            };
            let report = self.create_report(
                actor,
                NewReport {
                    received_on: Some(day(&mut rng, 600)),
                    source_id: *rng.pick(&sources),
                    narrative: format!(
                        "Demo report {}: people seen collected by van at dawn",
                        r + 1
                    ),
                    area: Some((*rng.pick(AREAS)).to_owned()),
                    indicators: vec![],
                    age_group: None,
                    exploitation_kind: None,
                    identifiers: ids,
                    case_ids: case_link,
                    suspect_ids: vec![],
                },
            )?;
            out.reports += 1;
            if rng.chance(70) {
                let handling = if rng.chance(80) {
                    HandlingCode::P
                } else {
                    HandlingCode::C
                };
                let grading = Grading::ThreeFiveTwo {
                    source: *rng.pick(&[
                        SourceEvaluation::Reliable,
                        SourceEvaluation::Untested,
                        SourceEvaluation::NotReliable,
                    ]),
                    intelligence: *rng.pick(&[
                        IntelligenceAssessment::KnownDirectly,
                        IntelligenceAssessment::KnownIndirectlyCorroborated,
                        IntelligenceAssessment::KnownIndirectly,
                        IntelligenceAssessment::NotKnown,
                    ]),
                    handling,
                    conditions: (handling == HandlingCode::C)
                        .then(|| "Not to be disclosed to the subject; force use only".into()),
                };
                self.grade_report(actor, report.id, report.version, grading)?;
                out.graded += 1;
            }
        }

        // Facilities across the UK regions.
        for (i, region) in crate::facilities::UK_REGIONS.iter().enumerate() {
            for k in 0..1 + (n / 40) {
                let women = rng.chance(60);
                let input: crate::facilities::FacilityInput = serde_json::from_value(serde_json::json!({
                    "name": format!("{region} safe house {}", k + 1),
                    "operator": "Demo aftercare provider",
                    "region": region,
                    "address": {
                        "address": format!("{} Demo Road, {region}", 10 + i),
                        "location": { "lat": 51.0 + (i as f64) * 0.4, "lon": -3.0 + (k as f64) * 0.1 }
                    },
                    "capacity": 4 + rng.below(12),
                    "accepts": {
                        "genders": if women { vec!["female"] } else { vec!["male"] },
                        "age_groups": ["adult"],
                        "max_dependants": if women { 2 } else { 0 },
                        "pregnancy": women
                    },
                    "languages": ["en"]
                }))
                .map_err(|e| crate::error::CoreError::Refused(format!("demo facility: {e}")))?;
                self.create_facility(actor, input)?;
                out.facilities += 1;
            }
        }
        Ok(out)
    }
}

fn plate_letters(rng: &mut Rng) -> String {
    const L: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXY";
    (0..3)
        .map(|_| L[rng.below(L.len() as u64) as usize] as char)
        .collect()
}

/// The share of children the generator aims at (NRM 2023: 7,432 of 17,004).
pub const CHILD_SHARE_PER_10000: u64 = 4_371;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ClusterOptions;
    use crate::testing::{core, staff};

    #[test]
    fn a_small_demo_is_valid_and_forms_clusters() {
        let (core, _) = core();
        let actors = staff(&core);
        let admin = &actors[0];
        let summary = core
            .generate_demo(admin, DemoConfig { seed: 7, size: 40 })
            .unwrap();
        assert_eq!(summary.cases, 40);
        assert_eq!(summary.reports, 80);
        assert!(summary.children > 5 && summary.children < 30, "{summary:?}");
        assert_eq!(summary.facilities, 12 * 2);
        let clusters = core
            .network_clusters(admin, &ClusterOptions::default())
            .unwrap();
        assert!(!clusters.is_empty());
        // The same seed gives the same shape.
        let (core2, _) = crate::testing::core();
        let actors2 = staff(&core2);
        let again = core2
            .generate_demo(&actors2[0], DemoConfig { seed: 7, size: 40 })
            .unwrap();
        assert_eq!(again, summary);
    }
}
