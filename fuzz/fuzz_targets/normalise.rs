//! Identifier normalisation (phones, postcodes, plates, e-mails, names, handles, businesses,
//! addresses) from any text: `Ok` or `Invalid`, never a panic; and a normalised value is a fixed
//! point (normalising it again gives itself), which matching depends on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unchain_core::network::{IdentifierKind, normalise};

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let kind = IdentifierKind::ALL[*first as usize % IdentifierKind::ALL.len()];
    let raw = String::from_utf8_lossy(rest);
    if let Ok(once) = normalise(kind, &raw) {
        let twice = normalise(kind, &once);
        assert_eq!(
            twice.as_deref(),
            Ok(once.as_str()),
            "{kind:?} is idempotent"
        );
    }
});
