//! Batch assignment at rescue scale: 500 people × 1,000 facilities.
//!
//! (a) one bed each — ours (min-cost flow, facilities as capacitated nodes) against
//!     `pathfinding::kuhn_munkres` on the expanded person × bed matrix, same instance, same run;
//!     both optima are asserted equal before timing.
//! (b) the general case — dependants, keep-together groups and keep-apart pairs.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-placement cargo bench -p unchain-placement --bench assign`

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pathfinding::prelude::{Matrix, kuhn_munkres};
use unchain_placement::*;

/// Deterministic xorshift generator (benches need reproducible instances, not randomness).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.below(1_000_000) as f64 / 1_000_000.0)
    }
}

const LANGS: [&str; 10] = ["ro", "pl", "vi", "sq", "ar", "ti", "zh", "ur", "fa", "bg"];
const TYPES: [ExploitationType; 4] = [
    ExploitationType::Labour,
    ExploitationType::Sexual,
    ExploitationType::Criminal,
    ExploitationType::DomesticServitude,
];
const REGIONS: [&str; 6] = [
    "London",
    "North West",
    "Midlands",
    "South East",
    "Scotland",
    "Wales",
];

fn uk(r: &mut Rng) -> GeoPoint {
    GeoPoint::new(r.float(50.4, 56.5), r.float(-4.5, 1.3))
}

fn facilities(r: &mut Rng, n: usize) -> Vec<Facility> {
    (0..n)
        .map(|i| {
            let capacity = 2 + r.below(7) as u32;
            // About one in six is full; the rest are partly occupied.
            let occupied = if r.chance(16) {
                capacity
            } else {
                r.below(u64::from(capacity)) as u32
            };
            let genders: BTreeSet<Gender> = match r.below(100) {
                0..45 => [Gender::Female].into(),
                45..75 => [Gender::Male].into(),
                _ => [Gender::Female, Gender::Male, Gender::NonBinary].into(),
            };
            let age_groups: BTreeSet<AgeGroup> = match r.below(100) {
                0..85 => [AgeGroup::Adult].into(),
                85..95 => [AgeGroup::Child].into(),
                _ => [AgeGroup::Adult, AgeGroup::Child].into(),
            };
            let family = genders.contains(&Gender::Female);
            let mut languages: BTreeSet<String> = ["en".to_string()].into();
            for _ in 0..1 + r.below(3) {
                languages.insert(LANGS[r.below(10) as usize].into());
            }
            let mut services = BTreeSet::new();
            for s in Service::ALL {
                if r.chance(45) {
                    services.insert(s);
                }
            }
            let mut specialisms = BTreeSet::new();
            for _ in 0..1 + r.below(3) {
                specialisms.insert(TYPES[r.below(4) as usize]);
            }
            let mut admission_rules = BTreeSet::new();
            if r.chance(15) {
                admission_rules.insert(AdmissionRule::NoCurrentSubstanceUse);
            }
            if r.chance(10) {
                admission_rules.insert(AdmissionRule::MentalHealthStabilityRequired);
            }
            Facility {
                id: format!("fac-{i:04}"),
                name: format!("Facility {i}"),
                provider: format!("Provider {}", i % 40),
                region: REGIONS[r.below(6) as usize].into(),
                location: uk(r),
                beds: Beds { capacity, occupied },
                accepts: Acceptance {
                    genders,
                    age_groups,
                    max_dependants: if family { r.below(4) as u32 } else { 0 },
                    pregnancy: family && r.chance(50),
                },
                languages,
                specialisms,
                services,
                security: match r.below(10) {
                    0..6 => SecurityLevel::Standard,
                    6..9 => SecurityLevel::Enhanced,
                    _ => SecurityLevel::High,
                },
                admission_rules,
                open_to_referrals: r.chance(95),
            }
        })
        .collect()
}

/// People from a few rescues (each rescue site is also an exclusion zone for its people).
fn people(r: &mut Rng, n: usize, dependants: bool) -> Vec<Person> {
    let sites: Vec<GeoPoint> = (0..8).map(|_| uk(r)).collect();
    (0..n)
        .map(|i| {
            let site = sites[r.below(8) as usize];
            let gender = match r.below(100) {
                0..55 => Gender::Female,
                55..97 => Gender::Male,
                _ => Gender::NonBinary,
            };
            let mut needs = Needs::new(
                gender,
                if r.chance(88) {
                    AgeGroup::Adult
                } else {
                    AgeGroup::Child
                },
            );
            needs.languages = [LANGS[r.below(10) as usize].to_string()].into();
            if r.chance(40) {
                needs.languages.insert("en".into());
            }
            needs.exploitation_types = [TYPES[r.below(4) as usize]].into();
            if r.chance(20) {
                needs
                    .required_services
                    .insert(Service::ALL[r.below(7) as usize]);
            }
            needs.required_security = if r.chance(15) {
                SecurityLevel::Enhanced
            } else {
                SecurityLevel::Standard
            };
            needs.exclusion_zones.push(ExclusionZone {
                kind: ExclusionKind::PlaceOfExploitation,
                centre: site,
                radius_km: r.float(10.0, 50.0),
            });
            if r.chance(30) {
                needs.exclusion_zones.push(ExclusionZone {
                    kind: ExclusionKind::PerpetratorAddress,
                    centre: uk(r),
                    radius_km: r.float(5.0, 30.0),
                });
            }
            needs.current_location = Some(site);
            if r.chance(30) {
                needs.max_travel_km = Some(r.float(150.0, 400.0));
            }
            if r.chance(50) {
                needs.preferred_point = Some(uk(r));
            }
            if r.chance(30) {
                needs.preferred_region = Some(REGIONS[r.below(6) as usize].into());
            }
            needs.current_substance_use = r.chance(10);
            needs.mental_health_stable = r.chance(85);
            if dependants && gender == Gender::Female && needs.age_group == AgeGroup::Adult {
                if r.chance(30) {
                    needs.dependants = 1 + r.below(3) as u32;
                }
                needs.pregnant = r.chance(8);
            }
            Person {
                id: format!("per-{i:04}"),
                needs,
            }
        })
        .collect()
}

/// 25 keep-together groups of 2–3 (siblings: consecutive children or same-gender adults) and
/// 20 keep-apart pairs (5 controllers, each with 4 of the people they controlled).
fn groups(r: &mut Rng, people: &[Person]) -> Groups {
    let mut g = Groups::default();
    let mut used = BTreeSet::new();
    while g.keep_together.len() < 25 {
        let a = r.below(people.len() as u64) as usize;
        let size = 2 + r.below(2) as usize;
        let members: Vec<usize> = (a..(a + size).min(people.len())).collect();
        if members.len() < 2 || members.iter().any(|m| used.contains(m)) {
            continue;
        }
        used.extend(members.iter().copied());
        g.keep_together
            .push(members.iter().map(|&m| people[m].id.clone()).collect());
    }
    let mut controllers = 0;
    while controllers < 5 {
        let c = r.below(people.len() as u64) as usize;
        if used.contains(&c) {
            continue;
        }
        used.insert(c);
        controllers += 1;
        let mut victims = 0;
        while victims < 4 {
            let v = r.below(people.len() as u64) as usize;
            if used.contains(&v) {
                continue;
            }
            used.insert(v);
            victims += 1;
            g.keep_apart
                .push([people[c].id.clone(), people[v].id.clone()]);
        }
    }
    g
}

/// Kuhn–Munkres on the person × bed matrix. Returns (people housed, total score).
fn km_build(people: &[Person], facilities: &[Facility], w: &Weights) -> (Matrix<i64>, i64) {
    let big = i64::from(w.max_total()) * people.len() as i64 + 1;
    let beds: Vec<usize> = facilities
        .iter()
        .enumerate()
        .flat_map(|(j, f)| std::iter::repeat_n(j, f.beds.free() as usize))
        .collect();
    let mut scores = vec![vec![None; facilities.len()]; people.len()];
    for (i, p) in people.iter().enumerate() {
        let ranking = rank(&p.needs, facilities, w).expect("valid");
        for e in ranking.eligible {
            let j = facilities
                .binary_search_by(|f| f.id.as_str().cmp(&e.facility_id))
                .expect("sorted ids");
            scores[i][j] = Some(i64::from(e.score.total));
        }
    }
    let m = Matrix::from_fn(people.len(), beds.len(), |(i, b)| {
        scores[i][beds[b]].map_or(0, |s| big + s)
    });
    (m, big)
}

fn km_objective(m: &Matrix<i64>, big: i64) -> Objective {
    let (total, _) = kuhn_munkres(m);
    Objective {
        people_housed: (total / big) as u64,
        total_score: (total % big) as u64,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench(c: &mut Criterion) {
    let w = Weights::default();
    let mut r = Rng(0x5EED_1234_ABCD_0001);
    let fs = facilities(&mut r, 1_000);
    let ps = people(&mut r, 500, false);
    let none = Groups::default();

    // (a) Same optimum, checked once before timing.
    let ours = assign(&ps, &fs, &none, &w).expect("valid");
    assert!(matches!(ours.optimality, Optimality::Proven { nodes: 1 }));
    let (matrix, big) = km_build(&ps, &fs, &w);
    let km = km_objective(&matrix, big);
    assert_eq!(ours.objective, km, "flow and Kuhn–Munkres disagree");
    eprintln!(
        "(a) {} free beds; optimum: {} housed, total score {}; KM matrix {}×{}",
        fs.iter().map(|f| f.beds.free()).sum::<u32>(),
        km.people_housed,
        km.total_score,
        matrix.rows,
        matrix.columns
    );
    // A quick in-run ratio (criterion's medians below are the recorded figures).
    let batch = Batch::new(&ps, &fs, &none, &w).unwrap();
    let t_ours = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                black_box(batch.solve(&AssignOptions::default()).unwrap());
                t.elapsed()
            })
            .collect(),
    );
    let t_km = median(
        (0..3)
            .map(|_| {
                let t = Instant::now();
                black_box(kuhn_munkres(&matrix));
                t.elapsed()
            })
            .collect(),
    );
    eprintln!(
        "(a) in-run solve medians: ours {t_ours:?}, Kuhn–Munkres {t_km:?}, ratio {:.1}×",
        t_km.as_secs_f64() / t_ours.as_secs_f64()
    );

    let mut g = c.benchmark_group("assign_one_bed_500x1000");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let batch = Batch::new(&ps, &fs, &none, &w).unwrap();
    let opts = AssignOptions::default();
    g.bench_function("ours_solve_only", |b| {
        b.iter(|| black_box(batch.solve(&opts).unwrap()))
    });
    g.bench_function("kuhn_munkres_solve_only", |b| {
        b.iter(|| black_box(kuhn_munkres(&matrix)))
    });
    g.bench_function("ours_end_to_end", |b| {
        b.iter(|| black_box(assign(&ps, &fs, &none, &w).unwrap()))
    });
    g.bench_function("kuhn_munkres_end_to_end", |b| {
        b.iter(|| {
            let (m, big) = km_build(&ps, &fs, &w);
            black_box(km_objective(&m, big))
        })
    });
    g.finish();

    // (b) General case.
    let mut r = Rng(0x5EED_1234_ABCD_0002);
    let fs = facilities(&mut r, 1_000);
    let ps = people(&mut r, 500, true);
    let gs = groups(&mut r, &ps);
    let plan = assign(&ps, &fs, &gs, &w).expect("valid");
    eprintln!(
        "(b) {} dependants, {} groups, {} keep-apart pairs: {} placed ({} housed), {} unplaced, score {}, {:?}",
        ps.iter().map(|p| p.needs.dependants).sum::<u32>(),
        gs.keep_together.len(),
        gs.keep_apart.len(),
        plan.placements.len(),
        plan.objective.people_housed,
        plan.unplaced.len(),
        plan.objective.total_score,
        plan.optimality
    );
    let mut g = c.benchmark_group("assign_general_500x1000");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("ours_dependants_groups_apart", |b| {
        b.iter(|| black_box(assign(&ps, &fs, &gs, &w).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
