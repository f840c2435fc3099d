//! Hardening (issue 10): after `unchain demo`, no personal value of the demo dataset appears in
//! plain text anywhere under the data directory — names, contacts, suspects' identifiers and safe
//! house addresses are sealed before they reach the store.

use std::path::Path;

use serde_json::Value;
use unchain_core::cases::CaseFilter;
use unchain_core::{Config, Unchain};

fn unchain(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new(crate::cli::binary())
        .args(args)
        .env("UNCHAIN_DATA_DIR", dir)
        .env("NO_COLOR", "1")
        .env_remove("UNCHAIN_USER")
        .env_remove("UNCHAIN_MASTER_KEY")
        .output()
        .expect("run unchain");
    assert!(
        out.status.success(),
        "unchain {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The string leaves of a JSON value that look like personal values (not enum tags).
fn leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let tag = s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if s.trim().len() >= 6 && !tag {
                out.push(s.clone());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        Value::Object(o) => o.values().for_each(|x| leaves(x, out)),
        _ => {}
    }
}

#[test]
fn after_demo_no_personal_value_is_in_plain_text_under_the_data_directory() {
    let dir = tempfile::tempdir().expect("temporary folder");
    unchain(dir.path(), &["init", "--admin", "admin"]);
    unchain(dir.path(), &["demo", "--size", "40", "--seed", "11"]);

    // What the generator wrote, read back through the core as the administrator.
    let mut values = Vec::new();
    {
        let core = Unchain::open(&Config::new(dir.path())).expect("open");
        let admin = core.actor("admin").expect("admin");
        for summary in core.cases(&admin, &CaseFilter::default()).expect("cases") {
            let case = core.case(&admin, summary.id).expect("case");
            let details = case.person.details.expect("identity shown to the admin");
            leaves(
                &serde_json::to_value(&details.names).expect("json"),
                &mut values,
            );
            leaves(
                &serde_json::to_value(&details.contacts).expect("json"),
                &mut values,
            );
        }
        for s in core.suspects(&admin).expect("suspects") {
            let view = core.suspect(&admin, s.id).expect("suspect");
            leaves(
                &serde_json::to_value(&view.identifiers).expect("json"),
                &mut values,
            );
        }
        for f in core.facilities(&admin).expect("facilities") {
            let at = core.facility_location(&admin, f.id).expect("address");
            values.push(at.address);
        }
        core.flush().expect("flush");
    }
    values.sort();
    values.dedup();
    assert!(
        values.len() >= 40,
        "the demo produced personal values: {}",
        values.len()
    );
    // Phones also in digits only (the store might keep a normalised form).
    let mut needles: Vec<Vec<u8>> = values.iter().map(|v| v.as_bytes().to_vec()).collect();
    for v in &values {
        let digits: String = v.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 9 && digits.len() * 2 > v.len() {
            needles.push(digits.into_bytes());
        }
    }

    let files = unchain_e2e::files_below(dir.path());
    assert!(!files.is_empty());
    let mut leaks = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        for needle in &needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                leaks.push(format!(
                    "{} holds a personal value ({} bytes)",
                    file.display(),
                    needle.len()
                ));
            }
        }
    }
    eprintln!(
        "searched {} files for {} personal values ({} spellings): {} found",
        files.len(),
        values.len(),
        needles.len(),
        leaks.len()
    );
    assert!(
        leaks.is_empty(),
        "{} of {} values leak: {leaks:#?}",
        leaks.len(),
        needles.len()
    );
}
