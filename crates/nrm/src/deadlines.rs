//! NRM deadlines for a referral history, as of a given day.
//!
//! Events dated after the as-of day are ignored (they had not happened yet), so a deadline's
//! status is always what a caseworker would have seen on that day. Each deadline uses the rules in
//! force on the event that starts it: the RG target on the referral date, the recovery period and
//! earliest CG on the positive RG's date, the reconsideration window on the negative decision's
//! date, move-on on the positive CG's date.
//!
//! Fast: a handful of O(1) rule lookups and at most two calendar calls per referral, no allocation
//! (see `benches/deadlines.rs` and docs/PERFORMANCE.md).

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{add_working_days, working_days_between};
use crate::error::NrmError;
use crate::jurisdiction::Jurisdiction;
use crate::rules::{MoveOn, RecoveryEnd, RuleBook};

/// A decision's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Positive (reasonable / conclusive grounds found).
    Positive,
    /// Negative.
    Negative,
}

/// A decision on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision {
    /// The day it was made.
    pub on: NaiveDate,
    /// Its outcome.
    pub outcome: Outcome,
}

/// The NRM decision stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reasonable Grounds.
    ReasonableGrounds,
    /// Conclusive Grounds.
    ConclusiveGrounds,
}

/// A request to reconsider a negative decision, and its result once decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reconsideration {
    /// Which decision is to be reconsidered.
    pub stage: Stage,
    /// When the request was made.
    pub requested_on: NaiveDate,
    /// The reconsidered decision, once made (it replaces the original from its date).
    pub decided: Option<Decision>,
}

/// What happened to one referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralHistory {
    /// Where the person was referred.
    pub jurisdiction: Jurisdiction,
    /// The referral date.
    pub referred_on: NaiveDate,
    /// True for a child (or possible child): no adult move-on support.
    #[serde(default)]
    pub is_child: bool,
    /// The first Reasonable Grounds decision.
    pub rg: Option<Decision>,
    /// Reconsideration requests, in any order.
    #[serde(default)]
    pub reconsiderations: Vec<Reconsideration>,
    /// The first Conclusive Grounds decision.
    pub cg: Option<Decision>,
    /// A public-order disqualification from protection (NABA 2022 s.63), if determined.
    #[serde(default)]
    pub disqualified_on: Option<NaiveDate>,
}

/// Where a deadline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The date is still ahead (or, when `open_ended`, the period runs on until a decision).
    Pending,
    /// Satisfied: the event came in time, or the period / waiting time has run its course.
    Met,
    /// Not satisfied: the date passed without the event, the event came late, or (earliest CG) a
    /// decision came too early.
    Missed,
    /// Does not apply to this history (yet), e.g. no positive RG means no recovery period.
    NotApplicable,
}

/// The unit of a deadline's day counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    /// Working days in the jurisdiction (bank holidays excluded).
    Working,
    /// Calendar days.
    Calendar,
}

/// One deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Where it stands as of the as-of day.
    pub status: Status,
    /// The date: the last day of a period, the due day of a target, the earliest day for a CG.
    pub due: Option<NaiveDate>,
    /// The unit of `days`.
    pub unit: DayUnit,
    /// Pending: days left from the as-of day to `due` (negative when an open-ended period has
    /// passed its minimum). Met/Missed by an event: `due` minus the event's day (negative: late).
    /// Missed without the event: minus the days overdue. Met by elapse: minus the days since.
    pub days: Option<i64>,
    /// True when the period continues past `due` until a decision not yet made.
    pub open_ended: bool,
    /// Why, in a phrase.
    pub basis: &'static str,
}

impl Deadline {
    fn not_applicable(unit: DayUnit, basis: &'static str) -> Self {
        Deadline {
            status: Status::NotApplicable,
            due: None,
            unit,
            days: None,
            open_ended: false,
            basis,
        }
    }
}

/// The five deadlines of a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// Reasonable Grounds decision due (working days from referral).
    pub rg_due: Deadline,
    /// End of the recovery period (calendar days from a positive RG).
    pub recovery_period_end: Deadline,
    /// Earliest day for the Conclusive Grounds decision.
    pub cg_earliest: Deadline,
    /// Last day to request reconsideration of the latest negative decision.
    pub reconsideration_window_end: Deadline,
    /// End of move-on support after a positive CG.
    pub move_on_end: Deadline,
}

/// Deadlines for one history as of `as_of`, under the built-in rule table.
pub fn deadlines(history: &ReferralHistory, as_of: NaiveDate) -> Result<Deadlines, NrmError> {
    deadlines_with(RuleBook::builtin(), history, as_of)
}

/// Deadlines for many histories as of `as_of`, in one pass, under the built-in rule table.
pub fn deadlines_many(
    histories: &[ReferralHistory],
    as_of: NaiveDate,
) -> Vec<Result<Deadlines, NrmError>> {
    let book = RuleBook::builtin();
    histories
        .iter()
        .map(|h| deadlines_with(book, h, as_of))
        .collect()
}

fn in_range(field: &'static str, date: NaiveDate) -> Result<NaiveDate, NrmError> {
    if (1971..=2100).contains(&date.year()) {
        Ok(date)
    } else {
        Err(NrmError::DateOutOfRange { field, date })
    }
}

fn plus(date: NaiveDate, days: u32) -> NaiveDate {
    // Saturates at the end of chrono's range; dates are already checked to lie in 1971–2100.
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

fn calendar_days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The decision at `stage` in force on `as_of`: the original, replaced by any later
/// reconsidered decision made by then.
fn effective(
    first: Option<Decision>,
    h: &ReferralHistory,
    stage: Stage,
    as_of: NaiveDate,
) -> Option<Decision> {
    let mut current = first.filter(|d| d.on <= as_of);
    for r in &h.reconsiderations {
        if r.stage != stage {
            continue;
        }
        if let Some(d) = r.decided.filter(|d| d.on <= as_of) {
            if current.is_none_or(|c| d.on >= c.on) {
                current = Some(d);
            }
        }
    }
    current
}

fn check_history(h: &ReferralHistory) -> Result<(), NrmError> {
    in_range("referred_on", h.referred_on)?;
    let before_referral = |field: &'static str, on: NaiveDate| -> Result<(), NrmError> {
        in_range(field, on)?;
        if on < h.referred_on {
            return Err(NrmError::InvalidField {
                field,
                reason: format!("{on} is before the referral on {}", h.referred_on),
            });
        }
        Ok(())
    };
    if let Some(rg) = h.rg {
        before_referral("rg.on", rg.on)?;
    }
    if let Some(cg) = h.cg {
        before_referral("cg.on", cg.on)?;
        match h.rg {
            Some(rg) if rg.on <= cg.on => {}
            _ => {
                return Err(NrmError::InvalidField {
                    field: "cg",
                    reason:
                        "a Conclusive Grounds decision needs an earlier Reasonable Grounds decision"
                            .into(),
                });
            }
        }
    }
    for r in &h.reconsiderations {
        before_referral("reconsiderations.requested_on", r.requested_on)?;
        if let Some(d) = r.decided {
            before_referral("reconsiderations.decided.on", d.on)?;
        }
    }
    if let Some(d) = h.disqualified_on {
        before_referral("disqualified_on", d)?;
    }
    Ok(())
}

/// Deadlines for one history as of `as_of`, under `book`.
pub fn deadlines_with(
    book: &RuleBook,
    h: &ReferralHistory,
    as_of: NaiveDate,
) -> Result<Deadlines, NrmError> {
    use DayUnit::{Calendar, Working};
    check_history(h)?;
    in_range("as_of", as_of)?;
    let j = h.jurisdiction;
    if !*book.nrm_in_force.value_at(j, h.referred_on) {
        return Err(NrmError::NrmNotInForce {
            field: "referred_on",
            date: h.referred_on,
        });
    }
    if as_of < h.referred_on {
        // Nothing had happened yet: every deadline is in the future or not applicable.
        let na = |unit| Deadline::not_applicable(unit, "the as-of day is before the referral");
        return Ok(Deadlines {
            rg_due: na(Working),
            recovery_period_end: na(Calendar),
            cg_earliest: na(Calendar),
            reconsideration_window_end: na(Calendar),
            move_on_end: na(Calendar),
        });
    }

    // 1. RG due: working days from the referral.
    let rg_due = match *book.rg_target_working_days.value_at(j, h.referred_on) {
        None => Deadline::not_applicable(Working, "no RG target on the referral date"),
        Some(n) => {
            let due = add_working_days(j, h.referred_on, n)?;
            let first_rg = h.rg.filter(|d| d.on <= as_of);
            let (status, days) = match first_rg {
                Some(d) if d.on <= due => (Status::Met, working_days_between(j, d.on, due)?),
                Some(d) => (Status::Missed, -working_days_between(j, due, d.on)?),
                None if as_of <= due => (Status::Pending, working_days_between(j, as_of, due)?),
                None => (Status::Missed, -working_days_between(j, due, as_of)?),
            };
            Deadline {
                status,
                due: Some(due),
                unit: Working,
                days: Some(days),
                open_ended: false,
                basis: "RG decision target: working days after the referral",
            }
        }
    };

    let rg = effective(h.rg, h, Stage::ReasonableGrounds, as_of);
    let cg = effective(h.cg, h, Stage::ConclusiveGrounds, as_of);
    let positive_rg = rg.filter(|d| d.outcome == Outcome::Positive);

    // 2. Recovery period end.
    let recovery_period_end = match positive_rg {
        None => Deadline::not_applicable(Calendar, "no positive RG decision"),
        Some(rgd) => match *book.recovery_period.value_at(j, rgd.on) {
            None => Deadline::not_applicable(Calendar, "no recovery period on the RG date"),
            Some(rule) => {
                let min_end = plus(
                    rgd.on,
                    rule.days.saturating_sub(u32::from(rule.first_day_counts)),
                );
                let cg_on = cg.map(|d| d.on);
                let (mut end, mut open_ended, mut basis) = match (rule.end, cg) {
                    (RecoveryEnd::LaterOfCgAndPeriod, Some(c)) => (
                        min_end.max(c.on),
                        false,
                        "the later of the CG decision and the minimum period",
                    ),
                    (RecoveryEnd::LaterOfCgAndPeriod, None) => (
                        min_end,
                        true,
                        "at least the minimum period, and until the CG decision",
                    ),
                    (RecoveryEnd::EarlierOfCgAndPeriod, _) => (
                        cg_on.map_or(min_end, |c| c.min(min_end)),
                        false,
                        "the earlier of the end of the period and the CG decision",
                    ),
                    (RecoveryEnd::UntilCgOrPeriodIfPositive, Some(c)) => {
                        if c.outcome == Outcome::Positive && c.on <= min_end {
                            (
                                min_end,
                                false,
                                "a positive CG within the period: support to its end",
                            )
                        } else {
                            (c.on, false, "until the CG decision")
                        }
                    }
                    (RecoveryEnd::UntilCgOrPeriodIfPositive, None) => (
                        min_end,
                        true,
                        "at least the period, and until the CG decision",
                    ),
                };
                let disqualified = h.disqualified_on.filter(|dq| {
                    *dq <= as_of
                        && *dq >= rgd.on
                        && (open_ended || *dq < end)
                        && *book.public_order_disqualification.value_at(j, *dq)
                });
                if let Some(dq) = disqualified {
                    end = dq;
                    open_ended = false;
                    basis = "ended by a public-order disqualification (NABA 2022 s.63)";
                }
                let days = calendar_days(as_of, end);
                let status = if open_ended || as_of <= end {
                    Status::Pending
                } else {
                    Status::Met
                };
                Deadline {
                    status,
                    due: Some(end),
                    unit: Calendar,
                    days: Some(days),
                    open_ended,
                    basis,
                }
            }
        },
    };

    // 3. Earliest CG.
    let cg_earliest = match positive_rg {
        None => Deadline::not_applicable(Calendar, "no positive RG decision"),
        Some(rgd) => match *book.cg_earliest_days.value_at(j, rgd.on) {
            None => Deadline::not_applicable(Calendar, "no earliest-CG rule on the RG date"),
            Some(n) => {
                let earliest = plus(rgd.on, n);
                let (status, days, basis) = match cg {
                    Some(c) if c.on >= earliest => (
                        Status::Met,
                        calendar_days(c.on, earliest),
                        "CG made on or after the earliest day",
                    ),
                    Some(c) => (
                        Status::Missed,
                        calendar_days(c.on, earliest),
                        "CG made before the earliest day",
                    ),
                    None if as_of < earliest => (
                        Status::Pending,
                        calendar_days(as_of, earliest),
                        "no CG may be made before this day",
                    ),
                    None => (
                        Status::Met,
                        calendar_days(as_of, earliest),
                        "the earliest day has passed: the CG is awaited",
                    ),
                };
                Deadline {
                    status,
                    due: Some(earliest),
                    unit: Calendar,
                    days: Some(days),
                    open_ended: false,
                    basis,
                }
            }
        },
    };

    // 4. Reconsideration window of the latest decision, if negative.
    let latest = match cg {
        Some(c) => Some((Stage::ConclusiveGrounds, c)),
        None => rg.map(|r| (Stage::ReasonableGrounds, r)),
    };
    let reconsideration_window_end = match latest {
        None => Deadline::not_applicable(Calendar, "no decision yet"),
        Some((_, d)) if d.outcome == Outcome::Positive => {
            Deadline::not_applicable(Calendar, "the latest decision is positive")
        }
        Some((stage, d)) => match *book.reconsideration_days.value_at(j, d.on) {
            None => {
                Deadline::not_applicable(Calendar, "no reconsideration window on the decision date")
            }
            Some(n) => {
                let end = plus(d.on, n);
                let request = h
                    .reconsiderations
                    .iter()
                    .filter(|r| {
                        r.stage == stage && r.requested_on >= d.on && r.requested_on <= as_of
                    })
                    .map(|r| r.requested_on)
                    .min();
                let (status, days) = match request {
                    Some(r) if r <= end => (Status::Met, calendar_days(r, end)),
                    Some(r) => (Status::Missed, calendar_days(r, end)),
                    None if as_of <= end => (Status::Pending, calendar_days(as_of, end)),
                    None => (Status::Missed, calendar_days(as_of, end)),
                };
                Deadline {
                    status,
                    due: Some(end),
                    unit: Calendar,
                    days: Some(days),
                    open_ended: false,
                    basis: "request reconsideration of the negative decision within the window",
                }
            }
        },
    };

    // 5. Move-on support after a positive CG.
    let move_on_end = match cg.filter(|c| c.outcome == Outcome::Positive) {
        None => Deadline::not_applicable(Calendar, "no positive CG decision"),
        Some(_) if h.is_child => {
            Deadline::not_applicable(Calendar, "children are supported by the local authority")
        }
        Some(c) => match *book.move_on.value_at(j, c.on) {
            MoveOn::Days(n) => {
                let end = plus(c.on, n);
                Deadline {
                    status: if as_of <= end {
                        Status::Pending
                    } else {
                        Status::Met
                    },
                    due: Some(end),
                    unit: Calendar,
                    days: Some(calendar_days(as_of, end)),
                    open_ended: false,
                    basis: "move-on support: calendar days after the positive CG",
                }
            }
            MoveOn::Discretionary => Deadline::not_applicable(
                Calendar,
                "move-on support is discretionary here: no fixed end",
            ),
            MoveOn::NotProvided => {
                Deadline::not_applicable(Calendar, "no move-on support on the CG date")
            }
        },
    };

    Ok(Deadlines {
        rg_due,
        recovery_period_end,
        cg_earliest,
        reconsideration_window_end,
        move_on_end,
    })
}
