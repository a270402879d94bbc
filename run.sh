#!/usr/bin/env bash
# Command 1: provisions what is missing, then runs the whole system locally until Ctrl+C or SIGTERM,
# which stop everything this command started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source provisioning/command-setup.sh

dotnet build BuildsRs.AppHost -v quiet -nologo
cat <<'MSG'

  BuildsRs is starting:
    Dashboard  http://localhost:18888   (logs, traces and metrics of every service)
    Website    http://localhost:5080
    Api        http://localhost:5070
  Stop with Ctrl+C.

MSG
dotnet run --no-build --project BuildsRs.AppHost --launch-profile http &
apphost=$!
# The AppHost stops its resources gracefully on SIGTERM. Signal it, not `dotnet run` (which would kill it at once),
# and forward SIGINT as SIGTERM (a background job ignores SIGINT).
trap 'pkill -TERM -P "$apphost" 2>/dev/null || kill -TERM "$apphost" 2>/dev/null' INT TERM
wait "$apphost" || wait "$apphost" || true
