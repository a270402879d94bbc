#!/usr/bin/env bash
# Builds every image of the BuildsRs deployment on this machine, offline, and writes deploy/.env for docker-compose
# (or the file BUILDSRS_ENV_FILE names, for `docker-compose --env-file`).
#
#   buildsrs/os         Debian bookworm minbase (images/os/build.sh)
#   buildsrs/dotnet     the os image plus the .NET runtime of this machine's SDK: the base of the service images
#   buildsrs/api, registry-sync, builder, web, registry
#                       the SDK's own container build (dotnet publish -t:PublishContainer, what azd runs) on
#                       buildsrs/dotnet, handed to it through a local image registry: the SDK cannot take a base image
#                       that only the Docker engine has
#   buildsrs/postgres, s3, proxy, dashboard
#                       docker build on buildsrs/os (Debian's PostgreSQL 15, s3rver on Debian's Node.js, nginx,
#                       Aspire's standalone dashboard)
#   buildsrs-builder    the image sandboxed builds run in (provisioning/builder-image.sh)
#
# Service images are tagged from the commit (with "-dirty" for uncommitted changes, which are always rebuilt); the
# others from their recipe, so a second run reuses them. On a machine with internet, leave BuildsRsContainerBaseImage
# unset and `dotnet publish -t:PublishContainer` uses Microsoft's images unchanged.
set -euo pipefail
shopt -s inherit_errexit
deploy="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$deploy")"
source "$repo/provisioning/common.sh"
export DOCKER_BUILDKIT=0

# The engine, the build image, the local S3 server's packages and the local registry's seed.
"$repo/provisioning/provision.sh"
start=$SECONDS

commit="$(git -C "$repo" rev-parse --short=12 HEAD)"
dirty=false
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  dirty=true
  commit="$commit-dirty"
fi

os_image="$("$deploy/images/os/build.sh")"

# docker build of a recipe folder (plus extra context from the caller), tagged from its content and the os image.
build_on_os() {
  local name="$1" context="$2" extra_hash="${3:-}"
  local hash tag
  hash="$( { echo "$os_image"; echo "$extra_hash"; find "$context" -maxdepth 1 -type f -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -c1-12)"
  tag="buildsrs/$name:$hash"
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    log "building $tag"
    docker build --network host --build-arg "OS_IMAGE=$os_image" --label "org.opencontainers.image.title=buildsrs-$name" \
      -t "$tag" "$context" >"$BUILDSRS_STATE_DIR/image-$name.log" 2>&1 \
      || { tail -n 20 "$BUILDSRS_STATE_DIR/image-$name.log" >&2; return 1; }
  fi
  echo "$tag"
}

work="$(mktemp -d "$BUILDSRS_STATE_DIR/image-context.XXXXXX")"
registry_pid=""
cleanup() {
  rm -rf "$work"
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# The .NET runtime the SDK runs on (the services roll forward to it).
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime="$(dotnet --list-runtimes | sed -n 's/^Microsoft.AspNetCore.App \([0-9.]*\) .*/\1/p' | sort -V | tail -n 1)"
mkdir -p "$work/dotnet/dotnet/shared"
cp "$deploy/images/dotnet/Dockerfile" "$work/dotnet/"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$work/dotnet/dotnet/"
for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$work/dotnet/dotnet/shared/$framework"
  cp -a "$dotnet_root/shared/$framework/$runtime" "$work/dotnet/dotnet/shared/$framework/"
done
dotnet_image="$(build_on_os dotnet "$work/dotnet" "$runtime")"

cp -a "$deploy/images/postgres" "$work/postgres"
postgres_image="$(build_on_os postgres "$work/postgres")"
cp -a "$deploy/images/s3" "$work/s3"
cp -a "$repo/provisioning/s3rver/node_modules" "$work/s3/"
s3_image="$(build_on_os s3 "$work/s3" "$(cat "$repo/provisioning/s3rver/package-lock.json")")"
cp -a "$deploy/images/proxy" "$work/proxy"
proxy_image="$(build_on_os proxy "$work/proxy")"
aspire_version="$(sed -n 's:.*<AspireVersion>\(.*\)</AspireVersion>.*:\1:p' "$repo/Directory.Packages.props")"
dotnet restore "$repo/BuildsRs.AppHost" -v quiet -nologo >/dev/null
dashboard="$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: *//')/aspire.dashboard.sdk.linux-x64/$aspire_version/tools"
[ -x "$dashboard/Aspire.Dashboard" ] || { log "no Aspire dashboard at $dashboard"; exit 1; }
cp -a "$deploy/images/dashboard" "$work/dashboard"
cp -a "$dashboard" "$work/dashboard/dashboard"
dashboard_image="$(build_on_os dashboard "$work/dashboard" "$aspire_version")"

# The service images: only the SDK's container build, from a base image in a registry.
services=(api:BuildsRs.Api registry-sync:BuildsRs.RegistrySync builder:BuildsRs.Builder web:BuildsRs.Web registry:BuildsRs.LocalRegistry)
missing=()
for service in "${services[@]}"; do
  if $dirty || ! docker image inspect "buildsrs/${service%%:*}:$commit" >/dev/null 2>&1; then missing+=("$service"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  registry_port="${BUILDSRS_IMAGE_REGISTRY_PORT:-5000}"
  if ! curl -fsS "http://127.0.0.1:$registry_port/v2/" >/dev/null 2>&1; then
    log "starting a local image registry on 127.0.0.1:$registry_port (Debian's docker-registry)"
    mkdir -p "$BUILDSRS_STATE_DIR/image-registry"
    cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $BUILDSRS_STATE_DIR/image-registry}}
http: {addr: 127.0.0.1:$registry_port}
YAML
    setsid docker-registry serve "$work/registry.yml" >"$BUILDSRS_STATE_DIR/image-registry.log" 2>&1 < /dev/null &
    registry_pid=$!
    for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$registry_port/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  base="localhost:$registry_port/$dotnet_image"
  docker tag "$dotnet_image" "$base"
  docker push -q "$base" >/dev/null
  for service in "${missing[@]}"; do
    log "building buildsrs/${service%%:*}:$commit (dotnet publish -t:PublishContainer)"
    dotnet publish "$repo/${service#*:}" -c Release -r linux-x64 -t:PublishContainer -v quiet -nologo \
      -p:BuildsRsContainerBaseImage="$base" -p:ContainerImageTags="$commit" -p:BuildsRsRevision="$commit" \
      >"$BUILDSRS_STATE_DIR/image-${service%%:*}.log" 2>&1 \
      || { grep -m 20 -E 'error|rror:' "$BUILDSRS_STATE_DIR/image-${service%%:*}.log" >&2; exit 1; }
    image="buildsrs/${service%%:*}:$commit"
    docker build --build-arg "SERVICE_IMAGE=$image" -t "$image" "$deploy/images/health" >"$BUILDSRS_STATE_DIR/image-health.log" 2>&1 \
      || { tail -n 20 "$BUILDSRS_STATE_DIR/image-health.log" >&2; exit 1; }
  done
fi

sandbox_image="$(cat "$BUILDSRS_STATE_DIR/builder-image")"
docker_gid="$(stat -c %g "${DOCKER_HOST#unix://}")"
deploy_state="$BUILDSRS_STATE_DIR/deploy"
# The builders' work folder is bound at the same path inside and outside: the engine resolves the sandboxes' binds
# on the host.
install -d -o 1654 -g 1654 "$deploy_state/builder-work"

# Secrets are generated once and kept; everything else follows this build.
env_file="${BUILDSRS_ENV_FILE:-$deploy/.env}"
# A first run has no .env to keep secrets from.
kept() { if [ -f "$env_file" ]; then sed -n "s/^$1=//p" "$env_file" | tail -n 1; fi; }
secrets=()
for name in POSTGRES_PASSWORD ADMIN_TOKEN ENROLLMENT_TOKEN SIGNING_KEY REGISTRY_TOKEN DASHBOARD_TOKEN; do
  value="$(kept "$name")"
  [ -n "$value" ] || value="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  secrets+=("$name=$value")
done
{
  echo "# Written by deploy/build-images.sh; secrets are kept across runs."
  echo "BUILDSRS_TAG=$commit"
  echo "BUILDSRS_POSTGRES_IMAGE=$postgres_image"
  echo "BUILDSRS_S3_IMAGE=$s3_image"
  echo "BUILDSRS_PROXY_IMAGE=$proxy_image"
  echo "BUILDSRS_DASHBOARD_IMAGE=$dashboard_image"
  echo "BUILDSRS_SANDBOX_IMAGE=$sandbox_image"
  # Its ID: the Api takes verifying rebuilds only from images it knows by ID.
  echo "BUILDSRS_SANDBOX_IMAGE_ID=$(docker image inspect --format '{{.Id}}' "$sandbox_image")"
  # gVisor, where provisioning found this engine has it (provisioning/sandbox-runtime.sh).
  echo "BUILDSRS_SANDBOX_RUNTIME=$(cat "$BUILDSRS_STATE_DIR/sandbox-runtime" 2>/dev/null || true)"
  echo "BUILDSRS_BUILDER_WORK=$deploy_state/builder-work"
  echo "BUILDSRS_REGISTRY_SEED=$BUILDSRS_STATE_DIR/registry-seed"
  echo "DOCKER_SOCKET=${DOCKER_HOST#unix://}"
  echo "DOCKER_GID=$docker_gid"
  printf '%s\n' "${secrets[@]}"
} > "$env_file.new"
mv "$env_file.new" "$env_file"
chmod 600 "$env_file"

log "images built in $((SECONDS - start))s:"
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "buildsrs/[a-z0-9-]+:($commit|${postgres_image##*:}|${s3_image##*:}|${proxy_image##*:}|${dashboard_image##*:}|${dotnet_image##*:}|${os_image##*:})\s" >&2 || true
log "wrote $env_file; bring the deployment up with: docker-compose -f deploy/docker-compose.yml up -d"
