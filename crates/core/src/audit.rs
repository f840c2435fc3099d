//! The audit chain: every mutation and every read of personal data appends an entry, in the same
//! atomic batch as the change it records. Entries are linked by a keyed hash (HMAC-SHA-256 over the
//! previous hash and the entry), so an altered, removed or reordered entry breaks the chain, and
//! someone who can write the store but does not hold the audit key cannot forge a new chain.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use unchain_store::{Backend, Batch, Expect};

use crate::error::{CoreError, Result};

/// The stream holding the chain.
pub const STREAM: &str = "audit";
/// The collection and key holding the chain's head (sequence and hash of the last entry).
const HEAD_COLLECTION: &str = "meta";
const HEAD_KEY: &[u8] = b"audit_head";

/// What an entry records: who did what to which record, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// The acting user (name, never a token).
    pub actor: String,
    /// The operation (`case.read`, `intel.create`, …) or a system action (`store.init`).
    pub action: String,
    /// The record it touched, as `kind:id` (ids are not personal data).
    pub target: String,
    /// The further records of a bulk write that one entry records (an import batch: `target` is
    /// its first record, these the rest, in order), so that a batch of thousands costs one entry
    /// while every record stays named. Empty for every other entry, and then absent from the
    /// stored entry and its hash, so entries written before it existed still verify.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_targets: Vec<String>,
    /// When (the core's clock).
    pub at: DateTime<Utc>,
}

impl AuditRecord {
    /// Every record the entry names: `target`, then `more_targets`.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.target.as_str()).chain(self.more_targets.iter().map(String::as_str))
    }
}

/// An entry of the chain as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// The record.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// Hash of the previous entry (hex; 64 zeros for the first).
    pub prev: String,
    /// This entry's hash (hex).
    pub hash: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Head {
    seq: u64,
    hash: String,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    /// Entries checked.
    pub entries: u64,
    /// `None` when the whole chain verifies; otherwise the first bad entry and why.
    pub first_bad: Option<BadEntry>,
}

/// Where and how the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadEntry {
    /// The sequence number where the chain first fails.
    pub seq: u64,
    /// What is wrong there (altered, removed, reordered, truncated).
    pub reason: String,
}

/// The key the chain's hashes are made with.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// Wraps 32 key bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn entry_hash(key: &AuditKey, seq: u64, record: &AuditRecord, prev: &str) -> String {
    // Length-prefixed fields, so no two different entries hash the same bytes.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes any key length");
    mac.update(&seq.to_be_bytes());
    for field in [
        record.actor.as_bytes(),
        record.action.as_bytes(),
        record.target.as_bytes(),
        record.at.to_rfc3339().as_bytes(),
        prev.as_bytes(),
    ] {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field);
    }
    // Only a bulk entry hashes its further targets (count, then each length-prefixed): the
    // input of every other entry is exactly what it was, and no two entries share an input.
    if !record.more_targets.is_empty() {
        mac.update(&(record.more_targets.len() as u64).to_be_bytes());
        for t in &record.more_targets {
            mac.update(&(t.len() as u64).to_be_bytes());
            mac.update(t.as_bytes());
        }
    }
    hex::encode(mac.finalize().into_bytes())
}

fn read_head(backend: &dyn Backend) -> Result<(Head, Expect)> {
    match backend.get(HEAD_COLLECTION, HEAD_KEY)? {
        None => Ok((
            Head {
                seq: 0,
                hash: GENESIS.to_owned(),
            },
            Expect::Absent,
        )),
        Some(v) => {
            let head: Head = serde_json::from_slice(&v.value)
                .map_err(|e| unchain_store::StoreError::Corrupt(format!("audit head: {e}")))?;
            Ok((head, Expect::Version(v.version)))
        }
    }
}

/// Adds the entries for `records` to `batch`, chained after the current head, with a
/// compare-and-swap on the head: if another writer commits first, the commit fails with a
/// conflict on `meta/audit_head` and the caller rebuilds its batch (see [`is_head_conflict`]).
pub fn stage(
    backend: &dyn Backend,
    key: &AuditKey,
    batch: &mut Batch,
    records: &[AuditRecord],
) -> Result<()> {
    let (mut head, expect) = read_head(backend)?;
    for record in records {
        let seq = head.seq + 1;
        let hash = entry_hash(key, seq, record, &head.hash);
        let entry = AuditEntry {
            seq,
            record: record.clone(),
            prev: head.hash.clone(),
            hash: hash.clone(),
        };
        batch.append(STREAM, to_json(&entry)?);
        head = Head { seq, hash };
    }
    batch.put(HEAD_COLLECTION, HEAD_KEY.to_vec(), to_json(&head)?, expect);
    Ok(())
}

/// Whether a store error is a lost race on the chain's head (retry the whole operation).
pub fn is_head_conflict(err: &CoreError) -> bool {
    matches!(err, CoreError::Store(unchain_store::StoreError::Conflict { collection, .. }) if collection == HEAD_COLLECTION)
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value)
        .map_err(|e| CoreError::Store(unchain_store::StoreError::Backend(e.to_string())))
}

/// Reads entries from `from` (inclusive), at most `limit`.
pub fn read(backend: &dyn Backend, from: u64, limit: usize) -> Result<Vec<AuditEntry>> {
    backend
        .read_stream(STREAM, from.max(1), limit)?
        .into_iter()
        .map(|(seq, bytes)| {
            serde_json::from_slice(&bytes).map_err(|e| {
                CoreError::Store(unchain_store::StoreError::Corrupt(format!(
                    "audit entry {seq}: {e}"
                )))
            })
        })
        .collect()
}

/// Walks the whole chain and names the first entry that was altered, removed or reordered, or a
/// truncated tail (the head records more entries than the stream holds).
pub fn verify(backend: &dyn Backend, key: &AuditKey) -> Result<Verification> {
    let (head, _) = read_head(backend)?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1u64;
    let mut from = 1u64;
    // Pages of entries, not bytes: a bulk entry (an import batch) names a thousand records
    // (~60 KB), so a page of 4,096 such entries held 250 MB; 256 keeps it near 15 MB.
    const PAGE: usize = 256;
    loop {
        let page = backend.read_stream(STREAM, from, PAGE)?;
        let n = page.len();
        for (stream_seq, bytes) in page {
            from = stream_seq + 1;
            let bad = |reason: String| Verification {
                entries: expected_seq - 1,
                first_bad: Some(BadEntry {
                    seq: expected_seq,
                    reason,
                }),
            };
            let Ok(entry) = serde_json::from_slice::<AuditEntry>(&bytes) else {
                return Ok(bad("entry is not readable (altered)".into()));
            };
            if stream_seq != expected_seq || entry.seq != expected_seq {
                return Ok(bad(format!(
                    "expected entry {expected_seq}, found entry {} at position {stream_seq} (removed or reordered)",
                    entry.seq
                )));
            }
            if entry.prev != prev {
                return Ok(bad(
                    "does not follow the previous entry (removed or reordered)".into(),
                ));
            }
            if entry_hash(key, entry.seq, &entry.record, &entry.prev) != entry.hash {
                return Ok(bad("content does not match its hash (altered)".into()));
            }
            prev = entry.hash;
            expected_seq += 1;
        }
        if n < PAGE {
            break;
        }
    }
    let entries = expected_seq - 1;
    if head.seq != entries || (entries > 0 && head.hash != prev) {
        return Ok(Verification {
            entries,
            first_bad: Some(BadEntry {
                seq: entries + 1,
                reason: format!(
                    "the chain's head records {} entries but {entries} are present (truncated)",
                    head.seq
                ),
            }),
        });
    }
    Ok(Verification {
        entries,
        first_bad: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;
    use unchain_store::{MemoryBackend, Receipt, Scan, Versioned};

    use crate::testing;

    /// A backend whose audit stream reads back tampered: an entry altered, removed or two swapped.
    struct Tampered {
        inner: Arc<MemoryBackend>,
        how: Tamper,
    }

    #[derive(Clone, Copy, Debug)]
    enum Tamper {
        Alter(u64),
        Remove(u64),
        Swap(u64),
        Truncate,
    }

    impl Backend for Tampered {
        fn get(&self, c: &str, k: &[u8]) -> unchain_store::Result<Option<Versioned>> {
            self.inner.get(c, k)
        }
        fn scan(&self, c: &str, s: &Scan) -> unchain_store::Result<Vec<unchain_store::Entry>> {
            self.inner.scan(c, s)
        }
        fn commit(&self, b: &Batch) -> unchain_store::Result<Receipt> {
            self.inner.commit(b)
        }
        fn read_stream(
            &self,
            stream: &str,
            from: u64,
            limit: usize,
        ) -> unchain_store::Result<Vec<(u64, Vec<u8>)>> {
            let mut all = self.inner.read_stream(stream, 1, usize::MAX)?;
            let n = all.len() as u64;
            match self.how {
                Tamper::Alter(i) => {
                    let i = (i % n) as usize;
                    let mut e: AuditEntry = serde_json::from_slice(&all[i].1).expect("entry");
                    match e.record.more_targets.last_mut() {
                        // A bulk entry: drop or change one of its further records.
                        Some(t) if i % 2 == 0 => t.push('x'),
                        Some(_) => {
                            e.record.more_targets.pop();
                        }
                        None => e.record.target.push('x'),
                    }
                    all[i].1 = serde_json::to_vec(&e).expect("json");
                }
                Tamper::Remove(i) => {
                    let i = (i % n) as usize;
                    all.remove(i);
                    for (j, item) in all.iter_mut().enumerate().skip(i) {
                        item.0 = j as u64 + 1;
                    }
                }
                Tamper::Swap(i) => {
                    let i = (i % (n - 1)) as usize;
                    let (a, b) = (all[i].1.clone(), all[i + 1].1.clone());
                    all[i].1 = b;
                    all[i + 1].1 = a;
                }
                Tamper::Truncate => {
                    all.pop();
                }
            }
            Ok(all
                .into_iter()
                .filter(|(s, _)| *s >= from)
                .take(limit)
                .collect())
        }
        fn stream_head(&self, s: &str) -> unchain_store::Result<u64> {
            self.inner.stream_head(s)
        }
        fn generate_id(&self) -> unchain_store::Result<u64> {
            self.inner.generate_id()
        }
        fn collections(&self) -> unchain_store::Result<Vec<String>> {
            self.inner.collections()
        }
        fn flush(&self) -> unchain_store::Result<()> {
            self.inner.flush()
        }
    }

    fn chain(len: usize) -> (Arc<MemoryBackend>, AuditKey) {
        let backend = Arc::new(MemoryBackend::new());
        let key = AuditKey::new([3; 32]);
        for i in 0..len {
            let mut batch = Batch::new();
            let record = AuditRecord {
                actor: "admin".into(),
                action: "case.read".into(),
                target: format!("case:{i}"),
                more_targets: if i % 3 == 2 {
                    vec![format!("case:{i}b"), format!("case:{i}c")]
                } else {
                    Vec::new()
                },
                at: testing::now(),
            };
            stage(backend.as_ref(), &key, &mut batch, &[record]).expect("staged");
            backend.commit(&batch).expect("committed");
        }
        (backend, key)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (backend, key) = chain(10);
        let v = verify(backend.as_ref(), &key).expect("verify runs");
        assert_eq!(
            v,
            Verification {
                entries: 10,
                first_bad: None
            }
        );
        // Another key cannot vouch for it.
        let other = verify(backend.as_ref(), &AuditKey::new([4; 32])).expect("verify runs");
        assert_eq!(other.first_bad.map(|b| b.seq), Some(1));
    }

    #[test]
    fn an_entry_without_further_targets_hashes_as_before_them() {
        // The hash input of an ordinary entry is the one entries had before bulk entries
        // existed (recomputed here by hand), so chains written then still verify.
        let key = AuditKey::new([7; 32]);
        let record = AuditRecord {
            actor: "admin".into(),
            action: "intel.create".into(),
            target: "intel:1".into(),
            more_targets: Vec::new(),
            at: testing::now(),
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("key");
        mac.update(&5u64.to_be_bytes());
        for field in [
            "admin".as_bytes(),
            b"intel.create",
            b"intel:1",
            record.at.to_rfc3339().as_bytes(),
            GENESIS.as_bytes(),
        ] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field);
        }
        let before = hex::encode(mac.finalize().into_bytes());
        assert_eq!(entry_hash(&key, 5, &record, GENESIS), before);
        let json = serde_json::to_string(&record).expect("json");
        assert!(!json.contains("more_targets"), "{json}");
        // A bulk entry hashes (and so protects) every further target.
        let bulk = AuditRecord {
            more_targets: vec!["intel:2".into()],
            ..record.clone()
        };
        assert_ne!(entry_hash(&key, 5, &bulk, GENESIS), before);
        assert_eq!(bulk.targets().collect::<Vec<_>>(), ["intel:1", "intel:2"]);
    }

    #[test]
    fn racing_writers_conflict_on_the_head() {
        let (backend, key) = chain(1);
        let record = AuditRecord {
            actor: "a".into(),
            action: "x".into(),
            target: "t".into(),
            more_targets: Vec::new(),
            at: testing::now(),
        };
        let (mut a, mut b) = (Batch::new(), Batch::new());
        stage(
            backend.as_ref(),
            &key,
            &mut a,
            std::slice::from_ref(&record),
        )
        .expect("staged");
        stage(backend.as_ref(), &key, &mut b, &[record]).expect("staged");
        backend.commit(&a).expect("first wins");
        let err = CoreError::from(backend.commit(&b).expect_err("second loses"));
        assert!(is_head_conflict(&err));
        assert!(
            verify(backend.as_ref(), &key)
                .expect("runs")
                .first_bad
                .is_none()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        // Any single alteration, removal, swap or truncation is detected, and named at or before
        // the position it happened.
        #[test]
        fn tampering_is_always_detected(len in 2usize..30, kind in 0u8..4, at in 0u64..1000) {
            let (inner, key) = chain(len);
            let how = match kind {
                0 => Tamper::Alter(at),
                1 => Tamper::Remove(at),
                2 => Tamper::Swap(at),
                _ => Tamper::Truncate,
            };
            let tampered = Tampered { inner, how };
            let v = verify(&tampered, &key).expect("verify runs");
            let bad = v.first_bad.expect("tampering must be detected");
            let n = len as u64;
            let expected_seq = match how {
                Tamper::Alter(i) | Tamper::Remove(i) => i % n + 1,
                Tamper::Swap(i) => i % (n - 1) + 1,
                Tamper::Truncate => n,
            };
            prop_assert_eq!(bad.seq, expected_seq, "{:?}: {}", how, bad.reason);
        }
    }
}
