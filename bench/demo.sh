#!/usr/bin/env bash
# Times the whole `tarn demo` with the seed's 100,000 sessions (target: under 60 s on a 2-core
# machine) and prints the per-step times the demo reports, with the machine's load before the
# run (other work skews the figure; measure on a quiet machine).
#
# usage: bench/demo.sh [BUILD_DIR] [SESSIONS]     (defaults: build, 100000)
# TARN_DEMO_EXAMPLES=DIR passes --examples DIR (other stream definitions).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
sessions=${2:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/tarn-demo-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
start=$(date +%s.%N)
"$build/tarn" demo --sessions "$sessions" --dir "$dir/demo-lake" \
  ${TARN_DEMO_EXAMPLES:+--examples "$TARN_DEMO_EXAMPLES"} >"$dir/out.txt" 2>"$dir/err.txt"
end=$(date +%s.%N)

grep -E '^\s+\(step [0-9] took' "$dir/out.txt" | sed 's/^ *//'
grep -E '^tarn send:' "$dir/err.txt" | sed -E 's/^tarn send: ([^ ]+ records).*(stream [^ ]+).* in ([0-9.]+ s):.*/send: \1 to \2 in \3/'
grep -E 'Data scanned' "$dir/out.txt" | sed 's/^ *//'
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s="$start" -v e="$end" -v n="$sessions" \
  'BEGIN { t = e - s; printf "tarn demo, %d sessions: %.1f s wall (target < 60 s: %s)\n", n, t, t < 60 ? "met" : "MISSED" }'
