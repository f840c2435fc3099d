//! Deadlines for 100,000 generated referral histories (mixed jurisdictions, referral dates
//! 2009–2025, every stage from "just referred" to "positive CG after reconsideration"), computed
//! in one pass as of one day.
//!
//! Run: `cargo bench -p unchain-nrm --bench deadlines -- --warm-up-time 1 --measurement-time 5`
//! Criterion's time is for the whole pass; divide by 100,000 for the time per referral.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use unchain_nrm::{
    Decision, Jurisdiction, Outcome, Reconsideration, ReferralHistory, Stage, deadlines_many,
};

const REFERRALS: usize = 100_000;

/// A small deterministic generator (fixed seed so runs compare).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn histories() -> Vec<ReferralHistory> {
    let mut rng = Lcg(0x0000_dead_11e5);
    let start = NaiveDate::from_ymd_opt(2009, 4, 1).expect("valid");
    let outcome = |p: bool| {
        if p {
            Outcome::Positive
        } else {
            Outcome::Negative
        }
    };
    (0..REFERRALS)
        .map(|_| {
            let jurisdiction = Jurisdiction::ALL[rng.below(3) as usize];
            let referred_on = start + Days::new(rng.below(16 * 365));
            let stage = rng.below(5);
            let rg = (stage >= 1).then(|| Decision {
                on: referred_on + Days::new(rng.below(40)),
                outcome: outcome(rng.below(5) != 0),
            });
            let mut reconsiderations = Vec::new();
            if stage >= 2 {
                if let Some(r) = rg.filter(|r| r.outcome == Outcome::Negative) {
                    reconsiderations.push(Reconsideration {
                        stage: Stage::ReasonableGrounds,
                        requested_on: r.on + Days::new(rng.below(40)),
                        decided: Some(Decision {
                            on: r.on + Days::new(40 + rng.below(60)),
                            outcome: Outcome::Positive,
                        }),
                    });
                }
            }
            let cg = rg.filter(|_| stage >= 3).map(|r| Decision {
                on: r.on + Days::new(100 + rng.below(700)),
                outcome: outcome(rng.below(4) != 0),
            });
            ReferralHistory {
                jurisdiction,
                referred_on,
                is_child: rng.below(2) == 0,
                rg,
                reconsiderations,
                cg,
                disqualified_on: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let all = histories();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid");
    // Every generated history is valid: a failure here means the bench measures error paths.
    assert!(deadlines_many(&all, as_of).iter().all(Result::is_ok));
    let mut g = c.benchmark_group("nrm_deadlines");
    g.throughput(Throughput::Elements(REFERRALS as u64));
    g.sample_size(20);
    g.bench_function("100k_referrals_one_pass", |b| {
        b.iter(|| deadlines_many(black_box(&all), black_box(as_of)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
