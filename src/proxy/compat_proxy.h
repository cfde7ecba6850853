// CompatProxy: the OpenAI and Anthropic routes (SPEC §1.2). Each handler authenticates the
// gateway token, parses and translates the client's JSON with the pure translators in
// src/protocols, sends the Gemini request through the same UpstreamCaller as the native routes
// (same key selection, retries and failure classes), and translates the answer back: whole for
// plain calls, event by event for streams. Every failure is answered in the client's protocol's
// envelope; a malformed request is a 400 that never touches a key. Handlers run on the
// connection's worker thread; the models cache (and the output-token limits taken from it) is
// shared and guarded by a mutex.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "http/request_record.h"
#include "net/http_exchange.h"
#include "protocols/gemini/model_traits.h"
#include "proxy/proxy_deps.h"

namespace poise::proxy {

class CompatProxy {
 public:
  explicit CompatProxy(ProxyDeps deps) : deps_(std::move(deps)) {}

  // POST /v1/chat/completions
  boost::asio::awaitable<void> chatCompletions(net::HttpExchange& ex, http::RequestRecord& record);
  // POST /v1/messages and /claude/v1/messages
  boost::asio::awaitable<void> messages(net::HttpExchange& ex, http::RequestRecord& record);
  // POST /v1/messages/count_tokens and /claude/v1/messages/count_tokens
  boost::asio::awaitable<void> countTokens(net::HttpExchange& ex, http::RequestRecord& record);
  // POST /v1/embeddings
  boost::asio::awaitable<void> embeddings(net::HttpExchange& ex, http::RequestRecord& record);
  // POST /v1/images/generations
  boost::asio::awaitable<void> images(net::HttpExchange& ex, http::RequestRecord& record);
  // GET /v1/models (OpenAI shape; Bearer callers)
  boost::asio::awaitable<void> listModels(net::HttpExchange& ex, http::RequestRecord& record);
  // GET /v1/models/{id}
  boost::asio::awaitable<void> getModel(net::HttpExchange& ex, http::RequestRecord& record,
                                        std::string_view id);

  // How long the upstream model list is reused by /v1/models.
  static constexpr std::chrono::seconds kModelsCacheTtl{60};
  // How often a translated request refreshes the output-token limits (from the same list).
  static constexpr std::chrono::seconds kOutputLimitsTtl{600};

 private:
  // The merged Gemini model list, from the cache or the upstream; nullopt after answering the
  // client with the failure.
  boost::asio::awaitable<std::optional<boost::json::object>> geminiModels(
      net::HttpExchange& ex, http::RequestRecord& record);

  // Runs translate(limits) (a request translator taking the output-token limits) with the limits
  // of the last models list fetched, of any age (null before the first: the translators then
  // use the static model traits). When those limits are older than kOutputLimitsTtl and the
  // translation asked for an output limit the static traits cannot settle
  // (protocols::outputLimitUncertain), refreshes them and translates again; token counts within
  // known limits never cost a models-list call. Suspends.
  template <class Translation, class Translate>
  boost::asio::awaitable<Result<Translation>> translateWithOutputLimits(net::HttpExchange& ex,
                                                                        http::RequestRecord& record,
                                                                        const Translate& translate);

  // Fetches the models list for its output-token limits, unless another request is fetching it
  // or the last fetch is younger than kOutputLimitsTtl (so at most one request per TTL waits
  // for it; a failed fetch is not retried before the TTL passes either). The new limits, or null
  // when nothing was fetched. Never fails the request. Suspends.
  boost::asio::awaitable<std::shared_ptr<const protocols::OutputTokenLimits>> refreshOutputLimits(
      net::HttpExchange& ex, http::RequestRecord& record);

  // Caches a fetched list and the output-token limits read from it.
  void storeModels(boost::json::object list);

  ProxyDeps deps_;
  std::mutex models_mu_;
  std::shared_ptr<const boost::json::object> models_cache_;
  std::int64_t models_expiry_ms_ = 0;  // Clock::monotonicMs(); 0: nothing cached
  std::shared_ptr<const protocols::OutputTokenLimits> output_limits_;
  std::int64_t output_limits_expiry_ms_ = 0;  // Clock::monotonicMs()
  bool output_limits_refreshing_ = false;
};

}  // namespace poise::proxy
