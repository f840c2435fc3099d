//! Fault trials (issue 10): an unwritable data directory, a full disk, and a backup taken after a
//! crash. Each must end in a clear error or a complete, verifying store — never a panic, never
//! silent loss of something acknowledged.
//!
//! Some trials need a child process: this very test binary, re-run with a filter that selects
//! `fault_child` and `FAULT_CHILD` in its environment saying what to do (without it, `fault_child`
//! does nothing). The child is started through `bash` (to ignore SIGXFSZ and set a file-size
//! limit) or `setpriv` (to drop root, which ignores permissions) — both from the base system.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use unchain_core::cases::NewCase;
use unchain_core::nrm::ExploitationType;
use unchain_core::people::PersonDetails;
use unchain_core::store::{MasterKey, Store, StoreConfig};
use unchain_core::{Config, KeySource, Role, SystemClock, Unchain};
use uuid::Uuid;

const CHILD_ENV: &str = "FAULT_CHILD";

fn config(dir: &Path) -> Config {
    let mut c = Config::new(dir.join("data"));
    c.key = Some(KeySource::File(dir.join("data").join("master.key")));
    c
}

/// A name unique to case `n`, so each acknowledged case can be checked for its content.
fn name(n: u64) -> String {
    format!("Fault Person {n:06} {}", "x".repeat((n % 150) as usize))
}

fn new_case(n: u64) -> NewCase {
    NewCase {
        exploitation: vec![ExploitationType::Labour],
        ..unchain_core::testing::new_case(PersonDetails {
            names: vec![name(n)],
            estimated_age: Some(20 + (n % 40) as u32),
            ..PersonDetails::default()
        })
    }
}

/// Initialises a store in `dir/data` with an admin and a coordinator, then closes it.
fn init(dir: &Path) -> Config {
    let config = config(dir);
    let (core, _) = Unchain::init(&config, "admin").expect("init");
    let admin = core.actor("admin").expect("admin");
    core.create_user(&admin, "coord", Role::AftercareCoordinator)
        .expect("coordinator");
    core.flush().expect("flush");
    config
}

fn this_binary() -> PathBuf {
    std::env::current_exe().expect("test binary")
}

/// Child side of the trials; does nothing unless `FAULT_CHILD` is set.
#[test]
fn fault_child() {
    let Ok(what) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (mode, dir) = what.split_once(':').expect("mode:dir");
    let dir = Path::new(dir);
    match mode {
        // Create a store where this user may not write: must be an error, not a panic.
        "init" => match Unchain::init(&config(dir), "admin") {
            Ok(_) => println!("OPENED"),
            Err(e) => println!("ERROR {e}"),
        },
        // Open an existing store this user may not write.
        "open" => match Unchain::open(&{
            let mut c = config(dir);
            c.key = Some(KeySource::File(dir.join("child.key")));
            c
        }) {
            Ok(_) => println!("OPENED"),
            Err(e) => println!("ERROR {e}"),
        },
        // Write cases until an error (a full disk) or killed; print each acknowledged case.
        "write" => {
            let core = Unchain::open(&config(dir)).expect("child: open");
            let coord = core.actor("coord").expect("child: coord");
            let start: u64 = std::env::var("FAULT_START")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            for n in start..start + 100_000 {
                match core.open_case(&coord, new_case(n)) {
                    Ok(case) => println!("ACK {n} {}", case.id),
                    Err(e) => {
                        println!("ERROR {e}");
                        // A second write after the failure must fail cleanly too.
                        match core.open_case(&coord, new_case(n + 1)) {
                            Ok(case) => println!("ACK {} {}", n + 1, case.id),
                            Err(e) => println!("ERROR {e}"),
                        }
                        return;
                    }
                }
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

fn child(mode: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(this_binary());
    cmd.args(["--exact", "fault_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{mode}:{}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn am_root() -> bool {
    // Root ignores directory permissions; probe instead of asking for the uid (no unsafe here).
    let probe = tempfile::tempdir().expect("probe dir");
    let ro = probe.path().join("ro");
    std::fs::create_dir(&ro).expect("ro");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    std::fs::write(ro.join("x"), b"x").is_ok()
}

/// Runs a child as user `nobody` (for root) or as this user, and returns its stdout.
fn run_unprivileged(mode: &str, dir: &Path) -> Option<String> {
    let mut cmd = if am_root() {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root and setpriv is missing");
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(this_binary())
            .args(["--exact", "fault_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, format!("{mode}:{}", dir.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    } else {
        child(mode, dir)
    };
    let out = cmd.output().expect("child runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the child must not panic: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(stdout)
}

fn error_line(stdout: &str) -> Option<&str> {
    stdout
        .lines()
        .find_map(|l| l.split_once("ERROR ").map(|(_, e)| e))
        .map(str::trim)
}

/// A folder the child (nobody, or this user) can reach but not write.
fn read_only_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    // tempfile makes it 0700; let the unprivileged child in (but not write).
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

#[test]
fn an_unwritable_data_directory_is_a_clear_error() {
    // A new store under a read-only folder: init fails with an I/O error naming the problem.
    let dir = read_only_tree();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let Some(stdout) = run_unprivileged("init", dir.path()) else {
        return;
    };
    let error = error_line(&stdout).unwrap_or_else(|| panic!("init must fail: {stdout}"));
    eprintln!("init under a read-only folder: {error}");
    assert!(
        error.to_lowercase().contains("permission denied"),
        "a clear error: {error}"
    );
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(
        !dir.path().join("data").exists(),
        "nothing was created: {:?}",
        std::fs::read_dir(dir.path()).map(|d| d.count())
    );
}

#[test]
fn an_existing_store_that_cannot_be_written_is_a_clear_error_and_stays_intact() {
    let dir = read_only_tree();
    let config = init(dir.path());
    // The child's own copy of the key (a key file must be its owner's only).
    let child_key = dir.path().join("child.key");
    std::fs::copy(dir.path().join("data").join("master.key"), &child_key).expect("key copy");
    if am_root() {
        std::os::unix::fs::chown(&child_key, Some(65534), Some(65534)).expect("chown");
    }
    // Let the child read the store, but write nothing.
    for entry in walk(dir.path()) {
        let mode = if entry.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let before = snapshot(dir.path());
    let Some(stdout) = run_unprivileged("open", dir.path()) else {
        return;
    };
    for entry in walk(dir.path()) {
        let mode = if entry.is_dir() { 0o755 } else { 0o600 };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let error = error_line(&stdout).unwrap_or_else(|| panic!("open must fail: {stdout}"));
    eprintln!("open of a read-only store: {error}");
    assert!(
        error.to_lowercase().contains("permission denied")
            || error.to_lowercase().contains("read-only"),
        "a clear error: {error}"
    );
    assert_eq!(snapshot(dir.path()), before, "no file was changed");
    // And the store opens and verifies for its owner.
    let core = Unchain::open(&config).expect("reopens");
    let admin = core.actor("admin").expect("admin");
    assert_eq!(core.verify_audit(&admin).expect("verify").first_bad, None);
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("data")];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).expect("read_dir") {
                stack.push(e.expect("entry").path());
            }
        }
        out.push(p);
    }
    out
}

/// Every file's path and content.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walk(root)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Reads `ACK n id` lines from a child's stdout.
fn acknowledged(stdout: &str) -> Vec<(u64, Uuid)> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ACK "))
        .map(|l| {
            let (n, id) = l.split_once(' ').expect("ack line");
            (n.parse().expect("n"), id.trim().parse().expect("uuid"))
        })
        .collect()
}

/// Every acknowledged case is there, with its person's name intact; the audit chain verifies.
fn check_store(core: &Unchain, acks: &[(u64, Uuid)]) {
    let coord = core.actor("coord").expect("coord");
    let admin = core.actor("admin").expect("admin");
    for (n, id) in acks {
        let case = core
            .case(&coord, *id)
            .unwrap_or_else(|e| panic!("acknowledged case {n} ({id}) is missing: {e}"));
        let details = case.person.details.as_ref().expect("identity shown");
        assert_eq!(details.names, vec![name(*n)], "case {n} intact");
    }
    let v = core.verify_audit(&admin).expect("verify");
    assert_eq!(v.first_bad, None, "the audit chain verifies");
}

/// Simulates a full disk: the child runs with a file-size limit (`ulimit -f`) and SIGXFSZ
/// ignored, so a write past the limit fails with EFBIG as a full disk fails with ENOSPC. The
/// child must report an error (not panic), and the store must reopen with every acknowledged case.
#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let config = init(dir.path());
    let largest = walk(dir.path())
        .iter()
        .filter(|p| p.is_file())
        .map(|p| p.metadata().expect("meta").len())
        .max()
        .unwrap_or(0);
    // Room for a few hundred cases beyond what is there (bash counts 1024-byte blocks).
    let limit_kib = largest / 1024 + 512;
    let out = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f \"$1\"; shift; exec \"$@\"",
            "bash",
            &limit_kib.to_string(),
        ])
        .arg(this_binary())
        .args(["--exact", "fault_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("write:{}", dir.path().display()))
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let acks = acknowledged(&stdout);
    let error = error_line(&stdout);
    eprintln!(
        "full disk at {limit_kib} KiB: {} cases acknowledged, child status {:?}, error: {error:?}",
        acks.len(),
        out.status
    );
    assert!(!acks.is_empty(), "some writes fit: {stdout}\n{stderr}");
    assert!(
        out.status.success(),
        "the child reports the error, it does not panic or abort: {}\n{stderr}",
        stdout.lines().last().unwrap_or_default()
    );
    let error = error.unwrap_or_else(|| panic!("the writes must end in an error: {stderr}"));
    assert!(
        error.to_lowercase().contains("file too large")
            || error.to_lowercase().contains("no space"),
        "a clear error: {error}"
    );
    // Reopen without the limit: everything acknowledged is there and the chain verifies.
    let core = Unchain::open(&config).expect("reopens after the full disk");
    check_store(&core, &acks);
    // And it takes writes again once there is room.
    let coord = core.actor("coord").expect("coord");
    core.open_case(&coord, new_case(999_999))
        .expect("writes again");
}

/// A child writes cases and is killed with SIGKILL mid-stream; a backup of the crashed store
/// restores into a fresh store completely (same entries) and verifies, with every acknowledged case.
#[test]
fn a_backup_after_a_crash_restores_completely_and_verifies() {
    let trials: u32 = std::env::var("UNCHAIN_FAULT_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().expect("temporary folder");
    let config = init(dir.path());
    let mut acks = Vec::new();
    for trial in 0..trials {
        let mut cmd = child("write", dir.path());
        cmd.env("FAULT_START", (trial as u64 * 100_000).to_string());
        let mut c = cmd.spawn().expect("child");
        let stdout = c.stdout.take().expect("stdout");
        // Kill after a pseudo-random number of acknowledgements (5..=44), or 60 s at most.
        let want = 5 + (Uuid::now_v7().as_u128() % 40) as usize;
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            if line.starts_with("ACK ") {
                lines.push(line);
            }
            if lines.len() >= want || Instant::now() > deadline {
                break;
            }
        }
        c.kill().expect("SIGKILL");
        let _ = c.wait();
        let got = acknowledged(&lines.join("\n"));
        eprintln!(
            "trial {trial}: killed after {} acknowledged cases",
            got.len()
        );
        acks.extend(got);
    }

    let master = MasterKey::load_key_file(&config.data_dir.join("master.key")).expect("key");
    let backup = dir.path().join("after-crash.backup");
    let summary = {
        let store =
            Store::open(&StoreConfig::sled(config.store_path())).expect("crashed store opens");
        store.backup_to_file(&backup).expect("backup")
    };
    assert!(summary.entries > 0);

    let restored_dir = dir.path().join("restored");
    let mut restored = Store::open(&StoreConfig::sled(&restored_dir)).expect("fresh store");
    let written = restored.restore_from_file(&backup).expect("restore");
    assert_eq!(
        written.entries, summary.entries,
        "complete: {written:?} vs {summary:?}"
    );
    assert_eq!(written.stream_entries, summary.stream_entries);
    let core = Unchain::over(restored, Arc::new(SystemClock), master).expect("core over restored");
    check_store(&core, &acks);
    // The restored store holds exactly the crashed store's cases.
    let coord = core.actor("coord").expect("coord");
    let restored_cases = core
        .cases(&coord, &Default::default())
        .expect("cases")
        .len();
    drop(core);
    let original = Unchain::open(&config).expect("original reopens");
    let original_cases = original
        .cases(&coord, &Default::default())
        .expect("cases")
        .len();
    assert_eq!(restored_cases, original_cases);
    assert!(restored_cases >= acks.len());
}
