//! # unchain-nrm
//!
//! UK National Referral Mechanism rules by jurisdiction and date, UK working-day calendars and the
//! trafficking identification indicators. Pure: no IO, no clock ("today" is always a parameter).
#![deny(missing_docs)]

pub mod calendar;
pub mod jurisdiction;

pub use calendar::{
    CalendarError, DateOrYear, Holiday, add_working_days, holidays, is_working_day,
    working_days_between,
};
pub use jurisdiction::{Jurisdiction, UnknownJurisdiction};
