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
//! some linked to cases), facilities across the UK regions, and cases with people taken to every
//! stage (reported, assessing, rescue planned, not pursued, rescued, in support, moving on,
//! closed). Once rescued, each person's tracks run through the real services, consent recorded
//! first as they require: NRM referrals (children without consent; adults who refuse it are
//! notified under the Duty to Notify in England and Wales) with Reasonable and Conclusive
//! Grounds decisions, reconsiderations, move-on and withdrawals; needs, placements, moves and
//! exits (adults only: children are looked after by local authorities); follow-up contacts on
//! time, late or missed and progress assessments; advocacy, police reports and prosecutions
//! (investigation, charge, trial, verdict, or no further action); and compensation claims
//! (lodged, awarded, settled, rejected, withdrawn, paid). Every track walks a date cursor from
//! the rescue and stops where the next step would fall after today, so recent cases are still
//! waiting. The shares on the tracks (consent, decisions, moves, timeliness, prosecutions,
//! claims) are illustrative, not statistics: each table or branch says so where it is written.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Operation;
use crate::campaign::{CommunityGroup, TrainingSession};
use crate::cases::{Case, NewCase, NewEvent};
use crate::consent::{ConsentMethod, ConsentScope, NewConsent};
use crate::error::Result;
use crate::followups::{ContactInput, ContactOutcome, ProgressInput, Scores};
use crate::grading::{Grading, HandlingCode, IntelligenceAssessment, SourceEvaluation};
use crate::intel::{Identifier, IdentifierKind, NewReport, Source, SourceKind};
use crate::justice::{
    ClaimChange, ClaimUpdate, NewClaim, NewPoliceReport, Offence, ProsecutionChange,
    ProsecutionStep,
};
use crate::lifecycle::EventKind;
use crate::lifecycle::{
    ClaimForum, ClosureReason, NotPursuedReason, Outcome, RescueOrigin, Verdict,
};
use crate::nrm::ReferrerKind;
use crate::nrm::{ExploitationType, Jurisdiction};
use crate::people::{Gender, PersonDetails};
use crate::placement::Needs;
use crate::placements::{ExitInput, ExitReason, NeedsInput};
use crate::records;
use crate::referrals::{NewReferral, NrmChange, NrmUpdate};
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
    /// Cases rescued (every track starts from a rescue).
    pub rescued: u32,
    /// NRM referrals and Duty to Notify reports.
    pub referrals: u32,
    /// Reasonable and Conclusive Grounds decisions (reconsidered ones included).
    pub decisions: u32,
    /// Reconsiderations requested.
    pub reconsiderations: u32,
    /// Placements made.
    pub placements: u32,
    /// Moves to another facility.
    pub moves: u32,
    /// Placements exited.
    pub exits: u32,
    /// Follow-up contacts logged.
    pub contacts: u32,
    /// Progress assessments.
    pub progress: u32,
    /// Police reports (prosecutions started).
    pub police_reports: u32,
    /// Verdicts of guilty.
    pub convictions: u32,
    /// Compensation claims lodged.
    pub claims: u32,
    /// Claims paid.
    pub claims_paid: u32,
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

        let mut facilities = Vec::new();
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
                let created = self.create_facility(actor, input)?;
                facilities.push(DemoFacility {
                    id: created.id,
                    women,
                    free: created.free,
                });
                out.facilities += 1;
            }
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
            let target = *rng.weighted(STAGES);
            // Cases that went on to a rescue are older, so their tracks have had time to run.
            let opened = if target.rescued() {
                day(&mut rng, 560)
                    .checked_sub_days(Days::new(120))
                    .unwrap_or(today)
            } else {
                day(&mut rng, 600)
            };
            let jurisdiction = *rng.weighted(&[
                (Jurisdiction::EnglandAndWales, 88),
                (Jurisdiction::Scotland, 8),
                (Jurisdiction::NorthernIreland, 4),
            ]);
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
                    jurisdiction,
                    exploitation: vec![exploitation],
                    opened_on: Some(opened),
                    owner: None,
                    report_ids: vec![],
                },
            )?;
            out.cases += 1;
            out.children += u32::from(child);
            let person = Journey {
                case_id: case.id,
                person_id: case.person.id,
                child,
                women: gender == Gender::Female,
                jurisdiction,
                labour: exploitation == ExploitationType::Labour,
                opened,
                target,
            };
            self.demo_journey(
                actor,
                &mut rng,
                &mut out,
                &mut facilities,
                &suspect_ids,
                &person,
            )?;
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

        Ok(out)
    }
}

/// Where a demo case ends up on the stage line (docs/lifecycle.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Reported,
    Assessing,
    RescuePlanned,
    NotPursued,
    Rescued,
    InSupport,
    MovingOn,
    Closed,
}

impl Target {
    fn rescued(self) -> bool {
        matches!(
            self,
            Target::Rescued | Target::InSupport | Target::MovingOn | Target::Closed
        )
    }
}

/// The stage each case is taken to. Illustrative (no published distribution of an NGO's caseload
/// by stage): most rescued people are in support, a minority of reports never lead to a rescue.
const STAGES: &[(Target, u64)] = &[
    (Target::Reported, 6),
    (Target::Assessing, 7),
    (Target::RescuePlanned, 5),
    (Target::NotPursued, 7),
    (Target::Rescued, 10),
    (Target::InSupport, 35),
    (Target::MovingOn, 15),
    (Target::Closed, 15),
];

/// A facility as the generator tracks it (gender accepted, beds left).
struct DemoFacility {
    id: Uuid,
    women: bool,
    free: u32,
}

/// One generated person's facts, fixed before their journey is written.
struct Journey {
    case_id: Uuid,
    person_id: Uuid,
    child: bool,
    women: bool,
    jurisdiction: Jurisdiction,
    labour: bool,
    opened: NaiveDate,
    target: Target,
}

/// A date cursor for one track: steps forward and says when a step would land after today (the
/// track then stops there, as real ones are still waiting).
#[derive(Clone, Copy)]
struct Cursor {
    at: NaiveDate,
    today: NaiveDate,
}

impl Cursor {
    fn step(&mut self, days: u64) -> Option<NaiveDate> {
        let next = self.at.checked_add_days(Days::new(days))?;
        (next <= self.today).then(|| {
            self.at = next;
            next
        })
    }
}

impl Unchain {
    fn demo_version(&self, case_id: Uuid) -> Result<u64> {
        Ok(records::load::<Case>(self.backend.as_ref(), case_id)?.version)
    }

    fn demo_event(
        &self,
        actor: &Actor,
        case_id: Uuid,
        kind: EventKind,
        date: NaiveDate,
        reason: Option<&str>,
    ) -> Result<()> {
        self.record_case_event(
            actor,
            case_id,
            self.demo_version(case_id)?,
            NewEvent {
                kind,
                date: Some(date),
                reason: reason.map(str::to_owned),
            },
        )?;
        Ok(())
    }

    /// Takes one case along its stage line and, once rescued, its NRM, aftercare and justice
    /// tracks, through the services (consent recorded before each share, as they require).
    #[allow(clippy::too_many_lines)]
    fn demo_journey(
        &self,
        actor: &Actor,
        rng: &mut Rng,
        out: &mut DemoSummary,
        facilities: &mut [DemoFacility],
        suspects: &[(Uuid, Vec<Identifier>)],
        p: &Journey,
    ) -> Result<()> {
        let today = self.clock.today();
        let id = p.case_id;
        let mut line = Cursor {
            at: p.opened,
            today,
        };
        // The stage line before any rescue.
        if p.target != Target::Reported && (p.target != Target::NotPursued || rng.chance(70)) {
            let d = line.step(rng.below(6)).unwrap_or(p.opened);
            if !p.target.rescued() || rng.chance(60) {
                self.demo_event(actor, id, EventKind::AssessmentStarted, d, None)?;
            }
        }
        let planned = p.target == Target::RescuePlanned || (p.target.rescued() && rng.chance(25));
        if planned {
            let d = line.step(rng.below(10)).unwrap_or(line.at);
            // A plan needs an assessment first (the lifecycle's stage order).
            let case = records::load::<Case>(self.backend.as_ref(), id)?;
            if case.data.state()?.stage() == Some(crate::lifecycle::Stage::Reported) {
                self.demo_event(actor, id, EventKind::AssessmentStarted, d, None)?;
            }
            self.demo_event(actor, id, EventKind::RescuePlanned, d, None)?;
        }
        match p.target {
            Target::Reported | Target::Assessing | Target::RescuePlanned => return Ok(()),
            Target::NotPursued => {
                let d = line.step(rng.below(30)).unwrap_or(line.at);
                let reason = *rng.pick(&[
                    NotPursuedReason::InsufficientInformation,
                    NotPursuedReason::CouldNotLocate,
                    NotPursuedReason::DeclinedHelp,
                    NotPursuedReason::HandledByOtherAgency,
                    NotPursuedReason::NotAVictim,
                ]);
                self.demo_event(
                    actor,
                    id,
                    EventKind::NotPursued {
                        not_pursued_reason: reason,
                    },
                    d,
                    None,
                )?;
                return Ok(());
            }
            _ => {}
        }
        // The rescue. Origins illustrative.
        let origin = if planned {
            RescueOrigin::PlannedOperation
        } else {
            *rng.weighted(&[
                (RescueOrigin::OtherAgency, 40),
                (RescueOrigin::SelfPresented, 35),
                (RescueOrigin::FoundInOperation, 25),
            ])
        };
        let rescued_on = line.step(1 + rng.below(14)).unwrap_or(line.at);
        self.demo_event(actor, id, EventKind::Rescued { origin }, rescued_on, None)?;
        out.rescued += 1;
        let mut last = rescued_on;
        let start = Cursor {
            at: rescued_on,
            today,
        };

        // Consent, recorded the day after the rescue, before anything is shared. Adults are
        // asked themselves (through an interpreter), children through a guardian. Illustrative.
        let consent_on = {
            let mut c = start;
            c.step(1)
        }
        .unwrap_or(rescued_on);
        let nrm_consent = !p.child && rng.chance(80);
        let orgs_consent = rng.chance(90);
        let police_consent = rng.chance(55);
        for (scope, given) in [
            (ConsentScope::NrmReferral, nrm_consent),
            (ConsentScope::SharingWithOrganisations, orgs_consent),
            (ConsentScope::SharingWithPolice, police_consent),
        ] {
            if p.child && scope == ConsentScope::NrmReferral {
                continue; // children are referred without consent
            }
            self.record_consent(
                actor,
                p.person_id,
                NewConsent {
                    scope,
                    given,
                    on: Some(consent_on),
                    method: if p.child {
                        ConsentMethod::Guardian
                    } else {
                        ConsentMethod::VerbalInterpreted
                    },
                    document_id: None,
                },
            )?;
        }

        // The stage line after the rescue.
        let support = matches!(
            p.target,
            Target::InSupport | Target::MovingOn | Target::Closed
        );
        if support {
            let d = line.step(1 + rng.below(3)).unwrap_or(line.at);
            self.demo_event(actor, id, EventKind::SupportStarted, d, None)?;
            last = last.max(d);
        }

        // NRM: most rescued people are referred (children without consent; adults who do not
        // consent are notified under the Duty to Notify where it exists). Decision shares are
        // illustrative.
        let dtn = !p.child && !nrm_consent;
        if rng.chance(90) && (!dtn || p.jurisdiction == Jurisdiction::EnglandAndWales) {
            let mut nrm = start;
            let referred_on = nrm.step(2 + rng.below(5)).unwrap_or(rescued_on);
            let referrer = if dtn {
                ReferrerKind::Police
            } else if p.child {
                ReferrerKind::LocalAuthority
            } else {
                ReferrerKind::NotFirstResponder
            };
            let referral = self.nrm_refer(
                actor,
                id,
                self.demo_version(id)?,
                NewReferral {
                    referred_on: Some(referred_on),
                    referrer,
                    first_responder_org: if dtn {
                        "Demo Constabulary".into()
                    } else if p.child {
                        "Demo Borough Council children's services".into()
                    } else {
                        "Partner First Responder (demo)".into()
                    },
                    immigration: Default::default(),
                    exploitation_location: Some("Demo area".into()),
                    exploitation_start: Some(
                        p.opened.checked_sub_days(Days::new(90)).unwrap_or(p.opened),
                    ),
                    exploitation_end: Some(rescued_on),
                    exploitation_ongoing: false,
                    indicators: vec!["ILO08".into()],
                    consent_informed: !dtn && !p.child,
                    notes: None,
                },
            )?;
            out.referrals += 1;
            last = last.max(referred_on);
            let mut version = referral.case_version;
            let mut update = |u: NrmUpdate, on: NaiveDate, out: &mut DemoSummary| -> Result<()> {
                let v = self.nrm_update(
                    actor,
                    id,
                    version,
                    NrmChange {
                        update: u,
                        on: Some(on),
                        reason: None,
                    },
                )?;
                version = v.case_version;
                match u {
                    NrmUpdate::ReasonableGrounds { .. } | NrmUpdate::ConclusiveGrounds { .. } => {
                        out.decisions += 1;
                    }
                    NrmUpdate::ReconsiderationRequested => out.reconsiderations += 1,
                    _ => {}
                }
                last = last.max(on);
                Ok(())
            };
            if dtn {
                if let Some(d) = nrm.step(rng.below(3)) {
                    update(NrmUpdate::Notified, d, out)?;
                }
            } else if rng.chance(4) {
                if let Some(d) = nrm.step(1 + rng.below(20)) {
                    update(NrmUpdate::Withdrawn, d, out)?;
                }
            } else if let Some(d) = {
                let window = if rng.chance(75) { 6 } else { 30 };
                nrm.step(2 + rng.below(window))
            } {
                // RG: most within the 5-working-day target, some later.
                let mut rg_positive = rng.chance(85);
                update(
                    NrmUpdate::ReasonableGrounds {
                        outcome: outcome(rg_positive),
                    },
                    d,
                    out,
                )?;
                let mut decided = true;
                if !rg_positive && rng.chance(50) {
                    if let Some(d) = nrm.step(5 + rng.below(20)) {
                        update(NrmUpdate::ReconsiderationRequested, d, out)?;
                        decided = false;
                        if let Some(d) = nrm.step(10 + rng.below(40)) {
                            decided = true;
                            rg_positive = rng.chance(60);
                            update(
                                NrmUpdate::ReasonableGrounds {
                                    outcome: outcome(rg_positive),
                                },
                                d,
                                out,
                            )?;
                        }
                    }
                }
                if rg_positive && decided {
                    if let Some(d) = nrm.step(60 + rng.below(300)) {
                        let mut cg_positive = rng.chance(88);
                        update(
                            NrmUpdate::ConclusiveGrounds {
                                outcome: outcome(cg_positive),
                            },
                            d,
                            out,
                        )?;
                        if !cg_positive && rng.chance(40) {
                            if let Some(d) = nrm.step(10 + rng.below(20)) {
                                update(NrmUpdate::ReconsiderationRequested, d, out)?;
                                if let Some(d) = nrm.step(20 + rng.below(60)) {
                                    cg_positive = rng.chance(50);
                                    update(
                                        NrmUpdate::ConclusiveGrounds {
                                            outcome: outcome(cg_positive),
                                        },
                                        d,
                                        out,
                                    )?;
                                }
                            }
                        }
                        if cg_positive && rng.chance(50) {
                            if let Some(d) = nrm.step(1 + rng.below(10)) {
                                update(NrmUpdate::MoveOnStarted, d, out)?;
                                if let Some(d) = nrm.step(45 + rng.below(30)) {
                                    update(NrmUpdate::Ended, d, out)?;
                                }
                            }
                        }
                    }
                } else if !rg_positive && decided && rng.chance(50) {
                    if let Some(d) = nrm.step(10 + rng.below(30)) {
                        update(NrmUpdate::Ended, d, out)?;
                    }
                }
            }
        }

        // Aftercare: adults who agreed to sharing with providers are placed in a safe house
        // (children are looked after by local authorities, not placed by the NGO). Shares of
        // moves, exits and contact timeliness are illustrative.
        let closing = p.target == Target::Closed;
        if !p.child && orgs_consent && rng.chance(85) {
            let mut care = start;
            let assessed_on = care
                .step(1 + rng.below(2))
                .unwrap_or(rescued_on)
                .max(consent_on);
            care.at = assessed_on;
            let gender = if p.women {
                crate::placement::Gender::Female
            } else {
                crate::placement::Gender::Male
            };
            self.assess_needs(
                actor,
                id,
                self.demo_version(id)?,
                NeedsInput {
                    needs: Needs::new(gender, crate::placement::AgeGroup::Adult),
                    assessed_on: Some(assessed_on),
                    keep_together_with: vec![],
                    keep_apart_from: vec![],
                },
            )?;
            last = last.max(assessed_on);
            let pick = |facilities: &[DemoFacility], rng: &mut Rng, not: Option<usize>| {
                let startf = rng.below(facilities.len() as u64) as usize;
                (0..facilities.len())
                    .map(|k| (startf + k) % facilities.len())
                    .find(|&k| {
                        facilities[k].women == p.women && facilities[k].free > 0 && Some(k) != not
                    })
            };
            if let Some(f) = pick(facilities, rng, None) {
                let placed_on = care.step(rng.below(4)).unwrap_or(care.at);
                self.place(
                    actor,
                    id,
                    self.demo_version(id)?,
                    facilities[f].id,
                    placed_on,
                )?;
                facilities[f].free -= 1;
                out.placements += 1;
                last = last.max(placed_on);
                // Maybe a move, and for people moving on or closed, an exit.
                let mut current = f;
                let mut exit_on = None;
                if rng.chance(15) {
                    if let (Some(d), Some(to)) = (
                        care.step(20 + rng.below(40)),
                        pick(facilities, rng, Some(f)),
                    ) {
                        self.move_placement(
                            actor,
                            id,
                            self.demo_version(id)?,
                            facilities[to].id,
                            d,
                        )?;
                        facilities[to].free -= 1;
                        facilities[current].free += 1;
                        current = to;
                        out.moves += 1;
                        last = last.max(d);
                    }
                }
                let exit_reason = match p.target {
                    Target::Closed => Some(ExitReason::MovedOn),
                    Target::MovingOn if rng.chance(50) => Some(ExitReason::MovedOn),
                    Target::InSupport | Target::Rescued if rng.chance(10) => Some(*rng.pick(&[
                        ExitReason::LeftVoluntarily,
                        ExitReason::LostContact,
                        ExitReason::TransferredToOtherProvider,
                    ])),
                    _ => None,
                };
                if exit_reason.is_some() {
                    let d = care.step(30 + rng.below(150)).unwrap_or(today).max(care.at);
                    exit_on = Some(d);
                }
                // Follow-ups: the plan keeps running after an exit (followups.rs: leaving
                // support is when a check matters most), so every follow-up due by today is
                // worked, whether the person is still placed or not: most on time, some late,
                // some missed. After an exit for lost contact the attempts fail (not reached):
                // those stay open and count as missed, as they would in the field.
                let until = exit_on.unwrap_or(today);
                let lost = exit_reason == Some(ExitReason::LostContact);
                let lines = self.followups(actor, id)?;
                for l in lines {
                    if l.due_on > today {
                        continue;
                    }
                    let roll = rng.below(100);
                    let on = if roll < 65 {
                        l.due_on
                            .checked_add_days(Days::new(rng.below(3)))
                            .unwrap_or(l.due_on)
                    } else if roll < 85 {
                        l.on_time_until
                            .checked_add_days(Days::new(1 + rng.below(14)))
                            .unwrap_or(l.on_time_until)
                    } else {
                        continue; // missed
                    };
                    if on > today {
                        continue;
                    }
                    // A call or visit that does not reach the person is tried again a few days
                    // later, as a team would; after lost contact neither attempt reaches them.
                    let after_exit = exit_on.is_some_and(|e| l.due_on > e);
                    let unreachable = lost && after_exit;
                    let mut version = l.version;
                    let mut on = on;
                    for attempt in 0..2 {
                        let reached = !unreachable && rng.chance(90);
                        let logged = self.log_followup(
                            actor,
                            l.id,
                            version,
                            ContactInput {
                                on: Some(on),
                                kind: l.kind,
                                outcome: if reached {
                                    ContactOutcome::Reached
                                } else {
                                    ContactOutcome::NotReached
                                },
                                notes: None,
                            },
                        )?;
                        out.contacts += 1;
                        version = logged.version;
                        match on.checked_add_days(Days::new(1 + rng.below(5))) {
                            Some(next) if !reached && attempt == 0 && next <= today => on = next,
                            _ => break,
                        }
                    }
                }
                // Progress: a first assessment after a week, a later one after two months.
                let mut base = 1 + rng.below(2) as u8;
                for offset in [7u64, 60] {
                    let Some(on) = placed_on.checked_add_days(Days::new(offset)) else {
                        continue;
                    };
                    if on > until {
                        break;
                    }
                    let mut score = || (base + rng.below(2) as u8).min(5);
                    let scores = Scores {
                        safety: score(),
                        health: score(),
                        housing: score(),
                        legal_status: score(),
                        finances: score(),
                        work_education: score(),
                        wellbeing: score(),
                        social_ties: score(),
                    };
                    self.record_progress(
                        actor,
                        id,
                        ProgressInput {
                            assessed_on: Some(on),
                            scores,
                            notes: None,
                        },
                    )?;
                    out.progress += 1;
                    base = (base + 1 + rng.below(2) as u8).min(4);
                }
                if let (Some(on), Some(reason)) = (exit_on, exit_reason) {
                    self.exit_placement(
                        actor,
                        id,
                        self.demo_version(id)?,
                        ExitInput {
                            on,
                            reason,
                            notes: None,
                        },
                    )?;
                    facilities[current].free += 1;
                    out.exits += 1;
                    last = last.max(on);
                }
            }
        }

        // Justice: advocacy asked of most; of those who ask, some report to police (with
        // consent to share), prosecutions run their course; claims follow convictions (orders)
        // or go to CICA or the employment tribunal. Illustrative shares.
        if rng.chance(70) {
            let mut legal = start;
            let on = legal.step(3 + rng.below(10)).unwrap_or(rescued_on);
            let requested = rng.chance(78);
            let mut version =
                self.record_advocacy(actor, id, self.demo_version(id)?, requested, Some(on))?;
            last = last.max(on);
            let mut convicted = false;
            if requested && police_consent && rng.chance(70) {
                if let Some(reported_on) = legal.step(2 + rng.below(20)) {
                    let suspect_id = rng.pick(suspects).0;
                    let mut pros = self.report_to_police(
                        actor,
                        id,
                        version,
                        NewPoliceReport {
                            suspect_id,
                            force: "Demo Constabulary".into(),
                            crime_reference: format!(
                                "DEMO/{}/{:05}",
                                reported_on.format("%y"),
                                rng.below(100_000)
                            ),
                            reported_on: Some(reported_on),
                        },
                    )?;
                    out.police_reports += 1;
                    last = last.max(reported_on);
                    let mut steps: Vec<(ProsecutionStep, u64)> = Vec::new();
                    if rng.chance(20) {
                        steps.push((ProsecutionStep::NoFurtherAction, 10 + rng.below(60)));
                    } else {
                        steps.push((ProsecutionStep::InvestigationOpened, 5 + rng.below(30)));
                        if rng.chance(25) {
                            steps.push((ProsecutionStep::NoFurtherAction, 30 + rng.below(120)));
                        } else {
                            steps.push((
                                ProsecutionStep::Charged {
                                    offences: vec![if p.labour {
                                        Offence::ModernSlaveryActS1
                                    } else {
                                        Offence::ModernSlaveryActS2
                                    }],
                                },
                                30 + rng.below(150),
                            ));
                            if rng.chance(10) {
                                steps.push((ProsecutionStep::NoFurtherAction, 30 + rng.below(60)));
                            } else {
                                steps.push((
                                    ProsecutionStep::TrialStarted {
                                        court: Some("Demo Crown Court".into()),
                                    },
                                    60 + rng.below(180),
                                ));
                                let guilty = rng.chance(70);
                                steps.push((
                                    ProsecutionStep::Verdict {
                                        verdict: if guilty {
                                            Verdict::Convicted
                                        } else {
                                            Verdict::Acquitted
                                        },
                                        sentence: guilty.then(|| "6 years' imprisonment".into()),
                                    },
                                    10 + rng.below(30),
                                ));
                            }
                        }
                    }
                    for (step, gap) in steps {
                        let Some(d) = legal.step(gap) else { break };
                        if let ProsecutionStep::Verdict { verdict, .. } = &step {
                            convicted = *verdict == Verdict::Convicted;
                        }
                        pros = self.prosecution_update(
                            actor,
                            id,
                            pros.case_version,
                            ProsecutionChange {
                                suspect_id,
                                step,
                                on: Some(d),
                            },
                        )?;
                        last = last.max(d);
                    }
                    out.convictions += u32::from(convicted);
                    version = pros.case_version;
                }
            }
            let forum = if convicted && rng.chance(70) {
                Some(ClaimForum::CompensationOrder)
            } else if requested && rng.chance(45) {
                Some(if p.labour && rng.chance(60) {
                    ClaimForum::EmploymentTribunal
                } else if rng.chance(15) {
                    ClaimForum::CivilCourt
                } else {
                    ClaimForum::CriminalInjuriesCompensation
                })
            } else {
                None
            };
            if let Some(forum) = forum {
                if let Some(lodged_on) = legal.step(rng.below(20)) {
                    let claimed = 200_000 + 10_000 * rng.below(200) as i64;
                    let claim = self.lodge_claim(
                        actor,
                        id,
                        version,
                        NewClaim {
                            forum,
                            lodged_on: Some(lodged_on),
                            claimed_pence: Some(claimed),
                            forum_reference: None,
                        },
                    )?;
                    out.claims += 1;
                    last = last.max(lodged_on);
                    let mut version = claim.case_version;
                    let mut change = |update: ClaimUpdate, on: NaiveDate| -> Result<()> {
                        version = self
                            .claim_update(
                                actor,
                                id,
                                version,
                                ClaimChange {
                                    claim_id: claim.id,
                                    update,
                                    on: Some(on),
                                },
                            )?
                            .case_version;
                        Ok(())
                    };
                    let settles = matches!(
                        forum,
                        ClaimForum::EmploymentTribunal | ClaimForum::CivilCourt
                    ) && rng.chance(50);
                    let roll = rng.below(100);
                    if let Some(d) = legal.step(30 + rng.below(200)) {
                        last = last.max(d);
                        let amount = claimed * (50 + rng.below(50) as i64) / 100;
                        if roll < 70 || forum == ClaimForum::CompensationOrder {
                            change(
                                if settles {
                                    ClaimUpdate::Settled {
                                        amount_pence: amount,
                                    }
                                } else {
                                    ClaimUpdate::Awarded {
                                        amount_pence: amount,
                                    }
                                },
                                d,
                            )?;
                            if rng.chance(70) {
                                if let Some(d) = legal.step(20 + rng.below(120)) {
                                    change(
                                        ClaimUpdate::Paid {
                                            amount_pence: amount,
                                        },
                                        d,
                                    )?;
                                    out.claims_paid += 1;
                                    last = last.max(d);
                                }
                            }
                        } else if roll < 90 {
                            change(ClaimUpdate::Rejected, d)?;
                        } else {
                            change(ClaimUpdate::Withdrawn, d)?;
                        }
                    }
                }
            }
        }

        // Moving on and closing, after everything else.
        if matches!(p.target, Target::MovingOn | Target::Closed) {
            let d = line.step(60 + rng.below(120)).unwrap_or(today).max(line.at);
            self.demo_event(actor, id, EventKind::MovingOnStarted, d, None)?;
            last = last.max(d);
        }
        if closing {
            let d = last
                .checked_add_days(Days::new(1 + rng.below(10)))
                .unwrap_or(last)
                .min(today);
            self.demo_event(
                actor,
                id,
                EventKind::Closed {
                    closure_reason: ClosureReason::SupportCompleted,
                },
                d,
                None,
            )?;
        }
        Ok(())
    }
}

fn outcome(positive: bool) -> Outcome {
    if positive {
        Outcome::Positive
    } else {
        Outcome::Negative
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
    use std::collections::BTreeSet;

    use super::*;
    use crate::network::ClusterOptions;
    use crate::reports::Period;
    use crate::store::{Backend, Scan};
    use crate::testing::{core, staff};

    /// The default size of `unchain demo` (crates/cli/src/cmd/data.rs).
    const DEFAULT_SIZE: u32 = 200;

    /// What a case went through, without ids or timestamps: its reference, the events' dates
    /// and names, and its stage and track states at the end.
    fn shape(core: &Unchain) -> Vec<String> {
        let mut cases = records::all::<Case>(core.backend.as_ref()).unwrap();
        cases.sort_by(|a, b| a.data.reference.cmp(&b.data.reference));
        cases
            .iter()
            .map(|c| {
                let events: Vec<String> = c
                    .data
                    .events
                    .iter()
                    .map(|e| format!("{} {}", e.event.date, e.event.kind.name()))
                    .collect();
                format!("{} {}", c.data.reference, events.join(","))
            })
            .collect()
    }

    fn counts(backend: &dyn Backend) -> Vec<(String, usize)> {
        let mut out: Vec<_> = backend
            .collections()
            .unwrap()
            .into_iter()
            .map(|c| {
                let n = backend.scan(&c, &Scan::all()).unwrap().len();
                (c, n)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_small_demo_is_valid_forms_clusters_and_repeats_for_a_seed() {
        let (core1, backend1) = core();
        let actors = staff(&core1);
        let admin = &actors[0];
        let summary = core1
            .generate_demo(admin, DemoConfig { seed: 7, size: 40 })
            .unwrap();
        assert_eq!(summary.cases, 40);
        assert_eq!(summary.reports, 80);
        assert!(summary.children > 5 && summary.children < 30, "{summary:?}");
        assert_eq!(summary.facilities, 12 * 2);
        let clusters = core1
            .network_clusters(admin, &ClusterOptions::default())
            .unwrap();
        assert!(!clusters.is_empty());
        // The same seed gives the same records: the same case journeys (dates and events) and
        // the same number of records in every collection.
        let (core2, backend2) = core();
        let actors2 = staff(&core2);
        let again = core2
            .generate_demo(&actors2[0], DemoConfig { seed: 7, size: 40 })
            .unwrap();
        assert_eq!(again, summary);
        assert_eq!(shape(&core1), shape(&core2));
        assert_eq!(counts(backend1.as_ref()), counts(backend2.as_ref()));
        // Another seed gives another dataset.
        let (core3, _) = core();
        let actors3 = staff(&core3);
        core3
            .generate_demo(&actors3[0], DemoConfig { seed: 8, size: 40 })
            .unwrap();
        assert_ne!(shape(&core1), shape(&core3));
    }

    #[test]
    fn the_default_size_covers_every_stage_and_track_and_fills_the_reports() {
        let (core, backend) = core();
        let actors = staff(&core);
        let admin = &actors[0];
        let summary = core
            .generate_demo(
                admin,
                DemoConfig {
                    seed: 1,
                    size: DEFAULT_SIZE,
                },
            )
            .unwrap();

        let mut stages = BTreeSet::new();
        let mut nrm = BTreeSet::new();
        let mut aftercare = BTreeSet::new();
        let mut prosecutions = BTreeSet::new();
        let mut claims = BTreeSet::new();
        let mut events = BTreeSet::new();
        for case in records::all::<Case>(core.backend.as_ref()).unwrap() {
            let state = case.data.state().unwrap();
            stages.insert(state.stage().unwrap().as_str());
            nrm.insert(state.nrm().as_str());
            aftercare.insert(state.aftercare().as_str());
            for p in state.prosecutions().values() {
                prosecutions.insert(p.state.as_str());
            }
            for c in state.claims().values() {
                claims.insert(c.state.as_str());
            }
            for e in &case.data.events {
                events.insert(e.event.kind.name());
            }
        }
        let all = |seen: &BTreeSet<&str>, want: &[&str], what: &str| {
            for w in want {
                assert!(seen.contains(w), "{what}: no {w} in {seen:?}");
            }
        };
        all(
            &stages,
            &[
                "reported",
                "assessing",
                "rescue_planned",
                "rescued",
                "in_support",
                "moving_on",
                "closed",
                "not_pursued",
            ],
            "stages",
        );
        all(
            &nrm,
            &["not_referred", "rg_positive", "cg_positive"],
            "NRM states",
        );
        // Some tracks pass through states quickly: the events prove they were visited.
        all(
            &events,
            &[
                "nrm_referred",
                "nrm_notified",
                "nrm_reasonable_grounds",
                "nrm_reconsideration_requested",
                "nrm_conclusive_grounds",
                "nrm_move_on_started",
                "aftercare_needs_assessed",
                "aftercare_placed",
                "aftercare_moved",
                "aftercare_exited",
                "advocacy_requested",
                "advocacy_declined",
                "prosecution_reported",
                "prosecution_investigation_opened",
                "prosecution_charged",
                "prosecution_trial_started",
                "prosecution_verdict",
                "prosecution_no_further_action",
                "claim_lodged",
                "claim_awarded",
                "claim_settled",
                "claim_rejected",
                "claim_paid",
            ],
            "events",
        );
        all(&aftercare, &["placed", "exited"], "aftercare");
        all(
            &prosecutions,
            &["convicted", "no_further_action"],
            "prosecutions",
        );
        all(&claims, &["paid"], "claims");
        // Positive and negative decisions, original and reconsidered.
        let referrals =
            records::all::<crate::referrals::NrmReferral>(core.backend.as_ref()).unwrap();
        let json = serde_json::to_string(
            &referrals
                .iter()
                .map(|r| &r.data.history)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        for needle in ["\"positive\"", "\"negative\""] {
            assert!(json.contains(needle), "no {needle} decision");
        }

        // The reports over the whole demo period show the work.
        let today = core.clock.today();
        let period = Period {
            from: today.checked_sub_days(Days::new(1000)).unwrap(),
            to: today,
            as_of: today,
        };
        let nrm_report = core.nrm_report(admin, period).unwrap();
        assert!(nrm_report.referrals > 0, "{nrm_report:?}");
        assert!(!nrm_report.by_outcome.is_empty(), "{nrm_report:?}");
        let aftercare_report = core.aftercare_report(admin, period).unwrap();
        assert!(
            aftercare_report.followups_on_time > 0,
            "{aftercare_report:?}"
        );
        assert!(aftercare_report.followups_late > 0, "{aftercare_report:?}");
        assert!(
            aftercare_report.followups_missed > 0,
            "{aftercare_report:?}"
        );
        // Follow-ups keep running after an exit (followups.rs) and the demo works them: of those
        // due after the placement ended (lost contact aside) and past their grace today, most
        // are done. When the demo stopped logging at the exit, none were and 28% of all
        // follow-ups showed as missed; the illustrative shares (15% never attempted, 10% of
        // attempts not reaching, each retried once) put missed near 16%.
        let exits: std::collections::HashMap<Uuid, (NaiveDate, ExitReason)> =
            records::all::<crate::placements::Placement>(core.backend.as_ref())
                .unwrap()
                .into_iter()
                .filter_map(|p| p.data.exit.map(|e| (p.id, (e.on, e.reason))))
                .collect();
        let (mut due_after_exit, mut done_after_exit) = (0u32, 0u32);
        for f in records::all::<crate::followups::Followup>(core.backend.as_ref()).unwrap() {
            let Some((left_on, reason)) = exits.get(&f.data.placement_id) else {
                continue;
            };
            let grace_ends = f
                .data
                .due_on
                .checked_add_days(Days::new(u64::from(f.data.grace_days)))
                .unwrap();
            if f.data.due_on <= *left_on
                || *reason == ExitReason::LostContact
                || grace_ends >= today
            {
                continue;
            }
            due_after_exit += 1;
            if f.data
                .attempts
                .iter()
                .any(|a| a.outcome != ContactOutcome::NotReached)
            {
                done_after_exit += 1;
            }
        }
        assert!(due_after_exit >= 10, "{due_after_exit} due after an exit");
        assert!(
            done_after_exit * 10 >= due_after_exit * 7,
            "{done_after_exit} of {due_after_exit} done after an exit"
        );
        let worked = aftercare_report.followups_on_time
            + aftercare_report.followups_late
            + aftercare_report.followups_missed;
        assert!(
            aftercare_report.followups_missed * 100 <= worked * 22,
            "{aftercare_report:?}"
        );
        let justice = core.justice_report(admin, period).unwrap();
        assert!(
            justice.police_reports > 0 && justice.convicted > 0,
            "{justice:?}"
        );
        assert!(justice.paid_pence > 0, "{justice:?}");
        assert!(summary.decisions > 0 && summary.convictions > 0 && summary.claims_paid > 0);

        // The record holds: the chain verifies and no demo name or phone is in clear.
        assert!(core.verify_audit(admin).unwrap().first_bad.is_none());
        let mut raw = Vec::new();
        for c in backend.collections().unwrap() {
            for (k, v) in backend.scan(&c, &Scan::all()).unwrap() {
                raw.extend(k);
                raw.extend(v.value);
            }
        }
        let mut secrets: Vec<String> = GIVEN.iter().map(|g| format!("{g} ")).collect();
        secrets.extend(FAMILY.iter().map(|f| format!(" {f} ")));
        secrets.push("07700 900".into());
        secrets.push("@example.org".into());
        for secret in secrets {
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret:?} in clear"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10))]

        // Any seed gives a dataset the services accept in full (no refusal stops it), whose
        // cases all replay, and whose counts nest: tracks only after a rescue, exits only of
        // placements, convictions only of police reports, payments only of claims.
        #[test]
        fn any_seed_generates_a_consistent_dataset(seed in proptest::prelude::any::<u64>()) {
            let (core, _) = core();
            let actors = staff(&core);
            let s = core.generate_demo(&actors[0], DemoConfig { seed, size: 12 }).unwrap();
            proptest::prop_assert_eq!(s.cases, 12);
            proptest::prop_assert!(s.children <= s.cases && s.rescued <= s.cases);
            proptest::prop_assert!(s.referrals <= s.rescued);
            proptest::prop_assert!(s.placements <= s.rescued);
            proptest::prop_assert!(s.exits <= s.placements && s.moves <= s.placements);
            proptest::prop_assert!(s.convictions <= s.police_reports);
            proptest::prop_assert!(s.claims_paid <= s.claims);
            let today = core.clock.today();
            for case in records::all::<Case>(core.backend.as_ref()).unwrap() {
                let state = case.data.state().unwrap();
                proptest::prop_assert!(state.stage().is_some());
                proptest::prop_assert!(case.data.events.iter().all(|e| e.event.date <= today));
            }
        }

        // A cursor never passes today and never goes back.
        #[test]
        fn a_cursor_stays_in_the_past_and_moves_forward(
            start in 0u64..1000,
            gaps in proptest::collection::vec(0u64..400, 0..12),
        ) {
            let today = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
            let mut c = Cursor { at: today.checked_sub_days(Days::new(start)).unwrap(), today };
            let mut before = c.at;
            for g in gaps {
                let stepped = c.step(g);
                proptest::prop_assert!(c.at <= today && c.at >= before);
                if let Some(d) = stepped {
                    proptest::prop_assert_eq!(d, c.at);
                } else {
                    proptest::prop_assert_eq!(c.at, before);
                }
                before = c.at;
            }
        }
    }
}
