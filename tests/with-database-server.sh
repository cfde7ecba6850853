#!/usr/bin/env bash
# Runs a command against a database server that scripts/test.sh (or a developer) started:
#   tests/with-database-server.sh postgresql|mariadb <command> [args…]
# Reads the server's URL from POISE_TEST_POSTGRES_URL or POISE_TEST_MARIADB_URL and passes it on
# as POISE_TEST_DATABASE_URL (unit tests) and IT_DATABASE_URL (integration tests). A missing
# server is a failure, never a skip: CI must prove every dialect.
set -euo pipefail
server=$1
shift
case $server in
  postgresql) var=POISE_TEST_POSTGRES_URL engine=postgres ;;
  mariadb) var=POISE_TEST_MARIADB_URL engine=mariadb ;;
  *) echo "with-database-server: unknown server '$server'" >&2; exit 2 ;;
esac
url=${!var:-}
if [[ -z $url ]]; then
  cat >&2 <<MSG
FAILED: this test needs a $server server and $var is not set.
  scripts/test.sh starts one for you; by hand:
    export $var=\$(scripts/dev-db.sh start $engine)
MSG
  exit 1
fi
export POISE_TEST_DATABASE_URL=$url IT_DATABASE_URL=$url
exec "$@"
