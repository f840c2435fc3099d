//! Investigate & Rescue: intelligence sources, reports and their grading, dissemination to the
//! police, suspects, and rescues of one or more people.

use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::{Value, json};
use unchain_core::intel::{NewDissemination, NewReport, ReportFilter, ReportSummary, Source};
use unchain_core::rescues::NewRescue;
use unchain_core::suspects::{NewSuspect, SuspectDetails, SuspectSummary};
use uuid::Uuid;

use super::cases::find;
use crate::body::Body;
use crate::fail::{Result, usage};
use crate::out::{opt, word};
use crate::parse::{self, snake};
use crate::{Ctx, base};

/// `unchain source …`.
#[derive(Subcommand, Debug)]
pub enum SourceCmd {
    /// Register an intelligence source.
    #[command(
        after_help = "Example:\n  unchain source add --kind community_group --name 'Leeds Nail Bar Watch' --group 0190…"
    )]
    Add {
        /// community_group, ngo, helpline, police, public or other.
        #[arg(long)]
        kind: String,
        /// The source's name.
        #[arg(long)]
        name: String,
        /// The community group it is (for trained-source statistics).
        #[arg(long)]
        group: Option<Uuid>,
    },
    /// Change a source (only the flags given change).
    #[command(after_help = "Example:\n  unchain source update 0190… --name 'Leeds Watch'")]
    Update {
        /// The source id.
        id: Uuid,
        /// The kind.
        #[arg(long)]
        kind: Option<String>,
        /// The name.
        #[arg(long)]
        name: Option<String>,
        /// The community group.
        #[arg(long)]
        group: Option<Uuid>,
    },
    /// List sources.
    #[command(after_help = "Example:\n  unchain source list --json")]
    List,
    /// One source.
    #[command(after_help = "Example:\n  unchain source show 0190…")]
    Show {
        /// The source id.
        id: Uuid,
    },
}

/// `unchain intel …`.
#[derive(Subcommand, Debug)]
pub enum IntelCmd {
    /// Record an intelligence report (narrative and identifiers sealed; indicators assessed).
    #[command(
        after_help = "Example:\n  unchain intel add --source 0190… --received-on 2025-03-01 --area Leeds \\\n    --narrative 'Workers collected by van at 5am' --indicator ILO03 --exploitation-kind labour \\\n    --identifier vehicle='AB12 CDE'"
    )]
    Add {
        /// The source id.
        #[arg(long)]
        source: Option<Uuid>,
        /// What was reported (sealed).
        #[arg(long)]
        narrative: Option<String>,
        /// The day received (default today).
        #[arg(long, value_parser = parse::date)]
        received_on: Option<NaiveDate>,
        /// Where (an area, not an address).
        #[arg(long)]
        area: Option<String>,
        /// An indicator id from the catalogue (repeat).
        #[arg(long = "indicator")]
        indicators: Vec<String>,
        /// adult or child.
        #[arg(long)]
        age_group: Option<String>,
        /// labour or sexual.
        #[arg(long)]
        exploitation_kind: Option<String>,
        /// An identifier as kind=value (name, phone, email, address, vehicle, business,
        /// online_handle) (repeat; sealed).
        #[arg(long = "identifier", value_parser = parse::identifier)]
        identifiers: Vec<Value>,
        /// A case it concerns (repeat).
        #[arg(long = "case")]
        cases: Vec<String>,
        /// A suspect it concerns (repeat).
        #[arg(long = "suspect")]
        suspects: Vec<Uuid>,
        #[command(flatten)]
        body: Body,
    },
    /// List reports (no narratives).
    #[command(after_help = "Example:\n  unchain intel list --from 2025-01-01 --ungraded")]
    List {
        /// Received on or after.
        #[arg(long, value_parser = parse::date)]
        from: Option<NaiveDate>,
        /// Received on or before.
        #[arg(long, value_parser = parse::date)]
        to: Option<NaiveDate>,
        /// From this source.
        #[arg(long)]
        source: Option<Uuid>,
        /// Only graded reports.
        #[arg(long, conflicts_with = "ungraded")]
        graded: bool,
        /// Only ungraded reports.
        #[arg(long)]
        ungraded: bool,
    },
    /// One report with its narrative and identifiers (for roles that may see them; audited).
    #[command(after_help = "Example:\n  unchain intel show 0190…")]
    Show {
        /// The report id.
        id: Uuid,
    },
    /// Grade a report (3x5x2 by default; 5x5x5 for legacy material).
    #[command(
        after_help = "Examples:\n  unchain intel grade 0190… --evaluation reliable --intelligence known_directly --handling p\n  unchain intel grade 0190… --system 5x5x5 --evaluation b --intelligence 2 --handling 1"
    )]
    Grade {
        /// The report id.
        id: Uuid,
        /// 3x5x2 or 5x5x5.
        #[arg(long, default_value = "3x5x2")]
        system: String,
        /// Source evaluation: reliable, untested, not_reliable (3x5x2) or a–e (5x5x5).
        #[arg(long)]
        evaluation: String,
        /// Intelligence assessment: known_directly, known_indirectly_corroborated,
        /// known_indirectly, not_known, suspected_false (3x5x2) or 1–5 (5x5x5).
        #[arg(long)]
        intelligence: String,
        /// Handling code: p or c (3x5x2) or 1–5 (5x5x5).
        #[arg(long)]
        handling: String,
        /// Handling conditions (3x5x2, code c).
        #[arg(long)]
        conditions: Option<String>,
    },
    /// Link a report to cases and suspects.
    #[command(after_help = "Example:\n  unchain intel link 0190… --case UC-000001 --suspect 0190…")]
    Link {
        /// The report id.
        id: Uuid,
        /// A case (repeat).
        #[arg(long = "case")]
        cases: Vec<String>,
        /// A suspect (repeat).
        #[arg(long = "suspect")]
        suspects: Vec<Uuid>,
    },
    /// Disseminate a graded report to a police force (the grading must allow it).
    #[command(
        after_help = "Example:\n  unchain intel disseminate 0190… --force 'West Yorkshire Police' --reference WY-25-001 --summary 'Van pick-ups'"
    )]
    Disseminate {
        /// The report id.
        id: Uuid,
        /// The force.
        #[arg(long)]
        force: String,
        /// Their reference.
        #[arg(long)]
        reference: String,
        /// What was shared.
        #[arg(long)]
        summary: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
    },
    /// Where a report was disseminated.
    #[command(after_help = "Example:\n  unchain intel disseminations 0190…")]
    Disseminations {
        /// The report id.
        id: Uuid,
    },
}

/// `unchain suspect …`.
#[derive(Subcommand, Debug)]
pub enum SuspectCmd {
    /// Record a suspect (identifiers and role details sealed).
    #[command(
        after_help = "Example:\n  unchain suspect add --role recruiter_or_intermediary --role exploiter --nationality GB \\\n    --identifier name='J. Smith' --identifier phone='07700 900123' --report 0190…"
    )]
    Add {
        #[command(flatten)]
        details: SuspectFlags,
        /// A report (repeat).
        #[arg(long = "report")]
        reports: Vec<Uuid>,
        /// A case (repeat).
        #[arg(long = "case")]
        cases: Vec<String>,
    },
    /// Replace a suspect's details with the flags given (or --input/--set).
    #[command(
        after_help = "Example:\n  unchain suspect update 0190… --role exploiter --nationality RO"
    )]
    Update {
        /// The suspect id.
        id: Uuid,
        #[command(flatten)]
        details: SuspectFlags,
    },
    /// Link a suspect to reports and cases.
    #[command(after_help = "Example:\n  unchain suspect link 0190… --case UC-000001")]
    Link {
        /// The suspect id.
        id: Uuid,
        /// A report (repeat).
        #[arg(long = "report")]
        reports: Vec<Uuid>,
        /// A case (repeat).
        #[arg(long = "case")]
        cases: Vec<String>,
    },
    /// List suspects (labels, no identifiers).
    #[command(after_help = "Example:\n  unchain suspect list")]
    List,
    /// One suspect with identifiers (for roles that may see them; audited).
    #[command(after_help = "Example:\n  unchain suspect show 0190…")]
    Show {
        /// The suspect id.
        id: Uuid,
    },
}

/// A suspect's details as flags.
#[derive(clap::Args, Debug)]
pub struct SuspectFlags {
    /// A perpetrator role (HTCDS; e.g. recruiter_or_intermediary, transporter, exploiter) (repeat).
    #[arg(long = "role")]
    roles: Vec<String>,
    /// More about the role (sealed).
    #[arg(long)]
    role_details: Option<String>,
    /// Nationality (ISO 3166-1 alpha-2).
    #[arg(long)]
    nationality: Option<String>,
    /// female, male, transgender_or_non_conforming or unknown.
    #[arg(long)]
    gender: Option<String>,
    /// An identifier as kind=value (repeat; sealed).
    #[arg(long = "identifier", value_parser = parse::identifier)]
    identifiers: Vec<Value>,
    #[command(flatten)]
    body: Body,
}

impl SuspectFlags {
    fn build(self) -> Result<SuspectDetails> {
        let roles: Vec<String> = self.roles.iter().map(|r| snake(r)).collect();
        self.body.build(base! {
            "roles" => roles, "role_details" => self.role_details,
            "nationality" => self.nationality, "gender" => self.gender.as_deref().map(snake),
            "identifiers" => self.identifiers,
        })
    }
}

/// `unchain rescue …`.
#[derive(Subcommand, Debug)]
pub enum RescueCmd {
    /// Record a rescue of one or more people: new people get a case each, opened and rescued;
    /// existing cases are marked rescued. One atomic write.
    #[command(
        after_help = "Example:\n  unchain rescue record --date 2025-03-20 --area Leeds --partner 'West Yorkshire Police' --report 0190… \\\n    --new '{\"person\":{\"names\":[\"A\"],\"estimated_age\":30,\"gender\":\"male\"},\"exploitation\":[\"labour\"]}' \\\n    --existing UC-000001"
    )]
    Record {
        /// The day.
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
        /// Where (an area).
        #[arg(long)]
        area: Option<String>,
        /// A partner agency (repeat).
        #[arg(long = "partner")]
        partners: Vec<String>,
        /// An intelligence report that led to it (repeat).
        #[arg(long = "report")]
        reports: Vec<Uuid>,
        /// An existing case whose person was rescued (repeat).
        #[arg(long = "existing")]
        existing: Vec<String>,
        /// A new person as JSON: {"person": {...}, "jurisdiction"?, "exploitation"?, "owner"?,
        /// "origin"?} (repeat).
        #[arg(long = "new", value_name = "JSON")]
        new: Vec<String>,
        #[command(flatten)]
        body: Body,
    },
    /// List rescues.
    #[command(after_help = "Example:\n  unchain rescue list --json")]
    List,
    /// One rescue.
    #[command(after_help = "Example:\n  unchain rescue show 0190…")]
    Show {
        /// The rescue id.
        id: Uuid,
    },
}

fn report_rows(list: &[ReportSummary]) -> Vec<Vec<String>> {
    list.iter()
        .map(|r| {
            vec![
                r.received_on.to_string(),
                word(&r.source_kind),
                opt(&r.area),
                r.indicators.join(", "),
                r.grading.as_ref().map_or("-".into(), |g| g.grading.code()),
                r.case_ids.len().to_string(),
                r.id.to_string(),
            ]
        })
        .collect()
}

const REPORT_HEADER: [&str; 7] = [
    "received",
    "source",
    "area",
    "indicators",
    "grading",
    "cases",
    "id",
];

fn suspect_rows(list: &[SuspectSummary]) -> Vec<Vec<String>> {
    list.iter()
        .map(|s| {
            vec![
                s.label.clone(),
                word(&s.roles),
                opt(&s.nationality),
                s.identifier_count.to_string(),
                s.case_ids.len().to_string(),
                s.id.to_string(),
            ]
        })
        .collect()
}

const SUSPECT_HEADER: [&str; 6] = [
    "label",
    "roles",
    "nationality",
    "identifiers",
    "cases",
    "id",
];

fn case_ids(
    core: &unchain_core::Unchain,
    actor: &unchain_core::Actor,
    cases: &[String],
) -> Result<Vec<Uuid>> {
    cases.iter().map(|c| Ok(find(core, actor, c)?.id)).collect()
}

pub fn source(ctx: &Ctx, c: SourceCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        SourceCmd::Add { kind, name, group } => {
            let s: Source = Body::default()
                .build(json!({"kind": snake(&kind), "name": name, "group_id": group}))?;
            ctx.out.record(&core.create_source(&actor, s)?)
        }
        SourceCmd::Update {
            id,
            kind,
            name,
            group,
        } => {
            let cur = core.source(&actor, id)?;
            let s: Source = Body::default().build(json!({
                "kind": kind.as_deref().map(snake).map_or_else(|| serde_json::to_value(cur.kind).unwrap_or(Value::Null), Value::String),
                "name": name.unwrap_or(cur.name.clone()),
                "group_id": group.or(cur.group_id),
            }))?;
            ctx.out
                .record(&core.update_source(&actor, id, cur.version, s)?)
        }
        SourceCmd::List => {
            let list = core.sources(&actor)?;
            ctx.out.emit(&list, || {
                ctx.out.table(
                    &["name", "kind", "trained since", "id"],
                    list.iter()
                        .map(|s| {
                            vec![
                                s.name.clone(),
                                word(&s.kind),
                                opt(&s.trained_since),
                                s.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        SourceCmd::Show { id } => ctx.out.record(&core.source(&actor, id)?),
    }
}

pub fn intel(ctx: &Ctx, c: IntelCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        IntelCmd::Add {
            source,
            narrative,
            received_on,
            area,
            indicators,
            age_group,
            exploitation_kind,
            identifiers,
            cases,
            suspects,
            body,
        } => {
            let case_ids = case_ids(&core, &actor, &cases)?;
            let new: NewReport = body.build(base! {
                "source_id" => source, "narrative" => narrative, "received_on" => received_on,
                "area" => area, "indicators" => indicators,
                "age_group" => age_group.as_deref().map(snake),
                "exploitation_kind" => exploitation_kind.as_deref().map(snake),
                "identifiers" => identifiers, "case_ids" => case_ids, "suspect_ids" => suspects,
            })?;
            let r = core.create_report(&actor, new)?;
            ctx.out.emit(&r, || {
                ctx.out
                    .table(&REPORT_HEADER, report_rows(std::slice::from_ref(&r)))
            })
        }
        IntelCmd::List {
            from,
            to,
            source,
            graded,
            ungraded,
        } => {
            let filter = ReportFilter {
                received_from: from,
                received_to: to,
                source_id: source,
                graded: if graded {
                    Some(true)
                } else if ungraded {
                    Some(false)
                } else {
                    None
                },
            };
            let list = core.reports(&actor, &filter)?;
            ctx.out
                .emit(&list, || ctx.out.table(&REPORT_HEADER, report_rows(&list)))
        }
        IntelCmd::Show { id } => ctx.out.record(&core.report(&actor, id)?),
        IntelCmd::Grade {
            id,
            system,
            evaluation,
            intelligence,
            handling,
            conditions,
        } => {
            let grading = match system.as_str() {
                "3x5x2" => json!({
                    "system": "3x5x2", "source": snake(&evaluation),
                    "intelligence": snake(&intelligence), "handling": snake(&handling),
                    "conditions": conditions,
                }),
                "5x5x5" => {
                    let num = |name: &str, v: &str| {
                        v.trim().parse::<u8>().map_err(|_| {
                            usage(format!("--{name} must be 1–5 for 5x5x5, not {v:?}"))
                        })
                    };
                    json!({
                        "system": "5x5x5", "source": snake(&evaluation),
                        "intelligence": num("intelligence", &intelligence)?,
                        "handling": num("handling", &handling)?,
                    })
                }
                other => {
                    return Err(usage(format!(
                        "--system must be 3x5x2 or 5x5x5, not {other:?}"
                    )));
                }
            };
            let grading = Body::default().build(grading)?;
            let cur = core.report(&actor, id)?;
            let r = core.grade_report(&actor, id, cur.summary.version, grading)?;
            ctx.out.emit(&r, || {
                ctx.out
                    .table(&REPORT_HEADER, report_rows(std::slice::from_ref(&r)))
            })
        }
        IntelCmd::Link {
            id,
            cases,
            suspects,
        } => {
            if cases.is_empty() && suspects.is_empty() {
                return Err(usage("give at least one --case or --suspect"));
            }
            let ids = case_ids(&core, &actor, &cases)?;
            let cur = core.report(&actor, id)?;
            let r = core.link_report(&actor, id, cur.summary.version, &ids, &suspects)?;
            ctx.out.emit(&r, || {
                ctx.out
                    .table(&REPORT_HEADER, report_rows(std::slice::from_ref(&r)))
            })
        }
        IntelCmd::Disseminate {
            id,
            force,
            reference,
            summary,
            date,
        } => {
            let d = core.disseminate(
                &actor,
                id,
                NewDissemination {
                    force,
                    date,
                    reference,
                    summary,
                },
            )?;
            ctx.out.record(&d)
        }
        IntelCmd::Disseminations { id } => {
            let list = core.disseminations(&actor, id)?;
            ctx.out.emit(&list, || {
                for d in &list {
                    let _ = ctx.out.record(d);
                }
                if list.is_empty() {
                    println!("(none)");
                }
            })
        }
    }
}

pub fn suspect(ctx: &Ctx, c: SuspectCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let one = |s: &SuspectSummary| {
        ctx.out.emit(s, || {
            ctx.out
                .table(&SUSPECT_HEADER, suspect_rows(std::slice::from_ref(s)))
        })
    };
    match c {
        SuspectCmd::Add {
            details,
            reports,
            cases,
        } => {
            let case_ids = case_ids(&core, &actor, &cases)?;
            let new = NewSuspect {
                details: details.build()?,
                report_ids: reports,
                case_ids,
            };
            one(&core.create_suspect(&actor, new)?)
        }
        SuspectCmd::Update { id, details } => {
            let cur = core.suspect(&actor, id)?;
            one(&core.update_suspect(&actor, id, cur.summary.version, details.build()?)?)
        }
        SuspectCmd::Link { id, reports, cases } => {
            if cases.is_empty() && reports.is_empty() {
                return Err(usage("give at least one --report or --case"));
            }
            let ids = case_ids(&core, &actor, &cases)?;
            let cur = core.suspect(&actor, id)?;
            one(&core.link_suspect(&actor, id, cur.summary.version, &reports, &ids)?)
        }
        SuspectCmd::List => {
            let list = core.suspects(&actor)?;
            ctx.out.emit(&list, || {
                ctx.out.table(&SUSPECT_HEADER, suspect_rows(&list))
            })
        }
        SuspectCmd::Show { id } => ctx.out.record(&core.suspect(&actor, id)?),
    }
}

pub fn rescue(ctx: &Ctx, c: RescueCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        RescueCmd::Record {
            date,
            area,
            partners,
            reports,
            existing,
            new,
            body,
        } => {
            let mut people = Vec::new();
            for e in &existing {
                let v = find(&core, &actor, e)?;
                people.push(json!({"kind": "existing", "case_id": v.id, "version": v.version}));
            }
            for (i, n) in new.iter().enumerate() {
                let mut v: Value = serde_json::from_str(n)
                    .map_err(|e| usage(format!("--new #{}: not JSON ({e})", i + 1)))?;
                if let Value::Object(m) = &mut v {
                    m.insert("kind".into(), json!("new"));
                }
                people.push(v);
            }
            let rescue: NewRescue = body.build(base! {
                "date" => date, "area" => area, "partner_agencies" => partners,
                "report_ids" => reports, "people" => people,
            })?;
            let r = core.record_rescue(&actor, rescue)?;
            ctx.out.record(&r)
        }
        RescueCmd::List => {
            let list = core.rescues(&actor)?;
            ctx.out.emit(&list, || {
                ctx.out.table(
                    &["date", "area", "people", "partners", "id"],
                    list.iter()
                        .map(|r| {
                            vec![
                                r.data.date.to_string(),
                                r.data.area.clone(),
                                r.data.people.len().to_string(),
                                r.data.partner_agencies.join(", "),
                                r.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        RescueCmd::Show { id } => ctx.out.record(&core.rescue(&actor, id)?),
    }
}
