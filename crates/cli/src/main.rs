//! `unchain`: the command-line front end. Parse, call the core, print. No rule of the work lives
//! here: every check is the core's, so the CLI and the HTTP API refuse the same things.

mod body;
mod cmd;
mod fail;
mod out;
mod parse;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};
use unchain_core::{Actor, Config, Unchain};

use crate::fail::{Failure, Result};
use crate::out::Out;

/// The file in the data directory naming the administrator created by `init`: the acting user
/// when neither `--as` nor `UNCHAIN_USER` says otherwise.
pub const DEFAULT_USER_FILE: &str = "default-user";

/// The work of an anti-trafficking NGO from the terminal: cases, consent, the NRM, aftercare,
/// justice and campaigns, over the same core as the HTTP server.
#[derive(Parser, Debug)]
#[command(
    name = "unchain",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 ok, 1 refused by a rule or other failure, 2 usage or invalid input, \
3 not found, 4 conflict, 5 forbidden.\n\nExample:\n  unchain init && unchain case list"
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The data directory (store and key file).
    #[arg(
        long,
        global = true,
        env = "UNCHAIN_DATA_DIR",
        default_value = "./unchain-data",
        value_name = "DIR"
    )]
    data_dir: PathBuf,
    /// The acting user (default: the administrator created by `init`).
    #[arg(long = "as", global = true, env = "UNCHAIN_USER", value_name = "USER")]
    as_user: Option<String>,
    /// Machine output: one JSON document on stdout (errors as JSON on stderr).
    #[arg(long, global = true)]
    json: bool,
    /// No chatter: only results and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// More detail (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the store, the key file and the first administrator.
    #[command(after_help = "Example:\n  unchain --data-dir /srv/unchain init --admin alice")]
    Init(cmd::setup::InitArgs),
    /// Users and their roles.
    #[command(subcommand)]
    User(cmd::setup::UserCmd),
    /// API tokens for the HTTP server.
    #[command(subcommand)]
    Token(cmd::setup::TokenCmd),
    /// The tamper-evident audit chain.
    #[command(subcommand)]
    Audit(cmd::setup::AuditCmd),
    /// UK bank holidays and working days (no store needed).
    #[command(subcommand)]
    Calendar(cmd::setup::CalendarCmd),
    /// Shell completion scripts (no store needed).
    #[command(after_help = "Example:\n  unchain completions bash > /etc/bash_completion.d/unchain")]
    Completions(cmd::setup::CompletionsArgs),
    /// Cases: open, show, list, record events, timeline, link.
    #[command(subcommand)]
    Case(cmd::cases::CaseCmd),
    /// A person's consent by scope.
    #[command(subcommand)]
    Consent(cmd::cases::ConsentCmd),
    /// The person a case is about.
    #[command(subcommand)]
    Person(cmd::cases::PersonCmd),
    /// Documents attached to a case (sealed).
    #[command(subcommand, alias = "documents")]
    Document(cmd::cases::DocumentCmd),
    /// Community groups, trainings and campaign actions.
    #[command(subcommand)]
    Campaign(cmd::campaign::CampaignCmd),
    /// National Referral Mechanism: refer, decisions, deadlines, overdue.
    #[command(subcommand)]
    Nrm(cmd::nrm::NrmCmd),
    /// The facility register (addresses sealed).
    #[command(subcommand)]
    Facility(cmd::aftercare::FacilityCmd),
    /// Needs, matching, batch assignment, place / move / exit.
    #[command(subcommand)]
    Placement(cmd::aftercare::PlacementCmd),
    /// Transport to a facility.
    #[command(subcommand)]
    Transport(cmd::aftercare::TransportCmd),
    /// Follow-up contacts after placement: due, overdue, log, policy.
    #[command(subcommand)]
    Followup(cmd::aftercare::FollowupCmd),
    /// Progress assessments and their trend.
    #[command(subcommand)]
    Progress(cmd::aftercare::ProgressCmd),
    /// Advocacy, legal advice, police reports, prosecutions and civil claims.
    #[command(subcommand)]
    Legal(cmd::legal::LegalCmd),
    /// Intelligence sources.
    #[command(subcommand)]
    Source(cmd::investigate::SourceCmd),
    /// Community groups (the same as `campaign group`).
    #[command(subcommand)]
    Group(cmd::campaign::GroupCmd),
    /// Intelligence reports: record, grade, link, disseminate.
    #[command(subcommand)]
    Intel(cmd::investigate::IntelCmd),
    /// Suspects (identifiers sealed).
    #[command(subcommand)]
    Suspect(cmd::investigate::SuspectCmd),
    /// Rescues of one or more people.
    #[command(subcommand)]
    Rescue(cmd::investigate::RescueCmd),
    /// Import intel, cases, facilities or groups from CSV or JSON Lines.
    #[command(
        after_help = "Examples:\n  unchain import cases people.csv\n  unchain import groups groups.jsonl --skip-invalid rejects.jsonl"
    )]
    Import(cmd::data::ImportArgs),
    /// The network picture: clusters linked by shared identifiers.
    #[command(subcommand)]
    Network(cmd::data::NetworkCmd),
    /// Load the realistic demo dataset (deterministic for a seed and size).
    #[command(after_help = "Example:\n  unchain init && unchain demo --size 500 --seed 7")]
    Demo(cmd::data::DemoArgs),
    /// Reports for a period: summary, nrm, aftercare, justice, campaign.
    #[command(
        after_help = "Example:\n  unchain report nrm --from 2025-01-01 --to 2025-03-31 --as-of 2025-04-07 --json"
    )]
    Report(cmd::data::ReportArgs),
    /// Restore a backup into a new data directory (--data-dir; no store there yet).
    #[command(
        after_help = "Example:\n  unchain --data-dir /srv/unchain-restored restore /backups/unchain.bak --key-file /safe/master.key"
    )]
    Restore(cmd::data::RestoreArgs),
    /// Exports: a full backup, de-identified HTCDS data, a police package.
    #[command(subcommand)]
    Export(cmd::data::ExportCmd),
}

/// What every command gets: where the store is, who acts, how to print.
pub struct Ctx {
    /// The data directory.
    pub data_dir: PathBuf,
    /// `--as`.
    pub as_user: Option<String>,
    /// Printing.
    pub out: Out,
}

impl Ctx {
    /// The core's configuration for the data directory.
    pub fn config(&self) -> Config {
        Config::new(&self.data_dir)
    }

    /// Opens the store and resolves the acting user.
    pub fn open(&self) -> Result<(Unchain, Actor)> {
        let core = Unchain::open(&self.config())
            .map_err(|e| Failure::from(e).in_context(&self.data_dir))?;
        let name = match &self.as_user {
            Some(n) => n.clone(),
            None => std::fs::read_to_string(self.data_dir.join(DEFAULT_USER_FILE))
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "admin".to_owned()),
        };
        let actor = core.actor(&name)?;
        if self.out.verbose > 0 {
            eprintln!("acting as {} ({})", actor.name, actor.role);
        }
        Ok((core, actor))
    }
}

fn main() -> ExitCode {
    // The fast path: no clap tree, no store.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.as_slice(), [a] if a == "--version" || a == "-V") {
        println!("unchain {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    quiet_panics();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version print to stdout and exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                fail::USAGE
            } else {
                fail::OK
            });
        }
    };
    let ctx = Ctx {
        data_dir: cli.global.data_dir.clone(),
        as_user: cli.global.as_user.clone(),
        out: Out::new(cli.global.json, cli.global.quiet, cli.global.verbose),
    };
    match run(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let f = f.in_context(&ctx.data_dir);
            f.report(ctx.out.json);
            ExitCode::from(f.code())
        }
    }
}

/// A closed pipe (`unchain case list | head`) ends the command quietly, as it does for other
/// Unix tools; any other panic is a bug, reported in one line without a backtrace.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!("error: internal error in unchain ({msg}); please report it");
        std::process::exit(i32::from(fail::OTHER));
    }));
}

fn run(ctx: &Ctx, command: Command) -> Result<()> {
    match command {
        Command::Init(a) => cmd::setup::init(ctx, a),
        Command::User(c) => cmd::setup::user(ctx, c),
        Command::Token(c) => cmd::setup::token(ctx, c),
        Command::Audit(c) => cmd::setup::audit(ctx, c),
        Command::Calendar(c) => cmd::setup::calendar(ctx, c),
        Command::Completions(a) => cmd::setup::completions(a, &mut Cli::command()),
        Command::Case(c) => cmd::cases::case(ctx, c),
        Command::Consent(c) => cmd::cases::consent(ctx, c),
        Command::Person(c) => cmd::cases::person(ctx, c),
        Command::Document(c) => cmd::cases::document(ctx, c),
        Command::Campaign(c) => cmd::campaign::campaign(ctx, c),
        Command::Nrm(c) => cmd::nrm::nrm(ctx, c),
        Command::Facility(c) => cmd::aftercare::facility(ctx, c),
        Command::Placement(c) => cmd::aftercare::placement(ctx, c),
        Command::Transport(c) => cmd::aftercare::transport(ctx, c),
        Command::Followup(c) => cmd::aftercare::followup(ctx, c),
        Command::Progress(c) => cmd::aftercare::progress(ctx, c),
        Command::Legal(c) => cmd::legal::legal(ctx, c),
        Command::Source(c) => cmd::investigate::source(ctx, c),
        Command::Group(c) => cmd::campaign::campaign(ctx, cmd::campaign::CampaignCmd::Group(c)),
        Command::Intel(c) => cmd::investigate::intel(ctx, c),
        Command::Suspect(c) => cmd::investigate::suspect(ctx, c),
        Command::Rescue(c) => cmd::investigate::rescue(ctx, c),
        Command::Import(a) => cmd::data::import(ctx, a),
        Command::Network(c) => cmd::data::network(ctx, c),
        Command::Demo(a) => cmd::data::demo(ctx, a),
        Command::Report(a) => cmd::data::report(ctx, a),
        Command::Export(c) => cmd::data::export(ctx, c),
        Command::Restore(a) => cmd::data::restore(ctx, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every verb (leaf command) shows an example in its `--help`.
    #[test]
    fn every_verb_has_an_example() {
        fn walk(cmd: &clap::Command, path: String, missing: &mut Vec<String>) {
            let subs: Vec<_> = cmd
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .collect();
            if subs.is_empty() {
                let help = cmd
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                if !help.contains("Example") {
                    missing.push(path);
                }
                return;
            }
            for s in subs {
                walk(s, format!("{path} {}", s.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "unchain".into(), &mut missing);
        assert!(missing.is_empty(), "verbs without an example: {missing:?}");
    }

    #[test]
    fn exit_codes_follow_the_core_error() {
        use unchain_core::{CoreError, FieldError};
        let code = |e: CoreError| Failure::Core(e).code();
        assert_eq!(
            code(CoreError::Validation(vec![FieldError::new("a", "b")])),
            2
        );
        assert_eq!(
            code(CoreError::NotFound {
                kind: "case",
                id: "x".into()
            }),
            3
        );
        assert_eq!(
            code(CoreError::Conflict {
                kind: "case",
                id: "x".into(),
                expected: 1,
                found: 2
            }),
            4
        );
        assert_eq!(
            code(CoreError::Forbidden {
                actor: "a".into(),
                role: "analyst".into(),
                operation: "case.create"
            }),
            5
        );
        assert_eq!(code(CoreError::Refused("no".into())), 1);
        assert_eq!(Failure::Usage("x".into()).code(), 2);
    }
}
