#!/usr/bin/env bash
# Public API benchmark: the Api (Release build) over a database holding the synthetic crates.io-sized index
# (default 250,000 crates, 2,000,000 versions) and 3,000 built crates; wrk drives search, crate page, version page
# and the `latest` download redirect from a second process on loopback, and pgbench runs the same queries straight
# against Postgres as the floor. Usage: benchmarks/public-api.sh [CRATES VERSIONS]. Needs provisioning first.
# BENCH_CACHE=off runs the Api without reusing answers (both Caching durations 0), to see the cost of a cold request;
# BENCH_CACHE_DURATION=00:00:30 reuses every answer for that long instead of the defaults (30 s for listings, 10 min
# for answers about one crate, which its changes evict); BENCH_ENDPOINTS="crate latest" times
# only those endpoints.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
crates="${1:-250000}"
versions="${2:-2000000}"
built=3000
duration="${BENCH_DURATION:-20s}"
connections="${BENCH_CONNECTIONS:-200}"

command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
start_benchmark_postgres api api
for project in BuildsRs.Benchmarks BuildsRs.Api; do
  dotnet build "$repo/$project" -c Release -v quiet -nologo
done

# wrk is one client on loopback: the per-client limits would answer most of its requests with 429. What is measured
# here is the Api's work, so the limits are set far above what it sends (they are checked in PublicLimitsTests).
unlimited=()
for kind in Searches Listing Queued Log Download; do
  unlimited+=("RateLimits__${kind}__Burst=1000000000" "RateLimits__${kind}__PerMinute=1000000000")
done
if [ "${BENCH_CACHE:-on}" = off ]; then
  start_release_api "${unlimited[@]}" Caching__Duration=00:00:00 Caching__CrateDuration=00:00:00
else
  start_release_api "${unlimited[@]}" ${BENCH_CACHE_DURATION:+Caching__Duration=$BENCH_CACHE_DURATION Caching__CrateDuration=$BENCH_CACHE_DURATION}
fi

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" api-data "$connection=api" "$work" "$crates" "$versions" "$built"
built="$(cat "$work/built.count")"
# Every path once before anything is timed (one curl, 16 at a time): it reads the tables into memory as a running
# service has them, and shows anything that does not answer 2xx/3xx (the 'missing' 404s aside).
for endpoint in search crate version latest; do
  awk -v api="$api" '{ printf "url = \"%s%s\"\noutput = \"/dev/null\"\n", api, $0 }' "$work/$endpoint.paths" > "$work/$endpoint.curl"
  curl -s --no-progress-meter -Z --parallel-max 16 -K "$work/$endpoint.curl" -w '%{http_code} %{url_effective}\n' | { grep -v -E '^(200|302) ' || true; } | head -5
done

printf '\n%-10s %12s %10s %10s %10s | %14s %12s %8s\n' endpoint "requests/s" p50 p90 p99 "floor tx/s" "floor avg" ratio
for endpoint in ${BENCH_ENDPOINTS:-search crate version latest missing}; do
  wrk -t2 -c"$connections" -d5s -s "$repo/benchmarks/public-api/paths.lua" "$api" -- "$work/$endpoint.paths" > /dev/null  # warm-up
  wrk -t2 -c"$connections" -d"$duration" --latency -s "$repo/benchmarks/public-api/paths.lua" "$api" -- "$work/$endpoint.paths" > "$work/$endpoint.wrk"
  rps="$(awk '/^Requests\/sec/ {print $2}' "$work/$endpoint.wrk")"
  p50="$(awk '/^ +50%/ {print $2}' "$work/$endpoint.wrk")"
  p90="$(awk '/^ +90%/ {print $2}' "$work/$endpoint.wrk")"
  p99="$(awk '/^ +99%/ {print $2}' "$work/$endpoint.wrk")"
  errors="$(awk '/Non-2xx or 3xx/ {print $NF}' "$work/$endpoint.wrk")"
  floor_tps="" floor_latency="" ratio=""
  if [ -f "$repo/benchmarks/public-api/$endpoint.sql" ]; then
    pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 32 -j 2 -T "${duration%s}" -D crates="$crates" -D built="$built" \
      -f "$repo/benchmarks/public-api/$endpoint.sql" api > "$work/$endpoint.pgbench" 2>&1 || { tail -5 "$work/$endpoint.pgbench" >&2; exit 1; }
    floor_tps="$(awk '/^tps = / {printf "%.0f", $3}' "$work/$endpoint.pgbench")"
    floor_latency="$(awk '/^latency average/ {print $4 "ms"}' "$work/$endpoint.pgbench")"
    ratio="$(awk -v a="$rps" -v f="$floor_tps" 'BEGIN {printf "%.2f", a / f}')"
  fi
  printf '%-10s %12s %10s %10s %10s | %14s %12s %8s%s\n' "$endpoint" "$rps" "$p50" "$p90" "$p99" "$floor_tps" "$floor_latency" "$ratio" \
    "${errors:+  (non-2xx/3xx: $errors)}"
done
if [[ " ${BENCH_ENDPOINTS:-search} " == *" search "* ]]; then
  wrk -t1 -c1 -d"$duration" --latency -s "$repo/benchmarks/public-api/paths.lua" "$api" -- "$work/search.paths" > "$work/search-alone.wrk"
  printf 'search, one client at a time: p50 %s, p90 %s, p99 %s\n' "$(awk '/^ +50%/ {print $2}' "$work/search-alone.wrk")" \
    "$(awk '/^ +90%/ {print $2}' "$work/search-alone.wrk")" "$(awk '/^ +99%/ {print $2}' "$work/search-alone.wrk")"
fi
echo "wrk: 2 threads, $connections connections, $duration per endpoint after a 5 s warm-up; pgbench: 32 clients, prepared statements; answer reuse ${BENCH_CACHE:-on} (${BENCH_CACHE_DURATION:-defaults})."
echo "'missing' asks for the latest build of crates that have none (404s): installers probe such addresses."
