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
  nodejs npm
)
# chromium: the browser tests/integration/docs_browser.test.mjs drives through playwright-core,
# which downloads no browser of its own. prometheus: promtool and the server that
# tests/integration/metrics.test.mjs checks /metrics with. fonts-noto-cjk: Chinese glyphs for the
# console's screenshots in Chinese (Chromium draws boxes without a CJK font).
test_packages=(
  googletest libgtest-dev libbenchmark-dev
  nginx-light wrk curl openssl linux-perf postgresql mariadb-server mariadb-client
  clang libclang-rt-14-dev clang-format clang-tidy
  chromium prometheus fonts-noto-cjk
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

# The web console's build (Vite, scripts/build-web.sh, on every build) needs Node.js 20.19 or
# newer, and so do the integration tests, which drive the real SDKs (Debian 12's own nodejs is 18).
check_node() {
  local v major=0 minor=0
  v=$(node --version 2>/dev/null || true)
  if [[ "$v" =~ ^v([0-9]+)\.([0-9]+) ]]; then
    major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  fi
  if ((major < 20 || (major == 20 && minor < 19))); then
    echo "bootstrap: the web console's build and the tests need Node.js 20.19 or newer (found: ${v:-none});" \
      "install it from NodeSource's Debian packages or with nvm, then run this again" \
      "(or build by hand with cmake -DPOISE_CONSOLE_BUNDLE=OFF: a server without the console)" >&2
    exit 1
  fi
}

# Swagger UI's files for /docs (embedded in the binary at build time): swagger-ui-dist as
# tools/swagger-ui's lock file pins it, installed once (again when the pin changes). Install
# scripts are skipped: the files are all the build needs.
install_swagger_ui() {
  local dir pinned installed
  dir="$(cd "$(dirname "$0")/.." && pwd)/tools/swagger-ui"
  pinned=$(node -p "require('$dir/package.json').dependencies['swagger-ui-dist']")
  installed=$(node -p "require('$dir/node_modules/swagger-ui-dist/package.json').version" 2>/dev/null || true)
  if [[ "$installed" != "$pinned" ]]; then
    echo "bootstrap: npm ci in tools/swagger-ui (swagger-ui-dist $pinned)"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#want[@]} packages present"
  check_node
  install_swagger_ui
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
check_node
install_swagger_ui
