//! Crash safety: a child process commits records from several threads and prints each one only
//! after its commit returned Ok; the parent kills it with SIGKILL at a random moment, reopens the
//! store and checks that every acknowledged record is there, intact, and that the store opens.
//!
//! The child is this very test binary, re-run with a filter that selects `crash_child` and an
//! environment variable that tells that test to act (without it, `crash_child` does nothing).
//! `UNCHAIN_CRASH_TRIALS` sets the number of trials (default 20); `bench/crash-trials.sh` runs more.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use unchain_store::keys::KeyBuilder;
use unchain_store::{Backend, Batch, Expect, Scan, SledBackend, SledConfig};

const CHILD_ENV: &str = "UNCHAIN_CRASH_CHILD";
const THREADS: u64 = 4;

fn config(path: &str) -> SledConfig {
    SledConfig::new(path).cache_bytes(16 << 20)
}

fn key(thread: u64, n: u64) -> Vec<u8> {
    KeyBuilder::new().u64(thread).u64(n).finish()
}

/// The record for (thread, n): 64 to ~2 KB of bytes derived from its key, so any damage shows.
fn record(thread: u64, n: u64) -> Vec<u8> {
    let mut x = (thread << 40 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let len = 64 + (x % 2000) as usize;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Child side: commit forever (until killed), acknowledging after each Ok.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let backend = SledBackend::open(&config(&path)).expect("child: open");
    let backend = &backend;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                // Continue after the last record this thread wrote in earlier trials.
                let last = backend
                    .scan(
                        "records",
                        &Scan::prefix(&KeyBuilder::new().u64(t).finish())
                            .reversed()
                            .limit(1),
                    )
                    .expect("child: scan");
                let mut n = last.first().map_or(0, |(k, _)| {
                    u64::from_be_bytes(k[8..16].try_into().expect("key"))
                }) + 1;
                loop {
                    // 1 to 3 records per batch, each in two collections plus a stream entry.
                    let count = 1 + n % 3;
                    let mut batch = Batch::new();
                    for m in n..n + count {
                        batch
                            .put("records", key(t, m), record(t, m), Expect::Absent)
                            .put(
                                "index",
                                key(t, m),
                                (record(t, m).len() as u64).to_be_bytes().to_vec(),
                                Expect::Absent,
                            )
                            .append("log", key(t, m));
                    }
                    let receipt = backend.commit(&batch).expect("child: commit");
                    let mut out = std::io::stdout().lock();
                    for (i, m) in (n..n + count).enumerate() {
                        writeln!(out, "ack {t} {m} {}", receipt.sequences[i])
                            .expect("child: stdout");
                    }
                    out.flush().expect("child: flush");
                    n += count;
                }
            });
        }
    });
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_commit() {
    let trials: u32 = std::env::var("UNCHAIN_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let path = path.to_str().expect("utf-8 path").to_owned();
    let exe = std::env::current_exe().expect("current exe");
    let mut acknowledged: Vec<(u64, u64, u64)> = Vec::new();
    let started = Instant::now();

    for trial in 0..trials {
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest may print "test crash_child ... " before the first ack on its line.
                let Some(at) = line.find("ack ") else {
                    continue;
                };
                let parts: Vec<u64> = line[at + 4..]
                    .split(' ')
                    .filter_map(|p| p.parse().ok())
                    .collect();
                if let [t, n, seq] = parts[..] {
                    if acks.is_empty() {
                        let _ = tx.send(());
                    }
                    acks.push((t, n, seq));
                }
            }
            acks
        });
        // Kill at a random moment once the child is committing (or when it is slow to start).
        let _ = rx.recv_timeout(Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(rng.below(120)));
        child.kill().expect("kill");
        child.wait().expect("wait");
        let acks = reader.join().expect("reader");
        acknowledged.extend(acks);

        // The store opens every time, and holds every acknowledged commit, intact.
        let backend = SledBackend::open(&config(&path))
            .unwrap_or_else(|e| panic!("trial {trial} (seed {seed}): store did not reopen: {e}"));
        for &(t, n, seq) in &acknowledged {
            let got = backend.get("records", &key(t, n)).expect("get");
            let context = format!("trial {trial} (seed {seed}): record {t}/{n}");
            let got = got.unwrap_or_else(|| panic!("{context}: acknowledged but missing"));
            assert_eq!(got.version, 1, "{context}: version");
            assert!(got.value == record(t, n), "{context}: damaged");
            let index = backend
                .get("index", &key(t, n))
                .expect("get")
                .unwrap_or_else(|| panic!("{context}: index missing"));
            assert_eq!(
                index.value,
                (record(t, n).len() as u64).to_be_bytes(),
                "{context}: index"
            );
            let log = backend.read_stream("log", seq, 1).expect("read");
            assert_eq!(log, vec![(seq, key(t, n))], "{context}: stream entry {seq}");
        }
        // Whatever else survived (unacknowledged commits may or may not) is whole, not garbage.
        let records = backend.scan("records", &Scan::all()).expect("scan");
        let index = backend.scan("index", &Scan::all()).expect("scan");
        assert_eq!(
            records.len(),
            index.len(),
            "trial {trial} (seed {seed}): a batch was split"
        );
        for (k, v) in &records {
            let t = u64::from_be_bytes(k[..8].try_into().expect("key"));
            let n = u64::from_be_bytes(k[8..16].try_into().expect("key"));
            assert!(
                v.value == record(t, n),
                "trial {trial} (seed {seed}): record {t}/{n} damaged"
            );
        }
        assert_eq!(
            backend.stream_head("log").expect("head"),
            records.len() as u64
        );
    }
    eprintln!(
        "{trials} SIGKILL trials, {} acknowledged commits checked, {:.1} s",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        !acknowledged.is_empty(),
        "the child never acknowledged a commit"
    );
}
