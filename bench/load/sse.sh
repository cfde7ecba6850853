# shellcheck shell=bash disable=SC2154
# SSE part of bench/load/run.sh (sourced by it with --scenario sse, after the stub, the nginx
# baseline and poise are up): Gemini native streams, `:streamGenerateContent?alt=sse`, the stub's
# three-event answer relayed by nginx (the baseline) and by poise, in the same run. Target
# (issue 12): poise >= 0.7x nginx. Uses run.sh's helpers (measure, jsonNumber, die) and variables.

readonly kSseTarget=0.7
readonly kSsePath='/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
printf '%s' "$stream_body" >"$work/stream-body"

# preflightSse NAME URL: one stream by curl; a 200 text/event-stream whose bytes are the stub's.
preflightSse() {
  local name=$1 url=$2 answer
  answer=$(curl -sS --max-time 5 -X POST -H 'Content-Type: application/json' \
    -H "x-goog-api-key: $kClientToken" --data-binary "$request_body" \
    -o "$work/preflight.body" -w '%{http_code} %{content_type}' "$url") ||
    die "$name: SSE preflight request to $url failed"
  [[ "${answer%% *}" == 200 ]] ||
    die "$name: SSE preflight answered ${answer%% *}: $(head -c 600 "$work/preflight.body")"
  [[ "${answer#* }" == text/event-stream* ]] ||
    die "$name: SSE preflight Content-Type is '${answer#* }', expected text/event-stream"
  cmp -s "$work/preflight.body" "$work/stream-body" ||
    die "$name: SSE preflight bytes differ from the stub's stream: $(head -c 600 "$work/preflight.body")"
}
sse_baseline_url=http://127.0.0.1:$baseline_port$kSsePath
sse_poise_url=http://127.0.0.1:$poise_port$kSsePath
preflightSse nginx "$sse_baseline_url"
preflightSse poise "$sse_poise_url"

declare -a sb_res=() sp_res=() s_ratio=() sb_cpu=() sp_cpu=()
for ((run = 1; run <= runs; run++)); do
  echo "run $run/$runs" >&2
  measure nginx-sse "$sse_baseline_url" "$baseline_pid"
  sb_res+=("$wrk_result")
  sb_cpu+=("$wrk_cpu_us")
  measure poise-sse "$sse_poise_url" "$poise_pid"
  sp_res+=("$wrk_result")
  sp_cpu+=("$wrk_cpu_us")
  s_ratio+=("$(awk -v p="$(jsonNumber requests_per_s "${sp_res[-1]}")" \
    -v b="$(jsonNumber requests_per_s "${sb_res[-1]}")" 'BEGIN { printf "%.4f", p / b }')")
done

cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
echo
echo "SSE Gemini native streams (3 events): $CONNECTIONS connections, $DURATION per measurement after $WARMUP warm-up, $runs run(s)"
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; wrk+stub on CPU $LOADGEN_CPU, each proxy on CPU $PROXY_CPU"
printf '%-16s %12s %10s %10s\n' target "streams/s" "p50 ms" "p99 ms"
for ((i = 0; i < runs; i++)); do
  printf '%-16s %12s %10s %10s\n' nginx-sse "$(jsonNumber requests_per_s "${sb_res[i]}")" \
    "$(jsonNumber p50 "${sb_res[i]}")" "$(jsonNumber p99 "${sb_res[i]}")"
  printf '%-16s %12s %10s %10s\n' poise-sse "$(jsonNumber requests_per_s "${sp_res[i]}")" \
    "$(jsonNumber p50 "${sp_res[i]}")" "$(jsonNumber p99 "${sp_res[i]}")"
done
sr=$(printf '%s\n' "${s_ratio[@]}" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "per-run ratios: ${s_ratio[*]}"
echo "CPU per request, µs: nginx ${sb_cpu[*]}; poise ${sp_cpu[*]}"
echo "ratio poise-sse/nginx-sse: $sr (target >= $kSseTarget: $(awk -v r="$sr" -v t="$kSseTarget" \
  'BEGIN { print (r >= t ? "meets" : "BELOW") }') target)"

results_dir=$here/results
mkdir -p "$results_dir"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
runs_json=""
for ((i = 0; i < runs; i++)); do
  runs_json+="${runs_json:+,}{\"run\":$((i + 1)),\"baseline\":${sb_res[i]},\"baseline_cpu_us\":${sb_cpu[i]}"
  runs_json+=",\"poise\":${sp_res[i]},\"poise_cpu_us\":${sp_cpu[i]},\"ratio\":${s_ratio[i]}}"
done
{
  printf '{\n  "benchmark": "SSE",\n  "date": "%s",\n  "commit": "%s",\n' "$stamp" \
    "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '  "machine": {"nproc": %s, "cpu_model": "%s", "kernel": "%s"},\n' "$(nproc)" \
    "${cpu_model//\"/}" "$(uname -r)"
  printf '  "settings": {"duration": "%s", "warmup": "%s", "connections": %s, "runs": %s, "poise_bin": "%s", "keys": %s},\n' \
    "$DURATION" "$WARMUP" "$CONNECTIONS" "$runs" "$poise_bin" "$KEY_COUNT"
  printf '  "runs": [%s],\n  "summary": {"ratio_median": %s, "target": %s}\n}\n' "$runs_json" "$sr" "$kSseTarget"
} >"$results_dir/$stamp-sse.json"
echo "raw results: bench/load/results/$stamp-sse.json"
