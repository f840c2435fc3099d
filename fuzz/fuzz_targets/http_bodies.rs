//! Every API request body through the real router (`unchain_server::router`), as an integrator's
//! client would send it: the fuzzer picks one of the endpoints that take a body, whether the ids
//! in its path name records that exist, and the content type; the rest of the input is the body.
//! Whatever arrives, the answer must be a 2xx or a 4xx — a client can cause no server error — and
//! every error must be `application/problem+json`.
//!
//! One in-memory core (fixed clock) with an administrator token, a case, its person and a
//! facility serves every run, so the handlers' own parsing, the core's validation and its rule
//! refusals are all reached.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use unchain_core::cases::NewCase;
use unchain_core::{FixedClock, Unchain};
use unchain_server::routes::endpoints;
use unchain_server::{Endpoint, Options};
use uuid::Uuid;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: Router,
    bearer: String,
    with_body: Vec<&'static Endpoint>,
    case: Uuid,
    person: Uuid,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let now = Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0).single().expect("instant");
        let core = Unchain::in_memory(Arc::new(FixedClock(now))).expect("core");
        core.bootstrap_admin("admin").expect("admin");
        let admin = core.actor("admin").expect("admin");
        let (_, secret) = core
            .issue_token(&admin, "admin", "fuzz", None)
            .expect("token");
        let case: NewCase = serde_json::from_str(
            r#"{"person":{"names":["Fuzz Person"]},"jurisdiction":"england-and-wales","exploitation":[]}"#,
        )
        .expect("seed case");
        let case = core.open_case(&admin, case).expect("case");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let router = unchain_server::router(core, Options::default());
        let mut with_body: Vec<&'static Endpoint> =
            endpoints().filter(|e| e.request.is_some()).collect();
        with_body.sort_by_key(|e| e.id);
        Fixture {
            runtime,
            router,
            bearer: format!("Bearer {}", secret.expose()),
            with_body,
            case: case.id,
            person: case.person.id,
        }
    })
}

/// Fills `{name}` path parameters: the fixture's records when `existing`, else a fresh id.
fn path(f: &Fixture, e: &Endpoint, existing: bool) -> String {
    let id = if !existing {
        Uuid::now_v7()
    } else if e.path.starts_with("/api/v1/people/") {
        f.person
    } else {
        f.case
    };
    e.path
        .replace("{id}", &id.to_string())
        .replace("{jurisdiction}", "england-and-wales")
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let e = f.with_body[choice as usize % f.with_body.len()];
    let existing = choice & 0x80 == 0;
    let content_type = if e.request == Some("ImportBody") {
        if choice & 0x40 == 0 { "text/csv" } else { "application/x-ndjson" }
    } else {
        "application/json"
    };
    let request = Request::builder()
        .method(e.method)
        .uri(path(f, e, existing))
        .header(header::AUTHORIZATION, &f.bearer)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_vec()))
        .expect("request");
    let response = f
        .runtime
        .block_on(f.router.clone().oneshot(request))
        .expect("the router is infallible");
    let status = response.status();
    assert!(
        !status.is_server_error(),
        "{} {} answered {status}",
        e.method,
        e.path
    );
    if status.is_client_error() {
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            kind.starts_with("application/problem+json"),
            "{} {} answered {status} as {kind:?}",
            e.method,
            e.path
        );
    }
});
