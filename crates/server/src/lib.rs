//! # unchain-server
//!
//! The HTTP API over unchain-core, as a library: [`router`] gives embedders the whole API as an
//! axum [`Router`]; the `unchain-server` binary serves it on a sled store.
//!
//! The server is a thin front end. Every route names the core [`Operation`] it performs (or says
//! that the body decides, or that any authenticated user may call it); the route is refused with
//! 403 *before its body is read* when the token's role may not perform it, using the core's own
//! [`Unchain::authorize`] (which also audits the refusal). The core then authorises again and does
//! the work on a blocking thread: the core is synchronous.
//!
//! Routes are declared once, in [`endpoints`], with what the OpenAPI document needs; the router is
//! assembled by [`Api::add`], which records every `(method, path)` it mounts, so a test can compare
//! the mounted routes with the document's paths (see `tests/e2e/server.rs`).
#![deny(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use unchain_core::{Actor, Operation, Unchain};

pub mod config;
pub mod error;
pub mod limit;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod tls;

pub use error::{ApiError, Problem, ProblemField};

/// The address the server listens on unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The data directory used unless told otherwise.
pub const DEFAULT_DATA_DIR: &str = "./unchain-data";

/// The largest request body accepted (a 10 MiB document is about 13.4 MiB in base64 JSON).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// How long a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The header carrying each request's id (set when the client sends none, echoed back).
pub const REQUEST_ID: &str = "x-request-id";

/// What a route requires of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (health checks, the OpenAPI document).
    Public,
    /// Any valid token; the core decides nothing further (e.g. calendars, `me`, the change feed,
    /// which filters by role itself).
    Authenticated,
    /// A valid token whose role may perform this operation (checked before the body is read).
    Operation(Operation),
    /// A valid token whose role may perform every one of these operations (reads that also show
    /// identities, e.g. follow-up notes need `followup.read` and `person.identity`).
    AllOf(&'static [Operation]),
    /// A valid token; the operation depends on the body (case events: closing needs
    /// `case.close`, advocacy `legal.manage`, …) and the core checks it.
    ByBody,
}

/// A query parameter, for the OpenAPI document.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// JSON schema type: `string`, `integer` or `boolean`.
    pub kind: &'static str,
    /// JSON schema format (`uuid`, `date`, `date-time`), or "".
    pub format: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// One route: everything the router and the OpenAPI document need to know about it.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// HTTP method (upper case).
    pub method: &'static str,
    /// Path, with `{name}` parameters (axum's and OpenAPI's syntax alike).
    pub path: &'static str,
    /// Unique operation id.
    pub id: &'static str,
    /// One line saying what it is for.
    pub summary: &'static str,
    /// Group in the document.
    pub tag: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Query parameters.
    pub query: &'static [Param],
    /// The request body's schema name, if it takes one.
    pub request: Option<&'static str>,
    /// The success response's schema name.
    pub response: &'static str,
    /// The success status (200, 201).
    pub status: u16,
    /// Whether it is an update taking a version (body or `If-Match`): adds 409, 412 and 428.
    pub versioned: bool,
}

/// What every handler shares: the core. One pointer, because every layer and handler clones it
/// on every request.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

struct Shared {
    core: Unchain,
    shutdown: Option<tokio::sync::watch::Receiver<bool>>,
}

impl AppState {
    /// Runs a core call on the blocking pool (the core is synchronous and may fsync).
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Unchain) -> unchain_core::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let core = self.0.core.clone();
        match tokio::task::spawn_blocking(move || f(&core)).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                tracing::error!(error = %e, "a core call panicked or was cancelled");
                Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The server failed",
                    "the failure is logged with this request's id",
                ))
            }
        }
    }

    /// Whether the server is shutting down (long-lived responses, the SSE feed, end then).
    pub fn shutting_down(&self) -> bool {
        self.0.shutdown.as_ref().is_some_and(|rx| *rx.borrow())
    }

    /// Waits until the server starts shutting down (forever when it has no shutdown signal).
    pub async fn until_shutdown(&self) {
        match self.0.shutdown.clone() {
            Some(mut rx) => {
                let _ = rx.wait_for(|down| *down).await;
            }
            None => std::future::pending::<()>().await,
        }
    }

    /// The core.
    pub fn core(&self) -> &Unchain {
        &self.0.core
    }
}

/// The router under construction, recording what it mounts.
pub struct Api {
    router: Router<AppState>,
    state: AppState,
    mounted: Vec<(String, String)>,
}

impl Api {
    /// Mounts `handler` for `endpoint` (whose method must be the handler's), wrapped in the
    /// route's access check.
    pub fn add(mut self, endpoint: &Endpoint, handler: MethodRouter<AppState>) -> Self {
        let handler = match endpoint.access {
            Access::Public => handler,
            Access::Authenticated | Access::ByBody => handler.route_layer(
                middleware::from_fn_with_state(self.state.clone(), authenticate),
            ),
            // One layer both authenticates and checks the role (one fewer boxed service per
            // request than two layers).
            Access::Operation(op) => handler.route_layer(middleware::from_fn_with_state(
                (self.state.clone(), Arc::from([op])),
                authenticate_and_require,
            )),
            Access::AllOf(ops) => handler.route_layer(middleware::from_fn_with_state(
                (self.state.clone(), Arc::from(ops)),
                authenticate_and_require,
            )),
        };
        self.router = self.router.route(endpoint.path, handler);
        self.mounted
            .push((endpoint.method.to_owned(), endpoint.path.to_owned()));
        self
    }
}

/// Options for embedders.
#[derive(Clone, Debug)]
pub struct Options {
    /// Request timeout.
    pub timeout: Duration,
    /// Body limit in bytes.
    pub body_limit: usize,
    /// Set to `true` when the server starts shutting down, so that the change feed's
    /// server-sent-event streams end (graceful shutdown waits for every open response).
    pub shutdown: Option<tokio::sync::watch::Receiver<bool>>,
    /// Repeated authentication failures per client (see [`limit`]); needs the router served
    /// with `into_make_service_with_connect_info::<SocketAddr>()`, or it does nothing.
    pub auth_limit: limit::AuthLimit,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: REQUEST_TIMEOUT,
            body_limit: BODY_LIMIT,
            shutdown: None,
            auth_limit: limit::AuthLimit::DEFAULT,
        }
    }
}

/// The whole API over `core`, with tracing (request ids, no bodies, no tokens), timeouts,
/// compression and the body limit.
///
/// The tower layers wrap the assembled router once, as one service, rather than through
/// `Router::layer`, which wraps every one of the routes separately: then each request cloned and
/// dropped a boxed copy of the whole stack per layer (about 30 boxed clones per request in a
/// callgrind profile, 12% of a case read's instructions). Behaviour is the same: every route,
/// the 404 and 405 fallbacks included, passes through every layer in the same order.
pub fn router(core: Unchain, options: Options) -> Router {
    let (api, _) = assemble(core, options.shutdown.clone());
    let request_id = HeaderName::from_static(REQUEST_ID);
    // Outermost first.
    let service = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), RequestIds::new()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                // Method, path (ids only) and request id: never the query, headers or body.
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(CompressionLayer::new())
        .layer(limit::AuthLimitLayer::new(options.auth_limit))
        .layer(middleware::map_response(ensure_problem))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            options.timeout,
        ))
        .layer(DefaultBodyLimit::max(options.body_limit))
        .service(api);
    Router::new().fallback_service(service)
}

/// Every `(METHOD, path)` the router mounts, for the OpenAPI completeness test.
pub fn mounted_routes() -> Vec<(String, String)> {
    let core = Unchain::in_memory(Arc::new(unchain_core::SystemClock)).expect("in-memory core");
    assemble(core, None).1
}

fn assemble(
    core: Unchain,
    shutdown: Option<tokio::sync::watch::Receiver<bool>>,
) -> (Router, Vec<(String, String)>) {
    let state = AppState(Arc::new(Shared { core, shutdown }));
    let api = Api {
        router: Router::new(),
        state: state.clone(),
        mounted: Vec::new(),
    };
    let api = routes::mount(api);
    let router = api
        .router
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "This endpoint does not take that method",
                "",
            )
        })
        .with_state(state);
    (router, api.mounted)
}

/// Every error answer is `application/problem+json`: the few produced outside the handlers
/// (timeouts, axum's own byte-body rejections) get a problem with their status in place of their
/// plain-text body.
async fn ensure_problem(res: Response) -> Response {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(error::PROBLEM_JSON.as_bytes()));
    if status.as_u16() < 400 || is_problem {
        return res;
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let slug = title.to_ascii_lowercase().replace(' ', "-");
    let mut problem = ApiError::new(status, &slug, title, "").into_response();
    for name in [header::WWW_AUTHENTICATE, header::ALLOW] {
        if let Some(v) = res.headers().get(&name) {
            problem.headers_mut().insert(name, v.clone());
        }
    }
    problem
}

/// Resolves `Authorization: Bearer <token>` into the [`Actor`] the handlers see.
async fn authenticate(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let actor = actor_of(&state, bearer(&req)?).await?;
    req.extensions_mut().insert(actor);
    Ok(next.run(req).await)
}

/// Authenticates, then refuses with 403 (audited by the core) unless the actor's role may
/// perform every operation — before the body is read.
async fn authenticate_and_require(
    State((state, ops)): State<(AppState, Arc<[Operation]>)>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let actor = actor_of(&state, bearer(&req)?).await?;
    if let Some(&op) = ops
        .iter()
        .find(|op| !unchain_core::auth::allowed(actor.role, **op))
    {
        let denied = actor.clone();
        state.run(move |core| core.authorize(&denied, op)).await?;
    }
    req.extensions_mut().insert(actor);
    Ok(next.run(req).await)
}

/// The request's bearer token, or 401.
fn bearer(req: &Request) -> Result<String, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized("no Authorization header"));
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
        .ok_or_else(|| ApiError::unauthorized("expected Authorization: Bearer <token>"))
}

/// The actor behind a bearer token, or 401.
async fn actor_of(state: &AppState, token: String) -> Result<Actor, ApiError> {
    // A token that authenticated moments ago is answered from the core's memory (forgotten on
    // any user or token change), without a trip to the blocking pool and the store.
    if let Some(actor) = state.core().cached_actor(&token) {
        return Ok(actor);
    }
    state
        .run(move |core| match core.authenticate_token(&token) {
            // Only the store's own failures are not the caller's fault.
            Err(unchain_core::CoreError::Store(e)) => Err(unchain_core::CoreError::Store(e)),
            Err(e) => Ok(Err(e.to_string())),
            Ok(actor) => Ok(Ok(actor)),
        })
        .await?
        .map_err(ApiError::unauthorized)
}

/// A response with an `ETag` carrying the resource's version.
pub fn with_etag(version: u64, body: impl IntoResponse) -> Response {
    let mut res = body.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// The version an update applies to: from `If-Match` (then a conflict is 412) or the body (409).
/// Both given and different: 412. Neither: 428.
pub fn version_of(
    headers: &axum::http::HeaderMap,
    body: Option<u64>,
) -> Result<(u64, bool), ApiError> {
    let from_header = match headers.get(header::IF_MATCH) {
        None => None,
        Some(v) => {
            let text = v.to_str().unwrap_or("");
            let n = text
                .trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse::<u64>()
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::PRECONDITION_FAILED,
                        "precondition-failed",
                        "If-Match does not match the current version",
                        "If-Match must be an ETag this API gave, e.g. \"3\"",
                    )
                })?;
            Some(n)
        }
    };
    match (from_header, body) {
        (Some(h), Some(b)) if h != b => Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "If-Match does not match the current version",
            format!("If-Match says {h} but the body says {b}"),
        )),
        (Some(h), _) => Ok((h, true)),
        (None, Some(b)) => Ok((b, false)),
        (None, None) => Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "version-required",
            "Say which version you are changing",
            "send the version in the body or an If-Match header",
        )),
    }
}

/// The methods a route table may use.
pub fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
}

/// Request ids: a random per-process prefix and a counter (`3f9c…-1a`). Unique like UUIDs for
/// tying log lines together, without a `getrandom` system call on every request.
#[derive(Clone)]
struct RequestIds {
    prefix: u64,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        Self {
            prefix: uuid::Uuid::new_v4().as_u64_pair().0,
            next: Arc::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:016x}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
