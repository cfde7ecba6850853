#include "proxy/live_proxy.h"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <vector>

#include "core/log.h"
#include "core/model_id.h"
#include "http/error_envelope.h"
#include "net/live_socket.h"
#include "net/request_head.h"
#include "net/upstream_client.h"
#include "proxy/attempt_loop.h"
#include "proxy/attempt_outcome.h"
#include "proxy/gemini_proxy.h"
#include "proxy/upstream_caller.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using http::ErrorClass;
using http::Protocol;

namespace {

// The first message must come this soon after the upgrade.
constexpr auto kSetupWait = std::chrono::seconds(30);
// A Live session's longest life through the gateway. Google ends its own sessions far sooner
// (minutes, longer with session resumption, which opens a new socket).
constexpr auto kSessionLimit = std::chrono::hours(2);
// The largest message either side may send.
constexpr std::size_t kMessageLimit = std::size_t{16} << 20;

Error badSetup(std::string_view why) {
  return makeError(ErrorCode::InvalidModel,
                   "the first message must be a Live setup: " + std::string(why));
}

// The `error.message` of a Gemini error body, or a short default.
std::string upstreamMessage(std::string_view body, unsigned status) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* err = v.as_object().if_contains("error"); err && err->is_object()) {
      if (const auto* m = err->as_object().if_contains("message"); m && m->is_string()) {
        return std::string(m->as_string());
      }
    }
  }
  return "the upstream refused the session (HTTP " + std::to_string(status) + ")";
}

// Adds the usageMetadata counts of a Live server message to `usage` (each turn reports its own).
void addLiveUsage(std::string_view message, protocols::GeminiUsage& usage) {
  if (message.find("\"usageMetadata\"") == std::string_view::npos) return;
  boost::system::error_code ec;
  const json::value v = json::parse(message, ec);
  if (ec || !v.is_object()) return;
  const auto* meta = v.as_object().if_contains("usageMetadata");
  if (meta == nullptr || !meta->is_object()) return;
  const auto count = [&](std::string_view name) -> std::int64_t {
    const auto* n = meta->as_object().if_contains(name);
    return n != nullptr && n->is_int64() ? n->as_int64() : 0;
  };
  usage.present = true;
  usage.prompt += count("promptTokenCount");
  usage.candidates += count("responseTokenCount");
  usage.thoughts += count("thoughtsTokenCount");
  usage.cached += count("cachedContentTokenCount");
  usage.tool_use_prompt += count("toolUsePromptTokenCount");
  usage.total += count("totalTokenCount");
}

// The HTTP status a session's end stands for in the record.
unsigned statusForClose(unsigned code) {
  switch (code) {
    case net::kCloseInvalid:
    case net::kCloseTooBig:
      return 400;
    case net::kClosePolicy:
      return 403;
    case net::kCloseTryLater:
      return 429;
    case net::kCloseBadGateway:
      return 502;
    default:
      return 500;
  }
}

// The upstream's first message after the setup (normally setupComplete), or its close, or a
// failure (`error`, timed out or broken).
struct SetupAnswer {
  net::LiveRead read;
  std::optional<net::UpstreamError> error;
};

// Sends the setup upstream and waits, at most `wait`, for the upstream's first message.
// Suspends.
asio::awaitable<SetupAnswer> sendSetup(net::LiveSocket& upstream, const net::LiveRead& setup,
                                       std::chrono::milliseconds wait) {
  SetupAnswer out;
  if (!co_await upstream.write(setup.data, setup.binary)) {
    out.error = net::UpstreamError{.kind = net::UpstreamErrorKind::Io,
                                   .message = "the setup could not be sent"};
    co_return out;
  }
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, wait);
  auto raced = co_await (upstream.read() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (raced.index() == 1) {
    out.error = net::UpstreamError{.kind = net::UpstreamErrorKind::Timeout,
                                   .message = "no answer to the setup in time"};
    co_return out;
  }
  out.read = std::move(std::get<0>(raced));
  if (out.read.kind == net::LiveRead::Kind::Failed) {
    out.error = net::UpstreamError{.kind = net::UpstreamErrorKind::Io,
                                   .message = "the upstream connection broke during the setup"};
  }
  co_return out;
}

}  // namespace

LiveCloseAnswer liveCloseAsHttp(unsigned close_code, std::string_view reason) {
  using boost::algorithm::icontains;
  LiveCloseAnswer out;
  std::string_view status_word = "INVALID_ARGUMENT";
  json::array details;
  if (icontains(reason, "API key not valid") || icontains(reason, "API_KEY_INVALID") ||
      icontains(reason, "API key expired")) {
    details.push_back(json::object{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                   {"reason", "API_KEY_INVALID"},
                                   {"domain", "googleapis.com"}});
  } else if (icontains(reason, "invalid authentication credentials")) {
    out.status = 401;
    status_word = "UNAUTHENTICATED";
  } else if (icontains(reason, "exceeded your current quota") ||
             icontains(reason, "RESOURCE_EXHAUSTED") || icontains(reason, "quota exceeded")) {
    out.status = 429;
    status_word = "RESOURCE_EXHAUSTED";
  } else if (close_code == net::kCloseInternal || close_code == net::kCloseTryLater ||
             close_code == net::kCloseBadGateway) {
    out.status = 503;
    status_word = "UNAVAILABLE";
  }
  json::object error{{"code", out.status}, {"message", reason}, {"status", status_word}};
  if (!details.empty()) error["details"] = std::move(details);
  out.body = json::serialize(json::object{{"error", std::move(error)}});
  return out;
}

Result<std::string> liveSetupModel(std::string_view message) {
  boost::system::error_code ec;
  json::monotonic_resource arena;
  const json::value v = json::parse(message, ec, &arena);
  if (ec || !v.is_object()) return badSetup("not a JSON object");
  const auto* setup = v.as_object().if_contains("setup");
  if (setup == nullptr || !setup->is_object()) return badSetup("no \"setup\" object");
  const auto* model = setup->as_object().if_contains("model");
  if (model == nullptr || !model->is_string()) return badSetup("no \"setup.model\"");
  std::string_view id = model->as_string();
  if (id.starts_with("models/")) id.remove_prefix(7);
  if (!isGeminiModelId(id)) return badSetup("\"setup.model\" is not a Gemini model id");
  return std::string(id);
}

unsigned liveCloseCodeFor(unsigned http_status) {
  switch (http_status) {
    case 400:
      return net::kCloseInvalid;
    case 401:
    case 403:
    case 404:
      return net::kClosePolicy;
    case 429:
      return net::kCloseTryLater;
    default:
      return net::kCloseInternal;
  }
}

asio::awaitable<void> LiveProxy::handle(net::HttpExchange& ex, http::RequestRecord& record) {
  auto& req = ex.request();
  const auto cfg = deps_.config.snapshot();
  const std::string_view target = req.target();
  const auto qpos = target.find('?');
  const std::string_view raw_query =
      qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  record.protocol = Protocol::Gemini;
  record.stream = true;
  if (auto rejected = rejectRequest(deps_, req, raw_query, *cfg, Protocol::Gemini, record)) {
    co_await ex.respond(std::move(*rejected));
    co_return;
  }
  if (!net::isWebSocketUpgrade(req)) {
    const std::string why =
        "this is the Live API's WebSocket endpoint: send a WebSocket upgrade (GET with "
        "Upgrade: websocket)";
    record.fail(ErrorClass::BadRequest, why);
    co_await ex.respond(http::errorResponse(Protocol::Gemini, 400, why));
    co_return;
  }

  const net::LiveLimits limits{
      .message_limit = kMessageLimit,
      .handshake = std::chrono::seconds(10),
      .idle = std::chrono::seconds(std::max(10, cfg->upstream_idle_timeout_seconds))};
  auto client = co_await net::acceptLiveSocket(ex, limits);
  if (!client) {
    record.fail(ErrorClass::ClientGone, "the WebSocket handshake with the client failed");
    co_return;
  }
  // Ends the session before it began: a close frame, and the status it stands for in the record.
  auto refuse = [&](unsigned code, ErrorClass cls, std::string message) -> asio::awaitable<void> {
    record.fail(cls, message);
    ex.noteUpgradedStatus(statusForClose(code));
    co_await client->close(code, message);
  };

  // The setup: the first message, within kSetupWait.
  net::LiveRead first;
  {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, kSetupWait);
    auto raced = co_await (client->read() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (raced.index() == 1) {
      std::string why = "no setup message within 30 s";
      co_await refuse(net::kCloseInvalid, ErrorClass::BadRequest, std::move(why));
      co_return;
    }
    first = std::move(std::get<0>(raced));
  }
  if (first.kind != net::LiveRead::Kind::Message) {
    record.fail(ErrorClass::ClientGone, "the client left before its setup message");
    if (first.kind == net::LiveRead::Kind::Closed) co_await client->close(first.close_code, "");
    co_return;
  }
  auto model = liveSetupModel(first.data);
  if (!model) {
    std::string why = model.error().message;
    co_await refuse(net::kCloseInvalid, ErrorClass::BadRequest, std::move(why));
    co_return;
  }
  record.model = *model;
  if (auto denied = checkGrant(deps_, record, *model)) {
    const bool limited = denied->status == 429;
    std::string why = denied->denial;
    co_await refuse(limited ? net::kCloseTryLater : net::kClosePolicy,
                    limited ? ErrorClass::RateLimited : ErrorClass::Forbidden, std::move(why));
    co_return;
  }

  // Attempts: a key, the upstream socket with it, the setup; a refused upgrade, or a close in
  // answer to the setup, tries the next key.
  const WorkerContext worker = deps_.worker();
  net::UpstreamClient transport(*worker.upstream, deps_.clock);
  const AttemptDeps attempt_deps{.config = *cfg,
                                 .keys = deps_.keys,
                                 .clock = deps_.clock,
                                 .upstream = transport,
                                 .rng = *worker.rng,
                                 .calls = deps_.calls,
                                 .request_id = ex.info().request_id};
  const Origin origin{cfg->upstream_tls, cfg->upstream_host, cfg->upstream_port};
  net::UpstreamTimeouts timeouts;
  timeouts.connect = std::chrono::seconds(cfg->upstream_connect_timeout_seconds);
  timeouts.tls = timeouts.connect;
  timeouts.first_byte = std::chrono::seconds(cfg->upstream_first_byte_timeout_seconds);
  std::string upstream_target = cfg->upstream_base_path + record.route;
  if (const std::string query = stripKeyParam(raw_query); !query.empty()) {
    upstream_target.append("?").append(query);
  }
  const std::string user_agent(req[bhttp::field::user_agent]);
  const std::int64_t deadline =
      deps_.clock.monotonicMs() + std::int64_t{cfg->upstream_total_timeout_seconds} * 1000;
  std::vector<std::int64_t> tried;
  std::unique_ptr<net::LiveSocket> upstream;
  std::optional<std::pair<unsigned, std::string>> last_refusal;  // status, message
  std::optional<std::pair<unsigned, std::string>> last_close;    // close code, reason
  std::optional<net::UpstreamError> last_error;
  net::LiveRead first_answer;  // the upstream's first message, for the client
  const int max_attempts = 1 + cfg->proxy_retry_max_count;
  int transient_retries = 0;
  for (int attempt_no = 0; attempt_no < max_attempts && !upstream; ++attempt_no) {
    if (deps_.clock.monotonicMs() >= deadline) break;
    auto pick = deps_.keys.pick(*model, tried);
    if (!pick) break;
    tried.push_back(pick->id);
    if (!net::isHeaderValue(pick->value)) {
      deps_.keys.recordRejected(pick->id, "the key holds characters a header cannot carry",
                                keys::KeyPool::Rejection::Conclusive);
      continue;
    }
    const std::int64_t attempt_start = deps_.clock.monotonicMs();
    const net::LiveConnect connect{.origin = origin,
                                   .target = upstream_target,
                                   .api_key = pick->value,
                                   .user_agent = user_agent,
                                   .timeouts = timeouts,
                                   .limits = limits};
    auto dialed = co_await net::dialLiveSocket(*worker.upstream, deps_.clock, connect);
    AttemptOutcome outcome;
    unsigned status = 0;
    last_refusal.reset();
    last_close.reset();
    last_error.reset();
    if (!dialed) {
      outcome.kind = OutcomeKind::Transient;
      outcome.reason = std::string(net::toString(dialed.error().kind));
      last_error = dialed.error();
    } else if (dialed->socket) {
      SetupAnswer answer = co_await sendSetup(
          *dialed->socket, first,
          std::chrono::duration_cast<std::chrono::milliseconds>(timeouts.first_byte));
      if (answer.error) {
        outcome.kind = OutcomeKind::Transient;
        outcome.reason = std::string(net::toString(answer.error->kind));
        last_error = std::move(answer.error);
        dialed->socket->abort();
      } else if (answer.read.kind == net::LiveRead::Kind::Closed) {
        // Google's answer to the setup of a bad or exhausted key: classified as its HTTP twin.
        const LiveCloseAnswer as_http =
            liveCloseAsHttp(answer.read.close_code, answer.read.close_reason);
        status = as_http.status;
        outcome = classifyResponse(status, as_http.body, cfg->error_policy);
        last_close.emplace(answer.read.close_code, std::move(answer.read.close_reason));
      } else {
        status = 101;
        outcome.kind = OutcomeKind::Success;
        upstream = std::move(dialed->socket);
        first_answer = std::move(answer.read);
      }
    } else {
      status = dialed->status;
      outcome = classifyResponse(status, dialed->body, cfg->error_policy);
      last_refusal.emplace(status, upstreamMessage(dialed->body, status));
    }
    http::KeyAttempt& noted = record.attempts.emplace_back();
    noted.key_id = pick->id;
    noted.outcome = outcomeWord(outcome.kind);
    noted.status = status;
    noted.duration_ms = deps_.clock.monotonicMs() - attempt_start;
    recordOnKey(attempt_deps, pick->id, *model, outcome);
    if (outcome.kind == OutcomeKind::ClientError) break;  // the client's fault: passed on
    if (outcome.kind == OutcomeKind::Transient && !upstream && attempt_no + 1 < max_attempts) {
      const auto delay = transientBackoff(
          transient_retries++, std::chrono::milliseconds(cfg->proxy_retry_backoff_ms), *worker.rng);
      asio::steady_timer timer(co_await asio::this_coro::executor, delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  if (!upstream) {
    if (last_close) {
      // The upstream's own close, passed on as it came (a bad setup, an unknown model, or the
      // last key's refusal).
      const auto& [code, reason] = *last_close;
      record.fail(ErrorClass::UpstreamError,
                  "upstream closed the session with " + std::to_string(code) + ": " + reason);
      ex.noteUpgradedStatus(statusForClose(code));
      co_await client->close(net::sendableCloseCode(code), reason);
    } else if (last_refusal) {
      const auto& [status, message] = *last_refusal;
      const unsigned refused_status = status;
      std::string why = "upstream HTTP " + std::to_string(status) + ": " + message;
      co_await refuse(liveCloseCodeFor(refused_status), ErrorClass::UpstreamError, std::move(why));
      ex.noteUpgradedStatus(refused_status);
    } else if (last_error) {
      const bool late = last_error->timedOut();
      std::string why = "the upstream did not answer in time";
      if (!late) why = "the upstream could not be reached: " + last_error->message;
      co_await refuse(late ? net::kCloseInternal : net::kCloseBadGateway,
                      late ? ErrorClass::UpstreamTimeout : ErrorClass::UpstreamUnreachable,
                      std::move(why));
      ex.noteUpgradedStatus(late ? 504 : 502);
    } else if (deps_.keys.nextEligibleAt(*model)) {
      std::string why =
          "no upstream key can take this session now (rate limits or cooldowns); retry later";
      co_await refuse(net::kCloseTryLater, ErrorClass::NoKey, std::move(why));
    } else {
      std::string why = "no upstream key is available; add keys in the console";
      co_await refuse(net::kCloseTryLater, ErrorClass::NoKey, std::move(why));
      ex.noteUpgradedStatus(503);
    }
    co_return;
  }

  // The upstream's answer to the setup goes to the client; then both ways until one side closes.
  record.first_byte_ms = deps_.clock.monotonicMs();
  const net::LiveObserver observe = [&record](std::string_view message) {
    addLiveUsage(message, record.usage);
  };
  observe(first_answer.data);
  if (!co_await client->write(first_answer.data, first_answer.binary)) {
    record.fail(ErrorClass::ClientGone);
    co_await upstream->close(net::kCloseGoingAway, "");
    co_return;
  }
  const net::LiveRelayEnd end = co_await net::relayLive(
      *client, *upstream, ex.stopNotice(),
      std::chrono::duration_cast<std::chrono::milliseconds>(kSessionLimit), observe);
  switch (end.kind) {
    case net::LiveRelayEnd::Kind::ClientClosed:
      break;
    case net::LiveRelayEnd::Kind::UpstreamClosed:
      if (end.close_code != net::kCloseNormal && end.close_code != 0) {
        record.fail(ErrorClass::UpstreamError, "upstream closed the session with " +
                                                   std::to_string(end.close_code) + ": " +
                                                   end.close_reason);
      }
      break;
    case net::LiveRelayEnd::Kind::ClientFailed:
      record.fail(ErrorClass::ClientGone);
      break;
    case net::LiveRelayEnd::Kind::UpstreamFailed:
      spdlog::warn("msg=\"live upstream broke\" request_id={} model={}", ex.info().request_id,
                   logValue(*model));
      record.fail(ErrorClass::StreamBroken, "the upstream connection broke");
      break;
    case net::LiveRelayEnd::Kind::TooBig:
      record.fail(ErrorClass::BadRequest, "a message was larger than the limit");
      break;
    case net::LiveRelayEnd::Kind::Shutdown:
      record.fail(ErrorClass::Shutdown, "the session was ended by the gateway");
      break;
  }
}

}  // namespace poise::proxy
