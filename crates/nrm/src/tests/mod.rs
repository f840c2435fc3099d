//! Unit tests of the NRM rules, route, completeness and indicators. Each rule-change case cites
//! its source; docs/rules.md lists the same sources.

mod authority;
mod completeness;
mod deadlines;
mod indicators;
mod route;
mod rules;

use chrono::NaiveDate;

/// A date from a literal (test helper).
pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}
