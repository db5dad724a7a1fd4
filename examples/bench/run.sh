#!/usr/bin/env bash
# Corral's benchmarks in one command (also `./corral bench`): builds, fetches the models, runs
# PipelineBench in-process, then measures the HTTP server under closed-loop load at concurrency 1
# and CONCURRENCY, and ends with one summary table. Results: examples/bench/target/results/.
# Knobs (environment): PORT (18080), IMAGE, CONCURRENCY (8), WARMUP_SECONDS (5), LOAD_SECONDS (20),
# SCALE (1.0: multiplies PipelineBench's measuring times).
# `run.sh text` (`./corral bench text`) runs the text benchmark instead: see text.sh.
set -euo pipefail

case "${1:-}" in
  text) shift; exec "$(dirname "${BASH_SOURCE[0]}")/text.sh" "$@" ;;
  "") ;;
  *) echo "bench: unknown benchmark '$1' (none: the image benchmark; text: generation and embeddings)" >&2; exit 1 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PORT="${PORT:-18080}"
IMAGE="${IMAGE:-../shared/testdata/images/chelsea.png}"
CONCURRENCY="${CONCURRENCY:-8}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
SCALE="${SCALE:-1.0}"
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

step "build (mvn package, tests skipped)"
mvn -B -q -Dstyle.color=never -f "$ROOT/pom.xml" -DskipTests -pl examples/bench -am package >&2
mkdir -p "$OUT"
step "fetch the models"
./corral fetch >&2

step "in-process: raw ONNX Runtime, decode, pipeline (about a minute)"
bench_java dev.corral.bench.PipelineBench --image "$IMAGE" --callers "$CONCURRENCY" --scale "$SCALE" \
  --json "$OUT/pipeline.json" | tee "$OUT/pipeline.md"

step "server on port $PORT"
./corral serve --port "$PORT" --no-fetch >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT

rss_kb() { # resident memory of the server's JVM, in KiB
  awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"
}

for _ in $(seq 1 240); do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; die "the server exited before it was ready"; }
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" == 200 ]] && break
  sleep 0.5
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" == 200 ]] \
  || { cat "$OUT/server.log" >&2; die "the server was not ready after 120 s"; }
# ./corral execs java, so the background job's PID is the JVM itself, not a shell wrapping it.
[[ "$(cat "/proc/$SERVER_PID/comm")" == java ]] || die "process $SERVER_PID is $(cat "/proc/$SERVER_PID/comm"), not the JVM"
RSS_READY=$(rss_kb)

for c in $(printf '%s\n' 1 "$CONCURRENCY" | sort -nu); do
  step "load: concurrency $c, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s"
  bench_java dev.corral.bench.LoadGenerator --url "http://127.0.0.1:$PORT/infer/image" --file "$IMAGE" \
    --content-type image/png --concurrency "$c" --warmup-seconds "$WARMUP_SECONDS" --seconds "$LOAD_SECONDS" \
    --json "$OUT/load-c$c.json" | tee "$OUT/load-c$c.md"
done
RSS_AFTER=$(rss_kb)

kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
trap - EXIT

step "summary"
bench_java dev.corral.bench.BenchSummary --pipeline "$OUT/pipeline.json" --load-c1 "$OUT/load-c1.json" \
  --load-cn "$OUT/load-c$CONCURRENCY.json" --rss-ready-kb "$RSS_READY" --rss-after-kb "$RSS_AFTER" \
  | tee "$OUT/summary.md"
