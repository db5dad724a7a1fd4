#!/usr/bin/env bash
# Checks a plugin module the way the host checks it at load (plugin-sdk/ABI.md §1, §6), without
# Java, using wabt (Debian package wabt):
#   plugin-sdk/check-module.sh FILE.wasm [ENTRY…]
# - valid WebAssembly with only what ABI v1 allows: the MVP plus bulk memory, sign extension,
#   non-trapping float-to-int and multi-value; no SIMD, threads or reference types;
# - imports from module `corral` only;
# - exports `memory`, `corral_abi_version` and each ENTRY (with no ENTRY: at least one other
#   function).
# Exit 0 and one line naming the imports and exports, or exit 1 saying what is wrong.
# `./corral plugin check FILE.wasm` goes further: signatures, memory limits, the ABI version.
set -euo pipefail

die() { echo "check-module.sh: $*" >&2; exit 1; }
[[ $# -ge 1 ]] || die "usage: check-module.sh FILE.wasm [ENTRY…]"
wasm="$1"
shift

wasm-validate --disable-simd --disable-reference-types "$wasm" || die "$wasm is not a valid ABI v1 module"
imports="$(wasm-objdump -x -j Import "$wasm" | sed -n 's/.* <- //p')"
while read -r name; do
    [[ -z $name || $name == corral.* ]] || die "$wasm imports $name; a plugin may import only corral.*"
done <<<"$imports"
exports="$(wasm-objdump -x -j Export "$wasm" | sed -n 's/.* -> "\(.*\)"$/\1/p')"
for name in memory corral_abi_version "$@"; do
    grep -qx "$name" <<<"$exports" || die "$wasm does not export $name (exports: $(echo $exports))"
done
if [[ $# -eq 0 ]]; then
    functions="$(wasm-objdump -x -j Export "$wasm" | grep -c '^ - func' || true)"
    (( functions >= 2 )) || die "$wasm exports no entry point besides corral_abi_version"
fi
echo "$wasm: imports $(echo $imports | sed 's/corral\.//g'); exports $(echo $exports)"
