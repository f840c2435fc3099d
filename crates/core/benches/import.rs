//! Import bench: intelligence reports in JSON Lines (~1 KB each) through the real path
//! (`Unchain::import_intel`: validation, sealing, the intelligence service, audit, durable
//! commits) beside the raw store batch insert of the same bytes (sled, batches of 1,000), in one
//! process. Prints records per second and the peak resident set (VmHWM) after each.
//!
//! Run: `IMPORT_N=100000 cargo bench -p unchain-core --bench import` (default 5,000 records; the
//! real path is still far from the 100,000 records/s target, so 1,000,000 takes minutes).

use std::io::Write;
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

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists; nothing to list here
    }
    let n: usize = std::env::var("IMPORT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::new(dir.path().join("data"));
    let (core, _) = Unchain::init(&config, "admin").expect("init");
    let admin = core.actor("admin").expect("admin");
    let source = core
        .create_source(
            &admin,
            Source {
                kind: SourceKind::Helpline,
                name: "Helpline".into(),
                group_id: None,
            },
        )
        .expect("source");

    // The file: ~1 KB per line.
    let path = dir.path().join("intel.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
    let pad = "x".repeat(800);
    for i in 0..n {
        writeln!(
            f,
            r#"{{"source_id":"{}","narrative":"Report {i}: people collected by van at dawn {pad}","area":"Leeds","identifiers":[{{"kind":"phone","value":"07700 900{:03}"}},{{"kind":"vehicle","value":"ZZ{:02} ABC"}}]}}"#,
            source.id,
            i % 1000,
            i % 100
        )
        .expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let bytes = std::fs::metadata(&path).expect("meta").len();
    println!("{n} records, {:.0} bytes per line", bytes as f64 / n as f64);

    // Raw: the same bytes into sled in batches of 1,000.
    let raw_dir = dir.path().join("raw");
    let backend = SledBackend::open(&SledConfig::new(&raw_dir)).expect("sled");
    let text = std::fs::read_to_string(&path).expect("read");
    let start = Instant::now();
    let mut batch = Batch::new();
    let mut staged = 0;
    for (i, line) in text.lines().enumerate() {
        batch.put(
            "intel",
            (i as u64).to_be_bytes().to_vec(),
            line.as_bytes().to_vec(),
            Expect::Any,
        );
        staged += 1;
        if staged == 1000 {
            backend.commit(&batch).expect("commit");
            batch = Batch::new();
            staged = 0;
        }
    }
    if staged > 0 {
        backend.commit(&batch).expect("commit");
    }
    let raw = start.elapsed();
    drop(text);
    println!(
        "raw store batch insert: {:.2} s, {:.0} records/s, peak RSS so far {:.0} MB",
        raw.as_secs_f64(),
        n as f64 / raw.as_secs_f64(),
        peak_rss_mb()
    );

    // The real path.
    let start = Instant::now();
    let report = core
        .import_intel(
            &admin,
            &path,
            &ImportOptions::new(Format::JsonLines),
            &mut |_| {},
        )
        .expect("import");
    let real = start.elapsed();
    assert_eq!(report.imported as usize, n);
    println!(
        "import_intel (validate, then batches of 1,000): {:.2} s, {:.0} records/s, peak RSS {:.0} MB",
        real.as_secs_f64(),
        n as f64 / real.as_secs_f64(),
        peak_rss_mb()
    );
}
