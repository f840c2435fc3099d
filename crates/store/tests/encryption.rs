//! Encryption at rest, through the public API over the in-memory backend: round trips, tamper
//! and misplacement detection, wrong keys, crypto-shredding, rotation under load, key files.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use proptest::prelude::*;
use unchain_store::crypto::{Envelope, Keyring, KeyringConfig, MasterKey, SubjectId, context};
use unchain_store::{Backend, Batch, Expect, MemoryBackend, StoreError};

fn master(byte: u8) -> MasterKey {
    MasterKey::from_bytes([byte; 32])
}

fn memory() -> Arc<dyn Backend> {
    Arc::new(MemoryBackend::new())
}

fn field(subject: &SubjectId, name: &str) -> Vec<u8> {
    context(&[b"persons", subject.as_bytes(), name.as_bytes()])
}

#[test]
fn round_trip_of_many_sizes() {
    let ring = Keyring::open(memory(), master(1)).unwrap();
    let subject = SubjectId::random();
    for len in [0, 1, 15, 16, 17, 63, 64, 1000, 65_536] {
        let plaintext: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let ctx = field(&subject, "blob");
        let sealed = ring.seal(&subject, &ctx, &plaintext).unwrap();
        assert_eq!(sealed.len(), plaintext.len() + 62);
        assert!(Envelope::looks_sealed(&sealed));
        assert_eq!(Envelope::parse(&sealed).unwrap().subject(), subject);
        assert_eq!(&ring.unseal(&ctx, &sealed).unwrap()[..], &plaintext[..]);
    }
}

#[test]
fn every_tampered_byte_and_every_truncation_is_an_error() {
    let ring = Keyring::open(memory(), master(1)).unwrap();
    let subject = SubjectId::random();
    let ctx = field(&subject, "name");
    let sealed = ring.seal(&subject, &ctx, b"Maria Popescu").unwrap();
    for i in 0..sealed.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut bad = sealed.clone();
            bad[i] ^= mask;
            match ring.unseal(&ctx, &bad) {
                Err(StoreError::Crypto(m) | StoreError::Key(m)) => {
                    assert!(!m.contains("Maria"), "error leaks plaintext: {m}");
                }
                other => panic!("byte {i} mask {mask:#x}: {other:?}"),
            }
        }
    }
    for len in 0..sealed.len() {
        assert!(
            matches!(
                ring.unseal(&ctx, &sealed[..len]),
                Err(StoreError::Crypto(_))
            ),
            "truncated to {len}"
        );
    }
    let mut longer = sealed.clone();
    longer.push(0);
    assert!(matches!(
        ring.unseal(&ctx, &longer),
        Err(StoreError::Crypto(_))
    ));
    let mut future = sealed;
    future[1] = 9;
    let err = ring.unseal(&ctx, &future).unwrap_err().to_string();
    assert!(err.contains("unknown envelope version 9"), "{err}");
}

#[test]
fn wrong_master_key_is_a_key_error_at_open() {
    let backend = memory();
    let ring = Keyring::open(backend.clone(), master(1)).unwrap();
    ring.seal(&SubjectId::random(), b"", b"x").unwrap();
    drop(ring);
    match Keyring::open(backend.clone(), master(2)) {
        Err(StoreError::Key(m)) => {
            assert!(m.contains("wrong master key"), "{m}");
            assert!(m.contains(&master(1).id().to_string()), "{m}");
            assert!(m.contains(&master(2).id().to_string()), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert!(Keyring::open(backend, master(1)).is_ok());
}

#[test]
fn a_value_moved_to_another_record_or_field_does_not_open() {
    let ring = Keyring::open(memory(), master(1)).unwrap();
    let (a, b) = (SubjectId::random(), SubjectId::random());
    let sealed = ring.seal(&a, &field(&a, "address"), b"12 Safe St").unwrap();
    ring.seal(&b, &field(&b, "address"), b"other").unwrap();
    for wrong in [field(&a, "name"), field(&b, "address"), Vec::new()] {
        assert!(matches!(
            ring.unseal(&wrong, &sealed),
            Err(StoreError::Crypto(_))
        ));
    }
    assert_eq!(
        &ring.unseal(&field(&a, "address"), &sealed).unwrap()[..],
        b"12 Safe St"
    );
}

#[test]
fn a_value_from_another_store_does_not_open() {
    let one = Keyring::open(memory(), master(1)).unwrap();
    let two = Keyring::open(memory(), master(1)).unwrap();
    let s = SubjectId::random();
    let sealed = one.seal(&s, b"c", b"v").unwrap();
    two.seal(&s, b"c", b"w").unwrap(); // same subject id, different data key
    assert!(matches!(
        two.unseal(b"c", &sealed),
        Err(StoreError::Crypto(_))
    ));
    let stranger = SubjectId::random();
    let sealed = one.seal(&stranger, b"c", b"v").unwrap();
    assert!(
        matches!(two.unseal(b"c", &sealed), Err(StoreError::Key(m)) if m.contains("no data key"))
    );
}

#[test]
fn forgetting_a_subject_erases_only_that_subject_for_good() {
    let backend = memory();
    let ring = Keyring::open(backend.clone(), master(1)).unwrap();
    let people: Vec<SubjectId> = (0..5).map(|_| SubjectId::random()).collect();
    let sealed: Vec<Vec<u8>> = people
        .iter()
        .map(|p| {
            ring.seal(p, &field(p, "name"), p.to_string().as_bytes())
                .unwrap()
        })
        .collect();
    ring.forget_subject(&people[2]).unwrap();
    let check = |ring: &Keyring| {
        for (i, (p, s)) in people.iter().zip(&sealed).enumerate() {
            let opened = ring.unseal(&field(p, "name"), s);
            if i == 2 {
                match opened {
                    Err(StoreError::Forgotten(id)) => assert_eq!(id, p.to_string()),
                    other => panic!("{other:?}"),
                }
            } else {
                assert_eq!(&opened.unwrap()[..], p.to_string().as_bytes());
            }
        }
    };
    check(&ring);
    // The tombstone outlives the process: the key is never recreated, not even by a new keyring.
    drop(ring);
    let ring = Keyring::open(backend, master(1)).unwrap();
    check(&ring);
    assert!(matches!(
        ring.seal(&people[2], b"", b"again"),
        Err(StoreError::Forgotten(_))
    ));
    assert!(matches!(
        ring.ensure_subjects(&[people[0], people[2]]),
        Err(StoreError::Forgotten(_))
    ));
}

#[test]
fn rotation_keeps_everything_readable_and_retires_the_old_key() {
    let backend = memory();
    let config = KeyringConfig {
        cache_capacity: 16,
        rotation_batch: 7,
    };
    let ring = Keyring::open_with_config(backend.clone(), master(1), config).unwrap();
    let people: Vec<SubjectId> = (0..100).map(|_| SubjectId::random()).collect();
    ring.ensure_subjects(&people).unwrap();
    let sealed: Vec<Vec<u8>> = people
        .iter()
        .map(|p| ring.seal(p, b"c", p.as_bytes()).unwrap())
        .collect();
    ring.forget_subject(&people[0]).unwrap();
    let report = ring.rotate_master(master(2)).unwrap();
    assert_eq!((report.from, report.to), (master(1).id(), master(2).id()));
    assert_eq!(report.rewrapped, 99);
    assert_eq!(ring.master_id(), master(2).id());
    // Rotating to the key in use is a no-op.
    assert_eq!(ring.rotate_master(master(2)).unwrap().rewrapped, 0);
    drop(ring);

    assert!(matches!(
        Keyring::open(backend.clone(), master(1)),
        Err(StoreError::Key(_))
    ));
    let ring = Keyring::open_with_config(backend.clone(), master(2), config).unwrap();
    for (p, s) in people.iter().zip(&sealed).skip(1) {
        assert_eq!(&ring.unseal(b"c", s).unwrap()[..], p.as_bytes());
    }
    assert!(matches!(
        ring.unseal(b"c", &sealed[0]),
        Err(StoreError::Forgotten(_))
    ));
    // Resuming a finished rotation is harmless.
    drop(ring);
    let ring = Keyring::resume_rotation(backend, master(1), master(2)).unwrap();
    assert_eq!(
        &ring.unseal(b"c", &sealed[1]).unwrap()[..],
        people[1].as_bytes()
    );
}

#[test]
fn rotation_under_concurrent_readers_writers_and_forgets() {
    let backend = memory();
    // No cache and tiny batches: every read goes to the store while the rotation walks it.
    let config = KeyringConfig {
        cache_capacity: 0,
        rotation_batch: 3,
    };
    let ring = Arc::new(Keyring::open_with_config(backend.clone(), master(1), config).unwrap());
    let people: Vec<SubjectId> = (0..300).map(|_| SubjectId::random()).collect();
    ring.ensure_subjects(&people).unwrap();
    let sealed: Arc<Vec<(SubjectId, Vec<u8>)>> = Arc::new(
        people
            .iter()
            .map(|p| (*p, ring.seal(p, b"c", p.as_bytes()).unwrap()))
            .collect(),
    );
    let doomed: Vec<SubjectId> = people.iter().step_by(50).copied().collect();
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(5));
    let mut workers = Vec::new();
    for t in 0..3 {
        let (ring, sealed, done, reads, start) = (
            ring.clone(),
            sealed.clone(),
            done.clone(),
            reads.clone(),
            start.clone(),
        );
        let doomed = doomed.clone();
        workers.push(std::thread::spawn(move || {
            start.wait();
            let mut i = t;
            while !done.load(Ordering::Relaxed) {
                let (p, s) = &sealed[i % sealed.len()];
                match ring.unseal(b"c", s) {
                    Ok(v) => assert_eq!(&v[..], p.as_bytes()),
                    Err(StoreError::Forgotten(_)) if doomed.contains(p) => {}
                    Err(e) => panic!("reader failed during rotation: {e}"),
                }
                reads.fetch_add(1, Ordering::Relaxed);
                i += 7;
            }
        }));
    }
    let created = {
        let (ring, done, start) = (ring.clone(), done.clone(), start.clone());
        std::thread::spawn(move || {
            start.wait();
            let mut made = Vec::new();
            while !done.load(Ordering::Relaxed) || made.len() < 10 {
                let p = SubjectId::random();
                let s = ring.seal(&p, b"c", p.as_bytes()).unwrap();
                made.push((p, s));
            }
            made
        })
    };
    start.wait();
    let forgetter = {
        let ring = ring.clone();
        let doomed = doomed.clone();
        std::thread::spawn(move || doomed.iter().for_each(|p| ring.forget_subject(p).unwrap()))
    };
    let report = ring.rotate_master(master(2)).unwrap();
    forgetter.join().unwrap();
    done.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let created = created.join().unwrap();
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert!(report.rewrapped > 0);
    drop(ring);

    // Everything — old values, values sealed during the rotation — opens under the new key alone.
    let ring = Keyring::open(backend, master(2)).unwrap();
    for (p, s) in sealed.iter().chain(&created) {
        match ring.unseal(b"c", s) {
            Ok(v) => assert_eq!(&v[..], p.as_bytes()),
            Err(StoreError::Forgotten(_)) => assert!(doomed.contains(p)),
            Err(e) => panic!("{e}"),
        }
    }
    for p in &doomed {
        assert!(matches!(
            ring.seal(p, b"c", b"x"),
            Err(StoreError::Forgotten(_))
        ));
    }
}

#[test]
fn racing_first_seals_agree_on_one_key() {
    let backend = memory();
    let ring = Arc::new(Keyring::open(backend.clone(), master(1)).unwrap());
    let subject = SubjectId::random();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8u8)
        .map(|i| {
            let (ring, barrier) = (ring.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                ring.seal(&subject, b"c", &[i]).unwrap()
            })
        })
        .collect();
    let sealed: Vec<Vec<u8>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    // A second keyring on the same store, without the first one's cache, opens all eight.
    let uncached = KeyringConfig {
        cache_capacity: 0,
        ..KeyringConfig::default()
    };
    let fresh = Keyring::open_with_config(backend, master(1), uncached).unwrap();
    for (i, s) in sealed.iter().enumerate() {
        assert_eq!(&fresh.unseal(b"c", s).unwrap()[..], &[i as u8]);
    }
}

#[test]
fn keys_collection_holds_no_key_material_in_clear() {
    let backend = memory();
    let ring = Keyring::open(backend.clone(), master(7)).unwrap();
    let s = SubjectId::random();
    ring.seal(&s, b"", b"v").unwrap();
    let entries = backend
        .scan(
            unchain_store::crypto::KEYS_COLLECTION,
            &unchain_store::Scan::all(),
        )
        .unwrap();
    assert_eq!(entries.len(), 2); // the check record and one data key
    for (_, v) in entries {
        assert!(!v.value.windows(32).any(|w| w == [7u8; 32]));
    }
    // Writing into the reserved collection behind the keyring's back is detected, not obeyed.
    let mut batch = Batch::new();
    batch.put(
        unchain_store::crypto::KEYS_COLLECTION,
        b"check".to_vec(),
        b"garbage".to_vec(),
        Expect::Any,
    );
    backend.commit(&batch).unwrap();
    drop(ring);
    assert!(matches!(
        Keyring::open(backend, master(7)),
        Err(StoreError::Corrupt(_))
    ));
}

#[cfg(unix)]
#[test]
fn key_files_are_0600_and_a_0644_key_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unchain.key");
    let key = MasterKey::create_key_file(&path).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.trim().len(), 64);
    assert_eq!(MasterKey::load_key_file(&path).unwrap().id(), key.id());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    match MasterKey::load_key_file(&path) {
        Err(StoreError::Key(m)) => {
            assert!(m.contains("0644") && m.contains("chmod 600"), "{m}");
            assert!(!m.contains(text.trim()), "error leaks the key");
        }
        other => panic!("{other:?}"),
    }
    assert!(MasterKey::create_key_file(&path).is_err());
}

#[test]
fn debug_output_never_shows_keys_or_plaintext() {
    let ring = Keyring::open(memory(), master(0x42)).unwrap();
    let s = SubjectId::random();
    let sealed = ring.seal(&s, b"c", b"Ana Lopez").unwrap();
    let opened = ring.unseal(b"c", &sealed).unwrap();
    let env = Envelope::parse(&sealed).unwrap();
    let shown = format!("{ring:?} {:?} {env:?} {s:?}", master(0x42));
    for needle in ["Ana", "66, 66", "0x42", "424242"] {
        assert!(!shown.contains(needle), "{needle} in {shown}");
    }
    assert_eq!(&opened[..], b"Ana Lopez");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_round_trip(
        plaintext in proptest::collection::vec(any::<u8>(), 0..2048),
        ctx in proptest::collection::vec(any::<u8>(), 0..64),
        other in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let ring = Keyring::open(memory(), master(3)).unwrap();
        let s = SubjectId::random();
        let sealed = ring.seal(&s, &ctx, &plaintext).unwrap();
        prop_assert_eq!(&ring.unseal(&ctx, &sealed).unwrap()[..], &plaintext[..]);
        if other != ctx {
            prop_assert!(ring.unseal(&other, &sealed).is_err());
        }
    }

    #[test]
    fn prop_garbage_never_opens(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let ring = Keyring::open(memory(), master(3)).unwrap();
        prop_assert!(ring.unseal(b"", &raw).is_err());
    }
}
