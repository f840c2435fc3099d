//! One-off changes to the recurring rules, kept as data: extra bank holidays appointed by royal
//! proclamation (or, in Scotland since devolution, by Scottish Ministers), recurring holidays
//! moved to another day, and substitute days the rules would give but that were never appointed.
//!
//! A new proclamation is one new row here (and a line in `docs/calendars.md`), not new code.
//! Every row names its source; rows whose evidence is secondary say so in `verified`.

use chrono::NaiveDate;

use crate::jurisdiction::Jurisdiction;

const EW: Jurisdiction = Jurisdiction::EnglandAndWales;
const SC: Jurisdiction = Jurisdiction::Scotland;
const NI: Jurisdiction = Jurisdiction::NorthernIreland;
const ALL: &[Jurisdiction] = &[EW, SC, NI];

/// A date written in the table. Evaluated at compile time: an impossible date in the table is a
/// build error (the `panic!` runs in const evaluation only, never at run time).
const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the proclamations table"),
    }
}

/// What a one-off does to a year's holidays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// An extra bank holiday.
    Extra {
        /// The day.
        date: NaiveDate,
        /// Its name (gov.uk's wording where gov.uk lists it).
        name: &'static str,
    },
    /// A recurring holiday moved from the day its rule gives to another day.
    Moved {
        /// The day the rule gives.
        from: NaiveDate,
        /// The day it was held instead.
        to: NaiveDate,
        /// Its name that year.
        name: &'static str,
    },
    /// A day the rules would give (usually a substitute) that was never appointed.
    NotAppointed {
        /// The day that stayed a working day.
        date: NaiveDate,
    },
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Proclamation {
    /// Where it applies.
    pub jurisdictions: &'static [Jurisdiction],
    /// What it does.
    pub change: Change,
    /// The source that establishes it (short form; the long form is in `docs/calendars.md`).
    /// Provenance for readers and tests; the computation does not need it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
    /// False when only secondary sources were found (see `docs/calendars.md`).
    #[cfg_attr(not(test), allow(dead_code))]
    pub verified: bool,
}

impl Proclamation {
    /// The year the change belongs to.
    pub(crate) fn year(&self) -> i32 {
        use chrono::Datelike;
        match self.change {
            Change::Extra { date, .. } | Change::NotAppointed { date } => date.year(),
            Change::Moved { from, .. } => from.year(),
        }
    }
}

/// The one-offs, in date order.
pub(crate) static PROCLAMATIONS: &[Proclamation] = &[
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(1973, 11, 14),
            name: "Royal wedding bank holiday (Princess Anne and Mark Phillips)",
        },
        // The proclamation itself was not found; Wikipedia ("declared a special bank holiday")
        // and the Prime Minister's spokesman (27 Nov 2017) say there was one. Whether it applied
        // in Scotland and Northern Ireland is not confirmed.
        source: "Wikipedia 'Wedding of Princess Anne and Mark Phillips'; No 10 spokesman 2017-11-27",
        verified: false,
    },
    Proclamation {
        jurisdictions: &[EW, NI],
        change: Change::Moved {
            from: ymd(1977, 5, 30),
            to: ymd(1977, 6, 6),
            name: "Spring bank holiday",
        },
        source: "HC Deb 19 January 1977 vol 924 cc191-3W (Prime Minister, Silver Jubilee)",
        verified: true,
    },
    Proclamation {
        // Hansard: "In Scotland an additional public holiday will take place on dates arranged
        // by the District Councils" — so no Scottish bank holiday is recorded here.
        jurisdictions: &[EW, NI],
        change: Change::Extra {
            date: ymd(1977, 6, 7),
            name: "Silver Jubilee bank holiday",
        },
        source: "HC Deb 19 January 1977 vol 924 cc191-3W (Prime Minister, Silver Jubilee)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(1981, 7, 29),
            name: "Royal wedding bank holiday (Prince Charles and Lady Diana Spencer)",
        },
        // Widely reported (No 10 spokesman 2017); the proclamation text was not found, and the
        // Scottish and Northern Irish extent is assumed.
        source: "No 10 spokesman 2017-11-27 (HuffPost UK, Guernsey Press)",
        verified: false,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Moved {
            from: ymd(1995, 5, 1),
            to: ymd(1995, 5, 8),
            name: "Early May bank holiday (VE day)",
        },
        // gov.uk (2019 announcement): "the first [move] was in 1995 to mark the 50th anniversary
        // of VE Day". Scottish extent assumed (it followed in 2020).
        source: "gov.uk announcement of the 2020 move, quoted by The Scotsman 2020-01-15",
        verified: false,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(1999, 12, 31),
            name: "Millennium bank holiday",
        },
        source: "Cabinet plan reported by The Sunday Times 1998-04-17; appointed by proclamation",
        verified: false,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Moved {
            from: ymd(2002, 5, 27),
            to: ymd(2002, 6, 4),
            name: "Spring bank holiday",
        },
        source: "Golden Jubilee proclamation (London Gazette 2001); Wikipedia 'Golden Jubilee of Elizabeth II'",
        verified: false,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(2002, 6, 3),
            name: "Golden Jubilee bank holiday",
        },
        source: "Golden Jubilee proclamation (London Gazette 2001); Wikipedia 'Golden Jubilee of Elizabeth II'",
        verified: false,
    },
    Proclamation {
        // 1 Jan 2010 was a Friday, so the rules give Monday 4 Jan for 2 January (a Saturday);
        // no proclamation was made, so it stayed a working day.
        jurisdictions: &[SC],
        change: Change::NotAppointed {
            date: ymd(2010, 1, 4),
        },
        source: "Scottish Government via the Privy Council, reported at dracos.co.uk/wrote/bad-bank-holidays (2014-01-21)",
        verified: true,
    },
    Proclamation {
        // 1 Jan 2011 was a Saturday: 2 January (Sunday) moves to 3 Jan by statute, but the
        // substitute for New Year's Day (Tuesday 4 Jan) was never proclaimed.
        jurisdictions: &[SC],
        change: Change::NotAppointed {
            date: ymd(2011, 1, 4),
        },
        source: "Scottish Government via the Privy Council, reported at dracos.co.uk/wrote/bad-bank-holidays (2014-01-21)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(2011, 4, 29),
            name: "Royal wedding bank holiday",
        },
        source: "Prime Minister's announcement 2010-11-23; proclamation under BFDA 1971 s.1(3)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Moved {
            from: ymd(2012, 5, 28),
            to: ymd(2012, 6, 4),
            name: "Spring bank holiday",
        },
        source: "gov.uk/bank-holidays (2012)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(2012, 6, 5),
            name: "Queen’s Diamond Jubilee",
        },
        source: "gov.uk/bank-holidays (2012)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Moved {
            from: ymd(2020, 5, 4),
            to: ymd(2020, 5, 8),
            name: "Early May bank holiday (VE day)",
        },
        source: "Proclamation, London Gazette notice 3326938; gov.uk/bank-holidays (2020)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Moved {
            from: ymd(2022, 5, 30),
            to: ymd(2022, 6, 2),
            name: "Spring bank holiday",
        },
        source: "gov.uk/bank-holidays (2022)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(2022, 6, 3),
            name: "Platinum Jubilee bank holiday",
        },
        source: "gov.uk/bank-holidays (2022)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(2022, 9, 19),
            name: "Bank Holiday for the State Funeral of Queen Elizabeth II",
        },
        source: "Proclamation, London Gazette notice 4158896 (E&W, NI); Scottish Ministers; gov.uk/bank-holidays (2022)",
        verified: true,
    },
    Proclamation {
        jurisdictions: ALL,
        change: Change::Extra {
            date: ymd(2023, 5, 8),
            name: "Bank holiday for the coronation of King Charles III",
        },
        source: "gov.uk/bank-holidays (2023)",
        verified: true,
    },
    Proclamation {
        jurisdictions: &[SC],
        change: Change::Extra {
            date: ymd(2026, 6, 15),
            name: "World Cup bank holiday",
        },
        // Royal proclamation at the First Minister's request (announced 2026-01-05, confirmed
        // by Buckingham Palace 2026-02-05), Scotland only. The name is gov.uk's feed title as
        // copied in a third-party offline copy (retrieved 2026-08-21); the proclamation text
        // itself was not read.
        source: "Royal proclamation under BFDA 1971 s.1(3), reported by The Independent 2026-02-05",
        verified: true,
    },
];
