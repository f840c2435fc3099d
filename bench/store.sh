#!/usr/bin/env bash
# The store's big benchmarks (docs/PERFORMANCE.md, "unchain-store"), each scenario in its own
# process so that each reports its own peak memory (VmHWM), runs interleaved so that noise spreads:
#   - bulk insert of N ~1 KB records (default 1,000,000), batches of 1,000: through the Backend
#     trait sealed, through the trait unsealed, and raw sled with one flush per 1,000 (same bytes);
#   - durable single-put commits from 1 and 64 threads vs the serial write+fdatasync rate and dd.
# Usage: bench/store.sh [N=1000000] [RUNS=3] [SECS=5]   (N=0 skips the bulk inserts)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
runs="${2:-3}"
secs="${3:-5}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p unchain-store --example bulk
bin="$target/release/examples/bulk"
work="$(mktemp -d "${TMPDIR:-/tmp}/unchain-store-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
out="$work/results.txt"

echo "machine: nproc=$(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g'); $(rustc --version)"
for run in $(seq "$runs"); do
    echo "== run $run"
    for scenario in trait-sealed trait-plain raw-sled; do
        [ "$n" -gt 0 ] || break
        rm -rf "$work/db"
        "$bin" "$work/db" "$scenario" "$n" 1000 | tee -a "$out"
    done
    rm -rf "$work/db"
    bash bench/fsync-rate.sh "$work" | tee -a "$out"
    for baseline in fsync fsync-append; do
        "$bin" "$work/db" "$baseline" "$secs" | tee -a "$out"
    done
    for threads in 1 64; do
        rm -rf "$work/db"
        "$bin" "$work/db" commits "$threads" "$secs" | tee -a "$out"
    done
done

echo "== medians over $runs runs"
# Key: scenario (+threads); value: the rate field; also the median peak memory.
awk '{
    key = ""; rate = ""; rss = "";
    for (i = 2; i <= NF; i++) {
        split($i, kv, "=");
        if (kv[1] == "scenario") key = kv[2];
        if (kv[1] == "threads") key = key "/" kv[2] "threads";
        if (kv[1] ~ /_per_s$/) rate = kv[2];
        if (kv[1] == "peak_rss_mb") rss = kv[2];
    }
    print key, rate, (rss == "" ? "-" : rss);
}' "$out" | sort -k1,1 -k2,2n | awk '
    { k[NR] = $1; r[NR] = $2; m[NR] = $3 }
    END {
        i = 1;
        while (i <= NR) {
            j = i; while (j + 1 <= NR && k[j + 1] == k[i]) j++;
            mid = int((i + j) / 2);
            printf "%-24s median_per_s=%s peak_rss_mb=%s (n=%d)\n", k[i], r[mid], m[mid], j - i + 1;
            i = j + 1;
        }
    }'
