//! Per-call cost of the working-day functions over random dates, each beside a naive day-by-day
//! walk over the same holiday set in the same run.
//!
//! Run: `cargo bench -p unchain-nrm --bench calendar -- --warm-up-time 1 --measurement-time 3`
//! Each iteration answers `CALLS` questions; criterion's time divided by `CALLS` is the time
//! per call (its "thrpt" line shows calls per second).

use std::collections::HashSet;
use std::hint::black_box;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use unchain_nrm::{Jurisdiction, add_working_days, holidays, is_working_day, working_days_between};

const CALLS: usize = 1024;

/// One question: jurisdiction, start date, working days to add, and a second date.
struct Case {
    j: Jurisdiction,
    a: NaiveDate,
    n: u32,
    b: NaiveDate,
}

/// A small deterministic generator (no randomness in the crate; fixed seed here so runs compare).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn cases() -> Vec<Case> {
    let mut rng = Lcg(0x5eed_cafe);
    let start = NaiveDate::from_ymd_opt(1971, 1, 1).expect("valid");
    (0..CALLS)
        .map(|_| {
            let j = Jurisdiction::ALL[usize::try_from(rng.next() % 3).expect("small")];
            // Dates 1972 .. 2098, n in 1..=60 working days, b within a year either side of a.
            let a = start + Days::new(365 + rng.next() % 46_000);
            let n = u32::try_from(rng.next() % 60).expect("small") + 1;
            let offset = rng.next() % 731;
            let b = if offset >= 365 {
                a + Days::new(offset - 365)
            } else {
                a - Days::new(365 - offset)
            };
            Case { j, a, n, b }
        })
        .collect()
}

/// The naive baseline: a hash set of every holiday and a day-by-day walk.
struct Naive {
    sets: Vec<(Jurisdiction, HashSet<NaiveDate>)>,
}

impl Naive {
    fn new() -> Naive {
        let sets = Jurisdiction::ALL
            .iter()
            .map(|&j| {
                let set = (1971..=2100)
                    .flat_map(|y| holidays(j, y).expect("in range"))
                    .map(|h| h.date)
                    .collect();
                (j, set)
            })
            .collect();
        Naive { sets }
    }

    fn set(&self, j: Jurisdiction) -> &HashSet<NaiveDate> {
        &self
            .sets
            .iter()
            .find(|(k, _)| *k == j)
            .expect("all three present")
            .1
    }

    fn is_working(&self, j: Jurisdiction, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.set(j).contains(&d)
    }

    fn add(&self, j: Jurisdiction, mut d: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("in range");
            if self.is_working(j, d) {
                left -= 1;
            }
        }
        d
    }

    fn between(&self, j: Jurisdiction, a: NaiveDate, b: NaiveDate) -> i64 {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0;
        let mut d = lo;
        while d < hi {
            d = d.succ_opt().expect("in range");
            if self.is_working(j, d) {
                count += 1;
            }
        }
        sign * count
    }
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    let naive = Naive::new();
    // Build the crate's table before timing (first use builds it once).
    let _ = is_working_day(Jurisdiction::Scotland, cases[0].a);
    // The two implementations must agree before their speed means anything.
    for k in &cases {
        assert_eq!(
            is_working_day(k.j, k.a).expect("ok"),
            naive.is_working(k.j, k.a)
        );
        assert_eq!(
            add_working_days(k.j, k.a, k.n).expect("ok"),
            naive.add(k.j, k.a, k.n)
        );
        assert_eq!(
            working_days_between(k.j, k.a, k.b).expect("ok"),
            naive.between(k.j, k.a, k.b)
        );
    }

    let calls = u64::try_from(CALLS).expect("small");
    let mut g = c.benchmark_group("is_working_day");
    g.throughput(Throughput::Elements(calls));
    g.bench_function("fast", |bch| {
        bch.iter(|| {
            cases
                .iter()
                .filter(|k| is_working_day(k.j, black_box(k.a)).expect("ok"))
                .count()
        })
    });
    g.bench_function("naive", |bch| {
        bch.iter(|| {
            cases
                .iter()
                .filter(|k| naive.is_working(k.j, black_box(k.a)))
                .count()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("add_working_days");
    g.throughput(Throughput::Elements(calls));
    g.bench_function("fast", |bch| {
        bch.iter(|| {
            cases
                .iter()
                .map(|k| add_working_days(k.j, black_box(k.a), k.n).expect("ok"))
                .max()
        })
    });
    g.bench_function("naive", |bch| {
        bch.iter(|| {
            cases
                .iter()
                .map(|k| naive.add(k.j, black_box(k.a), k.n))
                .max()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("working_days_between");
    g.throughput(Throughput::Elements(calls));
    g.bench_function("fast", |bch| {
        bch.iter(|| {
            cases
                .iter()
                .map(|k| working_days_between(k.j, black_box(k.a), k.b).expect("ok"))
                .sum::<i64>()
        })
    });
    g.bench_function("naive", |bch| {
        bch.iter(|| {
            cases
                .iter()
                .map(|k| naive.between(k.j, black_box(k.a), k.b))
                .sum::<i64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
