#!/usr/bin/env bash
# Job queue benchmark: the Api (Release build) on a fresh Postgres, a queue of metadata jobs (default 100,000), and
# simulated builders (default 50) that claim and finish them over real WebSockets with the real protocol, BATCH jobs
# per request (default 32: builders with `Builder:MetadataSlots` 32, as for a backfill; 8 is a builder's default), the
# batch's results sent together. Prints claims per second as fast as the builders can go and the double-assignment
# check (exit 1 if any), claim latency at RATE claims/s offered (default 2,000), then the floor: pgbench with as many
# clients running the same claim and result statements against the database alone.
# Usage: benchmarks/job-queue.sh [JOBS BUILDERS BATCH RATE]. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
jobs="${1:-100000}"
builders="${2:-50}"
batch="${3:-32}"
rate="${4:-2000}"

start_benchmark_postgres queue queue
dotnet build "$repo/BuildsRs.Benchmarks" -c Release -v quiet -nologo
dotnet build "$repo/BuildsRs.Api" -c Release -v quiet -nologo

api="http://127.0.0.1:$(free_port)"
enrollment_token="$(random_token)"
# Healthy means migrated: the benchmark then writes its jobs into the final schema.
start_service api "$api/health" env ASPNETCORE_URLS="$api" ConnectionStrings__buildsrs="$connection=queue" \
  ConnectionStrings__artifacts="Directory=$work/artifacts" Admin__Token="$(random_token)" Signing__SecretKey="$(random_token)$(random_token)" \
  Builders__Hosts__bench="$enrollment_token" Logging__LogLevel__Default=Warning \
  "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api"

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" queue "$api" "$connection=queue" "$enrollment_token" "$jobs" "$builders" "$batch" "$rate" \
  /usr/lib/postgresql/15/bin/pgbench "$work"
