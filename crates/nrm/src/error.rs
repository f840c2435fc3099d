//! The one error type of the NRM rules: every variant names the field and the reason.

use chrono::NaiveDate;

/// Why an NRM computation could not be made from its input.
///
/// Completeness problems are *not* errors: [`crate::completeness::check`] returns every problem
/// as data. These errors are for input the rules cannot be applied to at all (a date outside the
/// supported range, a date of birth after the as-of date, a history whose decisions come before
/// its referral, …).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NrmError {
    /// A field's value cannot be used.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field, by its name in the input type (e.g. `date_of_birth`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A date lies outside the years the rules and calendars cover (1971–2100).
    #[error("{field}: {date} is outside the supported years 1971–2100")]
    DateOutOfRange {
        /// The field holding the date.
        field: &'static str,
        /// The date given.
        date: NaiveDate,
    },
    /// A working-day calculation failed (a date outside the calendars' years).
    #[error("working-day calendar: {0}")]
    Calendar(#[from] crate::calendar::CalendarError),
    /// The National Referral Mechanism did not exist on that date (it began on 2009-04-01).
    #[error("{field}: the National Referral Mechanism was not in force on {date}")]
    NrmNotInForce {
        /// The field holding the date.
        field: &'static str,
        /// The date given.
        date: NaiveDate,
    },
}
