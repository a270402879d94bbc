#!/usr/bin/env bash
# Command 2: provisions what is missing, builds once and runs every test, tier by tier, the fastest first:
#   Unit         no outside component
#   Api          the Api on WebApplicationFactory over a real Postgres and the real S3 server
#   Integration  one component against the engine it drives: the sandbox on Docker, cargo, the registry's index
#   System       the whole system through the AppHost: two builders, real builds, the website in a browser
#   Deployment   the images and the compose deployment on the Docker engine
# Integration and System run side by side (each waits on Docker and the database much of the time; their output
# follows once both have ended). Every tier runs even when one fails; the exit status is a failure if any did.
#
#   ./test.sh                      everything, as CI runs it
#   ./test.sh --fast               the Unit and Api tiers: the loop while changing code
#   ./test.sh --tier System        one tier (repeatable)
# Other arguments go to each `dotnet test`, e.g. --filter "FullyQualifiedName~Rebuild".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

all=(Unit Api Integration System Deployment)
chosen=()
arguments=()
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) chosen+=(Unit Api) ;;
    --tier) chosen+=("$2"); shift ;;
    --no-build) build=false ;;
    *) arguments+=("$1") ;;
  esac
  shift
done
[ ${#chosen[@]} -gt 0 ] || chosen=("${all[@]}")
for tier in "${chosen[@]}"; do
  [ -d "tests/BuildsRs.Tests.$tier" ] || { echo "no tier '$tier': the tiers are ${all[*]}" >&2; exit 2; }
done
wanted() { [[ " ${chosen[*]} " == *" $1 "* ]]; }

source provisioning/command-setup.sh

if $build; then
  dotnet build BuildsRs.sln -nologo -v quiet
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"; buildsrs_command_end' EXIT

# run_tier TIER: runs it and writes how it went to $results/TIER.
run_tier() {
  local started
  started=$(date +%s)
  if dotnet test "tests/BuildsRs.Tests.$1" --no-build -nologo ${arguments[@]+"${arguments[@]}"}; then
    echo "$1 passed in $(( $(date +%s) - started )) s" > "$results/$1"
  else
    echo "$1 FAILED after $(( $(date +%s) - started )) s" > "$results/$1"
  fi
}

for tier in Unit Api; do
  if wanted $tier; then run_tier $tier; fi
done
if wanted Integration && wanted System; then
  echo "[test] Integration and System run side by side; their output follows once both have ended"
  run_tier Integration > "$results/Integration.log" 2>&1 &
  run_tier System > "$results/System.log" 2>&1 &
  wait
  cat "$results/Integration.log" "$results/System.log"
else
  for tier in Integration System; do
    if wanted $tier; then run_tier $tier; fi
  done
fi
if wanted Deployment; then run_tier Deployment; fi

status=0
for tier in "${all[@]}"; do
  if [ -f "$results/$tier" ]; then
    echo "[test] $(cat "$results/$tier")"
    if grep -q FAILED "$results/$tier"; then status=1; fi
  fi
done
exit $status
