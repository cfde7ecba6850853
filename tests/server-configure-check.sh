#!/usr/bin/env bash
# Proves the README's first command needs no test package: configures the server the way
# scripts/run.sh does, with GoogleTest and Google Benchmark made unfindable, into a throw-away
# build directory, and checks that the poise target exists. Run by CTest (setup.server_only).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-DPOISE_BUILD_TESTS=OFF -DPOISE_BUILD_BENCH=OFF)
grep -q -- "--preset release" scripts/run.sh || { echo "scripts/run.sh no longer builds the release preset" >&2; exit 1; }
for f in "${flags[@]}"; do
  grep -q -- "$f" scripts/run.sh || { echo "scripts/run.sh no longer passes $f" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/poise-server-only.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cmake --preset release -B "$dir" "${flags[@]}" \
  -DCMAKE_DISABLE_FIND_PACKAGE_GTest=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=TRUE >"$dir.log" 2>&1 ||
  { cat "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
targets=$(ninja -C "$dir" -t targets all)
grep -q '^poise:' <<<"$targets" || { echo "no poise target" >&2; exit 1; }
echo "server configures without GoogleTest or Google Benchmark"
