//! Bulk data in and out: imports with a progress bar, the network picture, and exports.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use unchain_core::import::{Format, ImportOptions, ImportReport, OnInvalid, Phase, Progress};
use unchain_core::network::PackageScope;
use unchain_core::network::cluster::ClusterOptions;
use uuid::Uuid;

use crate::Ctx;
use crate::fail::{Failure, Result, usage};
use crate::out::{opt, word};

/// What to import.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ImportKind {
    /// Intelligence reports.
    Intel,
    /// People and their cases.
    Cases,
    /// Facilities.
    Facilities,
    /// Community groups.
    Groups,
}

/// A file format as typed.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON document per line.
    Jsonl,
}

/// `unchain import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// What the file holds.
    kind: ImportKind,
    /// The file (CSV or JSON Lines, by extension or --format).
    file: PathBuf,
    /// The format, when the extension does not say (.csv, .jsonl, .ndjson).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Import the valid records and write the invalid lines here (with their errors) instead of
    /// refusing the whole file.
    #[arg(long, value_name = "REJECTS_FILE")]
    skip_invalid: Option<PathBuf>,
    /// Records per atomic write.
    #[arg(long)]
    batch_size: Option<usize>,
}

/// `unchain network …`.
#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    /// Clusters of reports, cases and suspects linked by shared identifiers (values only for
    /// roles that may see identities).
    #[command(after_help = "Example:\n  unchain network clusters --min-members 3 --json")]
    Clusters {
        /// Only clusters with at least this many members.
        #[arg(long, default_value_t = 2)]
        min_members: usize,
        /// Link on exact matches only (no fuzzy name matching).
        #[arg(long)]
        exact: bool,
    },
}

/// `unchain export …`.
#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// A police package for one report or the cluster around a report, case or suspect:
    /// shareable items, and what was withheld and why.
    #[command(
        after_help = "Examples:\n  unchain export police-package --report 0190… --out package.csv\n  unchain export police-package --cluster 0190… --json"
    )]
    PolicePackage {
        /// One intelligence report.
        #[arg(long, conflicts_with = "cluster", required_unless_present = "cluster")]
        report: Option<Uuid>,
        /// The cluster holding this report, case or suspect.
        #[arg(long)]
        cluster: Option<Uuid>,
        /// Write CSV (or JSON with --json) to this file instead of stdout.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

pub fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let format = match a.format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Jsonl) => Format::JsonLines,
        None => Format::from_path(&a.file).ok_or_else(|| {
            usage(format!(
                "cannot tell the format of {} from its extension; give --format csv|jsonl",
                a.file.display()
            ))
        })?,
    };
    if !a.file.is_file() {
        return Err(usage(format!("no file {}", a.file.display())));
    }
    let mut options = ImportOptions::new(format);
    if let Some(rejects) = a.skip_invalid.clone() {
        options.on_invalid = OnInvalid::Skip { rejects };
    }
    if let Some(n) = a.batch_size {
        options.batch_size = n;
    }
    let (core, actor) = ctx.open()?;
    let show_bar = !ctx.out.json && !ctx.out.quiet && std::io::stderr().is_terminal();
    let bar = if show_bar {
        let total = std::fs::metadata(&a.file).map(|m| m.len()).unwrap_or(0);
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg:<28} [{bar:30}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Some(b)
    } else {
        None
    };
    let mut tick = |p: &Progress| {
        if let Some(b) = &bar {
            if p.bytes_total > 0 {
                b.set_length(p.bytes_total);
            }
            b.set_position(p.bytes_read);
            let phase = match p.phase {
                Phase::Validating => "checking",
                Phase::Committing => "writing",
            };
            b.set_message(format!("{phase}: {} records", p.records));
        }
    };
    let result = match a.kind {
        ImportKind::Groups => core.import_groups(&actor, &a.file, &options, &mut tick),
        ImportKind::Cases => core.import_cases(&actor, &a.file, &options, &mut tick),
        ImportKind::Intel | ImportKind::Facilities => {
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            return Err(Failure::Other(format!(
                "importing {} is not in this build of the core yet",
                word(&format!("{:?}", a.kind).to_lowercase())
            )));
        }
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report: ImportReport = result?;
    ctx.out.emit(&report, || {
        println!(
            "{} record(s): {} imported, {} rejected",
            report.records, report.imported, report.rejected
        );
        if let Some(r) = &report.rejects {
            println!("rejected lines written to {}", r.display());
        }
        if !report.errors.is_empty() {
            ctx.out.table(
                &["line", "field", "reason"],
                report
                    .errors
                    .iter()
                    .map(|e| vec![e.line.to_string(), e.field.clone(), e.reason.clone()])
                    .collect(),
            );
        }
    })
}

pub fn network(ctx: &Ctx, c: NetworkCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        NetworkCmd::Clusters { min_members, exact } => {
            let options = ClusterOptions {
                fuzzy_links: !exact,
                min_members,
            };
            let clusters = core.network_clusters(&actor, &options)?;
            ctx.out.emit(&clusters, || {
                ctx.out.table(
                    &[
                        "#", "reports", "cases", "suspects", "shared", "places", "first", "last",
                        "grading",
                    ],
                    clusters
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            vec![
                                (i + 1).to_string(),
                                c.reports.to_string(),
                                c.cases.to_string(),
                                c.suspects.to_string(),
                                c.shared
                                    .iter()
                                    .map(|s| match &s.value {
                                        Some(v) => format!("{} {v} ×{}", word(&s.kind), s.members),
                                        None => format!("{} ×{}", word(&s.kind), s.members),
                                    })
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                c.places.join(", "),
                                opt(&c.first_date),
                                opt(&c.last_date),
                                opt(&c.best_grading),
                            ]
                        })
                        .collect(),
                )
            })
        }
    }
}

pub fn export(ctx: &Ctx, c: ExportCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        ExportCmd::PolicePackage {
            report,
            cluster,
            out,
        } => {
            let scope = match (report, cluster) {
                (Some(r), _) => PackageScope::Report(r),
                (None, Some(c)) => PackageScope::Cluster(c),
                (None, None) => return Err(usage("give --report or --cluster")),
            };
            let package = core.police_package(&actor, scope)?;
            let text = if ctx.out.json {
                serde_json::to_string_pretty(&package)?
            } else {
                package.to_csv()?
            };
            match out {
                None => {
                    print!("{text}");
                    if ctx.out.json {
                        println!();
                    }
                }
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| {
                        Failure::Other(format!("cannot write {}: {e}", path.display()))
                    })?;
                    ctx.out.note(format!(
                        "police package: {} item(s), {} withheld, written to {}",
                        package.items.len(),
                        package.withheld.len(),
                        path.display()
                    ));
                }
            }
            if !ctx.out.json {
                for w in &package.withheld {
                    ctx.out
                        .note(format!("withheld {}: {}", w.report_id, w.reason));
                }
            }
            Ok(())
        }
    }
}
