// The proxy routes' way into the attempt loop (attempt_loop.h), and the answers they share. An
// UpstreamCaller binds one request's exchange and record to the loop, with a fresh config
// snapshot per call and the calling worker's upstream pool (through net::UpstreamClient) and
// random generator. Runs on the request's worker thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string_view>
#include <vector>

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

// Key affinity (affinity.h): looks up the keys bound to `names` (resources the request names).
// None known: `pin` stays empty (the upstream decides). One key: `pin` is set. Several keys: a
// Denied 400, as is a failed lookup (503); the request could not be served by one key.
struct ResourcePin {
  std::optional<UpstreamRequest::Pin> pin;
  std::optional<UpstreamResult> denied;
};
boost::asio::awaitable<ResourcePin> resolveResources(const ProxyDeps& deps,
                                                     std::vector<std::string> names,
                                                     http::RequestRecord& record);

// Checks the gateway token of a client request (any of the four carriers): the config
// api_token (compared in constant time) or a client token (found by the digest of its value),
// and for a client token the checks that need no model (enabled, expiry, protocol, client
// address). Notes the token in `record`. Returns the response to send instead, in `protocol`'s
// envelope: 401 when the token is missing, unknown, disabled or expired, 403 when the token may
// not use this protocol or this client address, 503 when no gateway token exists at all or
// target_api_url is not configured.
std::optional<net::Response> rejectRequest(const ProxyDeps& deps, const net::Request& req,
                                           std::string_view raw_query,
                                           const config::RuntimeConfig& cfg,
                                           http::Protocol protocol, http::RequestRecord& record);

// The client token's checks that need the call: the model (the Gemini model, after alias
// resolution) against its allowed patterns (403), then, once per request, its limits (429 with
// Retry-After); the admission is counted. Nothing for the api_token, an empty model skips the
// model check. Returns the Denied result to answer with instead of calling upstream.
std::optional<UpstreamResult> checkGrant(const ProxyDeps& deps, http::RequestRecord& record,
                                         std::string_view model);

// Answers a call that got no upstream answer (kind NoKey, Unreachable, Refused or Denied) in
// `protocol`'s envelope: the denial's status (403, or 429 with Retry-After) for a client token's
// refusal, 429 with Retry-After when every key is cooling for the model, 503 when
// no key is usable, 504 on a timeout, 502 when the upstream could not be reached, 400 when the
// request was refused by the head writer; nothing when the client is gone.
boost::asio::awaitable<void> respondUnanswered(net::HttpExchange& ex, http::Protocol protocol,
                                               const UpstreamResult& result);

}  // namespace poise::proxy
