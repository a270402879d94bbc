# Shared settings of the provisioning scripts (sourced, not run).
# Everything the local system keeps between runs lives under one state directory that the postgres user can reach
# (root's home is not reachable by it).
export BUILDSRS_STATE_DIR="${BUILDSRS_STATE_DIR:-/var/tmp/buildsrs}"
export DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}"

# The targets the local system builds for; provisioning makes a build image for each (builder-image.sh).
export BUILDSRS_TARGETS="${BUILDSRS_TARGETS:-x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf i686-unknown-linux-gnu powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu x86_64-pc-windows-gnu}"

log() { printf '[provision] %s\n' "$*" >&2; }

# Runs a step that downloads from the Debian mirror up to three times: a mirror that is syncing serves index files
# whose size does not match its Release file for a few minutes ("Mirror sync in progress?"). The step must be safe
# to run again (each keeps what an earlier attempt finished).
with_mirror_retries() {
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    [ "$attempt" -lt 3 ] || break
    log "$(basename "$1") failed (attempt $attempt of 3); trying again in 60 s"
    sleep 60
  done
  return 1
}

# The Debian mirror this machine's apt uses (never a hard-coded host): images are made from the same packages.
# `debian_mirror security` gives the security mirror of the same sources (Debian's newer Rust toolchains come from there).
debian_mirror() {
  local want="${1:-main}" mirror
  mirror="$( { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources || true; awk '/^deb / {print $2}' /etc/apt/sources.list || true; } 2>/dev/null \
    | awk -v want="$want" '!found && (want == "security") == ($0 ~ /security/) {print; found = 1}')"
  [ -n "$mirror" ] || { log "no Debian $want mirror found in the apt sources"; return 1; }
  echo "$mirror"
}

# A Debian minbase root of <suite> with <packages> (comma-separated) in <root>, from the apt mirror; the log of
# debootstrap goes to $BUILDSRS_STATE_DIR/<log name>.log and its end is shown when it fails.
debootstrap_minbase() {
  local suite="$1" packages="$2" root="$3" log_name="$4" mirror
  mirror="$(debian_mirror)"
  log "debootstrap $suite from the apt mirror into $(basename "$root")"
  debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$BUILDSRS_STATE_DIR/$log_name.log" 2>&1 \
    || { tail -n 20 "$BUILDSRS_STATE_DIR/$log_name.log" >&2; return 1; }
}
