//! Secondary indexes: which records belong to a case, which to a person, and which point at a
//! given record (a case's rescue, reports and suspects, and its reference).
//!
//! Reading a case's documents, follow-ups, referrals, placements, … or a person's consents and
//! cases used to scan the whole collection and keep the matches; that grows with the size of the
//! NGO's history, not with the size of the case. Each record that names an owner
//! ([`Record::case_id`], [`Record::person_id`]) now also writes, in the same atomic batch, an empty
//! index entry keyed `owner ‖ collection ‖ 0 ‖ record id`, so a prefix scan finds exactly the
//! owner's records, in id (creation) order, as the scans did.
//!
//! Links ([`Record::links`]) are indexed the same way in [`BY_LINK`]; a case's reference is
//! indexed under [`reference_key`], a hash of it, so a case is found by its reference without a
//! scan (a collision costs one extra read, since readers compare the reference itself).
//!
//! Entries hold only ids, which the records themselves hold in clear already: no personal data.
//! An entry is never deleted; readers load the record and check its owner, so an entry left by a
//! record whose owner field changed (none does today) is skipped rather than trusted.
//!
//! Stores written before the indexes existed are indexed once when the core opens them
//! ([`ensure`]), marked by [`INDEX_VERSION`] in the core's `meta` collection; rebuilding is
//! idempotent, so a crash half-way simply rebuilds again on the next open.

use unchain_store::{Backend, Batch, Expect, Scan, StoreError};
use uuid::Uuid;

use crate::consent::ConsentRecord;
use crate::documents::Document;
use crate::error::{CoreError, Result};
use crate::records::{self, Entity, Record};
use crate::{
    cases::Case,
    followups::{Followup, ProgressAssessment},
    justice::{Claim, LegalRecord},
    placements::{NeedsAssessment, Placement, Transport},
    referrals::NrmReferral,
};

/// Index collection of records by the case they belong to.
pub(crate) const BY_CASE: &str = "index_by_case";
/// Index collection of records by the person they are about.
pub(crate) const BY_PERSON: &str = "index_by_person";
/// Index collection of records by what they point at ([`Record::links`]).
pub(crate) const BY_LINK: &str = "index_by_link";

const META: &str = "meta";
const VERSION_KEY: &[u8] = b"index_version";
/// Bump when a record type starts or stops naming an owner or a link, so older stores are
/// re-indexed. 2: links (cases by rescue, report, suspect and reference).
const INDEX_VERSION: u32 = 2;
/// Records written per batch while rebuilding.
const REBUILD_BATCH: usize = 1000;

fn key(owner: Uuid, collection: &str, id: Uuid) -> Vec<u8> {
    let mut k = Vec::with_capacity(16 + collection.len() + 1 + 16);
    k.extend_from_slice(owner.as_bytes());
    k.extend_from_slice(collection.as_bytes());
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

fn prefix(owner: Uuid, collection: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(16 + collection.len() + 1);
    k.extend_from_slice(owner.as_bytes());
    k.extend_from_slice(collection.as_bytes());
    k.push(0);
    k
}

/// Adds the index entries of `record` to `batch` (called by every `records::stage_put`). Updates
/// rewrite their (empty) entries too: a few bytes, and an index that cannot miss a record even if
/// an owner field were ever changed.
pub(crate) fn stage<T: Record>(batch: &mut Batch, id: Uuid, record: &T) {
    if let Some(case) = record.case_id() {
        batch.put(
            BY_CASE,
            key(case, T::COLLECTION, id),
            Vec::new(),
            Expect::Any,
        );
    }
    if let Some(person) = record.person_id() {
        batch.put(
            BY_PERSON,
            key(person, T::COLLECTION, id),
            Vec::new(),
            Expect::Any,
        );
    }
    for target in record.links() {
        batch.put(
            BY_LINK,
            key(target, T::COLLECTION, id),
            Vec::new(),
            Expect::Any,
        );
    }
}

/// The key a case's reference is indexed under in [`BY_LINK`]: the first 16 bytes of its
/// SHA-256, domain-separated. References are not personal data; the hash only makes the key
/// fixed-size.
pub(crate) fn reference_key(reference: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"unchain case reference\0")
        .chain_update(reference.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn ids(backend: &dyn Backend, index: &str, owner: Uuid, collection: &str) -> Result<Vec<Uuid>> {
    let p = prefix(owner, collection);
    let mut out = Vec::new();
    let mut scan = Scan::prefix(&p).limit(1024);
    loop {
        let page = backend.scan(index, &scan)?;
        for (k, _) in &page {
            let id = k
                .strip_prefix(p.as_slice())
                .and_then(|rest| Uuid::from_slice(rest).ok())
                .ok_or_else(|| {
                    CoreError::Store(StoreError::Corrupt(format!(
                        "{index} holds a malformed key under {collection}"
                    )))
                })?;
            out.push(id);
        }
        match page.last() {
            Some((last, _)) if page.len() == 1024 => {
                scan.start = std::ops::Bound::Excluded(last.clone());
            }
            _ => break,
        }
    }
    Ok(out)
}

/// Every record of kind `T` that belongs to `case_id`, in creation order.
pub(crate) fn of_case<T: Record>(backend: &dyn Backend, case_id: Uuid) -> Result<Vec<Entity<T>>> {
    let mut out = Vec::new();
    for id in ids(backend, BY_CASE, case_id, T::COLLECTION)? {
        if let Some(e) =
            records::find::<T>(backend, id)?.filter(|e| e.data.case_id() == Some(case_id))
        {
            out.push(e);
        }
    }
    Ok(out)
}

/// Every record of kind `T` about `person_id`, in creation order.
pub(crate) fn of_person<T: Record>(
    backend: &dyn Backend,
    person_id: Uuid,
) -> Result<Vec<Entity<T>>> {
    let mut out = Vec::new();
    for id in ids(backend, BY_PERSON, person_id, T::COLLECTION)? {
        if let Some(e) =
            records::find::<T>(backend, id)?.filter(|e| e.data.person_id() == Some(person_id))
        {
            out.push(e);
        }
    }
    Ok(out)
}

/// Every record of kind `T` that links to `target` now, in creation order. Entries are never
/// deleted, so one a record has since dropped (a report unlinked from a case) is skipped here;
/// callers that need a particular kind of link check it on what is returned.
pub(crate) fn linking<T: Record>(backend: &dyn Backend, target: Uuid) -> Result<Vec<Entity<T>>> {
    let mut out = Vec::new();
    for id in ids(backend, BY_LINK, target, T::COLLECTION)? {
        if let Some(e) =
            records::find::<T>(backend, id)?.filter(|e| e.data.links().contains(&target))
        {
            out.push(e);
        }
    }
    Ok(out)
}

fn rebuild<T: Record>(backend: &dyn Backend) -> Result<()> {
    let mut batch = Batch::new();
    let mut staged = 0;
    for e in records::all::<T>(backend)? {
        stage(&mut batch, e.id, &e.data);
        staged += 1;
        if staged == REBUILD_BATCH {
            backend.commit(&std::mem::take(&mut batch))?;
            staged = 0;
        }
    }
    if !batch.is_empty() {
        backend.commit(&batch)?;
    }
    Ok(())
}

/// Indexes a store written before the indexes existed (or by an older index version). Cheap when
/// the store is up to date: one read.
pub(crate) fn ensure(backend: &dyn Backend) -> Result<()> {
    let current = match backend.get(META, VERSION_KEY)? {
        Some(v) => {
            let bytes: [u8; 4] = v.value.as_slice().try_into().map_err(|_| {
                CoreError::Store(StoreError::Corrupt(
                    "the index version is not 4 bytes".into(),
                ))
            })?;
            u32::from_be_bytes(bytes)
        }
        None => 0,
    };
    if current >= INDEX_VERSION {
        return Ok(());
    }
    rebuild::<Case>(backend)?;
    rebuild::<ConsentRecord>(backend)?;
    rebuild::<Document>(backend)?;
    rebuild::<Followup>(backend)?;
    rebuild::<ProgressAssessment>(backend)?;
    rebuild::<LegalRecord>(backend)?;
    rebuild::<Claim>(backend)?;
    rebuild::<NeedsAssessment>(backend)?;
    rebuild::<Placement>(backend)?;
    rebuild::<Transport>(backend)?;
    rebuild::<NrmReferral>(backend)?;
    let mut batch = Batch::new();
    batch.put(
        META,
        VERSION_KEY.to_vec(),
        INDEX_VERSION.to_be_bytes().to_vec(),
        Expect::Any,
    );
    backend.commit(&batch)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use unchain_store::MemoryBackend;

    use super::*;
    use crate::demo::DemoConfig;

    // Two record kinds whose collection names are prefixes of each other, to prove an owner's
    // entries of one kind never show up among the other's.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Probe {
        case_id: Uuid,
        person_id: Option<Uuid>,
        links: Vec<Uuid>,
    }
    impl Record for Probe {
        const COLLECTION: &'static str = "probe";
        const KIND: &'static str = "probe";
        fn case_id(&self) -> Option<Uuid> {
            Some(self.case_id)
        }
        fn person_id(&self) -> Option<Uuid> {
            self.person_id
        }
        fn links(&self) -> Vec<Uuid> {
            self.links.clone()
        }
    }
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Probes {
        case_id: Uuid,
    }
    impl Record for Probes {
        const COLLECTION: &'static str = "probes";
        const KIND: &'static str = "probes";
        fn case_id(&self) -> Option<Uuid> {
            Some(self.case_id)
        }
    }

    fn owners() -> Vec<Uuid> {
        (1..=4u128).map(Uuid::from_u128).collect()
    }

    #[derive(Clone, Debug)]
    enum Step {
        Create {
            case: usize,
            person: Option<usize>,
            links: Vec<usize>,
        },
        CreateOther {
            case: usize,
        },
        // Moves an existing probe to another owner: not something the core does, but readers
        // must not trust an entry whose record no longer names the owner.
        Move {
            which: usize,
            case: usize,
        },
        // Links change (a report linked to or unlinked from a case): the index must follow.
        Relink {
            which: usize,
            links: Vec<usize>,
        },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (
                0..4usize,
                proptest::option::of(0..4usize),
                proptest::collection::vec(0..4usize, 0..3)
            )
                .prop_map(|(case, person, links)| Step::Create {
                    case,
                    person,
                    links
                }),
            (0..4usize).prop_map(|case| Step::CreateOther { case }),
            (0..64usize, 0..4usize).prop_map(|(which, case)| Step::Move { which, case }),
            (0..64usize, proptest::collection::vec(0..4usize, 0..3))
                .prop_map(|(which, links)| Step::Relink { which, links }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever was written, the index answers exactly what a full scan filtered by owner
        /// answers, in the same order.
        #[test]
        fn the_index_agrees_with_a_scan(steps in proptest::collection::vec(step(), 0..40)) {
            let backend = MemoryBackend::new();
            let owners = owners();
            let mut probes: Vec<(Uuid, Probe, u64)> = Vec::new();
            for s in steps {
                let mut batch = Batch::new();
                match s {
                    Step::Create { case, person, links } => {
                        let p = Probe {
                            case_id: owners[case],
                            person_id: person.map(|i| owners[i]),
                            links: links.iter().map(|&i| owners[i]).collect(),
                        };
                        let id = Uuid::now_v7();
                        records::stage_put(&mut batch, id, &p, None).unwrap();
                        let r = backend.commit(&batch).unwrap();
                        probes.push((id, p, r.versions[0]));
                    }
                    Step::CreateOther { case } => {
                        let p = Probes { case_id: owners[case] };
                        records::stage_put(&mut batch, Uuid::now_v7(), &p, None).unwrap();
                        backend.commit(&batch).unwrap();
                    }
                    Step::Move { which, case } => {
                        if probes.is_empty() { continue; }
                        let n = probes.len();
                        let (id, p, version) = &mut probes[which % n];
                        p.case_id = owners[case];
                        records::stage_put(&mut batch, *id, p, Some(*version)).unwrap();
                        *version = backend.commit(&batch).unwrap().versions[0];
                    }
                    Step::Relink { which, links } => {
                        if probes.is_empty() { continue; }
                        let n = probes.len();
                        let (id, p, version) = &mut probes[which % n];
                        p.links = links.iter().map(|&i| owners[i]).collect();
                        records::stage_put(&mut batch, *id, p, Some(*version)).unwrap();
                        *version = backend.commit(&batch).unwrap().versions[0];
                    }
                }
            }
            for owner in owners {
                let scanned = records::filter::<Probe>(&backend, |e| e.data.case_id == owner).unwrap();
                prop_assert_eq!(of_case::<Probe>(&backend, owner).unwrap(), scanned);
                let scanned = records::filter::<Probes>(&backend, |e| e.data.case_id == owner).unwrap();
                prop_assert_eq!(of_case::<Probes>(&backend, owner).unwrap(), scanned);
                let scanned = records::filter::<Probe>(&backend, |e| e.data.person_id == Some(owner)).unwrap();
                prop_assert_eq!(of_person::<Probe>(&backend, owner).unwrap(), scanned);
                let scanned = records::filter::<Probe>(&backend, |e| e.data.links.contains(&owner)).unwrap();
                prop_assert_eq!(linking::<Probe>(&backend, owner).unwrap(), scanned);
            }
        }
    }

    /// A store written before the indexes existed is indexed when the core opens it: drop the
    /// index collections and the marker from a demo store, reopen, and every case's and person's
    /// records are found again — the same ones a scan finds.
    #[test]
    fn an_unindexed_store_is_indexed_on_open() {
        let (core, backend) = crate::testing::core();
        let actors = crate::testing::staff(&core);
        core.generate_demo(&actors[0], DemoConfig { seed: 3, size: 12 })
            .expect("demo");
        let keys = |index: &str| -> Vec<Vec<u8>> {
            let entries = backend.scan(index, &Scan::all()).unwrap();
            entries.into_iter().map(|(k, _)| k).collect()
        };
        let before_case = keys(BY_CASE);
        let before_person = keys(BY_PERSON);
        let before_link = keys(BY_LINK);
        assert!(!before_case.is_empty() && !before_person.is_empty() && !before_link.is_empty());

        let mut wipe = Batch::new();
        for k in &before_case {
            wipe.delete(BY_CASE, k.clone(), Expect::Any);
        }
        for k in &before_person {
            wipe.delete(BY_PERSON, k.clone(), Expect::Any);
        }
        for k in &before_link {
            wipe.delete(BY_LINK, k.clone(), Expect::Any);
        }
        wipe.delete(META, VERSION_KEY.to_vec(), Expect::Any);
        backend.commit(&wipe).unwrap();
        let cases = records::all::<Case>(backend.as_ref()).unwrap();
        assert!(
            of_case::<Followup>(backend.as_ref(), cases[0].id)
                .unwrap()
                .is_empty()
        );

        ensure(backend.as_ref()).unwrap();
        // The same entries as the writes made (versions differ: updates rewrite their entry).
        assert_eq!(keys(BY_CASE), before_case);
        assert_eq!(keys(BY_PERSON), before_person);
        assert_eq!(keys(BY_LINK), before_link);
        let mut linked = 0;
        for case in &cases {
            let reference =
                linking::<Case>(backend.as_ref(), reference_key(&case.data.reference)).unwrap();
            assert!(reference.iter().any(|c| c.id == case.id));
            for target in case.data.rescue_id.iter().chain(&case.data.report_ids) {
                let scan =
                    records::filter::<Case>(backend.as_ref(), |c| c.data.links().contains(target))
                        .unwrap();
                assert_eq!(linking::<Case>(backend.as_ref(), *target).unwrap(), scan);
                linked += 1;
            }
            let scan = records::filter::<Followup>(backend.as_ref(), |f| f.data.case_id == case.id)
                .unwrap();
            assert_eq!(
                of_case::<Followup>(backend.as_ref(), case.id).unwrap(),
                scan
            );
            let scan =
                records::filter::<NrmReferral>(backend.as_ref(), |f| f.data.case_id == case.id)
                    .unwrap();
            assert_eq!(
                of_case::<NrmReferral>(backend.as_ref(), case.id).unwrap(),
                scan
            );
            let person = case.data.person_id;
            let scan =
                records::filter::<ConsentRecord>(backend.as_ref(), |c| c.data.person_id == person)
                    .unwrap();
            assert_eq!(
                of_person::<ConsentRecord>(backend.as_ref(), person).unwrap(),
                scan
            );
        }
        assert!(linked > 0, "the demo links cases to rescues and reports");
        // Up to date now: a second open writes nothing.
        let snapshot = crate::testing::dump(&backend);
        ensure(backend.as_ref()).unwrap();
        assert_eq!(crate::testing::dump(&backend), snapshot);
    }
}
