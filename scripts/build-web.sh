#!/usr/bin/env bash
# Builds the web console's production bundle (web/ -> web/dist/) once, for every build tree:
# CMake runs this on each build (target poise_web_bundle) and embeds web/dist in the binary.
#   - `npm ci` in web/ only when web/node_modules is missing or was installed from another
#     web/package-lock.json (web/node_modules/.poise-npm-ci holds the lock file's hash);
#   - `npm run build` only when the hash of the bundle's inputs (web/'s own files: package.json,
#     the lock file, .npmrc, index.html, the Vite, TypeScript and Tailwind configs; everything
#     under web/src and web/public; in a git checkout, only files git does not ignore) differs from the one in web/dist/.poise-build-hash, which is written
#     last, after a build that succeeded. CMake rebuilds the embedded assets when it changes.
# Prints one line saying what it did (npm's and Vite's output only when they fail). Up to date, it takes a few milliseconds. Two builds at once
# (two build trees) wait for each other on a lock of web/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
web="$root/web"
dist="$web/dist"
stamp="$dist/.poise-build-hash"
npm_stamp="$web/node_modules/.poise-npm-ci"

if [[ ! -f "$web/package.json" || ! -f "$web/package-lock.json" ]]; then
  echo "build-web: no web/package.json and web/package-lock.json: nothing to build the console from" >&2
  exit 1
fi

exec 9<"$web"
flock 9

# The inputs' hash: each file's path and SHA-256, in a fixed order. web/'s own files (not its
# folders: node_modules, dist and any test folder stay out), web/src and web/public; in a git
# checkout, the files git does not ignore (tracked or not), so build output never counts.
inputs_hash() {
  cd "$web"
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- .
  else
    find . -maxdepth 1 -type f -printf '%P\0'
    find src public -type f -print0 2>/dev/null || true
  fi | while IFS= read -r -d '' f; do
    case "$f" in
      src/* | public/*) ;;
      */* | .poise-*) continue ;;
    esac
    [[ -f "$f" ]] && printf '%s\0' "$f"
  done | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum | cut -c1-64
}

hash=$(inputs_hash)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
  echo "build-web: web/dist is up to date (${hash:0:12})"
  exit 0
fi

node_ok() {
  local v
  v=$(node --version 2>/dev/null) || return 1
  [[ "$v" =~ ^v([0-9]+)\.([0-9]+) ]] || return 1
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  ((major > 20 || (major == 20 && minor >= 19)))
}
if ! node_ok || ! command -v npm >/dev/null; then
  echo "build-web: the console's build needs Node.js 20.19 or newer and npm (found: $(node --version 2>/dev/null || echo no node));" \
    "run scripts/bootstrap.sh, or configure with -DPOISE_CONSOLE_BUNDLE=OFF for a binary without the console" >&2
  exit 1
fi

start=$(date +%s%3N)
seconds() { local ms=$(($(date +%s%3N) - start)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
# npm's and Vite's output goes to a log, shown only when a step fails.
log=$(mktemp /tmp/poise-build-web.XXXXXX)
trap 'rm -f "$log"' EXIT
step() {
  if ! (cd "$web" && "$@") >"$log" 2>&1; then
    cat "$log" >&2
    echo "build-web: '$*' failed in web/" >&2
    exit 1
  fi
}
lock_hash=$(sha256sum "$web/package-lock.json" | cut -c1-64)
installed=""
if [[ ! -d "$web/node_modules" || ! -f "$npm_stamp" || "$(cat "$npm_stamp")" != "$lock_hash" ]]; then
  step npm ci --no-audit --no-fund --loglevel=error
  mkdir -p "$web/node_modules"
  echo "$lock_hash" >"$npm_stamp"
  installed=" (npm ci $(seconds) s)"
fi

# A failed build leaves no stamp, so the next run tries again.
rm -f "$stamp"
step npm run --silent build
if [[ ! -f "$dist/index.html" ]]; then
  echo "build-web: npm run build wrote no web/dist/index.html" >&2
  exit 1
fi
echo "$hash" >"$stamp"
echo "build-web: built web/dist in $(seconds) s$installed (${hash:0:12})"
