// GeminiProxy: the native Gemini pass-through (SPEC §1.2): authenticate the gateway token, pick
// a key per attempt, forward the body bytes unchanged with the key in `x-goog-api-key`, classify
// failures (attempt_outcome.h), retry on other keys, and relay the answer (streams chunk by chunk,
// never buffered whole). Handlers run on the connection's worker thread; shared state (KeyPool,
// RuntimeConfigStore) is thread-safe; each worker has its own UpstreamPool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <functional>
#include <random>

#include "config/runtime_config.h"
#include "core/clock.h"
#include "keys/key_pool.h"
#include "net/http_exchange.h"
#include "net/upstream_pool.h"
#include "stats/call_counters.h"

namespace poise::proxy {

// Per-worker resources the proxy needs; the app owns one per I/O thread.
struct WorkerContext {
  net::UpstreamPool* upstream = nullptr;
  std::mt19937_64* rng = nullptr;
};

struct GeminiProxyDeps {
  config::RuntimeConfigStore& config;
  keys::KeyPool& keys;
  const Clock& clock;
  std::function<WorkerContext()> worker;  // resources of the calling worker thread
  stats::CallCounters* calls = nullptr;   // every upstream attempt is counted here when set
};

class GeminiProxy {
 public:
  explicit GeminiProxy(GeminiProxyDeps deps) : deps_(std::move(deps)) {}

  // Serves one native request end to end. Suspends; always answers the exchange.
  boost::asio::awaitable<void> handle(net::HttpExchange& exchange);

 private:
  GeminiProxyDeps deps_;
};

// The model named by a native path such as "/v1beta/models/gemini-2.5-flash:generateContent"
// ("gemini-2.5-flash"), or empty for model-independent calls (models list, files, ...).
std::string_view modelFromPath(std::string_view path);

// Hop-by-hop headers (RFC 9110 §7.6.1) and the framing headers a relay sets itself: never
// forwarded in either direction.
bool isHopByHopOrFraming(boost::beast::http::field f);

// True when `name` is listed among a Connection header's tokens (RFC 9110 §7.6.1): such headers
// are hop-by-hop too and are not forwarded in either direction.
bool nominatedByConnection(std::string_view connection, std::string_view name);

// Refuses a native path the gateway must not forward: one not under /v1beta/, /v1alpha/ or
// /v1/, or holding an empty, "." or ".." segment (raw or percent-encoded), an encoded '/', '\\',
// '%' or control character, or a malformed percent-encoding. Pure.
Status checkNativePath(std::string_view path);

// Refuses a model named by a native path (see modelFromPath) that is not a Gemini model id
// ("tunedModels/<id>" allowed). An empty model passes. Pure.
Status checkPathModel(std::string_view model);

// True for streaming calls: ":streamGenerateContent" or `alt=sse`.
bool isStreamingCall(std::string_view path, std::string_view query);

// The client's query string with every `key` parameter removed (without the leading '?').
std::string stripKeyParam(std::string_view query);

}  // namespace poise::proxy
