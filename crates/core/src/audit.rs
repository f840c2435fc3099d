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
pub struct AuditRecord {
    /// The acting user (name, never a token).
    pub actor: String,
    /// The operation (`case.read`, `intel.create`, …) or a system action (`store.init`).
    pub action: String,
    /// The record it touched, as `kind:id` (ids are not personal data).
    pub target: String,
    /// When (the core's clock).
    pub at: DateTime<Utc>,
}

/// An entry of the chain as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct Verification {
    /// Entries checked.
    pub entries: u64,
    /// `None` when the whole chain verifies; otherwise the first bad entry and why.
    pub first_bad: Option<BadEntry>,
}

/// Where and how the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    const PAGE: usize = 4096;
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
