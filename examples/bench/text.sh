#!/usr/bin/env bash
# The text benchmark (also `examples/bench/run.sh text`): builds, fetches the models, runs the raw
# ONNX Runtime greedy loop on stories260k in-process, then starts the server and measures greedy
# generation (POST /infer/text and the SSE stream) and all-minilm-l6-v2 embeddings at concurrency
# CONCURRENCY with the manifest's dynamic batching, then that model alone in ONNX Runtime at batch 1,
# 8 and 16, then the embeddings again on a server whose copy of that manifest has no batching.
# Ends with one table, appended to examples/bench/target/results/text-summary.md. About 2.5 minutes.
# Knobs (environment): PORT (18080), PROMPT ("Once upon a time"), PROMPT_IDS (its ids, BOS first),
# TOKENS (128), GEN_WARMUP_SECONDS (12), GEN_SECONDS (10), CONCURRENCY (16), WARMUP_SECONDS (5),
# LOAD_SECONDS (20), SCALE (1.0: multiplies the raw loop's measuring time).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PORT="${PORT:-18080}"
PROMPT="${PROMPT:-Once upon a time}"
PROMPT_IDS="${PROMPT_IDS:-1,403,407,261,378}"
TOKENS="${TOKENS:-128}"
GEN_WARMUP_SECONDS="${GEN_WARMUP_SECONDS:-12}"
GEN_SECONDS="${GEN_SECONDS:-10}"
CONCURRENCY="${CONCURRENCY:-16}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
SCALE="${SCALE:-1.0}"
EMBEDDING_MODEL=all-minilm-l6-v2
command -v jq >/dev/null || die "jq is needed to write the unbatched copy of the $EMBEDDING_MODEL manifest (Debian: apt-get install jq)"

LOAD_AVERAGE="$(cut -d' ' -f1-3 /proc/loadavg)"
build_and_fetch

step "in-process: raw ONNX Runtime greedy loop and DecoderSession on stories260k, detokenizing (about 30 s)"
bench_java dev.corral.bench.RawGenerationBench --prompt-ids "$PROMPT_IDS" --tokens "$TOKENS" --intra-op 1 \
  --scale "$SCALE" --json "$OUT/raw-generation.json" | tee "$OUT/raw-generation.md"

trap stop_server EXIT

embeddings() { # $1: name of the run
  step "embeddings: concurrency $CONCURRENCY, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s ($1)"
  bench_java dev.corral.bench.LoadGenerator --url "http://127.0.0.1:$PORT/infer/text?model=$EMBEDDING_MODEL" \
    --file "$OUT/embed-body.json" --content-type application/json --concurrency "$CONCURRENCY" \
    --warmup-seconds "$WARMUP_SECONDS" --seconds "$LOAD_SECONDS" --json "$OUT/embed-$1.json" | tee "$OUT/embed-$1.md"
}

printf '{"input": "The quick brown fox jumps over the lazy dog."}' >"$OUT/embed-body.json"

step "server on port $PORT (models/)"
start_server models "$OUT/server-text.log"
step "generation: ${GEN_WARMUP_SECONDS} s warm-up, then ${GEN_SECONDS} s of POST /infer/text and ${GEN_SECONDS} s of the SSE stream"
bench_java dev.corral.bench.GenerationBench --server "http://127.0.0.1:$PORT" --prompt "$PROMPT" --tokens "$TOKENS" \
  --warmup-seconds "$GEN_WARMUP_SECONDS" --seconds "$GEN_SECONDS" --json "$OUT/generation-server.json" \
  | tee "$OUT/generation-server.md"
embeddings batched
SEQUENCE="$(curl -s -H 'Content-Type: application/json' --data-binary "@$OUT/embed-body.json" \
  "http://127.0.0.1:$PORT/infer/text?model=$EMBEDDING_MODEL" | jq -e '.usage.prompt_tokens')" \
  || die "no usage.prompt_tokens in the embedding answer"
stop_server

step "in-process: $EMBEDDING_MODEL alone in ONNX Runtime, batch 1, 8 and 16 of $SEQUENCE tokens"
bench_java dev.corral.bench.RawEmbeddingBench --model "models/$EMBEDDING_MODEL/$EMBEDDING_MODEL.onnx" \
  --sequence "$SEQUENCE" --batches 1,8,16 --intra-op 1 --scale "$SCALE" --json "$OUT/raw-embedding.json" \
  | tee "$OUT/raw-embedding.md"

# The same models, except that the embedding model's manifest has no `engine.batching`: every
# request runs alone. Model files are symlinked, not copied (90 MB).
UNBATCHED="$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-unbatched.XXXXXX")"
trap 'stop_server; rm -rf "$UNBATCHED"' EXIT
for dir in models/*/; do
  name="$(basename "$dir")"
  if [[ "$name" == "$EMBEDDING_MODEL" ]]; then
    mkdir "$UNBATCHED/$name"
    for file in "$dir"*; do
      [[ "$(basename "$file")" == model.json ]] || ln -s "$ROOT/$file" "$UNBATCHED/$name/"
    done
    jq 'del(.engine.batching)' "$dir/model.json" >"$UNBATCHED/$name/model.json"
  else
    ln -s "$ROOT/${dir%/}" "$UNBATCHED/$name"
  fi
done
[[ -f models/catalog.json ]] && ln -s "$ROOT/models/catalog.json" "$UNBATCHED/catalog.json"

step "server on port $PORT ($EMBEDDING_MODEL without batching)"
start_server "$UNBATCHED" "$OUT/server-text-unbatched.log"
embeddings unbatched
stop_server

step "summary (appended to $OUT/text-summary.md)"
{
  echo "### $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
  echo
  bench_java dev.corral.bench.TextBenchSummary --raw "$OUT/raw-generation.json" \
    --server-generation "$OUT/generation-server.json" --raw-embedding "$OUT/raw-embedding.json" --embed-batched "$OUT/embed-batched.json" \
    --embed-unbatched "$OUT/embed-unbatched.json" --embedding-manifest "models/$EMBEDDING_MODEL/model.json" \
    --load-average "$LOAD_AVERAGE"
} | tee -a "$OUT/text-summary.md"
