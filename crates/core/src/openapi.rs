//! How stored records nested inside other types are named in the server's OpenAPI document
//! (only with the `openapi` feature).
//!
//! A stored record is serialised as [`Entity<T>`](crate::records::Entity): `id` and `version`
//! beside `T`'s own fields (flattened). utoipa cannot give a generic flattened wrapper a name of
//! its own, and `T`'s derived schema is an *input* schema (`additionalProperties: false` where
//! `T` denies unknown fields), so a field holding an `Entity<T>` refers to a component the server
//! builds from `T`'s schema plus `id` and `version` under the name given here. The server's tests
//! check that every such reference resolves and matches real serialised values.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
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

/// The values serde accepts for a unit-only enum of a pure crate (which stays free of utoipa),
/// read from serde's own refusal of an unknown one (`unknown variant …, expected one of `a`,
/// `b``), so the list cannot drift from the Rust type. Empty if the type is not such an enum.
pub fn variants<T: DeserializeOwned>() -> Vec<String> {
    let Err(e) = serde_json::from_value::<T>(Value::String("\u{1}".to_owned())) else {
        return Vec::new();
    };
    let message = e.to_string();
    let Some((_, expected)) = message.split_once(", expected ") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn string_enum<T: DeserializeOwned>(nullable: bool) -> ObjectBuilder {
    let values = variants::<T>();
    assert!(
        !values.is_empty(),
        "{} is not a unit-only enum",
        std::any::type_name::<T>()
    );
    let mut values: Vec<Value> = values.into_iter().map(Value::String).collect();
    let kind = if nullable {
        values.push(Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some(values))
}

/// A pure crate's string enum `T`, with its values.
pub fn one<T: DeserializeOwned>() -> RefOr<Schema> {
    string_enum::<T>(false).into()
}

/// `Option<T>` of a pure crate's string enum: its values or null.
pub fn optional<T: DeserializeOwned>() -> RefOr<Schema> {
    string_enum::<T>(true).into()
}

/// `Vec<T>` of a pure crate's string enum.
pub fn many<T: DeserializeOwned>() -> RefOr<Schema> {
    ArrayBuilder::new().items(string_enum::<T>(false)).into()
}

/// `BTreeSet<T>` of a pure crate's string enum: no value twice.
pub fn set<T: DeserializeOwned>() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(string_enum::<T>(false))
        .unique_items(true)
        .into()
}

/// A pure crate's struct of yes/no flags (every field a required `bool`), its fields read from
/// serde's form of `T::default()` so the list cannot drift from the Rust type.
pub fn flags<T: Default + Serialize>() -> RefOr<Schema> {
    let Ok(Value::Object(fields)) = serde_json::to_value(T::default()) else {
        panic!("{} is not a struct", std::any::type_name::<T>());
    };
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for (name, value) in fields {
        assert!(
            value.is_boolean(),
            "{}.{name} is not a flag",
            std::any::type_name::<T>()
        );
        object = object
            .property(&name, ObjectBuilder::new().schema_type(Type::Boolean))
            .required(name);
    }
    object.into()
}
