//! Which competent authority decides a referral, from its date and the person's immigration
//! situation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::NrmError;
use crate::jurisdiction::Jurisdiction;
use crate::rules::{AuthorityRegime, RuleBook};

/// A body that makes NRM decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompetentAuthority {
    /// UK Human Trafficking Centre (2009–2019): UK and EEA nationals without immigration issues.
    Ukhtc,
    /// The Home Office (UK Border Agency, later UK Visas and Immigration), 2009–2019: people
    /// subject to immigration control.
    HomeOffice,
    /// Single Competent Authority (from 2019-04-29).
    Sca,
    /// Immigration Enforcement Competent Authority (from 2021-11-08) for the cases it takes.
    Ieca,
}

impl CompetentAuthority {
    /// The authority's name.
    pub fn name(self) -> &'static str {
        match self {
            CompetentAuthority::Ukhtc => "UK Human Trafficking Centre",
            CompetentAuthority::HomeOffice => {
                "Home Office (UK Border Agency / UK Visas and Immigration)"
            }
            CompetentAuthority::Sca => "Single Competent Authority",
            CompetentAuthority::Ieca => "Immigration Enforcement Competent Authority",
        }
    }
}

/// The person's immigration situation, as far as it decides the competent authority.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImmigrationSituation {
    /// Subject to immigration control (not a UK national, or an EEA national with immigration
    /// issues). Decided the authority before 2019-04-29.
    pub subject_to_immigration_control: bool,
    /// A foreign national offender held in prison or an immigration removal centre.
    pub foreign_national_offender_detained: bool,
    /// Deportation proceedings have started.
    pub deportation_started: bool,
    /// Held in immigration detention.
    pub immigration_detainee: bool,
    /// An asylum claim being considered for inadmissibility.
    pub inadmissible_asylum_claim: bool,
}

impl ImmigrationSituation {
    /// The IECA criteria that this situation meets, by field name.
    pub fn ieca_criteria(&self) -> Vec<&'static str> {
        [
            (
                "foreign_national_offender_detained",
                self.foreign_national_offender_detained,
            ),
            ("deportation_started", self.deportation_started),
            ("immigration_detainee", self.immigration_detainee),
            ("inadmissible_asylum_claim", self.inadmissible_asylum_claim),
        ]
        .iter()
        .filter(|(_, met)| *met)
        .map(|(name, _)| *name)
        .collect()
    }
}

/// The competent authority for a referral, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthorityDecision {
    /// Who decides.
    pub authority: CompetentAuthority,
    /// The regime in force on the referral date.
    pub regime: AuthorityRegime,
    /// Why this authority: the rule and the facts that chose it.
    pub reason: String,
}

/// The competent authority for a referral made on `referred_on`, from the built-in rule table.
pub fn competent_authority(
    jurisdiction: Jurisdiction,
    referred_on: NaiveDate,
    situation: &ImmigrationSituation,
) -> Result<AuthorityDecision, NrmError> {
    competent_authority_with(RuleBook::builtin(), jurisdiction, referred_on, situation)
}

/// The competent authority for a referral made on `referred_on`, under `book`.
pub fn competent_authority_with(
    book: &RuleBook,
    jurisdiction: Jurisdiction,
    referred_on: NaiveDate,
    situation: &ImmigrationSituation,
) -> Result<AuthorityDecision, NrmError> {
    let regime = *book
        .competent_authorities
        .value_at(jurisdiction, referred_on);
    let (authority, reason) = match regime {
        AuthorityRegime::NoNrm => {
            return Err(NrmError::NrmNotInForce {
                field: "referred_on",
                date: referred_on,
            });
        }
        AuthorityRegime::UkhtcAndHomeOffice => {
            if situation.subject_to_immigration_control {
                (
                    CompetentAuthority::HomeOffice,
                    "before 2019-04-29 the Home Office decided cases of people subject to immigration control".to_owned(),
                )
            } else {
                (
                    CompetentAuthority::Ukhtc,
                    "before 2019-04-29 the UKHTC decided cases of UK and EEA nationals without immigration issues".to_owned(),
                )
            }
        }
        AuthorityRegime::SingleCompetentAuthority => (
            CompetentAuthority::Sca,
            "from 2019-04-29 the Single Competent Authority decides all cases".to_owned(),
        ),
        AuthorityRegime::ScaAndIeca => {
            let criteria = situation.ieca_criteria();
            if criteria.is_empty() {
                (
                    CompetentAuthority::Sca,
                    "no IECA criterion is met, so the Single Competent Authority decides"
                        .to_owned(),
                )
            } else {
                (
                    CompetentAuthority::Ieca,
                    format!(
                        "from 2021-11-08 the IECA takes cases meeting its criteria; met: {}",
                        criteria.join(", ")
                    ),
                )
            }
        }
    };
    Ok(AuthorityDecision {
        authority,
        regime,
        reason,
    })
}
