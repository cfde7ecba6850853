#!/usr/bin/env bash
# Before/after comparison of two poise binaries on the load scenarios of run.sh. For each scenario
# it alternates the binaries (before, after, before, after, …, ROUNDS times each), and every
# run.sh invocation measures its own nginx baseline beside the poise under test, so each figure is
# a ratio to nginx taken minutes apart at most, on the same machine. Prints each run's ratio line
# and the median ratio per binary and scenario; the raw JSON of every run goes to
# bench/load/results/ as run.sh writes it.
#
# Usage: bench/load/compare.sh BEFORE_BIN AFTER_BIN [SCENARIO...]   (default: p1 p2 sse tail)
# Environment: ROUNDS [2]; BEFORE_ENV, AFTER_ENV: NAME=VALUE words set for that side's poise only
# (one binary with two settings: BEFORE_ENV=POISE_REQUEST_LOG=off AFTER_ENV=POISE_REQUEST_LOG=on
# compare.sh build/poise build/poise p1); and everything run.sh reads (DURATION, WARMUP, …).
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=${ROUNDS:-2}

(($# >= 2)) || {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
  exit 2
}
before=$1 after=$2
shift 2
scenarios=("$@")
((${#scenarios[@]} > 0)) || scenarios=(p1 p2 sse tail)
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: ROUNDS must be a positive integer" >&2; exit 2; }
for bin in "$before" "$after"; do
  [[ -x "$bin" ]] || { echo "compare.sh: not an executable: $bin" >&2; exit 2; }
done

# The figure each scenario reports: poise's rate over nginx's (p1, p2, sse; higher is better), or
# poise's added p99 over nginx's added p99 at one connection (tail; lower is better).
figureOf() {
  local scenario=$1 log=$2
  case "$scenario" in
    p1) sed -n 's/^ratio poise\/nginx[^:]*: \([0-9.]*\).*/\1/p' "$log" ;;
    p2) sed -n 's/^ratio poise\/nginx[^:]*: \([0-9.]*\).*/\1/p' "$log" | head -n 1 ;;
    sse) sed -n 's/^ratio poise-sse\/nginx-sse: \([0-9.]*\).*/\1/p' "$log" ;;
    tail) sed -n 's/^poise added p99 \/ nginx added p99: \([0-9.]*\).*/\1/p' "$log" ;;
  esac
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit; if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

summary=""
for scenario in "${scenarios[@]}"; do
  declare -a fb=() fa=() cb=() ca=()
  for ((round = 1; round <= ROUNDS; round++)); do
    for side in before after; do
      bin=$before
      read -ra side_env <<<"${BEFORE_ENV:-}"
      if [[ $side == after ]]; then
        bin=$after
        read -ra side_env <<<"${AFTER_ENV:-}"
      fi
      log=$(mktemp "${TMPDIR:-/tmp}/poise-compare.XXXXXX")
      echo "== $scenario round $round/$ROUNDS: $side ($bin${side_env:+ ${side_env[*]}})"
      env "${side_env[@]}" POISE_BIN="$bin" "$here/run.sh" --scenario "$scenario" >"$log" 2>&1 ||
        { cat "$log" >&2; echo "compare.sh: run.sh failed ($scenario, $side)" >&2; exit 1; }
      sed -n '/^machine:/,$p' "$log"
      figure=$(figureOf "$scenario" "$log")
      if [[ $side == before ]]; then fb+=("$figure"); else fa+=("$figure"); fi
      # P1 also gives poise's CPU time per request, steadier than the rate on a noisy machine.
      cpu=$(sed -n 's/^CPU per request, µs: .*; poise \([0-9.]*\).*/\1/p' "$log")
      if [[ -n "$cpu" && $side == before ]]; then cb+=("$cpu"); elif [[ -n "$cpu" ]]; then ca+=("$cpu"); fi
      rm -f "$log"
    done
  done
  summary+="$scenario: median of $ROUNDS: before $(median "${fb[@]}") (${fb[*]}), after $(median "${fa[@]}") (${fa[*]})"$'\n'
  if ((${#cb[@]} > 0 && ${#ca[@]} > 0)); then
    summary+="$scenario poise CPU µs per request: before $(median "${cb[@]}") (${cb[*]}), after $(median "${ca[@]}") (${ca[*]})"$'\n'
  fi

  unset fb fa cb ca
done
echo
printf '%s' "$summary"
