#!/usr/bin/env bash
# Stops the dockerd that docker-engine.sh started, if it did start one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pidfile="$BUILDSRS_STATE_DIR/dockerd.pid"
[ -f "$pidfile" ] || exit 0
pid="$(cat "$pidfile")"
rm -f "$pidfile"
kill -0 "$pid" 2>/dev/null || exit 0
log "stopping dockerd (pid $pid)"
kill -TERM "$pid"
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
kill -KILL "$pid" 2>/dev/null || true
