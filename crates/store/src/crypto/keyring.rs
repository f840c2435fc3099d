//! The keyring: master key check, per-subject data keys (created on first use, cached, destroyed
//! on request) and master-key rotation while readers keep working.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use chacha20poly1305::XChaCha20Poly1305;
use zeroize::Zeroizing;

use super::KEYS_COLLECTION;
use super::envelope::{Envelope, seal_with};
use super::master::{MasterKey, MasterKeyId};
use super::records::{
    CHECK_KEY, CheckEntry, CheckRecord, DATA_KEY_PREFIX, DataKeyRecord, data_cipher, data_key_key,
    new_data_key, subject_of_key, unwrap_data_key, wrap_data_key,
};
use super::subject::SubjectId;
use crate::backend::{Backend, Batch, Expect, Scan, Versioned, prefix_successor};
use crate::error::{Result, StoreError};

/// How often an operation re-reads and retries after losing a compare-and-swap race before it
/// gives up. Races here are rare (two first seals of one subject, a forget during a rotation), so
/// hitting this bound means something else keeps rewriting the keys collection.
const MAX_ATTEMPTS: usize = 64;

/// The generation of a newly created data key.
const FIRST_GENERATION: u32 = 1;

/// Tuning for a [`Keyring`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyringConfig {
    /// At most this many unwrapped data keys are kept in memory (0 disables the cache). Each
    /// costs about 100 bytes; a miss costs one backend read and one unwrap.
    pub cache_capacity: usize,
    /// How many data keys a rotation re-wraps per committed batch.
    pub rotation_batch: usize,
}

impl Default for KeyringConfig {
    fn default() -> Self {
        Self {
            cache_capacity: 65_536,
            rotation_batch: 256,
        }
    }
}

/// What the keyring holds for one subject, as reported by [`Keyring::subject_state`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectKeyState {
    /// No data key yet: nothing has been sealed for this subject.
    None,
    /// A data key exists.
    Live {
        /// The data key's generation.
        generation: u32,
    },
    /// The data key was destroyed by [`Keyring::forget_subject`].
    Forgotten,
}

/// The outcome of a master-key rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotationReport {
    /// The master key the data keys were wrapped under.
    pub from: MasterKeyId,
    /// The master key they are wrapped under now.
    pub to: MasterKeyId,
    /// How many data keys this call re-wrapped (keys re-wrapped before an interruption, and
    /// keys created during the rotation, are not counted).
    pub rewrapped: u64,
}

/// The master keys the keyring holds: one normally, two while a rotation is under way.
struct Masters {
    /// New data keys are wrapped under this key.
    current: Arc<MasterKey>,
    /// During a rotation: the key being retired, still needed to read keys not yet re-wrapped.
    previous: Option<Arc<MasterKey>>,
}

impl Masters {
    fn find(&self, id: MasterKeyId) -> Option<&MasterKey> {
        if self.current.id() == id {
            return Some(&self.current);
        }
        self.previous.as_deref().filter(|p| p.id() == id)
    }

    fn describe(&self) -> String {
        match &self.previous {
            Some(previous) => format!("{} and {}", self.current.id(), previous.id()),
            None => self.current.id().to_string(),
        }
    }
}

/// An unwrapped data key, ready to seal and open. Cloning shares the cipher; its key bytes are
/// zeroized when the last clone is dropped.
#[derive(Clone)]
struct CachedKey {
    generation: u32,
    cipher: Arc<XChaCha20Poly1305>,
}

impl CachedKey {
    fn new(generation: u32, key: &[u8; 32]) -> Self {
        Self {
            generation,
            cipher: Arc::new(data_cipher(key)),
        }
    }
}

/// A bounded cache of unwrapped data keys.
///
/// Two generations approximate LRU in O(1): entries are added to `hot`; when `hot` is full it
/// becomes `cold` and the old `cold` is dropped (zeroizing its keys); a hit in `cold` moves the
/// entry back to `hot`. At most `2 × half` keys are held.
struct KeyCache {
    hot: HashMap<SubjectId, CachedKey>,
    cold: HashMap<SubjectId, CachedKey>,
    half: usize,
    /// Bumped on every forget. A loader remembers it before reading a key and caches the key only
    /// if it is unchanged, so a key destroyed meanwhile is never put back into the cache.
    epoch: u64,
}

impl KeyCache {
    fn new(capacity: usize) -> Self {
        Self {
            hot: HashMap::new(),
            cold: HashMap::new(),
            half: capacity / 2,
            epoch: 0,
        }
    }

    fn get(&mut self, subject: &SubjectId) -> Option<CachedKey> {
        if let Some(key) = self.hot.get(subject) {
            return Some(key.clone());
        }
        let key = self.cold.remove(subject)?;
        self.insert(*subject, key.clone());
        Some(key)
    }

    fn insert(&mut self, subject: SubjectId, key: CachedKey) {
        if self.half == 0 {
            return;
        }
        if self.hot.len() >= self.half {
            self.cold = std::mem::take(&mut self.hot);
        }
        self.hot.insert(subject, key);
    }

    fn remove(&mut self, subject: &SubjectId) {
        self.hot.remove(subject);
        self.cold.remove(subject);
        self.epoch += 1;
    }

    fn contains(&self, subject: &SubjectId) -> bool {
        self.hot.contains_key(subject) || self.cold.contains_key(subject)
    }

    fn len(&self) -> usize {
        self.hot.len() + self.cold.len()
    }
}

/// Seals and opens personal values with per-subject data keys wrapped under a master key.
///
/// One keyring per store: it is `Send + Sync`, meant to be shared behind an `Arc`, and it keeps
/// the only cache of unwrapped keys (a second keyring on the same store would not see the first
/// one's rotation until it is reopened).
///
/// ```no_run
/// # use std::sync::Arc;
/// # use unchain_store::{Backend, crypto::{Keyring, MasterKey, SubjectId, context}};
/// # fn demo(backend: Arc<dyn Backend>) -> unchain_store::Result<()> {
/// let keyring = Keyring::open(backend, MasterKey::from_env()?.expect("key"))?;
/// let person = SubjectId::random();
/// let ctx = context(&[b"persons", person.as_bytes(), b"name"]);
/// let sealed = keyring.seal(&person, &ctx, b"Jane Doe")?;
/// assert_eq!(&keyring.unseal(&ctx, &sealed)?[..], b"Jane Doe");
/// keyring.forget_subject(&person)?; // erasure: `sealed` can never be opened again
/// # Ok(()) }
/// ```
pub struct Keyring {
    backend: Arc<dyn Backend>,
    masters: RwLock<Masters>,
    cache: Mutex<KeyCache>,
    /// Serialises rotations (a second one waits for the first).
    rotation: Mutex<()>,
    config: KeyringConfig,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masters = self.masters();
        f.debug_struct("Keyring")
            .field("master", &masters.current.id())
            .field("retiring", &masters.previous.as_ref().map(|p| p.id()))
            .field("cached_keys", &self.cache().len())
            .finish()
    }
}

impl Keyring {
    /// Opens the keyring of `backend` with its master key, with the default [`KeyringConfig`].
    ///
    /// On a store without keys this records `master`'s check value, binding the store to it.
    /// Otherwise the check value must match: a different key fails with [`StoreError::Key`]
    /// naming both key ids, and a store whose rotation was interrupted asks for
    /// [`resume_rotation`](Self::resume_rotation).
    pub fn open(backend: Arc<dyn Backend>, master: MasterKey) -> Result<Self> {
        Self::open_with_config(backend, master, KeyringConfig::default())
    }

    /// [`open`](Self::open) with explicit tuning.
    pub fn open_with_config(
        backend: Arc<dyn Backend>,
        master: MasterKey,
        config: KeyringConfig,
    ) -> Result<Self> {
        for _ in 0..MAX_ATTEMPTS {
            match read_check(&*backend)? {
                Some((_, check)) => {
                    verify_stable(&check, &master)?;
                    return Ok(Self::assemble(backend, master, None, config));
                }
                None => {
                    // A store that already holds data keys but no check record has lost it; a
                    // new check value would bind the store to whatever key was passed, and the
                    // existing keys would then fail one by one instead of at open.
                    let scan = Scan::prefix(DATA_KEY_PREFIX).limit(1);
                    if !backend.scan(KEYS_COLLECTION, &scan)?.is_empty() {
                        return Err(StoreError::Corrupt(
                            "the key check record is missing but data keys exist; restore the \
                             keys collection from a backup"
                                .into(),
                        ));
                    }
                    let check = CheckRecord {
                        entries: vec![CheckEntry::new(&master)?],
                    };
                    let mut batch = Batch::new();
                    batch.put(KEYS_COLLECTION, CHECK_KEY, check.encode(), Expect::Absent);
                    match backend.commit(&batch) {
                        Ok(_) => return Ok(Self::assemble(backend, master, None, config)),
                        // Another opener initialised the store first: verify against theirs.
                        Err(StoreError::Conflict { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Err(contention("the key check record"))
    }

    /// Opens a store whose master-key rotation from `old` to `new` was interrupted (a crash, a
    /// failed write) and finishes it; the returned keyring uses `new`.
    ///
    /// Also accepts a store that is entirely under `old` (the rotation is then done in full) or
    /// already entirely under `new` (nothing to do), so an operator can simply run it again.
    pub fn resume_rotation(
        backend: Arc<dyn Backend>,
        old: MasterKey,
        new: MasterKey,
    ) -> Result<Self> {
        Self::resume_rotation_with_config(backend, old, new, KeyringConfig::default())
    }

    /// [`resume_rotation`](Self::resume_rotation) with explicit tuning.
    pub fn resume_rotation_with_config(
        backend: Arc<dyn Backend>,
        old: MasterKey,
        new: MasterKey,
        config: KeyringConfig,
    ) -> Result<Self> {
        let Some((_, check)) = read_check(&*backend)? else {
            return Err(StoreError::Key(
                "the store has no key check record, so there is no rotation to resume; open it \
                 with Keyring::open"
                    .into(),
            ));
        };
        match check.entries.as_slice() {
            [only] if only.verifies(&new) => Ok(Self::assemble(backend, new, None, config)),
            [only] if only.verifies(&old) => {
                let keyring = Self::assemble(backend, old, None, config);
                keyring.rotate_master(new)?;
                Ok(keyring)
            }
            [from, to] if from.verifies(&old) && to.verifies(&new) => {
                let (old, new) = (Arc::new(old), Arc::new(new));
                let keyring = Self {
                    backend,
                    masters: RwLock::new(Masters {
                        current: Arc::clone(&new),
                        previous: Some(Arc::clone(&old)),
                    }),
                    cache: Mutex::new(KeyCache::new(config.cache_capacity)),
                    rotation: Mutex::new(()),
                    config,
                };
                keyring.complete_rotation(&old, &new)?;
                Ok(keyring)
            }
            entries => Err(StoreError::Key(format!(
                "the keys given ({} → {}) do not match the store (it expects {})",
                old.id(),
                new.id(),
                describe_entries(entries)
            ))),
        }
    }

    fn assemble(
        backend: Arc<dyn Backend>,
        master: MasterKey,
        previous: Option<MasterKey>,
        config: KeyringConfig,
    ) -> Self {
        Self {
            backend,
            masters: RwLock::new(Masters {
                current: Arc::new(master),
                previous: previous.map(Arc::new),
            }),
            cache: Mutex::new(KeyCache::new(config.cache_capacity)),
            rotation: Mutex::new(()),
            config,
        }
    }

    /// The id of the master key new data keys are wrapped under.
    pub fn master_id(&self) -> MasterKeyId {
        self.masters().current.id()
    }

    /// Seals `plaintext` for `subject`, bound to `context` (see [`context`](super::context)).
    ///
    /// Creates the subject's data key on first use and commits it (with `Expect::Absent`, so two
    /// first seals racing agree on one key) before returning, so the key is durable before any
    /// value sealed under it can be. To create many keys in one commit (a bulk import), call
    /// [`ensure_subjects`](Self::ensure_subjects) first.
    ///
    /// Fails with [`StoreError::Forgotten`] if the subject was forgotten: its key is never
    /// recreated.
    pub fn seal(&self, subject: &SubjectId, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let key = self.data_key(subject, true)?;
        seal_with(&key.cipher, subject, key.generation, context, plaintext)
    }

    /// Opens a value sealed by [`seal`](Self::seal), given the same `context`.
    ///
    /// Errors: [`StoreError::Crypto`] for a malformed, truncated, tampered or misplaced value
    /// (wrong context), or one of an unknown envelope version; [`StoreError::Forgotten`] when
    /// the subject was forgotten; [`StoreError::Key`] when the subject's key is missing or
    /// wrapped under a master key this keyring does not hold. Never garbage.
    pub fn unseal(&self, context: &[u8], envelope: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let envelope = Envelope::parse(envelope)?;
        let subject = envelope.subject();
        let key = self.data_key(&subject, false)?;
        if key.generation != envelope.generation() {
            return Err(StoreError::Key(format!(
                "the value was sealed with generation {} of subject {subject}'s data key, but \
                 the store holds generation {}",
                envelope.generation(),
                key.generation
            )));
        }
        envelope.open_with(&key.cipher, context)
    }

    /// Makes sure every subject in `subjects` has a data key, creating the missing ones in a
    /// single commit, and warms the cache with them.
    ///
    /// This is the fast path for bulk imports: sealing a batch of new subjects one by one would
    /// cost one durable commit per subject. Fails with [`StoreError::Forgotten`] if any of the
    /// subjects was forgotten (nothing is created then).
    pub fn ensure_subjects(&self, subjects: &[SubjectId]) -> Result<()> {
        let (epoch, wanted) = {
            let cache = self.cache();
            let mut seen = HashSet::with_capacity(subjects.len());
            let wanted: Vec<SubjectId> = subjects
                .iter()
                .filter(|s| !cache.contains(s) && seen.insert(**s))
                .copied()
                .collect();
            (cache.epoch, wanted)
        };
        if wanted.is_empty() {
            return Ok(());
        }
        let mut ready = Vec::with_capacity(wanted.len());
        let committed = {
            // Held across the commit so that a rotation cannot switch master keys between the
            // wrapping and the commit (see `rotate_master`).
            let masters = self.masters();
            let mut batch = Batch::new();
            for subject in &wanted {
                let key = data_key_key(subject);
                match self.backend.get(KEYS_COLLECTION, &key)? {
                    Some(record) => {
                        ready.push((*subject, unwrap_record(&masters, subject, &record)?))
                    }
                    None => {
                        let raw = new_data_key()?;
                        let record =
                            wrap_data_key(&masters.current, subject, FIRST_GENERATION, &raw)?;
                        batch.put(KEYS_COLLECTION, key, record, Expect::Absent);
                        ready.push((*subject, CachedKey::new(FIRST_GENERATION, &raw)));
                    }
                }
            }
            match self.backend.commit(&batch) {
                Ok(_) => true,
                Err(StoreError::Conflict { .. }) => false,
                Err(e) => return Err(e),
            }
        };
        if !committed {
            // Someone created (or forgot) one of these keys meanwhile; take the slow, per-subject
            // path, which re-reads and agrees with whatever was committed.
            for subject in &wanted {
                self.data_key(subject, true)?;
            }
            return Ok(());
        }
        let mut cache = self.cache();
        if cache.epoch == epoch {
            for (subject, key) in ready {
                cache.insert(subject, key);
            }
        }
        Ok(())
    }

    /// Makes data keys for subjects that are new — nothing sealed for them yet, nothing stored —
    /// without touching the store. Seal with them at once ([`FreshKeys::seal`]); they reach the
    /// store only through [`store_fresh`](Self::store_fresh), in the same atomic commit as the
    /// values sealed under them, so no value is ever durable without its key.
    ///
    /// This is the bulk-import path: [`ensure_subjects`](Self::ensure_subjects) costs a read per
    /// subject and a durable commit of its own, which for new records buys nothing.
    pub fn fresh_keys(&self, subjects: &[SubjectId]) -> Result<FreshKeys> {
        let mut keys = HashMap::with_capacity(subjects.len());
        for subject in subjects {
            let raw = new_data_key()?;
            let cached = CachedKey::new(FIRST_GENERATION, &raw);
            if keys.insert(*subject, (raw, cached)).is_some() {
                return Err(StoreError::Invalid {
                    field: "subjects",
                    reason: format!("subject {subject} is named twice"),
                });
            }
        }
        Ok(FreshKeys { keys })
    }

    /// Commits `keys` together with the values sealed under them: `commit` gets a
    /// [`FreshKeyPuts`] to stage into its batch (each key put with [`Expect::Absent`], so a
    /// subject that already has a key, or was forgotten, fails the whole commit and nothing is
    /// written) and commits that batch; it may build and commit several times (a retry) but
    /// must stage the puts into each attempt. On success the keys are cached.
    ///
    /// The keys are wrapped under the current master key here, and the master key is held until
    /// `commit` returns, so a rotation cannot retire it in between (as for every key creation).
    /// `commit` must not call back into this keyring.
    pub fn store_fresh<R, E: From<StoreError>>(
        &self,
        keys: FreshKeys,
        commit: impl FnOnce(&FreshKeyPuts) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E> {
        let epoch = self.cache().epoch;
        let result = {
            let masters = self.masters();
            let mut puts = Vec::with_capacity(keys.keys.len());
            for (subject, (raw, _)) in &keys.keys {
                let record = wrap_data_key(&masters.current, subject, FIRST_GENERATION, raw)?;
                puts.push((data_key_key(subject), record));
            }
            commit(&FreshKeyPuts { puts })?
        };
        let mut cache = self.cache();
        if cache.epoch == epoch {
            for (subject, (_, key)) in keys.keys {
                cache.insert(subject, key);
            }
        }
        Ok(result)
    }

    /// Destroys `subject`'s data key (crypto-shredding): every value ever sealed for the subject
    /// becomes unrecoverable, and later opens fail with [`StoreError::Forgotten`]. Other
    /// subjects are unaffected.
    ///
    /// A tombstone replaces the key so it is never silently recreated; sealing for the subject
    /// fails from now on. Forgetting a subject that has no key yet records the tombstone anyway,
    /// and forgetting twice is harmless. See `docs/encryption.md` for what this cannot reach
    /// (backups, and old copies the storage engine has not yet overwritten).
    pub fn forget_subject(&self, subject: &SubjectId) -> Result<()> {
        let key = data_key_key(subject);
        let mut done = false;
        for _ in 0..MAX_ATTEMPTS {
            let (expect, generation) = match self.backend.get(KEYS_COLLECTION, &key)? {
                None => (Expect::Absent, 0),
                Some(record) => match DataKeyRecord::parse(subject, &record.value) {
                    Ok(DataKeyRecord::Forgotten) => {
                        done = true;
                        break;
                    }
                    Ok(DataKeyRecord::Live { generation, .. }) => {
                        (Expect::Version(record.version), generation)
                    }
                    // An unreadable record is destroyed all the same: erasure must not be
                    // blocked by damage.
                    Err(_) => (Expect::Version(record.version), 0),
                },
            };
            let mut batch = Batch::new();
            batch.put(
                KEYS_COLLECTION,
                key.clone(),
                DataKeyRecord::tombstone(generation),
                expect,
            );
            match self.backend.commit(&batch) {
                Ok(_) => {
                    done = true;
                    break;
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        // Evict after the tombstone is durable; the epoch bump stops loaders that read the live
        // key before the tombstone from caching it afterwards.
        self.cache().remove(subject);
        if done {
            Ok(())
        } else {
            Err(contention("a data key"))
        }
    }

    /// Whether `subject` has a data key, had one destroyed, or has none yet (read from the store,
    /// not the cache).
    pub fn subject_state(&self, subject: &SubjectId) -> Result<SubjectKeyState> {
        match self.backend.get(KEYS_COLLECTION, &data_key_key(subject))? {
            None => Ok(SubjectKeyState::None),
            Some(record) => match DataKeyRecord::parse(subject, &record.value)? {
                DataKeyRecord::Live { generation, .. } => Ok(SubjectKeyState::Live { generation }),
                DataKeyRecord::Forgotten => Ok(SubjectKeyState::Forgotten),
            },
        }
    }

    /// Every subject whose data key was destroyed, in id order.
    ///
    /// After restoring a backup taken before some erasures, the restored store holds those
    /// subjects' keys again; replaying this list (kept from the live store, or from an erasure
    /// log) through [`forget_subject`](Self::forget_subject) destroys them once more. Subject ids
    /// are not personal data, so the list may be kept and shipped with the backups.
    pub fn forgotten_subjects(&self) -> Result<Vec<SubjectId>> {
        let end = prefix_successor(DATA_KEY_PREFIX).map_or(Bound::Unbounded, Bound::Excluded);
        let page_size = self.config.rotation_batch.max(1);
        let mut forgotten = Vec::new();
        let mut start = Bound::Included(DATA_KEY_PREFIX.to_vec());
        loop {
            let scan = Scan {
                start,
                end: end.clone(),
                limit: page_size,
                reverse: false,
            };
            let page = self.backend.scan(KEYS_COLLECTION, &scan)?;
            for (key, record) in &page {
                let subject = subject_of_key(key).ok_or_else(|| stray_key(key))?;
                if matches!(
                    DataKeyRecord::parse(&subject, &record.value)?,
                    DataKeyRecord::Forgotten
                ) {
                    forgotten.push(subject);
                }
            }
            match page.last() {
                Some((last, _)) if page.len() == page_size => start = Bound::Excluded(last.clone()),
                _ => return Ok(forgotten),
            }
        }
    }

    /// Re-wraps every data key under `new` and makes it the store's master key, while seals and
    /// opens go on.
    ///
    /// The steps, each one safe to interrupt: (1) the check record is rewritten to list both
    /// keys, so a crash leaves a store that names them (reopen it with
    /// [`resume_rotation`](Self::resume_rotation)); (2) the keyring holds both keys and wraps new
    /// data keys under `new`; (3) existing data keys are re-wrapped in batches, each with
    /// compare-and-swap on its version, so a concurrent forget is never undone; (4) the check
    /// record lists `new` only, and the old key is dropped (zeroized).
    ///
    /// Data keys do not change, so sealed values are not touched and cached keys stay valid. If
    /// this returns an error midway, calling it again with the same `new` key finishes the job.
    pub fn rotate_master(&self, new: MasterKey) -> Result<RotationReport> {
        let _one_at_a_time = self.rotation.lock().unwrap_or_else(PoisonError::into_inner);
        let (current, previous) = {
            let masters = self.masters();
            (Arc::clone(&masters.current), masters.previous.clone())
        };
        if let Some(previous) = previous {
            if new.id() != current.id() {
                return Err(StoreError::Key(format!(
                    "an earlier rotation to master key {} did not finish; call rotate_master \
                     with that key again to finish it before rotating to {}",
                    current.id(),
                    new.id()
                )));
            }
            return self.complete_rotation(&previous, &current);
        }
        if new.id() == current.id() {
            return Ok(RotationReport {
                from: current.id(),
                to: current.id(),
                rewrapped: 0,
            });
        }
        let new = Arc::new(new);

        // (1) Name both keys in the store before any key is wrapped under the new one.
        let (version, check) = read_check(&*self.backend)?.ok_or_else(|| {
            StoreError::Corrupt("the key check record disappeared from the store".into())
        })?;
        verify_stable(&check, &current)?;
        let rotating = CheckRecord {
            entries: vec![CheckEntry::new(&current)?, CheckEntry::new(&new)?],
        };
        let mut batch = Batch::new();
        batch.put(
            KEYS_COLLECTION,
            CHECK_KEY,
            rotating.encode(),
            Expect::Version(version),
        );
        self.backend.commit(&batch)?;

        // (2) Switch. Taking the write lock waits for key creations in flight, which hold the
        // read lock from wrapping to commit: after this, nothing new is wrapped under the old
        // key, so one pass over the stored keys in (3) catches them all.
        {
            let mut masters = self.masters.write().unwrap_or_else(PoisonError::into_inner);
            masters.current = Arc::clone(&new);
            masters.previous = Some(Arc::clone(&current));
        }
        self.complete_rotation(&current, &new)
    }

    /// Steps (3) and (4) of [`rotate_master`](Self::rotate_master).
    fn complete_rotation(&self, old: &MasterKey, new: &MasterKey) -> Result<RotationReport> {
        let prefix_end =
            prefix_successor(DATA_KEY_PREFIX).map_or(Bound::Unbounded, Bound::Excluded);
        let page_size = self.config.rotation_batch.max(1);
        let mut rewrapped = 0u64;
        let mut after: Option<Vec<u8>> = None;
        let mut conflicts = 0;
        loop {
            let scan = Scan {
                start: after.clone().map_or_else(
                    || Bound::Included(DATA_KEY_PREFIX.to_vec()),
                    Bound::Excluded,
                ),
                end: prefix_end.clone(),
                limit: page_size,
                reverse: false,
            };
            let page = self.backend.scan(KEYS_COLLECTION, &scan)?;
            let mut batch = Batch::new();
            for (key, record) in &page {
                if let Some(value) = rewrap(old, new, key, record)? {
                    batch.put(
                        KEYS_COLLECTION,
                        key.clone(),
                        value,
                        Expect::Version(record.version),
                    );
                }
            }
            if !batch.is_empty() {
                match self.backend.commit(&batch) {
                    Ok(_) => rewrapped += batch.ops.len() as u64,
                    // A forget (or a re-wrap by another keyring) changed a key of this page:
                    // read the page again.
                    Err(StoreError::Conflict { .. }) if conflicts < MAX_ATTEMPTS => {
                        conflicts += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            conflicts = 0;
            match page.last() {
                Some((last, _)) if page.len() == page_size => after = Some(last.clone()),
                _ => break,
            }
        }

        // (4) The store is entirely under the new key: say so, then let the old key go.
        let mut switched = false;
        for _ in 0..MAX_ATTEMPTS {
            let version = read_check(&*self.backend)?.map(|(version, _)| version);
            let stable = CheckRecord {
                entries: vec![CheckEntry::new(new)?],
            };
            let mut batch = Batch::new();
            batch.put(
                KEYS_COLLECTION,
                CHECK_KEY,
                stable.encode(),
                version.map_or(Expect::Absent, Expect::Version),
            );
            match self.backend.commit(&batch) {
                Ok(_) => {
                    switched = true;
                    break;
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        if !switched {
            return Err(contention("the key check record"));
        }
        // Readers hold the read lock from reading a wrapped key to unwrapping it, so none is
        // left holding a key wrapped under the old master once this lock is taken.
        self.masters
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .previous = None;
        Ok(RotationReport {
            from: old.id(),
            to: new.id(),
            rewrapped,
        })
    }

    /// The subject's data key: from the cache, else unwrapped from the store, else (when
    /// `create`) newly made and committed.
    fn data_key(&self, subject: &SubjectId, create: bool) -> Result<CachedKey> {
        for _ in 0..MAX_ATTEMPTS {
            let epoch = {
                let mut cache = self.cache();
                if let Some(key) = cache.get(subject) {
                    return Ok(key);
                }
                cache.epoch
            };
            let loaded = {
                // Held from reading the wrapped key to unwrapping it (or from wrapping a new key
                // to committing it), so a rotation never retires a master key in between.
                let masters = self.masters();
                match self.backend.get(KEYS_COLLECTION, &data_key_key(subject))? {
                    Some(record) => Some(unwrap_record(&masters, subject, &record)?),
                    None if !create => {
                        return Err(StoreError::Key(format!(
                            "subject {subject} has no data key in this store (the value was \
                             sealed elsewhere, or the keys collection was lost)"
                        )));
                    }
                    None => self.create_data_key(&masters, subject)?,
                }
            };
            let Some(key) = loaded else {
                // Lost the race to create the key: read the winner's.
                continue;
            };
            let mut cache = self.cache();
            if cache.epoch == epoch {
                cache.insert(*subject, key.clone());
                return Ok(key);
            }
            // A subject was forgotten while this key was loading — perhaps this one. Load again:
            // the store now answers with the tombstone if it was.
        }
        Err(contention("a data key"))
    }

    /// Creates and commits a data key; `None` when another thread committed one first.
    fn create_data_key(&self, masters: &Masters, subject: &SubjectId) -> Result<Option<CachedKey>> {
        let raw = new_data_key()?;
        let record = wrap_data_key(&masters.current, subject, FIRST_GENERATION, &raw)?;
        let mut batch = Batch::new();
        batch.put(
            KEYS_COLLECTION,
            data_key_key(subject),
            record,
            Expect::Absent,
        );
        match self.backend.commit(&batch) {
            Ok(_) => Ok(Some(CachedKey::new(FIRST_GENERATION, &raw))),
            Err(StoreError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn masters(&self) -> RwLockReadGuard<'_, Masters> {
        // A panic elsewhere while holding the lock leaves `Masters` intact (it is replaced
        // field by field), so a poisoned lock is still safe to use.
        self.masters.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn cache(&self) -> MutexGuard<'_, KeyCache> {
        // The cache is only ever a copy of the store: a poisoned one is still safe to read.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Data keys for new subjects, not yet stored (see [`Keyring::fresh_keys`]). `Debug` shows only
/// how many; the keys are zeroized when dropped.
pub struct FreshKeys {
    keys: HashMap<SubjectId, (Zeroizing<[u8; 32]>, CachedKey)>,
}

impl FreshKeys {
    /// Seals `plaintext` for `subject`, bound to `context`, as [`Keyring::seal`] would once the
    /// key is stored. Fails with [`StoreError::Key`] for a subject these keys were not made for.
    pub fn seal(&self, subject: &SubjectId, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let Some((_, key)) = self.keys.get(subject) else {
            return Err(StoreError::Key(format!(
                "no fresh data key was made for subject {subject}"
            )));
        };
        seal_with(&key.cipher, subject, key.generation, context, plaintext)
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl fmt::Debug for FreshKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FreshKeys({} keys)", self.keys.len())
    }
}

/// The wrapped fresh keys, ready to be staged into a commit (see [`Keyring::store_fresh`]).
pub struct FreshKeyPuts {
    puts: Vec<(Vec<u8>, Vec<u8>)>,
}

impl FreshKeyPuts {
    /// Stages every key into `batch`, each expected absent.
    pub fn stage(&self, batch: &mut Batch) {
        for (key, record) in &self.puts {
            batch.put(KEYS_COLLECTION, key.clone(), record.clone(), Expect::Absent);
        }
    }
}

impl fmt::Debug for FreshKeyPuts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FreshKeyPuts({} keys)", self.puts.len())
    }
}

/// Unwraps a stored data-key record with whichever held master key wrapped it.
fn unwrap_record(masters: &Masters, subject: &SubjectId, record: &Versioned) -> Result<CachedKey> {
    match DataKeyRecord::parse(subject, &record.value)? {
        DataKeyRecord::Forgotten => Err(StoreError::Forgotten(subject.to_string())),
        DataKeyRecord::Live {
            generation,
            master,
            nonce,
            wrapped,
        } => {
            let Some(key) = masters.find(master) else {
                return Err(StoreError::Key(format!(
                    "the data key of subject {subject} is wrapped under master key {master}, \
                     which this keyring does not hold (it holds {})",
                    masters.describe()
                )));
            };
            let raw = unwrap_data_key(key, subject, generation, &nonce, &wrapped)?;
            Ok(CachedKey::new(generation, &raw))
        }
    }
}

/// The record re-wrapped under `new`, or `None` when it needs nothing (a tombstone, a key
/// already under `new`).
fn rewrap(
    old: &MasterKey,
    new: &MasterKey,
    key: &[u8],
    record: &Versioned,
) -> Result<Option<Vec<u8>>> {
    let subject = subject_of_key(key).ok_or_else(|| stray_key(key))?;
    match DataKeyRecord::parse(&subject, &record.value)? {
        DataKeyRecord::Forgotten => Ok(None),
        DataKeyRecord::Live { master, .. } if master == new.id() => Ok(None),
        DataKeyRecord::Live {
            generation,
            master,
            nonce,
            wrapped,
        } => {
            if master != old.id() {
                return Err(StoreError::Key(format!(
                    "the data key of subject {subject} is wrapped under master key {master}, \
                     neither the old ({}) nor the new ({}) one",
                    old.id(),
                    new.id()
                )));
            }
            let raw = unwrap_data_key(old, &subject, generation, &nonce, &wrapped)?;
            wrap_data_key(new, &subject, generation, &raw).map(Some)
        }
    }
}

fn read_check(backend: &dyn Backend) -> Result<Option<(u64, CheckRecord)>> {
    match backend.get(KEYS_COLLECTION, CHECK_KEY)? {
        None => Ok(None),
        Some(record) => Ok(Some((record.version, CheckRecord::parse(&record.value)?))),
    }
}

/// Accepts a check record that names `master` alone and verifies with it.
fn verify_stable(check: &CheckRecord, master: &MasterKey) -> Result<()> {
    match check.entries.as_slice() {
        [only] if only.master == master.id() => {
            if only.verifies(master) {
                Ok(())
            } else {
                Err(StoreError::Corrupt(
                    "the key check value does not verify although the master key id matches: \
                     the check record was damaged"
                        .into(),
                ))
            }
        }
        [only] => Err(StoreError::Key(format!(
            "wrong master key: this store's data keys are wrapped under master key {}, and the \
             key given is {}",
            only.master,
            master.id()
        ))),
        entries => Err(StoreError::Key(format!(
            "a master-key rotation ({}) was interrupted; open the store with \
             Keyring::resume_rotation and both keys to finish it (the key given is {})",
            describe_entries(entries),
            master.id()
        ))),
    }
}

fn describe_entries(entries: &[CheckEntry]) -> String {
    match entries {
        [only] => only.master.to_string(),
        [from, to] => format!("{} → {}", from.master, to.master),
        _ => "an unreadable key set".into(),
    }
}

/// A key under the data-key prefix that is not a data key: something else wrote the reserved
/// collection.
fn stray_key(key: &[u8]) -> StoreError {
    StoreError::Corrupt(format!(
        "unexpected key {} among the data keys",
        hex::encode(key)
    ))
}

fn contention(what: &str) -> StoreError {
    StoreError::Backend(format!(
        "{what} kept changing under concurrent writers; try again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_backend::TestBackend;

    fn keyring(backend: &Arc<TestBackend>, byte: u8) -> Result<Keyring> {
        Keyring::open(backend.clone(), MasterKey::from_bytes([byte; 32]))
    }

    #[test]
    fn seal_open_forget_and_reopen() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let (a, b) = (SubjectId::random(), SubjectId::random());
        let sa = ring.seal(&a, b"ctx-a", b"Alice").unwrap();
        let sb = ring.seal(&b, b"ctx-b", b"Bob").unwrap();
        assert_eq!(&ring.unseal(b"ctx-a", &sa).unwrap()[..], b"Alice");
        assert_eq!(
            ring.subject_state(&a).unwrap(),
            SubjectKeyState::Live { generation: 1 }
        );
        ring.forget_subject(&a).unwrap();
        ring.forget_subject(&a).unwrap();
        assert!(matches!(
            ring.unseal(b"ctx-a", &sa),
            Err(StoreError::Forgotten(_))
        ));
        assert!(matches!(
            ring.seal(&a, b"ctx-a", b"x"),
            Err(StoreError::Forgotten(_))
        ));
        assert_eq!(ring.subject_state(&a).unwrap(), SubjectKeyState::Forgotten);
        drop(ring);

        let ring = keyring(&backend, 1).unwrap();
        assert_eq!(&ring.unseal(b"ctx-b", &sb).unwrap()[..], b"Bob");
        assert!(matches!(
            ring.unseal(b"ctx-a", &sa),
            Err(StoreError::Forgotten(_))
        ));
        assert!(
            matches!(keyring(&backend, 2), Err(StoreError::Key(m)) if m.contains("wrong master key"))
        );
    }

    #[test]
    fn forgotten_subjects_are_listed_across_pages() {
        let backend = Arc::new(TestBackend::default());
        let config = KeyringConfig {
            cache_capacity: 4,
            rotation_batch: 2,
        };
        let ring =
            Keyring::open_with_config(backend, MasterKey::from_bytes([1; 32]), config).unwrap();
        let mut subjects: Vec<SubjectId> = (0..9).map(|_| SubjectId::random()).collect();
        ring.ensure_subjects(&subjects).unwrap();
        assert!(ring.forgotten_subjects().unwrap().is_empty());
        subjects.sort();
        let mut gone = vec![subjects[0], subjects[4], subjects[8]];
        gone.iter().for_each(|s| ring.forget_subject(s).unwrap());
        gone.sort();
        assert_eq!(ring.forgotten_subjects().unwrap(), gone);
    }

    /// Commits `values` (already sealed) beside the fresh keys, as an importer does.
    fn commit_with_keys(
        backend: &Arc<TestBackend>,
        ring: &Keyring,
        keys: FreshKeys,
        values: &[(SubjectId, Vec<u8>)],
    ) -> Result<()> {
        ring.store_fresh(keys, |puts| {
            let mut batch = Batch::new();
            puts.stage(&mut batch);
            for (s, v) in values {
                batch.put("records", s.as_bytes().to_vec(), v.clone(), Expect::Absent);
            }
            backend.commit(&batch).map(|_| ())
        })
    }

    #[test]
    fn fresh_keys_reach_the_store_only_with_their_values() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let subjects: Vec<SubjectId> = (0..5).map(|_| SubjectId::random()).collect();
        let keys = ring.fresh_keys(&subjects).unwrap();
        assert_eq!(format!("{keys:?}"), "FreshKeys(5 keys)");
        let values: Vec<(SubjectId, Vec<u8>)> = subjects
            .iter()
            .map(|s| (*s, keys.seal(s, b"c", s.as_bytes()).unwrap()))
            .collect();
        // Nothing is stored before the commit.
        for s in &subjects {
            assert_eq!(ring.subject_state(s).unwrap(), SubjectKeyState::None);
        }
        // A commit that fails stores neither the keys nor the values.
        let failed: Result<()> = ring.store_fresh(ring.fresh_keys(&subjects).unwrap(), |_| {
            Err(StoreError::Backend("disk full".into()))
        });
        assert!(failed.is_err());
        assert_eq!(
            ring.subject_state(&subjects[0]).unwrap(),
            SubjectKeyState::None
        );

        commit_with_keys(&backend, &ring, keys, &values).unwrap();
        for (s, v) in &values {
            assert_eq!(
                ring.subject_state(s).unwrap(),
                SubjectKeyState::Live { generation: 1 }
            );
            assert_eq!(&ring.unseal(b"c", v).unwrap()[..], s.as_bytes());
        }
        // A new keyring reads them from the store, and a rotation re-wraps them.
        let report = ring.rotate_master(MasterKey::from_bytes([2; 32])).unwrap();
        assert_eq!(report.rewrapped, 5);
        drop(ring);
        let reopened = keyring(&backend, 2).unwrap();
        for (s, v) in &values {
            assert_eq!(&reopened.unseal(b"c", v).unwrap()[..], s.as_bytes());
        }
        // Forgetting one shreds it alone.
        reopened.forget_subject(&subjects[0]).unwrap();
        assert!(matches!(
            reopened.unseal(b"c", &values[0].1),
            Err(StoreError::Forgotten(_))
        ));
        assert!(reopened.unseal(b"c", &values[1].1).is_ok());
    }

    #[test]
    fn fresh_keys_never_replace_a_key_or_a_tombstone() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let (live, gone, new) = (
            SubjectId::random(),
            SubjectId::random(),
            SubjectId::random(),
        );
        let sealed = ring.seal(&live, b"c", b"kept").unwrap();
        ring.forget_subject(&gone).unwrap();
        for taken in [live, gone] {
            let keys = ring.fresh_keys(&[new, taken]).unwrap();
            let values = vec![(new, keys.seal(&new, b"c", b"x").unwrap())];
            assert!(matches!(
                commit_with_keys(&backend, &ring, keys, &values),
                Err(StoreError::Conflict { .. })
            ));
            // All or nothing: the new subject got no key either.
            assert_eq!(ring.subject_state(&new).unwrap(), SubjectKeyState::None);
        }
        assert_eq!(&ring.unseal(b"c", &sealed).unwrap()[..], b"kept");
        assert_eq!(
            ring.subject_state(&gone).unwrap(),
            SubjectKeyState::Forgotten
        );
    }

    #[test]
    fn fresh_keys_refuse_strangers_and_twins() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let s = SubjectId::random();
        let keys = ring.fresh_keys(&[s]).unwrap();
        assert!(matches!(
            keys.seal(&SubjectId::random(), b"c", b"x"),
            Err(StoreError::Key(_))
        ));
        assert!(matches!(
            ring.fresh_keys(&[s, s]),
            Err(StoreError::Invalid {
                field: "subjects",
                ..
            })
        ));
    }

    #[test]
    fn forgetting_an_unknown_subject_blocks_its_key() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let s = SubjectId::random();
        assert_eq!(ring.subject_state(&s).unwrap(), SubjectKeyState::None);
        ring.forget_subject(&s).unwrap();
        assert!(matches!(
            ring.seal(&s, b"", b"x"),
            Err(StoreError::Forgotten(_))
        ));
        assert!(matches!(
            ring.ensure_subjects(&[s]),
            Err(StoreError::Forgotten(_))
        ));
    }

    #[test]
    fn cache_stays_bounded_and_keys_stay_usable() {
        let backend = Arc::new(TestBackend::default());
        let config = KeyringConfig {
            cache_capacity: 8,
            rotation_batch: 3,
        };
        let ring =
            Keyring::open_with_config(backend.clone(), MasterKey::from_bytes([1; 32]), config)
                .unwrap();
        let subjects: Vec<SubjectId> = (0..50).map(|_| SubjectId::random()).collect();
        ring.ensure_subjects(&subjects).unwrap();
        let sealed: Vec<Vec<u8>> = subjects
            .iter()
            .map(|s| ring.seal(s, b"c", s.as_bytes()).unwrap())
            .collect();
        assert!(ring.cache().len() <= 8);
        for (s, v) in subjects.iter().zip(&sealed) {
            assert_eq!(&ring.unseal(b"c", v).unwrap()[..], s.as_bytes());
        }
        let report = ring.rotate_master(MasterKey::from_bytes([2; 32])).unwrap();
        assert_eq!(report.rewrapped, 50);
        let uncached = Keyring::open_with_config(
            backend.clone(),
            MasterKey::from_bytes([2; 32]),
            KeyringConfig {
                cache_capacity: 0,
                rotation_batch: 1,
            },
        )
        .unwrap();
        for (s, v) in subjects.iter().zip(&sealed) {
            assert_eq!(&uncached.unseal(b"c", v).unwrap()[..], s.as_bytes());
        }
        assert_eq!(uncached.cache().len(), 0);
    }

    #[test]
    fn interrupted_rotation_is_refused_then_resumed() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let s = SubjectId::random();
        let sealed = ring.seal(&s, b"", b"v").unwrap();
        // Simulate a crash right after step (1): the check record names both keys.
        let rotating = CheckRecord {
            entries: vec![
                CheckEntry::new(&MasterKey::from_bytes([1; 32])).unwrap(),
                CheckEntry::new(&MasterKey::from_bytes([2; 32])).unwrap(),
            ],
        };
        let mut batch = Batch::new();
        batch.put(KEYS_COLLECTION, CHECK_KEY, rotating.encode(), Expect::Any);
        backend.commit(&batch).unwrap();
        drop(ring);
        for byte in [1, 2] {
            let err = keyring(&backend, byte).unwrap_err().to_string();
            assert!(err.contains("resume_rotation"), "{err}");
        }
        let wrong = Keyring::resume_rotation(
            backend.clone(),
            MasterKey::from_bytes([2; 32]),
            MasterKey::from_bytes([1; 32]),
        );
        assert!(matches!(wrong, Err(StoreError::Key(_))));
        let ring = Keyring::resume_rotation(
            backend.clone(),
            MasterKey::from_bytes([1; 32]),
            MasterKey::from_bytes([2; 32]),
        )
        .unwrap();
        assert_eq!(ring.master_id(), MasterKey::from_bytes([2; 32]).id());
        assert_eq!(&ring.unseal(b"", &sealed).unwrap()[..], b"v");
        drop(ring);
        let ring = keyring(&backend, 2).unwrap();
        assert_eq!(&ring.unseal(b"", &sealed).unwrap()[..], b"v");
        assert!(keyring(&backend, 1).is_err());
    }

    #[test]
    fn missing_check_record_with_keys_is_refused() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        ring.seal(&SubjectId::random(), b"", b"v").unwrap();
        let mut batch = Batch::new();
        batch.delete(KEYS_COLLECTION, CHECK_KEY, Expect::Any);
        backend.commit(&batch).unwrap();
        assert!(matches!(keyring(&backend, 1), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn debug_shows_ids_only() {
        let backend = Arc::new(TestBackend::default());
        let ring = keyring(&backend, 1).unwrap();
        let debug = format!("{ring:?}");
        assert!(debug.contains(&MasterKey::from_bytes([1; 32]).id().to_string()));
        assert!(!debug.contains("[1, 1"));
    }
}
