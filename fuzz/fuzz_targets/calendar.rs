//! UK calendars: holidays, working days, adding and counting working days, for any date and
//! count. Errors (out of range) are fine; panics are not. Checks that what `add_working_days`
//! returns is a working day after the start, and that counting back gives `n` again.
#![no_main]

use chrono::{Days, NaiveDate};
use libfuzzer_sys::fuzz_target;
use unchain_nrm::Jurisdiction;
use unchain_nrm::calendar::{add_working_days, holidays, is_working_day, working_days_between};

const JURISDICTIONS: [Jurisdiction; 3] = [
    Jurisdiction::EnglandAndWales,
    Jurisdiction::Scotland,
    Jurisdiction::NorthernIreland,
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 13 {
        return;
    }
    let j = JURISDICTIONS[data[0] as usize % JURISDICTIONS.len()];
    let offset = i32::from_le_bytes([data[1], data[2], data[3], data[4]]);
    let other = i32::from_le_bytes([data[5], data[6], data[7], data[8]]);
    let n = u32::from_le_bytes([data[9], data[10], data[11], data[12]]);
    // Dates around 1900..2200 mostly, and now and then anywhere chrono allows.
    let base = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    let date_at = |o: i32| {
        let o = if data[0] & 0x80 == 0 { o % 80_000 } else { o };
        if o >= 0 {
            base.checked_add_days(Days::new(o as u64))
        } else {
            base.checked_sub_days(Days::new(o.unsigned_abs() as u64))
        }
    };
    let _ = holidays(j, offset % 400 + 1900);
    let _ = holidays(j, offset);
    let (Some(a), Some(b)) = (date_at(offset), date_at(other)) else {
        return;
    };
    let _ = is_working_day(j, a);
    let between = working_days_between(j, a, b);
    if let (Ok(ab), Ok(ba)) = (between, working_days_between(j, b, a)) {
        assert_eq!(ab, -ba, "counting is antisymmetric");
    }
    let n = if data[0] & 0x40 == 0 { n % 2_000 } else { n };
    if let Ok(r) = add_working_days(j, a, n) {
        if n > 0 {
            assert!(r > a, "{n} working days after {a} is {r}");
            assert!(
                matches!(is_working_day(j, r), Ok(true)),
                "{r} is a working day"
            );
            assert_eq!(working_days_between(j, a, r).ok(), Some(i64::from(n)));
        } else {
            assert_eq!(r, a);
        }
    }
});
