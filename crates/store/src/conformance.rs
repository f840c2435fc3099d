//! The conformance suite: the behaviour every [`Backend`] must show, written once.
//!
//! Each case takes a fresh, empty backend and panics (with a message naming the broken rule) when
//! the backend misbehaves — this module is test support, not runtime code. Run the whole suite as
//! one `#[test]` per case with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```ignore
//! mod memory {
//!     unchain_store::conformance_tests!(|| (unchain_store::MemoryBackend::new(), ()));
//! }
//! ```
//!
//! The closure returns the backend and a guard kept alive for the test (e.g. a temporary
//! directory). A new backend (PostgreSQL) passes when this suite and [`check_against_model`] do.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::backend::{Backend, Batch, Expect, Op, Receipt, Scan, Versioned};
use crate::error::StoreError;
use crate::keys::{KeyBuilder, i64_key, u64_key};

/// Generates one `#[test]` per conformance case for the backend `$make` builds.
///
/// `$make` is a closure returning `(backend, guard)`; the guard lives as long as the test.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@cases $make;
            get_put_delete,
            versions_count_puts,
            preconditions,
            conflict_changes_nothing,
            batch_ops_see_earlier_ops,
            receipts_follow_batch_order,
            prefix_scans,
            range_scans,
            reverse_scans_and_limits,
            inverted_ranges_are_empty,
            streams_number_entries,
            streams_read_pages,
            ids_are_monotonic_and_unique,
            collections_and_streams_are_listed,
            concurrent_cas_loses_no_update,
            concurrent_appends_get_distinct_sequences,
            key_helpers_order_in_the_store,
            bad_names_are_refused,
            import_keeps_versions,
            advance_ids_raises_the_floor,
            consistent_view_reads_one_point,
            deferred_commits_are_commits,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let (backend, _guard) = ($make)();
                $crate::conformance::$case(&backend);
            }
        )*
    };
}

fn put(b: &dyn Backend, c: &str, k: &[u8], v: &[u8], e: Expect) -> Result<Receipt, StoreError> {
    let mut batch = Batch::new();
    batch.put(c, k, v, e);
    b.commit(&batch)
}

fn must_put(b: &dyn Backend, c: &str, k: &[u8], v: &[u8]) -> u64 {
    put(b, c, k, v, Expect::Any).expect("put").versions[0]
}

fn value(b: &dyn Backend, c: &str, k: &[u8]) -> Option<Vec<u8>> {
    b.get(c, k).expect("get").map(|v| v.value)
}

fn keys(entries: &[(Vec<u8>, Versioned)]) -> Vec<Vec<u8>> {
    entries.iter().map(|(k, _)| k.clone()).collect()
}

fn is_conflict<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict { .. }))
}

/// Put, get, overwrite, delete; missing keys and collections read as absent.
pub fn get_put_delete(b: &dyn Backend) {
    assert_eq!(b.get("people", b"k1").expect("get"), None, "empty store");
    must_put(b, "people", b"k1", b"one");
    assert_eq!(value(b, "people", b"k1"), Some(b"one".to_vec()));
    must_put(b, "people", b"k1", b"uno");
    assert_eq!(value(b, "people", b"k1"), Some(b"uno".to_vec()));
    assert_eq!(value(b, "other", b"k1"), None, "collections are separate");
    let mut batch = Batch::new();
    batch.delete("people", b"k1".to_vec(), Expect::Any);
    b.commit(&batch).expect("delete");
    assert_eq!(value(b, "people", b"k1"), None);
    // Deleting what is not there, without a precondition, is fine.
    b.commit(&batch).expect("delete again");
    // Empty keys and values are ordinary.
    must_put(b, "people", b"", b"");
    assert_eq!(value(b, "people", b""), Some(Vec::new()));
    // An empty batch is a no-op.
    assert_eq!(b.commit(&Batch::new()).expect("empty"), Receipt::default());
}

/// Versions start at 1, grow by one per put, and restart at 1 after a delete.
pub fn versions_count_puts(b: &dyn Backend) {
    for expected in 1..=3 {
        assert_eq!(must_put(b, "c", b"k", b"v"), expected);
        assert_eq!(
            b.get("c", b"k").expect("get").map(|v| v.version),
            Some(expected)
        );
    }
    let mut batch = Batch::new();
    batch.delete("c", b"k".to_vec(), Expect::Version(3));
    b.commit(&batch).expect("delete");
    assert_eq!(
        must_put(b, "c", b"k", b"v"),
        1,
        "a re-created key starts again"
    );
}

/// `Absent` and `Version` preconditions on put, delete and check.
pub fn preconditions(b: &dyn Backend) {
    put(b, "c", b"k", b"a", Expect::Absent).expect("absent holds");
    assert!(is_conflict(&put(b, "c", b"k", b"b", Expect::Absent)));
    assert!(is_conflict(&put(b, "c", b"k", b"b", Expect::Version(2))));
    assert!(is_conflict(&put(b, "c", b"new", b"b", Expect::Version(1))));
    put(b, "c", b"k", b"b", Expect::Version(1)).expect("version holds");
    assert_eq!(value(b, "c", b"k"), Some(b"b".to_vec()));

    let mut del = Batch::new();
    del.delete("c", b"k".to_vec(), Expect::Version(1));
    assert!(is_conflict(&b.commit(&del)));
    let mut del = Batch::new();
    del.delete("c", b"missing".to_vec(), Expect::Version(1));
    assert!(is_conflict(&b.commit(&del)));

    let mut check = Batch::new();
    check.check("c", b"k".to_vec(), Expect::Version(2));
    b.commit(&check).expect("check holds");
    let mut check = Batch::new();
    check.check("c", b"k".to_vec(), Expect::Absent);
    let err = b.commit(&check).expect_err("check fails");
    match err {
        StoreError::Conflict {
            collection,
            key,
            expected,
            found,
        } => {
            assert_eq!(collection, "c");
            assert_eq!(key, "6b", "keys are hex in conflicts");
            assert_eq!(expected, Expect::Absent);
            assert_eq!(found, Some(2));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// A batch whose last precondition fails writes nothing — in any collection or stream.
pub fn conflict_changes_nothing(b: &dyn Backend) {
    must_put(b, "a", b"x", b"a-x");
    must_put(b, "b", b"y", b"b-y");
    let mut batch = Batch::new();
    batch
        .put("a", b"x".to_vec(), b"changed".to_vec(), Expect::Version(1))
        .put("b", b"new".to_vec(), b"new".to_vec(), Expect::Absent)
        .delete("b", b"y".to_vec(), Expect::Any)
        .append("log", b"entry".to_vec())
        .put("c", b"z".to_vec(), b"c-z".to_vec(), Expect::Any)
        .check("a", b"x".to_vec(), Expect::Version(7));
    assert!(is_conflict(&b.commit(&batch)));
    assert_eq!(
        b.get("a", b"x").expect("get"),
        Some(Versioned {
            version: 1,
            value: b"a-x".to_vec()
        })
    );
    assert_eq!(value(b, "b", b"new"), None);
    assert_eq!(value(b, "b", b"y"), Some(b"b-y".to_vec()));
    assert_eq!(value(b, "c", b"z"), None);
    assert_eq!(b.stream_head("log").expect("head"), 0);
    assert_eq!(
        b.collections().expect("collections"),
        vec!["a".to_owned(), "b".to_owned()]
    );
    assert!(b.streams().expect("streams").is_empty());

    // The same batch with the precondition fixed applies in full.
    let last = batch.ops.len() - 1;
    batch.ops[last] = Op::Check {
        collection: "a".into(),
        key: b"x".to_vec(),
        expect: Expect::Version(2),
    };
    b.commit(&batch).expect("commit");
    assert_eq!(value(b, "a", b"x"), Some(b"changed".to_vec()));
    assert_eq!(value(b, "b", b"new"), Some(b"new".to_vec()));
    assert_eq!(value(b, "b", b"y"), None);
    assert_eq!(value(b, "c", b"z"), Some(b"c-z".to_vec()));
    assert_eq!(b.stream_head("log").expect("head"), 1);
}

/// `commit_deferred` applies exactly as `commit` does — atomically, visibly at once, versions
/// and sequences counted, a failed precondition applying nothing — and a flush after it
/// succeeds (durability itself is the crash trials' subject, bench/crash-server.sh).
pub fn deferred_commits_are_commits(b: &dyn Backend) {
    must_put(b, "a", b"x", b"a-x");
    let mut batch = Batch::new();
    batch
        .put("a", b"x".to_vec(), b"changed".to_vec(), Expect::Version(1))
        .put("b", b"new".to_vec(), b"new".to_vec(), Expect::Absent)
        .append("log", b"entry".to_vec())
        .check("a", b"x".to_vec(), Expect::Version(7));
    assert!(is_conflict(&b.commit_deferred(&batch)));
    assert_eq!(value(b, "a", b"x"), Some(b"a-x".to_vec()));
    assert_eq!(value(b, "b", b"new"), None);
    assert_eq!(b.stream_head("log").expect("head"), 0);

    let last = batch.ops.len() - 1;
    batch.ops[last] = Op::Check {
        collection: "a".into(),
        key: b"x".to_vec(),
        expect: Expect::Version(2),
    };
    let receipt = b.commit_deferred(&batch).expect("deferred commit");
    assert_eq!(receipt.versions, vec![2, 1]);
    assert_eq!(receipt.sequences, vec![1]);
    // Visible before the flush, and the same after it.
    assert_eq!(value(b, "a", b"x"), Some(b"changed".to_vec()));
    assert_eq!(value(b, "b", b"new"), Some(b"new".to_vec()));
    assert_eq!(b.stream_head("log").expect("head"), 1);
    b.flush().expect("flush");
    assert_eq!(value(b, "a", b"x"), Some(b"changed".to_vec()));
    // An empty batch is a no-op.
    assert_eq!(
        b.commit_deferred(&Batch::new()).expect("empty"),
        Receipt::default()
    );
}

/// Operations apply in order: a later precondition sees an earlier write of the same batch.
pub fn batch_ops_see_earlier_ops(b: &dyn Backend) {
    let mut batch = Batch::new();
    batch
        .put("c", b"k".to_vec(), b"1".to_vec(), Expect::Absent)
        .put("c", b"k".to_vec(), b"2".to_vec(), Expect::Version(1))
        .check("c", b"k".to_vec(), Expect::Version(2))
        .delete("c", b"k".to_vec(), Expect::Version(2))
        .check("c", b"k".to_vec(), Expect::Absent)
        .put("c", b"k".to_vec(), b"3".to_vec(), Expect::Absent);
    let receipt = b.commit(&batch).expect("commit");
    assert_eq!(receipt.versions, vec![1, 2, 1]);
    assert_eq!(
        b.get("c", b"k").expect("get"),
        Some(Versioned {
            version: 1,
            value: b"3".to_vec()
        })
    );
}

/// The receipt lists put versions and append sequences in batch order.
pub fn receipts_follow_batch_order(b: &dyn Backend) {
    must_put(b, "c", b"old", b"v");
    let mut batch = Batch::new();
    batch
        .append("s1", b"a".to_vec())
        .put("c", b"old".to_vec(), b"v2".to_vec(), Expect::Any)
        .append("s2", b"b".to_vec())
        .append("s1", b"c".to_vec())
        .put("c", b"new".to_vec(), b"v".to_vec(), Expect::Any);
    let receipt = b.commit(&batch).expect("commit");
    assert_eq!(receipt.versions, vec![2, 1]);
    assert_eq!(receipt.sequences, vec![1, 1, 2]);
}

fn fill(b: &dyn Backend, c: &str, keys: &[&[u8]]) {
    let mut batch = Batch::new();
    for k in keys {
        batch.put(c, k.to_vec(), k.to_vec(), Expect::Any);
    }
    b.commit(&batch).expect("fill");
}

/// Prefix scans return exactly the keys with the prefix, in byte order (incl. `0xFF` edges).
pub fn prefix_scans(b: &dyn Backend) {
    let all: [&[u8]; 9] = [
        b"a",
        b"ab",
        b"abc",
        b"abd",
        b"ac",
        b"b",
        b"\xff",
        b"\xff\xff",
        b"\xff\x00",
    ];
    fill(b, "c", &all);
    let got = keys(&b.scan("c", &Scan::prefix(b"ab")).expect("scan"));
    assert_eq!(got, vec![b"ab".to_vec(), b"abc".to_vec(), b"abd".to_vec()]);
    let got = keys(&b.scan("c", &Scan::prefix(b"\xff")).expect("scan"));
    assert_eq!(
        got,
        vec![b"\xff".to_vec(), b"\xff\x00".to_vec(), b"\xff\xff".to_vec()]
    );
    let got = keys(&b.scan("c", &Scan::prefix(b"")).expect("scan"));
    assert_eq!(got.len(), all.len());
    let mut sorted: Vec<Vec<u8>> = all.iter().map(|k| k.to_vec()).collect();
    sorted.sort();
    assert_eq!(got, sorted, "scans are in byte order");
    assert!(b.scan("c", &Scan::prefix(b"zz")).expect("scan").is_empty());
    assert!(b.scan("nothing", &Scan::all()).expect("scan").is_empty());
}

/// Range scans honour included, excluded and open bounds.
pub fn range_scans(b: &dyn Backend) {
    let ks: Vec<[u8; 8]> = (0..10u64).map(u64_key).collect();
    let refs: Vec<&[u8]> = ks.iter().map(|k| k.as_slice()).collect();
    fill(b, "n", &refs);
    let scan = |start: Bound<u64>, end: Bound<u64>| -> Vec<u64> {
        let conv = |x: Bound<u64>| match x {
            Bound::Included(n) => Bound::Included(u64_key(n).to_vec()),
            Bound::Excluded(n) => Bound::Excluded(u64_key(n).to_vec()),
            Bound::Unbounded => Bound::Unbounded,
        };
        b.scan(
            "n",
            &Scan {
                start: conv(start),
                end: conv(end),
                limit: 0,
                reverse: false,
            },
        )
        .expect("scan")
        .iter()
        .map(|(k, _)| crate::keys::decode_u64(k).expect("u64 key"))
        .collect()
    };
    assert_eq!(scan(Bound::Included(3), Bound::Excluded(6)), vec![3, 4, 5]);
    assert_eq!(scan(Bound::Excluded(3), Bound::Included(6)), vec![4, 5, 6]);
    assert_eq!(scan(Bound::Unbounded, Bound::Excluded(2)), vec![0, 1]);
    assert_eq!(scan(Bound::Included(8), Bound::Unbounded), vec![8, 9]);
    assert_eq!(scan(Bound::Included(4), Bound::Included(4)), vec![4]);
}

/// Reverse scans give largest keys first; limits cut pages from the scan's start.
pub fn reverse_scans_and_limits(b: &dyn Backend) {
    let ks: Vec<[u8; 8]> = (0..10u64).map(u64_key).collect();
    let refs: Vec<&[u8]> = ks.iter().map(|k| k.as_slice()).collect();
    fill(b, "n", &refs);
    let decode = |e: Vec<(Vec<u8>, Versioned)>| -> Vec<u64> {
        e.iter()
            .map(|(k, _)| crate::keys::decode_u64(k).expect("u64 key"))
            .collect()
    };
    assert_eq!(
        decode(b.scan("n", &Scan::all().reversed()).expect("scan")),
        (0..10).rev().collect::<Vec<_>>()
    );
    assert_eq!(
        decode(b.scan("n", &Scan::all().limit(3)).expect("scan")),
        vec![0, 1, 2]
    );
    assert_eq!(
        decode(b.scan("n", &Scan::all().reversed().limit(2)).expect("scan")),
        vec![9, 8]
    );
    let window = Scan {
        start: Bound::Included(u64_key(2).to_vec()),
        end: Bound::Excluded(u64_key(7).to_vec()),
        limit: 2,
        reverse: true,
    };
    assert_eq!(decode(b.scan("n", &window).expect("scan")), vec![6, 5]);
    // Paging forward with an excluded start visits every key once.
    let mut seen = Vec::new();
    let mut start = Bound::Unbounded;
    loop {
        let page = b
            .scan(
                "n",
                &Scan {
                    start: start.clone(),
                    end: Bound::Unbounded,
                    limit: 4,
                    reverse: false,
                },
            )
            .expect("page");
        let Some((last, _)) = page.last() else { break };
        start = Bound::Excluded(last.clone());
        seen.extend(decode(page));
    }
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
}

/// Inverted or empty ranges return nothing (and never panic).
pub fn inverted_ranges_are_empty(b: &dyn Backend) {
    fill(b, "c", &[b"a", b"b", b"c"]);
    let cases = [
        (
            Bound::Included(b"c".to_vec()),
            Bound::Included(b"a".to_vec()),
        ),
        (
            Bound::Excluded(b"b".to_vec()),
            Bound::Excluded(b"b".to_vec()),
        ),
        (
            Bound::Included(b"b".to_vec()),
            Bound::Excluded(b"b".to_vec()),
        ),
        (
            Bound::Excluded(b"b".to_vec()),
            Bound::Included(b"b".to_vec()),
        ),
        (Bound::Unbounded, Bound::Excluded(Vec::new())),
    ];
    for (start, end) in cases {
        let got = b
            .scan(
                "c",
                &Scan {
                    start,
                    end,
                    limit: 0,
                    reverse: false,
                },
            )
            .expect("scan");
        assert!(got.is_empty(), "an empty range returned entries");
    }
}

/// Streams number their entries 1, 2, 3, … and keep them in order.
pub fn streams_number_entries(b: &dyn Backend) {
    assert_eq!(b.stream_head("audit").expect("head"), 0);
    assert!(b.read_stream("audit", 1, 0).expect("read").is_empty());
    for i in 1..=5u64 {
        let mut batch = Batch::new();
        batch.append("audit", format!("e{i}").into_bytes());
        assert_eq!(b.commit(&batch).expect("append").sequences, vec![i]);
    }
    assert_eq!(b.stream_head("audit").expect("head"), 5);
    let all = b.read_stream("audit", 1, 0).expect("read");
    assert_eq!(all.len(), 5);
    for (i, (seq, v)) in all.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_eq!(v, &format!("e{}", i + 1).into_bytes());
    }
    assert_eq!(
        b.stream_head("other").expect("head"),
        0,
        "streams are separate"
    );
    // A stream and a collection may share a name: separate namespaces.
    must_put(b, "audit", b"k", b"v");
    assert_eq!(b.stream_head("audit").expect("head"), 5);
}

/// `read_stream` pages from a sequence number with a limit.
pub fn streams_read_pages(b: &dyn Backend) {
    let mut batch = Batch::new();
    for i in 1..=10u8 {
        batch.append("s", vec![i]);
    }
    assert_eq!(
        b.commit(&batch).expect("append").sequences,
        (1..=10).collect::<Vec<u64>>()
    );
    let page = b.read_stream("s", 4, 3).expect("read");
    assert_eq!(page, vec![(4, vec![4]), (5, vec![5]), (6, vec![6])]);
    assert_eq!(
        b.read_stream("s", 0, 1).expect("read"),
        vec![(1, vec![1])],
        "0 reads from the start"
    );
    assert!(b.read_stream("s", 11, 0).expect("read").is_empty());
    assert!(b.read_stream("s", u64::MAX, 0).expect("read").is_empty());
}

/// Ids grow strictly, and are unique across threads.
pub fn ids_are_monotonic_and_unique(b: &dyn Backend) {
    let mut last = 0;
    for _ in 0..2000 {
        let id = b.generate_id().expect("id");
        assert!(id > last, "ids must grow");
        last = id;
    }
    let per_thread: Vec<Vec<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    (0..500)
                        .map(|_| b.generate_id().expect("id"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut all: Vec<u64> = per_thread.iter().flatten().copied().collect();
    for ids in &per_thread {
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ids grow within a thread"
        );
    }
    assert!(all.iter().all(|&id| id > last));
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 2000, "ids are unique");
}

/// `collections()` and `streams()` list the names holding data, sorted.
pub fn collections_and_streams_are_listed(b: &dyn Backend) {
    assert!(b.collections().expect("collections").is_empty());
    assert!(b.streams().expect("streams").is_empty());
    must_put(b, "zeta", b"k", b"v");
    must_put(b, "alpha", b"k", b"v");
    let mut batch = Batch::new();
    batch
        .append("log", b"x".to_vec())
        .append("audit", b"y".to_vec());
    b.commit(&batch).expect("append");
    let _ = b.get("never-written", b"k").expect("get");
    assert_eq!(
        b.collections().expect("collections"),
        vec!["alpha".to_owned(), "zeta".to_owned()]
    );
    assert_eq!(
        b.streams().expect("streams"),
        vec!["audit".to_owned(), "log".to_owned()]
    );
    let mut batch = Batch::new();
    batch.delete("zeta", b"k".to_vec(), Expect::Any);
    b.commit(&batch).expect("delete");
    assert_eq!(
        b.collections().expect("collections"),
        vec!["alpha".to_owned()],
        "emptied collections drop out"
    );
}

/// N threads CAS-increment one counter: no update is lost.
pub fn concurrent_cas_loses_no_update(b: &dyn Backend) {
    const THREADS: u64 = 6;
    const EACH: u64 = 12;
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..EACH {
                    loop {
                        let current = b.get("counters", b"n").expect("get");
                        let (expect, n) = match &current {
                            Some(v) => (
                                Expect::Version(v.version),
                                u64::from_be_bytes(v.value.as_slice().try_into().expect("8 bytes")),
                            ),
                            None => (Expect::Absent, 0),
                        };
                        match put(b, "counters", b"n", &(n + 1).to_be_bytes(), expect) {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => continue,
                            Err(e) => panic!("commit failed: {e}"),
                        }
                    }
                }
            });
        }
    });
    let v = b.get("counters", b"n").expect("get").expect("counter");
    assert_eq!(v.value, (THREADS * EACH).to_be_bytes().to_vec());
    assert_eq!(v.version, THREADS * EACH);
}

/// Concurrent appends to one stream get distinct, gap-free sequence numbers.
pub fn concurrent_appends_get_distinct_sequences(b: &dyn Backend) {
    let seqs: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4u8)
            .map(|t| {
                s.spawn(move || {
                    (0..8u8)
                        .map(|i| {
                            let mut batch = Batch::new();
                            batch.append("log", vec![t, i]);
                            b.commit(&batch).expect("append").sequences[0]
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=32).collect::<Vec<u64>>());
    let entries = b.read_stream("log", 1, 0).expect("read");
    assert_eq!(entries.len(), 32);
}

/// Keys built with [`crate::keys`] come back from scans in logical order.
pub fn key_helpers_order_in_the_store(b: &dyn Backend) {
    let numbers = [i64::MIN, -1_000_000, -1, 0, 1, 42, i64::MAX];
    let mut batch = Batch::new();
    for n in numbers.iter().rev() {
        batch.put(
            "signed",
            i64_key(*n).to_vec(),
            n.to_be_bytes().to_vec(),
            Expect::Any,
        );
    }
    let names = ["", "a", "a\0", "ab", "b"];
    for (i, name) in names.iter().enumerate().rev() {
        let key = KeyBuilder::new()
            .str("case")
            .str(name)
            .u64(i as u64)
            .finish();
        batch.put("composite", key, vec![i as u8], Expect::Any);
    }
    b.commit(&batch).expect("commit");
    let got: Vec<i64> = b
        .scan("signed", &Scan::all())
        .expect("scan")
        .iter()
        .map(|(_, v)| i64::from_be_bytes(v.value.as_slice().try_into().expect("8 bytes")))
        .collect();
    assert_eq!(got, numbers.to_vec());
    let prefix = KeyBuilder::new().str("case").finish();
    let got: Vec<u8> = b
        .scan("composite", &Scan::prefix(&prefix))
        .expect("scan")
        .iter()
        .map(|(_, v)| v.value[0])
        .collect();
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
}

/// Empty and control-character names are refused with `Invalid`, writing nothing.
pub fn bad_names_are_refused(b: &dyn Backend) {
    assert!(matches!(b.get("", b"k"), Err(StoreError::Invalid { .. })));
    let mut batch = Batch::new();
    batch
        .put("good", b"k".to_vec(), b"v".to_vec(), Expect::Any)
        .put("bad\n", b"k".to_vec(), b"v".to_vec(), Expect::Any);
    assert!(matches!(b.commit(&batch), Err(StoreError::Invalid { .. })));
    assert_eq!(value(b, "good", b"k"), None);
    let mut batch = Batch::new();
    batch.append("", b"v".to_vec());
    assert!(matches!(b.commit(&batch), Err(StoreError::Invalid { .. })));
    let long = "x".repeat(crate::backend::MAX_NAME_LEN + 1);
    assert!(matches!(
        b.stream_head(&long),
        Err(StoreError::Invalid { .. })
    ));
}

/// `import` writes values with their versions; later puts continue from them.
pub fn import_keeps_versions(b: &dyn Backend) {
    let entries = vec![
        (
            b"a".to_vec(),
            Versioned {
                version: 7,
                value: b"A".to_vec(),
            },
        ),
        (
            b"b".to_vec(),
            Versioned {
                version: 1,
                value: b"B".to_vec(),
            },
        ),
    ];
    b.import("restored", &entries).expect("import");
    assert_eq!(b.scan("restored", &Scan::all()).expect("scan"), entries);
    assert_eq!(must_put(b, "restored", b"a", b"A2"), 8);
    let bad = vec![(
        b"z".to_vec(),
        Versioned {
            version: 0,
            value: Vec::new(),
        },
    )];
    assert!(b.import("restored", &bad).is_err(), "version 0 is refused");
}

/// After `advance_ids(n)` every new id is greater than `n`; it never lowers the counter.
pub fn advance_ids_raises_the_floor(b: &dyn Backend) {
    let first = b.generate_id().expect("id");
    b.advance_ids(first + 100_000).expect("advance");
    let next = b.generate_id().expect("id");
    assert!(next > first + 100_000);
    b.advance_ids(1).expect("advance");
    assert!(b.generate_id().expect("id") > next, "advance never lowers");
}

/// A consistent view sees the store as of one point in time.
pub fn consistent_view_reads_one_point(b: &dyn Backend) {
    must_put(b, "c", b"k", b"v1");
    let mut seen = Vec::new();
    b.consistent_view(&mut |view| {
        seen.push(view.get("c", b"k")?.map(|v| v.value));
        seen.push(
            view.scan("c", &Scan::all())?
                .first()
                .map(|(_, v)| v.value.clone()),
        );
        Ok(())
    })
    .expect("view");
    assert_eq!(seen, vec![Some(b"v1".to_vec()), Some(b"v1".to_vec())]);
}

/// The reference model: what every backend must agree with.
#[derive(Default)]
struct Model {
    collections: BTreeMap<String, BTreeMap<Vec<u8>, Versioned>>,
    streams: BTreeMap<String, Vec<Vec<u8>>>,
}

impl Model {
    /// Applies a batch; `None` when a precondition fails (and then changes nothing).
    fn apply(&mut self, batch: &Batch) -> Option<Receipt> {
        let mut next = Model {
            collections: self.collections.clone(),
            streams: self.streams.clone(),
        };
        let mut receipt = Receipt::default();
        for op in &batch.ops {
            match op {
                Op::Put {
                    collection,
                    key,
                    value,
                    expect,
                } => {
                    let map = next.collections.entry(collection.clone()).or_default();
                    let current = map.get(key).map(|v| v.version);
                    if !holds(*expect, current) {
                        return None;
                    }
                    let version = current.unwrap_or(0) + 1;
                    map.insert(
                        key.clone(),
                        Versioned {
                            version,
                            value: value.clone(),
                        },
                    );
                    receipt.versions.push(version);
                }
                Op::Delete {
                    collection,
                    key,
                    expect,
                } => {
                    let map = next.collections.entry(collection.clone()).or_default();
                    if !holds(*expect, map.get(key).map(|v| v.version)) {
                        return None;
                    }
                    map.remove(key);
                }
                Op::Check {
                    collection,
                    key,
                    expect,
                } => {
                    let current = next
                        .collections
                        .get(collection)
                        .and_then(|m| m.get(key))
                        .map(|v| v.version);
                    if !holds(*expect, current) {
                        return None;
                    }
                }
                Op::Append { stream, value } => {
                    let s = next.streams.entry(stream.clone()).or_default();
                    s.push(value.clone());
                    receipt.sequences.push(s.len() as u64);
                }
            }
        }
        next.collections.retain(|_, m| !m.is_empty());
        *self = next;
        Some(receipt)
    }
}

fn holds(expect: Expect, current: Option<u64>) -> bool {
    match expect {
        Expect::Any => true,
        Expect::Absent => current.is_none(),
        Expect::Version(v) => current == Some(v),
    }
}

/// Applies `batches` to `b` and to a simple in-memory model, one by one, and checks that both
/// accept and refuse the same batches with the same receipts, and end with the same contents.
pub fn check_against_model(b: &dyn Backend, batches: &[Batch]) {
    let mut model = Model::default();
    for (i, batch) in batches.iter().enumerate() {
        let expected = model.apply(batch);
        match (b.commit(batch), expected) {
            (Ok(got), Some(want)) => assert_eq!(got, want, "batch {i}: receipt"),
            (Err(StoreError::Conflict { .. }), None) => {}
            (got, want) => panic!("batch {i}: backend gave {got:?}, model {want:?}"),
        }
    }
    let names: Vec<String> = model.collections.keys().cloned().collect();
    assert_eq!(b.collections().expect("collections"), names);
    for (name, map) in &model.collections {
        let got = b.scan(name, &Scan::all()).expect("scan");
        let want: Vec<(Vec<u8>, Versioned)> =
            map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(got, want, "collection {name}");
        let rev = b.scan(name, &Scan::all().reversed()).expect("scan");
        assert_eq!(
            rev,
            want.into_iter().rev().collect::<Vec<_>>(),
            "collection {name} reversed"
        );
    }
    let streams: Vec<String> = model.streams.keys().cloned().collect();
    assert_eq!(b.streams().expect("streams"), streams);
    for (name, entries) in &model.streams {
        let got = b.read_stream(name, 1, 0).expect("read");
        let want: Vec<(u64, Vec<u8>)> = entries
            .iter()
            .enumerate()
            .map(|(i, v)| (i as u64 + 1, v.clone()))
            .collect();
        assert_eq!(got, want, "stream {name}");
        assert_eq!(b.stream_head(name).expect("head"), entries.len() as u64);
    }
}

/// One conformance case: it panics when the backend breaks the rule it checks.
pub type Case = fn(&dyn Backend);

/// Every case's name and function, for callers that prefer a loop to [`conformance_tests!`].
pub const CASES: &[(&str, Case)] = &[
    ("get_put_delete", get_put_delete),
    ("versions_count_puts", versions_count_puts),
    ("preconditions", preconditions),
    ("conflict_changes_nothing", conflict_changes_nothing),
    ("batch_ops_see_earlier_ops", batch_ops_see_earlier_ops),
    ("receipts_follow_batch_order", receipts_follow_batch_order),
    ("prefix_scans", prefix_scans),
    ("range_scans", range_scans),
    ("reverse_scans_and_limits", reverse_scans_and_limits),
    ("inverted_ranges_are_empty", inverted_ranges_are_empty),
    ("streams_number_entries", streams_number_entries),
    ("streams_read_pages", streams_read_pages),
    ("ids_are_monotonic_and_unique", ids_are_monotonic_and_unique),
    (
        "collections_and_streams_are_listed",
        collections_and_streams_are_listed,
    ),
    (
        "concurrent_cas_loses_no_update",
        concurrent_cas_loses_no_update,
    ),
    (
        "concurrent_appends_get_distinct_sequences",
        concurrent_appends_get_distinct_sequences,
    ),
    (
        "key_helpers_order_in_the_store",
        key_helpers_order_in_the_store,
    ),
    ("bad_names_are_refused", bad_names_are_refused),
    ("import_keeps_versions", import_keeps_versions),
    ("advance_ids_raises_the_floor", advance_ids_raises_the_floor),
    (
        "consistent_view_reads_one_point",
        consistent_view_reads_one_point,
    ),
    ("deferred_commits_are_commits", deferred_commits_are_commits),
];

/// Runs every case, each on a fresh backend from `make`.
pub fn run_all<B: Backend>(make: impl Fn() -> B) {
    for (_, case) in CASES {
        let backend = make();
        case(&backend);
    }
}
