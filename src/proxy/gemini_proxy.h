// GeminiProxy: the native Gemini pass-through (SPEC §1.2): authenticate the gateway token, pick
// a key per attempt, forward the body bytes unchanged with the key in `x-goog-api-key`, classify
// failures (attempt_outcome.h), retry on other keys, and relay the answer (streams chunk by chunk,
// never buffered whole). Handlers run on the connection's worker thread; shared state (KeyPool,
// RuntimeConfigStore) is thread-safe; each worker has its own UpstreamPool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/request_record.h"
#include "net/http_exchange.h"
#include "proxy/affinity.h"
#include "proxy/attempt_loop.h"
#include "proxy/proxy_deps.h"

namespace poise::proxy {

class GeminiProxy {
 public:
  explicit GeminiProxy(ProxyDeps deps);

  // Serves one native request end to end, and notes what it did in `record`: the API paths, and
  // the Files API's upload paths (/upload/v1beta/files). Key affinity (affinity.h): a request
  // naming a file, cache, batch or interaction goes to the key that created it; a creating call's
  // answer records its key; listings of files, caches and batches are merged across keys.
  // Suspends; always answers the exchange.
  boost::asio::awaitable<void> handle(net::HttpExchange& exchange, http::RequestRecord& record);

  // A resumable upload in progress: the key that started it and Google's upload URL (path and
  // query on the upstream origin), behind the opaque upload id the client sees.
  struct UploadSession {
    std::int64_t key_id = 0;
    std::string target;
  };
  // Where a merged listing goes on: the collection, the key whose items come next, and that
  // key's own page token (empty: its first page).
  struct ListCursor {
    std::string collection;
    std::int64_t key_id = 0;
    std::string upstream_token;
  };

 private:
  boost::asio::awaitable<void> serveUpload(net::HttpExchange& ex, http::RequestRecord& record,
                                           UpstreamRequest& up, std::string_view path,
                                           std::string_view raw_query);
  boost::asio::awaitable<void> serveListing(net::HttpExchange& ex, http::RequestRecord& record,
                                            UpstreamRequest& up, std::string_view collection,
                                            std::string_view path, std::string_view raw_query);
  // Records the resource a successful creating call made, with the key that made it.
  boost::asio::awaitable<void> noteCreated(Creation kind, const UpstreamResult& result);

  ProxyDeps deps_;
  OpaqueHandles<UploadSession> uploads_;
  OpaqueHandles<ListCursor> cursors_;
};

// The upload URL to hand the client instead of Google's: the gateway's own origin (scheme from
// the connection, host from the request's Host header, which must be a plain host[:port]), the
// client's path, and the opaque upload id. nullopt when the Host header is not safe to echo.
std::optional<std::string> gatewayUploadUrl(bool https, std::string_view host,
                                            std::string_view path, std::string_view upload_id);

// Google's upload URL reduced to the path and query to send upstream, when it points at the
// configured upstream host; nullopt otherwise (never followed elsewhere).
std::optional<std::string> upstreamUploadTarget(std::string_view url,
                                                std::string_view upstream_host);

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
