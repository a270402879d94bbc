#!/usr/bin/env bash
# The OS image every BuildsRs service image starts from, made offline: Debian bookworm (debootstrap minbase from this
# machine's own apt mirror) with certificates, ICU, OpenSSL and tzdata for .NET, curl for health checks, git for
# RegistrySync and the local registry, and the unprivileged user `app` (uid 1654, as in Microsoft's .NET images)
# owning /var/lib/buildsrs, where the services keep their data volumes.
# Prints the image's tag, which changes with this recipe.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../provisioning/common.sh"

packages="ca-certificates,libicu72,libssl3,tzdata,curl,git"
tag="buildsrs/os:bookworm-$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

root="$(mktemp -d "$BUILDSRS_STATE_DIR/os-root.XXXXXX")"
trap 'rm -rf "$root"' EXIT
log "building $tag"
debootstrap_minbase bookworm "$packages" "$root" os-debootstrap
chroot "$root" /usr/sbin/groupadd --gid 1654 app
chroot "$root" /usr/sbin/useradd --uid 1654 --gid 1654 --create-home --shell /usr/sbin/nologin app
install -d -o 1654 -g 1654 "$root/var/lib/buildsrs"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
  -c 'USER app' \
  -c 'WORKDIR /home/app' \
  -c 'LABEL org.opencontainers.image.title=buildsrs-os' \
  - "$tag" >/dev/null
log "built $tag"
echo "$tag"
