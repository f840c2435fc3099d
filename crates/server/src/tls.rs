//! Native TLS (issue 10), for deployments without a reverse proxy: rustls on the `ring`
//! provider (pure Rust and a small C/assembly core built by `cc`; no OpenSSL, no cmake).
//!
//! [`server_config`] loads a PEM certificate chain and private key and refuses, with an error
//! naming the file and what is wrong, anything it cannot use: a missing or unreadable file, a file
//! without a certificate or key, a malformed one, or a key that does not belong to the
//! certificate. TLS 1.3 and 1.2 with rustls's default (forward-secret AEAD) cipher suites; ALPN
//! `http/1.1`.
//!
//! [`TlsListener`] is an axum [`Listener`]: a background task accepts TCP connections and runs
//! each handshake in its own task (at most [`MAX_HANDSHAKES`] at once, each given
//! [`HANDSHAKE_TIMEOUT`]), so a slow or silent client never holds up the others, and the server
//! itself is the same `axum::serve` as for plain HTTP, with the same graceful shutdown (hyper
//! closes each connection after its in-flight request, sending TLS `close_notify`). Served through
//! `.tap_io(|_| ())`, axum gives each request its peer's `ConnectInfo<SocketAddr>`.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use axum::serve::Listener;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client has to finish the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many handshakes may run at once; connections beyond it are closed at once.
pub const MAX_HANDSHAKES: usize = 512;

/// The rustls server configuration for a PEM certificate chain and its private key.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let chain = read_certs(cert)?;
    let key_der = read_key(key)?;
    if readable_by_others(key) {
        tracing::warn!(
            key = %key.display(),
            "the TLS private key file is readable by other users: make it owner-only (chmod 600)"
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("choosing TLS versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| {
            anyhow!(
                "the TLS key {} cannot be used with the certificate {}: {e}",
                key.display(),
                cert.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Whether users other than the owner may read the file (Unix permissions; false elsewhere).
pub fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading the TLS {what} {}", path.display()))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let pem = read_pem(path, "certificate")?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            anyhow!(
                "the TLS certificate {} is not valid PEM: {e}",
                path.display()
            )
        })?;
    if certs.is_empty() {
        return Err(anyhow!(
            "the TLS certificate {} holds no certificate (expected PEM \"BEGIN CERTIFICATE\")",
            path.display()
        ));
    }
    // Parse the leaf, so that a PEM block holding garbage is refused here and not at the first
    // handshake.
    rustls::server::ParsedCertificate::try_from(&certs[0]).map_err(|e| {
        anyhow!(
            "the TLS certificate {} cannot be parsed: {e}",
            path.display()
        )
    })?;
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    let pem = read_pem(path, "key")?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => anyhow!(
            "the TLS key {} holds no private key (expected PEM \"BEGIN PRIVATE KEY\", \"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\")",
            path.display()
        ),
        e => anyhow!("the TLS key {} is not valid PEM: {e}", path.display()),
    })
}

/// Accepts TLS connections for `axum::serve`.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp` (on the current tokio runtime); connections whose handshake
    /// succeeds are handed to `axum::serve`. The background task ends when the listener is
    /// dropped.
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = tcp.accept() => accepted,
                    () = tx.closed() => return,
                };
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // As axum does: out of file descriptors and the like pass; wait a little.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = handshakes.clone().try_acquire_owned() else {
                    tracing::warn!("too many TLS handshakes at once: closing a new connection");
                    continue;
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        // A client that does not speak TLS, or distrusts the certificate: its
                        // problem, logged quietly (no addresses at info).
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The acceptor task has ended (the runtime is shutting down): accept nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files {
        dir: tempfile::TempDir,
    }

    impl Files {
        fn new() -> Files {
            Files {
                dir: tempfile::tempdir().unwrap(),
            }
        }

        fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
            let path = self.dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        }
    }

    fn self_signed() -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    fn err(cert: &Path, key: &Path) -> String {
        format!("{:#}", server_config(cert, key).unwrap_err())
    }

    #[test]
    fn a_self_signed_pair_loads() {
        let f = Files::new();
        let (cert, key) = self_signed();
        let config = server_config(&f.write("c.pem", &cert), &f.write("k.pem", &key)).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[cfg(unix)]
    #[test]
    fn a_key_readable_by_others_is_noticed() {
        use std::os::unix::fs::PermissionsExt as _;
        let f = Files::new();
        let (_, key) = self_signed();
        let path = f.write("k.pem", &key);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(readable_by_others(&path));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(readable_by_others(&path));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(!readable_by_others(&path));
    }

    #[test]
    fn missing_empty_garbled_and_mismatched_files_are_refused_by_name() {
        let f = Files::new();
        let (cert, key) = self_signed();
        let (_, other_key) = self_signed();
        let good_cert = f.write("c.pem", &cert);
        let good_key = f.write("k.pem", &key);
        let missing = f.dir.path().join("missing.pem");
        let empty = f.write("empty.pem", "");
        let garbled = f.write(
            "garbled.pem",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        );
        let bad_base64 = f.write(
            "bad64.pem",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        );
        let wrong_key = f.write("other.pem", &other_key);

        let e = err(&missing, &good_key);
        assert!(
            e.contains("reading the TLS certificate") && e.contains("missing.pem"),
            "{e}"
        );
        let e = err(&good_cert, &missing);
        assert!(
            e.contains("reading the TLS key") && e.contains("missing.pem"),
            "{e}"
        );
        let e = err(&empty, &good_key);
        assert!(
            e.contains("holds no certificate") && e.contains("empty.pem"),
            "{e}"
        );
        let e = err(&good_cert, &empty);
        assert!(
            e.contains("holds no private key") && e.contains("empty.pem"),
            "{e}"
        );
        // A key file given as the certificate, and the reverse.
        let e = err(&good_key, &good_key);
        assert!(e.contains("holds no certificate"), "{e}");
        let e = err(&good_cert, &good_cert);
        assert!(e.contains("holds no private key"), "{e}");
        let e = err(&garbled, &good_key);
        assert!(
            e.contains("cannot be parsed") && e.contains("garbled.pem"),
            "{e}"
        );
        let e = err(&good_cert, &bad_base64);
        assert!(e.contains("bad64.pem"), "{e}");
        let e = err(&good_cert, &wrong_key);
        assert!(e.contains("cannot be used with the certificate"), "{e}");
    }
}
