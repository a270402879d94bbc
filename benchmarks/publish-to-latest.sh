#!/usr/bin/env bash
# Publish-to-latest benchmark: the whole local system as ./run.sh starts it (the AppHost, two builders), on a data
# directory of its own. Once the seeded backlog is cancelled through the admin API (so that the figure is the
# pipeline's, not the queue's), it publishes COUNT versions of a crate with no dependencies with real cargo and times
# each from `cargo publish` returning to `latest` for x86_64-unknown-linux-gnu redirecting to that version's archive.
# Usage: benchmarks/publish-to-latest.sh [COUNT]. Not while ./run.sh runs: it takes the same ports.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
source provisioning/command-setup.sh
count="${1:-10}"
api=http://localhost:5070
target=x86_64-unknown-linux-gnu
work="$(mktemp -d "${TMPDIR:-/tmp}/buildsrs-bench-latest.XXXXXX")"
# Postgres runs as its own user and needs to reach its data directory.
chmod 755 "$work"

dotnet build BuildsRs.AppHost -v quiet -nologo
dotnet run --no-build --project BuildsRs.AppHost --launch-profile http -- --LocalInfrastructure:DataDirectory="$work/data" > "$work/apphost.log" 2>&1 &
apphost=$!
stop() {
  pkill -TERM -P "$apphost" 2>/dev/null || kill -TERM "$apphost" 2>/dev/null || true
  wait "$apphost" 2>/dev/null || true
  rm -rf "$work"
  buildsrs_command_end
}
trap stop EXIT
until curl -fsS "$api/health" >/dev/null 2>&1 && curl -fsS http://localhost:5090/index/config.json >/dev/null 2>&1; do
  kill -0 "$apphost" 2>/dev/null || { tail -n 30 "$work/apphost.log" >&2; exit 1; }
  sleep 1
done

# The initial sync queues the seeded registry's 282 versions; cancel them (and what they fan out into) until the
# queue stays empty.
python3 - "$api" "$(cat "$work/data/admin.token")" <<'PY'
import json, sys, time, urllib.request
api, token = sys.argv[1], sys.argv[2]
def call(path, method="GET"):
    request = urllib.request.Request(api + path, method=method, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as response:
        return json.load(response)
while call("/api/v1/overview")["crates"] < 200:
    time.sleep(1)
empty_since = None
while empty_since is None or time.monotonic() - empty_since < 5:
    queue = call("/api/v1/queue?per_page=100")
    for crate in {entry["crate"] for entry in queue["queued"]["items"]}:
        call(f"/api/v1/admin/crates/{crate}/cancel", "POST")
    for entry in queue["running"]:
        try:
            call(f"/api/v1/admin/jobs/{entry['job_id']}/cancel", "POST")
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
    idle = queue["queued_count"] == 0 and not queue["running"]
    empty_since = (empty_since or time.monotonic()) if idle else None
    time.sleep(0.5)
PY

export CARGO_HOME="$work/cargo" CARGO_REGISTRIES_LOCAL_TOKEN="$(cat "$work/data/registry.token")" CARGO_TERM_COLOR=never
mkdir -p "$CARGO_HOME" "$work/crate/src"
printf '[registries.local]\nindex = "sparse+http://localhost:5090/index/"\n' > "$CARGO_HOME/config.toml"
echo 'fn main() { println!("hello"); }' > "$work/crate/src/main.rs"
times=()
for i in $(seq 1 "$count"); do
  version="0.1.$i"
  printf '[package]\nname = "buildsrs-latency"\nversion = "%s"\nedition = "2021"\nlicense = "MIT"\ndescription = "timed"\n' "$version" > "$work/crate/Cargo.toml"
  (cd "$work/crate" && cargo publish -q --registry local --no-verify --allow-dirty)
  start="$(date +%s.%N)"
  until curl -s -o /dev/null -w '%{redirect_url}' "$api/builds/buildsrs-latency/latest/$target" | grep -q -- "-$version-$target.tar.gz"; do
    sleep 0.1
    if [ "$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN {print (n - s > 300)}')" = 1 ]; then echo "version $version: no build after 300 s" >&2; exit 1; fi
  done
  seconds="$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f", n - s}')"
  times+=("$seconds")
  echo "buildsrs-latency $version: latest serves it $seconds s after cargo publish returned"
  # The other targets' builds of this version finish before the next publish, so that each starts from an idle fleet.
  until curl -s "$api/api/v1/queue" | python3 -c 'import json,sys; q=json.load(sys.stdin); sys.exit(0 if q["queued_count"] == 0 and not q["running"] else 1)'; do sleep 0.5; done
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "publish to latest over %d publishes: p50 %.1f s, max %.1f s\n", NR, (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), t[NR] }'
