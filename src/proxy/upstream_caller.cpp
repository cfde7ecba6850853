#include "proxy/upstream_caller.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "core/log.h"
#include "http/error_envelope.h"
#include "http/query.h"
#include "net/request_head.h"
#include "net/upstream_client.h"
#include "proxy/attempt_outcome.h"
#include "proxy/client_auth.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kErrorBodyLimit = std::size_t{4} * 1024 * 1024;

// Response headers never relayed to the client.
bool dropResponseHeader(bhttp::field f, std::string_view name) {
  return isHopByHopOrFraming(f) || f == bhttp::field::alt_svc ||
         beast::iequals(name, "x-request-id");
}

// What one attempt ended with.
struct Attempt {
  enum class State { Answered, Failed } state = State::Failed;
  AttemptOutcome outcome;
  UpstreamResult result;  // an answer (kind Answer) or a network failure (kind Unreachable)
};

std::string filteredFields(const bhttp::fields& msg) {
  std::string fields;
  fields.reserve(512);
  for (const auto& h : msg) {
    if (dropResponseHeader(h.name(), h.name_string()) ||
        nominatedByConnection(msg[bhttp::field::connection], h.name_string())) {
      continue;
    }
    fields.append(h.name_string()).append(": ").append(h.value()).append("\r\n");
  }
  return fields;
}

// The parts of the upstream request head that do not depend on the key, through the writer
// that refuses anything that could split the head.
Result<net::RequestHead> sharedHead(const UpstreamRequest& request, const Origin& origin) {
  auto head = net::RequestHead::start(request.method, request.target);
  if (!head) return head.error();
  if (auto st = head->addLines(request.fields); !st) return st.error();
  if (auto st = head->addHostAndLength(origin, request.body.size()); !st) return st.error();
  return head;
}

// How one attempt's answer is taken.
struct ExchangePlan {
  const UpstreamRequest& request;
  StreamRelay* relay;
  std::size_t buffered_limit;
  const keys::ErrorPolicy& policy;
};

// The upstream side of one attempt: the answer, kept for the relay when `relay` is set (its
// head read, its body not).
struct Exchange {
  std::optional<net::UpstreamResponse> answer;
  bool relay = false;
};

// A network failure: transient for the key (a stale pooled connection was already replaced by
// the client and is nobody's fault).
void noteFailure(Attempt& attempt, const net::UpstreamError& error) {
  attempt.outcome.kind = OutcomeKind::Transient;
  attempt.outcome.reason = std::string(net::toString(error.kind));
  attempt.result.timed_out = error.timedOut();
  attempt.result.network_error = error.message;
}

// One attempt up to its decision: send the request, read the answer's head, and read a small
// answer or any error whole. Leaves `up.relay` set when the answer is to be relayed instead.
// Cancellable at every wait (the client-gone race).
asio::awaitable<void> exchange(net::UpstreamClient& client, const net::UpstreamSend& send,
                               const ExchangePlan& plan, Exchange& up, Attempt& attempt) {
  UpstreamResult& result = attempt.result;
  result.kind = UpstreamResult::Kind::Unreachable;
  auto sent = co_await client.send(send);
  if (!sent) {
    noteFailure(attempt, sent.error());
    co_return;
  }
  net::UpstreamResponse& answer = up.answer.emplace(std::move(*sent));
  const unsigned status = answer.status();
  result.status = status;
  const auto length = answer.contentLength();
  const bool ok = status >= 200 && status < 300;
  if (plan.relay != nullptr && ok && !answer.done() &&
      (plan.request.streaming || !length || *length > plan.buffered_limit)) {
    up.relay = true;
    co_return;
  }
  // Small answers and every error: read whole, then classify.
  auto body = co_await answer.readAll(ok ? plan.buffered_limit : kErrorBodyLimit);
  if (!body) {
    noteFailure(attempt, body.error());
    co_return;
  }
  attempt.outcome = classifyResponse(status, *body, plan.policy);
  result.kind = UpstreamResult::Kind::Answer;
  result.content_type = std::string(answer.headers()[bhttp::field::content_type]);
  result.fields = filteredFields(answer.headers());
  result.body = std::move(*body);
  if (attempt.outcome.kind == OutcomeKind::Success ||
      attempt.outcome.kind == OutcomeKind::ClientError) {
    attempt.state = Attempt::State::Answered;
  }
}

// Relays a 2xx answer to the client as it arrives. For streams the client leaving closes the
// upstream connection at once, and the end of the shutdown grace ends the stream with the
// relay's terminal event, as does an upstream that breaks off mid-way. The upstream connection
// goes back to the pool only when the answer was read to the end (net::UpstreamResponse).
asio::awaitable<void> relayAnswer(net::HttpExchange& ex, const ExchangePlan& plan,
                                  net::UpstreamResponse& answer) {
  StreamRelay& relay = *plan.relay;
  const bool identity = relay.identity();
  bhttp::fields fields;
  const unsigned status = relay.head(answer.status(), answer.headers(), fields);
  // The identity relay keeps the upstream's length; a translated body's is unknown.
  std::optional<std::uint64_t> length;
  if (identity) length = answer.contentLength();
  bool alive = co_await ex.startResponse(status, fields, length);
  bool upstream_broken = false;
  auto pump = [&]() -> asio::awaitable<void> {
    while (alive) {
      auto piece = co_await answer.readPiece();
      if (!piece) {
        upstream_broken = true;
        co_return;
      }
      if (piece->empty()) co_return;  // the end of the answer
      if (identity) {
        alive = co_await ex.writePiece(*piece);
      } else {
        const std::string translated = relay.transform(*piece);
        alive = co_await ex.writePiece(translated);
      }
    }
  };
  net::StopNotice* stop = ex.stopNotice();
  if (alive && plan.request.streaming) {
    using namespace asio::experimental::awaitable_operators;
    if (stop != nullptr) {
      co_await (pump() || ex.waitClientGone() || stop->wait());
    } else {
      co_await (pump() || ex.waitClientGone());
    }
  } else if (alive) {
    co_await pump();
  }
  if (!alive || ex.clientGone()) {
    answer.close();
    ex.abortResponse();
    co_return;
  }
  const bool shutdown = stop != nullptr && stop->raised() && !answer.done();
  std::string tail;
  if (upstream_broken || shutdown) {
    answer.close();
    if (shutdown) {
      spdlog::info("msg=\"stream cut by shutdown\" request_id={} model={}", ex.info().request_id,
                   logValue(plan.request.model));
    } else {
      spdlog::warn("msg=\"upstream stream broke\" request_id={} model={}", ex.info().request_id,
                   logValue(plan.request.model));
    }
    // The client's SDK gets an error event it understands, and a clean end; or, when the relay
    // has none, a cut.
    tail = relay.broken(shutdown ? BreakReason::Shutdown : BreakReason::UpstreamBroke);
    if (tail.empty()) {
      ex.abortResponse();
      co_return;
    }
  } else {
    tail = relay.finish();
  }
  if (!co_await ex.finishResponse(tail)) ex.abortResponse();
}

// Whole seconds, rounded up, until a key can take `model` (KeyPool::nextEligibleAt): a client
// that waits that long finds one. 0 when one can now; nullopt when no key is active.
std::optional<std::int64_t> secondsUntilEligible(const keys::KeyPool& pool, const Clock& clock,
                                                 std::string_view model) {
  const auto until = pool.nextEligibleAt(model);
  if (!until) return std::nullopt;
  return std::max<std::int64_t>(
      0, std::chrono::ceil<std::chrono::seconds>(*until - clock.now()).count());
}

// Replaces any Retry-After line among `fields` ("Name: value\r\n" lines) with `seconds`.
void setRetryAfter(std::string& fields, std::int64_t seconds) {
  std::string out;
  out.reserve(fields.size() + 24);
  std::size_t i = 0;
  while (i < fields.size()) {
    auto end = fields.find("\r\n", i);
    end = end == std::string::npos ? fields.size() : end + 2;
    const std::string_view line(fields.data() + i, end - i);
    if (!beast::iequals(line.substr(0, std::min<std::size_t>(line.size(), 12)), "retry-after:")) {
      out.append(line);
    }
    i = end;
  }
  out.append("Retry-After: ").append(std::to_string(seconds)).append("\r\n");
  fields = std::move(out);
}

// The result of a call whose client went away: nothing more is written to it.
UpstreamResult clientLeft(net::HttpExchange& ex) {
  ex.abortResponse();
  UpstreamResult gone;
  gone.kind = UpstreamResult::Kind::ClientGone;
  return gone;
}

}  // namespace

unsigned IdentityRelay::head(unsigned upstream_status, const bhttp::fields& upstream,
                             bhttp::fields& out) {
  for (const auto& h : upstream) {
    if (dropResponseHeader(h.name(), h.name_string()) ||
        nominatedByConnection(upstream[bhttp::field::connection], h.name_string())) {
      continue;
    }
    out.insert(h.name_string(), h.value());
  }
  // Without a length the body reaches the client chunked, so an error event can still end it.
  sse_stream_ = upstream.find(bhttp::field::content_length) == upstream.end() &&
                beast::iequals(std::string_view(upstream[bhttp::field::content_type]).substr(0, 17),
                               "text/event-stream");
  return upstream_status;
}

std::string_view breakMessage(BreakReason reason) {
  return reason == BreakReason::Shutdown
             ? "The gateway is shutting down; the stream was cut. Retry the request."
             : "The upstream stream was interrupted.";
}

std::string IdentityRelay::broken(BreakReason reason) {
  if (!sse_stream_) return {};
  // End the stream cleanly with an error event the SDKs understand.
  const unsigned code = reason == BreakReason::Shutdown ? 503 : 502;
  std::string out = "data: {\"error\":{\"code\":";
  out.append(std::to_string(code)).append(",\"message\":\"").append(breakMessage(reason));
  out.append("\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n");
  return out;
}

asio::awaitable<UpstreamResult> UpstreamCaller::call(net::HttpExchange& ex,
                                                     const UpstreamRequest& request,
                                                     StreamRelay* relay,
                                                     std::size_t buffered_limit) {
  const auto cfg = deps_.config.snapshot();
  const Origin origin{cfg->upstream_tls, cfg->upstream_host, cfg->upstream_port};
  net::UpstreamTimeouts timeouts;
  timeouts.connect = std::chrono::seconds(cfg->upstream_connect_timeout_seconds);
  timeouts.tls = timeouts.connect;
  timeouts.first_byte = std::chrono::seconds(cfg->upstream_first_byte_timeout_seconds);
  timeouts.idle = std::chrono::seconds(cfg->upstream_idle_timeout_seconds);
  timeouts.total = std::chrono::seconds(cfg->upstream_total_timeout_seconds);
  const std::int64_t deadline = deps_.clock.monotonicMs() + timeouts.total.count();
  const std::string& model = request.model;

  // The head every attempt shares, checked once by the writer; only the key line differs.
  auto base = sharedHead(request, origin);
  if (!base) {
    spdlog::warn("msg=\"upstream request refused\" request_id={} error={}", ex.info().request_id,
                 logValue(base.error().message));
    UpstreamResult refused;
    refused.kind = UpstreamResult::Kind::Refused;
    refused.network_error = base.error().message;
    co_return refused;
  }

  auto worker = deps_.worker();
  net::UpstreamClient client(*worker.upstream, deps_.clock);
  const ExchangePlan plan{request, relay, buffered_limit, cfg->error_policy};
  std::vector<std::int64_t> tried;
  std::optional<Attempt> last;
  const int max_attempts = 1 + cfg->proxy_retry_max_count;
  int transient_retries = 0;

  for (int attempt_no = 0; attempt_no < max_attempts; ++attempt_no) {
    if (deps_.clock.monotonicMs() >= deadline) break;
    auto pick = deps_.keys.pick(model, tried);
    if (!pick) break;
    tried.push_back(pick->id);

    net::RequestHead keyed = *base;
    const Status key_ok = request.bearer_key ? keyed.add("Authorization", "Bearer " + pick->value)
                                             : keyed.add("x-goog-api-key", pick->value);
    if (!key_ok) {
      // A stored key no header can carry: never send it, and take it out of rotation.
      deps_.keys.recordRejected(pick->id, "the key holds characters a header cannot carry",
                                keys::KeyPool::Rejection::Conclusive);
      continue;
    }
    const net::UpstreamSend send{.origin = origin,
                                 .head = keyed,
                                 .body = request.body,
                                 .timeouts = timeouts,
                                 .deadline_ms = deadline};

    // Until the answer's head (and a buffered answer's body) is in, a client that leaves
    // cancels the attempt: the upstream connection is closed and nothing is retried.
    Attempt attempt;
    UpstreamResult& result = attempt.result;
    Exchange upstream;
    {
      using namespace asio::experimental::awaitable_operators;
      co_await (exchange(client, send, plan, upstream, attempt) || ex.waitClientGone());
    }
    if (ex.clientGone()) {
      upstream.answer.reset();
      spdlog::debug("msg=\"client left before the answer\" request_id={} key_id={}",
                    ex.info().request_id, pick->id);
      co_return clientLeft(ex);
    }

    if (upstream.relay && upstream.answer) {
      // Relay the answer as it arrives. From here on the client has bytes: no retry.
      attempt.outcome.kind = OutcomeKind::Success;
      attempt.state = Attempt::State::Answered;
      result.kind = UpstreamResult::Kind::Relayed;
      co_await relayAnswer(ex, plan, *upstream.answer);
    }

    // Record the outcome on the key, and count the attempt. A client error is not the key's
    // failure.
    recordAttempt(*cfg, pick->id, model, attempt.outcome);
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("msg=attempt request_id={} key_id={} model={} outcome={} status={}",
                    ex.info().request_id, pick->id, logValue(model),
                    logValue(attempt.outcome.reason), result.status);
    }
    if (attempt.state == Attempt::State::Answered) co_return std::move(result);
    last = std::move(attempt);
    if (last->outcome.kind == OutcomeKind::Transient && attempt_no + 1 < max_attempts) {
      const auto delay = transientBackoff(
          transient_retries++, std::chrono::milliseconds(cfg->proxy_retry_backoff_ms), *worker.rng);
      if (delay.count() > 0) {
        using namespace asio::experimental::awaitable_operators;
        const auto executor = co_await asio::this_coro::executor;
        asio::steady_timer timer(executor, delay);
        co_await (timer.async_wait(asio::as_tuple(asio::use_awaitable)) || ex.waitClientGone());
        if (ex.clientGone()) co_return clientLeft(ex);
      }
    }
  }

  // Every attempt failed, or no key could be picked.
  if (last) {
    UpstreamResult result = std::move(last->result);
    // The last attempt's 429, when no key can take the model now either: the client learns when
    // one can (for the native routes through the passed-through headers).
    if (result.kind == UpstreamResult::Kind::Answer && result.status == 429) {
      if (auto secs = secondsUntilEligible(deps_.keys, deps_.clock, model); secs && *secs > 0) {
        result.retry_after_seconds = secs;
        setRetryAfter(result.fields, *secs);
      }
    }
    co_return result;
  }
  UpstreamResult none;
  none.kind = UpstreamResult::Kind::NoKey;
  if (auto secs = secondsUntilEligible(deps_.keys, deps_.clock, model)) {
    // At least 1: the pick just failed (another request may have taken the last token).
    none.retry_after_seconds = std::max<std::int64_t>(1, *secs);
  }
  co_return none;
}

void UpstreamCaller::recordAttempt(const config::RuntimeConfig& cfg, std::int64_t key_id,
                                   const std::string& model, const AttemptOutcome& outcome) {
  if (deps_.calls) {
    const bool failed =
        outcome.kind != OutcomeKind::Success && outcome.kind != OutcomeKind::ClientError;
    deps_.calls->record(key_id, failed, deps_.clock.now());
  }
  switch (outcome.kind) {
    case OutcomeKind::Success:
      deps_.keys.recordSuccess(key_id);
      break;
    case OutcomeKind::ClientError:
    case OutcomeKind::Transient:
      deps_.keys.recordTransient(key_id);
      break;
    case OutcomeKind::Cooldown:
      if (model.empty()) {
        deps_.keys.recordTransient(key_id);
      } else {
        deps_.keys.recordCooldown(
            key_id, model,
            cooldownUntil(outcome, deps_.clock.now(),
                          std::chrono::seconds(cfg.key_cooldown_default_seconds)),
            outcome.reason);
      }
      break;
    case OutcomeKind::KeyRejected:
      deps_.keys.recordRejected(key_id, outcome.reason,
                                outcome.key_invalid ? keys::KeyPool::Rejection::Conclusive
                                                    : keys::KeyPool::Rejection::Counted);
      break;
  }
}

std::optional<net::Response> rejectRequest(const net::Request& req, std::string_view raw_query,
                                           const config::RuntimeConfig& cfg,
                                           http::Protocol protocol) {
  if (cfg.api_token.empty()) {
    return http::errorResponse(protocol, 503,
                               "the gateway has no api_token configured; set it in the console");
  }
  const std::string query_key = http::queryParam(raw_query, "key");
  const TokenSources sources{req[bhttp::field::authorization], req["x-goog-api-key"],
                             req["x-api-key"], query_key};
  const auto token = presentedToken(sources);
  if (!token || !tokenMatches(*token, cfg.api_token_digest)) {
    std::string_view hint = "send x-goog-api-key";
    if (protocol == http::Protocol::OpenAI) hint = "send Authorization: Bearer <token>";
    if (protocol == http::Protocol::Anthropic) hint = "send x-api-key";
    return http::errorResponse(protocol, 401,
                               token ? std::string("the gateway token is not valid")
                                     : "missing gateway token: " + std::string(hint));
  }
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
