#!/usr/bin/env bash
# Builds the image the tests run Windows binaries in, offline: a minimal Debian 13 (debootstrap from the machine's own
# apt mirror) with wine 10, whose bcryptprimitives.dll the standard library of today's Rust needs (Debian 12's wine 8
# lacks it). wine stays out of the host. An unprivileged `runner` user owns a wine prefix made when the image is built,
# so that a run does not spend seconds making one. Writes the tag to $BUILDSRS_STATE_DIR/wine-image.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export DOCKER_BUILDKIT=0

recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
tag="buildsrs-wine:trixie-$recipe"
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag" > "$BUILDSRS_STATE_DIR/wine-image"
  log "wine image $tag ready"
  exit 0
fi

base="buildsrs-wine-base:trixie-$recipe"
if ! docker image inspect "$base" >/dev/null 2>&1; then
  root="$(mktemp -d "$BUILDSRS_STATE_DIR/wine-root.XXXXXX")"
  trap 'rm -rf "$root"' EXIT
  debootstrap_minbase trixie "ca-certificates" "$root" "debootstrap-trixie"
  echo "deb $(debian_mirror) trixie main" > "$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | docker import - "$base" >/dev/null
fi

log "building $tag (wine 10 from Debian 13)"
context="$(mktemp -d "$BUILDSRS_STATE_DIR/wine-context.XXXXXX")"
cat > "$context/Dockerfile" <<DOCKERFILE
FROM $base
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 libwine >/dev/null \
  && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /usr/share/doc/* \
  && useradd --uid 1000 --user-group --create-home --shell /bin/sh runner
USER runner
# wine wants a runtime folder of the user's own, as a login session would give it.
ENV WINEPREFIX=/home/runner/.wine WINEDEBUG=-all PATH=/usr/lib/wine:/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR=/home/runner/.runtime
RUN mkdir -m 700 /home/runner/.runtime && wine64 wineboot --init && wineserver --wait
WORKDIR /home/runner
LABEL org.buildsrs.recipe=$recipe
DOCKERFILE
docker build --network host -q -t "$tag" "$context" >"$BUILDSRS_STATE_DIR/wine-image.log" 2>&1 \
  || { rm -rf "$context"; tail -n 20 "$BUILDSRS_STATE_DIR/wine-image.log" >&2; exit 1; }
rm -rf "$context"
echo "$tag" > "$BUILDSRS_STATE_DIR/wine-image"
log "wine image $tag ready"
