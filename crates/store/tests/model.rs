//! Property test: random sequences of batches give the same results on every backend as on a
//! plain `BTreeMap` model (see `conformance::check_against_model`).

use proptest::prelude::*;
use unchain_store::{Batch, Expect, MemoryBackend, Op, SledBackend, SledConfig, conformance};

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        3 => Just(Expect::Any),
        1 => Just(Expect::Absent),
        2 => (1u64..4).prop_map(Expect::Version),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    // Few collections and short keys, so batches collide with each other often.
    let collection = prop_oneof![Just("a".to_owned()), Just("b".to_owned())];
    let key = proptest::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xff)], 0..3);
    let value = proptest::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        4 => (collection.clone(), key.clone(), value.clone(), expect()).prop_map(|(collection, key, value, expect)| Op::Put { collection, key, value, expect }),
        2 => (collection.clone(), key.clone(), expect()).prop_map(|(collection, key, expect)| Op::Delete { collection, key, expect }),
        1 => (collection, key, expect()).prop_map(|(collection, key, expect)| Op::Check { collection, key, expect }),
        1 => (prop_oneof![Just("s".to_owned()), Just("t".to_owned())], value).prop_map(|(stream, value)| Op::Append { stream, value }),
    ]
}

fn batches() -> impl Strategy<Value = Vec<Batch>> {
    proptest::collection::vec(
        proptest::collection::vec(op(), 0..5).prop_map(|ops| Batch { ops }),
        0..25,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn memory_matches_model(batches in batches()) {
        conformance::check_against_model(&MemoryBackend::new(), &batches);
    }
}

proptest! {
    // Every sled case opens a store and fsyncs each batch: fewer cases keep the suite fast.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sled_matches_model(batches in batches()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let backend = SledBackend::open(&SledConfig::new(dir.path()).cache_bytes(4 << 20)).expect("open");
        conformance::check_against_model(&backend, &batches);
    }
}
