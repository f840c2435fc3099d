//! Cases, the person a case is about, their consent and the documents attached to a case.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::{Map, Value};
use unchain_core::cases::{CaseFilter, CaseView, NewCase, NewEvent};
use unchain_core::consent::{ConsentMethod, ConsentScope, NewConsent};
use unchain_core::documents::{DocumentKind, NewDocument};
use unchain_core::lifecycle::{EventKind, Stage};
use unchain_core::nrm::{ExploitationType, Jurisdiction};
use unchain_core::people::{Gender, PersonDetails, PersonView};
use unchain_core::{Actor, CoreError, Unchain};
use uuid::Uuid;

use super::setup::Jur;
use crate::Ctx;
use crate::fail::{Failure, Result, usage};
use crate::out::{opt, word};
use crate::parse;

/// The person's details as flags (every one optional; `case open` needs at least a name or an
/// age, as the core says).
#[derive(Args, Debug, Default)]
pub struct PersonFlags {
    /// A name the person uses (repeat for aliases; the first is the one they use).
    #[arg(long = "name", value_name = "NAME")]
    names: Vec<String>,
    /// Date of birth (YYYY-MM-DD).
    #[arg(long, value_parser = parse::date)]
    dob: Option<NaiveDate>,
    /// Estimated age in years, when the date of birth is not known.
    #[arg(long)]
    estimated_age: Option<u32>,
    /// There is reason to believe the person may be under 18.
    #[arg(long)]
    possibly_under_18: bool,
    /// female, male, transgender_or_non_conforming or unknown.
    #[arg(long, value_parser = parse::name::<Gender>)]
    gender: Option<Gender>,
    /// A nationality as ISO 3166-1 alpha-2 (repeat).
    #[arg(long = "nationality", value_name = "CC")]
    nationalities: Vec<String>,
    /// A language spoken (repeat).
    #[arg(long = "language", value_name = "LANG")]
    languages: Vec<String>,
    /// Number of dependants.
    #[arg(long)]
    dependants: Option<u32>,
}

impl PersonFlags {
    fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.dob.is_none()
            && self.estimated_age.is_none()
            && !self.possibly_under_18
            && self.gender.is_none()
            && self.nationalities.is_empty()
            && self.languages.is_empty()
            && self.dependants.is_none()
    }

    /// Applies the flags given over `d` (flags not given keep their value).
    fn apply(self, mut d: PersonDetails) -> PersonDetails {
        if !self.names.is_empty() {
            d.names = self.names;
        }
        if self.dob.is_some() {
            d.date_of_birth = self.dob;
        }
        if self.estimated_age.is_some() {
            d.estimated_age = self.estimated_age;
        }
        if self.possibly_under_18 {
            d.possibly_under_18 = true;
        }
        if self.gender.is_some() {
            d.gender = self.gender;
        }
        if !self.nationalities.is_empty() {
            d.nationalities = self.nationalities;
        }
        if !self.languages.is_empty() {
            d.languages = self.languages;
        }
        if let Some(n) = self.dependants {
            d.dependants = n;
        }
        d
    }
}

/// `unchain case …`.
#[derive(Subcommand, Debug)]
pub enum CaseCmd {
    /// Open a case about a new person (flags, or the whole request as JSON with --input).
    #[command(
        after_help = "Example:\n  unchain case open --name 'Ana P' --estimated-age 24 --nationality AL \\\n    --exploitation sexual --jurisdiction england-and-wales --opened-on 2025-03-02"
    )]
    Open {
        #[command(flatten)]
        person: PersonFlags,
        /// Where the case is handled.
        #[arg(long, default_value = "england-and-wales")]
        jurisdiction: Jur,
        /// labour, sexual, criminal, domestic_servitude, organ_harvesting or
        /// not_specified_or_unknown (repeat).
        #[arg(long = "exploitation", value_parser = parse::name::<ExploitationType>)]
        exploitation: Vec<ExploitationType>,
        /// The day the case opened (default today).
        #[arg(long, value_parser = parse::date)]
        opened_on: Option<NaiveDate>,
        /// The responsible user (default you).
        #[arg(long)]
        owner: Option<String>,
        /// An intelligence report the case comes from (repeat).
        #[arg(long = "report", value_name = "REPORT_ID")]
        reports: Vec<Uuid>,
        /// The whole request as JSON (the HTTP API's body); `-` reads stdin.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["names", "dob", "estimated_age", "exploitation", "opened_on", "owner", "reports"])]
        input: Option<PathBuf>,
    },
    /// Show a case (by reference or id).
    #[command(after_help = "Example:\n  unchain case show UC-000001 --json")]
    Show {
        /// The case reference (UC-000001) or id.
        case: String,
    },
    /// List cases, optionally filtered.
    #[command(
        after_help = "Example:\n  unchain case list --stage in_support --owner priya --from 2025-01-01 --open"
    )]
    List {
        /// Only cases at this stage (reported, assessing, rescue_planned, rescued, in_support,
        /// moving_on, closed, not_pursued).
        #[arg(long, value_parser = parse::name::<Stage>)]
        stage: Option<Stage>,
        /// Only cases owned by this user.
        #[arg(long)]
        owner: Option<String>,
        /// Only cases opened on or after this date.
        #[arg(long, value_parser = parse::date)]
        from: Option<NaiveDate>,
        /// Only cases opened on or before this date.
        #[arg(long, value_parser = parse::date)]
        to: Option<NaiveDate>,
        /// Only open cases.
        #[arg(long)]
        open: bool,
    },
    /// Record a stage-line or advocacy event (NRM, aftercare and justice events go through their
    /// own commands).
    #[command(
        after_help = "Examples:\n  unchain case event UC-000001 assessment_started --date 2025-03-03\n  unchain case event UC-000001 rescued --set origin=self_presented\n  unchain case event UC-000001 closed --set closure_reason=support_completed --reason 'plan done'"
    )]
    Event {
        /// The case reference or id.
        case: String,
        /// The event type (assessment_started, rescue_planned, rescued, support_started,
        /// moving_on_started, support_resumed, closed, not_pursued, reopened,
        /// advocacy_requested, advocacy_declined).
        kind: String,
        /// The event's fields as key=value (e.g. origin=self_presented).
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse::pair)]
        set: Vec<(String, Value)>,
        /// When it happened (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
        /// Why, in your words (sealed; required to reopen).
        #[arg(long)]
        reason: Option<String>,
        /// Refuse (exit 4) if the case changed since you read this version.
        #[arg(long)]
        if_version: Option<u64>,
    },
    /// The case's timeline: events and documents in date order.
    #[command(after_help = "Example:\n  unchain case timeline UC-000001")]
    Timeline {
        /// The case reference or id.
        case: String,
    },
    /// Link intelligence reports and suspects to a case.
    #[command(
        after_help = "Example:\n  unchain case link UC-000001 --report 0190… --suspect 0190…"
    )]
    Link {
        /// The case reference or id.
        case: String,
        /// An intelligence report id (repeat).
        #[arg(long = "report", value_name = "REPORT_ID")]
        reports: Vec<Uuid>,
        /// A suspect id (repeat).
        #[arg(long = "suspect", value_name = "SUSPECT_ID")]
        suspects: Vec<Uuid>,
        /// Refuse (exit 4) if the case changed since you read this version.
        #[arg(long)]
        if_version: Option<u64>,
    },
}

/// `unchain consent …`.
#[derive(Subcommand, Debug)]
pub enum ConsentCmd {
    /// Record a consent decision (given or withdrawn) for the person of a case.
    #[command(
        after_help = "Example:\n  unchain consent record UC-000001 --scope nrm_referral --given --method verbal_interpreted --on 2025-03-04"
    )]
    Record {
        /// The case reference or id.
        case: String,
        /// nrm_referral, sharing_with_police, sharing_with_organisations, legal_advocacy or
        /// data_processing.
        #[arg(long, value_parser = parse::name::<ConsentScope>)]
        scope: ConsentScope,
        /// Consent given.
        #[arg(
            long,
            conflicts_with = "withdrawn",
            required_unless_present = "withdrawn"
        )]
        given: bool,
        /// Consent refused or withdrawn.
        #[arg(long)]
        withdrawn: bool,
        /// signed_form, verbal_witnessed, verbal_interpreted, electronic or guardian.
        #[arg(long, value_parser = parse::name::<ConsentMethod>)]
        method: ConsentMethod,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        /// The signed form, attached as a document.
        #[arg(long, value_name = "DOCUMENT_ID")]
        document: Option<Uuid>,
    },
    /// Every consent decision recorded for the person of a case.
    #[command(after_help = "Example:\n  unchain consent list UC-000001")]
    List {
        /// The case reference or id.
        case: String,
    },
    /// The consent in force for every scope on a day.
    #[command(after_help = "Example:\n  unchain consent status UC-000001 --on 2025-04-01 --json")]
    Status {
        /// The case reference or id.
        case: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
    },
}

/// `unchain person …`.
#[derive(Subcommand, Debug)]
pub enum PersonCmd {
    /// Show the person of a case (identity only for roles that may see it; the read is audited).
    #[command(after_help = "Example:\n  unchain person show UC-000001")]
    Show {
        /// The case reference or id, or the person's id.
        case: String,
    },
    /// Change the person's details: only the flags given change (or --input replaces them all).
    #[command(
        after_help = "Example:\n  unchain person update UC-000001 --dob 2001-05-17 --language sq --language en"
    )]
    Update {
        /// The case reference or id, or the person's id.
        case: String,
        #[command(flatten)]
        person: PersonFlags,
        /// The whole details as JSON; `-` reads stdin.
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Refuse (exit 4) if the person changed since you read this version.
        #[arg(long)]
        if_version: Option<u64>,
    },
    /// Erase a person: their key is destroyed, so every sealed value about them becomes
    /// unreadable everywhere. Irreversible.
    #[command(
        after_help = "Example:\n  unchain person erase UC-000001 --reason 'erasure request under UK GDPR Art. 17, received 2025-05-30'"
    )]
    Erase {
        /// The case reference or id, or the person's id.
        case: String,
        /// Why (must not itself hold personal data).
        #[arg(long)]
        reason: String,
    },
    /// Everything held about a person, as one JSON document (a subject access request).
    #[command(after_help = "Example:\n  unchain person export UC-000001 --out sar.json")]
    Export {
        /// The case reference or id, or the person's id.
        case: String,
        /// Where to write it (default stdout).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

/// `unchain document …`.
#[derive(Subcommand, Debug)]
pub enum DocumentCmd {
    /// Attach a file to a case (sealed under the person's key).
    #[command(
        after_help = "Example:\n  unchain document attach UC-000001 consent.pdf --kind consent_form --title 'NRM consent'"
    )]
    Attach {
        /// The case reference or id.
        case: String,
        /// The file.
        file: PathBuf,
        /// consent_form, police_paper, court_paper, identity_document, nrm_letter, assessment
        /// or other.
        #[arg(long, value_parser = parse::name::<DocumentKind>)]
        kind: DocumentKind,
        /// A title (sealed).
        #[arg(long)]
        title: String,
        /// The document's date (default today).
        #[arg(long, value_parser = parse::date)]
        date: Option<NaiveDate>,
        /// The media type (default from the extension: pdf, png, jpg, txt, docx).
        #[arg(long)]
        media_type: Option<String>,
    },
    /// The documents of a case (titles for roles that may see them).
    #[command(after_help = "Example:\n  unchain document list UC-000001 --json")]
    List {
        /// The case reference or id.
        case: String,
    },
    /// Write a document's content to a file (`-` for stdout). The read is audited.
    #[command(after_help = "Example:\n  unchain document get 0190… --out consent.pdf")]
    Get {
        /// The document id.
        id: Uuid,
        /// Where to write it.
        #[arg(long, short)]
        out: PathBuf,
    },
}

/// Reads a JSON input file (`-` for stdin) into a core request type.
pub fn read_input<T: serde::de::DeserializeOwned>(path: &PathBuf) -> Result<T> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?
    };
    serde_json::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))
}

/// A case by reference or id.
pub fn find(core: &Unchain, actor: &Actor, case: &str) -> Result<CaseView> {
    Ok(core.find_case(actor, case)?)
}

fn person_of(core: &Unchain, actor: &Actor, s: &str) -> Result<PersonView> {
    match core.find_case(actor, s) {
        Ok(c) => Ok(c.person),
        Err(CoreError::NotFound { .. }) if s.parse::<Uuid>().is_ok() => {
            Ok(core.person(actor, s.parse().unwrap_or_default())?)
        }
        Err(e) => Err(e.into()),
    }
}

fn check_version(kind: &str, want: Option<u64>, have: u64, id: Uuid) -> Result<()> {
    match want {
        Some(v) if v != have => Err(Failure::Core(CoreError::Conflict {
            kind: if kind == "case" { "case" } else { "person" },
            id: id.to_string(),
            expected: v,
            found: have,
        })),
        _ => Ok(()),
    }
}

fn show_case(ctx: &Ctx, c: &CaseView) -> Result<()> {
    ctx.out.emit(c, || {
        let name = c
            .person
            .details
            .as_ref()
            .and_then(|d| d.names.first().cloned())
            .unwrap_or_else(|| "(not shown)".into());
        ctx.out.fields(vec![
            ("reference", c.reference.clone()),
            ("id", c.id.to_string()),
            ("version", c.version.to_string()),
            (
                "person",
                format!("{} ({})", c.person.pseudonym, word(&c.person.age_group)),
            ),
            ("name", name),
            ("owner", c.owner.clone()),
            ("jurisdiction", word(&c.jurisdiction)),
            ("exploitation", word(&c.exploitation)),
            ("opened", c.opened_on.to_string()),
            ("stage", word(&c.stage)),
            ("nrm", word(&c.nrm)),
            ("aftercare", word(&c.aftercare)),
            ("advocacy", word(&c.advocacy)),
            ("placed at", opt(&c.placed_at)),
            ("open tracks", word(&c.open_tracks)),
            ("last event", c.last_event_on.to_string()),
            ("rescue", opt(&c.rescue_id)),
            ("reports", word(&c.report_ids)),
            ("suspects", word(&c.suspect_ids)),
        ])
    })
}

pub fn case(ctx: &Ctx, c: CaseCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        CaseCmd::Open {
            person,
            jurisdiction,
            exploitation,
            opened_on,
            owner,
            reports,
            input,
        } => {
            let new = match input {
                Some(path) => read_input::<NewCase>(&path)?,
                None => NewCase {
                    person: person.apply(PersonDetails::default()),
                    jurisdiction: Jurisdiction::from(jurisdiction),
                    exploitation,
                    opened_on,
                    owner,
                    report_ids: reports,
                },
            };
            let view = core.open_case(&actor, new)?;
            ctx.out.note(format!("opened case {}", view.reference));
            show_case(ctx, &view)
        }
        CaseCmd::Show { case } => show_case(ctx, &find(&core, &actor, &case)?),
        CaseCmd::List {
            stage,
            owner,
            from,
            to,
            open,
        } => {
            let filter = CaseFilter {
                stage,
                owner,
                opened_from: from,
                opened_to: to,
                open_only: open,
            };
            let cases = core.cases(&actor, &filter)?;
            ctx.out.emit(&cases, || {
                ctx.out.table(
                    &[
                        "reference",
                        "person",
                        "age",
                        "owner",
                        "stage",
                        "opened",
                        "open tracks",
                    ],
                    cases
                        .iter()
                        .map(|c| {
                            vec![
                                c.reference.clone(),
                                c.pseudonym.clone(),
                                word(&c.age_group),
                                c.owner.clone(),
                                word(&c.stage),
                                c.opened_on.to_string(),
                                word(&c.open_tracks),
                            ]
                        })
                        .collect(),
                )
            })
        }
        CaseCmd::Event {
            case,
            kind,
            set,
            date,
            reason,
            if_version,
        } => {
            let mut obj = Map::new();
            obj.insert("type".into(), Value::String(kind.trim().replace('-', "_")));
            for (k, v) in set {
                let v = match v {
                    Value::String(s) => Value::String(s.replace('-', "_")),
                    other => other,
                };
                obj.insert(k, v);
            }
            let kind: EventKind = serde_json::from_value(Value::Object(obj))
                .map_err(|e| usage(format!("event: {e}")))?;
            let view = find(&core, &actor, &case)?;
            check_version("case", if_version, view.version, view.id)?;
            let view = core.record_case_event(
                &actor,
                view.id,
                if_version.unwrap_or(view.version),
                NewEvent { kind, date, reason },
            )?;
            ctx.out
                .note(format!("{}: now {}", view.reference, word(&view.stage)));
            show_case(ctx, &view)
        }
        CaseCmd::Timeline { case } => {
            let view = find(&core, &actor, &case)?;
            let entries = core.timeline(&actor, view.id)?;
            ctx.out.emit(&entries, || {
                ctx.out.table(
                    &["date", "what", "by", "reason"],
                    entries
                        .iter()
                        .map(|e| {
                            vec![
                                e.date.to_string(),
                                e.description.clone(),
                                e.recorded_by.clone(),
                                opt(&e.reason),
                            ]
                        })
                        .collect(),
                )
            })
        }
        CaseCmd::Link {
            case,
            reports,
            suspects,
            if_version,
        } => {
            if reports.is_empty() && suspects.is_empty() {
                return Err(usage("give at least one --report or --suspect"));
            }
            let view = find(&core, &actor, &case)?;
            check_version("case", if_version, view.version, view.id)?;
            let view = core.link_case(&actor, view.id, view.version, &reports, &suspects)?;
            show_case(ctx, &view)
        }
    }
}

pub fn consent(ctx: &Ctx, c: ConsentCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        ConsentCmd::Record {
            case,
            scope,
            given,
            withdrawn: _,
            method,
            on,
            document,
        } => {
            let view = find(&core, &actor, &case)?;
            let rec = core.record_consent(
                &actor,
                view.person.id,
                NewConsent {
                    scope,
                    given,
                    on,
                    method,
                    document_id: document,
                },
            )?;
            ctx.out.emit(&rec, || {
                println!(
                    "{}: {} {} on {} ({})",
                    view.reference,
                    word(&rec.data.scope),
                    if rec.data.given { "given" } else { "withdrawn" },
                    rec.data.on,
                    rec.id
                )
            })
        }
        ConsentCmd::List { case } => {
            let view = find(&core, &actor, &case)?;
            let list = core.consents(&actor, view.person.id)?;
            ctx.out.emit(&list, || {
                ctx.out.table(
                    &["on", "scope", "given", "method", "recorded by", "id"],
                    list.iter()
                        .map(|c| {
                            vec![
                                c.data.on.to_string(),
                                word(&c.data.scope),
                                c.data.given.to_string(),
                                word(&c.data.method),
                                c.data.recorded_by.clone(),
                                c.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        ConsentCmd::Status { case, on } => {
            let view = find(&core, &actor, &case)?;
            let on = on.unwrap_or_else(|| core.clock().today());
            let status = core.consent_status(&actor, view.person.id, on)?;
            ctx.out.emit(&status, || {
                ctx.out.table(
                    &["scope", "in force", "since"],
                    status
                        .iter()
                        .map(|s| {
                            vec![
                                word(&s.scope),
                                if s.given { "yes".into() } else { "no".into() },
                                opt(&s.since),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}

fn show_person(ctx: &Ctx, p: &PersonView) -> Result<()> {
    ctx.out.emit(p, || {
        let mut rows = vec![
            ("pseudonym", p.pseudonym.clone()),
            ("id", p.id.to_string()),
            ("version", p.version.to_string()),
            ("age group", word(&p.age_group)),
        ];
        match &p.details {
            Some(d) => {
                rows.push(("names", d.names.join(", ")));
                rows.push(("date of birth", opt(&d.date_of_birth)));
                rows.push(("estimated age", opt(&d.estimated_age)));
                rows.push(("possibly under 18", d.possibly_under_18.to_string()));
                rows.push(("gender", opt(&d.gender)));
                rows.push(("nationalities", d.nationalities.join(", ")));
                rows.push(("languages", d.languages.join(", ")));
                rows.push(("dependants", d.dependants.to_string()));
                rows.push(("contacts", d.contacts.len().to_string()));
            }
            None => rows.push(("identity", "(not shown to your role, or erased)".into())),
        }
        if let Some(e) = &p.erased {
            rows.push(("erased", format!("{} by {}", e.at.format("%Y-%m-%d"), e.by)));
        }
        ctx.out.fields(rows)
    })
}

pub fn person(ctx: &Ctx, c: PersonCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        PersonCmd::Show { case } => show_person(ctx, &person_of(&core, &actor, &case)?),
        PersonCmd::Update {
            case,
            person,
            input,
            if_version,
        } => {
            let current = person_of(&core, &actor, &case)?;
            check_version("person", if_version, current.version, current.id)?;
            let details = match input {
                Some(path) => {
                    if !person.is_empty() {
                        return Err(usage("give either --input or detail flags, not both"));
                    }
                    read_input::<PersonDetails>(&path)?
                }
                None => {
                    if person.is_empty() {
                        return Err(usage(
                            "nothing to change: give at least one detail flag or --input",
                        ));
                    }
                    let base = current.details.clone().ok_or_else(|| {
                        usage("the current details are not visible to you; give the whole details with --input")
                    })?;
                    person.apply(base)
                }
            };
            let p = core.update_person(&actor, current.id, current.version, details)?;
            show_person(ctx, &p)
        }
        PersonCmd::Erase { case, reason } => {
            let p = person_of(&core, &actor, &case)?;
            let report = core.erase_person(&actor, p.id, &reason)?;
            ctx.out.emit(&report, || {
                println!(
                    "erased {}: {} case(s) kept pseudonymised, {} document(s) removed",
                    report.pseudonym,
                    report.cases.len(),
                    report.documents_removed
                )
            })
        }
        PersonCmd::Export { case, out } => {
            let p = person_of(&core, &actor, &case)?;
            let doc = core.export_person(&actor, p.id)?;
            match out {
                None => ctx.out.json(&doc),
                Some(path) => {
                    std::fs::write(&path, serde_json::to_vec_pretty(&doc)?).map_err(|e| {
                        Failure::Other(format!("cannot write {}: {e}", path.display()))
                    })?;
                    ctx.out.note(format!(
                        "wrote the subject access export to {}",
                        path.display()
                    ));
                    if ctx.out.json {
                        ctx.out
                            .json(&serde_json::json!({"person_id": p.id, "out": path}))?;
                    }
                    Ok(())
                }
            }
        }
    }
}

fn media_type(path: &std::path::Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => return None,
    })
}

pub fn document(ctx: &Ctx, c: DocumentCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        DocumentCmd::Attach {
            case,
            file,
            kind,
            title,
            date,
            media_type: mt,
        } => {
            let content = std::fs::read(&file)
                .map_err(|e| usage(format!("cannot read {}: {e}", file.display())))?;
            let media_type = match mt {
                Some(m) => m,
                None => media_type(&file)
                    .ok_or_else(|| {
                        usage(format!(
                            "cannot tell the media type of {}; give --media-type",
                            file.display()
                        ))
                    })?
                    .to_owned(),
            };
            let view = find(&core, &actor, &case)?;
            let meta = core.attach_document(
                &actor,
                view.id,
                NewDocument {
                    kind,
                    title,
                    date,
                    media_type,
                    content,
                },
            )?;
            ctx.out.emit(&meta, || {
                println!(
                    "attached {} ({} bytes) to {}",
                    meta.id, meta.size, view.reference
                )
            })
        }
        DocumentCmd::List { case } => {
            let view = find(&core, &actor, &case)?;
            let docs = core.documents(&actor, view.id)?;
            ctx.out.emit(&docs, || {
                ctx.out.table(
                    &["date", "kind", "title", "type", "bytes", "id"],
                    docs.iter()
                        .map(|d| {
                            vec![
                                d.date.to_string(),
                                word(&d.kind),
                                opt(&d.title),
                                d.media_type.clone(),
                                d.size.to_string(),
                                d.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        DocumentCmd::Get { id, out } => {
            let (meta, content) = core.document(&actor, id)?;
            if out.as_os_str() == "-" {
                use std::io::Write;
                std::io::stdout().write_all(&content)?;
                return Ok(());
            }
            std::fs::write(&out, &content)
                .map_err(|e| Failure::Other(format!("cannot write {}: {e}", out.display())))?;
            ctx.out.emit(&meta, || {
                println!(
                    "wrote {} ({} bytes) to {}",
                    meta.id,
                    meta.size,
                    out.display()
                )
            })
        }
    }
}
