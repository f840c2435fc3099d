//! Import bench: intelligence reports in JSON Lines (~1 KB each) through the real path
//! (`Unchain::import_intel`: validation, sealing, the intelligence service's builder, audit,
//! durable commits) beside the raw store batch insert of the same line bytes, with the same
//! batch size and the same durability (one durable commit per batch), in the same run — and
//! beside sled's own `Tree::insert` of those bytes (no transaction, one flush per batch), the
//! ceiling of any path through the storage engine.
//!
//! Each measurement runs in a process of its own (this binary re-runs itself), so that each
//! reports its own peak resident set (VmHWM); the two alternate over `IMPORT_RUNS` runs and the
//! medians are printed. The raw insert streams the file line by line, as the importer does.
//!
//! Run: `IMPORT_N=100000 IMPORT_RUNS=3 cargo bench -p unchain-core --bench import`
//! (defaults: 5,000 records, 1 run, the importer's default batch size; `IMPORT_BATCH` overrides
//! it for both paths; `IMPORT_DIR` chooses where the file and stores go, default a temp dir;
//! `IMPORT_KEEP=1` keeps the file and the template store for profiling one path alone).

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use unchain_core::import::{Format, ImportOptions};
use unchain_core::intel::{Source, SourceKind};
use unchain_core::store::{Backend, Batch, Expect, SledBackend, SledConfig};
use unchain_core::{Config, Unchain};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds this process has used (user + system, all threads), from `/proc/self/stat`:
/// on a shared machine wall time partly measures the other tenants.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime), counted after the command name: 12 and 13.
    (ticks(11) + ticks(12)) / 100.0
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn batch_size() -> usize {
    env_usize(
        "IMPORT_BATCH",
        ImportOptions::new(Format::JsonLines).batch_size,
    )
}

/// The raw baseline: every line's bytes put into one sled tree, `batch` per durable commit.
fn raw(file: &Path, store: &Path) -> (usize, f64) {
    let backend = SledBackend::open(&SledConfig::new(store)).expect("sled");
    let batch_size = batch_size();
    let start = Instant::now();
    let reader =
        std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file).expect("file"));
    let mut batch = Batch::new();
    let mut staged = 0;
    let mut n = 0usize;
    for line in reader.split(b'\n') {
        let line = line.expect("read");
        batch.put(
            "intel",
            (n as u64).to_be_bytes().to_vec(),
            line,
            Expect::Any,
        );
        n += 1;
        staged += 1;
        if staged == batch_size {
            backend.commit(&batch).expect("commit");
            batch = Batch::new();
            staged = 0;
        }
    }
    if staged > 0 {
        backend.commit(&batch).expect("commit");
    }
    (n, start.elapsed().as_secs_f64())
}

/// The storage engine's own ceiling: the same line bytes straight into one sled tree
/// (`Tree::insert`, no transaction, no version), one flush per batch — what no path through
/// sled can beat on this machine.
fn sled_raw(file: &Path, store: &Path) -> (usize, f64) {
    let db = sled::Config::new()
        .path(store)
        .cache_capacity(unchain_core::store::DEFAULT_CACHE_BYTES)
        .flush_every_ms(None)
        .open()
        .expect("sled");
    let tree = db.open_tree("intel").expect("tree");
    let batch_size = batch_size();
    let start = Instant::now();
    let reader =
        std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file).expect("file"));
    let mut n = 0usize;
    for line in reader.split(b'\n') {
        tree.insert((n as u64).to_be_bytes(), line.expect("read"))
            .expect("insert");
        n += 1;
        if n % batch_size == 0 {
            db.flush().expect("flush");
        }
    }
    db.flush().expect("flush");
    (n, start.elapsed().as_secs_f64())
}

/// The real path: `Unchain::import_intel` into a store made by `Unchain::init`.
fn real(file: &Path, store: &Path) -> (usize, f64) {
    let config = Config::new(store);
    let core = Unchain::open(&config).expect("open");
    let admin = core.actor("admin").expect("admin");
    let options = ImportOptions {
        batch_size: batch_size(),
        ..ImportOptions::new(Format::JsonLines)
    };
    let start = Instant::now();
    let report = core
        .import_intel(&admin, file, &options, &mut |_| {})
        .expect("import");
    let secs = start.elapsed().as_secs_f64();
    // The import's own peak, before the check below (which reads the whole audit chain) adds
    // its own.
    println!("import_peak_rss_mb={:.0}", peak_rss_mb());
    assert!(
        core.verify_audit(&admin)
            .expect("verify")
            .first_bad
            .is_none()
    );
    (report.imported as usize, secs)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists; nothing to list here
    }
    if let Ok(mode) = std::env::var("IMPORT_MODE") {
        let file = std::path::PathBuf::from(std::env::var("IMPORT_FILE").expect("IMPORT_FILE"));
        let store = std::path::PathBuf::from(std::env::var("IMPORT_STORE").expect("IMPORT_STORE"));
        let cpu0 = cpu_secs();
        let (n, secs) = match mode.as_str() {
            "raw" => raw(&file, &store),
            "sled" => sled_raw(&file, &store),
            _ => real(&file, &store),
        };
        let cpu = cpu_secs() - cpu0;
        println!(
            "mode={mode} records={n} secs={secs:.3} per_s={:.0} cpu_s={cpu:.2} per_cpu_s={:.0} peak_rss_mb={:.0}",
            n as f64 / secs,
            n as f64 / cpu.max(0.01),
            peak_rss_mb()
        );
        return;
    }

    let n = env_usize("IMPORT_N", 5_000);
    let runs = env_usize("IMPORT_RUNS", 1).max(1);
    let tmp = tempfile::tempdir_in(std::env::var("IMPORT_DIR").unwrap_or_else(|_| "/tmp".into()))
        .expect("tempdir");
    let dir = tmp.path();

    // A store with its administrator and one source, copied fresh for every real run.
    let template = dir.join("template");
    let source = {
        let config = Config::new(&template);
        let (core, _) = Unchain::init(&config, "admin").expect("init");
        let admin = core.actor("admin").expect("admin");
        core.create_source(
            &admin,
            Source {
                kind: SourceKind::Helpline,
                name: "Helpline".into(),
                group_id: None,
            },
        )
        .expect("source")
        .id
    };

    // The file: ~1 KB per line.
    let path = dir.join("intel.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
    let pad = "x".repeat(800);
    for i in 0..n {
        writeln!(
            f,
            r#"{{"source_id":"{source}","narrative":"Report {i}: people collected by van at dawn {pad}","area":"Leeds","identifiers":[{{"kind":"phone","value":"07700 900{:03}"}},{{"kind":"vehicle","value":"ZZ{:02} ABC"}}]}}"#,
            i % 1000,
            i % 100
        )
        .expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let bytes = std::fs::metadata(&path).expect("meta").len();
    println!(
        "{n} records, {:.0} bytes per line, batches of {}, {runs} run(s)",
        bytes as f64 / n as f64,
        batch_size()
    );

    let exe = std::env::current_exe().expect("exe");
    let mut rates: [Vec<f64>; 3] = Default::default();
    let mut rss: [Vec<f64>; 3] = Default::default();
    let mut cpu_rates: [Vec<f64>; 3] = Default::default();
    for run in 0..runs {
        for (k, mode) in ["raw", "import", "sled"].into_iter().enumerate() {
            let store = dir.join(format!("{mode}-{run}"));
            if mode == "import" {
                let status = Command::new("cp")
                    .arg("-r")
                    .arg(&template)
                    .arg(&store)
                    .status()
                    .expect("cp");
                assert!(status.success());
            }
            let out = Command::new(&exe)
                .env("IMPORT_MODE", mode)
                .env("IMPORT_FILE", &path)
                .env("IMPORT_STORE", &store)
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let line = String::from_utf8_lossy(&out.stdout)
                .trim()
                .replace('\n', " ");
            println!("run {run}: {line}");
            // The import's peak is read before its closing audit check; the other modes have
            // no check, so their peak is the whole process's.
            let peak_field = if line.contains("import_peak_rss_mb=") {
                "import_peak_rss_mb"
            } else {
                "peak_rss_mb"
            };
            for field in line.split_whitespace() {
                match field.split_once('=') {
                    Some(("per_s", v)) => rates[k].push(v.parse().expect("rate")),
                    Some((f, v)) if f == peak_field => rss[k].push(v.parse().expect("rss")),
                    Some(("per_cpu_s", v)) => cpu_rates[k].push(v.parse().expect("cpu")),
                    _ => {}
                }
            }
            std::fs::remove_dir_all(&store).expect("remove store");
        }
    }
    if std::env::var_os("IMPORT_KEEP").is_some() {
        // For profiling one path: IMPORT_MODE=import IMPORT_FILE=<dir>/intel.jsonl
        // IMPORT_STORE=<a copy of <dir>/template> valgrind --tool=callgrind <this binary>
        println!("kept {}", tmp.keep().display());
        return;
    }
    let raw_rate = median(&mut rates[0]);
    let real_rate = median(&mut rates[1]);
    let sled_rate = median(&mut rates[2]);
    println!(
        "medians: sled Tree::insert (the engine's ceiling) {sled_rate:.0} records/s \
         (peak RSS {:.0} MB; per CPU second {:.0}); import_intel / ceiling {:.2}",
        median(&mut rss[2]),
        median(&mut cpu_rates[2]),
        real_rate / sled_rate
    );
    println!(
        "medians: raw store batch insert {raw_rate:.0} records/s (peak RSS {:.0} MB); \
         import_intel {real_rate:.0} records/s (peak RSS {:.0} MB); ratio {:.2}",
        median(&mut rss[0]),
        median(&mut rss[1]),
        real_rate / raw_rate
    );
    let (raw_cpu, real_cpu) = (median(&mut cpu_rates[0]), median(&mut cpu_rates[1]));
    println!(
        "medians per CPU second (user + system, all threads): raw {raw_cpu:.0} records; \
         import_intel {real_cpu:.0} records; ratio {:.2}",
        real_cpu / raw_cpu
    );
}
