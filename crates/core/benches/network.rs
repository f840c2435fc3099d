//! Clustering bench: n reports with 3 identifiers each (3n identifiers), clustered by the pure
//! `network::cluster`. Sizes 250k, 500k and 1M, to show that the time grows linearly.
//!
//! The data are synthetic and deterministic (a fixed LCG): 95% of identifier slots are unique to
//! their report, 5% are drawn from a pool of n/20 values, so that clusters are small and many, as
//! in real intelligence (a giant component would be a data problem, not a network).
//!
//! Run: `cargo bench -p unchain-core --bench network` (or `crates/core/benches/run-network.sh`,
//! which prints the medians and their ratios).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkId, Criterion, Throughput};
use unchain_core::network::{
    ClusterOptions, ClusterRow, Identifier, IdentifierKind, MemberKind, MemberRef, cluster,
};
use uuid::Uuid;

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

/// `n` report rows with 3 identifiers each.
pub fn rows(n: usize, seed: u64) -> Vec<ClusterRow> {
    let mut rng = Lcg(seed);
    let pool = (n / 20).max(1) as u64;
    let kinds = [
        IdentifierKind::Phone,
        IdentifierKind::VehiclePlate,
        IdentifierKind::Email,
    ];
    (0..n)
        .map(|i| {
            let identifiers = kinds
                .iter()
                .enumerate()
                .map(|(j, &kind)| {
                    let k = if rng.next() % 100 < 5 {
                        rng.next() % pool
                    } else {
                        pool + (i * 3 + j) as u64
                    };
                    let value = match kind {
                        IdentifierKind::Phone => format!("+447{k:09}"),
                        IdentifierKind::VehiclePlate => format!("AB{k:08}"),
                        _ => format!("u{k}@example.org"),
                    };
                    Identifier { kind, value }
                })
                .collect();
            ClusterRow {
                member: MemberRef {
                    kind: MemberKind::Report,
                    id: Uuid::from_u128(i as u128 + 1),
                },
                identifiers,
                places: vec![format!("place {}", i % 500)],
                date: None,
                indicators: vec![format!("indicator {}", i % 17)],
                grading: None,
                links: Vec::new(),
            }
        })
        .collect()
}

/// Thread CPU time from `/proc/thread-self/schedstat` (nanoseconds on CPU): on a shared,
/// overloaded machine wall time mostly measures the other tenants, CPU time measures the code.
struct ThreadCpu;

fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        cpu_ns()
    }
    fn end(&self, i: u64) -> u64 {
        cpu_ns().saturating_sub(i)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanos
    }
}

struct Nanos;

impl ValueFormatter for Nanos {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = if typical >= 1e9 {
            (1e9, "s (cpu)")
        } else if typical >= 1e6 {
            (1e6, "ms (cpu)")
        } else {
            (1e3, "µs (cpu)")
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, _: &mut [f64]) -> &'static str {
        "ns (cpu)"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

const SIZES: [usize; 3] = [250_000, 500_000, 1_000_000];

fn run<M: Measurement>(c: &mut Criterion<M>, name: &str, inputs: &[Vec<ClusterRow>]) {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    for (n, input) in SIZES.iter().zip(inputs) {
        group.bench_with_input(BenchmarkId::from_parameter(n), input, |b, input| {
            b.iter(|| black_box(cluster(black_box(input), &ClusterOptions::default())).len())
        });
    }
    group.finish();
}

fn main() {
    // One call at one size, for counting instructions and cache misses under callgrind:
    // `NETWORK_ONCE=1000000 valgrind --tool=callgrind --cache-sim=yes
    //  --toggle-collect='unchain_core::network::cluster::cluster' <this binary>`.
    if let Some(n) = std::env::var("NETWORK_ONCE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let input = rows(n, 42);
        let out = cluster(black_box(&input), &ClusterOptions::default());
        eprintln!("{n} reports: {} clusters", out.len());
        return;
    }
    let inputs: Vec<Vec<ClusterRow>> = SIZES.iter().map(|&n| rows(n, 42)).collect();
    {
        let out = cluster(&inputs[2], &ClusterOptions::default());
        let members: usize = out.iter().map(|c| c.members.len()).sum();
        let largest = out.first().map_or(0, |c| c.members.len());
        eprintln!(
            "1M reports: {} clusters holding {members} reports, the largest {largest}",
            out.len()
        );
    }
    let mut wall = Criterion::default().configure_from_args();
    run(&mut wall, "cluster", &inputs);
    let mut cpu = Criterion::default()
        .with_measurement(ThreadCpu)
        .configure_from_args();
    run(&mut cpu, "cluster_cpu", &inputs);
    wall.final_summary();
}
