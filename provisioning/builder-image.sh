#!/usr/bin/env bash
# Builds the image that builds run in, offline: a minimal Debian (debootstrap from the machine's own apt mirror),
# a C toolchain, the host's Rust toolchain under /opt/rust and an unprivileged `builder` user.
# The tag is derived from this recipe and the toolchain version, so a change to either gives a new image.
# Writes the tag to $BUILDSRS_STATE_DIR/builder-image, where the AppHost reads it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

debian_packages="gcc,libc6-dev,make,pkg-config,ca-certificates"
sysroot="$(RUSTUP_TOOLCHAIN=stable rustc --print sysroot)"
toolchain="$(RUSTUP_TOOLCHAIN=stable rustc -vV)"
recipe_hash="$( { cat "${BASH_SOURCE[0]}"; echo "$toolchain"; } | sha256sum | cut -c1-12)"
rust_release="$(echo "$toolchain" | sed -n 's/^release: //p')"
tag="buildsrs-builder:rust-${rust_release}-${recipe_hash}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  log "builder image $tag present"
  echo "$tag" > "$BUILDSRS_STATE_DIR/builder-image"
  exit 0
fi

root="$(mktemp -d "$BUILDSRS_STATE_DIR/builder-root.XXXXXX")"
trap 'rm -rf "$root"' EXIT
log "building $tag"
debootstrap_minbase bookworm "$debian_packages" "$root" debootstrap

log "copying the Rust toolchain ($rust_release)"
mkdir -p "$root/opt/rust"
tar -C "$sysroot" --exclude=./share/doc --exclude=./lib/rustlib/src -c . | tar -C "$root/opt/rust" -x
chroot "$root" /usr/sbin/useradd --uid 1000 --user-group --create-home --shell /bin/sh builder
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

log "importing the image"
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/opt/rust/bin:/usr/local/bin:/usr/bin:/bin' \
  -c 'ENV CARGO_HOME=/tmp/cargo-home' \
  -c 'USER builder' \
  -c 'WORKDIR /tmp' \
  -c "LABEL org.buildsrs.rust=$rust_release org.buildsrs.recipe=$recipe_hash" \
  - "$tag" >/dev/null
echo "$tag" > "$BUILDSRS_STATE_DIR/builder-image"
log "builder image $tag built"
