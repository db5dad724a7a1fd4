#!/usr/bin/env bash
# The vision benchmark (also `examples/bench/run.sh vision`, `./corral bench vision`): builds,
# fetches the models, runs VisionBench in-process (each detection, grounding, OCR and document-query
# pipeline whose manifest is present: latency at 1 caller, stages, WASM plugin vs ORT share,
# throughput at CONCURRENCY callers), then CtcDecodeComparison (the heaviest post-processing plugin
# against the same algorithm in plain Java), then drives the HTTP server at CONCURRENCY with
# LoadGenerator: POST /infer/image?model=yolox-nano (raw PNG body) and POST /infer/multimodal?model=grounding
# (multipart: the image and one text part). About 4.5 minutes on 2 cores (plus the build).
# Results: examples/bench/target/results/vision*.md|json and server-vision.log.
# Knobs (environment): PORT (18080), CONCURRENCY (4), WARMUP_SECONDS (3), LOAD_SECONDS (10),
# SCALE (1.0: multiplies the in-process benches' times), IMAGES (../shared/testdata/images).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PORT="${PORT:-18080}"
CONCURRENCY="${CONCURRENCY:-4}"
WARMUP_SECONDS="${WARMUP_SECONDS:-3}"
LOAD_SECONDS="${LOAD_SECONDS:-10}"
SCALE="${SCALE:-1.0}"
IMAGES="${IMAGES:-../shared/testdata/images}"
GROUNDING_QUERY="a mug to drink from"
LOAD_AVERAGE="$(cut -d' ' -f1-3 /proc/loadavg)"
build_and_fetch

step "in-process: every vision pipeline, 1 caller and $CONCURRENCY callers (about 3 minutes)"
bench_java dev.corral.bench.VisionBench --images "$IMAGES" --callers "$CONCURRENCY" --scale "$SCALE" \
  --json "$OUT/vision.json" | tee "$OUT/vision.md"

if [[ -f models/ppocr-v4/model.json ]]; then
  step "in-process: the ctc-decode plugin against plain Java on page.png's recogniser output (about 40 s)"
  bench_java dev.corral.bench.CtcDecodeComparison --image "$IMAGES/page.png" --scale "$SCALE" \
    --json "$OUT/vision-ctc.json" | tee "$OUT/vision-ctc.md"
else
  step "skipped the ctc-decode comparison: no models/ppocr-v4/model.json"
fi

# Only the two models the load needs: loading every model would cost the server's start time.
SUBSET="$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-vision.XXXXXX")"
trap 'stop_server; rm -rf "$SUBSET"' EXIT
for name in yolox-nano grounding; do ln -s "$ROOT/models/$name" "$SUBSET/$name"; done

# A multipart/form-data body as a browser sends it: the image as a file part, then the text part.
BOUNDARY="corral-bench-boundary-7d4a1c"
{
  printf -- '--%s\r\nContent-Disposition: form-data; name="image"; filename="coffee.png"\r\nContent-Type: image/png\r\n\r\n' "$BOUNDARY"
  cat "$IMAGES/coffee.png"
  printf -- '\r\n--%s\r\nContent-Disposition: form-data; name="text"\r\n\r\n%s\r\n--%s--\r\n' "$BOUNDARY" "$GROUNDING_QUERY" "$BOUNDARY"
} >"$OUT/vision-grounding-body.bin"

step "server on port $PORT (yolox-nano, grounding)"
start_server "$SUBSET" "$OUT/server-vision.log"
step "load: yolox-nano, concurrency $CONCURRENCY, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s"
bench_java dev.corral.bench.LoadGenerator --url "http://127.0.0.1:$PORT/infer/image?model=yolox-nano" \
  --file "$IMAGES/coffee.png" --content-type image/png --concurrency "$CONCURRENCY" \
  --warmup-seconds "$WARMUP_SECONDS" --seconds "$LOAD_SECONDS" --json "$OUT/vision-load-yolox.json" \
  | tee "$OUT/vision-load-yolox.md"
step "load: grounding (multipart), concurrency $CONCURRENCY, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s"
bench_java dev.corral.bench.LoadGenerator --url "http://127.0.0.1:$PORT/infer/multimodal?model=grounding" \
  --file "$OUT/vision-grounding-body.bin" --content-type "multipart/form-data; boundary=$BOUNDARY" \
  --concurrency "$CONCURRENCY" --warmup-seconds "$WARMUP_SECONDS" --seconds "$LOAD_SECONDS" \
  --json "$OUT/vision-load-grounding.json" | tee "$OUT/vision-load-grounding.md"
stop_server

step "summary: the server at concurrency $CONCURRENCY against the in-process pipeline's $CONCURRENCY callers"
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at the start $LOAD_AVERAGE"
  echo
  echo "| c=$CONCURRENCY, coffee.png | server req/s | in-process req/s | server ÷ in-process |"
  echo "|:---|---:|---:|---:|"
  for pair in "yolox-nano:vision-load-yolox" "grounding:vision-load-grounding"; do
    model="${pair%%:*}"
    jq -r --arg model "$model" --slurpfile load "$OUT/${pair#*:}.json" '
      (.pipelines[] | select(.model == $model and .image == "coffee.png") | .concurrent.perSecond) as $in
      | $load[0] as $s
      | "| \($model) (HTTP errors: \($s.errors) of \($s.requests)) | \($s.requestsPerSecond) | \($in * 100 | round / 100) | \(($s.requestsPerSecond / $in) * 100 | round / 100) |"' \
      "$OUT/vision.json"
  done
} | tee "$OUT/vision-summary.md"
