#!/usr/bin/env bash
# Log flood benchmark: the system (local registry, Api, one Builder, Web; Release builds) builds a crate whose build
# script emits LINES (a million) short cargo:warning= lines, which cargo prints one by one. Prints the log rows
# written, the Api's CPU seconds over the build, the events a live page is sent and the job page's render time. A build that has not ended after
# MINUTES (20) is reported as far as it got. Usage: benchmarks/log-flood.sh [LINES] [MINUTES]. Needs provisioning first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$repo/provisioning/common.sh"  # BUILDSRS_STATE_DIR
lines="${1:-1000000}"
minutes="${2:-20}"

start_benchmark_postgres log-flood flood
for project in BuildsRs.Benchmarks BuildsRs.Api BuildsRs.Builder BuildsRs.LocalRegistry BuildsRs.Web; do
  dotnet build "$repo/$project" -c Release -v quiet -nologo
done
target=x86_64-unknown-linux-gnu

start_local_registry

api="http://127.0.0.1:$(free_port)"
enrollment_token="$(random_token)"
start_service api "$api/health" env ASPNETCORE_URLS="$api" ConnectionStrings__buildsrs="$connection=flood" \
  ConnectionStrings__artifacts="Directory=$work/artifacts" Admin__Token="$(random_token)" Signing__SecretKey="$(random_token)$(random_token)" \
  Builders__Hosts__bench="$enrollment_token" Targets__Enabled__0="$target" Jobs__DownloadUrl="$registry/api/v1/crates/{crate}/{version}/download" \
  Logging__LogLevel__Default=Warning "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api"
api_process="${background%% *}"

builder="http://127.0.0.1:$(free_port)"
start_service builder "$builder/health" env ASPNETCORE_URLS="$builder" Builder__ApiUrl="$api" \
  Builder__Images__$target="$(cat "$BUILDSRS_STATE_DIR/builder-images/$target")" \
  Builder__EnrollmentToken="$enrollment_token" Builder__KeyDirectory="$work/builder-keys" \
  Builder__RegistryIndex="$registry/index/" Builder__WorkDirectory="$work/builder" Logging__LogLevel__Default=Warning \
  "$repo/BuildsRs.Builder/bin/Release/net10.0/BuildsRs.Builder"

web="http://127.0.0.1:$(free_port)"
start_service web "$web/health" env ASPNETCORE_URLS="$web" services__api__http__0="$api" Site__ApiUrl="$api" \
  Logging__LogLevel__Default=Warning "$repo/BuildsRs.Web/bin/Release/net10.0/BuildsRs.Web"

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" log-flood "$connection=flood" "$registry" \
  "$publish_token" "$api" "$api_process" "$web" "$lines" "$minutes"
