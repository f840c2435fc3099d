//! Placements: from a person's needs to a bed in a facility, and on (moves) and out (exits);
//! with the transport that takes them there.
//!
//! * **Needs** ("needs"): the [`unchain_placement::Needs`] of a case, sealed under the person (they
//!   hold health facts, pregnancy and the places the person must be kept away from), with who
//!   must be kept together with or apart from them. Stages `aftercare_needs_assessed`.
//! * **Matching**: [`Unchain::placement_matches`] ranks every facility for one case (eligible ones
//!   with explained scores, the others with every constraint they fail);
//!   [`Unchain::placement_assign`] proposes an optimal plan for a whole rescue or list of cases.
//!   Neither writes anything.
//! * **Place, move, exit** ("placements"): each writes the placement, the case's track event(s)
//!   and the facilities' occupancy in one atomic, version-checked batch, so occupancy always equals
//!   the beds taken by open placements (one per person and one per dependant) and never exceeds
//!   capacity. Placing also schedules the follow-up plan (see [`crate::followups`]).
//! * **Transport** ("transports"): from an area to the matched facility, when, with which escort;
//!   notes sealed under the person.
//!
//! The lifecycle's aftercare track orders these steps (`docs/lifecycle.md`): needs assessed →
//! matched → (transport arranged) → placed → moved* → exited. `match_facility`,
//! `arrange_transport` and `place` each record the match themselves when the case is not already
//! matched to that facility, so a caller may skip straight to `place`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_lifecycle::{AftercareState, EventKind, FacilityId};
use unchain_placement::{self as placement, Ineligibility, Needs, Score, Weights};
use unchain_store::Backend;
use uuid::Uuid;

use crate::auth::{self, Operation};
use crate::cases::Case;
use crate::consent::ConsentScope;
use crate::error::{CoreError, FieldError, Result};
use crate::facilities::Facility;
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, max_len, not_future, optional, required};

// ---- needs ---------------------------------------------------------------------------------

/// A needs assessment as stored. The needs themselves are sealed under the person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeedsAssessment {
    /// The case.
    pub case_id: Uuid,
    /// The person (whose key seals the needs).
    pub person_id: Uuid,
    /// The day of the assessment.
    pub assessed_on: NaiveDate,
    /// [`Needs`], sealed.
    pub needs: Sealed,
    /// Beds the person takes (one plus dependants), in clear like a placement's: counting beds
    /// must not need the person's key.
    pub beds: u32,
    /// Cases to place in the same facility as this one (a mother and her child, siblings).
    pub keep_together_with: Vec<Uuid>,
    /// Cases never to place in the same facility (someone who controlled the person).
    pub keep_apart_from: Vec<Uuid>,
    /// Who assessed (user name).
    pub assessed_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Record for NeedsAssessment {
    const COLLECTION: &'static str = "needs";
    const KIND: &'static str = "needs_assessment";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

/// A needs assessment to record. Its `Debug` hides the needs.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NeedsInput {
    /// What the person needs from a facility (the placement crate's model, as is).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::needs))]
    pub needs: Needs,
    /// The day of the assessment; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_on: Option<NaiveDate>,
    /// Cases to keep together with this one.
    #[serde(default)]
    pub keep_together_with: Vec<Uuid>,
    /// Cases to keep apart from this one.
    #[serde(default)]
    pub keep_apart_from: Vec<Uuid>,
}

impl fmt::Debug for NeedsInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeedsInput")
            .field("needs", &"<sealed>")
            .field("assessed_on", &self.assessed_on)
            .finish_non_exhaustive()
    }
}

/// A recorded needs assessment, without the needs themselves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsSummary {
    /// The assessment's id.
    pub id: Uuid,
    /// The case.
    pub case_id: Uuid,
    /// The case's version after the assessment (for the next step).
    pub case_version: u64,
    /// The day of the assessment.
    pub assessed_on: NaiveDate,
    /// Beds the person takes (one plus dependants).
    pub beds: u32,
    /// Kept together with.
    pub keep_together_with: Vec<Uuid>,
    /// Kept apart from.
    pub keep_apart_from: Vec<Uuid>,
}

/// The needs assessment in force for a case. `needs` is shown only to roles that may see
/// identities (the read is then audited); its `Debug` is redacted.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsView {
    /// The assessment, without the needs.
    #[serde(flatten)]
    pub summary: NeedsSummary,
    /// Who assessed.
    pub assessed_by: String,
    /// The needs, for those who may see them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::needs))]
    pub needs: Option<Needs>,
}

impl fmt::Debug for NeedsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeedsView")
            .field("summary", &self.summary)
            .field("needs", &self.needs.as_ref().map(|_| "<sealed>"))
            .finish()
    }
}

// ---- matching ------------------------------------------------------------------------------

/// An eligible facility for one case, with its explained score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityMatch {
    /// The facility.
    pub facility_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Free beds now.
    pub free: u32,
    /// The score and its parts.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::score))]
    pub score: Score,
    /// Distance from the preferred point (else the current location), km, when one is given.
    pub distance_km: Option<f64>,
}

/// A facility that may not take the person, with every reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityRefusal {
    /// The facility.
    pub facility_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Every hard constraint it fails.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ineligibilities))]
    pub reasons: Vec<Ineligibility>,
}

/// Every registered facility for one case: eligible ones best first, the others with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matches {
    /// The case.
    pub case_id: Uuid,
    /// The assessment used.
    pub assessed_on: NaiveDate,
    /// Best first.
    pub eligible: Vec<FacilityMatch>,
    /// By facility id (closed facilities appear here with `closed_to_referrals`).
    pub ineligible: Vec<FacilityRefusal>,
}

/// Whom to assign in one batch: a rescue's cases, and/or a list of cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// Every case of this rescue (cases record the rescue they came from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescue_id: Option<Uuid>,
    /// These cases.
    #[serde(default)]
    pub case_ids: Vec<Uuid>,
}

/// A proposed batch assignment (nothing is written: `place` each case to accept it). Person ids
/// in the assignment are case ids, facility ids are facility ids, as strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    /// The cases considered, in id order.
    pub case_ids: Vec<Uuid>,
    /// The keep-together and keep-apart constraints applied (from the needs assessments).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::groups))]
    pub groups: placement::Groups,
    /// The plan, with everyone unplaced explained.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::assignment))]
    pub assignment: placement::Assignment,
}

// ---- placements ----------------------------------------------------------------------------

/// One stay at one facility within a placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stay {
    /// The facility.
    pub facility_id: Uuid,
    /// From (the placement or move date).
    pub from: NaiveDate,
    /// Until (the move or exit date); `None` while living there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// Why a person left a placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// Moved on to independent or longer-term accommodation (the planned end).
    MovedOn,
    /// Went home, or returned voluntarily to their country.
    ReturnedHome,
    /// Transferred to another organisation's care.
    TransferredToOtherProvider,
    /// Left of their own choice before the planned end.
    LeftVoluntarily,
    /// Left without notice; contact lost (a safeguarding concern: possible re-trafficking).
    LostContact,
    /// Asked to leave by the provider.
    AskedToLeave,
    /// Died.
    Deceased,
    /// Something else (explain in the notes).
    Other,
}

/// The end of a placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementExit {
    /// The day the person left.
    pub on: NaiveDate,
    /// Why.
    pub reason: ExitReason,
    /// Notes, sealed under the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Sealed>,
}

/// A placement as stored: one episode of living in aftercare, across moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The case.
    pub case_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Beds taken (one plus dependants), from the needs assessment in force when placed.
    pub beds: u32,
    /// Stays, in order; the last one is where the person lives while the placement is open.
    pub stays: Vec<Stay>,
    /// The exit, once the person left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<PlacementExit>,
    /// Who placed (user name).
    pub placed_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Record for Placement {
    const COLLECTION: &'static str = "placements";
    const KIND: &'static str = "placement";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

impl Placement {
    /// Whether the person still lives in the placement.
    pub fn is_open(&self) -> bool {
        self.exit.is_none()
    }

    /// The facility the person lives (or last lived) at.
    pub fn facility_id(&self) -> Option<Uuid> {
        self.stays.last().map(|s| s.facility_id)
    }

    /// The day the placement started.
    pub fn placed_on(&self) -> Option<NaiveDate> {
        self.stays.first().map(|s| s.from)
    }
}

/// How a placement ends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExitInput {
    /// The day the person left.
    pub on: NaiveDate,
    /// Why.
    pub reason: ExitReason,
    /// Notes (sealed under the person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for ExitInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExitInput")
            .field("on", &self.on)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// A placement as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementView {
    /// The placement's id.
    pub id: Uuid,
    /// Its version.
    pub version: u64,
    /// The case.
    pub case_id: Uuid,
    /// The case's version after this write (for the next step).
    pub case_version: u64,
    /// Beds taken.
    pub beds: u32,
    /// Stays, in order.
    pub stays: Vec<Stay>,
    /// Where the person lives now (`None` once exited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<Uuid>,
    /// The exit day and reason, once exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exited: Option<(NaiveDate, ExitReason)>,
    /// Follow-ups scheduled when the person was placed (their ids).
    #[serde(default)]
    pub followups: Vec<Uuid>,
}

/// The case's aftercare after a step that writes no placement (a match).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AftercareStep {
    /// The case.
    pub case_id: Uuid,
    /// Its version now.
    pub case_version: u64,
    /// Its aftercare state now.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::aftercare_state))]
    pub aftercare: AftercareState,
}

// ---- transport -----------------------------------------------------------------------------

/// A transport as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transport {
    /// The case.
    pub case_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Where from: an area (town or district), not an address.
    pub from_area: String,
    /// The facility it goes to (the matched one).
    pub facility_id: Uuid,
    /// When it leaves.
    pub when: DateTime<Utc>,
    /// The staff member escorting.
    pub escort: String,
    /// Notes (pick-up point, needs on the way), sealed under the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Sealed>,
    /// The day it was arranged.
    pub arranged_on: NaiveDate,
    /// Who arranged it.
    pub arranged_by: String,
}

impl Record for Transport {
    const COLLECTION: &'static str = "transports";
    const KIND: &'static str = "transport";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }
}

/// A transport to arrange. Its `Debug` hides the notes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransportInput {
    /// Where from (an area).
    pub from_area: String,
    /// The facility it goes to.
    pub facility_id: Uuid,
    /// When it leaves.
    pub when: DateTime<Utc>,
    /// The escort (a staff member's name).
    pub escort: String,
    /// Notes (sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The day it was arranged; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arranged_on: Option<NaiveDate>,
}

impl fmt::Debug for TransportInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportInput")
            .field("facility_id", &self.facility_id)
            .field("when", &self.when)
            .finish_non_exhaustive()
    }
}

/// A transport as shown. Notes only for roles that may see identities (the read is audited).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransportView {
    /// Id.
    pub id: Uuid,
    /// The case.
    pub case_id: Uuid,
    /// The case's version after arranging it.
    pub case_version: u64,
    /// From.
    pub from_area: String,
    /// To.
    pub facility_id: Uuid,
    /// When.
    pub when: DateTime<Utc>,
    /// Escort.
    pub escort: String,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Arranged on.
    pub arranged_on: NaiveDate,
}

impl fmt::Debug for TransportView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportView")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("facility_id", &self.facility_id)
            .field("when", &self.when)
            .finish_non_exhaustive()
    }
}

// ---- helpers -------------------------------------------------------------------------------

fn placement_error(e: placement::PlacementError) -> CoreError {
    CoreError::Validation(vec![FieldError::new(e.field, e.problem.to_string())])
}

/// The constraint's name (`missing_services`, …) as in its JSON form.
fn constraint_name(r: &Ineligibility) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| {
            v.get("constraint")
                .and_then(|c| c.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "constraint".into())
}

fn validate_needs(errors: &mut Vec<FieldError>, needs: &Needs) {
    for (i, l) in needs.languages.iter().enumerate() {
        let field = format!("needs.languages[{i}]");
        if l.trim().is_empty() {
            errors.push(FieldError::new(field, "is blank"));
        } else {
            max_len(errors, &field, l, 35);
        }
    }
    optional(
        errors,
        "needs.preferred_region",
        needs.preferred_region.as_deref(),
        100,
    );
    if needs.dependants > 20 {
        errors.push(FieldError::new("needs.dependants", "must be at most 20"));
    }
    // The matcher's own checks: coordinates, radii, travel distance.
    if let Err(e) = placement::rank(needs, &[], &Weights::default()) {
        errors.push(FieldError::new(e.field, e.problem.to_string()));
    }
}

/// The latest needs assessment of a case.
pub(crate) fn latest_needs(
    backend: &dyn Backend,
    case_id: Uuid,
) -> Result<Option<Entity<NeedsAssessment>>> {
    Ok(crate::index::of_case::<NeedsAssessment>(backend, case_id)?
        .into_iter()
        .max_by_key(|n| (n.data.assessed_on, n.id)))
}

/// The open placement of a case, if any.
pub(crate) fn open_placement(
    backend: &dyn Backend,
    case_id: Uuid,
) -> Result<Option<Entity<Placement>>> {
    Ok(crate::index::of_case::<Placement>(backend, case_id)?
        .into_iter()
        .find(|p| p.data.is_open()))
}

impl Unchain {
    fn needs_of(&self, n: &Entity<NeedsAssessment>) -> Result<Needs> {
        self.unseal::<Needs>(&n.data.needs, NeedsAssessment::KIND, n.id, "needs")?
            .ok_or_else(|| CoreError::Refused("the person's needs were erased".into()))
    }

    /// The needs in force for a case that may be matched now: assessed, and in this episode.
    fn current_needs(
        &self,
        backend: &dyn Backend,
        case: &Entity<Case>,
    ) -> Result<(Entity<NeedsAssessment>, Needs)> {
        let n = latest_needs(backend, case.id)?.ok_or_else(|| {
            CoreError::Refused(format!(
                "case {} has no needs assessment; assess needs first",
                case.data.reference
            ))
        })?;
        let needs = self.needs_of(&n)?;
        Ok((n, needs))
    }

    /// Refuses unless the facility passes every hard constraint for `needs` now (free beds
    /// included), naming every constraint it fails.
    fn require_eligible(&self, needs: &Needs, f: &Entity<Facility>) -> Result<()> {
        let pf = self.placement_facility(f)?.ok_or_else(|| {
            CoreError::Refused(format!(
                "facility {} has no known location and cannot be matched",
                f.data.name
            ))
        })?;
        let ranking =
            placement::rank(needs, &[pf], &Weights::default()).map_err(placement_error)?;
        if let Some(no) = ranking.ineligible.first() {
            let names: Vec<_> = no.reasons.iter().map(constraint_name).collect();
            return Err(CoreError::Refused(format!(
                "facility {} cannot take this person: {}",
                f.data.name,
                names.join(", ")
            )));
        }
        Ok(())
    }

    /// Stages `aftercare_matched {facility}` unless the case is already matched (or has
    /// transport arranged) to that facility. Returns the case as staged.
    fn stage_match_if_needed(
        &self,
        batch: &mut unchain_store::Batch,
        case: Entity<Case>,
        actor: &Actor,
        date: NaiveDate,
        facility: Uuid,
        only_if_matched: bool,
    ) -> Result<Entity<Case>> {
        let state = case.data.state()?.aftercare();
        let already = match state {
            AftercareState::Matched { facility: f } => f.0 == facility,
            AftercareState::TransportArranged { facility: f } => {
                f.0 == facility && !only_if_matched
            }
            _ => false,
        };
        if already {
            return Ok(case);
        }
        let data = self.stage_case_event(
            batch,
            &case,
            actor,
            date,
            EventKind::AftercareMatched {
                facility: FacilityId(facility),
            },
            None,
        )?;
        Ok(Entity {
            id: case.id,
            version: case.version + 1,
            data,
        })
    }

    /// Records a needs assessment for a case (`version` = the case's, as read) and moves its
    /// aftercare track to `needs_assessed`. The needs are sealed under the person.
    pub fn assess_needs(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        input: NeedsInput,
    ) -> Result<NeedsSummary> {
        self.authorize(actor, Operation::PlacementManage)?;
        let today = self.clock.today();
        let assessed_on = input.assessed_on.unwrap_or(today);
        let mut errors = Vec::new();
        validate_needs(&mut errors, &input.needs);
        not_future(&mut errors, "assessed_on", assessed_on, today);
        for (field, ids) in [
            ("keep_together_with", &input.keep_together_with),
            ("keep_apart_from", &input.keep_apart_from),
        ] {
            for (i, other) in ids.iter().enumerate() {
                if *other == case_id {
                    errors.push(FieldError::new(
                        format!("{field}[{i}]"),
                        "is this case itself",
                    ));
                } else if records::find::<Case>(self.backend.as_ref(), *other)?.is_none() {
                    errors.push(FieldError::new(
                        format!("{field}[{i}]"),
                        format!("no case {other}"),
                    ));
                }
            }
        }
        for (i, other) in input.keep_apart_from.iter().enumerate() {
            if input.keep_together_with.contains(other) {
                errors.push(FieldError::new(
                    format!("keep_apart_from[{i}]"),
                    "is also in keep_together_with",
                ));
            }
        }
        check(errors)?;
        let id = Uuid::now_v7();
        let now = self.clock.now();
        let (case_version, person_id) =
            self.write(actor, Operation::PlacementManage, |backend, batch| {
                let case = records::load_at::<Case>(backend, case_id, version)?;
                self.stage_case_event(
                    batch,
                    &case,
                    actor,
                    assessed_on,
                    EventKind::AftercareNeedsAssessed,
                    None,
                )?;
                let person_id = case.data.person_id;
                let record = NeedsAssessment {
                    case_id,
                    person_id,
                    assessed_on,
                    needs: self.seal(
                        person_id,
                        NeedsAssessment::KIND,
                        id,
                        "needs",
                        &input.needs,
                    )?,
                    beds: input.needs.beds(),
                    keep_together_with: input.keep_together_with.clone(),
                    keep_apart_from: input.keep_apart_from.clone(),
                    assessed_by: actor.name.clone(),
                    recorded_at: now,
                };
                records::stage_put(batch, id, &record, None)?;
                Ok((
                    (version + 1, person_id),
                    vec![
                        records::target::<Case>(case_id),
                        records::target::<NeedsAssessment>(id),
                    ],
                ))
            })?;
        let _ = person_id;
        Ok(NeedsSummary {
            id,
            case_id,
            case_version,
            assessed_on,
            beds: input.needs.beds(),
            keep_together_with: input.keep_together_with,
            keep_apart_from: input.keep_apart_from,
        })
    }

    /// The latest needs assessment of a case. The needs themselves (health, pregnancy, places to
    /// avoid) only for roles with `person.identity`, and that read is audited.
    pub fn needs_assessment(&self, actor: &Actor, case_id: Uuid) -> Result<NeedsView> {
        self.authorize(actor, Operation::PlacementRead)?;
        let backend = self.backend.as_ref();
        let case = records::load::<Case>(backend, case_id)?;
        let n = latest_needs(backend, case_id)?.ok_or_else(|| CoreError::NotFound {
            kind: NeedsAssessment::KIND,
            id: format!("case {}", case.data.reference),
        })?;
        let needs = if auth::allowed(actor.role, Operation::PersonIdentity) {
            let opened =
                self.unseal::<Needs>(&n.data.needs, NeedsAssessment::KIND, n.id, "needs")?;
            if opened.is_some() {
                self.audit_read(
                    actor,
                    Operation::PersonIdentity,
                    &[records::target::<NeedsAssessment>(n.id)],
                )?;
            }
            opened
        } else {
            None
        };
        Ok(NeedsView {
            summary: NeedsSummary {
                id: n.id,
                case_id,
                case_version: case.version,
                assessed_on: n.data.assessed_on,
                beds: n.data.beds,
                keep_together_with: n.data.keep_together_with.clone(),
                keep_apart_from: n.data.keep_apart_from.clone(),
            },
            assessed_by: n.data.assessed_by,
            needs,
        })
    }

    /// Every registered facility for one case, from its latest needs assessment: eligible ones
    /// ranked by the default [`Weights`] with the score's parts, the others with every hard
    /// constraint they fail (closed and full ones included, so the answer says why). Facilities
    /// whose address was shredded are left out: they cannot be checked against exclusion zones.
    pub fn placement_matches(&self, actor: &Actor, case_id: Uuid) -> Result<Matches> {
        self.authorize(actor, Operation::PlacementManage)?;
        let backend = self.backend.as_ref();
        let case = records::load::<Case>(backend, case_id)?;
        let (assessment, needs) = self.current_needs(backend, &case)?;
        let stored = records::all::<Facility>(backend)?;
        let mut facilities = Vec::with_capacity(stored.len());
        let mut by_id = BTreeMap::new();
        for f in &stored {
            if let Some(pf) = self.placement_facility(f)? {
                facilities.push(pf);
                by_id.insert(f.id.to_string(), f);
            }
        }
        let ranking =
            placement::rank(&needs, &facilities, &Weights::default()).map_err(placement_error)?;
        let find = |id: &str| by_id.get(id).copied();
        let eligible = ranking
            .eligible
            .into_iter()
            .filter_map(|e| {
                find(&e.facility_id).map(|f| FacilityMatch {
                    facility_id: f.id,
                    name: f.data.name.clone(),
                    region: f.data.region.clone(),
                    free: f.data.free(),
                    score: e.score,
                    distance_km: e.distance_km,
                })
            })
            .collect();
        let ineligible = ranking
            .ineligible
            .into_iter()
            .filter_map(|i| {
                find(&i.facility_id).map(|f| FacilityRefusal {
                    facility_id: f.id,
                    name: f.data.name.clone(),
                    region: f.data.region.clone(),
                    reasons: i.reasons,
                })
            })
            .collect();
        Ok(Matches {
            case_id,
            assessed_on: assessment.data.assessed_on,
            eligible,
            ineligible,
        })
    }

    /// Proposes an optimal assignment for a batch — every case of a rescue and/or the cases
    /// listed — through [`unchain_placement::assign`] with the default weights: as many people
    /// housed as possible, then the best total score, keeping together and apart whom the needs
    /// assessments say. Writes nothing; `place` each case to accept the proposal.
    pub fn placement_assign(&self, actor: &Actor, request: &AssignRequest) -> Result<Proposal> {
        self.authorize(actor, Operation::PlacementManage)?;
        let backend = self.backend.as_ref();
        let mut ids: BTreeSet<Uuid> = BTreeSet::new();
        let mut errors = Vec::new();
        if let Some(rescue) = request.rescue_id {
            let found: Vec<_> = crate::index::linking::<Case>(backend, rescue)?
                .into_iter()
                .filter(|c| c.data.rescue_id == Some(rescue))
                .collect();
            if found.is_empty() {
                errors.push(FieldError::new(
                    "rescue_id",
                    format!("no case comes from rescue {rescue}"),
                ));
            }
            ids.extend(found.into_iter().map(|c| c.id));
        }
        for (i, id) in request.case_ids.iter().enumerate() {
            if records::find::<Case>(backend, *id)?.is_none() {
                errors.push(FieldError::new(
                    format!("case_ids[{i}]"),
                    format!("no case {id}"),
                ));
            } else {
                ids.insert(*id);
            }
        }
        if ids.is_empty() && errors.is_empty() {
            errors.push(FieldError::new(
                "case_ids",
                "name a rescue or at least one case",
            ));
        }
        check(errors)?;
        let mut people = Vec::new();
        let mut assessments = Vec::new();
        let mut errors = Vec::new();
        for id in &ids {
            let case = records::load::<Case>(backend, *id)?;
            let state = case.data.state()?.aftercare();
            let field = format!("cases[{}]", case.data.reference);
            if state.has_open_placement() {
                errors.push(FieldError::new(field, "is already placed"));
                continue;
            }
            if !matches!(
                state,
                AftercareState::NeedsAssessed
                    | AftercareState::Matched { .. }
                    | AftercareState::TransportArranged { .. }
            ) {
                errors.push(FieldError::new(field, "needs a needs assessment first"));
                continue;
            }
            let (n, needs) = self.current_needs(backend, &case)?;
            people.push(placement::Person {
                id: id.to_string(),
                needs,
            });
            assessments.push(n);
        }
        check(errors)?;
        let mut groups = placement::Groups::default();
        for n in &assessments {
            let me = n.data.case_id;
            for other in &n.data.keep_together_with {
                if ids.contains(other) {
                    groups
                        .keep_together
                        .push(vec![me.to_string(), other.to_string()]);
                }
            }
            for other in &n.data.keep_apart_from {
                if ids.contains(other) {
                    groups.keep_apart.push([me.to_string(), other.to_string()]);
                }
            }
        }
        let mut facilities = Vec::new();
        for f in records::all::<Facility>(backend)? {
            if let Some(pf) = self.placement_facility(&f)? {
                facilities.push(pf);
            }
        }
        let assignment = placement::assign(&people, &facilities, &groups, &Weights::default())
            .map_err(placement_error)?;
        Ok(Proposal {
            case_ids: ids.into_iter().collect(),
            groups,
            assignment,
        })
    }

    /// Records a match of a case to a facility (eligible now) without placing yet — so transport
    /// can be arranged. `version` is the case's.
    pub fn match_facility(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        facility_id: Uuid,
        date: NaiveDate,
    ) -> Result<AftercareStep> {
        let case = self.write(actor, Operation::PlacementManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, version)?;
            let (_, needs) = self.current_needs(backend, &case)?;
            let facility = records::load::<Facility>(backend, facility_id)?;
            self.require_eligible(&needs, &facility)?;
            records::stage_check(batch, &facility);
            let data = self.stage_case_event(
                batch,
                &case,
                actor,
                date,
                EventKind::AftercareMatched {
                    facility: FacilityId(facility_id),
                },
                None,
            )?;
            Ok(((version + 1, data), vec![records::target::<Case>(case_id)]))
        })?;
        Ok(AftercareStep {
            case_id,
            case_version: case.0,
            aftercare: case.1.state()?.aftercare(),
        })
    }

    /// Places a person: writes the placement, the case's `aftercare_matched` (unless already
    /// matched to this facility) and `aftercare_placed`, the facility's occupancy (+ beds) and
    /// the follow-up plan in force, in one atomic write. `version` is the case's. Refused without
    /// the person's consent to sharing with organisations in force on `date` (the provider learns
    /// who they are; for a child, the guardian's consent is recorded the same way). Refused when the
    /// facility cannot take the person now (closed, full, or failing a hard constraint — every
    /// one is named); a concurrent placement into the same facility makes one of them conflict.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use unchain_core::cases::{NewCase, NewEvent};
    /// use unchain_core::consent::{ConsentMethod, ConsentScope, NewConsent};
    /// use unchain_core::facilities::{FacilityAddress, FacilityInput};
    /// use unchain_core::lifecycle::{EventKind, RescueOrigin};
    /// use unchain_core::placement::{Acceptance, AgeGroup, Gender, GeoPoint, Needs};
    /// use unchain_core::placements::NeedsInput;
    /// use unchain_core::people::PersonDetails;
    /// use unchain_core::{Role, SystemClock, Unchain};
    ///
    /// let core = Unchain::in_memory(Arc::new(SystemClock))?;
    /// core.bootstrap_admin("admin")?;
    /// let admin = core.actor("admin")?;
    /// core.create_user(&admin, "kim", Role::AftercareCoordinator)?;
    /// let kim = core.actor("kim")?;
    ///
    /// let house = core.create_facility(&kim, FacilityInput {
    ///     name: "Rose".into(),
    ///     operator: "Provider A".into(),
    ///     region: "North West".into(),
    ///     address: FacilityAddress {
    ///         address: "(sealed; never shown to analysts)".into(),
    ///         location: GeoPoint::new(53.48, -2.24),
    ///     },
    ///     capacity: 4,
    ///     accepts: Acceptance {
    ///         genders: [Gender::Female].into(),
    ///         age_groups: [AgeGroup::Adult].into(),
    ///         max_dependants: 1,
    ///         pregnancy: true,
    ///     },
    ///     languages: Default::default(),
    ///     specialisms: Default::default(),
    ///     services: Default::default(),
    ///     security: Default::default(),
    ///     admission_rules: Default::default(),
    ///     open_to_referrals: true,
    /// })?;
    ///
    /// let case = core.open_case(&kim, NewCase {
    ///     person: PersonDetails { names: vec!["Example Person".into()], ..Default::default() },
    ///     jurisdiction: unchain_core::nrm::Jurisdiction::EnglandAndWales,
    ///     exploitation: vec![],
    ///     opened_on: None,
    ///     owner: None,
    ///     report_ids: vec![],
    /// })?;
    /// let case = core.record_case_event(&kim, case.id, case.version, NewEvent {
    ///     kind: EventKind::Rescued { origin: RescueOrigin::SelfPresented },
    ///     date: None,
    ///     reason: None,
    /// })?;
    /// // The provider will learn who she is: her consent to that sharing comes first.
    /// core.record_consent(&kim, case.person.id, NewConsent {
    ///     scope: ConsentScope::SharingWithOrganisations,
    ///     given: true,
    ///     on: None,
    ///     method: ConsentMethod::SignedForm,
    ///     document_id: None,
    /// })?;
    /// let needs = core.assess_needs(&kim, case.id, case.version, NeedsInput {
    ///     needs: Needs::new(Gender::Female, AgeGroup::Adult),
    ///     assessed_on: None,
    ///     keep_together_with: vec![],
    ///     keep_apart_from: vec![],
    /// })?;
    /// let matches = core.placement_matches(&kim, case.id)?;
    /// assert_eq!(matches.eligible[0].facility_id, house.id);
    ///
    /// let today = core.clock().today();
    /// let placed = core.place(&kim, case.id, needs.case_version, house.id, today)?;
    /// assert_eq!(core.facility(&kim, house.id)?.occupancy, 1);
    /// // The default plan: a call on day 1, visits on day 7 and 90, a call on day 30.
    /// assert_eq!(placed.followups.len(), 4);
    /// # Ok::<(), unchain_core::CoreError>(())
    /// ```
    pub fn place(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        facility_id: Uuid,
        date: NaiveDate,
    ) -> Result<PlacementView> {
        let id = Uuid::now_v7();
        let now = self.clock.now();
        self.write(actor, Operation::PlacementManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, version)?;
            if case.data.state()?.has_open_placement() {
                return Err(CoreError::Refused(format!(
                    "case {} already has an open placement; move or exit it",
                    case.data.reference
                )));
            }
            // Placing tells a provider who the person is: that is sharing with an organisation.
            self.require_consent_in(
                backend,
                batch,
                case.data.person_id,
                ConsentScope::SharingWithOrganisations,
                date,
            )?;
            let (_, needs) = self.current_needs(backend, &case)?;
            let mut facility = records::load::<Facility>(backend, facility_id)?;
            self.require_eligible(&needs, &facility)?;
            let case = self.stage_match_if_needed(batch, case, actor, date, facility_id, false)?;
            self.stage_case_event(batch, &case, actor, date, EventKind::AftercarePlaced, None)?;
            let beds = needs.beds();
            facility.data.occupancy += beds;
            facility.data.updated_at = now;
            records::stage_put(batch, facility_id, &facility.data, Some(facility.version))?;
            let placement = Placement {
                case_id,
                person_id: case.data.person_id,
                beds,
                stays: vec![Stay {
                    facility_id,
                    from: date,
                    until: None,
                }],
                exit: None,
                placed_by: actor.name.clone(),
                recorded_at: now,
            };
            records::stage_put(batch, id, &placement, None)?;
            let followups =
                self.stage_followup_plan(backend, batch, &case.data, case_id, id, date)?;
            let mut targets = vec![
                records::target::<Case>(case_id),
                records::target::<Placement>(id),
                records::target::<Facility>(facility_id),
            ];
            targets.extend(
                followups
                    .iter()
                    .map(|f| records::target::<crate::followups::Followup>(*f)),
            );
            Ok((
                PlacementView {
                    id,
                    version: 1,
                    case_id,
                    case_version: case.version + 1,
                    beds,
                    facility_id: placement.facility_id(),
                    stays: placement.stays.clone(),
                    exited: None,
                    followups,
                },
                targets,
            ))
        })
    }

    /// Moves a placed person to another facility: old facility − beds, new + beds,
    /// `aftercare_moved`, one atomic write. `version` is the case's. Needs consent to sharing with
    /// organisations in force on `date`, as `place` does.
    pub fn move_placement(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        to_facility: Uuid,
        date: NaiveDate,
    ) -> Result<PlacementView> {
        let now = self.clock.now();
        self.write(actor, Operation::PlacementManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, version)?;
            let mut placement = open_placement(backend, case_id)?.ok_or_else(|| {
                CoreError::Refused(format!(
                    "case {} has no open placement to move",
                    case.data.reference
                ))
            })?;
            let from = placement.data.facility_id().unwrap_or_default();
            if from == to_facility {
                return Err(CoreError::Refused(
                    "the person already lives at that facility".into(),
                ));
            }
            // A move shares the person with the new facility's provider.
            self.require_consent_in(
                backend,
                batch,
                case.data.person_id,
                ConsentScope::SharingWithOrganisations,
                date,
            )?;
            let (_, needs) = self.current_needs(backend, &case)?;
            let mut to = records::load::<Facility>(backend, to_facility)?;
            // Free beds count the person's own beds: they are not yet freed at the old place.
            self.require_eligible(&needs, &to)?;
            if to.data.free() < placement.data.beds {
                return Err(CoreError::Refused(format!(
                    "facility {} has no room",
                    to.data.name
                )));
            }
            let mut old = records::load::<Facility>(backend, from)?;
            let data = self.stage_case_event(
                batch,
                &case,
                actor,
                date,
                EventKind::AftercareMoved {
                    facility: FacilityId(to_facility),
                },
                None,
            )?;
            let _ = data;
            self.release_beds(&mut old, placement.data.beds)?;
            old.data.updated_at = now;
            to.data.occupancy += placement.data.beds;
            to.data.updated_at = now;
            records::stage_put(batch, from, &old.data, Some(old.version))?;
            records::stage_put(batch, to_facility, &to.data, Some(to.version))?;
            if let Some(last) = placement.data.stays.last_mut() {
                last.until = Some(date);
            }
            placement.data.stays.push(Stay {
                facility_id: to_facility,
                from: date,
                until: None,
            });
            records::stage_put(
                batch,
                placement.id,
                &placement.data,
                Some(placement.version),
            )?;
            Ok((
                self.placement_view(&placement, version + 1, placement.version + 1),
                vec![
                    records::target::<Case>(case_id),
                    records::target::<Placement>(placement.id),
                    records::target::<Facility>(from),
                    records::target::<Facility>(to_facility),
                ],
            ))
        })
    }

    /// Ends a person's placement: facility − beds, `aftercare_exited`, the exit's reason and
    /// notes (sealed), one atomic write. `version` is the case's.
    pub fn exit_placement(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        exit: ExitInput,
    ) -> Result<PlacementView> {
        self.authorize(actor, Operation::PlacementManage)?;
        let mut errors = Vec::new();
        not_future(&mut errors, "on", exit.on, self.clock.today());
        optional(&mut errors, "notes", exit.notes.as_deref(), 4000);
        check(errors)?;
        let now = self.clock.now();
        self.write(actor, Operation::PlacementManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, version)?;
            let mut placement = open_placement(backend, case_id)?.ok_or_else(|| {
                CoreError::Refused(format!(
                    "case {} has no open placement to end",
                    case.data.reference
                ))
            })?;
            self.stage_case_event(
                batch,
                &case,
                actor,
                exit.on,
                EventKind::AftercareExited,
                None,
            )?;
            let at = placement.data.facility_id().unwrap_or_default();
            let mut facility = records::load::<Facility>(backend, at)?;
            self.release_beds(&mut facility, placement.data.beds)?;
            facility.data.updated_at = now;
            records::stage_put(batch, at, &facility.data, Some(facility.version))?;
            if let Some(last) = placement.data.stays.last_mut() {
                last.until = Some(exit.on);
            }
            let notes = match &exit.notes {
                Some(n) => Some(self.seal(
                    case.data.person_id,
                    Placement::KIND,
                    placement.id,
                    "exit_notes",
                    n,
                )?),
                None => None,
            };
            placement.data.exit = Some(PlacementExit {
                on: exit.on,
                reason: exit.reason,
                notes,
            });
            records::stage_put(
                batch,
                placement.id,
                &placement.data,
                Some(placement.version),
            )?;
            Ok((
                self.placement_view(&placement, version + 1, placement.version + 1),
                vec![
                    records::target::<Case>(case_id),
                    records::target::<Placement>(placement.id),
                    records::target::<Facility>(at),
                ],
            ))
        })
    }

    fn release_beds(&self, facility: &mut Entity<Facility>, beds: u32) -> Result<()> {
        facility.data.occupancy = facility.data.occupancy.checked_sub(beds).ok_or_else(|| {
            CoreError::Store(unchain_store::StoreError::Corrupt(format!(
                "facility {} holds fewer beds than its placements",
                facility.id
            )))
        })?;
        Ok(())
    }

    fn placement_view(
        &self,
        p: &Entity<Placement>,
        case_version: u64,
        version: u64,
    ) -> PlacementView {
        PlacementView {
            id: p.id,
            version,
            case_id: p.data.case_id,
            case_version,
            beds: p.data.beds,
            stays: p.data.stays.clone(),
            facility_id: if p.data.is_open() {
                p.data.facility_id()
            } else {
                None
            },
            exited: p.data.exit.as_ref().map(|e| (e.on, e.reason)),
            followups: Vec::new(),
        }
    }

    /// Every placement of a case (one per aftercare episode), oldest first.
    pub fn placements(&self, actor: &Actor, case_id: Uuid) -> Result<Vec<PlacementView>> {
        self.authorize(actor, Operation::PlacementRead)?;
        let case = records::load::<Case>(self.backend.as_ref(), case_id)?;
        let followups = crate::followups::followups_of_case(self.backend.as_ref(), case_id)?;
        Ok(
            crate::index::of_case::<Placement>(self.backend.as_ref(), case_id)?
                .into_iter()
                .map(|p| {
                    let mut v = self.placement_view(&p, case.version, p.version);
                    v.followups = followups
                        .iter()
                        .filter(|f| f.data.placement_id == p.id)
                        .map(|f| f.id)
                        .collect();
                    v
                })
                .collect(),
        )
    }

    /// Arranges transport to a facility (`version` is the case's): records the match first when
    /// the case is not matched to that facility, then `aftercare_transport_arranged`. Notes are
    /// sealed under the person.
    pub fn arrange_transport(
        &self,
        actor: &Actor,
        case_id: Uuid,
        version: u64,
        input: TransportInput,
    ) -> Result<TransportView> {
        self.authorize(actor, Operation::PlacementManage)?;
        let today = self.clock.today();
        let arranged_on = input.arranged_on.unwrap_or(today);
        let mut errors = Vec::new();
        required(&mut errors, "from_area", &input.from_area, 200);
        required(&mut errors, "escort", &input.escort, 200);
        optional(&mut errors, "notes", input.notes.as_deref(), 4000);
        not_future(&mut errors, "arranged_on", arranged_on, today);
        check(errors)?;
        let id = Uuid::now_v7();
        let case_version = self.write(actor, Operation::PlacementManage, |backend, batch| {
            let case = records::load_at::<Case>(backend, case_id, version)?;
            let (_, needs) = self.current_needs(backend, &case)?;
            let facility = records::load::<Facility>(backend, input.facility_id)?;
            self.require_eligible(&needs, &facility)?;
            records::stage_check(batch, &facility);
            let case = self.stage_match_if_needed(
                batch,
                case,
                actor,
                arranged_on,
                input.facility_id,
                true,
            )?;
            self.stage_case_event(
                batch,
                &case,
                actor,
                arranged_on,
                EventKind::AftercareTransportArranged,
                None,
            )?;
            let person_id = case.data.person_id;
            let notes = match &input.notes {
                Some(n) => Some(self.seal(person_id, Transport::KIND, id, "notes", n)?),
                None => None,
            };
            let record = Transport {
                case_id,
                person_id,
                from_area: input.from_area.trim().to_owned(),
                facility_id: input.facility_id,
                when: input.when,
                escort: input.escort.trim().to_owned(),
                notes,
                arranged_on,
                arranged_by: actor.name.clone(),
            };
            records::stage_put(batch, id, &record, None)?;
            Ok((
                case.version + 1,
                vec![
                    records::target::<Case>(case_id),
                    records::target::<Transport>(id),
                ],
            ))
        })?;
        Ok(TransportView {
            id,
            case_id,
            case_version,
            from_area: input.from_area.trim().to_owned(),
            facility_id: input.facility_id,
            when: input.when,
            escort: input.escort.trim().to_owned(),
            notes: input.notes,
            arranged_on,
        })
    }

    /// A case's transports, oldest first. Notes are shown only to roles that may see identities,
    /// and that read is audited.
    pub fn transports(&self, actor: &Actor, case_id: Uuid) -> Result<Vec<TransportView>> {
        self.authorize(actor, Operation::PlacementRead)?;
        let case = records::load::<Case>(self.backend.as_ref(), case_id)?;
        let identity = auth::allowed(actor.role, Operation::PersonIdentity);
        let mut opened = Vec::new();
        let mut out = Vec::new();
        for t in crate::index::of_case::<Transport>(self.backend.as_ref(), case_id)? {
            let notes = match (&t.data.notes, identity) {
                (Some(s), true) => {
                    let n = self.unseal::<String>(s, Transport::KIND, t.id, "notes")?;
                    if n.is_some() {
                        opened.push(records::target::<Transport>(t.id));
                    }
                    n
                }
                _ => None,
            };
            out.push(TransportView {
                id: t.id,
                case_id,
                case_version: case.version,
                from_area: t.data.from_area,
                facility_id: t.data.facility_id,
                when: t.data.when,
                escort: t.data.escort,
                notes,
                arranged_on: t.data.arranged_on,
            });
        }
        if !opened.is_empty() {
            self.audit_read(actor, Operation::PersonIdentity, &opened)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::consent::{ConsentMethod, NewConsent};
    use crate::facilities::tests::{by_role, house};
    use crate::followups::{ContactInput, ContactKind, ContactOutcome, FollowupStatus};
    use crate::testing::{core, cores, dump, dump_any, staff};
    use proptest::prelude::*;
    use unchain_placement::Optimality;

    /// The shared builders, under the names the tests of this and other modules use.
    pub(crate) use crate::testing::{date as d, needs, rescued_case};

    pub(crate) fn version(core: &Unchain, case_id: Uuid) -> u64 {
        records::load::<Case>(core.backend.as_ref(), case_id)
            .expect("case")
            .version
    }

    /// Occupancy equals the beds of the open placements there, and never exceeds capacity.
    pub(crate) fn assert_occupancy(core: &Unchain) {
        let backend = core.backend.as_ref();
        let placements = records::all::<Placement>(backend).expect("placements");
        for f in records::all::<Facility>(backend).expect("facilities") {
            let beds: u32 = placements
                .iter()
                .filter(|p| p.data.is_open() && p.data.facility_id() == Some(f.id))
                .map(|p| p.data.beds)
                .sum();
            assert_eq!(f.data.occupancy, beds, "occupancy of {}", f.data.name);
            assert!(f.data.occupancy <= f.data.capacity);
        }
        // And the cases agree with the placements: a case is placed exactly where its one open
        // placement is (earlier episodes are closed).
        for case in records::all::<Case>(backend).expect("cases") {
            let at = case.data.state().expect("replays").placed_at().map(|f| f.0);
            let open: Vec<_> = placements
                .iter()
                .filter(|p| p.data.case_id == case.id && p.data.is_open())
                .map(|p| p.data.facility_id())
                .collect();
            match at {
                Some(f) => assert_eq!(open, [Some(f)]),
                None => assert!(open.is_empty()),
            }
        }
    }

    #[test]
    fn scenario_needs_matches_assign_place_transport_followups_move_exit() {
        for t in cores() {
            eprintln!("backend: {}", t.name);
            scenario(&t.core, t.backend.as_ref());
        }
    }

    fn scenario(core: &Unchain, backend: &dyn Backend) {
        let dump = dump_any;
        let staff = staff(core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let analyst = by_role(&staff, Role::Analyst);

        // Three facilities: Rose (3 beds), Lily (1 bed, to be filled), Iris (closed).
        let rose = core.create_facility(coord, house("Rose", 3)).expect("rose");
        let lily = core.create_facility(coord, house("Lily", 1)).expect("lily");
        let iris = core.create_facility(coord, house("Iris", 2)).expect("iris");
        let iris = core
            .set_facility_open(coord, iris.id, iris.version, false)
            .expect("closed");

        // Someone already lives at Lily: it is full.
        let c0 = rescued_case(core, coord, "Resident Zero");
        core.assess_needs(coord, c0, version(core, c0), needs(0))
            .expect("needs");
        core.place(coord, c0, version(core, c0), lily.id, d(2024, 4, 4))
            .expect("placed at lily");

        // A mother and an adult daughter, to be kept together.
        let c1 = rescued_case(core, coord, "Mother Test");
        let c2 = rescued_case(core, coord, "Daughter Test");
        let mut n1 = needs(0);
        n1.keep_together_with = vec![c2];
        let s1 = core
            .assess_needs(coord, c1, version(core, c1), n1)
            .expect("needs 1");
        assert_eq!(s1.beds, 1);
        let seen = core.needs_assessment(coord, c1).expect("needs read");
        assert_eq!(seen.needs.as_ref().map(|n| n.dependants), Some(0));
        assert!(
            !format!("{seen:?}").contains("sq"),
            "Debug redacts the needs"
        );
        let hidden = core.needs_assessment(analyst, c1).expect("analyst reads");
        assert_eq!(hidden.needs, None);
        assert_eq!(hidden.summary.keep_together_with, [c2]);
        assert_eq!(hidden.summary.beds, 1);
        core.assess_needs(coord, c2, version(core, c2), needs(0))
            .expect("needs 2");

        let m = core.placement_matches(coord, c1).expect("matches");
        assert_eq!(
            m.eligible.iter().map(|e| e.facility_id).collect::<Vec<_>>(),
            [rose.id]
        );
        assert_eq!(m.eligible[0].free, 3);
        assert_eq!(
            m.eligible[0].score.total,
            m.eligible[0]
                .score
                .parts
                .iter()
                .map(|p| p.points)
                .sum::<u32>()
        );
        let why = |id: Uuid| -> Vec<String> {
            m.ineligible
                .iter()
                .find(|i| i.facility_id == id)
                .map(|i| i.reasons.iter().map(constraint_name).collect())
                .unwrap_or_default()
        };
        assert_eq!(why(lily.id), ["no_free_beds"]);
        assert_eq!(why(iris.id), ["closed_to_referrals"]);
        assert!(matches!(
            core.placement_matches(analyst, c1),
            Err(CoreError::Forbidden { .. })
        ));

        let before = dump(backend);
        let proposal = core
            .placement_assign(
                coord,
                &AssignRequest {
                    rescue_id: None,
                    case_ids: vec![c2, c1],
                },
            )
            .expect("proposal");
        assert_eq!(dump(backend), before, "a proposal writes nothing");
        assert_eq!(proposal.groups.keep_together.len(), 1);
        assert!(matches!(
            proposal.assignment.optimality,
            Optimality::Proven { .. }
        ));
        let placed: Vec<_> = proposal
            .assignment
            .placements
            .iter()
            .map(|p| p.facility_id.clone())
            .collect();
        assert_eq!(placed, [rose.id.to_string(), rose.id.to_string()]);

        // Transport for the mother, then place both.
        let t = core
            .arrange_transport(
                coord,
                c1,
                version(core, c1),
                TransportInput {
                    from_area: "Oldham".into(),
                    facility_id: rose.id,
                    when: "2024-04-05T10:00:00Z".parse().expect("instant"),
                    escort: "Sam Keyworker".into(),
                    notes: Some("pick up at the back door".into()),
                    arranged_on: Some(d(2024, 4, 4)),
                },
            )
            .expect("transport");
        let state = records::load::<Case>(backend, c1)
            .expect("case")
            .data
            .state()
            .expect("state")
            .aftercare();
        assert_eq!(
            state,
            AftercareState::TransportArranged {
                facility: FacilityId(rose.id)
            }
        );
        let p1 = core
            .place(coord, c1, t.case_version, rose.id, d(2024, 4, 5))
            .expect("placed");
        core.place(coord, c2, version(core, c2), rose.id, d(2024, 4, 5))
            .expect("placed 2");
        assert_eq!(core.facility(coord, rose.id).expect("rose").occupancy, 2);
        assert_occupancy(core);
        let seen = core
            .transports(analyst, c1)
            .expect("analysts read transports");
        assert_eq!(seen[0].notes, None, "notes only for identity roles");
        assert_eq!(seen[0].escort, "Sam Keyworker");
        let by_coord = core.transports(coord, c1).expect("transports");
        assert_eq!(
            by_coord[0].notes.as_deref(),
            Some("pick up at the back door")
        );

        // Follow-ups at day 1, 7, 30 and 90 after 2024-04-05.
        let plan = core.followups(coord, c1).expect("followups");
        assert_eq!(plan.len(), 4);
        assert_eq!(p1.followups.len(), 4);
        let due: Vec<_> = plan.iter().map(|f| (f.due_on, f.kind)).collect();
        assert_eq!(
            due,
            [
                (d(2024, 4, 6), ContactKind::Call),
                (d(2024, 4, 12), ContactKind::Visit),
                (d(2024, 5, 5), ContactKind::Call),
                (d(2024, 7, 4), ContactKind::Visit),
            ]
        );
        let log = |i: usize, on: NaiveDate, outcome: ContactOutcome| {
            let line = &core.followups(coord, c1).expect("followups")[i];
            core.log_followup(
                coord,
                line.id,
                line.version,
                ContactInput {
                    on: Some(on),
                    kind: line.kind,
                    outcome,
                    notes: Some("she says the house is quiet".into()),
                },
            )
            .expect("logged")
        };
        assert_eq!(
            log(0, d(2024, 4, 6), ContactOutcome::Reached).status,
            FollowupStatus::OnTime
        );
        // Visit due 04-12, on time until 04-15 (three days' grace); done 04-16: late.
        assert_eq!(
            log(1, d(2024, 4, 16), ContactOutcome::ConcernRaised).status,
            FollowupStatus::Late
        );
        // The day-30 call did not get through: still open.
        let open = log(2, d(2024, 5, 5), ContactOutcome::NotReached);
        assert_eq!(open.completed_on, None);

        let mine =
            |lines: Vec<crate::followups::FollowupLine>| -> Vec<(NaiveDate, FollowupStatus)> {
                lines
                    .into_iter()
                    .filter(|l| l.case_id == c1)
                    .map(|l| (l.due_on, l.status))
                    .collect()
            };
        assert_eq!(
            mine(core.followups_due(analyst, d(2024, 5, 7)).expect("due")),
            [(d(2024, 5, 5), FollowupStatus::Due)]
        );
        assert!(
            mine(
                core.followups_overdue(coord, d(2024, 5, 8))
                    .expect("overdue")
            )
            .is_empty(),
            "05-08 is the last day of grace"
        );
        assert_eq!(
            mine(
                core.followups_overdue(coord, d(2024, 5, 9))
                    .expect("overdue")
            ),
            [(d(2024, 5, 5), FollowupStatus::Overdue)]
        );
        // As of 04-10 the late visit was not yet done, and not yet overdue.
        assert_eq!(
            mine(core.followups_due(coord, d(2024, 4, 13)).expect("due")),
            [(d(2024, 4, 12), FollowupStatus::Due)]
        );
        let lines = core.followups_due(analyst, d(2024, 5, 7)).expect("due");
        assert!(!format!("{lines:?}").contains("Mother"), "pseudonyms only");

        // Move: into the closed house is refused and writes nothing; reopened, it works.
        let before = dump(backend);
        let refused = core.move_placement(coord, c1, version(core, c1), iris.id, d(2024, 5, 1));
        assert!(
            matches!(&refused, Err(CoreError::Refused(r)) if r.contains("closed_to_referrals")),
            "{refused:?}"
        );
        assert_eq!(dump(backend), before);
        core.set_facility_open(coord, iris.id, iris.version, true)
            .expect("reopened");
        let moved = core
            .move_placement(coord, c1, version(core, c1), iris.id, d(2024, 5, 1))
            .expect("moved");
        assert_eq!(moved.facility_id, Some(iris.id));
        assert_eq!(moved.stays.len(), 2);
        assert_eq!(core.facility(coord, rose.id).expect("rose").occupancy, 1);
        assert_eq!(core.facility(coord, iris.id).expect("iris").occupancy, 1);
        assert_occupancy(core);

        // Exit.
        let exited = core
            .exit_placement(
                coord,
                c1,
                version(core, c1),
                ExitInput {
                    on: d(2024, 5, 20),
                    reason: ExitReason::MovedOn,
                    notes: Some("council flat".into()),
                },
            )
            .expect("exited");
        assert_eq!(exited.exited, Some((d(2024, 5, 20), ExitReason::MovedOn)));
        assert_eq!(exited.facility_id, None);
        assert_eq!(core.facility(coord, iris.id).expect("iris").occupancy, 0);
        assert_occupancy(core);
        let history = core.placements(analyst, c1).expect("placements");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].followups.len(), 4);

        // Capacity may not go below occupancy (Rose holds one).
        let rose_now = core.facility(coord, rose.id).expect("rose");
        let before = dump(backend);
        let Err(CoreError::Validation(e)) =
            core.update_facility(coord, rose.id, rose_now.version, house("Rose", 0))
        else {
            panic!("capacity 0 refused")
        };
        assert_eq!(e[0].field, "capacity");
        let mut smaller = house("Rose", 1);
        smaller.capacity = 1;
        core.update_facility(coord, rose.id, rose_now.version, smaller)
            .expect("1 = occupancy is fine");
        assert_ne!(dump(backend), before);

        // Nothing personal in clear anywhere.
        let raw = crate::testing::raw_bytes(backend);
        for secret in [
            "back door",
            "house is quiet",
            "council flat",
            "Secret Street",
        ] {
            assert!(!crate::testing::contains(&raw, secret), "{secret}");
        }
    }

    #[test]
    fn placing_and_moving_need_consent_to_share_with_organisations() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let rose = core.create_facility(coord, house("Rose", 2)).expect("rose");
        let lily = core.create_facility(coord, house("Lily", 2)).expect("lily");
        let c = rescued_case(&core, coord, "Consent Test");
        let person = records::load::<Case>(backend.as_ref(), c)
            .expect("case")
            .data
            .person_id;
        let consent = |given: bool, on: NaiveDate| {
            core.record_consent(
                coord,
                person,
                NewConsent {
                    scope: ConsentScope::SharingWithOrganisations,
                    given,
                    on: Some(on),
                    method: ConsentMethod::VerbalInterpreted,
                    document_id: None,
                },
            )
            .expect("consent recorded");
        };
        consent(false, d(2024, 4, 2));
        core.assess_needs(coord, c, version(&core, c), needs(0))
            .expect("needs");
        let before = dump(&backend);
        let refused = core.place(coord, c, version(&core, c), rose.id, d(2024, 4, 5));
        assert!(
            matches!(&refused, Err(CoreError::Refused(r)) if r.contains("sharing_with_organisations")),
            "{refused:?}"
        );
        assert_eq!(dump(&backend), before);
        consent(true, d(2024, 4, 4));
        core.place(coord, c, version(&core, c), rose.id, d(2024, 4, 5))
            .expect("placed with consent");
        consent(false, d(2024, 5, 1));
        let before = dump(&backend);
        assert!(matches!(
            core.move_placement(coord, c, version(&core, c), lily.id, d(2024, 5, 2)),
            Err(CoreError::Refused(_))
        ));
        assert_eq!(dump(&backend), before);
        // Leaving never needs consent.
        core.exit_placement(
            coord,
            c,
            version(&core, c),
            ExitInput {
                on: d(2024, 5, 2),
                reason: ExitReason::LeftVoluntarily,
                notes: None,
            },
        )
        .expect("exit");
        assert_occupancy(&core);
    }

    #[test]
    fn stale_versions_conflict_and_write_nothing() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let rose = core.create_facility(coord, house("Rose", 2)).expect("rose");
        let c = rescued_case(&core, coord, "Stale Test");
        let v = version(&core, c);
        core.assess_needs(coord, c, v, needs(0)).expect("needs");
        let before = dump(&backend);
        assert!(matches!(
            core.place(coord, c, v, rose.id, d(2024, 4, 5)),
            Err(CoreError::Conflict { kind: "case", .. })
        ));
        assert!(matches!(
            core.assess_needs(coord, c, v, needs(0)),
            Err(CoreError::Conflict { .. })
        ));
        assert_eq!(dump(&backend), before);
        core.place(coord, c, version(&core, c), rose.id, d(2024, 4, 5))
            .expect("placed");
        // The facility's description carries its version too: occupancy changed it.
        assert!(matches!(
            core.update_facility(coord, rose.id, rose.version, house("Rose", 3)),
            Err(CoreError::Conflict {
                kind: "facility",
                ..
            })
        ));
    }

    #[test]
    fn concurrent_placements_into_the_last_bed_place_exactly_one() {
        for t in cores() {
            race_for_the_last_bed(&t.core);
        }
    }

    fn race_for_the_last_bed(core: &Unchain) {
        let staff = staff(core);
        let coord = by_role(&staff, Role::AftercareCoordinator).clone();
        let rose = core
            .create_facility(&coord, house("Rose", 1))
            .expect("rose");
        let cases: Vec<_> = (0..4)
            .map(|i| {
                let c = rescued_case(core, &coord, &format!("Racer {i}"));
                core.assess_needs(&coord, c, version(core, c), needs(0))
                    .expect("needs");
                (c, version(core, c))
            })
            .collect();
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = cases
                .iter()
                .map(|(c, v)| {
                    let coord = &coord;
                    s.spawn(move || core.place(coord, *c, *v, rose.id, d(2024, 4, 5)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let ok = crate::testing::placed_or_lost_race(&results);
        assert_eq!(ok, 1, "{results:?}");
        assert_eq!(core.facility(&coord, rose.id).expect("rose").occupancy, 1);
        assert_occupancy(core);
    }

    #[test]
    fn validation_names_every_field_and_writes_nothing() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let rose = core.create_facility(coord, house("Rose", 2)).expect("rose");
        let c = rescued_case(&core, coord, "Valid Test");
        let before = dump(&backend);
        let mut bad = needs(0);
        bad.needs.languages = [" ".to_string()].into();
        bad.needs.exclusion_zones.push(placement::ExclusionZone {
            kind: placement::ExclusionKind::PerpetratorAddress,
            centre: placement::GeoPoint::new(53.4, -2.2),
            radius_km: -1.0,
        });
        bad.assessed_on = Some(d(2030, 1, 1));
        bad.keep_together_with = vec![c, Uuid::nil()];
        let Err(CoreError::Validation(e)) = core.assess_needs(coord, c, version(&core, c), bad)
        else {
            panic!("invalid needs")
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "needs.languages[0]",
                "needs.exclusion_zones[0].radius_km",
                "assessed_on",
                "keep_together_with[0]",
                "keep_together_with[1]"
            ]
        );
        assert_eq!(dump(&backend), before);

        let Err(CoreError::Validation(e)) = core.arrange_transport(
            coord,
            c,
            version(&core, c),
            TransportInput {
                from_area: " ".into(),
                facility_id: rose.id,
                when: "2024-04-05T10:00:00Z".parse().expect("instant"),
                escort: String::new(),
                notes: Some("x".repeat(4001)),
                arranged_on: Some(d(2030, 1, 1)),
            },
        ) else {
            panic!("invalid transport")
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from_area", "escort", "notes", "arranged_on"]);
        // Rules: placing without a needs assessment is refused (lifecycle or service) and
        // writes nothing; so is an analyst (who is denied, which only audits the denial).
        assert!(matches!(
            core.place(coord, c, version(&core, c), rose.id, d(2024, 4, 5)),
            Err(CoreError::Refused(_))
        ));
        let Err(CoreError::Validation(e)) = core.placement_assign(coord, &AssignRequest::default())
        else {
            panic!("empty batch")
        };
        assert_eq!(e[0].field, "case_ids");
        let Err(CoreError::Validation(e)) = core.placement_assign(
            coord,
            &AssignRequest {
                rescue_id: Some(Uuid::nil()),
                case_ids: vec![c],
            },
        ) else {
            panic!("bad batch")
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["rescue_id"]);
        assert_eq!(dump(&backend), before);
    }

    #[test]
    fn roles_only_placement_roles_place() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let rose = core.create_facility(coord, house("Rose", 2)).expect("rose");
        let c = rescued_case(&core, coord, "Role Test");
        core.assess_needs(coord, c, version(&core, c), needs(0))
            .expect("needs");
        for actor in &staff {
            let allowed = auth::allowed(actor.role, Operation::PlacementManage);
            if allowed {
                continue;
            }
            let r = core.place(actor, c, version(&core, c), rose.id, d(2024, 4, 5));
            assert!(
                matches!(r, Err(CoreError::Forbidden { .. })),
                "{}",
                actor.role
            );
        }
        let _ = backend;
        assert_occupancy(&core);
    }

    #[test]
    fn a_second_episode_after_an_exit_places_again() {
        // Found by the proptest below: assess, place, exit, reassess, place.
        let (core, _) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let a = core.create_facility(coord, house("A", 1)).expect("a").id;
        let c = rescued_case(&core, coord, "Episode Test");
        for _ in 0..2 {
            let mut n = needs(0);
            n.assessed_on = Some(d(2024, 5, 1));
            core.assess_needs(coord, c, version(&core, c), n)
                .expect("needs");
            core.place(coord, c, version(&core, c), a, d(2024, 5, 1))
                .expect("placed");
            assert_occupancy(&core);
            core.exit_placement(
                coord,
                c,
                version(&core, c),
                ExitInput {
                    on: d(2024, 5, 1),
                    reason: ExitReason::MovedOn,
                    notes: None,
                },
            )
            .expect("exit");
            assert_occupancy(&core);
        }
        assert_eq!(core.placements(coord, c).expect("placements").len(), 2);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Assess(usize),
        Place(usize, usize),
        Move(usize, usize),
        Exit(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..4).prop_map(Op::Assess),
            (0usize..4, 0usize..3).prop_map(|(c, f)| Op::Place(c, f)),
            (0usize..4, 0usize..3).prop_map(|(c, f)| Op::Move(c, f)),
            (0usize..4).prop_map(Op::Exit),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        // Random place / move / exit (and reassessments) across three small facilities keep
        // occupancy equal to the beds of the open placements, never above capacity; every
        // refused call writes nothing.
        #[test]
        fn occupancy_always_matches_open_placements(ops in proptest::collection::vec(op(), 1..24)) {
            let (core, backend) = core();
            let staff = staff(&core);
            let coord = by_role(&staff, Role::AftercareCoordinator);
            let facilities: Vec<_> = [("A", 1), ("B", 2), ("C", 2)]
                .into_iter()
                .map(|(n, cap)| core.create_facility(coord, house(n, cap)).expect("facility").id)
                .collect();
            let cases: Vec<_> = (0..4)
                .map(|i| rescued_case(&core, coord, &format!("Prop {i}")))
                .collect();
            let day = d(2024, 5, 1);
            for op in ops {
                let before = dump(&backend);
                let result = match op {
                    Op::Assess(c) => {
                        let mut n = needs((c % 2) as u32);
                        n.assessed_on = Some(day);
                        core.assess_needs(coord, cases[c], version(&core, cases[c]), n).map(|_| ())
                    }
                    Op::Place(c, f) => core
                        .place(coord, cases[c], version(&core, cases[c]), facilities[f], day)
                        .map(|_| ()),
                    Op::Move(c, f) => core
                        .move_placement(coord, cases[c], version(&core, cases[c]), facilities[f], day)
                        .map(|_| ()),
                    Op::Exit(c) => core
                        .exit_placement(
                            coord,
                            cases[c],
                            version(&core, cases[c]),
                            ExitInput { on: day, reason: ExitReason::MovedOn, notes: None },
                        )
                        .map(|_| ()),
                };
                if let Err(e) = &result {
                    prop_assert!(
                        matches!(e, CoreError::Refused(_) | CoreError::Validation(_)),
                        "{:?}", e
                    );
                    prop_assert_eq!(dump(&backend), before, "refused {:?} wrote", op);
                }
                assert_occupancy(&core);
            }
        }
    }
}
