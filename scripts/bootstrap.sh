#!/usr/bin/env bash
# Installs the Debian 12 packages Gemini Poise needs to build, test and benchmark.
# Idempotent: packages already present are skipped, so a second run makes no change.
# Usage: scripts/bootstrap.sh [--with-test-deps]
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev ca-certificates libsqlite3-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
  libpq-dev libmariadb-dev libhiredis-dev
  nodejs npm
)
test_packages=(
  googletest libgtest-dev libbenchmark-dev
  nginx-light wrk curl openssl linux-perf postgresql mariadb-server mariadb-client
  clang libclang-rt-14-dev clang-format clang-tidy
)

want=("${build_packages[@]}")
if [[ "${1:-}" == "--with-test-deps" ]]; then
  want+=("${test_packages[@]}")
fi

missing=()
for p in "${want[@]}"; do
  # node/npm may come from outside Debian; accept a working binary.
  if [[ "$p" == nodejs ]] && command -v node >/dev/null; then continue; fi
  if [[ "$p" == npm ]] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#want[@]} packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
