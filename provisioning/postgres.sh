#!/usr/bin/env bash
# Runs Debian's PostgreSQL as the postgres user on 127.0.0.1, in the foreground, for the AppHost and the tests.
# On first use it initialises the data directory with the given password and creates the database, so that
# "accepting connections" already means "the database exists".
# Environment: POSTGRES_DATA_DIR, POSTGRES_PORT, POSTGRES_PASSWORD, POSTGRES_DB.
set -euo pipefail
: "${POSTGRES_DATA_DIR:?}" "${POSTGRES_PORT:?}" "${POSTGRES_PASSWORD:?}" "${POSTGRES_DB:?}"

bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
data="$POSTGRES_DATA_DIR"

mkdir -p "$data"
if [ ! -s "$data/PG_VERSION" ]; then
  chown postgres:postgres "$data"
  chmod 700 "$data"
  pwfile="$(mktemp)"
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  "${as_postgres[@]}" "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "CREATE DATABASE \"$POSTGRES_DB\";" | "${as_postgres[@]}" "$bin/postgres" --single -D "$data" postgres >/dev/null
  echo "initialised $data with database $POSTGRES_DB"
fi

# SIGTERM means "smart" shutdown to postgres, which waits for every client; stop fast instead.
"${as_postgres[@]}" "$bin/postgres" -D "$data" -p "$POSTGRES_PORT" -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories="$data" -c max_connections=200 -c synchronous_commit=off &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
wait "$pid" || wait "$pid"
