#!/usr/bin/env bash
# P4 storage benchmark (SPEC §7): bulk import of 100 000 keys and the keys page query, on SQLite,
# PostgreSQL and MariaDB, in one run. Starts a throw-away PostgreSQL and MariaDB with
# scripts/dev-db.sh in a temporary directory (stopped and removed on exit), runs
# poise_storage_bench against each database, prints one JSON line per database and writes them to
# bench/storage/results/<date>.jsonl.
#
# Usage: bench/storage/run.sh [--keys N] [--repeats R]
# Environment: BUILD_DIR [build-release, else build]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

build_dir=${BUILD_DIR:-}
if [[ -z $build_dir ]]; then
  build_dir=build
  [[ -f build-release/CMakeCache.txt ]] && build_dir=build-release
fi
cmake --build "$build_dir" --target poise_storage_bench >/dev/null
bench=$build_dir/bench/poise_storage_bench

db_root=$(mktemp -d /tmp/poise-bench-db.XXXXXX)
chmod 0755 "$db_root"
cleanup() {
  scripts/dev-db.sh stop postgres "$db_root/postgres" >/dev/null 2>&1 || true
  scripts/dev-db.sh stop mariadb "$db_root/mariadb" >/dev/null 2>&1 || true
  rm -rf "$db_root"
}
trap cleanup EXIT
pg_url=$(scripts/dev-db.sh start postgres "$db_root/postgres")
maria_url=$(scripts/dev-db.sh start mariadb "$db_root/mariadb")

mkdir -p "$here/results"
out="$here/results/$(date -u +%Y-%m-%dT%H%M%SZ).jsonl"
echo "# $(uname -n), $(nproc) cores, $(date -u +%FT%TZ), $bench" >&2
for url in "" "$pg_url" "$maria_url"; do
  POISE_TEST_DATABASE_URL=$url "$bench" "$@" | tee -a "$out"
done
echo "# written to $out" >&2
