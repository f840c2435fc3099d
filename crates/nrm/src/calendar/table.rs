//! The precomputed index: every bank holiday of 1971–2100 per jurisdiction, built once on first
//! use, with what the fast working-day arithmetic needs.
//!
//! Day numbers `u` count days from Monday 1970-12-28 (so `u % 7 == 0` is a Monday). With
//! `weekdays(u)` = Mondays-to-Fridays in `[0, u]` (closed form) and `H(u)` = holidays on weekdays
//! in `[0, u]` (one lookup in a per-day prefix-count array, 2 bytes a day), the working-day
//! count is `W(u) = weekdays(u) − H(u)`, and
//! - `working_days_between(a, b) = W(b) − W(a)`: O(1);
//! - `add_working_days(d, n)` is the smallest `x` with `W(x) = W(d) + n`. It is the
//!   `(W(d) + n + H(x))`-th weekday, so start from `h = H(d)` and jump to
//!   `x = kth_weekday(W(d) + n + h)` until `H(x) = h` (each jump is closed form; `h` only grows
//!   and never passes `H` of the answer, so the fixed point is the answer). A jump is repeated
//!   only when the span crossed new holidays: one to three jumps for any real deadline, at most
//!   one per holiday in the span in theory;
//! - `is_working_day(d)` is a weekday test plus one bit of a per-day holiday bitset: O(1).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};

use super::proclamations::{Change, PROCLAMATIONS};
use super::rules::{Observed, is_weekend, rule_days, substitute};
use crate::jurisdiction::Jurisdiction;

/// First supported year.
pub(crate) const FIRST_YEAR: i32 = 1971;
/// Last supported year.
pub(crate) const LAST_YEAR: i32 = 2100;

/// Compile-time date constructor (a bad literal is a build error, never a run-time panic).
const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date constant"),
    }
}

/// A Monday just before the supported range: day number 0.
const EPOCH: NaiveDate = ymd(1970, 12, 28);
/// First supported date.
pub(crate) const MIN_DATE: NaiveDate = ymd(FIRST_YEAR, 1, 1);
/// Last supported date.
pub(crate) const MAX_DATE: NaiveDate = ymd(LAST_YEAR, 12, 31);

/// Day number of `date` (days since [`EPOCH`]).
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - i64::from(EPOCH.num_days_from_ce())
}

/// The date of day number `u`, if chrono can represent it.
pub(crate) fn date_of(u: i64) -> Option<NaiveDate> {
    let ce = i64::from(EPOCH.num_days_from_ce()).checked_add(u)?;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(ce).ok()?)
}

/// Mondays-to-Fridays in `[0, u]` for `u ≥ 0` (day 0 is a Monday).
pub(crate) fn weekdays_through(u: i64) -> i64 {
    5 * u.div_euclid(7) + (u.rem_euclid(7) + 1).min(5)
}

/// The smallest day number `u ≥ 0` with `weekdays_through(u) ≥ k`, for `k ≥ 1`: the `k`-th
/// weekday counted from day 0.
pub(crate) fn kth_weekday(k: i64) -> i64 {
    let k0 = k - 1;
    7 * k0.div_euclid(5) + k0.rem_euclid(5)
}

/// One holiday as stored: date, base name, and whether it is a substitute day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The day off.
    pub date: NaiveDate,
    /// The holiday's name without the substitute suffix.
    pub name: &'static str,
    /// True for a substitute day.
    pub substitute: bool,
}

/// The holidays of one year in one jurisdiction, computed from the rules and the one-offs.
/// Used to build the table; the public API reads the table instead.
pub(crate) fn compute_year(j: Jurisdiction, year: i32) -> Vec<Entry> {
    let mut days = rule_days(j, year);
    let one_offs: Vec<_> = PROCLAMATIONS
        .iter()
        .filter(|p| p.year() == year && p.jurisdictions.contains(&j))
        .collect();
    for p in &one_offs {
        if let Change::Moved { from, to, name } = p.change {
            for d in days.iter_mut().filter(|d| d.date == from) {
                d.date = to;
                d.name = name;
            }
        }
    }
    days.sort_by_key(|d| d.date);
    let mut observed: Vec<Observed> = substitute(&days);
    for p in &one_offs {
        match p.change {
            Change::NotAppointed { date } => observed.retain(|o| o.date != date),
            Change::Extra { date, name } => {
                if !observed.iter().any(|o| o.date == date) {
                    observed.push(Observed {
                        date,
                        name,
                        substitute: false,
                    });
                }
            }
            Change::Moved { .. } => {}
        }
    }
    observed.sort_by_key(|o| o.date);
    observed.dedup_by_key(|o| o.date);
    observed
        .into_iter()
        .map(|o| Entry {
            date: o.date,
            name: o.name,
            substitute: o.substitute,
        })
        .collect()
}

/// The index for one jurisdiction.
pub(crate) struct JTable {
    /// Every holiday 1971–2100 in date order.
    pub entries: Vec<Entry>,
    /// `entries[year_start[y - FIRST_YEAR]..year_start[y - FIRST_YEAR + 1]]` are year `y`'s.
    year_start: Vec<usize>,
    /// `prefix[i]` = weekday holidays on or before day number `u_min + i`.
    prefix: Vec<u16>,
    /// Weekday holidays in the whole table (`H` of any day after it).
    total: u16,
    /// One bit per day from [`MIN_DATE`]: set on a holiday.
    bits: Vec<u64>,
    /// Day number of [`MIN_DATE`].
    u_min: i64,
}

impl JTable {
    fn build(j: Jurisdiction) -> JTable {
        let mut entries = Vec::new();
        let mut year_start = Vec::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            year_start.push(entries.len());
            entries.extend(compute_year(j, year));
        }
        year_start.push(entries.len());

        let u_min = day_number(MIN_DATE);
        let u_max = day_number(MAX_DATE);
        let mut holiday_days: Vec<i64> = entries
            .iter()
            .filter(|e| !is_weekend(e.date))
            .map(|e| day_number(e.date))
            .collect();
        holiday_days.sort_unstable();
        holiday_days.dedup();
        let span = usize::try_from(u_max - u_min + 1).unwrap_or(0);
        let mut prefix = vec![0u16; span];
        let mut bits = vec![0u64; span.div_ceil(64)];
        for &u in &holiday_days {
            // Holidays are all inside [MIN_DATE, MAX_DATE], so `i` is always in bounds; the
            // checks only keep a malformed table from panicking.
            let Ok(i) = usize::try_from(u - u_min) else {
                continue;
            };
            if let Some(word) = bits.get_mut(i / 64) {
                *word |= 1 << (i % 64);
            }
            if let Some(p) = prefix.get_mut(i) {
                *p = 1;
            }
        }
        // Turn the 0/1 marks into running counts (about 10 holidays a year: well inside u16).
        let mut running = 0u16;
        for p in &mut prefix {
            running = running.saturating_add(*p);
            *p = running;
        }
        JTable {
            entries,
            year_start,
            prefix,
            total: running,
            bits,
            u_min,
        }
    }

    /// The holidays of `year` (which the caller has checked is in range).
    pub(crate) fn year(&self, year: i32) -> &[Entry] {
        let i = usize::try_from(year - FIRST_YEAR).unwrap_or(0);
        match (self.year_start.get(i), self.year_start.get(i + 1)) {
            (Some(&a), Some(&b)) => self.entries.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Whether day number `u` (in range) is a bank holiday on a weekday.
    pub(crate) fn is_holiday(&self, u: i64) -> bool {
        let Ok(i) = usize::try_from(u - self.u_min) else {
            return false;
        };
        self.bits
            .get(i / 64)
            .is_some_and(|word| word & (1 << (i % 64)) != 0)
    }

    /// `H(u)`: weekday holidays in `[0, u]`, for any `u` (0 before the table, all after it).
    fn holidays_through(&self, u: i64) -> i64 {
        if u < self.u_min {
            return 0;
        }
        match usize::try_from(u - self.u_min)
            .ok()
            .and_then(|i| self.prefix.get(i))
        {
            Some(&h) => i64::from(h),
            None => i64::from(self.total),
        }
    }

    /// `W(u)`: working days in `[0, u]`.
    pub(crate) fn worked_through(&self, u: i64) -> i64 {
        weekdays_through(u) - self.holidays_through(u)
    }

    /// The smallest day number `x > u` with `W(x) = W(u) + n` (so a working day), for `n ≥ 1`.
    /// May lie beyond the table; the caller checks the range.
    pub(crate) fn nth_working_after(&self, u: i64, n: u32) -> i64 {
        let target = self.worked_through(u) + i64::from(n);
        let mut h = self.holidays_through(u);
        loop {
            let x = kth_weekday(target + h);
            let hx = self.holidays_through(x);
            // `hx ≥ h` always (x is after u and H is monotone); equality is the fixed point.
            // Termination: `h` strictly grows and is bounded by `total`.
            if hx <= h {
                return x;
            }
            h = hx;
        }
    }
}

/// The three indexes.
pub(crate) struct Table {
    tables: [JTable; 3],
}

impl Table {
    /// The index for `j`.
    pub(crate) fn get(&self, j: Jurisdiction) -> &JTable {
        match j {
            Jurisdiction::EnglandAndWales => &self.tables[0],
            Jurisdiction::Scotland => &self.tables[1],
            Jurisdiction::NorthernIreland => &self.tables[2],
        }
    }
}

/// Built on first use (a few thousand date computations, well under a millisecond).
pub(crate) static TABLE: LazyLock<Table> = LazyLock::new(|| Table {
    tables: [
        JTable::build(Jurisdiction::EnglandAndWales),
        JTable::build(Jurisdiction::Scotland),
        JTable::build(Jurisdiction::NorthernIreland),
    ],
});

/// Whether `year` is in the supported range.
pub(crate) fn year_in_range(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// Whether `date` is in the supported range.
pub(crate) fn date_in_range(date: NaiveDate) -> bool {
    year_in_range(date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_closed_form_matches_counting() {
        let mut count = 0;
        for u in 0..100 {
            let d = date_of(u).expect("in range");
            if !is_weekend(d) {
                count += 1;
                assert_eq!(kth_weekday(count), u);
            }
            assert_eq!(weekdays_through(u), count, "u={u}");
        }
    }
}
