//! How to open a store: which backend, where, and with how much memory.

use std::path::PathBuf;

/// sled's cache size unless configured: well under the 256 MB bound the deployment allows (sled's
/// own default is 1 GB, too much for the small machines NGOs run on).
pub const DEFAULT_CACHE_BYTES: u64 = 128 * 1024 * 1024;

/// Settings of the on-disk sled backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SledConfig {
    /// The store's directory (created if missing).
    pub path: PathBuf,
    /// sled's page-cache budget in bytes (default [`DEFAULT_CACHE_BYTES`]).
    pub cache_bytes: u64,
    /// sled's background flush interval. Durability never depends on it — every commit is flushed
    /// before it returns (see `docs/ARCHITECTURE.md`) — so the default is `None`: no background
    /// flusher competing with the group commit for the disk.
    pub flush_every_ms: Option<u64>,
}

impl SledConfig {
    /// Defaults for a store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            cache_bytes: DEFAULT_CACHE_BYTES,
            flush_every_ms: None,
        }
    }

    /// Sets the cache budget.
    pub fn cache_bytes(mut self, bytes: u64) -> Self {
        self.cache_bytes = bytes;
        self
    }
}

/// Which backend to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendConfig {
    /// On disk, with sled (the default for deployments).
    Sled(SledConfig),
    /// In memory (tests, embedding); gone when the process ends.
    Memory,
}

/// Everything [`crate::store::open`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    /// The backend and its settings.
    pub backend: BackendConfig,
}

impl StoreConfig {
    /// A sled store at `path` with default settings.
    pub fn sled(path: impl Into<PathBuf>) -> Self {
        Self {
            backend: BackendConfig::Sled(SledConfig::new(path)),
        }
    }

    /// An in-memory store.
    pub fn memory() -> Self {
        Self {
            backend: BackendConfig::Memory,
        }
    }
}
