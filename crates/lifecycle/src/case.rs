//! A case: the fold of its events into the stage and the tracks, the guards every event passes,
//! and the append-only log that keeps the events and their fold together.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aftercare::{self, AftercareState};
use crate::error::{Guard, MachineState, ReplayError, TransitionError};
use crate::event::{Event, EventKind, Step, Track};
use crate::ids::{ClaimId, FacilityId, SuspectId};
use crate::justice::{
    self, AdvocacyState, Claim, ClaimState, ClaimStep, Prosecution, ProsecutionState,
    ProsecutionStep,
};
use crate::nrm_track::{self, NrmState};
use crate::reason::Reason;
use crate::stage::{self, EndedCase, Ending, HtcdsCaseStatus, Rescue, Stage, StageStep};

/// Where a case stands: the fold of its accepted events. Built only by applying events, so every
/// value satisfies the guards (its fields are private for that reason; read it through the query
/// methods).
///
/// [`CaseState::default`] is the state before any event ("unopened"). Serialises to JSON for
/// display (see docs/lifecycle.md); it is not deserialisable: to restore a case, replay its events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CaseState {
    opened_on: Option<NaiveDate>,
    stage: Option<Stage>,
    stage_since: Option<NaiveDate>,
    rescue: Option<Rescue>,
    ended: Option<EndedCase>,
    last_ended_on: Option<NaiveDate>,
    last_event_on: Option<NaiveDate>,
    nrm: NrmState,
    nrm_since: Option<NaiveDate>,
    aftercare: AftercareState,
    aftercare_since: Option<NaiveDate>,
    advocacy: AdvocacyState,
    advocacy_since: Option<NaiveDate>,
    prosecutions: BTreeMap<SuspectId, Prosecution>,
    claims: BTreeMap<ClaimId, Claim>,
}

fn before(since: Option<NaiveDate>, date: NaiveDate) -> bool {
    since.is_some_and(|since| date < since)
}

impl CaseState {
    /// The state before any event: unopened.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event if every guard passes. On refusal the state is unchanged.
    pub fn apply(&mut self, event: &Event) -> Result<(), TransitionError> {
        let mut next = self.clone();
        // Working on a copy means a guard failing half-way can never leave a half-applied state.
        next.step(event)?;
        *self = next;
        Ok(())
    }

    /// Whether [`CaseState::apply`] would accept the event, without applying it.
    pub fn check(&self, event: &Event) -> Result<(), TransitionError> {
        self.clone().step(event)
    }

    fn step(&mut self, event: &Event) -> Result<(), TransitionError> {
        let kind: EventKind = event.kind;
        let date = event.date;
        let refuse = |state: MachineState, guard: Guard| TransitionError {
            state,
            attempted: kind,
            guard,
        };
        let step = kind.step();

        let (Some(opened_on), Some(stage)) = (self.opened_on, self.stage) else {
            if step != Step::Stage(StageStep::Opened) {
                return Err(refuse(MachineState::Unopened, Guard::CaseNotOpened));
            }
            self.opened_on = Some(date);
            self.stage = Some(Stage::Reported);
            self.stage_since = Some(date);
            self.last_event_on = Some(date);
            return Ok(());
        };
        let at_stage = MachineState::Stage { stage };
        if step == Step::Stage(StageStep::Opened) {
            return Err(refuse(at_stage, Guard::AlreadyOpened));
        }
        if date < opened_on {
            return Err(refuse(at_stage, Guard::BeforeOpening));
        }
        if before(self.last_ended_on, date) {
            return Err(refuse(at_stage, Guard::DatedBeforeClosure));
        }
        let reopening = step == Step::Stage(StageStep::Reopened);
        if stage.is_ended() && !reopening {
            return Err(refuse(at_stage, Guard::CaseEnded));
        }
        if !stage.is_ended() && reopening {
            return Err(refuse(at_stage, Guard::NotEnded));
        }
        if kind.needs_reason() && event.reason.as_ref().is_none_or(Reason::is_blank) {
            return Err(refuse(at_stage, Guard::ReasonRequired));
        }
        if !matches!(step, Step::Stage(_)) {
            let Some(rescue) = self.rescue else {
                return Err(refuse(at_stage, Guard::RequiresRescue));
            };
            if date < rescue.on {
                return Err(refuse(at_stage, Guard::BeforeRescue));
            }
        }

        match step {
            Step::Stage(StageStep::Reopened) => {
                let Some(ended) = self.ended else {
                    return Err(refuse(at_stage, Guard::NotEnded));
                };
                if before(self.stage_since, date) {
                    return Err(refuse(at_stage, Guard::OutOfOrder));
                }
                self.stage = Some(ended.from);
                self.ended = None;
                self.stage_since = Some(date);
            }
            Step::Stage(s) => {
                let next = stage::advance(stage, s).map_err(|g| refuse(at_stage, g))?;
                if let StageStep::Closed(reason) = s {
                    if self.aftercare.has_open_placement() && !reason.allows_open_placement() {
                        return Err(refuse(at_stage, Guard::OpenPlacement));
                    }
                }
                if before(self.stage_since, date) {
                    return Err(refuse(at_stage, Guard::OutOfOrder));
                }
                let ending = match s {
                    StageStep::Closed(closure_reason) => Some(Ending::Closed { closure_reason }),
                    StageStep::NotPursued(not_pursued_reason) => {
                        Some(Ending::NotPursued { not_pursued_reason })
                    }
                    _ => None,
                };
                if let Some(ending) = ending {
                    if before(self.last_event_on, date) {
                        return Err(refuse(at_stage, Guard::CloseBeforeLastEvent));
                    }
                    self.ended = Some(EndedCase {
                        ending,
                        from: stage,
                        on: date,
                    });
                    self.last_ended_on = Some(date);
                }
                if let StageStep::Rescued(origin) = s {
                    self.rescue = Some(Rescue { on: date, origin });
                }
                self.stage = Some(next);
                self.stage_since = Some(date);
            }
            Step::Nrm(n) => {
                let at = MachineState::Nrm { nrm: self.nrm };
                let next = nrm_track::advance(self.nrm, n).map_err(|g| refuse(at, g))?;
                if before(self.nrm_since, date) {
                    return Err(refuse(at, Guard::OutOfOrder));
                }
                self.nrm = next;
                self.nrm_since = Some(date);
            }
            Step::Aftercare(a) => {
                let at = MachineState::Aftercare {
                    aftercare: self.aftercare,
                };
                let next = aftercare::advance(self.aftercare, a).map_err(|g| refuse(at, g))?;
                if before(self.aftercare_since, date) {
                    return Err(refuse(at, Guard::OutOfOrder));
                }
                self.aftercare = next;
                self.aftercare_since = Some(date);
            }
            Step::Advocacy(a) => {
                let at = MachineState::Advocacy {
                    advocacy: self.advocacy,
                };
                let next =
                    justice::advance_advocacy(self.advocacy, a).map_err(|g| refuse(at, g))?;
                if before(self.advocacy_since, date) {
                    return Err(refuse(at, Guard::OutOfOrder));
                }
                self.advocacy = next;
                self.advocacy_since = Some(date);
            }
            Step::Prosecution(suspect, p) => {
                let existing = self.prosecutions.get(&suspect).copied();
                let at = MachineState::Prosecution {
                    suspect,
                    state: existing.map(|e| e.state),
                };
                let state = match existing {
                    None if p == ProsecutionStep::Reported => ProsecutionState::Reported,
                    None => return Err(refuse(at, Guard::UnknownProsecution)),
                    Some(current) => {
                        let next = justice::advance_prosecution(current.state, p)
                            .map_err(|g| refuse(at, g))?;
                        if date < current.since {
                            return Err(refuse(at, Guard::OutOfOrder));
                        }
                        next
                    }
                };
                self.prosecutions
                    .insert(suspect, Prosecution { state, since: date });
            }
            Step::Claim(claim, c) => {
                let existing = self.claims.get(&claim).copied();
                let at = MachineState::Claim {
                    claim,
                    state: existing.map(|e| e.state),
                };
                let record = match (existing, c) {
                    (None, ClaimStep::Lodged(forum)) => {
                        if forum.needs_conviction() && !self.has_conviction() {
                            return Err(refuse(at, Guard::OrderNeedsConviction));
                        }
                        Claim {
                            forum,
                            state: ClaimState::Lodged,
                            since: date,
                        }
                    }
                    (None, _) => return Err(refuse(at, Guard::UnknownClaim)),
                    (Some(current), c) => {
                        let state =
                            justice::advance_claim(&current, c).map_err(|g| refuse(at, g))?;
                        if date < current.since {
                            return Err(refuse(at, Guard::OutOfOrder));
                        }
                        Claim {
                            state,
                            since: date,
                            ..current
                        }
                    }
                };
                self.claims.insert(claim, record);
            }
        }
        self.last_event_on = Some(self.last_event_on.map_or(date, |last| last.max(date)));
        Ok(())
    }

    /// Whether the case has been opened (it has at least one event).
    pub fn is_opened(&self) -> bool {
        self.opened_on.is_some()
    }

    /// The opening date: no event may be dated before it.
    pub fn opened_on(&self) -> Option<NaiveDate> {
        self.opened_on
    }

    /// The current stage; `None` before the case is opened.
    pub fn stage(&self) -> Option<Stage> {
        self.stage
    }

    /// The date the case entered its current stage.
    pub fn stage_since(&self) -> Option<NaiveDate> {
        self.stage_since
    }

    /// Opened and neither closed nor not pursued.
    pub fn is_open(&self) -> bool {
        self.stage.is_some_and(|s| !s.is_ended())
    }

    /// Closed or not pursued: only a reopen is accepted.
    pub fn is_ended(&self) -> bool {
        self.stage.is_some_and(Stage::is_ended)
    }

    /// How, when and from which stage the case ended, while it is ended.
    pub fn ended(&self) -> Option<&EndedCase> {
        self.ended.as_ref()
    }

    /// The rescue (date and origin), once rescued. A reopen does not undo it.
    pub fn rescue(&self) -> Option<Rescue> {
        self.rescue
    }

    /// Whether the person has been rescued (or self-presented), even if the case is now closed.
    pub fn is_rescued(&self) -> bool {
        self.rescue.is_some()
    }

    /// The rescue date.
    pub fn rescued_on(&self) -> Option<NaiveDate> {
        self.rescue.map(|r| r.on)
    }

    /// The date of the latest event (by effective date, not by order of recording).
    pub fn last_event_on(&self) -> Option<NaiveDate> {
        self.last_event_on
    }

    /// The NRM track's state.
    pub fn nrm(&self) -> NrmState {
        self.nrm
    }

    /// The date the NRM track entered its current state.
    pub fn nrm_since(&self) -> Option<NaiveDate> {
        self.nrm_since
    }

    /// The aftercare track's state.
    pub fn aftercare(&self) -> AftercareState {
        self.aftercare
    }

    /// The date the aftercare track entered its current state.
    pub fn aftercare_since(&self) -> Option<NaiveDate> {
        self.aftercare_since
    }

    /// Whether the person lives at a facility now.
    pub fn has_open_placement(&self) -> bool {
        self.aftercare.has_open_placement()
    }

    /// The facility the person lives at now, if placed.
    pub fn placed_at(&self) -> Option<FacilityId> {
        self.aftercare.placed_at()
    }

    /// Whether the person asked for, declined or was not yet asked about advocacy.
    pub fn advocacy(&self) -> AdvocacyState {
        self.advocacy
    }

    /// The date of the latest advocacy answer.
    pub fn advocacy_since(&self) -> Option<NaiveDate> {
        self.advocacy_since
    }

    /// Every prosecution, by suspect.
    pub fn prosecutions(&self) -> &BTreeMap<SuspectId, Prosecution> {
        &self.prosecutions
    }

    /// One suspect's prosecution.
    pub fn prosecution(&self, suspect: SuspectId) -> Option<&Prosecution> {
        self.prosecutions.get(&suspect)
    }

    /// Whether any prosecution ended in a conviction.
    pub fn has_conviction(&self) -> bool {
        self.prosecutions
            .values()
            .any(|p| p.state == ProsecutionState::Convicted)
    }

    /// Every compensation claim, by id.
    pub fn claims(&self) -> &BTreeMap<ClaimId, Claim> {
        &self.claims
    }

    /// One claim.
    pub fn claim(&self, claim: ClaimId) -> Option<&Claim> {
        self.claims.get(&claim)
    }

    /// The tracks with work in progress, in a stable order: NRM (referral running), aftercare
    /// (from needs assessment to exit), then unfinished prosecutions and claims. The stage line and
    /// the advocacy answer are not tracks with an end, so they are never listed.
    pub fn open_tracks(&self) -> Vec<Track> {
        let mut open = Vec::new();
        if self.nrm.is_open() {
            open.push(Track::Nrm);
        }
        if self.aftercare.is_open() {
            open.push(Track::Aftercare);
        }
        open.extend(
            self.prosecutions
                .iter()
                .filter(|(_, p)| p.state.is_open())
                .map(|(&suspect, _)| Track::Prosecution { suspect }),
        );
        open.extend(
            self.claims
                .iter()
                .filter(|(_, c)| c.state.is_open())
                .map(|(&claim, _)| Track::Claim { claim }),
        );
        open
    }

    /// The HTCDS `cas_Status` of the case; `None` before it is opened.
    pub fn htcds_status(&self) -> Option<HtcdsCaseStatus> {
        Some(match self.stage? {
            Stage::Closed => match self.ended.map(|e| e.ending) {
                Some(Ending::Closed {
                    closure_reason: stage::ClosureReason::TransferredToOtherOrganisation,
                }) => HtcdsCaseStatus::ClosedReferred,
                _ => HtcdsCaseStatus::Closed,
            },
            Stage::NotPursued => HtcdsCaseStatus::Closed,
            Stage::MovingOn => HtcdsCaseStatus::FollowUp,
            Stage::Reported
            | Stage::Assessing
            | Stage::RescuePlanned
            | Stage::Rescued
            | Stage::InSupport => HtcdsCaseStatus::Active,
        })
    }
}

/// Folds events into a state from scratch. Replaying the events a state accepted reproduces it
/// exactly; a list holding a refused event is an error naming that event's position.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<CaseState, ReplayError> {
    let mut state = CaseState::new();
    for (index, event) in events.into_iter().enumerate() {
        state
            .apply(event)
            .map_err(|error| ReplayError { index, error })?;
    }
    Ok(state)
}

/// A case's append-only event log together with its fold: what the core stores (the events) and
/// what it reads (the state).
///
/// JSON: the array of its events. Deserialising replays them, so a log whose events the
/// machines refuse does not deserialise.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<Event>", into = "Vec<Event>")]
pub struct Case {
    events: Vec<Event>,
    state: CaseState,
}

impl Case {
    /// An empty log: the next event must open the case.
    pub fn new() -> Self {
        Self::default()
    }

    /// A log holding one `opened` event.
    pub fn open(event: Event) -> Result<Self, TransitionError> {
        let mut case = Self::new();
        case.record(event)?;
        Ok(case)
    }

    /// Rebuilds a case from its stored events.
    pub fn replay(events: Vec<Event>) -> Result<Self, ReplayError> {
        let state = replay(&events)?;
        Ok(Self { events, state })
    }

    /// Appends the event if every guard passes and returns the new state; otherwise nothing changes.
    pub fn record(&mut self, event: Event) -> Result<&CaseState, TransitionError> {
        self.state.apply(&event)?;
        self.events.push(event);
        Ok(&self.state)
    }

    /// Whether [`Case::record`] would accept the event, without recording it.
    pub fn check(&self, event: &Event) -> Result<(), TransitionError> {
        self.state.check(event)
    }

    /// The accepted events, in the order recorded.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The fold of the events.
    pub fn state(&self) -> &CaseState {
        &self.state
    }

    /// Timeline lines for every event, in the order recorded (see [`Event::describe`]).
    pub fn timeline(&self) -> Vec<String> {
        self.events.iter().map(Event::describe).collect()
    }

    /// Gives the events back, e.g. to store them.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}

impl TryFrom<Vec<Event>> for Case {
    type Error = ReplayError;

    fn try_from(events: Vec<Event>) -> Result<Self, Self::Error> {
        Self::replay(events)
    }
}

impl From<Case> for Vec<Event> {
    fn from(case: Case) -> Self {
        case.events
    }
}
