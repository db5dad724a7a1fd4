#!/usr/bin/env bash
# The plugin ABI overhead benchmark (also `examples/bench/run.sh abi`, `./corral bench abi`): builds,
# then runs AbiOverheadBench in-process: the entry points of abi-probe.wasm (empty, read, echo,
# json) through the real PluginRuntime, compiled to JVM bytecode and in Chicory's interpreter,
# per call: mean / p50 / p99, GB/s for the rows that move data, the deadline watchdog's CPU per
# call; then plain Java 1 MiB copies as the floor. No models needed. About 80 s (plus the build).
# Results: examples/bench/target/results/abi.md|json.
# Knobs (environment): SCALE (1.0: multiplies the 1.5 s warm-up and 3 s measuring time of each row).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SCALE="${SCALE:-1.0}"
LOAD_AVERAGE="$(cut -d' ' -f1-3 /proc/loadavg)"
build_bench

step "in-process: abi-probe.wasm, compiled and interpreted, 16 rows of $(awk "BEGIN {print 4.5 * $SCALE}") s"
bench_java dev.corral.bench.AbiOverheadBench --scale "$SCALE" --load-average "$LOAD_AVERAGE" \
  --json "$OUT/abi.json" | tee "$OUT/abi.md"
