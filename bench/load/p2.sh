# shellcheck shell=bash disable=SC2154
# P2 part of bench/load/run.sh (sourced by it with --scenario p2, after the stub, the nginx
# baseline and poise are up and the baseline passed its preflight): OpenAI chat completions,
# non-stream, through poise and through Portkey, both against the same nginx pass-through
# baseline and the same stub, in the same run; then the time to the first content chunk of a
# stream through each (ttfc.mjs). Uses run.sh's helpers (freePort, waitForHttp, measure,
# jsonNumber, die) and variables.

((!baseline_only)) || die "--baseline-only applies to p1 only"
for tool in node npm; do command -v "$tool" >/dev/null || die "$tool not found (P2 runs Portkey on Node)"; done
chat_file=$here/chat-request.json
portkey_dir=$here/portkey
if [[ ! -d $portkey_dir/node_modules/@portkey-ai/gateway ]]; then
  echo "installing Portkey (npm ci in bench/load/portkey)" >&2
  (cd "$portkey_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci for Portkey failed"
fi
portkey_port=$(freePort)
portkey_log=$work/portkey.log
# Portkey has no host flag and listens on every interface; it is only ever driven on 127.0.0.1.
(
  cd "$portkey_dir"
  NODE_ENV=production exec taskset -c "$PROXY_CPU" node node_modules/@portkey-ai/gateway/build/start-server.js \
    --port="$portkey_port" --headless
) >"$portkey_log" 2>&1 &
portkey_pid=$!
started_pids+=("$portkey_pid")
waitForHttp portkey "$portkey_pid" "http://127.0.0.1:$portkey_port/" 30 "$portkey_log"

portkey_headers="x-portkey-provider: google"$'\n'"Authorization: Bearer $kBaselineUpstreamKey"$'\n'
portkey_headers+="x-portkey-custom-host: http://127.0.0.1:$stub_port"
poise_chat_url=http://127.0.0.1:$poise_port/v1/chat/completions
portkey_chat_url=http://127.0.0.1:$portkey_port/v1/chat/completions

# preflightChat NAME URL CURL_HEADER_ARGS...: a 200 chat.completion carrying the stub's text.
preflightChat() {
  local name=$1 url=$2
  shift 2
  local status
  status=$(curl -sS --max-time 5 -X POST -H 'Content-Type: application/json' "$@" \
    --data-binary "@$chat_file" -o "$work/preflight.body" -w '%{http_code}' "$url") ||
    die "$name: preflight request to $url failed"
  [[ "$status" == 200 ]] || die "$name: preflight answered $status: $(head -c 600 "$work/preflight.body")"
  grep -q '"chat.completion"' "$work/preflight.body" && grep -q 'benchmark stub' "$work/preflight.body" ||
    die "$name: preflight is not the translated stub answer: $(head -c 600 "$work/preflight.body")"
}
preflightChat poise "$poise_chat_url" -H "Authorization: Bearer $kClientToken"
preflightChat portkey "$portkey_chat_url" -H 'x-portkey-provider: google' \
  -H "Authorization: Bearer $kBaselineUpstreamKey" -H "x-portkey-custom-host: http://127.0.0.1:$stub_port"

declare -a b_res=() p_res=() k_res=() p_ratio=() k_ratio=()
for ((run = 1; run <= runs; run++)); do
  echo "run $run/$runs" >&2
  measure baseline "$baseline_url"
  b_res+=("$wrk_result")
  wrk_request_file=$chat_file wrk_auth=bearer measure poise "$poise_chat_url"
  p_res+=("$wrk_result")
  # Portkey (Node) stalls some requests past 2 s under this load; a 10 s timeout counts them as slow
  # requests instead of failing the run.
  wrk_request_file=$chat_file wrk_auth=none wrk_headers=$portkey_headers wrk_timeout=10s \
    measure portkey "$portkey_chat_url"
  k_res+=("$wrk_result")
  b=$(jsonNumber requests_per_s "${b_res[-1]}")
  p_ratio+=("$(awk -v p="$(jsonNumber requests_per_s "${p_res[-1]}")" -v b="$b" 'BEGIN { printf "%.4f", p / b }')")
  k_ratio+=("$(awk -v p="$(jsonNumber requests_per_s "${k_res[-1]}")" -v b="$b" 'BEGIN { printf "%.4f", p / b }')")
done

echo "  time to first chunk: 50 sequential streams each through poise and Portkey" >&2
ttfc_poise=$(taskset -c "$LOADGEN_CPU" node "$here/ttfc.mjs" "$poise_chat_url" \
  "{\"authorization\":\"Bearer $kClientToken\"}" "$chat_file" 50) || die "ttfc through poise failed"
ttfc_portkey=$(taskset -c "$LOADGEN_CPU" node "$here/ttfc.mjs" "$portkey_chat_url" \
  "{\"x-portkey-provider\":\"google\",\"authorization\":\"Bearer $kBaselineUpstreamKey\",\"x-portkey-custom-host\":\"http://127.0.0.1:$stub_port\"}" \
  "$chat_file" 50) || die "ttfc through Portkey failed"

medianOf() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
p2Row() {
  printf '%-30s %12s %10s %10s\n' "$1" "$(jsonNumber requests_per_s "$2")" "$(jsonNumber p50 "$2")" \
    "$(jsonNumber p99 "$2")"
}
cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
echo
echo "P2 OpenAI chat non-stream: $CONNECTIONS connections, $DURATION per measurement after $WARMUP warm-up, $runs run(s)"
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; wrk+stub on CPU $LOADGEN_CPU, each proxy on CPU $PROXY_CPU"
printf '%-30s %12s %10s %10s\n' target "req/s" "p50 ms" "p99 ms"
for ((i = 0; i < runs; i++)); do
  p2Row "nginx native (baseline)" "${b_res[i]}"
  p2Row "poise /v1/chat/completions" "${p_res[i]}"
  p2Row "Portkey /v1/chat/completions" "${k_res[i]}"
done
pr=$(medianOf "${p_ratio[@]}")
kr=$(medianOf "${k_ratio[@]}")
echo "ratio poise/nginx: $pr (SPEC P2 target >= 0.6: $(awk -v r="$pr" 'BEGIN { print (r >= 0.6 ? "meets" : "BELOW") }') target)"
echo "ratio Portkey/nginx: $kr"
echo "time to first chunk, poise:   $ttfc_poise"
echo "time to first chunk, Portkey: $ttfc_portkey"

results_dir=$here/results
mkdir -p "$results_dir"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
runs_json=""
for ((i = 0; i < runs; i++)); do
  runs_json+="${runs_json:+,}{\"run\":$((i + 1)),\"baseline\":${b_res[i]},\"poise\":${p_res[i]}"
  runs_json+=",\"portkey\":${k_res[i]},\"poise_ratio\":${p_ratio[i]},\"portkey_ratio\":${k_ratio[i]}}"
done
{
  printf '{\n  "benchmark": "P2",\n  "date": "%s",\n  "commit": "%s",\n' "$stamp" \
    "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '  "machine": {"nproc": %s, "cpu_model": "%s", "kernel": "%s"},\n' "$(nproc)" \
    "${cpu_model//\"/}" "$(uname -r)"
  printf '  "settings": {"duration": "%s", "warmup": "%s", "connections": %s, "runs": %s, "poise_bin": "%s", "keys": %s, "portkey": "1.15.2"},\n' \
    "$DURATION" "$WARMUP" "$CONNECTIONS" "$runs" "$poise_bin" "$KEY_COUNT"
  printf '  "runs": [%s],\n  "ttfc": {"poise": %s, "portkey": %s},\n' "$runs_json" "$ttfc_poise" "$ttfc_portkey"
  printf '  "summary": {"poise_ratio_median": %s, "portkey_ratio_median": %s, "target": 0.6}\n}\n' "$pr" "$kr"
} >"$results_dir/$stamp-p2.json"
echo "raw results: bench/load/results/$stamp-p2.json"
