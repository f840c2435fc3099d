//! The on-disk backend, on sled 0.34.7. No sled type leaves this module.
//!
//! Layout (one sled database per store):
//! - collection `name` → tree `c/name`; each value is an 8-byte big-endian version, then the bytes;
//! - stream `name` → tree `s/name`, keyed by the big-endian sequence number (so trees iterate in
//!   sequence order), and its head (last sequence number) in tree `i/heads` under the stream's
//!   name — a point read, because sled transactions cannot scan to find the last key;
//! - the id counter's persisted ceiling in tree `i/ids`.
//!
//! Durability: sled only writes to disk on `flush` (or every `flush_every_ms`), so a commit first
//! applies its batch in one sled transaction across the trees it touches, then waits for a flush
//! that started after the transaction finished. Concurrent committers share flushes (group
//! commit): one of them — the leader — flushes for everybody who queued before it started.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, RwLock};

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use crate::backend::{
    Backend, Batch, Entry, Op, Receipt, Scan, Versioned, check_expect, range_is_empty,
    validate_batch, validate_name,
};
use crate::config::SledConfig;
use crate::error::{Result, StoreError};

const COLLECTION_PREFIX: &str = "c/";
const STREAM_PREFIX: &str = "s/";
const HEADS_TREE: &str = "i/heads";
const IDS_TREE: &str = "i/ids";
const ID_CEILING_KEY: &[u8] = b"ceiling";
/// Ids are reserved on disk this many at a time, so generating one rarely costs a flush.
const ID_BLOCK: u64 = 1024;

/// A store on disk, owned by this process alone.
pub struct SledBackend {
    db: sled::Db,
    path: PathBuf,
    /// Open tree handles by tree name (opening a tree is not free).
    trees: RwLock<HashMap<String, sled::Tree>>,
    heads: sled::Tree,
    id_tree: sled::Tree,
    ids: Mutex<IdState>,
    /// Commits hold it shared while their transaction runs; [`Backend::consistent_view`] holds it
    /// exclusively, pausing new commits so that a backup reads one point in time.
    gate: RwLock<()>,
    group: GroupCommit,
}

struct IdState {
    next: u64,
    /// Ids below this are reserved on disk: after a crash, counting resumes here.
    ceiling: u64,
}

impl std::fmt::Debug for SledBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SledBackend {
    /// Opens (or creates) the store in `config.path`.
    ///
    /// Fails with [`StoreError::InUse`] when another process — or another handle in this
    /// process — holds it.
    pub fn open(config: &SledConfig) -> Result<Self> {
        std::fs::create_dir_all(&config.path)?;
        // sled's background flusher holds the lock file for a moment after the last handle is
        // dropped, so a reopen right after a close (a restart, a test) can find it still held.
        // Retry briefly before reporting the store as in use by someone else.
        let mut attempts = 0;
        let db = loop {
            let opened = sled::Config::new()
                .path(&config.path)
                .cache_capacity(config.cache_bytes)
                .flush_every_ms(config.flush_every_ms)
                .open()
                .map_err(|e| map_open_error(e, &config.path));
            match opened {
                Err(StoreError::InUse { .. }) if attempts < LOCK_RETRIES => {
                    attempts += 1;
                    std::thread::sleep(LOCK_RETRY_PAUSE);
                }
                other => break other?,
            }
        };
        let heads = db.open_tree(HEADS_TREE).map_err(map_sled)?;
        let id_tree = db.open_tree(IDS_TREE).map_err(map_sled)?;
        let ceiling = match id_tree.get(ID_CEILING_KEY).map_err(map_sled)? {
            Some(raw) => decode_u64(&raw, "id ceiling")?,
            None => 1,
        };
        Ok(Self {
            db,
            path: config.path.clone(),
            trees: RwLock::new(HashMap::new()),
            heads,
            id_tree,
            // Start at the persisted ceiling: every id handed out before a crash lies below it.
            ids: Mutex::new(IdState {
                next: ceiling,
                ceiling,
            }),
            gate: RwLock::new(()),
            group: GroupCommit::default(),
        })
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many times this handle has flushed sled to disk for commits and [`Backend::flush`]
    /// (group commit makes this far smaller than the number of commits under concurrency).
    pub fn durable_flushes(&self) -> u64 {
        self.group.flushes.load(Ordering::Relaxed)
    }

    /// Bytes sled reports on disk (for benches and operators watching space amplification).
    pub fn size_on_disk(&self) -> Result<u64> {
        self.db.size_on_disk().map_err(map_sled)
    }

    /// The tree `name`, opened (and so created) if needed.
    fn tree(&self, name: &str) -> Result<sled::Tree> {
        if let Some(t) = read_lock(&self.trees).get(name) {
            return Ok(t.clone());
        }
        let tree = self.db.open_tree(name).map_err(map_sled)?;
        write_lock(&self.trees).insert(name.to_owned(), tree.clone());
        Ok(tree)
    }

    /// The tree `name` if it exists; reads use it so that asking for a missing collection does not
    /// create an empty tree on disk.
    fn existing_tree(&self, name: &str) -> Result<Option<sled::Tree>> {
        if let Some(t) = read_lock(&self.trees).get(name) {
            return Ok(Some(t.clone()));
        }
        if self
            .db
            .tree_names()
            .iter()
            .any(|n| n.as_ref() == name.as_bytes())
        {
            return self.tree(name).map(Some);
        }
        Ok(None)
    }

    /// Names (without prefix) of the non-empty trees whose name starts with `prefix`.
    fn names_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for raw in self.db.tree_names() {
            let Some(name) = raw.strip_prefix(prefix.as_bytes()) else {
                continue;
            };
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            let full = format!("{prefix}{name}");
            if !self.tree(&full)?.is_empty() {
                out.push(name.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    fn durable(&self) -> Result<()> {
        self.group
            .wait_durable(|| self.db.flush().map(|_| ()).map_err(map_sled))
    }

    fn persist_id_ceiling(&self, ceiling: u64) -> Result<()> {
        self.id_tree
            .insert(ID_CEILING_KEY, &ceiling.to_be_bytes())
            .map_err(map_sled)?;
        self.durable()
    }
}

impl Backend for SledBackend {
    fn get(&self, collection: &str, key: &[u8]) -> Result<Option<Versioned>> {
        validate_name("collection", collection)?;
        let Some(tree) = self.existing_tree(&collection_tree(collection))? else {
            return Ok(None);
        };
        match tree.get(key).map_err(map_sled)? {
            Some(raw) => decode_value(&raw).map(Some),
            None => Ok(None),
        }
    }

    fn scan(&self, collection: &str, scan: &Scan) -> Result<Vec<Entry>> {
        validate_name("collection", collection)?;
        if range_is_empty(&scan.start, &scan.end) {
            return Ok(Vec::new());
        }
        let Some(tree) = self.existing_tree(&collection_tree(collection))? else {
            return Ok(Vec::new());
        };
        let range = tree.range::<Vec<u8>, _>((scan.start.clone(), scan.end.clone()));
        let limit = if scan.limit == 0 {
            usize::MAX
        } else {
            scan.limit
        };
        let decode = |item: sled::Result<(sled::IVec, sled::IVec)>| -> Result<Entry> {
            let (k, v) = item.map_err(map_sled)?;
            Ok((k.to_vec(), decode_value(&v)?))
        };
        if scan.reverse {
            range.rev().take(limit).map(decode).collect()
        } else {
            range.take(limit).map(decode).collect()
        }
    }

    fn commit(&self, batch: &Batch) -> Result<Receipt> {
        let receipt = self.commit_deferred(batch)?;
        if !batch.is_empty() {
            self.durable()?;
        }
        Ok(receipt)
    }

    fn commit_deferred(&self, batch: &Batch) -> Result<Receipt> {
        validate_batch(batch)?;
        if batch.is_empty() {
            return Ok(Receipt::default());
        }
        // One handle per distinct tree: a sled transaction over the same tree twice would see
        // two independent overlays.
        let mut names: Vec<String> = Vec::new();
        let mut index = |name: String| -> usize {
            match names.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            }
        };
        let mut slots = Vec::with_capacity(batch.ops.len());
        let mut heads_slot = None;
        for op in &batch.ops {
            match op {
                Op::Put { collection, .. }
                | Op::Delete { collection, .. }
                | Op::Check { collection, .. } => slots.push(index(collection_tree(collection))),
                Op::Append { stream, .. } => {
                    slots.push(index(stream_tree(stream)));
                    heads_slot = Some(index(HEADS_TREE.to_owned()));
                }
            }
        }
        let trees = names
            .iter()
            .map(|n| {
                if n == HEADS_TREE {
                    Ok(self.heads.clone())
                } else {
                    self.tree(n)
                }
            })
            .collect::<Result<Vec<_>>>()?;

        let gate = read_lock(&self.gate);
        // sled re-runs this closure when a concurrent transaction conflicts with it, so it has no
        // side effects: it only reads and writes the transactional views and builds the receipt.
        let outcome = trees
            .as_slice()
            .transaction(|txs: &Vec<TransactionalTree>| {
                let mut receipt = Receipt::default();
                for (op, &slot) in batch.ops.iter().zip(&slots) {
                    let tx = &txs[slot];
                    match op {
                        Op::Put {
                            collection,
                            key,
                            value,
                            expect,
                        } => {
                            let current = tx_version(tx, key)?;
                            check_expect(collection, key, *expect, current).map_err(abort)?;
                            let version = crate::memory::next_version(current).map_err(abort)?;
                            tx.insert(key.as_slice(), encode_value(version, value))?;
                            receipt.versions.push(version);
                        }
                        Op::Delete {
                            collection,
                            key,
                            expect,
                        } => {
                            let current = tx_version(tx, key)?;
                            check_expect(collection, key, *expect, current).map_err(abort)?;
                            if current.is_some() {
                                tx.remove(key.as_slice())?;
                            }
                        }
                        Op::Check {
                            collection,
                            key,
                            expect,
                        } => {
                            let current = tx_version(tx, key)?;
                            check_expect(collection, key, *expect, current).map_err(abort)?;
                        }
                        Op::Append { stream, value } => {
                            let Some(heads_slot) = heads_slot else {
                                return Err(abort(StoreError::Backend(
                                    "stream head tree missing from transaction".into(),
                                )));
                            };
                            let heads = &txs[heads_slot];
                            let head = match heads.get(stream.as_bytes())? {
                                Some(raw) => decode_u64(&raw, "stream head").map_err(abort)?,
                                None => 0,
                            };
                            let seq = head.checked_add(1).ok_or_else(|| {
                                abort(StoreError::Backend("stream sequence exhausted".into()))
                            })?;
                            tx.insert(&seq.to_be_bytes(), value.as_slice())?;
                            heads.insert(stream.as_bytes(), &seq.to_be_bytes())?;
                            receipt.sequences.push(seq);
                        }
                    }
                }
                Ok(receipt)
            });
        drop(gate);
        let receipt = match outcome {
            Ok(receipt) => receipt,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(map_sled(e)),
        };
        Ok(receipt)
    }

    fn read_stream(&self, stream: &str, from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        validate_name("stream", stream)?;
        let Some(tree) = self.existing_tree(&stream_tree(stream))? else {
            return Ok(Vec::new());
        };
        let limit = if limit == 0 { usize::MAX } else { limit };
        tree.range(from.to_be_bytes()..)
            .take(limit)
            .map(|item| {
                let (k, v) = item.map_err(map_sled)?;
                Ok((decode_u64(&k, "stream key")?, v.to_vec()))
            })
            .collect()
    }

    fn stream_head(&self, stream: &str) -> Result<u64> {
        validate_name("stream", stream)?;
        match self.heads.get(stream.as_bytes()).map_err(map_sled)? {
            Some(raw) => decode_u64(&raw, "stream head"),
            None => Ok(0),
        }
    }

    fn generate_id(&self) -> Result<u64> {
        let mut ids = lock(&self.ids);
        if ids.next >= ids.ceiling {
            let ceiling = ids
                .next
                .checked_add(ID_BLOCK)
                .ok_or_else(|| StoreError::Backend("id space exhausted".into()))?;
            // Reserve the block durably before handing out any id from it.
            self.persist_id_ceiling(ceiling)?;
            ids.ceiling = ceiling;
        }
        let id = ids.next;
        ids.next += 1;
        Ok(id)
    }

    fn collections(&self) -> Result<Vec<String>> {
        self.names_with_prefix(COLLECTION_PREFIX)
    }

    fn streams(&self) -> Result<Vec<String>> {
        self.names_with_prefix(STREAM_PREFIX)
    }

    fn flush(&self) -> Result<()> {
        self.durable()
    }

    fn advance_ids(&self, past: u64) -> Result<()> {
        let mut ids = lock(&self.ids);
        if ids.next > past {
            return Ok(());
        }
        let next = past
            .checked_add(1)
            .ok_or_else(|| StoreError::Backend("id space exhausted".into()))?;
        let ceiling = next
            .checked_add(ID_BLOCK)
            .ok_or_else(|| StoreError::Backend("id space exhausted".into()))?;
        self.persist_id_ceiling(ceiling)?;
        ids.next = next;
        ids.ceiling = ceiling;
        Ok(())
    }

    fn import(&self, collection: &str, entries: &[Entry]) -> Result<()> {
        validate_name("collection", collection)?;
        if entries.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for (key, v) in entries {
            if v.version == 0 {
                return Err(StoreError::Invalid {
                    field: "version",
                    reason: "versions start at 1, got 0".into(),
                });
            }
            batch.insert(key.as_slice(), encode_value(v.version, &v.value));
        }
        let tree = self.tree(&collection_tree(collection))?;
        {
            let _gate = read_lock(&self.gate);
            // A sled batch on one tree is atomic.
            tree.apply_batch(batch).map_err(map_sled)?;
        }
        self.durable()
    }

    fn consistent_view(&self, f: &mut dyn FnMut(&dyn Backend) -> Result<()>) -> Result<()> {
        // Commits wait here until `f` returns. `f` must only read (a commit from inside would
        // wait for itself).
        let _paused = write_lock(&self.gate);
        f(self)
    }
}

fn collection_tree(name: &str) -> String {
    format!("{COLLECTION_PREFIX}{name}")
}

fn stream_tree(name: &str) -> String {
    format!("{STREAM_PREFIX}{name}")
}

fn encode_value(version: u64, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + value.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(value);
    out
}

fn decode_value(raw: &[u8]) -> Result<Versioned> {
    let (head, value) = raw
        .split_first_chunk::<8>()
        .ok_or_else(|| StoreError::Corrupt("stored value shorter than its version".into()))?;
    let version = u64::from_be_bytes(*head);
    if version == 0 {
        return Err(StoreError::Corrupt("stored value has version 0".into()));
    }
    Ok(Versioned {
        version,
        value: value.to_vec(),
    })
}

fn decode_u64(raw: &[u8], what: &str) -> Result<u64> {
    let bytes: [u8; 8] = raw
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("{what} is not 8 bytes")))?;
    Ok(u64::from_be_bytes(bytes))
}

fn tx_version(
    tx: &TransactionalTree,
    key: &[u8],
) -> std::result::Result<Option<u64>, ConflictableTransactionError<StoreError>> {
    match tx.get(key)? {
        Some(raw) => Ok(Some(
            raw.get(..8)
                .and_then(|h| <[u8; 8]>::try_from(h).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| {
                    abort(StoreError::Corrupt(
                        "stored value shorter than its version".into(),
                    ))
                })?,
        )),
        None => Ok(None),
    }
}

fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

/// How often, and how long apart, opening retries a lock that may only be lingering (1 s in all).
const LOCK_RETRIES: u32 = 20;
const LOCK_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// Maps a sled error from opening: a held lock becomes [`StoreError::InUse`].
fn map_open_error(e: sled::Error, path: &Path) -> StoreError {
    match e {
        // sled 0.34.7 (config.rs) reports a failed `try_lock_exclusive` on its `db` file as an
        // `ErrorKind::Other` io error whose message starts with this text.
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::Other
                && io.to_string().starts_with("could not acquire lock") =>
        {
            StoreError::InUse {
                path: path.to_path_buf(),
            }
        }
        other => map_sled(other),
    }
}

/// Maps a sled error. sled's messages name files and internal states, never stored values.
fn map_sled(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(io) => StoreError::Io(io),
        sled::Error::Corruption { at, .. } => {
            StoreError::Corrupt(format!("sled detected corruption at {at:?}"))
        }
        sled::Error::CollectionNotFound(_) => {
            StoreError::Backend("sled: tree not found (dropped concurrently)".into())
        }
        sled::Error::Unsupported(msg) => StoreError::Backend(format!("sled: unsupported: {msg}")),
        sled::Error::ReportableBug(msg) => StoreError::Backend(format!("sled bug: {msg}")),
    }
}

// Every lock here guards either nothing (`gate`), plain counters updated in one step, or a cache
// of tree handles; a panic elsewhere cannot leave them half-updated, so poisoning is ignored.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_lock<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write_lock<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// Group commit: committers take a ticket after their transaction; one of them flushes for every
/// ticket issued before its flush began, the others wait for a flush that covers theirs.
#[derive(Default)]
struct GroupCommit {
    state: Mutex<GroupState>,
    flushed: Condvar,
    flushes: AtomicU64,
}

#[derive(Default)]
struct GroupState {
    /// The last ticket issued.
    issued: u64,
    /// Every ticket up to this one is durable.
    durable: u64,
    /// A flush is running.
    leader: bool,
}

impl GroupCommit {
    fn wait_durable(&self, flush: impl Fn() -> Result<()>) -> Result<()> {
        let mut state = lock(&self.state);
        state.issued += 1;
        let ticket = state.issued;
        loop {
            if state.durable >= ticket {
                return Ok(());
            }
            if state.leader {
                state = self.flushed.wait(state).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            // Lead: every ticket issued so far belongs to a transaction that has finished, so
            // one flush starting now makes all of them durable.
            state.leader = true;
            let target = state.issued;
            drop(state);
            let result = flush();
            self.flushes.fetch_add(1, Ordering::Relaxed);
            state = lock(&self.state);
            state.leader = false;
            if result.is_ok() {
                state.durable = state.durable.max(target);
            }
            // On failure the waiters wake, find their ticket not durable and try a flush of
            // their own: nobody is acknowledged by a flush that failed.
            self.flushed.notify_all();
            result?;
        }
    }
}
