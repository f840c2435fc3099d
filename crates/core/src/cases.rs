//! Cases: one person's way through the work — the stage line and the NRM, aftercare and justice
//! tracks of [`unchain_lifecycle`] — with the person's sealed identity beside it.
//!
//! The case record holds its events; the state is their replay. Every service that moves a track
//! (NRM, placement, justice) stages its event through [`Unchain::stage_case_event`], so the
//! lifecycle's guards apply whichever door the change comes through.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_lifecycle::{
    ActorId, AdvocacyState, AftercareState, CaseState, Event, EventKind, NrmState, Reason, Stage,
    Track,
};
use unchain_nrm::{ExploitationType, Jurisdiction};
use unchain_store::{Backend, Batch, Versioned};
use uuid::Uuid;

use crate::auth::Operation;
use crate::error::{CoreError, FieldError, Result};
use crate::intel::IntelligenceReport;
use crate::people::{AgeGroup, Person, PersonDetails, PersonView, pseudonym};
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::suspects::Suspect;
use crate::unchain::Unchain;
use crate::users::{Actor, User};
use crate::validate::{check, not_future};

/// The placeholder kept in a stored event's reason; the words themselves are sealed beside it,
/// since a reason may name people.
const SEALED_REASON: &str = "(sealed)";

/// One recorded event of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// The lifecycle event (its reason replaced by a placeholder when one was given).
    pub event: Event,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it (user name).
    pub recorded_by: String,
    /// The reason's words, sealed under the person's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Sealed>,
}

/// A case as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// A short human reference (`UC-000042`), unique in this store.
    pub reference: String,
    /// The person the case is about.
    pub person_id: Uuid,
    /// The staff member responsible (user id).
    pub owner: Uuid,
    /// Where in the UK the case is handled (its calendar and NRM rules).
    pub jurisdiction: Jurisdiction,
    /// Exploitation types identified so far.
    #[serde(default)]
    pub exploitation: Vec<ExploitationType>,
    /// The rescue operation the person was freed in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescue_id: Option<Uuid>,
    /// Intelligence reports linked to the case.
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    /// Suspects linked to the case.
    #[serde(default)]
    pub suspect_ids: Vec<Uuid>,
    /// Every event, in the order recorded.
    pub events: Vec<CaseEvent>,
}

impl Record for Case {
    const COLLECTION: &'static str = "cases";
    const KIND: &'static str = "case";

    fn person_id(&self) -> Option<Uuid> {
        Some(self.person_id)
    }

    fn links(&self) -> Vec<Uuid> {
        let mut out = Vec::with_capacity(2 + self.report_ids.len() + self.suspect_ids.len());
        out.push(crate::index::reference_key(&self.reference));
        out.extend(self.rescue_id);
        out.extend(&self.report_ids);
        out.extend(&self.suspect_ids);
        out
    }
}

impl Case {
    /// The case's state: the replay of its events.
    pub fn state(&self) -> Result<CaseState> {
        unchain_lifecycle::replay(self.events.iter().map(|e| &e.event)).map_err(|e| {
            CoreError::Store(unchain_store::StoreError::Corrupt(format!(
                "case {} does not replay: {e}",
                self.reference
            )))
        })
    }

    /// The day the case was opened.
    pub fn opened_on(&self) -> Option<NaiveDate> {
        self.events.first().map(|e| e.event.date)
    }
}

/// What is needed to open a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// Who the case is about.
    pub person: PersonDetails,
    /// Where the case is handled; defaults to England and Wales.
    #[serde(default = "default_jurisdiction")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Jurisdiction>))]
    pub jurisdiction: Jurisdiction,
    /// Exploitation types identified so far.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::many::<ExploitationType>))]
    pub exploitation: Vec<ExploitationType>,
    /// The day the case opened (the first report); defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_on: Option<NaiveDate>,
    /// The responsible staff member's user name; defaults to the actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Intelligence reports this case comes from.
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
}

fn default_jurisdiction() -> Jurisdiction {
    Jurisdiction::EnglandAndWales
}

/// A case as shown: its record, its state in words, and the person (pseudonymised unless the
/// viewer may see identities).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    /// The case id.
    pub id: Uuid,
    /// The version to send back with an update.
    pub version: u64,
    /// The short reference.
    pub reference: String,
    /// The person.
    pub person: PersonView,
    /// The responsible staff member (user name).
    pub owner: String,
    /// Jurisdiction.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Jurisdiction>))]
    pub jurisdiction: Jurisdiction,
    /// Exploitation types.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::many::<ExploitationType>))]
    pub exploitation: Vec<ExploitationType>,
    /// The rescue, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescue_id: Option<Uuid>,
    /// Linked intelligence reports.
    pub report_ids: Vec<Uuid>,
    /// Linked suspects.
    pub suspect_ids: Vec<Uuid>,
    /// The day the case opened.
    pub opened_on: NaiveDate,
    /// Where on the stage line it is.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Stage>))]
    pub stage: Stage,
    /// The NRM track.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::nrm_state))]
    pub nrm: NrmState,
    /// The aftercare track.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::aftercare_state))]
    pub aftercare: AftercareState,
    /// The advocacy track.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<AdvocacyState>))]
    pub advocacy: AdvocacyState,
    /// The facility the person is placed at, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_at: Option<Uuid>,
    /// Tracks still open.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::tracks))]
    pub open_tracks: Vec<Track>,
    /// The date of the latest event.
    pub last_event_on: NaiveDate,
}

/// A line of a case list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    /// The case id.
    pub id: Uuid,
    /// The version.
    pub version: u64,
    /// The short reference.
    pub reference: String,
    /// The person's pseudonym (lists never show identities).
    pub pseudonym: String,
    /// Adult or child.
    pub age_group: AgeGroup,
    /// The owner's user name.
    pub owner: String,
    /// The stage.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Stage>))]
    pub stage: Stage,
    /// The day it opened.
    pub opened_on: NaiveDate,
    /// Tracks still open.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::tracks))]
    pub open_tracks: Vec<Track>,
}

/// Which cases to list. Empty matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFilter {
    /// Only cases at this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Only cases owned by this user (name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Only cases opened on or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_from: Option<NaiveDate>,
    /// Only cases opened on or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_to: Option<NaiveDate>,
    /// Only open cases (not closed or not pursued).
    #[serde(default)]
    pub open_only: bool,
}

/// A stage-line or advocacy event to record through [`Unchain::record_case_event`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// What happened.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::event_kind))]
    pub kind: EventKind,
    /// When it happened; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Why, in the actor's words (required to reopen, and for the `other` reasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One line of a case's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    /// When it happened.
    pub date: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: String,
    /// In words.
    pub description: String,
    /// The event itself (`None` for entries that are not lifecycle events, e.g. documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::event_kind))]
    pub event: Option<EventKind>,
    /// The reason given, shown only to viewers who may see identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The operation that authorises recording `kind`, and the service that must record it when the
/// generic [`Unchain::record_case_event`] may not (because it keeps other records consistent).
pub fn event_operation(kind: &EventKind) -> (Operation, Option<&'static str>) {
    use EventKind as K;
    match kind {
        K::Opened => (Operation::CaseCreate, Some("open_case")),
        K::Rescued { .. } => (Operation::CaseUpdate, None),
        K::Closed { .. } | K::NotPursued { .. } | K::Reopened => (Operation::CaseClose, None),
        K::AssessmentStarted
        | K::RescuePlanned
        | K::RescuePlanStoodDown
        | K::SupportStarted
        | K::MovingOnStarted
        | K::SupportResumed => (Operation::CaseUpdate, None),
        K::NrmReferred { .. } => (Operation::NrmManage, Some("nrm_refer")),
        K::NrmNotified
        | K::NrmReasonableGrounds { .. }
        | K::NrmReconsiderationRequested
        | K::NrmConclusiveGrounds { .. }
        // The referral record keeps these dates too, so they go through the NRM service.
        | K::NrmMoveOnStarted
        | K::NrmEnded
        | K::NrmWithdrawn => (Operation::NrmManage, Some("nrm_update")),
        K::AftercareNeedsAssessed => (Operation::PlacementManage, Some("assess_needs")),
        K::AftercareMatched { .. }
        | K::AftercarePlaced
        | K::AftercareMoved { .. }
        | K::AftercareExited => (Operation::PlacementManage, Some("place / move / exit")),
        K::AftercareTransportArranged => (Operation::PlacementManage, Some("arrange_transport")),
        K::AdvocacyRequested | K::AdvocacyDeclined => (Operation::LegalManage, None),
        K::ProsecutionReported { .. }
        | K::ProsecutionInvestigationOpened { .. }
        | K::ProsecutionCharged { .. }
        | K::ProsecutionTrialStarted { .. }
        | K::ProsecutionVerdict { .. }
        | K::ProsecutionNoFurtherAction { .. } => {
            (Operation::LegalManage, Some("the prosecution operations"))
        }
        K::ClaimLodged { .. }
        | K::ClaimAwarded { .. }
        | K::ClaimRejected { .. }
        | K::ClaimSettled { .. }
        | K::ClaimPaid { .. }
        | K::ClaimWithdrawn { .. } => (Operation::LegalManage, Some("the claim operations")),
    }
}

/// A new person and case, built and sealed, waiting to be staged.
pub(crate) struct PreparedCase {
    pub(crate) person_id: Uuid,
    pub(crate) case_id: Uuid,
    pub(crate) person: Person,
    pub(crate) case: Case,
}

/// Stages a prepared person and case as creates (their ids must be new); returns their audit
/// targets.
pub(crate) fn stage_new_case(batch: &mut Batch, prepared: &PreparedCase) -> Result<Vec<String>> {
    records::stage_put(batch, prepared.person_id, &prepared.person, None)?;
    records::stage_put(batch, prepared.case_id, &prepared.case, None)?;
    Ok(vec![
        records::target::<Case>(prepared.case_id),
        records::target::<Person>(prepared.person_id),
    ])
}

/// A case's view from its record, its person's view and its owner's name: the lifecycle replay
/// and nothing else, so that the cached and the uncached reads cannot drift apart.
fn build_case_view(case: Entity<Case>, person: PersonView, owner: String) -> Result<CaseView> {
    let state = case.data.state()?;
    Ok(CaseView {
        id: case.id,
        version: case.version,
        reference: case.data.reference,
        person,
        owner,
        jurisdiction: case.data.jurisdiction,
        exploitation: case.data.exploitation,
        rescue_id: case.data.rescue_id,
        report_ids: case.data.report_ids,
        suspect_ids: case.data.suspect_ids,
        opened_on: state.opened_on().unwrap_or_default(),
        stage: state.stage().unwrap_or(Stage::Reported),
        nrm: state.nrm(),
        aftercare: state.aftercare(),
        advocacy: state.advocacy(),
        placed_at: state.placed_at().map(|f| f.0),
        open_tracks: state.open_tracks(),
        last_event_on: state.last_event_on().unwrap_or_default(),
    })
}

/// A [`CaseView`] that is cheap to share (one pointer) and carries its own JSON, serialised once.
///
/// `Debug` shows the view, whose person part is redacted by [`PersonDetails`]'s own `Debug`.
#[derive(Clone, Debug)]
pub struct SharedCaseView(Arc<SharedInner>);

#[derive(Debug)]
struct SharedInner {
    view: CaseView,
    json: Vec<u8>,
}

impl SharedCaseView {
    fn new(view: CaseView) -> Result<Self> {
        let json = records::encode(&view)?;
        Ok(Self(Arc::new(SharedInner { view, json })))
    }

    /// The view.
    pub fn view(&self) -> &CaseView {
        &self.0.view
    }

    /// The view as JSON (exactly `serde_json::to_vec(self.view())`), so a front end that answers
    /// the same case again does not serialise it again.
    pub fn json(&self) -> &[u8] {
        &self.0.json
    }

    /// Whether two handles share one view (the same cache entry).
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// How many identity-free case views are remembered (each holds the stored bytes it was built
/// from: a few KiB). When full, an arbitrary entry makes room.
pub const VIEW_CACHE_MAX: usize = 2048;

/// Identity-free case views, by case id, each with the exact stored bytes (and versions) of the
/// case, person and owner records it was built from.
///
/// Correctness rests on comparing, not on invalidation: an entry is answered only when the store
/// still returns exactly those bytes and versions for all three records, read on this call, so
/// any change through any path (a service, an erasure, a restore that reuses a version number)
/// makes it miss. The view is a pure function of those three records (nothing in it depends on
/// the clock or the reader, for roles without `person.identity`), so a hit equals a rebuild.
#[derive(Default)]
pub(crate) struct ViewCache {
    inner: Mutex<HashMap<Uuid, CachedView>>,
}

struct CachedView {
    case: Versioned,
    person_id: Uuid,
    person: Option<Versioned>,
    owner_id: Uuid,
    owner: Option<Versioned>,
    view: SharedCaseView,
}

impl ViewCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, CachedView>> {
        // A panic while holding this lock leaves plain data behind; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The person and owner ids of the cached copy of case `id`, if its stored bytes are `case`.
    fn ids_if_case_unchanged(&self, id: Uuid, case: &Versioned) -> Option<(Uuid, Uuid)> {
        let inner = self.lock();
        let hit = inner.get(&id)?;
        (hit.case == *case).then_some((hit.person_id, hit.owner_id))
    }

    /// The cached view of case `id` if all three records are byte for byte as it was built from.
    fn get(
        &self,
        id: Uuid,
        case: &Versioned,
        person: Option<&Versioned>,
        owner: Option<&Versioned>,
    ) -> Option<SharedCaseView> {
        let inner = self.lock();
        let hit = inner.get(&id)?;
        (hit.case == *case && hit.person.as_ref() == person && hit.owner.as_ref() == owner)
            .then(|| hit.view.clone())
    }

    fn insert(&self, id: Uuid, entry: CachedView) {
        let mut inner = self.lock();
        if inner.len() >= VIEW_CACHE_MAX && !inner.contains_key(&id) {
            if let Some(victim) = inner.keys().next().copied() {
                inner.remove(&victim);
            }
        }
        inner.insert(id, entry);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

impl Unchain {
    /// Opens a case about a new person: the person (identity sealed) and the case with its
    /// `opened` event, in one atomic write.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use unchain_core::cases::{NewCase, NewEvent};
    /// use unchain_core::lifecycle::{EventKind, RescueOrigin, Stage};
    /// use unchain_core::people::PersonDetails;
    /// use unchain_core::{Role, SystemClock, Unchain};
    ///
    /// let core = Unchain::in_memory(Arc::new(SystemClock))?;
    /// core.bootstrap_admin("admin")?;
    /// let admin = core.actor("admin")?;
    /// core.create_user(&admin, "sam", Role::Investigator)?;
    /// let sam = core.actor("sam")?;
    ///
    /// let person = PersonDetails {
    ///     names: vec!["Example Person".into()],
    ///     nationalities: vec!["AL".into()],
    ///     ..PersonDetails::default()
    /// };
    /// let case = core.open_case(&sam, NewCase {
    ///     person,
    ///     jurisdiction: unchain_core::nrm::Jurisdiction::EnglandAndWales,
    ///     exploitation: vec![],
    ///     opened_on: None,
    ///     owner: None,
    ///     report_ids: vec![],
    /// })?;
    /// assert_eq!(case.stage, Stage::Reported);
    ///
    /// // Moving the stage line carries the version read; a stale one is a conflict.
    /// let rescued = core.record_case_event(&sam, case.id, case.version, NewEvent {
    ///     kind: EventKind::Rescued { origin: RescueOrigin::SelfPresented },
    ///     date: None,
    ///     reason: None,
    /// })?;
    /// assert_eq!(rescued.stage, Stage::Rescued);
    /// assert_eq!(core.timeline(&sam, case.id)?.len(), 2);
    /// # Ok::<(), unchain_core::CoreError>(())
    /// ```
    pub fn open_case(&self, actor: &Actor, new: NewCase) -> Result<CaseView> {
        self.authorize(actor, Operation::CaseCreate)?;
        let (person_id, case_id) = (Uuid::now_v7(), Uuid::now_v7());
        self.stage_open_case(actor, new, person_id, case_id, None, |_, _| Ok(()))?;
        self.case(actor, case_id)
    }

    /// Validates `new` and writes a new person and case. `extra` may stage more in the same batch
    /// (a rescue linking the case). Kept for callers that open one case; several cases go into
    /// one batch through [`Unchain::validate_new_case`], [`Unchain::build_new_case`] and
    /// [`stage_new_case`].
    pub(crate) fn stage_open_case(
        &self,
        actor: &Actor,
        new: NewCase,
        person_id: Uuid,
        case_id: Uuid,
        rescue: Option<(Uuid, NaiveDate, unchain_lifecycle::RescueOrigin)>,
        mut extra: impl FnMut(&dyn Backend, &mut Batch) -> Result<()>,
    ) -> Result<()> {
        let mut errors = Vec::new();
        let owner = self.validate_new_case(actor, &new, "", &mut errors)?;
        check(errors)?;
        let prepared = self.build_new_case(actor, &new, owner, person_id, case_id, rescue, "")?;
        self.write(actor, Operation::CaseCreate, |backend, batch| {
            let targets = stage_new_case(batch, &prepared)?;
            extra(backend, batch)?;
            Ok(((), targets))
        })
    }

    /// Checks `new` without side effects, pushing every problem onto `errors` with its field
    /// path prefixed by `prefix` (e.g. `people[2].`). Returns the owner's user id (nil when the
    /// owner is unknown, which is then among the errors).
    pub(crate) fn validate_new_case(
        &self,
        actor: &Actor,
        new: &NewCase,
        prefix: &str,
        errors: &mut Vec<FieldError>,
    ) -> Result<Uuid> {
        let today = self.clock.today();
        errors.extend(new.person.validate(&format!("{prefix}person."), today));
        let opened_on = new.opened_on.unwrap_or(today);
        not_future(errors, &format!("{prefix}opened_on"), opened_on, today);
        let owner = match &new.owner {
            None => actor.id,
            Some(name) => match self.user_id(name)? {
                Some(id) => id,
                None => {
                    errors.push(FieldError::new(
                        format!("{prefix}owner"),
                        format!("no user {name:?}"),
                    ));
                    Uuid::nil()
                }
            },
        };
        for (i, r) in new.report_ids.iter().enumerate() {
            if self
                .backend
                .get(IntelligenceReport::COLLECTION, r.as_bytes())?
                .is_none()
            {
                errors.push(FieldError::new(
                    format!("{prefix}report_ids[{i}]"),
                    format!("no intelligence report {r}"),
                ));
            }
        }
        Ok(owner)
    }

    /// Builds the person (identity sealed under its own key) and the case of a validated `new`,
    /// with a fresh reference, ready for [`stage_new_case`]. Call it only once every case of the
    /// write has validated: sealing creates the person's key.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build_new_case(
        &self,
        actor: &Actor,
        new: &NewCase,
        owner: Uuid,
        person_id: Uuid,
        case_id: Uuid,
        rescue: Option<(Uuid, NaiveDate, unchain_lifecycle::RescueOrigin)>,
        prefix: &str,
    ) -> Result<PreparedCase> {
        let today = self.clock.today();
        let opened_on = new.opened_on.unwrap_or(today);
        let mut events = vec![self.case_event(actor, opened_on, EventKind::Opened)];
        if let Some((_, date, origin)) = rescue {
            events.push(self.case_event(actor, date, EventKind::Rescued { origin }));
        }
        let mut exploitation = new.exploitation.clone();
        exploitation.sort();
        exploitation.dedup();
        let mut case = Case {
            reference: String::new(),
            person_id,
            owner,
            jurisdiction: new.jurisdiction,
            exploitation,
            rescue_id: rescue.map(|r| r.0),
            report_ids: new.report_ids.clone(),
            suspect_ids: Vec::new(),
            events,
        };
        case.state().map_err(|_| {
            CoreError::Validation(vec![FieldError::new(
                format!("{prefix}opened_on"),
                "the rescue date is before the case's opening date",
            )])
        })?;
        let details = self.seal(person_id, Person::KIND, person_id, "details", &new.person)?;
        let person = Person {
            pseudonym: pseudonym(person_id),
            age_group: new.person.age_group(opened_on),
            details: Some(details),
            created_at: self.clock.now(),
            erased: None,
        };
        case.reference = format!("UC-{:06}", self.backend.generate_id()?);
        Ok(PreparedCase {
            person_id,
            case_id,
            person,
            case,
        })
    }

    fn case_event(&self, actor: &Actor, date: NaiveDate, kind: EventKind) -> CaseEvent {
        CaseEvent {
            event: Event::new(date, ActorId(actor.id), kind),
            recorded_at: self.clock.now(),
            recorded_by: actor.name.clone(),
            reason: None,
        }
    }

    pub(crate) fn user_id(&self, name: &str) -> Result<Option<Uuid>> {
        Ok(self
            .backend
            .get(crate::unchain::USER_NAMES, name.as_bytes())?
            .and_then(|v| Uuid::from_slice(&v.value).ok()))
    }

    fn user_name(&self, id: Uuid) -> Result<String> {
        Ok(records::find::<User>(self.backend.as_ref(), id)?
            .map_or_else(|| id.to_string(), |u| u.data.name))
    }

    /// Checks `kind` against the case's state and stages the updated case (version-checked) in
    /// `batch`. Returns the updated case. The building block of every service that moves a track.
    pub(crate) fn stage_case_event(
        &self,
        batch: &mut Batch,
        case: &Entity<Case>,
        actor: &Actor,
        date: NaiveDate,
        kind: EventKind,
        reason: Option<&str>,
    ) -> Result<Case> {
        let today = self.clock.today();
        let mut errors = Vec::new();
        not_future(&mut errors, "date", date, today);
        if let Some(r) = reason {
            crate::validate::required(&mut errors, "reason", r, 4000);
        }
        check(errors)?;
        let mut event = Event::new(date, ActorId(actor.id), kind);
        if reason.is_some() {
            event = event.with_reason(Reason::new(SEALED_REASON));
        }
        let state = case.data.state()?;
        state
            .check(&event)
            .map_err(|e| CoreError::Refused(e.to_string()))?;
        let sealed = match reason {
            Some(r) => Some(self.seal(
                case.data.person_id,
                Case::KIND,
                case.id,
                &format!("reason:{}", case.data.events.len()),
                &r,
            )?),
            None => None,
        };
        let mut updated = case.data.clone();
        updated.events.push(CaseEvent {
            event,
            recorded_at: self.clock.now(),
            recorded_by: actor.name.clone(),
            reason: sealed,
        });
        records::stage_put(batch, case.id, &updated, Some(case.version))?;
        Ok(updated)
    }

    /// Records a stage-line, advocacy or NRM-closing event. Events that other records depend on
    /// (referrals, placements, prosecutions, claims) are refused here with the operation to use.
    pub fn record_case_event(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        new: NewEvent,
    ) -> Result<CaseView> {
        let (operation, elsewhere) = event_operation(&new.kind);
        if let Some(service) = elsewhere {
            return Err(CoreError::Validation(vec![FieldError::new(
                "kind",
                format!(
                    "this event is recorded through {service}, which keeps its records with it"
                ),
            )]));
        }
        let date = new.date.unwrap_or_else(|| self.clock.today());
        self.write(actor, operation, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, version)?;
            self.stage_case_event(batch, &case, actor, date, new.kind, new.reason.as_deref())?;
            Ok(((), vec![records::target::<Case>(case_id)]))
        })?;
        self.case(actor, case_id)
    }

    /// One case. The person's identity is included (and the read audited) only for roles with
    /// `person.identity`.
    pub fn case(&self, actor: &Actor, id: Uuid) -> Result<CaseView> {
        Ok(self.case_shared(actor, id)?.view().clone())
    }

    /// One case, as [`Unchain::case`], in a form that can be shared without copying and carries
    /// its JSON: for front ends that answer the same case many times (the HTTP server).
    ///
    /// For roles that may not see identities the view holds no personal data and depends only on
    /// the stored bytes of the case, its person and its owner, so it is remembered (at most
    /// [`VIEW_CACHE_MAX`] cases) and answered again while those bytes are unchanged: the three records are
    /// still read on every call, but not decoded, replayed or serialised again. Identity views
    /// are built, unsealed and audited on every call, never remembered.
    pub fn case_shared(&self, actor: &Actor, id: Uuid) -> Result<SharedCaseView> {
        self.authorize(actor, Operation::CaseRead)?;
        if crate::auth::allowed(actor.role, Operation::PersonIdentity) {
            let case = records::load::<Case>(self.backend.as_ref(), id)?;
            return SharedCaseView::new(self.case_view(actor, case)?);
        }
        self.pseudonymous_case(id)
    }

    /// The identity-free view of a case, from the view cache when the stored bytes it was built
    /// from are unchanged.
    fn pseudonymous_case(&self, id: Uuid) -> Result<SharedCaseView> {
        let backend = self.backend.as_ref();
        let case_raw = backend
            .get(Case::COLLECTION, id.as_bytes())?
            .ok_or_else(|| CoreError::NotFound {
                kind: Case::KIND,
                id: id.to_string(),
            })?;
        // The person and owner ids come from the cached copy only when the case's bytes are the
        // cached ones (then they are the ids those bytes hold).
        let ids = self.view_cache.ids_if_case_unchanged(id, &case_raw);
        if let Some((person_id, owner_id)) = ids {
            let person_raw = backend.get(Person::COLLECTION, person_id.as_bytes())?;
            let owner_raw = backend.get(User::COLLECTION, owner_id.as_bytes())?;
            if let Some(hit) =
                self.view_cache
                    .get(id, &case_raw, person_raw.as_ref(), owner_raw.as_ref())
            {
                return Ok(hit);
            }
        }
        // Build from exactly the bytes read (so the entry is keyed by what it was made from).
        let case = records::decode::<Case>(id, case_raw.version, &case_raw.value)?;
        let person_raw = backend.get(Person::COLLECTION, case.data.person_id.as_bytes())?;
        let owner_raw = backend.get(User::COLLECTION, case.data.owner.as_bytes())?;
        let person = match &person_raw {
            Some(v) => records::decode::<Person>(case.data.person_id, v.version, &v.value)?,
            None => {
                return Err(CoreError::NotFound {
                    kind: Person::KIND,
                    id: case.data.person_id.to_string(),
                });
            }
        };
        let owner = match &owner_raw {
            Some(v) => {
                records::decode::<User>(case.data.owner, v.version, &v.value)?
                    .data
                    .name
            }
            None => case.data.owner.to_string(),
        };
        let person_view = PersonView {
            id: person.id,
            version: person.version,
            pseudonym: person.data.pseudonym,
            age_group: person.data.age_group,
            details: None,
            erased: person.data.erased,
        };
        let (person_id, owner_id) = (case.data.person_id, case.data.owner);
        let view = SharedCaseView::new(build_case_view(case, person_view, owner)?)?;
        self.view_cache.insert(
            id,
            CachedView {
                case: case_raw,
                person_id,
                person: person_raw,
                owner_id,
                owner: owner_raw,
                view: view.clone(),
            },
        );
        Ok(view)
    }

    /// Finds a case by its reference (`UC-000042`) or id text.
    pub fn find_case(&self, actor: &Actor, reference: &str) -> Result<CaseView> {
        self.authorize(actor, Operation::CaseRead)?;
        if let Ok(id) = reference.parse::<Uuid>() {
            return self.case(actor, id);
        }
        let wanted = reference.trim().to_ascii_uppercase();
        let found = crate::index::linking::<Case>(
            self.backend.as_ref(),
            crate::index::reference_key(&wanted),
        )?
        .into_iter()
        .find(|c| c.data.reference == wanted)
        .ok_or_else(|| CoreError::NotFound {
            kind: Case::KIND,
            id: reference.to_owned(),
        })?;
        self.case_view(actor, found)
    }

    pub(crate) fn case_view(&self, actor: &Actor, case: Entity<Case>) -> Result<CaseView> {
        let person = self.person_view(actor, case.data.person_id)?;
        let owner = self.user_name(case.data.owner)?;
        build_case_view(case, person, owner)
    }

    /// A person, pseudonymised unless the actor may see identities (then the read is audited).
    pub(crate) fn person_view(&self, actor: &Actor, id: Uuid) -> Result<PersonView> {
        let person = records::load::<Person>(self.backend.as_ref(), id)?;
        let details = match (
            &person.data.details,
            crate::auth::allowed(actor.role, Operation::PersonIdentity),
        ) {
            (Some(sealed), true) => {
                let d = self.unseal::<PersonDetails>(sealed, Person::KIND, id, "details")?;
                if d.is_some() {
                    self.audit_read(
                        actor,
                        Operation::PersonIdentity,
                        &[records::target::<Person>(id)],
                    )?;
                }
                d
            }
            _ => None,
        };
        Ok(PersonView {
            id,
            version: person.version,
            pseudonym: person.data.pseudonym,
            age_group: person.data.age_group,
            details,
            erased: person.data.erased,
        })
    }

    /// A person (see [`Unchain::case`] for when the identity is shown).
    pub fn person(&self, actor: &Actor, id: Uuid) -> Result<PersonView> {
        self.authorize(actor, Operation::CaseRead)?;
        self.person_view(actor, id)
    }

    /// Replaces a person's details; `version` is the person record's version as read.
    pub fn update_person(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        details: PersonDetails,
    ) -> Result<PersonView> {
        self.authorize(actor, Operation::PersonUpdate)?;
        let today = self.clock.today();
        check(details.validate("", today))?;
        self.write(actor, Operation::PersonUpdate, |backend, batch| {
            let mut person = records::load_at::<Person>(backend, id, version)?;
            if person.data.erased.is_some() {
                return Err(CoreError::Refused(format!(
                    "person {} was erased; their details cannot be recorded again",
                    person.data.pseudonym
                )));
            }
            person.data.details = Some(self.seal(id, Person::KIND, id, "details", &details)?);
            person.data.age_group = details.age_group(today);
            records::stage_put(batch, id, &person.data, Some(version))?;
            Ok(((), vec![records::target::<Person>(id)]))
        })?;
        self.person_view(actor, id)
    }

    /// Lists cases matching `filter`, oldest first. Lists show pseudonyms only.
    pub fn cases(&self, actor: &Actor, filter: &CaseFilter) -> Result<Vec<CaseSummary>> {
        self.authorize(actor, Operation::CaseRead)?;
        let owner = match &filter.owner {
            None => None,
            Some(name) => Some(self.user_id(name)?.ok_or_else(|| {
                CoreError::Validation(vec![FieldError::new("owner", format!("no user {name:?}"))])
            })?),
        };
        let mut out = Vec::new();
        // Few owners, many cases: look each owner's name up once.
        let mut owners: std::collections::HashMap<Uuid, String> = std::collections::HashMap::new();
        for case in records::all::<Case>(self.backend.as_ref())? {
            let state = case.data.state()?;
            let stage = state.stage().unwrap_or(Stage::Reported);
            let opened_on = state.opened_on().unwrap_or_default();
            if filter.stage.is_some_and(|s| s != stage)
                || owner.is_some_and(|o| o != case.data.owner)
                || filter.opened_from.is_some_and(|d| opened_on < d)
                || filter.opened_to.is_some_and(|d| opened_on > d)
                || (filter.open_only && !state.is_open())
            {
                continue;
            }
            let person = records::load::<Person>(self.backend.as_ref(), case.data.person_id)?;
            let owner = match owners.get(&case.data.owner) {
                Some(name) => name.clone(),
                None => {
                    let name = self.user_name(case.data.owner)?;
                    owners.insert(case.data.owner, name.clone());
                    name
                }
            };
            out.push(CaseSummary {
                id: case.id,
                version: case.version,
                reference: case.data.reference.clone(),
                pseudonym: person.data.pseudonym,
                age_group: person.data.age_group,
                owner,
                stage,
                opened_on,
                open_tracks: state.open_tracks(),
            });
        }
        Ok(out)
    }

    /// The case's timeline: every event in the order recorded, with who recorded it, and the
    /// documents attached. Reasons are shown only to viewers who may see identities.
    pub fn timeline(&self, actor: &Actor, case_id: Uuid) -> Result<Vec<TimelineEntry>> {
        self.authorize(actor, Operation::CaseRead)?;
        let case = records::load::<Case>(self.backend.as_ref(), case_id)?;
        let identity = crate::auth::allowed(actor.role, Operation::PersonIdentity);
        let mut out = Vec::with_capacity(case.data.events.len());
        let mut opened_reason = false;
        for (i, e) in case.data.events.iter().enumerate() {
            let reason = match (&e.reason, identity) {
                (Some(s), true) => {
                    opened_reason = true;
                    self.unseal::<String>(s, Case::KIND, case_id, &format!("reason:{i}"))?
                }
                _ => None,
            };
            out.push(TimelineEntry {
                date: e.event.date,
                recorded_at: e.recorded_at,
                recorded_by: e.recorded_by.clone(),
                description: e.event.kind.describe(),
                event: Some(e.event.kind),
                reason,
            });
        }
        out.extend(self.document_timeline(case_id)?);
        out.sort_by_key(|e| (e.date, e.recorded_at));
        if opened_reason {
            self.audit_read(
                actor,
                Operation::PersonIdentity,
                &[records::target::<Case>(case_id)],
            )?;
        }
        Ok(out)
    }

    /// Links intelligence reports or suspects to a case.
    pub fn link_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        reports: &[Uuid],
        suspects: &[Uuid],
    ) -> Result<CaseView> {
        self.authorize(actor, Operation::CaseUpdate)?;
        let mut errors = Vec::new();
        for (i, r) in reports.iter().enumerate() {
            if self
                .backend
                .get(IntelligenceReport::COLLECTION, r.as_bytes())?
                .is_none()
            {
                errors.push(FieldError::new(
                    format!("reports[{i}]"),
                    format!("no intelligence report {r}"),
                ));
            }
        }
        for (i, s) in suspects.iter().enumerate() {
            if self
                .backend
                .get(Suspect::COLLECTION, s.as_bytes())?
                .is_none()
            {
                errors.push(FieldError::new(
                    format!("suspects[{i}]"),
                    format!("no suspect {s}"),
                ));
            }
        }
        check(errors)?;
        self.write(actor, Operation::CaseUpdate, |backend, batch| {
            let mut case = records::load_at::<Case>(backend, case_id, version)?;
            for r in reports {
                if !case.data.report_ids.contains(r) {
                    case.data.report_ids.push(*r);
                }
            }
            for s in suspects {
                if !case.data.suspect_ids.contains(s) {
                    case.data.suspect_ids.push(*s);
                }
            }
            records::stage_put(batch, case_id, &case.data, Some(version))?;
            Ok(((), vec![records::target::<Case>(case_id)]))
        })?;
        self.case(actor, case_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::testing::{core, dump, staff};
    use unchain_lifecycle::{ClosureReason, RescueOrigin};

    use crate::testing::by_role;

    /// An adult Albanian woman's details.
    fn details() -> PersonDetails {
        crate::testing::woman("Ana Test", 24, "AL")
    }

    fn new_case() -> NewCase {
        crate::testing::new_case(details())
    }

    #[test]
    fn identity_is_sealed_and_shown_only_to_roles_that_need_it() {
        let (core, backend) = core();
        let staff = staff(&core);
        let investigator = by_role(&staff, Role::Investigator);
        let view = core.open_case(investigator, new_case()).expect("opens");
        assert_eq!(view.stage, Stage::Reported);
        assert_eq!(
            view.person.details.as_ref().map(|d| d.names.clone()),
            Some(vec!["Ana Test".to_owned()])
        );
        assert!(view.reference.starts_with("UC-"));
        // The name is nowhere in the store in clear.
        let raw = format!("{:?}", dump(&backend));
        assert!(!raw.contains("Ana Test"));
        let raw_bytes = crate::testing::raw_bytes(&*backend);
        assert!(!crate::testing::contains(&raw_bytes, "Ana Test"));
        // The analyst sees a pseudonym only.
        let analyst = by_role(&staff, Role::Analyst);
        let seen = core
            .case(analyst, view.id)
            .expect("analysts read pseudonymised cases");
        assert_eq!(seen.person.pseudonym, view.person.pseudonym);
        assert_eq!(seen.person.details, None);
        // Debug never prints the identity.
        assert!(!format!("{view:?}").contains("Ana Test"));
    }

    #[test]
    fn stage_line_through_rescue_to_closure_with_stale_versions_refused() {
        let (core, backend) = core();
        let staff = staff(&core);
        let inv = by_role(&staff, Role::Investigator);
        let manager = by_role(&staff, Role::Manager);
        let c = core.open_case(inv, new_case()).expect("opens");
        let ev = |kind| crate::testing::event(kind, None);
        let c2 = core
            .record_case_event(inv, c.id, c.version, ev(EventKind::AssessmentStarted))
            .expect("assess");
        let before = dump(&backend);
        let stale = core.record_case_event(inv, c.id, c.version, ev(EventKind::RescuePlanned));
        assert!(
            matches!(stale, Err(CoreError::Conflict { expected, found, .. }) if expected == c.version && found == c2.version)
        );
        assert_eq!(dump(&backend), before, "a conflict writes nothing");
        // An event the lifecycle forbids is refused with the guard, and writes nothing.
        let bad = core.record_case_event(inv, c.id, c2.version, ev(EventKind::SupportStarted));
        assert!(matches!(bad, Err(CoreError::Refused(_))), "{bad:?}");
        assert_eq!(dump(&backend), before);
        let c3 = core
            .record_case_event(
                inv,
                c.id,
                c2.version,
                ev(EventKind::Rescued {
                    origin: RescueOrigin::SelfPresented,
                }),
            )
            .expect("rescued");
        assert_eq!(c3.stage, Stage::Rescued);
        // An NRM referral must go through the NRM service.
        let wrong = core.record_case_event(
            inv,
            c.id,
            c3.version,
            ev(EventKind::NrmReferred {
                route: unchain_lifecycle::NrmRoute::NrmReferral,
            }),
        );
        assert!(matches!(wrong, Err(CoreError::Validation(_))));
        let c4 = core
            .record_case_event(inv, c.id, c3.version, ev(EventKind::SupportStarted))
            .expect("support");
        // Closing is `case.close`, which the matrix gives the manager.
        let close = NewEvent {
            kind: EventKind::Closed {
                closure_reason: ClosureReason::SupportCompleted,
            },
            date: None,
            reason: Some("moved to her sister's town".into()),
        };
        let closed = core
            .record_case_event(manager, c.id, c4.version, close)
            .expect("closes");
        assert_eq!(closed.stage, Stage::Closed);
        let timeline = core.timeline(manager, c.id).expect("timeline");
        assert_eq!(timeline.len(), 5);
        assert_eq!(
            timeline.last().and_then(|t| t.reason.clone()).as_deref(),
            Some("moved to her sister's town")
        );
        assert_eq!(timeline[0].recorded_by, inv.name);
        let raw_bytes = crate::testing::raw_bytes(&*backend);
        assert!(!crate::testing::contains(&raw_bytes, "sister's tow"));
    }

    #[test]
    fn validation_names_every_field_and_writes_nothing() {
        let (core, backend) = core();
        let staff = staff(&core);
        let inv = by_role(&staff, Role::Investigator);
        let before = dump(&backend);
        let mut bad = new_case();
        bad.person.nationalities = vec!["Albania".into()];
        bad.person.names = vec![" ".into()];
        bad.opened_on = NaiveDate::from_ymd_opt(2030, 1, 1);
        bad.owner = Some("nobody".into());
        let fields = crate::testing::invalid_fields(core.open_case(inv, bad));
        assert_eq!(
            fields,
            [
                "person.names[0]",
                "person.nationalities[0]",
                "opened_on",
                "owner"
            ]
        );
        assert_eq!(dump(&backend), before);
    }

    #[test]
    fn cases_behave_the_same_on_every_backend() {
        for t in crate::testing::cores() {
            let staff = staff(&t.core);
            let inv = by_role(&staff, Role::Investigator);
            let c = t.core.open_case(inv, new_case()).expect("opens");
            let next = t
                .core
                .record_case_event(
                    inv,
                    c.id,
                    c.version,
                    crate::testing::event(EventKind::AssessmentStarted, None),
                )
                .expect("assessing");
            assert_eq!(next.stage, Stage::Assessing, "{}", t.name);
            let before = crate::testing::dump_any(t.backend.as_ref());
            let stale = t.core.record_case_event(
                inv,
                c.id,
                c.version,
                crate::testing::event(EventKind::RescuePlanned, None),
            );
            assert!(
                matches!(stale, Err(CoreError::Conflict { .. })),
                "{}: {stale:?}",
                t.name
            );
            assert!(
                crate::testing::dump_any(t.backend.as_ref()) == before,
                "{}: a conflict wrote",
                t.name
            );
            let list = t
                .core
                .cases(
                    inv,
                    &CaseFilter {
                        stage: Some(Stage::Assessing),
                        ..CaseFilter::default()
                    },
                )
                .expect("lists");
            assert_eq!(list.len(), 1, "{}", t.name);
            let found = t
                .core
                .find_case(inv, &c.reference.to_lowercase())
                .expect("by reference");
            assert_eq!(found.id, c.id, "{}", t.name);
        }
    }

    /// The view an analyst would get without the cache: built from freshly decoded records.
    fn uncached(core: &Unchain, actor: &Actor, id: Uuid) -> CaseView {
        let case = records::load::<Case>(core.backend.as_ref(), id).expect("case");
        core.case_view(actor, case).expect("view")
    }

    #[test]
    fn a_cached_view_follows_every_change_to_the_case_its_person_and_the_bytes() {
        let (core, backend) = core();
        let staff = staff(&core);
        let inv = by_role(&staff, Role::Investigator);
        let manager = by_role(&staff, Role::Manager);
        let analyst = by_role(&staff, Role::Analyst);
        let c = core.open_case(inv, new_case()).expect("opens");

        let first = core.case_shared(analyst, c.id).expect("reads");
        let again = core.case_shared(analyst, c.id).expect("reads");
        assert!(
            first.same_as(&again),
            "an unchanged case is answered from memory"
        );
        assert_eq!(*again.view(), uncached(&core, analyst, c.id));
        assert_eq!(
            again.json(),
            serde_json::to_vec(again.view()).expect("json")
        );
        assert_eq!(
            again.view().person.details,
            None,
            "no identity for an analyst"
        );

        // A new event: the case's version and state change.
        let moved = core
            .record_case_event(
                inv,
                c.id,
                c.version,
                crate::testing::event(EventKind::AssessmentStarted, None),
            )
            .expect("records");
        let after = core.case_shared(analyst, c.id).expect("reads");
        assert!(!after.same_as(&again));
        assert_eq!(after.view().version, moved.version);
        assert_eq!(after.view().stage, Stage::Assessing);
        assert_eq!(*after.view(), uncached(&core, analyst, c.id));

        // Only the person changes (the case's version does not): a cache keyed by the case's
        // version alone would answer the old age group here.
        let child = PersonDetails {
            estimated_age: Some(15),
            ..details()
        };
        core.update_person(inv, c.person.id, c.person.version, child)
            .expect("updates");
        let aged = core.case_shared(analyst, c.id).expect("reads");
        assert_eq!(aged.view().version, after.view().version);
        assert_eq!(aged.view().person.age_group, AgeGroup::Child);
        assert_eq!(*aged.view(), uncached(&core, analyst, c.id));

        // Erasure rewrites the person: the tombstone shows at once.
        core.erase_person(manager, c.person.id, "the person asked")
            .expect("erases");
        let erased = core.case_shared(analyst, c.id).expect("reads");
        assert!(erased.view().person.erased.is_some());
        assert_eq!(*erased.view(), uncached(&core, analyst, c.id));

        // Different bytes under a version number seen before (a delete and re-create, as a
        // restore may do): a cache keyed by (id, version) would answer the old view.
        let mut stored = records::load::<Case>(backend.as_ref(), c.id).expect("case");
        let mut batch = Batch::new();
        batch.delete(
            Case::COLLECTION,
            c.id.as_bytes().to_vec(),
            unchain_store::Expect::Any,
        );
        backend.commit(&batch).expect("deletes");
        stored.data.exploitation = vec![ExploitationType::Labour];
        let mut batch = Batch::new();
        records::stage_put(&mut batch, c.id, &stored.data, None).expect("stages");
        backend.commit(&batch).expect("re-creates");
        let recreated = core.case_shared(analyst, c.id).expect("reads");
        assert_eq!(recreated.view().version, 1, "the version number was reused");
        assert_eq!(
            recreated.view().exploitation,
            vec![ExploitationType::Labour]
        );
        assert_eq!(*recreated.view(), uncached(&core, analyst, c.id));
    }

    #[test]
    fn identity_views_are_never_remembered_and_stay_audited() {
        let (core, backend) = core();
        let staff = staff(&core);
        let inv = by_role(&staff, Role::Investigator);
        let c = core.open_case(inv, new_case()).expect("opens");
        let head = || backend.stream_head(crate::audit::STREAM).expect("head");
        let before = head();
        let a = core.case_shared(inv, c.id).expect("reads");
        let b = core.case_shared(inv, c.id).expect("reads");
        assert!(!a.same_as(&b));
        assert!(a.view().person.details.is_some());
        assert_eq!(head(), before + 2, "each identity read is audited");
        assert_eq!(core.view_cache.len(), 0);
        // A role without case.read is refused, cache or not.
        let campaign = by_role(&staff, Role::CampaignOfficer);
        assert!(matches!(
            core.case_shared(campaign, c.id),
            Err(CoreError::Forbidden { .. })
        ));
        assert!(matches!(
            core.case_shared(by_role(&staff, Role::Analyst), Uuid::now_v7()),
            Err(CoreError::NotFound { kind: "case", .. })
        ));
    }

    #[test]
    fn the_view_cache_is_bounded() {
        let cache = ViewCache::default();
        let (core, _) = core();
        let staff = staff(&core);
        let c = core
            .open_case(by_role(&staff, Role::Investigator), new_case())
            .expect("opens");
        let view = core
            .case_shared(by_role(&staff, Role::Analyst), c.id)
            .expect("reads");
        let raw = Versioned {
            version: 1,
            value: vec![1],
        };
        for _ in 0..VIEW_CACHE_MAX + 10 {
            cache.insert(
                Uuid::now_v7(),
                CachedView {
                    case: raw.clone(),
                    person_id: c.person.id,
                    person: None,
                    owner_id: c.person.id,
                    owner: None,
                    view: view.clone(),
                },
            );
        }
        assert_eq!(cache.len(), VIEW_CACHE_MAX);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Invariant: whatever the sequence of events, person updates, erasures and reads, the
        /// cached identity-free view equals one built from freshly decoded records, and an
        /// unchanged case is answered from memory.
        #[test]
        fn the_cached_view_always_equals_a_fresh_one(
            ops in proptest::collection::vec((0u8..4, 0usize..8), 1..24)
        ) {
            let (core, _) = core();
            let staff = staff(&core);
            let inv = by_role(&staff, Role::Investigator);
            let manager = by_role(&staff, Role::Manager);
            let analyst = by_role(&staff, Role::Analyst);
            let cases: Vec<CaseView> = (0..2)
                .map(|_| core.open_case(inv, new_case()).expect("opens"))
                .collect();
            let kinds = [
                EventKind::AssessmentStarted,
                EventKind::RescuePlanned,
                EventKind::RescuePlanStoodDown,
                EventKind::Rescued { origin: RescueOrigin::SelfPresented },
                EventKind::SupportStarted,
                EventKind::AdvocacyRequested,
                EventKind::Closed { closure_reason: ClosureReason::SupportCompleted },
                EventKind::Reopened,
            ];
            for (op, pick) in ops {
                let id = cases[pick % 2].id;
                let current = uncached(&core, analyst, id);
                match op {
                    0 => {
                        let actor = if pick % 3 == 0 { manager } else { inv };
                        let _ = core.record_case_event(actor, id, current.version, NewEvent {
                            kind: kinds[pick],
                            date: None,
                            reason: Some("checked with the person".into()),
                        });
                    }
                    1 => {
                        let age = if pick % 2 == 0 { 15 } else { 30 };
                        let _ = core.update_person(inv, current.person.id, current.person.version,
                            PersonDetails { estimated_age: Some(age), ..details() });
                    }
                    2 if pick == 7 => {
                        let _ = core.erase_person(manager, current.person.id, "asked");
                    }
                    _ => {
                        let a = core.case_shared(analyst, id).expect("reads");
                        let b = core.case_shared(analyst, id).expect("reads");
                        proptest::prop_assert!(a.same_as(&b));
                    }
                }
                for c in &cases {
                    let shared = core.case_shared(analyst, c.id).expect("reads");
                    proptest::prop_assert_eq!(shared.view(), &uncached(&core, analyst, c.id));
                    let json = serde_json::to_vec(shared.view()).expect("json");
                    proptest::prop_assert_eq!(shared.json(), json.as_slice());
                    proptest::prop_assert_eq!(
                        core.case(analyst, c.id).expect("reads"), shared.view().clone()
                    );
                }
            }
        }
    }
}
