// CompatProxy: the OpenAI and Anthropic routes (SPEC §1.2). Each handler authenticates the
// gateway token, parses and translates the client's JSON with the pure translators in
// src/protocols, sends the Gemini request through the same UpstreamCaller as the native routes
// (same key selection, retries and failure classes), and translates the answer back: whole for
// plain calls, event by event for streams. Every failure is answered in the client's protocol's
// envelope; a malformed request is a 400 that never touches a key. Handlers run on the
// connection's worker thread; the models cache is shared and guarded by a mutex.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "net/http_exchange.h"
#include "proxy/gemini_proxy.h"

namespace poise::proxy {

class CompatProxy {
 public:
  explicit CompatProxy(GeminiProxyDeps deps) : deps_(std::move(deps)) {}

  // POST /v1/chat/completions
  boost::asio::awaitable<void> chatCompletions(net::HttpExchange& ex);
  // POST /v1/messages and /claude/v1/messages
  boost::asio::awaitable<void> messages(net::HttpExchange& ex);
  // POST /v1/embeddings
  boost::asio::awaitable<void> embeddings(net::HttpExchange& ex);
  // POST /v1/images/generations
  boost::asio::awaitable<void> images(net::HttpExchange& ex);
  // GET /v1/models (OpenAI shape; Bearer callers)
  boost::asio::awaitable<void> listModels(net::HttpExchange& ex);
  // GET /v1/models/{id}
  boost::asio::awaitable<void> getModel(net::HttpExchange& ex, std::string_view id);

  // How long the upstream model list is reused.
  static constexpr std::chrono::seconds kModelsCacheTtl{60};

 private:
  // The merged Gemini model list, from the cache or the upstream; nullopt after answering the
  // client with the failure.
  boost::asio::awaitable<std::optional<boost::json::object>> geminiModels(net::HttpExchange& ex);

  GeminiProxyDeps deps_;
  std::mutex models_mu_;
  std::shared_ptr<const boost::json::object> models_cache_;
  std::chrono::steady_clock::time_point models_expiry_{};
};

}  // namespace poise::proxy
