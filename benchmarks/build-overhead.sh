#!/usr/bin/env bash
# Build overhead benchmark: the system (local registry, Api, one Builder; Release builds) builds a crate with no
# dependencies, one with ~30 and one with a few, several times each; the time from the builder's claim to the stored
# artifact is set against bare `docker run`s of the same two build commands in the same image with the same limits.
# Then the same crates are built for every other target that provisioning made an image for, against the native x86_64
# build (a crate that cannot be built for a target is reported with its first error).
# Usage: [BENCH_RUNTIME=runsc] [BENCH_CROSS=no] benchmarks/build-overhead.sh [REPETITIONS]. BENCH_RUNTIME runs the
# Builder's sandboxes in that Docker runtime (the bare runs stay on the engine's default, the floor); BENCH_CROSS=no
# leaves out the cross targets. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$repo/provisioning/common.sh"  # BUILDSRS_STATE_DIR
repetitions="${1:-3}"

start_benchmark_postgres build overhead
for project in BuildsRs.Benchmarks BuildsRs.Api BuildsRs.Builder BuildsRs.LocalRegistry; do
  dotnet build "$repo/$project" -c Release -v quiet -nologo
done
image="$(cat "$BUILDSRS_STATE_DIR/builder-image")"
# Every target provisioning recorded an image for: the builder gets them all, the Api enables them.
images=() enabled=() cross=()
for record in "$BUILDSRS_STATE_DIR"/builder-images/*; do
  target="$(basename "$record")"
  case "$target" in *.*) continue ;; esac
  images+=("Builder__Images__$target=$(cat "$record")")
  enabled+=("Targets__Enabled__${#enabled[@]}=$target")
  [ "$target" = x86_64-unknown-linux-gnu ] || [ "${BENCH_CROSS:-yes}" = no ] || cross+=("$target")
done

start_local_registry

api="http://127.0.0.1:$(free_port)"
enrollment_token="$(random_token)"
start_service api "$api/health" env ASPNETCORE_URLS="$api" ConnectionStrings__buildsrs="$connection=overhead" \
  ConnectionStrings__artifacts="Directory=$work/artifacts" Admin__Token="$(random_token)" Signing__SecretKey="$(random_token)$(random_token)" \
  Builders__Hosts__bench="$enrollment_token" "${enabled[@]}" Jobs__DownloadUrl="$registry/api/v1/crates/{crate}/{version}/download" \
  Logging__LogLevel__Default=Warning "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api"

builder="http://127.0.0.1:$(free_port)"
start_service builder "$builder/health" env ASPNETCORE_URLS="$builder" Builder__ApiUrl="$api" "${images[@]}" \
  Builder__EnrollmentToken="$enrollment_token" Builder__KeyDirectory="$work/builder-keys" \
  Builder__RegistryIndex="$registry/index/" Builder__WorkDirectory="$work/builder" Logging__LogLevel__Default=Warning \
  Builder__Sandbox__Runtime="${BENCH_RUNTIME:-}" \
  "$repo/BuildsRs.Builder/bin/Release/net10.0/BuildsRs.Builder"

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" build-overhead "$connection=overhead" "$registry" \
  "$image" "$work/bare" "$repetitions" "${cross[@]}"
