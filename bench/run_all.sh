#!/usr/bin/env bash
# Runs every benchmark against the build in $1 (default: build). Each prints tarn's figure, its
# peer's figure from the same run, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
echo "== generate: tarn generate vs the seed's Python generator"
python3 bench/generate.py "$build"
echo
echo "== formats: tarn's JSON lines and Parquet vs DuckDB"
python3 bench/formats.py "$build"
echo
echo "== catalog: MSCK REPAIR TABLE over 10,000 partitions"
python3 bench/catalog.py "$build"
echo
echo "== ingest: tarn send -> tarn serve (seed streams, durable) vs gzip -6 on one core"
python3 bench/ingest.py "$build"
echo
echo "== query: the seed's June-2023 query and GROUP BY name on both tables, tarn vs DuckDB"
python3 bench/query.py "$build"
echo
echo "== demo: the whole tarn demo with 100,000 sessions (target: under 60 s)"
bench/demo.sh "$build"
