//! sled-specific behaviour: reopening, single ownership across processes, group commit, schema.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use unchain_store::schema::{META_COLLECTION, SCHEMA_KEY};
use unchain_store::{
    Backend, Batch, Expect, Migration, SledBackend, SledConfig, Store, StoreConfig, StoreError,
};

fn config(dir: &tempfile::TempDir) -> SledConfig {
    SledConfig::new(dir.path().join("db")).cache_bytes(8 << 20)
}

#[test]
fn reopen_keeps_data_streams_and_id_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let last_id;
    {
        let b = SledBackend::open(&config(&dir)).expect("open");
        let mut batch = Batch::new();
        batch
            .put("c", b"k".to_vec(), b"v".to_vec(), Expect::Absent)
            .append("log", b"e1".to_vec());
        b.commit(&batch).expect("commit");
        let mut ids = Vec::new();
        for _ in 0..1500 {
            ids.push(b.generate_id().expect("id"));
        }
        last_id = *ids.last().expect("ids");
    }
    let b = SledBackend::open(&config(&dir)).expect("reopen");
    let v = b.get("c", b"k").expect("get").expect("present");
    assert_eq!((v.version, v.value.as_slice()), (1, b"v".as_slice()));
    assert_eq!(
        b.read_stream("log", 1, 0).expect("read"),
        vec![(1, b"e1".to_vec())]
    );
    assert!(
        b.generate_id().expect("id") > last_id,
        "ids keep growing across restarts"
    );
    let mut batch = Batch::new();
    batch.append("log", b"e2".to_vec());
    assert_eq!(b.commit(&batch).expect("append").sequences, vec![2]);
}

#[test]
fn a_second_handle_in_this_process_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _first = SledBackend::open(&config(&dir)).expect("open");
    match SledBackend::open(&config(&dir)) {
        Err(StoreError::InUse { path }) => assert_eq!(path, dir.path().join("db")),
        other => panic!("expected InUse, got {:?}", other.map(|_| ())),
    }
}

/// Child side of `another_process_holding_the_store_is_reported`: holds the store until killed.
#[test]
fn child_holds_store() {
    let Ok(path) = std::env::var("UNCHAIN_TEST_HOLD_STORE") else {
        return;
    };
    let _held = SledBackend::open(&SledConfig::new(path).cache_bytes(8 << 20)).expect("child open");
    println!("opened");
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn another_process_holding_the_store_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .args([
            "child_holds_store",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("UNCHAIN_TEST_HOLD_STORE", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let opened = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // libtest prints "test child_holds_store ... " without a newline before the child's output.
        .any(|l| l.trim_end().ends_with("opened"));
    assert!(opened, "child did not open the store");

    let err = SledBackend::open(&SledConfig::new(&path)).expect_err("must be in use");
    assert!(
        matches!(&err, StoreError::InUse { path: p } if *p == path),
        "got {err:?}"
    );
    assert!(err.to_string().contains("in use by another process"));
    // The facade reports the same.
    assert!(matches!(
        Store::open(&StoreConfig::sled(&path)),
        Err(StoreError::InUse { .. })
    ));

    child.kill().expect("kill");
    child.wait().expect("wait");
    SledBackend::open(&SledConfig::new(&path)).expect("free once the owner is gone");
}

#[test]
fn concurrent_commits_share_flushes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = Arc::new(SledBackend::open(&config(&dir)).expect("open"));
    let before = b.durable_flushes();
    const THREADS: u64 = 64;
    const EACH: u64 = 4;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let b = &b;
            s.spawn(move || {
                for i in 0..EACH {
                    let mut batch = Batch::new();
                    batch.put(
                        "c",
                        (t * 1000 + i).to_be_bytes().to_vec(),
                        b"v".to_vec(),
                        Expect::Absent,
                    );
                    b.commit(&batch).expect("commit");
                }
            });
        }
    });
    let flushes = b.durable_flushes() - before;
    let commits = THREADS * EACH;
    assert_eq!(
        b.scan("c", &unchain_store::Scan::all())
            .expect("scan")
            .len() as u64,
        commits
    );
    assert!(
        flushes < commits,
        "group commit: {flushes} flushes for {commits} commits"
    );
    eprintln!("{commits} commits, {flushes} flushes");
}

#[test]
fn a_new_store_is_stamped_with_the_schema_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&StoreConfig::sled(dir.path().join("db"))).expect("open");
    assert_eq!(store.schema_version(), unchain_store::SCHEMA_VERSION);
    let stamp = store
        .backend()
        .get(META_COLLECTION, SCHEMA_KEY)
        .expect("get")
        .expect("stamp");
    assert_eq!(stamp.value, unchain_store::SCHEMA_VERSION.to_be_bytes());
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    {
        let store = Store::open(&StoreConfig::sled(&path)).expect("open");
        let mut batch = Batch::new();
        batch.put(
            META_COLLECTION,
            SCHEMA_KEY.to_vec(),
            99u32.to_be_bytes().to_vec(),
            Expect::Any,
        );
        store.backend().commit(&batch).expect("commit");
    }
    let err = Store::open(&StoreConfig::sled(&path)).expect_err("too new");
    match &err {
        StoreError::SchemaTooNew {
            path: p,
            found,
            supported,
        } => {
            assert_eq!(
                (p, *found, *supported),
                (&path, 99, unchain_store::SCHEMA_VERSION)
            );
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("schema version 99"));
}

fn add_marker(b: &dyn Backend) -> unchain_store::Result<()> {
    let mut batch = Batch::new();
    batch.put(
        "migrated",
        b"marker".to_vec(),
        b"1->2".to_vec(),
        Expect::Any,
    );
    b.commit(&batch).map(|_| ())
}

#[test]
fn migrations_run_on_open_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig::sled(dir.path().join("db"));
    drop(Store::open(&config).expect("open at 1"));
    let migrations = [Migration {
        from: 1,
        to: 2,
        apply: add_marker,
    }];
    let store = Store::open_with(&config, 2, &migrations).expect("migrate");
    assert_eq!(store.schema_version(), 2);
    assert!(
        store
            .backend()
            .get("migrated", b"marker")
            .expect("get")
            .is_some()
    );
    drop(store);
    // Without the migration the store is now too new for a build at schema 1.
    assert!(matches!(
        Store::open(&config),
        Err(StoreError::SchemaTooNew { found: 2, .. })
    ));
    // And a gap in the chain is an error, not a silent skip.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let config2 = StoreConfig::sled(dir2.path().join("db"));
    drop(Store::open(&config2).expect("open at 1"));
    assert!(matches!(
        Store::open_with(&config2, 3, &migrations),
        Err(StoreError::Invalid { .. })
    ));
}

#[test]
fn errors_and_debug_never_show_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = SledBackend::open(&config(&dir)).expect("open");
    let secret = b"Jane Doe, 12 Secret Street".to_vec();
    let mut batch = Batch::new();
    batch.put("people", b"p1".to_vec(), secret.clone(), Expect::Absent);
    b.commit(&batch).expect("commit");
    let err = b.commit(&batch).expect_err("conflict");
    let shown = format!(
        "{err} {err:?} {batch:?} {:?}",
        b.get("people", b"p1").expect("get")
    );
    assert!(!shown.contains("Jane"), "{shown}");
    assert!(!format!("{b:?}").contains("Jane"));
}
