#!/usr/bin/env bash
# Corral's benchmarks in one command (also `./corral bench`): builds, fetches the models, runs
# PipelineBench in-process, then measures the HTTP server under closed-loop load at concurrency 1
# and CONCURRENCY, and ends with one summary table. Results: examples/bench/target/results/.
# Knobs (environment): PORT (18080), IMAGE, CONCURRENCY (8), WARMUP_SECONDS (5), LOAD_SECONDS (20),
# SCALE (1.0: multiplies PipelineBench's measuring times).
# `run.sh text` (`./corral bench text`) runs the text benchmark instead: see text.sh; `run.sh vision`
# (`./corral bench vision`) the vision and multimodal benchmark: see vision.sh; `run.sh abi`
# (`./corral bench abi`) the plugin ABI's per-call overhead: see abi.sh.
set -euo pipefail

case "${1:-}" in
  text) shift; exec "$(dirname "${BASH_SOURCE[0]}")/text.sh" "$@" ;;
  vision) shift; exec "$(dirname "${BASH_SOURCE[0]}")/vision.sh" "$@" ;;
  abi) shift; exec "$(dirname "${BASH_SOURCE[0]}")/abi.sh" "$@" ;;
  "") ;;
  *) echo "bench: unknown benchmark '$1' (none: the image benchmark; text: generation and embeddings; vision: detection, grounding, OCR; abi: the plugin ABI's per-call overhead)" >&2; exit 1 ;;
esac

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PORT="${PORT:-18080}"
IMAGE="${IMAGE:-../shared/testdata/images/chelsea.png}"
CONCURRENCY="${CONCURRENCY:-8}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
SCALE="${SCALE:-1.0}"
build_and_fetch

step "in-process: raw ONNX Runtime, decode, pipeline (about a minute)"
bench_java dev.corral.bench.PipelineBench --image "$IMAGE" --callers "$CONCURRENCY" --scale "$SCALE" \
  --json "$OUT/pipeline.json" | tee "$OUT/pipeline.md"

step "server on port $PORT"
trap stop_server EXIT
start_server models "$OUT/server.log"
[[ "$(cat "/proc/$SERVER_PID/comm")" == java ]] || die "process $SERVER_PID is $(cat "/proc/$SERVER_PID/comm"), not the JVM"

rss_kb() { # resident memory of the server's JVM, in KiB
  awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"
}
RSS_READY=$(rss_kb)

for c in $(printf '%s\n' 1 "$CONCURRENCY" | sort -nu); do
  step "load: concurrency $c, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s"
  bench_java dev.corral.bench.LoadGenerator --url "http://127.0.0.1:$PORT/infer/image?model=mobilenetv2" --file "$IMAGE" \
    --content-type image/png --concurrency "$c" --warmup-seconds "$WARMUP_SECONDS" --seconds "$LOAD_SECONDS" \
    --json "$OUT/load-c$c.json" | tee "$OUT/load-c$c.md"
done
RSS_AFTER=$(rss_kb)

stop_server
trap - EXIT

step "summary"
bench_java dev.corral.bench.BenchSummary --pipeline "$OUT/pipeline.json" --load-c1 "$OUT/load-c1.json" \
  --load-cn "$OUT/load-c$CONCURRENCY.json" --rss-ready-kb "$RSS_READY" --rss-after-kb "$RSS_AFTER" \
  | tee "$OUT/summary.md"
