#!/usr/bin/env bash
# Builds the Rust SDK (plugin-sdk/rust) and its example plugin with plain rustc — no cargo, no
# crates.io, no network beyond Debian's packages — then checks the module as the host will:
#   plugin-sdk/rust/src/lib.rs                      -> examples/plugins/rust/build/libcorral.rlib
#   examples/plugins/rust/imagenet-preprocess/src/lib.rs
#                                                   -> examples/plugins/rust/build/imagenet-preprocess.wasm
#
# The compiler: $RUSTC if set, else /usr/bin/rustc, else the rustc on PATH — the first whose
# sysroot has the wasm32-unknown-unknown target. With none (rustup's toolchains often lack the
# target), it installs Debian's rustc and libstd-rust-dev-wasm32 (rustc 1.63 on Debian 12),
# and wabt for the checks, with apt-get (as root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$here/build"
TARGET=wasm32-unknown-unknown

die() { echo "build.sh: $*" >&2; exit 1; }

# Whether rustc $1 can build for the target: its sysroot holds the target's libcore.
has_target() {
    local libdir
    libdir="$("$1" --print target-libdir --target "$TARGET" 2>/dev/null)" || return 1
    compgen -G "$libdir/libcore-*.rlib" >/dev/null
}

find_rustc() {
    local candidate
    for candidate in ${RUSTC:-} /usr/bin/rustc "$(command -v rustc || true)"; do
        if [[ -n "$candidate" && -x "$candidate" ]] && has_target "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

apt_install() {
    [[ "$(id -u)" == 0 ]] || die "need $* but not root: run 'apt-get install $*' as root, or set RUSTC"
    echo "build.sh: installing $* (apt-get)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

rustc_bin="$(find_rustc)" || {
    apt_install rustc libstd-rust-dev-wasm32
    rustc_bin="$(find_rustc)" || die "no rustc with the $TARGET target, even after installing Debian's"
}
command -v wasm-validate >/dev/null && command -v wasm-objdump >/dev/null || apt_install wabt

# Relative paths from the root keep the checkout's location out of the module (panic messages
# name source files), so the same sources give the same bytes anywhere. Two of the features
# ABI v1 allows: bulk memory makes the arena's zeroing one memory.fill (the example runs about
# 1.5x faster with it), and non-trapping float-to-int is what Rust's saturating `as` needs.
# Never simd128 or atomics: the host refuses SIMD and threads.
cd "$root"
FLAGS=(--target "$TARGET" --edition 2021 -C opt-level=2 -C panic=abort
    -C target-feature=+bulk-memory,+nontrapping-fptoint)
mkdir -p "$out"
"$rustc_bin" "${FLAGS[@]}" --crate-type=rlib --crate-name corral \
    -o "$out/libcorral.rlib" plugin-sdk/rust/src/lib.rs
"$rustc_bin" "${FLAGS[@]}" --crate-type=cdylib --crate-name imagenet_preprocess \
    --extern corral="$out/libcorral.rlib" -C link-arg=--strip-all \
    -o "$out/imagenet-preprocess.wasm" examples/plugins/rust/imagenet-preprocess/src/lib.rs

wasm="$out/imagenet-preprocess.wasm"
"$root/plugin-sdk/check-module.sh" "$wasm" preprocess
echo "$("$rustc_bin" --version): $wasm ($(wc -c <"$wasm") bytes, sha256 $(sha256sum "$wasm" | cut -d' ' -f1))"
