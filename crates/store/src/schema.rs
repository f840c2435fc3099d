//! The schema version recorded in every store, and the migrations that bring an older store up to
//! date when it is opened.
//!
//! The version lives in the reserved collection [`META_COLLECTION`] under the key
//! [`SCHEMA_KEY`], as a 4-byte big-endian number, written through the ordinary [`Backend`] trait,
//! so every backend (and every backup) carries it.

use std::path::Path;

use crate::backend::{Backend, Batch, Expect};
use crate::error::{Result, StoreError};

/// The newest schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The store's own collection (names beginning with `_` are reserved for the store).
pub const META_COLLECTION: &str = "_meta";

/// The key of the schema version in [`META_COLLECTION`].
pub const SCHEMA_KEY: &[u8] = b"schema_version";

/// One step that rewrites a store from schema `from` to schema `to`.
///
/// A migration may be interrupted by a crash before the new version is recorded, and then runs
/// again on the next open: it must be idempotent (or record its own progress).
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// The schema it starts from.
    pub from: u32,
    /// The schema it produces (greater than `from`).
    pub to: u32,
    /// The rewrite.
    pub apply: fn(&dyn Backend) -> Result<()>,
}

/// The migrations this build knows, oldest first. Empty while there is only schema 1.
pub const MIGRATIONS: &[Migration] = &[];

/// The schema version recorded in the store, if any, with the record's version for CAS.
pub fn read_schema_version(backend: &dyn Backend) -> Result<Option<(u32, u64)>> {
    let Some(stored) = backend.get(META_COLLECTION, SCHEMA_KEY)? else {
        return Ok(None);
    };
    let bytes: [u8; 4] = stored
        .value
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt("schema version record is not 4 bytes".into()))?;
    Ok(Some((u32::from_be_bytes(bytes), stored.version)))
}

/// Checks the store's schema on open: stamps a new store with `supported`, refuses a store from a
/// newer build ([`StoreError::SchemaTooNew`]), and runs `migrations` in order on an older one.
/// Returns the schema version the store has afterwards.
///
/// `path` only names the store in errors.
pub fn prepare(
    backend: &dyn Backend,
    path: &Path,
    supported: u32,
    migrations: &[Migration],
) -> Result<u32> {
    let Some((mut found, mut record)) = read_schema_version(backend)? else {
        let holds_data = backend.collections()?.iter().any(|c| c != META_COLLECTION)
            || !backend.streams()?.is_empty();
        if holds_data {
            // Every store this crate creates is stamped before anything else is written, so data
            // without a stamp is not ours (or lost its meta record): refuse to guess.
            return Err(StoreError::Corrupt(format!(
                "the store at {} holds data but no schema version",
                path.display()
            )));
        }
        let mut batch = Batch::new();
        batch.put(
            META_COLLECTION,
            SCHEMA_KEY,
            supported.to_be_bytes().to_vec(),
            Expect::Absent,
        );
        backend.commit(&batch)?;
        return Ok(supported);
    };
    if found > supported {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    while found < supported {
        let step = migrations
            .iter()
            .find(|m| m.from == found && m.to > m.from && m.to <= supported)
            .ok_or_else(|| StoreError::Invalid {
                field: "migrations",
                reason: format!("no migration from schema {found} towards {supported}"),
            })?;
        (step.apply)(backend)?;
        let mut batch = Batch::new();
        // CAS on the record: two processes cannot both migrate (sled allows one owner anyway).
        batch.put(
            META_COLLECTION,
            SCHEMA_KEY,
            step.to.to_be_bytes().to_vec(),
            Expect::Version(record),
        );
        let receipt = backend.commit(&batch)?;
        record = receipt.versions.first().copied().unwrap_or(record + 1);
        found = step.to;
    }
    Ok(found)
}
