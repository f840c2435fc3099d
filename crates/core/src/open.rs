//! Opening the core: where the store and the master key live, first-run initialisation, and the
//! audit chain's key (kept sealed in the store, so it rotates with the master key).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use unchain_store::crypto::context;
use unchain_store::{
    Backend, Batch, Expect, Keyring, MasterKey, Store, StoreConfig, StoreError, SubjectId,
};

use crate::audit::AuditKey;
use crate::clock::{Clock, SystemClock};
use crate::error::{CoreError, Result};
use crate::records::Entity;
use crate::unchain::Unchain;
use crate::users::User;

/// The file name of the key file inside the data directory, unless configured elsewhere.
pub const KEY_FILE: &str = "master.key";
/// The store's directory inside the data directory.
pub const STORE_DIR: &str = "store";

/// The audit key's own subject: a fixed id no person can have (uuids we mint are v7).
const AUDIT_SUBJECT: SubjectId = SubjectId::from_bytes(*b"unchain-audit-k1");
const AUDIT_KEY_COLLECTION: &str = "meta";
const AUDIT_KEY_KEY: &[u8] = b"audit_key";

/// Where the master key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// A key file (created by `init` with owner-only permissions).
    File(PathBuf),
    /// The `UNCHAIN_MASTER_KEY` environment variable (hex or base64 of 32 bytes).
    Env,
}

/// How to open unchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The data directory holding the store (and, by default, the key file).
    pub data_dir: PathBuf,
    /// Where the master key comes from; `None` means `UNCHAIN_MASTER_KEY` when set, else the
    /// key file in the data directory.
    pub key: Option<KeySource>,
    /// sled's cache budget in bytes (`None`: the store's default).
    pub cache_bytes: Option<u64>,
}

impl Config {
    /// Defaults for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            key: None,
            cache_bytes: None,
        }
    }

    /// The store's directory.
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join(STORE_DIR)
    }

    fn key_file(&self) -> PathBuf {
        match &self.key {
            Some(KeySource::File(p)) => p.clone(),
            _ => self.data_dir.join(KEY_FILE),
        }
    }

    pub(crate) fn store_config(&self) -> StoreConfig {
        let mut config = StoreConfig::sled(self.store_path());
        if let (Some(bytes), unchain_store::BackendConfig::Sled(sled)) =
            (self.cache_bytes, &mut config.backend)
        {
            sled.cache_bytes = bytes;
        }
        config
    }
}

/// What [`Unchain::init`] created, to tell the operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Initialised {
    /// The store's directory.
    pub store: PathBuf,
    /// The key file, or `None` when the key came from the environment.
    pub key_file: Option<PathBuf>,
    /// The administrator created.
    pub admin: Entity<User>,
}

pub(crate) fn master_key(config: &Config, create: bool) -> Result<(MasterKey, Option<PathBuf>)> {
    let from_env = matches!(config.key, Some(KeySource::Env) | None);
    if from_env {
        if let Some(key) = MasterKey::from_env()? {
            return Ok((key, None));
        }
        if config.key == Some(KeySource::Env) {
            return Err(CoreError::Store(StoreError::Key(
                "UNCHAIN_MASTER_KEY is not set".into(),
            )));
        }
    }
    let path = config.key_file();
    if create && !path.exists() {
        return Ok((MasterKey::create_key_file(&path)?, Some(path)));
    }
    Ok((MasterKey::load_key_file(&path)?, Some(path)))
}

impl Unchain {
    /// Creates a new store in `config.data_dir`, its key file (unless the key comes from the
    /// environment) and the first administrator. Fails if the store already has users.
    pub fn init(config: &Config, admin: &str) -> Result<(Unchain, Initialised)> {
        std::fs::create_dir_all(&config.data_dir).map_err(StoreError::Io)?;
        let (master, key_file) = master_key(config, true)?;
        let store = Store::open(&config.store_config())?;
        let core = Self::over(store, Arc::new(SystemClock), master)?;
        let admin = core.bootstrap_admin(admin)?;
        core.backend.flush()?;
        Ok((
            core,
            Initialised {
                store: config.store_path(),
                key_file,
                admin,
            },
        ))
    }

    /// Opens an initialised store. Fails with a clear error when the store does not exist, is
    /// held by another process (the server), or the key is wrong.
    pub fn open(config: &Config) -> Result<Unchain> {
        if !config.store_path().exists() {
            return Err(CoreError::Refused(format!(
                "no store at {}; run `unchain init` first",
                config.store_path().display()
            )));
        }
        let (master, _) = master_key(config, false)?;
        let store = Store::open(&config.store_config())?;
        Self::over(store, Arc::new(SystemClock), master)
    }

    /// A core over a fresh in-memory store with a random master key (embedding, tests, demos).
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Unchain> {
        let store = Store::open(&StoreConfig::memory())?;
        Self::over(store, clock, MasterKey::generate()?)
    }

    /// Opens the core over an open store with its master key and a clock.
    pub fn over(store: Store, clock: Arc<dyn Clock>, master: MasterKey) -> Result<Unchain> {
        let backend = store.backend().clone();
        crate::index::ensure(backend.as_ref())?;
        let keyring = Arc::new(Keyring::open(backend.clone(), master)?);
        let audit_key = load_or_create_audit_key(backend.as_ref(), &keyring)?;
        Ok(Unchain::assemble(store, keyring, clock, audit_key))
    }

    /// Where the store lives (`memory` for an in-memory one).
    pub fn location(&self) -> &Path {
        self.store.location()
    }
}

fn load_or_create_audit_key(backend: &dyn Backend, keyring: &Keyring) -> Result<AuditKey> {
    let ctx = context(&[AUDIT_KEY_COLLECTION.as_bytes(), AUDIT_KEY_KEY]);
    for _ in 0..8 {
        if let Some(v) = backend.get(AUDIT_KEY_COLLECTION, AUDIT_KEY_KEY)? {
            let bytes = keyring.unseal(&ctx, &v.value)?;
            let key: [u8; 32] = bytes[..]
                .try_into()
                .map_err(|_| StoreError::Corrupt("the audit key has the wrong length".into()))?;
            return Ok(AuditKey::new(key));
        }
        let mut fresh = [0u8; 32];
        getrandom::getrandom(&mut fresh)
            .map_err(|e| StoreError::Key(format!("no randomness for the audit key: {e}")))?;
        let sealed = keyring.seal(&AUDIT_SUBJECT, &ctx, &fresh)?;
        let mut batch = Batch::new();
        batch.put(
            AUDIT_KEY_COLLECTION,
            AUDIT_KEY_KEY.to_vec(),
            sealed,
            Expect::Absent,
        );
        match backend.commit(&batch) {
            Ok(_) => return Ok(AuditKey::new(fresh)),
            // Another opener created it first: read theirs.
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(CoreError::Store(StoreError::Backend(
        "could not create the audit key".into(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn config(dir: &Path) -> Config {
        // Tests never read the operator's environment: the key is always the file.
        Config {
            key: Some(KeySource::File(dir.join(KEY_FILE))),
            ..Config::new(dir)
        }
    }

    #[test]
    fn init_then_reopen_keeps_users_and_a_verifiable_audit_chain() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cfg = config(dir.path());
        let (core, done) = Unchain::init(&cfg, "admin").expect("init");
        assert_eq!(
            done.key_file.as_deref(),
            Some(dir.path().join(KEY_FILE).as_path())
        );
        let admin = core.actor("admin").expect("admin");
        core.create_user(&admin, "inv", Role::Investigator)
            .expect("user");
        drop(core);

        let core = Unchain::open(&cfg).expect("reopen");
        let admin = core.actor("admin").expect("admin survives");
        assert_eq!(
            core.actor("inv").expect("user survives").role,
            Role::Investigator
        );
        let v = core.verify_audit(&admin).expect("verify");
        assert!(v.first_bad.is_none() && v.entries >= 2, "{v:?}");
    }

    #[test]
    fn a_second_init_is_refused_and_a_held_store_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cfg = config(dir.path());
        let (core, _) = Unchain::init(&cfg, "admin").expect("init");
        // Same process, second open: sled's lock refuses it like another process would.
        let held = Unchain::open(&cfg).expect_err("store is held");
        assert!(
            matches!(held, CoreError::Store(StoreError::InUse { .. })),
            "expected InUse, got {held:?}"
        );
        drop(core);
        let again = Unchain::init(&cfg, "admin2").expect_err("already initialised");
        assert!(matches!(again, CoreError::Refused(_)), "{again:?}");
    }

    #[test]
    fn a_wrong_key_is_a_clear_error_not_garbage() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cfg = config(dir.path());
        drop(Unchain::init(&cfg, "admin").expect("init"));
        let other = tempfile::tempdir().expect("temp dir");
        let other_key = other.path().join("other.key");
        MasterKey::create_key_file(&other_key).expect("key file");
        let wrong = Config {
            key: Some(KeySource::File(other_key)),
            ..Config::new(dir.path())
        };
        let err = Unchain::open(&wrong).expect_err("wrong key refused");
        assert!(
            matches!(err, CoreError::Store(StoreError::Key(_))),
            "{err:?}"
        );
    }

    #[test]
    fn opening_a_missing_store_says_to_init() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = Unchain::open(&config(&dir.path().join("nowhere"))).expect_err("no store");
        assert!(err.to_string().contains("unchain init"), "{err}");
    }
}
