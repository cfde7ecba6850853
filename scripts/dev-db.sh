#!/usr/bin/env bash
# Throw-away local database servers for trying Gemini Poise and for running the storage tests.
#
#   scripts/dev-db.sh start postgres|mariadb [DIR]   initialise (first time) and start; prints DATABASE_URL
#   scripts/dev-db.sh stop  postgres|mariadb [DIR]   stop the server (the data directory is kept)
#   scripts/dev-db.sh url   postgres|mariadb [DIR]   print DATABASE_URL of a running server
#
# DIR defaults to /tmp/poise-dev-db/<engine>. The server listens on 127.0.0.1 only, on a free port
# chosen at first start (kept in DIR/port), with database "poise" and user "poise" (password
# "poise"), who may also create and drop other databases (the tests make one each). Debian's
# binaries are run directly: no system service or cluster (pg_ctlcluster, /etc/mysql datadir) is
# ever created, started or touched. Works as root: the server runs as the unprivileged
# "postgres" / "mysql" user. Idempotent: start on a running server just prints the URL.
#
# These servers trade durability for speed (fsync off): never keep data you care about in them.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin

die() {
  echo "dev-db: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop|url postgres|mariadb [DIR]" >&2
  exit 2
}

(($# >= 2)) || usage
action=$1
case $2 in
  postgres | postgresql) engine=postgres server_user=postgres ;;
  mariadb | mysql) engine=mariadb server_user=mysql ;;
  *) die "unknown engine '$2' (supported: postgres, mariadb)" ;;
esac
dir=${3:-/tmp/poise-dev-db/$engine}
dir=$(realpath -m -- "$dir")
data=$dir/data

# Runs a command as the unprivileged server user when we are root.
as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$server_user" -- "$@"
  else
    "$@"
  fi
}

apt_install() {
  echo "dev-db: installing $* (apt)" >&2
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq || die "apt-get update failed"
  # Installing may create a default cluster or service; we never use or start it.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" ||
    die "apt-get install $* failed"
}

ensure_installed() {
  if [[ $engine == postgres ]]; then
    [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/psql ]] && return
    apt_install postgresql-15
    [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb missing after installing postgresql-15"
  else
    command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null && return
    [[ -x /usr/sbin/mariadbd ]] && return
    apt_install mariadb-server mariadb-client
    [[ -x /usr/sbin/mariadbd ]] || die "/usr/sbin/mariadbd missing after installing mariadb-server"
  fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

port() { cat "$dir/port"; }

url() {
  if [[ $engine == postgres ]]; then
    echo "postgresql://poise:poise@127.0.0.1:$(port)/poise"
  else
    echo "mysql://poise:poise@127.0.0.1:$(port)/poise"
  fi
}

# --- PostgreSQL -----------------------------------------------------------------------------

pg_running() {
  [[ -f $data/PG_VERSION ]] && as_server_user "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

psql_admin() {
  as_server_user "$PG_BIN/psql" -h 127.0.0.1 -p "$(port)" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -qAt "$@"
}

pg_start() {
  if [[ ! -f $data/PG_VERSION ]]; then
    echo "dev-db: initdb $data" >&2
    as_server_user "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
  fi
  if ! pg_running; then
    as_server_user "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -c port=$(port) -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off" \
      start >/dev/null || die "the PostgreSQL server did not start; see $dir/server.log"
  fi
  psql_admin -c "SELECT 1" >/dev/null || die "cannot connect to PostgreSQL on 127.0.0.1:$(port)"
  if [[ $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'poise'") != 1 ]]; then
    psql_admin -c "CREATE ROLE poise LOGIN CREATEDB PASSWORD 'poise'" || die "CREATE ROLE failed"
  fi
  if [[ $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'poise'") != 1 ]]; then
    psql_admin -c "CREATE DATABASE poise OWNER poise" || die "CREATE DATABASE failed"
  fi
}

pg_stop() {
  if pg_running; then
    as_server_user "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || die "pg_ctl stop failed"
  fi
}

# --- MariaDB --------------------------------------------------------------------------------

maria_client() {
  mariadb --no-defaults --socket="$dir/mysqld.sock" -u root --batch --skip-column-names "$@"
}

mariadb_running() {
  [[ -S $dir/mysqld.sock ]] && maria_client -e "SELECT 1" >/dev/null 2>&1
}

mariadb_start() {
  if [[ ! -d $data/mysql ]]; then
    echo "dev-db: mariadb-install-db $data" >&2
    mkdir -p "$data"
    [[ $(id -u) -ne 0 ]] || chown mysql: "$data"
    as_server_user mariadb-install-db --no-defaults --datadir="$data" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install-db.log" 2>&1 || die "mariadb-install-db failed; see $dir/install-db.log"
  fi
  if ! mariadb_running; then
    rm -f "$dir/mysqld.sock" "$dir/mysqld.pid"
    # setsid: the server outlives this script and ignores the caller's terminal signals.
    as_server_user setsid mariadbd --no-defaults --datadir="$data" --bind-address=127.0.0.1 \
      --port="$(port)" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
      --log-error="$dir/server.log" --skip-log-bin --max-connections=300 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
      --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=256M \
      --skip-name-resolve </dev/null >/dev/null 2>&1 &
    local i
    for i in $(seq 1 150); do
      mariadb_running && break
      sleep 0.2
    done
    mariadb_running || die "the MariaDB server did not start; see $dir/server.log"
  fi
  maria_client -e "CREATE DATABASE IF NOT EXISTS poise CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
    CREATE USER IF NOT EXISTS 'poise'@'127.0.0.1' IDENTIFIED BY 'poise';
    CREATE USER IF NOT EXISTS 'poise'@'localhost' IDENTIFIED BY 'poise';
    GRANT ALL PRIVILEGES ON *.* TO 'poise'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON *.* TO 'poise'@'localhost';" || die "creating user and database failed"
}

mariadb_stop() {
  if mariadb_running; then
    local pid
    pid=$(cat "$dir/mysqld.pid" 2>/dev/null || true)
    maria_client -e "SHUTDOWN" >/dev/null 2>&1 || { [[ -z $pid ]] || kill "$pid" 2>/dev/null || true; }
    local i
    for i in $(seq 1 150); do
      [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
  fi
}

# --- common ---------------------------------------------------------------------------------

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
    chown "$server_user": "$dir"
    chmod 0755 "$dir"
    # The server user must be able to reach DIR.
    runuser -u "$server_user" -- test -x "$dir" || die "user $server_user cannot enter $dir (check parent permissions)"
  fi
  "${engine/postgres/pg}_start"
  url
}

stop() {
  [[ -f $dir/.poise-dev-db ]] || die "no dev-db server in $dir"
  "${engine/postgres/pg}_stop"
  echo "dev-db: stopped ($dir; remove it to start afresh)" >&2
}

running() { "${engine/postgres/pg}_running"; }

case $action in
  start) start ;;
  stop) stop ;;
  url)
    running || die "no server running in $dir (run: $0 start $engine${3:+ $3})"
    url
    ;;
  *) usage ;;
esac
