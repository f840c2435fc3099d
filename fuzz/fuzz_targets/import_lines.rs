//! Import files (CSV and JSON Lines) of cases, intelligence reports, facilities and community
//! groups, from arbitrary bytes, all-or-nothing: a report or an error naming lines, never a panic.
//! One in-memory core (fixed clock) serves every run; the bytes go through a real file, as the
//! CLI's `unchain import` reads them.
#![no_main]

use std::sync::{Arc, OnceLock};

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use unchain_core::import::{Format, ImportOptions};
use unchain_core::{Actor, FixedClock, Unchain};

struct Fixture {
    core: Unchain,
    admin: Actor,
    dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let now = Utc
            .with_ymd_and_hms(2024, 6, 3, 9, 30, 0)
            .single()
            .expect("instant");
        let core = Unchain::in_memory(Arc::new(FixedClock(now))).expect("core");
        core.bootstrap_admin("admin").expect("admin");
        let admin = core.actor("admin").expect("admin");
        Fixture {
            core,
            admin,
            dir: tempfile::tempdir().expect("dir"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let format = if first & 1 == 0 {
        Format::Csv
    } else {
        Format::JsonLines
    };
    let path = f
        .dir
        .path()
        .join(if first & 1 == 0 { "in.csv" } else { "in.jsonl" });
    std::fs::write(&path, rest).expect("write");
    let mut options = ImportOptions::new(format);
    options.batch_size = 1 + (*first as usize >> 4);
    let mut progress = |_: &_| {};
    let _ = match (first >> 1) % 4 {
        0 => f
            .core
            .import_cases(&f.admin, &path, &options, &mut progress)
            .map(|_| ()),
        1 => f
            .core
            .import_intel(&f.admin, &path, &options, &mut progress)
            .map(|_| ()),
        2 => f
            .core
            .import_facilities(&f.admin, &path, &options, &mut progress)
            .map(|_| ()),
        _ => f
            .core
            .import_groups(&f.admin, &path, &options, &mut progress)
            .map(|_| ()),
    };
});
