//! The OpenAPI 3.1 document, built with utoipa from the route table ([`crate::routes::ENDPOINTS`])
//! so that no route can be mounted without being described.
//!
//! Schemas: every body and response is exact. The bodies the server defines (wrappers with a
//! version, tokens, problems, pages) derive `utoipa::ToSchema` here. Every core input and view
//! type derives it too, behind unchain-core's optional `openapi` feature (which only this crate
//! enables), so utoipa reads their serde attributes: `rename_all`, `deny_unknown_fields`
//! (`additionalProperties: false`), `Option` and `skip_serializing_if` (nullable, not required),
//! `flatten` (`allOf`), internally and adjacently tagged enums (`oneOf` with the tag as a
//! one-value `enum`). [`EXACT_CORE_TYPES`] lists them. Stored records (`Entity<T>`, the justice
//! service's `Recorded<T>`) have no Rust type of their own per `T`: [`STORED_CORE_TYPES`] are
//! built here from `T`'s derived schema plus the keys serde writes beside it (see [`stored`]);
//! fields that hold one point at them by name (`unchain_core::openapi`). `Holiday` (from the pure
//! unchain-nrm crate) is written by hand. One component stays free-form, `Object`, for the two
//! bodies that are any JSON: this document and a subject access export.
//!
//! Values of the pure crates' types inside core types are described by `unchain_core::openapi`
//! (those crates stay free of utoipa, tests/e2e/architecture.rs): string enums with their values,
//! and internally tagged enums (events, tracks, NRM and aftercare states, route reasons,
//! ineligibility and unplaced reasons, optimality) as a `oneOf` of their variants, each with its
//! required fields and their types — all read from serde's own refusals of probe values (an
//! unknown value lists the variants, a missing field names it, a wrong value lists an enum's
//! values or rules out a type), so they cannot drift; geo points, acceptance, needs, immigration
//! flags, indicator counts, placement scores, a proposal's groups and assignment and a
//! referral's deadlines by hand.
//!
//! The tests check every exact and stored type against real serialised values (the demo dataset
//! read back through every read the API serves, and a value of every input): each required
//! property present, none the schema lacks, strings within their `enum`, JSON types (null
//! included) within the schema's `type`, through `$ref`, `allOf`, `oneOf`, arrays and tuples.
//! CI's schemathesis pass (bench/schemathesis.sh) checks the live server's responses too.

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
/// exact, nested types included. Each is checked against real serialised values in the tests.
pub const EXACT_CORE_TYPES: &[&str] = &[
    // cases, people, consent, documents
    "NewCase",
    "CaseView",
    "CaseSummary",
    "NewEvent",
    "TimelineEntry",
    "PersonView",
    "NewConsent",
    "ConsentStatus",
    "DocumentMeta",
    "NewDocument",
    // intelligence, suspects, rescues
    "Source",
    "SourceView",
    "NewReport",
    "ReportSummary",
    "ReportDetail",
    "Grading",
    "NewDissemination",
    "DisseminationView",
    "NewSuspect",
    "SuspectDetails",
    "SuspectSummary",
    "SuspectView",
    "NewRescue",
    // NRM and justice
    "NewReferral",
    "NrmChange",
    "NrmReferralView",
    "NrmDeadlines",
    "NrmOverdueItem",
    "NewAdvice",
    "NewPoliceReport",
    "ProsecutionChange",
    "NewClaim",
    "ClaimChange",
    "JusticeRecord",
    "AdvocacyShare",
    // facilities, placement, follow-ups
    "FacilityInput",
    "FacilityView",
    "NeedsInput",
    "NeedsSummary",
    "NeedsView",
    "Matches",
    "AssignRequest",
    "Proposal",
    "AftercareStep",
    "PlacementView",
    "ExitInput",
    "TransportInput",
    "TransportView",
    "FollowupPolicy",
    "FollowupLine",
    "ContactInput",
    "ProgressInput",
    "ProgressTrend",
    // people's rights, network, import, reports, export
    "ErasureReport",
    "ClusterView",
    "PackageScope",
    "PolicePackage",
    "ImportReport",
    "SummaryReport",
    "NrmReport",
    "AftercareReport",
    "JusticeReport",
    "CampaignReport",
    "Anonymised",
    // users, tokens, audit, the change feed, campaign
    "Actor",
    "TokenInfo",
    "Verification",
    "AuditEntry",
    "ChangePage",
    "CommunityGroup",
    "GroupRecord",
    "TrainingSession",
    "CampaignAction",
];

/// Stored records as read (`Entity<T>`: `id`, `version` and `T`'s fields) and the justice
/// service's `Recorded<T>` (`id`, `version`, `case_version` and `T`'s fields): components built
/// from `T`'s derived schema (see [`stored`]), by name.
pub const STORED_CORE_TYPES: &[&str] = &[
    "User",
    "ConsentRecord",
    "CommunityGroupEntity",
    "TrainingSessionEntity",
    "CampaignActionEntity",
    "Rescue",
    "LegalRecord",
    "ProsecutionEntity",
    "ClaimEntity",
    "RecordedProsecution",
    "RecordedClaim",
];

/// Operations without a path id whose body names existing records (by id, or a user by name):
/// one that does not exist is 404, as in a path (found by schemathesis once the bodies were
/// exact: a valid `{"scope": "cluster", "id": …}` reached the core).
const BODY_NAMES_RECORDS: &[&str] = &[
    "issue_token",
    "open_case",
    "record_training",
    "record_action",
    "police_package",
    "create_source",
    "create_report",
    "create_suspect",
    "record_rescue",
    "placement_assign",
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
            // `Option<u64>`: absent or null when sent as If-Match instead.
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(0))
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
            if name == "jurisdiction" {
                schema = schema.enum_values(Some(unchain_core::openapi::variants::<
                    unchain_core::nrm::Jurisdiction,
                >()));
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
        if q.kind == "integer" {
            // Every integer query parameter is unsigned (`u32`, `u64`, `usize`) but the year.
            schema = match q.name {
                "year" => schema.minimum(Some(1971)).maximum(Some(2100)),
                _ => schema.minimum(Some(0)),
            };
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
    if BODY_NAMES_RECORDS.contains(&e.id) {
        op = op.response("404", problem("A record the body names does not exist"));
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

/// Every (name, schema) pair the core types put in the document, nested ones included, in order
/// of registration: a name given twice must mean the same schema (checked in the tests).
type Named = Vec<(String, RefOr<Schema>)>;

/// A core type's derived schema and those of the types it refers to (utoipa's `schema_from`
/// adds only the type itself).
fn exact<T: ToSchema>(out: &mut Named) {
    out.push((T::name().into_owned(), T::schema()));
    T::schemas(out);
}

/// A stored record's schema under `name`: `keys` (the record's id and versions) then `T`'s own
/// properties, as serde writes the wrapper (`#[serde(flatten)] data: T`). `T`'s schema is an
/// input schema when `T` denies unknown fields; the stored form carries the keys besides, so the
/// merged schema drops `additionalProperties: false`. `T` itself is not registered: its name is
/// the record's (e.g. `Rescue` is `Entity<Rescue>`).
fn stored<T: ToSchema>(out: &mut Named, name: &str, keys: &[(&str, &str)]) {
    let RefOr::T(Schema::Object(data)) = T::schema() else {
        panic!("{name}: the stored type's schema is not a plain object");
    };
    let mut record = ObjectBuilder::new().description(data.description.clone());
    for (key, description) in keys {
        let schema = if *key == "id" {
            ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid),
            ))
        } else {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(0))
        };
        let schema = schema.description(Some(*description));
        record = record.property(*key, schema).required(*key);
    }
    for (property, schema) in data.properties {
        record = record.property(property, schema);
    }
    for property in data.required {
        record = record.required(property);
    }
    out.push((name.to_owned(), record.into()));
    T::schemas(out);
}

/// `Entity<T>`: `id` and `version` besides `T`'s fields.
fn entity<T: ToSchema>(out: &mut Named, name: &str) {
    stored::<T>(
        out,
        name,
        &[
            ("id", "the record's id"),
            ("version", "the version read; send it back with an update"),
        ],
    )
}

/// `justice::Recorded<T>`: `id`, `version` and the case's new `case_version` besides `T`'s fields.
fn recorded<T: ToSchema>(out: &mut Named, name: &str) {
    stored::<T>(
        out,
        name,
        &[
            ("id", "the record's id"),
            ("version", "the record's version"),
            ("case_version", "the case's version after the change"),
        ],
    )
}

/// Every core type in the document: derived ([`EXACT_CORE_TYPES`]), stored records
/// ([`STORED_CORE_TYPES`]), and the two described by hand.
fn core_schemas() -> Named {
    use unchain_core::openapi::{
        CLAIM_ENTITY, COMMUNITY_GROUP_ENTITY, PROSECUTION_ENTITY, TRAINING_SESSION_ENTITY,
    };
    use unchain_core::*;
    let mut c = Vec::new();
    exact::<cases::NewCase>(&mut c);
    exact::<cases::CaseView>(&mut c);
    exact::<cases::CaseSummary>(&mut c);
    exact::<cases::NewEvent>(&mut c);
    exact::<cases::TimelineEntry>(&mut c);
    exact::<people::PersonView>(&mut c);
    exact::<consent::NewConsent>(&mut c);
    exact::<consent::ConsentStatus>(&mut c);
    exact::<documents::DocumentMeta>(&mut c);
    exact::<documents::NewDocument>(&mut c);
    exact::<intel::Source>(&mut c);
    exact::<intel::SourceView>(&mut c);
    exact::<intel::NewReport>(&mut c);
    exact::<intel::ReportSummary>(&mut c);
    exact::<intel::ReportDetail>(&mut c);
    exact::<grading::Grading>(&mut c);
    exact::<intel::NewDissemination>(&mut c);
    exact::<intel::DisseminationView>(&mut c);
    exact::<suspects::NewSuspect>(&mut c);
    exact::<suspects::SuspectDetails>(&mut c);
    exact::<suspects::SuspectSummary>(&mut c);
    exact::<suspects::SuspectView>(&mut c);
    exact::<rescues::NewRescue>(&mut c);
    exact::<referrals::NewReferral>(&mut c);
    exact::<referrals::NrmChange>(&mut c);
    exact::<referrals::NrmReferralView>(&mut c);
    exact::<referrals::NrmDeadlines>(&mut c);
    exact::<referrals::NrmOverdueItem>(&mut c);
    exact::<justice::NewAdvice>(&mut c);
    exact::<justice::NewPoliceReport>(&mut c);
    exact::<justice::ProsecutionChange>(&mut c);
    exact::<justice::NewClaim>(&mut c);
    exact::<justice::ClaimChange>(&mut c);
    exact::<justice::JusticeRecord>(&mut c);
    exact::<justice::AdvocacyShare>(&mut c);
    exact::<facilities::FacilityInput>(&mut c);
    exact::<facilities::FacilityView>(&mut c);
    exact::<placements::NeedsInput>(&mut c);
    exact::<placements::NeedsSummary>(&mut c);
    exact::<placements::NeedsView>(&mut c);
    exact::<placements::Matches>(&mut c);
    exact::<placements::AssignRequest>(&mut c);
    exact::<placements::Proposal>(&mut c);
    exact::<placements::AftercareStep>(&mut c);
    exact::<placements::PlacementView>(&mut c);
    exact::<placements::ExitInput>(&mut c);
    exact::<placements::TransportInput>(&mut c);
    exact::<placements::TransportView>(&mut c);
    exact::<followups::FollowupPolicy>(&mut c);
    exact::<followups::FollowupLine>(&mut c);
    exact::<followups::ContactInput>(&mut c);
    exact::<followups::ProgressInput>(&mut c);
    exact::<followups::ProgressTrend>(&mut c);
    exact::<erasure::ErasureReport>(&mut c);
    exact::<network::ClusterView>(&mut c);
    exact::<network::PackageScope>(&mut c);
    exact::<network::PolicePackage>(&mut c);
    exact::<import::ImportReport>(&mut c);
    exact::<reports::SummaryReport>(&mut c);
    exact::<reports::NrmReport>(&mut c);
    exact::<reports::AftercareReport>(&mut c);
    exact::<reports::JusticeReport>(&mut c);
    exact::<reports::CampaignReport>(&mut c);
    exact::<export::Anonymised>(&mut c);
    exact::<users::Actor>(&mut c);
    exact::<tokens::TokenInfo>(&mut c);
    exact::<audit::Verification>(&mut c);
    exact::<audit::AuditEntry>(&mut c);
    exact::<feed::ChangePage>(&mut c);
    exact::<campaign::CommunityGroup>(&mut c);
    exact::<campaign::GroupRecord>(&mut c);
    exact::<campaign::TrainingSession>(&mut c);
    exact::<campaign::CampaignAction>(&mut c);

    entity::<users::User>(&mut c, "User");
    entity::<consent::ConsentRecord>(&mut c, "ConsentRecord");
    entity::<campaign::CommunityGroup>(&mut c, COMMUNITY_GROUP_ENTITY);
    entity::<campaign::TrainingSession>(&mut c, TRAINING_SESSION_ENTITY);
    entity::<campaign::CampaignAction>(&mut c, "CampaignActionEntity");
    entity::<rescues::Rescue>(&mut c, "Rescue");
    entity::<justice::LegalRecord>(&mut c, "LegalRecord");
    entity::<justice::Prosecution>(&mut c, PROSECUTION_ENTITY);
    entity::<justice::Claim>(&mut c, CLAIM_ENTITY);
    recorded::<justice::Prosecution>(&mut c, "RecordedProsecution");
    recorded::<justice::Claim>(&mut c, "RecordedClaim");

    // A pure crate's type (unchain-nrm stays free of utoipa): its serde form by hand.
    c.push((
        "Holiday".to_owned(),
        ObjectBuilder::new()
            .description(Some(
                "A bank holiday of a UK jurisdiction (`unchain_nrm::calendar::Holiday`)",
            ))
            .property(
                "date",
                ObjectBuilder::new().schema_type(Type::String).format(Some(
                    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date),
                )),
            )
            .required("date")
            .property("name", ObjectBuilder::new().schema_type(Type::String))
            .required("name")
            .into(),
    ));
    // Genuinely free-form: this document itself (`GET /api/v1/openapi.json`) and a subject
    // access export (`GET /api/v1/people/{id}/export`: every record held about a person, of any
    // kind, as the core's `serde_json::Value`).
    c.push((
        "Object".to_owned(),
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Any JSON object"))
            .into(),
    ));
    c
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
        .security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    components = components.schemas_from_iter(core_schemas());
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
    /// has each required property and no property its schema lacks; strings are among the
    /// schema's `enum` when it has one; JSON types (null included) are among the schema's
    /// `type`; and it recurses through `$ref`s, arrays and tuples (`prefixItems`), `allOf` (serde's
    /// `flatten`: the branches' properties together make the object) and `oneOf` (an `Option`'s
    /// null branch, or a tagged enum's variants: the value must match exactly one).
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
            let mut results: Vec<Vec<String>> = branches
                .iter()
                .map(|b| {
                    let mut o = Vec::new();
                    disagreements(schemas, b, value, path, &mut o);
                    o
                })
                .collect();
            let matching = results.iter().filter(|r| r.is_empty()).count();
            if matching > 1 {
                out.push(format!("{path}: matches {matching} branches of a oneOf"));
            } else if matching == 0 {
                results.sort_by_key(Vec::len);
                out.append(&mut results.swap_remove(0));
            }
            return;
        }
        if let Some(branches) = schema["allOf"].as_array() {
            // serde's flatten: one object whose properties the branches share out.
            let mut merged = Map::new();
            let mut required = Vec::new();
            for b in branches {
                let b = resolve(schemas, b);
                assert!(
                    b["additionalProperties"] != Value::Bool(false),
                    "{path}: an allOf branch forbids the other branches' properties: {b}"
                );
                if let Some(props) = b["properties"].as_object() {
                    merged.extend(props.clone());
                }
                required.extend(b["required"].as_array().cloned().unwrap_or_default());
                assert!(
                    b["allOf"].is_null() && b["oneOf"].is_null(),
                    "{path}: nested allOf/oneOf in a flatten: extend the check ({b})"
                );
            }
            let object = serde_json::json!({
                "type": "object", "properties": merged, "required": required
            });
            disagreements(schemas, &object, value, path, out);
            return;
        }
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let allowed = types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
        if !types.is_empty() && !allowed {
            out.push(format!("{path}: a {kind} where the schema says {types:?}"));
            return;
        }
        if let (Some(allowed), false) = (schema["enum"].as_array(), value.is_null()) {
            if !allowed.contains(value) {
                out.push(format!("{path}: {value} is not one of {allowed:?}"));
            }
        }
        match value {
            Value::Object(map) => {
                let Some(props) = schema["properties"].as_object() else {
                    // Described as an open object (a pure crate's type): nothing more to check.
                    if !types.contains(&"object") {
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
                // Only a schema that says so (`additionalProperties: true`) takes others.
                let open = schema["additionalProperties"] == Value::Bool(true);
                for (k, v) in map {
                    match props.get(k) {
                        Some(p) => disagreements(schemas, p, v, &format!("{path}.{k}"), out),
                        None if open => {}
                        None => out.push(format!("{path}.{k}: not in the schema")),
                    }
                }
            }
            Value::Array(items) => {
                if let Some(prefix) = schema["prefixItems"].as_array() {
                    if prefix.len() != items.len() {
                        out.push(format!(
                            "{path}: {} items, the tuple has {}",
                            items.len(),
                            prefix.len()
                        ));
                    }
                    for (i, (s, v)) in prefix.iter().zip(items).enumerate() {
                        disagreements(schemas, s, v, &format!("{path}[{i}]"), out);
                    }
                    return;
                }
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
                s["properties"].is_object() || s["oneOf"].is_array() || s["allOf"].is_array(),
                "{name} should have a derived schema (properties, oneOf or allOf): {s}"
            );
        }
        for name in STORED_CORE_TYPES {
            let s = &schemas[*name];
            for key in ["id", "version"] {
                assert!(s["properties"][key].is_object(), "{name}.{key}: {s}");
            }
            assert!(s["additionalProperties"].is_null(), "{name}: {s}");
        }
        // No component is an open object but the one free-form `Object`, and only the two
        // free-form bodies use it.
        for (name, s) in &schemas {
            let structured = [
                "properties",
                "oneOf",
                "allOf",
                "enum",
                "items",
                "prefixItems",
            ]
            .iter()
            .any(|k| !s[*k].is_null());
            assert!(
                structured || name == "Object" || s["type"] != "object",
                "{name} is an open object: {s}"
            );
        }
        // A body naming a record that does not exist is 404 (schemathesis, finding 7).
        let document_json = serde_json::to_value(document()).expect("the document serialises");
        for (path, method) in [
            ("/api/v1/network/police-package", "post"),
            ("/api/v1/placements/assign", "post"),
            ("/api/v1/intel", "post"),
        ] {
            assert!(
                document_json["paths"][path][method]["responses"]["404"].is_object(),
                "{method} {path} documents no 404"
            );
        }
        let free: Vec<_> = crate::routes::endpoints()
            .filter(|e| e.response == "Object" || e.request == Some("Object"))
            .map(|e| e.id)
            .collect();
        assert_eq!(free, ["openapi", "export_person"]);
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

    /// The values read from serde's refusal are exactly the enum's, in order, for every pure
    /// enum that lists its own (`ALL`), and none for a type that is not a unit-only enum.
    #[test]
    fn enum_values_come_from_serde() {
        use unchain_core::openapi::variants;
        fn names<T: serde::Serialize>(all: &[T]) -> Vec<String> {
            all.iter()
                .map(|v| match serde_json::to_value(v).expect("serialises") {
                    Value::String(s) => s,
                    other => panic!("not a string: {other}"),
                })
                .collect()
        }
        assert_eq!(variants::<Jurisdiction>(), names(&Jurisdiction::ALL));
        assert_eq!(
            variants::<unchain_core::lifecycle::Stage>(),
            names(&unchain_core::lifecycle::Stage::ALL)
        );
        assert_eq!(
            variants::<unchain_core::placement::Service>(),
            names(&unchain_core::placement::Service::ALL)
        );
        assert!(variants::<NewCase>().is_empty());
        assert!(variants::<u32>().is_empty());
        // One value, and two: serde words those lists differently.
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum One {
            OnlyOne,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Two {
            First,
            Second,
        }
        let _ = (One::OnlyOne, Two::First, Two::Second);
        assert_eq!(variants::<One>(), ["only_one"]);
        assert_eq!(variants::<Two>(), ["first", "second"]);
    }

    /// A name given twice in the document means one schema: utoipa names a type by its bare Rust
    /// name, so two core types of one name (e.g. `people::ContactKind` and
    /// `followups::ContactKind`) would silently overwrite each other.
    #[test]
    fn no_two_core_types_share_a_name() {
        let mut seen: std::collections::BTreeMap<String, String> = Default::default();
        for (name, schema) in core_schemas() {
            let json = serde_json::to_string(&schema).expect("serialises");
            if let Some(before) = seen.insert(name.clone(), json.clone()) {
                assert_eq!(before, json, "two schemas named {name}");
            }
        }
        // The server's own bodies and the core's do not collide either.
        let doc = serde_json::to_value(document()).expect("the document serialises");
        for (name, json) in &seen {
            let registered =
                serde_json::to_string(&doc["components"]["schemas"][name]).expect("serialises");
            let json: Value = serde_json::from_str(json).expect("json");
            assert_eq!(
                registered,
                serde_json::to_string(&json).expect("serialises"),
                "{name} was overwritten"
            );
        }
    }

    /// Checks values against their components and remembers which were checked.
    struct Checker<'a> {
        schemas: &'a Map<String, Value>,
        seen: std::collections::BTreeSet<String>,
    }

    impl Checker<'_> {
        fn check(&mut self, name: &str, value: &impl serde::Serialize) {
            self.seen.insert(name.to_owned());
            check(self.schemas, name, value);
        }
    }

    /// An input's JSON as serde accepts and writes it back (so the value is a real one).
    fn typed(name: &str, json: Value) -> Value {
        fn rt<T: serde::Serialize + serde::de::DeserializeOwned>(name: &str, json: Value) -> Value {
            let value: T = serde_json::from_value(json)
                .unwrap_or_else(|e| panic!("serde refuses the {name}: {e}"));
            serde_json::to_value(value).expect("serialises")
        }
        use unchain_core::*;
        match name {
            "NewDissemination" => rt::<intel::NewDissemination>(name, json),
            "NewRescue" => rt::<rescues::NewRescue>(name, json),
            "NrmChange" => rt::<referrals::NrmChange>(name, json),
            "NewPoliceReport" => rt::<justice::NewPoliceReport>(name, json),
            "ProsecutionChange" => rt::<justice::ProsecutionChange>(name, json),
            "NewClaim" => rt::<justice::NewClaim>(name, json),
            "ClaimChange" => rt::<justice::ClaimChange>(name, json),
            "ExitInput" => rt::<placements::ExitInput>(name, json),
            "TransportInput" => rt::<placements::TransportInput>(name, json),
            "ContactInput" => rt::<followups::ContactInput>(name, json),
            "ProgressInput" => rt::<followups::ProgressInput>(name, json),
            other => panic!("no type for {other}"),
        }
    }

    /// The demo dataset (written through the real services) read back through every read the
    /// API serves, and a value of every input, each checked against its schema; every exact and
    /// stored type is checked at least once.
    #[test]
    fn demo_values_match_their_schemas() {
        use std::collections::BTreeSet;
        use unchain_core::*;

        let schemas = components();
        let mut ck = Checker {
            schemas: &schemas,
            seen: BTreeSet::new(),
        };

        let clock = FixedClock(
            Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0)
                .single()
                .expect("instant"),
        );
        let core = Unchain::in_memory(Arc::new(clock)).expect("core");
        core.bootstrap_admin("admin").expect("admin");
        let admin = core.actor("admin").expect("admin actor");
        core.generate_demo(&admin, demo::DemoConfig { seed: 1, size: 40 })
            .expect("demo");
        let mut actors = vec![admin.clone()];
        for (name, role) in [
            ("mgr", Role::Manager),
            ("inv", Role::Investigator),
            ("care", Role::AftercareCoordinator),
            ("legal", Role::LegalAdvocate),
            ("camp", Role::CampaignOfficer),
            ("analyst", Role::Analyst),
        ] {
            core.create_user(&admin, name, role).expect("user");
            actors.push(core.actor(name).expect("actor"));
        }
        // The first role the core allows (the admin may not read everything).
        fn any<T>(actors: &[users::Actor], f: impl Fn(&users::Actor) -> Result<T>) -> Option<T> {
            for a in actors {
                match f(a) {
                    Ok(v) => return Some(v),
                    Err(CoreError::Forbidden { .. }) => continue,
                    Err(_) => return None,
                }
            }
            None
        }
        let today = NaiveDate::from_ymd_opt(2024, 6, 3).expect("date");

        // Users, tokens, audit, the feed, calendars.
        ck.check("Actor", &admin);
        for u in core.users(&admin).expect("users") {
            ck.check("User", &u);
        }
        let (token, _secret) = core
            .issue_token(&admin, "mgr", "test", None)
            .expect("token");
        ck.check("TokenInfo", &token);
        let revoked = core.revoke_token(&admin, token.id).expect("revoked");
        ck.check("TokenInfo", &revoked);
        for t in core.tokens(&admin, None).expect("tokens") {
            ck.check("TokenInfo", &t);
        }
        ck.check("Verification", &core.verify_audit(&admin).expect("verify"));
        for e in core.audit_entries(&admin, 1, 50).expect("entries") {
            ck.check("AuditEntry", &e);
        }
        ck.check(
            "ChangePage",
            &core.changes(&admin, 0, 50, 10_000).expect("feed"),
        );
        for h in nrm::calendar::holidays(nrm::Jurisdiction::Scotland, 2024).expect("holidays") {
            ck.check("Holiday", &h);
        }

        // Campaign.
        for g in any(&actors, |a| core.groups(a)).expect("groups") {
            ck.check("CommunityGroupEntity", &g);
            ck.check("CommunityGroup", &g.data);
            ck.check(
                "GroupRecord",
                &any(&actors, |a| core.group(a, g.id)).expect("group"),
            );
        }
        let camp = &actors[5];
        let action = core
            .record_action(
                camp,
                serde_json::from_value(serde_json::json!({"kind": "event",
                    "date": "2024-06-01", "target": "Leeds", "description": "stall",
                    "outcome": "leaflets given"}))
                .expect("an action"),
            )
            .expect("action");
        ck.check("CampaignAction", &action.data);
        for a in any(&actors, |a| core.actions(a)).expect("actions") {
            ck.check("CampaignActionEntity", &a);
        }
        let trainings = any(&actors, |a| core.groups(a)).expect("groups");
        let training = core
            .record_training(
                camp,
                serde_json::from_value(serde_json::json!({"group_id": trainings[0].id,
                    "date": "2024-06-01", "trainer": "T", "attendees": 3, "topic": "signs"}))
                .expect("a training"),
            )
            .expect("training");
        ck.check("TrainingSession", &training.data);
        ck.check("TrainingSessionEntity", &training);

        // Intelligence and suspects.
        let reports = any(&actors, |a| core.reports(a, &Default::default())).expect("reports");
        for r in &reports {
            let detail = any(&actors, |a| core.report(a, r.id)).expect("report");
            ck.check("ReportDetail", &detail);
            if let Some(g) = &detail.summary.grading {
                ck.check("Grading", &g.grading);
            }
            for d in any(&actors, |a| core.disseminations(a, r.id)).unwrap_or_default() {
                ck.check("DisseminationView", &d);
            }
            if let Some(package) = any(&actors, |a| {
                core.police_package(a, network::PackageScope::Report(r.id))
            }) {
                ck.check("PackageScope", &package.scope);
                ck.check("PolicePackage", &package);
            }
        }
        for s in any(&actors, |a| core.suspects(a)).expect("suspects") {
            ck.check(
                "SuspectView",
                &any(&actors, |a| core.suspect(a, s.id)).expect("suspect"),
            );
        }
        let clusters =
            any(&actors, |a| core.network_clusters(a, &Default::default())).expect("clusters");
        assert!(!clusters.is_empty());
        for c in &clusters {
            ck.check("ClusterView", c);
        }
        for r in any(&actors, |a| core.rescues(a)).expect("rescues") {
            ck.check("Rescue", &r);
        }

        // Cases and everything hanging off them.
        let cases = any(&actors, |a| core.cases(a, &Default::default())).expect("cases");
        let mut assign = Vec::new();
        for c in &cases {
            for t in any(&actors, |a| core.timeline(a, c.id)).unwrap_or_default() {
                ck.check("TimelineEntry", &t);
                if let Some(kind) = &t.event {
                    ck.check(
                        "NewEvent",
                        &cases::NewEvent {
                            kind: *kind,
                            date: Some(t.date),
                            reason: Some("test".into()),
                        },
                    );
                }
            }
            for d in any(&actors, |a| core.documents(a, c.id)).unwrap_or_default() {
                ck.check("DocumentMeta", &d);
            }
            for r in any(&actors, |a| core.nrm_referrals(a, c.id)).unwrap_or_default() {
                ck.check("NrmReferralView", &r);
            }
            if let Some(d) = any(&actors, |a| core.nrm_deadlines(a, c.id, today)) {
                ck.check("NrmDeadlines", &d);
            }
            if let Some(j) = any(&actors, |a| core.justice_record(a, c.id)) {
                for p in &j.prosecutions {
                    ck.check("ProsecutionEntity", p);
                    ck.check(
                        "RecordedProsecution",
                        &justice::Recorded {
                            id: p.id,
                            version: p.version,
                            case_version: j.case_version,
                            data: p.data.clone(),
                        },
                    );
                }
                for cl in &j.claims {
                    ck.check("ClaimEntity", cl);
                    ck.check(
                        "RecordedClaim",
                        &justice::Recorded {
                            id: cl.id,
                            version: cl.version,
                            case_version: j.case_version,
                            data: cl.data.clone(),
                        },
                    );
                }
                ck.check("JusticeRecord", &j);
            }
            if let Some(n) = any(&actors, |a| core.needs_assessment(a, c.id)) {
                ck.check("NeedsSummary", &n.summary);
                ck.check("NeedsView", &n);
                if let Some(m) = any(&actors, |a| core.placement_matches(a, c.id)) {
                    ck.check("Matches", &m);
                    let request = placements::AssignRequest {
                        rescue_id: None,
                        case_ids: vec![c.id],
                    };
                    if any(&actors, |a| core.placement_assign(a, &request)).is_some() {
                        assign.push(c.id);
                    }
                }
            }
            for p in any(&actors, |a| core.placements(a, c.id)).unwrap_or_default() {
                ck.check("PlacementView", &p);
            }
            for t in any(&actors, |a| core.transports(a, c.id)).unwrap_or_default() {
                ck.check("TransportView", &t);
            }
            for f in any(&actors, |a| core.followups(a, c.id)).unwrap_or_default() {
                ck.check("FollowupLine", &f);
            }
            if let Some(p) = any(&actors, |a| core.progress_trend(a, c.id)) {
                ck.check("ProgressTrend", &p);
            }
            let case = any(&actors, |a| core.case(a, c.id)).expect("case");
            for consent in any(&actors, |a| core.consents(a, case.person.id)).unwrap_or_default() {
                ck.check("ConsentRecord", &consent);
            }
        }
        // A rescue of two new people, assessed, then proposed placements for the rescue.
        let rescue: rescues::NewRescue = serde_json::from_value(serde_json::json!({
            "date": "2024-06-02", "area": "Leeds", "partner_agencies": ["Police"],
            "people": [
                {"kind": "new", "person": {"names": ["Test One"], "gender": "female"}},
                {"kind": "new", "person": {"names": ["Test Two"], "gender": "female"},
                 "origin": "self_presented"}
            ]
        }))
        .expect("a NewRescue");
        ck.check("NewRescue", &rescue);
        let rescue = any(&actors, |a| core.record_rescue(a, rescue.clone())).expect("rescue");
        ck.check("Rescue", &rescue);
        // Every field of the needs set for the first person, none but the required for the other.
        let full_needs = serde_json::json!({
            "gender": "female", "age_group": "adult", "dependants": 1, "pregnant": false,
            "languages": ["sq", "en"], "exploitation_types": ["labour"],
            "required_services": ["interpreter"], "required_security": "standard",
            "exclusion_zones": [{"kind": "place_of_exploitation",
                "centre": {"lat": 53.8, "lon": -1.55}, "radius_km": 5.0}],
            "preferred_region": "Yorkshire and the Humber",
            "preferred_point": {"lat": 53.8, "lon": -1.5},
            "current_location": {"lat": 53.79, "lon": -1.54},
            "max_travel_km": 400.0, "current_substance_use": false,
            "mental_health_stable": true, "recently_trafficked": true
        });
        for (i, entry) in rescue.data.people.iter().enumerate() {
            let case = any(&actors, |a| core.case(a, entry.case_id)).expect("case");
            let needs = if i == 0 {
                full_needs.clone()
            } else {
                serde_json::json!({"gender": "female", "age_group": "adult"})
            };
            // The second is kept apart from the first, so the proposal's groups hold a pair.
            let apart: Vec<_> = rescue.data.people[..i].iter().map(|p| p.case_id).collect();
            let needs: placements::NeedsInput = serde_json::from_value(
                serde_json::json!({ "needs": needs, "keep_apart_from": apart }),
            )
            .expect("a NeedsInput");
            ck.check("NeedsInput", &needs);
            let summary = any(&actors, |a| {
                core.assess_needs(a, case.id, case.version, needs.clone())
            })
            .expect("needs");
            ck.check("NeedsSummary", &summary);
            let view = core
                .needs_assessment(&actors[1], entry.case_id)
                .expect("needs");
            assert!(view.needs.is_some(), "a manager sees the needs");
            ck.check("NeedsView", &view);
        }
        let request = placements::AssignRequest {
            rescue_id: Some(rescue.id),
            case_ids: assign,
        };
        ck.check("AssignRequest", &request);
        let proposal = any(&actors, |a| core.placement_assign(a, &request)).expect("proposal");
        assert!(!proposal.groups.keep_apart.is_empty(), "a pair kept apart");
        assert!(
            !proposal.assignment.unplaced.is_empty(),
            "someone unplaced, with reasons"
        );
        ck.check("Proposal", &proposal);
        // Match and transport for the second of them (the first needs more than any demo
        // facility offers).
        let first = rescue.data.people[1].case_id;
        let matches = any(&actors, |a| core.placement_matches(a, first)).expect("matches");
        let facility = matches
            .eligible
            .first()
            .expect("an eligible facility")
            .facility_id;
        let case = any(&actors, |a| core.case(a, first)).expect("case");
        let step = any(&actors, |a| {
            core.match_facility(a, first, case.version, facility, today)
        })
        .expect("matched");
        ck.check("AftercareStep", &step);
        let transport: placements::TransportInput = serde_json::from_value(serde_json::json!({
            "from_area": "Leeds", "facility_id": facility, "when": "2024-06-04T10:00:00Z",
            "escort": "Support worker", "notes": "n", "arranged_on": "2024-06-03"
        }))
        .expect("a TransportInput");
        ck.check("TransportInput", &transport);
        let view = any(&actors, |a| {
            core.arrange_transport(a, first, step.case_version, transport.clone())
        })
        .expect("transport");
        ck.check("TransportView", &view);
        // A dissemination of the first graded report that may go to the police.
        let dissemination: intel::NewDissemination = serde_json::from_value(serde_json::json!({
            "force": "West Yorkshire Police", "date": "2024-06-03", "reference": "WYP-1",
            "summary": "People collected by van at dawn"
        }))
        .expect("a NewDissemination");
        let disseminated = reports
            .iter()
            .filter(|r| r.grading.is_some())
            .find_map(|r| {
                any(&actors, |a| {
                    core.disseminate(a, r.id, dissemination.clone())
                })
            })
            .expect("a report disseminated");
        ck.check("DisseminationView", &disseminated);
        for o in any(&actors, |a| core.nrm_overdue(a, today)).expect("overdue") {
            ck.check("NrmOverdueItem", &o);
        }
        ck.check(
            "FollowupPolicy",
            &any(&actors, |a| core.followup_policy(a)).expect("policy"),
        );
        for f in any(&actors, |a| core.followups_due(a, today)).expect("due") {
            ck.check("FollowupLine", &f);
        }
        for (from, to) in [
            (None, None),
            (NaiveDate::from_ymd_opt(2023, 1, 1), Some(today)),
        ] {
            ck.check(
                "AdvocacyShare",
                &any(&actors, |a| core.advocacy_share(a, from, to)).expect("share"),
            );
        }
        let period = reports::Period {
            from: NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
            to: today,
            as_of: today,
        };
        ck.check(
            "SummaryReport",
            &any(&actors, |a| core.summary_report(a, period)).expect("report"),
        );
        ck.check(
            "NrmReport",
            &any(&actors, |a| core.nrm_report(a, period)).expect("report"),
        );
        ck.check(
            "AftercareReport",
            &any(&actors, |a| core.aftercare_report(a, period)).expect("report"),
        );
        ck.check(
            "JusticeReport",
            &any(&actors, |a| core.justice_report(a, period)).expect("report"),
        );
        ck.check(
            "CampaignReport",
            &any(&actors, |a| core.campaign_report(a, period)).expect("report"),
        );
        let k = export::KAnonymity {
            k: 2,
            max_suppressed_per_mille: 1000,
        };
        ck.check(
            "Anonymised",
            &any(&actors, |a| core.export_htcds(a, &k)).expect("export"),
        );

        // A document, legal advice and an erasure on the first case.
        let case = any(&actors, |a| core.case(a, cases[0].id)).expect("case");
        let document: documents::NewDocument = serde_json::from_value(serde_json::json!({
            "kind": "other", "title": "Letter", "date": "2024-06-01",
            "media_type": "text/plain", "content": "aGVsbG8="
        }))
        .expect("a NewDocument");
        ck.check("NewDocument", &document);
        let meta = any(&actors, |a| {
            core.attach_document(a, case.id, document.clone())
        })
        .expect("document");
        ck.check("DocumentMeta", &meta);
        let advice: justice::NewAdvice = serde_json::from_value(serde_json::json!({
            "on": "2024-06-01", "adviser": "Solicitor", "topic": "Rights", "notes": "n"
        }))
        .expect("a NewAdvice");
        ck.check("NewAdvice", &advice);
        if let Some(legal) = any(&actors, |a| core.record_advice(a, case.id, advice.clone())) {
            ck.check("LegalRecord", &legal);
        }
        let erased = core
            .erase_person(&admin, case.person.id, "erasure request (test)")
            .expect("erased");
        ck.check("ErasureReport", &erased);
        let imported = unchain_core::import::ImportReport {
            records: 2,
            imported: 1,
            rejected: 1,
            errors: Vec::new(),
            rejects: Some("rejects.csv".into()),
        };
        ck.check("ImportReport", &imported);

        // Inputs: every optional field set (each is accepted by serde first).
        let inputs: &[(&str, Value)] = &[
            (
                "NewDissemination",
                serde_json::json!({"force": "West Yorkshire Police",
                "date": "2024-06-01", "reference": "WYP-1", "summary": "van at dawn"}),
            ),
            (
                "NewRescue",
                serde_json::json!({"date": "2024-06-01", "area": "Leeds",
                "partner_agencies": ["Police"], "report_ids": [reports[0].id], "people": [
                    {"kind": "new", "person": {"names": ["A"]}, "jurisdiction": "scotland",
                     "exploitation": ["labour"], "owner": "mgr", "origin": "self_presented"},
                    {"kind": "existing", "case_id": cases[1].id, "version": 1,
                     "origin": "planned_operation"}]}),
            ),
            (
                "NrmChange",
                serde_json::json!({"update": {"type": "withdrawn"},
                "on": "2024-06-01", "reason": "r"}),
            ),
            (
                "NrmChange",
                serde_json::json!({"update": {"type": "reasonable_grounds",
                "outcome": "positive"}}),
            ),
            (
                "NewPoliceReport",
                serde_json::json!({"suspect_id": cases[0].id,
                "force": "F", "crime_reference": "C", "reported_on": "2024-06-01"}),
            ),
            (
                "ProsecutionChange",
                serde_json::json!({"suspect_id": cases[0].id,
                "step": {"type": "charged", "offences": [{"offence": "modern_slavery_act_s1"},
                    {"offence": "other", "description": "d"}]}, "on": "2024-06-01"}),
            ),
            (
                "ProsecutionChange",
                serde_json::json!({"suspect_id": cases[0].id,
                "step": {"type": "verdict", "verdict": "convicted", "sentence": "s"}}),
            ),
            (
                "ProsecutionChange",
                serde_json::json!({"suspect_id": cases[0].id,
                "step": {"type": "no_further_action"}}),
            ),
            (
                "NewClaim",
                serde_json::json!({"forum": "employment_tribunal",
                "lodged_on": "2024-06-01", "claimed_pence": 100, "forum_reference": "ET/1"}),
            ),
            (
                "ClaimChange",
                serde_json::json!({"claim_id": cases[0].id,
                "update": {"type": "awarded", "amount_pence": 10}, "on": "2024-06-01"}),
            ),
            (
                "ClaimChange",
                serde_json::json!({"claim_id": cases[0].id,
                "update": {"type": "rejected"}}),
            ),
            (
                "ExitInput",
                serde_json::json!({"on": "2024-06-01", "reason": "moved_on",
                "notes": "n"}),
            ),
            (
                "TransportInput",
                serde_json::json!({"from_area": "Leeds",
                "facility_id": cases[0].id, "when": "2024-06-01T10:00:00Z", "escort": "E",
                "notes": "n", "arranged_on": "2024-06-01"}),
            ),
            (
                "ContactInput",
                serde_json::json!({"on": "2024-06-01", "kind": "call",
                "outcome": "reached", "notes": "n"}),
            ),
            (
                "ProgressInput",
                serde_json::json!({"assessed_on": "2024-06-01",
                "scores": {"safety": 3, "health": 3,
                "housing": 3, "legal_status": 3, "finances": 3, "work_education": 3,
                "wellbeing": 3, "social_ties": 3}, "notes": "n"}),
            ),
        ];
        for (name, json) in inputs {
            ck.check(name, &typed(name, json.clone()));
        }

        let mut expected: BTreeSet<String> = EXACT_CORE_TYPES
            .iter()
            .chain(STORED_CORE_TYPES)
            .map(|s| (*s).to_owned())
            .collect();
        expected.insert("Holiday".into());
        let missing: Vec<_> = expected.difference(&ck.seen).collect();
        // Checked in `real_serialised_values_match_the_derived_schemas`.
        let elsewhere = [
            "CaseSummary",
            "CaseView",
            "ConsentStatus",
            "FacilityInput",
            "FacilityView",
            "NeedsInput",
            "NewCase",
            "NewConsent",
            "NewReferral",
            "NewReport",
            "NewSuspect",
            "PersonView",
            "ReportSummary",
            "Source",
            "SourceView",
            "SuspectDetails",
            "SuspectSummary",
        ];
        let missing: Vec<_> = missing
            .into_iter()
            .filter(|m| !elsewhere.contains(&m.as_str()))
            .collect();
        assert!(missing.is_empty(), "no real value checked for {missing:?}");
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
