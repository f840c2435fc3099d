//! # unchain-store
//!
//! Everything unchain knows lives here. This crate knows bytes, keys, named collections,
//! transactions and encryption — nothing of cases. See `docs/ARCHITECTURE.md` for the durability
//! guarantee and its limits.
#![deny(missing_docs)]

pub mod backend;
pub mod backup;
pub mod config;
pub mod conformance;
pub mod crypto;
pub mod error;
pub mod keys;
pub mod memory;
pub mod schema;
pub mod sled_backend;
pub mod store;

pub use backend::{Backend, Batch, Entry, Expect, Op, Receipt, Scan, Versioned, prefix_successor};
pub use config::{BackendConfig, DEFAULT_CACHE_BYTES, SledConfig, StoreConfig};
pub use crypto::{Keyring, KeyringConfig, MasterKey, MasterKeyId, SubjectId};
pub use error::{Result, StoreError};
pub use memory::MemoryBackend;
pub use schema::{Migration, SCHEMA_VERSION};
pub use sled_backend::SledBackend;
pub use store::{Store, open};
