//! The conformance suite, run against every backend: one `#[test]` per case and backend.

use unchain_store::{MemoryBackend, SledBackend, SledConfig};

mod memory {
    use super::*;

    unchain_store::conformance_tests!(|| (MemoryBackend::new(), ()));
}

mod sled {
    use super::*;

    /// A sled store in a fresh temporary directory (kept alive by the returned guard).
    fn fresh() -> (SledBackend, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        // A small cache: the suite's data is tiny, and many tests run at once.
        let config = SledConfig::new(dir.path().join("db")).cache_bytes(8 * 1024 * 1024);
        (SledBackend::open(&config).expect("open"), dir)
    }

    unchain_store::conformance_tests!(fresh);
}

#[test]
fn run_all_covers_every_case_on_memory() {
    unchain_store::conformance::run_all(MemoryBackend::new);
}
