//! The justice track: whether the person asked for the NGO's advocacy, one prosecution per
//! suspect, and any number of compensation claims.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Guard;

/// Whether the person asked for the NGO's advocacy (the basis of the "share of rescued people
/// who request assistance" figure). JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvocacyState {
    /// Not asked yet (the starting state).
    #[default]
    NotAsked,
    /// The person requested advocacy.
    Requested,
    /// The person declined advocacy.
    Declined,
}

impl AdvocacyState {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            AdvocacyState::NotAsked => "not_asked",
            AdvocacyState::Requested => "requested",
            AdvocacyState::Declined => "declined",
        }
    }
}

impl fmt::Display for AdvocacyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the prosecution of one suspect stands. JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProsecutionState {
    /// The offence against the person was reported to police.
    Reported,
    /// Police are investigating.
    UnderInvestigation,
    /// The suspect was charged.
    Charged,
    /// The trial has started.
    AtTrial,
    /// The suspect was convicted.
    Convicted,
    /// The suspect was acquitted.
    Acquitted,
    /// No further action (before a charge), or the charge was discontinued.
    NoFurtherAction,
}

impl ProsecutionState {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProsecutionState::Reported => "reported",
            ProsecutionState::UnderInvestigation => "under_investigation",
            ProsecutionState::Charged => "charged",
            ProsecutionState::AtTrial => "at_trial",
            ProsecutionState::Convicted => "convicted",
            ProsecutionState::Acquitted => "acquitted",
            ProsecutionState::NoFurtherAction => "no_further_action",
        }
    }

    /// True until a verdict or no further action.
    pub const fn is_open(self) -> bool {
        !matches!(
            self,
            ProsecutionState::Convicted
                | ProsecutionState::Acquitted
                | ProsecutionState::NoFurtherAction
        )
    }
}

impl fmt::Display for ProsecutionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trial's verdict. JSON: `"convicted"` / `"acquitted"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Guilty.
    Convicted,
    /// Not guilty.
    Acquitted,
}

/// One suspect's prosecution: its state and the date it entered that state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Prosecution {
    /// Where it stands.
    pub state: ProsecutionState,
    /// Since when (the date of its latest event).
    pub since: NaiveDate,
}

/// Where a compensation claim is brought. JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimForum {
    /// The Criminal Injuries Compensation Authority.
    CriminalInjuriesCompensation,
    /// An employment tribunal (unpaid wages, unlawful deductions).
    EmploymentTribunal,
    /// A civil claim against the perpetrator.
    CivilCourt,
    /// A compensation order sought at the perpetrator's sentencing: needs a conviction.
    CompensationOrder,
    /// A slavery and trafficking reparation order (Modern Slavery Act 2015 s.8): needs a
    /// conviction.
    ReparationOrder,
    /// Anything else.
    Other,
}

impl ClaimForum {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimForum::CriminalInjuriesCompensation => "criminal_injuries_compensation",
            ClaimForum::EmploymentTribunal => "employment_tribunal",
            ClaimForum::CivilCourt => "civil_court",
            ClaimForum::CompensationOrder => "compensation_order",
            ClaimForum::ReparationOrder => "reparation_order",
            ClaimForum::Other => "other",
        }
    }

    /// Orders made by a criminal court on sentencing, which exist only after a conviction.
    pub const fn needs_conviction(self) -> bool {
        matches!(
            self,
            ClaimForum::CompensationOrder | ClaimForum::ReparationOrder
        )
    }

    /// Forums where the parties may settle instead of awaiting a decision (a tariff scheme and a
    /// court's order on sentencing are decided, not negotiated).
    pub const fn can_settle(self) -> bool {
        matches!(
            self,
            ClaimForum::EmploymentTribunal | ClaimForum::CivilCourt | ClaimForum::Other
        )
    }
}

/// Where a compensation claim stands. JSON: a snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimState {
    /// Lodged; awaiting an outcome.
    Lodged,
    /// Compensation was awarded; awaiting payment.
    Awarded,
    /// The claim was rejected.
    Rejected,
    /// The parties settled; awaiting payment.
    Settled,
    /// The award or settlement was paid.
    Paid,
    /// The claimant withdrew the claim.
    Withdrawn,
}

impl ClaimState {
    /// The snake_case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimState::Lodged => "lodged",
            ClaimState::Awarded => "awarded",
            ClaimState::Rejected => "rejected",
            ClaimState::Settled => "settled",
            ClaimState::Paid => "paid",
            ClaimState::Withdrawn => "withdrawn",
        }
    }

    /// True until the claim is paid, rejected or withdrawn.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            ClaimState::Lodged | ClaimState::Awarded | ClaimState::Settled
        )
    }
}

impl fmt::Display for ClaimState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One compensation claim: where it was brought, its state, and the date it entered that state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Claim {
    /// Where it was brought.
    pub forum: ClaimForum,
    /// Where it stands.
    pub state: ClaimState,
    /// Since when (the date of its latest event).
    pub since: NaiveDate,
}

/// An advocacy event, as the track machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdvocacyStep {
    Requested,
    Declined,
}

/// People change their minds both ways; only repeating the current answer is refused, so that the
/// timeline holds changes, not noise.
pub(crate) fn advance_advocacy(
    current: AdvocacyState,
    step: AdvocacyStep,
) -> Result<AdvocacyState, Guard> {
    let next = match step {
        AdvocacyStep::Requested => AdvocacyState::Requested,
        AdvocacyStep::Declined => AdvocacyState::Declined,
    };
    if next == current {
        Err(Guard::AdvocacyUnchanged)
    } else {
        Ok(next)
    }
}

/// A prosecution event, as the track machine sees it. `Reported` creates the prosecution, so the
/// case handles it; the others advance an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProsecutionStep {
    Reported,
    InvestigationOpened,
    Charged,
    TrialStarted,
    Verdict(Verdict),
    NoFurtherAction,
}

/// The prosecution edges (see docs/lifecycle.md).
pub(crate) fn advance_prosecution(
    current: ProsecutionState,
    step: ProsecutionStep,
) -> Result<ProsecutionState, Guard> {
    use ProsecutionState as S;
    use ProsecutionStep as E;
    match (step, current) {
        // Police reopen investigations when new evidence appears after no further action.
        (E::InvestigationOpened, S::Reported | S::NoFurtherAction) => Ok(S::UnderInvestigation),
        (E::Charged, S::UnderInvestigation) => Ok(S::Charged),
        (E::TrialStarted, S::Charged) => Ok(S::AtTrial),
        (E::Verdict(Verdict::Convicted), S::AtTrial) => Ok(S::Convicted),
        (E::Verdict(Verdict::Acquitted), S::AtTrial) => Ok(S::Acquitted),
        (E::NoFurtherAction, S::Reported | S::UnderInvestigation | S::Charged) => {
            Ok(S::NoFurtherAction)
        }
        (E::Reported, _) => Err(Guard::ProsecutionExists),
        _ => Err(Guard::ProsecutionOrder),
    }
}

/// A claim event, as the track machine sees it. `Lodged` creates the claim, so the case handles
/// it; the others advance an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimStep {
    Lodged(ClaimForum),
    Awarded,
    Rejected,
    Settled,
    Paid,
    Withdrawn,
}

/// The claim edges (see docs/lifecycle.md).
pub(crate) fn advance_claim(claim: &Claim, step: ClaimStep) -> Result<ClaimState, Guard> {
    use ClaimState as S;
    use ClaimStep as E;
    match (step, claim.state) {
        (E::Lodged(_), _) => Err(Guard::ClaimExists),
        (E::Settled, S::Lodged) if !claim.forum.can_settle() => {
            Err(Guard::SettlementNeedsCivilForum)
        }
        (E::Awarded, S::Lodged) => Ok(S::Awarded),
        (E::Rejected, S::Lodged) => Ok(S::Rejected),
        (E::Settled, S::Lodged) => Ok(S::Settled),
        (E::Withdrawn, S::Lodged) => Ok(S::Withdrawn),
        (E::Paid, S::Awarded | S::Settled) => Ok(S::Paid),
        _ => Err(Guard::ClaimOrder),
    }
}
