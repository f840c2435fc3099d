//! Backup and restore: round trips between backends, consistency under load, corruption.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};

use unchain_store::backup::{self, BackupSummary};
use unchain_store::schema::{META_COLLECTION, SCHEMA_KEY};
use unchain_store::{
    Backend, Batch, Expect, MemoryBackend, Scan, SledBackend, SledConfig, Store, StoreConfig,
    StoreError,
};

fn sled(dir: &tempfile::TempDir, name: &str) -> SledBackend {
    SledBackend::open(&SledConfig::new(dir.path().join(name)).cache_bytes(8 << 20)).expect("open")
}

/// Collections with several versions, a deleted key, binary keys and values, two streams.
fn fill(b: &dyn Backend) {
    for round in 0..3u8 {
        let mut batch = Batch::new();
        for i in 0..40u8 {
            batch.put(
                "people",
                vec![i, 0xff, 0],
                vec![round, i, 0, 0xff],
                Expect::Any,
            );
        }
        batch.put(
            "cases",
            format!("case-{round}").into_bytes(),
            vec![round; 300],
            Expect::Any,
        );
        batch
            .append("audit", vec![round])
            .append("events", vec![round, round]);
        b.commit(&batch).expect("fill");
    }
    let mut batch = Batch::new();
    batch.delete("people", vec![3, 0xff, 0], Expect::Any);
    b.commit(&batch).expect("delete");
    for _ in 0..10 {
        b.generate_id().expect("id");
    }
}

/// Everything a backend holds, for comparing two of them.
fn contents(b: &dyn Backend) -> Vec<String> {
    let mut out = Vec::new();
    for c in b.collections().expect("collections") {
        for (k, v) in b.scan(&c, &Scan::all()).expect("scan") {
            out.push(format!("{c} {k:?} v{} {:?}", v.version, v.value));
        }
    }
    for s in b.streams().expect("streams") {
        for (seq, v) in b.read_stream(&s, 1, 0).expect("read") {
            out.push(format!("stream {s} {seq} {v:?}"));
        }
    }
    out
}

fn backup_bytes(b: &dyn Backend) -> (Vec<u8>, BackupSummary) {
    let mut out = Vec::new();
    let summary = backup::backup(b, &mut out).expect("backup");
    assert_eq!(summary.bytes, out.len() as u64);
    (out, summary)
}

fn round_trip(from: &dyn Backend, to: &dyn Backend) {
    fill(from);
    let (bytes, summary) = backup_bytes(from);
    assert_eq!(summary.entries, 40 - 1 + 3);
    assert_eq!(summary.stream_entries, 6);
    let max_id = from.generate_id().expect("id");
    let restored = backup::restore(to, &mut Cursor::new(&bytes)).expect("restore");
    assert_eq!(restored, summary);
    assert_eq!(contents(to), contents(from));
    assert!(to.generate_id().expect("id") >= summary.id_watermark);
    assert!(summary.id_watermark <= max_id);
    // Streams go on where they were.
    let mut batch = Batch::new();
    batch.append("audit", b"next".to_vec());
    assert_eq!(to.commit(&batch).expect("append").sequences, vec![4]);
}

#[test]
fn sled_backup_restores_into_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    round_trip(&sled(&dir, "src"), &MemoryBackend::new());
}

#[test]
fn memory_backup_restores_into_sled() {
    let dir = tempfile::tempdir().expect("tempdir");
    round_trip(&MemoryBackend::new(), &sled(&dir, "dst"));
}

#[test]
fn sled_backup_restores_into_sled_via_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("store.backup");
    let src = Store::open(&StoreConfig::sled(dir.path().join("a"))).expect("open");
    fill(src.backend().as_ref());
    let summary = src.backup_to_file(&file).expect("backup");
    assert_eq!(
        backup::verify(&mut std::fs::File::open(&file).expect("open")).expect("verify"),
        summary
    );
    let mut dst = Store::open(&StoreConfig::sled(dir.path().join("b"))).expect("open");
    dst.restore_from_file(&file).expect("restore");
    assert_eq!(
        contents(dst.backend().as_ref()),
        contents(src.backend().as_ref())
    );
    assert_eq!(dst.schema_version(), unchain_store::SCHEMA_VERSION);
}

#[test]
fn restore_refuses_a_store_holding_data() {
    let source = MemoryBackend::new();
    fill(&source);
    let (bytes, _) = backup_bytes(&source);
    let target = MemoryBackend::new();
    let mut batch = Batch::new();
    batch.put("x", b"k".to_vec(), b"v".to_vec(), Expect::Any);
    target.commit(&batch).expect("commit");
    let err = backup::restore(&target, &mut Cursor::new(&bytes)).expect_err("not empty");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    // A stream alone also makes a store non-empty.
    let target = MemoryBackend::new();
    let mut batch = Batch::new();
    batch.append("log", b"v".to_vec());
    target.commit(&batch).expect("commit");
    assert!(backup::restore(&target, &mut Cursor::new(&bytes)).is_err());
}

#[test]
fn corruption_is_detected_and_nothing_is_written() {
    let source = MemoryBackend::new();
    fill(&source);
    let (bytes, _) = backup_bytes(&source);
    // Flip one bit at many positions spread over the whole file, header and trailer included.
    let step = (bytes.len() / 97).max(1);
    for pos in (0..bytes.len())
        .step_by(step)
        .chain([bytes.len() - 1, 0, 12])
    {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x04;
        let target = MemoryBackend::new();
        let err = backup::restore(&target, &mut Cursor::new(&bad)).expect_err("flipped byte");
        assert!(matches!(err, StoreError::Corrupt(_)), "byte {pos}: {err:?}");
        assert!(
            target.collections().expect("collections").is_empty(),
            "byte {pos}: wrote data"
        );
    }
    for len in [
        0,
        1,
        10,
        bytes.len() / 2,
        bytes.len() - 41,
        bytes.len() - 40,
        bytes.len() - 1,
    ] {
        let target = MemoryBackend::new();
        let err = backup::restore(&target, &mut Cursor::new(&bytes[..len])).expect_err("truncated");
        assert!(
            matches!(err, StoreError::Corrupt(_)),
            "length {len}: {err:?}"
        );
        assert!(target.collections().expect("collections").is_empty());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(backup::restore(&MemoryBackend::new(), &mut Cursor::new(&longer)).is_err());
}

#[test]
fn a_backup_from_a_newer_schema_is_refused() {
    let source = MemoryBackend::new();
    let mut batch = Batch::new();
    batch.put(
        META_COLLECTION,
        SCHEMA_KEY.to_vec(),
        42u32.to_be_bytes().to_vec(),
        Expect::Any,
    );
    source.commit(&batch).expect("commit");
    let (bytes, summary) = backup_bytes(&source);
    assert_eq!(summary.schema_version, 42);
    let err = backup::restore(&MemoryBackend::new(), &mut Cursor::new(&bytes)).expect_err("newer");
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 42, .. }),
        "{err:?}"
    );
}

/// Writers keep committing pairs — the same key in two collections plus a stream entry, in one
/// batch — while backups run. Every backup must hold whole batches only.
fn consistent_under_load(b: &dyn Backend) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for t in 0..3u64 {
            let stop = &stop;
            s.spawn(move || {
                let mut i = 0u64;
                // Bounded, so a fast backend does not grow the store without limit.
                while !stop.load(Ordering::Relaxed) && i < 2_000 {
                    let key = (t << 32 | i).to_be_bytes().to_vec();
                    let mut batch = Batch::new();
                    batch
                        .put("left", key.clone(), b"l".to_vec(), Expect::Absent)
                        .put("right", key.clone(), b"r".to_vec(), Expect::Absent)
                        .append("pairs", key);
                    b.commit(&batch).expect("commit");
                    i += 1;
                    if i % 16 == 0 {
                        std::thread::yield_now();
                    }
                }
            });
        }
        for _ in 0..5 {
            std::thread::sleep(std::time::Duration::from_millis(30));
            let (bytes, summary) = backup_bytes(b);
            let restored = MemoryBackend::new();
            backup::restore(&restored, &mut Cursor::new(&bytes)).expect("restore");
            let left = restored.scan("left", &Scan::all()).expect("scan");
            let right = restored.scan("right", &Scan::all()).expect("scan");
            let pairs = restored.read_stream("pairs", 1, 0).expect("read");
            assert_eq!(left.len(), right.len(), "a backup split a batch");
            assert_eq!(left.len(), pairs.len(), "a backup split a batch");
            assert_eq!(summary.entries, 2 * left.len() as u64);
        }
        stop.store(true, Ordering::Relaxed);
    });
}

#[test]
fn sled_backups_are_consistent_while_in_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    consistent_under_load(&sled(&dir, "db"));
}

#[test]
fn memory_backups_are_consistent_while_in_use() {
    consistent_under_load(&MemoryBackend::new());
}
