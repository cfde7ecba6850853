#include "proxy/upstream_caller.h"

#include "http/query.h"
#include "net/upstream_client.h"
#include "proxy/client_auth.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

asio::awaitable<UpstreamResult> UpstreamCaller::call(const UpstreamRequest& request,
                                                     PieceTranslator* translator,
                                                     std::size_t buffered_limit) {
  const auto cfg = deps_.config.snapshot();
  const WorkerContext worker = deps_.worker();
  net::UpstreamClient upstream(*worker.upstream, deps_.clock);
  const AttemptDeps attempt_deps{.config = *cfg,
                                 .keys = deps_.keys,
                                 .clock = deps_.clock,
                                 .upstream = upstream,
                                 .rng = *worker.rng,
                                 .calls = deps_.calls,
                                 .request_id = exchange_.info().request_id};
  co_return co_await runAttempts(attempt_deps, exchange_, record_, request, translator,
                                 buffered_limit);
}

std::optional<net::Response> rejectRequest(const net::Request& req, std::string_view raw_query,
                                           const config::RuntimeConfig& cfg,
                                           http::Protocol protocol, http::RequestRecord& record) {
  if (cfg.api_token.empty()) {
    return http::errorResponse(protocol, 503,
                               "the gateway has no api_token configured; set it in the console");
  }
  const std::string query_key = http::queryParam(raw_query, "key");
  const TokenSources sources{req[bhttp::field::authorization], req["x-goog-api-key"],
                             req["x-api-key"], query_key};
  const auto token = presentedToken(sources);
  if (!token || !tokenMatches(*token, cfg.api_token_digest)) {
    record.fail(http::ErrorClass::Unauthorized);
    std::string_view hint = "send x-goog-api-key";
    if (protocol == http::Protocol::OpenAI) hint = "send Authorization: Bearer <token>";
    if (protocol == http::Protocol::Anthropic) hint = "send x-api-key";
    return http::errorResponse(protocol, 401,
                               token ? std::string("the gateway token is not valid")
                                     : "missing gateway token: " + std::string(hint));
  }
  record.token = "default";  // the config api_token (client tokens come with issue 13)
  if (cfg.upstream_host.empty()) {
    return http::errorResponse(protocol, 503, "target_api_url is not configured");
  }
  return std::nullopt;
}

asio::awaitable<void> respondUnanswered(net::HttpExchange& ex, http::Protocol protocol,
                                        const UpstreamResult& result) {
  if (result.kind == UpstreamResult::Kind::ClientGone) co_return;  // nobody to answer
  if (result.kind == UpstreamResult::Kind::Refused) {
    auto res = http::errorResponse(protocol, 400,
                                   "the request cannot be sent upstream: " + result.network_error);
    co_await ex.respond(std::move(res));
    co_return;
  }
  if (result.kind == UpstreamResult::Kind::Unreachable) {
    // Named locals, not temporaries inside the co_await: g++ 12 destroys class temporaries of a
    // conditional expression twice when the full-expression suspends.
    std::string message = "the upstream did not answer in time";
    if (!result.timed_out) message = "the upstream could not be reached: " + result.network_error;
    auto res = http::errorResponse(protocol, result.timed_out ? 504 : 502, message);
    co_await ex.respond(std::move(res));
    co_return;
  }
  if (result.retry_after_seconds) {
    const std::string secs = std::to_string(*result.retry_after_seconds);
    auto res = http::errorResponse(
        protocol, 429,
        "no upstream key can take this request now (rate limits or cooldowns); retry in " + secs +
            "s");
    res.set(bhttp::field::retry_after, secs);
    co_await ex.respond(std::move(res));
    co_return;
  }
  auto res =
      http::errorResponse(protocol, 503, "no upstream key is available; add keys in the console");
  co_await ex.respond(std::move(res));
}

}  // namespace poise::proxy
