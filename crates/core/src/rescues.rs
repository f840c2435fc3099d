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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RescuedPerson {
    /// Someone without a case yet: a person and a case are opened on the rescue's day.
    New {
        /// Who they are (sealed under the new person's key).
        person: PersonDetails,
        /// Where the case is handled; defaults to England and Wales.
        #[serde(default = "default_jurisdiction")]
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<Jurisdiction>))]
        jurisdiction: Jurisdiction,
        /// Exploitation types identified so far.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::many::<ExploitationType>))]
        exploitation: Vec<ExploitationType>,
        /// The responsible staff member's user name; defaults to the actor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// How they came to be free; defaults to `found_in_operation`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::optional::<RescueOrigin>))]
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
        #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::optional::<RescueOrigin>))]
        origin: Option<RescueOrigin>,
    },
}

fn default_jurisdiction() -> Jurisdiction {
    Jurisdiction::EnglandAndWales
}

/// A rescue to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RescuedEntry {
    /// Their case.
    pub case_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// `true` when the case existed and joined the rescue; `false` when the rescue opened it.
    pub joined: bool,
    /// How they came to be free.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<RescueOrigin>))]
    pub origin: RescueOrigin,
}

/// A rescue as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    ///
    /// ```
    /// use std::sync::Arc;
    /// use unchain_core::cases::NewCase;
    /// use unchain_core::nrm::Jurisdiction;
    /// use unchain_core::people::PersonDetails;
    /// use unchain_core::rescues::{NewRescue, RescuedPerson};
    /// use unchain_core::{CoreError, SystemClock, Unchain};
    ///
    /// let core = Unchain::in_memory(Arc::new(SystemClock))?;
    /// core.bootstrap_admin("admin")?;
    /// let admin = core.actor("admin")?;
    /// let known = core.open_case(&admin, NewCase { person: PersonDetails::default(),
    ///     jurisdiction: Jurisdiction::EnglandAndWales, exploitation: vec![], opened_on: None,
    ///     owner: None, report_ids: vec![] })?;
    /// let found = RescuedPerson::New { person: PersonDetails::default(),
    ///     jurisdiction: Jurisdiction::EnglandAndWales, exploitation: vec![], owner: None, origin: None };
    /// let rescue = core.record_rescue(&admin, NewRescue {
    ///     date: core.clock().today(), area: "Leeds".into(),
    ///     partner_agencies: vec!["West Yorkshire Police".into()], report_ids: vec![],
    ///     people: vec![
    ///         RescuedPerson::Existing { case_id: known.id, version: Some(known.version), origin: None },
    ///         found,
    ///     ] })?;
    /// let cases = rescue.data.case_ids();
    /// assert_eq!(cases.len(), 2);
    /// assert_eq!(cases[0], known.id); // the known case joined; the other was opened
    /// # Ok::<(), CoreError>(())
    /// ```
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;
    use crate::auth::Role;
    use crate::consent::{ConsentMethod, ConsentScope, NewConsent};
    use crate::intel::NewDissemination;
    use crate::intel::tests::{
        by_role, contains, day, fixture, new_case, ngo, person, raw_bytes, report,
    };
    use crate::testing::{cores, dump, dump_any, staff};
    use unchain_nrm::indicators::Conclusion;

    fn police_consent(on: NaiveDate) -> NewConsent {
        NewConsent {
            scope: ConsentScope::SharingWithPolice,
            given: true,
            on: Some(on),
            method: ConsentMethod::SignedForm,
            document_id: None,
        }
    }

    fn newcomer(name: &str) -> RescuedPerson {
        RescuedPerson::New {
            person: person(name),
            jurisdiction: Jurisdiction::EnglandAndWales,
            exploitation: vec![ExploitationType::Labour],
            owner: None,
            origin: None,
        }
    }

    fn dissemination(reference: &str) -> NewDissemination {
        NewDissemination {
            force: "West Yorkshire Police".into(),
            date: None,
            reference: reference.into(),
            summary: "Phone and van of the gangmaster; house in Bradford".into(),
        }
    }

    #[test]
    fn from_intelligence_through_police_to_a_rescue_of_three_on_both_backends() {
        for tc in cores() {
            let staff = staff(&tc.core);
            scenario(&tc.core, tc.backend.as_ref(), &staff);
        }
    }

    fn scenario(core: &Unchain, backend: &dyn unchain_store::Backend, staff: &[Actor]) {
        let dump = dump_any;
        let inv = by_role(staff, Role::Investigator);
        // A source, and a report with indicators that the assessment finds a likely victim in.
        let source = ngo(core, inv);
        let r = core.create_report(inv, report(source.id)).expect("report");
        assert_eq!(
            r.assessment.as_ref().map(|a| a.conclusion),
            Some(Conclusion::LikelyVictim)
        );
        // A person already known, linked to the report, with a rescue planned.
        let ana = core
            .open_case(inv, new_case("Ana Existing", vec![r.id]))
            .expect("case");
        let ev = |kind| crate::testing::event(kind, None);
        let ana = core
            .record_case_event(inv, ana.id, ana.version, ev(EventKind::AssessmentStarted))
            .expect("assessing");
        let ana = core
            .record_case_event(inv, ana.id, ana.version, ev(EventKind::RescuePlanned))
            .expect("planned");

        // Ungraded: refused.
        let before = dump(backend);
        let refused = core.disseminate(inv, r.id, dissemination("WYP/1"));
        assert!(
            matches!(&refused, Err(CoreError::Refused(why)) if why.contains("not graded")),
            "{refused:?}"
        );
        let graded = core
            .grade_report(inv, r.id, r.version, crate::testing::grading())
            .expect("graded");
        assert_eq!(graded.case_ids, [ana.id]);
        // Graded, but the linked person has not consented to sharing with police: refused,
        // naming the person only by pseudonym, and nothing written.
        let before_refusal = dump(backend);
        let refused = core.disseminate(inv, r.id, dissemination("WYP/1"));
        let Err(CoreError::Refused(why)) = refused else {
            panic!("expected a refusal: {refused:?}")
        };
        assert!(why.contains(&ana.person.pseudonym), "{why}");
        assert!(!why.contains("Ana"), "{why}");
        assert_eq!(dump(backend), before_refusal);
        assert_ne!(before, before_refusal, "the grading was written");
        // With consent in force: sent and listed.
        core.record_consent(inv, ana.person.id, police_consent(day(2024, 6, 1)))
            .expect("consent");
        let sent = core
            .disseminate(inv, r.id, dissemination("WYP/1"))
            .expect("sent");
        assert_eq!(sent.grading_code, "2/B/P");
        assert_eq!(sent.consent_checked_for, vec![ana.person.pseudonym.clone()]);
        let listed = core.disseminations(inv, r.id).expect("listed");
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].summary.as_deref(),
            Some("Phone and van of the gangmaster; house in Bradford")
        );
        assert!(!format!("{listed:?}").contains("gangmaster"));

        // The rescue: Ana's case joins; two people found in the operation get new cases.
        let rescue = core
            .record_rescue(
                inv,
                NewRescue {
                    date: day(2024, 6, 3),
                    area: "Bradford".into(),
                    partner_agencies: vec!["West Yorkshire Police".into(), "GLAA".into()],
                    report_ids: vec![r.id],
                    people: vec![
                        newcomer("Bogdan Newcomer"),
                        RescuedPerson::Existing {
                            case_id: ana.id,
                            version: Some(ana.version),
                            origin: None,
                        },
                        newcomer("Cezar Newcomer"),
                    ],
                },
            )
            .expect("rescued");
        let ids = rescue.data.case_ids();
        assert_eq!(ids.len(), 3);
        assert_eq!(ids[1], ana.id);
        let joined: Vec<_> = rescue.data.people.iter().map(|p| p.joined).collect();
        assert_eq!(joined, [false, true, false]);
        assert_eq!(rescue.data.people[1].origin, RescueOrigin::PlannedOperation);
        assert_eq!(rescue.data.people[0].origin, RescueOrigin::FoundInOperation);
        for id in &ids {
            let case = core.case(inv, *id).expect("case");
            assert_eq!(case.stage, Stage::Rescued);
            assert_eq!(case.rescue_id, Some(rescue.id));
            assert_eq!(case.report_ids, [r.id]);
        }
        let timeline = core.timeline(inv, ids[0]).expect("timeline");
        let kinds: Vec<_> = timeline.iter().map(|t| t.event).collect();
        assert_eq!(
            kinds,
            [
                Some(EventKind::Opened),
                Some(EventKind::Rescued {
                    origin: RescueOrigin::FoundInOperation
                })
            ]
        );
        assert_eq!(core.rescues(inv).expect("list").len(), 1);
        assert_eq!(core.rescue(inv, rescue.id).expect("read"), rescue);
        // No name reached the store in clear.
        let raw = raw_bytes(backend);
        for secret in ["Ana Existing", "Bogdan", "Cezar", "gangmaster"] {
            assert!(!contains(&raw, secret), "{secret}");
        }
        // The report now concerns three people; two have not consented: refused again.
        let again = core.disseminate(inv, r.id, dissemination("WYP/2"));
        assert!(matches!(again, Err(CoreError::Refused(_))), "{again:?}");
        assert!(
            core.verify_audit(&staff[0])
                .expect("verifies")
                .first_bad
                .is_none()
        );
    }

    #[test]
    fn an_invalid_person_names_its_field_and_nothing_is_written() {
        let (core, backend, staff) = fixture();
        let inv = by_role(&staff, Role::Investigator);
        let done = core
            .open_case(inv, new_case("Dana Done", vec![]))
            .expect("case");
        let done = core
            .record_case_event(
                inv,
                done.id,
                done.version,
                crate::testing::event(
                    EventKind::Rescued {
                        origin: RescueOrigin::SelfPresented,
                    },
                    None,
                ),
            )
            .expect("rescued already");
        let before = dump(&backend);
        let mut bad_person = person(" ");
        bad_person.nationalities = vec!["Romania".into()];
        let bad = NewRescue {
            date: day(2030, 1, 1),
            area: "14 Canal Road, Bradford".into(),
            partner_agencies: vec![" ".into()],
            report_ids: vec![Uuid::nil()],
            people: vec![
                newcomer("Fine Person"),
                RescuedPerson::New {
                    person: bad_person,
                    jurisdiction: Jurisdiction::EnglandAndWales,
                    exploitation: vec![],
                    owner: Some("nobody".into()),
                    origin: Some(RescueOrigin::PlannedOperation),
                },
                RescuedPerson::Existing {
                    case_id: Uuid::nil(),
                    version: None,
                    origin: None,
                },
                RescuedPerson::Existing {
                    case_id: done.id,
                    version: None,
                    origin: None,
                },
                RescuedPerson::Existing {
                    case_id: done.id,
                    version: None,
                    origin: None,
                },
            ],
        };
        let Err(CoreError::Validation(errors)) = core.record_rescue(inv, bad) else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "date",
                "area",
                "partner_agencies[0]",
                "report_ids[0]",
                "people[0].opened_on",
                "people[1].person.names[0]",
                "people[1].person.nationalities[0]",
                "people[1].opened_on",
                "people[1].owner",
                "people[1].origin",
                "people[2].case_id",
                "people[3].case_id",
                "people[4].case_id",
            ]
        );
        assert!(
            errors[11].reason.contains("already been rescued"),
            "{errors:?}"
        );
        assert!(!format!("{errors:?}").contains("Fine Person"));
        assert_eq!(dump(&backend), before, "nothing written, no key created");
        // An empty rescue names `people`.
        let empty = core.record_rescue(
            inv,
            NewRescue {
                date: day(2024, 6, 1),
                area: "Leeds".into(),
                partner_agencies: vec![],
                report_ids: vec![],
                people: vec![],
            },
        );
        assert!(matches!(empty, Err(CoreError::Validation(e)) if e[0].field == "people"));
        // A stale version of a joining case is a conflict, and nothing is written.
        let open = core
            .open_case(inv, new_case("Eva Stale", vec![]))
            .expect("case");
        let before = dump(&backend);
        let stale = core.record_rescue(
            inv,
            NewRescue {
                date: day(2024, 6, 3),
                area: "Leeds".into(),
                partner_agencies: vec![],
                report_ids: vec![],
                people: vec![RescuedPerson::Existing {
                    case_id: open.id,
                    version: Some(open.version + 1),
                    origin: None,
                }],
            },
        );
        assert!(
            matches!(stale, Err(CoreError::Conflict { .. })),
            "{stale:?}"
        );
        assert_eq!(dump(&backend), before);
    }

    #[test]
    fn only_the_matrix_roles_record_and_read_rescues() {
        let (core, _, staff) = fixture();
        for actor in &staff {
            let r = core.record_rescue(
                actor,
                NewRescue {
                    date: day(2024, 6, 3),
                    area: "Leeds".into(),
                    partner_agencies: vec![],
                    report_ids: vec![],
                    people: vec![newcomer("Role Test")],
                },
            );
            let allowed = crate::auth::allowed(actor.role, Operation::RescueManage);
            assert_eq!(r.is_ok(), allowed, "{}", actor.role);
            if !allowed {
                assert!(matches!(r, Err(CoreError::Forbidden { .. })));
            }
            assert_eq!(
                core.rescues(actor).is_ok(),
                crate::auth::allowed(actor.role, Operation::RescueRead),
                "{}",
                actor.role
            );
        }
    }

    #[test]
    fn json_names_the_kind_of_each_person() {
        let json = r#"{"date":"2024-06-01","area":"Leeds","people":[
            {"kind":"existing","case_id":"00000000-0000-0000-0000-000000000000"},
            {"kind":"new","person":{"names":["X"]}}]}"#;
        let parsed: NewRescue = serde_json::from_str(json).expect("parses");
        assert!(matches!(parsed.people[0], RescuedPerson::Existing { .. }));
        assert!(matches!(parsed.people[1], RescuedPerson::New { .. }));
        let unknown = r#"{"kind":"new","person":{},"shoe_size":9}"#;
        assert!(serde_json::from_str::<RescuedPerson>(unknown).is_err());
    }
}
