//! The facade the core opens: picks the backend from a [`StoreConfig`], checks the schema and runs
//! migrations, and offers backup and restore.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::Backend;
use crate::backup::{self, BackupSummary};
use crate::config::{BackendConfig, StoreConfig};
use crate::error::Result;
use crate::memory::MemoryBackend;
use crate::schema::{self, MIGRATIONS, Migration, SCHEMA_VERSION};
use crate::sled_backend::SledBackend;

/// An open store: the backend behind an `Arc`, ready to share between threads.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// The directory, or `memory`.
    location: PathBuf,
    schema_version: u32,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .field("schema_version", &self.schema_version)
            .finish_non_exhaustive()
    }
}

/// Opens the store `config` describes, with this build's migrations (see [`Store::open_with`]).
pub fn open(config: &StoreConfig) -> Result<Store> {
    Store::open(config)
}

impl Store {
    /// Opens the store `config` describes, with this build's migrations.
    ///
    /// Fails with [`crate::StoreError::InUse`] when another process holds an on-disk store, and
    /// with [`crate::StoreError::SchemaTooNew`] when a newer build wrote it.
    pub fn open(config: &StoreConfig) -> Result<Self> {
        Self::open_with(config, SCHEMA_VERSION, MIGRATIONS)
    }

    /// Opens with an explicit schema version and migration list (for tests of migrations, and
    /// for the build that introduces the next schema).
    pub fn open_with(
        config: &StoreConfig,
        supported: u32,
        migrations: &[Migration],
    ) -> Result<Self> {
        let (backend, location): (Arc<dyn Backend>, PathBuf) = match &config.backend {
            BackendConfig::Sled(sled) => (Arc::new(SledBackend::open(sled)?), sled.path.clone()),
            BackendConfig::Memory => (Arc::new(MemoryBackend::new()), PathBuf::from("memory")),
        };
        Self::over(backend, location, supported, migrations)
    }

    /// Wraps an already open backend (e.g. a future PostgreSQL one), checking its schema.
    pub fn over(
        backend: Arc<dyn Backend>,
        location: PathBuf,
        supported: u32,
        migrations: &[Migration],
    ) -> Result<Self> {
        let schema_version = schema::prepare(backend.as_ref(), &location, supported, migrations)?;
        Ok(Self {
            backend,
            location,
            schema_version,
        })
    }

    /// The backend, to share with the rest of the application.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// The directory of an on-disk store, or `memory`.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The schema version the store has.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// Writes a consistent backup to `path` while the store stays in use (see [`backup`]).
    pub fn backup_to_file(&self, path: &Path) -> Result<BackupSummary> {
        backup::backup_to_file(self.backend.as_ref(), path)
    }

    /// Restores the backup at `path` into this store, which must be empty, then brings the
    /// restored data up to this build's schema.
    pub fn restore_from_file(&mut self, path: &Path) -> Result<BackupSummary> {
        let summary = backup::restore_from_file(self.backend.as_ref(), path)?;
        self.schema_version = schema::prepare(
            self.backend.as_ref(),
            &self.location,
            SCHEMA_VERSION,
            MIGRATIONS,
        )?;
        Ok(summary)
    }
}
