#!/usr/bin/env bash
# Build overhead benchmark: the system (local registry, Api, one Builder; Release builds) builds a crate with no
# dependencies and one with ~30, several times each; the time from the builder's claim to the stored artifact is set
# against bare `docker run`s of the same two build commands in the same image with the same limits.
# Usage: benchmarks/build-overhead.sh [REPETITIONS]. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$repo/provisioning/common.sh"  # BUILDSRS_STATE_DIR
repetitions="${1:-3}"

start_benchmark_postgres build overhead
for project in BuildsRs.Benchmarks BuildsRs.Api BuildsRs.Builder BuildsRs.LocalRegistry; do
  dotnet build "$repo/$project" -c Release -v quiet -nologo
done
image="$(cat "$BUILDSRS_STATE_DIR/builder-image")"

registry="http://127.0.0.1:$(free_port)"
start_service registry "$registry/health" env ASPNETCORE_URLS="$registry" Logging__LogLevel__Default=Warning \
  LocalRegistry__DataDirectory="$work/registry" LocalRegistry__SeedDirectory="$BUILDSRS_STATE_DIR/registry-seed" \
  LocalRegistry__PublicUrl="$registry" LocalRegistry__PublishToken="$(random_token)" \
  "$repo/BuildsRs.LocalRegistry/bin/Release/net10.0/BuildsRs.LocalRegistry"

api="http://127.0.0.1:$(free_port)"
enrollment_token="$(random_token)"
start_service api "$api/health" env ASPNETCORE_URLS="$api" ConnectionStrings__buildsrs="$connection=overhead" \
  ConnectionStrings__artifacts="Directory=$work/artifacts" Admin__Token="$(random_token)" \
  Builders__EnrollmentToken="$enrollment_token" Jobs__DownloadUrl="$registry/api/v1/crates/{crate}/{version}/download" \
  Logging__LogLevel__Default=Warning "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api"

builder="http://127.0.0.1:$(free_port)"
start_service builder "$builder/health" env ASPNETCORE_URLS="$builder" Builder__ApiUrl="$api" Builder__Image="$image" \
  Builder__EnrollmentToken="$enrollment_token" Builder__KeyDirectory="$work/builder-keys" \
  Builder__RegistryIndex="$registry/index/" Builder__WorkDirectory="$work/builder" Logging__LogLevel__Default=Warning \
  "$repo/BuildsRs.Builder/bin/Release/net10.0/BuildsRs.Builder"

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" build-overhead "$connection=overhead" "$registry" \
  "$image" "$work/bare" "$repetitions"
