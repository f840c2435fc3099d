//! API request bodies: arbitrary bytes parsed as the core's input types (as the server's JSON
//! extractor does), and every body that parses is sent through the service, whose validation
//! must answer with field errors or a result — never a panic. One in-memory core (fixed clock)
//! with one case serves every run.
#![no_main]

use std::sync::{Arc, OnceLock};

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use unchain_core::cases::{NewCase, NewEvent};
use unchain_core::consent::NewConsent;
use unchain_core::facilities::FacilityInput;
use unchain_core::intel::NewReport;
use unchain_core::placements::NeedsInput;
use unchain_core::referrals::NewReferral;
use unchain_core::rescues::NewRescue;
use unchain_core::suspects::NewSuspect;
use unchain_core::{Actor, FixedClock, Unchain};
use uuid::Uuid;

struct Fixture {
    core: Unchain,
    admin: Actor,
    case: Uuid,
    person: Uuid,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let now = Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0).single().expect("instant");
        let core = Unchain::in_memory(Arc::new(FixedClock(now))).expect("core");
        core.bootstrap_admin("admin").expect("admin");
        let admin = core.actor("admin").expect("admin");
        let case: NewCase = serde_json::from_str(
            r#"{"person":{"names":["Fuzz Person"]},"jurisdiction":"england-and-wales","exploitation":[]}"#,
        )
        .expect("seed case");
        let case = core.open_case(&admin, case).expect("case");
        Fixture {
            case: case.id,
            person: case.person.id,
            core,
            admin,
        }
    })
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let (core, admin) = (&f.core, &f.admin);
    // The case's version as the client would send it (current, or stale now and then).
    let version = || {
        let v = core.case(admin, f.case).map(|c| c.version).unwrap_or(1);
        if first & 0x80 == 0 {
            v
        } else {
            v.saturating_sub(1)
        }
    };
    match first % 9 {
        0 => {
            if let Some(v) = parse::<NewCase>(body) {
                let _ = core.open_case(admin, v);
            }
        }
        1 => {
            if let Some(v) = parse::<NewConsent>(body) {
                let _ = core.record_consent(admin, f.person, v);
            }
        }
        2 => {
            if let Some(v) = parse::<NewReport>(body) {
                let _ = core.create_report(admin, v);
            }
        }
        3 => {
            if let Some(v) = parse::<NewRescue>(body) {
                let _ = core.record_rescue(admin, v);
            }
        }
        4 => {
            if let Some(v) = parse::<NewReferral>(body) {
                let _ = core.nrm_refer(admin, f.case, version(), v);
            }
        }
        5 => {
            if let Some(v) = parse::<FacilityInput>(body) {
                let _ = core.create_facility(admin, v);
            }
        }
        6 => {
            if let Some(v) = parse::<NeedsInput>(body) {
                let _ = core.assess_needs(admin, f.case, version(), v);
            }
        }
        7 => {
            if let Some(v) = parse::<NewSuspect>(body) {
                let _ = core.create_suspect(admin, v);
            }
        }
        _ => {
            if let Some(v) = parse::<NewEvent>(body) {
                let _ = core.record_case_event(admin, f.case, version(), v);
            }
        }
    }
});
