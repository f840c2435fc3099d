//! Small store benchmarks (criterion): durable single commits from 1 and 64 threads beside the
//! disk's serial write+fdatasync rate, measured in the same run. The 1,000,000-record bulk insert
//! and peak-memory figures come from `bench/store.sh` (examples/bulk.rs), one process each.

use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use unchain_store::keys::KeyBuilder;
use unchain_store::{Backend, Batch, Expect, MemoryBackend, SledBackend, SledConfig};

fn value() -> Vec<u8> {
    vec![0x5a; 1000]
}

fn commit_one(b: &dyn Backend, key: u64) {
    let mut batch = Batch::new();
    batch.put("c", key.to_be_bytes().to_vec(), value(), Expect::Any);
    b.commit(&batch).expect("commit");
}

fn durable_commits(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = SledBackend::open(&SledConfig::new(dir.path().join("db"))).expect("open");
    let mut group = c.benchmark_group("durable_commit");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));

    // Baseline: the disk's serial durable-write rate, one 1 KB write + fdatasync per iteration.
    let mut file = std::fs::File::create(dir.path().join("fsync.dat")).expect("file");
    group.bench_function("baseline_write_1k_fdatasync", |b| {
        b.iter(|| {
            file.write_all(&[7u8; 1024]).expect("write");
            file.sync_data().expect("sync");
        })
    });

    let mut key = 0u64;
    group.bench_function("sled_1_thread", |b| {
        b.iter(|| {
            key += 1;
            commit_one(&backend, key);
        })
    });

    // Time per commit while 64 threads commit concurrently (group commit shares the flushes).
    group.bench_function("sled_64_threads_per_commit", |b| {
        b.iter_custom(|iters| {
            let per_thread = iters.div_ceil(64).max(1);
            let start = Instant::now();
            std::thread::scope(|s| {
                for t in 0..64u64 {
                    let backend = &backend;
                    s.spawn(move || {
                        for i in 0..per_thread {
                            commit_one(backend, 1 << 40 | t << 32 | i);
                        }
                    });
                }
            });
            let per_commit = start.elapsed() / (64 * per_thread) as u32;
            per_commit * iters as u32
        })
    });
    group.finish();
}

fn memory_and_keys(c: &mut Criterion) {
    let backend = MemoryBackend::new();
    let mut key = 0u64;
    c.bench_function("memory_commit_1k", |b| {
        b.iter(|| {
            key += 1;
            commit_one(&backend, key);
        })
    });
    c.bench_function("composite_key", |b| {
        b.iter(|| KeyBuilder::new().str("cases").u64(42).i64(-7).finish())
    });
}

criterion_group!(benches, durable_commits, memory_and_keys);
criterion_main!(benches);
