//! NRM deadlines from any referral history (JSON, as the API and the store carry it) and any
//! "as of" date: an error or deadlines, never a panic.
#![no_main]

use chrono::{Days, NaiveDate};
use libfuzzer_sys::fuzz_target;
use unchain_nrm::deadlines::{ReferralHistory, deadlines};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let days = u16::from_le_bytes([data[0], data[1]]);
    let as_of = NaiveDate::from_ymd_opt(2015, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(days) * 4)))
        .expect("date");
    if let Ok(history) = serde_json::from_slice::<ReferralHistory>(&data[2..]) {
        let _ = deadlines(&history, as_of);
    }
});
