//! Support for the end-to-end suite: where the workspace is and how to reach its tools.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the folder holding the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// The `cargo` that is running this test (falls back to `cargo` on the PATH).
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Builds the binary `bin` of `package` with the cargo running the tests (a no-op when it is
/// fresh) and returns its path: the test crate cannot depend on a binary, so it asks cargo, and
/// the binary lands beside the test executable's profile folder.
pub fn build_binary(package: &str, bin: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    // target/<profile>/deps/e2e-… → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("profile dir")
        .to_path_buf();
    let status = Command::new(cargo())
        .args(["build", "-q", "-p", package, "--bin", bin])
        .current_dir(workspace_root())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building {bin} failed");
    let path = profile_dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "no binary at {}", path.display());
    path
}

/// Every file below `dir`, at any depth.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("readable folder") {
                stack.push(entry.expect("folder entry").path());
            }
        } else {
            out.push(path);
        }
    }
    out
}
