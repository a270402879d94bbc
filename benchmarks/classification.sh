#!/usr/bin/env bash
# Classification benchmark: every crate of the local registry downloaded from it and classified on one builder, in
# memory (as builders do) and with one cargo metadata container per version (as they did), in the same run.
# Usage: benchmarks/classification.sh. Needs provisioning (provisioning/provision.sh) first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$repo/provisioning/common.sh"  # BUILDSRS_STATE_DIR
work="$(mktemp -d "${TMPDIR:-/tmp}/buildsrs-bench-classify.XXXXXX")"
postgres=""  # none: stop_benchmark has no database to stop
trap stop_benchmark EXIT
for project in BuildsRs.Benchmarks BuildsRs.LocalRegistry; do
  dotnet build "$repo/$project" -c Release -v quiet -nologo
done

start_local_registry

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" classify "$registry/" "$BUILDSRS_STATE_DIR/registry-seed" \
  "$work/builder" "$(cat "$BUILDSRS_STATE_DIR/builder-image")"
