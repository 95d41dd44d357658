#!/usr/bin/env bash
# Installs every Debian 12 package that tarn's build, tests, benchmarks and demo need.
# Only missing packages are installed; `apt-get update` runs once, and only when something is
# missing. Uses sudo when not run as root. Safe to run repeatedly: a no-op when all is present.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ ccache pkg-config
  # fuzzing and sanitizer builds
  clang libclang-rt-14-dev
  # libraries
  libfmt-dev libcli11-dev libssl-dev zlib1g-dev libdeflate-dev libisal-dev libzstd-dev libsnappy-dev libsqlite3-dev
  libsimdjson-dev libthrift-dev thrift-compiler libboost-dev libjq-dev libcurl4-openssl-dev tzdata libre2-dev
  # test tools and real clients of the Firehose API
  zstd awscli python3-boto3
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3
)

# Node.js and npm run the test peers (DuckDB from npm); a machine may already have them from
# another source, which serves as well.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root and sudo is not available; install as root: ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
