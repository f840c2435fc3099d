//! The route a case takes: an NRM referral, a Duty to Notify, or no referral possible — with the
//! reasons.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::NrmError;
use crate::jurisdiction::Jurisdiction;
use crate::rules::RuleBook;

/// What is known about the person's age.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgeFacts {
    /// Age in whole years on the as-of date, if known.
    pub age_years: Option<u32>,
    /// Date of birth, if known (used when `age_years` is absent).
    pub date_of_birth: Option<NaiveDate>,
    /// There is reason to believe the person may be under 18 (then they are treated as a child
    /// whatever the stated age).
    pub possibly_under_18: bool,
}

/// How the person stands as to age on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "age")]
pub enum AgeStatus {
    /// Under 18 (age in years).
    Child(u32),
    /// Age unknown or disputed, but possibly under 18: treated as a child.
    PossiblyChild,
    /// 18 or over (age in years).
    Adult(u32),
    /// Nothing recorded.
    Unknown,
}

impl AgeStatus {
    /// True for a child or a possible child (both are treated as children).
    pub fn treated_as_child(self) -> bool {
        matches!(self, AgeStatus::Child(_) | AgeStatus::PossiblyChild)
    }
}

impl AgeFacts {
    /// The person's age status on `as_of`.
    ///
    /// Errors when the date of birth is after `as_of`.
    pub fn status_on(&self, as_of: NaiveDate) -> Result<AgeStatus, NrmError> {
        let years = match (self.age_years, self.date_of_birth) {
            (Some(y), _) => Some(y),
            (None, Some(dob)) => {
                Some(
                    as_of
                        .years_since(dob)
                        .ok_or_else(|| NrmError::InvalidField {
                            field: "date_of_birth",
                            reason: format!("{dob} is after the as-of date {as_of}"),
                        })?,
                )
            }
            (None, None) => None,
        };
        Ok(match (self.possibly_under_18, years) {
            (_, Some(y)) if y < 18 => AgeStatus::Child(y),
            (true, _) => AgeStatus::PossiblyChild,
            (false, Some(y)) => AgeStatus::Adult(y),
            (false, None) => AgeStatus::Unknown,
        })
    }
}

/// Whether an adult gave informed consent to an NRM referral.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// Informed consent given.
    Given,
    /// Consent refused.
    Refused,
    /// Not (yet) asked or not recorded.
    #[default]
    NotRecorded,
}

/// What kind of organisation is referring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferrerKind {
    /// A police force (First Responder; statutory Duty to Notify).
    Police,
    /// A local authority (First Responder; statutory Duty to Notify).
    LocalAuthority,
    /// The National Crime Agency (First Responder; statutory Duty to Notify).
    Nca,
    /// The Gangmasters and Labour Abuse Authority (First Responder; statutory Duty to Notify).
    Glaa,
    /// UK Visas and Immigration, Border Force or Immigration Enforcement (First Responders;
    /// Duty to Notify by Home Office policy).
    HomeOfficeImmigration,
    /// Another designated First Responder Organisation (e.g. Salvation Army, Migrant Help,
    /// Barnardo's, NSPCC, TARA): may refer, carries no Duty to Notify.
    OtherFirstResponder,
    /// Not a First Responder (e.g. this NGO unless designated): must refer through one.
    NotFirstResponder,
}

impl ReferrerKind {
    /// May it make NRM referrals itself?
    pub fn is_first_responder(self) -> bool {
        !matches!(self, ReferrerKind::NotFirstResponder)
    }

    /// Does it carry the Duty to Notify (by statute or, for Home Office immigration bodies, by
    /// policy)?
    pub fn has_duty_to_notify(self) -> bool {
        matches!(
            self,
            ReferrerKind::Police
                | ReferrerKind::LocalAuthority
                | ReferrerKind::Nca
                | ReferrerKind::Glaa
                | ReferrerKind::HomeOfficeImmigration
        )
    }
}

/// The facts that decide the route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteFacts {
    /// Where the person was encountered.
    pub jurisdiction: Jurisdiction,
    /// The date of the decision (the as-of date; also the date age is computed on).
    pub date: NaiveDate,
    /// What is known about age.
    pub age: AgeFacts,
    /// An adult's consent.
    pub consent: Consent,
    /// Who would refer or notify.
    pub referrer: ReferrerKind,
}

/// The outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteDecision {
    /// Refer to the NRM (through a First Responder if `through_first_responder`).
    NrmReferral,
    /// Notify the Home Office anonymously under the Duty to Notify (form MS1).
    DutyToNotify,
    /// No referral or notification can be made now (see the reasons for what would change that).
    NoReferralPossible,
}

/// One reason behind a route, machine-readable; `Display` gives the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum RouteReason {
    /// The NRM did not exist on the date.
    NrmNotInForce,
    /// Under 18: must be referred; no consent needed.
    Child,
    /// Possibly under 18: treated as a child, referred without consent.
    PossiblyChild,
    /// The person's age is not recorded and nothing suggests a child.
    AgeUnknown,
    /// An adult gave informed consent.
    AdultConsented,
    /// An adult refused consent.
    AdultRefusedConsent,
    /// An adult's consent is not recorded.
    ConsentNotRecorded,
    /// The Duty to Notify applies to this referrer for an adult who does not consent.
    DutyToNotifyApplies,
    /// Children are never notified under the Duty to Notify: they are referred.
    ChildNeverDutyToNotify,
    /// There is no Duty to Notify in this jurisdiction on this date.
    DutyToNotifyNotAvailable,
    /// The referrer does not carry the Duty to Notify.
    ReferrerHasNoDutyToNotify,
    /// The referrer is not a First Responder and must refer through one.
    MustGoThroughFirstResponder,
}

impl std::fmt::Display for RouteReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RouteReason::NrmNotInForce => "the National Referral Mechanism did not exist on this date (it began on 2009-04-01)",
            RouteReason::Child => "the person is under 18: a child must be referred and no consent is needed",
            RouteReason::PossiblyChild => "the person may be under 18: treat as a child, refer without consent",
            RouteReason::AgeUnknown => "age not recorded: record an age, a date of birth, or that the person may be under 18",
            RouteReason::AdultConsented => "an adult gave informed consent to a referral",
            RouteReason::AdultRefusedConsent => "an adult refused consent: no NRM referral can be made",
            RouteReason::ConsentNotRecorded => "an adult's informed consent is not recorded: ask before referring",
            RouteReason::DutyToNotifyApplies => "the referrer carries the Duty to Notify: notify the Home Office anonymously (MS1)",
            RouteReason::ChildNeverDutyToNotify => "children are never notified under the Duty to Notify; they are referred",
            RouteReason::DutyToNotifyNotAvailable => "there is no Duty to Notify in this jurisdiction on this date (England & Wales only, from 2015-11-01)",
            RouteReason::ReferrerHasNoDutyToNotify => "the referrer does not carry the Duty to Notify (police, local authorities, NCA, GLAA; Home Office immigration bodies by policy)",
            RouteReason::MustGoThroughFirstResponder => "the referrer is not a First Responder Organisation: the referral must go through one",
        })
    }
}

/// The route and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The outcome.
    pub decision: RouteDecision,
    /// True when the referral must be made by a First Responder on the referrer's behalf.
    pub through_first_responder: bool,
    /// The person's age status on the date.
    pub age: AgeStatus,
    /// The reasons, in the order they were applied.
    pub reasons: Vec<RouteReason>,
}

/// Decide the route from the facts, under the built-in rule table.
pub fn route(facts: &RouteFacts) -> Result<Route, NrmError> {
    route_with(RuleBook::builtin(), facts)
}

/// Decide the route from the facts, under `book`.
pub fn route_with(book: &RuleBook, facts: &RouteFacts) -> Result<Route, NrmError> {
    use RouteReason as R;
    let age = facts.age.status_on(facts.date)?;
    let mut reasons = Vec::new();
    let done = |decision, through_first_responder, reasons| {
        Ok(Route {
            decision,
            through_first_responder,
            age,
            reasons,
        })
    };
    if !*book.nrm_in_force.value_at(facts.jurisdiction, facts.date) {
        reasons.push(R::NrmNotInForce);
        return done(RouteDecision::NoReferralPossible, false, reasons);
    }
    let via_fr = !facts.referrer.is_first_responder();
    let referral = |mut reasons: Vec<RouteReason>| {
        if via_fr {
            reasons.push(R::MustGoThroughFirstResponder);
        }
        done(RouteDecision::NrmReferral, via_fr, reasons)
    };
    match age {
        AgeStatus::Child(_) | AgeStatus::PossiblyChild => {
            reasons.push(if age == AgeStatus::PossiblyChild {
                R::PossiblyChild
            } else {
                R::Child
            });
            if facts.referrer.has_duty_to_notify() {
                reasons.push(R::ChildNeverDutyToNotify);
            }
            return referral(reasons);
        }
        AgeStatus::Unknown => {
            reasons.push(R::AgeUnknown);
            return done(RouteDecision::NoReferralPossible, false, reasons);
        }
        AgeStatus::Adult(_) => {}
    }
    match facts.consent {
        Consent::Given => {
            reasons.push(R::AdultConsented);
            referral(reasons)
        }
        Consent::NotRecorded => {
            // Without a recorded refusal the Duty to Notify is not yet engaged: consent must be
            // sought first (a refusal then leads to the notification below).
            reasons.push(R::ConsentNotRecorded);
            done(RouteDecision::NoReferralPossible, false, reasons)
        }
        Consent::Refused => {
            reasons.push(R::AdultRefusedConsent);
            let available = *book.duty_to_notify.value_at(facts.jurisdiction, facts.date);
            let has_duty = facts.referrer.has_duty_to_notify();
            if available && has_duty {
                reasons.push(R::DutyToNotifyApplies);
                return done(RouteDecision::DutyToNotify, false, reasons);
            }
            if !available {
                reasons.push(R::DutyToNotifyNotAvailable);
            }
            if !has_duty {
                reasons.push(R::ReferrerHasNoDutyToNotify);
            }
            done(RouteDecision::NoReferralPossible, false, reasons)
        }
    }
}
