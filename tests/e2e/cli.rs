//! End-to-end tests of the `unchain` CLI (issue 8): the built binary, driven as a person or a
//! script would, each test in its own temporary data directory.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::{Value, json};

/// The `unchain` binary, built once per test run (the test crate cannot depend on a binary, so
/// it asks cargo; a fresh build is a no-op). Also used by `hardening.rs`.
pub(crate) fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| unchain_e2e::build_binary("unchain-cli", "unchain"))
}

/// A command over the data directory `dir`, with nothing from the caller's environment.
fn unchain(dir: &Path) -> Command {
    let mut c = Command::new(binary());
    c.env("UNCHAIN_DATA_DIR", dir)
        .env_remove("UNCHAIN_USER")
        .env_remove("UNCHAIN_MASTER_KEY")
        .env("NO_COLOR", "1");
    c
}

/// Runs `args` and returns the output, asserting the exit code.
fn run(dir: &Path, args: &[&str], code: i32) -> Output {
    let out = unchain(dir).args(args).output().expect("run unchain");
    assert_eq!(
        out.status.code(),
        Some(code),
        "unchain {args:?}: expected exit {code}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `args` with `--json`, expecting success, and parses stdout.
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(dir, &all, 0);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "unchain {args:?}: stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A data directory initialised with an administrator and one user per working role.
fn initialised() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    let init = json(&dir, &["init", "--admin", "alice"]);
    assert_eq!(init["admin"], "alice");
    assert!(dir.join("master.key").exists());
    for (name, role) in [
        ("ivan", "investigator"),
        ("amara", "aftercare_coordinator"),
        ("lena", "legal_advocate"),
        ("nadia", "analyst"),
        ("cam", "campaign_officer"),
    ] {
        json(&dir, &["user", "create", name, "--role", role]);
    }
    (tmp, dir)
}

/// Runs `args` as `user` with `--json`, expecting success, and parses stdout.
fn json_as(dir: &Path, user: &str, args: &[&str]) -> Value {
    json(dir, &[&["--as", user][..], args].concat())
}

/// Records the consent of `reference`'s person to `scope` on `on`, given through an
/// interpreter, as the aftercare coordinator.
fn consent_given(dir: &Path, reference: &str, scope: &str, on: &str) -> Value {
    json(
        dir,
        &[
            "--as",
            "amara",
            "consent",
            "record",
            reference,
            "--scope",
            scope,
            "--given",
            "--method",
            "verbal_interpreted",
            "--on",
            on,
        ],
    )
}

/// Runs `args`, which must be refused (exit 1) naming the consent scope it lacks; records that
/// consent (`reference`, scope, day) with [`consent_given`]; then runs `args` again, which must
/// succeed, and returns its output.
fn refused_until_consent(dir: &Path, args: &[&str], consent: (&str, &str, &str)) -> Value {
    let (reference, scope, on) = consent;
    let out = run(dir, args, 1);
    assert!(stderr(&out).contains(scope), "{}", stderr(&out));
    consent_given(dir, reference, scope, on);
    json(dir, args)
}

fn audit_len(dir: &Path) -> usize {
    json(dir, &["audit", "list"])
        .as_array()
        .expect("audit list is an array")
        .len()
}

fn open_case(dir: &Path) -> Value {
    json(
        dir,
        &[
            "--as",
            "ivan",
            "case",
            "open",
            "--name",
            "Ana P",
            "--estimated-age",
            "24",
            "--nationality",
            "AL",
            "--gender",
            "female",
            "--exploitation",
            "sexual",
            "--opened-on",
            "2024-03-02",
        ],
    )
}

#[test]
fn version_and_help_need_no_store() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nowhere");
    let out = run(&dir, &["--version"], 0);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("unchain "));
    let out = run(&dir, &["--help"], 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
    let out = run(&dir, &["case", "open", "--help"], 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Example"));
    assert!(
        !dir.exists(),
        "no command above may create the data directory"
    );
}

#[test]
fn completions_for_each_shell_without_a_store() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nowhere");
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&dir, &["completions", shell], 0);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("unchain") && script.contains("add-working-days"),
            "{shell}"
        );
    }
    run(&dir, &["completions", "powershell-7"], 2);
    assert!(!dir.exists());
}

#[test]
fn holidays_2025_england_and_wales_as_json() {
    // Source: gov.uk/bank-holidays, England and Wales, 2025.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nowhere");
    let days = json(
        &dir,
        &[
            "calendar",
            "holidays",
            "england-and-wales",
            "--year",
            "2025",
        ],
    );
    assert_eq!(
        days,
        json!([
            {"date": "2025-01-01", "name": "New Year’s Day"},
            {"date": "2025-04-18", "name": "Good Friday"},
            {"date": "2025-04-21", "name": "Easter Monday"},
            {"date": "2025-05-05", "name": "Early May bank holiday"},
            {"date": "2025-05-26", "name": "Spring bank holiday"},
            {"date": "2025-08-25", "name": "Summer bank holiday"},
            {"date": "2025-12-25", "name": "Christmas Day"},
            {"date": "2025-12-26", "name": "Boxing Day"},
        ])
    );
    assert!(!dir.exists());
}

#[test]
fn add_working_days_prints_the_date_by_jurisdiction() {
    // Source: gov.uk/bank-holidays. Christmas 2025 falls on a Thursday; 2 January 2026 is a bank
    // holiday in Scotland only.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nowhere");
    for (j, expected) in [
        ("england-and-wales", "2026-01-05"),
        ("scotland", "2026-01-06"),
        ("northern-ireland", "2026-01-05"),
    ] {
        let out = run(
            &dir,
            &[
                "calendar",
                "add-working-days",
                "2025-12-24",
                "5",
                "--jurisdiction",
                j,
            ],
            0,
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected, "{j}");
    }
    let out = run(
        &dir,
        &[
            "calendar",
            "add-working-days",
            "2025-12-24",
            "5",
            "--jurisdiction",
            "wales",
        ],
        2,
    );
    assert!(
        stderr(&out).contains("england-and-wales"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &dir,
        &[
            "calendar",
            "add-working-days",
            "2025-02-30",
            "5",
            "-j",
            "scotland",
        ],
        2,
    );
    assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
    let out = run(
        &dir,
        &["calendar", "holidays", "scotland", "--year", "1900"],
        2,
    );
    assert!(stderr(&out).contains("1971"), "{}", stderr(&out));
    assert!(!dir.exists());
}

#[test]
fn story_init_user_case_consent_timeline_audit() {
    let (_tmp, dir) = initialised();
    let users = json(&dir, &["user", "list"]);
    assert_eq!(users.as_array().map(Vec::len), Some(6));

    let case = open_case(&dir);
    let reference = case["reference"].as_str().expect("reference").to_owned();
    assert_eq!(case["stage"], "reported");
    assert_eq!(case["person"]["details"]["names"][0], "Ana P");

    let event = ["--as", "ivan", "case", "event", &reference];
    json(
        &dir,
        &[&event[..], &["assessment_started", "--date", "2024-03-03"]].concat(),
    );
    let rescued = json(
        &dir,
        &[
            &event[..],
            &[
                "rescued",
                "--set",
                "origin=self_presented",
                "--date",
                "2024-03-04",
            ],
        ]
        .concat(),
    );
    assert_eq!(rescued["stage"], "rescued");

    let consent = consent_given(&dir, &reference, "nrm_referral", "2024-03-04");
    assert_eq!(consent["given"], true);
    let status = json(
        &dir,
        &["consent", "status", &reference, "--on", "2024-03-05"],
    );
    let nrm = status
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["scope"] == "nrm_referral")
        .expect("nrm scope");
    assert_eq!(nrm["given"], true);

    let list = json(&dir, &["case", "list", "--stage", "rescued"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    // Lists are pseudonymised: no name anywhere.
    assert!(!list.to_string().contains("Ana P"));

    let timeline = json(&dir, &["case", "timeline", &reference]);
    let dates: Vec<&str> = timeline
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["date"].as_str())
        .collect();
    assert_eq!(dates, ["2024-03-02", "2024-03-03", "2024-03-04"]);

    // Only the details given change.
    let p = json(
        &dir,
        &[
            "person",
            "update",
            &reference,
            "--language",
            "sq",
            "--language",
            "en",
        ],
    );
    assert_eq!(p["details"]["languages"], json!(["sq", "en"]));
    assert_eq!(p["details"]["names"], json!(["Ana P"]));

    // The NRM: refer with the consent in force, a positive Reasonable Grounds decision, the
    // deadlines that follow, and the overdue list (pseudonymised).
    let referral = json_as(
        &dir,
        "lena",
        &[
            "nrm",
            "refer",
            &reference,
            "--referrer",
            "other_first_responder",
            "--first-responder-org",
            "Partner FRO",
            "--referred-on",
            "2024-03-05",
            "--consent-informed",
            "--indicator",
            "ILO03",
            "--location",
            "Leeds",
            "--exploitation-start",
            "2023-06-01",
            "--ongoing",
        ],
    );
    assert_eq!(referral["route"], "nrm_referral");
    let rg = json_as(
        &dir,
        "lena",
        &[
            "nrm",
            "update",
            &reference,
            "reasonable_grounds",
            "--outcome",
            "positive",
            "--on",
            "2024-03-08",
        ],
    );
    assert_eq!(rg["rg"]["outcome"], "positive");
    let d = json(
        &dir,
        &["nrm", "deadlines", &reference, "--as-of", "2024-03-20"],
    );
    assert_eq!(d["deadlines"]["rg_due"]["status"], "met");
    let overdue = json(&dir, &["nrm", "overdue", "--as-of", "2024-03-20"]);
    assert!(overdue.is_array());
    assert!(!overdue.to_string().contains("Ana P"));
    // A decision needs its outcome: usage, exit 2.
    run(
        &dir,
        &["nrm", "update", &reference, "conclusive_grounds"],
        2,
    );

    // Aftercare: a facility, the needs, the ranked match with the ineligible one and why, the
    // placement, its follow-up plan, and progress.
    let haven = json_as(
        &dir,
        "amara",
        &[
            "facility",
            "add",
            "--name",
            "Haven House",
            "--operator",
            "Haven Trust",
            "--region",
            "London",
            "--address",
            "1 High St",
            "--lat",
            "51.5",
            "--lon",
            "-0.12",
            "--capacity",
            "8",
            "--set",
            r#"accepts:={"genders":["female"],"age_groups":["adult"]}"#,
            "--set",
            r#"languages:=["en","sq"]"#,
        ],
    );
    json_as(
        &dir,
        "amara",
        &[
            "facility",
            "add",
            "--name",
            "North Lodge",
            "--operator",
            "NL",
            "--region",
            "North West",
            "--address",
            "2 Road",
            "--lat",
            "53.4",
            "--lon",
            "-2.2",
            "--capacity",
            "4",
            "--set",
            r#"accepts:={"genders":["male"],"age_groups":["adult"]}"#,
        ],
    );
    let facilities = json(&dir, &["--as", "nadia", "facility", "list"]);
    assert!(
        !facilities.to_string().contains("High St"),
        "addresses stay sealed in lists"
    );
    json_as(
        &dir,
        "amara",
        &[
            "placement",
            "needs",
            &reference,
            "--set",
            "needs.gender=female",
            "--set",
            "needs.age_group=adult",
            "--set",
            r#"needs.languages:=["sq"]"#,
            "--assessed-on",
            "2024-03-09",
        ],
    );
    let m = json(&dir, &["--as", "amara", "placement", "match", &reference]);
    assert_eq!(m["eligible"][0]["name"], "Haven House");
    assert_eq!(m["ineligible"][0]["name"], "North Lodge");
    assert!(
        m["ineligible"][0]["reasons"]
            .to_string()
            .contains("gender_not_accepted")
    );
    let haven_id = haven["id"].as_str().expect("id");
    // Placing shares the person's details with the provider: that needs their consent.
    let place = [
        "--as",
        "amara",
        "placement",
        "place",
        &reference,
        "--facility",
        haven_id,
        "--date",
        "2024-03-10",
    ];
    let placed = refused_until_consent(
        &dir,
        &place,
        (&reference, "sharing_with_organisations", "2024-03-09"),
    );
    assert_eq!(placed["facility_id"], haven["id"]);
    let plan = json(&dir, &["followup", "list", &reference]);
    let first = plan[0]["id"].as_str().expect("follow-up id").to_owned();
    let due = json(
        &dir,
        &[
            "followup",
            "due",
            "--as-of",
            plan[0]["due_on"].as_str().expect("due"),
        ],
    );
    assert!(due.as_array().is_some_and(|d| !d.is_empty()));
    json_as(
        &dir,
        "amara",
        &[
            "followup",
            "log",
            &reference,
            &first,
            "--kind",
            plan[0]["kind"].as_str().expect("kind"),
            "--outcome",
            "reached",
            "--on",
            plan[0]["due_on"].as_str().expect("due"),
        ],
    );
    for (scores, on) in [
        ("3,2,2,1,1,1,2,2", "2024-03-20"),
        ("4,3,3,2,2,1,3,3", "2024-05-20"),
    ] {
        let progress = ["--as", "amara", "progress", "record", &reference];
        json(
            &dir,
            &[&progress[..], &["--scores", scores, "--on", on]].concat(),
        );
    }
    let trend = json(&dir, &["progress", "trend", &reference]);
    assert_eq!(trend["overall"], "improving");

    // Justice: advocacy, a civil claim awarded; paying more than awarded is refused (exit 2).
    json_as(
        &dir,
        "lena",
        &[
            "legal",
            "advocacy",
            &reference,
            "--requested",
            "--on",
            "2024-03-11",
        ],
    );
    let claim = json_as(
        &dir,
        "lena",
        &[
            "legal",
            "claim",
            "lodge",
            &reference,
            "--forum",
            "employment_tribunal",
            "--claimed-pence",
            "1250000",
            "--lodged-on",
            "2024-05-01",
        ],
    );
    let claim_id = claim["id"].as_str().expect("claim id").to_owned();
    let update = [
        "--as", "lena", "legal", "claim", "update", &reference, &claim_id,
    ];
    json(
        &dir,
        &[
            &update[..],
            &["awarded", "--amount-pence", "800000", "--on", "2024-05-20"],
        ]
        .concat(),
    );
    let out = run(
        &dir,
        &[
            &update[..],
            &["paid", "--amount-pence", "900000", "--on", "2024-05-25"],
        ]
        .concat(),
        2,
    );
    assert!(stderr(&out).contains("amount_pence"), "{}", stderr(&out));
    let justice = json(&dir, &["legal", "show", &reference]);
    assert_eq!(justice["totals"]["awarded_pence"], 800000);
    assert_eq!(justice["advocacy"], "requested");

    // A prosecution through the CLI: the suspect recorded by the investigator; reporting to the
    // police is refused (exit 1) until the person consents to sharing with police; then
    // investigation, charge, trial and a conviction.
    let suspect = json_as(
        &dir,
        "ivan",
        &[
            "suspect",
            "add",
            "--role",
            "exploiter",
            "--identifier",
            "name=Zef Example",
        ],
    );
    let suspect_id = suspect["id"].as_str().expect("suspect id").to_owned();
    let report_args = [
        "--as",
        "lena",
        "legal",
        "report",
        &reference,
        "--suspect",
        &suspect_id,
        "--force",
        "West Yorkshire Police",
        "--crime-reference",
        "13/123456/24",
        "--reported-on",
        "2024-05-02",
    ];
    let reported = refused_until_consent(
        &dir,
        &report_args,
        (&reference, "sharing_with_police", "2024-05-01"),
    );
    assert_eq!(reported["state"], "reported");
    let steps: [&[&str]; 4] = [
        &["investigation_opened", "--on", "2024-05-10"],
        &[
            "charged",
            "--offence",
            "modern_slavery_act_s2",
            "--on",
            "2024-06-03",
        ],
        &[
            "trial_started",
            "--court",
            "Leeds Crown Court",
            "--on",
            "2024-09-02",
        ],
        &[
            "verdict",
            "--verdict",
            "convicted",
            "--sentence",
            "8 years",
            "--on",
            "2024-09-30",
        ],
    ];
    let prosecute = [
        "--as",
        "lena",
        "legal",
        "prosecution",
        &reference,
        "--suspect",
        &suspect_id,
    ];
    let mut prosecution = reported;
    for step in steps {
        prosecution = json(&dir, &[&prosecute[..], step].concat());
    }
    assert_eq!(prosecution["state"], "convicted", "{prosecution}");
    assert_eq!(prosecution["verdict"], "convicted", "{prosecution}");
    // After a verdict nothing more happens to that prosecution (exit 1, the lifecycle guard).
    run(
        &dir,
        &[
            &prosecute[..],
            &[
                "charged",
                "--offence",
                "modern_slavery_act_s1",
                "--on",
                "2024-10-01",
            ],
        ]
        .concat(),
        1,
    );
    let justice = json(&dir, &["legal", "show", &reference]);
    assert_eq!(justice["prosecutions"].as_array().map(Vec::len), Some(1));

    // Reports for 2024 as of the year end, and a de-identified HTCDS export, as the analyst.
    let report = |kind: &str| {
        json_as(
            &dir,
            "nadia",
            &["report", kind, "--from", "2024-01-01", "--to", "2024-12-31"],
        )
    };
    let summary = report("summary");
    assert_eq!(summary["cases_opened"], 1);
    let nrm_report = report("nrm");
    assert_eq!(nrm_report["referrals"], 1);
    assert_eq!(nrm_report["rg_within_target"]["numerator"], 1);
    let justice_report = report("justice");
    assert_eq!(justice_report["awarded_pence"], 800000);
    assert_eq!(justice_report["police_reports"], 1, "{justice_report}");
    assert_eq!(justice_report["charged"], 1, "{justice_report}");
    assert_eq!(justice_report["convicted"], 1, "{justice_report}");
    for kind in ["aftercare", "campaign"] {
        json(
            &dir,
            &["--as", "nadia", "report", kind, "--to", "2024-12-31"],
        );
    }
    run(
        &dir,
        &[
            "report",
            "nrm",
            "--from",
            "2024-05-01",
            "--to",
            "2024-01-01",
        ],
        2,
    );
    let htcds = json(&dir, &["--as", "nadia", "export", "htcds", "--k", "1"]);
    assert_eq!(htcds["report"]["rows_in"], 1);
    assert!(
        !htcds.to_string().contains("Ana P"),
        "HTCDS rows are de-identified"
    );
    let csv = run(&dir, &["--as", "nadia", "export", "htcds", "--k", "1"], 0);
    assert!(String::from_utf8_lossy(&csv.stdout).starts_with("prs_gender,"));

    // The analyst sees the case pseudonymised.
    let seen = json(&dir, &["--as", "nadia", "case", "show", &reference]);
    assert!(seen["person"]["details"].is_null(), "{seen}");

    let v = json(&dir, &["audit", "verify"]);
    assert!(
        v["first_bad"].is_null() && v["entries"].as_u64() > Some(8),
        "{v}"
    );
    run(&dir, &["audit", "verify"], 0);
}

#[test]
fn documents_attach_list_get() {
    let (tmp, dir) = initialised();
    let case = open_case(&dir);
    let reference = case["reference"].as_str().expect("reference");
    let file = tmp.path().join("note.txt");
    std::fs::write(&file, "a statement").expect("write");
    let meta = json(
        &dir,
        &[
            "document",
            "attach",
            reference,
            file.to_str().expect("utf-8"),
            "--kind",
            "police_paper",
            "--title",
            "Statement",
        ],
    );
    let id = meta["id"].as_str().expect("id");
    let docs = json(&dir, &["document", "list", reference]);
    assert_eq!(docs[0]["title"], "Statement");
    let back = tmp.path().join("back.txt");
    run(
        &dir,
        &[
            "document",
            "get",
            id,
            "--out",
            back.to_str().expect("utf-8"),
        ],
        0,
    );
    assert_eq!(std::fs::read_to_string(back).expect("read"), "a statement");

    // Subject access, then erasure: the identity and the document become unreadable.
    let sar = tmp.path().join("sar.json");
    run(
        &dir,
        &[
            "person",
            "export",
            reference,
            "--out",
            sar.to_str().expect("utf-8"),
        ],
        0,
    );
    assert!(
        std::fs::read_to_string(&sar)
            .expect("sar")
            .contains("Ana P")
    );
    run(&dir, &["person", "erase", reference], 2);
    let erased = json(
        &dir,
        &[
            "person",
            "erase",
            reference,
            "--reason",
            "erasure request under UK GDPR Art. 17",
        ],
    );
    assert_eq!(erased["documents_removed"], 1);
    let p = json(&dir, &["person", "show", reference]);
    assert!(p["details"].is_null() && !p["erased"].is_null(), "{p}");
    let out = run(&dir, &["document", "get", id, "--out", "-"], 1);
    assert!(stderr(&out).contains("erased"), "{}", stderr(&out));
}

#[test]
fn bad_inputs_say_why_exit_with_the_code_and_write_nothing() {
    let (_tmp, dir) = initialised();
    let case = open_case(&dir);
    let reference = case["reference"].as_str().expect("reference").to_owned();
    let cases_before = json(&dir, &["case", "list"]);
    let audit_before = audit_len(&dir);

    // A malformed date: usage, exit 2, the option and the format named.
    let out = run(
        &dir,
        &["case", "open", "--name", "B", "--opened-on", "2024-02-30"],
        2,
    );
    assert!(
        stderr(&out).contains("--opened-on") && stderr(&out).contains("YYYY-MM-DD"),
        "{}",
        stderr(&out)
    );
    // A date in the future: the core's validation, exit 2, the field named.
    let out = run(
        &dir,
        &["case", "open", "--name", "B", "--opened-on", "2999-01-01"],
        2,
    );
    assert!(stderr(&out).contains("opened_on"), "{}", stderr(&out));
    // Several wrong fields at once: every one named.
    let group = json(
        &dir,
        &[
            "campaign", "group", "create", "--name", "G", "--area", "Leeds",
        ],
    );
    let audit_mid = audit_len(&dir);
    let out = run(
        &dir,
        &[
            "campaign",
            "training",
            "record",
            "--group",
            group["id"].as_str().expect("id"),
            "--trainer",
            " ",
            "--attendees",
            "0",
            "--topic",
            "",
        ],
        2,
    );
    let msg = stderr(&out);
    for field in ["trainer", "attendees", "topic"] {
        assert!(msg.contains(field), "{field} not named in: {msg}");
    }
    assert_eq!(
        audit_len(&dir),
        audit_mid,
        "a refused validation wrote nothing"
    );
    // The same as JSON for scripts.
    let out = run(
        &dir,
        &[
            "--json",
            "campaign",
            "training",
            "record",
            "--group",
            group["id"].as_str().expect("id"),
            "--trainer",
            "",
            "--attendees",
            "0",
            "--topic",
            "t",
        ],
        2,
    );
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(err["error"]["kind"], "validation");
    assert_eq!(err["error"]["fields"].as_array().map(Vec::len), Some(2));

    // Unknown ids: exit 3.
    let out = run(&dir, &["case", "show", "UC-999999"], 3);
    assert!(stderr(&out).contains("UC-999999"), "{}", stderr(&out));
    run(
        &dir,
        &["case", "show", "0190a000-0000-7000-8000-000000000000"],
        3,
    );
    run(&dir, &["--as", "nobody", "case", "list"], 3);

    // The wrong role: exit 5.
    let out = run(
        &dir,
        &[
            "--as",
            "nadia",
            "case",
            "open",
            "--name",
            "C",
            "--estimated-age",
            "30",
        ],
        5,
    );
    assert!(stderr(&out).contains("may not"), "{}", stderr(&out));
    run(
        &dir,
        &["--as", "cam", "user", "create", "eve", "--role", "admin"],
        5,
    );

    // A wrong jurisdiction or enum name: clap refuses, exit 2, the choices listed.
    let out = run(
        &dir,
        &["case", "open", "--name", "D", "--jurisdiction", "wales"],
        2,
    );
    assert!(stderr(&out).contains("scotland"), "{}", stderr(&out));
    let out = run(
        &dir,
        &[
            "case",
            "event",
            &reference,
            "closed",
            "--set",
            "closure_reason=bored",
        ],
        2,
    );
    assert!(
        stderr(&out).contains("closure_reason") || stderr(&out).contains("unknown variant"),
        "{}",
        stderr(&out)
    );

    // A lifecycle guard refuses: exit 1, the reason given.
    let out = run(&dir, &["case", "event", &reference, "support_started"], 1);
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));

    // A stale version: exit 4.
    run(
        &dir,
        &[
            "case",
            "event",
            &reference,
            "assessment_started",
            "--if-version",
            "99",
        ],
        4,
    );

    assert_eq!(
        json(&dir, &["case", "list"]),
        cases_before,
        "no case was written"
    );
    // Denied authorisations are audited (one entry each); the only writes after `audit_before`
    // are the group created above and the identity reads of `open_case`'s view.
    let actions: Vec<String> = json(
        &dir,
        &["audit", "list", "--from", &(audit_before + 1).to_string()],
    )
    .as_array()
    .expect("array")
    .iter()
    .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
    .collect();
    let unexpected: Vec<&String> = actions
        .iter()
        .filter(|a| {
            !(a.ends_with("(denied)")
                || a.as_str() == "campaign.manage"
                || a.as_str() == "person.identity")
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "writes after refused commands: {unexpected:?} in {actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| a.ends_with("(denied)")).count(),
        2,
        "the two denied commands, audited: {actions:?}"
    );
}

#[test]
fn a_store_held_by_the_server_is_named_with_its_pid() {
    let (_tmp, dir) = initialised();
    // Hold the store the way the server does, and leave its pid file.
    let held = unchain_core::Unchain::open(&unchain_core::Config::new(&dir)).expect("open");
    std::fs::write(dir.join("server.pid"), format!("{}\n", std::process::id())).expect("pid");
    let out = run(&dir, &["case", "list"], 1);
    let expected = format!(
        "the store at {} is in use by unchain-server (pid {})",
        dir.display(),
        std::process::id()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    // No pid file: the holder is found through /proc where there is one.
    std::fs::remove_file(dir.join("server.pid")).expect("rm");
    let out = run(&dir, &["case", "list"], 1);
    assert!(
        stderr(&out).contains("is in use by another process"),
        "{}",
        stderr(&out)
    );
    if Path::new("/proc/self/fd").exists() {
        let pid = format!("pid {})", std::process::id());
        assert!(stderr(&out).contains(&pid), "{}", stderr(&out));
    }
    drop(held);
    run(&dir, &["case", "list"], 0);
}

#[test]
fn commands_before_init_say_to_run_init() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run(&tmp.path().join("data"), &["case", "list"], 1);
    assert!(stderr(&out).contains("unchain init"), "{}", stderr(&out));
}

#[test]
fn intelligence_graded_a_rescue_of_several_and_a_batch_placement() {
    let (_tmp, dir) = initialised();
    let group = json_as(
        &dir,
        "cam",
        &[
            "group",
            "create",
            "--name",
            "Leeds Watch",
            "--area",
            "Leeds",
            "--joined-on",
            "2024-01-10",
        ],
    );
    let group_id = group["id"].as_str().expect("group id");
    json_as(
        &dir,
        "cam",
        &[
            "campaign",
            "training",
            "record",
            "--group",
            group_id,
            "--date",
            "2024-01-20",
            "--trainer",
            "Sam",
            "--attendees",
            "10",
            "--topic",
            "Spotting the signs",
        ],
    );
    let source = json_as(
        &dir,
        "ivan",
        &[
            "source",
            "add",
            "--kind",
            "community_group",
            "--name",
            "Leeds Watch",
            "--group",
            group_id,
        ],
    );
    assert_eq!(source["trained_since"], "2024-01-20");
    let report = json_as(
        &dir,
        "ivan",
        &[
            "intel",
            "add",
            "--source",
            source["id"].as_str().expect("id"),
            "--received-on",
            "2024-02-01",
            "--area",
            "Leeds",
            "--age-group",
            "adult",
            "--narrative",
            "Workers collected by van at 5am",
            "--exploitation-kind",
            "labour",
            "--identifier",
            "vehicle=AB12 CDE",
        ],
    );
    let report_id = report["id"].as_str().expect("report id").to_owned();
    assert_eq!(report["identifier_count"], 1);
    assert!(
        report.get("narrative").is_none(),
        "summaries never carry the narrative"
    );
    let graded = json_as(
        &dir,
        "ivan",
        &[
            "intel",
            "grade",
            &report_id,
            "--evaluation",
            "reliable",
            "--intelligence",
            "known_directly",
            "--handling",
            "p",
        ],
    );
    assert_eq!(graded["grading"]["grading"]["system"], "3x5x2");
    // A grading outside the scheme: exit 2, nothing changes.
    run(
        &dir,
        &[
            "--as",
            "ivan",
            "intel",
            "grade",
            &report_id,
            "--evaluation",
            "sure",
            "--intelligence",
            "x",
            "--handling",
            "p",
        ],
        2,
    );
    let ungraded = json(&dir, &["intel", "list", "--ungraded"]);
    assert_eq!(ungraded, json!([]));

    let suspect = json_as(
        &dir,
        "ivan",
        &[
            "suspect",
            "add",
            "--role",
            "exploiter",
            "--nationality",
            "GB",
            "--identifier",
            "name=J Smith",
            "--report",
            &report_id,
        ],
    );
    let suspects = json(&dir, &["suspect", "list"]);
    assert!(
        !suspects.to_string().contains("J Smith"),
        "lists never carry identifiers"
    );
    assert_eq!(suspects[0]["id"], suspect["id"]);

    let rescue = json_as(
        &dir,
        "ivan",
        &[
            "rescue",
            "record",
            "--date",
            "2024-02-10",
            "--area",
            "Leeds",
            "--partner",
            "West Yorkshire Police",
            "--report",
            &report_id,
            "--new",
            r#"{"person":{"names":["A"],"estimated_age":30,"gender":"male"},"exploitation":["labour"]}"#,
            "--new",
            r#"{"person":{"names":["B"],"estimated_age":25,"gender":"male"},"exploitation":["labour"]}"#,
        ],
    );
    assert_eq!(rescue["people"].as_array().map(Vec::len), Some(2));
    let rescued = json(&dir, &["case", "list", "--stage", "rescued"]);
    assert_eq!(rescued.as_array().map(Vec::len), Some(2));

    // Both need a bed: two facilities, the needs, then one joint proposal.
    for (name, region, lat, lon) in [
        ("North Lodge", "North West", "53.4", "-2.2"),
        ("Ridge House", "Yorkshire and The Humber", "53.8", "-1.5"),
    ] {
        json_as(
            &dir,
            "amara",
            &[
                "facility",
                "add",
                "--name",
                name,
                "--operator",
                "Op",
                "--region",
                region,
                "--address",
                "1 Road",
                "--lat",
                lat,
                "--lon",
                lon,
                "--capacity",
                "1",
                "--set",
                r#"accepts:={"genders":["male"],"age_groups":["adult"]}"#,
            ],
        );
    }
    for case in rescued.as_array().expect("array") {
        json_as(
            &dir,
            "amara",
            &[
                "placement",
                "needs",
                case["reference"].as_str().expect("ref"),
                "--set",
                "needs.gender=male",
                "--set",
                "needs.age_group=adult",
                "--assessed-on",
                "2024-02-11",
            ],
        );
    }
    let proposal = json_as(
        &dir,
        "amara",
        &[
            "placement",
            "assign",
            "--rescue",
            rescue["id"].as_str().expect("rescue id"),
        ],
    );
    assert_eq!(
        proposal["assignment"]["placements"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{proposal}"
    );
    assert_eq!(proposal["assignment"]["unplaced"], json!([]));
    // A proposal writes nothing: still no placement.
    let refs: Vec<String> = rescued
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["reference"].as_str().expect("ref").to_owned())
        .collect();
    assert_eq!(json(&dir, &["placement", "list", &refs[0]]), json!([]));
    // Unknown rescue: exit 2 (the core names the field) or 3.
    let out = unchain(&dir)
        .args([
            "placement",
            "assign",
            "--rescue",
            "0190a000-0000-7000-8000-000000000000",
        ])
        .output()
        .expect("run");
    assert!(matches!(out.status.code(), Some(2 | 3)), "{}", stderr(&out));
    let v = json(&dir, &["audit", "verify"]);
    assert!(v["first_bad"].is_null());
}

/// The real server holding the store: the CLI names it and its pid, and writes nothing.
#[cfg(target_os = "linux")]
#[test]
fn the_running_server_is_named_with_its_pid() {
    use std::process::{Command as Std, Stdio};
    let (_tmp, dir) = initialised();
    let build = Std::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "-q", "-p", "unchain-server"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo build");
    assert!(build.success());
    let server_bin = binary().with_file_name("unchain-server");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Std::new(server_bin)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&dir)
        .env_remove("UNCHAIN_MASTER_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn unchain-server");
    let mut ready = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = unchain(&dir).args(["case", "list"]).output().expect("run");
    let _ = Std::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let pid = child.id();
    let _ = child.wait();
    assert!(ready, "the server did not start");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = format!(
        "the store at {} is in use by unchain-server (pid {pid})",
        dir.display()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    // Once it stopped, the CLI opens the store again.
    run(&dir, &["case", "list"], 0);
}

#[test]
fn imports_refuse_a_corrupt_file_whole_or_skip_its_bad_lines() {
    let (tmp, dir) = initialised();
    let good = tmp.path().join("groups.csv");
    std::fs::write(
        &good,
        "name,area,members,joined_on\nA Group,Leeds,5,2024-01-01\nB Group,York,3,2024-02-01\n",
    )
    .expect("write");
    let report = json(&dir, &["import", "groups", good.to_str().expect("utf-8")]);
    assert_eq!(report["imported"], 2);
    let before = json(&dir, &["group", "list"]);
    let audit_before = audit_len(&dir);

    // A corrupt file: the line and field named, exit 2, nothing written.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,area,members,joined_on\nC Group,Leeds,5,2024-01-01\nD Group,York,many,2024-02-01\n",
    )
    .expect("write");
    let out = run(&dir, &["import", "groups", bad.to_str().expect("utf-8")], 2);
    assert!(stderr(&out).contains("members"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains('3'),
        "the line is named: {}",
        stderr(&out)
    );
    assert_eq!(json(&dir, &["group", "list"]), before);
    assert_eq!(audit_len(&dir), audit_before);
    // Wrong columns, a cut-short JSON line, or an unknown extension: usage, exit 2.
    let junk = tmp.path().join("junk.csv");
    std::fs::write(&junk, "foo,bar\n1,2\n").expect("write");
    let out = run(
        &dir,
        &["import", "groups", junk.to_str().expect("utf-8")],
        2,
    );
    assert!(stderr(&out).contains("foo"), "{}", stderr(&out));
    let cut = tmp.path().join("cut.jsonl");
    std::fs::write(&cut, "{\"name\": \"x\", \"area\":\n").expect("write");
    run(&dir, &["import", "groups", cut.to_str().expect("utf-8")], 2);
    run(
        &dir,
        &[
            "import",
            "groups",
            tmp.path().join("groups.txt").to_str().expect("utf-8"),
        ],
        2,
    );
    assert_eq!(json(&dir, &["group", "list"]), before);

    // --skip-invalid: the good line in, the bad one written out with its error.
    let rejects = tmp.path().join("rejects.csv");
    let report = json(
        &dir,
        &[
            "import",
            "groups",
            bad.to_str().expect("utf-8"),
            "--skip-invalid",
            rejects.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        (report["imported"].as_u64(), report["rejected"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        std::fs::read_to_string(&rejects)
            .expect("rejects")
            .contains("D Group")
    );
    // Intelligence (JSON Lines) and facilities (CSV) through their services.
    let source = json(
        &dir,
        &[
            "source",
            "add",
            "--kind",
            "helpline",
            "--name",
            "Modern Slavery Helpline",
        ],
    );
    let intel = tmp.path().join("intel.jsonl");
    std::fs::write(
        &intel,
        format!(
            "{{\"source_id\":\"{}\",\"narrative\":\"Cash-in-hand car wash, workers sleep on site\",\"received_on\":\"2024-02-01\",\"age_group\":\"adult\",\"exploitation_kind\":\"labour\"}}\n",
            source["id"].as_str().expect("id")
        ),
    )
    .expect("write");
    let report = json(&dir, &["import", "intel", intel.to_str().expect("utf-8")]);
    assert_eq!(report["imported"], 1, "{report}");
    assert_eq!(
        json(&dir, &["intel", "list"]).as_array().map(Vec::len),
        Some(1)
    );
    let facilities = tmp.path().join("facilities.csv");
    std::fs::write(
        &facilities,
        "name,operator,region,address,lat,lon,capacity,genders,age_groups\nHaven,Trust,London,1 High St,51.5,-0.12,6,female,adult\n",
    )
    .expect("write");
    let report = json(
        &dir,
        &["import", "facilities", facilities.to_str().expect("utf-8")],
    );
    assert_eq!(report["imported"], 1, "{report}");
    let list = json(&dir, &["facility", "list"]);
    assert_eq!(list[0]["name"], "Haven");
    assert!(!list.to_string().contains("High St"));

    // Importing is for administrators and managers.
    run(
        &dir,
        &[
            "--as",
            "cam",
            "import",
            "groups",
            good.to_str().expect("utf-8"),
        ],
        5,
    );
}

#[test]
fn demo_loads_the_same_data_for_a_seed_and_the_picture_follows() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    let mut summaries = Vec::new();
    for tmp in [&a, &b] {
        let dir = tmp.path().join("data");
        json(&dir, &["init"]);
        summaries.push(json(&dir, &["demo", "--size", "20", "--seed", "3"]));
    }
    assert_eq!(summaries[0], summaries[1], "same seed and size, same data");
    assert_eq!(summaries[0]["cases"], 20);
    let dir = a.path().join("data");
    let cases = json(&dir, &["case", "list"]);
    assert_eq!(cases.as_array().map(Vec::len), Some(20));
    let report = json(&dir, &["report", "summary", "--from", "1971-01-01"]);
    assert_eq!(report["cases_opened"], 20);
    json(&dir, &["network", "clusters"]);
    // A closed pipe ends a command quietly, without a panic.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' case list | head -c 10 >/dev/null",
            binary().display()
        ))
        .env("UNCHAIN_DATA_DIR", &dir)
        .output()
        .expect("sh");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let v = json(&dir, &["audit", "verify"]);
    assert!(v["first_bad"].is_null());
}

#[test]
fn a_backup_restores_into_a_new_data_directory() {
    let (tmp, dir) = initialised();
    let case = open_case(&dir);
    let backup = tmp.path().join("store.bak");
    run(
        &dir,
        &[
            "--as",
            "ivan",
            "export",
            "backup",
            "--out",
            backup.to_str().expect("utf-8"),
        ],
        5,
    );
    let summary = json(
        &dir,
        &["export", "backup", "--out", backup.to_str().expect("utf-8")],
    );
    assert!(summary["entries"].as_u64() > Some(0));

    let new = tmp.path().join("restored");
    let key = dir.join("master.key");
    // Into the live data directory: refused, exit 1.
    run(&dir, &["restore", backup.to_str().expect("utf-8")], 1);
    // Without the key: refused, and nothing is left half-made.
    run(&new, &["restore", backup.to_str().expect("utf-8")], 1);
    assert!(!new.join("store").exists());
    json(
        &new,
        &[
            "restore",
            backup.to_str().expect("utf-8"),
            "--key-file",
            key.to_str().expect("utf-8"),
        ],
    );
    let back = json(
        &new,
        &[
            "--as",
            "alice",
            "case",
            "show",
            case["reference"].as_str().expect("ref"),
        ],
    );
    assert_eq!(back["person"]["details"]["names"][0], "Ana P");
    let v = json(&new, &["--as", "alice", "audit", "verify"]);
    assert!(v["first_bad"].is_null(), "{v}");
}
