//! The storage contract: bytes, keys, named collections, atomic versioned batches and append-only
//! streams. Nothing here knows what a case is, and no backend type (sled's or any other) appears in
//! it, so a PostgreSQL backend can implement the same trait and pass the same conformance suite.

use std::ops::Bound;

use crate::error::Result;

/// A stored value together with its version.
///
/// Versions start at 1 when a key is first written and grow by one on every put, so the core
/// can do optimistic concurrency: read a version, then commit with [`Expect::Version`].
#[derive(Clone, PartialEq, Eq)]
pub struct Versioned {
    /// The version of this value (≥ 1).
    pub version: u64,
    /// The stored bytes (possibly a sealed envelope).
    pub value: Vec<u8>,
}

impl std::fmt::Debug for Versioned {
    // Values may be personal data (or ciphertext of it): never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Versioned")
            .field("version", &self.version)
            .field("value_len", &self.value.len())
            .finish()
    }
}

/// A precondition on one key, checked atomically with the rest of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No precondition.
    Any,
    /// The key must not exist.
    Absent,
    /// The key must exist with exactly this version.
    Version(u64),
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Any => f.write_str("anything"),
            Expect::Absent => f.write_str("absent"),
            Expect::Version(v) => write!(f, "version {v}"),
        }
    }
}

/// One operation of a [`Batch`].
#[derive(Clone, PartialEq, Eq)]
pub enum Op {
    /// Write `value` under `key`; the new version is the old one plus one (1 if absent).
    Put {
        /// Collection name.
        collection: String,
        /// Key bytes.
        key: Vec<u8>,
        /// Value bytes.
        value: Vec<u8>,
        /// Precondition.
        expect: Expect,
    },
    /// Remove `key`.
    Delete {
        /// Collection name.
        collection: String,
        /// Key bytes.
        key: Vec<u8>,
        /// Precondition.
        expect: Expect,
    },
    /// Write nothing, but fail the batch unless the precondition holds (a read-set check).
    Check {
        /// Collection name.
        collection: String,
        /// Key bytes.
        key: Vec<u8>,
        /// Precondition.
        expect: Expect,
    },
    /// Append `value` to the stream; the store assigns the next sequence number (1, 2, 3, …).
    Append {
        /// Stream name.
        stream: String,
        /// Entry bytes.
        value: Vec<u8>,
    },
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Put {
                collection,
                key,
                value,
                expect,
            } => f
                .debug_struct("Put")
                .field("collection", collection)
                .field("key_len", &key.len())
                .field("value_len", &value.len())
                .field("expect", expect)
                .finish(),
            Op::Delete {
                collection,
                key,
                expect,
            } => f
                .debug_struct("Delete")
                .field("collection", collection)
                .field("key_len", &key.len())
                .field("expect", expect)
                .finish(),
            Op::Check {
                collection,
                key,
                expect,
            } => f
                .debug_struct("Check")
                .field("collection", collection)
                .field("key_len", &key.len())
                .field("expect", expect)
                .finish(),
            Op::Append { stream, value } => f
                .debug_struct("Append")
                .field("stream", stream)
                .field("value_len", &value.len())
                .finish(),
        }
    }
}

/// A set of operations committed atomically: all of them or none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// The operations, applied in order.
    pub ops: Vec<Op>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a put.
    pub fn put(
        &mut self,
        collection: &str,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
        expect: Expect,
    ) -> &mut Self {
        self.ops.push(Op::Put {
            collection: collection.to_owned(),
            key: key.into(),
            value: value.into(),
            expect,
        });
        self
    }

    /// Adds a delete.
    pub fn delete(
        &mut self,
        collection: &str,
        key: impl Into<Vec<u8>>,
        expect: Expect,
    ) -> &mut Self {
        self.ops.push(Op::Delete {
            collection: collection.to_owned(),
            key: key.into(),
            expect,
        });
        self
    }

    /// Adds a precondition without a write.
    pub fn check(
        &mut self,
        collection: &str,
        key: impl Into<Vec<u8>>,
        expect: Expect,
    ) -> &mut Self {
        self.ops.push(Op::Check {
            collection: collection.to_owned(),
            key: key.into(),
            expect,
        });
        self
    }

    /// Adds an append to a stream.
    pub fn append(&mut self, stream: &str, value: impl Into<Vec<u8>>) -> &mut Self {
        self.ops.push(Op::Append {
            stream: stream.to_owned(),
            value: value.into(),
        });
        self
    }

    /// True when the batch holds no operation.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// What a successful commit reports back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Receipt {
    /// The new version of every `Put`, in batch order.
    pub versions: Vec<u64>,
    /// The sequence number given to every `Append`, in batch order.
    pub sequences: Vec<u64>,
}

/// An ordered key range to scan, one page at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    /// Lower bound.
    pub start: Bound<Vec<u8>>,
    /// Upper bound.
    pub end: Bound<Vec<u8>>,
    /// At most this many entries (0 means no limit).
    pub limit: usize,
    /// Largest keys first.
    pub reverse: bool,
}

impl Scan {
    /// Every key in the collection, ascending.
    pub fn all() -> Self {
        Self {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
            limit: 0,
            reverse: false,
        }
    }

    /// Every key that starts with `prefix`, ascending.
    pub fn prefix(prefix: &[u8]) -> Self {
        let end = prefix_successor(prefix).map_or(Bound::Unbounded, Bound::Excluded);
        Self {
            start: Bound::Included(prefix.to_vec()),
            end,
            limit: 0,
            reverse: false,
        }
    }

    /// Limits the page size.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Scans largest keys first.
    pub fn reversed(mut self) -> Self {
        self.reverse = true;
        self
    }
}

/// The smallest byte string greater than every string that starts with `prefix`, if any.
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A key with its versioned value, as returned by scans.
pub type Entry = (Vec<u8>, Versioned);

/// The storage contract every backend implements (and the conformance suite checks).
///
/// All methods are synchronous and thread-safe: the store is shared behind an `Arc` and called
/// from many threads (the HTTP server calls it from blocking tasks).
pub trait Backend: Send + Sync {
    /// Reads one key.
    fn get(&self, collection: &str, key: &[u8]) -> Result<Option<Versioned>>;

    /// Reads an ordered range of keys (see [`Scan`]).
    fn scan(&self, collection: &str, scan: &Scan) -> Result<Vec<Entry>>;

    /// Applies the batch atomically and durably: when this returns `Ok`, every operation is
    /// applied and will survive a process crash (and, as far as the OS's `fsync` allows, a power
    /// loss).
    ///
    /// When it returns [`StoreError::Conflict`](crate::StoreError::Conflict) or
    /// [`StoreError::Invalid`](crate::StoreError::Invalid), nothing was applied. An I/O error
    /// raised while making an applied batch durable leaves the outcome unknown (as with any
    /// database whose `fsync` fails): treat the store as failed and restart it.
    ///
    /// A delete followed by a put starts the key's version again at 1.
    fn commit(&self, batch: &Batch) -> Result<Receipt>;

    /// Applies the batch atomically, as [`commit`](Self::commit) does, but returns before it
    /// is durable: it is visible at once and becomes durable with the next
    /// [`flush`](Self::flush) (which covers every batch applied before it). A writer that
    /// serialises its commits (the core's audit chain) applies under its lock and flushes after
    /// releasing it, so concurrent writers share one flush instead of queueing for one each; it
    /// must not acknowledge the write before that flush returns. The default is `commit`.
    fn commit_deferred(&self, batch: &Batch) -> Result<Receipt> {
        self.commit(batch)
    }

    /// Reads up to `limit` entries of a stream from sequence `from` (inclusive), in order.
    fn read_stream(&self, stream: &str, from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>>;

    /// The last sequence number of a stream (0 when empty).
    fn stream_head(&self, stream: &str) -> Result<u64>;

    /// A new unique id, greater than every id this store has generated before (also across restarts).
    fn generate_id(&self) -> Result<u64>;

    /// The names of all collections that hold at least one key, sorted (for backup and tests).
    ///
    /// Collections and streams are separate namespaces: see [`Backend::streams`].
    fn collections(&self) -> Result<Vec<String>>;

    /// The names of all streams that hold at least one entry, sorted.
    fn streams(&self) -> Result<Vec<String>> {
        Err(unsupported("streams"))
    }

    /// Forces everything committed so far to stable storage.
    fn flush(&self) -> Result<()>;

    /// Makes every id generated from now on greater than `past` (restore uses it so that new ids
    /// never collide with restored ones). Never lowers the counter.
    fn advance_ids(&self, past: u64) -> Result<()> {
        let _ = past;
        Err(unsupported("advance_ids"))
    }

    /// Writes `entries` exactly as given — keys, values *and versions* — atomically and durably,
    /// without preconditions, replacing whatever the keys held.
    ///
    /// Only for restoring a backup into an empty store; every other write goes through
    /// [`Backend::commit`].
    fn import(&self, collection: &str, entries: &[Entry]) -> Result<()> {
        let _ = (collection, entries);
        Err(unsupported("import"))
    }

    /// Calls `f` with a view of the store in which no commit lands while `f` runs, so that
    /// everything `f` reads belongs to one point in time (used by backup).
    ///
    /// Backends choose how: the in-memory backend hands `f` a copy; sled pauses commits (they wait
    /// on a lock until `f` returns); a PostgreSQL backend would use a repeatable-read transaction.
    fn consistent_view(&self, f: &mut dyn FnMut(&dyn Backend) -> Result<()>) -> Result<()> {
        let _ = f;
        Err(unsupported("consistent_view"))
    }
}

/// The error a backend (or wrapper) reports for an optional method it does not provide.
fn unsupported(method: &str) -> crate::StoreError {
    crate::StoreError::Backend(format!("this backend does not support `{method}`"))
}

/// The longest collection or stream name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 200;

/// Checks a collection or stream name: 1 to [`MAX_NAME_LEN`] bytes, no control characters.
///
/// Names beginning with `_` are reserved for the store's own collections (schema, keys); the store
/// writes them through the same trait, so the backends accept them.
pub fn validate_name(field: &'static str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(crate::StoreError::Invalid {
            field,
            reason: "empty name".into(),
        });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(crate::StoreError::Invalid {
            field,
            reason: format!("name longer than {MAX_NAME_LEN} bytes"),
        });
    }
    if name.chars().any(char::is_control) {
        return Err(crate::StoreError::Invalid {
            field,
            reason: "name contains a control character".into(),
        });
    }
    Ok(())
}

/// Checks every name in a batch (see [`validate_name`]).
pub fn validate_batch(batch: &Batch) -> Result<()> {
    for op in &batch.ops {
        match op {
            Op::Put { collection, .. }
            | Op::Delete { collection, .. }
            | Op::Check { collection, .. } => {
                validate_name("collection", collection)?;
            }
            Op::Append { stream, .. } => validate_name("stream", stream)?,
        }
    }
    Ok(())
}

/// Checks `expect` against the version a key currently has (`None` when absent).
///
/// Returns the conflict to report when the precondition fails. Keys are hex-encoded in the error
/// (keys never hold personal data; values never appear).
pub fn check_expect(
    collection: &str,
    key: &[u8],
    expect: Expect,
    current: Option<u64>,
) -> Result<()> {
    let ok = match expect {
        Expect::Any => true,
        Expect::Absent => current.is_none(),
        Expect::Version(v) => current == Some(v),
    };
    if ok {
        return Ok(());
    }
    Err(crate::StoreError::Conflict {
        collection: collection.to_owned(),
        key: hex(key),
        expected: expect,
        found: current,
    })
}

/// Lower-case hex of `bytes` (for keys in error messages).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// True when no key can lie between `start` and `end` — including inverted bounds, which the
/// standard library's and sled's range functions would panic on or mishandle.
pub fn range_is_empty(start: &Bound<Vec<u8>>, end: &Bound<Vec<u8>>) -> bool {
    match (start, end) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b))
        | (Bound::Excluded(a), Bound::Excluded(b)) => a >= b,
    }
}
