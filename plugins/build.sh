#!/usr/bin/env bash
# Builds every committed WebAssembly file of Corral from its source:
#   plugins/NAME/NAME.c                      -> plugins/NAME/NAME.wasm (clang + wasm-ld, no libc)
#   host/src/test/resources/plugins/X.wat    -> X.wasm beside it       (wat2wasm)
#   examples/bench/src/main/resources/X.wat  -> X.wasm beside it       (wat2wasm; checked as a plugin)
#
#   plugins/build.sh            build everything, write the .wasm files and plugins/TOOLCHAIN
#   plugins/build.sh --check    rebuild into a temporary folder and compare with the committed
#                               bytes; exit 1 naming each file that differs (and the toolchains)
#   plugins/build.sh --test     build and run the native test harness (plugins/test), then run
#                               the committed .wasm in Node's WebAssembly (if node is installed)
#
# The .wasm files are committed (the Java build packages them; it needs no C toolchain), so
# --check is what keeps them honest: same sources + same toolchain = same bytes.
# Environment: CLANG (default clang), WAT2WASM (default wat2wasm), CC for the native harness
# (default clang), CORRAL_MODELS (the model mirror, default ../shared/models from the root).
set -euo pipefail
# Failures inside $(build_into …) must stop the build too.
shopt -s inherit_errexit

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
sdk="$root/plugin-sdk/c"
wat_dir="$root/host/src/test/resources/plugins"
bench_wat_dir="$root/examples/bench/src/main/resources"
CLANG="${CLANG:-clang}"
WAT2WASM="${WAT2WASM:-wat2wasm}"

# Freestanding wasm32 with the features ABI v1 allows (bulk memory, sign extension,
# non-trapping float-to-int) and none it refuses (no SIMD, no threads). No debug info and no
# name section: smaller, and nothing that depends on the build machine's paths.
WASM_CFLAGS=(--target=wasm32 -O2 -ffreestanding -nostdlib
    -mbulk-memory -mnontrapping-fptoint -msign-ext
    -Wall -Wextra -I "$sdk")
WASM_LDFLAGS=(-Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536)
# Test plugins may exercise what the host must refuse (SIMD, threads): let wat2wasm parse it.
WAT_FLAGS=(--enable-threads)

die() { echo "build.sh: $*" >&2; exit 1; }

toolchain() {
    echo "clang: $("$CLANG" --version | head -n 1)"
    echo "wasm-ld: $(wasm-ld --version | head -n 1)"
    echo "wat2wasm: $("$WAT2WASM" --version | head -n 1)"
}

# Names of the built-in plugins: folders holding a C file of their own name.
plugin_names() {
    local dir name
    for dir in "$here"/*/; do
        name="$(basename "$dir")"
        [[ -f "$dir/$name.c" ]] && echo "$name"
    done
    return 0
}

# Builds everything into $1, mirroring the repository's layout; prints each file built.
build_into() {
    local out="$1" name wat file
    for name in $(plugin_names); do
        mkdir -p "$out/plugins/$name"
        "$CLANG" "${WASM_CFLAGS[@]}" "${WASM_LDFLAGS[@]}" -o "$out/plugins/$name/$name.wasm" "$here/$name/$name.c"
        "$root/plugin-sdk/check-module.sh" "$out/plugins/$name/$name.wasm" >/dev/null
        echo "plugins/$name/$name.wasm"
    done
    shopt -s nullglob
    for wat in "$wat_dir"/*.wat; do
        assemble "$out" "$wat"
    done
    # The bench's probes are plugins the host must accept, unlike the test fixtures above.
    for wat in "$bench_wat_dir"/*.wat; do
        file="$(assemble "$out" "$wat")" || exit 1
        "$root/plugin-sdk/check-module.sh" "$out/$file" >/dev/null || exit 1
        echo "$file"
    done
    shopt -u nullglob
}

# Assembles $2 into $1 at the same path relative to the root, with .wasm for .wat; prints that path.
assemble() {
    local out="$1" wat="$2" file
    file="${wat#"$root/"}"
    file="${file%.wat}.wasm"
    mkdir -p "$out/$(dirname "$file")"
    "$WAT2WASM" "${WAT_FLAGS[@]}" -o "$out/$file" "$wat" || die "wat2wasm could not assemble $file"
    echo "$file"
}

build() {
    local tmp file files
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    files="$(build_into "$tmp")"
    for file in $files; do
        cp "$tmp/$file" "$root/$file"
        echo "built $file ($(wc -c <"$root/$file") bytes)"
    done
    toolchain >"$here/TOOLCHAIN"
}

check() {
    local tmp file files differ=0
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    files="$(build_into "$tmp")"
    for file in $files; do
        if [[ ! -f "$root/$file" ]]; then
            echo "MISSING  $file: built from source but not committed"
            differ=1
        elif ! cmp -s "$tmp/$file" "$root/$file"; then
            echo "DIFFERS  $file: committed $(wc -c <"$root/$file") bytes, rebuilt $(wc -c <"$tmp/$file") bytes"
            differ=1
        else
            echo "same     $file"
        fi
    done
    if ((differ)); then
        echo
        echo "The committed bytes came from (plugins/TOOLCHAIN):"
        sed 's/^/  /' "$here/TOOLCHAIN" 2>/dev/null || echo "  (no plugins/TOOLCHAIN)"
        echo "This machine has:"
        toolchain | sed 's/^/  /'
        echo "Run plugins/build.sh and commit the .wasm files and TOOLCHAIN if the sources changed."
        return 1
    fi
    echo "all committed .wasm files match their sources"
}

run_tests() {
    local tmp cc="${CC:-clang}" sources=() name sanitize=()
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    # The test list is every `void NAME(void)` defined at the start of a line in *_test.c.
    {
        echo "/* generated by plugins/build.sh --test */"
        sed -n 's/^void \([a-z0-9_]*\)(void) {$/void \1(void);/p' "$here"/test/*_test.c
        printf '#define ALL_TESTS'
        sed -n 's/^void \([a-z0-9_]*\)(void) {$/ TEST(\1)/p' "$here"/test/*_test.c | tr -d '\n'
        echo
    } >"$tmp/tests.h"
    # Sanitizers catch out-of-bounds and undefined behaviour that wasm would trap on (or not).
    if echo 'int main(void){return 0;}' | "$cc" -x c -fsanitize=address,undefined -o "$tmp/probe" - 2>/dev/null; then
        sanitize=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
    fi
    local cflags=(-std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra "${sanitize[@]}" -I "$sdk" -I "$here/test" -I "$tmp")
    # Each plugin is its own object, its entry points prefixed (plugin-name__entry), so that
    # several plugins may export the same entry name, as separate modules do.
    for name in $(plugin_names); do
        "$cc" "${cflags[@]}" -DCORRAL_NATIVE_PREFIX="${name//-/_}__" -c -o "$tmp/$name.o" "$here/$name/$name.c"
        sources+=("$tmp/$name.o")
    done
    "$cc" "${cflags[@]}" -o "$tmp/harness" "$here"/test/*.c "${sources[@]}" -lm
    local models="${CORRAL_MODELS:-$root/../shared/models}" status=0
    (cd "$root" && CORRAL_MODELS="$models" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" "$tmp/harness" "$@") || status=1
    # The committed bytes themselves, in a real engine (Node's WebAssembly), when Node is here.
    if (($# == 0)) && command -v node >/dev/null; then
        node "$here/test/wasm-smoke.mjs" "$models" "$(dirname "$models")/testdata/images" || status=1
    elif (($# == 0)); then
        echo "node not found: skipped plugins/test/wasm-smoke.mjs (the committed .wasm in a real engine)"
    fi
    return "$status"
}

case "${1:-}" in
    "") build ;;
    --check) check ;;
    --test) shift; run_tests "$@" ;;
    *) die "unknown argument '$1' (use no argument, --check or --test [NAME-FILTER])" ;;
esac
