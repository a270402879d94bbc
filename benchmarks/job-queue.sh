#!/usr/bin/env bash
# Job queue benchmark: the Api (Release build) on a fresh Postgres, a queue of metadata jobs (default 100,000), and
# simulated builders (default 50) that claim and finish them over real WebSockets with the real protocol.
# Prints claims per second, claim latency percentiles and the double-assignment check (exit 1 if any).
# Usage: benchmarks/job-queue.sh [JOBS BUILDERS]. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/benchmark-postgres.sh"
jobs="${1:-100000}"
builders="${2:-50}"

start_benchmark_postgres queue queue
dotnet build "$repo/BuildsRs.Api" -c Release -v quiet -nologo
dotnet build "$repo/BuildsRs.Benchmarks" -c Release -v quiet -nologo

api="http://127.0.0.1:$(free_port)"
enrollment_token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
ASPNETCORE_URLS="$api" \
ConnectionStrings__buildsrs="$connection=queue" \
ConnectionStrings__artifacts="Directory=$work/artifacts" \
Admin__Token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" \
Builders__EnrollmentToken="$enrollment_token" \
Logging__LogLevel__Default=Warning \
  "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api" > "$work/api.log" 2>&1 &
background="$!"
# Healthy means migrated: the benchmark then writes its jobs into the final schema.
until curl -fsS "$api/health" >/dev/null 2>&1; do
  kill -0 "$background" 2>/dev/null || { cat "$work/api.log"; exit 1; }
  sleep 0.5
done

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" queue "$api" "$connection=queue" "$enrollment_token" "$jobs" "$builders"
