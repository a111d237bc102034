#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the test suite and print its URL.
# Idempotent: a server already running on the port is reused.
set -euo pipefail

port="${SHOPAGENT_PG_PORT:-54329}"
data="${SHOPAGENT_PG_DIR:-/tmp/shopagent-pg-$port}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed; run scripts/setup.sh (it installs Debian's postgresql)" >&2
  exit 1
fi

# The server refuses to run as root, so root runs it as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    as_owner "'$bin/initdb' -D '$data' -U postgres -A trust -E UTF8 --no-instructions" >/dev/null
  fi
  as_owner "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -t 60 \
    -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off\" start" >/dev/null
fi
as_owner "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='shopagent_test'\"" \
  | grep -q 1 || as_owner "'$bin/createdb' -h 127.0.0.1 -p $port -U postgres shopagent_test"
echo "postgresql+psycopg://postgres@127.0.0.1:$port/shopagent_test"
