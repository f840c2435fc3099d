//! NRM referrals, decisions, reconsiderations, Duty to Notify, deadlines and the overdue list.
//!
//! A referral record keeps what the case's NRM track cannot: the route and why, the competent
//! authority, the First Responder Organisation used, and the dates of every decision and
//! reconsideration (the history the deadlines are computed from). Every change writes the record
//! and the case's lifecycle event in one batch, so the two never disagree: the record's `state`
//! is always the case's NRM state after the change (a property test checks it).
//!
//! The rules themselves (route, competent authority, completeness, deadlines) are
//! [`unchain_nrm`]'s, as documented in `docs/rules.md`.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_lifecycle::{EventKind, NrmDecision, NrmRoute, NrmState, Outcome};
use unchain_nrm::{
    self as nrm, CompetentAuthority, ImmigrationSituation, Jurisdiction, ReferrerKind,
    RouteDecision, RouteReason,
};
use unchain_store::Backend;
use uuid::Uuid;

use crate::auth::Operation;
use crate::cases::Case;
use crate::consent::{ConsentRecord, ConsentScope};
use crate::error::{CoreError, FieldError, Result};
use crate::people::{Gender, Person, PersonDetails};
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, max_len, not_before, not_future, optional, required};

/// How many calendar days ahead a deadline counts as "due soon" in [`Unchain::nrm_overdue`]: a
/// week, so that every Reasonable Grounds decision awaited (5 working days) is on the list.
pub const DUE_SOON_DAYS: i64 = 7;

/// The facts of a referral that may identify the person or their exploiters. Sealed under the
/// person's key, so erasure shreds them with the rest.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralNarrative {
    /// Where the exploitation happened (place and country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation_location: Option<String>,
    /// Indicators observed (catalogue ids such as `ILO03`, or free text).
    #[serde(default)]
    pub indicators: Vec<String>,
    /// The person's immigration situation, which chose the competent authority.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::flags::<ImmigrationSituation>))]
    pub immigration: ImmigrationSituation,
    /// Anything else the First Responder was told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for ReferralNarrative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReferralNarrative(<sealed>)")
    }
}

/// A Reasonable or Conclusive Grounds decision as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRecord {
    /// The day the competent authority made it.
    pub on: NaiveDate,
    /// Positive or negative.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Outcome>))]
    pub outcome: Outcome,
}

/// A reconsideration request and, once made, the reconsidered decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconsiderationRecord {
    /// Which decision is reconsidered.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<NrmDecision>))]
    pub of: NrmDecision,
    /// When the request was made.
    pub requested_on: NaiveDate,
    /// The reconsidered decision, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<DecisionRecord>,
}

/// One change to a referral, for its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NrmHistoryEntry {
    /// The day it took effect.
    pub on: NaiveDate,
    /// What happened (`referred` for the referral itself).
    pub change: NrmChangeKind,
    /// The NRM state after it.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::nrm_state))]
    pub state: NrmState,
    /// Who recorded it (user name).
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// What changed, for the history: the referral itself, or one of the [`NrmUpdate`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NrmChangeKind {
    /// The referral (or Duty to Notify) was made.
    Referred {
        /// Which route.
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<NrmRoute>))]
        route: NrmRoute,
    },
    /// See [`NrmUpdate::Notified`].
    Notified,
    /// See [`NrmUpdate::ReasonableGrounds`].
    ReasonableGrounds {
        /// Positive or negative.
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Outcome>))]
        outcome: Outcome,
    },
    /// See [`NrmUpdate::ReconsiderationRequested`].
    ReconsiderationRequested,
    /// See [`NrmUpdate::ConclusiveGrounds`].
    ConclusiveGrounds {
        /// Positive or negative.
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Outcome>))]
        outcome: Outcome,
    },
    /// See [`NrmUpdate::MoveOnStarted`].
    MoveOnStarted,
    /// See [`NrmUpdate::Ended`].
    Ended,
    /// See [`NrmUpdate::Withdrawn`].
    Withdrawn,
}

impl From<NrmUpdate> for NrmChangeKind {
    fn from(u: NrmUpdate) -> Self {
        match u {
            NrmUpdate::Notified => NrmChangeKind::Notified,
            NrmUpdate::ReasonableGrounds { outcome } => {
                NrmChangeKind::ReasonableGrounds { outcome }
            }
            NrmUpdate::ReconsiderationRequested => NrmChangeKind::ReconsiderationRequested,
            NrmUpdate::ConclusiveGrounds { outcome } => {
                NrmChangeKind::ConclusiveGrounds { outcome }
            }
            NrmUpdate::MoveOnStarted => NrmChangeKind::MoveOnStarted,
            NrmUpdate::Ended => NrmChangeKind::Ended,
            NrmUpdate::Withdrawn => NrmChangeKind::Withdrawn,
        }
    }
}

/// An NRM referral or Duty to Notify, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NrmReferral {
    /// The case referred.
    pub case_id: Uuid,
    /// The person (the key the narrative is sealed under).
    pub person_id: Uuid,
    /// 1 for the case's first referral, 2 for the next (after one ended), …
    pub number: u32,
    /// Where the person was referred (the calendar and rules of the deadlines).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Jurisdiction>))]
    pub jurisdiction: Jurisdiction,
    /// NRM referral or Duty to Notify.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<NrmRoute>))]
    pub route: NrmRoute,
    /// The day the referral (or notification) was made; starts every deadline.
    pub referred_on: NaiveDate,
    /// The kind of organisation that referred.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ReferrerKind>))]
    pub referrer: ReferrerKind,
    /// The First Responder Organisation that made the referral (the NGO's partner when the NGO is
    /// not one).
    pub first_responder_org: String,
    /// True when the referral was made by a First Responder on the NGO's behalf.
    pub through_first_responder: bool,
    /// Why this route (the nrm crate's reasons, in order).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::route_reasons))]
    pub route_reasons: Vec<RouteReason>,
    /// Who decides (NRM referrals only; a Duty to Notify has no decision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::optional::<CompetentAuthority>))]
    pub competent_authority: Option<CompetentAuthority>,
    /// Why that authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_reason: Option<String>,
    /// Treated as a child on the referral day (no adult move-on support).
    pub is_child: bool,
    /// When the exploitation began, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation_start: Option<NaiveDate>,
    /// When it ended, if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation_end: Option<NaiveDate>,
    /// The exploitation was ongoing when referred.
    #[serde(default)]
    pub exploitation_ongoing: bool,
    /// The sealed [`ReferralNarrative`]; absent in views, and unreadable once the person is
    /// erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub narrative: Option<Sealed>,
    /// The case's NRM state after the latest change to this referral.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::nrm_state))]
    pub state: NrmState,
    /// When the Duty to Notify (MS1) was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_on: Option<NaiveDate>,
    /// The first Reasonable Grounds decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rg: Option<DecisionRecord>,
    /// The first Conclusive Grounds decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cg: Option<DecisionRecord>,
    /// Reconsideration requests, in order, with their decisions.
    #[serde(default)]
    pub reconsiderations: Vec<ReconsiderationRecord>,
    /// When move-on support started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_on_started_on: Option<NaiveDate>,
    /// When the person's time in the NRM ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<NaiveDate>,
    /// When the referral was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_on: Option<NaiveDate>,
    /// Every change, in order.
    pub history: Vec<NrmHistoryEntry>,
}

impl Record for NrmReferral {
    const COLLECTION: &'static str = "nrm_referrals";
    const KIND: &'static str = "nrm_referral";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

fn nrm_outcome(o: Outcome) -> nrm::Outcome {
    match o {
        Outcome::Positive => nrm::Outcome::Positive,
        Outcome::Negative => nrm::Outcome::Negative,
    }
}

fn decision(d: DecisionRecord) -> nrm::Decision {
    nrm::Decision {
        on: d.on,
        outcome: nrm_outcome(d.outcome),
    }
}

impl NrmReferral {
    /// The history the nrm crate computes deadlines from.
    pub fn history_for_deadlines(&self) -> nrm::ReferralHistory {
        nrm::ReferralHistory {
            jurisdiction: self.jurisdiction,
            referred_on: self.referred_on,
            is_child: self.is_child,
            rg: self.rg.map(decision),
            reconsiderations: self
                .reconsiderations
                .iter()
                .map(|r| nrm::Reconsideration {
                    stage: match r.of {
                        NrmDecision::ReasonableGrounds => nrm::Stage::ReasonableGrounds,
                        NrmDecision::ConclusiveGrounds => nrm::Stage::ConclusiveGrounds,
                    },
                    requested_on: r.requested_on,
                    decided: r.decided.map(decision),
                })
                .collect(),
            cg: self.cg.map(decision),
            disqualified_on: None,
        }
    }

    /// The day of the latest change.
    pub fn last_change_on(&self) -> NaiveDate {
        self.history.last().map_or(self.referred_on, |h| h.on)
    }
}

/// What is needed to refer a case (or to notify under the Duty to Notify). The age, gender,
/// nationality and exploitation types come from the case and the person's sealed details; the
/// adult's consent from the consent records (scope `nrm_referral`) in force on the referral day.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    /// The day of the referral; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_on: Option<NaiveDate>,
    /// The kind of organisation that refers (a partner First Responder when the NGO is not one).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ReferrerKind>))]
    pub referrer: ReferrerKind,
    /// The First Responder Organisation that makes the referral, by name.
    pub first_responder_org: String,
    /// The person's immigration situation (chooses the competent authority).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::flags::<ImmigrationSituation>))]
    pub immigration: ImmigrationSituation,
    /// Where the exploitation happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation_location: Option<String>,
    /// When it began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation_start: Option<NaiveDate>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation_end: Option<NaiveDate>,
    /// The exploitation is ongoing.
    #[serde(default)]
    pub exploitation_ongoing: bool,
    /// Indicators observed.
    #[serde(default)]
    pub indicators: Vec<String>,
    /// The adult was told what the NRM is and what a referral means (consent must be informed).
    #[serde(default)]
    pub consent_informed: bool,
    /// Anything else for the First Responder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for NewReferral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewReferral")
            .field("referred_on", &self.referred_on)
            .field("referrer", &self.referrer)
            .field("first_responder_org", &self.first_responder_org)
            .finish_non_exhaustive()
    }
}

/// A later change to a referral. JSON: tagged by `"type"`, e.g.
/// `{"type":"reasonable_grounds","outcome":"positive"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum NrmUpdate {
    /// The Duty to Notify (MS1) was sent.
    Notified,
    /// The Reasonable Grounds decision (or the reconsidered one).
    ReasonableGrounds {
        /// Positive or negative.
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Outcome>))]
        outcome: Outcome,
    },
    /// Reconsideration of the latest negative decision was requested.
    ReconsiderationRequested,
    /// The Conclusive Grounds decision (or the reconsidered one).
    ConclusiveGrounds {
        /// Positive or negative.
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Outcome>))]
        outcome: Outcome,
    },
    /// Move-on support started after a positive CG.
    MoveOnStarted,
    /// The person's time in the NRM ended.
    Ended,
    /// The referral was withdrawn.
    Withdrawn,
}

impl NrmUpdate {
    fn event(self) -> EventKind {
        match self {
            NrmUpdate::Notified => EventKind::NrmNotified,
            NrmUpdate::ReasonableGrounds { outcome } => EventKind::NrmReasonableGrounds { outcome },
            NrmUpdate::ReconsiderationRequested => EventKind::NrmReconsiderationRequested,
            NrmUpdate::ConclusiveGrounds { outcome } => EventKind::NrmConclusiveGrounds { outcome },
            NrmUpdate::MoveOnStarted => EventKind::NrmMoveOnStarted,
            NrmUpdate::Ended => EventKind::NrmEnded,
            NrmUpdate::Withdrawn => EventKind::NrmWithdrawn,
        }
    }
}

/// A change to record with [`Unchain::nrm_update`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NrmChange {
    /// What happened.
    pub update: NrmUpdate,
    /// The day it happened (the decision's date for decisions); defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
    /// Why, in the actor's words (sealed on the case's timeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl fmt::Debug for NrmChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NrmChange")
            .field("update", &self.update)
            .field("on", &self.on)
            .finish_non_exhaustive()
    }
}

/// A referral as shown: the record (narrative left out), the case's reference and version (to
/// send with the next change) and the person's pseudonym; the narrative only for roles that may
/// see identities, on [`Unchain::nrm_referrals`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NrmReferralView {
    /// The referral's id.
    pub id: Uuid,
    /// The referral record's version.
    pub version: u64,
    /// The case's version after the change (send it with the next change).
    pub case_version: u64,
    /// The case reference.
    pub reference: String,
    /// The person's pseudonym.
    pub pseudonym: String,
    /// The record.
    #[serde(flatten)]
    pub referral: NrmReferral,
    /// The unsealed narrative, when the viewer may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ReferralNarrative>,
}

/// The deadlines of a case's current referral as of a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NrmDeadlines {
    /// The case.
    pub case_id: Uuid,
    /// Its reference.
    pub reference: String,
    /// The person's pseudonym.
    pub pseudonym: String,
    /// The referral.
    pub referral_id: Uuid,
    /// The route.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<NrmRoute>))]
    pub route: NrmRoute,
    /// The NRM state.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::nrm_state))]
    pub state: NrmState,
    /// The day they were computed for.
    pub as_of: NaiveDate,
    /// The five deadlines (`None` for a Duty to Notify, which has no decisions).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::deadlines))]
    pub deadlines: Option<nrm::Deadlines>,
}

/// Which deadline an overdue item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NrmDeadlineKind {
    /// The Reasonable Grounds decision target.
    RgDue,
    /// The end of the recovery period.
    RecoveryPeriodEnd,
    /// The last day to request reconsideration of a negative decision.
    ReconsiderationWindowEnd,
    /// The end of move-on support.
    MoveOnEnd,
}

/// How pressing an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// The date passed and what was awaited has not happened.
    Overdue,
    /// The date is within [`DUE_SOON_DAYS`].
    DueSoon,
}

/// One line of the overdue list: pseudonymised (reference and pseudonym only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NrmOverdueItem {
    /// The case.
    pub case_id: Uuid,
    /// Its reference.
    pub reference: String,
    /// The person's pseudonym.
    pub pseudonym: String,
    /// The referral.
    pub referral_id: Uuid,
    /// Which deadline.
    pub deadline: NrmDeadlineKind,
    /// Its date.
    pub due: NaiveDate,
    /// Overdue or due soon.
    pub urgency: Urgency,
    /// Calendar days from the as-of day to `due` (negative: overdue by that many).
    pub days: i64,
    /// The rule behind it, in a phrase.
    pub basis: &'static str,
}

fn gender_name(g: Gender) -> &'static str {
    match g {
        Gender::Female => "female",
        Gender::Male => "male",
        Gender::TransgenderOrNonConforming => "transgender_or_non_conforming",
        Gender::Unknown => "unknown",
    }
}

/// The field of a [`NewReferral`] (or of the person, prefixed `person.`) that a completeness
/// problem is about.
fn problem_field(field: &str) -> String {
    match field {
        "referral_date" => "referred_on".into(),
        "first_responder" => "first_responder_org".into(),
        "consent.informed" => "consent_informed".into(),
        "consent" | "consent.consent" | "consent.recorded_on" => {
            format!("consent ({field})")
        }
        "gender" | "nationality" | "age" | "age.age_years" | "age.date_of_birth" => {
            format!("person.{field}")
        }
        "exploitation_types" | "jurisdiction" => format!("case.{field}"),
        other => other.to_owned(),
    }
}

impl Unchain {
    /// The current (latest) referral of a case, if any.
    fn current_referral(
        &self,
        backend: &dyn Backend,
        case_id: Uuid,
    ) -> Result<Option<Entity<NrmReferral>>> {
        Ok(crate::index::of_case::<NrmReferral>(backend, case_id)?
            .into_iter()
            .max_by_key(|r| r.data.number))
    }

    fn referral_view(
        &self,
        referral: Entity<NrmReferral>,
        case: &Entity<Case>,
        details: Option<ReferralNarrative>,
    ) -> Result<NrmReferralView> {
        let person = records::load::<Person>(self.backend.as_ref(), case.data.person_id)?;
        let mut data = referral.data;
        data.narrative = None;
        Ok(NrmReferralView {
            id: referral.id,
            version: referral.version,
            case_version: case.version,
            reference: case.data.reference.clone(),
            pseudonym: person.data.pseudonym,
            referral: data,
            details,
        })
    }

    /// Refers a case into the NRM, or makes a Duty to Notify, whichever the rules allow.
    ///
    /// The route comes from [`unchain_nrm::route`] on the case's jurisdiction, the referral day,
    /// the person's age facts (from their sealed details), the adult's consent in force on that day
    /// and the referrer's kind; the competent authority from
    /// [`unchain_nrm::competent_authority`]. Refused, with the route's reasons, when no referral
    /// is possible; a validation error naming every field when the referral is incomplete
    /// ([`unchain_nrm::check`]). The referral record and the case's `nrm_referred` event are
    /// written together; `case_version` is the case's version as read.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use unchain_core::cases::{NewCase, NewEvent};
    /// use unchain_core::consent::{ConsentMethod, ConsentScope, NewConsent};
    /// use unchain_core::lifecycle::{EventKind, NrmState, Outcome, RescueOrigin};
    /// use unchain_core::nrm::{CompetentAuthority, Jurisdiction, ReferrerKind};
    /// use unchain_core::people::PersonDetails;
    /// use unchain_core::referrals::NewReferral;
    /// use unchain_core::{FixedClock, Role, Unchain};
    ///
    /// let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
    /// let now = Utc.with_ymd_and_hms(2024, 6, 3, 9, 0, 0).unwrap();
    /// let core = Unchain::in_memory(Arc::new(FixedClock(now)))?;
    /// core.bootstrap_admin("admin")?;
    /// let admin = core.actor("admin")?;
    /// core.create_user(&admin, "lee", Role::LegalAdvocate)?;
    /// let lee = core.actor("lee")?;
    ///
    /// let person = PersonDetails { estimated_age: Some(30), nationalities: vec!["VN".into()],
    ///     gender: Some(unchain_core::people::Gender::Male), ..PersonDetails::default() };
    /// let case = core.open_case(&admin, NewCase { person, jurisdiction: Jurisdiction::EnglandAndWales,
    ///     exploitation: vec![unchain_core::nrm::ExploitationType::Labour],
    ///     opened_on: Some(day(1, 2)), owner: None, report_ids: vec![] })?;
    /// let case = core.record_case_event(&admin, case.id, case.version, NewEvent {
    ///     kind: EventKind::Rescued { origin: RescueOrigin::OtherAgency }, date: Some(day(1, 2)), reason: None })?;
    /// // An adult must give informed consent before a referral.
    /// core.record_consent(&lee, case.person.id, NewConsent { scope: ConsentScope::NrmReferral,
    ///     given: true, on: Some(day(1, 3)), method: ConsentMethod::SignedForm, document_id: None })?;
    ///
    /// let referral = core.nrm_refer(&lee, case.id, case.version, NewReferral {
    ///     referred_on: Some(day(1, 8)),
    ///     referrer: ReferrerKind::NotFirstResponder,
    ///     first_responder_org: "Salvation Army".into(),
    ///     immigration: Default::default(),
    ///     exploitation_location: Some("a nail bar".into()),
    ///     exploitation_start: Some(day(1, 1) - chrono::Days::new(400)),
    ///     exploitation_end: Some(day(1, 2)),
    ///     exploitation_ongoing: false,
    ///     indicators: vec!["ILO08".into()],
    ///     consent_informed: true,
    ///     notes: None,
    /// })?;
    /// assert_eq!(referral.referral.competent_authority, Some(CompetentAuthority::Sca));
    ///
    /// // The RG decision is due 5 working days after the referral (docs/rules.md).
    /// let due = core.nrm_deadlines(&lee, case.id, day(1, 8))?.deadlines.unwrap().rg_due.due;
    /// assert_eq!(due, Some(day(1, 15)));
    /// let rg = core.nrm_reasonable_grounds(&lee, case.id, referral.case_version, Outcome::Positive, day(1, 12))?;
    /// assert_eq!(rg.referral.state, NrmState::RgPositive);
    /// # Ok::<(), unchain_core::CoreError>(())
    /// ```
    pub fn nrm_refer(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        new: NewReferral,
    ) -> Result<NrmReferralView> {
        self.authorize(actor, Operation::NrmManage)?;
        let today = self.clock.today();
        let referred_on = new.referred_on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "referred_on", referred_on, today);
        required(
            &mut errors,
            "first_responder_org",
            &new.first_responder_org,
            200,
        );
        optional(
            &mut errors,
            "exploitation_location",
            new.exploitation_location.as_deref(),
            500,
        );
        if let Some(s) = new.exploitation_start {
            not_future(&mut errors, "exploitation_start", s, today);
        }
        if let Some(e) = new.exploitation_end {
            not_future(&mut errors, "exploitation_end", e, today);
        }
        for (i, ind) in new.indicators.iter().enumerate() {
            required(&mut errors, &format!("indicators[{i}]"), ind, 500);
        }
        if new.indicators.len() > 200 {
            errors.push(FieldError::new("indicators", "more than 200 indicators"));
        }
        if let Some(n) = &new.notes {
            max_len(&mut errors, "notes", n, 4000);
        }
        check(errors)?;

        let backend = self.backend.as_ref();
        let case = records::load_at::<Case>(backend, case_id, case_version)?;
        let person = records::load::<Person>(backend, case.data.person_id)?;
        let details = match &person.data.details {
            Some(sealed) => {
                self.unseal::<PersonDetails>(sealed, Person::KIND, case.data.person_id, "details")?
            }
            None => None,
        };
        let Some(details) = details else {
            return Err(CoreError::Refused(format!(
                "person {} was erased: no referral can be made from this record",
                person.data.pseudonym
            )));
        };
        // The route depends on the consent read here; the write below checks it still stands.
        let consent_head = self.consent_head(case.data.person_id)?;
        let consents = self.consent_history(case.data.person_id)?;
        let consent_record: Option<&Entity<ConsentRecord>> = consents
            .iter()
            .rfind(|c| c.data.scope == ConsentScope::NrmReferral && c.data.on <= referred_on);
        let consent = match consent_record {
            Some(c) if c.data.given => nrm::Consent::Given,
            Some(_) => nrm::Consent::Refused,
            None => nrm::Consent::NotRecorded,
        };
        let jurisdiction = case.data.jurisdiction;
        let facts = nrm::RouteFacts {
            jurisdiction,
            date: referred_on,
            age: details.age_facts(),
            consent,
            referrer: new.referrer,
        };
        let route = nrm::route(&facts).map_err(|e| {
            CoreError::Validation(vec![FieldError::new("person.age", e.to_string())])
        })?;
        let lifecycle_route = match route.decision {
            RouteDecision::NrmReferral => NrmRoute::NrmReferral,
            RouteDecision::DutyToNotify => NrmRoute::DutyToNotify,
            RouteDecision::NoReferralPossible => {
                let reasons: Vec<String> = route.reasons.iter().map(ToString::to_string).collect();
                return Err(CoreError::Refused(format!(
                    "no NRM referral or Duty to Notify is possible: {}",
                    reasons.join("; ")
                )));
            }
        };
        let completeness = nrm::ReferralFacts {
            jurisdiction: Some(jurisdiction),
            referral_date: Some(referred_on),
            age: details.age_facts(),
            gender: details.gender.map(|g| gender_name(g).to_owned()),
            nationality: details.nationalities.first().cloned(),
            exploitation_types: case.data.exploitation.clone(),
            exploitation_location: new.exploitation_location.clone(),
            exploitation_start: new.exploitation_start,
            exploitation_end: new.exploitation_end,
            exploitation_ongoing: new.exploitation_ongoing,
            indicators: new.indicators.clone(),
            consent: consent_record.map(|c| nrm::ConsentRecord {
                consent,
                recorded_on: c.data.on,
                informed: new.consent_informed,
            }),
            referrer: Some(new.referrer),
            first_responder: Some(new.first_responder_org.clone()),
        };
        let problems = nrm::check(&completeness, today);
        let errors: Vec<FieldError> = problems
            .into_iter()
            // A Duty to Notify is made precisely because the adult did not consent.
            .filter(|p| lifecycle_route == NrmRoute::NrmReferral || !p.field.starts_with("consent"))
            .map(|p| FieldError::new(problem_field(p.field), p.reason))
            .collect();
        check(errors)?;
        let (authority, authority_reason) = match lifecycle_route {
            NrmRoute::NrmReferral => {
                let a = nrm::competent_authority(jurisdiction, referred_on, &new.immigration)
                    .map_err(|e| CoreError::Refused(e.to_string()))?;
                (Some(a.authority), Some(a.reason))
            }
            NrmRoute::DutyToNotify => (None, None),
        };

        let id = Uuid::now_v7();
        let narrative = ReferralNarrative {
            exploitation_location: new.exploitation_location.clone(),
            indicators: new.indicators.clone(),
            immigration: new.immigration,
            notes: new.notes.clone(),
        };
        let sealed = self.seal(
            case.data.person_id,
            NrmReferral::KIND,
            id,
            "narrative",
            &narrative,
        )?;
        let (referral, updated_case) =
            self.write(actor, Operation::NrmManage, |backend, batch| {
                let case = records::load_at::<Case>(backend, case_id, case_version)?;
                let person = records::load::<Person>(backend, case.data.person_id)?;
                records::stage_check(batch, &person);
                Unchain::check_consent_head(batch, case.data.person_id, consent_head);
                let number = crate::index::of_case::<NrmReferral>(backend, case_id)?
                    .iter()
                    .map(|r| r.data.number)
                    .max()
                    .unwrap_or(0)
                    + 1;
                let updated = self.stage_case_event(
                    batch,
                    &case,
                    actor,
                    referred_on,
                    EventKind::NrmReferred {
                        route: lifecycle_route,
                    },
                    None,
                )?;
                let state = updated.state()?.nrm();
                let referral = NrmReferral {
                    case_id,
                    person_id: case.data.person_id,
                    number,
                    jurisdiction,
                    route: lifecycle_route,
                    referred_on,
                    referrer: new.referrer,
                    first_responder_org: new.first_responder_org.trim().to_owned(),
                    through_first_responder: route.through_first_responder,
                    route_reasons: route.reasons.clone(),
                    competent_authority: authority,
                    authority_reason: authority_reason.clone(),
                    is_child: route.age.treated_as_child(),
                    exploitation_start: new.exploitation_start,
                    exploitation_end: new.exploitation_end,
                    exploitation_ongoing: new.exploitation_ongoing,
                    narrative: Some(sealed.clone()),
                    state,
                    notified_on: None,
                    rg: None,
                    cg: None,
                    reconsiderations: Vec::new(),
                    move_on_started_on: None,
                    ended_on: None,
                    withdrawn_on: None,
                    history: vec![NrmHistoryEntry {
                        on: referred_on,
                        change: NrmChangeKind::Referred {
                            route: lifecycle_route,
                        },
                        state,
                        recorded_by: actor.name.clone(),
                        recorded_at: self.clock.now(),
                    }],
                };
                records::stage_put(batch, id, &referral, None)?;
                Ok((
                    (referral, updated),
                    vec![
                        records::target::<NrmReferral>(id),
                        records::target::<Case>(case_id),
                        records::target::<Person>(case.data.person_id),
                    ],
                ))
            })?;
        let case = Entity {
            id: case_id,
            version: case_version + 1,
            data: updated_case,
        };
        self.referral_view(
            Entity {
                id,
                version: 1,
                data: referral,
            },
            &case,
            None,
        )
    }

    /// Records a change to the case's current referral — the Duty to Notify sent, a Reasonable
    /// or Conclusive Grounds decision (original or reconsidered), a reconsideration request,
    /// move-on, the end or the withdrawal — in the referral record and on the case, in one write.
    /// `case_version` is the case's version as read; the lifecycle's guards decide what may follow
    /// what (refused with the guard otherwise).
    pub fn nrm_update(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        change: NrmChange,
    ) -> Result<NrmReferralView> {
        self.authorize(actor, Operation::NrmManage)?;
        let today = self.clock.today();
        let on = change.on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        optional(&mut errors, "reason", change.reason.as_deref(), 4000);
        check(errors)?;
        let (referral, case) = self.write(actor, Operation::NrmManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, case_version)?;
            let current = self.current_referral(backend, case_id)?;
            let Some(mut referral) = current.filter(|r| r.data.state.is_open()) else {
                return Err(CoreError::Refused(format!(
                    "case {} has no NRM referral in progress: refer it first",
                    case.data.reference
                )));
            };
            let mut errors = Vec::new();
            not_before(
                &mut errors,
                "on",
                on,
                referral.data.last_change_on(),
                "the referral's latest change",
            );
            check(errors)?;
            let before = case.data.state()?.nrm();
            let updated = self.stage_case_event(
                batch,
                &case,
                actor,
                on,
                change.update.event(),
                change.reason.as_deref(),
            )?;
            let state = updated.state()?.nrm();
            apply(&mut referral.data, before, change.update, on);
            referral.data.state = state;
            referral.data.history.push(NrmHistoryEntry {
                on,
                change: change.update.into(),
                state,
                recorded_by: actor.name.clone(),
                recorded_at: self.clock.now(),
            });
            records::stage_put(batch, referral.id, &referral.data, Some(referral.version))?;
            Ok((
                (referral.clone(), updated),
                vec![
                    records::target::<NrmReferral>(referral.id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        let case = Entity {
            id: case_id,
            version: case_version + 1,
            data: case,
        };
        let referral = Entity {
            version: referral.version + 1,
            ..referral
        };
        self.referral_view(referral, &case, None)
    }

    /// Records a Reasonable Grounds decision (see [`Unchain::nrm_update`]).
    pub fn nrm_reasonable_grounds(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        outcome: Outcome,
        on: NaiveDate,
    ) -> Result<NrmReferralView> {
        self.nrm_update(
            actor,
            case_id,
            case_version,
            NrmChange {
                update: NrmUpdate::ReasonableGrounds { outcome },
                on: Some(on),
                reason: None,
            },
        )
    }

    /// Records a Conclusive Grounds decision (see [`Unchain::nrm_update`]).
    pub fn nrm_conclusive_grounds(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        outcome: Outcome,
        on: NaiveDate,
    ) -> Result<NrmReferralView> {
        self.nrm_update(
            actor,
            case_id,
            case_version,
            NrmChange {
                update: NrmUpdate::ConclusiveGrounds { outcome },
                on: Some(on),
                reason: None,
            },
        )
    }

    /// Records a reconsideration request of the latest negative decision (see
    /// [`Unchain::nrm_update`]).
    pub fn nrm_request_reconsideration(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        on: NaiveDate,
    ) -> Result<NrmReferralView> {
        self.nrm_update(
            actor,
            case_id,
            case_version,
            NrmChange {
                update: NrmUpdate::ReconsiderationRequested,
                on: Some(on),
                reason: None,
            },
        )
    }

    /// Every referral of a case, oldest first. The narrative is unsealed (and the read audited)
    /// only for roles that may see identities.
    pub fn nrm_referrals(&self, actor: &Actor, case_id: Uuid) -> Result<Vec<NrmReferralView>> {
        self.authorize(actor, Operation::NrmRead)?;
        let backend = self.backend.as_ref();
        let case = records::load::<Case>(backend, case_id)?;
        let mut referrals = crate::index::of_case::<NrmReferral>(backend, case_id)?;
        referrals.sort_by_key(|r| r.data.number);
        let identity = crate::auth::allowed(actor.role, Operation::PersonIdentity);
        let mut out = Vec::with_capacity(referrals.len());
        let mut opened = Vec::new();
        for r in referrals {
            let details = match (&r.data.narrative, identity) {
                (Some(s), true) => {
                    let d =
                        self.unseal::<ReferralNarrative>(s, NrmReferral::KIND, r.id, "narrative")?;
                    if d.is_some() {
                        opened.push(records::target::<NrmReferral>(r.id));
                    }
                    d
                }
                _ => None,
            };
            out.push(self.referral_view(r, &case, details)?);
        }
        if !opened.is_empty() {
            self.audit_read(actor, Operation::PersonIdentity, &opened)?;
        }
        Ok(out)
    }

    /// The deadlines of the case's current referral as of `as_of`, from
    /// [`unchain_nrm::deadlines`] (see `docs/rules.md`, "Deadlines"). Not found when the case was
    /// never referred.
    pub fn nrm_deadlines(
        &self,
        actor: &Actor,
        case_id: Uuid,
        as_of: NaiveDate,
    ) -> Result<NrmDeadlines> {
        self.authorize(actor, Operation::NrmRead)?;
        let backend = self.backend.as_ref();
        let case = records::load::<Case>(backend, case_id)?;
        let referral =
            self.current_referral(backend, case_id)?
                .ok_or_else(|| CoreError::NotFound {
                    kind: NrmReferral::KIND,
                    id: format!("for case {}", case.data.reference),
                })?;
        let person = records::load::<Person>(backend, case.data.person_id)?;
        let deadlines = match referral.data.route {
            NrmRoute::DutyToNotify => None,
            NrmRoute::NrmReferral => Some(
                nrm::deadlines(&referral.data.history_for_deadlines(), as_of).map_err(|e| {
                    CoreError::Validation(vec![FieldError::new("as_of", e.to_string())])
                })?,
            ),
        };
        Ok(NrmDeadlines {
            case_id,
            reference: case.data.reference,
            pseudonym: person.data.pseudonym,
            referral_id: referral.id,
            route: referral.data.route,
            state: referral.data.state,
            as_of,
            deadlines,
        })
    }

    /// Everything overdue or due within [`DUE_SOON_DAYS`] across every case with an NRM referral
    /// in progress, as of `as_of`, sorted by due date (then case reference). Lines show the case
    /// reference and the person's pseudonym only.
    ///
    /// What counts: a Reasonable Grounds decision still awaited (overdue past its target, due
    /// soon before it); a reconsideration window of a negative decision with no request yet;
    /// the end of a recovery period or of move-on support coming up. Waiting for a Conclusive
    /// Grounds decision past its earliest day is not overdue — there is no target — so it is not
    /// listed.
    pub fn nrm_overdue(&self, actor: &Actor, as_of: NaiveDate) -> Result<Vec<NrmOverdueItem>> {
        self.authorize(actor, Operation::NrmRead)?;
        let backend = self.backend.as_ref();
        let mut latest: std::collections::BTreeMap<Uuid, Entity<NrmReferral>> =
            std::collections::BTreeMap::new();
        for r in records::all::<NrmReferral>(backend)? {
            if latest
                .get(&r.data.case_id)
                .is_none_or(|l| l.data.number < r.data.number)
            {
                latest.insert(r.data.case_id, r);
            }
        }
        let open: Vec<Entity<NrmReferral>> = latest
            .into_values()
            .filter(|r| r.data.route == NrmRoute::NrmReferral && r.data.state.is_open())
            .filter(|r| r.data.referred_on <= as_of)
            .collect();
        let histories: Vec<_> = open
            .iter()
            .map(|r| r.data.history_for_deadlines())
            .collect();
        let computed = nrm::deadlines_many(&histories, as_of);
        let mut out = Vec::new();
        for (r, d) in open.iter().zip(computed) {
            let d = d.map_err(|e| match e {
                // The caller's day lies outside the years the rules cover: their input, not the
                // store, is at fault (as in `nrm_deadlines`).
                nrm::NrmError::DateOutOfRange { field: "as_of", .. } => {
                    CoreError::Validation(vec![FieldError::new("as_of", e.to_string())])
                }
                e => CoreError::Store(unchain_store::StoreError::Corrupt(format!(
                    "nrm_referral {}: {e}",
                    r.id
                ))),
            })?;
            let items = actionable(&r.data, &d, as_of);
            if items.is_empty() {
                continue;
            }
            let case = records::load::<Case>(backend, r.data.case_id)?;
            let person = records::load::<Person>(backend, case.data.person_id)?;
            for (deadline, due, urgency, basis) in items {
                out.push(NrmOverdueItem {
                    case_id: r.data.case_id,
                    reference: case.data.reference.clone(),
                    pseudonym: person.data.pseudonym.clone(),
                    referral_id: r.id,
                    deadline,
                    due,
                    urgency,
                    days: (due - as_of).num_days(),
                    basis,
                });
            }
        }
        out.sort_by(|a, b| {
            (a.due, &a.reference, a.deadline).cmp(&(b.due, &b.reference, b.deadline))
        });
        Ok(out)
    }
}

/// Updates the record's dates for `update`, made on `on` when the case's NRM state was `before`
/// (the lifecycle has already accepted it).
fn apply(r: &mut NrmReferral, before: NrmState, update: NrmUpdate, on: NaiveDate) {
    let reconsidered = |r: &mut NrmReferral, of: NrmDecision, d: DecisionRecord| {
        if let Some(rec) = r
            .reconsiderations
            .iter_mut()
            .rev()
            .find(|x| x.of == of && x.decided.is_none())
        {
            rec.decided = Some(d);
        }
    };
    match update {
        NrmUpdate::Notified => r.notified_on = Some(on),
        NrmUpdate::ReasonableGrounds { outcome } => {
            let d = DecisionRecord { on, outcome };
            match before {
                NrmState::ReconsiderationRequested { of } => reconsidered(r, of, d),
                _ => r.rg = Some(d),
            }
        }
        NrmUpdate::ConclusiveGrounds { outcome } => {
            let d = DecisionRecord { on, outcome };
            match before {
                NrmState::ReconsiderationRequested { of } => reconsidered(r, of, d),
                _ => r.cg = Some(d),
            }
        }
        NrmUpdate::ReconsiderationRequested => {
            let of = match before {
                NrmState::CgNegative => NrmDecision::ConclusiveGrounds,
                _ => NrmDecision::ReasonableGrounds,
            };
            r.reconsiderations.push(ReconsiderationRecord {
                of,
                requested_on: on,
                decided: None,
            });
        }
        NrmUpdate::MoveOnStarted => r.move_on_started_on = Some(on),
        NrmUpdate::Ended => r.ended_on = Some(on),
        NrmUpdate::Withdrawn => r.withdrawn_on = Some(on),
    }
}

/// The overdue and due-soon items of one referral's deadlines.
fn actionable(
    r: &NrmReferral,
    d: &nrm::Deadlines,
    as_of: NaiveDate,
) -> Vec<(NrmDeadlineKind, NaiveDate, Urgency, &'static str)> {
    use nrm::Status;
    let soon = |due: NaiveDate| (due - as_of).num_days() <= DUE_SOON_DAYS;
    let mut out = Vec::new();
    // RG awaited (no RG recorded by the as-of day).
    if let (Some(due), None) = (d.rg_due.due, r.rg.filter(|x| x.on <= as_of)) {
        match d.rg_due.status {
            Status::Missed => out.push((
                NrmDeadlineKind::RgDue,
                due,
                Urgency::Overdue,
                d.rg_due.basis,
            )),
            Status::Pending if soon(due) => out.push((
                NrmDeadlineKind::RgDue,
                due,
                Urgency::DueSoon,
                d.rg_due.basis,
            )),
            _ => {}
        }
    }
    // A negative decision without a reconsideration request.
    let w = &d.reconsideration_window_end;
    if let (Some(due), true) = (
        w.due,
        matches!(r.state, NrmState::RgNegative | NrmState::CgNegative),
    ) {
        match w.status {
            Status::Missed => out.push((
                NrmDeadlineKind::ReconsiderationWindowEnd,
                due,
                Urgency::Overdue,
                w.basis,
            )),
            Status::Pending if soon(due) => out.push((
                NrmDeadlineKind::ReconsiderationWindowEnd,
                due,
                Urgency::DueSoon,
                w.basis,
            )),
            _ => {}
        }
    }
    // Support periods about to end (an open-ended recovery period runs on until the CG).
    for (kind, dl) in [
        (NrmDeadlineKind::RecoveryPeriodEnd, &d.recovery_period_end),
        (NrmDeadlineKind::MoveOnEnd, &d.move_on_end),
    ] {
        if let (Status::Pending, Some(due), false) = (dl.status, dl.due, dl.open_ended) {
            if due >= as_of && soon(due) {
                out.push((kind, due, Urgency::DueSoon, dl.basis));
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::cases::NewCase;
    use crate::consent::{ConsentMethod, NewConsent};
    use crate::testing::{core, cores, dump, staff};
    use nrm::{ExploitationType, Status};
    use unchain_lifecycle::RescueOrigin;

    /// The shared builders, under the names the tests of this and other modules use.
    pub(crate) use crate::testing::{by_role, date as d};

    /// An adult Albanian woman's details.
    pub(crate) fn adult() -> PersonDetails {
        crate::testing::woman("Ana Test", 24, "AL")
    }

    /// Opens a case on `opened`, records the rescue the same day and, when `consent` is given,
    /// the adult's NRM consent; returns the case id and version.
    pub(crate) fn rescued_case(
        core: &Unchain,
        staff: &[Actor],
        person: PersonDetails,
        opened: NaiveDate,
        consent: Option<bool>,
    ) -> (Uuid, u64) {
        let inv = by_role(staff, Role::Investigator);
        let c = core
            .open_case(
                inv,
                NewCase {
                    person,
                    jurisdiction: Jurisdiction::EnglandAndWales,
                    exploitation: vec![ExploitationType::Labour],
                    opened_on: Some(opened),
                    owner: None,
                    report_ids: vec![],
                },
            )
            .expect("case opens");
        let c = core
            .record_case_event(
                inv,
                c.id,
                c.version,
                crate::testing::event(
                    EventKind::Rescued {
                        origin: RescueOrigin::OtherAgency,
                    },
                    Some(opened),
                ),
            )
            .expect("rescued");
        if let Some(given) = consent {
            core.record_consent(
                by_role(staff, Role::LegalAdvocate),
                c.person.id,
                NewConsent {
                    scope: ConsentScope::NrmReferral,
                    given,
                    on: Some(opened),
                    method: ConsentMethod::SignedForm,
                    document_id: None,
                },
            )
            .expect("consent recorded");
        }
        (c.id, c.version)
    }

    pub(crate) fn referral(on: NaiveDate) -> NewReferral {
        NewReferral {
            referred_on: Some(on),
            referrer: ReferrerKind::NotFirstResponder,
            first_responder_org: "Salvation Army".into(),
            immigration: ImmigrationSituation::default(),
            exploitation_location: Some("a car wash in Leeds".into()),
            exploitation_start: Some(d(2022, 3, 1)),
            exploitation_end: Some(on),
            exploitation_ongoing: false,
            indicators: vec!["ILO08".into(), "ILO09".into()],
            consent_informed: true,
            notes: None,
        }
    }

    fn step(update: NrmUpdate, on: NaiveDate) -> NrmChange {
        NrmChange {
            update,
            on: Some(on),
            reason: None,
        }
    }

    fn case_nrm(core: &Unchain, case_id: Uuid) -> NrmState {
        records::load::<Case>(core.backend.as_ref(), case_id)
            .expect("case")
            .data
            .state()
            .expect("replays")
            .nrm()
    }

    #[test]
    fn referral_through_positive_rg_and_cg_on_every_backend_with_deadlines_worked_by_hand() {
        for t in cores() {
            let core = &t.core;
            let staff = staff(core);
            let legal = by_role(&staff, Role::LegalAdvocate);
            let (case_id, v) = rescued_case(core, &staff, adult(), d(2024, 1, 2), Some(true));
            // Monday 2024-01-08: the NGO is not a First Responder, so the Salvation Army refers.
            let r = core
                .nrm_refer(legal, case_id, v, referral(d(2024, 1, 8)))
                .expect("referred");
            assert_eq!(r.referral.route, NrmRoute::NrmReferral);
            assert!(r.referral.through_first_responder);
            assert!(
                r.referral
                    .route_reasons
                    .contains(&RouteReason::MustGoThroughFirstResponder)
            );
            assert_eq!(r.referral.first_responder_org, "Salvation Army");
            // From 2019-04-29 the SCA decides; from 2021-11-08 it still does when no IECA criterion
            // holds (docs/rules.md, "Competent authority").
            assert_eq!(
                r.referral.competent_authority,
                Some(CompetentAuthority::Sca)
            );
            assert_eq!(
                r.referral.state,
                NrmState::Referred {
                    route: NrmRoute::NrmReferral
                }
            );
            assert_eq!(case_nrm(core, case_id), r.referral.state);
            assert!(!r.referral.is_child);
            // The narrative is sealed: not in the store in clear.
            let raw = crate::testing::raw_bytes(t.backend.as_ref());
            assert!(!crate::testing::contains(&raw, "car wash"));

            // RG due: docs/rules.md "RG target: 5 working days from referral … due on the 5th working
            // day strictly after the referral": Tue 9, Wed 10, Thu 11, Fri 12, Mon 15 January 2024.
            let dl = core
                .nrm_deadlines(legal, case_id, d(2024, 1, 10))
                .expect("deadlines");
            let dls = dl.deadlines.expect("an NRM referral has deadlines");
            assert_eq!(dls.rg_due.due, Some(d(2024, 1, 15)));
            assert_eq!(dls.rg_due.status, Status::Pending);
            assert_eq!(dls.rg_due.days, Some(3)); // Thu 11, Fri 12, Mon 15

            let r = core
                .nrm_reasonable_grounds(
                    legal,
                    case_id,
                    r.case_version,
                    Outcome::Positive,
                    d(2024, 1, 12),
                )
                .expect("RG");
            assert_eq!(r.referral.state, NrmState::RgPositive);
            assert_eq!(case_nrm(core, case_id), NrmState::RgPositive);
            let dls = core
                .nrm_deadlines(legal, case_id, d(2024, 1, 20))
                .expect("deadlines")
                .deadlines
                .expect("some");
            assert_eq!(dls.rg_due.status, Status::Met);
            // Recovery period (E&W, from 2023-01-30, NABA 2022 s.61 / MSA s.50A): 30 days beginning
            // with the RG day, so the last day is RG + 29 = 2024-02-10, and open-ended until the CG.
            assert_eq!(dls.recovery_period_end.due, Some(d(2024, 2, 10)));
            assert!(dls.recovery_period_end.open_ended);
            // Earliest CG (E&W from 2022-12-13): 30 days after the positive RG = 2024-02-11.
            assert_eq!(dls.cg_earliest.due, Some(d(2024, 2, 11)));
            assert_eq!(dls.cg_earliest.status, Status::Pending);

            let r = core
                .nrm_conclusive_grounds(
                    legal,
                    case_id,
                    r.case_version,
                    Outcome::Positive,
                    d(2024, 5, 1),
                )
                .expect("CG");
            assert_eq!(r.referral.state, NrmState::CgPositive);
            let dls = core
                .nrm_deadlines(legal, case_id, d(2024, 6, 3))
                .expect("deadlines")
                .deadlines
                .expect("some");
            // Support runs to the later of the CG and RG + 29: the CG on 2024-05-01.
            assert_eq!(dls.recovery_period_end.due, Some(d(2024, 5, 1)));
            assert_eq!(dls.recovery_period_end.status, Status::Met);
            assert_eq!(dls.cg_earliest.status, Status::Met);
            // Move-on (E&W): at least 45 calendar days after the positive CG = 2024-06-15.
            assert_eq!(dls.move_on_end.due, Some(d(2024, 6, 15)));
            assert_eq!(dls.move_on_end.days, Some(12));

            let r = core
                .nrm_update(
                    legal,
                    case_id,
                    r.case_version,
                    step(NrmUpdate::MoveOnStarted, d(2024, 5, 2)),
                )
                .expect("move-on");
            assert_eq!(r.referral.move_on_started_on, Some(d(2024, 5, 2)));
            let r = core
                .nrm_update(
                    legal,
                    case_id,
                    r.case_version,
                    step(NrmUpdate::Ended, d(2024, 6, 3)),
                )
                .expect("ended");
            assert_eq!(r.referral.state, NrmState::Ended);
            assert_eq!(case_nrm(core, case_id), NrmState::Ended);
            assert_eq!(r.referral.history.len(), 5);
            assert_eq!(r.referral.rg.map(|x| x.on), Some(d(2024, 1, 12)));
            assert_eq!(r.referral.cg.map(|x| x.outcome), Some(Outcome::Positive));
            // The narrative is shown to the legal advocate, unsealed.
            let all = core.nrm_referrals(legal, case_id).expect("referrals");
            assert_eq!(
                all[0]
                    .details
                    .as_ref()
                    .and_then(|n| n.exploitation_location.clone()),
                Some("a car wash in Leeds".to_owned())
            );
            assert!(!format!("{all:?}").contains("car wash"));
            // The analyst reads referrals without the narrative.
            let analyst = by_role(&staff, Role::Analyst);
            let seen = core.nrm_referrals(analyst, case_id).expect("analyst reads");
            assert_eq!(seen[0].details, None);
        }
    }

    #[test]
    fn negative_decisions_reconsidered_over_easter() {
        let (core, _) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 3, 20), Some(true));
        let r = core
            .nrm_refer(legal, case_id, v, referral(d(2024, 3, 25)))
            .expect("referred");
        // RG due: 5 working days after Mon 2024-03-25 in England and Wales, skipping Good Friday
        // (29 March) and Easter Monday (1 April) (docs/calendars.md): 26, 27, 28 March, 2, 3
        // April → 2024-04-03.
        let dls = core
            .nrm_deadlines(legal, case_id, d(2024, 3, 26))
            .expect("deadlines")
            .deadlines
            .expect("some");
        assert_eq!(dls.rg_due.due, Some(d(2024, 4, 3)));
        let r = core
            .nrm_reasonable_grounds(
                legal,
                case_id,
                r.case_version,
                Outcome::Negative,
                d(2024, 4, 5),
            )
            .expect("negative RG");
        assert_eq!(r.referral.state, NrmState::RgNegative);
        let dls = core
            .nrm_deadlines(legal, case_id, d(2024, 4, 10))
            .expect("deadlines")
            .deadlines
            .expect("some");
        // Late by two working days (Thu 4, Fri 5 April).
        assert_eq!(dls.rg_due.status, Status::Missed);
        assert_eq!(dls.rg_due.days, Some(-2));
        // Reconsideration: request within 30 calendar days of the negative decision (docs/rules.md
        // "Reconsideration window") → 2024-05-05.
        assert_eq!(dls.reconsideration_window_end.due, Some(d(2024, 5, 5)));
        assert_eq!(dls.reconsideration_window_end.status, Status::Pending);
        assert_eq!(dls.recovery_period_end.status, Status::NotApplicable);

        let r = core
            .nrm_request_reconsideration(legal, case_id, r.case_version, d(2024, 4, 20))
            .expect("reconsideration");
        assert_eq!(
            r.referral.state,
            NrmState::ReconsiderationRequested {
                of: NrmDecision::ReasonableGrounds
            }
        );
        let r = core
            .nrm_reasonable_grounds(
                legal,
                case_id,
                r.case_version,
                Outcome::Positive,
                d(2024, 4, 22),
            )
            .expect("reconsidered RG");
        assert_eq!(r.referral.state, NrmState::RgPositive);
        // The original decision stays; the reconsidered one is kept with its request.
        assert_eq!(r.referral.rg.map(|x| x.outcome), Some(Outcome::Negative));
        assert_eq!(
            r.referral.reconsiderations[0].decided,
            Some(DecisionRecord {
                on: d(2024, 4, 22),
                outcome: Outcome::Positive
            })
        );
        let dls = core
            .nrm_deadlines(legal, case_id, d(2024, 4, 23))
            .expect("deadlines")
            .deadlines
            .expect("some");
        // The reconsideration was requested in time; the recovery period now runs from the
        // reconsidered positive RG: 2024-04-22 + 29 = 2024-05-21; earliest CG + 30 = 2024-05-22.
        assert_eq!(dls.recovery_period_end.due, Some(d(2024, 5, 21)));
        assert_eq!(dls.cg_earliest.due, Some(d(2024, 5, 22)));
        assert_eq!(dls.reconsideration_window_end.status, Status::NotApplicable);

        let r = core
            .nrm_conclusive_grounds(
                legal,
                case_id,
                r.case_version,
                Outcome::Negative,
                d(2024, 5, 24),
            )
            .expect("negative CG");
        assert_eq!(r.referral.state, NrmState::CgNegative);
        let dls = core
            .nrm_deadlines(legal, case_id, d(2024, 6, 3))
            .expect("deadlines")
            .deadlines
            .expect("some");
        // 30 calendar days after 2024-05-24.
        assert_eq!(dls.reconsideration_window_end.due, Some(d(2024, 6, 23)));
        assert_eq!(dls.reconsideration_window_end.days, Some(20));
        let r = core
            .nrm_request_reconsideration(legal, case_id, r.case_version, d(2024, 5, 28))
            .expect("CG reconsideration");
        let r = core
            .nrm_conclusive_grounds(
                legal,
                case_id,
                r.case_version,
                Outcome::Positive,
                d(2024, 6, 3),
            )
            .expect("reconsidered CG");
        assert_eq!(r.referral.state, NrmState::CgPositive);
        assert_eq!(case_nrm(&core, case_id), NrmState::CgPositive);
        assert_eq!(r.referral.reconsiderations.len(), 2);
        assert_eq!(r.referral.cg.map(|x| x.outcome), Some(Outcome::Negative));
        let dls = core
            .nrm_deadlines(legal, case_id, d(2024, 6, 3))
            .expect("deadlines")
            .deadlines
            .expect("some");
        // Move-on: 45 days after the reconsidered positive CG = 2024-07-18.
        assert_eq!(dls.move_on_end.due, Some(d(2024, 7, 18)));
    }

    #[test]
    fn overdue_list_across_cases_sorted_by_due_date_with_pseudonyms_only() {
        let (core, _) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let refer = |opened: NaiveDate, on: NaiveDate| {
            let (id, v) = rescued_case(&core, &staff, adult(), opened, Some(true));
            let r = core
                .nrm_refer(legal, id, v, referral(on))
                .expect("referred");
            (id, r.case_version)
        };
        // C1: referred Mon 2024-05-20; the spring bank holiday (27 May) is skipped: 21, 22, 23,
        // 24, 28 May → RG due 2024-05-28, overdue on 3 June.
        let (c1, _) = refer(d(2024, 5, 20), d(2024, 5, 20));
        // C2: referred Thu 2024-05-30: 31 May, 3, 4, 5, 6 June → due 2024-06-06, due soon.
        let (c2, _) = refer(d(2024, 5, 30), d(2024, 5, 30));
        // C3: negative RG on 2024-05-08: the window ends 30 days later, 2024-06-07 (due soon).
        let (c3, v3) = refer(d(2024, 4, 15), d(2024, 4, 15));
        core.nrm_reasonable_grounds(legal, c3, v3, Outcome::Negative, d(2024, 5, 8))
            .expect("RG");
        // C4: negative RG on 2024-04-22, no request: the window closed on 2024-05-22 (overdue).
        let (c4, v4) = refer(d(2024, 4, 15), d(2024, 4, 15));
        core.nrm_reasonable_grounds(legal, c4, v4, Outcome::Negative, d(2024, 4, 22))
            .expect("RG");
        // C5: withdrawn: nothing to chase.
        let (c5, v5) = refer(d(2024, 5, 20), d(2024, 5, 20));
        core.nrm_update(legal, c5, v5, step(NrmUpdate::Withdrawn, d(2024, 5, 21)))
            .expect("withdrawn");
        // C6: RG positive in time: recovery period open-ended, CG awaited — simply waiting.
        let (c6, v6) = refer(d(2024, 5, 1), d(2024, 5, 1));
        core.nrm_reasonable_grounds(legal, c6, v6, Outcome::Positive, d(2024, 5, 3))
            .expect("RG");

        let analyst = by_role(&staff, Role::Analyst);
        let list = core.nrm_overdue(analyst, d(2024, 6, 3)).expect("overdue");
        let got: Vec<_> = list
            .iter()
            .map(|i| (i.case_id, i.deadline, i.due, i.urgency, i.days))
            .collect();
        use NrmDeadlineKind::*;
        assert_eq!(
            got,
            vec![
                (
                    c4,
                    ReconsiderationWindowEnd,
                    d(2024, 5, 22),
                    Urgency::Overdue,
                    -12
                ),
                (c1, RgDue, d(2024, 5, 28), Urgency::Overdue, -6),
                (c2, RgDue, d(2024, 6, 6), Urgency::DueSoon, 3),
                (
                    c3,
                    ReconsiderationWindowEnd,
                    d(2024, 6, 7),
                    Urgency::DueSoon,
                    4
                ),
            ]
        );
        assert!(
            list.iter()
                .all(|i| i.reference.starts_with("UC-") && i.pseudonym.starts_with("P-"))
        );
        let text = serde_json::to_string(&list).expect("json");
        assert!(!text.contains("Ana"));
        let _ = (c5, c6);
    }

    /// A day outside the years the rules cover (1971–2100, unchain-nrm's calendar tables) is the
    /// caller's mistake, named as `as_of`, not a corrupt store (found by schemathesis with
    /// `GET /api/v1/nrm/overdue?as_of=7340-03-06`, which answered 500).
    #[test]
    fn overdue_as_of_outside_the_rules_years_is_invalid_input() {
        let (core, _) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let (id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 20), Some(true));
        core.nrm_refer(legal, id, v, referral(d(2024, 5, 20)))
            .expect("referred");
        for as_of in [d(2101, 1, 1), d(7340, 3, 6)] {
            let Err(CoreError::Validation(fields)) = core.nrm_overdue(legal, as_of) else {
                panic!("expected a validation error for {as_of}")
            };
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].field, "as_of");
            assert!(
                fields[0].reason.contains("1971–2100"),
                "{}",
                fields[0].reason
            );
        }
        assert!(core.nrm_overdue(legal, d(2100, 12, 31)).is_ok());
    }

    #[test]
    fn refusals_and_validation_write_nothing() {
        let (core, backend) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        // No consent recorded for an adult: refused with the route's reason.
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), None);
        let before = dump(&backend);
        let Err(CoreError::Refused(why)) =
            core.nrm_refer(legal, case_id, v, referral(d(2024, 5, 2)))
        else {
            panic!("expected a refusal")
        };
        assert!(why.contains("informed consent is not recorded"), "{why}");
        assert_eq!(dump(&backend), before);

        // Input mistakes: every field named.
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), Some(true));
        let before = dump(&backend);
        let mut bad = referral(d(2024, 7, 1));
        bad.first_responder_org = " ".into();
        bad.exploitation_location = Some("".into());
        bad.exploitation_start = Some(d(2025, 1, 1));
        bad.indicators = vec!["ILO01".into(), "".into()];
        bad.notes = Some("x".repeat(4001));
        let fields = crate::testing::invalid_fields(core.nrm_refer(legal, case_id, v, bad));
        assert_eq!(
            fields,
            [
                "referred_on",
                "first_responder_org",
                "exploitation_location",
                "exploitation_start",
                "exploitation_end",
                "indicators[1]",
                "notes"
            ]
        );
        assert_eq!(dump(&backend), before);

        // An incomplete referral: the nrm crate's completeness problems, by field.
        let mut thin = referral(d(2024, 5, 2));
        thin.exploitation_location = None;
        thin.exploitation_start = None;
        thin.exploitation_end = None;
        thin.indicators = vec![];
        thin.consent_informed = false;
        let fields = crate::testing::invalid_fields(core.nrm_refer(legal, case_id, v, thin));
        assert_eq!(
            fields,
            [
                "exploitation_location",
                "exploitation_start",
                "exploitation_end",
                "indicators",
                "consent_informed"
            ]
        );
        assert_eq!(dump(&backend), before);

        // A decision with no referral in progress is refused; a decision the lifecycle forbids too.
        let r = core.nrm_update(legal, case_id, v, step(NrmUpdate::Ended, d(2024, 5, 3)));
        assert!(matches!(r, Err(CoreError::Refused(_))), "{r:?}");
        let r = core
            .nrm_refer(legal, case_id, v, referral(d(2024, 5, 2)))
            .expect("referred");
        let before = dump(&backend);
        let cg = core.nrm_conclusive_grounds(
            legal,
            case_id,
            r.case_version,
            Outcome::Positive,
            d(2024, 5, 3),
        );
        assert!(matches!(cg, Err(CoreError::Refused(_))), "{cg:?}");
        // A decision dated before the referral names the field.
        let early = core.nrm_reasonable_grounds(
            legal,
            case_id,
            r.case_version,
            Outcome::Positive,
            d(2024, 5, 1),
        );
        assert!(
            matches!(&early, Err(CoreError::Validation(e)) if e[0].field == "on"),
            "{early:?}"
        );
        // A stale case version conflicts.
        let stale =
            core.nrm_reasonable_grounds(legal, case_id, v, Outcome::Positive, d(2024, 5, 3));
        assert!(
            matches!(stale, Err(CoreError::Conflict { .. })),
            "{stale:?}"
        );
        assert_eq!(dump(&backend), before);
        // A second referral while one runs is refused by the lifecycle.
        let again = core.nrm_refer(legal, case_id, r.case_version, referral(d(2024, 5, 3)));
        assert!(matches!(again, Err(CoreError::Refused(_))), "{again:?}");
        assert_eq!(dump(&backend), before);
        // The generic case-event door is closed to NRM events.
        let generic = core.record_case_event(
            legal,
            case_id,
            r.case_version,
            crate::testing::event(EventKind::NrmWithdrawn, None),
        );
        assert!(matches!(generic, Err(CoreError::Validation(_))));
    }

    #[test]
    fn duty_to_notify_for_an_adult_who_refused_and_children_without_consent() {
        let (core, _) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), Some(false));
        // Refused consent, referred by a body with the duty (police): Duty to Notify (MSA s.52).
        let mut dtn = referral(d(2024, 5, 2));
        dtn.referrer = ReferrerKind::Police;
        dtn.first_responder_org = "West Yorkshire Police".into();
        dtn.consent_informed = false;
        let r = core.nrm_refer(legal, case_id, v, dtn).expect("notified");
        assert_eq!(r.referral.route, NrmRoute::DutyToNotify);
        assert_eq!(r.referral.competent_authority, None);
        let r = core
            .nrm_update(
                legal,
                case_id,
                r.case_version,
                step(NrmUpdate::Notified, d(2024, 5, 3)),
            )
            .expect("MS1 sent");
        assert_eq!(r.referral.state, NrmState::Notified);
        assert_eq!(r.referral.notified_on, Some(d(2024, 5, 3)));
        let dl = core
            .nrm_deadlines(legal, case_id, d(2024, 6, 3))
            .expect("deadlines");
        assert_eq!(dl.deadlines, None);
        // The same adult referred by the NGO through a First Responder: no route.
        let refused = core.nrm_refer(legal, case_id, r.case_version, referral(d(2024, 5, 4)));
        assert!(matches!(refused, Err(CoreError::Refused(_))));

        // A possible child: referred without consent; never Duty to Notify.
        let child = PersonDetails {
            estimated_age: Some(19),
            possibly_under_18: true,
            ..adult()
        };
        let (case_id, v) = rescued_case(&core, &staff, child, d(2024, 5, 1), None);
        let mut by_police = referral(d(2024, 5, 2));
        by_police.referrer = ReferrerKind::Police;
        by_police.consent_informed = false;
        let r = core
            .nrm_refer(legal, case_id, v, by_police)
            .expect("referred");
        assert_eq!(r.referral.route, NrmRoute::NrmReferral);
        assert!(r.referral.is_child);
        assert!(
            r.referral
                .route_reasons
                .contains(&RouteReason::ChildNeverDutyToNotify)
        );
    }

    #[test]
    fn racing_decisions_one_wins_and_the_record_agrees_with_the_case() {
        for t in cores() {
            let staff = staff(&t.core);
            let legal = by_role(&staff, Role::LegalAdvocate).clone();
            let (case_id, v) = rescued_case(&t.core, &staff, adult(), d(2024, 5, 1), Some(true));
            let r = t
                .core
                .nrm_refer(&legal, case_id, v, referral(d(2024, 5, 2)))
                .expect("referred");
            let results: Vec<_> = [Outcome::Positive, Outcome::Negative]
                .into_iter()
                .map(|outcome| {
                    let core = t.core.clone();
                    let legal = legal.clone();
                    let version = r.case_version;
                    std::thread::spawn(move || {
                        core.nrm_reasonable_grounds(
                            &legal,
                            case_id,
                            version,
                            outcome,
                            d(2024, 5, 9),
                        )
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect();
            let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert_eq!(won.len(), 1, "{}: exactly one decision wins", t.name);
            assert!(
                results
                    .iter()
                    .any(|r| matches!(r, Err(CoreError::Conflict { .. }))),
                "{}",
                t.name
            );
            let current = t
                .core
                .current_referral(t.backend.as_ref(), case_id)
                .expect("reads")
                .expect("referral");
            assert_eq!(current.data.state, case_nrm(&t.core, case_id), "{}", t.name);
            assert_eq!(current.data.history.len(), 2, "{}", t.name);
            assert_eq!(current.data.state, won[0].referral.state);
        }
    }

    #[test]
    fn roles_follow_the_matrix() {
        let (core, _) = core();
        let staff = staff(&core);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), Some(true));
        for actor in &staff {
            let manage = crate::auth::allowed(actor.role, Operation::NrmManage);
            let read = crate::auth::allowed(actor.role, Operation::NrmRead);
            // Refer with a stale version: authorised roles reach the conflict, others are refused.
            let r = core.nrm_refer(actor, case_id, v + 100, referral(d(2024, 5, 2)));
            assert_eq!(
                matches!(r, Err(CoreError::Forbidden { .. })),
                !manage,
                "{:?}: {r:?}",
                actor.role
            );
            let o = core.nrm_overdue(actor, d(2024, 6, 3));
            assert_eq!(o.is_ok(), read, "{:?}", actor.role);
            let l = core.nrm_deadlines(actor, case_id, d(2024, 6, 3));
            assert_eq!(
                matches!(l, Err(CoreError::Forbidden { .. })),
                !read,
                "{:?}",
                actor.role
            );
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn update() -> impl Strategy<Value = Option<NrmUpdate>> {
            let outcome = prop_oneof![Just(Outcome::Positive), Just(Outcome::Negative)];
            // Weighted towards decisions, so that long runs reach CG, reconsideration and move-on.
            prop_oneof![
                1 => Just(None), // a new referral
                1 => Just(Some(NrmUpdate::Notified)),
                4 => outcome.clone().prop_map(|outcome| Some(NrmUpdate::ReasonableGrounds { outcome })),
                3 => Just(Some(NrmUpdate::ReconsiderationRequested)),
                4 => outcome.prop_map(|outcome| Some(NrmUpdate::ConclusiveGrounds { outcome })),
                2 => Just(Some(NrmUpdate::MoveOnStarted)),
                1 => Just(Some(NrmUpdate::Ended)),
                1 => Just(Some(NrmUpdate::Withdrawn)),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

            /// Whatever sequence of calls is made, the current referral's state is the case's NRM
            /// state, a refused or invalid call writes nothing, and the deadlines always compute.
            #[test]
            fn referral_record_and_case_never_disagree(
                steps in proptest::collection::vec((update(), 0u64..25, proptest::bool::weighted(0.15)), 1..24)
            ) {
                let (core, backend) = core();
                let staff = staff(&core);
                let legal = by_role(&staff, Role::LegalAdvocate);
                let start = d(2023, 6, 1);
                let (case_id, mut version) = rescued_case(&core, &staff, adult(), start, Some(true));
                let first = core.nrm_refer(legal, case_id, version, referral(start)).expect("referred");
                version = first.case_version;
                let mut day = start;
                for (update, gap, stale) in steps {
                    day = day + chrono::Days::new(gap);
                    let used = if stale { version.saturating_sub(1) } else { version };
                    let before = dump(&backend);
                    let result = match update {
                        None => core.nrm_refer(legal, case_id, used, referral(day)),
                        Some(u) => core.nrm_update(legal, case_id, used, step(u, day)),
                    };
                    match result {
                        Ok(view) => {
                            prop_assert!(!stale || used == version);
                            version = view.case_version;
                            prop_assert_eq!(view.referral.state, case_nrm(&core, case_id));
                        }
                        Err(CoreError::Refused(_) | CoreError::Validation(_) | CoreError::Conflict { .. }) => {
                            prop_assert_eq!(dump(&backend), before);
                        }
                        Err(other) => prop_assert!(false, "unexpected error {other}"),
                    }
                    let current = core
                        .current_referral(core.backend.as_ref(), case_id)
                        .expect("reads");
                    if let Some(r) = current {
                        prop_assert_eq!(r.data.state, case_nrm(&core, case_id));
                        prop_assert!(nrm::deadlines(&r.data.history_for_deadlines(), day).is_ok());
                        prop_assert_eq!(r.data.history.last().map(|h| h.state), Some(r.data.state));
                        // The recorded decisions explain the state.
                        let eff = |of: NrmDecision, first: Option<DecisionRecord>| {
                            r.data.reconsiderations.iter().rev()
                                .find(|x| x.of == of && x.decided.is_some())
                                .and_then(|x| x.decided)
                                .or(first)
                                .map(|x| x.outcome)
                        };
                        let rg = eff(NrmDecision::ReasonableGrounds, r.data.rg);
                        let cg = eff(NrmDecision::ConclusiveGrounds, r.data.cg);
                        match r.data.state {
                            NrmState::RgPositive => prop_assert_eq!((rg, cg), (Some(Outcome::Positive), None)),
                            NrmState::RgNegative => prop_assert_eq!(rg, Some(Outcome::Negative)),
                            NrmState::CgPositive | NrmState::MoveOn => prop_assert_eq!(cg, Some(Outcome::Positive)),
                            NrmState::CgNegative => prop_assert_eq!(cg, Some(Outcome::Negative)),
                            NrmState::ReconsiderationRequested { of } => {
                                let last = r.data.reconsiderations.last();
                                prop_assert_eq!(last.map(|x| (x.of, x.decided)), Some((of, None)));
                            }
                            _ => {}
                        }
                    } else {
                        prop_assert_eq!(case_nrm(&core, case_id), NrmState::NotReferred);
                    }
                }
            }
        }
    }
}
