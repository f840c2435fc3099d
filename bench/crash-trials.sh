#!/usr/bin/env bash
# Runs the SIGKILL crash-safety test with many trials (default 100; pass a number to change it).
# Each trial: a child commits from 4 threads and prints what was acknowledged, is killed with
# SIGKILL at a random moment, and the store is reopened and checked (crates/store/tests/crash.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-100}"
UNCHAIN_CRASH_TRIALS="$trials" cargo test -p unchain-store --test crash -- --nocapture \
    sigkill_at_random_moments_loses_no_acknowledged_commit
