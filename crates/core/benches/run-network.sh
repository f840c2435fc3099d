#!/usr/bin/env bash
# Runs the clustering bench and prints the medians at 250k / 500k / 1M reports and their ratios
# (linear growth means ≈ 2.0 for each doubling). Usage: crates/core/benches/run-network.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
target="${CARGO_TARGET_DIR:-target}"
cargo bench -p unchain-core --bench network -- --noplot "$@"
echo
echo "machine: $(nproc) cores; $(lscpu | grep 'Model name' | sed 's/ \+/ /g'); $(rustc --version)"
for group in cluster cluster_cpu; do
echo "$group:"
prev=""
for n in 250000 500000 1000000; do
  f="$target/criterion/$group/$n/new/estimates.json"
  med=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate']/1e6)" "$f")
  if [ -n "$prev" ]; then
    ratio=$(python3 -c "print(f'{$med/$prev:.2f}')")
    printf '%8d reports: median %9.1f ms  (×%s the previous size)\n' "$n" "$med" "$ratio"
  else
    printf '%8d reports: median %9.1f ms\n' "$n" "$med"
  fi
  prev=$med
done
done
