#!/usr/bin/env bash
# Storage benchmarks on SQLite, PostgreSQL and MariaDB in one run. Starts a throw-away PostgreSQL
# and MariaDB with scripts/dev-db.sh (fsync off) in a temporary directory (stopped and removed on
# exit), runs the benchmark against each database, prints one JSON line per database and run and
# appends them to bench/storage/results/<date>[-request-log].jsonl.
#
#   bench/storage/run.sh [--keys N] [--repeats R]
#     P4: bulk import of 100 000 keys and the keys page (poise_storage_bench).
#   bench/storage/run.sh request-log writer|query|all [options]
#     P6 and the logs page (poise_request_log_bench): the RequestLogWriter at a paced rate with
#     its default options (writer: --rate 20000 --seconds 60; --batch-rows, --interval-ms,
#     --capacity to try others), and a page of 50 under each GET /api/v1/logs filter at millions
#     of rows (query: --rows 5000000 --repeats 11).
# Environment: BUILD_DIR [build-release, else build]; DATABASES ["sqlite postgresql mariadb"]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

target=poise_storage_bench suffix="" modes=("")
if [[ ${1:-} == request-log ]]; then
  target=poise_request_log_bench suffix=-request-log
  case "${2:-}" in
    writer | query) modes=("$2") ;;
    all) modes=(writer query) ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
  shift 2
fi
databases=${DATABASES:-sqlite postgresql mariadb}

build_dir=${BUILD_DIR:-}
if [[ -z $build_dir ]]; then
  build_dir=build
  [[ -f build-release/CMakeCache.txt ]] && build_dir=build-release
fi
cmake --build "$build_dir" --target "$target" >/dev/null
bench=$build_dir/bench/$target

db_root=$(mktemp -d /tmp/poise-bench-db.XXXXXX)
chmod 0755 "$db_root"
cleanup() {
  scripts/dev-db.sh stop postgres "$db_root/postgres" >/dev/null 2>&1 || true
  scripts/dev-db.sh stop mariadb "$db_root/mariadb" >/dev/null 2>&1 || true
  rm -rf "$db_root"
}
trap cleanup EXIT
declare -A urls=([sqlite]="")
for db in $databases; do
  case "$db" in
    sqlite) ;;
    postgresql) urls[postgresql]=$(scripts/dev-db.sh start postgres "$db_root/postgres") ;;
    mariadb) urls[mariadb]=$(scripts/dev-db.sh start mariadb "$db_root/mariadb") ;;
    *) echo "run.sh: unknown database $db" >&2; exit 2 ;;
  esac
done

mkdir -p "$here/results"
out="$here/results/$(date -u +%Y-%m-%dT%H%M%SZ)$suffix.jsonl"
echo "# $(uname -n), $(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $bench" >&2
for mode in "${modes[@]}"; do
  for db in $databases; do
    # SQLite: a file in a temporary directory, on the same disk as a data directory.
    POISE_TEST_DATABASE_URL=${urls[$db]} "$bench" ${mode:+"$mode"} "$@" | tee -a "$out"
  done
done
echo "# written to $out" >&2
