//! Routes of the services landed after the first cut: intelligence and sources, suspects,
//! rescues, NRM referrals, justice, facilities, placement and transport, follow-ups and progress,
//! erasure and subject access. Same rules as [`crate::routes`]: the handler maps HTTP to one core
//! call; updates take the version in the body or `If-Match`.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unchain_core::facilities::FacilityInput;
use unchain_core::followups::{ContactInput, FollowupPolicy, ProgressInput};
use unchain_core::intel::{NewDissemination, NewReport, ReportFilter, Source};
use unchain_core::justice::{ClaimChange, NewAdvice, NewClaim, NewPoliceReport, ProsecutionChange};
use unchain_core::placements::{AssignRequest, ExitInput, NeedsInput, TransportInput};
use unchain_core::referrals::{NewReferral, NrmChange};
use unchain_core::rescues::NewRescue;
use unchain_core::suspects::{NewSuspect, SuspectDetails};
use unchain_core::{Actor, Operation, Unchain};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{JsonBody, Path, Query};
use crate::routes::{ListQuery, page};
use crate::{Access, ApiError, AppState, Endpoint, Param, version_of, with_etag};

type Res = Result<Response, ApiError>;

// ---- bodies -------------------------------------------------------------------------------------

/// An input applied at a version of the record it changes (the case, for case services).
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionedInput<T> {
    /// The version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The input (see the operation's schema name in its description).
    pub input: T,
}

/// A grading of a report.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradingBody {
    /// The report version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The grading (3x5x2: `source`, `intelligence`, `handling`; see `Grading`).
    pub grading: unchain_core::grading::Grading,
    /// The day it was graded, when recording an earlier grading (default today).
    #[serde(default)]
    pub graded_on: Option<NaiveDate>,
}

/// An NRM decision.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The case version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// `positive` or `negative`.
    #[schema(schema_with = unchain_core::openapi::one::<unchain_core::lifecycle::Outcome>)]
    pub outcome: unchain_core::lifecycle::Outcome,
    /// The day of the decision.
    pub on: NaiveDate,
}

/// A dated step at a version (reconsideration requested).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedBody {
    /// The case version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The day (default today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Advocacy requested or declined.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvocacyBody {
    /// The case version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// Requested (`true`) or declined.
    pub requested: bool,
    /// The day (default today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// The case's version after a write that returns nothing else.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct CaseVersion {
    /// Send it with the next change.
    pub case_version: u64,
}

/// A facility and a date, at a case version (match, place, move).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityDateBody {
    /// The case version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// The facility.
    pub facility_id: Uuid,
    /// The day (default today).
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// Open or close a facility to referrals.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    /// The facility version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// Open to referrals.
    pub open: bool,
}

/// Links from a report (to cases and suspects) or a suspect (to reports and cases).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordLinks {
    /// The version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<u64>,
    /// Case ids.
    #[serde(default)]
    pub cases: Vec<Uuid>,
    /// Suspect ids (from a report).
    #[serde(default)]
    pub suspects: Vec<Uuid>,
    /// Report ids (from a suspect).
    #[serde(default)]
    pub reports: Vec<Uuid>,
}

/// Why a person is erased.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    /// The request's reason (recorded; no personal data).
    pub reason: String,
}

/// The id of a new record.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: Uuid,
}

// ---- queries ------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AsOfQuery {
    as_of: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    received_from: Option<NaiveDate>,
    received_to: Option<NaiveDate>,
    source_id: Option<Uuid>,
    graded: Option<bool>,
}

fn today(core: &Unchain) -> NaiveDate {
    core.clock().today()
}

// ---- handler shapes -----------------------------------------------------------------------------

macro_rules! get_id {
    ($name:ident, |$core:ident, $actor:ident, $id:ident| $e:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            Path($id): Path<Uuid>,
        ) -> Res {
            let out = s.run(move |$core: &Unchain| $e).await?;
            Ok(Json(out).into_response())
        }
    };
}

macro_rules! list_id {
    ($name:ident, |$core:ident, $actor:ident, $id:ident| $e:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            Path($id): Path<Uuid>,
            Query(q): Query<ListQuery>,
        ) -> Res {
            let out = s.run(move |$core: &Unchain| $e).await?;
            Ok(Json(page(out, |x| x.id.to_string(), &q)?).into_response())
        }
    };
}

macro_rules! list_all {
    ($name:ident, |$core:ident, $actor:ident| $e:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            Query(q): Query<ListQuery>,
        ) -> Res {
            let out = s.run(move |$core: &Unchain| $e).await?;
            Ok(Json(page(out, |x| x.id.to_string(), &q)?).into_response())
        }
    };
}

macro_rules! as_of {
    ($name:ident, |$core:ident, $actor:ident, $as_of:ident| $e:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            Query(q): Query<AsOfQuery>,
        ) -> Res {
            let out = s
                .run(move |$core: &Unchain| {
                    let $as_of = q.as_of.unwrap_or_else(|| today($core));
                    $e
                })
                .await?;
            Ok(Json(out).into_response())
        }
    };
}

macro_rules! post {
    ($name:ident, $body_ty:ty, $status:expr, |$core:ident, $actor:ident, $body:ident| $e:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            JsonBody($body): JsonBody<$body_ty>,
        ) -> Res {
            let out = s.run(move |$core: &Unchain| $e).await?;
            Ok(($status, Json(out)).into_response())
        }
    };
}

macro_rules! post_id {
    ($name:ident, $body_ty:ty, $status:expr, |$core:ident, $actor:ident, $id:ident, $body:ident| $e:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            Path($id): Path<Uuid>,
            JsonBody($body): JsonBody<$body_ty>,
        ) -> Res {
            let out = s.run(move |$core: &Unchain| $e).await?;
            Ok(($status, Json(out)).into_response())
        }
    };
}

/// An update at a version: `version` from `If-Match` or the body; the answer's ETag is the
/// version the expression names (`$etag`).
macro_rules! versioned {
    ($name:ident, $body_ty:ty, $status:expr, |$core:ident, $actor:ident, $id:ident, $version:ident, $body:ident| $e:expr, |$out:ident| $etag:expr) => {
        async fn $name(
            State(s): State<AppState>,
            Extension($actor): Extension<Actor>,
            Path($id): Path<Uuid>,
            headers: HeaderMap,
            JsonBody($body): JsonBody<$body_ty>,
        ) -> Res {
            let ($version, if_match) = version_of(&headers, $body.version)?;
            let $out = s
                .run(move |$core: &Unchain| $e)
                .await
                .map_err(|e| e.precondition(if_match))?;
            let etag: u64 = $etag;
            Ok(with_etag(etag, ($status, Json($out))))
        }
    };
}

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;

// ---- intelligence and sources ---------------------------------------------------------------------

list_all!(list_sources, |core, actor| core.sources(&actor));
post!(create_source, Source, CREATED, |core, actor, body| core
    .create_source(&actor, body));
get_id!(get_source, |core, actor, id| core.source(&actor, id));
versioned!(
    update_source,
    VersionedInput<Source>,
    OK,
    |core, actor, id, version, body| core.update_source(&actor, id, version, body.input),
    |out| out.version
);

async fn list_reports(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<ReportQuery>,
) -> Res {
    let filter = ReportFilter {
        received_from: q.received_from,
        received_to: q.received_to,
        source_id: q.source_id,
        graded: q.graded,
    };
    let out = s.run(move |core| core.reports(&actor, &filter)).await?;
    let lq = ListQuery::new(q.limit, q.cursor);
    Ok(Json(page(out, |x| x.id.to_string(), &lq)?).into_response())
}
post!(create_report, NewReport, CREATED, |core, actor, body| core
    .create_report(&actor, body));
get_id!(get_report, |core, actor, id| core.report(&actor, id));
versioned!(
    grade_report,
    GradingBody,
    OK,
    |core, actor, id, version, body| match body.graded_on {
        Some(on) => core.record_grading(&actor, id, version, body.grading, on),
        None => core.grade_report(&actor, id, version, body.grading),
    },
    |out| out.version
);
versioned!(
    link_report,
    RecordLinks,
    OK,
    |core, actor, id, version, body| core.link_report(
        &actor,
        id,
        version,
        &body.cases,
        &body.suspects
    ),
    |out| out.version
);
list_id!(list_disseminations, |core, actor, id| core
    .disseminations(&actor, id));
post_id!(
    disseminate,
    NewDissemination,
    CREATED,
    |core, actor, id, body| core.disseminate(&actor, id, body)
);

// ---- suspects and rescues -----------------------------------------------------------------------

list_all!(list_suspects, |core, actor| core.suspects(&actor));
post!(create_suspect, NewSuspect, CREATED, |core, actor, body| {
    core.create_suspect(&actor, body)
});
get_id!(get_suspect, |core, actor, id| core.suspect(&actor, id));
versioned!(
    update_suspect,
    VersionedInput<SuspectDetails>,
    OK,
    |core, actor, id, version, body| core.update_suspect(&actor, id, version, body.input),
    |out| out.version
);
versioned!(
    link_suspect,
    RecordLinks,
    OK,
    |core, actor, id, version, body| core.link_suspect(
        &actor,
        id,
        version,
        &body.reports,
        &body.cases
    ),
    |out| out.version
);
list_all!(list_rescues, |core, actor| core.rescues(&actor));
post!(record_rescue, NewRescue, CREATED, |core, actor, body| core
    .record_rescue(&actor, body));
get_id!(get_rescue, |core, actor, id| core.rescue(&actor, id));

// ---- NRM ------------------------------------------------------------------------------------------

list_id!(list_referrals, |core, actor, id| core
    .nrm_referrals(&actor, id));
versioned!(
    nrm_refer,
    VersionedInput<NewReferral>,
    CREATED,
    |core, actor, id, version, body| core.nrm_refer(&actor, id, version, body.input),
    |out| out.case_version
);
versioned!(
    nrm_update,
    VersionedInput<NrmChange>,
    OK,
    |core, actor, id, version, body| core.nrm_update(&actor, id, version, body.input),
    |out| out.case_version
);
versioned!(
    nrm_reasonable_grounds,
    DecisionBody,
    OK,
    |core, actor, id, version, body| core.nrm_reasonable_grounds(
        &actor,
        id,
        version,
        body.outcome,
        body.on
    ),
    |out| out.case_version
);
versioned!(
    nrm_conclusive_grounds,
    DecisionBody,
    OK,
    |core, actor, id, version, body| core.nrm_conclusive_grounds(
        &actor,
        id,
        version,
        body.outcome,
        body.on
    ),
    |out| out.case_version
);
versioned!(
    nrm_reconsideration,
    DatedBody,
    OK,
    |core, actor, id, version, body| {
        let on = body.on.unwrap_or_else(|| today(core));
        core.nrm_request_reconsideration(&actor, id, version, on)
    },
    |out| out.case_version
);

async fn nrm_deadlines(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<Uuid>,
    Query(q): Query<AsOfQuery>,
) -> Res {
    let out = s
        .run(move |core| {
            let as_of = q.as_of.unwrap_or_else(|| today(core));
            core.nrm_deadlines(&actor, id, as_of)
        })
        .await?;
    Ok(Json(out).into_response())
}
as_of!(nrm_overdue, |core, actor, as_of| core
    .nrm_overdue(&actor, as_of));

// ---- justice --------------------------------------------------------------------------------------

versioned!(
    record_advocacy,
    AdvocacyBody,
    OK,
    |core, actor, id, version, body| core
        .record_advocacy(&actor, id, version, body.requested, body.on)
        .map(|case_version| CaseVersion { case_version }),
    |out| out.case_version
);
post_id!(
    record_advice,
    NewAdvice,
    CREATED,
    |core, actor, id, body| core.record_advice(&actor, id, body)
);
versioned!(
    report_to_police,
    VersionedInput<NewPoliceReport>,
    CREATED,
    |core, actor, id, version, body| core.report_to_police(&actor, id, version, body.input),
    |out| out.case_version
);
versioned!(
    prosecution_update,
    VersionedInput<ProsecutionChange>,
    OK,
    |core, actor, id, version, body| core.prosecution_update(&actor, id, version, body.input),
    |out| out.case_version
);
versioned!(
    lodge_claim,
    VersionedInput<NewClaim>,
    CREATED,
    |core, actor, id, version, body| core.lodge_claim(&actor, id, version, body.input),
    |out| out.case_version
);
versioned!(
    claim_update,
    VersionedInput<ClaimChange>,
    OK,
    |core, actor, id, version, body| core.claim_update(&actor, id, version, body.input),
    |out| out.case_version
);
get_id!(justice_record, |core, actor, id| core
    .justice_record(&actor, id));

async fn advocacy_share(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<RangeQuery>,
) -> Res {
    let out = s
        .run(move |core| core.advocacy_share(&actor, q.from, q.to))
        .await?;
    Ok(Json(out).into_response())
}

// ---- facilities -----------------------------------------------------------------------------------

list_all!(list_facilities, |core, actor| core.facilities(&actor));
post!(
    create_facility,
    FacilityInput,
    CREATED,
    |core, actor, body| core.create_facility(&actor, body)
);
get_id!(get_facility, |core, actor, id| core.facility(&actor, id));
versioned!(
    update_facility,
    VersionedInput<FacilityInput>,
    OK,
    |core, actor, id, version, body| core.update_facility(&actor, id, version, body.input),
    |out| out.version
);
versioned!(
    set_facility_open,
    OpenBody,
    OK,
    |core, actor, id, version, body| core.set_facility_open(&actor, id, version, body.open),
    |out| out.version
);
get_id!(facility_location, |core, actor, id| core
    .facility_location(&actor, id));

// ---- placement and transport ----------------------------------------------------------------------

versioned!(
    assess_needs,
    VersionedInput<NeedsInput>,
    CREATED,
    |core, actor, id, version, body| core.assess_needs(&actor, id, version, body.input),
    |_out| version
);
get_id!(needs_assessment, |core, actor, id| core
    .needs_assessment(&actor, id));
get_id!(placement_matches, |core, actor, id| core
    .placement_matches(&actor, id));
post!(placement_assign, AssignRequest, OK, |core, actor, body| {
    core.placement_assign(&actor, &body)
});
versioned!(
    match_facility,
    FacilityDateBody,
    OK,
    |core, actor, id, version, body| {
        let date = body.date.unwrap_or_else(|| today(core));
        core.match_facility(&actor, id, version, body.facility_id, date)
    },
    |_out| version + 1
);
versioned!(
    place,
    FacilityDateBody,
    CREATED,
    |core, actor, id, version, body| {
        let date = body.date.unwrap_or_else(|| today(core));
        core.place(&actor, id, version, body.facility_id, date)
    },
    |_out| version + 1
);
versioned!(
    move_placement,
    FacilityDateBody,
    OK,
    |core, actor, id, version, body| {
        let date = body.date.unwrap_or_else(|| today(core));
        core.move_placement(&actor, id, version, body.facility_id, date)
    },
    |_out| version + 1
);
versioned!(
    exit_placement,
    VersionedInput<ExitInput>,
    OK,
    |core, actor, id, version, body| core.exit_placement(&actor, id, version, body.input),
    |_out| version + 1
);
list_id!(list_placements, |core, actor, id| core
    .placements(&actor, id));
versioned!(
    arrange_transport,
    VersionedInput<TransportInput>,
    CREATED,
    |core, actor, id, version, body| core.arrange_transport(&actor, id, version, body.input),
    |_out| version + 1
);
list_id!(list_transports, |core, actor, id| core
    .transports(&actor, id));

// ---- follow-ups and progress ----------------------------------------------------------------------

async fn followup_policy(State(s): State<AppState>, Extension(actor): Extension<Actor>) -> Res {
    let out = s.run(move |core| core.followup_policy(&actor)).await?;
    Ok(Json(out).into_response())
}
post!(
    set_followup_policy,
    FollowupPolicy,
    OK,
    |core, actor, body| {
        core.set_followup_policy(&actor, body.clone())?;
        Ok(body)
    }
);
versioned!(
    log_followup,
    VersionedInput<ContactInput>,
    OK,
    |core, actor, id, version, body| core.log_followup(&actor, id, version, body.input),
    |out| out.version
);
list_id!(list_followups, |core, actor, id| core.followups(&actor, id));
get_id!(followup_notes, |core, actor, id| core
    .followup_notes(&actor, id));
as_of!(followups_due, |core, actor, as_of| core
    .followups_due(&actor, as_of));
as_of!(followups_overdue, |core, actor, as_of| core
    .followups_overdue(&actor, as_of));
post_id!(
    record_progress,
    ProgressInput,
    CREATED,
    |core, actor, id, body| core
        .record_progress(&actor, id, body)
        .map(|id| Created { id })
);
get_id!(progress_trend, |core, actor, id| core
    .progress_trend(&actor, id));

// ---- erasure and subject access -------------------------------------------------------------------

post_id!(erase_person, ErasureBody, OK, |core, actor, id, body| core
    .erase_person(&actor, id, &body.reason));
get_id!(export_person, |core, actor, id| core
    .export_person(&actor, id));

// ---- network and import ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterQuery {
    fuzzy_links: Option<bool>,
    min_members: Option<usize>,
}

async fn network_clusters(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<ClusterQuery>,
) -> Res {
    let mut options = unchain_core::network::ClusterOptions::default();
    if let Some(f) = q.fuzzy_links {
        options.fuzzy_links = f;
    }
    if let Some(m) = q.min_members {
        options.min_members = m;
    }
    let out = s
        .run(move |core| core.network_clusters(&actor, &options))
        .await?;
    Ok(Json(out).into_response())
}

post!(
    police_package,
    unchain_core::network::PackageScope,
    OK,
    |core, actor, body| core.police_package(&actor, body)
);

/// The import format from the body's media type: CSV or JSON Lines.
fn import_format(headers: &HeaderMap) -> Result<unchain_core::import::Format, ApiError> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "text/csv" => Ok(unchain_core::import::Format::Csv),
        "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" => {
            Ok(unchain_core::import::Format::JsonLines)
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be CSV or JSON Lines",
            "send Content-Type: text/csv or application/x-ndjson",
        )),
    }
}

/// What an import creates.
#[derive(Clone, Copy)]
enum ImportKind {
    Groups,
    Cases,
    Intel,
    Facilities,
}

/// An import's query: all or nothing (the default), or `skip_invalid=true` to import the valid
/// records and report the others by line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    #[serde(default)]
    skip_invalid: bool,
}

const IMPORT_QUERY: &[Param] = &[Param {
    name: "skip_invalid",
    kind: "boolean",
    format: "",
    description: "import the valid records and report the invalid ones by line number, field and \
                  reason (the first 1,000) instead of writing nothing (default false)",
    required: false,
}];

/// Runs an import of the request body: the body is spooled to an owner-only temporary file
/// (the core imports from files, streaming), imported all or nothing, or skipping invalid lines
/// (`skip_invalid`), and the file removed. Rejected lines go to a temporary rejects file that
/// is removed too: the client has its own copy of them, named by line in the report's errors,
/// and the server's paths are not the client's business.
async fn import(
    s: AppState,
    actor: Actor,
    query: ImportQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
    kind: ImportKind,
) -> Res {
    use unchain_core::import::{ImportOptions, OnInvalid, Progress};
    use unchain_core::store::StoreError;
    let format = import_format(&headers)?;
    let out = s
        .run(move |core| {
            let mut file = tempfile::NamedTempFile::new().map_err(StoreError::Io)?;
            std::io::Write::write_all(&mut file, &body).map_err(StoreError::Io)?;
            let rejects = tempfile::tempdir().map_err(StoreError::Io)?;
            let mut options = ImportOptions::new(format);
            if query.skip_invalid {
                options.on_invalid = OnInvalid::Skip {
                    rejects: rejects.path().join("rejects"),
                };
            }
            let mut progress = |_: &Progress| {};
            let path = file.path();
            let mut report = match kind {
                ImportKind::Groups => core.import_groups(&actor, path, &options, &mut progress),
                ImportKind::Cases => core.import_cases(&actor, path, &options, &mut progress),
                ImportKind::Intel => core.import_intel(&actor, path, &options, &mut progress),
                ImportKind::Facilities => {
                    core.import_facilities(&actor, path, &options, &mut progress)
                }
            }?;
            report.rejects = None;
            Ok(report)
        })
        .await?;
    Ok(Json(out).into_response())
}

/// The handler of one import endpoint: the same for every kind of record.
fn import_handler(filter: MethodFilter, kind: ImportKind) -> MethodRouter<AppState> {
    on(
        filter,
        move |State(s): State<AppState>,
              Extension(actor): Extension<Actor>,
              Query(query): Query<ImportQuery>,
              headers: HeaderMap,
              body: axum::body::Bytes| import(s, actor, query, headers, body, kind),
    )
}

// ---- reports and the HTCDS export -----------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodQuery {
    from: NaiveDate,
    to: NaiveDate,
    as_of: Option<NaiveDate>,
}

macro_rules! report {
    ($name:ident, $method:ident) => {
        async fn $name(
            State(s): State<AppState>,
            Extension(actor): Extension<Actor>,
            Query(q): Query<PeriodQuery>,
        ) -> Res {
            let out = s
                .run(move |core| {
                    let period = unchain_core::reports::Period {
                        from: q.from,
                        to: q.to,
                        as_of: q.as_of.unwrap_or_else(|| today(core)),
                    };
                    core.$method(&actor, period)
                })
                .await?;
            Ok(Json(out).into_response())
        }
    };
}

report!(summary_report, summary_report);
report!(nrm_report, nrm_report);
report!(aftercare_report, aftercare_report);
report!(justice_report, justice_report);
report!(campaign_report, campaign_report);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    k: Option<usize>,
    max_suppressed_per_mille: Option<u32>,
}

async fn export_htcds(
    State(s): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(q): Query<ExportQuery>,
) -> Res {
    let mut config = unchain_core::export::KAnonymity::default();
    if let Some(k) = q.k {
        config.k = k;
    }
    if let Some(m) = q.max_suppressed_per_mille {
        config.max_suppressed_per_mille = m;
    }
    let out = s
        .run(move |core| core.export_htcds(&actor, &config))
        .await?;
    Ok(Json(out).into_response())
}

// ---- the table ------------------------------------------------------------------------------------

const AS_OF: &[Param] = &[Param {
    name: "as_of",
    kind: "string",
    format: "date",
    description: "the day asked about (default today)",
    required: false,
}];

const RANGE: &[Param] = &[
    Param {
        name: "from",
        kind: "string",
        format: "date",
        description: "from this day",
        required: false,
    },
    Param {
        name: "to",
        kind: "string",
        format: "date",
        description: "to this day",
        required: false,
    },
];

const REPORTS: &[Param] = &[
    crate::routes::LIST[0],
    crate::routes::LIST[1],
    Param {
        name: "received_from",
        kind: "string",
        format: "date",
        description: "received on or after",
        required: false,
    },
    Param {
        name: "received_to",
        kind: "string",
        format: "date",
        description: "received on or before",
        required: false,
    },
    Param {
        name: "source_id",
        kind: "string",
        format: "uuid",
        description: "from this source",
        required: false,
    },
    Param {
        name: "graded",
        kind: "boolean",
        format: "",
        description: "graded or not yet",
        required: false,
    },
];

use crate::routes::LIST;
use Operation as O;

/// Shorthand for the table.
const fn op(o: Operation) -> Access {
    Access::Operation(o)
}

macro_rules! ep {
    ($m:literal $p:literal $id:literal $tag:literal $op:expr, $summary:literal,
     query $q:expr, req $req:expr, res $res:literal $status:literal $(, $versioned:ident)?) => {
        Endpoint {
            method: $m,
            path: $p,
            id: $id,
            summary: $summary,
            tag: $tag,
            access: $op,
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

const CLUSTERS: &[Param] = &[
    Param {
        name: "fuzzy_links",
        kind: "boolean",
        format: "",
        description: "also link near-identical identifiers (default true)",
        required: false,
    },
    Param {
        name: "min_members",
        kind: "integer",
        format: "",
        description: "smallest cluster shown (default 2)",
        required: false,
    },
];

const PERIOD: &[Param] = &[
    Param {
        name: "from",
        kind: "string",
        format: "date",
        description: "first day of the period",
        required: true,
    },
    Param {
        name: "to",
        kind: "string",
        format: "date",
        description: "last day of the period",
        required: true,
    },
    Param {
        name: "as_of",
        kind: "string",
        format: "date",
        description: "count what was known on this day (default today)",
        required: false,
    },
];

const K_ANON: &[Param] = &[
    Param {
        name: "k",
        kind: "integer",
        format: "",
        description: "k-anonymity threshold (default 11)",
        required: false,
    },
    Param {
        name: "max_suppressed_per_mille",
        kind: "integer",
        format: "",
        description: "refuse when more records than this (per mille) would be suppressed (default 50)",
        required: false,
    },
];

/// The endpoints of the services.
pub const ENDPOINTS: &[Endpoint] = &[
    ep!("POST" "/api/v1/import/intel" "import_intel" "import" Access::AllOf(&[O::ImportRun, O::IntelCreate]), "Import intelligence reports (text/csv or application/x-ndjson body; all or nothing unless skip_invalid)", query IMPORT_QUERY, req Some("ImportBody"), res "ImportReport" 200),
    ep!("POST" "/api/v1/import/facilities" "import_facilities" "import" Access::AllOf(&[O::ImportRun, O::FacilityManage]), "Import facilities (text/csv or application/x-ndjson body; all or nothing unless skip_invalid)", query IMPORT_QUERY, req Some("ImportBody"), res "ImportReport" 200),
    ep!("GET" "/api/v1/reports/summary" "summary_report" "reports" op(O::ReportRead), "Summary of a period (aggregates only)", query PERIOD, req None, res "SummaryReport" 200),
    ep!("GET" "/api/v1/reports/nrm" "nrm_report" "reports" op(O::ReportRead), "NRM report of a period", query PERIOD, req None, res "NrmReport" 200),
    ep!("GET" "/api/v1/reports/aftercare" "aftercare_report" "reports" op(O::ReportRead), "Aftercare report of a period", query PERIOD, req None, res "AftercareReport" 200),
    ep!("GET" "/api/v1/reports/justice" "justice_report" "reports" op(O::ReportRead), "Justice report of a period", query PERIOD, req None, res "JusticeReport" 200),
    ep!("GET" "/api/v1/reports/campaign" "campaign_report" "reports" op(O::ReportRead), "Campaign report of a period", query PERIOD, req None, res "CampaignReport" 200),
    ep!("GET" "/api/v1/export/htcds" "export_htcds" "export" op(O::ExportHtcds), "De-identified HTCDS export, k-anonymised", query K_ANON, req None, res "Anonymised" 200),
    ep!("GET" "/api/v1/network/clusters" "network_clusters" "network" op(O::NetworkRead), "The organised-crime picture: clusters of linked reports, cases and suspects", query CLUSTERS, req None, res "ListOfClusterView" 200),
    ep!("POST" "/api/v1/network/police-package" "police_package" "network" op(O::PolicePackage), "A police package for a report or a cluster ({\"scope\": \"report\", \"id\": …})", query &[], req Some("PackageScope"), res "PolicePackage" 200),
    ep!("POST" "/api/v1/import/groups" "import_groups" "import" op(O::ImportRun), "Import community groups (text/csv or application/x-ndjson body; all or nothing unless skip_invalid)", query IMPORT_QUERY, req Some("ImportBody"), res "ImportReport" 200),
    ep!("POST" "/api/v1/import/cases" "import_cases" "import" Access::AllOf(&[O::ImportRun, O::CaseCreate]), "Import people and cases (text/csv or application/x-ndjson body; all or nothing unless skip_invalid)", query IMPORT_QUERY, req Some("ImportBody"), res "ImportReport" 200),
    ep!("GET" "/api/v1/sources" "list_sources" "intelligence" op(O::SourceRead), "Intelligence sources and community contacts", query LIST, req None, res "PageOfSourceView" 200),
    ep!("POST" "/api/v1/sources" "create_source" "intelligence" op(O::SourceManage), "Register a source", query &[], req Some("Source"), res "SourceView" 201),
    ep!("GET" "/api/v1/sources/{id}" "get_source" "intelligence" op(O::SourceRead), "A source", query &[], req None, res "SourceView" 200),
    ep!("PUT" "/api/v1/sources/{id}" "update_source" "intelligence" op(O::SourceManage), "Change a source (input: Source)", query &[], req Some("VersionedInput"), res "SourceView" 200, versioned),
    ep!("GET" "/api/v1/intel" "list_reports" "intelligence" op(O::IntelRead), "Intelligence reports", query REPORTS, req None, res "PageOfReportSummary" 200),
    ep!("POST" "/api/v1/intel" "create_report" "intelligence" op(O::IntelCreate), "Record an intelligence report", query &[], req Some("NewReport"), res "ReportSummary" 201),
    ep!("GET" "/api/v1/intel/{id}" "get_report" "intelligence" op(O::IntelRead), "A report with its narrative and identifiers", query &[], req None, res "ReportDetail" 200),
    ep!("POST" "/api/v1/intel/{id}/grading" "grade_report" "intelligence" op(O::IntelGrade), "Grade a report, 3x5x2", query &[], req Some("GradingBody"), res "ReportSummary" 200, versioned),
    ep!("POST" "/api/v1/intel/{id}/links" "link_report" "intelligence" op(O::IntelCreate), "Link a report to cases and suspects", query &[], req Some("RecordLinks"), res "ReportSummary" 200, versioned),
    ep!("GET" "/api/v1/intel/{id}/disseminations" "list_disseminations" "intelligence" op(O::IntelRead), "Where a report was disseminated", query LIST, req None, res "PageOfDisseminationView" 200),
    ep!("POST" "/api/v1/intel/{id}/disseminations" "disseminate" "intelligence" op(O::IntelDisseminate), "Record a dissemination to a police force", query &[], req Some("NewDissemination"), res "DisseminationView" 201),
    ep!("GET" "/api/v1/suspects" "list_suspects" "suspects" op(O::SuspectRead), "Suspects", query LIST, req None, res "PageOfSuspectSummary" 200),
    ep!("POST" "/api/v1/suspects" "create_suspect" "suspects" op(O::SuspectManage), "Record a suspect", query &[], req Some("NewSuspect"), res "SuspectSummary" 201),
    ep!("GET" "/api/v1/suspects/{id}" "get_suspect" "suspects" op(O::SuspectRead), "A suspect", query &[], req None, res "SuspectView" 200),
    ep!("PUT" "/api/v1/suspects/{id}" "update_suspect" "suspects" op(O::SuspectManage), "Change a suspect (input: SuspectDetails)", query &[], req Some("VersionedInput"), res "SuspectSummary" 200, versioned),
    ep!("POST" "/api/v1/suspects/{id}/links" "link_suspect" "suspects" op(O::SuspectManage), "Link a suspect to reports and cases", query &[], req Some("RecordLinks"), res "SuspectSummary" 200, versioned),
    ep!("GET" "/api/v1/rescues" "list_rescues" "rescues" op(O::RescueRead), "Rescue operations", query LIST, req None, res "PageOfRescue" 200),
    ep!("POST" "/api/v1/rescues" "record_rescue" "rescues" op(O::RescueManage), "Record a rescue", query &[], req Some("NewRescue"), res "Rescue" 201),
    ep!("GET" "/api/v1/rescues/{id}" "get_rescue" "rescues" op(O::RescueRead), "A rescue", query &[], req None, res "Rescue" 200),
    ep!("GET" "/api/v1/cases/{id}/nrm" "list_referrals" "nrm" op(O::NrmRead), "A case's NRM referrals", query LIST, req None, res "PageOfNrmReferralView" 200),
    ep!("POST" "/api/v1/cases/{id}/nrm" "nrm_refer" "nrm" op(O::NrmManage), "Refer to the NRM or notify (input: NewReferral; version: the case's)", query &[], req Some("VersionedInput"), res "NrmReferralView" 201, versioned),
    ep!("POST" "/api/v1/cases/{id}/nrm/changes" "nrm_update" "nrm" op(O::NrmManage), "Record an NRM change (input: NrmChange)", query &[], req Some("VersionedInput"), res "NrmReferralView" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/nrm/reasonable-grounds" "nrm_reasonable_grounds" "nrm" op(O::NrmManage), "Record the reasonable grounds decision", query &[], req Some("DecisionBody"), res "NrmReferralView" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/nrm/conclusive-grounds" "nrm_conclusive_grounds" "nrm" op(O::NrmManage), "Record the conclusive grounds decision", query &[], req Some("DecisionBody"), res "NrmReferralView" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/nrm/reconsideration" "nrm_reconsideration" "nrm" op(O::NrmManage), "Record a reconsideration request", query &[], req Some("DatedBody"), res "NrmReferralView" 200, versioned),
    ep!("GET" "/api/v1/cases/{id}/nrm/deadlines" "nrm_deadlines" "nrm" op(O::NrmRead), "A case's NRM deadlines", query AS_OF, req None, res "NrmDeadlines" 200),
    ep!("GET" "/api/v1/nrm/overdue" "nrm_overdue" "nrm" op(O::NrmRead), "Overdue NRM steps (pseudonymised)", query AS_OF, req None, res "ListOfNrmOverdueItem" 200),
    ep!("POST" "/api/v1/cases/{id}/advocacy" "record_advocacy" "justice" op(O::LegalManage), "Advocacy requested or declined", query &[], req Some("AdvocacyBody"), res "CaseVersion" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/advice" "record_advice" "justice" op(O::LegalManage), "Record legal advice given", query &[], req Some("NewAdvice"), res "LegalRecord" 201),
    ep!("POST" "/api/v1/cases/{id}/prosecutions" "report_to_police" "justice" op(O::LegalManage), "Report to the police (input: NewPoliceReport)", query &[], req Some("VersionedInput"), res "RecordedProsecution" 201, versioned),
    ep!("POST" "/api/v1/cases/{id}/prosecutions/changes" "prosecution_update" "justice" op(O::LegalManage), "Record a prosecution step (input: ProsecutionChange)", query &[], req Some("VersionedInput"), res "RecordedProsecution" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/claims" "lodge_claim" "justice" op(O::LegalManage), "Lodge a civil or compensation claim (input: NewClaim)", query &[], req Some("VersionedInput"), res "RecordedClaim" 201, versioned),
    ep!("POST" "/api/v1/cases/{id}/claims/changes" "claim_update" "justice" op(O::LegalManage), "Record a claim step (input: ClaimChange)", query &[], req Some("VersionedInput"), res "RecordedClaim" 200, versioned),
    ep!("GET" "/api/v1/cases/{id}/justice" "justice_record" "justice" op(O::LegalRead), "A case's justice record", query &[], req None, res "JusticeRecord" 200),
    ep!("GET" "/api/v1/reports/advocacy-share" "advocacy_share" "reports" op(O::ReportRead), "Share of cases with advocacy", query RANGE, req None, res "AdvocacyShare" 200),
    ep!("GET" "/api/v1/facilities" "list_facilities" "facilities" op(O::FacilityRead), "Facilities (no locations)", query LIST, req None, res "PageOfFacilityView" 200),
    ep!("POST" "/api/v1/facilities" "create_facility" "facilities" op(O::FacilityManage), "Register a facility", query &[], req Some("FacilityInput"), res "FacilityView" 201),
    ep!("GET" "/api/v1/facilities/{id}" "get_facility" "facilities" op(O::FacilityRead), "A facility (its address only with facility.location)", query &[], req None, res "FacilityView" 200),
    ep!("PUT" "/api/v1/facilities/{id}" "update_facility" "facilities" op(O::FacilityManage), "Change a facility (input: FacilityInput)", query &[], req Some("VersionedInput"), res "FacilityView" 200, versioned),
    ep!("POST" "/api/v1/facilities/{id}/open" "set_facility_open" "facilities" op(O::FacilityManage), "Open or close a facility to referrals", query &[], req Some("OpenBody"), res "FacilityView" 200, versioned),
    ep!("GET" "/api/v1/facilities/{id}/location" "facility_location" "facilities" op(O::FacilityLocation), "A facility's exact location (audited)", query &[], req None, res "FacilityAddress" 200),
    ep!("POST" "/api/v1/cases/{id}/needs" "assess_needs" "placement" op(O::PlacementManage), "Assess needs (input: NeedsInput)", query &[], req Some("VersionedInput"), res "NeedsSummary" 201, versioned),
    ep!("GET" "/api/v1/cases/{id}/needs" "needs_assessment" "placement" op(O::PlacementRead), "The latest needs assessment", query &[], req None, res "NeedsView" 200),
    ep!("GET" "/api/v1/cases/{id}/matches" "placement_matches" "placement" op(O::PlacementManage), "Facilities ranked for the case, with reasons", query &[], req None, res "Matches" 200),
    ep!("POST" "/api/v1/placements/assign" "placement_assign" "placement" op(O::PlacementManage), "Propose the best assignment for several cases (writes nothing)", query &[], req Some("AssignRequest"), res "Proposal" 200),
    ep!("POST" "/api/v1/cases/{id}/match" "match_facility" "placement" op(O::PlacementManage), "Match the case to a facility", query &[], req Some("FacilityDateBody"), res "AftercareStep" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/placement" "place" "placement" op(O::PlacementManage), "Place the person", query &[], req Some("FacilityDateBody"), res "PlacementView" 201, versioned),
    ep!("POST" "/api/v1/cases/{id}/placement/move" "move_placement" "placement" op(O::PlacementManage), "Move the person to another facility", query &[], req Some("FacilityDateBody"), res "PlacementView" 200, versioned),
    ep!("POST" "/api/v1/cases/{id}/placement/exit" "exit_placement" "placement" op(O::PlacementManage), "End the placement (input: ExitInput)", query &[], req Some("VersionedInput"), res "PlacementView" 200, versioned),
    ep!("GET" "/api/v1/cases/{id}/placements" "list_placements" "placement" op(O::PlacementRead), "A case's placements", query LIST, req None, res "PageOfPlacementView" 200),
    ep!("POST" "/api/v1/cases/{id}/transports" "arrange_transport" "placement" op(O::PlacementManage), "Arrange transport (input: TransportInput)", query &[], req Some("VersionedInput"), res "TransportView" 201, versioned),
    ep!("GET" "/api/v1/cases/{id}/transports" "list_transports" "placement" op(O::PlacementRead), "A case's transport", query LIST, req None, res "PageOfTransportView" 200),
    ep!("GET" "/api/v1/followups/policy" "followup_policy" "followups" op(O::FollowupRead), "The follow-up schedule in force", query &[], req None, res "FollowupPolicy" 200),
    ep!("PUT" "/api/v1/followups/policy" "set_followup_policy" "followups" op(O::FollowupManage), "Change the follow-up schedule", query &[], req Some("FollowupPolicy"), res "FollowupPolicy" 200),
    ep!("POST" "/api/v1/followups/{id}/contacts" "log_followup" "followups" op(O::FollowupManage), "Log a follow-up contact attempt (input: ContactInput; version: the follow-up's)", query &[], req Some("VersionedInput"), res "FollowupLine" 200, versioned),
    ep!("GET" "/api/v1/cases/{id}/followups" "list_followups" "followups" op(O::FollowupRead), "A case's follow-ups", query LIST, req None, res "PageOfFollowupLine" 200),
    ep!("GET" "/api/v1/followups/{id}/notes" "followup_notes" "followups" Access::AllOf(&[O::FollowupRead, O::PersonIdentity]), "A follow-up's notes (identity roles only)", query &[], req None, res "ListOfFollowupNote" 200),
    ep!("GET" "/api/v1/followups/due" "followups_due" "followups" op(O::FollowupRead), "Follow-ups due or overdue", query AS_OF, req None, res "ListOfFollowupLine" 200),
    ep!("GET" "/api/v1/followups/overdue" "followups_overdue" "followups" op(O::FollowupRead), "Follow-ups overdue", query AS_OF, req None, res "ListOfFollowupLine" 200),
    ep!("POST" "/api/v1/cases/{id}/progress" "record_progress" "followups" op(O::FollowupManage), "Record a progress assessment", query &[], req Some("ProgressInput"), res "Created" 201),
    ep!("GET" "/api/v1/cases/{id}/progress" "progress_trend" "followups" op(O::FollowupRead), "Progress over time", query &[], req None, res "ProgressTrend" 200),
    ep!("POST" "/api/v1/people/{id}/erasure" "erase_person" "people" op(O::PersonErase), "Erase a person (crypto-shred) on request", query &[], req Some("ErasureBody"), res "ErasureReport" 200),
    ep!("GET" "/api/v1/people/{id}/export" "export_person" "people" op(O::PersonExport), "Everything held about a person (subject access)", query &[], req None, res "Object" 200),
];

/// The handler of a service endpoint.
pub(crate) fn handler(id: &str, filter: MethodFilter) -> Option<MethodRouter<AppState>> {
    Some(match id {
        "import_intel" => import_handler(filter, ImportKind::Intel),
        "import_facilities" => import_handler(filter, ImportKind::Facilities),
        "summary_report" => on(filter, summary_report),
        "nrm_report" => on(filter, nrm_report),
        "aftercare_report" => on(filter, aftercare_report),
        "justice_report" => on(filter, justice_report),
        "campaign_report" => on(filter, campaign_report),
        "export_htcds" => on(filter, export_htcds),
        "network_clusters" => on(filter, network_clusters),
        "police_package" => on(filter, police_package),
        "import_groups" => import_handler(filter, ImportKind::Groups),
        "import_cases" => import_handler(filter, ImportKind::Cases),
        "list_sources" => on(filter, list_sources),
        "create_source" => on(filter, create_source),
        "get_source" => on(filter, get_source),
        "update_source" => on(filter, update_source),
        "list_reports" => on(filter, list_reports),
        "create_report" => on(filter, create_report),
        "get_report" => on(filter, get_report),
        "grade_report" => on(filter, grade_report),
        "link_report" => on(filter, link_report),
        "list_disseminations" => on(filter, list_disseminations),
        "disseminate" => on(filter, disseminate),
        "list_suspects" => on(filter, list_suspects),
        "create_suspect" => on(filter, create_suspect),
        "get_suspect" => on(filter, get_suspect),
        "update_suspect" => on(filter, update_suspect),
        "link_suspect" => on(filter, link_suspect),
        "list_rescues" => on(filter, list_rescues),
        "record_rescue" => on(filter, record_rescue),
        "get_rescue" => on(filter, get_rescue),
        "list_referrals" => on(filter, list_referrals),
        "nrm_refer" => on(filter, nrm_refer),
        "nrm_update" => on(filter, nrm_update),
        "nrm_reasonable_grounds" => on(filter, nrm_reasonable_grounds),
        "nrm_conclusive_grounds" => on(filter, nrm_conclusive_grounds),
        "nrm_reconsideration" => on(filter, nrm_reconsideration),
        "nrm_deadlines" => on(filter, nrm_deadlines),
        "nrm_overdue" => on(filter, nrm_overdue),
        "record_advocacy" => on(filter, record_advocacy),
        "record_advice" => on(filter, record_advice),
        "report_to_police" => on(filter, report_to_police),
        "prosecution_update" => on(filter, prosecution_update),
        "lodge_claim" => on(filter, lodge_claim),
        "claim_update" => on(filter, claim_update),
        "justice_record" => on(filter, justice_record),
        "advocacy_share" => on(filter, advocacy_share),
        "list_facilities" => on(filter, list_facilities),
        "create_facility" => on(filter, create_facility),
        "get_facility" => on(filter, get_facility),
        "update_facility" => on(filter, update_facility),
        "set_facility_open" => on(filter, set_facility_open),
        "facility_location" => on(filter, facility_location),
        "assess_needs" => on(filter, assess_needs),
        "needs_assessment" => on(filter, needs_assessment),
        "placement_matches" => on(filter, placement_matches),
        "placement_assign" => on(filter, placement_assign),
        "match_facility" => on(filter, match_facility),
        "place" => on(filter, place),
        "move_placement" => on(filter, move_placement),
        "exit_placement" => on(filter, exit_placement),
        "list_placements" => on(filter, list_placements),
        "arrange_transport" => on(filter, arrange_transport),
        "list_transports" => on(filter, list_transports),
        "followup_policy" => on(filter, followup_policy),
        "set_followup_policy" => on(filter, set_followup_policy),
        "log_followup" => on(filter, log_followup),
        "list_followups" => on(filter, list_followups),
        "followup_notes" => on(filter, followup_notes),
        "followups_due" => on(filter, followups_due),
        "followups_overdue" => on(filter, followups_overdue),
        "record_progress" => on(filter, record_progress),
        "progress_trend" => on(filter, progress_trend),
        "erase_person" => on(filter, erase_person),
        "export_person" => on(filter, export_person),
        _ => return None,
    })
}
