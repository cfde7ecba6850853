#!/usr/bin/env bash
# P1 load benchmark (SPEC §7): Gemini native non-stream pass-through, keep-alive clients, requests/s of
# poise against nginx as a plain reverse proxy to the same stub, measured in the same run.
#
# Starts an nginx stub upstream, an nginx reverse proxy (the baseline) and poise, all on 127.0.0.1 with
# their own temporary directories; drives each with wrk; prints a table and writes
# bench/load/results/<date>.json. Beside each rate it prints the CPU time the proxy spent per request
# (from /proc: steadier than the rate on a noisy VM). Everything it starts is stopped on exit.
#
# P2 (--scenario p2): OpenAI chat completions, non-stream, through poise (translation both ways)
# and through Portkey (@portkey-ai/gateway 1.15.2, installed into bench/load/portkey with npm ci),
# both against the same nginx pass-through baseline and the same stub, in the same run; then the
# time to the first content chunk of a stream through each (ttfc.mjs).
#
# SSE (--scenario sse): Gemini native streams (:streamGenerateContent?alt=sse, the stub's three
# events) through nginx and through poise (sse.sh). Tail (--scenario tail): one connection, the
# latency nginx and poise each add over a direct call to the stub, at p50 and p99 (tail.sh).
#
# Usage: bench/load/run.sh [--runs N] [--baseline-only] [--scenario p1|p2|sse|tail]
# Environment (defaults in brackets):
#   DURATION [10s]  WARMUP [2s]  CONNECTIONS [64]  THREADS [1]   wrk settings; warm-up precedes every measurement
#   LOADGEN_CPU [0]  PROXY_CPU [1]                                 wrk and stub on one core, the proxy on the other
#   POISE_BIN [build-release/poise, else build/poise]
#   KEY_COUNT [1000]                                               upstream keys loaded into poise
#   POISE_START_TIMEOUT [30]                                       seconds to wait for GET /health
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
LOADGEN_CPU=${LOADGEN_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
KEY_COUNT=${KEY_COUNT:-1000}
POISE_START_TIMEOUT=${POISE_START_TIMEOUT:-30}

readonly kTarget=0.9
readonly kModelPath=/v1beta/models/gemini-2.5-flash:generateContent
readonly kClientToken=bench-gateway-token-0001
# The credential the baseline nginx puts on upstream requests, standing in for poise's key swap.
readonly kBaselineUpstreamKey=AIzaSyBENCHbaseline00000000000000000000

runs=1
baseline_only=0
scenario=p1

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

die() {
  echo "run.sh: error: $*" >&2
  exit 1
}

while (($# > 0)); do
  case "$1" in
    --runs)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive integer"
      runs=$2
      shift 2
      ;;
    --runs=*)
      runs=${1#--runs=}
      [[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive integer"
      shift
      ;;
    --baseline-only)
      baseline_only=1
      shift
      ;;
    --scenario)
      [[ $# -ge 2 && "$2" =~ ^(p1|p2|sse|tail)$ ]] || die "--scenario takes p1, p2, sse or tail"
      scenario=$2
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer"
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer"
[[ "$KEY_COUNT" =~ ^[1-9][0-9]*$ ]] || die "KEY_COUNT must be a positive integer"
[[ "$DURATION" =~ ^[1-9][0-9]*[smh]?$ ]] || die "DURATION must look like 10s, 1m (wrk syntax)"
[[ "$WARMUP" =~ ^[1-9][0-9]*[smh]?$ ]] || die "WARMUP must look like 2s (wrk syntax)"

# --- environment checks ------------------------------------------------------------------------------

for tool in nginx wrk taskset curl awk sed; do
  command -v "$tool" >/dev/null ||
    die "$tool not found; install the benchmark packages: scripts/bootstrap.sh --with-test-deps"
done
taskset -c "$LOADGEN_CPU" true 2>/dev/null || die "cannot pin to CPU $LOADGEN_CPU (LOADGEN_CPU)"
taskset -c "$PROXY_CPU" true 2>/dev/null || die "cannot pin to CPU $PROXY_CPU (PROXY_CPU)"
[[ "$LOADGEN_CPU" != "$PROXY_CPU" ]] || die "LOADGEN_CPU and PROXY_CPU must differ"

stub_body_file=$here/stub-response.json
request_file=$here/request.json
lua_script=$here/generate.lua
for f in "$stub_body_file" "$request_file" "$lua_script"; do
  [[ -r "$f" ]] || die "missing $f"
done
# The stub body is pasted into nginx's `return 200 '...'`, where ' ends the string, \ escapes and $
# expands a variable.
if grep -q "[\\\\'\$]" "$stub_body_file"; then
  die "$stub_body_file must not contain ' \\ or \$ (it is embedded in an nginx string)"
fi

poise_bin=""
if ((!baseline_only)); then
  if [[ -n "${POISE_BIN:-}" ]]; then
    poise_bin=$POISE_BIN
  elif [[ -x "$repo/build-release/poise" ]]; then
    poise_bin=$repo/build-release/poise
  elif [[ -x "$repo/build/poise" ]]; then
    poise_bin=$repo/build/poise
  fi
  [[ -n "$poise_bin" && -x "$poise_bin" ]] ||
    die "poise binary not found (POISE_BIN, build-release/poise, build/poise); build it with" \
      "'cmake --preset release && cmake --build --preset release', or pass --baseline-only"
  # poise starts in its own directory: a relative POISE_BIN must not depend on ours.
  poise_bin=$(cd "$(dirname "$poise_bin")" && pwd)/$(basename "$poise_bin")
fi

# --- process bookkeeping -----------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/poise-bench.XXXXXX")
# nginx workers drop to an unprivileged user when started as root; they must be able to enter their prefix.
chmod 0755 "$work"
declare -a started_pids=()
wrk_pid=""
wrk_result=""
poise_log=""

stopProcess() {
  local pid=$1 grace=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  local i
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || {
      wait "$pid" 2>/dev/null || true
      return 0
    }
    sleep 0.1
  done
  echo "run.sh: pid $pid ignored SIGTERM for ${grace}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((status != 0)) && [[ -s "$poise_log" ]]; then
    echo "run.sh: last lines of poise's log:" >&2
    tail -n 20 "$poise_log" >&2 || true
  fi
  local pid
  if [[ -n "$wrk_pid" ]]; then
    kill -TERM "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
  fi
  for pid in "${started_pids[@]}"; do
    stopProcess "$pid" 10
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on right now, below the kernel's ephemeral range so that no outgoing connection
# (wrk's, the proxies') holds it. The small race with other processes is caught by the server's own bind
# failure, which waitForHttp reports.
ephemeral_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
((ephemeral_low > 11024)) || ephemeral_low=32768
freePort() {
  local port
  while :; do
    port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
}

# waitForHttp NAME PID URL TIMEOUT_S LOG: poll URL until it answers 200, failing if PID exits.
waitForHttp() {
  local name=$1 pid=$2 url=$3 timeout_s=$4 log=$5
  local i
  for ((i = 0; i < timeout_s * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: $name exited during start-up" >&2
      [[ "$log" == "$poise_log" ]] || tail -n 40 "$log" >&2 || true
      exit 1
    fi
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "run.sh: $name did not answer $url within ${timeout_s}s" >&2
  [[ "$log" == "$poise_log" ]] || tail -n 40 "$log" >&2 || true
  exit 1
}

# writeNginxCommon DIR: the main-context lines both nginx instances share.
writeNginxCommon() {
  local dir=$1
  cat <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections 4096;
}
EOF
}

writeNginxTemps() {
  local dir=$1
  cat <<EOF
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
EOF
}

# startNginx DIR CPU: run nginx (daemon off) as a background job pinned to CPU; $! is its master.
startNginx() {
  local dir=$1 cpu=$2
  taskset -c "$cpu" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  started_pids+=("$!")
}

# --- stub upstream -----------------------------------------------------------------------------------

# Command substitution drops the file's final newline; the stub serves, and the preflight expects, the rest.
stub_body=$(cat "$stub_body_file")
printf '%s' "$stub_body" >"$work/stub-body"
# Three SSE events carrying the stub's text in three pieces (no ' \ or $ inside).
stream_body=$(printf 'data: {"candidates":[{"content":{"parts":[{"text":"Hello! "}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash"}\r\n\r\ndata: {"candidates":[{"content":{"parts":[{"text":"This is the "}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash"}\r\n\r\ndata: {"candidates":[{"content":{"parts":[{"text":"benchmark stub."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":7,"totalTokenCount":16},"modelVersion":"gemini-2.5-flash"}\r\n\r\n')
stub_port=$(freePort)
stub_dir=$work/stub
mkdir -p "$stub_dir"
{
  writeNginxCommon "$stub_dir"
  cat <<EOF
http {
    access_log off;
    server_tokens off;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
$(writeNginxTemps "$stub_dir")

    # A request that still carries the client's gateway token (or none) was not re-keyed by the proxy.
    # (Portkey sends the upstream key as ?key=, the others in x-goog-api-key.)
    map "\$http_x_goog_api_key:\$arg_key" \$bench_not_rekeyed {
        default 0;
        ":" 1;
        "$kClientToken:" 1;
    }

    server {
        listen 127.0.0.1:$stub_port backlog=4096;

        location ~ ^/v1beta/models/[^/:]+:generateContent\$ {
            default_type "application/json; charset=UTF-8";
            if (\$bench_not_rekeyed) {
                return 403 '{"error":{"code":403,"message":"bench stub: the request reached the upstream without an upstream key","status":"PERMISSION_DENIED"}}';
            }
            return 200 '$stub_body';
        }

        # Streams (P2 time to first chunk): three SSE events, as Gemini sends them.
        location ~ ^/v1beta/models/[^/:]+:streamGenerateContent\$ {
            default_type "text/event-stream";
            if (\$bench_not_rekeyed) {
                return 403 '{"error":{"code":403,"message":"bench stub: not re-keyed","status":"PERMISSION_DENIED"}}';
            }
            return 200 '$stream_body';
        }

        # For key validation jobs that use the free models call.
        location = /v1beta/models {
            default_type "application/json; charset=UTF-8";
            return 200 '{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens"]}]}';
        }

        location = /bench-health {
            return 200 'ok';
        }

        location / {
            default_type "application/json; charset=UTF-8";
            return 404 '{"error":{"code":404,"message":"bench stub: no such route","status":"NOT_FOUND"}}';
        }
    }
}
EOF
} >"$stub_dir/nginx.conf"
startNginx "$stub_dir" "$LOADGEN_CPU"
stub_pid=$!
waitForHttp "stub nginx" "$stub_pid" "http://127.0.0.1:$stub_port/bench-health" 10 "$stub_dir/error.log"

# --- baseline: nginx as a plain reverse proxy --------------------------------------------------------

baseline_port=$(freePort)
baseline_dir=$work/baseline
mkdir -p "$baseline_dir"
{
  writeNginxCommon "$baseline_dir"
  cat <<EOF
http {
    access_log off;
    server_tokens off;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
$(writeNginxTemps "$baseline_dir")

    upstream gemini_stub {
        server 127.0.0.1:$stub_port;
        keepalive 64;
        keepalive_requests 100000000;
    }

    server {
        listen 127.0.0.1:$baseline_port backlog=4096;

        location = /bench-health {
            return 200 'ok';
        }

        location / {
            proxy_pass http://gemini_stub;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header x-goog-api-key "$kBaselineUpstreamKey";
        }
    }
}
EOF
} >"$baseline_dir/nginx.conf"
startNginx "$baseline_dir" "$PROXY_CPU"
baseline_pid=$!
waitForHttp "baseline nginx" "$baseline_pid" "http://127.0.0.1:$baseline_port/bench-health" 10 \
  "$baseline_dir/error.log"

# --- subject: poise ----------------------------------------------------------------------------------

poise_port=""
poise_pid=""
token_bucket_note="not configured"
if ((!baseline_only)); then
  poise_port=$(freePort)
  poise_dir=$work/poise
  poise_log=$poise_dir/poise.log
  mkdir -p "$poise_dir"
  chmod 0700 "$poise_dir"
  admin_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  # The working directory is the temp dir so that no .env from the caller's directory is read;
  # DATABASE_URL and REDIS_URL are dropped so that poise runs on SQLite with in-process state.
  (
    cd "$poise_dir"
    exec taskset -c "$PROXY_CPU" env -u DATABASE_URL -u REDIS_URL -u REDIS_PASSWORD -u POISE_SECRET_KEY \
      POISE_DATA_DIR="$poise_dir" \
      POISE_LISTEN="127.0.0.1:$poise_port" \
      POISE_WORKERS=1 \
      POISE_ADMIN_USERNAME=admin \
      POISE_ADMIN_PASSWORD="$admin_password" \
      POISE_API_TOKEN="$kClientToken" \
      POISE_UPSTREAM_URL="http://127.0.0.1:$stub_port" \
      LOG_LEVEL=warn \
      POISE_ACCESS_LOG=off \
      "$poise_bin" serve
  ) >"$poise_log" 2>&1 &
  poise_pid=$!
  started_pids+=("$poise_pid")
  waitForHttp poise "$poise_pid" "http://127.0.0.1:$poise_port/health" "$POISE_START_TIMEOUT" \
    "$poise_log"

  admin_api=http://127.0.0.1:$poise_port/api/v1

  # adminCall METHOD PATH BODY_FILE [TOKEN]: prints the response body; the status goes to $work/status.
  adminCall() {
    local method=$1 path=$2 body_file=$3 token=${4:-}
    local -a auth=()
    [[ -n "$token" ]] && auth=(-H "Authorization: Bearer $token")
    curl -sS --max-time 30 -X "$method" -H 'Content-Type: application/json' "${auth[@]}" \
      --data-binary "@$body_file" -o "$work/response" -w '%{http_code}' "$admin_api$path" >"$work/status" ||
      die "$method /api/v1$path: no answer from poise"
    cat "$work/response"
  }

  printf '{"username":"admin","password":"%s"}' "$admin_password" >"$work/login.json"
  login_response=$(adminCall POST /login "$work/login.json")
  [[ "$(cat "$work/status")" == 200 ]] ||
    die "POST /api/v1/login answered $(cat "$work/status"): $login_response"
  access_token=$(sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$login_response")
  [[ -n "$access_token" ]] || die "no access_token in the login response: $login_response"

  # Keys shaped like real ones (AIzaSy + 33 characters), distinct and deterministic.
  awk -v n="$KEY_COUNT" 'BEGIN {
    printf "{\"keys_string\":\""
    for (i = 1; i <= n; i++) printf "%sAIzaSyBENCH%028d", (i > 1 ? "," : ""), i
    printf "\"}"
  }' >"$work/keys.json"
  keys_response=$(adminCall POST /api_keys/bulk-add "$work/keys.json" "$access_token")
  [[ "$(cat "$work/status")" =~ ^2 ]] ||
    die "POST /api/v1/api_keys/bulk-add answered $(cat "$work/status"): $keys_response"
  keys_added=$(sed -n 's/.*"total_added"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p' <<<"$keys_response")
  [[ "$keys_added" == "$KEY_COUNT" ]] ||
    die "bulk-add added '${keys_added}' keys, expected $KEY_COUNT: $keys_response"

  # The default buckets (capacity 10-20, about 1 token/s per key) would cap 1000 keys near 1000 req/s,
  # so the run would measure the rate limiter instead of the proxy. Raise every tier to the maximum
  # (1000 keys x 100 tokens/s = 100k req/s); the buckets stay on, so their cost is still measured.
  cat >"$work/buckets.json" <<'EOF'
{"default_capacity":1000,"default_refill_rate":100,"high_priority_capacity":1000,"high_priority_refill_rate":100,"low_priority_capacity":1000,"low_priority_refill_rate":100,"bucket_ttl":3600,"enable_token_bucket":true,"fallback_to_random":true,"cleanup_interval":300}
EOF
  bucket_response=$(adminCall PUT /token-bucket/config "$work/buckets.json" "$access_token")
  if [[ "$(cat "$work/status")" =~ ^2 ]]; then
    token_bucket_note="all tiers capacity 1000, refill 100/s"
  else
    token_bucket_note="PUT /api/v1/token-bucket/config answered $(cat "$work/status"); poise defaults in force"
    echo "run.sh: warning: $token_bucket_note: $bucket_response" >&2
  fi
fi

# --- load ------------------------------------------------------------------------------------------

request_body=$(cat "$request_file")

# preflight NAME URL: one request by curl; it must be a 200 whose body is the stub's, byte for byte.
# This also catches 1xx/3xx answers, which wrk's error counter does not.
preflight() {
  local name=$1 url=$2
  local status content_type
  status=$(curl -sS --max-time 5 -X POST -H 'Content-Type: application/json' \
    -H "x-goog-api-key: $kClientToken" --data-binary "$request_body" \
    -o "$work/preflight.body" -w '%{http_code} %{content_type}' "$url") ||
    die "$name: preflight request to $url failed"
  content_type=${status#* }
  status=${status%% *}
  if [[ "$status" != 200 ]]; then
    die "$name: preflight answered $status, not 200 (the benchmark is broken, not slow): $(head -c 600 "$work/preflight.body")"
  fi
  cmp -s "$work/preflight.body" "$work/stub-body" ||
    die "$name: preflight body differs from the stub's body (not a pass-through): $(head -c 600 "$work/preflight.body")"
  [[ "$content_type" == application/json* ]] ||
    die "$name: preflight Content-Type is '$content_type', expected application/json"
}

# jsonNumber KEY JSON: the number after "KEY": in a BENCH_RESULT line (keys there are unique).
jsonNumber() {
  sed -n "s/.*\"$1\":\([-0-9.eE+]*\).*/\1/p" <<<"$2"
}

# runWrk NAME URL DURATION: runs wrk pinned to the load-generator core, sets wrk_result to its
# BENCH_RESULT JSON, and fails loudly on any error response or socket error. wrk runs as a background
# job so that a signal reaches the trap (and cleanup stops wrk) at once, not when wrk ends.
runWrk() {
  local name=$1 url=$2 duration=$3
  local out=$work/wrk-$name.out
  BENCH_REQUEST_FILE=${wrk_request_file:-$request_file} BENCH_TOKEN=${wrk_token:-$kClientToken} \
    BENCH_AUTH=${wrk_auth:-goog} BENCH_HEADERS=${wrk_headers:-} \
    taskset -c "$LOADGEN_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout "${wrk_timeout:-2s}" \
    -s "$lua_script" "$url" >"$out" 2>&1 &
  wrk_pid=$!
  local wrk_status=0
  wait "$wrk_pid" || wrk_status=$?
  wrk_pid=""
  if ((wrk_status != 0)); then
    cat "$out" >&2
    die "$name: wrk failed (exit status $wrk_status)"
  fi
  local json
  json=$(sed -n 's/^BENCH_RESULT //p' "$out")
  [[ -n "$json" ]] || {
    cat "$out" >&2
    die "$name: no BENCH_RESULT line in wrk's output"
  }
  local kind count socket_errors=0
  for kind in connect read write timeout; do
    count=$(jsonNumber "$kind" "$json")
    socket_errors=$((socket_errors + count))
  done
  local status_errors
  status_errors=$(jsonNumber status "$json")
  if ((status_errors > 0 || socket_errors > 0)); then
    cat "$out" >&2
    ((status_errors == 0)) ||
      die "$name: $status_errors responses with status >= 400 in $duration: the benchmark is broken, not slow"
    die "$name: $socket_errors socket errors or timeouts (> 2 s) in $duration: the figures would not be comparable"
  fi
  [[ "$(jsonNumber requests "$json")" != 0 ]] || die "$name: wrk completed no requests"
  wrk_result=$json
}

# cpuTicks PID: user+system clock ticks of the process (all its threads) and of its children
# (nginx's workers under their master).
cpuTicks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    [[ -r /proc/$pid/stat ]] || continue
    # Fields after the command name, which ends with ") ": utime and stime are the 12th and 13th.
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# measure NAME URL [PID]: warm-up, then the measured run; sets wrk_result to the measured BENCH_RESULT
# JSON and wrk_cpu_us to the CPU time PID (and its children) spent per request in it, in µs. On a
# noisy VM the rate swings with the neighbours; CPU time per request swings much less.
measure() {
  local name=$1 url=$2 pid=${3:-}
  echo "  $name: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections" >&2
  runWrk "$name" "$url" "$WARMUP"
  wrk_cpu_us=""
  if [[ -z "$pid" ]]; then
    runWrk "$name" "$url" "$DURATION"
    return 0
  fi
  local ticks_before
  ticks_before=$(cpuTicks "$pid")
  runWrk "$name" "$url" "$DURATION"
  wrk_cpu_us=$(awk -v t="$(($(cpuTicks "$pid") - ticks_before))" -v hz="$(getconf CLK_TCK)" \
    -v n="$(jsonNumber requests "$wrk_result")" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
}

baseline_url=http://127.0.0.1:$baseline_port$kModelPath
poise_url=http://127.0.0.1:$poise_port$kModelPath

stub_status=$(curl -sS --max-time 5 -X POST -H "x-goog-api-key: $kClientToken" --data-binary "$request_body" \
  -o /dev/null -w '%{http_code}' "http://127.0.0.1:$stub_port$kModelPath")
[[ "$stub_status" == 403 ]] ||
  die "the stub answered $stub_status, not 403, to the client token; its re-key check is broken"
preflight baseline "$baseline_url"
((baseline_only)) || preflight poise "$poise_url"

if [[ $scenario != p1 ]]; then
  ((!baseline_only)) || die "--baseline-only applies to p1 only"
  # shellcheck source=/dev/null
  source "$here/$scenario.sh"
  exit 0
fi

declare -a baseline_results=() poise_results=() ratios=() baseline_cpu=() poise_cpu=()
for ((run = 1; run <= runs; run++)); do
  echo "run $run/$runs" >&2
  measure baseline "$baseline_url" "$baseline_pid"
  baseline_results+=("$wrk_result")
  baseline_cpu+=("$wrk_cpu_us")
  if ((!baseline_only)); then
    measure poise "$poise_url" "$poise_pid"
    poise_results+=("$wrk_result")
    poise_cpu+=("$wrk_cpu_us")
    ratios+=("$(awk -v p="$(jsonNumber requests_per_s "${poise_results[-1]}")" \
      -v b="$(jsonNumber requests_per_s "${baseline_results[-1]}")" 'BEGIN { printf "%.4f", p / b }')")
  fi
done

# --- report ------------------------------------------------------------------------------------------

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

row() {
  local label=$1 json=$2
  printf '%-16s %12s %10s %10s\n' "$label" "$(jsonNumber requests_per_s "$json")" \
    "$(jsonNumber p50 "$json")" "$(jsonNumber p99 "$json")"
}

# The request log writer logs its drops at warn, with a last line at shutdown: stop poise now to
# read how many rows it dropped over the whole run (warm-up included).
request_log_note=""
if ((!baseline_only)) && [[ -n "$poise_pid" ]]; then
  stopProcess "$poise_pid" 10
  poise_pid=""
  dropped=$(grep -o 'dropped_total=[0-9]*' "$poise_log" | tail -n 1 | cut -d= -f2 || true)
  request_log_note="request log rows dropped over the run: ${dropped:-0} (POISE_REQUEST_LOG=${POISE_REQUEST_LOG:-on})"
fi

cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
echo
echo "P1 Gemini native non-stream pass-through: $CONNECTIONS connections, $THREADS wrk thread(s)," \
  "$DURATION per measurement after $WARMUP warm-up, $runs run(s)"
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; wrk+stub on CPU $LOADGEN_CPU, proxy on CPU $PROXY_CPU"
((baseline_only)) || echo "poise: $poise_bin ($KEY_COUNT keys; token buckets: $token_bucket_note)"
[[ -n "$request_log_note" ]] && echo "$request_log_note"
printf '%-16s %12s %10s %10s\n' target "req/s" "p50 ms" "p99 ms"
for ((i = 0; i < runs; i++)); do
  suffix=""
  ((runs > 1)) && suffix=" #$((i + 1))"
  row "nginx$suffix" "${baseline_results[i]}"
  ((baseline_only)) || row "poise$suffix" "${poise_results[i]}"
done

baseline_rps_all=()
for json in "${baseline_results[@]}"; do baseline_rps_all+=("$(jsonNumber requests_per_s "$json")"); done
baseline_median=$(median "${baseline_rps_all[@]}")
((runs == 1)) || printf '%-16s %12s\n' "nginx median" "$baseline_median"
summary_json="\"baseline_rps_median\":$baseline_median"
if ((!baseline_only)); then
  poise_rps_all=()
  for json in "${poise_results[@]}"; do poise_rps_all+=("$(jsonNumber requests_per_s "$json")"); done
  poise_median=$(median "${poise_rps_all[@]}")
  ((runs == 1)) || printf '%-16s %12s\n' "poise median" "$poise_median"
  ratio_median=$(median "${ratios[@]}")
  verdict=$(awk -v r="$ratio_median" -v t="$kTarget" 'BEGIN { print (r >= t ? "meets" : "BELOW") }')
  ((runs > 1)) && echo "per-run ratios: ${ratios[*]}"
  cpu_ratio=$(awk -v p="$(median "${poise_cpu[@]}")" -v b="$(median "${baseline_cpu[@]}")" \
    'BEGIN { printf "%.2f", p / b }')
  echo "CPU per request, µs: nginx ${baseline_cpu[*]}; poise ${poise_cpu[*]}" \
    "(poise/nginx at the medians: $cpu_ratio)"
  summary_json+=",\"baseline_cpu_us_median\":$(median "${baseline_cpu[@]}")"
  summary_json+=",\"poise_cpu_us_median\":$(median "${poise_cpu[@]}")"
  printf 'ratio poise/nginx%s: %s (SPEC P1 target >= %s: %s target)\n' \
    "$( ((runs > 1)) && echo " (median of $runs)")" "$ratio_median" "$kTarget" "$verdict"
  summary_json+=",\"poise_rps_median\":$poise_median,\"ratio_median\":$ratio_median"
  summary_json+=",\"target\":$kTarget,\"meets_target\":$([[ "$verdict" == meets ]] && echo true || echo false)"
else
  echo "baseline only: poise was not run"
fi

# --- raw results -------------------------------------------------------------------------------------

results_dir=$here/results
mkdir -p "$results_dir"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_file=$results_dir/$stamp.json
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
runs_json=""
for ((i = 0; i < runs; i++)); do
  entry="{\"run\":$((i + 1)),\"baseline\":${baseline_results[i]},\"baseline_cpu_us\":${baseline_cpu[i]}"
  if ((!baseline_only)); then
    entry+=",\"poise\":${poise_results[i]},\"poise_cpu_us\":${poise_cpu[i]},\"ratio\":${ratios[i]}"
  fi
  runs_json+="${runs_json:+,}$entry}"
done
cat >"$results_file" <<EOF
{
  "benchmark": "P1",
  "date": "$stamp",
  "commit": "$commit",
  "machine": {"nproc": $(nproc), "cpu_model": "${cpu_model//\"/}", "kernel": "$(uname -r)"},
  "settings": {"duration": "$DURATION", "warmup": "$WARMUP", "connections": $CONNECTIONS,
    "threads": $THREADS, "loadgen_cpu": $LOADGEN_CPU, "proxy_cpu": $PROXY_CPU, "runs": $runs,
    "baseline_only": $([[ $baseline_only == 1 ]] && echo true || echo false),
    "poise_bin": "${poise_bin}", "keys": $( ((baseline_only)) && echo 0 || echo "$KEY_COUNT"),
    "token_buckets": "$token_bucket_note",
    "stub_body_bytes": $(wc -c <"$work/stub-body"), "nginx": "$(nginx -v 2>&1 | sed 's/.*nginx\///')"},
  "runs": [$runs_json],
  "summary": {$summary_json}
}
EOF
echo "raw results: ${results_file#"$repo"/}"
