#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, and runs every unit and
# integration test through CTest. With --asan it then repeats the run under ASan+UBSan.
# The last line is "N passed, M failed" over all runs.
set -euo pipefail
cd "$(dirname "$0")/.."

presets=(dev)
for arg in "$@"; do
  case "$arg" in
    --asan) presets+=(asan-ubsan) ;;
    --tsan) presets+=(tsan) ;;
    *) echo "usage: scripts/test.sh [--asan] [--tsan]" >&2; exit 2 ;;
  esac
done

scripts/bootstrap.sh --with-test-deps
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# Let fresh clones in other folders reuse the cache: paths are made relative to the checkout.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR=1

# Throw-away database servers for the conformance and PostgreSQL integration entries. A server
# that does not start stops the run here, loudly: no dialect is ever skipped.
db_root=$(mktemp -d /tmp/poise-test-db.XXXXXX)
chmod 0755 "$db_root"
stop_servers() {
  scripts/dev-db.sh stop postgres "$db_root/postgres" >/dev/null 2>&1 || true
  scripts/dev-db.sh stop mariadb "$db_root/mariadb" >/dev/null 2>&1 || true
  rm -rf "$db_root"
}
trap stop_servers EXIT
echo "== start PostgreSQL and MariaDB (throw-away, in $db_root)"
if ! POISE_TEST_POSTGRES_URL=$(scripts/dev-db.sh start postgres "$db_root/postgres"); then
  echo "FAILED: the PostgreSQL test server did not start (see $db_root/postgres/server.log)" >&2
  cat "$db_root/postgres/server.log" >&2 2>/dev/null || true
  exit 1
fi
if ! POISE_TEST_MARIADB_URL=$(scripts/dev-db.sh start mariadb "$db_root/mariadb"); then
  echo "FAILED: the MariaDB test server did not start (see $db_root/mariadb/server.log)" >&2
  cat "$db_root/mariadb/server.log" >&2 2>/dev/null || true
  exit 1
fi
export POISE_TEST_POSTGRES_URL POISE_TEST_MARIADB_URL
echo "   postgresql: $POISE_TEST_POSTGRES_URL"
echo "   mariadb:    $POISE_TEST_MARIADB_URL"

echo "== npm ci (tests/integration)"
(cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)

passed=0
failed=0
skipped=0
status=0
failures=()
for preset in "${presets[@]}"; do
  echo "== configure + build: $preset"
  start=$(date +%s)
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "== build $preset took $(( $(date +%s) - start )) s"
  log=$(mktemp)
  set +e
  ctest --preset "$preset" -j2 --timeout 300 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  [[ $rc -eq 0 ]] || status=1
  summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
  if [[ -n "$summary" ]]; then
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
    bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
    skip=$(grep -cE '^\s+[0-9]+ - .*\(Skipped\)$' "$log" || true)
    passed=$((passed + total - bad - skip))
    failed=$((failed + bad))
    skipped=$((skipped + skip))
    while IFS= read -r line; do
      failures+=("$preset: ${line#"${line%%[![:space:]]*}"}")
    done < <(sed -n '/The following tests FAILED:/,/^Errors while running/p' "$log" | grep -E '^\s+[0-9]+ - ' || true)
  else
    echo "no CTest summary for $preset" >&2
    status=1
  fi
  rm -f "$log"
done

# The protocol translators' libFuzzer targets, briefly (clang build of core + protocols only).
echo "== fuzz (${FUZZ_SECONDS:-10} s per target)"
if fuzz/run.sh "${FUZZ_SECONDS:-10}"; then
  passed=$((passed + 1))
else
  echo "FAILED: a fuzz target found a problem (reproducer in build-fuzz/artifacts/)" >&2
  failed=$((failed + 1))
  status=1
fi

# The console's screenshots (every page, both languages, both themes, phone width) stay for a
# human to look at.
shots="$(cd "$(dirname "$0")/.." && pwd)/build/console-screenshots"
if [[ -d "$shots" ]]; then
  echo "console screenshots: $(find "$shots" -name '*.png' | wc -l) in $shots"
fi

# The failures again, so that the end of the output says which tests they were.
for line in "${failures[@]}"; do echo "FAILED $line"; done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
