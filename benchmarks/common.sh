# Sourced by the benchmarks: throw-away services on free ports, in a fresh work directory removed on exit.
# start_benchmark_postgres NAME DATABASE  sets repo, work, port, connection (ends in "Database": append "=NAME").
# start_service NAME URL COMMAND...       runs a service in the background (log in $work/NAME.log) until URL answers.
# start_release_api [VAR=VALUE...]         the local S3 server and the Release Api over database "api"; sets s3, api.
# start_local_registry [VAR=VALUE...]      the Release local registry on provisioning's seed; sets registry,
#                                          publish_token (provisioning/common.sh sourced first).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
background=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
random_token() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }

start_benchmark_postgres() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/buildsrs-bench-$1.XXXXXX")"
  chmod 755 "$work"
  port="$(free_port)"
  local password=benchmark
  POSTGRES_DATA_DIR="$work/postgres" POSTGRES_PORT="$port" POSTGRES_PASSWORD="$password" POSTGRES_DB="$2" \
    "$repo/provisioning/postgres.sh" > "$work/postgres.log" 2>&1 &
  postgres=$!
  trap stop_benchmark EXIT
  export PGPASSWORD="$password"
  until psql -h 127.0.0.1 -p "$port" -U postgres -d "$2" -c 'SELECT 1' >/dev/null 2>&1; do sleep 0.3; done
  connection="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database"
}

start_service() {
  local name="$1" url="$2"
  shift 2
  "$@" > "$work/$name.log" 2>&1 &
  local pid=$!
  background="$pid $background"
  until curl -fsS "$url" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "$name exited:" >&2; tail -n 30 "$work/$name.log" >&2; exit 1; }
    sleep 0.5
  done
}

start_local_registry() {
  registry="http://127.0.0.1:$(free_port)"
  publish_token="$(random_token)"
  start_service registry "$registry/health" env ASPNETCORE_URLS="$registry" Logging__LogLevel__Default=Warning \
    LocalRegistry__DataDirectory="$work/registry" LocalRegistry__SeedDirectory="$BUILDSRS_STATE_DIR/registry-seed" \
    LocalRegistry__PublicUrl="$registry" LocalRegistry__PublishToken="$publish_token" "$@" \
    "$repo/BuildsRs.LocalRegistry/bin/Release/net10.0/BuildsRs.LocalRegistry"
}

start_release_api() {
  s3="http://127.0.0.1:$(free_port)"
  start_service s3 "$s3/artifacts" node --openssl-legacy-provider "$repo/provisioning/s3rver/node_modules/s3rver/bin/s3rver.js" \
    --directory "$work/s3" --address 127.0.0.1 --port "${s3##*:}" --configure-bucket artifacts --silent
  api="http://127.0.0.1:$(free_port)"
  start_service api "$api/health" env ASPNETCORE_URLS="$api" ConnectionStrings__buildsrs="$connection=api" \
    ConnectionStrings__artifacts="Endpoint=$s3;AccessKey=S3RVER;SecretKey=S3RVER;Bucket=artifacts" \
    Admin__Token="$(random_token)" Builders__Hosts__bench="$(random_token)" Signing__SecretKey="$(random_token)$(random_token)" Logging__LogLevel__Default=Warning \
    "$@" "$repo/BuildsRs.Api/bin/Release/net10.0/BuildsRs.Api"
}

# Stops the services (last started first), then Postgres, then removes the work directory (keeping the services'
# logs in $BENCH_LOGS when that is set, and the whole directory when BENCH_KEEP=1, to look into a run).
stop_benchmark() {
  for pid in $background; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  kill -TERM "$postgres" 2>/dev/null; wait "$postgres" 2>/dev/null || true
  if [ -n "${BENCH_LOGS:-}" ]; then mkdir -p "$BENCH_LOGS" && cp "$work"/*.log "$BENCH_LOGS"/; fi
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
