#!/usr/bin/env bash
# Debian packages the local system and its tests need. Installs only what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# qemu-user and the cross C libraries run the cross targets' binaries in the tests; minisign checks signatures there
# as users do; runsc (gVisor) is the sandboxes' runtime where the engine can be given it (docker-engine.sh).
wanted=(docker.io docker-compose docker-registry debootstrap postgresql-15 git ca-certificates chromium
  qemu-user libc6-arm64-cross libgcc-s1-arm64-cross libc6-armhf-cross libgcc-s1-armhf-cross libc6-i386-cross libgcc-s1-i386-cross
  libc6-ppc64el-cross libgcc-s1-ppc64el-cross libc6-s390x-cross libgcc-s1-s390x-cross minisign runsc)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  log "Debian packages present"
  exit 0
fi
log "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
