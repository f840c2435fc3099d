//! How stored records nested inside other types are named in the server's OpenAPI document
//! (only with the `openapi` feature).
//!
//! A stored record is serialised as [`Entity<T>`](crate::records::Entity): `id` and `version`
//! beside `T`'s own fields (flattened). utoipa cannot give a generic flattened wrapper a name of
//! its own, and `T`'s derived schema is an *input* schema (`additionalProperties: false` where
//! `T` denies unknown fields), so a field holding an `Entity<T>` refers to a component the server
//! builds from `T`'s schema plus `id` and `version` under the name given here. The server's tests
//! check that every such reference resolves and matches real serialised values.

use utoipa::openapi::{ArrayBuilder, Ref, RefOr, Schema};

/// `Entity<CommunityGroup>`: a registered community group.
pub const COMMUNITY_GROUP_ENTITY: &str = "CommunityGroupEntity";
/// `Entity<TrainingSession>`: a recorded training session.
pub const TRAINING_SESSION_ENTITY: &str = "TrainingSessionEntity";
/// `Entity<Prosecution>`: a prosecution as stored, with its id and version.
pub const PROSECUTION_ENTITY: &str = "ProsecutionEntity";
/// `Entity<Claim>`: a civil or compensation claim as stored, with its id and version.
pub const CLAIM_ENTITY: &str = "ClaimEntity";

fn named(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn list_of(name: &str) -> RefOr<Schema> {
    ArrayBuilder::new().items(named(name)).into()
}

pub(crate) fn community_group_entity() -> RefOr<Schema> {
    named(COMMUNITY_GROUP_ENTITY)
}

pub(crate) fn training_session_entities() -> RefOr<Schema> {
    list_of(TRAINING_SESSION_ENTITY)
}

pub(crate) fn prosecution_entities() -> RefOr<Schema> {
    list_of(PROSECUTION_ENTITY)
}

pub(crate) fn claim_entities() -> RefOr<Schema> {
    list_of(CLAIM_ENTITY)
}
