# shellcheck shell=bash disable=SC2154,SC2034
# Tail part of bench/load/run.sh (sourced by it with --scenario tail, after the stub, the nginx
# baseline and poise are up): one connection (CONNECTIONS is forced to 1), Gemini native non-stream,
# sent to the stub directly, through nginx and through poise, in the same run. The figure is the
# latency each proxy ADDS over the direct call, at p50 and p99. Target (issue 12): poise's added p99
# within 1.5x nginx's. Uses run.sh's helpers (measure, jsonNumber, die) and variables.

readonly kTailTarget=1.5
CONNECTIONS=1
direct_url=http://127.0.0.1:$stub_port$kModelPath

declare -a td_res=() tb_res=() tp_res=()
for ((run = 1; run <= runs; run++)); do
  echo "run $run/$runs" >&2
  # The stub only answers a re-keyed request: the direct call carries the upstream key itself.
  wrk_token=$kBaselineUpstreamKey measure direct "$direct_url"
  td_res+=("$wrk_result")
  measure nginx "$baseline_url"
  tb_res+=("$wrk_result")
  measure poise "$poise_url"
  tp_res+=("$wrk_result")
done

# added FIELD PROXY_JSON DIRECT_JSON: the proxy's latency minus the direct call's, in microseconds.
added() {
  awk -v p="$(jsonNumber "$1" "$2")" -v d="$(jsonNumber "$1" "$3")" 'BEGIN { printf "%.0f", (p - d) * 1000 }'
}
medianOf() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
echo
echo "Tail at low load: 1 connection, Gemini native non-stream, $DURATION per measurement after $WARMUP warm-up, $runs run(s)"
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; wrk+stub on CPU $LOADGEN_CPU, each proxy on CPU $PROXY_CPU"
printf '%-10s %10s %10s %10s %14s %14s\n' target "req/s" "p50 ms" "p99 ms" "added p50 us" "added p99 us"
declare -a b50=() b99=() p50=() p99=()
for ((i = 0; i < runs; i++)); do
  printf '%-10s %10s %10s %10s\n' direct "$(jsonNumber requests_per_s "${td_res[i]}")" \
    "$(jsonNumber p50 "${td_res[i]}")" "$(jsonNumber p99 "${td_res[i]}")"
  b50+=("$(added p50 "${tb_res[i]}" "${td_res[i]}")")
  b99+=("$(added p99 "${tb_res[i]}" "${td_res[i]}")")
  p50+=("$(added p50 "${tp_res[i]}" "${td_res[i]}")")
  p99+=("$(added p99 "${tp_res[i]}" "${td_res[i]}")")
  printf '%-10s %10s %10s %10s %14s %14s\n' nginx "$(jsonNumber requests_per_s "${tb_res[i]}")" \
    "$(jsonNumber p50 "${tb_res[i]}")" "$(jsonNumber p99 "${tb_res[i]}")" "${b50[-1]}" "${b99[-1]}"
  printf '%-10s %10s %10s %10s %14s %14s\n' poise "$(jsonNumber requests_per_s "${tp_res[i]}")" \
    "$(jsonNumber p50 "${tp_res[i]}")" "$(jsonNumber p99 "${tp_res[i]}")" "${p50[-1]}" "${p99[-1]}"
done
mb99=$(medianOf "${b99[@]}")
mp99=$(medianOf "${p99[@]}")
echo "added latency, medians over runs: nginx p50 $(medianOf "${b50[@]}") us, p99 $mb99 us;" \
  "poise p50 $(medianOf "${p50[@]}") us, p99 $mp99 us"
tr=$(awk -v p="$mp99" -v b="$mb99" 'BEGIN { if (b <= 0) b = 1; printf "%.2f", p / b }')
echo "poise added p99 / nginx added p99: $tr (target <= $kTailTarget: $(awk -v r="$tr" -v t="$kTailTarget" \
  'BEGIN { print (r <= t ? "meets" : "ABOVE") }') target)"

results_dir=$here/results
mkdir -p "$results_dir"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
runs_json=""
for ((i = 0; i < runs; i++)); do
  runs_json+="${runs_json:+,}{\"run\":$((i + 1)),\"direct\":${td_res[i]},\"baseline\":${tb_res[i]},\"poise\":${tp_res[i]}}"
done
{
  printf '{\n  "benchmark": "tail-c1",\n  "date": "%s",\n  "commit": "%s",\n' "$stamp" \
    "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '  "machine": {"nproc": %s, "cpu_model": "%s", "kernel": "%s"},\n' "$(nproc)" \
    "${cpu_model//\"/}" "$(uname -r)"
  printf '  "settings": {"duration": "%s", "warmup": "%s", "connections": 1, "runs": %s, "poise_bin": "%s", "keys": %s},\n' \
    "$DURATION" "$WARMUP" "$runs" "$poise_bin" "$KEY_COUNT"
  printf '  "runs": [%s],\n  "summary": {"nginx_added_p99_us": %s, "poise_added_p99_us": %s, "ratio": %s, "target": %s}\n}\n' \
    "$runs_json" "$mb99" "$mp99" "$tr" "$kTailTarget"
} >"$results_dir/$stamp-tail.json"
echo "raw results: bench/load/results/$stamp-tail.json"
