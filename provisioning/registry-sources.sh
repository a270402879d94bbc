#!/usr/bin/env bash
# Real Rust crate sources for the local Cargo registry used in tests and demos, provisioned offline from Debian:
# librust-*-dev packages carry the upstream crates under /usr/share/cargo/registry/<name>-<version>/.
# Downloads the dependency closure of the packages below (without installing anything) and writes one folder per
# crate to $BUILDSRS_STATE_DIR/registry-sources/<name>-<version>/. The downloaded .debs stay in registry-debs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Fixture crates, versions as in bookworm. All but semver have binary targets.
packages=(
  librust-xml-rs-dev                  # xml-rs 0.8: one [[bin]] (xml-analyze), no dependencies
  librust-rustdoc-stripper-dev        # src/main.rs, no dependencies
  librust-lscolors-dev                # [[bin]] with required-features (on by default)
  librust-hexyl-dev                   # mid-sized dependency tree
  librust-protobuf-codegen-dev        # two binaries
  librust-cargo-binutils-dev          # many binaries (src/bin/*)
  librust-cbindgen-dev
  librust-zram-generator-dev          # known compile failure
  librust-git-absorb-dev              # build script refuses the vendored C library (libgit2)
  librust-dotenv+clap-dev             # the binary needs feature `cli` (= clap)
  librust-difference+getopts-dev      # the binary needs feature `bin` (= getopts)
  librust-pulldown-cmark-dev
  librust-markdown-dev
  librust-cargo-lock-dev              # [[bin]] with required-features = ["cli"]
  librust-lalrpop-dev
  librust-resource-proof-dev          # package name (resource_proof) differs from the Debian name
  librust-sha1collisiondetection-dev
  librust-bindgen-dev                 # needs libclang at build time
  librust-semver-dev                  # library only: the "no binary" case
  # dev-dependencies, so that xml-rs, sha1collisiondetection and cbindgen resolve with their manifests unmodified
  # (the other fixtures' dev-dependencies are not in bookworm at usable versions: strip them)
  librust-doc-comment-dev
  librust-hex-literal-dev
  librust-serial-test-dev
)

debs="$BUILDSRS_STATE_DIR/registry-debs"
sources="$BUILDSRS_STATE_DIR/registry-sources"
# The stamp lives inside the folder, dot-named so Cargo's directory source skips it, and moves with it atomically.
stamp="$sources/.buildsrs-packages"
wanted="$(printf '%s\n' "${packages[@]}" | sha256sum | cut -c1-16)"

if [ -d "$sources" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  log "registry sources present ($(find "$sources" -mindepth 1 -maxdepth 1 -type d | wc -l) crates)"
  exit 0
fi

mkdir -p "$BUILDSRS_STATE_DIR" "$debs"
work="$(mktemp -d "$BUILDSRS_STATE_DIR/registry-sources.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/crates" "$work/unpacked"

apt-cache show "${packages[0]}" >/dev/null 2>&1 || { log "apt-get update"; apt-get update -qq >&2; }

# Resolve against an empty dpkg status, so the closure does not depend on what this machine has installed,
# and keep only the librust packages: compilers and C libraries are not crate sources.
: > "$work/dpkg-status"
plan="$(apt-get -s -o Dir::State::status="$work/dpkg-status" install --no-install-recommends "${packages[@]}")" \
  || { log "apt cannot resolve the registry packages"; exit 1; }
mapfile -t closure < <(echo "$plan" | awk '$1 == "Inst" && $2 ~ /^librust-/ { v = $3; gsub(/[()]/, "", v); print $2 "=" v }')
log "registry sources: ${#closure[@]} librust packages in the closure"

# apt-get download skips files already in the cache, so reruns after a list change only fetch what is new.
# Fetched unsandboxed: the state dir is not writable by apt's _apt user.
(cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "${closure[@]}" >&2)

# Feature packages (librust-foo+bar-dev) are empty metapackages and several debs may carry the same crate:
# take each <name>-<version> folder once.
for pkg in "${closure[@]}"; do
  name="${pkg%%=*}"; version="${pkg#*=}"
  # apt-get download writes an epoch's colon as %3a.
  deb=("$debs/${name}_${version/:/%3a}"_*.deb)
  dpkg-deb -x "${deb[0]}" "$work/unpacked"
  for crate in "$work/unpacked/usr/share/cargo/registry"/*/; do
    [ -d "$crate" ] || continue
    target="$work/crates/$(basename "$crate")"
    [ -e "$target" ] || mv "$crate" "$target"
  done
  rm -rf "$work/unpacked" && mkdir "$work/unpacked"
done
echo "$wanted" > "$work/crates/.buildsrs-packages"

# Swap in the new folder in one rename; an interrupted run leaves only a temp folder behind (removed on exit).
if [ -d "$sources" ]; then mv -T "$sources" "$work/old"; fi
mv -T "$work/crates" "$sources"
count="$(find "$sources" -mindepth 1 -maxdepth 1 -type d | wc -l)"
log "registry sources: $count crate folders, $(du -sm "$sources" | cut -f1) MB in $sources"
