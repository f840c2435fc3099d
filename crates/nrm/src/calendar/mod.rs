//! UK working-day calendars: the bank holidays of England and Wales, Scotland and Northern
//! Ireland for every year 1971–2100, and fast working-day arithmetic on them.
//!
//! - The recurring rules (New Year's Day, Easter, the May and August Mondays, Christmas, …),
//!   the year each took effect, and weekend substitution are in `rules.rs`.
//! - One-off proclamations (jubilees, royal weddings, the 2022 state funeral, the 2023
//!   coronation, moved holidays, substitutes that were never appointed) are a data table in
//!   `proclamations.rs`: a new proclamation is a new row, not new code.
//! - `table.rs` precomputes every holiday once (on first use) and answers each call in O(1) —
//!   a weekday count in closed form minus a per-day prefix count of holidays — with no
//!   day-by-day walk.
//!
//! A *working day* is Monday to Friday and not a bank holiday of the jurisdiction. Names follow
//! gov.uk's published titles (with its typographic apostrophe, `’`); a substitute day is named
//! after the holiday it replaces plus `" (substitute day)"`.
//!
//! Sources for every rule and one-off, and what is unverified, are in `docs/calendars.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use unchain_nrm::{Jurisdiction, add_working_days, is_working_day, working_days_between};
//!
//! let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let ew = Jurisdiction::EnglandAndWales;
//! // Thursday 18 April 2019: Good Friday and Easter Monday follow.
//! assert_eq!(add_working_days(ew, d(2019, 4, 18), 1).unwrap(), d(2019, 4, 23));
//! assert!(!is_working_day(ew, d(2019, 4, 22)).unwrap());
//! assert_eq!(working_days_between(ew, d(2019, 4, 18), d(2019, 4, 23)).unwrap(), 1);
//! ```

mod proclamations;
mod rules;
mod table;

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::jurisdiction::Jurisdiction;
use table::{TABLE, date_in_range, date_of, day_number, year_in_range};

/// First year the calendars cover.
pub const FIRST_YEAR: i32 = table::FIRST_YEAR;
/// Last year the calendars cover.
pub const LAST_YEAR: i32 = table::LAST_YEAR;

/// One bank holiday: the day off and its name.
///
/// Serialises as `{"date":"YYYY-MM-DD","name":"..."}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Holiday {
    /// The day off (always a Monday to Friday).
    pub date: NaiveDate,
    /// Its name as gov.uk titles it, e.g. `"Spring bank holiday"` or
    /// `"Boxing Day (substitute day)"`.
    pub name: String,
}

/// The value that fell outside the supported range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOrYear {
    /// A date.
    Date(NaiveDate),
    /// A year.
    Year(i32),
}

impl fmt::Display for DateOrYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateOrYear::Date(d) => write!(f, "date {d}"),
            DateOrYear::Year(y) => write!(f, "year {y}"),
        }
    }
}

/// Why a calendar question could not be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date or year outside 1971–2100.
    #[error("{date_or_year} is outside the supported range 1971–2100")]
    OutOfRange {
        /// The date or year asked about.
        date_or_year: DateOrYear,
    },
    /// The answer to [`add_working_days`] would fall after 31 December 2100.
    #[error(
        "{n} working days after {start} falls after 2100-12-31, the end of the supported range 1971–2100"
    )]
    ResultOutOfRange {
        /// The starting date.
        start: NaiveDate,
        /// The number of working days asked for.
        n: u32,
    },
}

fn check_date(date: NaiveDate) -> Result<i64, CalendarError> {
    if date_in_range(date) {
        Ok(day_number(date))
    } else {
        Err(CalendarError::OutOfRange {
            date_or_year: DateOrYear::Date(date),
        })
    }
}

/// The bank holidays of `year` in `j`, in date order, substitute days and one-off
/// proclamations included.
///
/// # Errors
/// [`CalendarError::OutOfRange`] when `year` is outside 1971–2100.
pub fn holidays(j: Jurisdiction, year: i32) -> Result<Vec<Holiday>, CalendarError> {
    if !year_in_range(year) {
        return Err(CalendarError::OutOfRange {
            date_or_year: DateOrYear::Year(year),
        });
    }
    Ok(TABLE
        .get(j)
        .year(year)
        .iter()
        .map(|e| Holiday {
            date: e.date,
            name: if e.substitute {
                format!("{} (substitute day)", e.name)
            } else {
                e.name.to_owned()
            },
        })
        .collect())
}

/// Whether `date` is a working day in `j`: Monday to Friday and not a bank holiday. O(1).
///
/// # Errors
/// [`CalendarError::OutOfRange`] when `date` is outside 1971–2100.
pub fn is_working_day(j: Jurisdiction, date: NaiveDate) -> Result<bool, CalendarError> {
    let u = check_date(date)?;
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    Ok(!weekend && !TABLE.get(j).is_holiday(u))
}

/// The `n`-th working day strictly after `date` in `j`; `n = 0` returns `date` unchanged (even
/// if it is not a working day). O(1) per jump, one to three jumps for real spans (see
/// `table.rs`).
///
/// # Errors
/// [`CalendarError::OutOfRange`] when `date` is outside 1971–2100;
/// [`CalendarError::ResultOutOfRange`] when the answer would fall after 2100-12-31.
pub fn add_working_days(
    j: Jurisdiction,
    date: NaiveDate,
    n: u32,
) -> Result<NaiveDate, CalendarError> {
    let u = check_date(date)?;
    if n == 0 {
        return Ok(date);
    }
    let x = TABLE.get(j).nth_working_after(u, n);
    match date_of(x) {
        Some(result) if date_in_range(result) => Ok(result),
        _ => Err(CalendarError::ResultOutOfRange { start: date, n }),
    }
}

/// The number of working days in `(a, b]` in `j`, negative when `b` is before `a`; so
/// `working_days_between(j, d, add_working_days(j, d, n)?) == n`. O(1).
///
/// # Errors
/// [`CalendarError::OutOfRange`] when `a` or `b` is outside 1971–2100.
pub fn working_days_between(
    j: Jurisdiction,
    a: NaiveDate,
    b: NaiveDate,
) -> Result<i64, CalendarError> {
    let ua = check_date(a)?;
    let ub = check_date(b)?;
    let t = TABLE.get(j);
    Ok(t.worked_through(ub) - t.worked_through(ua))
}

#[cfg(test)]
mod tests;
