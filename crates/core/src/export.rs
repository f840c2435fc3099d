//! HTCDS v2.0-aligned export for data collaboratives: de-identified rows, k-anonymised.
//!
//! Quasi-identifiers (what could single a person out when joined with other data): gender,
//! citizenship, age when trafficked, type of exploitation, location of exploitation and the year
//! the case was registered. Ages are always released as the Counter Trafficking Data
//! Collaborative's age bands (CTDC codebook `ageBroad`: 0–8, 9–17, 18–20, 21–23, 24–26, 27–29,
//! 30–38, 39–47, 48+) and places as regions; then, Datafly-style (Sweeney 2002), the
//! quasi-identifier with the most distinct values is generalised one level further (age band →
//! minor/adult → withheld; region → country → withheld; others → withheld) until the rows that
//! still stand out (in a combination shared by fewer than k rows) fit the suppression budget;
//! those rows are then left out. k defaults to 11, as CTDC publishes its global dataset.

use serde::{Deserialize, Serialize};

use crate::auth::Operation;
use crate::cases::Case;
use crate::error::{CoreError, Result};
use crate::lifecycle::NrmState;
use crate::network::cluster::FxMap;
use crate::nrm::{ExploitationType, Jurisdiction};
use crate::people::{Gender, Person, PersonDetails};
use crate::records::{self, Record};
use crate::unchain::Unchain;
use crate::users::Actor;

/// Where exploitation took place, at three levels of detail.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    /// Town or local authority (never released as is).
    pub area: String,
    /// Region (ITL1 in the UK: London, North West, Scotland, …).
    pub region: String,
    /// Country (ISO 3166-1 alpha-2 or the UK nation's name).
    pub country: String,
}

/// One de-identified case (no names, dates of birth, contacts or ids), HTCDS v2.0 field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HtcdsCase {
    /// `prs_gender`.
    pub prs_gender: Option<String>,
    /// `prs_citizenship` (ISO 3166-1 alpha-2).
    pub prs_citizenship: Option<String>,
    /// `vic_age_when_trafficked`, in years (released only as a band or coarser).
    pub vic_age_when_trafficked: Option<u32>,
    /// `vic_type_of_exploitation`.
    pub vic_type_of_exploitation: Option<String>,
    /// `vic_location_of_exploitation` (released only as a region or coarser).
    pub vic_location_of_exploitation: Option<Place>,
    /// `cas_year_of_registration` (CTDC `yearOfRegistration`).
    pub cas_year_of_registration: Option<i32>,
    /// `vic_trafficking_status` (Possible / Actual / Not a victim) — not a quasi-identifier.
    pub vic_trafficking_status: Option<String>,
    /// `cas_status` (Active / FollowUp / Closed / ClosedReferred) — not a quasi-identifier.
    pub cas_status: Option<String>,
}

/// One released row: every quasi-identifier generalised as the report says. `None` is unknown
/// or withheld (a withheld field is withheld for every row; see the report).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HtcdsRecord {
    /// `prs_gender`.
    pub prs_gender: Option<String>,
    /// `prs_citizenship`.
    pub prs_citizenship: Option<String>,
    /// `vic_age_when_trafficked` as a CTDC age band (`"18--20"`) or `"minor"`/`"adult"`.
    pub vic_age_when_trafficked: Option<String>,
    /// `vic_type_of_exploitation`.
    pub vic_type_of_exploitation: Option<String>,
    /// `vic_location_of_exploitation` as a region or a country.
    pub vic_location_of_exploitation: Option<String>,
    /// `cas_year_of_registration`.
    pub cas_year_of_registration: Option<String>,
    /// `vic_trafficking_status`.
    pub vic_trafficking_status: Option<String>,
    /// `cas_status`.
    pub cas_status: Option<String>,
}

impl HtcdsRecord {
    /// The quasi-identifier combination k-anonymity is about.
    pub fn quasi_identifiers(&self) -> [Option<&str>; 6] {
        [
            self.prs_gender.as_deref(),
            self.prs_citizenship.as_deref(),
            self.vic_age_when_trafficked.as_deref(),
            self.vic_type_of_exploitation.as_deref(),
            self.vic_location_of_exploitation.as_deref(),
            self.cas_year_of_registration.as_deref(),
        ]
    }
}

/// How strongly to anonymise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KAnonymity {
    /// Every released combination of quasi-identifiers is shared by at least k rows.
    pub k: usize,
    /// Rows that may be left out before generalising further, per thousand rows.
    pub max_suppressed_per_mille: u32,
}

impl Default for KAnonymity {
    fn default() -> Self {
        Self {
            k: 11,
            max_suppressed_per_mille: 50,
        }
    }
}

/// A quasi-identifier field and how far it was generalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldGeneralisation {
    /// The HTCDS field.
    pub field: String,
    /// What it is released as (`"as recorded"`, `"CTDC age band"`, `"minor or adult"`,
    /// `"region"`, `"country"`, `"withheld"`).
    pub released_as: String,
    /// Distinct values released.
    pub distinct_values: usize,
}

/// What was generalised and suppressed, to publish beside the data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnonymisationReport {
    /// The k used.
    pub k: usize,
    /// Rows given.
    pub rows_in: usize,
    /// Rows released.
    pub rows_released: usize,
    /// Rows left out because their combination still stood out.
    pub rows_suppressed: usize,
    /// Per quasi-identifier, how it is released.
    pub fields: Vec<FieldGeneralisation>,
}

/// Released rows with the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Anonymised {
    /// The rows released, in input order.
    pub rows: Vec<HtcdsRecord>,
    /// What was done.
    pub report: AnonymisationReport,
}

const FIELDS: [&str; 6] = [
    "prs_gender",
    "prs_citizenship",
    "vic_age_when_trafficked",
    "vic_type_of_exploitation",
    "vic_location_of_exploitation",
    "cas_year_of_registration",
];

/// The top level (withheld) per field.
const TOP: [u8; 6] = [1, 1, 2, 1, 2, 1];

/// The CTDC `ageBroad` band of an age.
pub fn age_band(age: u32) -> &'static str {
    match age {
        0..=8 => "0--8",
        9..=17 => "9--17",
        18..=20 => "18--20",
        21..=23 => "21--23",
        24..=26 => "24--26",
        27..=29 => "27--29",
        30..=38 => "30--38",
        39..=47 => "39--47",
        _ => "48+",
    }
}

fn released_as(field: usize, level: u8) -> &'static str {
    match (field, level) {
        (_, l) if l >= TOP[field] => "withheld",
        (2, 0) => "CTDC age band",
        (2, _) => "minor or adult",
        (4, 0) => "region",
        (4, _) => "country",
        _ => "as recorded",
    }
}

fn generalise(case: &HtcdsCase, levels: &[u8; 6]) -> HtcdsRecord {
    let keep = |field: usize, v: &Option<String>| {
        if levels[field] >= TOP[field] {
            None
        } else {
            v.clone()
        }
    };
    let age = match levels[2] {
        0 => case.vic_age_when_trafficked.map(|a| age_band(a).to_owned()),
        1 => case
            .vic_age_when_trafficked
            .map(|a| if a < 18 { "minor" } else { "adult" }.to_owned()),
        _ => None,
    };
    let place = case
        .vic_location_of_exploitation
        .as_ref()
        .and_then(|p| match levels[4] {
            0 => Some(p.region.clone()),
            1 => Some(p.country.clone()),
            _ => None,
        });
    HtcdsRecord {
        prs_gender: keep(0, &case.prs_gender),
        prs_citizenship: keep(1, &case.prs_citizenship),
        vic_age_when_trafficked: age,
        vic_type_of_exploitation: keep(3, &case.vic_type_of_exploitation),
        vic_location_of_exploitation: place,
        cas_year_of_registration: if levels[5] >= TOP[5] {
            None
        } else {
            case.cas_year_of_registration.map(|y| y.to_string())
        },
        vic_trafficking_status: case.vic_trafficking_status.clone(),
        cas_status: case.cas_status.clone(),
    }
}

/// k-anonymises `cases`: every released quasi-identifier combination occurs at least `k` times.
pub fn k_anonymise(cases: &[HtcdsCase], config: &KAnonymity) -> Anonymised {
    let k = config.k.max(1);
    let budget = cases.len() * config.max_suppressed_per_mille as usize / 1000;
    let mut levels = [0u8; 6];
    loop {
        let rows: Vec<HtcdsRecord> = cases.iter().map(|c| generalise(c, &levels)).collect();
        let counts = class_sizes(&rows);
        let outliers = rows
            .iter()
            .filter(|r| counts[&r.quasi_identifiers()] < k)
            .count();
        let next = (0..6)
            .filter(|&f| levels[f] < TOP[f])
            .max_by_key(|&f| (distinct(&rows, f), std::cmp::Reverse(f)));
        match next {
            Some(f) if outliers > budget => levels[f] += 1,
            _ => {
                let keep: Vec<bool> = rows
                    .iter()
                    .map(|r| counts[&r.quasi_identifiers()] >= k)
                    .collect();
                drop(counts);
                return finish(cases.len(), rows, &keep, k, &levels);
            }
        }
    }
}

fn class_sizes(rows: &[HtcdsRecord]) -> FxMap<[Option<&str>; 6], usize> {
    let mut counts: FxMap<[Option<&str>; 6], usize> = FxMap::default();
    for r in rows {
        *counts.entry(r.quasi_identifiers()).or_default() += 1;
    }
    counts
}

fn distinct(rows: &[HtcdsRecord], field: usize) -> usize {
    let mut seen: FxMap<Option<&str>, ()> = FxMap::default();
    for r in rows {
        seen.insert(r.quasi_identifiers()[field], ());
    }
    seen.len()
}

fn finish(
    rows_in: usize,
    rows: Vec<HtcdsRecord>,
    keep: &[bool],
    k: usize,
    levels: &[u8; 6],
) -> Anonymised {
    let released: Vec<HtcdsRecord> = rows
        .into_iter()
        .zip(keep)
        .filter_map(|(r, &keep)| keep.then_some(r))
        .collect();
    let fields = (0..6)
        .map(|f| FieldGeneralisation {
            field: FIELDS[f].to_owned(),
            released_as: released_as(f, levels[f]).to_owned(),
            distinct_values: distinct(&released, f),
        })
        .collect();
    Anonymised {
        report: AnonymisationReport {
            k,
            rows_in,
            rows_released: released.len(),
            rows_suppressed: rows_in - released.len(),
            fields,
        },
        rows: released,
    }
}

/// HTCDS `vic_TypeOfExploitation` for an NRM exploitation type (criminal exploitation has no
/// value of its own in HTCDS v2.0: `Other`).
pub fn htcds_exploitation(e: ExploitationType) -> Option<&'static str> {
    match e {
        ExploitationType::Labour => Some("ForcedLabour"),
        ExploitationType::Sexual => Some("SexualExploitation"),
        ExploitationType::Criminal => Some("Other"),
        ExploitationType::DomesticServitude => Some("Servitude"),
        ExploitationType::OrganHarvesting => Some("OrganRemoval"),
        ExploitationType::NotSpecifiedOrUnknown => None,
    }
}

fn htcds_gender(g: Gender) -> Option<&'static str> {
    match g {
        Gender::Female => Some("Female"),
        Gender::Male => Some("Male"),
        Gender::TransgenderOrNonConforming => Some("TransgenderOrNonConforming"),
        Gender::Unknown => None,
    }
}

impl Anonymised {
    /// The released rows as CSV, HTCDS field names in the header.
    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| CoreError::Refused(format!("cannot write the CSV: {e}"));
        for r in &self.rows {
            w.serialize(r).map_err(err)?;
        }
        if self.rows.is_empty() {
            w.write_record([
                "prs_gender",
                "prs_citizenship",
                "vic_age_when_trafficked",
                "vic_type_of_exploitation",
                "vic_location_of_exploitation",
                "cas_year_of_registration",
                "vic_trafficking_status",
                "cas_status",
            ])
            .map_err(err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| CoreError::Refused(format!("cannot write the CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| CoreError::Refused(e.to_string()))
    }
}

impl Unchain {
    /// Every stored case as a de-identified HTCDS row (age at opening, gender, first
    /// nationality, exploitation types, jurisdiction as the region, year opened, trafficking
    /// status from the NRM decisions, case status), k-anonymised with `config`. The export is
    /// audited as one read of the cases (what leaves names no one).
    pub fn export_htcds(&self, actor: &Actor, config: &KAnonymity) -> Result<Anonymised> {
        self.authorize(actor, Operation::ExportHtcds)?;
        let backend = self.backend.as_ref();
        let mut rows = Vec::new();
        for case in records::all::<Case>(backend)? {
            let state = case.data.state()?;
            let opened = state.opened_on();
            let person = records::find::<Person>(backend, case.data.person_id)?;
            let details: Option<PersonDetails> =
                match person.as_ref().and_then(|p| p.data.details.as_ref()) {
                    Some(sealed) => {
                        self.unseal(sealed, Person::KIND, case.data.person_id, "details")?
                    }
                    None => None,
                };
            let mut exploitation: Vec<&str> = case
                .data
                .exploitation
                .iter()
                .filter_map(|e| htcds_exploitation(*e))
                .collect();
            exploitation.sort_unstable();
            exploitation.dedup();
            let region = match case.data.jurisdiction {
                Jurisdiction::EnglandAndWales => "England and Wales",
                Jurisdiction::Scotland => "Scotland",
                Jurisdiction::NorthernIreland => "Northern Ireland",
            };
            let status = match state.nrm() {
                NrmState::CgPositive | NrmState::MoveOn => "Actual",
                NrmState::CgNegative => "NotAVictim",
                _ => "Possible",
            };
            rows.push(HtcdsCase {
                prs_gender: details
                    .as_ref()
                    .and_then(|d| d.gender)
                    .and_then(htcds_gender)
                    .map(str::to_owned),
                prs_citizenship: details
                    .as_ref()
                    .and_then(|d| d.nationalities.first().cloned()),
                vic_age_when_trafficked: match (&details, opened) {
                    (Some(d), Some(on)) => d.age_on(on),
                    _ => None,
                },
                vic_type_of_exploitation: (!exploitation.is_empty())
                    .then(|| exploitation.join(";")),
                vic_location_of_exploitation: Some(Place {
                    area: String::new(),
                    region: region.to_owned(),
                    country: "GB".to_owned(),
                }),
                cas_year_of_registration: opened.map(|d| chrono::Datelike::year(&d)),
                vic_trafficking_status: Some(status.to_owned()),
                cas_status: state.htcds_status().map(|s| s.htcds_value().to_owned()),
            });
        }
        let out = k_anonymise(&rows, config);
        self.audit_read(
            actor,
            Operation::ExportHtcds,
            &[format!(
                "export:htcds {} cases, {} released, k={}",
                out.report.rows_in, out.report.rows_released, out.report.k
            )],
        )?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn case(g: &str, c: &str, age: u32, e: &str, region: &str, year: i32) -> HtcdsCase {
        HtcdsCase {
            prs_gender: Some(g.into()),
            prs_citizenship: Some(c.into()),
            vic_age_when_trafficked: Some(age),
            vic_type_of_exploitation: Some(e.into()),
            vic_location_of_exploitation: Some(Place {
                area: format!("{region} town"),
                region: region.into(),
                country: "GB".into(),
            }),
            cas_year_of_registration: Some(year),
            vic_trafficking_status: Some("Possible".into()),
            cas_status: Some("Active".into()),
        }
    }

    /// CTDC codebook ageBroad bands.
    #[test]
    fn age_bands() {
        let cases = [
            (0, "0--8"),
            (8, "0--8"),
            (9, "9--17"),
            (17, "9--17"),
            (18, "18--20"),
            (29, "27--29"),
            (30, "30--38"),
            (47, "39--47"),
            (48, "48+"),
            (90, "48+"),
        ];
        for (age, band) in cases {
            assert_eq!(age_band(age), band, "{age}");
        }
    }

    #[test]
    fn a_large_uniform_group_is_released_as_bands_and_regions() {
        let rows: Vec<_> = (0..30)
            .map(|i| case("female", "AL", 22 + (i % 2), "sexual", "London", 2023))
            .collect();
        let out = k_anonymise(&rows, &KAnonymity::default());
        assert_eq!(out.report.rows_released, 30);
        assert_eq!(out.report.rows_suppressed, 0);
        assert_eq!(
            out.rows[0].vic_age_when_trafficked.as_deref(),
            Some("21--23")
        );
        assert_eq!(
            out.rows[0].vic_location_of_exploitation.as_deref(),
            Some("London")
        );
        assert_eq!(out.report.fields[2].released_as, "CTDC age band");
        // No town ever leaves.
        let json = serde_json::to_string(&out.rows).unwrap();
        assert!(!json.contains("town"));
    }

    #[test]
    fn a_lone_case_is_generalised_or_left_out() {
        let mut rows: Vec<_> = (0..30)
            .map(|_| case("female", "AL", 22, "sexual", "London", 2023))
            .collect();
        rows.push(case("male", "ER", 61, "labour", "Wales", 2021));
        let out = k_anonymise(&rows, &KAnonymity::default());
        assert_eq!(out.report.rows_suppressed, 1);
        assert_eq!(out.report.rows_released, 30);
        assert!(
            out.rows
                .iter()
                .all(|r| r.prs_citizenship.as_deref() == Some("AL"))
        );
    }

    #[test]
    fn stored_cases_export_k_anonymised() {
        use crate::auth::Role;
        use crate::testing::{core, staff};
        let (core, _) = core();
        let actors = staff(&core);
        let admin = &actors[0];
        for i in 0..14 {
            core.open_case(
                admin,
                crate::testing::new_case(PersonDetails {
                    names: vec![format!("Person {i}")],
                    estimated_age: Some(if i == 13 { 70 } else { 25 }),
                    gender: Some(Gender::Female),
                    nationalities: vec![if i == 13 { "ER" } else { "AL" }.into()],
                    ..Default::default()
                }),
            )
            .unwrap();
        }
        let analyst = crate::testing::by_role(&actors, Role::Analyst);
        // With the default budget (5% of 14 rows = 0) the lone case forces generalisation.
        let out = core.export_htcds(analyst, &KAnonymity::default()).unwrap();
        assert_eq!(out.report.rows_released, 14);
        assert!(out.rows.iter().all(|r| r.prs_citizenship.is_none()));
        // Allowing one row in ten to be left out keeps the detail and drops the lone case.
        let config = KAnonymity {
            k: 11,
            max_suppressed_per_mille: 100,
        };
        let out = core.export_htcds(analyst, &config).unwrap();
        assert_eq!(out.report.rows_in, 14);
        assert_eq!(out.report.rows_released, 13);
        let r = &out.rows[0];
        assert_eq!(r.vic_age_when_trafficked.as_deref(), Some("24--26"));
        assert_eq!(
            r.vic_type_of_exploitation.as_deref(),
            Some("SexualExploitation")
        );
        assert_eq!(r.cas_status.as_deref(), Some("Active"));
        let csv = out.to_csv().unwrap();
        assert!(csv.starts_with("prs_gender,prs_citizenship,vic_age_when_trafficked"));
        assert!(!csv.contains("Person"));
        let investigator = actors
            .iter()
            .find(|a| a.role == Role::Investigator)
            .unwrap();
        assert!(
            core.export_htcds(investigator, &KAnonymity::default())
                .is_err()
        );
    }

    #[test]
    fn too_few_rows_release_nothing() {
        let rows: Vec<_> = (0..5)
            .map(|_| case("female", "AL", 22, "sexual", "London", 2023))
            .collect();
        let out = k_anonymise(&rows, &KAnonymity::default());
        assert_eq!(out.report.rows_released, 0);
        assert!(
            out.report
                .fields
                .iter()
                .all(|f| f.released_as == "withheld")
        );
    }

    fn arb_case() -> impl Strategy<Value = HtcdsCase> {
        (
            prop::option::of(prop::sample::select(vec!["female", "male", "unknown"])),
            prop::option::of(prop::sample::select(vec![
                "GB", "AL", "VN", "SD", "ER", "RO",
            ])),
            prop::option::of(0u32..80),
            prop::option::of(prop::sample::select(vec!["labour", "sexual", "criminal"])),
            prop::option::of(prop::sample::select(vec![
                "London",
                "Wales",
                "Scotland",
                "North West",
            ])),
            prop::option::of(2019i32..2025),
        )
            .prop_map(|(g, c, a, e, r, y)| HtcdsCase {
                prs_gender: g.map(str::to_owned),
                prs_citizenship: c.map(str::to_owned),
                vic_age_when_trafficked: a,
                vic_type_of_exploitation: e.map(str::to_owned),
                vic_location_of_exploitation: r.map(|r| Place {
                    area: "somewhere".into(),
                    region: r.into(),
                    country: if r == "Scotland" || r == "Wales" {
                        r.into()
                    } else {
                        "England".into()
                    },
                }),
                cas_year_of_registration: y,
                vic_trafficking_status: None,
                cas_status: None,
            })
    }

    proptest! {
        /// Every released quasi-identifier combination occurs at least k times; every row is
        /// released or counted as suppressed; what is withheld is withheld for every row.
        #[test]
        fn released_rows_are_k_anonymous(
            rows in prop::collection::vec(arb_case(), 0..300),
            k in 1usize..15,
            per_mille in 0u32..200,
        ) {
            let out = k_anonymise(&rows, &KAnonymity { k, max_suppressed_per_mille: per_mille });
            let mut counts: std::collections::HashMap<_, usize> = Default::default();
            for r in &out.rows {
                *counts.entry(r.quasi_identifiers()).or_default() += 1;
            }
            prop_assert!(counts.values().all(|&n| n >= k));
            prop_assert_eq!(out.report.rows_released + out.report.rows_suppressed, rows.len());
            prop_assert_eq!(out.report.rows_released, out.rows.len());
            for (f, field) in out.report.fields.iter().enumerate() {
                if field.released_as == "withheld" {
                    prop_assert!(out.rows.iter().all(|r| r.quasi_identifiers()[f].is_none()));
                }
            }
            // The budget holds unless everything was generalised as far as it goes.
            let all_top = out.report.fields.iter().all(|f| f.released_as == "withheld");
            prop_assert!(all_top || out.report.rows_suppressed <= rows.len() * per_mille as usize / 1000);
        }
    }
}
