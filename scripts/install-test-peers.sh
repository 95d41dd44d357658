#!/usr/bin/env bash
# Installs the test peers pinned in tests/peers/package-lock.json (DuckDB from npm) when they are
# missing or older than the lockfile. Used by `make test` and `make bench`; the product never
# loads them.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"
stamp=node_modules/.tarn-installed
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ -d node_modules/@duckdb/node-api ]; then
  exit 0
fi
echo "install-test-peers: npm ci in tests/peers" >&2
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
