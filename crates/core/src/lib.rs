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

pub mod audit;
pub mod auth;
pub mod backup;
pub mod campaign;
pub mod cases;
pub mod consent;
pub mod demo;
pub mod documents;
pub mod erasure;
pub mod error;
pub mod export;
pub mod facilities;
pub mod feed;
pub mod followups;
pub mod grading;
pub mod import;
pub mod intel;
pub mod justice;
pub mod network;
pub mod open;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod people;
pub mod placements;
pub mod referrals;
pub mod reports;
pub mod rescues;
pub mod sealed;
pub mod suspects;
pub mod tokens;

pub use auth::{Operation, Role};
pub use error::{CoreError, FieldError, Result};
pub mod clock;
pub(crate) mod index;
pub mod records;
pub mod unchain;
pub mod users;
mod validate;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod properties;

pub use clock::{Clock, FixedClock, SystemClock};
pub use open::{Config, Initialised, KeySource};
pub use records::{Entity, Record};
pub use unchain::Unchain;
pub use users::{Actor, User};

/// Every record kind by collection, for messages that start from a store key.
pub(crate) const KINDS: &[(&str, &str)] = &[
    ("users", "user"),
    ("groups", "group"),
    ("trainings", "training"),
    ("campaign_actions", "campaign_action"),
    ("people", "person"),
    ("cases", "case"),
    ("consents", "consent"),
    ("consent_heads", "consent"),
    ("documents", "document"),
    ("sources", "source"),
    ("intel", "intelligence_report"),
    ("disseminations", "dissemination"),
    ("suspects", "suspect"),
    ("rescues", "rescue"),
    ("nrm_referrals", "nrm_referral"),
    ("facilities", "facility"),
    ("needs", "needs_assessment"),
    ("placements", "placement"),
    ("transports", "transport"),
    ("followups", "followup"),
    ("progress", "progress_assessment"),
    ("legal_records", "legal_record"),
    ("claims", "claim"),
    ("tokens", "token"),
];
