//! Is a referral ready to send? [`check`] returns every problem at once, each naming its field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::jurisdiction::Jurisdiction;
use crate::route::{AgeFacts, AgeStatus, Consent, ReferrerKind};
use crate::rules::dates::NRM_START;

/// NRM statistics' exploitation types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExploitationType {
    /// Labour exploitation.
    Labour,
    /// Sexual exploitation.
    Sexual,
    /// Criminal exploitation.
    Criminal,
    /// Domestic servitude.
    DomesticServitude,
    /// Organ harvesting.
    OrganHarvesting,
    /// Not specified or unknown (a valid NRM category, but a recorded choice).
    NotSpecifiedOrUnknown,
}

/// The record of an adult's consent to a referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// Given, refused, or not recorded.
    pub consent: Consent,
    /// When it was recorded.
    pub recorded_on: NaiveDate,
    /// Whether the person was told what the NRM is and what a referral means (consent must be
    /// informed).
    pub informed: bool,
}

/// The facts of a referral as the NGO holds them. Every field is optional here so that an
/// incomplete referral can be checked; [`check`] says what is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralFacts {
    /// Where the person was encountered.
    pub jurisdiction: Option<Jurisdiction>,
    /// The date of the referral (or the planned date).
    pub referral_date: Option<NaiveDate>,
    /// Age, date of birth and the possibly-under-18 flag.
    pub age: AgeFacts,
    /// Gender as the person gives it (NRM statistics category).
    pub gender: Option<String>,
    /// Nationality.
    pub nationality: Option<String>,
    /// Types of exploitation.
    pub exploitation_types: Vec<ExploitationType>,
    /// Where the exploitation happened (place and country).
    pub exploitation_location: Option<String>,
    /// When the exploitation began.
    pub exploitation_start: Option<NaiveDate>,
    /// When it ended (absent when ongoing).
    pub exploitation_end: Option<NaiveDate>,
    /// True when the exploitation is ongoing.
    pub exploitation_ongoing: bool,
    /// Indicators observed (catalogue ids or free text).
    pub indicators: Vec<String>,
    /// An adult's consent record.
    pub consent: Option<ConsentRecord>,
    /// The kind of organisation referring.
    pub referrer: Option<ReferrerKind>,
    /// The First Responder Organisation that makes the referral when the referrer is not one.
    pub first_responder: Option<String>,
}

/// What kind of problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Required and absent.
    Missing,
    /// Present but unusable (e.g. a date in the future).
    Invalid,
    /// Contradicts another field.
    Inconsistent,
    /// Present, and it prevents the referral (e.g. consent refused).
    Blocking,
}

/// One problem with a referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The field, by its name in [`ReferralFacts`] (dotted for nested fields).
    pub field: &'static str,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// Why, in a sentence for the caseworker.
    pub reason: String,
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// Check a referral as of `as_of` and return every problem (empty when it is complete).
pub fn check(facts: &ReferralFacts, as_of: NaiveDate) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push = |field: &'static str, kind: ProblemKind, reason: String| {
        out.push(Problem {
            field,
            kind,
            reason,
        })
    };
    use ProblemKind::*;

    if facts.jurisdiction.is_none() {
        push(
            "jurisdiction",
            Missing,
            "where the person was encountered decides the rules".into(),
        );
    }
    match facts.referral_date {
        None => push(
            "referral_date",
            Missing,
            "the referral date starts every NRM deadline".into(),
        ),
        Some(d) if d > as_of => push(
            "referral_date",
            Invalid,
            format!("{d} is after today ({as_of})"),
        ),
        Some(d) if d < NRM_START => push(
            "referral_date",
            Invalid,
            format!("{d} is before the NRM began on {NRM_START}"),
        ),
        Some(_) => {}
    }

    // Age: decided on the referral date when known, else today.
    let age_on = facts.referral_date.filter(|d| *d <= as_of).unwrap_or(as_of);
    let a = &facts.age;
    if a.age_years.is_none() && a.date_of_birth.is_none() && !a.possibly_under_18 {
        push(
            "age",
            Missing,
            "record an age, a date of birth, or that the person may be under 18".into(),
        );
    }
    if let Some(y) = a.age_years.filter(|y| *y > 120) {
        push(
            "age.age_years",
            Invalid,
            format!("{y} years is not a plausible age"),
        );
    }
    if let Some(dob) = a.date_of_birth {
        if dob > as_of {
            push(
                "age.date_of_birth",
                Invalid,
                format!("{dob} is after today ({as_of})"),
            );
        } else if let (Some(y), Some(from_dob)) = (a.age_years, age_on.years_since(dob)) {
            if y.abs_diff(from_dob) > 1 {
                push(
                    "age.age_years",
                    Inconsistent,
                    format!("{y} years does not match the date of birth {dob} ({from_dob} years)"),
                );
            }
        }
    }
    let status = a.status_on(age_on).unwrap_or(AgeStatus::Unknown);

    if blank(&facts.gender) {
        push(
            "gender",
            Missing,
            "gender is an NRM statistics category".into(),
        );
    }
    if blank(&facts.nationality) {
        push(
            "nationality",
            Missing,
            "nationality is required on the referral".into(),
        );
    }
    if facts.exploitation_types.is_empty() {
        push(
            "exploitation_types",
            Missing,
            "record at least one exploitation type (or 'not specified or unknown')".into(),
        );
    }
    if blank(&facts.exploitation_location) {
        push(
            "exploitation_location",
            Missing,
            "where the exploitation happened".into(),
        );
    }
    match facts.exploitation_start {
        None => push(
            "exploitation_start",
            Missing,
            "when the exploitation began".into(),
        ),
        Some(s) if s > as_of => push(
            "exploitation_start",
            Invalid,
            format!("{s} is after today ({as_of})"),
        ),
        Some(_) => {}
    }
    match (facts.exploitation_end, facts.exploitation_ongoing) {
        (None, false) => push(
            "exploitation_end",
            Missing,
            "when the exploitation ended, or mark it ongoing".into(),
        ),
        (Some(e), true) => push(
            "exploitation_end",
            Inconsistent,
            format!("an end date ({e}) is given but the exploitation is marked ongoing"),
        ),
        (Some(e), false) if e > as_of => push(
            "exploitation_end",
            Invalid,
            format!("{e} is after today ({as_of})"),
        ),
        _ => {}
    }
    if let (Some(s), Some(e)) = (facts.exploitation_start, facts.exploitation_end) {
        if e < s {
            push(
                "exploitation_end",
                Inconsistent,
                format!("the end ({e}) is before the start ({s})"),
            );
        }
    }
    if facts.indicators.iter().all(|i| i.trim().is_empty()) {
        push(
            "indicators",
            Missing,
            "record the indicators observed".into(),
        );
    }

    // Consent: adults only (children and possible children are referred without consent).
    if matches!(status, AgeStatus::Adult(_) | AgeStatus::Unknown) {
        let who = if status == AgeStatus::Unknown {
            "unless the person is a child, "
        } else {
            ""
        };
        match &facts.consent {
            None => push(
                "consent",
                Missing,
                format!("{who}an adult's informed consent must be recorded"),
            ),
            Some(c) => {
                match c.consent {
                    Consent::Given => {}
                    Consent::NotRecorded => push(
                        "consent.consent",
                        Missing,
                        format!("{who}ask for and record the adult's informed consent"),
                    ),
                    Consent::Refused => push(
                        "consent.consent",
                        Blocking,
                        "the adult refused consent: no NRM referral (a body with the Duty to Notify may notify instead)".into(),
                    ),
                }
                if !c.informed && c.consent == Consent::Given {
                    push(
                        "consent.informed",
                        Invalid,
                        "consent must be informed: record that the NRM and its consequences were explained".into(),
                    );
                }
                if c.recorded_on > as_of {
                    push(
                        "consent.recorded_on",
                        Invalid,
                        format!("{} is after today ({as_of})", c.recorded_on),
                    );
                } else if let Some(r) = facts.referral_date.filter(|r| c.recorded_on > *r) {
                    push(
                        "consent.recorded_on",
                        Inconsistent,
                        format!(
                            "consent recorded on {} after the referral on {r}",
                            c.recorded_on
                        ),
                    );
                }
            }
        }
    }

    match facts.referrer {
        None => push("referrer", Missing, "who is referring decides whether a First Responder is needed".into()),
        Some(k) if !k.is_first_responder() && blank(&facts.first_responder) => push(
            "first_responder",
            Missing,
            "the referrer is not a First Responder Organisation: name the one that makes the referral".into(),
        ),
        Some(_) => {}
    }
    out
}
