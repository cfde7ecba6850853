#include "proxy/upstream_caller.h"

#include "core/model_id.h"
#include "http/query.h"
#include "net/upstream_client.h"
#include "proxy/affinity.h"
#include "proxy/client_auth.h"
#include "tokens/client_token.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

asio::awaitable<UpstreamResult> UpstreamCaller::call(const UpstreamRequest& request,
                                                     PieceTranslator* translator,
                                                     std::size_t buffered_limit) {
  if (auto denied = checkGrant(deps_, record_, request.model)) co_return std::move(*denied);
  // A body that names a file, cache or interaction goes to the key that holds it, on every
  // route (a translated body too).
  const UpstreamRequest* to_send = &request;
  UpstreamRequest pinned;
  if (!request.pin && deps_.resources != nullptr) {
    auto names = referencedResources(request.body);
    if (!names.empty()) {
      ResourcePin found = co_await resolveResources(deps_, std::move(names), record_);
      if (found.denied) co_return std::move(*found.denied);
      if (found.pin) {
        pinned = request;
        pinned.pin = std::move(found.pin);
        to_send = &pinned;
      }
    }
  }
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
  co_return co_await runAttempts(attempt_deps, exchange_, record_, *to_send, translator,
                                 buffered_limit);
}

asio::awaitable<ResourcePin> resolveResources(const ProxyDeps& deps, std::vector<std::string> names,
                                              http::RequestRecord& record) {
  ResourcePin out;
  if (deps.resources == nullptr) co_return out;
  auto deny = [&](unsigned status, std::string message) {
    record.fail(status == 400 ? http::ErrorClass::BadRequest : http::ErrorClass::NoKey, message);
    UpstreamResult r;
    r.kind = UpstreamResult::Kind::Denied;
    r.status = status;
    r.denial = std::move(message);
    r.denial_code = status == 400 ? "resource_key_conflict" : std::string(kResourceKeyUnavailable);
    out.denied = std::move(r);
  };
  for (std::string& name : names) {
    auto found = co_await deps.resources->find(name);
    if (!found) {
      deny(503, "the gateway could not look up which upstream key holds " + name);
      co_return out;
    }
    if (!found->has_value()) continue;  // unknown to the gateway: the upstream decides
    const std::int64_t key_id = (*found)->key_id;
    if (out.pin && out.pin->key_id != key_id) {
      deny(400, "this request names " + out.pin->resource + " and " + name +
                    ", which were created with different upstream keys; no key can see both");
      co_return out;
    }
    if (!out.pin) out.pin = UpstreamRequest::Pin{.key_id = key_id, .resource = std::move(name)};
  }
  co_return out;
}

namespace {

std::optional<tokens::ClientProtocol> clientProtocol(http::Protocol protocol) {
  switch (protocol) {
    case http::Protocol::Gemini:
      return tokens::ClientProtocol::Native;
    case http::Protocol::OpenAI:
      return tokens::ClientProtocol::OpenAI;
    case http::Protocol::Anthropic:
      return tokens::ClientProtocol::Anthropic;
    case http::Protocol::Admin:
      break;
  }
  return std::nullopt;
}

std::optional<boost::asio::ip::address> parseAddress(const std::string& text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return address;
}

UpstreamResult denied(unsigned status, std::string message,
                      std::optional<std::int64_t> retry_after = {}) {
  UpstreamResult out;
  out.kind = UpstreamResult::Kind::Denied;
  out.status = status;
  out.denial = std::move(message);
  out.retry_after_seconds = retry_after;
  return out;
}

}  // namespace

std::optional<net::Response> rejectRequest(const ProxyDeps& deps, const net::Request& req,
                                           std::string_view raw_query,
                                           const config::RuntimeConfig& cfg,
                                           http::Protocol protocol, http::RequestRecord& record) {
  const std::string query_key = http::queryParam(raw_query, "key");
  const TokenSources sources{req[bhttp::field::authorization], req["x-goog-api-key"],
                             req["x-api-key"], query_key};
  if (cfg.request_log_body_capture_kb > 0) {
    // Every credential the client sent, whatever it is, and the config api_token are scrubbed
    // from the captured bodies (client tokens and Google keys have shapes scrubSecrets knows).
    std::string_view bearer = sources.authorization;
    if (const auto space = bearer.find(' '); space != std::string_view::npos) {
      bearer.remove_prefix(space + 1);
    }
    http::startBodyCapture(
        record, static_cast<std::size_t>(cfg.request_log_body_capture_kb) * 1024, req.body(),
        {sources.goog_api_key, sources.x_api_key, sources.query_key, bearer, cfg.api_token});
  }
  // The registry is asked only when the api_token is unset or not what was sent: the common
  // case stays one hash and one comparison.
  if (cfg.api_token.empty() && (deps.tokens == nullptr || deps.tokens->size() == 0)) {
    return http::errorResponse(
        protocol, 503, "the gateway has no api_token or client token; create one in the console");
  }
  const auto token = presentedToken(sources);
  auto refuse = [&](unsigned status, std::string message) {
    record.fail(status == 401 ? http::ErrorClass::Unauthorized : http::ErrorClass::Forbidden,
                message);
    return http::errorResponse(protocol, status, std::move(message));
  };
  if (!token) {
    std::string_view hint = "send x-goog-api-key";
    if (protocol == http::Protocol::OpenAI) hint = "send Authorization: Bearer <token>";
    if (protocol == http::Protocol::Anthropic) hint = "send x-api-key";
    return refuse(401, "missing gateway token: " + std::string(hint));
  }
  const Sha256 digest = sha256(*token);
  if (!cfg.api_token.empty() && digestEquals(digest, cfg.api_token_digest)) {
    record.token = "default";  // the config api_token: no limits
  } else {
    auto client = deps.tokens != nullptr ? deps.tokens->find(digest) : nullptr;
    if (!client) return refuse(401, "the gateway token is not valid");
    const auto kind = clientProtocol(protocol);
    // The address is parsed only for a token limited to some.
    const auto address =
        client->allowed_addresses.empty() ? std::nullopt : parseAddress(record.remote_ip);
    const auto denial = kind ? tokens::checkAccess(*client, *kind, address, deps.clock.now())
                             : tokens::Denial::Protocol;
    switch (denial) {
      case tokens::Denial::Disabled:
        return refuse(401, "the gateway token is disabled");
      case tokens::Denial::Expired:
        return refuse(401, "the gateway token has expired");
      case tokens::Denial::Protocol:
        return refuse(403, "this gateway token may not use the " +
                               std::string(kind ? tokens::toString(*kind) : "admin") + " API");
      case tokens::Denial::Address:
        return refuse(403, "this gateway token may not be used from this address");
      case tokens::Denial::Model:
      case tokens::Denial::None:
        break;
    }
    record.token = client->name;
    record.token_id = client->id;
  }
  if (cfg.upstream_host.empty()) {
    return http::errorResponse(protocol, 503, "target_api_url is not configured");
  }
  return std::nullopt;
}

std::optional<UpstreamResult> checkGrant(const ProxyDeps& deps, http::RequestRecord& record,
                                         std::string_view model) {
  if (record.token_id == 0 || deps.tokens == nullptr) return std::nullopt;
  const auto token = deps.tokens->byId(record.token_id);
  if (!token) {
    record.fail(http::ErrorClass::Unauthorized, "the gateway token was deleted");
    return denied(401, "the gateway token is not valid");
  }
  if (!model.empty() && !tokens::allowsModel(*token, model)) {
    // The model may come from a client's body unchecked: it is quoted only when it is a model id.
    const std::string_view named = model.starts_with("models/") ? model.substr(7) : model;
    std::string message = "this gateway token may not use this model";
    if (isGeminiModelId(named)) message.append(" ('").append(named).append("')");
    record.fail(http::ErrorClass::Forbidden, message);
    return denied(403, std::move(message));
  }
  if (record.token_charged || deps.limiter == nullptr) return std::nullopt;
  const auto decision = deps.limiter->admit(*token, deps.clock.now());
  if (!decision.admitted()) {
    std::string message;
    switch (decision.kind) {
      case tokens::LimitDecision::Kind::Rpm:
        message = "this gateway token's limit of " + std::to_string(token->rpm_limit.value_or(0)) +
                  " requests per minute is reached";
        break;
      case tokens::LimitDecision::Kind::DailyRequests:
        message = "this gateway token's daily quota of " +
                  std::to_string(token->daily_request_quota.value_or(0)) + " requests is used up";
        break;
      case tokens::LimitDecision::Kind::DailyTokens:
        message = "this gateway token's daily quota of " +
                  std::to_string(token->daily_token_quota.value_or(0)) + " tokens is used up";
        break;
      case tokens::LimitDecision::Kind::Admitted:
        break;
    }
    message += "; retry in " + std::to_string(decision.retry_after_seconds) + "s";
    record.fail(http::ErrorClass::RateLimited, message);
    return denied(429, std::move(message), decision.retry_after_seconds);
  }
  record.token_charged = true;
  return std::nullopt;
}

asio::awaitable<void> respondUnanswered(net::HttpExchange& ex, http::Protocol protocol,
                                        const UpstreamResult& result) {
  if (result.kind == UpstreamResult::Kind::ClientGone) co_return;  // nobody to answer
  if (result.kind == UpstreamResult::Kind::Denied) {
    auto res = http::errorResponse(protocol, result.status, result.denial, result.denial_code);
    if (result.retry_after_seconds) {
      res.set(bhttp::field::retry_after, std::to_string(*result.retry_after_seconds));
    }
    co_await ex.respond(std::move(res));
    co_return;
  }
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
