#!/usr/bin/env bash
# Capacity simulation: a day of crates.io publications (shape from crates.io's index, volume and binary share as
# given) replayed at speed against the Release Api and a fresh Postgres, with simulated builders that hold each build
# for a build time measured on the local registry (benchmarks/data/build-times.txt), for several fleet sizes.
# Prints build and classification queue waits and the time to drain after the day, in the day's own time.
# Usage: benchmarks/capacity.sh [VERSIONS_PER_DAY BINARY_SHARE DAY_SECONDS FLEETS]
#   defaults: 4000 versions, 0.07 of them with binaries, the day replayed in 240 s, fleets 1,2,4,8.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
versions="${1:-4000}"
share="${2:-0.07}"
day="${3:-240}"
fleets="${4:-1,2,4,8}"
targets="x86_64-unknown-linux-gnu,aarch64-unknown-linux-gnu,i686-unknown-linux-gnu"

start_benchmark_postgres capacity capacity
dotnet build "$repo/BuildsRs.Benchmarks" -c Release -v quiet -nologo
dotnet build "$repo/BuildsRs.Api" -c Release -v quiet -nologo

api="http://127.0.0.1:$(free_port)"
enrollment_token="$(random_token)"
# New publications only: no second builds (verification takes what capacity is left, at the lowest priority).
start_service api "$api/health" env ASPNETCORE_URLS="$api" ConnectionStrings__buildsrs="$connection=capacity" \
  ConnectionStrings__artifacts="Directory=$work/artifacts" Admin__Token="$(random_token)" Signing__SecretKey="$(random_token)$(random_token)" \
  Builders__Hosts__bench="$enrollment_token" Jobs__VerifyShare=0 Logging__LogLevel__Default=Warning \
  Targets__Enabled__0=x86_64-unknown-linux-gnu Targets__Enabled__1=aarch64-unknown-linux-gnu Targets__Enabled__2=i686-unknown-linux-gnu \
  "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api"

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" capacity "$api" "$connection=capacity" "$enrollment_token" \
  "$versions" "$share" "$day" "$repo/benchmarks/data/build-times.txt" "$fleets" "$targets"
