#!/usr/bin/env bash
# Runs every cargo-fuzz target one after another for N minutes each (default 10), on one core.
#   bench/fuzz.sh [MINUTES] [TARGET...]
# Needs the nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz
# (`cargo install cargo-fuzz --version 0.13.2 --locked`); the script installs cargo-fuzz if missing.
# Findings land in fuzz/artifacts/<target>/; the corpus grows in fuzz/corpus/<target>/.
# Summary lines ("<target>: N runs in M min, crashes: K") go to stdout and fuzz/last-run.txt (or the
# file named by FUZZ_SUMMARY, relative to fuzz/, so two runs on two cores can go side by side).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
minutes="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(calendar deadlines normalise backup_restore api_bodies http_bodies import_lines)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
# Build once up front (all targets), so the timed runs below do not include compilation.
cargo +nightly fuzz build -O
: > "${FUZZ_SUMMARY:=last-run.txt}"
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="artifacts/$t/run.log"
    set +e
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time=$((minutes * 60)) -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    crashes=$(find "artifacts/$t" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
    line="$t: ${runs} runs in ${minutes} min, exit ${rc}, findings: ${crashes}, corpus: $(ls "corpus/$t" | wc -l) inputs"
    echo "$line" | tee -a "$FUZZ_SUMMARY"
done
