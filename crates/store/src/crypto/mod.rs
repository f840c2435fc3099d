//! Encryption at rest: personal values are sealed before they reach a [`Backend`](crate::Backend).
//!
//! The layers, from the outside in (the full story, byte layouts included, is in
//! `docs/encryption.md`):
//!
//! - A [`MasterKey`] (256 bits) lives outside the store: in a key file with owner-only permissions
//!   or in the `UNCHAIN_MASTER_KEY` environment variable. It never reaches the backend; only its
//!   [`MasterKeyId`] (a one-way fingerprint) and a key check value do.
//! - Every subject (a person, a record owner) has its own random 256-bit data key. Data keys are
//!   stored through the backend in the reserved collection [`KEYS_COLLECTION`], each wrapped
//!   (XChaCha20-Poly1305) under the master key.
//! - A personal value is sealed under its subject's data key into a versioned [`envelope`], with the
//!   caller's *context* (where the value lives) as associated data, so a sealed value copied to
//!   another record does not open.
//!
//! The [`Keyring`] ties the three together: it checks the master key on open, creates data keys on
//! first use, caches unwrapped data keys (bounded, zeroized), destroys a subject's key on request
//! (crypto-shredding) and re-wraps every data key under a new master key without stopping readers.

pub mod envelope;
mod keyring;
mod master;
mod records;
mod subject;

#[cfg(test)]
mod test_backend;

pub use envelope::{ENVELOPE_VERSION, Envelope, context};
pub use keyring::{
    FreshKeyPuts, FreshKeys, Keyring, KeyringConfig, RotationReport, SubjectKeyState,
};
pub use master::{MASTER_KEY_ENV, MasterKey, MasterKeyId};
pub use subject::SubjectId;

/// The reserved collection that holds the key check value and every wrapped data key.
///
/// Nothing else may write here: the keyring's invariants (one key per subject, tombstones that
/// are never overwritten) depend on it.
pub const KEYS_COLLECTION: &str = "__keys";
