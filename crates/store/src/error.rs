//! The store's one error type. Every backend and the crypto layer map their failures here, so
//! the core can tell a conflict (retry or report 409) from a broken disk (report 5xx).

use std::path::PathBuf;

/// Everything that can go wrong below the core.
///
/// Messages never contain stored values: a value may be personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A compare-and-swap precondition in a batch did not hold; nothing in the batch was written.
    #[error("conflict on {collection}/{key}: expected {expected}, found {}", found_text(*.found))]
    Conflict {
        /// The collection holding the key.
        collection: String,
        /// The key, hex-encoded (keys never hold personal data).
        key: String,
        /// What the batch expected.
        expected: crate::Expect,
        /// The version the store held (`None`: absent).
        found: Option<u64>,
    },
    /// Another process holds the on-disk store (sled allows one owner).
    #[error("the store at {path} is in use by another process")]
    InUse {
        /// The store's directory.
        path: PathBuf,
    },
    /// The store was written by a newer version of unchain than this one.
    #[error(
        "the store at {path} has schema version {found}; this build supports up to {supported}"
    )]
    SchemaTooNew {
        /// The store's directory (or `memory`).
        path: PathBuf,
        /// The version recorded in the store.
        found: u32,
        /// The newest version this build can read.
        supported: u32,
    },
    /// A caller passed something the store cannot accept (an empty collection name, a reserved name, …).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The argument at fault.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// Stored bytes or a backup file failed an integrity check.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The master key is missing, unreadable or not the one the store was sealed with.
    #[error("key error: {0}")]
    Key(String),
    /// A sealed value could not be opened (wrong key, tampered ciphertext, unknown envelope version).
    #[error("cannot open sealed value: {0}")]
    Crypto(String),
    /// The subject's data key was destroyed (`forget_subject`): its sealed data is gone for good.
    #[error("the data of subject {0} has been erased")]
    Forgotten(String),
    /// An operating-system error (disk full, permission denied, …).
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    /// Any other failure reported by a backend, described without stored values.
    #[error("backend error: {0}")]
    Backend(String),
}

/// Shorthand used throughout the crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// "version N" or "absent", for conflict messages.
pub fn found_text(found: Option<u64>) -> String {
    found.map_or_else(|| "absent".to_owned(), |v| format!("version {v}"))
}
