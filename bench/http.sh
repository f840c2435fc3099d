#!/usr/bin/env bash
# HTTP benchmarks of unchain-server, each beside its baseline in the same run (issue 9):
#  1. GET one case by id vs a bare axum handler returning the same JSON body (examples/bare.rs):
#     as an analyst (a pure read, pseudonym only), and as a manager (a role that sees identities:
#     every read unseals the person and appends an audit entry, a durable commit);
#  2. durable POSTs of new intelligence reports from 64 connections vs the disk's serial fsync
#     rate (bench/fsync-rate.sh in the same data directory's file system).
# Installs wrk (Debian package) when missing. Usage: bench/http.sh [SECONDS=10] [CONNECTIONS=64]
# Environment: REPS=N repeats the GET pair (bare, then analyst) N times against the same two
# servers (default 1), so medians come from one run; GET_ONLY=1 skips the manager and POST
# scenarios; NO_BUILD=1 uses the release binaries already built; SERVER_BIN=path serves from
# another build of unchain-server (e.g. the one before a change, for a before/after in one run).
# Method: wrk and both servers share the machine's cores (wrk -t2); the baseline and the server
# are measured the same way, one after the other, with the same connections, threads and time.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns="${2:-64}"
threads=2

if ! command -v wrk >/dev/null; then
    echo "installing wrk (apt-get)…" >&2
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
for tool in curl jq; do
    command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null
done

[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p unchain-server --bin unchain-server --example bare
target="${CARGO_TARGET_DIR:-target}/release"
server_bin="${SERVER_BIN:-$target/unchain-server}"
bare_bin="$target/examples/bare"

work="$(mktemp -d "${TMPDIR:-/tmp}/unchain-http-bench.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=18181
bare_port=18182
base="http://127.0.0.1:$port"
UNCHAIN_LOG=warn "$server_bin" --listen "127.0.0.1:$port" --data-dir "$work/data" >"$work/server.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
admin="$(cat "$work/data/admin.token")"
api() { # METHOD PATH TOKEN [JSON]
    curl -sf -X "$1" "$base$2" -H "Authorization: Bearer $3" \
        ${4:+-H "Content-Type: application/json" -d "$4"}
}
api POST /api/v1/users "$admin" '{"name":"bench-analyst","role":"analyst"}' >/dev/null
analyst="$(api POST /api/v1/tokens "$admin" '{"user":"bench-analyst","label":"bench"}' | jq -r .secret)"
api POST /api/v1/users "$admin" '{"name":"bench-manager","role":"manager"}' >/dev/null
manager="$(api POST /api/v1/tokens "$admin" '{"user":"bench-manager","label":"bench"}' | jq -r .secret)"
case_id="$(api POST /api/v1/cases "$admin" \
    '{"person":{"names":["Bench Person"],"nationalities":["AL"]},"exploitation":["labour"]}' | jq -r .id)"
api GET "/api/v1/cases/$case_id" "$analyst" >"$work/case.json"
source_id="$(api POST /api/v1/sources "$admin" '{"kind":"helpline","name":"Bench source"}' | jq -r .id)"

"$bare_bin" "127.0.0.1:$bare_port" "$work/case.json" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$bare_port/case" >/dev/null && break; sleep 0.1; done

summary() { # NAME WRK-OUTPUT-FILE
    local rps p50 p99 errors
    rps="$(awk '/^Requests\/sec/ {print $2}' "$2")"
    p50="$(awk '$1 == "50%" {print $2}' "$2")"
    p99="$(awk '$1 == "99%" {print $2}' "$2")"
    errors="$(awk '/Non-2xx/ {print $NF}' "$2")"
    echo "result scenario=$1 connections=$conns secs=$secs requests_per_s=$rps p50=$p50 p99=$p99 non_2xx=${errors:-0}"
}

echo "body: $(wc -c <"$work/case.json") bytes of case JSON; $threads wrk threads; $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for rep in $(seq "${REPS:-1}"); do
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency \
        "http://127.0.0.1:$bare_port/case" >"$work/bare.txt"
    summary bare-axum-json "$work/bare.txt"
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $analyst" \
        "$base/api/v1/cases/$case_id" >"$work/get.txt"
    summary get-case-analyst "$work/get.txt"
    echo "rep $rep load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
[ -z "${GET_ONLY:-}" ] || exit 0
wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $manager" \
    "$base/api/v1/cases/$case_id" >"$work/get-manager.txt"
summary get-case-manager-audited "$work/get-manager.txt"

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"source_id":"$source_id","narrative":"Workers seen sleeping at the car wash"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $admin"
LUA
wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -s "$work/post.lua" \
    "$base/api/v1/intel" >"$work/post.txt"
summary post-intel-durable "$work/post.txt"
bash bench/fsync-rate.sh "$work" 1000
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
