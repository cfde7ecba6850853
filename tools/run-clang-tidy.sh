#!/usr/bin/env bash
# Runs clang-tidy (config: .clang-tidy) over the project's own sources, using the dev build's
# compile_commands.json. Usage: tools/run-clang-tidy.sh [files...]; default: every src/ .cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/compile_commands.json ]] || cmake --preset dev >/dev/null
if (($# == 0)); then
  mapfile -t files < <(git ls-files 'src/*.cpp' | grep -v 'asio_impl.cpp')
else
  files=("$@")
fi
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet
