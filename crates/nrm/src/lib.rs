//! # unchain-nrm
//!
//! UK National Referral Mechanism rules by jurisdiction and date, UK working-day calendars and the
//! trafficking identification indicators. Pure: no IO, no clock ("today" is always a parameter).
#![deny(missing_docs)]

pub mod authority;
pub mod calendar;
pub mod completeness;
pub mod deadlines;
pub mod error;
pub mod indicators;
pub mod jurisdiction;
pub mod route;
pub mod rules;

pub use authority::{
    AuthorityDecision, CompetentAuthority, ImmigrationSituation, competent_authority,
    competent_authority_with,
};
pub use calendar::{
    CalendarError, DateOrYear, Holiday, add_working_days, holidays, is_working_day,
    working_days_between,
};
pub use completeness::{
    ConsentRecord, ExploitationType, Problem, ProblemKind, ReferralFacts, check,
};
pub use deadlines::{
    DayUnit, Deadline, Deadlines, Decision, Outcome, Reconsideration, ReferralHistory, Stage,
    Status, deadlines, deadlines_many, deadlines_with,
};
pub use error::NrmError;
pub use indicators::{
    AgeGroup, Assessment, Catalogue, Conclusion, DecisionRule, DecisionRules, Dimension,
    ExploitationKind, IndicatorEntry, Strength, assess, assess_with,
};
pub use jurisdiction::{Jurisdiction, UnknownJurisdiction};
pub use route::{
    AgeFacts, AgeStatus, Consent, ReferrerKind, Route, RouteDecision, RouteFacts, RouteReason,
    route, route_with,
};
pub use rules::{RuleBook, RuleSet, rules_at};

#[cfg(test)]
mod tests;
