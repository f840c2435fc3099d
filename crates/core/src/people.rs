//! People: the survivors and potential victims the cases are about. Everything that identifies a
//! person is sealed under that person's own key (see [`crate::sealed`]); the record in clear holds
//! only a pseudonym, a coarse age group and the erasure tombstone.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldError;
use crate::records::Record;
use crate::sealed::Sealed;
use crate::validate::{not_future, required};

/// Gender as HTCDS v2.0 records it (`gender`): the person's own description where they give one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Woman or girl.
    Female,
    /// Man or boy.
    Male,
    /// Transgender or gender non-conforming.
    TransgenderOrNonConforming,
    /// Not known or not given.
    Unknown,
}

/// How to reach a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A telephone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A postal address.
    Address,
    /// Anything else (a messaging handle, a caseworker to go through).
    Other,
}

/// One way of reaching a person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// What kind of contact.
    pub kind: ContactKind,
    /// The number, address or handle.
    pub value: String,
    /// Whether it is safe to use (e.g. not a phone the exploiter controls).
    #[serde(default = "yes")]
    pub safe_to_use: bool,
}

fn yes() -> bool {
    true
}

/// What identifies a person. Sealed at rest; shown only to roles with `person.identity`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonDetails {
    /// Names, the one the person uses first; then aliases and other spellings.
    #[serde(default)]
    pub names: Vec<String>,
    /// Date of birth, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Estimated age in years, when the date of birth is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_age: Option<u32>,
    /// There is reason to believe the person may be under 18 (they are then treated as a child
    /// whatever the stated age — Modern Slavery Act 2015 s.51).
    #[serde(default)]
    pub possibly_under_18: bool,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Nationalities, as ISO 3166-1 alpha-2 codes (`GB`, `AL`, `VN`, …).
    #[serde(default)]
    pub nationalities: Vec<String>,
    /// Languages spoken, as ISO 639-1 codes or names (`sq`, `vi`, `Tigrinya`).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Number of dependants (children or others who depend on the person).
    #[serde(default)]
    pub dependants: u32,
    /// Ways of reaching the person.
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

// Personal data never reaches logs through `Debug`.
impl fmt::Debug for PersonDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonDetails(<sealed>)")
    }
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Contact({:?}, <redacted>)", self.kind)
    }
}

/// Adult, child, or not known — the coarse age the reports and the NRM route need, kept in clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// 18 or over.
    Adult,
    /// Under 18, or possibly under 18 (treated as a child).
    Child,
    /// Nothing recorded.
    Unknown,
}

impl PersonDetails {
    /// The facts the NRM rules need about age.
    pub fn age_facts(&self) -> unchain_nrm::route::AgeFacts {
        unchain_nrm::route::AgeFacts {
            age_years: self.estimated_age,
            date_of_birth: self.date_of_birth,
            possibly_under_18: self.possibly_under_18,
        }
    }

    /// The person's age group on `as_of`.
    pub fn age_group(&self, as_of: NaiveDate) -> AgeGroup {
        match self.age_facts().status_on(as_of) {
            Ok(s) if s.treated_as_child() => AgeGroup::Child,
            Ok(unchain_nrm::route::AgeStatus::Adult(_)) => AgeGroup::Adult,
            _ => AgeGroup::Unknown,
        }
    }

    /// Age in whole years on `as_of`, if known.
    pub fn age_on(&self, as_of: NaiveDate) -> Option<u32> {
        self.date_of_birth
            .and_then(|dob| as_of.years_since(dob))
            .or(self.estimated_age)
    }

    /// Every problem with the details, fields prefixed with `prefix` (e.g. `person.`).
    pub(crate) fn validate(&self, prefix: &str, today: NaiveDate) -> Vec<FieldError> {
        let mut e = Vec::new();
        for (i, name) in self.names.iter().enumerate() {
            required(&mut e, &format!("{prefix}names[{i}]"), name, 200);
        }
        if self.names.len() > 20 {
            e.push(FieldError::new(
                format!("{prefix}names"),
                "more than 20 names",
            ));
        }
        if let Some(dob) = self.date_of_birth {
            not_future(&mut e, &format!("{prefix}date_of_birth"), dob, today);
            if today.years_since(dob).is_some_and(|y| y > 120) {
                e.push(FieldError::new(
                    format!("{prefix}date_of_birth"),
                    format!("{dob} would make the person over 120"),
                ));
            }
        }
        if self.estimated_age.is_some_and(|a| a > 120) {
            e.push(FieldError::new(
                format!("{prefix}estimated_age"),
                "must be at most 120",
            ));
        }
        for (i, n) in self.nationalities.iter().enumerate() {
            if n.len() != 2 || !n.bytes().all(|b| b.is_ascii_uppercase()) {
                e.push(FieldError::new(
                    format!("{prefix}nationalities[{i}]"),
                    format!("{n:?} is not an ISO 3166-1 alpha-2 code (two capital letters)"),
                ));
            }
        }
        for (i, l) in self.languages.iter().enumerate() {
            required(&mut e, &format!("{prefix}languages[{i}]"), l, 60);
        }
        if self.dependants > 50 {
            e.push(FieldError::new(
                format!("{prefix}dependants"),
                "must be at most 50",
            ));
        }
        for (i, c) in self.contacts.iter().enumerate() {
            required(
                &mut e,
                &format!("{prefix}contacts[{i}].value"),
                &c.value,
                500,
            );
        }
        e
    }
}

/// When and why a person's data was erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erasure {
    /// When the key was destroyed.
    pub at: DateTime<Utc>,
    /// Who erased it (user name).
    pub by: String,
    /// Why (e.g. "erasure request under UK GDPR Art. 17"); must not itself hold personal data.
    pub reason: String,
}

/// A person as stored: a pseudonym in clear, the identity sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// A stable pseudonym shown to roles that may not see the identity.
    pub pseudonym: String,
    /// Adult or child at the last update of the details.
    pub age_group: AgeGroup,
    /// The sealed [`PersonDetails`]; `None` once erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Sealed>,
    /// When the person was first recorded.
    pub created_at: DateTime<Utc>,
    /// Set when the person's data was erased; the record stays as a tombstone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased: Option<Erasure>,
}

impl Record for Person {
    const COLLECTION: &'static str = "people";
    const KIND: &'static str = "person";
}

/// The pseudonym of a person id: `P-` and six hex digits of the id's random tail. Ids carry no
/// personal data, so neither does this.
pub fn pseudonym(id: Uuid) -> String {
    let b = id.as_bytes();
    format!("P-{:02X}{:02X}{:02X}", b[13], b[14], b[15])
}

/// A person as shown to a user: always the pseudonym; the identity only to roles allowed to see
/// it (and then the read is audited).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonView {
    /// The person's id.
    pub id: Uuid,
    /// The record version (send it back with an update).
    pub version: u64,
    /// The pseudonym.
    pub pseudonym: String,
    /// Adult, child or unknown.
    pub age_group: AgeGroup,
    /// The identity, when the viewer may see it and it has not been erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PersonDetails>,
    /// Set when the person's data was erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased: Option<Erasure>,
}
