//! Campaign work: community groups, their trainings, and campaign actions.

use chrono::NaiveDate;
use clap::Subcommand;
use unchain_core::Entity;
use unchain_core::campaign::{ActionKind, CampaignAction, CommunityGroup, TrainingSession};
use uuid::Uuid;

use crate::Ctx;
use crate::fail::Result;
use crate::out::{opt, word};
use crate::parse;

/// `unchain campaign …`.
#[derive(Subcommand, Debug)]
pub enum CampaignCmd {
    /// Community groups.
    #[command(subcommand)]
    Group(GroupCmd),
    /// Training sessions given to a group.
    #[command(subcommand)]
    Training(TrainingCmd),
    /// Campaign actions (events, letters, meetings, media, petitions).
    #[command(subcommand)]
    Action(ActionCmd),
}

/// `unchain campaign group …`.
#[derive(Subcommand, Debug)]
pub enum GroupCmd {
    /// Register a community group.
    #[command(
        after_help = "Example:\n  unchain campaign group create --name 'Leeds Nail Bar Watch' --area Leeds --members 12 --joined-on 2025-01-10"
    )]
    Create {
        /// The group's name.
        #[arg(long)]
        name: String,
        /// Where it works.
        #[arg(long)]
        area: String,
        /// How many members.
        #[arg(long, default_value_t = 0)]
        members: u32,
        /// When it joined (default today).
        #[arg(long, value_parser = parse::date)]
        joined_on: Option<NaiveDate>,
    },
    /// Change a group (only the flags given change).
    #[command(after_help = "Example:\n  unchain campaign group update 0190… --members 20")]
    Update {
        /// The group id.
        id: Uuid,
        /// The group's name.
        #[arg(long)]
        name: Option<String>,
        /// Where it works.
        #[arg(long)]
        area: Option<String>,
        /// How many members.
        #[arg(long)]
        members: Option<u32>,
        /// When it joined.
        #[arg(long, value_parser = parse::date)]
        joined_on: Option<NaiveDate>,
    },
    /// List groups.
    #[command(after_help = "Example:\n  unchain campaign group list --json")]
    List,
    /// One group with its trainings.
    #[command(after_help = "Example:\n  unchain campaign group show 0190…")]
    Show {
        /// The group id.
        id: Uuid,
    },
}

/// `unchain campaign training …`.
#[derive(Subcommand, Debug)]
pub enum TrainingCmd {
    /// Record a training session given to a group.
    #[command(
        after_help = "Example:\n  unchain campaign training record --group 0190… --date 2025-02-01 --trainer Sam --attendees 14 --topic 'Spotting the signs'"
    )]
    Record {
        /// The group id.
        #[arg(long)]
        group: Uuid,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
        /// Who gave it.
        #[arg(long)]
        trainer: String,
        /// How many attended.
        #[arg(long)]
        attendees: u32,
        /// What it covered.
        #[arg(long)]
        topic: String,
    },
}

/// `unchain campaign action …`.
#[derive(Subcommand, Debug)]
pub enum ActionCmd {
    /// Record a campaign action.
    #[command(
        after_help = "Example:\n  unchain campaign action record --kind meeting_with_official --date 2025-02-10 \\\n    --target 'Leeds City Council' --description 'Licensing of nail bars'"
    )]
    Record {
        /// event, letter, meeting_with_official, media, petition or other.
        #[arg(long, value_parser = parse::name::<ActionKind>)]
        kind: ActionKind,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
        /// Who or what it was aimed at.
        #[arg(long)]
        target: String,
        /// What was done.
        #[arg(long)]
        description: String,
        /// The group that took part.
        #[arg(long)]
        group: Option<Uuid>,
        /// What came of it, if known already.
        #[arg(long)]
        outcome: Option<String>,
    },
    /// Record what came of an action.
    #[command(
        after_help = "Example:\n  unchain campaign action outcome 0190… 'Council agreed to review licences'"
    )]
    Outcome {
        /// The action id.
        id: Uuid,
        /// The outcome.
        outcome: String,
    },
    /// List actions.
    #[command(after_help = "Example:\n  unchain campaign action list")]
    List,
}

fn group_rows(groups: &[Entity<CommunityGroup>]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            vec![
                g.data.name.clone(),
                g.data.area.clone(),
                g.data.members.to_string(),
                g.data.joined_on.to_string(),
                g.id.to_string(),
            ]
        })
        .collect()
}

const GROUP_HEADER: [&str; 5] = ["name", "area", "members", "joined", "id"];

fn action_rows(actions: &[Entity<CampaignAction>]) -> Vec<Vec<String>> {
    actions
        .iter()
        .map(|a| {
            vec![
                a.data.date.to_string(),
                word(&a.data.kind),
                a.data.target.clone(),
                a.data.description.clone(),
                opt(&a.data.outcome),
                a.id.to_string(),
            ]
        })
        .collect()
}

const ACTION_HEADER: [&str; 6] = ["date", "kind", "target", "description", "outcome", "id"];

pub fn campaign(ctx: &Ctx, c: CampaignCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let today = core.clock().today();
    match c {
        CampaignCmd::Group(GroupCmd::Create {
            name,
            area,
            members,
            joined_on,
        }) => {
            let g = core.create_group(
                &actor,
                CommunityGroup {
                    name,
                    area,
                    members,
                    joined_on: joined_on.unwrap_or(today),
                },
            )?;
            ctx.out.emit(&g, || {
                ctx.out
                    .table(&GROUP_HEADER, group_rows(std::slice::from_ref(&g)))
            })
        }
        CampaignCmd::Group(GroupCmd::Update {
            id,
            name,
            area,
            members,
            joined_on,
        }) => {
            let current = core.group(&actor, id)?.group;
            let mut g = current.data.clone();
            if let Some(n) = name {
                g.name = n;
            }
            if let Some(a) = area {
                g.area = a;
            }
            if let Some(m) = members {
                g.members = m;
            }
            if let Some(j) = joined_on {
                g.joined_on = j;
            }
            let g = core.update_group(&actor, id, current.version, g)?;
            ctx.out.emit(&g, || {
                ctx.out
                    .table(&GROUP_HEADER, group_rows(std::slice::from_ref(&g)))
            })
        }
        CampaignCmd::Group(GroupCmd::List) => {
            let groups = core.groups(&actor)?;
            ctx.out.emit(&groups, || {
                ctx.out.table(&GROUP_HEADER, group_rows(&groups))
            })
        }
        CampaignCmd::Group(GroupCmd::Show { id }) => {
            let g = core.group(&actor, id)?;
            ctx.out.emit(&g, || {
                ctx.out
                    .table(&GROUP_HEADER, group_rows(std::slice::from_ref(&g.group)));
                println!(
                    "trained since {}; {} people trained",
                    opt(&g.trained_since),
                    g.people_trained
                );
                ctx.out.table(
                    &["date", "trainer", "attendees", "topic", "id"],
                    g.trainings
                        .iter()
                        .map(|t| {
                            vec![
                                t.data.date.to_string(),
                                t.data.trainer.clone(),
                                t.data.attendees.to_string(),
                                t.data.topic.clone(),
                                t.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        CampaignCmd::Training(TrainingCmd::Record {
            group,
            date,
            trainer,
            attendees,
            topic,
        }) => {
            let t = core.record_training(
                &actor,
                TrainingSession {
                    group_id: group,
                    date: date.unwrap_or(today),
                    trainer,
                    attendees,
                    topic,
                },
            )?;
            ctx.out.emit(&t, || {
                println!(
                    "recorded training {} on {} ({} attendees)",
                    t.id, t.data.date, t.data.attendees
                )
            })
        }
        CampaignCmd::Action(ActionCmd::Record {
            kind,
            date,
            target,
            description,
            group,
            outcome,
        }) => {
            let a = core.record_action(
                &actor,
                CampaignAction {
                    kind,
                    date: date.unwrap_or(today),
                    target,
                    description,
                    group_id: group,
                    outcome,
                },
            )?;
            ctx.out.emit(&a, || {
                ctx.out
                    .table(&ACTION_HEADER, action_rows(std::slice::from_ref(&a)))
            })
        }
        CampaignCmd::Action(ActionCmd::Outcome { id, outcome }) => {
            let current = core
                .actions(&actor)?
                .into_iter()
                .find(|a| a.id == id)
                .ok_or(unchain_core::CoreError::NotFound {
                    kind: "campaign_action",
                    id: id.to_string(),
                })?;
            let a = core.record_action_outcome(&actor, id, current.version, &outcome)?;
            ctx.out.emit(&a, || {
                ctx.out
                    .table(&ACTION_HEADER, action_rows(std::slice::from_ref(&a)))
            })
        }
        CampaignCmd::Action(ActionCmd::List) => {
            let actions = core.actions(&actor)?;
            ctx.out.emit(&actions, || {
                ctx.out.table(&ACTION_HEADER, action_rows(&actions))
            })
        }
    }
}
