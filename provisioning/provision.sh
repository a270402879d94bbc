#!/usr/bin/env bash
# Brings this machine to what BuildsRs needs locally: Debian packages, a Docker engine, the local S3 server,
# the build images and the image the tests run Windows binaries in. Idempotent: a second run only checks and takes seconds.
# Prints `export` lines for the settings it found, so callers can `eval` them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

log "state directory: $BUILDSRS_STATE_DIR"
mkdir -p "$BUILDSRS_STATE_DIR"
chmod 755 "$BUILDSRS_STATE_DIR"

with_mirror_retries "$here/packages.sh"
"$here/docker-engine.sh"
log "local S3 server (npm ci)"
if [ ! -x "$here/s3rver/node_modules/.bin/s3rver" ] || [ "$here/s3rver/package-lock.json" -nt "$here/s3rver/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$here/s3rver" --no-audit --no-fund --loglevel=error >&2
fi
with_mirror_retries "$here/builder-image.sh"
with_mirror_retries "$here/wine-image.sh"
"$here/builder-image-ids.sh"
"$here/sandbox-runtime.sh"
"$here/registry-sources.sh"
"$here/registry-seed.sh"
log "provisioned in ${SECONDS}s"
