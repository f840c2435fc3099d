//! The real `unchain-server` binary's transport and front door (issues 9 and 10): native TLS with
//! a self-signed certificate, refusal to start on a bad certificate or config file, the
//! authentication-failure limit (429 with `Retry-After`), and the config file's precedence.
//!
//! Each test starts its own server process on a free loopback port in its own temp directory.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::server::{Resp, parse};

/// The `unchain-server` binary, built once.
fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| unchain_e2e::build_binary("unchain-server", "unchain-server"))
}

/// Writes `text` as `unchain.toml` in `dir`; returns its path, for `--config`.
fn config_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("unchain.toml");
    std::fs::write(&path, text).expect("config");
    path
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A server process; killed (if still running) when dropped.
struct Server {
    child: Option<Child>,
    port: u16,
    data: PathBuf,
}

impl Server {
    /// Starts the binary with `args` (plus `--listen` and `--data-dir` unless `args` sets them
    /// through a config file) and waits until it accepts connections.
    fn start(dir: &Path, args: &[&str]) -> Server {
        let port = free_port();
        let data = dir.join("data");
        let child = Command::new(binary())
            .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(&data)
            .args(args)
            .env_remove("UNCHAIN_MASTER_KEY")
            .env_remove("UNCHAIN_CONFIG")
            .env("UNCHAIN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let server = Server {
            child: Some(child),
            port,
            data,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not start");
    }

    fn admin_token(&self) -> String {
        std::fs::read_to_string(self.data.join("admin.token"))
            .expect("admin.token")
            .trim()
            .to_owned()
    }

    /// Sends SIGTERM (the server starts its graceful shutdown).
    #[cfg(unix)]
    fn terminate(&self) {
        let child = self.child.as_ref().expect("running");
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
    }

    /// Waits for the exit: its status and stdout.
    fn wait(mut self) -> Output {
        self.child
            .take()
            .expect("running")
            .wait_with_output()
            .expect("wait")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the binary expecting it to refuse to start: its output.
fn refused(args: &[&str]) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .env_remove("UNCHAIN_MASTER_KEY")
        .env_remove("UNCHAIN_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            let out = child.wait_with_output().expect("output");
            assert!(!out.status.success(), "it started: {out:?}");
            return out;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server started when it should have refused: {args:?}");
}

/// One HTTP/1.1 request (`Connection: close`) over any stream, plain or TLS.
fn exchange(stream: &mut impl ReadWrite, path: &str, token: Option<&str>) -> Resp {
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write");
    let mut raw = Vec::new();
    // A TLS peer may close without close_notify after `Connection: close`: keep what arrived.
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn plain(port: u16, path: &str, token: Option<&str>) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    exchange(&mut s, path, token)
}

/// A self-signed certificate for `localhost` and 127.0.0.1: (cert PEM, key PEM, cert DER).
fn self_signed() -> (String, String, Vec<u8>) {
    let c =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("rcgen");
    (
        c.cert.pem(),
        c.signing_key.serialize_pem(),
        c.cert.der().to_vec(),
    )
}

/// A TLS client trusting only `cert_der`.
fn tls_client(cert_der: &[u8]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(cert_der.to_vec()))
        .expect("trust the test certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn https(config: &Arc<rustls::ClientConfig>, port: u16, path: &str, token: Option<&str>) -> Resp {
    let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let conn = rustls::ClientConnection::new(config.clone(), name).expect("client");
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    exchange(&mut stream, path, token)
}

#[cfg(unix)]
#[test]
fn with_a_certificate_the_binary_serves_https_only_and_shuts_down_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key, der) = self_signed();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert).expect("cert");
    std::fs::write(&key_path, key).expect("key");
    let server = Server::start(
        dir.path(),
        &[
            "--tls-cert",
            cert_path.to_str().expect("utf-8"),
            "--tls-key",
            key_path.to_str().expect("utf-8"),
        ],
    );
    let client = tls_client(&der);
    let health = https(&client, server.port, "/healthz", None);
    assert_eq!(health.status, 200);
    let token = server.admin_token();
    let me = https(&client, server.port, "/api/v1/me", Some(&token));
    assert_eq!(me.status, 200, "{}", String::from_utf8_lossy(&me.body));
    assert_eq!(me.json()["role"], "admin");
    assert_eq!(
        https(&client, server.port, "/api/v1/me", Some("uc_wrong")).status,
        401
    );

    // Plain HTTP to the TLS port gets no HTTP answer (at most a TLS alert, then the close).
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    assert!(
        !raw.starts_with(b"HTTP/"),
        "plain HTTP was answered: {:?}",
        String::from_utf8_lossy(&raw)
    );

    // A client that does not trust the certificate cannot talk to it.
    let (_, _, other) = self_signed();
    let untrusting = tls_client(&other);
    let tcp = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let conn = rustls::ClientConnection::new(untrusting, name).expect("client");
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    assert!(
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .and_then(|()| stream.read(&mut [0u8; 16]))
            .is_err(),
        "an untrusted certificate was accepted"
    );

    // SIGTERM while a request is in flight over TLS (its body half sent): the request still
    // completes, then the server stops cleanly and flushes the store.
    let body = br#"{"name": "late-user", "role": "analyst"}"#;
    let tcp = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let conn = rustls::ClientConnection::new(client.clone(), name).expect("client");
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    write!(
        stream,
        "POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("head");
    stream.write_all(&body[..10]).expect("half the body");
    stream.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(500));
    server.terminate();
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(&body[10..]).expect("the rest");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    assert!(
        raw.starts_with(b"HTTP/1.1 201"),
        "the in-flight request: {:?}",
        String::from_utf8_lossy(&raw)
    );
    let out = server.wait();
    assert!(out.status.success(), "exit {:?}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("https://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("stopped"), "{stdout}");

    // The user created during the shutdown is there after a restart.
    let again = Server::start(
        dir.path(),
        &[
            "--tls-cert",
            cert_path.to_str().expect("utf-8"),
            "--tls-key",
            key_path.to_str().expect("utf-8"),
        ],
    );
    let users = https(&client, again.port, "/api/v1/users", Some(&token));
    assert_eq!(users.status, 200);
    assert!(
        String::from_utf8_lossy(&users.body).contains("late-user"),
        "{}",
        String::from_utf8_lossy(&users.body)
    );
}

#[test]
fn a_bad_certificate_or_key_stops_the_start_before_the_store_is_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key, _) = self_signed();
    let (_, other_key, _) = self_signed();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    let other_path = dir.path().join("other-key.pem");
    std::fs::write(&cert_path, cert).expect("cert");
    std::fs::write(&key_path, key).expect("key");
    std::fs::write(&other_path, other_key).expect("other key");
    let data = dir.path().join("data");
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let p = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--tls-cert".into(),
                p(&dir.path().join("missing.pem")),
                "--tls-key".into(),
                p(&key_path),
            ],
            "missing.pem",
        ),
        (
            vec![
                "--tls-cert".into(),
                p(&key_path),
                "--tls-key".into(),
                p(&key_path),
            ],
            "holds no certificate",
        ),
        (
            vec![
                "--tls-cert".into(),
                p(&cert_path),
                "--tls-key".into(),
                p(&cert_path),
            ],
            "holds no private key",
        ),
        (
            vec![
                "--tls-cert".into(),
                p(&cert_path),
                "--tls-key".into(),
                p(&other_path),
            ],
            "cannot be used with the certificate",
        ),
        (vec!["--tls-cert".into(), p(&cert_path)], "--tls-key"),
    ];
    for (args, expected) in cases {
        let mut all = vec![
            "--listen".to_owned(),
            listen.clone(),
            "--data-dir".into(),
            p(&data),
        ];
        all.extend(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = refused(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        assert!(!data.exists(), "the store was created despite {expected}");
    }
}

#[test]
fn repeated_authentication_failures_get_429_with_retry_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The limit from a config file (3 per 2 s); --listen and --data-dir from flags.
    let config = config_file(
        dir.path(),
        "log = \"warn\"\n[auth_limit]\nfailures = 3\nwindow_secs = 2\n",
    );
    let server = Server::start(dir.path(), &["--config", config.to_str().expect("utf-8")]);
    let good = server.admin_token();
    assert_eq!(plain(server.port, "/api/v1/me", Some(&good)).status, 200);
    // Successes do not count: many of them never limit.
    for _ in 0..5 {
        assert_eq!(plain(server.port, "/api/v1/me", Some(&good)).status, 200);
    }
    for _ in 0..3 {
        assert_eq!(
            plain(server.port, "/api/v1/me", Some("uc_guess")).status,
            401
        );
    }
    let limited = plain(server.port, "/api/v1/cases", Some("uc_guess"));
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.header("content-type"),
        Some("application/problem+json")
    );
    let p = limited.json();
    assert_eq!(p["status"], 429);
    assert_eq!(
        p["type"],
        "urn:unchain:problem:too-many-authentication-failures"
    );
    let retry: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // The token is not checked while limited: a good one from the same address waits too.
    assert_eq!(plain(server.port, "/api/v1/me", Some(&good)).status, 429);
    // What needs no token still answers.
    assert_eq!(plain(server.port, "/healthz", None).status, 200);
    // After Retry-After, the good token works again.
    std::thread::sleep(Duration::from_secs(retry) + Duration::from_millis(100));
    assert_eq!(plain(server.port, "/api/v1/me", Some(&good)).status, 200);
}

#[test]
fn the_config_file_is_read_and_flags_win_over_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The file says: the limit is off, and a tiny body limit; the flag turns the limit on at 1.
    let config = config_file(dir.path(), "body_limit = 64\n[auth_limit]\nfailures = 0\n");
    let server = Server::start(
        dir.path(),
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--auth-failures",
            "1",
        ],
    );
    assert_eq!(
        plain(server.port, "/api/v1/me", Some("uc_guess")).status,
        401
    );
    assert_eq!(
        plain(server.port, "/api/v1/me", Some("uc_guess")).status,
        429
    );

    // The file's body limit applies: a 100-byte body is refused with 413.
    let token = {
        // A second server from the same file without the flag: no limit at all.
        let dir2 = tempfile::tempdir().expect("tempdir");
        let other = Server::start(dir2.path(), &["--config", config.to_str().expect("utf-8")]);
        for _ in 0..15 {
            assert_eq!(
                plain(other.port, "/api/v1/me", Some("uc_guess")).status,
                401
            );
        }
        let token = other.admin_token();
        let body = format!(
            "{{\"name\": \"{}\", \"role\": \"analyst\"}}",
            "x".repeat(80)
        );
        let mut s = TcpStream::connect(("127.0.0.1", other.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            s,
            "POST /api/v1/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        assert!(
            raw.starts_with(b"HTTP/1.1 413"),
            "{:?}",
            String::from_utf8_lossy(&raw)
        );
        token
    };
    assert!(!token.is_empty());
}

#[test]
fn a_config_file_with_an_unknown_key_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_file(
        dir.path(),
        "listen = \"127.0.0.1:0\"\n[tls]\ncertificate = \"c.pem\"\n",
    );
    let data = dir.path().join("data");
    let out = refused(&[
        "--config",
        config.to_str().expect("utf-8"),
        "--data-dir",
        data.to_str().expect("utf-8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`certificate`"), "{stderr}");
    assert!(stderr.contains("unchain.toml"), "{stderr}");
    assert!(!data.exists());
}

/// The router embedded in-process, over memory, served with or without the peer address.
fn embedded(with_peer: bool, failures: u32) -> u16 {
    let core = unchain_core::Unchain::in_memory(Arc::new(unchain_core::SystemClock)).expect("core");
    core.bootstrap_admin("admin").expect("admin");
    let options = unchain_server::Options {
        auth_limit: unchain_server::limit::AuthLimit {
            failures,
            window: Duration::from_secs(60),
            max_clients: 100,
        },
        ..unchain_server::Options::default()
    };
    let app = unchain_server::router(core, options);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            if with_peer {
                let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
                axum::serve(listener, app).await.expect("serve");
            } else {
                axum::serve(listener, app).await.expect("serve");
            }
        });
    });
    port
}

/// An embedder who serves the router without `ConnectInfo` gets no limiting (never a panic, and
/// never one bucket for everyone); with it, the limit applies.
#[test]
fn embedded_without_the_peer_address_the_limit_is_off_and_with_it_on() {
    let without = embedded(false, 2);
    for _ in 0..6 {
        assert_eq!(plain(without, "/api/v1/me", Some("uc_guess")).status, 401);
    }
    let with = embedded(true, 2);
    assert_eq!(plain(with, "/api/v1/me", Some("uc_guess")).status, 401);
    assert_eq!(plain(with, "/api/v1/me", Some("uc_guess")).status, 401);
    let r = plain(with, "/api/v1/me", Some("uc_guess"));
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // A request without a token is not limited (and not counted): 401, not 429.
    assert_eq!(plain(with, "/api/v1/me", None).status, 401);
    assert_eq!(plain(with, "/healthz", None).status, 200);
}
