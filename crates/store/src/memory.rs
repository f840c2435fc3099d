//! The in-memory backend: ordered maps behind one lock. It keeps the sled backend's semantics
//! (versions, preconditions, atomic batches, streams, ids) so tests and embedders can use it in
//! its place; "durable" here means "visible to every later call of this process".

use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::backend::{
    Backend, Batch, Entry, Op, Receipt, Scan, Versioned, check_expect, range_is_empty,
    validate_batch, validate_name,
};
use crate::error::{Result, StoreError};

#[derive(Clone, Default)]
struct Inner {
    collections: BTreeMap<String, BTreeMap<Vec<u8>, Versioned>>,
    streams: BTreeMap<String, Vec<Vec<u8>>>,
    /// The last id handed out (0 before the first).
    last_id: u64,
}

/// A store held entirely in memory; dropped with the process.
#[derive(Default)]
pub struct MemoryBackend {
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for MemoryBackend {
    // Values may be personal data: show only the shape.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.read();
        f.debug_struct("MemoryBackend")
            .field("collections", &inner.collections.len())
            .field("streams", &inner.streams.len())
            .finish()
    }
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // A poisoned lock only means another thread panicked while holding it; every mutation below
    // is staged first and applied without a fallible step, so the maps are never half-written
    // and it is safe to go on.
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A key's pending state inside a batch: `None` means deleted.
type Staged = HashMap<(String, Vec<u8>), Option<Versioned>>;

impl Backend for MemoryBackend {
    fn get(&self, collection: &str, key: &[u8]) -> Result<Option<Versioned>> {
        validate_name("collection", collection)?;
        Ok(self
            .read()
            .collections
            .get(collection)
            .and_then(|c| c.get(key))
            .cloned())
    }

    fn scan(&self, collection: &str, scan: &Scan) -> Result<Vec<Entry>> {
        validate_name("collection", collection)?;
        if range_is_empty(&scan.start, &scan.end) {
            return Ok(Vec::new());
        }
        let inner = self.read();
        let Some(map) = inner.collections.get(collection) else {
            return Ok(Vec::new());
        };
        let range = map.range::<Vec<u8>, _>((scan.start.clone(), scan.end.clone()));
        let limit = if scan.limit == 0 {
            usize::MAX
        } else {
            scan.limit
        };
        let out = if scan.reverse {
            range
                .rev()
                .take(limit)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        } else {
            range
                .take(limit)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        Ok(out)
    }

    fn commit(&self, batch: &Batch) -> Result<Receipt> {
        validate_batch(batch)?;
        let mut inner = self.write();
        // Stage every effect first, checking preconditions against the store as changed by the
        // batch's earlier operations; apply only when all of them hold.
        let mut staged: Staged = HashMap::new();
        let mut appended: HashMap<&str, Vec<&[u8]>> = HashMap::new();
        let mut receipt = Receipt::default();
        for op in &batch.ops {
            match op {
                Op::Put {
                    collection,
                    key,
                    value,
                    expect,
                } => {
                    let current = current_version(&inner, &staged, collection, key);
                    check_expect(collection, key, *expect, current)?;
                    let version = next_version(current)?;
                    staged.insert(
                        (collection.clone(), key.clone()),
                        Some(Versioned {
                            version,
                            value: value.clone(),
                        }),
                    );
                    receipt.versions.push(version);
                }
                Op::Delete {
                    collection,
                    key,
                    expect,
                } => {
                    let current = current_version(&inner, &staged, collection, key);
                    check_expect(collection, key, *expect, current)?;
                    staged.insert((collection.clone(), key.clone()), None);
                }
                Op::Check {
                    collection,
                    key,
                    expect,
                } => {
                    let current = current_version(&inner, &staged, collection, key);
                    check_expect(collection, key, *expect, current)?;
                }
                Op::Append { stream, value } => {
                    let pending = appended.entry(stream.as_str()).or_default();
                    let existing = inner.streams.get(stream.as_str()).map_or(0, Vec::len);
                    pending.push(value);
                    receipt.sequences.push((existing + pending.len()) as u64);
                }
            }
        }
        for ((collection, key), value) in staged {
            match value {
                Some(v) => {
                    inner
                        .collections
                        .entry(collection)
                        .or_default()
                        .insert(key, v);
                }
                None => {
                    if let Some(map) = inner.collections.get_mut(&collection) {
                        map.remove(&key);
                        // Only collections holding data are listed, as on disk.
                        if map.is_empty() {
                            inner.collections.remove(&collection);
                        }
                    }
                }
            }
        }
        for (stream, values) in appended {
            let entries = inner.streams.entry(stream.to_owned()).or_default();
            entries.extend(values.into_iter().map(<[u8]>::to_vec));
        }
        Ok(receipt)
    }

    fn read_stream(&self, stream: &str, from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        validate_name("stream", stream)?;
        let inner = self.read();
        let Some(entries) = inner.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let limit = if limit == 0 { usize::MAX } else { limit };
        // Sequence numbers start at 1; entry n lives at index n - 1.
        let skip = usize::try_from(from.saturating_sub(1)).unwrap_or(usize::MAX);
        Ok(entries
            .iter()
            .enumerate()
            .skip(skip)
            .take(limit)
            .map(|(i, v)| (i as u64 + 1, v.clone()))
            .collect())
    }

    fn stream_head(&self, stream: &str) -> Result<u64> {
        validate_name("stream", stream)?;
        Ok(self
            .read()
            .streams
            .get(stream)
            .map_or(0, |s| s.len() as u64))
    }

    fn generate_id(&self) -> Result<u64> {
        let mut inner = self.write();
        inner.last_id = inner
            .last_id
            .checked_add(1)
            .ok_or_else(|| StoreError::Backend("id space exhausted".into()))?;
        Ok(inner.last_id)
    }

    fn collections(&self) -> Result<Vec<String>> {
        Ok(self.read().collections.keys().cloned().collect())
    }

    fn streams(&self) -> Result<Vec<String>> {
        Ok(self
            .read()
            .streams
            .iter()
            .filter(|(_, e)| !e.is_empty())
            .map(|(n, _)| n.clone())
            .collect())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn advance_ids(&self, past: u64) -> Result<()> {
        let mut inner = self.write();
        inner.last_id = inner.last_id.max(past);
        Ok(())
    }

    fn import(&self, collection: &str, entries: &[Entry]) -> Result<()> {
        validate_name("collection", collection)?;
        if let Some((_, v)) = entries.iter().find(|(_, v)| v.version == 0) {
            return Err(StoreError::Invalid {
                field: "version",
                reason: format!("versions start at 1, got {}", v.version),
            });
        }
        if entries.is_empty() {
            return Ok(());
        }
        let mut inner = self.write();
        let map = inner.collections.entry(collection.to_owned()).or_default();
        for (k, v) in entries {
            map.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    fn consistent_view(&self, f: &mut dyn FnMut(&dyn Backend) -> Result<()>) -> Result<()> {
        // A copy taken under the lock is one point in time; commits go on against the original.
        let snapshot = MemoryBackend {
            inner: RwLock::new(self.read().clone()),
        };
        f(&snapshot)
    }
}

fn current_version(inner: &Inner, staged: &Staged, collection: &str, key: &[u8]) -> Option<u64> {
    if let Some(pending) = staged.get(&(collection.to_owned(), key.to_vec())) {
        return pending.as_ref().map(|v| v.version);
    }
    inner
        .collections
        .get(collection)
        .and_then(|c| c.get(key))
        .map(|v| v.version)
}

/// The version a put gives a key whose current version is `current`.
pub(crate) fn next_version(current: Option<u64>) -> Result<u64> {
    current
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| StoreError::Backend("version counter exhausted".into()))
}
