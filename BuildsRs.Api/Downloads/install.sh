#!/bin/sh
# Installs a crate's binaries built by BuildsRs, after checking their SHA-256 and the service's signature.
# Usage: curl -fsSL @BASE_URL@/install.sh | sh -s -- CRATE [--version VERSION] [--target TRIPLE] [--to DIRECTORY]
#        [--allow-unsigned]
# Defaults: the latest version with a build for this machine, its target triple, and $CARGO_HOME/bin (~/.cargo/bin).
# The signature is checked with minisign, or else with openssl (3.0 or newer); BUILDSRS_PUBLIC_KEY pins another key
# than the one this script was served with. What the signature covers must be what was asked for: the crate, the
# target, the version when one is given, and the archive's name and SHA-256. Without a signature, or without a tool
# to check it, nothing is installed unless --allow-unsigned says to go on with the SHA-256 alone.
set -eu

base="@BASE_URL@"
public_key="${BUILDSRS_PUBLIC_KEY:-@PUBLIC_KEY@}"
crate="" version="latest" target="" to="${CARGO_HOME:-$HOME/.cargo}/bin" allow_unsigned=no

usage="usage: sh -s -- CRATE [--version VERSION] [--target TRIPLE] [--to DIRECTORY] [--allow-unsigned]"
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --target) target="${2:?--target needs a value}"; shift 2 ;;
    --to) to="${2:?--to needs a value}"; shift 2 ;;
    --allow-unsigned) allow_unsigned=yes; shift ;;
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
    ppc64le) arch=powerpc64le ;;
    s390x) arch=s390x ;;
    *) fail "no builds for the $arch architecture; pass --target if one exists" ;;
  esac
  case "$(uname -s)" in
    Linux)
      if ldd --version 2>&1 | grep -qi musl; then echo "$arch-unknown-linux-musl"; else echo "$arch-unknown-linux-$abi"; fi ;;
    Darwin) echo "$arch-apple-darwin" ;;
    # Git Bash, MSYS2 and Cygwin on Windows (install.ps1 is the script for PowerShell).
    MINGW*|MSYS*|CYGWIN*) echo "$arch-pc-windows-gnu" ;;
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

# verify_with_openssl ARCHIVE SIGNATURE: minisign's check done with openssl: the Ed25519 signature of the archive's
# BLAKE2b-512 by the key, and the signature over it and the trusted comment.
verify_with_openssl() {
  v="$work/verify"; mkdir -p "$v"
  printf '%s' "$public_key" | base64 -d > "$v/key" 2>/dev/null || return 1
  sed -n 2p "$2" | base64 -d > "$v/sig" 2>/dev/null || return 1
  sed -n 4p "$2" | base64 -d > "$v/global" 2>/dev/null || return 1
  [ "$(head -c 2 "$v/sig")" = ED ] || return 1
  [ "$(dd if="$v/sig" bs=1 skip=2 count=8 2>/dev/null | od -An -tx1)" = "$(dd if="$v/key" bs=1 skip=2 count=8 2>/dev/null | od -An -tx1)" ] || return 1
  # An Ed25519 public key as a PEM: the 12-byte DER header (MCowBQYDK2VwAyEA in base64) and the key's 32 bytes.
  { echo "-----BEGIN PUBLIC KEY-----"; printf 'MCowBQYDK2VwAyEA%s\n' "$(dd if="$v/key" bs=1 skip=10 count=32 2>/dev/null | base64 | tr -d '\n')"
    echo "-----END PUBLIC KEY-----"; } > "$v/key.pem"
  dd if="$v/sig" bs=1 skip=10 count=64 of="$v/signature" 2>/dev/null
  openssl dgst -blake2b512 -binary "$1" > "$v/digest" || return 1
  openssl pkeyutl -verify -pubin -inkey "$v/key.pem" -rawin -in "$v/digest" -sigfile "$v/signature" >/dev/null 2>&1 || return 1
  { cat "$v/signature"; sed -n 3p "$2" | sed 's/^trusted comment: //' | tr -d '\n'; } > "$v/comment"
  openssl pkeyutl -verify -pubin -inkey "$v/key.pem" -rawin -in "$v/comment" -sigfile "$v/global" >/dev/null 2>&1
}

# unsigned REASON: why the signature cannot be checked; fatal unless --allow-unsigned.
unsigned() {
  [ "$allow_unsigned" = yes ] || fail "$1; nothing installed (--allow-unsigned installs it with only its SHA-256 checked)"
  printf 'install.sh: warning: %s; only its SHA-256 was checked\n' "$1" >&2
}

# signed FIELD: a field of the verified trusted comment (file:, crate:, version:, target:, sha256:, tab-separated).
signed() { sed -n 3p "$work/minisig" | sed 's/^trusted comment: //' | tr '\t' '\n' | sed -n "s/^$1://p"; }
# Crate names match as crates.io matches them: case and - against _ do not count.
same_crate() { [ "$(printf '%s' "$1" | tr 'A-Z_' 'a-z-')" = "$(printf '%s' "$2" | tr 'A-Z_' 'a-z-')" ]; }

status="$(fetch "$url.minisig" "$work/minisig")" || fail "cannot reach $base"
if [ "$status" != 200 ]; then
  unsigned "$url has no signature"
elif command -v minisign >/dev/null 2>&1; then
  minisign -Vqm "$work/archive.tar.gz" -x "$work/minisig" -P "$public_key" >/dev/null 2>&1 \
    || fail "the signature of $url does not verify with the key $public_key; nothing installed"
  checked_with=minisign
elif command -v openssl >/dev/null 2>&1 && openssl dgst -blake2b512 </dev/null >/dev/null 2>&1; then
  verify_with_openssl "$work/archive.tar.gz" "$work/minisig" \
    || fail "the signature of $url does not verify with the key $public_key; nothing installed"
  checked_with=openssl
else
  unsigned "neither minisign nor openssl 3 is here to check the signature of $url"
fi
if [ -n "${checked_with:-}" ]; then
  # A genuine signature of another archive of this service (another crate, target or an older version) is no
  # signature of what was asked for.
  same_crate "$(signed crate)" "$crate" || fail "the signature is for the crate $(signed crate), not $crate; nothing installed"
  [ "$(signed target)" = "$target" ] || fail "the signature is for the target $(signed target), not $target; nothing installed"
  [ "$version" = latest ] || [ "$(signed version)" = "$version" ] \
    || fail "the signature is for version $(signed version) of $crate, not $version; nothing installed"
  [ "$(signed file)" = "$(signed crate)-$(signed version)-$(signed target).tar.gz" ] && [ "$(signed sha256)" = "$expected" ] \
    || fail "the signature is for another archive than $url; nothing installed"
  printf 'install.sh: signature checked with %s (key %s): %s %s for %s\n' "$checked_with" "$public_key" "$(signed crate)" "$(signed version)" "$target"
fi

mkdir -p "$work/bin" "$to"
tar -xzf "$work/archive.tar.gz" -C "$work/bin"
for binary in "$work"/bin/*; do
  [ -f "$binary" ] || continue
  install -m 755 "$binary" "$to/$(basename "$binary")"
  printf 'installed %s\n' "$to/$(basename "$binary")"
done
