//! The architecture's arrows, checked against `cargo metadata` (see docs/ARCHITECTURE.md).
//!
//! Arrows point down only: front ends → core → {lifecycle, nrm, placement, store}. The pure crates
//! may depend only on plain-data crates; a dependency on a storage, async, HTTP or terminal crate —
//! directly or through another crate — fails this test.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// The pure domain crates: no IO, no clock, no storage, no async.
const PURE: [&str; 3] = ["unchain-lifecycle", "unchain-nrm", "unchain-placement"];

/// What a pure crate may depend on directly (normal dependencies; tests and benches may use more).
/// Adding to this list is an architecture decision: write the reason in docs/ARCHITECTURE.md.
const PURE_ALLOWED_DIRECT: [&str; 4] = ["serde", "thiserror", "chrono", "uuid"];

/// Crates that do IO, spawn threads, talk to terminals or networks, or store data. None may appear
/// anywhere in a pure crate's normal dependency tree.
///
/// `getrandom` is not listed: `uuid` reaches it once any workspace member enables uuid's `v4`
/// feature (cargo unifies features). Its use is caught at the source instead: see
/// `pure_crates_call_no_clock_randomness_or_io`.
const IO_CRATES: [&str; 22] = [
    "sled",
    "tokio",
    "async-std",
    "smol",
    "mio",
    "axum",
    "hyper",
    "reqwest",
    "tower",
    "tower-http",
    "clap",
    "indicatif",
    "comfy-table",
    "crossterm",
    "tracing-subscriber",
    "rusqlite",
    "postgres",
    "sqlx",
    "tempfile",
    "nix",
    "rand",
    "csv",
];

/// Calls that read the clock, draw randomness or do IO. None may appear in a pure crate's
/// library source (its tests and benches may do as they like).
const IMPURE_CALLS: [&str; 14] = [
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "new_v4",
    "now_v7",
    "std::fs",
    "std::net",
    "std::thread",
    "std::process",
    "std::env",
    "File::",
    "println!",
    "eprintln!",
];

/// Our crates and the crates each may use (normal dependencies, workspace members only).
fn allowed_internal() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut m = BTreeMap::new();
    for pure in PURE {
        m.insert(pure, BTreeSet::new());
    }
    m.insert("unchain-store", BTreeSet::new());
    m.insert(
        "unchain-core",
        [
            "unchain-lifecycle",
            "unchain-nrm",
            "unchain-placement",
            "unchain-store",
        ]
        .into(),
    );
    m.insert("unchain-cli", ["unchain-core"].into());
    m.insert("unchain-server", ["unchain-core"].into());
    m
}

struct Graph {
    /// package id → package name
    names: BTreeMap<String, String>,
    /// package id → ids of its normal (non-dev, non-build) dependencies
    normal_deps: BTreeMap<String, Vec<String>>,
    /// member name → package id
    members: BTreeMap<String, String>,
}

fn graph() -> Graph {
    let out = Command::new(unchain_e2e::cargo())
        .args(["metadata", "--format-version", "1"])
        .current_dir(unchain_e2e::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");

    let mut names = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        names.insert(
            p["id"].as_str().expect("id").to_owned(),
            p["name"].as_str().expect("name").to_owned(),
        );
    }
    let mut members = BTreeMap::new();
    for id in meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
    {
        let id = id.as_str().expect("member id").to_owned();
        members.insert(names[&id].clone(), id);
    }
    let mut normal_deps = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().expect("resolve.nodes") {
        let id = node["id"].as_str().expect("node id").to_owned();
        let deps = node["deps"]
            .as_array()
            .expect("deps")
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
            })
            .map(|d| d["pkg"].as_str().expect("pkg").to_owned())
            .collect();
        normal_deps.insert(id, deps);
    }
    Graph {
        names,
        normal_deps,
        members,
    }
}

impl Graph {
    fn direct(&self, member: &str) -> BTreeSet<String> {
        let id = &self.members[member];
        self.normal_deps[id]
            .iter()
            .map(|d| self.names[d].clone())
            .collect()
    }

    /// Every crate in the normal dependency tree of `member`, with one path that reaches it.
    fn transitive(&self, member: &str) -> BTreeMap<String, String> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut stack = vec![(self.members[member].clone(), member.to_owned())];
        while let Some((id, path)) = stack.pop() {
            for dep in &self.normal_deps[&id] {
                let name = &self.names[dep];
                if !seen.contains_key(name) {
                    let p = format!("{path} → {name}");
                    seen.insert(name.clone(), p.clone());
                    stack.push((dep.clone(), p));
                }
            }
        }
        seen
    }
}

#[test]
fn arrows_between_our_crates_point_down_only() {
    let g = graph();
    let allowed = allowed_internal();
    let mut wrong = Vec::new();
    for (member, ok) in &allowed {
        assert!(
            g.members.contains_key(*member),
            "{member} is not a workspace member"
        );
        for dep in g.direct(member) {
            if dep.starts_with("unchain-") && !ok.contains(dep.as_str()) {
                wrong.push(format!("{member} → {dep}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows that point the wrong way: {wrong:?}"
    );
}

#[test]
fn pure_crates_depend_only_on_plain_data_crates() {
    let g = graph();
    let mut wrong = Vec::new();
    for pure in PURE {
        for dep in g.direct(pure) {
            if !PURE_ALLOWED_DIRECT.contains(&dep.as_str()) {
                wrong.push(format!("{pure} → {dep} (not in the pure allow-list)"));
            }
        }
        for (dep, path) in g.transitive(pure) {
            if IO_CRATES.contains(&dep.as_str()) || dep.starts_with("unchain-") {
                wrong.push(format!(
                    "{path} (IO or internal crate in a pure crate's tree)"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "pure crates must stay pure: {wrong:#?}");
}

#[test]
fn store_knows_no_domain_and_core_knows_no_front_end() {
    let g = graph();
    for (member, banned) in [
        (
            "unchain-store",
            &[
                "unchain-core",
                "unchain-cli",
                "unchain-server",
                "axum",
                "clap",
            ][..],
        ),
        (
            "unchain-core",
            &["unchain-cli", "unchain-server", "axum", "clap", "hyper"][..],
        ),
        ("unchain-cli", &["unchain-server", "axum"][..]),
    ] {
        let tree = g.transitive(member);
        let hits: Vec<_> = banned.iter().filter_map(|b| tree.get(*b)).collect();
        assert!(
            hits.is_empty(),
            "{member} reaches what it must not: {hits:?}"
        );
    }
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    unchain_e2e::files_below(dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect()
}

#[test]
fn pure_crates_call_no_clock_randomness_or_io() {
    let root = unchain_e2e::workspace_root();
    let mut hits = Vec::new();
    for dir in [
        "crates/lifecycle/src",
        "crates/nrm/src",
        "crates/placement/src",
    ] {
        for path in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&path).expect("readable source file");
            // Unit tests beside the code may use the clock or print; stop at the test module.
            let lib_part = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in lib_part.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for call in IMPURE_CALLS {
                    if code.contains(call) {
                        hits.push(format!("{}:{}: {call}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "pure crates must take time and input as parameters: {hits:#?}"
    );
}

/// What may not happen in a core operation before it has authorised its actor: validating the
/// input (the error would tell a role that may not act what is wrong with its request) or
/// sealing (which may create a person's data key).
const BEFORE_AUTHORISATION: [&str; 4] = ["check(", ".validate(", "validate_", ".seal("];
/// The calls that authorise: directly, through the one write path, or through an audited read.
const AUTHORISING: [&str; 3] = ["authorize(", "self.write(", "audit_read("];

#[test]
fn core_operations_authorise_before_they_validate() {
    let root = unchain_e2e::workspace_root();
    let mut hits = Vec::new();
    let mut checked = 0;
    for path in rust_files(&root.join("crates/core/src")) {
        let text = std::fs::read_to_string(&path).expect("readable source file");
        let lib_part = text.split("#[cfg(test)]").next().unwrap_or("");
        // Each public method of `impl Unchain` that takes an actor: its body runs from the
        // signature to the first line that closes it at the method's indentation.
        let lines: Vec<&str> = lib_part.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let Some(rest) = lines[i].strip_prefix("    pub fn ") else {
                i += 1;
                continue;
            };
            let name = rest.split('(').next().unwrap_or("").to_owned();
            let start = i;
            let mut signature = String::new();
            while i < lines.len() && !lines[i].trim_end().ends_with('{') {
                signature.push_str(lines[i]);
                i += 1;
            }
            signature.push_str(lines.get(i).copied().unwrap_or(""));
            let end = (i..lines.len())
                .find(|&j| lines[j] == "    }")
                .unwrap_or(lines.len());
            if signature.contains("actor: &Actor") {
                checked += 1;
                for line in &lines[i + 1..end] {
                    let code = line.split("//").next().unwrap_or("");
                    if AUTHORISING.iter().any(|a| code.contains(a)) {
                        break;
                    }
                    if let Some(call) = BEFORE_AUTHORISATION.iter().find(|c| code.contains(*c)) {
                        hits.push(format!(
                            "{}:{}: {name} calls {call} before authorising",
                            path.display(),
                            start + 1
                        ));
                        break;
                    }
                }
            }
            i = end;
        }
    }
    assert!(
        checked > 100,
        "found only {checked} operations: the scan is broken"
    );
    assert!(hits.is_empty(), "{hits:#?}");
}
