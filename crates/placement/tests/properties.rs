//! Property tests: random facilities and people, checked against the hard constraints, a greedy
//! baseline and (on small instances) exhaustive enumeration.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use unchain_placement::*;

const LANGS: [&str; 3] = ["en", "ro", "vi"];

fn subset<T: Copy + Ord + std::fmt::Debug + 'static>(
    all: &'static [T],
    p: f64,
) -> impl Strategy<Value = BTreeSet<T>> {
    proptest::collection::vec(prop::bool::weighted(p), all.len()).prop_map(move |bits| {
        all.iter()
            .zip(bits)
            .filter(|(_, b)| *b)
            .map(|(x, _)| *x)
            .collect()
    })
}

fn langs(p: f64) -> impl Strategy<Value = BTreeSet<String>> {
    subset(&LANGS, p).prop_map(|s| s.into_iter().map(String::from).collect())
}

fn point() -> impl Strategy<Value = GeoPoint> {
    (50.0f64..56.0, -5.0f64..1.0).prop_map(|(lat, lon)| GeoPoint::new(lat, lon))
}

const GENDERS: [Gender; 3] = [Gender::Female, Gender::Male, Gender::NonBinary];
const AGES: [AgeGroup; 2] = [AgeGroup::Adult, AgeGroup::Child];
const TYPES: [ExploitationType; 4] = [
    ExploitationType::Labour,
    ExploitationType::Sexual,
    ExploitationType::Criminal,
    ExploitationType::NotSpecified,
];
const SERVICES: [Service; 3] = [Service::Medical, Service::Interpreter, Service::Maternity];
const RULES: [AdmissionRule; 2] = [
    AdmissionRule::NoCurrentSubstanceUse,
    AdmissionRule::MentalHealthStabilityRequired,
];
const LEVELS: [SecurityLevel; 3] = [
    SecurityLevel::Standard,
    SecurityLevel::Enhanced,
    SecurityLevel::High,
];

fn facility(i: usize) -> impl Strategy<Value = Facility> {
    (
        (
            point(),
            0u32..6,
            0u32..3,
            prop::sample::select(&["North", "South"][..]),
        ),
        (
            subset(&GENDERS, 0.85),
            subset(&AGES, 0.8),
            0u32..3,
            prop::bool::weighted(0.7),
        ),
        (
            langs(0.6),
            subset(&TYPES, 0.5),
            subset(&SERVICES, 0.5),
            subset(&RULES, 0.15),
        ),
        (prop::sample::select(&LEVELS[..]), prop::bool::weighted(0.9)),
    )
        .prop_map(
            move |(
                (location, cap, occ, region),
                (genders, age_groups, max_dep, preg),
                (languages, specialisms, services, admission_rules),
                (security, open),
            )| Facility {
                id: format!("f{i:02}"),
                name: format!("Facility {i}"),
                provider: "P".into(),
                region: region.into(),
                location,
                beds: Beds {
                    capacity: cap,
                    occupied: occ.min(cap),
                },
                accepts: Acceptance {
                    genders,
                    age_groups,
                    max_dependants: max_dep,
                    pregnancy: preg,
                },
                languages,
                specialisms,
                services,
                security,
                admission_rules,
                open_to_referrals: open,
            },
        )
}

fn needs() -> impl Strategy<Value = Needs> {
    (
        (
            prop::sample::select(&GENDERS[..]),
            prop::sample::select(&[AgeGroup::Adult, AgeGroup::Adult, AgeGroup::Child][..]),
            prop::sample::select(&[0u32, 0, 0, 1, 2][..]),
            prop::bool::weighted(0.1),
        ),
        (
            langs(0.4),
            subset(&TYPES, 0.4),
            subset(&SERVICES[..2], 0.15),
            prop::sample::select(
                &[
                    SecurityLevel::Standard,
                    SecurityLevel::Standard,
                    SecurityLevel::Enhanced,
                ][..],
            ),
        ),
        (
            proptest::option::weighted(0.3, (point(), 0.0f64..80.0)),
            proptest::option::of(point()),
            proptest::option::weighted(0.2, (point(), 150.0f64..600.0)),
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.9),
        ),
    )
        .prop_map(
            |(
                (gender, age_group, dependants, pregnant),
                (languages, types, services, security),
                (zone, pref, travel, substance, stable),
            )| {
                let mut n = Needs::new(gender, age_group);
                n.dependants = dependants;
                n.pregnant = pregnant;
                n.languages = languages;
                n.exploitation_types = types;
                n.required_services = services;
                n.required_security = if security == SecurityLevel::High {
                    SecurityLevel::Enhanced
                } else {
                    security
                };
                n.exclusion_zones = zone
                    .map(|(centre, radius_km)| ExclusionZone {
                        kind: ExclusionKind::PlaceOfExploitation,
                        centre,
                        radius_km,
                    })
                    .into_iter()
                    .collect();
                n.preferred_point = pref;
                n.preferred_region = Some("North".into());
                if let Some((from, max)) = travel {
                    n.current_location = Some(from);
                    n.max_travel_km = Some(max);
                }
                n.current_substance_use = substance;
                n.mental_health_stable = stable;
                n
            },
        )
}

/// An instance: people, facilities, groups (groups always valid).
fn instance(
    max_people: usize,
    max_facilities: usize,
    apart: bool,
) -> impl Strategy<Value = (Vec<Person>, Vec<Facility>, Groups)> {
    let people = proptest::collection::vec(needs(), 1..=max_people).prop_map(|ns| {
        ns.into_iter()
            .enumerate()
            .map(|(i, needs)| Person {
                id: format!("p{i:02}"),
                needs,
            })
            .collect::<Vec<_>>()
    });
    let facilities =
        (1..=max_facilities).prop_flat_map(|n| (0..n).map(facility).collect::<Vec<_>>());
    (people, facilities, any::<u64>()).prop_map(move |(people, facilities, seed)| {
        let groups = groups_for(&people, seed, apart);
        (people, facilities, groups)
    })
}

/// Deterministic groups from a seed: maybe one keep-together group, some keep-apart pairs
/// between different units.
fn groups_for(people: &[Person], seed: u64, apart: bool) -> Groups {
    let n = people.len();
    let mut s = seed | 1;
    let mut next = |m: usize| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % m as u64) as usize
    };
    let mut groups = Groups::default();
    let mut together = BTreeSet::new();
    if n >= 2 && next(2) == 0 {
        let size = 2 + next(2.min(n - 1));
        let start = next(n - size + 1);
        let g: Vec<String> = (start..start + size)
            .map(|i| people[i].id.clone())
            .collect();
        together.extend(start..start + size);
        groups.keep_together.push(g);
    }
    if apart && n >= 2 {
        for _ in 0..next(5) {
            let (a, b) = (next(n), next(n));
            if a != b && !(together.contains(&a) && together.contains(&b)) {
                groups
                    .keep_apart
                    .push([people[a].id.clone(), people[b].id.clone()]);
            }
        }
    }
    groups
}

/// Units (sets of person indices) implied by keep-together groups.
fn units(people: &[Person], groups: &Groups) -> Vec<Vec<usize>> {
    let idx: BTreeMap<&str, usize> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut unit_of: Vec<usize> = (0..people.len()).collect();
    for g in &groups.keep_together {
        let first = unit_of[idx[g[0].as_str()]];
        for id in g {
            let old = unit_of[idx[id.as_str()]];
            for u in unit_of.iter_mut() {
                if *u == old {
                    *u = first;
                }
            }
        }
    }
    let mut m: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, u) in unit_of.iter().enumerate() {
        m.entry(*u).or_default().push(i);
    }
    m.into_values().collect()
}

/// Per person: facility index → score, for facilities passing every hard constraint for that
/// person alone (free beds included: a batch can never use a facility the person alone overfills).
fn eligibility(
    people: &[Person],
    facilities: &[Facility],
    w: &Weights,
) -> Vec<BTreeMap<usize, u32>> {
    people
        .iter()
        .map(|p| {
            facilities
                .iter()
                .enumerate()
                .filter_map(|(j, f)| {
                    let r = rank(&p.needs, std::slice::from_ref(f), w).unwrap();
                    r.eligible.first().map(|e| (j, e.score.total))
                })
                .collect()
        })
        .collect()
}

struct Checker<'a> {
    people: &'a [Person],
    facilities: &'a [Facility],
    groups: &'a Groups,
    units: Vec<Vec<usize>>,
    elig: Vec<BTreeMap<usize, u32>>,
}

impl<'a> Checker<'a> {
    fn new(people: &'a [Person], facilities: &'a [Facility], groups: &'a Groups) -> Self {
        Self {
            people,
            facilities,
            groups,
            units: units(people, groups),
            elig: eligibility(people, facilities, &Weights::default()),
        }
    }

    fn unit_beds(&self, u: usize) -> u32 {
        self.units[u]
            .iter()
            .map(|&m| self.people[m].needs.beds())
            .sum()
    }

    /// (beds, score) of a unit at a facility, if the whole unit may go there.
    fn unit_value(&self, u: usize, f: usize) -> Option<(u64, u64)> {
        let mut s = 0u64;
        for &m in &self.units[u] {
            s += u64::from(*self.elig[m].get(&f)?);
        }
        Some((u64::from(self.unit_beds(u)), s))
    }

    fn apart_violated(&self, at: &[Option<usize>]) -> bool {
        let unit_of = |i: usize| self.units.iter().position(|u| u.contains(&i)).unwrap();
        let idx = |id: &str| self.people.iter().position(|p| p.id == id).unwrap();
        self.groups.keep_apart.iter().any(|[a, b]| {
            let (ua, ub) = (unit_of(idx(a)), unit_of(idx(b)));
            at[ua].is_some() && at[ua] == at[ub]
        })
    }

    /// Exhaustive optimum (lexicographic beds, then score).
    fn brute(&self) -> (u64, u64) {
        let mut at = vec![None; self.units.len()];
        let mut free: Vec<u32> = self.facilities.iter().map(|f| f.beds.free()).collect();
        let mut best = (0, 0);
        self.go(0, &mut at, &mut free, (0, 0), &mut best);
        best
    }

    fn go(
        &self,
        u: usize,
        at: &mut Vec<Option<usize>>,
        free: &mut Vec<u32>,
        acc: (u64, u64),
        best: &mut (u64, u64),
    ) {
        if u == self.units.len() {
            if acc > *best && !self.apart_violated(at) {
                *best = acc;
            }
            return;
        }
        self.go(u + 1, at, free, acc, best);
        let b = self.unit_beds(u);
        for f in 0..self.facilities.len() {
            if let Some((vb, vs)) = self.unit_value(u, f) {
                if free[f] >= b {
                    free[f] -= b;
                    at[u] = Some(f);
                    self.go(u + 1, at, free, (acc.0 + vb, acc.1 + vs), best);
                    at[u] = None;
                    free[f] += b;
                }
            }
        }
    }

    /// Greedy baseline: units in order, each to its best facility with room and no conflict.
    fn greedy(&self) -> (u64, u64) {
        let mut at = vec![None; self.units.len()];
        let mut free: Vec<u32> = self.facilities.iter().map(|f| f.beds.free()).collect();
        let mut acc = (0, 0);
        for u in 0..self.units.len() {
            let mut options: Vec<(u64, usize)> = (0..self.facilities.len())
                .filter_map(|f| self.unit_value(u, f).map(|v| (v.1, f)))
                .collect();
            options.sort_by(|a, b| b.cmp(a));
            for (s, f) in options {
                if free[f] < self.unit_beds(u) {
                    continue;
                }
                at[u] = Some(f);
                if self.apart_violated(&at) {
                    at[u] = None;
                    continue;
                }
                free[f] -= self.unit_beds(u);
                acc = (acc.0 + u64::from(self.unit_beds(u)), acc.1 + s);
                break;
            }
        }
        acc
    }

    /// Every invariant of a returned plan.
    fn check(&self, plan: &Assignment) {
        let fidx = |id: &str| self.facilities.iter().position(|f| f.id == id).unwrap();
        let pidx = |id: &str| self.people.iter().position(|p| p.id == id).unwrap();
        // Everyone exactly once.
        let mut seen: Vec<&str> = plan
            .placements
            .iter()
            .map(|p| p.person_id.as_str())
            .chain(plan.unplaced.iter().map(|u| u.person_id.as_str()))
            .collect();
        seen.sort_unstable();
        let mut all: Vec<&str> = self.people.iter().map(|p| p.id.as_str()).collect();
        all.sort_unstable();
        assert_eq!(seen, all);
        // Hard constraints, explanations, beds.
        let mut used = vec![0u32; self.facilities.len()];
        let mut at: Vec<Option<usize>> = vec![None; self.people.len()];
        let (mut beds, mut score) = (0u64, 0u64);
        for p in &plan.placements {
            let (i, f) = (pidx(&p.person_id), fidx(&p.facility_id));
            let expected = self.elig[i].get(&f).copied();
            assert_eq!(
                expected,
                Some(p.score.total),
                "hard constraint violated: {p:?}"
            );
            assert_eq!(
                p.score.total,
                p.score.parts.iter().map(|x| x.points).sum::<u32>()
            );
            assert_eq!(p.beds, self.people[i].needs.beds());
            used[f] += p.beds;
            at[i] = Some(f);
            beds += u64::from(p.beds);
            score += u64::from(p.score.total);
        }
        for (f, fac) in self.facilities.iter().enumerate() {
            assert!(
                used[f] <= fac.beds.free(),
                "capacity exceeded at {}",
                fac.id
            );
        }
        assert_eq!(plan.objective.people_housed, beds);
        assert_eq!(plan.objective.total_score, score);
        // Keep-together: one facility or all unplaced.
        for u in &self.units {
            let first = at[u[0]];
            assert!(u.iter().all(|&m| at[m] == first), "group split");
        }
        // Keep-apart.
        for [a, b] in &self.groups.keep_apart {
            let (x, y) = (at[pidx(a)], at[pidx(b)]);
            assert!(x.is_none() || x != y, "{a} and {b} share a facility");
        }
        // Unplaced reasons are true.
        for u in &plan.unplaced {
            match &u.reason {
                UnplacedReason::NoEligibleFacility { rejections } => {
                    assert_eq!(rejections.len(), self.facilities.len());
                    for r in rejections {
                        assert!(!r.reasons.is_empty() || !r.group_members_ineligible.is_empty());
                    }
                }
                UnplacedReason::NoRoomLeft { candidates } => {
                    assert!(!candidates.is_empty());
                    for c in candidates {
                        let f = fidx(&c.facility_id);
                        assert_eq!(c.beds_free, self.facilities[f].beds.free() - used[f]);
                        assert!(c.beds_free < c.beds_needed || !c.kept_apart_from.is_empty());
                    }
                }
            }
        }
    }
}

fn solve(people: &[Person], facilities: &[Facility], groups: &Groups) -> Assignment {
    assign(people, facilities, groups, &Weights::default()).expect("valid instance")
}

/// The plan is valid, proven optimal, equal to exhaustive enumeration and never worse than
/// greedy.
fn proven_optimal(
    people: &[Person],
    facilities: &[Facility],
    groups: &Groups,
) -> Result<(), TestCaseError> {
    let plan = solve(people, facilities, groups);
    let c = Checker::new(people, facilities, groups);
    c.check(&plan);
    prop_assert!(
        matches!(plan.optimality, Optimality::Proven { .. }),
        "not proven"
    );
    let got = (plan.objective.people_housed, plan.objective.total_score);
    prop_assert_eq!(got, c.brute());
    prop_assert!(got >= c.greedy());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Without keep-apart pairs the optimum equals exhaustive enumeration, exactly.
    #[test]
    fn optimal_without_keep_apart((people, facilities, groups) in instance(6, 4, false)) {
        proven_optimal(&people, &facilities, &groups)?;
    }

    /// With keep-apart pairs the search is exact too (it finishes well within its node limit).
    #[test]
    fn optimal_with_keep_apart((people, facilities, groups) in instance(6, 4, true)) {
        proven_optimal(&people, &facilities, &groups)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Larger batches: constraints hold, greedy never wins, equal and permuted inputs agree.
    #[test]
    fn larger_batches((people, facilities, groups) in instance(30, 16, true)) {
        let plan = solve(&people, &facilities, &groups);
        let c = Checker::new(&people, &facilities, &groups);
        c.check(&plan);
        let got = (plan.objective.people_housed, plan.objective.total_score);
        prop_assert!(got >= c.greedy());
        prop_assert_eq!(&plan, &solve(&people, &facilities, &groups));
        let mut rp = people.clone();
        rp.reverse();
        let mut rf = facilities.clone();
        rf.rotate_left(facilities.len() / 2);
        prop_assert_eq!(&plan, &solve(&rp, &rf, &groups));
        // A tiny node limit still gives a valid plan, never better than the optimum.
        let quick = assign_with(
            &people, &facilities, &groups, &Weights::default(), &AssignOptions { node_limit: 1 },
        ).unwrap();
        c.check(&quick);
        prop_assert!((quick.objective.people_housed, quick.objective.total_score) <= got);
        if let Optimality::BestFound { upper_bound, .. } = quick.optimality {
            prop_assert!(upper_bound >= plan.objective);
        }
        // JSON round trip (serde_json's default float parsing may differ in the last bit, so
        // compare the float-free parts exactly).
        let json = serde_json::to_string(&plan).unwrap();
        let back: Assignment = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back.placements, &plan.placements);
        prop_assert_eq!(back.objective, plan.objective);
        prop_assert_eq!(back.optimality, plan.optimality);
        prop_assert_eq!(back.unplaced.len(), plan.unplaced.len());
    }

    /// Ranking: every facility once, parts sum to totals, ordered, reasons never empty.
    #[test]
    fn ranking_explains_itself(n in needs(), facilities in (1usize..12).prop_flat_map(|k| (0..k).map(facility).collect::<Vec<_>>())) {
        let r = rank(&n, &facilities, &Weights::default()).unwrap();
        prop_assert_eq!(r.eligible.len() + r.ineligible.len(), facilities.len());
        for e in &r.eligible {
            prop_assert_eq!(e.score.total, e.score.parts.iter().map(|p| p.points).sum::<u32>());
            for p in &e.score.parts {
                prop_assert!(p.points <= p.max_points);
            }
        }
        for w in r.eligible.windows(2) {
            prop_assert!((std::cmp::Reverse(w[0].score.total), &w[0].facility_id)
                < (std::cmp::Reverse(w[1].score.total), &w[1].facility_id));
        }
        for i in &r.ineligible {
            prop_assert!(!i.reasons.is_empty());
        }
        let mut rev = facilities.clone();
        rev.reverse();
        prop_assert_eq!(&r, &rank(&n, &rev, &Weights::default()).unwrap());
    }
}
