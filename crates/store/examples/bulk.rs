//! The store's large benchmarks, one scenario per process so that each reports its own peak memory
//! (VmHWM). Run by `bench/store.sh` in release mode; each prints one `result ...` line.
//!
//! ```text
//! bulk DIR trait-sealed N BATCH   N ~1 KB records through the Backend trait, sealed, BATCH per commit
//! bulk DIR trait-plain  N BATCH   the same, unsealed
//! bulk DIR raw-sled     N BATCH   the same bytes straight into sled, one flush per BATCH
//! bulk DIR raw-sled-batch N BATCH the same through sled's own atomic `Tree::apply_batch`
//! bulk DIR commits THREADS SECS   durable single-put commits from THREADS threads
//! bulk DIR fsync SECS             the serial baseline: overwrite 1 KB in place + fdatasync, in a
//!                                 loop (in place, as sled writes into preallocated segments)
//! bulk DIR fsync-append SECS      the same, appending (each sync also commits the file's size)
//! ```

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use unchain_store::crypto::context;
use unchain_store::{
    Backend, Batch, Expect, Keyring, MasterKey, SledBackend, SledConfig, SubjectId,
};

/// Cache budget used by every scenario (the store's default).
const CACHE: u64 = unchain_store::DEFAULT_CACHE_BYTES;
/// Records are spread over this many subjects (data keys) when sealed.
const SUBJECTS: u64 = 1000;

fn record(i: u64) -> Vec<u8> {
    // ~1 KB, varying so that nothing compresses to nothing.
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..1000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'a' + (x % 26) as u8
        })
        .collect()
}

fn subject(i: u64) -> SubjectId {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&(i % SUBJECTS).to_be_bytes());
    SubjectId::from_bytes(b)
}

fn peak_memory_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn dir_size(path: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, name: &str) -> T {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("missing or bad argument {name}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("DIR"));
    let scenario = args.get(2).map(String::as_str).unwrap_or("");
    std::fs::create_dir_all(&dir).expect("create dir");
    let started = Instant::now();
    let line = match scenario {
        "trait-sealed" | "trait-plain" => {
            let n: u64 = arg(&args, 3, "N");
            let batch_size: u64 = arg(&args, 4, "BATCH");
            let backend = Arc::new(
                SledBackend::open(&SledConfig::new(dir.join("db")).cache_bytes(CACHE))
                    .expect("open"),
            );
            let keyring = (scenario == "trait-sealed").then(|| {
                let k = Keyring::open(backend.clone(), MasterKey::generate().expect("key"))
                    .expect("keyring");
                let subjects: Vec<SubjectId> = (0..SUBJECTS).map(subject).collect();
                k.ensure_subjects(&subjects).expect("subjects");
                k
            });
            let mut i = 0;
            while i < n {
                let mut batch = Batch::new();
                for j in i..(i + batch_size).min(n) {
                    let key = j.to_be_bytes();
                    let value = match &keyring {
                        Some(k) => k
                            .seal(&subject(j), &context(&[b"records", &key]), &record(j))
                            .expect("seal"),
                        None => record(j),
                    };
                    batch.put("records", key.to_vec(), value, Expect::Any);
                }
                backend.commit(&batch).expect("commit");
                i += batch_size;
            }
            let secs = started.elapsed().as_secs_f64();
            format!(
                "scenario={scenario} n={n} batch={batch_size} secs={secs:.2} records_per_s={:.0} flushes={} disk_mb={:.0}",
                n as f64 / secs,
                backend.durable_flushes(),
                dir_size(&dir) as f64 / 1e6
            )
        }
        "raw-sled" | "raw-sled-batch" => {
            let n: u64 = arg(&args, 3, "N");
            let batch_size: u64 = arg(&args, 4, "BATCH");
            let db = sled::Config::new()
                .path(dir.join("db"))
                .cache_capacity(CACHE)
                .flush_every_ms(None)
                .open()
                .expect("open");
            let tree = db.open_tree("records").expect("tree");
            let mut batch = sled::Batch::default();
            for j in 0..n {
                if scenario == "raw-sled" {
                    tree.insert(j.to_be_bytes(), record(j)).expect("insert");
                } else {
                    batch.insert(&j.to_be_bytes(), record(j));
                }
                if (j + 1) % batch_size == 0 || j + 1 == n {
                    // sled's own atomic batch (one tree): the cheapest atomic write it offers.
                    tree.apply_batch(std::mem::take(&mut batch)).expect("batch");
                    // The same durability point as a trait commit of BATCH records.
                    db.flush().expect("flush");
                }
            }
            let secs = started.elapsed().as_secs_f64();
            format!(
                "scenario={scenario} n={n} batch={batch_size} secs={secs:.2} records_per_s={:.0} disk_mb={:.0}",
                n as f64 / secs,
                dir_size(&dir) as f64 / 1e6
            )
        }
        "commits" => {
            let threads: u64 = arg(&args, 3, "THREADS");
            let secs: f64 = arg(&args, 4, "SECS");
            let backend = SledBackend::open(&SledConfig::new(dir.join("db")).cache_bytes(CACHE))
                .expect("open");
            let stop = AtomicBool::new(false);
            let done = AtomicU64::new(0);
            let flushes_before = backend.durable_flushes();
            let t0 = Instant::now();
            std::thread::scope(|s| {
                for t in 0..threads {
                    let (backend, stop, done) = (&backend, &stop, &done);
                    s.spawn(move || {
                        let mut i = 0u64;
                        while !stop.load(Ordering::Relaxed) {
                            let mut batch = Batch::new();
                            batch.put(
                                "c",
                                (t << 40 | i).to_be_bytes().to_vec(),
                                record(i),
                                Expect::Any,
                            );
                            backend.commit(&batch).expect("commit");
                            done.fetch_add(1, Ordering::Relaxed);
                            i += 1;
                        }
                    });
                }
                std::thread::sleep(Duration::from_secs_f64(secs));
                stop.store(true, Ordering::Relaxed);
            });
            let elapsed = t0.elapsed().as_secs_f64();
            let commits = done.load(Ordering::Relaxed);
            format!(
                "scenario=commits threads={threads} secs={elapsed:.2} commits={commits} commits_per_s={:.0} flushes={} commits_per_flush={:.1}",
                commits as f64 / elapsed,
                backend.durable_flushes() - flushes_before,
                commits as f64 / (backend.durable_flushes() - flushes_before).max(1) as f64
            )
        }
        "fsync" | "fsync-append" => {
            use std::io::{Seek, SeekFrom};
            let secs: f64 = arg(&args, 3, "SECS");
            let mut file = std::fs::File::create(dir.join("fsync.dat")).expect("file");
            let block = [7u8; 1024];
            let in_place = scenario == "fsync";
            const SLOTS: u64 = 1024;
            if in_place {
                // Preallocate and sync once, so the loop's syncs carry data only.
                for _ in 0..SLOTS {
                    file.write_all(&block).expect("write");
                }
                file.sync_all().expect("fsync");
            }
            let t0 = Instant::now();
            let mut n = 0u64;
            while t0.elapsed().as_secs_f64() < secs {
                if in_place {
                    file.seek(SeekFrom::Start((n % SLOTS) * 1024))
                        .expect("seek");
                }
                file.write_all(&block).expect("write");
                file.sync_data().expect("fdatasync");
                n += 1;
            }
            let elapsed = t0.elapsed().as_secs_f64();
            format!(
                "scenario={scenario} secs={elapsed:.2} syncs={n} syncs_per_s={:.0}",
                n as f64 / elapsed
            )
        }
        other => panic!("unknown scenario {other:?}: see the header of examples/bulk.rs"),
    };
    println!(
        "result {line} peak_rss_mb={:.0}",
        peak_memory_kb() as f64 / 1024.0
    );
}
