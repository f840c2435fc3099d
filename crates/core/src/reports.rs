//! Aggregate reports for a period, as of a day, and the [`Share`] every rate is printed with.
//!
//! Shares are printed to two decimals rounded half up, with integer arithmetic (no binary
//! floating point, so 25 of 32 is exactly 78.125% and prints as 78.13%), and always carry their
//! numerator and denominator so that a reader can check them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Operation;
use crate::campaign::{CommunityGroup, TrainingSession};
use crate::cases::Case;
use crate::error::{CoreError, Result};
use crate::facilities::Facility;
use crate::followups::{Followup, Timeliness};
use crate::intel::{Dissemination, IntelligenceReport, Source};
use crate::justice::Claim;
use crate::lifecycle::{AdvocacyState, CaseState, NrmState, Outcome, ProsecutionState, Track};
use crate::people::{Person, PersonDetails};
use crate::records::{self, Record};
use crate::referrals::NrmReferral;
use crate::rescues::Rescue;
use crate::unchain::Unchain;
use crate::users::Actor;

/// A rate: `numerator` of `denominator`, with the percentage printed to two decimals rounded
/// half up. `percent` is `None` when the denominator is zero (no rate to speak of).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// How many have the property (e.g. rescued people who asked for advocacy).
    pub numerator: u64,
    /// Out of how many.
    pub denominator: u64,
    /// `"78.13%"`; `None` when the denominator is zero.
    pub percent: Option<String>,
}

impl Share {
    /// `numerator` of `denominator`.
    pub fn new(numerator: u64, denominator: u64) -> Self {
        Self {
            numerator,
            denominator,
            percent: hundredths(numerator, denominator).map(format_hundredths),
        }
    }

    /// The percentage in hundredths of a percent, rounded half up (7813 for 25 of 32).
    pub fn hundredths(&self) -> Option<u128> {
        hundredths(self.numerator, self.denominator)
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.percent {
            Some(p) => write!(f, "{p} ({} of {})", self.numerator, self.denominator),
            None => write!(f, "n/a ({} of {})", self.numerator, self.denominator),
        }
    }
}

/// round_half_up(n / d × 10 000) = ⌊(20 000·n + d) / 2d⌋, exact in u128 for any u64 inputs.
fn hundredths(n: u64, d: u64) -> Option<u128> {
    if d == 0 {
        return None;
    }
    let (n, d) = (u128::from(n), u128::from(d));
    Some((20_000 * n + d) / (2 * d))
}

fn format_hundredths(h: u128) -> String {
    format!("{}.{:02}%", h / 100, h % 100)
}

/// The days a report covers (inclusive) and the day it is drawn up as of: events after
/// `as_of` are not counted, so a report for a past period can be reproduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The day the report is as of (usually `to` or today).
    pub as_of: NaiveDate,
}

impl Period {
    fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to && d <= self.as_of
    }

    fn validate(&self) -> Result<()> {
        if self.from > self.to {
            return Err(CoreError::Validation(vec![crate::error::FieldError::new(
                "to",
                "is before from",
            )]));
        }
        Ok(())
    }
}

/// A count under a label (a stage, a route, a nationality).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    /// The label (snake_case as the API spells it, or an ISO code).
    pub key: String,
    /// How many.
    pub count: u64,
}

fn counts(map: BTreeMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v
}

fn label<T: Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "other".to_owned(),
    }
}

fn track_label(t: &Track) -> &'static str {
    match t {
        Track::Stage => "stage",
        Track::Nrm => "nrm",
        Track::Aftercare => "aftercare",
        Track::Advocacy => "advocacy",
        Track::Prosecution { .. } => "prosecution",
        Track::Claim { .. } => "claim",
    }
}

/// The case's state as of a day: its events up to that day, replayed.
pub(crate) fn state_as_of(case: &Case, as_of: NaiveDate) -> CaseState {
    let mut state = CaseState::new();
    for e in case.events.iter().filter(|e| e.event.date <= as_of) {
        let _ = state.apply(&e.event);
    }
    state
}

/// Cases, tracks, intelligence and rescues for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryReport {
    /// The period.
    pub period: Period,
    /// Cases by stage as of the day (all cases opened by then).
    pub cases_by_stage: Vec<Count>,
    /// Open tracks as of the day, by kind.
    pub open_tracks: Vec<Count>,
    /// Cases opened in the period.
    pub cases_opened: u64,
    /// Intelligence reports received in the period.
    pub intelligence_received: u64,
    /// Rescues carried out in the period.
    pub rescues: u64,
    /// People rescued (cases with a rescue) in the period.
    pub people_rescued: u64,
}

/// NRM referrals for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NrmReport {
    /// The period.
    pub period: Period,
    /// Referrals made in the period.
    pub referrals: u64,
    /// By route (`nrm_referral`, `duty_to_notify`).
    pub by_route: Vec<Count>,
    /// Adult or child.
    pub by_age_group: Vec<Count>,
    /// By exploitation type of the case.
    pub by_exploitation: Vec<Count>,
    /// By first nationality (ISO 3166-1 alpha-2; `unknown`).
    pub by_nationality: Vec<Count>,
    /// Where each stands as of the day (`referred`, `rg_positive`, `cg_positive`, …).
    pub by_outcome: Vec<Count>,
    /// Reasonable Grounds decisions made within the target working days, of those decided or
    /// overdue.
    pub rg_within_target: Share,
    /// Referrals with a deadline still pending.
    pub pending: u64,
    /// Referrals with a target missed and the decision still awaited.
    pub overdue: u64,
}

/// One facility's occupancy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityOccupancy {
    /// The facility's working name.
    pub facility: String,
    /// Its region.
    pub region: String,
    /// Beds taken of beds in total (today's figures: occupancy is not kept by day).
    pub occupancy: Share,
}

/// Aftercare for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AftercareReport {
    /// The period.
    pub period: Period,
    /// Cases with an open placement as of the day.
    pub placements_open: u64,
    /// Occupancy by facility.
    pub occupancy: Vec<FacilityOccupancy>,
    /// Follow-ups due in the period done on time.
    pub followups_on_time: u64,
    /// Done late.
    pub followups_late: u64,
    /// Not done by the end of their grace period.
    pub followups_missed: u64,
    /// On time of those settled (on time, late or missed).
    pub followups_on_time_share: Share,
}

/// Justice for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JusticeReport {
    /// The period.
    pub period: Period,
    /// People rescued in the period who requested advocacy (their answer as of the day).
    pub advocacy_requested: Share,
    /// Prosecution tracks opened (reports to police) for cases rescued in the period… counted
    /// over all cases: tracks reported to police by the day.
    pub police_reports: u64,
    /// Of them, charged or beyond.
    pub charged: u64,
    /// Of them, convicted.
    pub convicted: u64,
    /// Claims lodged in the period.
    pub claims_lodged: u64,
    /// Amounts over those claims, in pence.
    pub claimed_pence: i64,
    /// Awarded.
    pub awarded_pence: i64,
    /// Paid.
    pub paid_pence: i64,
}

/// Campaign for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignReport {
    /// The period.
    pub period: Period,
    /// Community groups registered by the day.
    pub groups: u64,
    /// Of them, trained by the day.
    pub groups_trained: u64,
    /// Training sessions in the period.
    pub trainings: u64,
    /// Attendees over those sessions.
    pub people_trained: u64,
    /// Intelligence received in the period from trained groups, of all received.
    pub intelligence_from_trained_groups: Share,
    /// Of the reports from trained groups: linked to a case.
    pub led_to_cases: u64,
    /// Of the reports from trained groups: passed to police.
    pub passed_to_police: u64,
}

impl Unchain {
    fn cases_as_of(&self, as_of: NaiveDate) -> Result<Vec<(records::Entity<Case>, CaseState)>> {
        Ok(records::all::<Case>(self.backend.as_ref())?
            .into_iter()
            .map(|c| {
                let s = state_as_of(&c.data, as_of);
                (c, s)
            })
            .filter(|(_, s)| s.is_opened())
            .collect())
    }

    /// Cases by stage, open tracks, new intelligence and rescues. Aggregate: names no one.
    pub fn summary_report(&self, actor: &Actor, period: Period) -> Result<SummaryReport> {
        self.authorize(actor, Operation::ReportRead)?;
        period.validate()?;
        let mut by_stage = BTreeMap::new();
        let mut tracks = BTreeMap::new();
        let (mut opened, mut rescued) = (0, 0);
        for (_, s) in self.cases_as_of(period.as_of)? {
            if let Some(stage) = s.stage() {
                *by_stage.entry(label(&stage)).or_default() += 1;
            }
            for t in s.open_tracks() {
                *tracks.entry(track_label(&t).to_owned()).or_default() += 1;
            }
            if s.opened_on().is_some_and(|d| period.contains(d)) {
                opened += 1;
            }
            if s.rescued_on().is_some_and(|d| period.contains(d)) {
                rescued += 1;
            }
        }
        let intel = records::filter::<IntelligenceReport>(self.backend.as_ref(), |r| {
            period.contains(r.data.received_on)
        })?
        .len() as u64;
        let rescues =
            records::filter::<Rescue>(self.backend.as_ref(), |r| period.contains(r.data.date))?
                .len() as u64;
        Ok(SummaryReport {
            period,
            cases_by_stage: counts(by_stage),
            open_tracks: counts(tracks),
            cases_opened: opened,
            intelligence_received: intel,
            rescues,
            people_rescued: rescued,
        })
    }

    /// NRM referrals by route, age group, exploitation type, nationality and outcome; RG
    /// decisions within target; pending and overdue. Aggregate: names no one.
    pub fn nrm_report(&self, actor: &Actor, period: Period) -> Result<NrmReport> {
        self.authorize(actor, Operation::ReportRead)?;
        period.validate()?;
        let backend = self.backend.as_ref();
        let mut out = NrmReport {
            period,
            referrals: 0,
            by_route: Vec::new(),
            by_age_group: Vec::new(),
            by_exploitation: Vec::new(),
            by_nationality: Vec::new(),
            by_outcome: Vec::new(),
            rg_within_target: Share::new(0, 0),
            pending: 0,
            overdue: 0,
        };
        let (mut route, mut age, mut expl, mut nat, mut outcome) = (
            BTreeMap::new(),
            BTreeMap::new(),
            BTreeMap::new(),
            BTreeMap::new(),
            BTreeMap::new(),
        );
        let (mut met, mut decided_or_due) = (0u64, 0u64);
        for r in records::filter::<NrmReferral>(backend, |r| period.contains(r.data.referred_on))? {
            out.referrals += 1;
            *route.entry(label(&r.data.route)).or_default() += 1;
            *age.entry(if r.data.is_child { "child" } else { "adult" }.to_owned())
                .or_default() += 1;
            if let Some(case) = records::find::<Case>(backend, r.data.case_id)? {
                for e in &case.data.exploitation {
                    *expl.entry(label(e)).or_default() += 1;
                }
                let n = self
                    .nationality(case.data.person_id)?
                    .unwrap_or_else(|| "unknown".to_owned());
                *nat.entry(n).or_default() += 1;
            }
            let state = outcome_label(&r.data, period.as_of);
            *outcome.entry(state.to_owned()).or_default() += 1;
            if let Ok(d) = crate::nrm::deadlines(&r.data.history_for_deadlines(), period.as_of) {
                use crate::nrm::Status;
                match d.rg_due.status {
                    Status::Met => {
                        met += 1;
                        decided_or_due += 1;
                    }
                    Status::Missed => decided_or_due += 1,
                    _ => {}
                }
                let all = [
                    d.rg_due,
                    d.recovery_period_end,
                    d.cg_earliest,
                    d.reconsideration_window_end,
                    d.move_on_end,
                ];
                if all.iter().any(|x| x.status == Status::Pending) {
                    out.pending += 1;
                }
                let awaiting = r.data.cg.is_none();
                if awaiting && d.rg_due.status == Status::Missed && r.data.rg.is_none() {
                    out.overdue += 1;
                }
            }
        }
        out.by_route = counts(route);
        out.by_age_group = counts(age);
        out.by_exploitation = counts(expl);
        out.by_nationality = counts(nat);
        out.by_outcome = counts(outcome);
        out.rg_within_target = Share::new(met, decided_or_due);
        Ok(out)
    }

    fn nationality(&self, person_id: uuid::Uuid) -> Result<Option<String>> {
        let Some(p) = records::find::<Person>(self.backend.as_ref(), person_id)? else {
            return Ok(None);
        };
        let Some(sealed) = &p.data.details else {
            return Ok(None);
        };
        let d: Option<PersonDetails> = self.unseal(sealed, Person::KIND, person_id, "details")?;
        Ok(d.and_then(|d| d.nationalities.first().cloned()))
    }

    /// Open placements, occupancy by facility and follow-ups on time, late and missed.
    pub fn aftercare_report(&self, actor: &Actor, period: Period) -> Result<AftercareReport> {
        self.authorize(actor, Operation::ReportRead)?;
        period.validate()?;
        let backend = self.backend.as_ref();
        let placements_open = self
            .cases_as_of(period.as_of)?
            .iter()
            .filter(|(_, s)| s.has_open_placement())
            .count() as u64;
        let mut occupancy: Vec<FacilityOccupancy> = records::all::<Facility>(backend)?
            .into_iter()
            .map(|f| FacilityOccupancy {
                facility: f.data.name,
                region: f.data.region,
                occupancy: Share::new(u64::from(f.data.occupancy), u64::from(f.data.capacity)),
            })
            .collect();
        occupancy.sort_by(|a, b| {
            a.region
                .cmp(&b.region)
                .then_with(|| a.facility.cmp(&b.facility))
        });
        let (mut on_time, mut late, mut missed) = (0, 0, 0);
        for f in records::filter::<Followup>(backend, |f| period.contains(f.data.due_on))? {
            match f.data.timeliness(period.as_of) {
                Some(Timeliness::OnTime) => on_time += 1,
                Some(Timeliness::Late) => late += 1,
                Some(Timeliness::Missed) => missed += 1,
                None => {}
            }
        }
        Ok(AftercareReport {
            period,
            placements_open,
            occupancy,
            followups_on_time: on_time,
            followups_late: late,
            followups_missed: missed,
            followups_on_time_share: Share::new(on_time, on_time + late + missed),
        })
    }

    /// Advocacy requested by people rescued, police reports, charges, convictions and
    /// compensation claimed, awarded and paid.
    pub fn justice_report(&self, actor: &Actor, period: Period) -> Result<JusticeReport> {
        self.authorize(actor, Operation::ReportRead)?;
        period.validate()?;
        let (mut rescued, mut requested) = (0, 0);
        let (mut reports, mut charged, mut convicted) = (0, 0, 0);
        for (_, s) in self.cases_as_of(period.as_of)? {
            if s.rescued_on().is_some_and(|d| period.contains(d)) {
                rescued += 1;
                if s.advocacy() == AdvocacyState::Requested {
                    requested += 1;
                }
            }
            for p in s.prosecutions().values() {
                reports += 1;
                match p.state {
                    ProsecutionState::Charged
                    | ProsecutionState::AtTrial
                    | ProsecutionState::Acquitted => charged += 1,
                    ProsecutionState::Convicted => {
                        charged += 1;
                        convicted += 1;
                    }
                    _ => {}
                }
            }
        }
        let claims =
            records::filter::<Claim>(self.backend.as_ref(), |c| period.contains(c.data.lodged_on))?;
        Ok(JusticeReport {
            period,
            advocacy_requested: Share::new(requested, rescued),
            police_reports: reports,
            charged,
            convicted,
            claims_lodged: claims.len() as u64,
            claimed_pence: claims.iter().filter_map(|c| c.data.claimed_pence).sum(),
            awarded_pence: claims.iter().filter_map(|c| c.data.awarded_pence).sum(),
            paid_pence: claims.iter().filter_map(|c| c.data.paid_pence).sum(),
        })
    }

    /// Groups, people trained, intelligence from trained groups and what came of it.
    pub fn campaign_report(&self, actor: &Actor, period: Period) -> Result<CampaignReport> {
        self.authorize(actor, Operation::ReportRead)?;
        period.validate()?;
        let backend = self.backend.as_ref();
        let groups =
            records::filter::<CommunityGroup>(backend, |g| g.data.joined_on <= period.as_of)?;
        let trainings = records::all::<TrainingSession>(backend)?;
        let trained_since = |g: uuid::Uuid| {
            trainings
                .iter()
                .filter(|t| t.data.group_id == g && t.data.date <= period.as_of)
                .map(|t| t.data.date)
                .min()
        };
        let in_period: Vec<_> = trainings
            .iter()
            .filter(|t| period.contains(t.data.date))
            .collect();
        let sources = records::all::<Source>(backend)?;
        let disseminated: std::collections::BTreeSet<uuid::Uuid> =
            records::filter::<Dissemination>(backend, |d| d.data.date <= period.as_of)?
                .into_iter()
                .map(|d| d.data.report_id)
                .collect();
        let (mut all, mut trained, mut to_cases, mut to_police) = (0, 0, 0, 0);
        for r in
            records::filter::<IntelligenceReport>(backend, |r| period.contains(r.data.received_on))?
        {
            all += 1;
            let from_trained = sources
                .iter()
                .find(|s| s.id == r.data.source_id)
                .and_then(|s| s.data.group_id)
                .and_then(trained_since)
                .is_some_and(|d| d <= r.data.received_on);
            if from_trained {
                trained += 1;
                if !self.report_case_ids(backend, &r)?.is_empty() {
                    to_cases += 1;
                }
                if disseminated.contains(&r.id) {
                    to_police += 1;
                }
            }
        }
        Ok(CampaignReport {
            period,
            groups: groups.len() as u64,
            groups_trained: groups
                .iter()
                .filter(|g| trained_since(g.id).is_some())
                .count() as u64,
            trainings: in_period.len() as u64,
            people_trained: in_period.iter().map(|t| u64::from(t.data.attendees)).sum(),
            intelligence_from_trained_groups: Share::new(trained, all),
            led_to_cases: to_cases,
            passed_to_police: to_police,
        })
    }
}

fn outcome_label(r: &NrmReferral, as_of: NaiveDate) -> &'static str {
    let decided = |d: &Option<crate::referrals::DecisionRecord>| {
        d.as_ref().filter(|d| d.on <= as_of).map(|d| d.outcome)
    };
    match (decided(&r.rg), decided(&r.cg)) {
        (_, Some(Outcome::Positive)) => "cg_positive",
        (_, Some(Outcome::Negative)) => "cg_negative",
        (Some(Outcome::Positive), None) => "rg_positive",
        (Some(Outcome::Negative), None) => "rg_negative",
        (None, None) => match r.state {
            NrmState::Ended => "ended",
            _ => "awaiting_rg",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The seed's figure (domain brief): 25 of 32 is 78.125%, printed 78.13% (half up).
    #[test]
    fn examples() {
        let cases = [
            (25, 32, Some("78.13%")),
            (1, 8, Some("12.50%")),
            (1, 3, Some("33.33%")),
            (2, 3, Some("66.67%")),
            (1, 16, Some("6.25%")),
            (1, 1600, Some("0.06%")),  // 0.0625 → half up
            (1, 80000, Some("0.00%")), // 0.00125 → down
            (1, 40000, Some("0.00%")), // 0.0025 → down
            (1, 20000, Some("0.01%")), // 0.005 → half up
            (0, 5, Some("0.00%")),
            (5, 5, Some("100.00%")),
            (3, 2, Some("150.00%")),
            (0, 0, None),
        ];
        for (n, d, want) in cases {
            assert_eq!(Share::new(n, d).percent.as_deref(), want, "{n} of {d}");
        }
        assert_eq!(Share::new(25, 32).to_string(), "78.13% (25 of 32)");
        assert_eq!(
            serde_json::to_value(Share::new(25, 32)).unwrap(),
            serde_json::json!({"numerator": 25, "denominator": 32, "percent": "78.13%"})
        );
        let big = Share::new(u64::MAX, u64::MAX);
        assert_eq!(big.percent.as_deref(), Some("100.00%"));
    }

    #[test]
    fn reports_over_the_store() {
        use crate::campaign::{CommunityGroup, TrainingSession};
        use crate::cases::NewCase;
        use crate::intel::{NewReport, Source, SourceKind};
        use crate::people::PersonDetails;
        use crate::testing::{core, staff};
        let (core, _) = core();
        let actors = staff(&core);
        let admin = &actors[0];
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let group = core
            .create_group(
                admin,
                CommunityGroup {
                    name: "Car wash watch".into(),
                    area: "Leeds".into(),
                    members: 12,
                    joined_on: d("2024-01-02"),
                },
            )
            .unwrap();
        core.record_training(
            admin,
            TrainingSession {
                group_id: group.id,
                date: d("2024-02-01"),
                trainer: "Trainer".into(),
                attendees: 9,
                topic: "indicators of labour exploitation".into(),
            },
        )
        .unwrap();
        let source = core
            .create_source(
                admin,
                Source {
                    kind: SourceKind::CommunityGroup,
                    name: "Car wash watch".into(),
                    group_id: Some(group.id),
                },
            )
            .unwrap();
        let helpline = core
            .create_source(
                admin,
                Source {
                    kind: SourceKind::Helpline,
                    name: "Helpline".into(),
                    group_id: None,
                },
            )
            .unwrap();
        let report = |src: uuid::Uuid, on: &str| NewReport {
            received_on: Some(d(on)),
            source_id: src,
            narrative: "Men collected at dawn".into(),
            area: Some("Leeds".into()),
            indicators: vec![],
            age_group: None,
            exploitation_kind: None,
            identifiers: vec![],
            case_ids: vec![],
            suspect_ids: vec![],
        };
        let from_group = core
            .create_report(admin, report(source.id, "2024-03-01"))
            .unwrap();
        core.create_report(admin, report(helpline.id, "2024-03-02"))
            .unwrap();
        core.create_report(admin, report(helpline.id, "2024-05-02"))
            .unwrap();
        core.open_case(
            admin,
            NewCase {
                person: PersonDetails {
                    names: vec!["A. Person".into()],
                    nationalities: vec!["AL".into()],
                    ..Default::default()
                },
                jurisdiction: crate::nrm::Jurisdiction::EnglandAndWales,
                exploitation: vec![],
                opened_on: Some(d("2024-03-05")),
                owner: None,
                report_ids: vec![from_group.id],
            },
        )
        .unwrap();
        let march = Period {
            from: d("2024-03-01"),
            to: d("2024-03-31"),
            as_of: d("2024-03-31"),
        };
        let campaigner = actors
            .iter()
            .find(|a| a.role == crate::auth::Role::CampaignOfficer)
            .unwrap();
        let c = core.campaign_report(campaigner, march).unwrap();
        assert_eq!((c.groups, c.groups_trained, c.trainings), (1, 1, 0));
        assert_eq!(c.intelligence_from_trained_groups, Share::new(1, 2));
        assert_eq!(
            c.intelligence_from_trained_groups.percent.as_deref(),
            Some("50.00%")
        );
        assert_eq!(c.led_to_cases, 1);
        let feb = Period {
            from: d("2024-02-01"),
            to: d("2024-02-29"),
            as_of: d("2024-02-29"),
        };
        assert_eq!(core.campaign_report(admin, feb).unwrap().people_trained, 9);
        let s = core.summary_report(admin, march).unwrap();
        assert_eq!(
            (s.cases_opened, s.intelligence_received, s.rescues),
            (1, 2, 0)
        );
        assert_eq!(
            s.cases_by_stage,
            vec![Count {
                key: "reported".into(),
                count: 1
            }]
        );
        // As of a day before the case opened, it is not there.
        let early = Period {
            as_of: d("2024-03-04"),
            ..march
        };
        assert_eq!(core.summary_report(admin, early).unwrap().cases_opened, 0);
        let j = core.justice_report(admin, march).unwrap();
        assert_eq!(j.advocacy_requested.percent, None);
        let n = core.nrm_report(admin, march).unwrap();
        assert_eq!(n.referrals, 0);
        let a = core.aftercare_report(admin, march).unwrap();
        assert_eq!(a.placements_open, 0);
        let backwards = Period {
            from: d("2024-04-01"),
            ..march
        };
        assert!(matches!(
            core.summary_report(admin, backwards),
            Err(CoreError::Validation(_))
        ));
    }

    proptest! {
        /// The printed value is the exact rate rounded half up: |printed − exact| ≤ 0.005 and a
        /// tie goes up.
        #[test]
        fn rounds_half_up(n in 0u64..1_000_000, d in 1u64..1_000_000) {
            let h = Share::new(n, d).hundredths().unwrap();
            // exact = 10 000·n / d; h is the integer with h − ½ ≤ exact < h + ½.
            let (n, d) = (u128::from(n), u128::from(d));
            prop_assert!(2 * 10_000 * n >= (2 * h).saturating_sub(1) * d);
            prop_assert!(2 * 10_000 * n < (2 * h + 1) * d);
        }

        /// Printed with two decimals and a percent sign, parsing back to the hundredths.
        #[test]
        fn format(n in any::<u64>(), d in 1u64..) {
            let s = Share::new(n, d);
            let p = s.percent.clone().unwrap();
            let (int, frac) = p.trim_end_matches('%').split_once('.').unwrap();
            prop_assert_eq!(frac.len(), 2);
            let parsed: u128 = int.parse::<u128>().unwrap() * 100 + frac.parse::<u128>().unwrap();
            prop_assert_eq!(Some(parsed), s.hundredths());
        }

        /// More of the same denominator never prints less; a share of at most all is ≤ 100%.
        #[test]
        fn monotone(n in 0u64..10_000, d in 1u64..10_000) {
            let a = Share::new(n, d).hundredths().unwrap();
            let b = Share::new(n + 1, d).hundredths().unwrap();
            prop_assert!(a <= b);
            if n <= d { prop_assert!(a <= 10_000); }
        }
    }
}
