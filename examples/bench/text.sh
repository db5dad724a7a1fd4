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

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
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
OUT="examples/bench/target/results"
BENCH_JAR="examples/bench/target/corral-bench.jar"

die() { echo "bench: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }

# `./corral bench text` has already chosen a JDK 21+; run directly, this falls back to the JDK 25 here.
if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/javac" ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[[ -x "$JAVA_HOME/bin/javac" ]] || die "no JDK at $JAVA_HOME: set JAVA_HOME to a JDK 21+ or run ./corral bench text"
export PATH="$JAVA_HOME/bin:$PATH"
command -v jq >/dev/null || die "jq is needed to write the unbatched copy of the $EMBEDDING_MODEL manifest (Debian: apt-get install jq)"
bench_java() { java --enable-native-access=ALL-UNNAMED -XX:+UseG1GC -cp "$BENCH_JAR" "$@"; }

LOAD_AVERAGE="$(cut -d' ' -f1-3 /proc/loadavg)"
step "build (mvn package, tests skipped)"
mvn -B -q -Dstyle.color=never -f "$ROOT/pom.xml" -DskipTests -pl examples/bench -am package >&2
mkdir -p "$OUT"
step "fetch the models"
./corral fetch >&2

step "in-process: raw ONNX Runtime greedy loop and DecoderSession on stories260k, detokenizing (about 30 s)"
bench_java dev.corral.bench.RawGenerationBench --prompt-ids "$PROMPT_IDS" --tokens "$TOKENS" --intra-op 1 \
  --scale "$SCALE" --json "$OUT/raw-generation.json" | tee "$OUT/raw-generation.md"

SERVER_PID=
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

start_server() { # $1: models folder, $2: log file
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
