//! The OpenAPI 3.1 document, built with utoipa from the route table ([`crate::routes::ENDPOINTS`])
//! so that no route can be mounted without being described.
//!
//! Schemas: the bodies the server defines (wrappers with a version, tokens, problems, pages)
//! derive `utoipa::ToSchema` here. The core's most used input/view types derive it too, behind
//! unchain-core's optional `openapi` feature (which only this crate enables), so their schemas are
//! exact: utoipa reads their serde attributes, and [`EXACT_CORE_TYPES`] is checked against real
//! serialised values in the tests below. Values of the pure crates' types inside them (lifecycle
//! states, jurisdictions, exploitation types) are described as strings or objects, since those
//! crates stay free of utoipa. The remaining core types ([`CORE_TYPES`] here and in
//! `crate::services`) still appear as named open objects pointing at their Rust type.

use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, Paths, Ref,
    RefOr, Required, ResponseBuilder, Schema,
};

use crate::error::{PROBLEM_JSON, Problem, ProblemField};
use crate::routes::{
    DocumentWithContent, EventBody, GroupBody, Health, IssuedToken, LinkBody, NewTokenBody,
    NewUserBody, OutcomeBody, PersonBody, WorkingDays,
};
use crate::services::{
    AdvocacyBody, CaseVersion, Created, DatedBody, DecisionBody, ErasureBody, FacilityDateBody,
    GradingBody, OpenBody, RecordLinks,
};
use crate::{Access, Endpoint};

/// The core types whose schema is derived from the Rust type (unchain-core's `openapi` feature):
/// exact, nested types included.
pub const EXACT_CORE_TYPES: &[&str] = &[
    "NewCase",
    "CaseView",
    "PersonView",
    "NewConsent",
    "NewReport",
    "ReportSummary",
    "FacilityInput",
    "FacilityView",
    "NeedsInput",
    "NewReferral",
    "CaseSummary",
    "ConsentStatus",
    "Source",
    "SourceView",
    "NewSuspect",
    "SuspectDetails",
    "SuspectSummary",
];

/// The core types still named in the document as open objects, with the Rust type that defines
/// their JSON.
const CORE_TYPES: &[(&str, &str)] = &[
    ("Actor", "unchain_core::users::Actor"),
    (
        "User",
        "unchain_core::records::Entity<unchain_core::users::User>",
    ),
    ("TokenInfo", "unchain_core::tokens::TokenInfo"),
    ("TimelineEntry", "unchain_core::cases::TimelineEntry"),
    ("DocumentMeta", "unchain_core::documents::DocumentMeta"),
    ("NewDocument", "unchain_core::documents::NewDocument"),
    (
        "ConsentRecord",
        "unchain_core::records::Entity<unchain_core::consent::ConsentRecord>",
    ),
    (
        "CommunityGroup",
        "unchain_core::campaign::CommunityGroup (as Entity when returned)",
    ),
    ("GroupRecord", "unchain_core::campaign::GroupRecord"),
    (
        "TrainingSession",
        "unchain_core::campaign::TrainingSession (as Entity when returned)",
    ),
    (
        "CampaignAction",
        "unchain_core::campaign::CampaignAction (as Entity when returned)",
    ),
    ("Verification", "unchain_core::audit::Verification"),
    ("AuditEntry", "unchain_core::audit::AuditEntry"),
    ("ChangePage", "unchain_core::feed::ChangePage"),
    ("Holiday", "unchain_core::nrm::calendar::Holiday"),
    ("Object", "any JSON object"),
];

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// The schema for a response or body name: a component, or `PageOfX` / `ListOfX` of one.
fn schema_for(name: &str) -> RefOr<Schema> {
    if let Some(item) = name.strip_prefix("PageOf") {
        return ObjectBuilder::new()
            .property("items", ArrayBuilder::new().items(reference(item)))
            .required("items")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("pass as cursor for the next page; absent on the last")),
            )
            .into();
    }
    if let Some(item) = name.strip_prefix("ListOf") {
        return ArrayBuilder::new().items(reference(item)).into();
    }
    reference(name)
}

/// The input type of a `VersionedInput` body, named in the summary as `(input: X…`, when its
/// schema is exact.
fn exact_versioned_input(e: &Endpoint) -> Option<&'static str> {
    if e.request != Some("VersionedInput") {
        return None;
    }
    let rest = e.summary.split_once("(input: ")?.1;
    let name = rest.split([';', ')']).next()?.trim();
    EXACT_CORE_TYPES.iter().copied().find(|t| *t == name)
}

/// `VersionedInput<T>` for an exact `T` (`services::VersionedInput`, deny_unknown_fields).
fn versioned_input(input: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .property(
            "version",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .description(Some("the version read (or send If-Match)")),
        )
        .property("input", reference(input))
        .required("input")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
}

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(reference("Problem")))
                .build(),
        )
        .build()
}

/// 429 from the authentication-failure limit (crate::limit), with its `Retry-After`.
fn too_many_failures() -> utoipa::openapi::Response {
    let mut res = problem(
        "Too many failed authentications from this client address within the window; the token \
         was not checked. Retry after `Retry-After` seconds.",
    );
    res.headers.insert(
        "Retry-After".to_owned(),
        utoipa::openapi::HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            )
            .description(Some("Seconds until the client may try again"))
            .build(),
    );
    res
}

fn operation(e: &Endpoint) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .operation_id(Some(e.id))
        .summary(Some(e.summary))
        .tag(e.tag);
    let mut description = match e.access {
        Access::Public => "No authentication.".to_owned(),
        Access::Authenticated => "Any valid token.".to_owned(),
        Access::Operation(o) => format!(
            "Requires a token whose role may `{}` (see the permission matrix in docs/SECURITY.md).",
            o.as_str()
        ),
        Access::AllOf(ops) => format!(
            "Requires a token whose role may {}.",
            ops.iter()
                .map(|o| format!("`{}`", o.as_str()))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Access::ByBody => {
            "The operation depends on the event (`cases::event_operation`): e.g. `case.update`, \
             `case.close`, `legal.manage`."
                .to_owned()
        }
    };
    if e.versioned {
        description.push_str(
            " Send the version read in the body or as `If-Match: \"<version>\"`; a stale one is \
             409 (body) or 412 (If-Match), and nothing is written.",
        );
    }
    op = op.description(Some(description));
    if e.access != Access::Public {
        op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
    }
    // Path parameters.
    for part in e.path.split('/') {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            let (format, text) = match name {
                "jurisdiction" => (None, "england-and-wales, scotland or northern-ireland"),
                _ if e.id == "get_case" => (None, "the case id or its reference (UC-000001)"),
                _ => (Some("uuid"), "the record's id"),
            };
            let mut schema = ObjectBuilder::new().schema_type(Type::String);
            if let Some(f) = format {
                schema = schema.format(Some(utoipa::openapi::SchemaFormat::Custom(f.into())));
            }
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(text))
                    .schema(Some(schema)),
            );
        }
    }
    for q in e.query {
        let kind = match q.kind {
            "integer" => Type::Integer,
            "boolean" => Type::Boolean,
            _ => Type::String,
        };
        let mut schema = ObjectBuilder::new().schema_type(kind);
        if !q.format.is_empty() {
            schema = schema.format(Some(utoipa::openapi::SchemaFormat::Custom(q.format.into())));
        }
        if q.name == "limit" {
            // Every list's page size (routes::MAX_LIMIT); outside it is 422 naming `limit`.
            schema = schema
                .minimum(Some(1))
                .maximum(Some(crate::routes::MAX_LIMIT as f64));
        }
        op = op.parameter(
            ParameterBuilder::new()
                .name(q.name)
                .parameter_in(ParameterIn::Query)
                .required(if q.required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(q.description))
                .schema(Some(schema)),
        );
    }
    if e.versioned {
        op = op.parameter(
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("the ETag of the version read"))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    if e.request == Some("ImportBody") {
        let text = || {
            ContentBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build()
        };
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("text/csv", text())
                .content("application/x-ndjson", text())
                .build(),
        ));
    } else if let Some(body) = e.request {
        let schema = match exact_versioned_input(e) {
            Some(input) => versioned_input(input),
            None => schema_for(body),
        };
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                )
                .build(),
        ));
    }
    let mut ok = ResponseBuilder::new()
        .description(if e.status == 201 { "Created" } else { "OK" })
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema_for(e.response)))
                .build(),
        );
    if e.id == "events" {
        ok = ok.content(
            "text/event-stream",
            ContentBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some(
                            "one `change` event per change: id = feed position, data = a Change",
                        )),
                ))
                .build(),
        );
    }
    op = op.response(e.status.to_string(), ok.build());
    if e.access != Access::Public {
        op = op.response("401", problem("No valid bearer token"));
    }
    // The limit answers every request that carries an `Authorization` header from a client over
    // it, public routes included (found by schemathesis's `ignored_auth` check on /healthz).
    op = op.response("429", too_many_failures());
    if matches!(
        e.access,
        Access::Operation(_) | Access::AllOf(_) | Access::ByBody
    ) {
        op = op.response("403", problem("The role does not allow this"));
    }
    if e.path.contains('{') {
        op = op.response("400", problem("A malformed path or query parameter"));
        op = op.response("404", problem("No such record"));
    } else if !e.query.is_empty() {
        op = op.response("400", problem("A malformed query parameter"));
    }
    if e.request.is_some() {
        op = op
            .response("400", problem("Malformed JSON"))
            .response("413", problem("Over the body limit"))
            .response("415", problem("Not application/json"));
    }
    // A record named in the path can be in a state a rule refuses (e.g. matching a case that has
    // no needs assessment), so those operations may refuse too.
    if e.request.is_some() || !e.query.is_empty() || e.path.contains('{') {
        op = op.response(
            "422",
            problem("Invalid input (every failing field) or refused by a rule of the work"),
        );
    }
    if e.versioned {
        op = op
            .response("409", problem("Stale version; nothing was written"))
            .response(
                "412",
                problem("If-Match does not match; nothing was written"),
            )
            .response("428", problem("No version given"));
    }
    if e.access != Access::Public {
        op = op.response(
            "500",
            problem("A store failure (logged with the request id)"),
        );
    }
    op.build()
}

/// Registers a core type's derived schema and those of the types it refers to (utoipa's
/// `schema_from` adds only the type itself).
fn exact<T: ToSchema>(components: ComponentsBuilder) -> ComponentsBuilder {
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    components.schema_from::<T>().schemas_from_iter(nested)
}

/// The document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    for e in crate::routes::endpoints() {
        let method = match e.method {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "DELETE" => HttpMethod::Delete,
            _ => HttpMethod::Patch,
        };
        let item = PathItem::new(method, operation(e));
        match paths.paths.get_mut(e.path) {
            Some(existing) => existing.merge_operations(item),
            None => {
                paths.paths.insert(e.path.to_owned(), item);
            }
        }
    }
    let mut components = ComponentsBuilder::new()
        .schema_from::<Problem>()
        .schema_from::<ProblemField>()
        .schema_from::<Health>()
        .schema_from::<NewUserBody>()
        .schema_from::<NewTokenBody>()
        .schema_from::<IssuedToken>()
        .schema_from::<EventBody>()
        .schema_from::<LinkBody>()
        .schema_from::<PersonBody>()
        .schema_from::<GroupBody>()
        .schema_from::<OutcomeBody>()
        .schema_from::<WorkingDays>()
        .schema_from::<DocumentWithContent>()
        .schema_from::<DecisionBody>()
        .schema_from::<GradingBody>()
        .schema_from::<DatedBody>()
        .schema_from::<AdvocacyBody>()
        .schema_from::<CaseVersion>()
        .schema_from::<FacilityDateBody>()
        .schema_from::<OpenBody>()
        .schema_from::<RecordLinks>()
        .schema_from::<ErasureBody>()
        .schema_from::<Created>()
        .schema(
            "FollowupNote",
            ArrayBuilder::new()
                .description(Some(
                    "One attempt's note: `[date, note]`; the note is null when none was written",
                ))
                .items(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::String, Type::Null])),
                )
                .min_items(Some(2))
                .max_items(Some(2)),
        )
        .schema(
            "VersionedInput",
            ObjectBuilder::new()
                .property(
                    "version",
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .description(Some("the version read (or send If-Match)")),
                )
                .property(
                    "input",
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .description(Some(
                            "the operation's input; its type is named in the operation's summary",
                        )),
                )
                .required("input"),
        )
        .security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    components = exact::<unchain_core::cases::NewCase>(components);
    components = exact::<unchain_core::cases::CaseView>(components);
    components = exact::<unchain_core::people::PersonView>(components);
    components = exact::<unchain_core::consent::NewConsent>(components);
    components = exact::<unchain_core::intel::NewReport>(components);
    components = exact::<unchain_core::intel::ReportSummary>(components);
    components = exact::<unchain_core::facilities::FacilityInput>(components);
    components = exact::<unchain_core::facilities::FacilityView>(components);
    components = exact::<unchain_core::placements::NeedsInput>(components);
    components = exact::<unchain_core::referrals::NewReferral>(components);
    components = exact::<unchain_core::cases::CaseSummary>(components);
    components = exact::<unchain_core::consent::ConsentStatus>(components);
    components = exact::<unchain_core::intel::Source>(components);
    components = exact::<unchain_core::intel::SourceView>(components);
    components = exact::<unchain_core::suspects::NewSuspect>(components);
    components = exact::<unchain_core::suspects::SuspectSummary>(components);
    for (name, rust) in CORE_TYPES.iter().chain(crate::services::CORE_TYPES) {
        components = components.schema(
            *name,
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(format!(
                    "The JSON (serde) form of `{rust}`; see the unchain-core documentation."
                ))),
        );
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("unchain")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The HTTP API of unchain. Errors are application/problem+json (RFC 9457).",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{NaiveDate, TimeZone, Utc};
    use serde_json::{Map, Value};
    use unchain_core::Role;
    use unchain_core::cases::NewCase;
    use unchain_core::consent::{ConsentMethod, ConsentScope, NewConsent};
    use unchain_core::facilities::FacilityInput;
    use unchain_core::intel::NewReport;
    use unchain_core::nrm::{ExploitationType, Jurisdiction};
    use unchain_core::people::{Contact, ContactKind, Gender, PersonDetails};
    use unchain_core::placements::NeedsInput;
    use unchain_core::referrals::NewReferral;
    use unchain_core::{FixedClock, Unchain};

    use super::*;

    /// Every `$ref` anywhere in the document names a component that exists: a type registered
    /// by name only (or a field pointing at an unregistered nested type) would leave integrators'
    /// generators and schemathesis with a dangling reference.
    #[test]
    fn every_reference_resolves() {
        fn walk(v: &Value, refs: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        refs.push(r.clone());
                    }
                    map.values().for_each(|x| walk(x, refs));
                }
                Value::Array(items) => items.iter().for_each(|x| walk(x, refs)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(document()).expect("the document serialises");
        let schemas = components();
        let mut refs = Vec::new();
        walk(&doc, &mut refs);
        assert!(
            refs.len() > 100,
            "only {} references: the walk is broken",
            refs.len()
        );
        let dangling: Vec<_> = refs
            .iter()
            .filter(|r| {
                r.strip_prefix("#/components/schemas/")
                    .is_none_or(|name| !schemas.contains_key(name))
            })
            .collect();
        assert!(dangling.is_empty(), "{dangling:?}");
    }

    fn components() -> Map<String, Value> {
        let doc = serde_json::to_value(document()).expect("the document serialises");
        doc["components"]["schemas"]
            .as_object()
            .expect("components.schemas")
            .clone()
    }

    /// Follows `$ref`s to the named component.
    fn resolve<'a>(schemas: &'a Map<String, Value>, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                let name = r.trim_start_matches("#/components/schemas/");
                resolve(schemas, &schemas[name])
            }
            None => schema,
        }
    }

    /// Checks `value` against `schema` the way serde and the document must agree: every object
    /// has each required property, no property its schema lacks, and its properties check
    /// recursively (through arrays, `$ref`s and the `oneOf` utoipa writes for an `Option`).
    /// Returns the paths that disagree.
    fn disagreements(
        schemas: &Map<String, Value>,
        schema: &Value,
        value: &Value,
        path: &str,
        out: &mut Vec<String>,
    ) {
        let schema = resolve(schemas, schema);
        if let Some(branches) = schema["oneOf"].as_array() {
            // An Option<T>: `null` or T. Check the non-null value against the non-null branch.
            if value.is_null() {
                return;
            }
            for b in branches {
                if resolve(schemas, b)["type"] != "null" {
                    disagreements(schemas, b, value, path, out);
                }
            }
            return;
        }
        match value {
            Value::Object(map) => {
                let Some(props) = schema["properties"].as_object() else {
                    // Described as an open object (a pure crate's type): nothing more to check.
                    let open = schema["type"] == "object"
                        || schema["type"]
                            .as_array()
                            .is_some_and(|t| t.contains(&Value::from("object")));
                    if !open {
                        out.push(format!("{path}: an object where the schema says {schema}"));
                    }
                    return;
                };
                for r in schema["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().expect("required names are strings");
                    if !map.contains_key(r) {
                        out.push(format!("{path}.{r}: required but absent"));
                    }
                }
                for (k, v) in map {
                    match props.get(k) {
                        Some(p) => disagreements(schemas, p, v, &format!("{path}.{k}"), out),
                        None => out.push(format!("{path}.{k}: not in the schema")),
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    disagreements(schemas, &schema["items"], v, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    /// Every field of `value`'s objects appears in at least one of the checked values, so that no
    /// property of the schema goes unexercised: the values below set every optional field.
    fn check(schemas: &Map<String, Value>, name: &str, value: &impl serde::Serialize) {
        let value = serde_json::to_value(value).expect("serialises");
        let mut out = Vec::new();
        disagreements(
            schemas,
            &serde_json::json!({ "$ref": format!("#/components/schemas/{name}") }),
            &value,
            name,
            &mut out,
        );
        assert!(out.is_empty(), "{name} disagrees with its schema: {out:#?}");
    }

    fn full_details() -> PersonDetails {
        PersonDetails {
            names: vec!["Ana Test".into(), "A. T.".into()],
            date_of_birth: Some(NaiveDate::from_ymd_opt(1990, 4, 1).expect("date")),
            estimated_age: Some(34),
            possibly_under_18: false,
            gender: Some(Gender::Female),
            nationalities: vec!["AL".into()],
            languages: vec!["sq".into()],
            dependants: 1,
            contacts: vec![Contact {
                kind: ContactKind::Phone,
                value: "07700 900123".into(),
                safe_to_use: true,
            }],
        }
    }

    /// The check itself finds an absent required property and one the schema lacks, nested too.
    #[test]
    fn the_check_finds_missing_and_extra_properties() {
        let schemas = components();
        let mut value = serde_json::to_value(NewConsent {
            scope: ConsentScope::NrmReferral,
            given: true,
            on: None,
            method: ConsentMethod::SignedForm,
            document_id: None,
        })
        .expect("serialises");
        value["extra"] = Value::Bool(true);
        value.as_object_mut().expect("object").remove("scope");
        let mut out = Vec::new();
        let schema = serde_json::json!({"$ref": "#/components/schemas/NewConsent"});
        disagreements(&schemas, &schema, &value, "NewConsent", &mut out);
        out.sort();
        assert_eq!(
            out,
            [
                "NewConsent.extra: not in the schema",
                "NewConsent.scope: required but absent"
            ]
        );
        let mut case = serde_json::to_value(NewCase {
            person: full_details(),
            jurisdiction: Jurisdiction::Scotland,
            exploitation: Vec::new(),
            opened_on: None,
            owner: None,
            report_ids: Vec::new(),
        })
        .expect("serialises");
        case["person"]["contacts"][0]["colour"] = Value::from("red");
        let mut out = Vec::new();
        let schema = serde_json::json!({"$ref": "#/components/schemas/NewCase"});
        disagreements(&schemas, &schema, &case, "NewCase", &mut out);
        assert_eq!(
            out,
            ["NewCase.person.contacts[0].colour: not in the schema"]
        );
    }

    #[test]
    fn exact_core_types_are_derived_not_open_objects() {
        let schemas = components();
        for name in EXACT_CORE_TYPES {
            let s = &schemas[*name];
            assert!(
                s["properties"].is_object(),
                "{name} should have a derived schema with properties: {s}"
            );
        }
        // A VersionedInput whose input is exact names it.
        let doc = serde_json::to_value(document()).expect("the document serialises");
        for (path, method, input) in [
            ("/api/v1/cases/{id}/nrm", "post", "NewReferral"),
            ("/api/v1/cases/{id}/needs", "post", "NeedsInput"),
            ("/api/v1/facilities/{id}", "put", "FacilityInput"),
        ] {
            let body =
                &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
            assert_eq!(
                body["properties"]["input"]["$ref"],
                format!("#/components/schemas/{input}"),
                "{method} {path}: {body}"
            );
            assert_eq!(body["additionalProperties"], Value::Bool(false));
        }
        // deny_unknown_fields on inputs is additionalProperties: false.
        for name in ["NewCase", "NewConsent", "PersonDetails", "Contact"] {
            assert_eq!(
                schemas[name]["additionalProperties"],
                Value::Bool(false),
                "{name}"
            );
        }
    }

    /// Real values, produced and accepted by a core, serialise to exactly their schemas.
    #[test]
    fn real_serialised_values_match_the_derived_schemas() {
        let schemas = components();
        let clock = FixedClock(
            Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0)
                .single()
                .expect("instant"),
        );
        let core = Unchain::in_memory(Arc::new(clock)).expect("core");
        core.bootstrap_admin("admin").expect("admin");
        let admin = core.actor("admin").expect("admin actor");
        core.create_user(&admin, "mgr", Role::Manager)
            .expect("manager");
        let mgr = core.actor("mgr").expect("manager actor");

        // Every optional field set, and none.
        let full = NewCase {
            person: full_details(),
            jurisdiction: Jurisdiction::Scotland,
            exploitation: vec![ExploitationType::Labour],
            opened_on: Some(NaiveDate::from_ymd_opt(2024, 6, 1).expect("date")),
            owner: Some("mgr".into()),
            report_ids: Vec::new(),
        };
        let bare = NewCase {
            person: PersonDetails::default(),
            jurisdiction: Jurisdiction::EnglandAndWales,
            exploitation: Vec::new(),
            opened_on: None,
            owner: None,
            report_ids: Vec::new(),
        };
        check(&schemas, "NewCase", &full);
        check(&schemas, "NewCase", &bare);
        let case = core.open_case(&mgr, full).expect("case opens");
        let other = core.open_case(&mgr, bare).expect("case opens");
        check(&schemas, "CaseView", &case);
        check(&schemas, "PersonView", &case.person);
        check(&schemas, "CaseView", &other);

        let given = NewConsent {
            scope: ConsentScope::NrmReferral,
            given: true,
            on: Some(NaiveDate::from_ymd_opt(2024, 6, 2).expect("date")),
            method: ConsentMethod::SignedForm,
            document_id: None,
        };
        let bare_consent = NewConsent {
            scope: ConsentScope::DataProcessing,
            given: false,
            on: None,
            method: ConsentMethod::Electronic,
            document_id: None,
        };
        check(&schemas, "NewConsent", &given);
        check(&schemas, "NewConsent", &bare_consent);
        core.record_consent(&mgr, case.person.id, given)
            .expect("consent recorded");
        core.record_consent(&mgr, case.person.id, bare_consent)
            .expect("consent recorded");

        // An erased person's view carries `erased` and no details.
        core.erase_person(&admin, other.person.id, "erasure request (test)")
            .expect("erased");
        let erased = core.case(&mgr, other.id).expect("case");
        assert!(erased.person.erased.is_some());
        check(&schemas, "CaseView", &erased);
        check(&schemas, "PersonView", &erased.person);

        // Intelligence: a source, a report with every optional field (so its summary carries an
        // indicator assessment), and a bare one.
        let statuses = core
            .consent_status(
                &mgr,
                case.person.id,
                NaiveDate::from_ymd_opt(2024, 6, 3).expect("date"),
            )
            .expect("consent status");
        assert!(statuses.iter().any(|s| s.since.is_some()));
        assert!(statuses.iter().any(|s| s.since.is_none()));
        for status in &statuses {
            check(&schemas, "ConsentStatus", status);
        }
        let cases = core
            .cases(&mgr, &unchain_core::cases::CaseFilter::default())
            .expect("cases");
        assert_eq!(cases.len(), 2);
        for summary in &cases {
            check(&schemas, "CaseSummary", summary);
        }

        let source: unchain_core::intel::Source =
            serde_json::from_value(serde_json::json!({"kind": "ngo", "name": "Partner NGO"}))
                .expect("source");
        check(&schemas, "Source", &source);
        let source = core.create_source(&mgr, source).expect("source created");
        check(&schemas, "SourceView", &source);
        // A trained community group's source carries `group_id` and `trained_since`.
        core.create_user(&admin, "camp", Role::CampaignOfficer)
            .expect("campaign officer");
        let camp = core.actor("camp").expect("campaign actor");
        let group = core
            .create_group(
                &camp,
                serde_json::from_value(serde_json::json!({"name": "Leeds group",
                    "area": "Leeds", "members": 12, "joined_on": "2024-01-10"}))
                .expect("group"),
            )
            .expect("group created");
        core.record_training(
            &camp,
            serde_json::from_value(serde_json::json!({"group_id": group.id,
                "date": "2024-02-01", "trainer": "Trainer", "attendees": 10,
                "topic": "Spotting the signs"}))
            .expect("training"),
        )
        .expect("training recorded");
        let group_source: unchain_core::intel::Source = serde_json::from_value(
            serde_json::json!({"kind": "community_group", "name": "Leeds group",
                "group_id": group.id}),
        )
        .expect("source");
        check(&schemas, "Source", &group_source);
        let group_source = core
            .create_source(&mgr, group_source)
            .expect("source created");
        assert!(group_source.trained_since.is_some());
        check(&schemas, "SourceView", &group_source);
        let full_report: NewReport = serde_json::from_value(serde_json::json!({
            "received_on": "2024-06-01",
            "source_id": source.id,
            "narrative": "People seen collected by van at dawn",
            "area": "Leeds",
            "indicators": ["ILO08"],
            "age_group": "adult",
            "exploitation_kind": "labour",
            "identifiers": [{"kind": "vehicle", "value": "AB12 CDE"}],
            "case_ids": [case.id],
            "suspect_ids": []
        }))
        .expect("a full NewReport");
        let bare_report: NewReport = serde_json::from_value(serde_json::json!({
            "source_id": source.id,
            "narrative": "A call about a car wash"
        }))
        .expect("a bare NewReport");
        check(&schemas, "NewReport", &full_report);
        check(&schemas, "NewReport", &bare_report);
        let summary = core.create_report(&mgr, full_report).expect("report");
        assert!(summary.assessment.is_some());
        check(&schemas, "ReportSummary", &summary);
        let summary = core.create_report(&mgr, bare_report).expect("report");
        check(&schemas, "ReportSummary", &summary);

        // Suspects: every optional field, and none.
        let full_suspect: unchain_core::suspects::NewSuspect =
            serde_json::from_value(serde_json::json!({
                "details": {
                    "identifiers": [{"kind": "phone", "value": "07700 900456"}],
                    "roles": ["recruiter_or_intermediary"],
                    "role_details": "met her at the station",
                    "nationality": "GB",
                    "gender": "male"
                },
                "report_ids": [summary.id],
                "case_ids": [case.id]
            }))
            .expect("a full NewSuspect");
        let bare_suspect: unchain_core::suspects::NewSuspect =
            serde_json::from_value(serde_json::json!({})).expect("a bare NewSuspect");
        for new in [full_suspect, bare_suspect] {
            check(&schemas, "NewSuspect", &new);
            check(&schemas, "SuspectDetails", &new.details);
            let suspect = core.create_suspect(&mgr, new).expect("suspect");
            check(&schemas, "SuspectSummary", &suspect);
        }

        // Facilities: every optional field, and none.
        let full_facility: FacilityInput = serde_json::from_value(serde_json::json!({
            "name": "Safe house 1",
            "operator": "Aftercare provider",
            "region": "Yorkshire and the Humber",
            "address": {"address": "10 Test Road", "location": {"lat": 53.8, "lon": -1.5}},
            "capacity": 6,
            "accepts": {"genders": ["female"], "age_groups": ["adult"], "max_dependants": 2,
                        "pregnancy": true},
            "languages": ["en", "sq"],
            "specialisms": ["sexual"],
            "services": ["medical"],
            "security": "high",
            "admission_rules": ["no_current_substance_use"],
            "open_to_referrals": true
        }))
        .expect("a full FacilityInput");
        let bare_facility: FacilityInput = serde_json::from_value(serde_json::json!({
            "name": "Safe house 2",
            "operator": "Aftercare provider",
            "region": "Yorkshire and the Humber",
            "address": {"address": "12 Test Road", "location": {"lat": 53.8, "lon": -1.5}},
            "capacity": 4,
            "accepts": {"genders": ["male"], "age_groups": ["adult"]}
        }))
        .expect("a bare FacilityInput");
        check(&schemas, "FacilityInput", &full_facility);
        check(&schemas, "FacilityInput", &bare_facility);
        for input in [full_facility, bare_facility] {
            let view = core.create_facility(&admin, input).expect("facility");
            check(&schemas, "FacilityView", &view);
            // As a role that may not see the address: the view without it.
            let view = core.facility(&mgr, view.id).expect("facility");
            check(&schemas, "FacilityView", &view);
        }

        // Needs and an NRM referral on the case with consent, once the person is free.
        let case = core.case(&mgr, case.id).expect("case");
        let case = core
            .record_case_event(
                &mgr,
                case.id,
                case.version,
                serde_json::from_value(serde_json::json!({
                    "kind": {"type": "rescued", "origin": "self_presented"},
                    "date": "2024-06-02"
                }))
                .expect("a NewEvent"),
            )
            .expect("rescued");
        check(&schemas, "CaseView", &case);
        let needs: NeedsInput = serde_json::from_value(serde_json::json!({
            "needs": {"gender": "female", "age_group": "adult", "languages": ["sq"]},
            "assessed_on": "2024-06-02",
            "keep_together_with": [],
            "keep_apart_from": []
        }))
        .expect("a NeedsInput");
        check(&schemas, "NeedsInput", &needs);
        let bare_needs: NeedsInput = serde_json::from_value(serde_json::json!({
            "needs": {"gender": "female", "age_group": "adult"}
        }))
        .expect("a bare NeedsInput");
        check(&schemas, "NeedsInput", &bare_needs);
        core.assess_needs(&mgr, case.id, case.version, needs)
            .expect("needs assessed");
        let referral: NewReferral = serde_json::from_value(serde_json::json!({
            "referred_on": "2024-06-03",
            "referrer": "other_first_responder",
            "first_responder_org": "Partner First Responder",
            "immigration": {"subject_to_immigration_control": false,
                "foreign_national_offender_detained": false, "deportation_started": false,
                "immigration_detainee": false, "inadmissible_asylum_claim": false},
            "exploitation_location": "Leeds",
            "exploitation_start": "2024-01-01",
            "exploitation_end": "2024-05-31",
            "exploitation_ongoing": false,
            "indicators": ["ILO08"],
            "consent_informed": true,
            "notes": "test"
        }))
        .expect("a full NewReferral");
        let bare_referral: NewReferral = serde_json::from_value(serde_json::json!({
            "referrer": "other_first_responder",
            "first_responder_org": "Partner First Responder"
        }))
        .expect("a bare NewReferral");
        check(&schemas, "NewReferral", &referral);
        check(&schemas, "NewReferral", &bare_referral);
        let case = core.case(&mgr, case.id).expect("case");
        core.nrm_refer(&mgr, case.id, case.version, referral)
            .expect("referred");
    }
}
