//! Bulk data in and out: imports with a progress bar, the network picture, and exports.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use unchain_core::demo::DemoConfig;
use unchain_core::export::KAnonymity;
use unchain_core::import::{Format, ImportOptions, ImportReport, OnInvalid, Phase, Progress};
use unchain_core::network::PackageScope;
use unchain_core::network::cluster::ClusterOptions;
use unchain_core::reports::Period;
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

/// Which report.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ReportKind {
    /// Cases by stage, open tracks, cases opened, intelligence, rescues.
    Summary,
    /// NRM referrals by route, age, exploitation, nationality, outcome; RG timeliness.
    Nrm,
    /// Placements, occupancy, follow-up timeliness.
    Aftercare,
    /// Advocacy, police reports, charges, convictions, claims.
    Justice,
    /// Groups, trainings, intelligence from trained groups and what came of it.
    Campaign,
}

/// `unchain report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Which report.
    kind: ReportKind,
    /// First day (default: 1 January of --to's year).
    #[arg(long, value_parser = crate::parse::date)]
    from: Option<NaiveDate>,
    /// Last day (default today).
    #[arg(long, value_parser = crate::parse::date)]
    to: Option<NaiveDate>,
    /// The day it is drawn up as of: later events are not counted (default --to).
    #[arg(long, value_parser = crate::parse::date)]
    as_of: Option<NaiveDate>,
}

/// `unchain export …`.
#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// A full backup of the store, taken while it stays in use (administrators). The data stays
    /// sealed: keep the key file apart from the backup.
    #[command(
        after_help = "Example:\n  unchain export backup --out /backups/unchain-2025-06-01.bak"
    )]
    Backup {
        /// The backup file to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// De-identified HTCDS records, k-anonymised (CSV, or JSON with --json), with what was
    /// generalised or suppressed said on stderr.
    #[command(after_help = "Example:\n  unchain export htcds --k 11 --out htcds.csv")]
    Htcds {
        /// Every released combination of quasi-identifiers is shared by at least k records.
        #[arg(long, default_value_t = 11)]
        k: usize,
        /// At most this many records per thousand may be suppressed.
        #[arg(long, default_value_t = 50)]
        max_suppressed_per_mille: u32,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
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
        ImportKind::Intel => core.import_intel(&actor, &a.file, &options, &mut tick),
        ImportKind::Facilities => core.import_facilities(&actor, &a.file, &options, &mut tick),
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
                                {
                                    let mut shown: Vec<String> = c
                                        .shared
                                        .iter()
                                        .take(4)
                                        .map(|s| match &s.value {
                                            Some(v) => {
                                                format!("{} {v} ×{}", word(&s.kind), s.members)
                                            }
                                            None => format!("{} ×{}", word(&s.kind), s.members),
                                        })
                                        .collect();
                                    if c.shared.len() > 4 {
                                        shown.push(format!(
                                            "… {} more (--json)",
                                            c.shared.len() - 4
                                        ));
                                    }
                                    shown.join("; ")
                                },
                                if c.places.len() > 4 {
                                    format!(
                                        "{}, … {} more",
                                        c.places[..4].join(", "),
                                        c.places.len() - 4
                                    )
                                } else {
                                    c.places.join(", ")
                                },
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

/// Writes `text` to `out` or stdout.
fn write_out(out: &Option<PathBuf>, text: &str) -> Result<()> {
    match out {
        None => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            Ok(())
        }
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Failure::Other(format!("cannot write {}: {e}", path.display()))),
    }
}

/// A report's fields in words: counts as `label n`, shares as `p% (n of d)`.
fn report_rows(v: &serde_json::Value) -> Vec<(String, String)> {
    use serde_json::Value;
    let Value::Object(map) = v else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "period")
        .map(|(k, v)| {
            let text = match v {
                Value::Array(items) if items.iter().all(|i| i.get("key").is_some()) => items
                    .iter()
                    .map(|i| format!("{} {}", i["key"].as_str().unwrap_or("?"), i["count"]))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Array(items) if items.iter().all(|i| i.get("facility").is_some()) => items
                    .iter()
                    .map(|i| {
                        format!(
                            "{} {}",
                            i["facility"].as_str().unwrap_or("?"),
                            share(&i["occupancy"])
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Object(o) if o.contains_key("numerator") => share(v),
                Value::Number(n) if k.ends_with("_pence") => {
                    let p = n.as_i64().unwrap_or(0);
                    format!("£{}.{:02}", p / 100, (p % 100).abs())
                }
                other => word(other),
            };
            (k.replace('_', " "), text)
        })
        .collect()
}

fn share(v: &serde_json::Value) -> String {
    format!(
        "{} ({} of {})",
        v["percent"].as_str().unwrap_or("n/a"),
        v["numerator"],
        v["denominator"]
    )
}

pub fn report(ctx: &Ctx, a: ReportArgs) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let today = core.clock().today();
    let to = a.to.unwrap_or(today);
    let from = a
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    let period = Period {
        from,
        to,
        as_of: a.as_of.unwrap_or(to),
    };
    let value = match a.kind {
        ReportKind::Summary => serde_json::to_value(core.summary_report(&actor, period)?)?,
        ReportKind::Nrm => serde_json::to_value(core.nrm_report(&actor, period)?)?,
        ReportKind::Aftercare => serde_json::to_value(core.aftercare_report(&actor, period)?)?,
        ReportKind::Justice => serde_json::to_value(core.justice_report(&actor, period)?)?,
        ReportKind::Campaign => serde_json::to_value(core.campaign_report(&actor, period)?)?,
    };
    ctx.out.emit(&value, || {
        println!(
            "{} report, {} to {} as of {}",
            word(&format!("{:?}", a.kind).to_lowercase()),
            period.from,
            period.to,
            period.as_of
        );
        ctx.out.fields(report_rows(&value));
    })
}

pub fn export(ctx: &Ctx, c: ExportCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        ExportCmd::Backup { out } => {
            let s = core.backup_to_file(&actor, &out)?;
            let shape = backup_json(&s, &out);
            ctx.out.emit(&shape, || {
                println!(
                    "backup written to {}: {} entries in {} collections, {} stream entries, {} bytes (schema {})",
                    out.display(),
                    s.entries,
                    s.collections,
                    s.stream_entries,
                    s.bytes,
                    s.schema_version
                )
            })
        }
        ExportCmd::Htcds {
            k,
            max_suppressed_per_mille,
            out,
        } => {
            let a = core.export_htcds(
                &actor,
                &KAnonymity {
                    k,
                    max_suppressed_per_mille,
                },
            )?;
            let text = if ctx.out.json {
                serde_json::to_string_pretty(&a)?
            } else {
                a.to_csv()?
            };
            write_out(&out, &text)?;
            if !ctx.out.json {
                let r = &a.report;
                ctx.out.note(format!(
                    "HTCDS export: {} of {} record(s) released at k = {}, {} suppressed",
                    r.rows_released, r.rows_in, r.k, r.rows_suppressed
                ));
                for f in &r.fields {
                    ctx.out.note(format!(
                        "  {} released as {} ({} values)",
                        f.field, f.released_as, f.distinct_values
                    ));
                }
            }
            Ok(())
        }
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

/// `unchain demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Cases to create (with about twice as many intelligence reports).
    #[arg(long, default_value_t = 200)]
    size: u32,
    /// The same seed and size give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn demo(ctx: &Ctx, a: DemoArgs) -> Result<()> {
    let (core, actor) = ctx.open()?;
    let spinner = (!ctx.out.json && !ctx.out.quiet && std::io::stderr().is_terminal()).then(|| {
        let s = ProgressBar::new_spinner();
        s.set_message(format!(
            "generating {} demo cases (seed {})",
            a.size, a.seed
        ));
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    });
    let result = core.generate_demo(
        &actor,
        DemoConfig {
            seed: a.seed,
            size: a.size,
        },
    );
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    let summary = result?;
    ctx.out.note(format!(
        "demo data loaded (seed {}, size {})",
        a.seed, a.size
    ));
    ctx.out.record(&summary)
}

fn backup_json(
    s: &unchain_core::backup::BackupSummary,
    file: &std::path::Path,
) -> serde_json::Value {
    serde_json::json!({
        "file": file,
        "schema_version": s.schema_version,
        "collections": s.collections,
        "entries": s.entries,
        "streams": s.streams,
        "stream_entries": s.stream_entries,
        "bytes": s.bytes,
    })
}

/// `unchain restore`.
#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    backup: PathBuf,
    /// The master key file the backup's data was sealed with (default: the data directory's
    /// key file, or UNCHAIN_MASTER_KEY). Copied into the new data directory when it has none.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
}

pub fn restore(ctx: &Ctx, a: RestoreArgs) -> Result<()> {
    let mut config = ctx.config();
    if let Some(k) = &a.key_file {
        config.key = Some(unchain_core::KeySource::File(k.clone()));
    }
    let (_core, s) = unchain_core::Unchain::restore(&config, &a.backup)
        .map_err(|e| Failure::from(e).in_context(&ctx.data_dir))?;
    let own_key = ctx.data_dir.join(unchain_core::open::KEY_FILE);
    if let Some(k) = &a.key_file {
        if !own_key.exists() {
            std::fs::copy(k, &own_key).map_err(|e| {
                Failure::Other(format!(
                    "restored, but could not copy the key file to {}: {e}; give --key-file to later commands or copy it yourself",
                    own_key.display()
                ))
            })?;
        }
    }
    let shape = backup_json(&s, &a.backup);
    ctx.out.emit(&shape, || {
        println!(
            "restored {} into {}: {} entries in {} collections, {} stream entries",
            a.backup.display(),
            ctx.data_dir.display(),
            s.entries,
            s.collections,
            s.stream_entries
        );
        println!(
            "run `unchain --as <an administrator> audit verify` to check the restored audit chain"
        );
    })
}
