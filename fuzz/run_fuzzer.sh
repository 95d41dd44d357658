#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a scratch copy of its corpus.
# usage: run_fuzzer.sh FUZZER CORPUS_DIR SECONDS
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work/"
# -rss_limit_mb keeps a hostile size claim from passing as normal; leaks fail the run.
"$fuzzer" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$work/" 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "fuzzer failed; the input that broke it was saved under $work (printed above)" >&2
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$f" ] && { echo "--- $f"; xxd "$f" | head -20; }
  done
  exit "$status"
fi
