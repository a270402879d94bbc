#!/bin/sh
# Initialises the data directory on first start (the password from POSTGRES_PASSWORD, the database POSTGRES_DB),
# then runs postgres in the foreground as PID 1. SIGINT (the image's stop signal) is postgres's fast shutdown.
set -eu
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  echo "buildsrs-postgres: the setting POSTGRES_PASSWORD is missing: the password of the postgres user" >&2
  exit 78
fi
bin=/usr/lib/postgresql/15/bin
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  "$bin/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \"$POSTGRES_DB\";" | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  echo "buildsrs-postgres: initialised $PGDATA with the database $POSTGRES_DB"
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c max_connections=300 -c unix_socket_directories=/run/postgresql
