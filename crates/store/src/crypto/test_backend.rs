//! A minimal in-memory [`Backend`] for the crypto unit tests, so they do not depend on the real
//! backends (which have their own conformance suite).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Mutex;

use crate::backend::{Backend, Batch, Entry, Expect, Op, Receipt, Scan, Versioned};
use crate::error::{Result, StoreError};

#[derive(Default)]
pub(crate) struct TestBackend {
    data: Mutex<BTreeMap<(String, Vec<u8>), Versioned>>,
}

impl Backend for TestBackend {
    fn get(&self, collection: &str, key: &[u8]) -> Result<Option<Versioned>> {
        let data = self.data.lock().unwrap();
        Ok(data.get(&(collection.to_owned(), key.to_vec())).cloned())
    }

    fn scan(&self, collection: &str, scan: &Scan) -> Result<Vec<Entry>> {
        let data = self.data.lock().unwrap();
        let bound = |b: &Bound<Vec<u8>>| match b {
            Bound::Included(k) => Bound::Included((collection.to_owned(), k.clone())),
            Bound::Excluded(k) => Bound::Excluded((collection.to_owned(), k.clone())),
            Bound::Unbounded => Bound::Unbounded,
        };
        let mut out: Vec<Entry> = data
            .range((bound(&scan.start), bound(&scan.end)))
            .filter(|((c, _), _)| c == collection)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect();
        if scan.reverse {
            out.reverse();
        }
        if scan.limit > 0 {
            out.truncate(scan.limit);
        }
        Ok(out)
    }

    fn commit(&self, batch: &Batch) -> Result<Receipt> {
        let mut data = self.data.lock().unwrap();
        for op in &batch.ops {
            let (collection, key, expect) = match op {
                Op::Put {
                    collection,
                    key,
                    expect,
                    ..
                }
                | Op::Delete {
                    collection,
                    key,
                    expect,
                }
                | Op::Check {
                    collection,
                    key,
                    expect,
                } => (collection, key, expect),
                Op::Append { .. } => continue,
            };
            let found = data
                .get(&(collection.clone(), key.clone()))
                .map(|v| v.version);
            let ok = match expect {
                Expect::Any => true,
                Expect::Absent => found.is_none(),
                Expect::Version(v) => found == Some(*v),
            };
            if !ok {
                return Err(StoreError::Conflict {
                    collection: collection.clone(),
                    key: hex::encode(key),
                    expected: *expect,
                    found,
                });
            }
        }
        let mut receipt = Receipt::default();
        for op in &batch.ops {
            match op {
                Op::Put {
                    collection,
                    key,
                    value,
                    ..
                } => {
                    let k = (collection.clone(), key.clone());
                    let version = data.get(&k).map_or(1, |v| v.version + 1);
                    data.insert(
                        k,
                        Versioned {
                            version,
                            value: value.clone(),
                        },
                    );
                    receipt.versions.push(version);
                }
                Op::Delete {
                    collection, key, ..
                } => {
                    data.remove(&(collection.clone(), key.clone()));
                }
                Op::Check { .. } | Op::Append { .. } => {}
            }
        }
        Ok(receipt)
    }

    fn read_stream(&self, _: &str, _: u64, _: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        Ok(Vec::new())
    }

    fn stream_head(&self, _: &str) -> Result<u64> {
        Ok(0)
    }

    fn generate_id(&self) -> Result<u64> {
        Ok(1)
    }

    fn collections(&self) -> Result<Vec<String>> {
        let data = self.data.lock().unwrap();
        let mut names: Vec<String> = data.keys().map(|(c, _)| c.clone()).collect();
        names.dedup();
        Ok(names)
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }
}
