#!/usr/bin/env bash
# Builds the C SDK's example plugin — the built-in imagenet-preprocess, whose source is
# plugins/imagenet-preprocess/imagenet-preprocess.c — with the tutorial's clang command, then
# checks the module as the host will:
#   plugins/imagenet-preprocess/imagenet-preprocess.c -> examples/plugins/c/build/imagenet-preprocess.wasm
#
# The compiler: $CLANG if set, else clang; with none, it installs Debian's clang, lld (wasm-ld)
# and wabt (for the checks) with apt-get (as root). The same clang gives the same bytes as the
# committed plugins/imagenet-preprocess/imagenet-preprocess.wasm (plugins/build.sh --check).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$here/build"
CLANG="${CLANG:-clang}"

die() { echo "build.sh: $*" >&2; exit 1; }

apt_install() {
    [[ "$(id -u)" == 0 ]] || die "need $* but not root: run 'apt-get install $*' as root, or set CLANG"
    echo "build.sh: installing $* (apt-get)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v "$CLANG" >/dev/null && command -v wasm-ld >/dev/null || apt_install clang lld
command -v wasm-validate >/dev/null && command -v wasm-objdump >/dev/null || apt_install wabt

# The tutorial's command (README.md §3): freestanding wasm32 with the features ABI v1 allows,
# no SIMD, no threads; --strip-all keeps the build machine's paths out of the bytes.
mkdir -p "$out"
wasm="$out/imagenet-preprocess.wasm"
"$CLANG" --target=wasm32 -O2 -ffreestanding -nostdlib -mbulk-memory -mnontrapping-fptoint -msign-ext \
    -I "$root/plugin-sdk/c" -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536 \
    -o "$wasm" "$root/plugins/imagenet-preprocess/imagenet-preprocess.c"

"$root/plugin-sdk/check-module.sh" "$wasm" preprocess
echo "$("$CLANG" --version | head -n 1): $wasm ($(wc -c <"$wasm") bytes, sha256 $(sha256sum "$wasm" | cut -d' ' -f1))"
