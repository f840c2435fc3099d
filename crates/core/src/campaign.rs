//! Campaign: community groups (the ACTFORJUSTICE groups), the training sessions that teach them
//! the indicators of trafficking, and campaign actions with their outcomes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Operation;
use crate::error::{CoreError, FieldError, Result};
use crate::records::{self, Entity, Record};
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, not_future, required};

/// A community group trained (or to be trained) to recognise trafficking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommunityGroup {
    /// The group's name.
    pub name: String,
    /// The area it covers (town, borough or region) — not an address.
    pub area: String,
    /// Number of members.
    pub members: u32,
    /// When the group joined.
    pub joined_on: NaiveDate,
}

impl Record for CommunityGroup {
    const COLLECTION: &'static str = "groups";
    const KIND: &'static str = "group";
}

/// A training session given to a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrainingSession {
    /// The group trained.
    pub group_id: Uuid,
    /// When.
    pub date: NaiveDate,
    /// Who gave it (a staff member's or partner's name as they sign it).
    pub trainer: String,
    /// How many attended.
    pub attendees: u32,
    /// What it covered (e.g. "indicators of labour exploitation").
    pub topic: String,
}

impl Record for TrainingSession {
    const COLLECTION: &'static str = "trainings";
    const KIND: &'static str = "training";
}

/// The kinds of campaign action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// An awareness event.
    Event,
    /// A letter to an official or a body.
    Letter,
    /// A meeting with an official (MP, council, Whitehall).
    MeetingWithOfficial,
    /// Press, broadcast or social media.
    Media,
    /// A petition.
    Petition,
    /// Anything else.
    Other,
}

/// A campaign action and what came of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignAction {
    /// What kind of action.
    pub kind: ActionKind,
    /// When.
    pub date: NaiveDate,
    /// Whom or what it addressed (e.g. "Home Office", "Leeds City Council").
    pub target: String,
    /// What was done.
    pub description: String,
    /// The group that led it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Uuid>,
    /// What came of it, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl Record for CampaignAction {
    const COLLECTION: &'static str = "campaign_actions";
    const KIND: &'static str = "campaign_action";
}

impl CommunityGroup {
    pub(crate) fn validate(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut e = Vec::new();
        required(&mut e, "name", &self.name, 200);
        required(&mut e, "area", &self.area, 200);
        not_future(&mut e, "joined_on", self.joined_on, today);
        e
    }
}

impl TrainingSession {
    fn validate(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut e = Vec::new();
        required(&mut e, "trainer", &self.trainer, 200);
        required(&mut e, "topic", &self.topic, 500);
        not_future(&mut e, "date", self.date, today);
        if self.attendees == 0 {
            e.push(FieldError::new(
                "attendees",
                "a session with no attendees is not a training",
            ));
        }
        e
    }
}

impl CampaignAction {
    fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        required(&mut e, "target", &self.target, 200);
        required(&mut e, "description", &self.description, 4000);
        if let Some(outcome) = &self.outcome {
            required(&mut e, "outcome", outcome, 4000);
        }
        e
    }
}

/// What a group has done: its trainings and the people trained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRecord {
    /// The group.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::community_group_entity))]
    pub group: Entity<CommunityGroup>,
    /// Its training sessions, oldest first.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::training_session_entities))]
    pub trainings: Vec<Entity<TrainingSession>>,
    /// The day of its first training, if trained.
    pub trained_since: Option<NaiveDate>,
    /// Attendees summed over its sessions.
    pub people_trained: u64,
}

impl Unchain {
    /// Registers a community group.
    pub fn create_group(
        &self,
        actor: &Actor,
        group: CommunityGroup,
    ) -> Result<Entity<CommunityGroup>> {
        self.authorize(actor, Operation::CampaignManage)?;
        check(group.validate(self.clock.today()))?;
        let id = Uuid::now_v7();
        self.write(actor, Operation::CampaignManage, |_, batch| {
            records::stage_put(batch, id, &group, None)?;
            Ok(((), vec![format!("group:{id}")]))
        })?;
        Ok(Entity {
            id,
            version: 1,
            data: group,
        })
    }

    /// Changes a group; `version` is the one the caller read (a stale one is a conflict).
    pub fn update_group(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        group: CommunityGroup,
    ) -> Result<Entity<CommunityGroup>> {
        self.authorize(actor, Operation::CampaignManage)?;
        check(group.validate(self.clock.today()))?;
        self.write(actor, Operation::CampaignManage, |backend, batch| {
            let current = records::load::<CommunityGroup>(backend, id)?;
            if current.version != version {
                return Err(CoreError::Conflict {
                    kind: CommunityGroup::KIND,
                    id: id.to_string(),
                    expected: version,
                    found: current.version,
                });
            }
            records::stage_put(batch, id, &group, Some(version))?;
            Ok(((), vec![format!("group:{id}")]))
        })?;
        Ok(Entity {
            id,
            version: version + 1,
            data: group,
        })
    }

    /// Every group, oldest first.
    pub fn groups(&self, actor: &Actor) -> Result<Vec<Entity<CommunityGroup>>> {
        self.authorize(actor, Operation::CampaignRead)?;
        records::all(self.backend.as_ref())
    }

    /// One group with its trainings.
    pub fn group(&self, actor: &Actor, id: Uuid) -> Result<GroupRecord> {
        self.authorize(actor, Operation::CampaignRead)?;
        let group = records::load::<CommunityGroup>(self.backend.as_ref(), id)?;
        let mut trainings: Vec<_> = records::all::<TrainingSession>(self.backend.as_ref())?
            .into_iter()
            .filter(|t| t.data.group_id == id)
            .collect();
        trainings.sort_by_key(|t| (t.data.date, t.id));
        let trained_since = trainings.first().map(|t| t.data.date);
        let people_trained = trainings.iter().map(|t| u64::from(t.data.attendees)).sum();
        Ok(GroupRecord {
            group,
            trainings,
            trained_since,
            people_trained,
        })
    }

    /// Records a training session given to a group.
    pub fn record_training(
        &self,
        actor: &Actor,
        session: TrainingSession,
    ) -> Result<Entity<TrainingSession>> {
        self.authorize(actor, Operation::CampaignManage)?;
        let mut errors = session.validate(self.clock.today());
        if records::find::<CommunityGroup>(self.backend.as_ref(), session.group_id)?.is_none() {
            errors.push(FieldError::new(
                "group_id",
                format!("no group {}", session.group_id),
            ));
        }
        check(errors)?;
        let id = Uuid::now_v7();
        self.write(actor, Operation::CampaignManage, |backend, batch| {
            // The group must still exist when the session is written; its version guards that.
            let group = records::load::<CommunityGroup>(backend, session.group_id)?;
            batch.check(
                CommunityGroup::COLLECTION,
                session.group_id.as_bytes().to_vec(),
                unchain_store::Expect::Version(group.version),
            );
            records::stage_put(batch, id, &session, None)?;
            Ok((
                (),
                vec![
                    format!("training:{id}"),
                    format!("group:{}", session.group_id),
                ],
            ))
        })?;
        Ok(Entity {
            id,
            version: 1,
            data: session,
        })
    }

    /// Records a campaign action.
    pub fn record_action(
        &self,
        actor: &Actor,
        action: CampaignAction,
    ) -> Result<Entity<CampaignAction>> {
        self.authorize(actor, Operation::CampaignManage)?;
        let mut errors = action.validate();
        if let Some(g) = action.group_id {
            if records::find::<CommunityGroup>(self.backend.as_ref(), g)?.is_none() {
                errors.push(FieldError::new("group_id", format!("no group {g}")));
            }
        }
        check(errors)?;
        let id = Uuid::now_v7();
        self.write(actor, Operation::CampaignManage, |_, batch| {
            records::stage_put(batch, id, &action, None)?;
            Ok(((), vec![format!("campaign_action:{id}")]))
        })?;
        Ok(Entity {
            id,
            version: 1,
            data: action,
        })
    }

    /// Records what came of an action.
    pub fn record_action_outcome(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        outcome: &str,
    ) -> Result<Entity<CampaignAction>> {
        self.authorize(actor, Operation::CampaignManage)?;
        let mut errors = Vec::new();
        required(&mut errors, "outcome", outcome, 4000);
        check(errors)?;
        let mut updated = None;
        self.write(actor, Operation::CampaignManage, |backend, batch| {
            let mut current = records::load::<CampaignAction>(backend, id)?;
            if current.version != version {
                return Err(CoreError::Conflict {
                    kind: CampaignAction::KIND,
                    id: id.to_string(),
                    expected: version,
                    found: current.version,
                });
            }
            current.data.outcome = Some(outcome.to_owned());
            records::stage_put(batch, id, &current.data, Some(version))?;
            updated = Some(current.data);
            Ok(((), vec![format!("campaign_action:{id}")]))
        })?;
        let data = updated.ok_or_else(|| CoreError::NotFound {
            kind: CampaignAction::KIND,
            id: id.to_string(),
        })?;
        Ok(Entity {
            id,
            version: version + 1,
            data,
        })
    }

    /// Every campaign action, oldest first.
    pub fn actions(&self, actor: &Actor) -> Result<Vec<Entity<CampaignAction>>> {
        self.authorize(actor, Operation::CampaignRead)?;
        records::all(self.backend.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::testing;

    use crate::testing::date as day;

    fn leeds() -> CommunityGroup {
        CommunityGroup {
            name: "ACTFORJUSTICE Leeds".into(),
            area: "Leeds".into(),
            members: 14,
            joined_on: day(2023, 2, 1),
        }
    }

    #[test]
    fn a_group_is_trained_and_its_actions_recorded() {
        let (core, _) = testing::core();
        let staff = testing::staff(&core);
        let officer = staff
            .iter()
            .find(|a| a.role == Role::CampaignOfficer)
            .expect("officer");
        let group = core.create_group(officer, leeds()).expect("group created");
        for (date, n) in [(day(2023, 3, 1), 12), (day(2023, 9, 1), 9)] {
            let session = TrainingSession {
                group_id: group.id,
                date,
                trainer: "R. Hope".into(),
                attendees: n,
                topic: "spotting labour exploitation".into(),
            };
            core.record_training(officer, session)
                .expect("training recorded");
        }
        let record = core.group(officer, group.id).expect("group read");
        assert_eq!(record.trained_since, Some(day(2023, 3, 1)));
        assert_eq!(record.people_trained, 21);

        let action = CampaignAction {
            kind: ActionKind::MeetingWithOfficial,
            date: day(2024, 1, 10),
            target: "Leeds City Council".into(),
            description: "Asked for a modern slavery statement".into(),
            group_id: Some(group.id),
            outcome: None,
        };
        let action = core
            .record_action(officer, action)
            .expect("action recorded");
        let done = core
            .record_action_outcome(officer, action.id, action.version, "Statement published")
            .expect("outcome recorded");
        assert_eq!(done.version, 2);
        // The version read first is now stale.
        let stale = core.record_action_outcome(officer, action.id, action.version, "again");
        assert!(
            matches!(
                stale,
                Err(CoreError::Conflict {
                    expected: 1,
                    found: 2,
                    ..
                })
            ),
            "{stale:?}"
        );

        let admin = &staff[0];
        assert!(
            core.verify_audit(admin)
                .expect("verifies")
                .first_bad
                .is_none()
        );
    }

    #[test]
    fn invalid_input_names_every_field_and_writes_nothing() {
        let (core, backend) = testing::core();
        let staff = testing::staff(&core);
        let officer = staff
            .iter()
            .find(|a| a.role == Role::CampaignOfficer)
            .expect("officer");
        let before = testing::dump(&backend);
        let bad = CommunityGroup {
            name: " ".into(),
            area: String::new(),
            members: 3,
            joined_on: day(2030, 1, 1),
        };
        let fields = crate::testing::invalid_fields(core.create_group(officer, bad));
        assert_eq!(fields, ["name", "area", "joined_on"]);
        let orphan = TrainingSession {
            group_id: Uuid::nil(),
            date: day(2024, 1, 1),
            trainer: "x".into(),
            attendees: 0,
            topic: "y".into(),
        };
        let fields = crate::testing::invalid_fields(core.record_training(officer, orphan));
        assert_eq!(fields, ["attendees", "group_id"]);
        assert_eq!(
            testing::dump(&backend),
            before,
            "a refused write must leave the store unchanged"
        );
    }

    #[test]
    fn roles_outside_the_matrix_are_refused() {
        let (core, _) = testing::core();
        let staff = testing::staff(&core);
        for actor in &staff {
            let result = core.create_group(actor, leeds());
            let allowed = crate::auth::allowed(actor.role, Operation::CampaignManage);
            assert_eq!(result.is_ok(), allowed, "{:?}", actor.role);
            if !allowed {
                assert!(matches!(result, Err(CoreError::Forbidden { .. })));
            }
        }
    }
}
