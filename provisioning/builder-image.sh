#!/usr/bin/env bash
# Builds the images that builds run in, one per target, offline. Every one is a minimal Debian (debootstrap from the
# machine's own apt mirror) with a C toolchain and an unprivileged `builder` user; binaries link against the glibc of
# the image's Debian release, so they run on it and on everything newer.
#   x86_64-unknown-linux-gnu    Debian 11 (glibc 2.31) and the host's Rust toolchain, under /opt/rust
#   aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf, i686-unknown-linux-gnu, powerpc64le-unknown-linux-gnu,
#   s390x-unknown-linux-gnu (any target of `cross_target`)
#                               Debian 12 (glibc 2.36; binaries need 2.34) with Debian's rustc-web and cargo-web from
#                               bookworm-security, the target's standard library (libstd-rust-web-dev:<arch>) and its
#                               cross gcc as cargo's linker; build scripts and proc macros run on the host, as cargo
#                               does it. Debian 11's security suite lists rustc-web too, but the mirror does not serve it.
#                               The toolchain's version is always that of the target's library (see install-toolchain.sh).
#   x86_64-pc-windows-gnu       (any target of `source_std_target`) Debian 12 with rustc-web and cargo-web, and the
#                               target's standard library built once, when the image is built, from Debian's rust-web-src
#                               (-Zbuild-std) into the toolchain's rustlib, where rustc finds it as any target's library.
# Usage: builder-image.sh [TARGET...] (default: $BUILDSRS_TARGETS). An image's tag follows this recipe, its toolchain
# (rustc -vV) and the versions of the target's packages, so a change to any of them gives a new image and a new tag.
# Writes each tag to $BUILDSRS_STATE_DIR/builder-images/<target> (the x86_64 one also to builder-image), where the
# AppHost and the deployment read them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export DOCKER_BUILDKIT=0

recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
records="$BUILDSRS_STATE_DIR/builder-images"
mkdir -p "$records"
read -r -a targets <<< "${*:-$BUILDSRS_TARGETS}"

# <debian architecture> <GNU triple> of a cross target.
cross_target() {
  case "$1" in
    aarch64-unknown-linux-gnu) echo "arm64 aarch64-linux-gnu" ;;
    i686-unknown-linux-gnu) echo "i386 i686-linux-gnu" ;;
    armv7-unknown-linux-gnueabihf) echo "armhf arm-linux-gnueabihf" ;;
    powerpc64le-unknown-linux-gnu) echo "ppc64el powerpc64le-linux-gnu" ;;
    # Debian 12 has s390x's standard library at 1.85 only: the image's toolchain is 1.85 (its tag says so).
    s390x-unknown-linux-gnu) echo "s390x s390x-linux-gnu" ;;
    *) return 1 ;;
  esac
}

# <linker> <packages...> of a target whose standard library Debian does not ship, built from rust-web-src.
source_std_target() {
  case "$1" in
    # POSIX threads, as Rust's std expects of MinGW-w64; the C runtime is linked statically (+crt-static), so the
    # exe needs no libgcc_s or libwinpthread DLL on a clean Windows.
    x86_64-pc-windows-gnu) echo "x86_64-w64-mingw32-gcc-posix gcc-mingw-w64-x86-64-posix" ;;
    *) return 1 ;;
  esac
}

# The root a target's image starts from: a Debian release with its updates and security suites, gcc for build scripts.
base_image() {
  local suite="$1" tag="buildsrs-builder-base:$1-$recipe"
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    local root
    root="$(mktemp -d "$BUILDSRS_STATE_DIR/builder-root.XXXXXX")"
    debootstrap_minbase "$suite" "gcc,libc6-dev,make,pkg-config,ca-certificates" "$root" "debootstrap-$suite"
    {
      echo "deb $(debian_mirror) $suite main"
      echo "deb $(debian_mirror) $suite-updates main"
      echo "deb $(debian_mirror security) $suite-security main"
    } > "$root/etc/apt/sources.list"
    chroot "$root" /usr/sbin/useradd --uid 1000 --user-group --create-home --shell /bin/sh builder
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
    tar -C "$root" -c . | docker import -c 'ENV PATH=/opt/rust/bin:/usr/local/bin:/usr/bin:/bin' - "$tag" >/dev/null
    rm -rf "$root"
  fi
  echo "$tag"
}

# What every build image ends with: the sandbox's environment and user, and where the image came from.
image_tail() {
  cat <<DOCKERFILE
ENV CARGO_HOME=/tmp/cargo-home
USER builder
WORKDIR /tmp
LABEL org.buildsrs.target=$1 org.buildsrs.recipe=$recipe
DOCKERFILE
}

host_image_tag() {
  local toolchain
  toolchain="$(RUSTUP_TOOLCHAIN=stable rustc -vV)"
  echo "buildsrs-builder:x86_64-unknown-linux-gnu-rust-$(echo "$toolchain" | sed -n 's/^release: //p')-$( { echo "$recipe"; echo "$toolchain"; } | sha256sum | cut -c1-12)"
}

build_host_image() {
  local tag="$1" base="$2" sysroot context
  sysroot="$(RUSTUP_TOOLCHAIN=stable rustc --print sysroot)"
  log "building $tag (the host's toolchain)"
  context="$(mktemp -d "$BUILDSRS_STATE_DIR/builder-context.XXXXXX")"
  { echo "FROM $base"; echo "COPY rust /opt/rust"; image_tail x86_64-unknown-linux-gnu; } > "$context/Dockerfile"
  # The context is streamed: the Dockerfile and the toolchain under rust/, without its docs and sources.
  tar -C "$context" -c Dockerfile -C "$sysroot" --exclude=./share/doc --exclude=./lib/rustlib/src --transform 's,^\.,rust,' . \
    | docker build -q -t "$tag" - >"$BUILDSRS_STATE_DIR/builder-image-x86_64-unknown-linux-gnu.log" 2>&1 \
    || { rm -rf "$context"; tail -n 20 "$BUILDSRS_STATE_DIR/builder-image-x86_64-unknown-linux-gnu.log" >&2; return 1; }
  rm -rf "$context"
}

# build_draft TAG CONTEXT TARGET: builds TAG from CONTEXT, which it removes; the log is kept, and its end shown on failure.
build_draft() {
  local tag="$1" context="$2" target="$3"
  docker build --network host -q -t "$tag" "$context" >"$BUILDSRS_STATE_DIR/builder-image-$target.log" 2>&1 \
    || { rm -rf "$context"; tail -n 20 "$BUILDSRS_STATE_DIR/builder-image-$target.log" >&2; return 1; }
  rm -rf "$context"
}

build_cross_image() {
  local target="$1" base="$2" arch gnu linker_variable draft versions tag context
  read -r arch gnu < <(cross_target "$target")
  linker_variable="CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER"
  draft="buildsrs-builder:$target-recipe-$recipe"
  if ! docker image inspect "$draft" >/dev/null 2>&1; then
    log "building the $target image (Debian's rustc-web, libstd-rust-web-dev:$arch, gcc-$gnu)"
    context="$(mktemp -d "$BUILDSRS_STATE_DIR/builder-context.XXXXXX")"
    cat > "$context/install-toolchain.sh" <<'SCRIPT'
#!/bin/sh
# Usage: install-toolchain.sh ARCH GNU TARGET. Installs the host's rustc-web and cargo-web at the version of the
# target's standard library that apt offers, that library under the toolchain's rustlib, and the target's cross gcc.
# Every package of the toolchain is named with its version: apt does not step back from a newer candidate by itself.
set -eu
arch="$1" gnu="$2" target="$3"
dpkg --add-architecture "$arch"
if ! apt-get update -qq; then
  # A mirror that serves one index out of step with its Release file makes apt drop that whole suite. The security
  # suite is then read for the host's architecture only: the target's library, and so the toolchain, come from the
  # release's own suite at the version of its last point release.
  echo "buildsrs: the security suite's $arch index is unusable; the toolchain comes from the release's own suite" >&2
  sed -i "s|^deb \(.*-security\)|deb [arch=$(dpkg --print-architecture)] \1|" /etc/apt/sources.list
  apt-get update -qq
fi
version="$(apt-cache policy "libstd-rust-web-dev:$arch" | sed -n 's/^ *Candidate: //p')"
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "no libstd-rust-web-dev:$arch in the mirror" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "rustc-web=$version" "cargo-web=$version" "libstd-rust-web-dev=$version" "gcc-$gnu" "libc6-dev-$arch-cross" >/dev/null
cd /tmp
apt-get download -qq "libstd-rust-web-dev:$arch=$version"
dpkg-deb --fsys-tarfile libstd-rust-web-dev_*.deb | tar -x -C / ./usr/lib/rustlib/
dpkg-deb -f libstd-rust-web-dev_*.deb Package Version Architecture > "/usr/lib/rustlib/$target/buildsrs-std-package"
rm -rf /tmp/*.deb /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /usr/share/doc/*
SCRIPT
    cat > "$context/Dockerfile" <<DOCKERFILE
FROM $base
USER root
COPY install-toolchain.sh /tmp/
RUN sh /tmp/install-toolchain.sh $arch $gnu $target && rm /tmp/install-toolchain.sh
ENV $linker_variable=$gnu-gcc
$(image_tail "$target")
DOCKERFILE
    build_draft "$draft" "$context" "$target" || return 1
  fi
  named_image "$target" "$draft" rustc-web cargo-web "gcc-$gnu" "libc6-dev-$arch-cross"
}

# named_image TARGET DRAFT PACKAGES...: tags DRAFT after what it holds, the toolchain and the versions of the target's
# packages and standard library, and after the recipe that set it up, and prints the tag.
named_image() {
  local target="$1" draft="$2" versions tag
  shift 2
  versions="$(docker run --rm --network none "$draft" sh -c \
    "rustc -vV; dpkg-query -W $*; cat /usr/lib/rustlib/$target/buildsrs-std-package")"
  tag="buildsrs-builder:$target-rust-$(echo "$versions" | sed -n 's/^release: //p')-$( { echo "$recipe"; echo "$versions"; } | sha256sum | cut -c1-12)"
  docker tag "$draft" "$tag"
  echo "$tag"
}

# Settings a target's builds need beyond its linker, as Dockerfile lines.
target_environment() {
  case "$1" in
    # winapi links its own copies of Windows' import libraries, which Debian's packaging of it (the local registry's
    # source) leaves out; with this it links MinGW-w64's, which every Windows build image has. GNU ld writes the link's
    # time into an exe's header unless told not to, and the same inputs must give the same bytes.
    *-windows-gnu) printf 'ENV WINAPI_NO_BUNDLED_LIBRARIES=1 CARGO_TARGET_%s_RUSTFLAGS="-C target-feature=+crt-static -C link-arg=-Wl,--no-insert-timestamp"\n' \
      "$(echo "$1" | tr 'a-z-' 'A-Z_')" ;;
  esac
}

build_source_std_image() {
  local target="$1" base="$2" linker packages draft context
  read -r linker packages < <(source_std_target "$target")
  draft="buildsrs-builder:$target-recipe-$recipe"
  if ! docker image inspect "$draft" >/dev/null 2>&1; then
    log "building the $target image (Debian's rustc-web, its standard library built from rust-web-src, $packages)"
    context="$(mktemp -d "$BUILDSRS_STATE_DIR/builder-context.XXXXXX")"
    cat > "$context/build-std.sh" <<'SCRIPT'
#!/bin/sh
# Usage: build-std.sh TARGET LINKER PACKAGES... Installs rustc-web, cargo-web and rust-web-src at one version, the
# target's linker packages, and builds the target's standard library with that toolchain: cargo's -Zbuild-std builds
# it for a crate of one empty main, from the library's own vendored dependencies, offline; its rlibs go where rustc
# looks for a target's library. The sources and the build are removed in the same layer.
set -eu
target="$1" linker="$2"
shift 2
apt-get update -qq
version="$(apt-cache policy rust-web-src | sed -n 's/^ *Candidate: //p')"
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "no rust-web-src in the mirror" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "rustc-web=$version" "cargo-web=$version" "rust-web-src=$version" "$@" >/dev/null
library="$(rustc --print sysroot)/lib/rustlib/src/rust/library"
[ -d "$library/vendor" ] || { echo "rust-web-src has no $library/vendor" >&2; exit 1; }
mkdir -p /tmp/std/src /tmp/std/.cargo
cd /tmp/std
printf '[package]\nname = "std-probe"\nversion = "0.0.0"\nedition = "2021"\n' > Cargo.toml
echo 'fn main() {}' > src/main.rs
printf '[source.crates-io]\nreplace-with = "std-vendored"\n[source.std-vendored]\ndirectory = "%s"\n' "$library/vendor" > .cargo/config.toml
variable="$(echo "$target" | tr 'a-z-' 'A-Z_')"
export CARGO_HOME=/tmp/std/cargo-home RUSTC_BOOTSTRAP=1 "CARGO_TARGET_${variable}_LINKER=$linker" \
  "CARGO_TARGET_${variable}_RUSTFLAGS=-C target-feature=+crt-static"
cargo build -q --release --offline --target "$target" -Zbuild-std=std,panic_abort
mkdir -p "/usr/lib/rustlib/$target/lib"
cp target/"$target"/release/deps/*.rlib "/usr/lib/rustlib/$target/lib/"
echo "rust-web-src $version, built with -Zbuild-std=std,panic_abort" > "/usr/lib/rustlib/$target/buildsrs-std-package"
cd / && rm -rf /tmp/std
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq rust-web-src >/dev/null
rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /usr/share/doc/*
SCRIPT
    local variable
    variable="$(echo "$target" | tr 'a-z-' 'A-Z_')"
    cat > "$context/Dockerfile" <<DOCKERFILE
FROM $base
USER root
COPY build-std.sh /tmp/
RUN sh /tmp/build-std.sh $target $linker $packages && rm /tmp/build-std.sh
ENV CARGO_TARGET_${variable}_LINKER=$linker
$(target_environment "$target")
$(image_tail "$target")
DOCKERFILE
    build_draft "$draft" "$context" "$target" || return 1
  fi
  # shellcheck disable=SC2086 # the packages are words
  named_image "$target" "$draft" rustc-web cargo-web $packages
}

for target in "${targets[@]}"; do
  if [ "$target" = x86_64-unknown-linux-gnu ]; then
    tag="$(host_image_tag)"
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
      build_host_image "$tag" "$(base_image bullseye)"
    fi
  elif cross_target "$target" >/dev/null || source_std_target "$target" >/dev/null; then
    tag="$(cat "$records/$target" 2>/dev/null || true)"
    if [ -z "$tag" ] || [ "$(cat "$records/$target.recipe" 2>/dev/null)" != "$recipe" ] || ! docker image inspect "$tag" >/dev/null 2>&1; then
      if cross_target "$target" >/dev/null; then
        tag="$(build_cross_image "$target" "$(base_image bookworm)")"
      else
        tag="$(build_source_std_image "$target" "$(base_image bookworm)")"
      fi
    fi
  else
    log "no build image recipe for $target (see the README's Targets section)"
    exit 1
  fi
  echo "$tag" > "$records/$target"
  echo "$recipe" > "$records/$target.recipe"
  log "builder image $tag ready"
done
if [ -f "$records/x86_64-unknown-linux-gnu" ]; then
  cp "$records/x86_64-unknown-linux-gnu" "$BUILDSRS_STATE_DIR/builder-image"
fi
