//! Aftercare: the facility register, needs, matching and placement, transport, follow-ups and
//! progress. Rich inputs are the HTTP API's JSON bodies (`--input`, `--set`), with flags for the
//! common fields.

use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::{Value, json};
use unchain_core::facilities::{FacilityInput, FacilityView};
use unchain_core::followups::{ContactInput, FollowupLine, FollowupPolicy, ProgressInput};
use unchain_core::placements::{AssignRequest, ExitInput, NeedsInput, TransportInput};
use uuid::Uuid;

use super::cases::find;
use crate::body::Body;
use crate::fail::{Result, usage};
use crate::out::{opt, word};
use crate::{Ctx, base, parse};

/// `unchain facility …`.
#[derive(Subcommand, Debug)]
pub enum FacilityCmd {
    /// Register a facility (its address is sealed).
    #[command(
        after_help = "Example:\n  unchain facility add --name 'Haven House' --operator 'Haven Trust' --region London \\\n    --address '1 High St, London' --lat 51.5 --lon -0.12 --capacity 8 \\\n    --set 'accepts:={\"genders\":[\"female\"],\"age_groups\":[\"adult\"]}' --set 'languages:=[\"en\",\"sq\"]'"
    )]
    Add {
        /// Name.
        #[arg(long)]
        name: Option<String>,
        /// The provider running it.
        #[arg(long)]
        operator: Option<String>,
        /// UK region (e.g. London, North West, Scotland).
        #[arg(long)]
        region: Option<String>,
        /// The street address (sealed).
        #[arg(long)]
        address: Option<String>,
        /// Latitude.
        #[arg(long, allow_hyphen_values = true)]
        lat: Option<f64>,
        /// Longitude.
        #[arg(long, allow_hyphen_values = true)]
        lon: Option<f64>,
        /// Beds.
        #[arg(long)]
        capacity: Option<u32>,
        #[command(flatten)]
        body: Body,
    },
    /// Change a facility: the current record overlaid with --input/--set.
    #[command(after_help = "Example:\n  unchain facility update 0190… --set capacity:=10")]
    Update {
        /// The facility id.
        id: Uuid,
        #[command(flatten)]
        body: Body,
    },
    /// Open a facility to referrals.
    #[command(after_help = "Example:\n  unchain facility open 0190…")]
    Open {
        /// The facility id.
        id: Uuid,
    },
    /// Close a facility to referrals.
    #[command(after_help = "Example:\n  unchain facility close 0190…")]
    Close {
        /// The facility id.
        id: Uuid,
    },
    /// List facilities (no addresses).
    #[command(after_help = "Example:\n  unchain facility list --json")]
    List,
    /// One facility (the address for roles that may see it; audited).
    #[command(after_help = "Example:\n  unchain facility show 0190…")]
    Show {
        /// The facility id.
        id: Uuid,
    },
}

/// `unchain placement …`.
#[derive(Subcommand, Debug)]
pub enum PlacementCmd {
    /// Record a needs assessment (sealed) for a case.
    #[command(
        after_help = "Example:\n  unchain placement needs UC-000001 --set needs.gender=female --set needs.age_group=adult \\\n    --set 'needs.languages:=[\"sq\"]' --assessed-on 2025-03-06"
    )]
    Needs {
        /// The case reference or id.
        case: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        assessed_on: Option<NaiveDate>,
        #[command(flatten)]
        body: Body,
    },
    /// Facilities ranked for a case with the reasons, and the ineligible ones with why.
    #[command(
        name = "match",
        after_help = "Example:\n  unchain placement match UC-000001"
    )]
    Match {
        /// The case reference or id.
        case: String,
    },
    /// Propose the best joint assignment for every case of a rescue (or the cases listed).
    /// Writes nothing: `placement place` each case to accept it.
    #[command(after_help = "Example:\n  unchain placement assign --rescue 0190…")]
    Assign {
        /// The rescue.
        #[arg(long)]
        rescue: Option<Uuid>,
        /// A case reference or id (repeat).
        #[arg(long = "case")]
        cases: Vec<String>,
    },
    /// Place a case at a facility.
    #[command(
        after_help = "Example:\n  unchain placement place UC-000001 --facility 0190… --date 2025-03-07"
    )]
    Place {
        /// The case reference or id.
        case: String,
        /// The facility id.
        #[arg(long)]
        facility: Uuid,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
    },
    /// Move a placed case to another facility.
    #[command(
        name = "move",
        after_help = "Example:\n  unchain placement move UC-000001 --facility 0190…"
    )]
    Move {
        /// The case reference or id.
        case: String,
        /// The new facility id.
        #[arg(long)]
        facility: Uuid,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
    },
    /// End a placement.
    #[command(
        after_help = "Example:\n  unchain placement exit UC-000001 --reason moved_on --on 2025-09-01"
    )]
    Exit {
        /// The case reference or id.
        case: String,
        /// moved_on, returned_home, transferred_to_other_provider, left_voluntarily,
        /// lost_contact, asked_to_leave, deceased or other.
        #[arg(long)]
        reason: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        /// Notes (sealed).
        #[arg(long)]
        notes: Option<String>,
    },
    /// A case's placements.
    #[command(after_help = "Example:\n  unchain placement list UC-000001")]
    List {
        /// The case reference or id.
        case: String,
    },
}

/// `unchain transport …`.
#[derive(Subcommand, Debug)]
pub enum TransportCmd {
    /// Arrange transport to a facility.
    #[command(
        after_help = "Example:\n  unchain transport arrange UC-000001 --facility 0190… --from-area Leeds \\\n    --when 2025-03-07T10:00:00Z --escort 'Support worker'"
    )]
    Arrange {
        /// The case reference or id.
        case: String,
        /// The facility id.
        #[arg(long)]
        facility: Option<Uuid>,
        /// Where from (an area, not an address).
        #[arg(long)]
        from_area: Option<String>,
        /// When (RFC 3339).
        #[arg(long)]
        when: Option<String>,
        /// Who escorts.
        #[arg(long)]
        escort: Option<String>,
        /// Notes (sealed).
        #[arg(long)]
        notes: Option<String>,
        #[command(flatten)]
        body: Body,
    },
    /// A case's transports.
    #[command(after_help = "Example:\n  unchain transport list UC-000001")]
    List {
        /// The case reference or id.
        case: String,
    },
}

/// `unchain followup …`.
#[derive(Subcommand, Debug)]
pub enum FollowupCmd {
    /// Follow-ups due on a day (pending and in their window), across all cases.
    #[command(after_help = "Example:\n  unchain followup due --as-of 2025-04-01 --json")]
    Due {
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        as_of: Option<NaiveDate>,
    },
    /// Follow-ups overdue on a day.
    #[command(after_help = "Example:\n  unchain followup overdue")]
    Overdue {
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        as_of: Option<NaiveDate>,
    },
    /// A case's follow-up plan.
    #[command(after_help = "Example:\n  unchain followup list UC-000001")]
    List {
        /// The case reference or id.
        case: String,
    },
    /// Log a contact attempt against a follow-up of a case.
    #[command(
        after_help = "Example:\n  unchain followup log UC-000001 0190… --kind call --outcome reached --on 2025-03-14"
    )]
    Log {
        /// The case reference or id.
        case: String,
        /// The follow-up id (from `followup list`).
        id: Uuid,
        /// call or visit.
        #[arg(long)]
        kind: String,
        /// reached, concern_raised, declined or not_reached.
        #[arg(long)]
        outcome: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        /// Notes (sealed).
        #[arg(long)]
        notes: Option<String>,
        /// Refuse (exit 4) unless the follow-up is at this version (default: as read).
        #[arg(long)]
        if_version: Option<u64>,
    },
    /// The follow-up policy (days after placement and contact kinds).
    #[command(
        after_help = "Example:\n  unchain followup policy --json\n  unchain followup policy --set 'steps:=[{\"day\":7,\"kind\":\"call\"}]' --set grace_days:=3"
    )]
    Policy {
        #[command(flatten)]
        body: Body,
    },
}

/// `unchain progress …`.
#[derive(Subcommand, Debug)]
pub enum ProgressCmd {
    /// Record a progress assessment (eight domains scored 1–5; sealed).
    #[command(
        after_help = "Example:\n  unchain progress record UC-000001 --scores 3,2,2,1,1,1,2,2 --on 2025-04-01"
    )]
    Record {
        /// The case reference or id.
        case: String,
        /// Scores in order: safety, health, housing, legal_status, finances, work_education,
        /// wellbeing, social_ties.
        #[arg(long, value_delimiter = ',')]
        scores: Vec<u8>,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        /// Notes (sealed).
        #[arg(long)]
        notes: Option<String>,
    },
    /// The trend from the first to the latest assessment.
    #[command(after_help = "Example:\n  unchain progress trend UC-000001")]
    Trend {
        /// The case reference or id.
        case: String,
    },
}

fn facility_rows(list: &[FacilityView]) -> Vec<Vec<String>> {
    list.iter()
        .map(|f| {
            vec![
                f.name.clone(),
                f.region.clone(),
                format!("{}/{}", f.occupancy, f.capacity),
                f.free.to_string(),
                if f.open_to_referrals {
                    "yes".into()
                } else {
                    "no".into()
                },
                f.id.to_string(),
            ]
        })
        .collect()
}

const FACILITY_HEADER: [&str; 6] = ["name", "region", "occupied", "free", "open", "id"];

pub fn facility(ctx: &Ctx, c: FacilityCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let one = |f: &FacilityView| {
        ctx.out.emit(f, || {
            ctx.out
                .table(&FACILITY_HEADER, facility_rows(std::slice::from_ref(f)))
        })
    };
    match c {
        FacilityCmd::Add {
            name,
            operator,
            region,
            address,
            lat,
            lon,
            capacity,
            body,
        } => {
            let input: FacilityInput = body.build(base! {
                "name" => name, "operator" => operator, "region" => region,
                "address.address" => address, "address.location.lat" => lat,
                "address.location.lon" => lon, "capacity" => capacity,
            })?;
            one(&core.create_facility(&actor, input)?)
        }
        FacilityCmd::Update { id, body } => {
            let current = core.facility(&actor, id)?;
            let mut v = serde_json::to_value(&current)?;
            if current.address.is_none() {
                let a = core.facility_location(&actor, id)?;
                v["address"] = serde_json::to_value(a)?;
            }
            if let Value::Object(m) = &mut v {
                for k in ["id", "version", "occupancy", "free"] {
                    m.remove(k);
                }
            }
            let input: FacilityInput = body.build(v)?;
            one(&core.update_facility(&actor, id, current.version, input)?)
        }
        FacilityCmd::Open { id } | FacilityCmd::Close { id } => {
            let open = matches!(c, FacilityCmd::Open { .. });
            let current = core.facility(&actor, id)?;
            one(&core.set_facility_open(&actor, id, current.version, open)?)
        }
        FacilityCmd::List => {
            let list = core.facilities(&actor)?;
            ctx.out.emit(&list, || {
                ctx.out.table(&FACILITY_HEADER, facility_rows(&list))
            })
        }
        FacilityCmd::Show { id } => ctx.out.record(&core.facility(&actor, id)?),
    }
}

fn followup_table(ctx: &Ctx, lines: &[FollowupLine]) -> Result<()> {
    ctx.out.emit(lines, || {
        ctx.out.table(
            &[
                "case",
                "person",
                "day",
                "kind",
                "due",
                "on time until",
                "status",
                "attempts",
                "id",
            ],
            lines
                .iter()
                .map(|l| {
                    vec![
                        l.case_reference.clone(),
                        l.pseudonym.clone(),
                        l.day.to_string(),
                        word(&l.kind),
                        l.due_on.to_string(),
                        l.on_time_until.to_string(),
                        word(&l.status),
                        l.attempts.to_string(),
                        l.id.to_string(),
                    ]
                })
                .collect(),
        )
    })
}

pub fn placement(ctx: &Ctx, c: PlacementCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let today = core.clock().today();
    match c {
        PlacementCmd::Needs {
            case,
            assessed_on,
            body,
        } => {
            let view = find(&core, &actor, &case)?;
            let input: NeedsInput = body.build(base! { "assessed_on" => assessed_on })?;
            ctx.out
                .record(&core.assess_needs(&actor, view.id, view.version, input)?)
        }
        PlacementCmd::Match { case } => {
            let view = find(&core, &actor, &case)?;
            let m = core.placement_matches(&actor, view.id)?;
            ctx.out.emit(&m, || {
                println!("{}: needs assessed on {}", view.reference, m.assessed_on);
                ctx.out.table(
                    &["rank", "facility", "region", "free", "score", "km", "why"],
                    m.eligible
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            vec![
                                (i + 1).to_string(),
                                f.name.clone(),
                                f.region.clone(),
                                f.free.to_string(),
                                f.score.total.to_string(),
                                f.distance_km.map_or("-".into(), |d| format!("{d:.0}")),
                                f.score
                                    .parts
                                    .iter()
                                    .map(|p| {
                                        format!(
                                            "{} {}/{}",
                                            word(&p.criterion),
                                            p.points,
                                            p.max_points
                                        )
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ]
                        })
                        .collect(),
                );
                if !m.ineligible.is_empty() {
                    println!("ineligible:");
                    ctx.out.table(
                        &["facility", "region", "why not"],
                        m.ineligible
                            .iter()
                            .map(|f| vec![f.name.clone(), f.region.clone(), word(&f.reasons)])
                            .collect(),
                    );
                }
            })
        }
        PlacementCmd::Assign { rescue, cases } => {
            if rescue.is_none() && cases.is_empty() {
                return Err(usage("give --rescue or at least one --case"));
            }
            let mut case_ids = Vec::new();
            for c in &cases {
                case_ids.push(find(&core, &actor, c)?.id);
            }
            let p = core.placement_assign(
                &actor,
                &AssignRequest {
                    rescue_id: rescue,
                    case_ids,
                },
            )?;
            ctx.out.emit(&p, || {
                let v = serde_json::to_value(&p.assignment).unwrap_or(Value::Null);
                ctx.out.fields(crate::out::object_rows(&v));
                println!("cases: {}", word(&p.case_ids));
                println!("accept with: unchain placement place <CASE> --facility <ID>");
            })
        }
        PlacementCmd::Place {
            case,
            facility,
            date,
        } => {
            let view = find(&core, &actor, &case)?;
            ctx.out.record(&core.place(
                &actor,
                view.id,
                view.version,
                facility,
                date.unwrap_or(today),
            )?)
        }
        PlacementCmd::Move {
            case,
            facility,
            date,
        } => {
            let view = find(&core, &actor, &case)?;
            ctx.out.record(&core.move_placement(
                &actor,
                view.id,
                view.version,
                facility,
                date.unwrap_or(today),
            )?)
        }
        PlacementCmd::Exit {
            case,
            reason,
            on,
            notes,
        } => {
            let view = find(&core, &actor, &case)?;
            let exit: ExitInput = Body::default().build(json!({
                "on": on.unwrap_or(today), "reason": reason.replace('-', "_"), "notes": notes,
            }))?;
            ctx.out
                .record(&core.exit_placement(&actor, view.id, view.version, exit)?)
        }
        PlacementCmd::List { case } => {
            let view = find(&core, &actor, &case)?;
            let list = core.placements(&actor, view.id)?;
            ctx.out.emit(&list, || {
                ctx.out.table(
                    &["facility", "from", "until", "beds", "exited", "id"],
                    list.iter()
                        .flat_map(|p| {
                            p.stays.iter().map(move |s| {
                                vec![
                                    s.facility_id.to_string(),
                                    s.from.to_string(),
                                    opt(&s.until),
                                    p.beds.to_string(),
                                    opt(&p.exited),
                                    p.id.to_string(),
                                ]
                            })
                        })
                        .collect(),
                )
            })
        }
    }
}

pub fn transport(ctx: &Ctx, c: TransportCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        TransportCmd::Arrange {
            case,
            facility,
            from_area,
            when,
            escort,
            notes,
            body,
        } => {
            let view = find(&core, &actor, &case)?;
            let input: TransportInput = body.build(base! {
                "facility_id" => facility, "from_area" => from_area, "when" => when,
                "escort" => escort, "notes" => notes,
            })?;
            ctx.out
                .record(&core.arrange_transport(&actor, view.id, view.version, input)?)
        }
        TransportCmd::List { case } => {
            let view = find(&core, &actor, &case)?;
            let list = core.transports(&actor, view.id)?;
            ctx.out.emit(&list, || {
                ctx.out.table(
                    &["when", "from", "facility", "escort", "id"],
                    list.iter()
                        .map(|t| {
                            vec![
                                t.when.format("%Y-%m-%d %H:%M").to_string(),
                                t.from_area.clone(),
                                t.facility_id.to_string(),
                                t.escort.clone(),
                                t.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}

pub fn followup(ctx: &Ctx, c: FollowupCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let today = core.clock().today();
    match c {
        FollowupCmd::Due { as_of } => {
            followup_table(ctx, &core.followups_due(&actor, as_of.unwrap_or(today))?)
        }
        FollowupCmd::Overdue { as_of } => followup_table(
            ctx,
            &core.followups_overdue(&actor, as_of.unwrap_or(today))?,
        ),
        FollowupCmd::List { case } => {
            let view = find(&core, &actor, &case)?;
            followup_table(ctx, &core.followups(&actor, view.id)?)
        }
        FollowupCmd::Log {
            case,
            id,
            kind,
            outcome,
            on,
            notes,
            if_version,
        } => {
            let input: ContactInput = Body::default().build(json!({
                "kind": kind.replace('-', "_"), "outcome": outcome.replace('-', "_"),
                "on": on, "notes": notes,
            }))?;
            let view = find(&core, &actor, &case)?;
            let current = core
                .followups(&actor, view.id)?
                .into_iter()
                .find(|l| l.id == id)
                .ok_or(unchain_core::CoreError::NotFound {
                    kind: "followup",
                    id: id.to_string(),
                })?;
            let version = if_version.unwrap_or(current.version);
            let line = core.log_followup(&actor, id, version, input)?;
            followup_table(ctx, std::slice::from_ref(&line))
        }
        FollowupCmd::Policy { body } => {
            if body.input.is_none() && body.set.is_empty() {
                let p = core.followup_policy(&actor)?;
                return ctx.out.emit(&p, || {
                    println!("grace: {} days", p.grace_days);
                    ctx.out.table(
                        &["day", "kind"],
                        p.steps
                            .iter()
                            .map(|s| vec![s.day.to_string(), word(&s.kind)])
                            .collect(),
                    )
                });
            }
            let current = serde_json::to_value(core.followup_policy(&actor)?)?;
            let policy: FollowupPolicy = body.build(current)?;
            core.set_followup_policy(&actor, policy.clone())?;
            ctx.out.emit(&policy, || println!("follow-up policy saved"))
        }
    }
}

pub fn progress(ctx: &Ctx, c: ProgressCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        ProgressCmd::Record {
            case,
            scores,
            on,
            notes,
        } => {
            const DOMAINS: [&str; 8] = [
                "safety",
                "health",
                "housing",
                "legal_status",
                "finances",
                "work_education",
                "wellbeing",
                "social_ties",
            ];
            if scores.len() != DOMAINS.len() {
                return Err(usage(format!(
                    "--scores needs 8 numbers ({}), got {}",
                    DOMAINS.join(", "),
                    scores.len()
                )));
            }
            let s: serde_json::Map<String, Value> = DOMAINS
                .iter()
                .zip(&scores)
                .map(|(d, v)| ((*d).to_owned(), json!(v)))
                .collect();
            let view = find(&core, &actor, &case)?;
            let input: ProgressInput =
                Body::default().build(json!({"assessed_on": on, "scores": s, "notes": notes}))?;
            let id = core.record_progress(&actor, view.id, input)?;
            ctx.out.emit(&json!({"id": id, "case_id": view.id}), || {
                println!("recorded progress assessment {id} for {}", view.reference)
            })
        }
        ProgressCmd::Trend { case } => {
            let view = find(&core, &actor, &case)?;
            let t = core.progress_trend(&actor, view.id)?;
            ctx.out.emit(&t, || {
                println!(
                    "{}: {} assessment(s), {} → {}, overall {} ({:+})",
                    view.reference,
                    t.assessments,
                    opt(&t.first_on),
                    opt(&t.latest_on),
                    word(&t.overall),
                    t.net_change
                );
                ctx.out.table(
                    &["domain", "first", "latest", "change"],
                    t.domains
                        .iter()
                        .map(|d| {
                            vec![
                                word(&d.domain),
                                d.first.to_string(),
                                d.latest.to_string(),
                                format!("{:+}", d.change),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}
