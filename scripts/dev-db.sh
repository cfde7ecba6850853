#!/usr/bin/env bash
# Throw-away local database servers for trying Gemini Poise and for running the storage tests.
#
#   scripts/dev-db.sh start postgres [DIR]   initdb (first time) and start; prints DATABASE_URL
#   scripts/dev-db.sh stop  postgres [DIR]   stop the server (the data directory is kept)
#   scripts/dev-db.sh url   postgres [DIR]   print DATABASE_URL of a running server
#
# DIR defaults to /tmp/poise-dev-db/postgres. The server listens on 127.0.0.1 only, on a free
# port chosen at first start (kept in DIR/port), with database "poise" owned by user "poise"
# (password "poise"). Uses Debian's PostgreSQL 15 binaries directly: no system cluster
# (pg_ctlcluster, /etc/postgresql) is ever created or touched. Works as root: the server runs as
# the unprivileged "postgres" user. Idempotent: start on a running server just prints the URL.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin

die() {
  echo "dev-db: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop|url postgres [DIR]" >&2
  exit 2
}

(($# >= 2)) || usage
action=$1
engine=$2
[[ $engine == postgres || $engine == postgresql ]] || die "unknown engine '$engine' (supported: postgres)"
dir=${3:-/tmp/poise-dev-db/postgres}
dir=$(realpath -m -- "$dir")
data=$dir/data

# Runs a command as the unprivileged server user when we are root.
as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_installed() {
  [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/psql ]] && return
  echo "dev-db: installing postgresql-15 (apt)" >&2
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq ||
    die "apt-get update failed"
  # Installing the package may create and start Debian's default cluster; we never use it.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-15 ||
    die "apt-get install postgresql-15 failed"
  [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb missing after installing postgresql-15"
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

url() {
  echo "postgresql://poise:poise@127.0.0.1:$(cat "$dir/port")/poise"
}

is_running() {
  [[ -f $data/PG_VERSION ]] && as_server_user "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

psql_admin() {
  as_server_user "$PG_BIN/psql" -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -qAt "$@"
}

start() {
  ensure_installed
  if [[ -e $dir && ! -f $dir/.poise-dev-db ]]; then
    [[ -z $(ls -A "$dir" 2>/dev/null) ]] ||
      die "$dir exists and was not made by dev-db.sh; refusing to use it"
  fi
  mkdir -p "$dir"
  touch "$dir/.poise-dev-db"
  [[ -f $dir/port ]] || free_port >"$dir/port"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    chmod 0755 "$dir"
    # The server user must be able to reach DIR.
    runuser -u postgres -- test -x "$dir" || die "user postgres cannot enter $dir (check parent permissions)"
  fi
  if [[ ! -f $data/PG_VERSION ]]; then
    echo "dev-db: initdb $data" >&2
    as_server_user "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
  fi
  if ! is_running; then
    local port
    port=$(cat "$dir/port")
    as_server_user "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200 -c fsync=off" \
      start >/dev/null || die "the server did not start; see $dir/server.log"
  fi
  psql_admin -c "SELECT 1" >/dev/null || die "cannot connect to the server on 127.0.0.1:$(cat "$dir/port")"
  if [[ $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'poise'") != 1 ]]; then
    psql_admin -c "CREATE ROLE poise LOGIN CREATEDB PASSWORD 'poise'" || die "CREATE ROLE failed"
  fi
  if [[ $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'poise'") != 1 ]]; then
    psql_admin -c "CREATE DATABASE poise OWNER poise" || die "CREATE DATABASE failed"
  fi
  url
}

stop() {
  [[ -f $dir/.poise-dev-db ]] || die "no dev-db server in $dir"
  if is_running; then
    as_server_user "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || die "pg_ctl stop failed"
  fi
  echo "dev-db: stopped ($dir; remove it to start afresh)" >&2
}

case $action in
  start) start ;;
  stop) stop ;;
  url)
    is_running || die "no server running in $dir (run: $0 start postgres${3:+ $3})"
    url
    ;;
  *) usage ;;
esac
