//! `unchain-server`: serves the HTTP API on an embedded sled store.
//!
//! First run (no store in the data directory): creates the store and its key file, the
//! administrator `admin`, and an administrator token, printed once and written to
//! `<data-dir>/admin.token` (owner-only). Later runs open the store. Stops on SIGINT/SIGTERM:
//! stops accepting, finishes the requests in flight, then flushes the store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Parser;
use unchain_core::{Config, Unchain};

/// The unchain HTTP API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "UNCHAIN_LISTEN", default_value = unchain_server::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Data directory (store and key file); created on first run.
    #[arg(long, env = "UNCHAIN_DATA_DIR", default_value = unchain_server::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Load the demo dataset on first run.
    #[arg(long)]
    demo: bool,
}

/// The file the first run writes the administrator token to.
const ADMIN_TOKEN_FILE: &str = "admin.token";

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("UNCHAIN_LOG")
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    let args = Args::parse();
    let core = open_or_init(&args)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(serve(core.clone(), args.listen))?;
    // Every request has finished: make sure everything is on disk before exiting.
    core.flush().context("flushing the store")?;
    println!("unchain-server stopped; the store is flushed.");
    Ok(())
}

fn open_or_init(args: &Args) -> Result<Unchain> {
    let config = Config::new(&args.data_dir);
    if config.store_path().exists() {
        if args.demo {
            println!("--demo applies to the first run only; the store already exists.");
        }
        return Unchain::open(&config)
            .with_context(|| format!("opening the store in {}", args.data_dir.display()));
    }
    let (core, done) = Unchain::init(&config, "admin")
        .with_context(|| format!("creating a store in {}", args.data_dir.display()))?;
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
    let path = args.data_dir.join(ADMIN_TOKEN_FILE);
    write_private(&path, secret.expose())?;
    println!(
        "Administrator API token (shown once; also written to {}):",
        path.display()
    );
    println!("\n    {}\n", secret.expose());
    println!("Use it as: Authorization: Bearer <token>");
    if args.demo {
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

async fn serve(core: Unchain, listen: SocketAddr) -> Result<()> {
    let (down, shutdown) = tokio::sync::watch::channel(false);
    let options = unchain_server::Options {
        shutdown: Some(shutdown),
        ..unchain_server::Options::default()
    };
    let app = unchain_server::router(core, options);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!(
        "unchain-server {} listening on http://{} (OpenAPI: /api/v1/openapi.json)",
        env!("CARGO_PKG_VERSION"),
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // End the change feed's open streams, so that in-flight requests can finish.
            let _ = down.send(true);
        })
        .await
        .context("serving")?;
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
