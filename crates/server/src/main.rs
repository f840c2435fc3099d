//! `unchain-server`: serves the HTTP API on an embedded sled store.
//!
//! First run (no store in the data directory): creates the store and its key file, the
//! administrator `admin`, and an administrator token, printed once and written to
//! `<data-dir>/admin.token` (owner-only). Later runs open the store. Stops on SIGINT/SIGTERM:
//! stops accepting, finishes the requests in flight, then flushes the store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use axum::serve::ListenerExt as _;
use clap::Parser;
use unchain_core::{Config, Unchain};
use unchain_server::config::{self, Given, Settings};

/// The unchain HTTP API.
///
/// Settings come from flags, then environment variables, then the config file, then defaults.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// A TOML config file (keys: listen, data_dir, log, body_limit, request_timeout_secs,
    /// [tls] cert/key, [auth_limit] failures/window_secs/max_clients; see crates/server/API.md).
    #[arg(long, env = "UNCHAIN_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "UNCHAIN_LISTEN")]
    listen: Option<SocketAddr>,
    /// Data directory (store and key file); created on first run [default: ./unchain-data].
    #[arg(long, env = "UNCHAIN_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Serve HTTPS only, with this PEM certificate chain (leaf first); needs --tls-key.
    #[arg(long, env = "UNCHAIN_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "UNCHAIN_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// Log filter, e.g. `info` or `debug,tower_http=info` [default: info,tower_http=info].
    #[arg(long, env = "UNCHAIN_LOG")]
    log: Option<String>,
    /// Largest request body in bytes [default: 16 MiB].
    #[arg(long, env = "UNCHAIN_BODY_LIMIT")]
    body_limit: Option<usize>,
    /// Seconds a request may take before 408 [default: 30].
    #[arg(long, env = "UNCHAIN_REQUEST_TIMEOUT_SECS")]
    request_timeout_secs: Option<u64>,
    /// Failed authentications per client and window before 429; 0 turns the limit off
    /// [default: 10].
    #[arg(long, env = "UNCHAIN_AUTH_FAILURES")]
    auth_failures: Option<u32>,
    /// The window of --auth-failures, in seconds [default: 60].
    #[arg(long, env = "UNCHAIN_AUTH_WINDOW_SECS")]
    auth_window_secs: Option<u64>,
    /// Load the demo dataset on first run.
    #[arg(long)]
    demo: bool,
}

impl Args {
    /// The settings: these flags (or their variables) over the config file over defaults.
    fn settings(&self) -> Result<Settings> {
        let file = match &self.config {
            Some(path) => config::File::load(path)?,
            None => config::File::default(),
        };
        let given = Given {
            listen: self.listen,
            data_dir: self.data_dir.clone(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            log: self.log.clone(),
            body_limit: self.body_limit,
            request_timeout_secs: self.request_timeout_secs,
            auth_failures: self.auth_failures,
            auth_window_secs: self.auth_window_secs,
        };
        config::resolve(given, file)
    }
}

/// The file the first run writes the administrator token to.
const ADMIN_TOKEN_FILE: &str = "admin.token";

fn main() -> Result<()> {
    let args = Args::parse();
    let settings = args.settings()?;
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .with_context(|| format!("the log filter {:?}", settings.log))?;
    // Colours only on a terminal: a log file or journald gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .init();
    // Load the certificate before touching the store: a bad one stops the start cleanly.
    let tls = match &settings.tls {
        Some(files) => Some(unchain_server::tls::server_config(&files.cert, &files.key)?),
        None => None,
    };
    let core = open_or_init(&settings.data_dir, args.demo)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(serve(core.clone(), &settings, tls))?;
    // Every request has finished: make sure everything is on disk before exiting.
    core.flush().context("flushing the store")?;
    println!("unchain-server stopped; the store is flushed.");
    Ok(())
}

fn open_or_init(data_dir: &Path, demo: bool) -> Result<Unchain> {
    let config = Config::new(data_dir);
    if config.store_path().exists() {
        if demo {
            println!("--demo applies to the first run only; the store already exists.");
        }
        return Unchain::open(&config)
            .with_context(|| format!("opening the store in {}", data_dir.display()));
    }
    let (core, done) = Unchain::init(&config, "admin")
        .with_context(|| format!("creating a store in {}", data_dir.display()))?;
    println!("Created the store in {}.", done.store.display());
    if let Some(key) = &done.key_file {
        println!(
            "The master key is in {} — back it up somewhere safe and separate: without it the data cannot be read.",
            key.display()
        );
    }
    let admin = core.actor("admin").context("the new administrator")?;
    let (_, secret) = core
        .issue_token(&admin, "admin", "first-run administrator token", None)
        .context("issuing the administrator token")?;
    let path = data_dir.join(ADMIN_TOKEN_FILE);
    write_private(&path, secret.expose())?;
    println!(
        "Administrator API token (shown once; also written to {}):",
        path.display()
    );
    println!("\n    {}\n", secret.expose());
    println!("Use it as: Authorization: Bearer <token>");
    if demo {
        let summary = core
            .generate_demo(&admin, unchain_core::demo::DemoConfig { seed: 1, size: 50 })
            .context("loading the demo dataset")?;
        println!(
            "Loaded the demo dataset (fictional people and places): {}",
            serde_json::to_string(&summary).unwrap_or_default()
        );
    }
    Ok(core)
}

/// Writes `text` to a file only the owner can read (0600 on Unix), never widening an existing one.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

async fn serve(
    core: Unchain,
    settings: &Settings,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
) -> Result<()> {
    let (down, shutdown) = tokio::sync::watch::channel(false);
    let options = unchain_server::Options {
        shutdown: Some(shutdown),
        timeout: settings.request_timeout,
        body_limit: settings.body_limit,
        auth_limit: settings.auth_limit,
    };
    // The peer address reaches every request (the authentication-failure limit keys on it).
    let app =
        unchain_server::router(core, options).into_make_service_with_connect_info::<SocketAddr>();
    let listen = settings.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!(
        "unchain-server {} listening on {scheme}://{local} (OpenAPI: /api/v1/openapi.json)",
        env!("CARGO_PKG_VERSION"),
    );
    if tls.is_none() && !local.ip().is_loopback() {
        tracing::warn!(
            "serving plain HTTP on a non-loopback address: tokens and personal data cross the network in clear unless a TLS proxy is in front (give --tls-cert and --tls-key to serve HTTPS)"
        );
    }
    let stop = async move {
        shutdown_signal().await;
        // End the change feed's open streams, so that in-flight requests can finish.
        let _ = down.send(true);
    };
    match tls {
        None => axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
            .context("serving")?,
        Some(config) => {
            // `tap_io` only so that axum hands each request its peer's address.
            let listener = unchain_server::tls::TlsListener::new(listener, config)
                .context("starting TLS")?
                .tap_io(|_| ());
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
                .context("serving")?
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
