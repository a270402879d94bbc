#!/usr/bin/env bash
# Command 2: provisions what is missing, builds once and runs every test, tier by tier, the fastest first:
#   Unit         no outside component
#   Api          the Api on WebApplicationFactory over a real Postgres and the real S3 server
#   Integration  one component against the engine it drives: the sandbox on Docker, cargo, the registry's index
#   System       the whole system through the AppHost: two builders, real builds, the website in a browser
#   Deployment   the images and the compose deployment on the Docker engine
# Every tier runs even when one fails; the exit status is a failure if any did.
#
#   ./test.sh                      everything, as CI runs it
#   ./test.sh --fast               the Unit and Api tiers: the loop while changing code
#   ./test.sh --tier System        one tier (repeatable)
# Other arguments go to each `dotnet test`, e.g. --filter "FullyQualifiedName~Rebuild".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

tiers=()
arguments=()
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) tiers+=(Unit Api) ;;
    --tier) tiers+=("$2"); shift ;;
    --no-build) build=false ;;
    *) arguments+=("$1") ;;
  esac
  shift
done
[ ${#tiers[@]} -gt 0 ] || tiers=(Unit Api Integration System Deployment)
for tier in "${tiers[@]}"; do
  [ -d "tests/BuildsRs.Tests.$tier" ] || { echo "no tier '$tier': the tiers are Unit, Api, Integration, System, Deployment" >&2; exit 2; }
done

source provisioning/command-setup.sh

if $build; then
  dotnet build BuildsRs.sln -nologo -v quiet
fi

failed=()
summary=()
for tier in "${tiers[@]}"; do
  started=$(date +%s)
  if dotnet test "tests/BuildsRs.Tests.$tier" --no-build -nologo ${arguments[@]+"${arguments[@]}"}; then
    summary+=("$tier passed in $(( $(date +%s) - started )) s")
  else
    summary+=("$tier FAILED after $(( $(date +%s) - started )) s")
    failed+=("$tier")
  fi
done
printf '[test] %s\n' "${summary[@]}"
[ ${#failed[@]} -eq 0 ]
