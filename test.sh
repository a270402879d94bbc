#!/usr/bin/env bash
# Command 2: provisions what is missing and runs every test (unit, integration against real Postgres / S3 server /
# Docker, and the whole system through the AppHost). Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source provisioning/command-setup.sh

dotnet test BuildsRs.sln -nologo "$@"
