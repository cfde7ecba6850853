#!/usr/bin/env bash
# Fails when a tracked C++ file differs from clang-format's output (.clang-format, 100 columns).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r f; do
  if ! diff -q <(clang-format "$f") "$f" >/dev/null; then
    echo "not clang-formatted: $f"
    bad=1
  fi
done < <(git ls-files '*.cpp' '*.h')
exit $bad
