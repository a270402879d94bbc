# Sourced by the benchmarks: a throw-away Postgres on a free port, in a fresh work directory removed on exit.
# Sets: repo, work, port, connection (an Npgsql connection string ending in "Database", to append "=NAME" to).
# Usage: start_benchmark_postgres NAME FIRST_DATABASE
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

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

# Stops whatever the benchmark started (listed in $background) and Postgres, then removes the work directory.
stop_benchmark() {
  for pid in ${background:-}; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  kill -TERM "$postgres" 2>/dev/null; wait "$postgres" 2>/dev/null || true
  rm -rf "$work"
}
