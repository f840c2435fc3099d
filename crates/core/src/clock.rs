//! The core's only source of "now". Injected so tests and demos can fix time; the pure crates
//! never see a clock at all — the core passes them dates.

use chrono::{DateTime, NaiveDate, Utc};

/// Tells the time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in UTC (the NGO works in the UK; dates are calendar days).
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same instant (tests, demos, reproducible reports).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
