//! Backup files from arbitrary bytes: verifying and restoring (into a fresh in-memory store) must
//! end in an error or a restored store, never a panic, a hang or an allocation to match a length
//! field. A restore that succeeds must have been verifiable.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use unchain_store::MemoryBackend;
use unchain_store::backup::{restore, verify};

fuzz_target!(|data: &[u8]| {
    let verified = verify(&mut Cursor::new(data));
    let target = MemoryBackend::new();
    let restored = restore(&target, &mut Cursor::new(data));
    if let Ok(summary) = &restored {
        let checked = verified.as_ref().expect("a restorable backup verifies");
        assert_eq!(summary.entries, checked.entries);
    }
});
