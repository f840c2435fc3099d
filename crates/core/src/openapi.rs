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
    ArrayItems, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
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
        .property("max_dependants", count(KnownFormat::Int32))
        .property("pregnancy", ObjectBuilder::new().schema_type(Type::Boolean))
        .into()
}

/// What serde made of a probe: accepted (or refused only for a field still missing, so the
/// probed value itself was fine), or refused with its message.
enum Verdict {
    Accepted,
    Refused(String),
}

impl Verdict {
    fn of(result: Result<(), String>) -> Self {
        match result {
            Ok(()) => Verdict::Accepted,
            Err(m) if m.starts_with("missing field") => Verdict::Accepted,
            Err(m) => Verdict::Refused(m),
        }
    }
}

fn parses<T: DeserializeOwned>(object: &serde_json::Map<String, Value>) -> Result<(), String> {
    serde_json::from_value::<T>(Value::Object(object.clone()))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The values listed by serde's "unknown variant …, expected one of `a`, `b`" (or "expected `a`").
fn listed_values(message: &str) -> Vec<Value> {
    if !message.starts_with("unknown variant") {
        return Vec::new();
    }
    let Some((_, expected)) = message.split_once(", expected ") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|v| Value::String(v.to_owned()))
        .collect()
}

/// The schema of one value, and a value serde accepts, found by offering probes to `accepts`
/// and reading its refusals: a free string, a string enum (its values from the refusal), a
/// uuid, a date, an integer, a boolean, or an array of one of those. `None` when none fits.
fn probe(accepts: &dyn Fn(Value) -> Verdict, depth: usize) -> Option<(RefOr<Schema>, Value)> {
    let message = match accepts(Value::String("\u{1}".to_owned())) {
        Verdict::Accepted => return Some((text().into(), Value::String("x".to_owned()))),
        Verdict::Refused(m) => m,
    };
    let values = listed_values(&message);
    if let Some(first) = values.first().cloned() {
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values));
        return Some((schema.into(), first));
    }
    let unsigned = message.contains("expected u");
    let candidates = [
        (
            Value::String(uuid::Uuid::nil().to_string()),
            text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        ),
        (
            Value::String("2024-01-01".to_owned()),
            text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        ),
        (
            Value::from(0),
            if unsigned {
                count(KnownFormat::Int64)
            } else {
                ObjectBuilder::new().schema_type(Type::Integer)
            },
        ),
        (
            Value::Bool(false),
            ObjectBuilder::new().schema_type(Type::Boolean),
        ),
    ];
    for (value, schema) in candidates {
        if matches!(accepts(value.clone()), Verdict::Accepted) {
            return Some((schema.into(), value));
        }
    }
    if depth == 0 {
        return None;
    }
    let (item, sample) = probe(&|v| accepts(Value::Array(vec![v])), depth - 1)?;
    Some((
        ArrayBuilder::new().items(item).into(),
        Value::Array(vec![sample]),
    ))
}

/// A field the probes cannot describe (a struct or a tagged enum nested in a variant), given
/// by hand: its name, its schema and a value serde accepts for it.
pub type Known = (&'static str, RefOr<Schema>, Value);

/// A JSON object as serde reads it.
type JsonObject = serde_json::Map<String, Value>;

/// Adds to `object` every field `check` requires of `sample`, in serde's order, each described
/// by `known` or else by [`probe`]. `None` when a field cannot be described.
fn required_fields(
    check: &dyn Fn(&JsonObject) -> Result<(), String>,
    mut sample: JsonObject,
    mut object: ObjectBuilder,
    known: &[Known],
) -> Option<ObjectBuilder> {
    // A type has a handful of fields; the bound only stops one that never settles.
    for _ in 0..32 {
        let message = match check(&sample) {
            Ok(()) => return Some(object),
            Err(m) => m,
        };
        let field = message
            .strip_prefix("missing field `")?
            .split('`')
            .next()?
            .to_owned();
        let (schema, value) = match known.iter().find(|(name, _, _)| *name == field) {
            Some((_, schema, value)) => (schema.clone(), value.clone()),
            None => probe(
                &|v| {
                    let mut tried = sample.clone();
                    tried.insert(field.clone(), v);
                    Verdict::of(check(&tried))
                },
                1,
            )?,
        };
        sample.insert(field.clone(), value);
        object = object.property(&field, schema).required(field);
    }
    None
}

/// A pure crate's struct `T`, its required fields read from serde's refusals as in [`tagged`].
pub fn object<T: DeserializeOwned>(known: &[Known]) -> RefOr<Schema> {
    required_fields(
        &parses::<T>,
        serde_json::Map::new(),
        ObjectBuilder::new().schema_type(Type::Object),
        known,
    )
    .unwrap_or_else(|| {
        panic!(
            "{} has a field its refusals do not describe",
            std::any::type_name::<T>()
        )
    })
    .into()
}

/// The variants serde accepts for an internally tagged enum `T`, read from its refusal of an
/// unknown tag.
fn tags<T: DeserializeOwned>(tag: &str) -> Vec<Value> {
    let mut probe = serde_json::Map::new();
    probe.insert(tag.to_owned(), Value::String("\u{1}".to_owned()));
    parses::<T>(&probe)
        .err()
        .map(|m| listed_values(&m))
        .unwrap_or_default()
}

/// An internally tagged enum of a pure crate (`#[serde(tag = "…")]`, e.g. a lifecycle event).
pub fn tagged<T: DeserializeOwned>(tag: &str) -> RefOr<Schema> {
    tagged_with::<T>(tag, &[])
}

/// An internally tagged enum of a pure crate: one of its variants, each an object whose `tag`
/// names it and whose required fields are described — all read from serde's own refusals of
/// probes (an unknown tag lists the variants; a missing field names it; a wrong value lists an
/// enum's values or rules out a type), so the schema cannot drift from the Rust type. `known`
/// describes the fields a probe cannot (nested structs). Fields a variant may leave out
/// (`serde(default)`) would not be found this way; none of the pure crates' tagged enums has
/// one, and the server's tests check real values against these schemas, so one added later
/// fails them.
pub fn tagged_with<T: DeserializeOwned>(tag: &str, known: &[Known]) -> RefOr<Schema> {
    let names = tags::<T>(tag);
    assert!(
        !names.is_empty(),
        "{} is not tagged by {tag}",
        std::any::type_name::<T>()
    );
    let mut one_of = utoipa::openapi::schema::OneOfBuilder::new();
    for name in &names {
        let mut sample = serde_json::Map::new();
        sample.insert(tag.to_owned(), name.clone());
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                tag,
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(vec![name.clone()])),
            )
            .required(tag);
        let Some(object) = required_fields(&parses::<T>, sample, object, known) else {
            panic!(
                "variant {name} of {} has a field its refusals do not describe",
                std::any::type_name::<T>()
            );
        };
        one_of = one_of.item(object);
    }
    one_of
        .description(Some(format!(
            "`{tag}` names the variant; each variant's required properties are listed"
        )))
        .into()
}

/// `unchain_nrm::Deadlines`: a referral's five deadlines, each with where it stands. Written
/// by hand (the type is an output serde cannot read back, so it cannot be probed); its enums'
/// values come from serde, and the server's tests check real values against it.
pub fn deadlines() -> RefOr<Schema> {
    use unchain_nrm::deadlines::{DayUnit, Status};
    let nullable = |kind: Type| SchemaType::from_iter([kind, Type::Null]);
    let deadline: RefOr<Schema> = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("status", one::<Status>())
        .required("status")
        .property(
            "due",
            ObjectBuilder::new()
                .schema_type(nullable(Type::String))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .required("due")
        .property("unit", one::<DayUnit>())
        .required("unit")
        .property(
            "days",
            ObjectBuilder::new()
                .schema_type(nullable(Type::Integer))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .description(Some(
                    "pending: days left; met or missed: the margin (negative: late)",
                )),
        )
        .required("days")
        .property(
            "open_ended",
            ObjectBuilder::new().schema_type(Type::Boolean),
        )
        .required("open_ended")
        .property("basis", text())
        .required("basis")
        .into();
    let mut object = ObjectBuilder::new()
        .schema_type(nullable(Type::Object))
        .description(Some("null for a Duty to Notify, which has no decisions"));
    for name in [
        "rg_due",
        "recovery_period_end",
        "cg_earliest",
        "reconsideration_window_end",
        "move_on_end",
    ] {
        object = object.property(name, deadline.clone()).required(name);
    }
    object.into()
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
        .property("dependants", count(KnownFormat::Int32).maximum(Some(20)))
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
    let tally = || count(KnownFormat::Int32).maximum(Some(255));
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for name in ["strong", "medium", "weak", "medium_or_weak"] {
        object = object.property(name, tally()).required(name);
    }
    object.into()
}

fn count(format: KnownFormat) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .minimum(Some(0))
}

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// `unchain_placement::Score`: a facility's points for a person, criterion by criterion. Real
/// values are checked against it in the server's tests.
pub fn score() -> RefOr<Schema> {
    use unchain_placement::Criterion;
    let part = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("criterion", one::<Criterion>())
        .required("criterion")
        .property("points", count(KnownFormat::Int32))
        .required("points")
        .property("max_points", count(KnownFormat::Int32))
        .required("max_points");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("total", count(KnownFormat::Int32))
        .required("total")
        .property("parts", ArrayBuilder::new().items(part))
        .required("parts")
        .into()
}

/// `unchain_placement::Groups`: people to keep together (lists of person ids) and pairs to keep
/// apart.
pub fn groups() -> RefOr<Schema> {
    let pair = ArrayBuilder::new()
        .prefix_items([text(), text()])
        .items(ArrayItems::False)
        .min_items(Some(2))
        .max_items(Some(2));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "keep_together",
            ArrayBuilder::new().items(ArrayBuilder::new().items(text())),
        )
        .required("keep_together")
        .property("keep_apart", ArrayBuilder::new().items(pair))
        .required("keep_apart")
        .into()
}

/// `unchain_placement::UnplacedReason`, tagged by `reason`: the facilities that refused the
/// person and why, or the ones that had no room.
pub fn unplaced_reason() -> RefOr<Schema> {
    use unchain_placement::{Blocked, Rejection, UnplacedReason};
    let rejection = object::<Rejection>(&[("reasons", ineligibilities(), Value::Array(vec![]))]);
    tagged_with::<UnplacedReason>(
        "reason",
        &[
            (
                "rejections",
                ArrayBuilder::new().items(rejection).into(),
                Value::Array(vec![]),
            ),
            (
                "candidates",
                ArrayBuilder::new().items(object::<Blocked>(&[])).into(),
                Value::Array(vec![]),
            ),
        ],
    )
}

/// `unchain_placement::Objective`: people housed, then the total score.
fn objective() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("people_housed", count(KnownFormat::Int64))
        .required("people_housed")
        .property("total_score", count(KnownFormat::Int64))
        .required("total_score")
}

/// `unchain_placement::Optimality`, tagged by `status`: proven optimal, or the best found with
/// the bound it was measured against.
pub fn optimality() -> RefOr<Schema> {
    tagged_with::<unchain_placement::Optimality>(
        "status",
        &[(
            "upper_bound",
            objective().into(),
            serde_json::json!({"people_housed": 0, "total_score": 0}),
        )],
    )
}

/// `unchain_placement::Assignment`: the proposed placements, who stays unplaced and why (tagged
/// by `reason`), the objective reached and whether it is proven optimal (tagged by `status`).
/// Real values are checked against it in the server's tests.
pub fn assignment() -> RefOr<Schema> {
    let placement = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("person_id", text())
        .required("person_id")
        .property("facility_id", text())
        .required("facility_id")
        .property("beds", count(KnownFormat::Int32))
        .required("beds")
        .property("score", score())
        .required("score");
    let unplaced = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("person_id", text())
        .required("person_id")
        .property("reason", unplaced_reason())
        .required("reason");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("placements", ArrayBuilder::new().items(placement))
        .required("placements")
        .property("unplaced", ArrayBuilder::new().items(unplaced))
        .required("unplaced")
        .property("objective", objective())
        .required("objective")
        .property("optimality", optimality())
        .required("optimality")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(schema: RefOr<Schema>) -> Value {
        serde_json::to_value(schema).expect("a schema serialises")
    }

    /// The branch of a tagged schema for one variant.
    fn branch<'a>(schema: &'a Value, tag: &str, name: &str) -> &'a Value {
        schema["oneOf"]
            .as_array()
            .expect("oneOf")
            .iter()
            .find(|b| b["properties"][tag]["enum"][0] == name)
            .unwrap_or_else(|| panic!("no branch for {name}"))
    }

    // Every tagged enum of the pure crates that the document shows is described variant by
    // variant (`tagged` panics on a field its probes cannot describe).
    #[test]
    fn every_tagged_enum_is_described_variant_by_variant() {
        let all = [
            ("EventKind", json(event_kind()), "type"),
            ("NrmState", json(nrm_state()), "state"),
            ("AftercareState", json(aftercare_state()), "state"),
            ("Track", json(tracks())["items"].clone(), "track"),
            (
                "RouteReason",
                json(route_reasons())["items"].clone(),
                "reason",
            ),
            (
                "Ineligibility",
                json(ineligibilities())["items"].clone(),
                "constraint",
            ),
            ("UnplacedReason", json(unplaced_reason()), "reason"),
            ("Optimality", json(optimality()), "status"),
        ];
        for (name, schema, tag) in &all {
            let branches = schema["oneOf"].as_array().expect(name);
            assert!(!branches.is_empty(), "{name}");
            for b in branches {
                assert_eq!(b["required"][0], *tag, "{name}: {b}");
            }
        }
    }

    // What the probes find, against the Rust types (crates/lifecycle/src/event.rs,
    // crates/placement/src/eligibility.rs): an enum field with its values, a uuid, an integer,
    // an array of an enum, and a variant without fields.
    #[test]
    fn probes_find_each_kind_of_field() {
        let events = json(event_kind());
        let rescued = branch(&events, "type", "rescued");
        assert_eq!(rescued["required"], serde_json::json!(["type", "origin"]));
        let origins: Vec<String> = rescued["properties"]["origin"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(origins, variants::<unchain_lifecycle::RescueOrigin>());
        let matched = branch(&events, "type", "aftercare_matched");
        assert_eq!(matched["properties"]["facility"]["format"], "uuid");
        let verdict = branch(&events, "type", "prosecution_verdict");
        assert_eq!(
            verdict["required"],
            serde_json::json!(["type", "suspect", "verdict"])
        );
        let opened = branch(&events, "type", "opened");
        assert_eq!(opened["required"], serde_json::json!(["type"]));

        let ineligible = json(ineligibilities())["items"].clone();
        let too_many = branch(&ineligible, "constraint", "too_many_dependants");
        assert_eq!(too_many["properties"]["dependants"]["type"], "integer");
        assert_eq!(too_many["properties"]["dependants"]["minimum"], 0);
        let missing = branch(&ineligible, "constraint", "missing_services");
        assert_eq!(missing["properties"]["missing"]["type"], "array");
        assert!(
            missing["properties"]["missing"]["items"]["enum"]
                .as_array()
                .is_some_and(|v| !v.is_empty())
        );
    }
}
