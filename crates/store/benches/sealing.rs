//! Sealing throughput (criterion): `Keyring::seal` / `unseal` of 1,000-byte values with a warm key
//! cache, beside its baselines in the same run — the bare XChaCha20-Poly1305 of the same bytes and
//! the 24-byte nonce from the OS — plus master-key rotation (which re-wraps data keys only) and
//! two threads sealing at once (they must not serialise on the cache).
//!
//! `cargo bench -p unchain-store --bench sealing`; figures in docs/encryption.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use unchain_store::crypto::{Keyring, MasterKey, SubjectId};
use unchain_store::{Backend, MemoryBackend};

const VALUE: usize = 1000;
const SUBJECTS: usize = 10_000;

fn ring(subjects: usize) -> (Arc<Keyring>, Vec<SubjectId>) {
    let backend: Arc<dyn Backend> = Arc::new(MemoryBackend::new());
    let ring = Arc::new(Keyring::open(backend, MasterKey::from_bytes([1; 32])).expect("keyring"));
    let ids: Vec<SubjectId> = (0..subjects).map(|_| SubjectId::random()).collect();
    for chunk in ids.chunks(10_000) {
        ring.ensure_subjects(chunk).expect("subjects");
    }
    (ring, ids)
}

fn sealing(c: &mut Criterion) {
    let (ring, subjects) = ring(SUBJECTS);
    let value = vec![0x5a_u8; VALUE];
    let mut group = c.benchmark_group("seal_1000_bytes");
    group
        .throughput(Throughput::Elements(1))
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    let cipher = XChaCha20Poly1305::new(&[7u8; 32].into());
    let mut buf = value.clone();
    let mut i = 0u64;
    group.bench_function("baseline_bare_xchacha20poly1305", |b| {
        b.iter(|| {
            i += 1;
            let mut nonce = [0u8; 24];
            nonce[..8].copy_from_slice(&i.to_be_bytes());
            cipher
                .encrypt_in_place_detached(XNonce::from_slice(&nonce), b"ctx", &mut buf)
                .expect("encrypt")
        })
    });
    group.bench_function("baseline_getrandom_24_bytes", |b| {
        b.iter(|| {
            let mut nonce = [0u8; 24];
            getrandom::getrandom(&mut nonce).expect("randomness");
            nonce
        })
    });
    let mut n = 0usize;
    group.bench_function("keyring_seal_10k_subjects", |b| {
        b.iter(|| {
            n += 1;
            ring.seal(&subjects[n % SUBJECTS], &(n as u64).to_be_bytes(), &value)
                .expect("seal")
        })
    });
    let sealed = ring.seal(&subjects[0], b"ctx", &value).expect("seal");
    group.bench_function("keyring_unseal", |b| {
        b.iter(|| ring.unseal(b"ctx", &sealed).expect("unseal"))
    });
    // Two threads, each sealing `iters / 2` values; the time is wall clock for all of them, so
    // the rate doubles if the threads do not serialise (and both cores are free).
    group.bench_function("keyring_seal_2_threads", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for t in 0..2u64 {
                    let (ring, subjects, value) = (&ring, &subjects, &value);
                    s.spawn(move || {
                        for i in (t..iters).step_by(2) {
                            let subject = &subjects[i as usize % SUBJECTS];
                            ring.seal(subject, &i.to_be_bytes(), value).expect("seal");
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    group.finish();
}

fn rotation(c: &mut Criterion) {
    let mut group = c.benchmark_group("rotate_master");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(SUBJECTS as u64));
    let mut next = 2u8;
    group.bench_function("rewrap_10k_data_keys", |b| {
        b.iter_batched(
            || ring(SUBJECTS).0,
            |ring| {
                next = next.wrapping_add(1).max(2);
                ring.rotate_master(MasterKey::from_bytes([next; 32]))
                    .expect("rotate")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, sealing, rotation);
criterion_main!(benches);
