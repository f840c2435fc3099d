#!/usr/bin/env bash
# Server crash trial (issue 10): clients post intelligence reports concurrently, the server is
# killed with SIGKILL at a random moment, restarted, and every report whose POST was answered 2xx
# must be there, intact (same narrative). Repeats for TRIALS trials over one data directory.
#   bench/crash-server.sh [TRIALS=100] [CLIENTS=8]
# Loopback only; every loop is bounded. Prints one line per trial and a summary line
# ("crash-server: T trials, A acknowledged, L lost, D damaged"); exits 1 on any loss or damage.
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-100}"
clients="${2:-8}"
for tool in curl jq; do
    command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null
done
cargo build -q -p unchain-server --bin unchain-server
server_bin="${CARGO_TARGET_DIR:-target}/debug/unchain-server"

work="$(mktemp -d "${TMPDIR:-/tmp}/unchain-crash-server.XXXXXX")"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$((19000 + RANDOM % 1000))
base="http://127.0.0.1:$port"
start_server() {
    UNCHAIN_LOG=warn "$server_bin" --listen "127.0.0.1:$port" --data-dir "$work/data" \
        >>"$work/server.out" 2>&1 &
    server_pid=$!
    local t0; t0=$(date +%s%N)
    for _ in $(seq 300); do
        curl -sf "$base/readyz" >/dev/null 2>&1 && { ready_ms=$(( ($(date +%s%N) - t0) / 1000000 )); return 0; }
        sleep 0.05
    done
    echo "server did not become ready" >&2
    tail -20 "$work/server.out" >&2
    exit 1
}

start_server
admin="$(cat "$work/data/admin.token")"
source_id="$(curl -sf -X POST "$base/api/v1/sources" -H "Authorization: Bearer $admin" \
    -H "Content-Type: application/json" -d '{"kind":"helpline","name":"Crash trial source"}' | jq -r .id)"

# One client: posts reports until the server is gone (or 2000 posts), appending "id narrative"
# to its ack file only after a 2xx answer.
client() { # TRIAL CLIENT
    local n=0 code body narrative
    while [ $n -lt 2000 ]; do
        narrative="trial $1 client $2 report $n: workers seen at unit $RANDOM"
        body="$work/body.$1.$2"
        code=$(curl -s -o "$body" -w '%{http_code}' --max-time 10 -X POST "$base/api/v1/intel" \
            -H "Authorization: Bearer $admin" -H "Content-Type: application/json" \
            -d "{\"source_id\":\"$source_id\",\"narrative\":\"$narrative\"}" 2>/dev/null) || break
        case "$code" in
            2??) echo "$(jq -r .id "$body") $narrative" >>"$work/acks" ;;
            000) break ;;
        esac
        n=$((n + 1))
    done
}

# Reads "id narrative" lines; counts reports missing (not 200) or changed (other narrative).
check_acks() {
    trial_lost=0; trial_damaged=0
    while read -r id narrative; do
        got=$(curl -s -w '\n%{http_code}' "$base/api/v1/intel/$id" -H "Authorization: Bearer $admin")
        code=${got##*$'\n'}
        if [ "$code" != 200 ]; then
            trial_lost=$((trial_lost + 1))
        elif [ "$(printf '%s' "${got%$'\n'*}" | jq -r .narrative)" != "$narrative" ]; then
            trial_damaged=$((trial_damaged + 1))
        fi
    done
}

total_acked=0; lost=0; damaged=0; ready_total=0
: >"$work/acks"
for trial in $(seq "$trials"); do
    before=$(wc -l <"$work/acks")
    pids=()
    for c in $(seq "$clients"); do client "$trial" "$c" & pids+=($!); done
    # A random moment between 0.2 and 2.0 seconds into the load.
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.2 + (r % 181) / 100 }')"
    kill -KILL "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    start_server
    ready_total=$((ready_total + ready_ms))
    after=$(wc -l <"$work/acks")
    # Check this trial's acknowledged reports (all of them again after the last trial).
    check_acks < <(tail -n +"$((before + 1))" "$work/acks")
    lost=$((lost + trial_lost)); damaged=$((damaged + trial_damaged))
    echo "trial $trial: $((after - before)) acknowledged, lost $trial_lost, damaged $trial_damaged, ready after restart in ${ready_ms} ms"
done
total_acked=$(wc -l <"$work/acks")
# Every report acknowledged in any trial is still there after all the later crashes.
check_acks <"$work/acks"
final_lost=$trial_lost; final_damaged=$trial_damaged
lost=$((lost + final_lost)); damaged=$((damaged + final_damaged))
echo "final check of all $total_acked acknowledged reports: lost $final_lost, damaged $final_damaged"
audit=$(curl -sf "$base/api/v1/audit/verify" -H "Authorization: Bearer $admin" 2>/dev/null || echo '{}')
echo "crash-server: $trials trials, $clients clients, $total_acked acknowledged, $lost lost, $damaged damaged, mean restart-to-ready $((ready_total / trials)) ms, audit: $(printf '%s' "$audit" | jq -c . 2>/dev/null || echo "$audit")"
[ "$lost" -eq 0 ] && [ "$damaged" -eq 0 ]
