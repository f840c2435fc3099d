//! # unchain-store
//!
//! Everything unchain knows lives here. This crate knows bytes, keys, named collections,
//! transactions and encryption — nothing of cases. See `docs/ARCHITECTURE.md` for the durability
//! guarantee and its limits.
#![deny(missing_docs)]

pub mod backend;
pub mod error;

pub use backend::{Backend, Batch, Entry, Expect, Op, Receipt, Scan, Versioned, prefix_successor};
pub use error::{Result, StoreError};
