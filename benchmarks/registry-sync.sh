#!/usr/bin/env bash
# Registry sync benchmark: a crates.io-sized synthetic index (default 250,000 crates, 2,000,000 versions) imported by
# RegistrySync into a fresh Postgres, then an incremental pass, then a raw COPY of the same rows as the floor.
# Usage: benchmarks/registry-sync.sh [CRATES VERSIONS]. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
crates="${1:-250000}"
versions="${2:-2000000}"

start_benchmark_postgres registry import
psql -h 127.0.0.1 -p "$port" -U postgres -d import -q -c 'CREATE DATABASE floor'

dotnet build "$repo/BuildsRs.Benchmarks" -c Release -v quiet -nologo
"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" registry \
  "$connection=import" "$connection=floor" "$work/bench" "$crates" "$versions"
