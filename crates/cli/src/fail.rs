//! Failures and their exit codes. The core's error variants decide the code; the message is the
//! core's own (it never carries personal data), laid out so that every failing field is named.

use std::path::{Path, PathBuf};

use serde_json::json;
use unchain_core::CoreError;
use unchain_core::store::StoreError;

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: anything else (a rule of the work refused the request, the store failed, IO).
pub const OTHER: u8 = 1;
/// Exit code: usage or invalid input.
pub const USAGE: u8 = 2;
/// Exit code: not found.
pub const NOT_FOUND: u8 = 3;
/// Exit code: conflict (the record changed since it was read).
pub const CONFLICT: u8 = 4;
/// Exit code: the acting user's role does not allow it.
pub const FORBIDDEN: u8 = 5;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The core refused or failed.
    Core(CoreError),
    /// The command line or an input file is wrong (exit 2).
    Usage(String),
    /// The store is held by another process.
    InUse {
        /// The data directory.
        data_dir: PathBuf,
        /// The holder: its pid and process name, when it can be found.
        holder: Option<(u32, String)>,
    },
    /// Anything else (IO, a file that cannot be written).
    Other(String),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Other(e.to_string())
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::Other(format!("could not write JSON: {e}"))
    }
}

/// Shorthand for command results.
pub type Result<T, E = Failure> = std::result::Result<T, E>;

/// A usage failure.
pub fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

impl Failure {
    /// Turns a store-in-use error into the plain message about who holds it.
    pub fn in_context(self, data_dir: &Path) -> Self {
        match self {
            Failure::Core(CoreError::Store(StoreError::InUse { path })) => Failure::InUse {
                data_dir: data_dir.to_path_buf(),
                holder: holder(data_dir, &path),
            },
            other => other,
        }
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::InUse { .. } | Failure::Other(_) => OTHER,
            Failure::Core(e) => match e {
                CoreError::Validation(_) => USAGE,
                CoreError::NotFound { .. } => NOT_FOUND,
                CoreError::Conflict { .. } => CONFLICT,
                CoreError::Store(StoreError::Conflict { .. }) => CONFLICT,
                CoreError::Forbidden { .. } => FORBIDDEN,
                CoreError::Refused(_) | CoreError::Store(_) => OTHER,
            },
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Failure::Usage(_) => "usage",
            Failure::InUse { .. } => "in_use",
            Failure::Other(_) => "other",
            Failure::Core(e) => match e {
                CoreError::Validation(_) => "validation",
                CoreError::NotFound { .. } => "not_found",
                CoreError::Conflict { .. } | CoreError::Store(StoreError::Conflict { .. }) => {
                    "conflict"
                }
                CoreError::Forbidden { .. } => "forbidden",
                CoreError::Refused(_) => "refused",
                CoreError::Store(_) => "store",
            },
        }
    }

    /// The message for people: one line, or a heading and one line per failing field.
    pub fn message(&self) -> String {
        match self {
            Failure::Usage(m) | Failure::Other(m) => m.clone(),
            Failure::InUse { data_dir, holder } => match holder {
                Some((pid, name)) if name == "unchain-server" => format!(
                    "the store at {} is in use by unchain-server (pid {pid}); stop the server or use its HTTP API",
                    data_dir.display()
                ),
                Some((pid, name)) => format!(
                    "the store at {} is in use by another process ({name}, pid {pid})",
                    data_dir.display()
                ),
                None => format!(
                    "the store at {} is in use by another process",
                    data_dir.display()
                ),
            },
            Failure::Core(CoreError::Validation(fields)) => {
                let mut m = String::from("invalid input:");
                for f in fields {
                    m.push_str(&format!("\n  {}: {}", f.field, f.reason));
                }
                m
            }
            Failure::Core(e) => e.to_string(),
        }
    }

    /// Prints the failure on stderr (as one JSON document when `json`).
    pub fn report(&self, json: bool) {
        if json {
            let fields = match self {
                Failure::Core(CoreError::Validation(f)) => serde_json::to_value(f).ok(),
                _ => None,
            };
            let mut error = json!({
                "kind": self.kind(),
                "code": self.code(),
                "message": self.message(),
            });
            if let Some(fields) = fields {
                error["fields"] = fields;
            }
            eprintln!("{}", json!({ "error": error }));
        } else {
            eprintln!("error: {}", self.message());
        }
    }
}

/// Who holds the store: the pid in `<data-dir>/server.pid` when a server left one and it is
/// alive, else (on Linux) the process with a file of the store open, found through `/proc`.
fn holder(data_dir: &Path, store: &Path) -> Option<(u32, String)> {
    let name = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "unchain-server".to_owned())
    };
    if let Ok(text) = std::fs::read_to_string(data_dir.join("server.pid")) {
        if let Ok(pid) = text.trim().parse::<u32>() {
            let proc_dir = Path::new("/proc");
            if !proc_dir.exists() || proc_dir.join(pid.to_string()).exists() {
                // The server writes the pid file: the holder is the server by definition.
                return Some((pid, "unchain-server".to_owned()));
            }
        }
    }
    let store = std::fs::canonicalize(store).ok()?;
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .any(|target| target.starts_with(&store));
        if holds {
            return Some((pid, name(pid)));
        }
    }
    None
}
