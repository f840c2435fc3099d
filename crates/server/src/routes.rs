//! The routes: the table of endpoints and their handlers. Handlers only translate HTTP to a core
//! call and back; every rule is the core's.

use std::convert::Infallible;
use std::time::Duration;

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unchain_core::auth::Role;
use unchain_core::campaign::{CampaignAction, CommunityGroup, TrainingSession};
use unchain_core::cases::{CaseFilter, NewCase, NewEvent};
use unchain_core::consent::NewConsent;
use unchain_core::documents::NewDocument;
use unchain_core::lifecycle::Stage;
use unchain_core::nrm::Jurisdiction;
use unchain_core::people::PersonDetails;
use unchain_core::{Actor, Operation};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{JsonBody, Path, Query};
use crate::{Access, Api, ApiError, AppState, Endpoint, Param, version_of, with_etag};

type Res = Result<Response, ApiError>;

/// The default page size of lists.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page size.
pub const MAX_LIMIT: usize = 500;

// ---- request and response bodies defined by the server ----------------------------------------

/// A page of a list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A user to create.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// Login name (a-z, 0-9, `.`, `-`, `_`; starts with a letter).
    pub name: String,
    /// One of the seven roles (`admin`, `manager`, `investigator`, `aftercare_coordinator`,
    /// `legal_advocate`, `campaign_officer`, `analyst`).
    pub role: Role,
}

/// A token to issue.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// The user name the token acts as.
    pub user: String,
    /// What it is for.
    pub label: String,
    /// When it stops working (RFC 3339); absent: until revoked.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new token: its description and its secret, shown this once.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    /// The token (see `TokenInfo`).
    pub token: unchain_core::tokens::TokenInfo,
    /// The bearer secret. It is not stored and cannot be shown again.
    pub secret: String,
}

/// A case event to record, at a version of the case.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// The case version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The event (`{"kind": {"type": "assessment_started"}, "date": "2024-06-03", "reason": "…"}`).
    pub event: NewEvent,
}

/// Reports and suspects to link to a case.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The case version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// Intelligence report ids.
    #[serde(default)]
    pub reports: Vec<Uuid>,
    /// Suspect ids.
    #[serde(default)]
    pub suspects: Vec<Uuid>,
}

/// A person's new details.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// The person version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The details (names, date of birth, nationalities, contacts, …): they replace the old.
    pub details: PersonDetails,
}

/// A group's new data.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    /// The group version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The group (`name`, `area`, `members`, `joined_on`).
    pub group: CommunityGroup,
}

/// A campaign action's outcome.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// The action version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// What came of it.
    pub outcome: String,
}

/// The answer to "add working days".
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkingDays {
    /// The start date.
    pub from: NaiveDate,
    /// Working days added.
    pub days: u32,
    /// The resulting date.
    pub date: NaiveDate,
}

/// Health.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

// ---- the table --------------------------------------------------------------------------------

/// `?limit=&cursor=`, for the document.
pub const LIST: &[Param] = &[
    Param {
        name: "limit",
        kind: "integer",
        format: "",
        description: "page size (default 50, at most 500)",
        required: false,
    },
    Param {
        name: "cursor",
        kind: "string",
        format: "",
        description: "the next_cursor of the previous page",
        required: false,
    },
];

const CASE_LIST: &[Param] = &[
    LIST[0],
    LIST[1],
    Param {
        name: "stage",
        kind: "string",
        format: "",
        description: "only cases at this stage (reported, assessing, …)",
        required: false,
    },
    Param {
        name: "owner",
        kind: "string",
        format: "",
        description: "only cases owned by this user name",
        required: false,
    },
    Param {
        name: "opened_from",
        kind: "string",
        format: "date",
        description: "only cases opened on or after",
        required: false,
    },
    Param {
        name: "opened_to",
        kind: "string",
        format: "date",
        description: "only cases opened on or before",
        required: false,
    },
    Param {
        name: "open_only",
        kind: "boolean",
        format: "",
        description: "only open cases",
        required: false,
    },
];

const TOKEN_LIST: &[Param] = &[
    LIST[0],
    LIST[1],
    Param {
        name: "user",
        kind: "string",
        format: "",
        description: "only this user's tokens",
        required: false,
    },
];

const ON: &[Param] = &[Param {
    name: "on",
    kind: "string",
    format: "date",
    description: "the day asked about (default today)",
    required: false,
}];

const AUDIT: &[Param] = &[
    Param {
        name: "from",
        kind: "integer",
        format: "",
        description: "first sequence number (default 1)",
        required: false,
    },
    Param {
        name: "limit",
        kind: "integer",
        format: "",
        description: "at most this many (default 50, at most 500)",
        required: false,
    },
];

const EVENTS: &[Param] = &[
    Param {
        name: "after",
        kind: "integer",
        format: "",
        description: "the feed position to continue after (default 0: the beginning); with SSE, Last-Event-ID wins",
        required: false,
    },
    Param {
        name: "limit",
        kind: "integer",
        format: "",
        description: "at most this many changes (default 50, at most 500)",
        required: false,
    },
];

const YEAR: &[Param] = &[Param {
    name: "year",
    kind: "integer",
    format: "",
    description: "the year (1971–2100)",
    required: true,
}];

const WORKING: &[Param] = &[
    Param {
        name: "date",
        kind: "string",
        format: "date",
        description: "the start date",
        required: true,
    },
    Param {
        name: "days",
        kind: "integer",
        format: "",
        description: "working days to add",
        required: true,
    },
];

macro_rules! ep {
    ($m:literal $p:literal $id:literal $tag:literal $access:expr, $summary:literal,
     query $q:expr, req $req:expr, res $res:literal $status:literal $(, $versioned:ident)?) => {
        Endpoint {
            method: $m,
            path: $p,
            id: $id,
            summary: $summary,
            tag: $tag,
            access: $access,
            query: $q,
            request: $req,
            response: $res,
            status: $status,
            versioned: ep!(@v $($versioned)?),
        }
    };
    (@v) => { false };
    (@v versioned) => { true };
}

use Access::{Authenticated as Any, ByBody, Operation as Op, Public};
use Operation as O;

/// Every endpoint of the API.
pub const ENDPOINTS: &[Endpoint] = &[
    ep!("GET" "/healthz" "healthz" "health" Public, "Alive (no authentication)", query &[], req None, res "Health" 200),
    ep!("GET" "/readyz" "readyz" "health" Public, "The store answers (no authentication)", query &[], req None, res "Health" 200),
    ep!("GET" "/api/v1/openapi.json" "openapi" "health" Public, "This document", query &[], req None, res "Object" 200),
    ep!("GET" "/api/v1/me" "me" "users" Any, "Who the token acts as", query &[], req None, res "Actor" 200),
    ep!("GET" "/api/v1/users" "list_users" "users" Op(O::UserManage), "List users", query LIST, req None, res "PageOfUser" 200),
    ep!("POST" "/api/v1/users" "create_user" "users" Op(O::UserManage), "Create a user", query &[], req Some("NewUserBody"), res "User" 201),
    ep!("GET" "/api/v1/tokens" "list_tokens" "users" Op(O::UserManage), "List tokens (never their secrets)", query TOKEN_LIST, req None, res "PageOfTokenInfo" 200),
    ep!("POST" "/api/v1/tokens" "issue_token" "users" Op(O::UserManage), "Issue a token; the secret is shown once", query &[], req Some("NewTokenBody"), res "IssuedToken" 201),
    ep!("DELETE" "/api/v1/tokens/{id}" "revoke_token" "users" Op(O::UserManage), "Revoke a token", query &[], req None, res "TokenInfo" 200),
    ep!("GET" "/api/v1/cases" "list_cases" "cases" Op(O::CaseRead), "List cases (pseudonyms only)", query CASE_LIST, req None, res "PageOfCaseSummary" 200),
    ep!("POST" "/api/v1/cases" "open_case" "cases" Op(O::CaseCreate), "Open a case about a new person", query &[], req Some("NewCase"), res "CaseView" 201),
    ep!("GET" "/api/v1/cases/{id}" "get_case" "cases" Op(O::CaseRead), "One case, by id or reference (UC-000001)", query &[], req None, res "CaseView" 200),
    ep!("POST" "/api/v1/cases/{id}/events" "record_case_event" "cases" ByBody, "Record a stage-line, advocacy or NRM-closing event", query &[], req Some("EventBody"), res "CaseView" 200, versioned),
    ep!("GET" "/api/v1/cases/{id}/timeline" "case_timeline" "cases" Op(O::CaseRead), "A case's timeline", query &[], req None, res "ListOfTimelineEntry" 200),
    ep!("POST" "/api/v1/cases/{id}/links" "link_case" "cases" Op(O::CaseUpdate), "Link intelligence reports or suspects", query &[], req Some("LinkBody"), res "CaseView" 200, versioned),
    ep!("GET" "/api/v1/cases/{id}/documents" "list_documents" "documents" Op(O::DocumentManage), "A case's documents (metadata)", query LIST, req None, res "PageOfDocumentMeta" 200),
    ep!("POST" "/api/v1/cases/{id}/documents" "attach_document" "documents" Op(O::DocumentManage), "Attach a document (base64 content, at most 10 MiB)", query &[], req Some("NewDocument"), res "DocumentMeta" 201),
    ep!("GET" "/api/v1/documents/{id}" "get_document" "documents" Op(O::DocumentManage), "A document with its content (base64)", query &[], req None, res "DocumentWithContent" 200),
    ep!("GET" "/api/v1/people/{id}" "get_person" "people" Op(O::CaseRead), "A person (pseudonymised unless the role may see identities)", query &[], req None, res "PersonView" 200),
    ep!("PUT" "/api/v1/people/{id}" "update_person" "people" Op(O::PersonUpdate), "Replace a person's details", query &[], req Some("PersonBody"), res "PersonView" 200, versioned),
    ep!("GET" "/api/v1/people/{id}/consents" "list_consents" "people" Op(O::ConsentRead), "A person's consent decisions", query LIST, req None, res "PageOfConsentRecord" 200),
    ep!("POST" "/api/v1/people/{id}/consents" "record_consent" "people" Op(O::ConsentRecord), "Record consent given or withdrawn", query &[], req Some("NewConsent"), res "ConsentRecord" 201),
    ep!("GET" "/api/v1/people/{id}/consent-status" "consent_status" "people" Op(O::ConsentRead), "The consent in force for every scope", query ON, req None, res "ListOfConsentStatus" 200),
    ep!("GET" "/api/v1/campaign/groups" "list_groups" "campaign" Op(O::CampaignRead), "Community groups", query LIST, req None, res "PageOfCommunityGroupEntity" 200),
    ep!("POST" "/api/v1/campaign/groups" "create_group" "campaign" Op(O::CampaignManage), "Register a community group", query &[], req Some("CommunityGroup"), res "CommunityGroupEntity" 201),
    ep!("GET" "/api/v1/campaign/groups/{id}" "get_group" "campaign" Op(O::CampaignRead), "A group with its trainings", query &[], req None, res "GroupRecord" 200),
    ep!("PUT" "/api/v1/campaign/groups/{id}" "update_group" "campaign" Op(O::CampaignManage), "Change a group", query &[], req Some("GroupBody"), res "CommunityGroupEntity" 200, versioned),
    ep!("POST" "/api/v1/campaign/trainings" "record_training" "campaign" Op(O::CampaignManage), "Record a training session", query &[], req Some("TrainingSession"), res "TrainingSessionEntity" 201),
    ep!("GET" "/api/v1/campaign/actions" "list_actions" "campaign" Op(O::CampaignRead), "Campaign actions", query LIST, req None, res "PageOfCampaignActionEntity" 200),
    ep!("POST" "/api/v1/campaign/actions" "record_action" "campaign" Op(O::CampaignManage), "Record a campaign action", query &[], req Some("CampaignAction"), res "CampaignActionEntity" 201),
    ep!("POST" "/api/v1/campaign/actions/{id}/outcome" "record_action_outcome" "campaign" Op(O::CampaignManage), "Record an action's outcome", query &[], req Some("OutcomeBody"), res "CampaignActionEntity" 200, versioned),
    ep!("GET" "/api/v1/audit/verify" "verify_audit" "audit" Op(O::AuditRead), "Verify the whole audit chain", query &[], req None, res "Verification" 200),
    ep!("GET" "/api/v1/audit/entries" "audit_entries" "audit" Op(O::AuditRead), "Read audit entries", query AUDIT, req None, res "ListOfAuditEntry" 200),
    ep!("GET" "/api/v1/events" "events" "events" Any, "What changed (kind, id, time, version; never contents); JSON, or SSE with Accept: text/event-stream", query EVENTS, req None, res "ChangePage" 200),
    ep!("GET" "/api/v1/calendars/{jurisdiction}/holidays" "holidays" "calendars" Any, "Bank holidays of a year (england-and-wales, scotland, northern-ireland)", query YEAR, req None, res "ListOfHoliday" 200),
    ep!("GET" "/api/v1/calendars/{jurisdiction}/add-working-days" "add_working_days" "calendars" Any, "The n-th working day after a date", query WORKING, req None, res "WorkingDays" 200),
];

fn handler(id: &str, filter: MethodFilter) -> MethodRouter<AppState> {
    match id {
        "healthz" => on(filter, healthz),
        "readyz" => on(filter, readyz),
        "openapi" => on(filter, openapi),
        "me" => on(filter, me),
        "list_users" => on(filter, list_users),
        "create_user" => on(filter, create_user),
        "list_tokens" => on(filter, list_tokens),
        "issue_token" => on(filter, issue_token),
        "revoke_token" => on(filter, revoke_token),
        "list_cases" => on(filter, list_cases),
        "open_case" => on(filter, open_case),
        "get_case" => on(filter, get_case),
        "record_case_event" => on(filter, record_case_event),
        "case_timeline" => on(filter, case_timeline),
        "link_case" => on(filter, link_case),
        "list_documents" => on(filter, list_documents),
        "attach_document" => on(filter, attach_document),
        "get_document" => on(filter, get_document),
        "get_person" => on(filter, get_person),
        "update_person" => on(filter, update_person),
        "list_consents" => on(filter, list_consents),
        "record_consent" => on(filter, record_consent),
        "consent_status" => on(filter, consent_status),
        "list_groups" => on(filter, list_groups),
        "create_group" => on(filter, create_group),
        "get_group" => on(filter, get_group),
        "update_group" => on(filter, update_group),
        "record_training" => on(filter, record_training),
        "list_actions" => on(filter, list_actions),
        "record_action" => on(filter, record_action),
        "record_action_outcome" => on(filter, record_action_outcome),
        "verify_audit" => on(filter, verify_audit),
        "audit_entries" => on(filter, audit_entries),
        "events" => on(filter, events),
        "holidays" => on(filter, holidays),
        "add_working_days" => on(filter, add_working_days),
        other => panic!("endpoint {other} has no handler"),
    }
}

/// Every endpoint: these and the services'.
pub fn endpoints() -> impl Iterator<Item = &'static Endpoint> {
    ENDPOINTS.iter().chain(crate::services::ENDPOINTS)
}

/// Mounts every endpoint of [`endpoints`].
pub(crate) fn mount(mut api: Api) -> Api {
    for e in endpoints() {
        let filter = match e.method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            "PATCH" => MethodFilter::PATCH,
            other => panic!("unsupported method {other}"),
        };
        let h = crate::services::handler(e.id, filter).unwrap_or_else(|| handler(e.id, filter));
        api = api.add(e, h);
    }
    api
}

// ---- helpers ------------------------------------------------------------------------------------

/// `?limit=&cursor=`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

impl ListQuery {
    /// A page request.
    pub(crate) fn new(limit: Option<usize>, cursor: Option<String>) -> Self {
        Self { limit, cursor }
    }
}

/// Pages a list in its own order. The cursor is the id of the last item of the previous page, so
/// a page stays correct when records are added after it (ids are never reused).
pub(crate) fn page<T: Serialize>(
    items: Vec<T>,
    id: impl Fn(&T) -> String,
    q: &ListQuery,
) -> Result<Page<T>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::field(
            "limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let start = match &q.cursor {
        None => 0,
        Some(c) => {
            items
                .iter()
                .position(|i| id(i) == *c)
                .ok_or_else(|| ApiError::field("cursor", "is not a cursor of this list"))?
                + 1
        }
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next_cursor = if more { rest.last().map(&id) } else { None };
    Ok(Page {
        items: rest,
        next_cursor,
    })
}

fn created(body: impl Serialize, version: u64) -> Response {
    with_etag(version, (StatusCode::CREATED, Json(body)))
}

// ---- handlers -----------------------------------------------------------------------------------

async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

async fn readyz(State(s): State<AppState>) -> Res {
    s.run(|core| core.ready()).await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The store is not available",
            "",
        )
    })?;
    Ok(Json(Health {
        status: "ok".into(),
    })
    .into_response())
}

async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

async fn me(Extension(actor): Extension<Actor>) -> Json<Actor> {
    Json(actor)
}

async fn list_users(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<ListQuery>,
) -> Res {
    let users = s.run(move |core| core.users(&actor)).await?;
    Ok(Json(page(users, |u| u.id.to_string(), &q)?).into_response())
}

async fn create_user(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    JsonBody(body): JsonBody<NewUserBody>,
) -> Res {
    let user = s
        .run(move |core| core.create_user(&actor, &body.name, body.role))
        .await?;
    let v = user.version;
    Ok(created(user, v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    user: Option<String>,
}

async fn list_tokens(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<TokenQuery>,
) -> Res {
    let user = q.user.clone();
    // An unknown user in the filter is a bad query (422 naming `user`), not a missing resource:
    // the list itself exists.
    let tokens = s
        .run(move |core| core.tokens(&actor, user.as_deref()))
        .await
        .map_err(|e| match e.status() {
            StatusCode::NOT_FOUND => ApiError::field("user", "no such user"),
            _ => e,
        })?;
    let lq = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(page(tokens, |t| t.id.to_string(), &lq)?).into_response())
}

async fn issue_token(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    JsonBody(body): JsonBody<NewTokenBody>,
) -> Res {
    let (info, secret) = s
        .run(move |core| core.issue_token(&actor, &body.user, &body.label, body.expires_at))
        .await?;
    let mut res = created(
        IssuedToken {
            token: info,
            secret: secret.expose().to_owned(),
        },
        1,
    );
    // The secret must not be kept by caches between here and the caller.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("header"));
    Ok(res)
}

async fn revoke_token(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
) -> Res {
    let info = s.run(move |core| core.revoke_token(&actor, id)).await?;
    let v = info.version;
    Ok(with_etag(v, Json(info)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    stage: Option<Stage>,
    owner: Option<String>,
    opened_from: Option<NaiveDate>,
    opened_to: Option<NaiveDate>,
    #[serde(default)]
    open_only: bool,
}

async fn list_cases(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<CaseQuery>,
) -> Res {
    let filter = CaseFilter {
        stage: q.stage,
        owner: q.owner.clone(),
        opened_from: q.opened_from,
        opened_to: q.opened_to,
        open_only: q.open_only,
    };
    let cases = s.run(move |core| core.cases(&actor, &filter)).await?;
    let lq = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(page(cases, |c| c.id.to_string(), &lq)?).into_response())
}

async fn open_case(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    JsonBody(body): JsonBody<NewCase>,
) -> Res {
    let view = s.run(move |core| core.open_case(&actor, body)).await?;
    let v = view.version;
    Ok(created(view, v))
}

async fn get_case(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Res {
    let Ok(uuid) = id.parse::<Uuid>() else {
        // By reference: a scan, on the blocking pool.
        let view = s.run(move |core| core.find_case(&actor, &id)).await?;
        return Ok(with_etag(view.version, Json(view)));
    };
    // By id, for a role that may read cases but not identities, this is a pure read (no unseal,
    // no audit commit, no fsync) of records the store keeps in memory, usually answered from the
    // core's view cache: done on the async worker, sparing a hand-off to the blocking pool (two
    // thread switches on a small machine). Identity reads (audited, durable) stay on the pool.
    let pure_read = unchain_core::auth::allowed(actor.role, Operation::CaseRead)
        && !unchain_core::auth::allowed(actor.role, Operation::PersonIdentity);
    let view = if pure_read {
        s.core().case_shared(&actor, uuid)?
    } else {
        s.run(move |core| core.case_shared(&actor, uuid)).await?
    };
    // The view's JSON was serialised once, when the view was built; the body shares it.
    let version = view.view().version;
    let body = axum::body::Bytes::from_owner(CaseJson(view));
    Ok(with_etag(
        version,
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        ),
    ))
}

/// A shared case view's JSON as a response body, without copying it.
struct CaseJson(unchain_core::cases::SharedCaseView);

impl AsRef<[u8]> for CaseJson {
    fn as_ref(&self) -> &[u8] {
        self.0.json()
    }
}

async fn record_case_event(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<EventBody>,
) -> Res {
    let (version, if_match) = version_of(&headers, body.version)?;
    let view = s
        .run(move |core| core.record_case_event(&actor, id, version, body.event))
        .await
        .map_err(|e| e.precondition(if_match))?;
    Ok(with_etag(view.version, Json(view)))
}

async fn case_timeline(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
) -> Res {
    let t = s.run(move |core| core.timeline(&actor, id)).await?;
    Ok(Json(t).into_response())
}

async fn link_case(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LinkBody>,
) -> Res {
    let (version, if_match) = version_of(&headers, body.version)?;
    let view = s
        .run(move |core| core.link_case(&actor, id, version, &body.reports, &body.suspects))
        .await
        .map_err(|e| e.precondition(if_match))?;
    Ok(with_etag(view.version, Json(view)))
}

async fn list_documents(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Res {
    let docs = s.run(move |core| core.documents(&actor, id)).await?;
    Ok(Json(page(docs, |d| d.id.to_string(), &q)?).into_response())
}

async fn attach_document(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<NewDocument>,
) -> Res {
    let meta = s
        .run(move |core| core.attach_document(&actor, id, body))
        .await?;
    Ok(created(meta, 1))
}

/// A document and its content.
#[derive(Serialize, ToSchema)]
pub struct DocumentWithContent {
    /// The metadata.
    pub meta: unchain_core::documents::DocumentMeta,
    /// The content, base64.
    pub content: String,
}

async fn get_document(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
) -> Res {
    let (meta, bytes) = s.run(move |core| core.document(&actor, id)).await?;
    let mut res = Json(DocumentWithContent {
        meta,
        content: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
    .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("header"));
    Ok(res)
}

async fn get_person(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
) -> Res {
    let p = s.run(move |core| core.person(&actor, id)).await?;
    let mut res = with_etag(p.version, Json(p));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("header"));
    Ok(res)
}

async fn update_person(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PersonBody>,
) -> Res {
    let (version, if_match) = version_of(&headers, body.version)?;
    let p = s
        .run(move |core| core.update_person(&actor, id, version, body.details))
        .await
        .map_err(|e| e.precondition(if_match))?;
    Ok(with_etag(p.version, Json(p)))
}

async fn list_consents(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Res {
    let c = s.run(move |core| core.consents(&actor, id)).await?;
    Ok(Json(page(c, |c| c.id.to_string(), &q)?).into_response())
}

async fn record_consent(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<NewConsent>,
) -> Res {
    let c = s
        .run(move |core| core.record_consent(&actor, id, body))
        .await?;
    let v = c.version;
    Ok(created(c, v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnQuery {
    on: Option<NaiveDate>,
}

async fn consent_status(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    Query(q): Query<OnQuery>,
) -> Res {
    let st = s
        .run(move |core| {
            let on = q.on.unwrap_or_else(|| core.clock().today());
            core.consent_status(&actor, id, on)
        })
        .await?;
    Ok(Json(st).into_response())
}

async fn list_groups(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<ListQuery>,
) -> Res {
    let g = s.run(move |core| core.groups(&actor)).await?;
    Ok(Json(page(g, |g| g.id.to_string(), &q)?).into_response())
}

async fn create_group(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    JsonBody(body): JsonBody<CommunityGroup>,
) -> Res {
    let g = s.run(move |core| core.create_group(&actor, body)).await?;
    let v = g.version;
    Ok(created(g, v))
}

async fn get_group(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
) -> Res {
    let g = s.run(move |core| core.group(&actor, id)).await?;
    Ok(with_etag(g.group.version, Json(g)))
}

async fn update_group(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<GroupBody>,
) -> Res {
    let (version, if_match) = version_of(&headers, body.version)?;
    let g = s
        .run(move |core| core.update_group(&actor, id, version, body.group))
        .await
        .map_err(|e| e.precondition(if_match))?;
    Ok(with_etag(g.version, Json(g)))
}

async fn record_training(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    JsonBody(body): JsonBody<TrainingSession>,
) -> Res {
    let t = s
        .run(move |core| core.record_training(&actor, body))
        .await?;
    let v = t.version;
    Ok(created(t, v))
}

async fn list_actions(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<ListQuery>,
) -> Res {
    let a = s.run(move |core| core.actions(&actor)).await?;
    Ok(Json(page(a, |a| a.id.to_string(), &q)?).into_response())
}

async fn record_action(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    JsonBody(body): JsonBody<CampaignAction>,
) -> Res {
    let a = s.run(move |core| core.record_action(&actor, body)).await?;
    let v = a.version;
    Ok(created(a, v))
}

async fn record_action_outcome(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<OutcomeBody>,
) -> Res {
    let (version, if_match) = version_of(&headers, body.version)?;
    let a = s
        .run(move |core| core.record_action_outcome(&actor, id, version, &body.outcome))
        .await
        .map_err(|e| e.precondition(if_match))?;
    Ok(with_etag(a.version, Json(a)))
}

async fn verify_audit(State(s): State<AppState>, Extension(actor): Extension<Actor>) -> Res {
    let v = s.run(move |core| core.verify_audit(&actor)).await?;
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    from: Option<u64>,
    limit: Option<usize>,
}

async fn audit_entries(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<AuditQuery>,
) -> Res {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::field(
            "limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let e = s
        .run(move |core| core.audit_entries(&actor, q.from.unwrap_or(1), limit))
        .await?;
    Ok(Json(e).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

/// How many audit entries one feed request examines at most (the rest come on the next page).
const FEED_SCAN: usize = 10_000;

async fn events(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Res {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::field(
            "limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let wants_sse = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if !wants_sse {
        let after = q.after.unwrap_or(0);
        let page = s
            .run(move |core| core.changes(&actor, after, limit, FEED_SCAN))
            .await?;
        return Ok(Json(page).into_response());
    }
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or(q.after)
        .unwrap_or(0);
    let stream = futures_util::stream::unfold(
        (s, actor, after, Vec::<SseEvent>::new()),
        move |(s, actor, mut after, mut pending)| async move {
            loop {
                if s.shutting_down() {
                    return None;
                }
                if !pending.is_empty() {
                    let ev = pending.remove(0);
                    return Some((Ok::<_, Infallible>(ev), (s, actor, after, pending)));
                }
                let a = actor.clone();
                let page = s
                    .run(move |core| core.changes(&a, after, limit, FEED_SCAN))
                    .await
                    .ok()?;
                let moved = page.next != after;
                after = page.next;
                for c in page.changes {
                    let data = serde_json::to_string(&c).ok()?;
                    pending.push(
                        SseEvent::default()
                            .id(c.seq.to_string())
                            .event("change")
                            .data(data),
                    );
                }
                if pending.is_empty() && !moved {
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(500)) => {}
                        () = s.until_shutdown() => return None,
                    }
                }
            }
        },
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

fn jurisdiction(text: &str) -> Result<Jurisdiction, ApiError> {
    text.parse::<Jurisdiction>().map_err(|e| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            e.to_string(),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    year: i32,
}

async fn holidays(Path(j): Path<String>, Query(q): Query<YearQuery>) -> Res {
    let j = jurisdiction(&j)?;
    let h = unchain_core::nrm::calendar::holidays(j, q.year)
        .map_err(|e| ApiError::field("year", e.to_string()))?;
    Ok(Json(h).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkingQuery {
    date: NaiveDate,
    days: u32,
}

async fn add_working_days(Path(j): Path<String>, Query(q): Query<WorkingQuery>) -> Res {
    let j = jurisdiction(&j)?;
    let date = unchain_core::nrm::calendar::add_working_days(j, q.date, q.days)
        .map_err(|e| ApiError::field("date", e.to_string()))?;
    Ok(Json(WorkingDays {
        from: q.date,
        days: q.days,
        date,
    })
    .into_response())
}
