// The proxy routes' way into the attempt loop (attempt_loop.h), and the answers they share. An
// UpstreamCaller binds one request's exchange and record to the loop, with a fresh config
// snapshot per call and the calling worker's upstream pool (through net::UpstreamClient) and
// random generator. Runs on the request's worker thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string_view>

#include "config/runtime_config.h"
#include "http/error_envelope.h"
#include "http/request_record.h"
#include "net/http_exchange.h"
#include "proxy/attempt_loop.h"
#include "proxy/proxy_deps.h"

namespace poise::proxy {

class UpstreamCaller {
 public:
  UpstreamCaller(const ProxyDeps& deps, net::HttpExchange& exchange, http::RequestRecord& record)
      : deps_(deps), exchange_(exchange), record_(record) {}

  // Runs the attempt loop for `request` (see runAttempts). Suspends.
  boost::asio::awaitable<UpstreamResult> call(const UpstreamRequest& request,
                                              PieceTranslator* translator,
                                              std::size_t buffered_limit);

 private:
  const ProxyDeps& deps_;
  net::HttpExchange& exchange_;
  http::RequestRecord& record_;
};

// Checks the gateway token of a client request (any of the four carriers, constant time), and
// notes the token in `record`. Returns the response to send instead, in `protocol`'s envelope,
// when the token is missing or wrong, or when the gateway has no api_token or no
// target_api_url configured.
std::optional<net::Response> rejectRequest(const net::Request& req, std::string_view raw_query,
                                           const config::RuntimeConfig& cfg,
                                           http::Protocol protocol, http::RequestRecord& record);

// Answers a call that got no upstream answer (kind NoKey, Unreachable or Refused) in
// `protocol`'s envelope: 429 with Retry-After when every key is cooling for the model, 503 when
// no key is usable, 504 on a timeout, 502 when the upstream could not be reached, 400 when the
// request was refused by the head writer; nothing when the client is gone.
boost::asio::awaitable<void> respondUnanswered(net::HttpExchange& ex, http::Protocol protocol,
                                               const UpstreamResult& result);

}  // namespace poise::proxy
