//! Identifier normalisation and the organised-crime picture (clusters).
//!
//! [`normalise`] writes every phone, postcode, plate, e-mail, name, handle and business one way;
//! [`cluster()`] groups the reports, cases and suspects that share one, transitively. Both are pure,
//! so the service only has to gather what the actor may see.

pub mod cluster;
pub mod normalise;

pub use cluster::{
    Cluster, ClusterOptions, ClusterRow, IndicatorCount, MemberKind, MemberRef, SharedIdentifier,
    cluster, shared_kinds,
};
pub use normalise::{Identifier, IdentifierKind, Invalid, MatchKind, normalise};
pub mod service;

pub use service::{ClusterView, PackageScope, PoliceItem, PolicePackage, SharedView, Withheld};
