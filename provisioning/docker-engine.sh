#!/usr/bin/env bash
# Makes sure a Docker engine answers on the default socket. Starts dockerd (overlay2, falling back to vfs) when none
# does, with gVisor's runsc registered as a runtime (see sandbox-runtime.sh), and records its pid so that the command
# that started it can stop it again (see stop-docker-engine.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  log "Docker engine answers ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

# gVisor without a network of its own (sandboxes have none) and allowed to open host Unix sockets (the fetch phase
# reaches the registry through one).
config="$BUILDSRS_STATE_DIR/docker-daemon.json"
if [ -x /usr/bin/runsc ]; then
  echo '{"runtimes": {"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none", "--host-uds=open"]}}}' > "$config"
else
  echo '{}' > "$config"
fi

pidfile="$BUILDSRS_STATE_DIR/dockerd.pid"
for driver in overlay2 vfs; do
  log "starting dockerd (storage driver $driver)"
  # No bridge and no iptables: sandboxes run with --network none, and the fetch phase reaches the registry through a
  # socket of the builder's.
  setsid dockerd --config-file "$config" --storage-driver="$driver" --iptables=false --bridge=none \
    >"$BUILDSRS_STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 60); do
    if docker version >/dev/null 2>&1; then
      log "Docker engine started (pid $(cat "$pidfile"), $driver)"
      exit 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.5
  done
  kill "$(cat "$pidfile")" 2>/dev/null || true
  wait "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
  log "dockerd did not come up with $driver:"; tail -n 5 "$BUILDSRS_STATE_DIR/dockerd.log" >&2 || true
done
log "no Docker engine could be started; see $BUILDSRS_STATE_DIR/dockerd.log"
exit 1
