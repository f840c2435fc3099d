//! The recurring bank-holiday rules of each jurisdiction, the year each took effect, and the
//! weekend-substitution rule.
//!
//! Every rule is a row of [`RULES`] (data, not code); `docs/calendars.md` cites the source of each.
//! One-off changes (jubilees, royal weddings, moved days, substitutes that were never appointed)
//! are not here: they live in [`super::proclamations`].

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::jurisdiction::Jurisdiction;

const EW: Jurisdiction = Jurisdiction::EnglandAndWales;
const SC: Jurisdiction = Jurisdiction::Scotland;
const NI: Jurisdiction = Jurisdiction::NorthernIreland;

/// When in the year a recurring holiday falls (before any weekend substitution).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum When {
    /// A fixed day of the year, `(month, day)`; substituted when it falls on a weekend.
    Fixed(u32, u32),
    /// The first Monday of the month.
    FirstMonday(u32),
    /// The last Monday of the month.
    LastMonday(u32),
    /// Days after Easter Sunday (Good Friday is −2, Easter Monday +1).
    Easter(i64),
}

/// One recurring holiday: its name, when it falls, where and in which years it applies.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule {
    /// The name as gov.uk publishes it (substitutes get " (substitute day)" appended).
    pub name: &'static str,
    /// When it falls.
    pub when: When,
    /// Where it applies.
    pub jurisdictions: &'static [Jurisdiction],
    /// First year it applies (inclusive).
    pub from: i32,
    /// Where the rule comes from (statute, proclamation practice); the long form is in docs.
    /// Provenance for readers and tests; the computation does not need it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
}

/// The recurring rules for 1971–2100. Rows with the same name but different jurisdictions or
/// start years are separate rows so that each carries its own date of effect and source.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        name: "New Year’s Day",
        when: When::Fixed(1, 1),
        jurisdictions: &[EW, NI],
        from: 1974,
        source: "Royal proclamation yearly under BFDA 1971 s.1(3), first observed 1974-01-01",
    },
    Rule {
        name: "New Year’s Day",
        when: When::Fixed(1, 1),
        jurisdictions: &[SC],
        from: 1971,
        source: "Bank Holidays Act 1871; BFDA 1971 Sch. 1 para 2",
    },
    Rule {
        // UNVERIFIED start: the 1971 Act (in force 16 Dec 1971) lists 2 January for Scotland; a
        // secondary source dates the first observance to 1973. 1972 is what the statute gives.
        name: "2nd January",
        when: When::Fixed(1, 2),
        jurisdictions: &[SC],
        from: 1972,
        source: "BFDA 1971 Sch. 1 para 2",
    },
    Rule {
        name: "St Patrick’s Day",
        when: When::Fixed(3, 17),
        jurisdictions: &[NI],
        from: 1971,
        source: "Bank Holiday (Ireland) Act 1903; BFDA 1971 Sch. 1 para 3",
    },
    Rule {
        name: "Good Friday",
        when: When::Easter(-2),
        jurisdictions: &[EW, SC, NI],
        from: 1971,
        source: "Common-law holiday (E&W, NI); BFDA 1971 Sch. 1 para 2 (Scotland)",
    },
    Rule {
        name: "Easter Monday",
        when: When::Easter(1),
        jurisdictions: &[EW, NI],
        from: 1971,
        source: "BFDA 1971 Sch. 1 paras 1 and 3",
    },
    Rule {
        name: "Early May bank holiday",
        when: When::FirstMonday(5),
        jurisdictions: &[EW, NI],
        from: 1978,
        source: "Royal proclamation yearly under BFDA 1971 s.1(3), first observed 1978-05-01",
    },
    Rule {
        name: "Early May bank holiday",
        when: When::FirstMonday(5),
        jurisdictions: &[SC],
        from: 1971,
        source: "Bank Holidays Act 1871; BFDA 1971 Sch. 1 para 2",
    },
    Rule {
        name: "Spring bank holiday",
        when: When::LastMonday(5),
        jurisdictions: &[EW, NI],
        from: 1971,
        source: "BFDA 1971 Sch. 1 paras 1 and 3 (replacing Whit Monday)",
    },
    Rule {
        // UNVERIFIED start: most sources say 1978, one legal glossary says 1987 (see docs).
        name: "Spring bank holiday",
        when: When::LastMonday(5),
        jurisdictions: &[SC],
        from: 1978,
        source: "Royal proclamation yearly under BFDA 1971 s.1(3)",
    },
    Rule {
        name: "Battle of the Boyne (Orangemen’s Day)",
        when: When::Fixed(7, 12),
        jurisdictions: &[NI],
        from: 1971,
        source: "Proclaimed yearly for Northern Ireland under BFDA 1971 s.1(3)",
    },
    Rule {
        name: "Summer bank holiday",
        when: When::LastMonday(8),
        jurisdictions: &[EW, NI],
        from: 1971,
        source: "BFDA 1971 Sch. 1 paras 1 and 3",
    },
    Rule {
        name: "Summer bank holiday",
        when: When::FirstMonday(8),
        jurisdictions: &[SC],
        from: 1971,
        source: "Bank Holidays Act 1871; BFDA 1971 Sch. 1 para 2",
    },
    Rule {
        name: "St Andrew’s Day",
        when: When::Fixed(11, 30),
        jurisdictions: &[SC],
        from: 2007,
        source: "St Andrew's Day Bank Holiday (Scotland) Act 2007 s.1",
    },
    Rule {
        name: "Christmas Day",
        when: When::Fixed(12, 25),
        jurisdictions: &[EW, SC, NI],
        from: 1971,
        source: "Common-law holiday (E&W, NI); BFDA 1971 Sch. 1 para 2 (Scotland)",
    },
    Rule {
        name: "Boxing Day",
        when: When::Fixed(12, 26),
        jurisdictions: &[EW, NI],
        from: 1971,
        source: "BFDA 1971 Sch. 1 paras 1 and 3",
    },
    Rule {
        name: "Boxing Day",
        when: When::Fixed(12, 26),
        jurisdictions: &[SC],
        from: 1974,
        source: "Royal proclamation yearly under BFDA 1971 s.1(3), from 1974",
    },
];

/// A holiday of one year before one-offs and substitution: where the rule puts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RuleDay {
    /// The date the rule gives (may be a Saturday or Sunday for fixed-date rules).
    pub date: NaiveDate,
    /// The rule's name.
    pub name: &'static str,
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm of Meeus/Jones/
/// Butcher). `None` only if chrono cannot represent the date, which cannot happen for 1971–2100.
pub(crate) fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = u64::from(last.weekday().num_days_from_monday());
    last.checked_sub_days(Days::new(back))
}

impl When {
    /// The date this rule gives in `year`.
    pub(crate) fn date_in(self, year: i32) -> Option<NaiveDate> {
        match self {
            When::Fixed(m, d) => NaiveDate::from_ymd_opt(year, m, d),
            When::FirstMonday(m) => first_monday(year, m),
            When::LastMonday(m) => last_monday(year, m),
            When::Easter(offset) => {
                let easter = easter_sunday(year)?;
                if offset >= 0 {
                    easter.checked_add_days(Days::new(offset.unsigned_abs()))
                } else {
                    easter.checked_sub_days(Days::new(offset.unsigned_abs()))
                }
            }
        }
    }
}

/// The rule days of `year` in `j`, in date order, before one-offs and substitution.
pub(crate) fn rule_days(j: Jurisdiction, year: i32) -> Vec<RuleDay> {
    let mut days: Vec<RuleDay> = RULES
        .iter()
        .filter(|r| r.from <= year && r.jurisdictions.contains(&j))
        .filter_map(|r| {
            r.when
                .date_in(year)
                .map(|date| RuleDay { date, name: r.name })
        })
        .collect();
    days.sort_by_key(|d| d.date);
    days
}

/// Whether `date` is a Saturday or Sunday.
pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A holiday after substitution: the day off and whether it stands in for a weekend holiday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Observed {
    /// The day off (a weekday).
    pub date: NaiveDate,
    /// The holiday's name (without the substitute suffix).
    pub name: &'static str,
    /// True when `date` is a substitute for a holiday that fell on a Saturday or Sunday.
    pub substitute: bool,
}

/// Substitution: a holiday that falls on a Saturday or Sunday is observed on the first weekday
/// after it that is not already a holiday, taking weekend holidays in date order.
///
/// This one rule reproduces every published case: New Year's Day on a Saturday → Monday 3 Jan
/// (and in Scotland 2 January on the Sunday → Tuesday 4 Jan); New Year's Day on a Sunday in
/// Scotland → Tuesday 3 Jan because Monday 2 Jan is its own holiday (BFDA 1971 Sch. 1 para 2:
/// "if it be a Sunday, 3rd January"); Christmas on a Saturday → Monday 27 and Boxing Day on the
/// Sunday → Tuesday 28; Christmas on a Sunday → Boxing Day Monday 26 and Christmas Tuesday 27
/// (Sch. 1 para 1: "27th December in a year in which 25th or 26th December is a Sunday");
/// St Andrew's Day on a weekend → the following Monday (2007 Act s.1); St Patrick's Day and the
/// Twelfth → the following Monday.
pub(crate) fn substitute(days: &[RuleDay]) -> Vec<Observed> {
    let mut out: Vec<Observed> = days
        .iter()
        .filter(|d| !is_weekend(d.date))
        .map(|d| Observed {
            date: d.date,
            name: d.name,
            substitute: false,
        })
        .collect();
    let mut weekend: Vec<&RuleDay> = days.iter().filter(|d| is_weekend(d.date)).collect();
    weekend.sort_by_key(|d| d.date);
    for d in weekend {
        let mut candidate = d.date;
        // At most a handful of steps: past the weekend and past the few holidays already taken
        // in the same week. The bound only guards against a malformed table.
        for _ in 0..14 {
            match candidate.succ_opt() {
                Some(next) => candidate = next,
                None => break,
            }
            if !is_weekend(candidate) && !out.iter().any(|o| o.date == candidate) {
                out.push(Observed {
                    date: candidate,
                    name: d.name,
                    substitute: true,
                });
                break;
            }
        }
    }
    out.sort_by_key(|o| o.date);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn easter_known_dates() {
        // Easter Sunday dates as listed by the Church of England / gov.uk Good Friday + 2.
        for (y, m, d) in [
            (1971, 4, 11),
            (1977, 4, 10),
            (2000, 4, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2100, 3, 28),
        ] {
            assert_eq!(easter_sunday(y), Some(ymd(y, m, d)), "{y}");
        }
    }

    #[test]
    fn mondays() {
        assert_eq!(last_monday(2022, 5), Some(ymd(2022, 5, 30)));
        assert_eq!(first_monday(2022, 8), Some(ymd(2022, 8, 1)));
        assert_eq!(last_monday(2021, 12), Some(ymd(2021, 12, 27)));
    }
}
