#!/usr/bin/env bash
# Builds the local registry (packed .crate files and a git index in crates.io's layout) from the crate sources that
# registry-sources.sh provisioned. Every local registry instance starts from a copy of it. Rebuilt only when the
# sources or the code that packs them change.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"

repo="$(dirname "$here")"
sources="$BUILDSRS_STATE_DIR/registry-sources"
seed="$BUILDSRS_STATE_DIR/registry-seed"
stamp="$seed/.buildsrs-seed"
wanted="$( { cat "$sources/.buildsrs-packages"; cat "$repo"/BuildsRs.LocalRegistry/Seeding/*.cs "$repo"/BuildsRs.LocalRegistry/Storage/*.cs \
  "$repo"/BuildsRs.Contracts/Registry/*.cs; } | sha256sum | cut -c1-16)"

if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  log "local registry seed present"
  exit 0
fi

log "building the local registry seed"
dotnet run --project "$repo/BuildsRs.LocalRegistry" -c Release -v quiet -- seed "$sources" "$seed" >&2
echo "$wanted" > "$stamp"
