//! Batch assignment for a rescue: many people, one optimal plan.
//!
//! The objective is lexicographic: first house as many people as possible (counting dependants,
//! i.e. beds filled), then maximise the total score. It is one integer objective,
//! `BIG × beds + score` with `BIG` above any possible total score, so "optimal" is exact. See
//! `docs/placement.md` and [`search`] for the algorithms and their guarantees.

mod flow;
mod search;
mod units;

use serde::{Deserialize, Serialize};

use crate::eligibility::{Ineligibility, passes, reasons};
use crate::error::{PlacementError, Problem};
use crate::model::{Facility, Groups, Person};
use crate::score::{Score, Weights, score};
use crate::validate;

/// Default for [`AssignOptions::node_limit`].
pub const DEFAULT_NODE_LIMIT: u64 = 500;

/// Tuning for [`assign_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignOptions {
    /// Most relaxations the branch-and-bound search may solve (each is one min-cost-flow solve)
    /// before it stops and returns the best assignment found. Default [`DEFAULT_NODE_LIMIT`].
    pub node_limit: u64,
}

impl Default for AssignOptions {
    fn default() -> Self {
        Self {
            node_limit: DEFAULT_NODE_LIMIT,
        }
    }
}

/// One person placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The person.
    pub person_id: String,
    /// The facility.
    pub facility_id: String,
    /// Beds taken (1 + dependants).
    pub beds: u32,
    /// The person's explained score at this facility.
    pub score: Score,
}

/// A facility that passes every constraint for the person (and their whole keep-together group)
/// but had no room for them in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// The facility.
    pub facility_id: String,
    /// Beds the person's unit (with dependants and keep-together group) needs.
    pub beds_needed: u32,
    /// Beds left free there after the plan.
    pub beds_free: u32,
    /// People placed there whom the unit must be kept apart from.
    pub kept_apart_from: Vec<String>,
}

/// A facility that fails a hard constraint for the person or for someone in their group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    /// The facility.
    pub facility_id: String,
    /// Every constraint it fails for this person (free beds excluded: see [`Blocked`]).
    pub reasons: Vec<Ineligibility>,
    /// Other members of the person's keep-together group for whom it fails.
    pub group_members_ineligible: Vec<String>,
}

/// Why a person was not placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum UnplacedReason {
    /// No facility passes every hard constraint for the person and their whole group.
    NoEligibleFacility {
        /// Every facility, by id, with what it fails.
        rejections: Vec<Rejection>,
    },
    /// Eligible facilities exist, but none had enough beds left (or each held someone the
    /// person must be kept apart from) once the optimal plan was made.
    NoRoomLeft {
        /// Every eligible facility, by id.
        candidates: Vec<Blocked>,
    },
}

/// A person who could not be placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unplaced {
    /// The person.
    pub person_id: String,
    /// Why.
    pub reason: UnplacedReason,
}

/// A value of the objective: people housed (beds), then total score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Objective {
    /// People housed, dependants included.
    pub people_housed: u64,
    /// Total score.
    pub total_score: u64,
}

/// How good the returned plan is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Optimality {
    /// No assignment has a better objective.
    Proven {
        /// Relaxations solved.
        nodes: u64,
    },
    /// The node limit was reached: this is the best plan found, and no plan beats
    /// `upper_bound` (compared lexicographically).
    BestFound {
        /// Relaxations solved.
        nodes: u64,
        /// Proven bound on the optimum.
        upper_bound: Objective,
    },
}

/// The plan for a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Placements, by person id.
    pub placements: Vec<Placement>,
    /// People not placed, by person id.
    pub unplaced: Vec<Unplaced>,
    /// The plan's objective value.
    pub objective: Objective,
    /// Whether it is proven optimal.
    pub optimality: Optimality,
}

/// Places a batch of people with default options; see [`assign_with`].
///
/// # Errors
/// As [`assign_with`].
pub fn assign(
    people: &[Person],
    facilities: &[Facility],
    groups: &Groups,
    weights: &Weights,
) -> Result<Assignment, PlacementError> {
    assign_with(
        people,
        facilities,
        groups,
        weights,
        &AssignOptions::default(),
    )
}

/// Places a batch of people: house as many as possible (dependants count; a person with
/// dependants takes a bed for each), then maximise the total score, subject to every hard
/// constraint, free beds, keep-together groups (one facility, as one unit) and keep-apart pairs
/// (never the same facility).
///
/// The result depends only on the *sets* of people and facilities: both are processed in id
/// order, so permuting the inputs changes nothing. Scores use each facility's occupancy before
/// the batch.
///
/// # Errors
/// [`PlacementError`] naming the first invalid field (see [`crate::rank()`]), an empty or duplicate
/// person id, a group naming an unknown person, a keep-apart pair inside one keep-together unit,
/// or a batch too large for exact arithmetic.
pub fn assign_with(
    people: &[Person],
    facilities: &[Facility],
    groups: &Groups,
    weights: &Weights,
    options: &AssignOptions,
) -> Result<Assignment, PlacementError> {
    Batch::new(people, facilities, groups, weights)?.solve(options)
}

/// A validated batch with every person's eligibility and scores computed: the first half of
/// [`assign_with`]. Solving it is the second half; keeping them apart lets a caller re-solve with
/// other options, and lets the benchmark time the solver alone.
///
/// Not serialisable on purpose: it holds derived indices that are only valid together. Serialise
/// the inputs instead. Its `Debug` shows sizes only, never personal data.
#[derive(Clone)]
pub struct Batch {
    people: Vec<Person>,
    facilities: Vec<Facility>,
    weights: Weights,
    units: units::Units,
    eligible: Vec<Vec<(u32, u32)>>,
    big: i128,
    problem: search::Problem,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("people", &self.people.len())
            .field("facilities", &self.facilities.len())
            .field("units", &self.units.members.len())
            .finish_non_exhaustive()
    }
}

impl Batch {
    /// Validates the inputs and evaluates every person against every facility.
    ///
    /// # Errors
    /// As [`assign_with`].
    pub fn new(
        people: &[Person],
        facilities: &[Facility],
        groups: &Groups,
        weights: &Weights,
    ) -> Result<Self, PlacementError> {
        weights.validate()?;
        validate::facilities(facilities)?;
        for (i, p) in people.iter().enumerate() {
            if p.id.is_empty() {
                return Err(PlacementError::new(
                    format!("people[{i}].id"),
                    Problem::Empty,
                ));
            }
            validate::needs(&format!("people[{i}].needs"), &p.needs)?;
        }
        // Canonical order: by id.
        let mut porder: Vec<usize> = (0..people.len()).collect();
        porder.sort_by(|&a, &b| people[a].id.cmp(&people[b].id));
        for w in porder.windows(2) {
            if people[w[0]].id == people[w[1]].id {
                return Err(PlacementError::new(
                    format!("people[{}].id", w[0].max(w[1])),
                    Problem::DuplicateId {
                        id: people[w[0]].id.clone(),
                    },
                ));
            }
        }
        let ps: Vec<&Person> = porder.iter().map(|&i| &people[i]).collect();
        let mut forder: Vec<usize> = (0..facilities.len()).collect();
        forder.sort_by(|&a, &b| facilities[a].id.cmp(&facilities[b].id));
        let fs: Vec<&Facility> = forder.iter().map(|&i| &facilities[i]).collect();

        let units = units::build(&ps, groups)?;

        // Per person: eligible facilities (sorted) with scores.
        let eligible: Vec<Vec<(u32, u32)>> = ps
            .iter()
            .map(|p| {
                fs.iter()
                    .enumerate()
                    .filter(|(_, f)| passes(&p.needs, f))
                    .map(|(j, f)| (j as u32, score(&p.needs, f, weights).total))
                    .collect()
            })
            .collect();

        // BIG exceeds any total score, making the objective lexicographic.
        let big: i128 = i128::from(weights.max_total()) * ps.len() as i128 + 1;
        let caps: Vec<u32> = fs.iter().map(|f| f.beds.free()).collect();
        let mut arcs = Vec::with_capacity(units.members.len());
        let mut beds = Vec::with_capacity(units.members.len());
        for members in &units.members {
            let b: u32 = members
                .iter()
                .fold(0u32, |s, &m| s.saturating_add(ps[m].needs.beds()));
            let mut common: Vec<(u32, i128)> = eligible[members[0]]
                .iter()
                .map(|&(f, s)| (f, i128::from(s)))
                .collect();
            for &m in &members[1..] {
                let other = &eligible[m];
                common.retain_mut(|(f, s)| match other.binary_search_by_key(f, |e| e.0) {
                    Ok(i) => {
                        *s += i128::from(other[i].1);
                        true
                    }
                    Err(_) => false,
                });
            }
            common.retain(|(f, _)| caps[*f as usize] >= b);
            for (_, s) in &mut common {
                *s += big * i128::from(b);
            }
            arcs.push(common);
            beds.push(b);
        }
        let problem = search::Problem {
            caps: caps.clone(),
            beds: beds.clone(),
            arcs,
            apart: units.apart.clone(),
        };
        Ok(Self {
            people: ps.into_iter().cloned().collect(),
            facilities: fs.into_iter().cloned().collect(),
            weights: *weights,
            units,
            eligible,
            big,
            problem,
        })
    }

    /// Solves the batch; see [`assign_with`].
    ///
    /// # Errors
    /// [`PlacementError`] with [`Problem::TooLarge`] when the batch is too large for exact
    /// arithmetic.
    pub fn solve(&self, options: &AssignOptions) -> Result<Assignment, PlacementError> {
        let (ps, fs, weights, units, eligible, big) = (
            &self.people,
            &self.facilities,
            &self.weights,
            &self.units,
            &self.eligible,
            self.big,
        );
        let (caps, beds, problem) = (&self.problem.caps, &self.problem.beds, &self.problem);
        let outcome = search::solve(problem, options.node_limit)
            .map_err(|_| PlacementError::new("people", Problem::TooLarge))?;

        // Placements and the beds left.
        let mut left = caps.clone();
        let mut placed_at: Vec<Option<u32>> = vec![None; ps.len()];
        for (u, at) in outcome.at.iter().enumerate() {
            if let Some(f) = *at {
                left[f as usize] = left[f as usize].saturating_sub(beds[u]);
                for &m in &units.members[u] {
                    placed_at[m] = Some(f);
                }
            }
        }
        let mut placements = Vec::new();
        let mut unplaced = Vec::new();
        let mut objective = Objective {
            people_housed: 0,
            total_score: 0,
        };
        for (i, p) in ps.iter().enumerate() {
            if let Some(f) = placed_at[i] {
                let s = score(&p.needs, &fs[f as usize], weights);
                objective.people_housed += u64::from(p.needs.beds());
                objective.total_score += u64::from(s.total);
                placements.push(Placement {
                    person_id: p.id.clone(),
                    facility_id: fs[f as usize].id.clone(),
                    beds: p.needs.beds(),
                    score: s,
                });
            }
        }
        for (u, members) in units.members.iter().enumerate() {
            if outcome.at[u].is_some() {
                continue;
            }
            // Facilities every member passes (beds aside).
            let candidates: Vec<usize> = (0..fs.len())
                .filter(|&j| {
                    members.iter().all(|&m| {
                        eligible[m]
                            .binary_search_by_key(&(j as u32), |e| e.0)
                            .is_ok()
                    })
                })
                .collect();
            for &m in members {
                let reason = if candidates.is_empty() {
                    let rejections = fs
                        .iter()
                        .map(|f| Rejection {
                            facility_id: f.id.clone(),
                            reasons: reasons(&ps[m].needs, f, false),
                            group_members_ineligible: members
                                .iter()
                                .filter(|&&o| o != m && !passes(&ps[o].needs, f))
                                .map(|&o| ps[o].id.clone())
                                .collect(),
                        })
                        .collect();
                    UnplacedReason::NoEligibleFacility { rejections }
                } else {
                    let candidates = candidates
                        .iter()
                        .map(|&j| Blocked {
                            facility_id: fs[j].id.clone(),
                            beds_needed: beds[u],
                            beds_free: left[j],
                            kept_apart_from: units.apart_people[u]
                                .iter()
                                .filter(|&&q| placed_at[q] == Some(j as u32))
                                .map(|&q| ps[q].id.clone())
                                .collect(),
                        })
                        .collect();
                    UnplacedReason::NoRoomLeft { candidates }
                };
                unplaced.push((m, reason));
            }
        }
        unplaced.sort_by_key(|(m, _)| *m);
        let unplaced = unplaced
            .into_iter()
            .map(|(m, reason)| Unplaced {
                person_id: ps[m].id.clone(),
                reason,
            })
            .collect();

        let optimality = if outcome.proven {
            Optimality::Proven {
                nodes: outcome.nodes,
            }
        } else {
            let ub = outcome.upper_bound.max(0);
            Optimality::BestFound {
                nodes: outcome.nodes,
                upper_bound: Objective {
                    people_housed: u64::try_from(ub / big).unwrap_or(u64::MAX),
                    total_score: u64::try_from(ub % big).unwrap_or(u64::MAX),
                },
            }
        };
        Ok(Assignment {
            placements,
            unplaced,
            objective,
            optimality,
        })
    }
}
