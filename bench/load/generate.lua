-- wrk script for the P1 load benchmark: POST a small Gemini generateContent request with a gateway
-- token, and print one machine-readable result line when the run ends (parsed by run.sh).
--
-- Environment: BENCH_REQUEST_FILE (default request.json in the working directory),
--              BENCH_TOKEN (default bench-gateway-token-0001),
--              BENCH_AUTH ("goog": x-goog-api-key, the default; "bearer": Authorization: Bearer;
--                          "none": no token header),
--              BENCH_HEADERS (extra "Name: value" lines, separated by newlines).
-- Standalone: cd bench/load && wrk -t1 -c64 -d10s -s generate.lua http://127.0.0.1:PORT/v1beta/models/gemini-2.5-flash:generateContent

local request_file = os.getenv("BENCH_REQUEST_FILE") or "request.json"
local f = assert(io.open(request_file, "rb"), "cannot open request body " .. request_file)
local body = f:read("*a"):gsub("%s+$", "")
f:close()

-- No request() function: wrk then formats the request once and reuses the bytes, so the load generator
-- spends its core on the socket, not in Lua.
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN") or "bench-gateway-token-0001"
local auth = os.getenv("BENCH_AUTH") or "goog"
if auth == "goog" then
  wrk.headers["x-goog-api-key"] = token
elseif auth == "bearer" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

-- Latencies arrive in microseconds; the line carries milliseconds. errors.status counts responses with a
-- status of 400 or more (wrk's "Non-2xx or 3xx responses"); run.sh checks for 3xx separately, once.
function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"requests_per_s":%.1f,"bytes":%d,'
      .. '"latency_ms":{"mean":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f},'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
