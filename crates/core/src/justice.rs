//! Advocacy, legal advice, police reports, prosecutions per suspect and civil claims.
//!
//! The case's justice tracks (advocacy, one prosecution per suspect, any number of claims) are
//! [`unchain_lifecycle`]'s; this service keeps beside them what the tracks do not hold — the force
//! and crime reference, the charges, verdict and sentence, the amounts claimed, awarded and paid
//! — and writes each record with its lifecycle event in one batch.
//!
//! Money is integer pence (`i64`), never floating point. A claim is never paid more than was
//! awarded (or agreed in a settlement), and no amount is negative.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_lifecycle::{
    AdvocacyState, ClaimForum, ClaimId, ClaimState, EventKind, ProsecutionState, SuspectId, Verdict,
};
use uuid::Uuid;

use crate::auth::{self, Operation};
use crate::cases::Case;
use crate::consent::ConsentScope;
use crate::error::{CoreError, FieldError, Result};
use crate::people::Person;
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::suspects::Suspect;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, not_before, not_future, optional, required};

/// The largest amount accepted, in pence (£10 billion): far above any award, far below overflow.
pub const MAX_PENCE: i64 = 1_000_000_000_000;

// ---- records ---------------------------------------------------------------------------------

/// A legal-team record of a case: an entry of the advice log, or a police report of one suspect
/// with that prosecution's milestones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalRecord {
    /// The case.
    pub case_id: Uuid,
    /// The person (the key advice notes are sealed under).
    pub person_id: Uuid,
    /// What it is.
    pub entry: LegalEntry,
    /// Advice notes, sealed under the person's key. Kept at the top level so that a subject
    /// access export opens them like every other sealed field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Sealed>,
    /// Who recorded it (user name).
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl Record for LegalRecord {
    const COLLECTION: &'static str = "legal_records";
    const KIND: &'static str = "legal_record";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

/// The two kinds of legal record. JSON: tagged by `"kind"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LegalEntry {
    /// Legal advice given.
    Advice(Advice),
    /// A police report against one suspect and the prosecution that followed.
    Prosecution(Prosecution),
}

/// One entry of the legal advice log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Advice {
    /// When the advice was given.
    pub on: NaiveDate,
    /// Who advised (a solicitor, the NGO's legal advocate, a law centre).
    pub adviser: String,
    /// What about (immigration, criminal proceedings, compensation, …).
    pub topic: String,
}

/// An offence charged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "offence", rename_all = "snake_case", deny_unknown_fields)]
pub enum Offence {
    /// Modern Slavery Act 2015 s.1: slavery, servitude and forced or compulsory labour.
    ModernSlaveryActS1,
    /// Modern Slavery Act 2015 s.2: human trafficking.
    ModernSlaveryActS2,
    /// Modern Slavery Act 2015 s.4: committing an offence with intent to commit a s.2 offence.
    ModernSlaveryActS4,
    /// Any other offence, as charged.
    Other {
        /// The offence in the charge's words.
        description: String,
    },
}

/// A step of a prosecution after the police report. JSON: tagged by `"type"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProsecutionStep {
    /// Police opened (or reopened) an investigation.
    InvestigationOpened,
    /// The suspect was charged.
    Charged {
        /// The offences charged (at least one).
        offences: Vec<Offence>,
    },
    /// The trial started.
    TrialStarted {
        /// The court, if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        court: Option<String>,
    },
    /// The verdict.
    Verdict {
        /// Convicted or acquitted.
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Verdict>))]
        verdict: Verdict,
        /// The sentence on a conviction (e.g. "8 years' imprisonment; slavery and trafficking
        /// prevention order").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sentence: Option<String>,
    },
    /// No further action, or the charge was discontinued.
    NoFurtherAction,
}

impl ProsecutionStep {
    fn event(&self, suspect: SuspectId) -> EventKind {
        match self {
            ProsecutionStep::InvestigationOpened => {
                EventKind::ProsecutionInvestigationOpened { suspect }
            }
            ProsecutionStep::Charged { .. } => EventKind::ProsecutionCharged { suspect },
            ProsecutionStep::TrialStarted { .. } => EventKind::ProsecutionTrialStarted { suspect },
            ProsecutionStep::Verdict { verdict, .. } => EventKind::ProsecutionVerdict {
                suspect,
                verdict: *verdict,
            },
            ProsecutionStep::NoFurtherAction => EventKind::ProsecutionNoFurtherAction { suspect },
        }
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        match self {
            ProsecutionStep::Charged { offences } => {
                if offences.is_empty() {
                    errors.push(FieldError::new(
                        "step.offences",
                        "name at least one offence",
                    ));
                }
                for (i, o) in offences.iter().enumerate() {
                    if let Offence::Other { description } = o {
                        required(
                            errors,
                            &format!("step.offences[{i}].description"),
                            description,
                            300,
                        );
                    }
                }
            }
            ProsecutionStep::TrialStarted { court } => {
                optional(errors, "step.court", court.as_deref(), 200);
            }
            ProsecutionStep::Verdict { verdict, sentence } => {
                optional(errors, "step.sentence", sentence.as_deref(), 1000);
                if *verdict == Verdict::Acquitted && sentence.is_some() {
                    errors.push(FieldError::new(
                        "step.sentence",
                        "an acquitted suspect is not sentenced",
                    ));
                }
            }
            ProsecutionStep::InvestigationOpened | ProsecutionStep::NoFurtherAction => {}
        }
    }
}

/// A dated prosecution milestone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    /// When it happened.
    pub on: NaiveDate,
    /// What happened.
    pub step: ProsecutionStep,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A police report against one suspect, and where that prosecution stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prosecution {
    /// The suspect.
    pub suspect_id: Uuid,
    /// The police force the offence was reported to.
    pub force: String,
    /// The force's crime reference number.
    pub crime_reference: String,
    /// When it was reported.
    pub reported_on: NaiveDate,
    /// Where it stands (the case's prosecution track for this suspect).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ProsecutionState>))]
    pub state: ProsecutionState,
    /// Every milestone after the report, in order.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// The offences charged (from the latest charge).
    #[serde(default)]
    pub offences: Vec<Offence>,
    /// The verdict, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::optional::<Verdict>))]
    pub verdict: Option<Verdict>,
    /// The sentence, on a conviction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
}

/// A compensation claim, as stored (collection `claims`). Amounts in pence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    /// The case.
    pub case_id: Uuid,
    /// Where it is brought.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ClaimForum>))]
    pub forum: ClaimForum,
    /// The forum's reference (CICA or tribunal case number), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum_reference: Option<String>,
    /// When it was lodged.
    pub lodged_on: NaiveDate,
    /// The amount claimed, when a figure was claimed (a CICA tariff claim may name none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_pence: Option<i64>,
    /// The amount awarded, or agreed in a settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded_pence: Option<i64>,
    /// The amount paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_pence: Option<i64>,
    /// Where it stands (the case's track for this claim).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ClaimState>))]
    pub state: ClaimState,
    /// Every change, in order.
    pub history: Vec<ClaimHistoryEntry>,
}

impl Record for Claim {
    const COLLECTION: &'static str = "claims";
    const KIND: &'static str = "claim";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

/// One change to a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimHistoryEntry {
    /// When it happened.
    pub on: NaiveDate,
    /// The state after it.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ClaimState>))]
    pub state: ClaimState,
    /// The amount that came with it (claimed, awarded, settled or paid), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_pence: Option<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

// ---- inputs ----------------------------------------------------------------------------------

/// An advice log entry to record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAdvice {
    /// When; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
    /// Who advised.
    pub adviser: String,
    /// What about.
    pub topic: String,
    /// What was said (sealed under the person's key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for NewAdvice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAdvice")
            .field("on", &self.on)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

/// A police report against one suspect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPoliceReport {
    /// The suspect (a suspect record's id; an unidentified suspect still gets one).
    pub suspect_id: Uuid,
    /// The police force.
    pub force: String,
    /// The crime reference number the force gave.
    pub crime_reference: String,
    /// When it was reported; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_on: Option<NaiveDate>,
}

/// A prosecution milestone to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProsecutionChange {
    /// The suspect whose prosecution moves.
    pub suspect_id: Uuid,
    /// What happened.
    pub step: ProsecutionStep,
    /// When; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
}

/// A claim to lodge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewClaim {
    /// Where.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<ClaimForum>))]
    pub forum: ClaimForum,
    /// When; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lodged_on: Option<NaiveDate>,
    /// The amount claimed in pence, if a figure is claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_pence: Option<i64>,
    /// The forum's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum_reference: Option<String>,
}

/// What happened to a claim. JSON: tagged by `"type"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClaimUpdate {
    /// Compensation was awarded.
    Awarded {
        /// How much, in pence.
        amount_pence: i64,
    },
    /// The claim was rejected.
    Rejected,
    /// The parties settled.
    Settled {
        /// The amount agreed, in pence.
        amount_pence: i64,
    },
    /// The award or settlement was paid.
    Paid {
        /// How much, in pence (at most the amount awarded or agreed).
        amount_pence: i64,
    },
    /// The claimant withdrew.
    Withdrawn,
}

/// A claim change to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimChange {
    /// The claim.
    pub claim_id: Uuid,
    /// What happened.
    pub update: ClaimUpdate,
    /// When; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
}

// ---- views -----------------------------------------------------------------------------------

/// What a justice write returns: the record and the case's new version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recorded<T> {
    /// The record's id.
    pub id: Uuid,
    /// The record's version.
    pub version: u64,
    /// The case's version after the write (send it with the next change).
    pub case_version: u64,
    /// The record.
    #[serde(flatten)]
    pub data: T,
}

/// An advice log entry as shown (notes only to roles that may see identities).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdviceView {
    /// The record's id.
    pub id: Uuid,
    /// When.
    pub on: NaiveDate,
    /// Who advised.
    pub adviser: String,
    /// What about.
    pub topic: String,
    /// The notes, when the viewer may see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
}

impl fmt::Debug for AdviceView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdviceView")
            .field("id", &self.id)
            .field("on", &self.on)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

/// Totals of a case's claims, in pence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimTotals {
    /// Sum of the amounts claimed.
    pub claimed_pence: i64,
    /// Sum of the amounts awarded or agreed.
    pub awarded_pence: i64,
    /// Sum of the amounts paid.
    pub paid_pence: i64,
}

/// Everything the legal team holds about one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JusticeRecord {
    /// The case.
    pub case_id: Uuid,
    /// The case's version.
    pub case_version: u64,
    /// Its reference.
    pub reference: String,
    /// The person's pseudonym.
    pub pseudonym: String,
    /// Whether the person asked for the NGO's advocacy.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<AdvocacyState>))]
    pub advocacy: AdvocacyState,
    /// Since when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advocacy_since: Option<NaiveDate>,
    /// The advice log, oldest first.
    pub advice: Vec<AdviceView>,
    /// One prosecution per suspect, in the order reported. The crime reference is shown only to
    /// roles that may see identities.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::prosecution_entities))]
    pub prosecutions: Vec<Entity<Prosecution>>,
    /// The claims, in the order lodged.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::claim_entities))]
    pub claims: Vec<Entity<Claim>>,
    /// The claims' totals.
    pub totals: ClaimTotals,
}

// ---- validation helpers ----------------------------------------------------------------------

fn amount(errors: &mut Vec<FieldError>, field: &str, pence: i64) {
    if pence <= 0 {
        errors.push(FieldError::new(field, "must be more than 0 pence"));
    } else if pence > MAX_PENCE {
        errors.push(FieldError::new(
            field,
            format!("must be at most {MAX_PENCE} pence"),
        ));
    }
}

/// What paying `paid` against a claim would break, if anything (the claim invariants).
pub fn payment_problem(awarded: Option<i64>, paid: i64) -> Option<String> {
    match awarded {
        None => Some("nothing was awarded or agreed to pay".into()),
        Some(a) if paid > a => Some(format!(
            "{paid} pence is more than the {a} pence awarded or agreed"
        )),
        Some(_) => None,
    }
}

impl Unchain {
    fn case_at(&self, case_id: Uuid, version: u64) -> Result<Entity<Case>> {
        records::load_at::<Case>(self.backend.as_ref(), case_id, version)
    }

    /// Records that the person requested (`requested = true`) or declined the NGO's advocacy on
    /// `on` (default today): the basis of the share of rescued people who request advocacy.
    /// Returns the case's new version.
    pub fn record_advocacy(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        requested: bool,
        on: Option<NaiveDate>,
    ) -> Result<u64> {
        self.authorize(actor, Operation::LegalManage)?;
        let today = self.clock.today();
        let on = on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        check(errors)?;
        let kind = if requested {
            EventKind::AdvocacyRequested
        } else {
            EventKind::AdvocacyDeclined
        };
        self.write(actor, Operation::LegalManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, case_version)?;
            self.stage_case_event(batch, &case, actor, on, kind, None)?;
            Ok(((), vec![records::target::<Case>(case_id)]))
        })?;
        Ok(case_version + 1)
    }

    /// Adds an entry to the case's legal advice log; the notes are sealed under the person.
    pub fn record_advice(
        &self,
        actor: &Actor,
        case_id: Uuid,
        new: NewAdvice,
    ) -> Result<Entity<LegalRecord>> {
        self.authorize(actor, Operation::LegalManage)?;
        let today = self.clock.today();
        let on = new.on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        required(&mut errors, "adviser", &new.adviser, 200);
        required(&mut errors, "topic", &new.topic, 200);
        optional(&mut errors, "notes", new.notes.as_deref(), 20_000);
        let case = records::load::<Case>(self.backend.as_ref(), case_id)?;
        if let Some(opened) = case.data.opened_on() {
            not_before(&mut errors, "on", on, opened, "the case's opening");
        }
        check(errors)?;
        let person_id = case.data.person_id;
        let id = Uuid::now_v7();
        let notes = match &new.notes {
            Some(n) => Some(self.seal(person_id, LegalRecord::KIND, id, "notes", n)?),
            None => None,
        };
        let record = LegalRecord {
            case_id,
            person_id,
            entry: LegalEntry::Advice(Advice {
                on,
                adviser: new.adviser.trim().to_owned(),
                topic: new.topic.trim().to_owned(),
            }),
            notes,
            recorded_by: actor.name.clone(),
            recorded_at: self.clock.now(),
        };
        self.write(actor, Operation::LegalManage, |backend, batch| {
            let person = records::load::<Person>(backend, person_id)?;
            if person.data.erased.is_some() {
                return Err(CoreError::Refused(format!(
                    "person {} was erased",
                    person.data.pseudonym
                )));
            }
            records::stage_check(batch, &person);
            records::stage_put(batch, id, &record, None)?;
            Ok((
                (),
                vec![
                    records::target::<LegalRecord>(id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        Ok(Entity {
            id,
            version: 1,
            data: record,
        })
    }

    /// Records a police report against one suspect (force, crime reference, date): starts that
    /// suspect's prosecution on the case. Sharing the person's account with police needs their
    /// consent (`sharing_with_police`) in force on the day.
    ///
    /// The suspect must be recorded (see [`Unchain::create_suspect`]); the report links them to
    /// the case if they were not already.
    pub fn report_to_police(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        new: NewPoliceReport,
    ) -> Result<Recorded<Prosecution>> {
        self.authorize(actor, Operation::LegalManage)?;
        let today = self.clock.today();
        let on = new.reported_on.unwrap_or(today);
        let mut errors = Vec::new();
        required(&mut errors, "force", &new.force, 200);
        required(&mut errors, "crime_reference", &new.crime_reference, 100);
        not_future(&mut errors, "reported_on", on, today);
        if records::find::<Suspect>(self.backend.as_ref(), new.suspect_id)?.is_none() {
            errors.push(FieldError::new(
                "suspect_id",
                format!("no suspect {} (record the suspect first)", new.suspect_id),
            ));
        }
        check(errors)?;
        let case = self.case_at(case_id, case_version)?;
        // Checked here for a clear refusal, and again inside the write against a withdrawal
        // recorded meanwhile.
        self.require_consent(case.data.person_id, ConsentScope::SharingWithPolice, on)?;
        let id = Uuid::now_v7();
        let prosecution = Prosecution {
            suspect_id: new.suspect_id,
            force: new.force.trim().to_owned(),
            crime_reference: new.crime_reference.trim().to_owned(),
            reported_on: on,
            state: ProsecutionState::Reported,
            milestones: Vec::new(),
            offences: Vec::new(),
            verdict: None,
            sentence: None,
        };
        let record = LegalRecord {
            case_id,
            person_id: case.data.person_id,
            entry: LegalEntry::Prosecution(prosecution.clone()),
            notes: None,
            recorded_by: actor.name.clone(),
            recorded_at: self.clock.now(),
        };
        self.write(actor, Operation::LegalManage, |backend, batch| {
            let mut case = records::load_at::<Case>(backend, case_id, case_version)?;
            self.require_consent_in(
                backend,
                batch,
                case.data.person_id,
                ConsentScope::SharingWithPolice,
                on,
            )?;
            let suspect = records::load::<Suspect>(backend, new.suspect_id)?;
            records::stage_check(batch, &suspect);
            if !case.data.suspect_ids.contains(&new.suspect_id) {
                case.data.suspect_ids.push(new.suspect_id);
            }
            self.stage_case_event(
                batch,
                &case,
                actor,
                on,
                EventKind::ProsecutionReported {
                    suspect: SuspectId(new.suspect_id),
                },
                None,
            )?;
            records::stage_put(batch, id, &record, None)?;
            Ok((
                (),
                vec![
                    records::target::<LegalRecord>(id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        Ok(Recorded {
            id,
            version: 1,
            case_version: case_version + 1,
            data: prosecution,
        })
    }

    /// Records a prosecution milestone for one suspect — investigation opened, charged (with the
    /// offences), trial started, verdict (with the sentence on a conviction), no further action —
    /// on the prosecution record and the case, in one write. The lifecycle decides the order
    /// (refused with its guard otherwise).
    pub fn prosecution_update(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        change: ProsecutionChange,
    ) -> Result<Recorded<Prosecution>> {
        self.authorize(actor, Operation::LegalManage)?;
        let today = self.clock.today();
        let on = change.on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        change.step.validate(&mut errors);
        check(errors)?;
        let suspect = SuspectId(change.suspect_id);
        let (entity, prosecution) = self.write(actor, Operation::LegalManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, case_version)?;
            let found = crate::index::of_case::<LegalRecord>(backend, case_id)?;
            let Some(mut record) = found.into_iter().find(|r| {
                matches!(&r.data.entry, LegalEntry::Prosecution(p) if p.suspect_id == change.suspect_id)
            }) else {
                return Err(CoreError::NotFound {
                    kind: "prosecution",
                    id: format!("suspect {} on case {}", change.suspect_id, case.data.reference),
                });
            };
            let LegalEntry::Prosecution(p) = &mut record.data.entry else {
                unreachable!("filtered on prosecutions")
            };
            let mut errors = Vec::new();
            let since = p.milestones.last().map_or(p.reported_on, |m| m.on);
            not_before(&mut errors, "on", on, since, "the prosecution's latest milestone");
            check(errors)?;
            let updated = self.stage_case_event(
                batch,
                &case,
                actor,
                on,
                change.step.event(suspect),
                None,
            )?;
            p.state = updated
                .state()?
                .prosecution(suspect)
                .map(|x| x.state)
                .unwrap_or(p.state);
            match &change.step {
                ProsecutionStep::Charged { offences } => p.offences.clone_from(offences),
                ProsecutionStep::Verdict { verdict, sentence } => {
                    p.verdict = Some(*verdict);
                    p.sentence.clone_from(sentence);
                }
                _ => {}
            }
            p.milestones.push(Milestone {
                on,
                step: change.step.clone(),
                recorded_by: actor.name.clone(),
                recorded_at: self.clock.now(),
            });
            let prosecution = p.clone();
            records::stage_put(batch, record.id, &record.data, Some(record.version))?;
            Ok((
                (record.clone(), prosecution),
                vec![
                    records::target::<LegalRecord>(record.id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        Ok(Recorded {
            id: entity.id,
            version: entity.version + 1,
            case_version: case_version + 1,
            data: prosecution,
        })
    }

    /// Lodges a compensation claim (CICA, employment tribunal, civil claim, compensation or
    /// reparation order). Orders made on sentencing need a conviction on the case (the
    /// lifecycle's guard).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use unchain_core::cases::{NewCase, NewEvent};
    /// use unchain_core::justice::{ClaimChange, ClaimUpdate, NewClaim};
    /// use unchain_core::lifecycle::{ClaimForum, ClaimState, EventKind, RescueOrigin};
    /// use unchain_core::people::PersonDetails;
    /// use unchain_core::{CoreError, Role, SystemClock, Unchain};
    ///
    /// let core = Unchain::in_memory(Arc::new(SystemClock))?;
    /// core.bootstrap_admin("admin")?;
    /// let admin = core.actor("admin")?;
    /// let case = core.open_case(&admin, NewCase { person: PersonDetails::default(),
    ///     jurisdiction: unchain_core::nrm::Jurisdiction::EnglandAndWales, exploitation: vec![],
    ///     opened_on: None, owner: None, report_ids: vec![] })?;
    /// let case = core.record_case_event(&admin, case.id, case.version, NewEvent {
    ///     kind: EventKind::Rescued { origin: RescueOrigin::SelfPresented }, date: None, reason: None })?;
    ///
    /// // Unpaid wages before an employment tribunal: £4,200.00 claimed, in pence.
    /// let claim = core.lodge_claim(&admin, case.id, case.version, NewClaim {
    ///     forum: ClaimForum::EmploymentTribunal, lodged_on: None,
    ///     claimed_pence: Some(420_000), forum_reference: None })?;
    /// let awarded = core.claim_update(&admin, case.id, claim.case_version, ClaimChange {
    ///     claim_id: claim.id, update: ClaimUpdate::Awarded { amount_pence: 380_000 }, on: None })?;
    /// // Paying more than was awarded names the field and writes nothing.
    /// let over = core.claim_update(&admin, case.id, awarded.case_version, ClaimChange {
    ///     claim_id: claim.id, update: ClaimUpdate::Paid { amount_pence: 380_001 }, on: None });
    /// assert!(matches!(over, Err(CoreError::Validation(ref e)) if e[0].field == "update.amount_pence"));
    /// let paid = core.claim_update(&admin, case.id, awarded.case_version, ClaimChange {
    ///     claim_id: claim.id, update: ClaimUpdate::Paid { amount_pence: 380_000 }, on: None })?;
    /// assert_eq!(paid.data.state, ClaimState::Paid);
    /// # Ok::<(), unchain_core::CoreError>(())
    /// ```
    pub fn lodge_claim(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        new: NewClaim,
    ) -> Result<Recorded<Claim>> {
        self.authorize(actor, Operation::LegalManage)?;
        let today = self.clock.today();
        let on = new.lodged_on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "lodged_on", on, today);
        if let Some(p) = new.claimed_pence {
            amount(&mut errors, "claimed_pence", p);
        }
        optional(
            &mut errors,
            "forum_reference",
            new.forum_reference.as_deref(),
            100,
        );
        check(errors)?;
        let id = Uuid::now_v7();
        let claim = Claim {
            case_id,
            forum: new.forum,
            forum_reference: new.forum_reference.as_ref().map(|s| s.trim().to_owned()),
            lodged_on: on,
            claimed_pence: new.claimed_pence,
            awarded_pence: None,
            paid_pence: None,
            state: ClaimState::Lodged,
            history: vec![ClaimHistoryEntry {
                on,
                state: ClaimState::Lodged,
                amount_pence: new.claimed_pence,
                recorded_by: actor.name.clone(),
                recorded_at: self.clock.now(),
            }],
        };
        self.write(actor, Operation::LegalManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, case_version)?;
            self.stage_case_event(
                batch,
                &case,
                actor,
                on,
                EventKind::ClaimLodged {
                    claim: ClaimId(id),
                    forum: new.forum,
                },
                None,
            )?;
            records::stage_put(batch, id, &claim, None)?;
            Ok((
                (),
                vec![
                    records::target::<Claim>(id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        Ok(Recorded {
            id,
            version: 1,
            case_version: case_version + 1,
            data: claim,
        })
    }

    /// Records what happened to a claim: awarded or settled (with the amount), paid (at most the
    /// amount awarded or agreed), rejected or withdrawn — on the claim and the case, in one write.
    pub fn claim_update(
        &self,
        actor: &Actor,
        case_id: Uuid,
        case_version: u64,
        change: ClaimChange,
    ) -> Result<Recorded<Claim>> {
        self.authorize(actor, Operation::LegalManage)?;
        let today = self.clock.today();
        let on = change.on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        let amount_given = match change.update {
            ClaimUpdate::Awarded { amount_pence }
            | ClaimUpdate::Settled { amount_pence }
            | ClaimUpdate::Paid { amount_pence } => {
                amount(&mut errors, "update.amount_pence", amount_pence);
                Some(amount_pence)
            }
            ClaimUpdate::Rejected | ClaimUpdate::Withdrawn => None,
        };
        check(errors)?;
        let claim_id = ClaimId(change.claim_id);
        let (version, claim) = self.write(actor, Operation::LegalManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, case_version)?;
            let mut claim = records::load::<Claim>(backend, change.claim_id)?;
            if claim.data.case_id != case_id {
                return Err(CoreError::NotFound {
                    kind: Claim::KIND,
                    id: change.claim_id.to_string(),
                });
            }
            let mut errors = Vec::new();
            let since = claim
                .data
                .history
                .last()
                .map_or(claim.data.lodged_on, |h| h.on);
            not_before(&mut errors, "on", on, since, "the claim's latest change");
            if let ClaimUpdate::Paid { amount_pence } = change.update {
                if matches!(claim.data.state, ClaimState::Awarded | ClaimState::Settled) {
                    if let Some(why) = payment_problem(claim.data.awarded_pence, amount_pence) {
                        errors.push(FieldError::new("update.amount_pence", why));
                    }
                }
            }
            check(errors)?;
            let event = match change.update {
                ClaimUpdate::Awarded { .. } => EventKind::ClaimAwarded { claim: claim_id },
                ClaimUpdate::Rejected => EventKind::ClaimRejected { claim: claim_id },
                ClaimUpdate::Settled { .. } => EventKind::ClaimSettled { claim: claim_id },
                ClaimUpdate::Paid { .. } => EventKind::ClaimPaid { claim: claim_id },
                ClaimUpdate::Withdrawn => EventKind::ClaimWithdrawn { claim: claim_id },
            };
            let updated = self.stage_case_event(batch, &case, actor, on, event, None)?;
            let state = updated
                .state()?
                .claim(claim_id)
                .map_or(claim.data.state, |c| c.state);
            let data = &mut claim.data;
            match change.update {
                ClaimUpdate::Awarded { amount_pence } | ClaimUpdate::Settled { amount_pence } => {
                    data.awarded_pence = Some(amount_pence);
                }
                ClaimUpdate::Paid { amount_pence } => data.paid_pence = Some(amount_pence),
                ClaimUpdate::Rejected | ClaimUpdate::Withdrawn => {}
            }
            data.state = state;
            data.history.push(ClaimHistoryEntry {
                on,
                state,
                amount_pence: amount_given,
                recorded_by: actor.name.clone(),
                recorded_at: self.clock.now(),
            });
            records::stage_put(batch, claim.id, &claim.data, Some(claim.version))?;
            Ok((
                (claim.version + 1, claim.data.clone()),
                vec![
                    records::target::<Claim>(claim.id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        Ok(Recorded {
            id: change.claim_id,
            version,
            case_version: case_version + 1,
            data: claim,
        })
    }

    /// Everything the legal team holds about one case: advocacy, the advice log, prosecutions
    /// and claims with their totals. Advice notes and crime references are shown (and the read
    /// audited) only to roles that may see identities.
    pub fn justice_record(&self, actor: &Actor, case_id: Uuid) -> Result<JusticeRecord> {
        self.authorize(actor, Operation::LegalRead)?;
        let backend = self.backend.as_ref();
        let case = records::load::<Case>(backend, case_id)?;
        let person = records::load::<Person>(backend, case.data.person_id)?;
        let state = case.data.state()?;
        let identity = auth::allowed(actor.role, Operation::PersonIdentity);
        let mut advice = Vec::new();
        let mut prosecutions = Vec::new();
        let mut opened = Vec::new();
        for r in crate::index::of_case::<LegalRecord>(backend, case_id)? {
            match r.data.entry {
                LegalEntry::Advice(a) => {
                    let notes = match (&r.data.notes, identity) {
                        (Some(s), true) => {
                            let n = self.unseal::<String>(s, LegalRecord::KIND, r.id, "notes")?;
                            if n.is_some() {
                                opened.push(records::target::<LegalRecord>(r.id));
                            }
                            n
                        }
                        _ => None,
                    };
                    advice.push(AdviceView {
                        id: r.id,
                        on: a.on,
                        adviser: a.adviser,
                        topic: a.topic,
                        notes,
                        recorded_by: r.data.recorded_by,
                    });
                }
                LegalEntry::Prosecution(mut p) => {
                    if !identity {
                        p.crime_reference = "(withheld)".into();
                    }
                    prosecutions.push(Entity {
                        id: r.id,
                        version: r.version,
                        data: p,
                    });
                }
            }
        }
        advice.sort_by_key(|a| (a.on, a.id));
        let claims = crate::index::of_case::<Claim>(backend, case_id)?;
        let totals = claims
            .iter()
            .fold(ClaimTotals::default(), |t, c| ClaimTotals {
                claimed_pence: t.claimed_pence + c.data.claimed_pence.unwrap_or(0),
                awarded_pence: t.awarded_pence + c.data.awarded_pence.unwrap_or(0),
                paid_pence: t.paid_pence + c.data.paid_pence.unwrap_or(0),
            });
        if !opened.is_empty() {
            self.audit_read(actor, Operation::PersonIdentity, &opened)?;
        }
        Ok(JusticeRecord {
            case_id,
            case_version: case.version,
            reference: case.data.reference,
            pseudonym: person.data.pseudonym,
            advocacy: state.advocacy(),
            advocacy_since: state.advocacy_since(),
            advice,
            prosecutions,
            claims,
            totals,
        })
    }
}

/// The share of rescued people who requested the NGO's advocacy (the seed's "78.13% of the
/// victims they rescue request their assistance").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvocacyShare {
    /// First rescue day counted (inclusive), if bounded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last rescue day counted (inclusive), if bounded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Cases of people rescued in the period.
    pub rescued: u64,
    /// Of them, how many requested advocacy (their latest answer).
    pub requested: u64,
    /// How many declined.
    pub declined: u64,
    /// How many were not asked yet.
    pub not_asked: u64,
    /// `requested / rescued` as a percentage with two decimals, rounded half up (`"78.13"`);
    /// absent when nobody was rescued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<String>,
}

/// `part / whole` as a percentage with two decimals, rounded half up, in integer arithmetic
/// (no floating point): 25 of 32 is `"78.13"`.
pub fn percent_half_up(part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (u128::from(part), u128::from(whole));
    let hundredths = (part * 20_000 + whole) / (2 * whole);
    Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
}

impl Unchain {
    /// The share of people rescued between `from` and `to` (inclusive; either may be open) who
    /// requested the NGO's advocacy. Aggregate only: no case or person is named.
    pub fn advocacy_share(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<AdvocacyShare> {
        self.authorize(actor, Operation::ReportRead)?;
        let mut share = AdvocacyShare {
            from,
            to,
            rescued: 0,
            requested: 0,
            declined: 0,
            not_asked: 0,
            percent: None,
        };
        for case in records::all::<Case>(self.backend.as_ref())? {
            let state = case.data.state()?;
            let Some(on) = state.rescued_on() else {
                continue;
            };
            if from.is_some_and(|f| on < f) || to.is_some_and(|t| on > t) {
                continue;
            }
            share.rescued += 1;
            match state.advocacy() {
                AdvocacyState::Requested => share.requested += 1,
                AdvocacyState::Declined => share.declined += 1,
                AdvocacyState::NotAsked => share.not_asked += 1,
            }
        }
        share.percent = percent_half_up(share.requested, share.rescued);
        Ok(share)
    }
}

/// Checks the amount invariants of a stored claim: nothing negative, nothing paid beyond the
/// award, nothing paid or awarded without the state that allows it.
pub fn claim_invariants_hold(c: &Claim) -> bool {
    let non_negative = [c.claimed_pence, c.awarded_pence, c.paid_pence]
        .iter()
        .all(|a| a.is_none_or(|p| p >= 0));
    let paid_within = match (c.paid_pence, c.awarded_pence) {
        (Some(p), Some(a)) => p <= a,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let paid_state = c.paid_pence.is_some() == (c.state == ClaimState::Paid);
    let awarded_state = c.awarded_pence.is_none()
        || matches!(
            c.state,
            ClaimState::Awarded | ClaimState::Settled | ClaimState::Paid
        );
    non_negative && paid_within && paid_state && awarded_state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::consent::{ConsentMethod, NewConsent};
    use crate::referrals::tests::{adult, by_role, d, rescued_case};
    use crate::testing::{core, cores, dump, dump_any, staff};

    fn police_consent(core: &Unchain, staff: &[Actor], case_id: Uuid, on: NaiveDate) {
        let person = records::load::<Case>(core.backend.as_ref(), case_id)
            .expect("case")
            .data
            .person_id;
        core.record_consent(
            by_role(staff, Role::LegalAdvocate),
            person,
            NewConsent {
                scope: ConsentScope::SharingWithPolice,
                given: true,
                on: Some(on),
                method: ConsentMethod::VerbalInterpreted,
                document_id: None,
            },
        )
        .expect("consent");
    }

    /// Records a suspect (an investigator's job) and returns its id.
    fn new_suspect(core: &Unchain, staff: &[Actor]) -> Uuid {
        core.create_suspect(
            by_role(staff, Role::Investigator),
            crate::suspects::NewSuspect::default(),
        )
        .expect("suspect recorded")
        .id
    }

    fn report(suspect: Uuid, on: NaiveDate) -> NewPoliceReport {
        NewPoliceReport {
            suspect_id: suspect,
            force: "West Yorkshire Police".into(),
            crime_reference: "13/123456/24".into(),
            reported_on: Some(on),
        }
    }

    fn milestone(suspect: Uuid, step: ProsecutionStep, on: NaiveDate) -> ProsecutionChange {
        ProsecutionChange {
            suspect_id: suspect,
            step,
            on: Some(on),
        }
    }

    fn claim_change(claim_id: Uuid, update: ClaimUpdate, on: NaiveDate) -> ClaimChange {
        ClaimChange {
            claim_id,
            update,
            on: Some(on),
        }
    }

    #[test]
    fn prosecution_to_conviction_then_claims_lodged_awarded_paid_on_every_backend() {
        for t in cores() {
            let core = &t.core;
            let staff = staff(core);
            let legal = by_role(&staff, Role::LegalAdvocate);
            let (case_id, v) = rescued_case(core, &staff, adult(), d(2023, 1, 9), None);
            police_consent(core, &staff, case_id, d(2023, 1, 9));
            let v = core
                .record_advocacy(legal, case_id, v, true, Some(d(2023, 1, 10)))
                .expect("advocacy requested");
            let suspect = new_suspect(core, &staff);
            let r = core
                .report_to_police(legal, case_id, v, report(suspect, d(2023, 1, 12)))
                .expect("reported");
            assert_eq!(r.data.state, ProsecutionState::Reported);
            let linked = records::load::<Case>(core.backend.as_ref(), case_id).expect("case");
            assert_eq!(linked.data.suspect_ids, vec![suspect], "{}", t.name);
            let steps = [
                (ProsecutionStep::InvestigationOpened, d(2023, 1, 20)),
                (
                    ProsecutionStep::Charged {
                        offences: vec![Offence::ModernSlaveryActS1, Offence::ModernSlaveryActS2],
                    },
                    d(2023, 6, 1),
                ),
                (
                    ProsecutionStep::TrialStarted {
                        court: Some("Leeds Crown Court".into()),
                    },
                    d(2024, 1, 15),
                ),
                (
                    ProsecutionStep::Verdict {
                        verdict: Verdict::Convicted,
                        sentence: Some("8 years' imprisonment".into()),
                    },
                    d(2024, 2, 2),
                ),
            ];
            let mut v = r.case_version;
            let mut last = r;
            for (step, on) in steps {
                last = core
                    .prosecution_update(legal, case_id, v, milestone(suspect, step, on))
                    .unwrap_or_else(|e| panic!("{}: {e}", t.name));
                v = last.case_version;
            }
            assert_eq!(last.data.state, ProsecutionState::Convicted, "{}", t.name);
            assert_eq!(last.data.verdict, Some(Verdict::Convicted));
            assert_eq!(last.data.offences.len(), 2);
            assert_eq!(last.data.milestones.len(), 4);

            // A reparation order (MSA 2015 s.8) needs the conviction, which the case now has.
            let order = core
                .lodge_claim(
                    legal,
                    case_id,
                    v,
                    NewClaim {
                        forum: ClaimForum::ReparationOrder,
                        lodged_on: Some(d(2024, 2, 2)),
                        claimed_pence: Some(1_250_000),
                        forum_reference: None,
                    },
                )
                .expect("lodged");
            let awarded = core
                .claim_update(
                    legal,
                    case_id,
                    order.case_version,
                    claim_change(
                        order.id,
                        ClaimUpdate::Awarded {
                            amount_pence: 1_000_000,
                        },
                        d(2024, 2, 2),
                    ),
                )
                .expect("awarded");
            assert_eq!(awarded.data.state, ClaimState::Awarded);
            let before = dump_any(t.backend.as_ref());
            let over = core.claim_update(
                legal,
                case_id,
                awarded.case_version,
                claim_change(
                    order.id,
                    ClaimUpdate::Paid {
                        amount_pence: 1_000_001,
                    },
                    d(2024, 3, 1),
                ),
            );
            assert!(
                matches!(&over, Err(CoreError::Validation(e)) if e[0].field == "update.amount_pence"),
                "{over:?}"
            );
            assert!(
                dump_any(t.backend.as_ref()) == before,
                "{}: over-payment wrote",
                t.name
            );
            let paid = core
                .claim_update(
                    legal,
                    case_id,
                    awarded.case_version,
                    claim_change(
                        order.id,
                        ClaimUpdate::Paid {
                            amount_pence: 1_000_000,
                        },
                        d(2024, 3, 1),
                    ),
                )
                .expect("paid");
            assert_eq!(paid.data.state, ClaimState::Paid);
            assert!(claim_invariants_hold(&paid.data));
            let cica = core
                .lodge_claim(
                    legal,
                    case_id,
                    paid.case_version,
                    NewClaim {
                        forum: ClaimForum::CriminalInjuriesCompensation,
                        lodged_on: Some(d(2024, 3, 4)),
                        claimed_pence: None,
                        forum_reference: Some("X/24/123456".into()),
                    },
                )
                .expect("CICA lodged");

            let record = core.justice_record(legal, case_id).expect("record");
            assert_eq!(record.advocacy, AdvocacyState::Requested);
            assert_eq!(record.advocacy_since, Some(d(2023, 1, 10)));
            assert_eq!(record.prosecutions.len(), 1);
            assert_eq!(record.prosecutions[0].data.crime_reference, "13/123456/24");
            assert_eq!(record.claims.len(), 2);
            assert_eq!(
                record.totals,
                ClaimTotals {
                    claimed_pence: 1_250_000,
                    awarded_pence: 1_000_000,
                    paid_pence: 1_000_000
                }
            );
            assert_eq!(record.case_version, cica.case_version);
            let state = records::load::<Case>(t.core.backend.as_ref(), case_id)
                .expect("case")
                .data
                .state()
                .expect("replays");
            assert_eq!(
                state.prosecution(SuspectId(suspect)).map(|p| p.state),
                Some(ProsecutionState::Convicted)
            );
            assert_eq!(
                state.claim(ClaimId(order.id)).map(|c| c.state),
                Some(ClaimState::Paid)
            );
            // The analyst sees the shape, not the crime reference.
            let analyst = by_role(&staff, Role::Analyst);
            let seen = core
                .justice_record(analyst, case_id)
                .expect("analyst reads");
            assert_eq!(seen.prosecutions[0].data.crime_reference, "(withheld)");
        }
    }

    #[test]
    fn advocacy_and_the_sealed_advice_log() {
        let (core, backend) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), None);
        let v = core
            .record_advocacy(legal, case_id, v, false, Some(d(2024, 5, 2)))
            .expect("declined");
        let before = dump(&backend);
        // Repeating the same answer is refused by the lifecycle and writes nothing.
        let again = core.record_advocacy(legal, case_id, v, false, Some(d(2024, 5, 3)));
        assert!(matches!(again, Err(CoreError::Refused(_))), "{again:?}");
        assert_eq!(dump(&backend), before);
        core.record_advocacy(legal, case_id, v, true, Some(d(2024, 5, 20)))
            .expect("changed her mind");
        core.record_advice(
            legal,
            case_id,
            NewAdvice {
                on: Some(d(2024, 5, 21)),
                adviser: "Leeds Law Centre".into(),
                topic: "immigration".into(),
                notes: Some("explained the reconsideration route for her visa".into()),
            },
        )
        .expect("advice logged");
        let raw = crate::testing::raw_bytes(&*backend);
        assert!(!crate::testing::contains(&raw, "reconsideratio"));
        let record = core.justice_record(legal, case_id).expect("record");
        assert_eq!(record.advocacy, AdvocacyState::Requested);
        assert_eq!(record.advice.len(), 1);
        assert_eq!(
            record.advice[0].notes.as_deref(),
            Some("explained the reconsideration route for her visa")
        );
        assert!(!format!("{record:?}").contains("visa"));
        let investigator = by_role(&staff, Role::Investigator);
        // Investigators may read the justice record (matrix) and see identities.
        assert!(core.justice_record(investigator, case_id).is_ok());
        let analyst = by_role(&staff, Role::Analyst);
        let seen = core.justice_record(analyst, case_id).expect("analyst");
        assert_eq!(seen.advice[0].notes, None);
        assert_eq!(seen.advice[0].topic, "immigration");
    }

    #[test]
    fn validation_names_every_field_and_refusals_write_nothing() {
        let (core, backend) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), None);
        let s1 = new_suspect(&core, &staff);
        let before = dump(&backend);
        let fields = |r: Result<_>| match r {
            Err(CoreError::Validation(e)) => e.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("expected validation, got {:?}", other.map(|_: ()| ())),
        };
        let f = fields(
            core.report_to_police(
                legal,
                case_id,
                v,
                NewPoliceReport {
                    suspect_id: Uuid::nil(),
                    force: " ".into(),
                    crime_reference: "".into(),
                    reported_on: Some(d(2024, 7, 1)),
                },
            )
            .map(|_| ()),
        );
        assert_eq!(f, ["force", "crime_reference", "reported_on", "suspect_id"]);
        let f = fields(
            core.prosecution_update(
                legal,
                case_id,
                v,
                milestone(
                    Uuid::now_v7(),
                    ProsecutionStep::Charged {
                        offences: vec![Offence::Other {
                            description: " ".into(),
                        }],
                    },
                    d(2024, 7, 1),
                ),
            )
            .map(|_| ()),
        );
        assert_eq!(f, ["on", "step.offences[0].description"]);
        let f = fields(
            core.prosecution_update(
                legal,
                case_id,
                v,
                milestone(
                    Uuid::now_v7(),
                    ProsecutionStep::Verdict {
                        verdict: Verdict::Acquitted,
                        sentence: Some("2 years".into()),
                    },
                    d(2024, 5, 2),
                ),
            )
            .map(|_| ()),
        );
        assert_eq!(f, ["step.sentence"]);
        let f = fields(
            core.lodge_claim(
                legal,
                case_id,
                v,
                NewClaim {
                    forum: ClaimForum::EmploymentTribunal,
                    lodged_on: Some(d(2024, 7, 1)),
                    claimed_pence: Some(-5),
                    forum_reference: Some("".into()),
                },
            )
            .map(|_| ()),
        );
        assert_eq!(f, ["lodged_on", "claimed_pence", "forum_reference"]);
        let f = fields(
            core.claim_update(
                legal,
                case_id,
                v,
                claim_change(
                    Uuid::now_v7(),
                    ClaimUpdate::Awarded { amount_pence: 0 },
                    d(2024, 7, 1),
                ),
            )
            .map(|_| ()),
        );
        assert_eq!(f, ["on", "update.amount_pence"]);
        let f = fields(
            core.record_advice(
                legal,
                case_id,
                NewAdvice {
                    on: Some(d(2024, 4, 1)),
                    adviser: "".into(),
                    topic: "x".repeat(201),
                    notes: Some(" ".into()),
                },
            )
            .map(|_| ()),
        );
        assert_eq!(f, ["adviser", "topic", "notes", "on"]);
        assert_eq!(dump(&backend), before);

        // Refusals: no police consent; an order without a conviction; a milestone for a suspect
        // never reported; a stale case version.
        let no_consent = core.report_to_police(legal, case_id, v, report(s1, d(2024, 5, 2)));
        assert!(
            matches!(no_consent, Err(CoreError::Refused(_))),
            "{no_consent:?}"
        );
        let order = core.lodge_claim(
            legal,
            case_id,
            v,
            NewClaim {
                forum: ClaimForum::CompensationOrder,
                lodged_on: None,
                claimed_pence: None,
                forum_reference: None,
            },
        );
        assert!(matches!(order, Err(CoreError::Refused(_))), "{order:?}");
        let unknown = core.prosecution_update(
            legal,
            case_id,
            v,
            milestone(
                Uuid::now_v7(),
                ProsecutionStep::InvestigationOpened,
                d(2024, 5, 2),
            ),
        );
        assert!(
            matches!(unknown, Err(CoreError::NotFound { .. })),
            "{unknown:?}"
        );
        assert_eq!(dump(&backend), before);
        police_consent(&core, &staff, case_id, d(2024, 5, 1));
        // An unrecorded suspect names the field.
        let unrecorded =
            core.report_to_police(legal, case_id, v, report(Uuid::now_v7(), d(2024, 5, 2)));
        assert!(
            matches!(&unrecorded, Err(CoreError::Validation(e)) if e[0].field == "suspect_id"),
            "{unrecorded:?}"
        );
        let suspect = s1;
        let r = core
            .report_to_police(legal, case_id, v, report(suspect, d(2024, 5, 2)))
            .expect("reported");
        let before = dump(&backend);
        let stale = core.prosecution_update(
            legal,
            case_id,
            v,
            milestone(suspect, ProsecutionStep::InvestigationOpened, d(2024, 5, 3)),
        );
        assert!(
            matches!(stale, Err(CoreError::Conflict { .. })),
            "{stale:?}"
        );
        // The lifecycle's order: no trial before a charge.
        let early = core.prosecution_update(
            legal,
            case_id,
            r.case_version,
            milestone(
                suspect,
                ProsecutionStep::TrialStarted { court: None },
                d(2024, 5, 3),
            ),
        );
        assert!(matches!(early, Err(CoreError::Refused(_))), "{early:?}");
        // A second report against the same suspect is refused.
        let twice = core.report_to_police(
            legal,
            case_id,
            r.case_version,
            report(suspect, d(2024, 5, 3)),
        );
        assert!(matches!(twice, Err(CoreError::Refused(_))), "{twice:?}");
        assert_eq!(dump(&backend), before);
        // The generic case-event door is closed to prosecution events.
        let generic = core.record_case_event(
            legal,
            case_id,
            r.case_version,
            crate::testing::event(
                EventKind::ProsecutionNoFurtherAction {
                    suspect: SuspectId(suspect),
                },
                None,
            ),
        );
        assert!(matches!(generic, Err(CoreError::Validation(_))));
    }

    #[test]
    fn advocacy_share_is_the_seeds_figure_rounded_half_up() {
        // The seed: "78.13% of the victims they rescue request their assistance" — 25 of 32 is
        // 78.125%, which rounds half up to 78.13.
        assert_eq!(percent_half_up(25, 32).as_deref(), Some("78.13"));
        assert_eq!(percent_half_up(1, 8).as_deref(), Some("12.50"));
        assert_eq!(percent_half_up(1, 3).as_deref(), Some("33.33"));
        assert_eq!(percent_half_up(2, 3).as_deref(), Some("66.67"));
        assert_eq!(percent_half_up(0, 0), None);
        let (core, _) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        for i in 0..8 {
            let (id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), None);
            match i {
                0..=4 => {
                    core.record_advocacy(legal, id, v, true, None)
                        .expect("requested");
                }
                5 => {
                    core.record_advocacy(legal, id, v, false, None)
                        .expect("declined");
                }
                _ => {}
            }
        }
        // Rescued outside the period: not counted.
        rescued_case(&core, &staff, adult(), d(2023, 5, 1), None);
        let analyst = by_role(&staff, Role::Analyst);
        let share = core
            .advocacy_share(analyst, Some(d(2024, 1, 1)), None)
            .expect("aggregate");
        assert_eq!(
            (
                share.rescued,
                share.requested,
                share.declined,
                share.not_asked
            ),
            (8, 5, 1, 2)
        );
        assert_eq!(share.percent.as_deref(), Some("62.50"));
        let campaign = by_role(&staff, Role::CampaignOfficer);
        assert_eq!(
            core.advocacy_share(campaign, None, None).is_ok(),
            auth::allowed(Role::CampaignOfficer, Operation::ReportRead)
        );
    }

    #[test]
    fn subject_access_opens_and_erasure_shreds_referral_and_advice_notes() {
        let (core, backend) = core();
        let staff = staff(&core);
        let legal = by_role(&staff, Role::LegalAdvocate);
        let manager = by_role(&staff, Role::Manager);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), Some(true));
        let person_id = records::load::<Case>(core.backend.as_ref(), case_id)
            .expect("case")
            .data
            .person_id;
        let r = core
            .nrm_refer(
                legal,
                case_id,
                v,
                crate::referrals::tests::referral(d(2024, 5, 2)),
            )
            .expect("referred");
        core.record_advice(
            legal,
            case_id,
            NewAdvice {
                on: Some(d(2024, 5, 3)),
                adviser: "Leeds Law Centre".into(),
                topic: "criminal proceedings".into(),
                notes: Some("special measures at trial explained".into()),
            },
        )
        .expect("advice");
        core.lodge_claim(
            legal,
            case_id,
            r.case_version,
            NewClaim {
                forum: ClaimForum::CriminalInjuriesCompensation,
                lodged_on: Some(d(2024, 5, 4)),
                claimed_pence: None,
                forum_reference: None,
            },
        )
        .expect("claim");

        let export = core.export_person(manager, person_id).expect("export");
        let other = &export["other_records"];
        assert_eq!(
            other["nrm_referrals"][0]["narrative"]["exploitation_location"],
            "a car wash in Leeds"
        );
        assert_eq!(
            other["legal_records"][0]["notes"],
            "special measures at trial explained"
        );
        assert_eq!(
            other["claims"][0]["forum"],
            "criminal_injuries_compensation"
        );

        core.erase_person(manager, person_id, "erasure request under UK GDPR Art. 17")
            .expect("erased");
        let referrals = core.nrm_referrals(legal, case_id).expect("referrals");
        assert_eq!(referrals[0].details, None);
        let record = core.justice_record(legal, case_id).expect("record");
        assert_eq!(record.advice[0].notes, None);
        assert_eq!(record.advice[0].topic, "criminal proceedings");
        let raw = crate::testing::raw_bytes(&*backend);
        assert!(!crate::testing::contains(&raw, "special measure"));
        let more = core.record_advice(
            legal,
            case_id,
            NewAdvice {
                on: None,
                adviser: "x".into(),
                topic: "y".into(),
                notes: None,
            },
        );
        assert!(matches!(more, Err(CoreError::Refused(_))), "{more:?}");
    }

    #[test]
    fn roles_follow_the_matrix() {
        let (core, _) = core();
        let staff = staff(&core);
        let (case_id, v) = rescued_case(&core, &staff, adult(), d(2024, 5, 1), None);
        for actor in &staff {
            let manage = auth::allowed(actor.role, Operation::LegalManage);
            let read = auth::allowed(actor.role, Operation::LegalRead);
            // A stale version: authorised roles reach the conflict, the others are forbidden.
            let r = core.record_advocacy(actor, case_id, v + 100, true, None);
            assert_eq!(
                matches!(r, Err(CoreError::Forbidden { .. })),
                !manage,
                "{:?}",
                actor.role
            );
            let c = core.claim_update(
                actor,
                case_id,
                v + 100,
                claim_change(Uuid::now_v7(), ClaimUpdate::Rejected, d(2024, 5, 2)),
            );
            assert_eq!(
                matches!(c, Err(CoreError::Forbidden { .. })),
                !manage,
                "{:?}",
                actor.role
            );
            let j = core.justice_record(actor, case_id);
            assert_eq!(j.is_ok(), read, "{:?}", actor.role);
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn update() -> impl Strategy<Value = ClaimUpdate> {
            let pence = prop_oneof![-1_000i64..5_000, Just(0i64), Just(MAX_PENCE + 1)];
            prop_oneof![
                pence
                    .clone()
                    .prop_map(|amount_pence| ClaimUpdate::Awarded { amount_pence }),
                pence
                    .clone()
                    .prop_map(|amount_pence| ClaimUpdate::Settled { amount_pence }),
                pence.prop_map(|amount_pence| ClaimUpdate::Paid { amount_pence }),
                Just(ClaimUpdate::Rejected),
                Just(ClaimUpdate::Withdrawn),
            ]
        }

        fn forum() -> impl Strategy<Value = ClaimForum> {
            prop_oneof![
                Just(ClaimForum::CriminalInjuriesCompensation),
                Just(ClaimForum::EmploymentTribunal),
                Just(ClaimForum::CivilCourt),
                Just(ClaimForum::Other),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            /// Whatever amounts and changes are tried, a stored claim is never paid more than
            /// awarded, holds no negative amount, agrees with the case's claim track, and a
            /// refused or invalid change writes nothing.
            #[test]
            fn claim_amounts_keep_their_invariants(
                forum in forum(),
                claimed in proptest::option::of(-10i64..10_000),
                updates in proptest::collection::vec((update(), 0u64..10), 1..8),
            ) {
                let (core, backend) = core();
                let staff = staff(&core);
                let legal = by_role(&staff, Role::LegalAdvocate);
                let start = d(2024, 1, 2);
                let (case_id, v) = rescued_case(&core, &staff, adult(), start, None);
                let new = NewClaim { forum, lodged_on: Some(start), claimed_pence: claimed, forum_reference: None };
                let before = dump(&backend);
                let lodged = match core.lodge_claim(legal, case_id, v, new) {
                    Ok(c) => c,
                    Err(CoreError::Validation(_)) => {
                        prop_assert!(claimed.is_some_and(|c| c <= 0));
                        prop_assert_eq!(dump(&backend), before);
                        return Ok(());
                    }
                    Err(e) => return Err(TestCaseError::fail(e.to_string())),
                };
                let mut version = lodged.case_version;
                let mut day = start;
                for (u, gap) in updates {
                    day = day + chrono::Days::new(gap);
                    let before = dump(&backend);
                    match core.claim_update(legal, case_id, version, claim_change(lodged.id, u, day)) {
                        Ok(c) => version = c.case_version,
                        Err(CoreError::Validation(_) | CoreError::Refused(_)) => {
                            prop_assert_eq!(dump(&backend), before);
                        }
                        Err(e) => return Err(TestCaseError::fail(e.to_string())),
                    }
                    let stored = records::load::<Claim>(core.backend.as_ref(), lodged.id).expect("claim");
                    prop_assert!(claim_invariants_hold(&stored.data), "{:?}", stored.data);
                    let track = records::load::<Case>(core.backend.as_ref(), case_id)
                        .expect("case").data.state().expect("replays")
                        .claim(ClaimId(lodged.id)).map(|c| c.state);
                    prop_assert_eq!(track, Some(stored.data.state));
                }
            }

            /// Half-up rounding in integers agrees with exact rational rounding, and stays
            /// within 0–100.
            #[test]
            fn percent_rounds_half_up(whole in 1u64..100_000, part_seed in any::<u64>()) {
                let part = part_seed % (whole + 1);
                let text = percent_half_up(part, whole).expect("non-zero whole");
                let (int, frac) = text.split_once('.').expect("two decimals");
                prop_assert_eq!(frac.len(), 2);
                let hundredths: u128 = int.parse::<u128>().expect("int") * 100 + frac.parse::<u128>().expect("frac");
                // hundredths is the integer nearest to part*10000/whole, ties up.
                let exact_num = u128::from(part) * 10_000;
                let w = u128::from(whole);
                prop_assert!(hundredths * w * 2 + w > exact_num * 2 || exact_num == 0);
                prop_assert!(hundredths * w * 2 <= exact_num * 2 + w);
                prop_assert!(hundredths <= 10_000);
            }

            /// Random milestones for two suspects: each prosecution record's state is the case's
            /// prosecution track for that suspect, and a refused or invalid step writes nothing.
            #[test]
            fn prosecution_records_follow_the_case(
                steps in proptest::collection::vec((0usize..2, 0u8..7, 0u64..20), 1..16)
            ) {
                let (core, backend) = core();
                let staff = staff(&core);
                let legal = by_role(&staff, Role::LegalAdvocate);
                let start = d(2023, 1, 2);
                let (case_id, mut version) = rescued_case(&core, &staff, adult(), start, None);
                police_consent(&core, &staff, case_id, start);
                let suspects = [new_suspect(&core, &staff), new_suspect(&core, &staff)];
                let mut day = start;
                for (who, what, gap) in steps {
                    day = day + chrono::Days::new(gap);
                    let suspect = suspects[who];
                    let before = dump(&backend);
                    let result = match what {
                        0 => core.report_to_police(legal, case_id, version, report(suspect, day)),
                        n => {
                            let step = match n {
                                1 => ProsecutionStep::InvestigationOpened,
                                2 => ProsecutionStep::Charged { offences: vec![Offence::ModernSlaveryActS2] },
                                3 => ProsecutionStep::TrialStarted { court: None },
                                4 => ProsecutionStep::Verdict { verdict: Verdict::Convicted, sentence: Some("4 years".into()) },
                                5 => ProsecutionStep::Verdict { verdict: Verdict::Acquitted, sentence: None },
                                _ => ProsecutionStep::NoFurtherAction,
                            };
                            core.prosecution_update(legal, case_id, version, milestone(suspect, step, day))
                        }
                    };
                    match result {
                        Ok(r) => version = r.case_version,
                        Err(CoreError::Refused(_) | CoreError::Validation(_) | CoreError::NotFound { .. }) => {
                            prop_assert_eq!(dump(&backend), before);
                        }
                        Err(e) => return Err(TestCaseError::fail(e.to_string())),
                    }
                    let state = records::load::<Case>(core.backend.as_ref(), case_id)
                        .expect("case").data.state().expect("replays");
                    let records = crate::index::of_case::<LegalRecord>(core.backend.as_ref(), case_id)
                        .expect("records");
                    for s in suspects {
                        let recorded = records.iter().find_map(|r| match &r.data.entry {
                            LegalEntry::Prosecution(p) if p.suspect_id == s => Some(p.state),
                            _ => None,
                        });
                        prop_assert_eq!(recorded, state.prosecution(SuspectId(s)).map(|p| p.state));
                    }
                }
            }

            /// The invariant check itself: a payment is accepted exactly when something was
            /// awarded and the payment does not exceed it.
            #[test]
            fn payment_problem_is_exactly_overpayment(awarded in proptest::option::of(1i64..MAX_PENCE), paid in 1i64..MAX_PENCE) {
                let ok = payment_problem(awarded, paid).is_none();
                prop_assert_eq!(ok, awarded.is_some_and(|a| paid <= a));
            }
        }
    }
}
