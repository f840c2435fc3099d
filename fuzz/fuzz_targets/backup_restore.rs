//! Backup files from arbitrary bytes: verifying and restoring (into a fresh in-memory store) must
//! end in an error or a restored store, never a panic, a hang or an allocation to match a length
//! field. A restore that succeeds must have been verifiable.
//!
//! Random bytes almost never carry a valid SHA-256 trailer, so an input whose first byte is odd
//! is wrapped as a well-formed file around the rest (magic, then the bytes, then the digest and
//! end marker): that reaches the record parser behind the checksum.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use unchain_store::MemoryBackend;
use unchain_store::backup::{restore, verify};

fuzz_target!(|data: &[u8]| {
    let file: Vec<u8> = match data.split_first() {
        Some((first, rest)) if first & 1 == 1 => {
            let mut f = b"UNCHBAK\0".to_vec();
            f.extend_from_slice(rest);
            let digest = Sha256::digest(&f);
            f.extend_from_slice(&digest);
            f.extend_from_slice(b"UNCHEND\0");
            f
        }
        _ => data.to_vec(),
    };
    let verified = verify(&mut Cursor::new(&file));
    let target = MemoryBackend::new();
    let restored = restore(&target, &mut Cursor::new(&file));
    if let Ok(summary) = &restored {
        let checked = verified.as_ref().expect("a restorable backup verifies");
        assert_eq!(summary.entries, checked.entries);
    }
});
