#!/usr/bin/env bash
# Command 2: provisions what is missing and runs every test (unit, integration against real Postgres / S3 server /
# Docker, and the whole system through the AppHost). Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source provisioning/common.sh

started_docker=false
[ -f "$BUILDSRS_STATE_DIR/dockerd.pid" ] || started_docker=true
provisioning/provision.sh
[ -f "$BUILDSRS_STATE_DIR/dockerd.pid" ] || started_docker=false
cleanup() { if $started_docker; then provisioning/stop-docker-engine.sh; fi; }
trap cleanup EXIT

dotnet test BuildsRs.sln -nologo "$@"
