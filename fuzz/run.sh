#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (CMake preset "fuzz", build-fuzz/) and runs each one for
# N seconds (default 20) from its seed corpus in fuzz/corpus/<target>/. New inputs go to
# build-fuzz/corpus/<target>/ (kept between runs, never committed). Exits non-zero on the first
# crash, leak, timeout or broken invariant; the reproducer is left in build-fuzz/artifacts/.
# Usage: fuzz/run.sh [seconds]        FUZZ_JOBS=N sets the build parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
targets=(sse_parser chat_request chat_stream anthropic_request anthropic_stream embeddings
         images_models upstream_request responses_request responses_stream)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${FUZZ_JOBS:-2}"

mkdir -p build-fuzz/artifacts
for target in "${targets[@]}"; do
  work="build-fuzz/corpus/${target}"
  mkdir -p "$work"
  log="build-fuzz/fuzz_${target}.log"
  echo "== fuzz_${target}: ${seconds}s (log: ${log})"
  # libFuzzer's progress lines go to the log; the end of it is printed only when a target fails.
  if ! "build-fuzz/fuzz/fuzz_${target}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -dict=fuzz/json.dict \
    -artifact_prefix="build-fuzz/artifacts/${target}-" \
    "$work" "fuzz/corpus/${target}" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "FAILED: fuzz_${target} (reproducer in build-fuzz/artifacts/)" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$log" || true
done
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a finding"
