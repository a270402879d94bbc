#!/usr/bin/env bash
# Records in $BUILDSRS_STATE_DIR/sandbox-runtime the Docker runtime builds run in: runsc (gVisor) when the engine has
# it registered and it runs the host target's build image here, else nothing (the engine's default, runc). The AppHost
# and the tests read the record.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

record="$BUILDSRS_STATE_DIR/sandbox-runtime"
image="$(cat "$BUILDSRS_STATE_DIR/builder-images/x86_64-unknown-linux-gnu" 2>/dev/null || true)"
if [ -n "$image" ] && docker info --format '{{range $name, $_ := .Runtimes}}{{$name}} {{end}}' | grep -qw runsc \
   && docker run --rm --runtime runsc --network none "$image" true >"$BUILDSRS_STATE_DIR/sandbox-runtime.log" 2>&1; then
  echo runsc > "$record"
  log "sandboxes run in gVisor (runsc)"
else
  rm -f "$record"
  log "sandboxes run in the engine's default runtime (runsc is not registered with this engine, or does not run here)"
fi
