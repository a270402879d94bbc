#!/usr/bin/env bash
# Registry sync benchmark: a crates.io-sized synthetic index (default 250,000 crates, 2,000,000 versions) imported by
# RegistrySync into a fresh Postgres, then an incremental pass, then a raw COPY of the same rows as the floor.
# Usage: benchmarks/registry-sync.sh [CRATES VERSIONS]. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crates="${1:-250000}"
versions="${2:-2000000}"

work="$(mktemp -d "${TMPDIR:-/tmp}/buildsrs-bench-registry.XXXXXX")"
chmod 755 "$work"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
password=benchmark
POSTGRES_DATA_DIR="$work/postgres" POSTGRES_PORT="$port" POSTGRES_PASSWORD="$password" POSTGRES_DB=import \
  "$repo/provisioning/postgres.sh" > "$work/postgres.log" 2>&1 &
postgres=$!
cleanup() { kill -TERM "$postgres" 2>/dev/null; wait "$postgres" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export PGPASSWORD="$password"
until psql -h 127.0.0.1 -p "$port" -U postgres -d import -c 'SELECT 1' >/dev/null 2>&1; do sleep 0.3; done
psql -h 127.0.0.1 -p "$port" -U postgres -d import -q -c 'CREATE DATABASE floor'

connection="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database"
dotnet build "$repo/BuildsRs.Benchmarks" -c Release -v quiet -nologo
"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" registry \
  "$connection=import" "$connection=floor" "$work/bench" "$crates" "$versions"
