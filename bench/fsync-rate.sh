#!/usr/bin/env bash
# The disk's serial durable-write rate: dd writing 4 KiB blocks with O_DSYNC (each write waits
# for the disk), in the directory given (default: a fresh temporary directory under $TMPDIR).
# Prints writes per second. Usage: bench/fsync-rate.sh [DIR] [COUNT=2000]
set -euo pipefail
dir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/fsync-rate.XXXXXX")}"
count="${2:-2000}"
file="$dir/fsync-rate.dat"
trap 'rm -f "$file"' EXIT
rm -f "$file"
# Appending: every write also commits the file's new size (a journal commit).
start=$(date +%s.%N)
dd if=/dev/zero of="$file" bs=4k count="$count" oflag=dsync status=none
end=$(date +%s.%N)
awk -v n="$count" -v s="$start" -v e="$end" \
    'BEGIN { printf "result scenario=dd-dsync-append writes=%d secs=%.2f writes_per_s=%.0f\n", n, e - s, n / (e - s) }'
# Overwriting the same, now allocated, blocks in place: data only, as a database writes.
start=$(date +%s.%N)
dd if=/dev/zero of="$file" bs=4k count="$count" oflag=dsync conv=notrunc status=none
end=$(date +%s.%N)
awk -v n="$count" -v s="$start" -v e="$end" \
    'BEGIN { printf "result scenario=dd-dsync-overwrite writes=%d secs=%.2f writes_per_s=%.0f\n", n, e - s, n / (e - s) }'
