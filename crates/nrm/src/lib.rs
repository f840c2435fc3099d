//! # unchain-nrm
//!
//! UK National Referral Mechanism rules by jurisdiction and date, UK working-day calendars and the
//! trafficking identification indicators. Pure: no IO, no clock ("today" is always a parameter).
#![deny(missing_docs)]

pub mod jurisdiction;

pub use jurisdiction::{Jurisdiction, UnknownJurisdiction};
