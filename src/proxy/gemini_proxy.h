// GeminiProxy: the native Gemini pass-through (SPEC §1.2): authenticate the gateway token, pick
// a key per attempt, forward the body bytes unchanged with the key in `x-goog-api-key`, classify
// failures (attempt_outcome.h), retry on other keys, and relay the answer (streams chunk by chunk,
// never buffered whole). Handlers run on the connection's worker thread; shared state (KeyPool,
// RuntimeConfigStore) is thread-safe; each worker has its own UpstreamPool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/request_record.h"
#include "net/http_exchange.h"
#include "proxy/proxy_deps.h"

namespace poise::proxy {

class GeminiProxy {
 public:
  explicit GeminiProxy(ProxyDeps deps) : deps_(std::move(deps)) {}

  // Serves one native request end to end, and notes what it did in `record`. Suspends; always
  // answers the exchange.
  boost::asio::awaitable<void> handle(net::HttpExchange& exchange, http::RequestRecord& record);

 private:
  ProxyDeps deps_;
};

// The model named by a native path such as "/v1beta/models/gemini-2.5-flash:generateContent"
// ("gemini-2.5-flash"), or empty for model-independent calls (models list, files, ...).
std::string_view modelFromPath(std::string_view path);

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
