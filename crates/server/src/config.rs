//! The server's settings, from four places (issue 9): **flags > environment variables > the
//! config file > defaults**. Flags and their variables are read by the binary (clap merges the
//! two into a [`Given`]); this module reads the TOML file and settles the rest, so that embedders
//! and tests can resolve settings the same way.
//!
//! The file (`--config FILE` or `UNCHAIN_CONFIG`) may hold any of these keys; an unknown key is
//! an error that names it, so a misspelt setting is never silently ignored. Relative paths in
//! the file are relative to the file's own directory.
//!
//! ```toml
//! listen = "127.0.0.1:8443"
//! data_dir = "/var/lib/unchain"
//! log = "info,tower_http=info"   # a tracing filter
//! body_limit = 16777216          # bytes
//! request_timeout_secs = 30
//!
//! [tls]                          # both or neither; then HTTPS only
//! cert = "/etc/unchain/cert.pem" # PEM: the certificate chain, leaf first
//! key = "/etc/unchain/key.pem"   # PEM: PKCS#8, PKCS#1 (RSA) or SEC1 (EC) private key
//!
//! [auth_limit]                   # repeated authentication failures per client
//! failures = 10                  # 0 turns the limit off
//! window_secs = 60
//! max_clients = 10000
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::limit::AuthLimit;

/// The default tracing filter: requests at info, nothing chattier.
pub const DEFAULT_LOG: &str = "info,tower_http=info";

/// Everything the binary needs to start, settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The store and key file's directory.
    pub data_dir: PathBuf,
    /// The certificate and key to serve HTTPS with; plain HTTP without.
    pub tls: Option<TlsFiles>,
    /// The tracing filter (`RUST_LOG` syntax).
    pub log: String,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// How long a request may take before 408.
    pub request_timeout: Duration,
    /// Repeated authentication failures per client.
    pub auth_limit: AuthLimit,
}

/// A PEM certificate chain and its private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

/// What the flags and environment variables gave (a flag already wins over its variable).
#[derive(Clone, Debug, Default)]
pub struct Given {
    /// `--listen` / `UNCHAIN_LISTEN`.
    pub listen: Option<SocketAddr>,
    /// `--data-dir` / `UNCHAIN_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--tls-cert` / `UNCHAIN_TLS_CERT`.
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key` / `UNCHAIN_TLS_KEY`.
    pub tls_key: Option<PathBuf>,
    /// `--log` / `UNCHAIN_LOG`.
    pub log: Option<String>,
    /// `--body-limit` / `UNCHAIN_BODY_LIMIT`.
    pub body_limit: Option<usize>,
    /// `--request-timeout-secs` / `UNCHAIN_REQUEST_TIMEOUT_SECS`.
    pub request_timeout_secs: Option<u64>,
    /// `--auth-failures` / `UNCHAIN_AUTH_FAILURES`.
    pub auth_failures: Option<u32>,
    /// `--auth-window-secs` / `UNCHAIN_AUTH_WINDOW_SECS`.
    pub auth_window_secs: Option<u64>,
}

/// The config file's contents (every key optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// See [`Settings::listen`].
    pub listen: Option<SocketAddr>,
    /// See [`Settings::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`Settings::log`].
    pub log: Option<String>,
    /// See [`Settings::body_limit`].
    pub body_limit: Option<usize>,
    /// See [`Settings::request_timeout`], in seconds.
    pub request_timeout_secs: Option<u64>,
    /// See [`Settings::tls`].
    pub tls: Option<FileTls>,
    /// See [`Settings::auth_limit`].
    pub auth_limit: Option<FileAuthLimit>,
}

/// The file's `[tls]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTls {
    /// The certificate chain (PEM).
    pub cert: Option<PathBuf>,
    /// The private key (PEM).
    pub key: Option<PathBuf>,
}

/// The file's `[auth_limit]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAuthLimit {
    /// Failures per window (0: off).
    pub failures: Option<u32>,
    /// The window, in seconds.
    pub window_secs: Option<u64>,
    /// Clients remembered at once.
    pub max_clients: Option<usize>,
}

impl File {
    /// Parses a config file's text; relative paths are taken relative to `base`.
    pub fn parse(text: &str, base: &Path) -> Result<File> {
        let mut file: File = toml::from_str(text)?;
        let rebase = |p: &mut Option<PathBuf>| {
            if let Some(path) = p.as_mut().filter(|p| p.is_relative()) {
                *path = base.join(&*path);
            }
        };
        rebase(&mut file.data_dir);
        if let Some(tls) = file.tls.as_mut() {
            rebase(&mut tls.cert);
            rebase(&mut tls.key);
        }
        Ok(file)
    }

    /// Reads and parses the config file at `path`.
    pub fn load(path: &Path) -> Result<File> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the config file {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        File::parse(&text, base).with_context(|| format!("in the config file {}", path.display()))
    }
}

/// Settles the settings: each from the flags or environment if given, else the file, else the
/// default; then checks that they make sense together.
pub fn resolve(given: Given, file: File) -> Result<Settings> {
    let listen = match given.listen.or(file.listen) {
        Some(a) => a,
        None => crate::DEFAULT_LISTEN
            .parse()
            .context("the default address")?,
    };
    let data_dir = given
        .data_dir
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from(crate::DEFAULT_DATA_DIR));
    let file_tls = file.tls.unwrap_or_default();
    let tls = match (
        given.tls_cert.or(file_tls.cert),
        given.tls_key.or(file_tls.key),
    ) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        (None, None) => None,
        (Some(_), None) => bail!("a TLS certificate was given without its key (--tls-key)"),
        (None, Some(_)) => bail!("a TLS key was given without its certificate (--tls-cert)"),
    };
    let log = given
        .log
        .or(file.log)
        .unwrap_or_else(|| DEFAULT_LOG.to_owned());
    let body_limit = given
        .body_limit
        .or(file.body_limit)
        .unwrap_or(crate::BODY_LIMIT);
    if body_limit == 0 {
        bail!("body_limit must be at least 1 byte");
    }
    let timeout = given
        .request_timeout_secs
        .or(file.request_timeout_secs)
        .unwrap_or(crate::REQUEST_TIMEOUT.as_secs());
    if timeout == 0 {
        bail!("request_timeout_secs must be at least 1");
    }
    let file_limit = file.auth_limit.unwrap_or_default();
    let defaults = AuthLimit::DEFAULT;
    let auth_limit = AuthLimit {
        failures: given
            .auth_failures
            .or(file_limit.failures)
            .unwrap_or(defaults.failures),
        window: Duration::from_secs(
            given
                .auth_window_secs
                .or(file_limit.window_secs)
                .unwrap_or(defaults.window.as_secs()),
        ),
        max_clients: file_limit.max_clients.unwrap_or(defaults.max_clients),
    };
    if auth_limit.failures > 0 && auth_limit.window.is_zero() {
        bail!(
            "auth_limit.window_secs must be at least 1 (or set failures = 0 to turn the limit off)"
        );
    }
    if auth_limit.failures > 0 && auth_limit.max_clients == 0 {
        bail!(
            "auth_limit.max_clients must be at least 1 (or set failures = 0 to turn the limit off)"
        );
    }
    Ok(Settings {
        listen,
        data_dir,
        tls,
        log,
        body_limit,
        request_timeout: Duration::from_secs(timeout),
        auth_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
listen = "0.0.0.0:8443"
data_dir = "data"
log = "debug"
body_limit = 1024
request_timeout_secs = 5

[tls]
cert = "tls/cert.pem"
key = "/etc/unchain/key.pem"

[auth_limit]
failures = 3
window_secs = 10
max_clients = 50
"#;

    #[test]
    fn defaults_when_nothing_is_given() {
        let s = resolve(Given::default(), File::default()).unwrap();
        assert_eq!(s.listen, crate::DEFAULT_LISTEN.parse().unwrap());
        assert_eq!(s.data_dir, PathBuf::from(crate::DEFAULT_DATA_DIR));
        assert_eq!(s.tls, None);
        assert_eq!(s.log, DEFAULT_LOG);
        assert_eq!(s.body_limit, crate::BODY_LIMIT);
        assert_eq!(s.request_timeout, crate::REQUEST_TIMEOUT);
        assert_eq!(s.auth_limit, AuthLimit::DEFAULT);
    }

    #[test]
    fn the_file_sets_every_key_with_paths_relative_to_itself() {
        let file = File::parse(FULL, Path::new("/srv/unchain")).unwrap();
        let s = resolve(Given::default(), file).unwrap();
        assert_eq!(s.listen, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(s.data_dir, PathBuf::from("/srv/unchain/data"));
        assert_eq!(
            s.tls,
            Some(TlsFiles {
                cert: PathBuf::from("/srv/unchain/tls/cert.pem"),
                key: PathBuf::from("/etc/unchain/key.pem"),
            })
        );
        assert_eq!(s.log, "debug");
        assert_eq!(s.body_limit, 1024);
        assert_eq!(s.request_timeout, Duration::from_secs(5));
        assert_eq!(
            s.auth_limit,
            AuthLimit {
                failures: 3,
                window: Duration::from_secs(10),
                max_clients: 50
            }
        );
    }

    #[test]
    fn flags_and_environment_win_over_the_file() {
        let file = File::parse(FULL, Path::new("/srv/unchain")).unwrap();
        let given = Given {
            listen: Some("127.0.0.1:9000".parse().unwrap()),
            data_dir: Some(PathBuf::from("elsewhere")),
            tls_cert: Some(PathBuf::from("c.pem")),
            tls_key: None,
            log: Some("warn".into()),
            body_limit: Some(10),
            request_timeout_secs: Some(7),
            auth_failures: Some(0),
            auth_window_secs: Some(99),
        };
        let s = resolve(given, file).unwrap();
        assert_eq!(s.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(s.data_dir, PathBuf::from("elsewhere"));
        // Each TLS file is settled on its own: the flag's certificate, the file's key.
        let tls = s.tls.unwrap();
        assert_eq!(tls.cert, PathBuf::from("c.pem"));
        assert_eq!(tls.key, PathBuf::from("/etc/unchain/key.pem"));
        assert_eq!(s.log, "warn");
        assert_eq!(s.body_limit, 10);
        assert_eq!(s.request_timeout, Duration::from_secs(7));
        assert_eq!(s.auth_limit.failures, 0);
        assert!(!s.auth_limit.enabled());
        assert_eq!(s.auth_limit.window, Duration::from_secs(99));
        assert_eq!(s.auth_limit.max_clients, 50);
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        for (text, key) in [
            ("lisen = \"127.0.0.1:1\"", "lisen"),
            ("[tls]\ncertificate = \"x\"", "certificate"),
            ("[auth_limit]\nfailure = 3", "failure"),
            ("[limits]\nfailures = 3", "limits"),
        ] {
            let err = format!("{:#}", File::parse(text, Path::new(".")).unwrap_err());
            assert!(err.contains(&format!("`{key}`")), "{key}: {err}");
        }
    }

    #[test]
    fn wrong_types_and_bad_values_are_errors() {
        assert!(File::parse("listen = \"not an address\"", Path::new(".")).is_err());
        assert!(File::parse("body_limit = -1", Path::new(".")).is_err());
        assert!(File::parse("request_timeout_secs = \"30\"", Path::new(".")).is_err());
        let zero = |text: &str| {
            resolve(Given::default(), File::parse(text, Path::new(".")).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert!(zero("body_limit = 0").contains("body_limit"));
        assert!(zero("request_timeout_secs = 0").contains("request_timeout_secs"));
        assert!(zero("[auth_limit]\nwindow_secs = 0").contains("window_secs"));
        // Zero failures turns the limit off, and then the window does not matter.
        let off = resolve(
            Given::default(),
            File::parse(
                "[auth_limit]\nfailures = 0\nwindow_secs = 0",
                Path::new("."),
            )
            .unwrap(),
        )
        .unwrap();
        assert!(!off.auth_limit.enabled());
    }

    #[test]
    fn a_certificate_needs_its_key_and_the_reverse() {
        let cert_only = Given {
            tls_cert: Some("c.pem".into()),
            ..Given::default()
        };
        assert!(
            resolve(cert_only, File::default())
                .unwrap_err()
                .to_string()
                .contains("--tls-key")
        );
        let key_only = File::parse("[tls]\nkey = \"k.pem\"", Path::new(".")).unwrap();
        assert!(
            resolve(Given::default(), key_only)
                .unwrap_err()
                .to_string()
                .contains("--tls-cert")
        );
    }

    proptest::proptest! {
        /// The precedence rule, for every combination of given / in the file / neither: a value
        /// given by flag or environment wins, else the file's, else the default.
        #[test]
        fn given_beats_file_beats_default(
            listen in proptest::option::of(1u16..),
            file_listen in proptest::option::of(1u16..),
            body in proptest::option::of(1usize..1 << 30),
            file_body in proptest::option::of(1usize..1 << 30),
            failures in proptest::option::of(0u32..100),
            file_failures in proptest::option::of(0u32..100),
            log in proptest::option::of("[a-z]{1,8}"),
            file_log in proptest::option::of("[a-z]{1,8}"),
        ) {
            let addr = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
            let given = Given {
                listen: listen.map(addr),
                body_limit: body,
                auth_failures: failures,
                log: log.clone(),
                ..Given::default()
            };
            let file = File {
                listen: file_listen.map(addr),
                body_limit: file_body,
                log: file_log.clone(),
                auth_limit: Some(FileAuthLimit { failures: file_failures, ..FileAuthLimit::default() }),
                ..File::default()
            };
            let s = resolve(given, file).unwrap();
            let default_listen: SocketAddr = crate::DEFAULT_LISTEN.parse().unwrap();
            proptest::prop_assert_eq!(s.listen, listen.or(file_listen).map(addr).unwrap_or(default_listen));
            proptest::prop_assert_eq!(s.body_limit, body.or(file_body).unwrap_or(crate::BODY_LIMIT));
            proptest::prop_assert_eq!(
                s.auth_limit.failures,
                failures.or(file_failures).unwrap_or(AuthLimit::DEFAULT.failures)
            );
            proptest::prop_assert_eq!(s.log, log.or(file_log).unwrap_or_else(|| DEFAULT_LOG.to_owned()));
        }
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = format!(
            "{:#}",
            File::load(Path::new("/nonexistent/unchain.toml")).unwrap_err()
        );
        assert!(err.contains("/nonexistent/unchain.toml"), "{err}");
    }
}
