//! Typed records over the byte store: JSON values with the store's version, written in atomic
//! batches together with their audit entries. The one place that turns store errors into the
//! core's conflict and not-found errors.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use unchain_store::{Backend, Batch, Expect, Scan, StoreError};
use uuid::Uuid;

use crate::error::{CoreError, Result};

/// A record kind: where it lives and what it is called in errors and audit entries.
pub trait Record: Serialize + DeserializeOwned {
    /// The store collection.
    const COLLECTION: &'static str;
    /// The name used in messages, audit targets and the change feed (`case`, `facility`, …).
    const KIND: &'static str;

    /// The case this record belongs to, if any. Indexed (see `crate::index`) so a case's records
    /// are read without scanning the collection; it must not change after the record is created.
    fn case_id(&self) -> Option<Uuid> {
        None
    }

    /// The person this record is about, if any. Indexed like [`Record::case_id`].
    fn person_id(&self) -> Option<Uuid> {
        None
    }

    /// What else this record points at (a case's rescue, reports, suspects, and its reference's
    /// lookup key), indexed so that "which cases name X" needs no scan (`crate::index::linking`).
    /// Unlike the owners above, links may change: readers check each record still links.
    fn links(&self) -> Vec<Uuid> {
        Vec::new()
    }
}

/// A record as read: its id, the version to send back with an update, and its data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity<T> {
    /// The record's id.
    pub id: Uuid,
    /// The version this copy was read at. Updates must carry it; a stale one is a conflict.
    pub version: u64,
    /// The record itself.
    #[serde(flatten)]
    pub data: T,
}

pub(crate) fn decode<T: Record>(id: Uuid, version: u64, bytes: &[u8]) -> Result<Entity<T>> {
    let data = serde_json::from_slice(bytes)
        .map_err(|e| CoreError::Store(StoreError::Corrupt(format!("{} {id}: {e}", T::KIND))))?;
    Ok(Entity { id, version, data })
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| CoreError::Store(StoreError::Backend(e.to_string())))
}

/// Reads one record, or `None`.
pub(crate) fn find<T: Record>(backend: &dyn Backend, id: Uuid) -> Result<Option<Entity<T>>> {
    match backend.get(T::COLLECTION, id.as_bytes())? {
        None => Ok(None),
        Some(v) => decode(id, v.version, &v.value).map(Some),
    }
}

/// Reads one record or fails with not found.
pub(crate) fn load<T: Record>(backend: &dyn Backend, id: Uuid) -> Result<Entity<T>> {
    find(backend, id)?.ok_or_else(|| CoreError::NotFound {
        kind: T::KIND,
        id: id.to_string(),
    })
}

/// Reads every record of a kind in id order (ids are time-ordered uuids, so: creation order).
pub(crate) fn all<T: Record>(backend: &dyn Backend) -> Result<Vec<Entity<T>>> {
    let mut out = Vec::new();
    let mut scan = Scan::all().limit(1024);
    loop {
        let page = backend.scan(T::COLLECTION, &scan)?;
        let n = page.len();
        for (key, v) in &page {
            let id = Uuid::from_slice(key).map_err(|_| {
                CoreError::Store(StoreError::Corrupt(format!(
                    "{} key is not a uuid",
                    T::KIND
                )))
            })?;
            out.push(decode(id, v.version, &v.value)?);
        }
        match page.last() {
            Some((last, _)) if n == 1024 => {
                scan.start = std::ops::Bound::Excluded(last.clone());
            }
            _ => break,
        }
    }
    Ok(out)
}

/// Adds a write of `record` to `batch`: a create (`expected = None`, the id must be new) or an
/// update of the version the caller read.
pub(crate) fn stage_put<T: Record>(
    batch: &mut Batch,
    id: Uuid,
    record: &T,
    expected: Option<u64>,
) -> Result<()> {
    let expect = expected.map_or(Expect::Absent, Expect::Version);
    batch.put(
        T::COLLECTION,
        id.as_bytes().to_vec(),
        encode(record)?,
        expect,
    );
    crate::index::stage(batch, id, record);
    Ok(())
}

/// Turns a store conflict on a record key into the core's conflict error.
pub(crate) fn map_conflict(err: StoreError, batch: &Batch) -> CoreError {
    if let StoreError::Conflict {
        collection,
        key,
        found,
        ..
    } = &err
    {
        for op in &batch.ops {
            if let unchain_store::Op::Put {
                collection: c,
                key: k,
                expect,
                ..
            } = op
            {
                if c == collection && hex_eq(k, key) {
                    let kind = leak_kind(c);
                    let id = Uuid::from_slice(k)
                        .map(|u| u.to_string())
                        .unwrap_or_else(|_| key.clone());
                    let expected = match expect {
                        Expect::Version(v) => *v,
                        _ => 0,
                    };
                    let found = found.unwrap_or(0);
                    return CoreError::Conflict {
                        kind,
                        id,
                        expected,
                        found,
                    };
                }
            }
        }
    }
    CoreError::Store(err)
}

fn hex_eq(bytes: &[u8], hex_key: &str) -> bool {
    hex::encode(bytes) == hex_key
}

// Collection names are static in practice; map the known ones back to their kind names.
fn leak_kind(collection: &str) -> &'static str {
    crate::KINDS
        .iter()
        .find(|(c, _)| *c == collection)
        .map_or("record", |(_, k)| k)
}

/// Reads a record for an update: fails with not found, or with a conflict when the stored version
/// is not the one the caller read.
pub(crate) fn load_at<T: Record>(
    backend: &dyn Backend,
    id: Uuid,
    version: u64,
) -> Result<Entity<T>> {
    let current = load::<T>(backend, id)?;
    if current.version != version {
        return Err(CoreError::Conflict {
            kind: T::KIND,
            id: id.to_string(),
            expected: version,
            found: current.version,
        });
    }
    Ok(current)
}

/// Adds a check to `batch` that the record is still at the version read, so a write that depends
/// on it (but does not change it) fails if it changed meanwhile.
pub(crate) fn stage_check<T: Record>(batch: &mut Batch, entity: &Entity<T>) {
    batch.check(
        T::COLLECTION,
        entity.id.as_bytes().to_vec(),
        Expect::Version(entity.version),
    );
}

/// Reads every record of a kind that satisfies `keep` (a full scan; the collections the core
/// filters this way hold thousands of records, not millions).
pub(crate) fn filter<T: Record>(
    backend: &dyn Backend,
    mut keep: impl FnMut(&Entity<T>) -> bool,
) -> Result<Vec<Entity<T>>> {
    Ok(all::<T>(backend)?.into_iter().filter(|e| keep(e)).collect())
}

/// The audit target of a record: `kind:id`.
pub(crate) fn target<T: Record>(id: Uuid) -> String {
    format!("{}:{id}", T::KIND)
}
