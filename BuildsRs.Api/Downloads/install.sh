#!/bin/sh
# Installs a crate's binaries built by BuildsRs, after checking their SHA-256.
# Usage: curl -fsSL @BASE_URL@/install.sh | sh -s -- CRATE [--version VERSION] [--target TRIPLE] [--to DIRECTORY]
# Defaults: the latest version with a build for this machine, its target triple, and $CARGO_HOME/bin (~/.cargo/bin).
set -eu

base="@BASE_URL@"
crate="" version="latest" target="" to="${CARGO_HOME:-$HOME/.cargo}/bin"

usage="usage: sh -s -- CRATE [--version VERSION] [--target TRIPLE] [--to DIRECTORY]"
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --target) target="${2:?--target needs a value}"; shift 2 ;;
    --to) to="${2:?--to needs a value}"; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    -*) fail "unknown option $1" ;;
    *) [ -z "$crate" ] || fail "one crate at a time"; crate="$1"; shift ;;
  esac
done
[ -n "$crate" ] || fail "which crate? $usage"

host_target() {
  arch="$(uname -m)"
  abi=gnu
  case "$arch" in
    x86_64|amd64) arch=x86_64 ;;
    aarch64|arm64) arch=aarch64 ;;
    armv7*|armv8l) arch=armv7 abi=gnueabihf ;;
    i386|i486|i586|i686) arch=i686 ;;
    *) fail "no builds for the $arch architecture; pass --target if one exists" ;;
  esac
  case "$(uname -s)" in
    Linux)
      if ldd --version 2>&1 | grep -qi musl; then echo "$arch-unknown-linux-musl"; else echo "$arch-unknown-linux-$abi"; fi ;;
    Darwin) echo "$arch-apple-darwin" ;;
    *) fail "no builds for $(uname -s); pass --target if one exists" ;;
  esac
}
[ -n "$target" ] || target="$(host_target)"

# fetch URL FILE: the body to FILE, the response headers to FILE.headers, the HTTP status on stdout.
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -sSL -o "$2" -D "$2.headers" -w '%{http_code}' "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { if wget -q -S -O "$2" "$1" 2>"$2.headers"; then echo 200; else echo 404; fi; }
else
  fail "curl or wget is needed"
fi

# The glibc of this machine (getconf, else ldd's first line), empty where there is none.
host_glibc() {
  { getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>/dev/null | head -n 1; } | grep -o '[0-9][0-9]*\.[0-9][0-9]*' | tail -n 1
}

# version_older A B: whether version A is older than version B (numeric, dot by dot).
version_older() {
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, "."); m = split(b, y, "."); if (m > n) n = m
    for (i = 1; i <= n; i++) { if (x[i] + 0 < y[i] + 0) exit 0; if (x[i] + 0 > y[i] + 0) exit 1 } exit 1 }'
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
url="$base/builds/$crate/$version/$target"

status="$(fetch "$url.sha256" "$work/sha256")" || fail "cannot reach $base"
if [ "$status" != 200 ]; then
  detail="$(sed -n 's/.*"detail" *: *"\([^"]*\)".*/\1/p' "$work/sha256" 2>/dev/null)"
  fail "${detail:-nothing to download at $url (HTTP $status)}"
fi
# The archive says which glibc it needs: refuse before downloading it where this machine's is older.
needs="$(sed -n 's/^[[:space:]]*[Xx]-[Aa]rtifact-[Gg]libc: *\([0-9.]*\).*/\1/p' "$work/sha256.headers" | tail -n 1)"
case "$target" in
  *-linux-gnu*)
    have="$(host_glibc)"
    if [ -n "$needs" ] && [ -n "$have" ] && version_older "$have" "$needs"; then
      fail "$crate's $target build needs glibc $needs or newer; this machine has glibc $have. Nothing installed."
    fi ;;
esac
status="$(fetch "$url" "$work/archive.tar.gz")" || fail "cannot reach $base"
[ "$status" = 200 ] || fail "downloading $url failed (HTTP $status)"

expected="$(cut -d ' ' -f 1 "$work/sha256")"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$work/archive.tar.gz" | cut -d ' ' -f 1)"
else
  actual="$(shasum -a 256 "$work/archive.tar.gz" | cut -d ' ' -f 1)"
fi
[ "$actual" = "$expected" ] || fail "checksum mismatch: got $actual, expected $expected; nothing installed"

mkdir -p "$work/bin" "$to"
tar -xzf "$work/archive.tar.gz" -C "$work/bin"
for binary in "$work"/bin/*; do
  [ -f "$binary" ] || continue
  install -m 755 "$binary" "$to/$(basename "$binary")"
  printf 'installed %s\n' "$to/$(basename "$binary")"
done
