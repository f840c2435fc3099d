//! Rescue operations: on a date, in an area, with partner agencies, one or more people are
//! removed from exploitation. Each person either is new — a person and a case are opened with
//! `opened` and `rescued` events — or already has a case, which *joins* the rescue with a
//! `rescued` event through the lifecycle's guards. The rescue record and every case it creates
//! or moves are written in one atomic batch: one invalid person and nothing is written.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_lifecycle::{Event, EventKind, RescueOrigin, Stage};
use unchain_nrm::{ExploitationType, Jurisdiction};
use uuid::Uuid;

use crate::auth::Operation;
use crate::cases::{Case, NewCase, PreparedCase, stage_new_case};
use crate::error::{FieldError, Result};
use crate::intel::{IntelligenceReport, dedup, validate_area};
use crate::people::PersonDetails;
use crate::records::{self, Entity, Record};
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, not_future, required};

/// The most people one rescue record takes.
pub const MAX_RESCUED: usize = 500;

/// One person freed in a rescue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RescuedPerson {
    /// Someone without a case yet: a person and a case are opened on the rescue's day.
    New {
        /// Who they are (sealed under the new person's key).
        person: PersonDetails,
        /// Where the case is handled; defaults to England and Wales.
        #[serde(default = "default_jurisdiction")]
        jurisdiction: Jurisdiction,
        /// Exploitation types identified so far.
        #[serde(default)]
        exploitation: Vec<ExploitationType>,
        /// The responsible staff member's user name; defaults to the actor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// How they came to be free; defaults to `found_in_operation`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<RescueOrigin>,
    },
    /// Someone whose case exists: the case joins the rescue.
    Existing {
        /// The case.
        case_id: Uuid,
        /// The case's version as read; when given, a stale one is a conflict.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
        /// How they came to be free; defaults to `planned_operation` when the case's stage is
        /// `rescue_planned`, else `found_in_operation`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<RescueOrigin>,
    },
}

fn default_jurisdiction() -> Jurisdiction {
    Jurisdiction::EnglandAndWales
}

/// A rescue to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRescue {
    /// The day of the rescue.
    pub date: NaiveDate,
    /// The area or town (never an address).
    pub area: String,
    /// Partner agencies (a police force, the GLAA, a local authority, another NGO).
    #[serde(default)]
    pub partner_agencies: Vec<String>,
    /// The intelligence reports the rescue acted on (new cases are linked to them).
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    /// The people rescued.
    pub people: Vec<RescuedPerson>,
}

/// One person of a recorded rescue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescuedEntry {
    /// Their case.
    pub case_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// `true` when the case existed and joined the rescue; `false` when the rescue opened it.
    pub joined: bool,
    /// How they came to be free.
    pub origin: RescueOrigin,
}

/// A rescue as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rescue {
    /// The day.
    pub date: NaiveDate,
    /// The area or town.
    pub area: String,
    /// Partner agencies.
    pub partner_agencies: Vec<String>,
    /// Source reports.
    pub report_ids: Vec<Uuid>,
    /// The people, in the order given.
    pub people: Vec<RescuedEntry>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl Record for Rescue {
    const COLLECTION: &'static str = "rescues";
    const KIND: &'static str = "rescue";
}

impl Rescue {
    /// The cases of the people rescued, in the order given.
    pub fn case_ids(&self) -> Vec<Uuid> {
        self.people.iter().map(|p| p.case_id).collect()
    }
}

/// A person of the request, once validated.
enum Planned {
    New(Box<NewCase>, Uuid, RescueOrigin),
    Existing(Uuid, Option<u64>, RescueOrigin),
}

impl Unchain {
    /// Records a rescue: opens a case for each new person, records `rescued` on each existing
    /// case, and stores the rescue — all in one atomic write. Every invalid person is named
    /// (`people[2].person.names[0]`, `people[1].case_id`) and nothing is written.
    pub fn record_rescue(&self, actor: &Actor, new: NewRescue) -> Result<Entity<Rescue>> {
        self.authorize(actor, Operation::RescueManage)?;
        let today = self.clock.today();
        let mut errors = Vec::new();
        not_future(&mut errors, "date", new.date, today);
        validate_area("area", &new.area, &mut errors);
        for (i, a) in new.partner_agencies.iter().enumerate() {
            required(&mut errors, &format!("partner_agencies[{i}]"), a, 200);
        }
        for (i, r) in new.report_ids.iter().enumerate() {
            if records::find::<IntelligenceReport>(self.backend.as_ref(), *r)?.is_none() {
                errors.push(FieldError::new(
                    format!("report_ids[{i}]"),
                    format!("no intelligence report {r}"),
                ));
            }
        }
        if new.people.is_empty() {
            errors.push(FieldError::new(
                "people",
                "a rescue frees at least one person",
            ));
        }
        if new.people.len() > MAX_RESCUED {
            errors.push(FieldError::new(
                "people",
                format!("at most {MAX_RESCUED} people per rescue record"),
            ));
        }
        let report_ids = dedup(&new.report_ids);
        let mut planned = Vec::with_capacity(new.people.len());
        let mut seen_cases = Vec::new();
        for (i, p) in new.people.iter().enumerate() {
            let prefix = format!("people[{i}].");
            match p {
                RescuedPerson::New {
                    person,
                    jurisdiction,
                    exploitation,
                    owner,
                    origin,
                } => {
                    let case = NewCase {
                        person: person.clone(),
                        jurisdiction: *jurisdiction,
                        exploitation: exploitation.clone(),
                        opened_on: Some(new.date),
                        owner: owner.clone(),
                        report_ids: Vec::new(),
                    };
                    let owner = self.validate_new_case(actor, &case, &prefix, &mut errors)?;
                    let origin = origin.unwrap_or(RescueOrigin::FoundInOperation);
                    if origin == RescueOrigin::PlannedOperation {
                        errors.push(FieldError::new(
                            format!("{prefix}origin"),
                            "a planned rescue needs a case with a rescue plan; a new person is found in the operation",
                        ));
                    }
                    planned.push(Planned::New(Box::new(case), owner, origin));
                }
                RescuedPerson::Existing {
                    case_id,
                    version,
                    origin,
                } => {
                    let field = format!("{prefix}case_id");
                    if seen_cases.contains(case_id) {
                        errors.push(FieldError::new(field, "the case is listed twice"));
                        continue;
                    }
                    seen_cases.push(*case_id);
                    let Some(case) = records::find::<Case>(self.backend.as_ref(), *case_id)? else {
                        errors.push(FieldError::new(field, format!("no case {case_id}")));
                        continue;
                    };
                    let state = case.data.state()?;
                    let origin = origin.unwrap_or(if state.stage() == Some(Stage::RescuePlanned) {
                        RescueOrigin::PlannedOperation
                    } else {
                        RescueOrigin::FoundInOperation
                    });
                    let event = Event::new(
                        new.date,
                        unchain_lifecycle::ActorId(actor.id),
                        EventKind::Rescued { origin },
                    );
                    if let Err(guard) = state.check(&event) {
                        errors.push(FieldError::new(
                            field,
                            format!("the case cannot join the rescue: {guard}"),
                        ));
                    }
                    planned.push(Planned::Existing(*case_id, *version, origin));
                }
            }
        }
        check(errors)?;

        // Everything is valid: seal the new people (this creates their keys) and write.
        let rescue_id = Uuid::now_v7();
        let mut prepared: Vec<(PreparedCase, RescueOrigin)> = Vec::new();
        for (i, p) in planned.iter().enumerate() {
            if let Planned::New(case, owner, origin) = p {
                let mut built = self.build_new_case(
                    actor,
                    case,
                    *owner,
                    Uuid::now_v7(),
                    Uuid::now_v7(),
                    Some((rescue_id, new.date, *origin)),
                    &format!("people[{i}]."),
                )?;
                built.case.report_ids = report_ids.clone();
                prepared.push((built, *origin));
            }
        }
        let partner_agencies: Vec<String> = new
            .partner_agencies
            .iter()
            .map(|a| a.trim().to_owned())
            .collect();
        let rescue = self.write(actor, Operation::RescueManage, |backend, batch| {
            let mut people = Vec::with_capacity(planned.len());
            let mut targets = vec![records::target::<Rescue>(rescue_id)];
            let mut fresh = prepared.iter();
            for p in &planned {
                match p {
                    Planned::New(..) => {
                        let (built, origin) = fresh.next().ok_or_else(|| {
                            crate::CoreError::Store(unchain_store::StoreError::Backend(
                                "rescue: prepared cases out of step".into(),
                            ))
                        })?;
                        targets.extend(stage_new_case(batch, built)?);
                        people.push(RescuedEntry {
                            case_id: built.case_id,
                            person_id: built.person_id,
                            joined: false,
                            origin: *origin,
                        });
                    }
                    Planned::Existing(case_id, version, origin) => {
                        let mut case = match version {
                            Some(v) => records::load_at::<Case>(backend, *case_id, *v)?,
                            None => records::load::<Case>(backend, *case_id)?,
                        };
                        case.data.rescue_id = Some(rescue_id);
                        for r in &report_ids {
                            if !case.data.report_ids.contains(r) {
                                case.data.report_ids.push(*r);
                            }
                        }
                        self.stage_case_event(
                            batch,
                            &case,
                            actor,
                            new.date,
                            EventKind::Rescued { origin: *origin },
                            None,
                        )?;
                        targets.push(records::target::<Case>(*case_id));
                        people.push(RescuedEntry {
                            case_id: *case_id,
                            person_id: case.data.person_id,
                            joined: true,
                            origin: *origin,
                        });
                    }
                }
            }
            for r in &report_ids {
                records::stage_check(batch, &records::load::<IntelligenceReport>(backend, *r)?);
            }
            let rescue = Rescue {
                date: new.date,
                area: new.area.trim().to_owned(),
                partner_agencies: partner_agencies.clone(),
                report_ids: report_ids.clone(),
                people,
                recorded_by: actor.name.clone(),
                recorded_at: self.clock.now(),
            };
            records::stage_put(batch, rescue_id, &rescue, None)?;
            Ok((rescue, targets))
        })?;
        Ok(Entity {
            id: rescue_id,
            version: 1,
            data: rescue,
        })
    }

    /// One rescue.
    pub fn rescue(&self, actor: &Actor, id: Uuid) -> Result<Entity<Rescue>> {
        self.authorize(actor, Operation::RescueRead)?;
        records::load(self.backend.as_ref(), id)
    }

    /// Every rescue, oldest first.
    pub fn rescues(&self, actor: &Actor) -> Result<Vec<Entity<Rescue>>> {
        self.authorize(actor, Operation::RescueRead)?;
        let mut all = records::all::<Rescue>(self.backend.as_ref())?;
        all.sort_by_key(|r| (r.data.date, r.id));
        Ok(all)
    }
}
