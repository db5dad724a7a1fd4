# What run.sh, text.sh, vision.sh and abi.sh share; sourced, not run. Sets ROOT (and cds there), OUT
# and BENCH_JAR, finds the JDK, and gives die, step, bench_java, build_bench, build_and_fetch,
# start_server and stop_server.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="examples/bench/target/results"
BENCH_JAR="examples/bench/target/corral-bench.jar"

die() { echo "bench: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }

# `./corral bench` has already chosen a JDK 21+; run directly, this falls back to the JDK 25 here.
if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/javac" ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[[ -x "$JAVA_HOME/bin/javac" ]] || die "no JDK at $JAVA_HOME: set JAVA_HOME to a JDK 21+ or run ./corral bench"
export PATH="$JAVA_HOME/bin:$PATH"
bench_java() { java --enable-native-access=ALL-UNNAMED -XX:+UseG1GC -cp "$BENCH_JAR" "$@"; }

build_bench() {
  step "build (mvn package, tests skipped)"
  mvn -B -q -Dstyle.color=never -f "$ROOT/pom.xml" -DskipTests -pl examples/bench -am package >&2
  mkdir -p "$OUT"
}

build_and_fetch() {
  build_bench
  step "fetch the models"
  ./corral fetch >&2
}

SERVER_PID=
# Starts the server on $PORT and waits until it is ready. $1: models folder, $2: log file.
# ./corral execs java, so SERVER_PID is the JVM itself, not a shell wrapping it.
start_server() {
  ./corral serve --port "$PORT" --no-fetch --models "$1" >"$2" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$2" >&2; die "the server exited before it was ready"; }
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" == 200 ]] && return
    sleep 0.5
  done
  cat "$2" >&2
  die "the server was not ready after 120 s"
}

stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
