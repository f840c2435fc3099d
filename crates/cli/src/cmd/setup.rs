//! Setting up and looking after the store: `init`, `user`, `audit`; and the commands that need
//! no store: `calendar`, `completions`.

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::json;
use unchain_core::nrm::{self, Jurisdiction};
use unchain_core::{Role, Unchain};

use crate::fail::{Failure, Result, usage};
use crate::parse;
use crate::{Ctx, DEFAULT_USER_FILE};

/// `unchain init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// The first administrator's user name.
    #[arg(long, default_value = "admin")]
    admin: String,
}

/// `unchain user …`.
#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create a user with a role (administrators only).
    #[command(after_help = "Example:\n  unchain user create priya --role investigator")]
    Create {
        /// The user name.
        name: String,
        /// admin, manager, investigator, aftercare_coordinator, legal_advocate,
        /// campaign_officer or analyst.
        #[arg(long, value_parser = parse::name::<Role>)]
        role: Role,
    },
    /// List users (administrators only).
    #[command(after_help = "Example:\n  unchain user list --json")]
    List,
}

/// `unchain token …`.
#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Issue an API token for a user (shown once; only its hash is kept).
    #[command(
        after_help = "Example:\n  unchain token issue priya --label 'laptop' --expires 2026-06-30T00:00:00Z"
    )]
    Issue {
        /// The user the token acts as.
        user: String,
        /// What it is for.
        #[arg(long)]
        label: String,
        /// When it stops working (RFC 3339; default never).
        #[arg(long)]
        expires: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// List tokens (never their secrets).
    #[command(after_help = "Example:\n  unchain token list --user priya")]
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token.
    #[command(after_help = "Example:\n  unchain token revoke 0190…")]
    Revoke {
        /// The token id.
        id: uuid::Uuid,
    },
}

/// `unchain audit …`.
#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Check the whole chain; exits 1 when an entry was altered.
    #[command(after_help = "Example:\n  unchain audit verify")]
    Verify,
    /// List audit entries.
    #[command(after_help = "Example:\n  unchain audit list --from 0 --limit 50 --json")]
    List {
        /// The first sequence number.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// At most this many entries.
        #[arg(long, default_value_t = 1_000_000)]
        limit: usize,
    },
}

/// A UK jurisdiction as typed on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Jur {
    /// England and Wales.
    EnglandAndWales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl From<Jur> for Jurisdiction {
    fn from(j: Jur) -> Self {
        match j {
            Jur::EnglandAndWales => Jurisdiction::EnglandAndWales,
            Jur::Scotland => Jurisdiction::Scotland,
            Jur::NorthernIreland => Jurisdiction::NorthernIreland,
        }
    }
}

/// `unchain calendar …`.
#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// The bank holidays of a year, in date order.
    #[command(
        after_help = "Example:\n  unchain calendar holidays england-and-wales --year 2025 --json"
    )]
    Holidays {
        /// The jurisdiction.
        jurisdiction: Jur,
        /// The year (1971–2100).
        #[arg(long)]
        year: i32,
    },
    /// The N-th working day after a date.
    #[command(
        after_help = "Example:\n  unchain calendar add-working-days 2025-12-24 3 --jurisdiction scotland"
    )]
    AddWorkingDays {
        /// The starting date (YYYY-MM-DD).
        #[arg(value_parser = parse::date)]
        date: NaiveDate,
        /// How many working days.
        n: u32,
        /// The jurisdiction whose bank holidays apply.
        #[arg(long, short)]
        jurisdiction: Jur,
    },
    /// Whether a date is a working day.
    #[command(
        after_help = "Example:\n  unchain calendar is-working-day 2025-08-04 --jurisdiction scotland"
    )]
    IsWorkingDay {
        /// The date (YYYY-MM-DD).
        #[arg(value_parser = parse::date)]
        date: NaiveDate,
        /// The jurisdiction.
        #[arg(long, short)]
        jurisdiction: Jur,
    },
}

/// `unchain completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    shell: Shell,
}

/// Shells we write completions for.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Shell {
    /// bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

pub fn init(ctx: &Ctx, a: InitArgs) -> Result<()> {
    let (_core, done) = Unchain::init(&ctx.config(), &a.admin)
        .map_err(|e| Failure::from(e).in_context(&ctx.data_dir))?;
    std::fs::write(
        ctx.data_dir.join(DEFAULT_USER_FILE),
        format!("{}\n", done.admin.data.name),
    )?;
    let key = done.key_file.as_ref().map(|p| p.display().to_string());
    #[derive(Serialize)]
    struct Shape<'a> {
        data_dir: String,
        store: String,
        key_file: Option<String>,
        admin: &'a str,
        admin_id: uuid::Uuid,
    }
    let shape = Shape {
        data_dir: ctx.data_dir.display().to_string(),
        store: done.store.display().to_string(),
        key_file: key.clone(),
        admin: &done.admin.data.name,
        admin_id: done.admin.id,
    };
    ctx.out.emit(&shape, || {
        println!("store:          {}", shape.store);
        match &key {
            Some(k) => println!(
                "key file:       {k}  (keep it safe and backed up apart from the store; without it the data cannot be read)"
            ),
            None => println!("key:            from UNCHAIN_MASTER_KEY (no key file written)"),
        }
        println!(
            "administrator:  {}  (the default --as user; its name is in {})",
            shape.admin,
            ctx.data_dir.join(DEFAULT_USER_FILE).display()
        );
    })
}

pub fn user(ctx: &Ctx, c: UserCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        UserCmd::Create { name, role } => {
            let u = core.create_user(&actor, &name, role)?;
            ctx.out.emit(&u, || {
                println!("created user {} ({}) {}", u.data.name, u.data.role, u.id)
            })
        }
        UserCmd::List => {
            let users = core.users(&actor)?;
            ctx.out.emit(&users, || {
                ctx.out.table(
                    &["name", "role", "active", "created", "id"],
                    users
                        .iter()
                        .map(|u| {
                            vec![
                                u.data.name.clone(),
                                u.data.role.to_string(),
                                u.data.active.to_string(),
                                u.data.created_at.format("%Y-%m-%d").to_string(),
                                u.id.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}

pub fn token(ctx: &Ctx, c: TokenCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let rows = |list: &[unchain_core::tokens::TokenInfo]| -> Vec<Vec<String>> {
        list.iter()
            .map(|t| {
                vec![
                    t.user.clone(),
                    t.label.clone(),
                    t.created_at.format("%Y-%m-%d").to_string(),
                    t.expires_at
                        .map_or("-".into(), |d| d.format("%Y-%m-%d").to_string()),
                    if t.active { "yes".into() } else { "no".into() },
                    t.id.to_string(),
                ]
            })
            .collect()
    };
    const HEADER: [&str; 6] = ["user", "label", "created", "expires", "active", "id"];
    match c {
        TokenCmd::Issue {
            user,
            label,
            expires,
        } => {
            let (info, secret) = core.issue_token(&actor, &user, &label, expires)?;
            let shape = json!({"token": info, "secret": secret.expose()});
            ctx.out.emit(&shape, || {
                println!("{}", secret.expose());
                ctx.out.note(format!(
                    "token {} for {}: shown once, keep it secret (Authorization: Bearer <token>)",
                    info.id, info.user
                ));
            })
        }
        TokenCmd::List { user } => {
            let list = core.tokens(&actor, user.as_deref())?;
            ctx.out.emit(&list, || ctx.out.table(&HEADER, rows(&list)))
        }
        TokenCmd::Revoke { id } => {
            let t = core.revoke_token(&actor, id)?;
            ctx.out.emit(&t, || {
                ctx.out.table(&HEADER, rows(std::slice::from_ref(&t)))
            })
        }
    }
}

pub fn audit(ctx: &Ctx, c: AuditCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        AuditCmd::Verify => {
            let v = core.verify_audit(&actor)?;
            ctx.out.emit(&v, || {
                if v.first_bad.is_none() {
                    println!("audit chain intact: {} entries verified", v.entries)
                }
            })?;
            match v.first_bad {
                None => Ok(()),
                Some(bad) => Err(Failure::Other(format!(
                    "audit chain broken at entry {}: {} ({} entries checked)",
                    bad.seq, bad.reason, v.entries
                ))),
            }
        }
        AuditCmd::List { from, limit } => {
            let entries = core.audit_entries(&actor, from, limit)?;
            ctx.out.emit(&entries, || {
                ctx.out.table(
                    &["seq", "at", "actor", "action", "target"],
                    entries
                        .iter()
                        .map(|e| {
                            vec![
                                e.seq.to_string(),
                                e.record.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                                e.record.actor.clone(),
                                e.record.action.clone(),
                                e.record.target.clone(),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}

pub fn calendar(ctx: &Ctx, c: CalendarCmd) -> Result<()> {
    let cal = |e: nrm::CalendarError| usage(e.to_string());
    match c {
        CalendarCmd::Holidays { jurisdiction, year } => {
            let j: Jurisdiction = jurisdiction.into();
            let days = nrm::holidays(j, year).map_err(cal)?;
            ctx.out.emit(&days, || {
                ctx.out.table(
                    &["date", "day", "name"],
                    days.iter()
                        .map(|h| {
                            vec![
                                h.date.to_string(),
                                h.date.format("%A").to_string(),
                                h.name.clone(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        CalendarCmd::AddWorkingDays {
            date,
            n,
            jurisdiction,
        } => {
            let j: Jurisdiction = jurisdiction.into();
            let d = nrm::add_working_days(j, date, n).map_err(cal)?;
            let shape = json!({"start": date, "working_days": n, "jurisdiction": j, "date": d});
            ctx.out.emit(&shape, || println!("{d}"))
        }
        CalendarCmd::IsWorkingDay { date, jurisdiction } => {
            let j: Jurisdiction = jurisdiction.into();
            let w = nrm::is_working_day(j, date).map_err(cal)?;
            let shape = json!({"date": date, "jurisdiction": j, "working_day": w});
            ctx.out
                .emit(&shape, || println!("{}", if w { "yes" } else { "no" }))
        }
    }
}

pub fn completions(a: CompletionsArgs, cmd: &mut clap::Command) -> Result<()> {
    use clap_complete::{Shell as S, generate};
    let shell = match a.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
    };
    generate(shell, cmd, "unchain", &mut std::io::stdout());
    Ok(())
}
