#!/usr/bin/env bash
# Installs the Debian 12 packages Gemini Poise needs to build, test and benchmark.
# Idempotent: packages already present are skipped, so a second run makes no change.
# Usage: scripts/bootstrap.sh [--with-test-deps]
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev ca-certificates libsqlite3-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
  libpq-dev libmariadb-dev libhiredis-dev libhowardhinnant-date-dev tzdata
)
test_packages=(
  nodejs npm
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

# The integration tests drive the real SDKs, which need Node.js 20 or newer (Debian 12's own
# nodejs is 18).
check_node() {
  [[ "${1:-}" == "--with-test-deps" ]] || return 0
  local major
  major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')
  if [[ -z "$major" || "$major" -lt 20 ]]; then
    echo "bootstrap: the tests need Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none));" \
      "install it from NodeSource's Debian packages or with nvm, then run this again" >&2
    exit 1
  fi
}

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#want[@]} packages present"
  check_node "${1:-}"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
    echo "bootstrap: missing Debian packages; as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
check_node "${1:-}"
