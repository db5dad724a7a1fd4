#!/usr/bin/env bash
# Runs the example clients against a real Corral server: the official OpenAI Node client
# (examples/clients/openai) and the browser page in headless chromium (examples/web).
# Starts the server with `./corral serve --no-fetch` (so it finds a JDK and rebuilds a stale jar
# exactly as `./corral` does) on a free port, waits until every model is ready, runs both
# clients, stops the server. Run it after `./corral fetch`. Exits non-zero if anything failed.
#
# Environment: CORRAL_READY_TIMEOUT (seconds to wait for /health/ready, default 300),
# CORRAL_PORT (default: a free port), CHROMIUM (default /usr/bin/chromium), CORRAL_JAVA_OPTS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLES="$ROOT/examples"
LOG_DIR="$EXAMPLES/target"
SERVER_LOG="$LOG_DIR/run-clients-server.log"
READY_TIMEOUT="${CORRAL_READY_TIMEOUT:-300}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
SERVER_PID=""

say() { echo "run-clients: $*" >&2; }
die() { say "$*"; exit 1; }

server_log_tail() {
  [[ -f "$SERVER_LOG" ]] || return 0
  say "last lines of the server log ($SERVER_LOG):"
  tail -n 40 "$SERVER_LOG" | sed 's/^/  | /' >&2
}

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    # the server runs in its own process group (setsid): a build that ./corral started goes too
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 1
    done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

need_tools() {
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "node and npm are needed (Node.js 20 or newer); install them, e.g. from https://nodejs.org"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  (( major >= 20 )) || die "Node.js 20 or newer is needed, this is $(node --version)"
  command -v setsid >/dev/null || die "setsid (util-linux) is needed to run the server in its own process group"
  if [[ ! -x "$CHROMIUM" ]]; then
    [[ "$CHROMIUM" == /usr/bin/chromium && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null \
      || die "no chromium at $CHROMIUM; install it (Debian: apt-get install chromium) or set CHROMIUM"
    say "installing chromium (Debian package; takes a while)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

install_clients() {
  local dir
  for dir in "$EXAMPLES/clients/openai" "$EXAMPLES/web"; do
    (cd "$dir" && npm ci --silent --no-audit --no-fund) || die "npm ci failed in $dir"
  done
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# prints "STATUS BODY" of a GET, or "0 <why>" when nothing answered
http_get() {
  node -e 'fetch(process.argv[1]).then(async (r) => console.log(r.status, await r.text()), (e) => console.log(0, e.cause?.code ?? e.message));' "$1"
}

start_server() {
  local port="$1" deadline reply status
  mkdir -p "$LOG_DIR"
  say "starting the server on port $port (log: $SERVER_LOG)"
  setsid "$ROOT/corral" serve --no-fetch --port "$port" >"$SERVER_LOG" 2>&1 </dev/null &
  SERVER_PID=$!
  deadline=$(( SECONDS + READY_TIMEOUT ))
  while :; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID" && status=0 || status=$?
      SERVER_PID=""
      server_log_tail
      die "the server exited (status $status) before it was ready"
    fi
    reply="$(http_get "http://127.0.0.1:$port/health/ready")"
    case "$reply" in
      200\ *) say "server ready: ${reply#200 }"; return ;;
      503\ *\"failed\"*) server_log_tail; die "a model failed to load: ${reply#503 }" ;;
    esac
    (( SECONDS < deadline )) || { server_log_tail; die "the server was not ready within ${READY_TIMEOUT}s; last answer: $reply"; }
    sleep 1
  done
}

main() {
  need_tools
  install_clients
  local port="${CORRAL_PORT:-$(free_port)}" failed=()
  start_server "$port"
  export CORRAL_URL="http://127.0.0.1:$port" CHROMIUM
  say "== OpenAI client (examples/clients/openai)"
  node "$EXAMPLES/clients/openai/client.mjs" || failed+=("examples/clients/openai/client.mjs")
  say "== browser page in chromium (examples/web)"
  node "$EXAMPLES/web/stream-test.mjs" || failed+=("examples/web/stream-test.mjs")
  if (( ${#failed[@]} > 0 )); then
    server_log_tail
    die "FAILED: ${failed[*]}"
  fi
  say "all example clients passed"
}

main "$@"
