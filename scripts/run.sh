#!/usr/bin/env bash
# Installs what is missing, builds, and runs the server on SQLite with in-process state.
# Extra arguments go to `poise serve` (e.g. --listen 127.0.0.1:8100).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The server alone, optimised and without debug information (build-release/): no tests or
# benchmarks, so nothing but the server's packages is needed (about 3.5 min cold on 2 cores).
cmake --preset release -DPOISE_BUILD_TESTS=OFF -DPOISE_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target poise
exec ./build-release/poise serve "$@"
