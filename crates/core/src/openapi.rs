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
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
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

fn number(minimum: f64, maximum: f64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .minimum(Some(minimum))
        .maximum(Some(maximum))
}

/// `unchain_placement::GeoPoint`: a WGS84 point (the core refuses one outside these ranges). The
/// server's tests check real values against it, so a field added to the type fails them.
pub fn geo_point() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("lat", number(-90.0, 90.0))
        .required("lat")
        .property("lon", number(-180.0, 180.0))
        .required("lon")
        .into()
}

/// `unchain_placement::Acceptance`: whom a facility accepts. Its enums' values come from serde
/// ([`set`]); real values are checked against it in the server's tests.
pub fn acceptance() -> RefOr<Schema> {
    use unchain_placement::{AgeGroup, Gender};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("genders", set::<Gender>())
        .required("genders")
        .property("age_groups", set::<AgeGroup>())
        .required("age_groups")
        .property(
            "max_dependants",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(0)),
        )
        .property("pregnancy", ObjectBuilder::new().schema_type(Type::Boolean))
        .into()
}

/// An internally tagged enum of a pure crate (`#[serde(tag = "…")]`, e.g. a lifecycle event):
/// an object whose `tag` is one of the variants serde accepts (read from its refusal, as in
/// [`variants`]); the other properties depend on the variant and are not described.
pub fn tagged<T: DeserializeOwned>(tag: &str) -> RefOr<Schema> {
    let mut probe = serde_json::Map::new();
    probe.insert(tag.to_owned(), Value::String("\u{1}".to_owned()));
    let values = match serde_json::from_value::<T>(Value::Object(probe)) {
        Err(e) => e
            .to_string()
            .split_once(", expected ")
            .map(|(_, expected)| {
                expected
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(|v| Value::String(v.to_owned()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
        Ok(_) => Vec::new(),
    };
    assert!(
        !values.is_empty(),
        "{} is not tagged by {tag}",
        std::any::type_name::<T>()
    );
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            tag,
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values)),
        )
        .required(tag)
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        .description(Some(format!(
            "`{tag}` names the variant; the other properties depend on it"
        )))
        .into()
}

/// `unchain_lifecycle::EventKind`, tagged by `type` (see [`tagged`]).
pub fn event_kind() -> RefOr<Schema> {
    tagged::<unchain_lifecycle::EventKind>("type")
}

fn nullable_geo_point() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .property("lat", number(-90.0, 90.0))
        .required("lat")
        .property("lon", number(-180.0, 180.0))
        .required("lon")
}

fn string_set(max_length: usize) -> ArrayBuilder {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(max_length)),
        )
        .unique_items(true)
}

/// `unchain_placement::Needs`: what a person needs from a placement (the core's needs
/// assessment input). Ranges are the core's and the matcher's checks (`dependants` at most 20,
/// languages up to 35 characters, a region up to 100); enums' values come from serde. Real
/// values are checked against it in the server's tests, so a field added to the type fails them.
pub fn needs() -> RefOr<Schema> {
    use unchain_nrm::ExploitationType;
    use unchain_placement::{AgeGroup, ExclusionKind, Gender, SecurityLevel, Service};
    let boolean = || ObjectBuilder::new().schema_type(Type::Boolean);
    let zone = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("kind", one::<ExclusionKind>())
        .required("kind")
        .property("centre", geo_point())
        .required("centre")
        .property(
            "radius_km",
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .minimum(Some(0.0)),
        )
        .required("radius_km");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("gender", one::<Gender>())
        .required("gender")
        .property("age_group", one::<AgeGroup>())
        .required("age_group")
        .property(
            "dependants",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(0))
                .maximum(Some(20)),
        )
        .property("pregnant", boolean())
        .property("languages", string_set(35))
        .property("exploitation_types", set::<ExploitationType>())
        .property("required_services", set::<Service>())
        .property("required_security", one::<SecurityLevel>())
        .property("exclusion_zones", ArrayBuilder::new().items(zone))
        .property(
            "preferred_region",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .max_length(Some(100)),
        )
        .property("preferred_point", nullable_geo_point())
        .property("current_location", nullable_geo_point())
        .property(
            "max_travel_km",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .minimum(Some(0.0)),
        )
        .property("current_substance_use", boolean())
        .property("mental_health_stable", boolean())
        .property("recently_trafficked", boolean())
        .into()
}

/// `unchain_lifecycle::NrmState`, tagged by `state` (see [`tagged`]).
pub fn nrm_state() -> RefOr<Schema> {
    tagged::<unchain_lifecycle::NrmState>("state")
}

/// `unchain_lifecycle::AftercareState`, tagged by `state` (see [`tagged`]).
pub fn aftercare_state() -> RefOr<Schema> {
    tagged::<unchain_lifecycle::AftercareState>("state")
}

/// A list of `unchain_lifecycle::Track`, each tagged by `track` (see [`tagged`]).
pub fn tracks() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(tagged::<unchain_lifecycle::Track>("track"))
        .into()
}

/// A list of `unchain_nrm::RouteReason`, each tagged by `reason` (see [`tagged`]).
pub fn route_reasons() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(tagged::<unchain_nrm::RouteReason>("reason"))
        .into()
}

/// A list of `unchain_placement::Ineligibility`, each tagged by `constraint` (see [`tagged`]).
pub fn ineligibilities() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(tagged::<unchain_placement::Ineligibility>("constraint"))
        .into()
}

/// `unchain_nrm::indicators::Combination`: how many indicators of each strength satisfied a
/// dimension. Real values are checked against it in the server's tests.
pub fn combination() -> RefOr<Schema> {
    let count = || {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(0))
            .maximum(Some(255))
    };
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for name in ["strong", "medium", "weak", "medium_or_weak"] {
        object = object.property(name, count()).required(name);
    }
    object.into()
}
