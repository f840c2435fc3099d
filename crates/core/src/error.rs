//! The core's one error type. Its variants are what a front end needs to pick a status: the CLI
//! maps them to exit codes, the server to HTTP statuses. Messages never carry personal data.

use serde::{Deserialize, Serialize};

/// One failing field of a request: which one and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's path in the request, e.g. `person.date_of_birth` or `lines[3].phone`.
    pub field: String,
    /// Why it was refused, in words a user can act on.
    pub reason: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Everything a core operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing asked for does not exist (or the actor may not know that it does).
    #[error("{kind} {id} not found")]
    NotFound {
        /// What kind of thing (`case`, `facility`, …).
        kind: &'static str,
        /// Its id as given.
        id: String,
    },
    /// The actor's role does not allow the operation.
    #[error("{actor} ({role}) may not {operation}")]
    Forbidden {
        /// The acting user's name.
        actor: String,
        /// Their role.
        role: String,
        /// The operation refused (dotted name).
        operation: &'static str,
    },
    /// The input is invalid; every failing field is listed.
    #[error("invalid input: {}", summary(.0))]
    Validation(Vec<FieldError>),
    /// The record changed since it was read (stale version); nothing was written.
    #[error(
        "{kind} {id} has changed (you had version {expected}, it is now {found}); nothing was written"
    )]
    Conflict {
        /// What kind of thing.
        kind: &'static str,
        /// Its id.
        id: String,
        /// The version the caller had.
        expected: u64,
        /// The version stored now.
        found: u64,
    },
    /// A rule of the work refuses the request (e.g. sharing without consent), with the reason.
    #[error("refused: {0}")]
    Refused(String),
    /// The store failed (disk, corruption, key); see the inner error.
    #[error(transparent)]
    Store(#[from] unchain_store::StoreError),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Shorthand used throughout the core.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
