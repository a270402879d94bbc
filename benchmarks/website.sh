#!/usr/bin/env bash
# Website benchmark: the Web and the Api (Release builds) over a database holding a synthetic index (default 50,000
# crates, 400,000 versions) and 3,000 built crates; wrk asks for whole server-rendered pages (home, search results,
# crate and version pages of built crates) from a second process on loopback. Usage: benchmarks/website.sh
# [CRATES VERSIONS]. Needs provisioning first. BENCH_DURATION (20s) and BENCH_CONNECTIONS (50) set the load.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
crates="${1:-50000}"
versions="${2:-400000}"
duration="${BENCH_DURATION:-20s}"
connections="${BENCH_CONNECTIONS:-50}"

command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
start_benchmark_postgres web api
for project in BuildsRs.Benchmarks BuildsRs.Api BuildsRs.Web; do
  dotnet build "$repo/$project" -c Release -v quiet -nologo
done

start_release_api
web="http://127.0.0.1:$(free_port)"
start_service web "$web/health" env ASPNETCORE_URLS="$web" services__api__http__0="$api" Site__ApiUrl="$api" \
  Logging__LogLevel__Default=Warning "$repo/BuildsRs.Web/bin/Release/net10.0/BuildsRs.Web"

"$repo/BuildsRs.Benchmarks/bin/Release/net10.0/BuildsRs.Benchmarks" api-data "$connection=api" "$work" "$crates" "$versions" 3000
# The Api's paths, as the website's addresses.
printf '/\n' > "$work/home.pages"
sed -n 's|^/api/v1/crates?q=|/search?q=|p' "$work/search.paths" > "$work/search.pages"
sed -n 's|^/api/v1/crates/\([^/]*\)/.*|/crates/\1|p' "$work/version.paths" > "$work/crate.pages"
sed -n 's|^/api/v1/crates/|/crates/|p' "$work/version.paths" > "$work/version.pages"
for page in home search crate version; do
  while read -r path; do curl -s -o /dev/null -w "%{http_code} $path\n" "$web$path"; done < "$work/$page.pages" | { grep -v '^200 ' || true; } | head -5
done

printf '\n%-8s %12s %10s %10s %10s %12s %12s\n' page "requests/s" p50 p90 p99 "html bytes" "gzip bytes"
for page in home search crate version; do
  wrk -t2 -c"$connections" -d5s -s "$repo/benchmarks/public-api/paths.lua" "$web" -- "$work/$page.pages" > /dev/null  # warm-up
  wrk -t2 -c"$connections" -d"$duration" --latency -s "$repo/benchmarks/public-api/paths.lua" "$web" -- "$work/$page.pages" > "$work/$page.wrk"
  sample="$(head -1 "$work/$page.pages")"
  html="$(curl -s "$web$sample" | wc -c)"
  gzipped="$(curl -s "$web$sample" | gzip -c | wc -c)"
  errors="$(awk '/Non-2xx or 3xx/ {print $NF}' "$work/$page.wrk")"
  printf '%-8s %12s %10s %10s %10s %12s %12s%s\n' "$page" "$(awk '/^Requests\/sec/ {print $2}' "$work/$page.wrk")" \
    "$(awk '/^ +50%/ {print $2}' "$work/$page.wrk")" "$(awk '/^ +90%/ {print $2}' "$work/$page.wrk")" \
    "$(awk '/^ +99%/ {print $2}' "$work/$page.wrk")" "$html" "$gzipped" "${errors:+  (non-2xx: $errors)}"
done
echo "wrk: 2 threads, $connections connections, $duration per page after a 5 s warm-up; the Web, the Api, Postgres and wrk share the machine."
