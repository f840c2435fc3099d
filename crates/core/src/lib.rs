//! # unchain-core
//!
//! The one core that the CLI, the HTTP server and embedding developers use. It composes the pure
//! domain crates and the store; every operation takes an actor, is authorised, audited and stored
//! atomically. The services arrive with the core issue; today it re-exports the domain crates so
//! that embedders reach everything through one dependency.
#![deny(missing_docs)]

pub use unchain_lifecycle as lifecycle;
pub use unchain_nrm as nrm;
pub use unchain_placement as placement;
pub use unchain_store as store;
