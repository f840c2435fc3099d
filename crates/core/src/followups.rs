//! Follow-ups and progress: keeping in touch after a placement, and whether life is getting
//! better.
//!
//! **Follow-up plan.** When a person is placed, the core schedules one follow-up per step of the
//! [`FollowupPolicy`] in force (stored in the store's meta; [`FollowupPolicy::default`] until an
//! administrator, manager or coordinator sets another): by default a call on day 1, a visit on day
//! 7, a call on day 30 and a visit on day 90 after the placement date. Each follow-up keeps the
//! grace period of the policy it was scheduled under, so changing the policy never reclassifies
//! past work. Moves keep the plan (it follows the person, not the house); an exit keeps the
//! contacts still to come, because leaving support is when a check matters most.
//!
//! **Contacts.** Each attempt is logged with its date, kind (call or visit), outcome and notes
//! (sealed under the person). A follow-up is *done* on the first attempt that reached the person
//! (`reached`, `concern_raised`, `declined`); `not_reached` attempts are kept but leave it open.
//!
//! **Classification as of a day** (only attempts dated on or before that day count):
//!
//! | status | when |
//! |---|---|
//! | `upcoming` | not done, day < due date |
//! | `due` | not done, due date ≤ day ≤ due date + grace |
//! | `overdue` | not done, day > due date + grace |
//! | `on_time` | done on or before due date + grace |
//! | `late` | done after due date + grace |
//!
//! For reports, [`Timeliness`] folds these into on time / late / missed (missed = overdue on that
//! day: logging it later turns it into late).
//!
//! **Progress.** Assessments score eight domains from 1 (crisis) to 5 (thriving); the scores are
//! sealed under the person. [`trend`] compares the first and the latest assessment: see its rule.

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_store::{Backend, Batch, Expect};
use uuid::Uuid;

use crate::auth::{self, Operation};
use crate::cases::Case;
use crate::error::{CoreError, FieldError, Result};
use crate::people::Person;
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, not_before, not_future, optional};

/// Where the policy in force is kept: the store's `meta` collection.
const META: &str = "meta";
const POLICY_KEY: &[u8] = b"followup_policy";

/// Longest follow-up offset and grace period accepted, in days (ten years, one year).
pub const MAX_DAY: u32 = 3650;
/// Longest grace period accepted, in days.
pub const MAX_GRACE_DAYS: u32 = 365;

/// How a contact is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", schema(as = FollowupContactKind))]
pub enum ContactKind {
    /// A telephone or video call.
    Call,
    /// A visit in person.
    Visit,
}

/// One step of the plan: a contact `day` days after the placement date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowupStep {
    /// Days after the placement date (1 = the day after).
    pub day: u32,
    /// Call or visit.
    pub kind: ContactKind,
}

/// The follow-up plan scheduled for every placement, and how late a contact may be before it is
/// overdue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowupPolicy {
    /// The steps, any order (scheduled in day order).
    pub steps: Vec<FollowupStep>,
    /// Days after the due date a contact still counts as on time.
    pub grace_days: u32,
}

impl Default for FollowupPolicy {
    /// Day 1 call (arrived and settling in), day 7 visit, day 30 call, day 90 visit; three days'
    /// grace. The NGO's own practice, configurable with [`Unchain::set_followup_policy`]; not a
    /// statutory schedule.
    fn default() -> Self {
        use ContactKind::{Call, Visit};
        Self {
            steps: vec![
                FollowupStep { day: 1, kind: Call },
                FollowupStep {
                    day: 7,
                    kind: Visit,
                },
                FollowupStep {
                    day: 30,
                    kind: Call,
                },
                FollowupStep {
                    day: 90,
                    kind: Visit,
                },
            ],
            grace_days: 3,
        }
    }
}

impl FollowupPolicy {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            if s.day == 0 || s.day > MAX_DAY {
                e.push(FieldError::new(
                    format!("steps[{i}].day"),
                    format!("must be from 1 to {MAX_DAY}"),
                ));
            }
            if self.steps[..i].contains(s) {
                e.push(FieldError::new(
                    format!("steps[{i}]"),
                    "repeats an earlier step",
                ));
            }
        }
        if self.grace_days > MAX_GRACE_DAYS {
            e.push(FieldError::new(
                "grace_days",
                format!("must be at most {MAX_GRACE_DAYS}"),
            ));
        }
        e
    }
}

/// What came of a contact attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactOutcome {
    /// Reached; no concern.
    Reached,
    /// Reached, and a concern was raised (safety, health, contact from exploiters…).
    ConcernRaised,
    /// Reached, but the person did not want the contact.
    Declined,
    /// Not reached (no answer, not in). The follow-up stays open.
    NotReached,
}

impl ContactOutcome {
    /// Whether the attempt reached the person (and so completes the follow-up).
    pub fn reached(self) -> bool {
        !matches!(self, ContactOutcome::NotReached)
    }
}

/// One logged attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLog {
    /// The day of the attempt.
    pub on: NaiveDate,
    /// Call or visit.
    pub kind: ContactKind,
    /// What came of it.
    pub outcome: ContactOutcome,
    /// Notes, sealed under the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Sealed>,
    /// Who logged it.
    pub logged_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// A scheduled follow-up as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followup {
    /// The case.
    pub case_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// The placement that scheduled it.
    pub placement_id: Uuid,
    /// The step's day after placement.
    pub day: u32,
    /// Planned kind.
    pub kind: ContactKind,
    /// Due date (placement date + day).
    pub due_on: NaiveDate,
    /// Grace days of the policy it was scheduled under.
    pub grace_days: u32,
    /// Attempts, in the order logged.
    #[serde(default)]
    pub attempts: Vec<ContactLog>,
}

impl Record for Followup {
    const COLLECTION: &'static str = "followups";
    const KIND: &'static str = "followup";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

/// Where a follow-up stands on a day (see the module's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowupStatus {
    /// Not yet due.
    Upcoming,
    /// Due, within the grace period.
    Due,
    /// Past due date + grace, not done.
    Overdue,
    /// Done by due date + grace.
    OnTime,
    /// Done after due date + grace.
    Late,
}

/// The report's classification of a follow-up on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Done by due date + grace.
    OnTime,
    /// Done, after due date + grace.
    Late,
    /// Not done by due date + grace (overdue on that day).
    Missed,
}

impl Followup {
    /// The last day the contact counts as on time.
    pub fn on_time_until(&self) -> NaiveDate {
        self.due_on
            .checked_add_days(Days::new(u64::from(self.grace_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The day of the first attempt that reached the person, counting attempts up to `as_of`.
    pub fn completed_on(&self, as_of: NaiveDate) -> Option<NaiveDate> {
        self.attempts
            .iter()
            .filter(|a| a.on <= as_of && a.outcome.reached())
            .map(|a| a.on)
            .min()
    }

    /// Its status on `as_of`.
    pub fn status(&self, as_of: NaiveDate) -> FollowupStatus {
        let deadline = self.on_time_until();
        match self.completed_on(as_of) {
            Some(done) if done <= deadline => FollowupStatus::OnTime,
            Some(_) => FollowupStatus::Late,
            None if as_of < self.due_on => FollowupStatus::Upcoming,
            None if as_of <= deadline => FollowupStatus::Due,
            None => FollowupStatus::Overdue,
        }
    }

    /// On time, late or missed on `as_of`; `None` while it may still be done on time.
    pub fn timeliness(&self, as_of: NaiveDate) -> Option<Timeliness> {
        match self.status(as_of) {
            FollowupStatus::OnTime => Some(Timeliness::OnTime),
            FollowupStatus::Late => Some(Timeliness::Late),
            FollowupStatus::Overdue => Some(Timeliness::Missed),
            FollowupStatus::Upcoming | FollowupStatus::Due => None,
        }
    }
}

/// A contact attempt to log. Its `Debug` hides the notes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The day; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
    /// Call or visit (may differ from the plan).
    pub kind: ContactKind,
    /// What came of it.
    pub outcome: ContactOutcome,
    /// Notes (sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for ContactInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactInput")
            .field("on", &self.on)
            .field("kind", &self.kind)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// A follow-up as listed: pseudonymised, without notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowupLine {
    /// Id.
    pub id: Uuid,
    /// Version (send it back when logging a contact).
    pub version: u64,
    /// The case.
    pub case_id: Uuid,
    /// The case reference.
    pub case_reference: String,
    /// The person's pseudonym.
    pub pseudonym: String,
    /// Planned kind.
    pub kind: ContactKind,
    /// Day after placement.
    pub day: u32,
    /// Due date.
    pub due_on: NaiveDate,
    /// Last on-time day.
    pub on_time_until: NaiveDate,
    /// Status on the day asked.
    pub status: FollowupStatus,
    /// Attempts logged (up to that day).
    pub attempts: usize,
    /// The latest attempt's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_outcome: Option<ContactOutcome>,
    /// When it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
}

/// Every follow-up of a case (any state).
pub(crate) fn followups_of_case(
    backend: &dyn Backend,
    case_id: Uuid,
) -> Result<Vec<Entity<Followup>>> {
    crate::index::of_case::<Followup>(backend, case_id)
}

// ---- progress ------------------------------------------------------------------------------

/// A life domain assessed over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// Safety from exploiters and harm.
    Safety,
    /// Physical and mental health.
    Health,
    /// Housing.
    Housing,
    /// Immigration and legal status.
    LegalStatus,
    /// Money, benefits, debt.
    Finances,
    /// Work, education, training.
    WorkEducation,
    /// Emotional wellbeing.
    Wellbeing,
    /// Family, friends, community.
    SocialTies,
}

impl Domain {
    /// Every domain, in a stable order.
    pub const ALL: [Domain; 8] = [
        Domain::Safety,
        Domain::Health,
        Domain::Housing,
        Domain::LegalStatus,
        Domain::Finances,
        Domain::WorkEducation,
        Domain::Wellbeing,
        Domain::SocialTies,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Domain::Safety => "safety",
            Domain::Health => "health",
            Domain::Housing => "housing",
            Domain::LegalStatus => "legal_status",
            Domain::Finances => "finances",
            Domain::WorkEducation => "work_education",
            Domain::Wellbeing => "wellbeing",
            Domain::SocialTies => "social_ties",
        }
    }
}

/// Scores from 1 (crisis) to 5 (thriving) per domain. Sealed at rest; `Debug` redacted.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scores {
    /// Safety.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub safety: u8,
    /// Health.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub health: u8,
    /// Housing.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub housing: u8,
    /// Legal status.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub legal_status: u8,
    /// Finances.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub finances: u8,
    /// Work and education.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub work_education: u8,
    /// Wellbeing.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub wellbeing: u8,
    /// Social ties.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub social_ties: u8,
}

impl fmt::Debug for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scores(<sealed>)")
    }
}

impl Scores {
    /// The score of one domain.
    pub fn get(&self, d: Domain) -> u8 {
        match d {
            Domain::Safety => self.safety,
            Domain::Health => self.health,
            Domain::Housing => self.housing,
            Domain::LegalStatus => self.legal_status,
            Domain::Finances => self.finances,
            Domain::WorkEducation => self.work_education,
            Domain::Wellbeing => self.wellbeing,
            Domain::SocialTies => self.social_ties,
        }
    }

    /// Every domain's score (`scores.<domain>`) must be 1 to 5.
    fn validate(&self, errors: &mut Vec<FieldError>) {
        for d in Domain::ALL {
            if !(1..=5).contains(&self.get(d)) {
                errors.push(FieldError::new(
                    format!("scores.{}", d.as_str()),
                    "must be from 1 to 5",
                ));
            }
        }
    }
}

/// The overall direction of a person's progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Worse off than at the first assessment.
    Worsening,
    /// About the same.
    Stable,
    /// Better off.
    Improving,
    /// Fewer than two assessments.
    NotEnoughData,
}

/// The trend rule, from the first to the latest assessment. Let *net* be the sum over the eight
/// domains of (latest − first):
///
/// * **worsening** if safety fell at all (safety outweighs gains elsewhere), or net ≤ −2;
/// * otherwise **improving** if net ≥ +2;
/// * otherwise **stable** (a one-point wobble either way is noise on a five-point scale).
pub fn trend(first: &Scores, latest: &Scores) -> Trend {
    let net: i32 = Domain::ALL
        .iter()
        .map(|d| i32::from(latest.get(*d)) - i32::from(first.get(*d)))
        .sum();
    if latest.safety < first.safety || net <= -2 {
        Trend::Worsening
    } else if net >= 2 {
        Trend::Improving
    } else {
        Trend::Stable
    }
}

/// A progress assessment as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressAssessment {
    /// The case.
    pub case_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// The day.
    pub assessed_on: NaiveDate,
    /// [`Scores`], sealed under the person.
    pub scores: Sealed,
    /// Notes, sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Sealed>,
    /// Who assessed.
    pub assessed_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Record for ProgressAssessment {
    const COLLECTION: &'static str = "progress";
    const KIND: &'static str = "progress_assessment";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

/// A progress assessment to record. `Debug` hides the notes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// The day; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_on: Option<NaiveDate>,
    /// The scores.
    pub scores: Scores,
    /// Notes (sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for ProgressInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProgressInput")
            .field("assessed_on", &self.assessed_on)
            .finish_non_exhaustive()
    }
}

/// One domain's change from the first to the latest assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainTrend {
    /// The domain.
    pub domain: Domain,
    /// First score.
    pub first: u8,
    /// Latest score.
    pub latest: u8,
    /// latest − first.
    pub change: i8,
}

/// A person's progress over time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressTrend {
    /// The case.
    pub case_id: Uuid,
    /// Assessments readable (an erased person's are not).
    pub assessments: usize,
    /// The first assessment's day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_on: Option<NaiveDate>,
    /// The latest's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_on: Option<NaiveDate>,
    /// Per domain (empty without assessments).
    pub domains: Vec<DomainTrend>,
    /// Sum of the changes.
    pub net_change: i32,
    /// The overall trend ([`trend`]).
    pub overall: Trend,
}

impl Unchain {
    /// The follow-up policy in force (the default until one is set).
    pub fn followup_policy(&self, actor: &Actor) -> Result<FollowupPolicy> {
        self.authorize(actor, Operation::FollowupRead)?;
        policy_in_force(self.backend.as_ref())
    }

    /// Sets the follow-up policy for placements made from now on.
    pub fn set_followup_policy(&self, actor: &Actor, policy: FollowupPolicy) -> Result<()> {
        self.authorize(actor, Operation::FollowupManage)?;
        check(policy.validate())?;
        let bytes = records::encode(&policy)?;
        self.write(actor, Operation::FollowupManage, |_, batch| {
            batch.put(META, POLICY_KEY.to_vec(), bytes.clone(), Expect::Any);
            Ok(((), vec!["followup_policy".to_owned()]))
        })
    }

    /// Stages one follow-up per step of the policy in force, due `placed_on + day`. Returns their
    /// ids, in due order.
    pub(crate) fn stage_followup_plan(
        &self,
        backend: &dyn Backend,
        batch: &mut Batch,
        case: &Case,
        case_id: Uuid,
        placement_id: Uuid,
        placed_on: NaiveDate,
    ) -> Result<Vec<Uuid>> {
        let policy = policy_in_force(backend)?;
        let mut steps = policy.steps.clone();
        steps.sort_by_key(|s| (s.day, s.kind));
        let mut ids = Vec::with_capacity(steps.len());
        for s in steps {
            let id = Uuid::now_v7();
            let due_on = placed_on
                .checked_add_days(Days::new(u64::from(s.day)))
                .unwrap_or(NaiveDate::MAX);
            let f = Followup {
                case_id,
                person_id: case.person_id,
                placement_id,
                day: s.day,
                kind: s.kind,
                due_on,
                grace_days: policy.grace_days,
                attempts: Vec::new(),
            };
            records::stage_put(batch, id, &f, None)?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Logs a contact attempt on a follow-up (`version` as read). Notes are sealed under the
    /// person. The day may not be in the future nor before the placement.
    pub fn log_followup(
        &self,
        actor: &Actor,
        followup_id: Uuid,
        version: u64,
        input: ContactInput,
    ) -> Result<FollowupLine> {
        self.authorize(actor, Operation::FollowupManage)?;
        let today = self.clock.today();
        let on = input.on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        optional(&mut errors, "notes", input.notes.as_deref(), 4000);
        let current = records::load::<Followup>(self.backend.as_ref(), followup_id)?;
        let placed_on = current
            .data
            .due_on
            .checked_sub_days(Days::new(u64::from(current.data.day)))
            .unwrap_or(NaiveDate::MIN);
        not_before(&mut errors, "on", on, placed_on, "the placement");
        check(errors)?;
        let now = self.clock.now();
        let updated = self.write(actor, Operation::FollowupManage, |backend, batch| {
            let mut f = records::load_at::<Followup>(backend, followup_id, version)?;
            let notes = match &input.notes {
                Some(n) => Some(self.seal(
                    f.data.person_id,
                    Followup::KIND,
                    followup_id,
                    &format!("notes:{}", f.data.attempts.len()),
                    n,
                )?),
                None => None,
            };
            f.data.attempts.push(ContactLog {
                on,
                kind: input.kind,
                outcome: input.outcome,
                notes,
                logged_by: actor.name.clone(),
                recorded_at: now,
            });
            records::stage_put(batch, followup_id, &f.data, Some(version))?;
            f.version += 1;
            Ok((f, vec![records::target::<Followup>(followup_id)]))
        })?;
        self.followup_line(&updated, today)
    }

    fn followup_line(&self, f: &Entity<Followup>, as_of: NaiveDate) -> Result<FollowupLine> {
        let backend = self.backend.as_ref();
        let case = records::load::<Case>(backend, f.data.case_id)?;
        let person = records::load::<Person>(backend, f.data.person_id)?;
        let counted: Vec<_> = f.data.attempts.iter().filter(|a| a.on <= as_of).collect();
        Ok(FollowupLine {
            id: f.id,
            version: f.version,
            case_id: f.data.case_id,
            case_reference: case.data.reference,
            pseudonym: person.data.pseudonym,
            kind: f.data.kind,
            day: f.data.day,
            due_on: f.data.due_on,
            on_time_until: f.data.on_time_until(),
            status: f.data.status(as_of),
            attempts: counted.len(),
            last_outcome: counted.last().map(|a| a.outcome),
            completed_on: f.data.completed_on(as_of),
        })
    }

    /// Every follow-up of a case in due order, with its status today.
    pub fn followups(&self, actor: &Actor, case_id: Uuid) -> Result<Vec<FollowupLine>> {
        self.authorize(actor, Operation::FollowupRead)?;
        records::load::<Case>(self.backend.as_ref(), case_id)?;
        let today = self.clock.today();
        let mut all = followups_of_case(self.backend.as_ref(), case_id)?;
        all.sort_by_key(|f| (f.data.due_on, f.id));
        all.iter().map(|f| self.followup_line(f, today)).collect()
    }

    /// The notes of every attempt on a follow-up, for roles that may see identities (audited).
    pub fn followup_notes(
        &self,
        actor: &Actor,
        followup_id: Uuid,
    ) -> Result<Vec<(NaiveDate, Option<String>)>> {
        self.authorize(actor, Operation::FollowupRead)?;
        if !auth::allowed(actor.role, Operation::PersonIdentity) {
            return Err(CoreError::Forbidden {
                actor: actor.name.clone(),
                role: actor.role.as_str().to_owned(),
                operation: Operation::PersonIdentity.as_str(),
            });
        }
        let f = records::load::<Followup>(self.backend.as_ref(), followup_id)?;
        let mut out = Vec::new();
        for (i, a) in f.data.attempts.iter().enumerate() {
            let n = match &a.notes {
                Some(s) => {
                    self.unseal::<String>(s, Followup::KIND, followup_id, &format!("notes:{i}"))?
                }
                None => None,
            };
            out.push((a.on, n));
        }
        self.audit_read(
            actor,
            Operation::PersonIdentity,
            &[records::target::<Followup>(followup_id)],
        )?;
        Ok(out)
    }

    /// Every follow-up not done on `as_of` whose due date has come (due and overdue), across all
    /// cases, by due date.
    pub fn followups_due(&self, actor: &Actor, as_of: NaiveDate) -> Result<Vec<FollowupLine>> {
        self.authorize(actor, Operation::FollowupRead)?;
        self.followups_where(as_of, |s| {
            matches!(s, FollowupStatus::Due | FollowupStatus::Overdue)
        })
    }

    /// Every follow-up not done by its due date + grace, on `as_of`, across all cases.
    pub fn followups_overdue(&self, actor: &Actor, as_of: NaiveDate) -> Result<Vec<FollowupLine>> {
        self.authorize(actor, Operation::FollowupRead)?;
        self.followups_where(as_of, |s| s == FollowupStatus::Overdue)
    }

    fn followups_where(
        &self,
        as_of: NaiveDate,
        keep: impl Fn(FollowupStatus) -> bool,
    ) -> Result<Vec<FollowupLine>> {
        let mut all =
            records::filter::<Followup>(self.backend.as_ref(), |f| keep(f.data.status(as_of)))?;
        all.sort_by_key(|f| (f.data.due_on, f.id));
        all.iter().map(|f| self.followup_line(f, as_of)).collect()
    }

    /// Records a progress assessment for a case's person (scores and notes sealed).
    pub fn record_progress(
        &self,
        actor: &Actor,
        case_id: Uuid,
        input: ProgressInput,
    ) -> Result<Uuid> {
        self.authorize(actor, Operation::FollowupManage)?;
        let today = self.clock.today();
        let assessed_on = input.assessed_on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "assessed_on", assessed_on, today);
        input.scores.validate(&mut errors);
        optional(&mut errors, "notes", input.notes.as_deref(), 4000);
        check(errors)?;
        let id = Uuid::now_v7();
        let now = self.clock.now();
        self.write(actor, Operation::FollowupManage, |backend, batch| {
            let case = records::load::<Case>(backend, case_id)?;
            // The assessment belongs to the case as it is; a case changed meanwhile is fine.
            let person_id = case.data.person_id;
            let record = ProgressAssessment {
                case_id,
                person_id,
                assessed_on,
                scores: self.seal(
                    person_id,
                    ProgressAssessment::KIND,
                    id,
                    "scores",
                    &input.scores,
                )?,
                notes: match &input.notes {
                    Some(n) => {
                        Some(self.seal(person_id, ProgressAssessment::KIND, id, "notes", n)?)
                    }
                    None => None,
                },
                assessed_by: actor.name.clone(),
                recorded_at: now,
            };
            records::stage_put(batch, id, &record, None)?;
            Ok((id, vec![records::target::<ProgressAssessment>(id)]))
        })
    }

    /// A person's progress: per domain the first and latest score and the change, and the
    /// overall [`trend`].
    pub fn progress_trend(&self, actor: &Actor, case_id: Uuid) -> Result<ProgressTrend> {
        self.authorize(actor, Operation::FollowupRead)?;
        records::load::<Case>(self.backend.as_ref(), case_id)?;
        let mut assessed = Vec::new();
        for p in crate::index::of_case::<ProgressAssessment>(self.backend.as_ref(), case_id)? {
            if let Some(s) =
                self.unseal::<Scores>(&p.data.scores, ProgressAssessment::KIND, p.id, "scores")?
            {
                assessed.push((p.data.assessed_on, p.id, s));
            }
        }
        assessed.sort_by_key(|(on, id, _)| (*on, *id));
        let (Some(first), Some(latest)) = (assessed.first(), assessed.last()) else {
            return Ok(ProgressTrend {
                case_id,
                assessments: 0,
                first_on: None,
                latest_on: None,
                domains: Vec::new(),
                net_change: 0,
                overall: Trend::NotEnoughData,
            });
        };
        let domains: Vec<_> = Domain::ALL
            .iter()
            .map(|d| {
                let (a, b) = (first.2.get(*d), latest.2.get(*d));
                DomainTrend {
                    domain: *d,
                    first: a,
                    latest: b,
                    change: b as i8 - a as i8,
                }
            })
            .collect();
        Ok(ProgressTrend {
            case_id,
            assessments: assessed.len(),
            first_on: Some(first.0),
            latest_on: Some(latest.0),
            net_change: domains.iter().map(|d| i32::from(d.change)).sum(),
            overall: if assessed.len() < 2 {
                Trend::NotEnoughData
            } else {
                trend(&first.2, &latest.2)
            },
            domains,
        })
    }
}

fn policy_in_force(backend: &dyn Backend) -> Result<FollowupPolicy> {
    match backend.get(META, POLICY_KEY)? {
        None => Ok(FollowupPolicy::default()),
        Some(v) => serde_json::from_slice(&v.value).map_err(|e| {
            CoreError::Store(unchain_store::StoreError::Corrupt(format!(
                "followup policy: {e}"
            )))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::facilities::tests::{by_role, house};
    use crate::placements::tests::{d, needs, rescued_case, version};
    use crate::testing::{core, dump, staff};
    use proptest::prelude::*;

    fn scores(v: [u8; 8]) -> Scores {
        Scores {
            safety: v[0],
            health: v[1],
            housing: v[2],
            legal_status: v[3],
            finances: v[4],
            work_education: v[5],
            wellbeing: v[6],
            social_ties: v[7],
        }
    }

    #[test]
    fn policy_is_configurable_validated_and_used_for_new_placements() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let analyst = by_role(&staff, Role::Analyst);
        assert_eq!(
            core.followup_policy(analyst).expect("policy"),
            FollowupPolicy::default()
        );
        let before = dump(&backend);
        let bad = FollowupPolicy {
            steps: vec![
                FollowupStep {
                    day: 0,
                    kind: ContactKind::Call,
                },
                FollowupStep {
                    day: 14,
                    kind: ContactKind::Visit,
                },
                FollowupStep {
                    day: 14,
                    kind: ContactKind::Visit,
                },
            ],
            grace_days: 400,
        };
        let Err(CoreError::Validation(e)) = core.set_followup_policy(coord, bad) else {
            panic!("invalid policy")
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["steps[0].day", "steps[2]", "grace_days"]);
        assert_eq!(dump(&backend), before);
        assert!(matches!(
            core.set_followup_policy(analyst, FollowupPolicy::default()),
            Err(CoreError::Forbidden { .. })
        ));
        let weekly = FollowupPolicy {
            steps: vec![
                FollowupStep {
                    day: 14,
                    kind: ContactKind::Visit,
                },
                FollowupStep {
                    day: 2,
                    kind: ContactKind::Call,
                },
            ],
            grace_days: 0,
        };
        core.set_followup_policy(coord, weekly.clone())
            .expect("set");
        assert_eq!(core.followup_policy(coord).expect("policy"), weekly);
        let rose = core.create_facility(coord, house("Rose", 2)).expect("rose");
        let c = rescued_case(&core, coord, "Policy Test");
        core.assess_needs(coord, c, version(&core, c), needs(0))
            .expect("needs");
        core.place(coord, c, version(&core, c), rose.id, d(2024, 5, 1))
            .expect("placed");
        let plan = core.followups(coord, c).expect("plan");
        let due: Vec<_> = plan.iter().map(|f| (f.due_on, f.on_time_until)).collect();
        assert_eq!(
            due,
            [
                (d(2024, 5, 3), d(2024, 5, 3)),
                (d(2024, 5, 15), d(2024, 5, 15))
            ]
        );
        // Logging: not before the placement, not in the future; notes for identity roles only.
        let first = &plan[0];
        let before = dump(&backend);
        let Err(CoreError::Validation(e)) = core.log_followup(
            coord,
            first.id,
            first.version,
            ContactInput {
                on: Some(d(2024, 4, 30)),
                kind: ContactKind::Call,
                outcome: ContactOutcome::Reached,
                notes: None,
            },
        ) else {
            panic!("before placement")
        };
        assert_eq!(e[0].field, "on");
        assert_eq!(dump(&backend), before);
        let line = core
            .log_followup(
                coord,
                first.id,
                first.version,
                ContactInput {
                    on: Some(d(2024, 5, 4)),
                    kind: ContactKind::Visit,
                    outcome: ContactOutcome::Reached,
                    notes: Some("new phone number given".into()),
                },
            )
            .expect("logged");
        assert_eq!(line.status, FollowupStatus::Late, "no grace: one day late");
        assert!(matches!(
            core.log_followup(
                coord,
                first.id,
                first.version,
                ContactInput {
                    on: None,
                    kind: ContactKind::Call,
                    outcome: ContactOutcome::Reached,
                    notes: None
                }
            ),
            Err(CoreError::Conflict { .. })
        ));
        assert!(matches!(
            core.followup_notes(analyst, first.id),
            Err(CoreError::Forbidden { .. })
        ));
        let notes = core.followup_notes(coord, first.id).expect("notes");
        assert_eq!(
            notes,
            [(d(2024, 5, 4), Some("new phone number given".into()))]
        );
    }

    #[test]
    fn progress_trend_per_domain_and_overall() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let analyst = by_role(&staff, Role::Analyst);
        let c = rescued_case(&core, coord, "Progress Test");
        let none = core.progress_trend(analyst, c).expect("trend");
        assert_eq!(none.overall, Trend::NotEnoughData);
        let input = |on, v| ProgressInput {
            assessed_on: Some(on),
            scores: scores(v),
            notes: Some("sleeping better".into()),
        };
        core.record_progress(coord, c, input(d(2024, 4, 10), [2, 2, 1, 1, 1, 1, 2, 1]))
            .expect("first");
        let one = core.progress_trend(coord, c).expect("trend");
        assert_eq!((one.assessments, one.overall), (1, Trend::NotEnoughData));
        core.record_progress(coord, c, input(d(2024, 5, 10), [3, 3, 3, 2, 1, 1, 2, 1]))
            .expect("second");
        core.record_progress(coord, c, input(d(2024, 6, 1), [4, 3, 4, 2, 2, 1, 3, 2]))
            .expect("latest");
        let t = core.progress_trend(analyst, c).expect("trend");
        assert_eq!(t.assessments, 3);
        assert_eq!(t.first_on, Some(d(2024, 4, 10)));
        assert_eq!(t.latest_on, Some(d(2024, 6, 1)));
        let changes: Vec<_> = t.domains.iter().map(|d| d.change).collect();
        assert_eq!(changes, [2, 1, 3, 1, 1, 0, 1, 1]);
        assert_eq!(t.net_change, 10);
        assert_eq!(t.overall, Trend::Improving);
        let before = dump(&backend);
        let Err(CoreError::Validation(e)) =
            core.record_progress(coord, c, input(d(2030, 1, 1), [0, 3, 3, 3, 3, 3, 6, 3]))
        else {
            panic!("invalid scores")
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["assessed_on", "scores.safety", "scores.wellbeing"]);
        assert_eq!(dump(&backend), before);
        assert!(matches!(
            core.record_progress(analyst, c, input(d(2024, 6, 1), [3; 8])),
            Err(CoreError::Forbidden { .. })
        ));
        let raw = crate::testing::raw_bytes(&*backend);
        assert!(!crate::testing::contains(&raw, "sleeping better"));
    }

    #[test]
    fn trend_rule_examples() {
        // Examples of the documented rule (see `trend`).
        let base = scores([3; 8]);
        assert_eq!(trend(&base, &base), Trend::Stable);
        assert_eq!(
            trend(&base, &scores([3, 4, 3, 3, 3, 3, 3, 3])),
            Trend::Stable
        );
        assert_eq!(
            trend(&base, &scores([3, 4, 4, 3, 3, 3, 3, 3])),
            Trend::Improving
        );
        assert_eq!(
            trend(&base, &scores([3, 2, 2, 3, 3, 3, 3, 3])),
            Trend::Worsening
        );
        // Safety falling outweighs gains elsewhere.
        assert_eq!(
            trend(&base, &scores([2, 5, 5, 5, 5, 5, 5, 5])),
            Trend::Worsening
        );
    }

    fn any_scores() -> impl Strategy<Value = Scores> {
        proptest::array::uniform8(1u8..=5).prop_map(scores)
    }

    fn followup(due: NaiveDate, grace: u32, attempts: Vec<(i64, bool)>) -> Followup {
        Followup {
            case_id: Uuid::nil(),
            person_id: Uuid::nil(),
            placement_id: Uuid::nil(),
            day: 7,
            kind: ContactKind::Call,
            due_on: due,
            grace_days: grace,
            attempts: attempts
                .into_iter()
                .map(|(offset, reached)| ContactLog {
                    on: due + chrono::Duration::days(offset),
                    kind: ContactKind::Call,
                    outcome: if reached {
                        ContactOutcome::Reached
                    } else {
                        ContactOutcome::NotReached
                    },
                    notes: None,
                    logged_by: "t".into(),
                    recorded_at: crate::testing::now(),
                })
                .collect(),
        }
    }

    proptest! {
        // The trend is a monotone function of the latest scores: raising any latest score never
        // makes the trend worse; identical assessments are stable; swapping first and latest
        // with safety unchanged mirrors improving and worsening.
        #[test]
        fn trend_is_monotone_and_symmetric(a in any_scores(), b in any_scores(), d in 0usize..8) {
            let t = trend(&a, &b);
            prop_assert_ne!(t, Trend::NotEnoughData);
            prop_assert_eq!(trend(&a, &a), Trend::Stable);
            let mut raised = b;
            let field = match Domain::ALL[d] {
                Domain::Safety => &mut raised.safety,
                Domain::Health => &mut raised.health,
                Domain::Housing => &mut raised.housing,
                Domain::LegalStatus => &mut raised.legal_status,
                Domain::Finances => &mut raised.finances,
                Domain::WorkEducation => &mut raised.work_education,
                Domain::Wellbeing => &mut raised.wellbeing,
                Domain::SocialTies => &mut raised.social_ties,
            };
            *field = (*field + 1).min(5);
            prop_assert!(trend(&a, &raised) >= t);
            if a.safety == b.safety {
                let back = trend(&b, &a);
                let mirrored = match t {
                    Trend::Improving => Trend::Worsening,
                    Trend::Worsening => Trend::Improving,
                    other => other,
                };
                prop_assert_eq!(back, mirrored);
            }
        }

        // Status on a day follows the documented table: done iff a reaching attempt is dated on
        // or before the day; once done it stays done with the same timeliness; an open one is
        // overdue exactly after due date + grace; missed = overdue.
        #[test]
        fn status_follows_the_table(
            grace in 0u32..10,
            attempts in proptest::collection::vec((-5i64..40, any::<bool>()), 0..4),
            as_of in -10i64..60,
        ) {
            let due = NaiveDate::from_ymd_opt(2024, 5, 1).expect("date");
            let f = followup(due, grace, attempts.clone());
            let day = due + chrono::Duration::days(as_of);
            let deadline = due + chrono::Duration::days(i64::from(grace));
            let done = attempts
                .iter()
                .filter(|(o, r)| *r && due + chrono::Duration::days(*o) <= day)
                .map(|(o, _)| due + chrono::Duration::days(*o))
                .min();
            let expected = match done {
                Some(x) if x <= deadline => FollowupStatus::OnTime,
                Some(_) => FollowupStatus::Late,
                None if day < due => FollowupStatus::Upcoming,
                None if day <= deadline => FollowupStatus::Due,
                None => FollowupStatus::Overdue,
            };
            prop_assert_eq!(f.status(day), expected);
            prop_assert_eq!(
                f.timeliness(day) == Some(Timeliness::Missed),
                expected == FollowupStatus::Overdue
            );
            if done.is_some() {
                let later = day + chrono::Duration::days(30);
                prop_assert_eq!(f.status(later), expected);
            }
        }
    }
}
