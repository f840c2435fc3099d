//! End-to-end tests of `unchain-server` over real HTTP (issue 9): the router bound on
//! `127.0.0.1:0` over an in-memory core, and the real binary for the first run and shutdown.
//!
//! The client is a few lines of HTTP/1.1 over `std::net::TcpStream` (`Connection: close`), so
//! the suite needs no HTTP client crate.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use unchain_core::auth::{self, Role};
use unchain_core::{Operation, SystemClock, Unchain};
use unchain_server::{Access, routes::endpoints};

// ---- a tiny client ------------------------------------------------------------------------------

/// An HTTP response as the tests read it (also used by `transport.rs`).
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
            )
        })
    }

    /// Asserts an RFC 9457 problem with this status and returns it.
    fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(p["type"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        assert!(p["title"].as_str().is_some(), "{p}");
        p
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&body[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = end + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
}

fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Resp {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() || matches!(method, "POST" | "PUT") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    // Write the body from another thread: the server may answer (413) before reading it all.
    let mut writer = stream.try_clone().expect("clone");
    let w = std::thread::spawn(move || {
        let _ = writer.write_all(&body);
    });
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let _ = w.join();
    parse(&raw)
}

/// A raw HTTP/1.1 response: status, headers and the body (de-chunked). Also used by
/// `transport.rs`.
pub(crate) fn parse(raw: &[u8]) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

// ---- a server -----------------------------------------------------------------------------------

struct Server {
    addr: SocketAddr,
    admin: String,
}

impl Server {
    /// The router over a fresh in-memory core, on an ephemeral port, with the administrator's
    /// token (issued through the core, as the binary's first run does).
    fn start() -> Server {
        Server::start_over(Unchain::in_memory(Arc::new(SystemClock)).expect("core"))
    }

    /// The router over `core` (the caller may keep a handle on its store).
    fn start_over(core: Unchain) -> Server {
        core.bootstrap_admin("admin").expect("admin");
        let admin = core.actor("admin").expect("actor");
        let (_, secret) = core
            .issue_token(&admin, "admin", "tests", None)
            .expect("token");
        let app = unchain_server::router(core, unchain_server::Options::default());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        Server {
            addr,
            admin: secret.expose().to_owned(),
        }
    }

    fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Resp {
        match body {
            None => send(self.addr, method, path, Some(token), &[], None),
            Some(b) => send(
                self.addr,
                method,
                path,
                Some(token),
                &[("Content-Type", "application/json")],
                Some(serde_json::to_vec(&b).expect("json")),
            ),
        }
    }

    fn ok(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
        let r = self.call(method, path, token, body);
        assert!(
            r.status == 200 || r.status == 201,
            "{method} {path}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        r.json()
    }

    /// GET `path` as the administrator, which must succeed.
    fn get(&self, path: &str) -> Value {
        self.ok("GET", path, &self.admin, None)
    }

    /// A user of `role` and a token for them.
    fn user(&self, role: Role) -> String {
        let name = format!("{}-{}", role.as_str().replace('_', "-"), fastrand());
        self.ok(
            "POST",
            "/api/v1/users",
            &self.admin,
            Some(json!({"name": name, "role": role.as_str()})),
        );
        let t = self.ok(
            "POST",
            "/api/v1/tokens",
            &self.admin,
            Some(json!({"user": name, "label": "test"})),
        );
        t["secret"].as_str().expect("secret").to_owned()
    }

    /// Every change the administrator can see (the writes so far).
    fn changes(&self) -> Vec<Value> {
        let page = self.ok("GET", "/api/v1/events?limit=500", &self.admin, None);
        page["changes"].as_array().expect("changes").clone()
    }
}

/// How many items a page holds.
fn items(page: &Value) -> usize {
    page["items"].as_array().expect("items").len()
}

fn fastrand() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn open_case(s: &Server) -> Value {
    s.ok(
        "POST",
        "/api/v1/cases",
        &s.admin,
        Some(
            json!({"person": {"names": ["Test Person"], "nationalities": ["AL"]},
                    "exploitation": ["labour"]}),
        ),
    )
}

// ---- the tests ----------------------------------------------------------------------------------

#[test]
fn the_openapi_document_covers_every_mounted_route() {
    let s = Server::start();
    let r = send(s.addr, "GET", "/api/v1/openapi.json", None, &[], None);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mounted = unchain_server::mounted_routes();
    assert!(mounted.len() >= 30, "{mounted:?}");
    for (method, path) in &mounted {
        let op = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is mounted but not documented"))
            [method.to_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} is mounted but not documented"
        );
        assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
        for part in path.split('/') {
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let params = op["parameters"].as_array().expect("parameters");
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path")
                );
            }
        }
    }
    let documented: usize = paths
        .values()
        .map(|item| item.as_object().map_or(0, |o| o.len()))
        .sum();
    assert_eq!(
        documented,
        mounted.len(),
        "documented routes that are not mounted"
    );
    // Every schema referenced is defined.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for piece in text.split("#/components/schemas/").skip(1) {
        let name: String = piece.chars().take_while(|c| *c != '"').collect();
        assert!(
            schemas.contains_key(&name),
            "{name} is referenced but not defined"
        );
    }
    // Found by bench/schemathesis.sh: a rule can refuse an operation on a record named in the
    // path (matching a case without a needs assessment), and follow-up notes are pairs.
    let matches = &paths["/api/v1/cases/{id}/matches"]["get"]["responses"];
    assert!(matches.get("422").is_some(), "{matches}");
    let notes = &paths["/api/v1/followups/{id}/notes"]["get"]["responses"]["200"];
    assert!(notes.to_string().contains("FollowupNote"), "{notes}");
    assert_eq!(schemas["FollowupNote"]["type"], "array");
    // The authentication-failure limit answers any request carrying a token, public ones too.
    assert!(paths["/healthz"]["get"]["responses"].get("429").is_some());
}

#[test]
fn health_and_readiness_need_no_token() {
    let s = Server::start();
    for path in ["/healthz", "/readyz"] {
        let r = send(s.addr, "GET", path, None, &[], None);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.json()["status"], "ok");
        assert!(r.header("x-request-id").is_some());
    }
    send(s.addr, "GET", "/nowhere", None, &[], None).problem(404);
}

#[test]
fn authentication_failures_are_401_with_a_challenge() {
    let s = Server::start();
    let check = |r: Resp| {
        r.problem(401);
        assert!(
            r.header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer"))
        );
    };
    check(send(s.addr, "GET", "/api/v1/cases", None, &[], None));
    check(send(
        s.addr,
        "GET",
        "/api/v1/cases",
        Some("uc_not-a-token"),
        &[],
        None,
    ));
    check(send(
        s.addr,
        "GET",
        "/api/v1/cases",
        None,
        &[("Authorization", "Basic YWRtaW46YWRtaW4=")],
        None,
    ));
    // Revoked.
    let t = s.ok(
        "POST",
        "/api/v1/tokens",
        &s.admin,
        Some(json!({"user": "admin", "label": "to revoke"})),
    );
    let secret = t["secret"].as_str().expect("secret");
    assert_eq!(s.call("GET", "/api/v1/me", secret, None).status, 200);
    let id = t["token"]["id"].as_str().expect("id");
    let revoked = s.ok("DELETE", &format!("/api/v1/tokens/{id}"), &s.admin, None);
    assert_eq!(revoked["active"], false);
    check(s.call("GET", "/api/v1/me", secret, None));
    // Expired.
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let t = s.ok(
        "POST",
        "/api/v1/tokens",
        &s.admin,
        Some(json!({"user": "admin", "label": "short", "expires_at": soon})),
    );
    let secret = t["secret"].as_str().expect("secret");
    assert_eq!(s.call("GET", "/api/v1/me", secret, None).status, 200);
    std::thread::sleep(Duration::from_millis(1600));
    let r = s.call("GET", "/api/v1/me", secret, None);
    let detail = r.json()["detail"].as_str().unwrap_or("").to_owned();
    check(r);
    assert!(detail.contains("expired"), "{detail}");
    // Listing never shows secrets or hashes.
    let list = s.call("GET", "/api/v1/tokens", &s.admin, None);
    let text = String::from_utf8_lossy(&list.body).into_owned();
    assert!(!text.contains(secret) && !text.contains("hash"), "{text}");
    // An unknown user in the filter is a bad query (422 naming it), not a missing list: found by
    // bench/schemathesis.sh (`?user=` answered an undocumented 404).
    for query in ["user=", "user=nobody"] {
        let r = s.call("GET", &format!("/api/v1/tokens?{query}"), &s.admin, None);
        assert_eq!(r.status, 422, "{query}");
        assert_eq!(r.json()["errors"][0]["field"], "user", "{query}");
    }
}

/// Every role against every endpoint: 403 exactly when the core's matrix denies the route's
/// operation, whatever the body (the check runs before the body is read).
#[test]
fn role_by_endpoint_matrix() {
    let s = Server::start();
    let tokens: Vec<(Role, String)> = Role::ALL.iter().map(|r| (*r, s.user(*r))).collect();
    let some_id = "01900000-0000-7000-8000-000000000000";
    let mut checked = 0;
    for e in endpoints() {
        let path = e
            .path
            .replace("{id}", some_id)
            .replace("{jurisdiction}", "scotland");
        let body = matches!(e.method, "POST" | "PUT").then(|| json!({}));
        for (role, token) in &tokens {
            let r = s.call(e.method, &path, token, body.clone());
            // Nothing a client sends is a server fault.
            assert!(
                r.status < 500,
                "{role} {} {}: {} {}",
                e.method,
                e.path,
                r.status,
                String::from_utf8_lossy(&r.body)
            );
            let ops: &[Operation] = match &e.access {
                Access::Operation(op) => std::slice::from_ref(op),
                Access::AllOf(ops) => ops,
                _ => &[],
            };
            match e.access {
                Access::Operation(_) | Access::AllOf(_) => {
                    if ops.iter().all(|op| auth::allowed(*role, *op)) {
                        assert_ne!(r.status, 403, "{role} {} {}", e.method, e.path);
                    } else {
                        let p = r.problem(403);
                        let denied = ops
                            .iter()
                            .find(|op| !auth::allowed(*role, **op))
                            .expect("one is denied");
                        let detail = p["detail"].as_str().unwrap_or("");
                        assert!(detail.contains(denied.as_str()), "{detail}");
                    }
                    checked += 1;
                }
                Access::Authenticated | Access::Public => {
                    assert_ne!(r.status, 403, "{role} {} {}", e.method, e.path);
                    assert_ne!(r.status, 401, "{role} {} {}", e.method, e.path);
                }
                Access::ByBody => {}
            }
        }
    }
    assert!(checked >= 7 * 25, "{checked}");

    // The body-dependent route: closing a case needs case.close, which the core checks.
    let case = open_case(&s);
    let id = case["id"].as_str().expect("id");
    for (role, token) in &tokens {
        let r = s.call(
            "POST",
            &format!("/api/v1/cases/{id}/events"),
            token,
            Some(json!({"version": 99, "event": {"kind": {"type": "assessment_started"}}})),
        );
        if auth::allowed(*role, Operation::CaseUpdate) {
            r.problem(409); // stale version: authorised, then refused by the version check
        } else {
            r.problem(403);
        }
    }
}

#[test]
fn cases_people_consents_and_documents_over_http() {
    let s = Server::start();
    let case = open_case(&s);
    let id = case["id"].as_str().expect("id").to_owned();
    let reference = case["reference"].as_str().expect("ref").to_owned();
    assert_eq!(case["stage"], "reported");
    assert_eq!(case["person"]["details"]["names"][0], "Test Person");

    // Get by id and by reference, with an ETag.
    let r = s.call("GET", &format!("/api/v1/cases/{reference}"), &s.admin, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(r.json()["id"], id.as_str());

    // The analyst sees a pseudonym, never the names.
    let analyst = s.user(Role::Analyst);
    let seen = s.ok("GET", &format!("/api/v1/cases/{id}"), &analyst, None);
    assert!(seen["person"]["details"].is_null());
    assert!(!seen.to_string().contains("Test Person"));

    // A stage event with the version in If-Match.
    let r = send(
        s.addr,
        "POST",
        &format!("/api/v1/cases/{id}/events"),
        Some(&s.admin),
        &[("Content-Type", "application/json"), ("If-Match", "\"1\"")],
        Some(br#"{"event":{"kind":{"type":"assessment_started"}}}"#.to_vec()),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["stage"], "assessing");
    assert_eq!(r.header("etag"), Some("\"2\""));
    // The analyst's earlier read was remembered by the core's view cache: the change shows at
    // once, with the new version, through every layer (request id, JSON type, compression).
    let r = s.call("GET", &format!("/api/v1/cases/{id}"), &analyst, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["stage"], "assessing");
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("x-request-id").is_some());
    let r = send(
        s.addr,
        "GET",
        &format!("/api/v1/cases/{id}"),
        Some(&analyst),
        &[("Accept-Encoding", "gzip")],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.header("x-request-id").is_some());
    let timeline = s.get(&format!("/api/v1/cases/{id}/timeline"));
    assert_eq!(timeline.as_array().expect("timeline").len(), 2);

    // Lists: filter and paginate.
    open_case(&s);
    open_case(&s);
    let p1 = s.get("/api/v1/cases?limit=2");
    assert_eq!(items(&p1), 2);
    let cursor = p1["next_cursor"].as_str().expect("more");
    let p2 = s.get(&format!("/api/v1/cases?limit=2&cursor={cursor}"));
    assert_eq!(items(&p2), 1);
    assert!(p2["next_cursor"].is_null());
    let assessing = s.get("/api/v1/cases?stage=assessing");
    assert_eq!(items(&assessing), 1);
    s.call("GET", "/api/v1/cases?stage=flying", &s.admin, None)
        .problem(400);

    // The person: update with the version, then a stale one.
    let person = case["person"]["id"].as_str().expect("person").to_owned();
    let updated = s.ok(
        "PUT",
        &format!("/api/v1/people/{person}"),
        &s.admin,
        Some(json!({"version": 1, "details": {"names": ["New Name"]}})),
    );
    assert_eq!(updated["version"], 2);
    let stale = s.call(
        "PUT",
        &format!("/api/v1/people/{person}"),
        &s.admin,
        Some(json!({"version": 1, "details": {"names": ["Other"]}})),
    );
    stale.problem(409);

    // Consent, then its status.
    let c = s.ok(
        "POST",
        &format!("/api/v1/people/{person}/consents"),
        &s.admin,
        Some(json!({"scope": "nrm_referral", "given": true, "method": "signed_form"})),
    );
    assert_eq!(c["version"], 1);
    let list = s.get(&format!("/api/v1/people/{person}/consents"));
    assert_eq!(items(&list), 1);
    let status = s.get(&format!("/api/v1/people/{person}/consent-status"));
    assert!(
        status
            .as_array()
            .expect("status")
            .iter()
            .any(|x| x["scope"] == "nrm_referral" && x["given"] == true)
    );

    // A document: attach, list, read back.
    let content = base64::engine::general_purpose::STANDARD.encode(b"statement text");
    let meta = s.ok(
        "POST",
        &format!("/api/v1/cases/{id}/documents"),
        &s.admin,
        Some(json!({"kind": "police_paper", "title": "Statement", "media_type": "text/plain", "content": content})),
    );
    let doc_id = meta["id"].as_str().expect("doc id");
    let docs = s.get(&format!("/api/v1/cases/{id}/documents"));
    assert_eq!(items(&docs), 1);
    let doc = s.get(&format!("/api/v1/documents/{doc_id}"));
    assert_eq!(doc["content"], content.as_str());

    // Unknown record: 404; malformed id: 400.
    s.call(
        "GET",
        "/api/v1/cases/01900000-0000-7000-8000-000000000000",
        &s.admin,
        None,
    )
    .problem(404);
    s.call("GET", "/api/v1/people/not-a-uuid", &s.admin, None)
        .problem(400);
}

#[test]
fn campaign_audit_calendars_users_and_the_change_feed() {
    let s = Server::start();
    let officer = s.user(Role::CampaignOfficer);
    let g = s.ok(
        "POST",
        "/api/v1/campaign/groups",
        &officer,
        Some(json!({"name": "Leeds Group", "area": "Leeds", "members": 12, "joined_on": "2024-01-10"})),
    );
    let gid = g["id"].as_str().expect("id").to_owned();
    s.ok(
        "POST",
        "/api/v1/campaign/trainings",
        &officer,
        Some(json!({"group_id": gid, "date": "2024-02-01", "trainer": "T", "attendees": 9, "topic": "indicators"})),
    );
    let record = s.ok(
        "GET",
        &format!("/api/v1/campaign/groups/{gid}"),
        &officer,
        None,
    );
    assert_eq!(record["people_trained"], 9);
    let updated = s.ok(
        "PUT",
        &format!("/api/v1/campaign/groups/{gid}"),
        &officer,
        Some(json!({"version": 1, "group": {"name": "Leeds Group", "area": "Leeds", "members": 14, "joined_on": "2024-01-10"}})),
    );
    assert_eq!(updated["version"], 2);
    // A stale If-Match is 412 and writes nothing.
    let before = s.changes().len();
    let r = send(
        s.addr,
        "PUT",
        &format!("/api/v1/campaign/groups/{gid}"),
        Some(&officer),
        &[("Content-Type", "application/json"), ("If-Match", "\"1\"")],
        Some(br#"{"group":{"name":"X","area":"Y","members":1,"joined_on":"2024-01-10"}}"#.to_vec()),
    );
    r.problem(412);
    assert_eq!(s.changes().len(), before);
    // No version at all: 428.
    s.call(
        "PUT",
        &format!("/api/v1/campaign/groups/{gid}"),
        &officer,
        Some(json!({"group": {"name": "X", "area": "Y", "members": 1, "joined_on": "2024-01-10"}})),
    )
    .problem(428);
    let a = s.ok(
        "POST",
        "/api/v1/campaign/actions",
        &officer,
        Some(json!({"kind": "letter", "date": "2024-03-01", "target": "MP", "description": "asked for funding"})),
    );
    let aid = a["id"].as_str().expect("id");
    let done = s.ok(
        "POST",
        &format!("/api/v1/campaign/actions/{aid}/outcome"),
        &officer,
        Some(json!({"version": 1, "outcome": "meeting agreed"})),
    );
    assert_eq!(done["outcome"], "meeting agreed");
    assert_eq!(
        s.ok("GET", "/api/v1/campaign/actions", &officer, None)["items"]
            .as_array()
            .expect("items")
            .len(),
        1
    );

    // Audit.
    let v = s.get("/api/v1/audit/verify");
    assert!(
        v["first_bad"].is_null() && v["entries"].as_u64() > Some(5),
        "{v}"
    );
    let entries = s.get("/api/v1/audit/entries?from=1&limit=3");
    assert_eq!(entries.as_array().expect("entries").len(), 3);

    // Calendars.
    let h = s.ok(
        "GET",
        "/api/v1/calendars/scotland/holidays?year=2024",
        &officer,
        None,
    );
    assert!(
        h.as_array()
            .expect("holidays")
            .iter()
            .any(|d| d["date"] == "2024-01-02")
    );
    let w = s.ok(
        "GET",
        "/api/v1/calendars/england-and-wales/add-working-days?date=2024-12-24&days=2",
        &officer,
        None,
    );
    assert_eq!(w["date"], "2024-12-30"); // 25 and 26 December are bank holidays (gov.uk)
    s.call(
        "GET",
        "/api/v1/calendars/atlantis/holidays?year=2024",
        &officer,
        None,
    )
    .problem(404);
    s.call(
        "GET",
        "/api/v1/calendars/scotland/holidays?year=1800",
        &officer,
        None,
    )
    .problem(422);

    // The feed: the officer sees the campaign changes, no users or tokens; no contents.
    let feed = s.ok("GET", "/api/v1/events?limit=500", &officer, None);
    let changes = feed["changes"].as_array().expect("changes");
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == "group" && c["id"] == gid.as_str() && c["version"] == 2)
    );
    assert!(
        changes
            .iter()
            .all(|c| c["kind"] != "user" && c["kind"] != "token")
    );
    assert!(!feed.to_string().contains("Leeds"));
    let admin_feed = s.changes();
    assert!(admin_feed.iter().any(|c| c["kind"] == "user"));

    // As server-sent events: the first event arrives with its id.
    let mut stream = TcpStream::connect(s.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {officer}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("event: change") {
        let n = stream.read(&mut buf).expect("read");
        assert!(n > 0, "stream closed");
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("text/event-stream"), "{text}");
    assert!(text.contains("\"kind\":\"group\""), "{text}");
}

#[test]
fn bad_input_gets_the_right_4xx_and_writes_nothing() {
    let s = Server::start();
    let before = s.changes().len();
    let post = |headers: &[(&str, &str)], body: &[u8]| {
        send(
            s.addr,
            "POST",
            "/api/v1/campaign/groups",
            Some(&s.admin),
            headers,
            Some(body.to_vec()),
        )
    };
    let json_ct = [("Content-Type", "application/json")];
    // Malformed JSON.
    post(&json_ct, b"{\"name\": ").problem(400);
    // Wrong content type.
    post(&[("Content-Type", "text/plain")], b"{}").problem(415);
    post(&[], br#"{"name":"a"}"#).problem(415);
    // Wrong types: the field is named.
    let p = post(
        &json_ct,
        br#"{"name":"G","area":"A","members":"many","joined_on":"2024-01-01"}"#,
    )
    .problem(422);
    assert_eq!(p["errors"][0]["field"], "members", "{p}");
    // Unknown fields.
    let p = post(
        &json_ct,
        br#"{"name":"G","area":"A","members":1,"joined_on":"2024-01-01","colour":"red"}"#,
    )
    .problem(422);
    assert!(
        p["errors"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("colour")),
        "{p}"
    );
    // Validation in the core: every failing field.
    let p = post(
        &json_ct,
        br#"{"name":" ","area":"","members":1,"joined_on":"2999-01-01"}"#,
    )
    .problem(422);
    let fields: Vec<_> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(fields, ["name", "area", "joined_on"]);
    // Over the body limit.
    let mut huge = b"{\"name\":\"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', unchain_server::BODY_LIMIT + 1024));
    huge.extend_from_slice(b"\"}");
    post(&json_ct, &huge).problem(413);
    // Bad query parameters.
    s.call("GET", "/api/v1/cases?limit=many", &s.admin, None)
        .problem(400);
    s.call("GET", "/api/v1/cases?limit=0", &s.admin, None)
        .problem(422);
    s.call("GET", "/api/v1/cases?cursor=nope", &s.admin, None)
        .problem(422);
    s.call("GET", "/api/v1/cases?colour=red", &s.admin, None)
        .problem(400);
    // A rule refusal: a user that exists.
    s.call(
        "POST",
        "/api/v1/users",
        &s.admin,
        Some(json!({"name": "admin", "role": "analyst"})),
    )
    .problem(422);
    // Wrong method.
    s.call("PATCH", "/api/v1/cases", &s.admin, None)
        .problem(405);
    assert_eq!(
        s.changes().len(),
        before,
        "a refused request wrote something"
    );
}

/// The real binary: first run creates the store, prints the token once and writes it owner-only;
/// SIGTERM stops it cleanly; the second run opens the same store and the token still works.
#[cfg(unix)]
#[test]
fn the_binary_first_run_token_file_and_graceful_shutdown() {
    use std::os::unix::fs::PermissionsExt as _;
    use std::process::{Command, Stdio};

    let root = unchain_e2e::workspace_root();
    let build = Command::new(unchain_e2e::cargo())
        .args(["build", "-q", "-p", "unchain-server"])
        .current_dir(&root)
        .status()
        .expect("cargo build");
    assert!(build.success());
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let bin = target.join("debug").join("unchain-server");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let listen = format!("127.0.0.1:{port}");
    let run = || {
        Command::new(&bin)
            .args(["--listen", &listen, "--data-dir"])
            .arg(&data)
            .env_remove("UNCHAIN_MASTER_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let wait_ready = || {
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not start");
    };
    let stop = |child: std::process::Child| {
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "exit {:?}", out.status);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let first = run();
    wait_ready();
    let token_file = data.join("admin.token");
    let token = std::fs::read_to_string(&token_file).expect("token file");
    let token = token.trim().to_owned();
    let mode = std::fs::metadata(&token_file)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let addr: SocketAddr = listen.parse().expect("addr");
    let me = send(addr, "GET", "/api/v1/me", Some(&token), &[], None);
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["role"], "admin");
    // An open change-feed stream must not hold the shutdown up.
    let mut feed = TcpStream::connect(addr).expect("connect");
    write!(
        feed,
        "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("write");
    let mut first_bytes = [0u8; 64];
    let n = feed.read(&mut first_bytes).expect("the stream starts");
    assert!(String::from_utf8_lossy(&first_bytes[..n]).starts_with("HTTP/1.1 200"));
    let out = stop(first);
    assert!(
        out.contains(&token),
        "the token is printed once on first run"
    );
    assert!(out.contains("admin.token"));
    assert!(out.contains("stopped"), "{out}");

    let second = run();
    wait_ready();
    assert_eq!(
        send(addr, "GET", "/api/v1/me", Some(&token), &[], None).status,
        200
    );
    let out = stop(second);
    assert!(!out.contains(&token), "later runs never print a token");
}

#[test]
fn intelligence_and_the_other_services_over_http() {
    let s = Server::start();
    let inv = s.user(Role::Investigator);
    let source = s.ok(
        "POST",
        "/api/v1/sources",
        &inv,
        Some(json!({"kind": "helpline", "name": "Modern Slavery Helpline"})),
    );
    let sid = source["id"].as_str().expect("source id").to_owned();
    let report = s.ok(
        "POST",
        "/api/v1/intel",
        &inv,
        Some(json!({"source_id": sid, "narrative": "Workers seen sleeping at a car wash"})),
    );
    let rid = report["id"].as_str().expect("report id").to_owned();
    let detail = s.ok("GET", &format!("/api/v1/intel/{rid}"), &inv, None);
    assert!(detail.to_string().contains("car wash"));
    let listed = s.ok(
        "GET",
        &format!("/api/v1/intel?source_id={sid}&graded=false"),
        &inv,
        None,
    );
    assert_eq!(items(&listed), 1);
    // A campaign officer may record intelligence but not read it.
    let officer = s.user(Role::CampaignOfficer);
    s.call(
        "POST",
        "/api/v1/intel",
        &officer,
        Some(json!({"source_id": sid, "narrative": "A second sighting"})),
    );
    s.call("GET", &format!("/api/v1/intel/{rid}"), &officer, None)
        .problem(403);
    // Link the report to a case at a stale version: 409, nothing written.
    let case = open_case(&s);
    let before = s.changes().len();
    s.call(
        "POST",
        &format!("/api/v1/intel/{rid}/links"),
        &inv,
        Some(json!({"version": 99, "cases": [case["id"]]})),
    )
    .problem(409);
    assert_eq!(s.changes().len(), before);
    let linked = s.ok(
        "POST",
        &format!("/api/v1/intel/{rid}/links"),
        &inv,
        Some(json!({"version": report["version"], "cases": [case["id"]]})),
    );
    assert!(linked["version"].as_u64() > report["version"].as_u64());

    // Read-only service lists answer for the roles that may read them.
    for path in [
        "/api/v1/suspects",
        "/api/v1/rescues",
        "/api/v1/facilities",
        "/api/v1/nrm/overdue",
        "/api/v1/followups/due",
        "/api/v1/followups/policy",
    ] {
        let r = s.call("GET", path, &s.admin, None);
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let id = case["id"].as_str().expect("case id");
    for path in ["nrm", "nrm/deadlines", "justice", "placements", "followups"] {
        let r = s.call("GET", &format!("/api/v1/cases/{id}/{path}"), &s.admin, None);
        assert!(
            r.status == 200 || r.status == 404 || r.status == 422,
            "{path}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
}

#[test]
fn imports_are_all_or_nothing_or_skip_invalid_lines_and_network_reads_answer() {
    let s = Server::start();
    let csv_ct = [("Content-Type", "text/csv")];
    let good = b"name,area,members,joined_on\nLeeds Group,Leeds,3,2024-01-01\nHull Group,Hull,5,2024-02-01\n";
    let r = send(
        s.addr,
        "POST",
        "/api/v1/import/groups",
        Some(&s.admin),
        &csv_ct,
        Some(good.to_vec()),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let groups = s.get("/api/v1/campaign/groups");
    assert_eq!(items(&groups), 2);
    let before = s.changes().len();
    let bad = b"name,area,members,joined_on\nOk Group,York,3,2024-01-01\n,Nowhere,x,2999-01-01\n";
    let r = send(
        s.addr,
        "POST",
        "/api/v1/import/groups",
        Some(&s.admin),
        &csv_ct,
        Some(bad.to_vec()),
    );
    assert!(
        r.status == 422,
        "{} {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        s.changes().len(),
        before,
        "an invalid import wrote something"
    );
    // Skipping invalid lines: the valid one is imported, the bad one named by line and field,
    // and the server's own rejects file neither kept nor named.
    let r = send(
        s.addr,
        "POST",
        "/api/v1/import/groups?skip_invalid=true",
        Some(&s.admin),
        &csv_ct,
        Some(bad.to_vec()),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let report: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        (&report["imported"], &report["rejected"]),
        (&serde_json::json!(1), &serde_json::json!(1))
    );
    assert!(report["rejects"].is_null(), "{report}");
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["line"] == 3),
        "{report}"
    );
    assert_eq!(items(&s.get("/api/v1/campaign/groups")), 3);
    let before = s.changes().len();
    // An unknown query parameter is refused before anything is read.
    send(
        s.addr,
        "POST",
        "/api/v1/import/groups?skip=yes",
        Some(&s.admin),
        &csv_ct,
        Some(good.to_vec()),
    )
    .problem(400);
    send(
        s.addr,
        "POST",
        "/api/v1/import/groups",
        Some(&s.admin),
        &[("Content-Type", "application/pdf")],
        Some(good.to_vec()),
    )
    .problem(415);
    // Over the body limit, for a raw (non-JSON) body too: a problem.
    let mut huge = b"name,area,members,joined_on\n".to_vec();
    huge.extend(std::iter::repeat_n(b'a', unchain_server::BODY_LIMIT + 1024));
    send(
        s.addr,
        "POST",
        "/api/v1/import/groups",
        Some(&s.admin),
        &csv_ct,
        Some(huge),
    )
    .problem(413);
    assert_eq!(s.changes().len(), before);
    let clusters = s.call(
        "GET",
        "/api/v1/network/clusters?min_members=2",
        &s.admin,
        None,
    );
    assert_eq!(
        clusters.status,
        200,
        "{}",
        String::from_utf8_lossy(&clusters.body)
    );
}

#[test]
fn reports_and_the_htcds_export_answer_with_aggregates() {
    let s = Server::start();
    open_case(&s);
    for kind in ["summary", "nrm", "aftercare", "justice", "campaign"] {
        let r = s.call(
            "GET",
            &format!("/api/v1/reports/{kind}?from=2020-01-01&to=2030-12-31"),
            &s.admin,
            None,
        );
        assert_eq!(
            r.status,
            200,
            "{kind}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(!String::from_utf8_lossy(&r.body).contains("Test Person"));
    }
    s.call("GET", "/api/v1/reports/summary", &s.admin, None)
        .problem(400);
    let r = s.call("GET", "/api/v1/export/htcds?k=2", &s.admin, None);
    assert!(
        r.status == 200 || r.status == 422,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(!String::from_utf8_lossy(&r.body).contains("Test Person"));
}

/// The core's own input types, as the JSON a client sends (so the story cannot drift from them).
macro_rules! j {
    ($e:expr) => {
        serde_json::to_value(&$e).expect("serialisable input")
    };
}

fn s_of(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {v}"))
        .to_owned()
}

fn u_of(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no {field} in {v}"))
}

/// The whole story of the CLI issue over HTTP, mirroring `crates/core/tests/story.rs`: users,
/// intelligence in and graded, a rescue of three, consents, dissemination, NRM referral and
/// decisions, needs, a batch placement proposal and placements, follow-ups logged, a prosecution
/// to conviction, a claim paid, the case closed, reports, the HTCDS export and the audit chain —
/// with no identity in clear in the store behind the server.
#[test]
fn the_whole_story_over_http() {
    use unchain_core::cases::NewEvent;
    use unchain_core::lifecycle::{ClosureReason, EventKind};
    use unchain_core::placements::AssignRequest;
    use unchain_core::store::{Backend, MemoryBackend};
    use unchain_core::testing::story::{self, day};
    use unchain_core::testing::{contains, grading, memory_store, raw_bytes};

    let memory: Arc<dyn Backend> = Arc::new(MemoryBackend::new());
    let core = Unchain::over(
        memory_store(memory.clone()),
        Arc::new(SystemClock),
        unchain_core::store::MasterKey::from_bytes([5; 32]),
    )
    .expect("core");
    let s = Server::start_over(core);
    let [ivy, kim, lee, max, ana] = story::STAFF.map(|(_, role)| s.user(role));

    // Investigate: a helpline call, graded before anything goes to police.
    let source = s.ok("POST", "/api/v1/sources", &ivy, Some(j!(story::helpline())));
    let report = s.ok(
        "POST",
        "/api/v1/intel",
        &ivy,
        Some(j!(story::report(
            s_of(&source, "id").parse().expect("uuid")
        ))),
    );
    let rid = s_of(&report, "id");
    s.call("GET", &format!("/api/v1/intel/{rid}"), &ana, None)
        .problem(403);
    let graded = s.ok(
        "POST",
        &format!("/api/v1/intel/{rid}/grading"),
        &ivy,
        Some(json!({"version": report["version"], "grading": j!(grading())})),
    );
    assert!(u_of(&graded, "version") > u_of(&report, "version"));

    // Rescue: three women, two adults and a girl of 16, each a new case.
    let rescue = s.ok(
        "POST",
        "/api/v1/rescues",
        &ivy,
        Some(j!(story::rescue(
            rid.parse().expect("uuid"),
            &story::people()
        ))),
    );
    let rescue_id = s_of(&rescue, "id");
    let case_ids: Vec<String> = rescue["people"]
        .as_array()
        .unwrap_or_else(|| panic!("no people in {rescue}"))
        .iter()
        .map(|p| s_of(p, "case_id"))
        .collect();
    assert_eq!(case_ids.len(), 3, "{rescue}");
    let case = |token: &str, id: &str| s.ok("GET", &format!("/api/v1/cases/{id}"), token, None);
    // An analyst sees the pseudonym only; a manager sees (and the read is audited) the name.
    let seen = case(&ana, &case_ids[0]);
    assert!(seen["person"]["details"].is_null(), "{seen}");
    assert!(!seen.to_string().contains("Arta"));
    assert!(case(&max, &case_ids[0]).to_string().contains("Arta Zogu"));

    // Consent: the adults to referral, sharing with police and with aftercare providers; the
    // girl through her guardian for sharing (children are referred without consent).
    for (i, id) in case_ids.iter().enumerate() {
        let person_id = s_of(&case(&max, id)["person"], "id");
        for consent in story::consents(i < 2) {
            let r = s.call(
                "POST",
                &format!("/api/v1/people/{person_id}/consents"),
                &kim,
                Some(j!(consent)),
            );
            assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        }
        let status = s.ok(
            "GET",
            &format!("/api/v1/people/{person_id}/consent-status?on=2024-03-06"),
            &kim,
            None,
        );
        assert!(
            status.to_string().contains("sharing_with_police"),
            "{status}"
        );
    }
    let sent = s.call(
        "POST",
        &format!("/api/v1/intel/{rid}/disseminations"),
        &ivy,
        Some(j!(story::dissemination())),
    );
    assert_eq!(sent.status, 201, "{}", String::from_utf8_lossy(&sent.body));

    // NRM: referred, positive RG, positive CG.
    for id in &case_ids {
        let version = case(&lee, id)["version"].clone();
        let referral = s.ok(
            "POST",
            &format!("/api/v1/cases/{id}/nrm"),
            &lee,
            Some(json!({"version": version, "input": j!(story::referral())})),
        );
        // A stale case version is refused and writes nothing.
        let before = s.changes().len();
        s.call(
            "POST",
            &format!("/api/v1/cases/{id}/nrm/reasonable-grounds"),
            &lee,
            Some(json!({"version": version, "outcome": "positive", "on": "2024-03-12"})),
        )
        .problem(409);
        assert_eq!(s.changes().len(), before);
        let rg = s.ok(
            "POST",
            &format!("/api/v1/cases/{id}/nrm/reasonable-grounds"),
            &lee,
            Some(
                json!({"version": referral["case_version"], "outcome": "positive",
                        "on": "2024-03-12"}),
            ),
        );
        s.ok(
            "POST",
            &format!("/api/v1/cases/{id}/nrm/conclusive-grounds"),
            &lee,
            Some(json!({"version": rg["case_version"], "outcome": "positive",
                        "on": "2024-07-30"})),
        );
        let referrals = s.ok("GET", &format!("/api/v1/cases/{id}/nrm"), &lee, None);
        assert_eq!(items(&referrals), 1);
    }
    let overdue = s.ok("GET", "/api/v1/nrm/overdue?as_of=2024-09-30", &lee, None);
    assert_eq!(overdue, json!([]), "every decision came in time");

    // Aftercare: one safe house, needs, a batch proposal for the rescue, placements.
    let house = s.ok(
        "POST",
        "/api/v1/facilities",
        &kim,
        Some(j!(story::rose_house())),
    );
    let house_id = s_of(&house, "id");
    let seen = s.ok("GET", &format!("/api/v1/facilities/{house_id}"), &ana, None);
    assert!(!seen.to_string().contains("Hidden Lane"), "{seen}");
    s.call(
        "GET",
        &format!("/api/v1/facilities/{house_id}/location"),
        &ana,
        None,
    )
    .problem(403);
    for (i, id) in case_ids.iter().enumerate() {
        let r = s.call(
            "POST",
            &format!("/api/v1/cases/{id}/needs"),
            &kim,
            Some(json!({"version": case(&kim, id)["version"],
                        "input": j!(story::needs(i < 2))})),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    }
    let before = s.changes().len();
    let proposal = s.ok(
        "POST",
        "/api/v1/placements/assign",
        &kim,
        Some(j!(AssignRequest {
            rescue_id: Some(rescue_id.parse().expect("uuid")),
            case_ids: vec![],
        })),
    );
    assert_eq!(proposal["case_ids"].as_array().expect("cases").len(), 3);
    assert_eq!(proposal["assignment"]["unplaced"], json!([]), "{proposal}");
    assert_eq!(s.changes().len(), before, "a proposal writes nothing");
    let mut followups = Vec::new();
    for id in &case_ids {
        let placed = s.ok(
            "POST",
            &format!("/api/v1/cases/{id}/placement"),
            &kim,
            Some(
                json!({"version": case(&kim, id)["version"], "facility_id": house_id,
                        "date": "2024-03-09"}),
            ),
        );
        assert_eq!(placed["facility_id"], json!(house_id));
        assert_eq!(placed["followups"].as_array().expect("followups").len(), 4);
        followups.push(placed["followups"][0].clone());
    }
    let occupancy = |s: &Server| {
        s.ok("GET", &format!("/api/v1/facilities/{house_id}"), &kim, None)["occupancy"].clone()
    };
    assert_eq!(occupancy(&s), json!(3));
    // The day-1 call for each, made on time.
    for (i, id) in case_ids.iter().enumerate() {
        let lines = s.ok("GET", &format!("/api/v1/cases/{id}/followups"), &kim, None);
        let line = lines["items"][0].clone();
        assert_eq!(line["id"], followups[i]);
        let logged = s.ok(
            "POST",
            &format!("/api/v1/followups/{}/contacts", s_of(&line, "id")),
            &kim,
            Some(json!({"version": line["version"], "input": j!(story::first_call())})),
        );
        assert_eq!(u_of(&logged, "attempts"), 1, "{logged}");
        assert_eq!(logged["last_outcome"], json!("reached"));
    }

    // Justice: the first woman asks for advocacy; a prosecution to conviction; a claim paid.
    let first = &case_ids[0];
    s.ok(
        "POST",
        &format!("/api/v1/cases/{first}/advocacy"),
        &lee,
        Some(
            json!({"version": case(&lee, first)["version"], "requested": true,
                    "on": "2024-03-15"}),
        ),
    );
    let suspect = s.ok(
        "POST",
        "/api/v1/suspects",
        &ivy,
        Some(j!(story::suspect(
            rid.parse().expect("uuid"),
            first.parse().expect("uuid")
        ))),
    );
    let suspect_id = s_of(&suspect, "id").parse().expect("uuid");
    let mut prosecution = s.ok(
        "POST",
        &format!("/api/v1/cases/{first}/prosecutions"),
        &lee,
        Some(json!({"version": case(&lee, first)["version"],
                    "input": j!(story::police_report(suspect_id))})),
    );
    for (step, on) in story::prosecution() {
        prosecution = s.ok(
            "POST",
            &format!("/api/v1/cases/{first}/prosecutions/changes"),
            &lee,
            Some(json!({"version": prosecution["case_version"], "input": {
                "suspect_id": suspect_id, "step": j!(step), "on": on}})),
        );
    }
    let claim = s.ok(
        "POST",
        &format!("/api/v1/cases/{first}/claims"),
        &lee,
        Some(json!({"version": prosecution["case_version"], "input": j!(story::claim())})),
    );
    let mut claim_version = claim["case_version"].clone();
    let mut paid = Value::Null;
    for (update, on) in story::claim_updates() {
        paid = s.ok(
            "POST",
            &format!("/api/v1/cases/{first}/claims/changes"),
            &lee,
            Some(json!({"version": claim_version, "input": {
                "claim_id": claim["id"], "update": j!(update), "on": on}})),
        );
        claim_version = paid["case_version"].clone();
    }
    assert_eq!(paid["state"], json!("paid"), "{paid}");
    assert_eq!(paid["paid_pence"], json!(750_000), "{paid}");
    let justice = s.ok("GET", &format!("/api/v1/cases/{first}/justice"), &lee, None);
    assert!(justice.to_string().contains("convicted"), "{justice}");

    // Moving on: the placement ends and the case closes.
    s.ok(
        "POST",
        &format!("/api/v1/cases/{first}/placement/exit"),
        &kim,
        Some(json!({"version": case(&kim, first)["version"], "input": j!(story::exit())})),
    );
    assert_eq!(occupancy(&s), json!(2));
    let mut current = case(&max, first);
    let mut events = vec![EventKind::MovingOnStarted];
    if current["stage"] != json!("in_support") {
        events.insert(0, EventKind::SupportStarted);
    }
    events.push(EventKind::Closed {
        closure_reason: ClosureReason::SupportCompleted,
    });
    for kind in events {
        let date = if matches!(kind, EventKind::Closed { .. }) {
            day(9, 28)
        } else {
            day(9, 26)
        };
        current = s.ok(
            "POST",
            &format!("/api/v1/cases/{first}/events"),
            &max,
            Some(json!({"version": current["version"], "event": j!(NewEvent {
                kind, date: Some(date), reason: None })})),
        );
    }
    assert_eq!(current["stage"], json!("closed"), "{current}");
    let timeline = s.ok(
        "GET",
        &format!("/api/v1/cases/{first}/timeline"),
        &max,
        None,
    );
    assert!(
        timeline.as_array().expect("timeline").len() >= 15,
        "{timeline}"
    );

    // Reports (aggregates, no names) and the de-identified HTCDS export.
    let period = "from=2024-01-01&to=2024-12-31";
    let summary = s.ok(
        "GET",
        &format!("/api/v1/reports/summary?{period}"),
        &max,
        None,
    );
    assert_eq!(u_of(&summary, "people_rescued"), 3, "{summary}");
    assert_eq!(u_of(&summary, "rescues"), 1, "{summary}");
    let nrm = s.ok("GET", &format!("/api/v1/reports/nrm?{period}"), &max, None);
    assert_eq!(u_of(&nrm, "referrals"), 3, "{nrm}");
    let justice = s.ok(
        "GET",
        &format!("/api/v1/reports/justice?{period}"),
        &max,
        None,
    );
    assert_eq!(u_of(&justice, "convicted"), 1, "{justice}");
    assert_eq!(justice["paid_pence"], json!(750_000), "{justice}");
    let export = s.call("GET", "/api/v1/export/htcds?k=1", &s.admin, None);
    assert_eq!(
        export.status,
        200,
        "{}",
        String::from_utf8_lossy(&export.body)
    );
    let export = export.json();
    assert_eq!(u_of(&export["report"], "rows_in"), 3, "{export}");
    for text in [&summary, &nrm, &justice, &export] {
        assert!(!text.to_string().contains("Arta"), "{text}");
    }

    // The record holds: the chain verifies, and no identity sits in clear in the store.
    let verified = s.get("/api/v1/audit/verify");
    assert!(verified["first_bad"].is_null(), "{verified}");
    assert!(u_of(&verified, "entries") > 50, "{verified}");
    let raw = raw_bytes(memory.as_ref());
    for secret in story::SECRETS {
        assert!(!contains(&raw, secret), "{secret:?} in clear");
    }
}
