//! The National Referral Mechanism: referrals, decisions, deadlines and the overdue list.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use unchain_core::lifecycle::Outcome;
use unchain_core::nrm::{ImmigrationSituation, ReferrerKind};
use unchain_core::referrals::{NewReferral, NrmChange, NrmReferralView, NrmUpdate};

use super::cases::{find, read_input};
use crate::Ctx;
use crate::fail::{Result, usage};
use crate::out::{opt, word};
use crate::parse;

/// One fact of the person's immigration situation (chooses the competent authority).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
pub enum Fact {
    /// Subject to immigration control.
    SubjectToImmigrationControl,
    /// A foreign national offender held in prison or an immigration removal centre.
    ForeignNationalOffenderDetained,
    /// Deportation proceedings have started.
    DeportationStarted,
    /// Held in immigration detention.
    ImmigrationDetainee,
    /// An asylum claim being considered for inadmissibility.
    InadmissibleAsylumClaim,
}

/// A decision's outcome as typed.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Out {
    /// Grounds met.
    Positive,
    /// Grounds not met.
    Negative,
}

impl From<Out> for Outcome {
    fn from(o: Out) -> Self {
        match o {
            Out::Positive => Outcome::Positive,
            Out::Negative => Outcome::Negative,
        }
    }
}

/// A later change to a referral as typed.
#[derive(ValueEnum, Clone, Copy, Debug)]
#[value(rename_all = "snake_case")]
pub enum Change {
    /// The Duty to Notify (MS1) was sent.
    Notified,
    /// The Reasonable Grounds decision (needs --outcome).
    ReasonableGrounds,
    /// Reconsideration of the latest negative decision was requested.
    ReconsiderationRequested,
    /// The Conclusive Grounds decision (needs --outcome).
    ConclusiveGrounds,
    /// Move-on support started after a positive CG.
    MoveOnStarted,
    /// The person's time in the NRM ended.
    Ended,
    /// The referral was withdrawn.
    Withdrawn,
}

/// `unchain nrm …`.
#[derive(Subcommand, Debug)]
pub enum NrmCmd {
    /// Refer a case into the NRM (or notify under the Duty to Notify): the route, competent
    /// authority and completeness are the core's.
    #[command(
        after_help = "Example:\n  unchain nrm refer UC-000001 --referrer other_first_responder --first-responder-org 'Unseen UK' \\\n    --referred-on 2025-03-05 --consent-informed --indicator ILO03 --location 'Leeds, UK'"
    )]
    Refer {
        /// The case reference or id.
        case: String,
        /// police, local_authority, nca, glaa, home_office_immigration, other_first_responder
        /// or not_first_responder.
        #[arg(long, value_parser = parse::name::<ReferrerKind>)]
        referrer: Option<ReferrerKind>,
        /// The First Responder Organisation making the referral.
        #[arg(long)]
        first_responder_org: Option<String>,
        /// The referral day (default today).
        #[arg(long, value_parser = parse::date)]
        referred_on: Option<NaiveDate>,
        /// A fact of the immigration situation (repeat).
        #[arg(long = "immigration", value_enum)]
        immigration: Vec<Fact>,
        /// Where the exploitation happened.
        #[arg(long)]
        location: Option<String>,
        /// When it began.
        #[arg(long, value_parser = parse::date)]
        exploitation_start: Option<NaiveDate>,
        /// When it ended.
        #[arg(long, value_parser = parse::date)]
        exploitation_end: Option<NaiveDate>,
        /// It is ongoing.
        #[arg(long)]
        ongoing: bool,
        /// An indicator observed (repeat).
        #[arg(long = "indicator")]
        indicators: Vec<String>,
        /// The adult was told what the NRM is and what a referral means.
        #[arg(long)]
        consent_informed: bool,
        /// Anything else for the First Responder (sealed).
        #[arg(long)]
        notes: Option<String>,
        /// The whole request as JSON (the HTTP body); `-` reads stdin.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["referrer", "first_responder_org"])]
        input: Option<PathBuf>,
    },
    /// Record a later change: a decision, a reconsideration request, move-on, end, withdrawal.
    #[command(
        after_help = "Examples:\n  unchain nrm update UC-000001 reasonable_grounds --outcome positive --on 2025-03-10\n  unchain nrm update UC-000001 reconsideration_requested --on 2025-04-01"
    )]
    Update {
        /// The case reference or id.
        case: String,
        /// What happened.
        change: Change,
        /// The decision's outcome (decisions only).
        #[arg(long)]
        outcome: Option<Out>,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        /// Why (sealed on the timeline).
        #[arg(long)]
        reason: Option<String>,
    },
    /// A case's referrals with their history.
    #[command(after_help = "Example:\n  unchain nrm show UC-000001 --json")]
    Show {
        /// The case reference or id.
        case: String,
    },
    /// The deadlines of a case's current referral.
    #[command(after_help = "Example:\n  unchain nrm deadlines UC-000001 --as-of 2025-04-01")]
    Deadlines {
        /// The case reference or id.
        case: String,
        /// The day to compute them for (default today).
        #[arg(long, value_parser = parse::date)]
        as_of: Option<NaiveDate>,
    },
    /// Every NRM deadline overdue or due within a week, most pressing first (pseudonymised).
    #[command(after_help = "Example:\n  unchain nrm overdue --as-of 2025-04-01 --json")]
    Overdue {
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        as_of: Option<NaiveDate>,
    },
}

fn show(ctx: &Ctx, v: &NrmReferralView) -> Result<()> {
    ctx.out.emit(v, || {
        let r = &v.referral;
        ctx.out.fields(vec![
            ("case", format!("{} ({})", v.reference, v.pseudonym)),
            ("referral", format!("#{} {}", r.number, v.id)),
            ("route", word(&r.route)),
            ("state", word(&r.state)),
            ("referred on", r.referred_on.to_string()),
            ("jurisdiction", word(&r.jurisdiction)),
            ("competent authority", opt(&r.competent_authority)),
            ("first responder", r.first_responder_org.clone()),
            ("child", r.is_child.to_string()),
            ("reasonable grounds", opt(&r.rg)),
            ("conclusive grounds", opt(&r.cg)),
            ("reconsiderations", word(&r.reconsiderations)),
            ("case version", v.case_version.to_string()),
        ]);
        ctx.out.table(
            &["on", "change", "state", "by"],
            r.history
                .iter()
                .map(|h| {
                    vec![
                        h.on.to_string(),
                        word(&h.change),
                        word(&h.state),
                        h.recorded_by.clone(),
                    ]
                })
                .collect(),
        )
    })
}

pub fn nrm(ctx: &Ctx, c: NrmCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let today = core.clock().today();
    match c {
        NrmCmd::Refer {
            case,
            referrer,
            first_responder_org,
            referred_on,
            immigration,
            location,
            exploitation_start,
            exploitation_end,
            ongoing,
            indicators,
            consent_informed,
            notes,
            input,
        } => {
            let new = match input {
                Some(path) => read_input::<NewReferral>(&path)?,
                None => {
                    let has = |i| immigration.contains(&i);
                    NewReferral {
                        referred_on,
                        referrer: referrer
                            .ok_or_else(|| usage("--referrer is required (or give --input)"))?,
                        first_responder_org: first_responder_org.unwrap_or_default(),
                        immigration: ImmigrationSituation {
                            subject_to_immigration_control: has(Fact::SubjectToImmigrationControl),
                            foreign_national_offender_detained: has(
                                Fact::ForeignNationalOffenderDetained,
                            ),
                            deportation_started: has(Fact::DeportationStarted),
                            immigration_detainee: has(Fact::ImmigrationDetainee),
                            inadmissible_asylum_claim: has(Fact::InadmissibleAsylumClaim),
                        },
                        exploitation_location: location,
                        exploitation_start,
                        exploitation_end,
                        exploitation_ongoing: ongoing,
                        indicators,
                        consent_informed,
                        notes,
                    }
                }
            };
            let view = find(&core, &actor, &case)?;
            let r = core.nrm_refer(&actor, view.id, view.version, new)?;
            ctx.out.note(format!(
                "{}: referred ({})",
                r.reference,
                word(&r.referral.route)
            ));
            show(ctx, &r)
        }
        NrmCmd::Update {
            case,
            change,
            outcome,
            on,
            reason,
        } => {
            let need = |o: Option<Out>| {
                o.map(Outcome::from)
                    .ok_or_else(|| usage("--outcome positive|negative is required for a decision"))
            };
            let update = match change {
                Change::Notified => NrmUpdate::Notified,
                Change::ReasonableGrounds => NrmUpdate::ReasonableGrounds {
                    outcome: need(outcome)?,
                },
                Change::ReconsiderationRequested => NrmUpdate::ReconsiderationRequested,
                Change::ConclusiveGrounds => NrmUpdate::ConclusiveGrounds {
                    outcome: need(outcome)?,
                },
                Change::MoveOnStarted => NrmUpdate::MoveOnStarted,
                Change::Ended => NrmUpdate::Ended,
                Change::Withdrawn => NrmUpdate::Withdrawn,
            };
            let view = find(&core, &actor, &case)?;
            let r = core.nrm_update(
                &actor,
                view.id,
                view.version,
                NrmChange { update, on, reason },
            )?;
            show(ctx, &r)
        }
        NrmCmd::Show { case } => {
            let view = find(&core, &actor, &case)?;
            let list = core.nrm_referrals(&actor, view.id)?;
            if ctx.out.json {
                return ctx.out.json(&list);
            }
            if list.is_empty() {
                println!("{}: not referred", view.reference);
            }
            for r in &list {
                show(ctx, r)?;
            }
            Ok(())
        }
        NrmCmd::Deadlines { case, as_of } => {
            let view = find(&core, &actor, &case)?;
            let d = core.nrm_deadlines(&actor, view.id, as_of.unwrap_or(today))?;
            ctx.out.emit(&d, || {
                println!(
                    "{} ({}) {} — {} as of {}",
                    d.reference,
                    d.pseudonym,
                    word(&d.route),
                    word(&d.state),
                    d.as_of
                );
                match &d.deadlines {
                    None => println!("no decisions on this route, so no deadlines"),
                    Some(x) => ctx.out.table(
                        &["deadline", "status", "due", "days", "basis"],
                        [
                            ("reasonable grounds due", &x.rg_due),
                            ("recovery period end", &x.recovery_period_end),
                            ("earliest conclusive grounds", &x.cg_earliest),
                            ("reconsideration window end", &x.reconsideration_window_end),
                            ("move-on end", &x.move_on_end),
                        ]
                        .into_iter()
                        .map(|(name, dl)| {
                            vec![
                                name.to_owned(),
                                word(&dl.status),
                                opt(&dl.due),
                                opt(&dl.days),
                                dl.basis.to_owned(),
                            ]
                        })
                        .collect(),
                    ),
                }
            })
        }
        NrmCmd::Overdue { as_of } => {
            let items = core.nrm_overdue(&actor, as_of.unwrap_or(today))?;
            ctx.out.emit(&items, || {
                ctx.out.table(
                    &["case", "person", "deadline", "due", "urgency", "days"],
                    items
                        .iter()
                        .map(|i| {
                            vec![
                                i.reference.clone(),
                                i.pseudonym.clone(),
                                word(&i.deadline),
                                i.due.to_string(),
                                word(&i.urgency),
                                i.days.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}
