#include "proxy/attempt_loop.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <vector>

#include "core/log.h"
#include "net/request_head.h"
#include "proxy/affinity.h"
#include "proxy/attempt_outcome.h"
#include "proxy/header_filter.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kErrorBodyLimit = std::size_t{4} * 1024 * 1024;

// What one attempt ended with.
struct Attempt {
  bool answered = false;  // the loop ends with this attempt's answer
  AttemptOutcome outcome;
  UpstreamResult result;  // an answer (kind Answer) or a network failure (kind Unreachable)
  std::unique_ptr<net::UpstreamAnswer> relay;  // a 2xx answer to relay, its body unread
};

}  // namespace

std::string_view outcomeWord(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::Success:
      return "success";
    case OutcomeKind::Cooldown:
      return "cooldown";
    case OutcomeKind::KeyRejected:
      return "rejected";
    case OutcomeKind::Transient:
      return "transient";
    case OutcomeKind::ClientError:
      return "client_error";
  }
  return "transient";
}

namespace {

// The parts of the upstream request head that do not depend on the key, through the writer
// that refuses anything that could split the head.
Result<net::RequestHead> sharedHead(const UpstreamRequest& request, const Origin& origin) {
  auto head = net::RequestHead::start(request.method, request.target);
  if (!head) return head.error();
  if (auto st = head->addLines(request.fields); !st) return st.error();
  if (auto st = head->addHostAndLength(origin, request.body.size()); !st) return st.error();
  return head;
}

// A network failure: transient for the key (a stale pooled connection was already replaced by
// the transport and is nobody's fault).
void noteFailure(Attempt& attempt, const net::UpstreamError& error) {
  attempt.outcome.kind = OutcomeKind::Transient;
  attempt.outcome.reason = std::string(net::toString(error.kind));
  attempt.result.kind = UpstreamResult::Kind::Unreachable;
  attempt.result.timed_out = error.timedOut();
  attempt.result.network_error = error.message;
}

// One attempt up to its decision: send the request, read the answer's head, and read a small
// answer or any error whole; keep a 2xx answer that is to be relayed in `attempt.relay`.
// Cancellable at every wait (the client-gone race).
asio::awaitable<void> exchange(net::UpstreamTransport& upstream, const net::UpstreamSend& send,
                               const UpstreamRequest& request, bool relayable,
                               std::size_t buffered_limit, const keys::ErrorPolicy& policy,
                               Attempt& attempt) {
  UpstreamResult& result = attempt.result;
  auto sent = co_await upstream.send(send);
  if (!sent) {
    noteFailure(attempt, sent.error());
    co_return;
  }
  std::unique_ptr<net::UpstreamAnswer> answer = std::move(*sent);
  const unsigned status = answer->status();
  result.status = status;
  const auto length = answer->contentLength();
  const bool ok = status >= 200 && status < 300;
  if (relayable && ok && !answer->done() &&
      (request.streaming || !length || *length > buffered_limit)) {
    attempt.outcome.kind = OutcomeKind::Success;
    attempt.answered = true;
    attempt.relay = std::move(answer);
    co_return;
  }
  // Small answers and every error: read whole, then classify.
  auto body = co_await answer->readAll(ok ? buffered_limit : kErrorBodyLimit);
  if (!body) {
    noteFailure(attempt, body.error());
    co_return;
  }
  attempt.outcome = classifyResponse(status, *body, policy);
  result.kind = UpstreamResult::Kind::Answer;
  result.content_type = std::string(answer->headers()[bhttp::field::content_type]);
  result.fields = responseFieldLines(answer->headers());
  result.body = std::move(*body);
  attempt.answered = attempt.outcome.kind == OutcomeKind::Success ||
                     attempt.outcome.kind == OutcomeKind::ClientError;
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

}  // namespace

// Records one attempt's outcome on its key and in the call counters. A client error is not the
// key's failure.
void recordOnKey(const AttemptDeps& deps, std::int64_t key_id, const std::string& model,
                 const AttemptOutcome& outcome) {
  if (deps.calls != nullptr) {
    const bool failed =
        outcome.kind != OutcomeKind::Success && outcome.kind != OutcomeKind::ClientError;
    deps.calls->record(key_id, failed, deps.clock.now());
  }
  switch (outcome.kind) {
    case OutcomeKind::Success:
      deps.keys.recordSuccess(key_id);
      break;
    case OutcomeKind::ClientError:
    case OutcomeKind::Transient:
      deps.keys.recordTransient(key_id);
      break;
    case OutcomeKind::Cooldown:
      if (model.empty()) {
        deps.keys.recordTransient(key_id);
      } else {
        deps.keys.recordCooldown(
            key_id, model,
            cooldownUntil(outcome, deps.clock.now(),
                          std::chrono::seconds(deps.config.key_cooldown_default_seconds)),
            outcome.reason);
      }
      break;
    case OutcomeKind::KeyRejected:
      deps.keys.recordRejected(key_id, outcome.reason,
                               outcome.key_invalid ? keys::KeyPool::Rejection::Conclusive
                                                   : keys::KeyPool::Rejection::Counted);
      break;
  }
}

namespace {

UpstreamResult clientLeft(net::ResponseStream& client, http::RequestRecord& record) {
  client.abortResponse();
  record.fail(http::ErrorClass::ClientGone);
  UpstreamResult gone;
  gone.kind = UpstreamResult::Kind::ClientGone;
  return gone;
}

// Notes how a relay ended in the record (and the log, for a stream that did not finish).
void noteRelayEnd(RelayEnd end, const AttemptDeps& deps, const std::string& model,
                  http::RequestRecord& record) {
  switch (end) {
    case RelayEnd::Finished:
      break;
    case RelayEnd::ClientGone:
      record.fail(http::ErrorClass::ClientGone);
      break;
    case RelayEnd::UpstreamBroke:
      spdlog::warn("msg=\"upstream stream broke\" request_id={} model={}", deps.request_id,
                   logValue(model));
      record.fail(http::ErrorClass::StreamBroken, breakMessage(BreakReason::UpstreamBroke));
      break;
    case RelayEnd::Truncated:
      // The key answered; the stream's end is not its failure, so the key is not blamed.
      spdlog::warn("msg=\"upstream stream truncated\" request_id={} model={}", deps.request_id,
                   logValue(model));
      record.fail(http::ErrorClass::Truncated, breakMessage(BreakReason::Truncated));
      break;
    case RelayEnd::Shutdown:
      spdlog::info("msg=\"stream cut by shutdown\" request_id={} model={}", deps.request_id,
                   logValue(model));
      record.fail(http::ErrorClass::Shutdown, breakMessage(BreakReason::Shutdown));
      break;
  }
}

// Adds the key's line to `head` (x-goog-api-key, or Authorization: Bearer for Google's
// OpenAI-compatible paths). A stored key no header can carry is never sent, and is taken out of
// rotation: false.
bool addKey(const AttemptDeps& deps, net::RequestHead& head, bool bearer, std::int64_t key_id,
            const std::string& value) {
  const Status ok =
      bearer ? head.add("Authorization", "Bearer " + value) : head.add("x-goog-api-key", value);
  if (ok) return true;
  deps.keys.recordRejected(key_id, "the key holds characters a header cannot carry",
                           keys::KeyPool::Rejection::Conclusive);
  return false;
}

// Continues a truncated stream for the relay: the request again, with the continuation body, on
// keys the request has not tried, within its retry count and total deadline. Each attempt is
// noted in the record and on its key like the loop's own.
class AttemptContinuation final : public StreamContinuation {
 public:
  AttemptContinuation(const AttemptDeps& deps, http::RequestRecord& record,
                      const UpstreamRequest& request, const Origin& origin,
                      const net::UpstreamTimeouts& timeouts, std::int64_t deadline_ms,
                      std::vector<std::int64_t>& tried)
      : deps_(deps),
        record_(record),
        request_(request),
        origin_(origin),
        timeouts_(timeouts),
        deadline_ms_(deadline_ms),
        tried_(tried) {}

  asio::awaitable<std::unique_ptr<net::UpstreamAnswer>> next(
      std::string_view text_so_far) override {
    const ContinuationPlan& plan = *request_.continuation;
    if (used_ >= plan.max) co_return nullptr;
    ++used_;
    body_ = plan.body(text_so_far);
    UpstreamRequest again = request_;
    again.body = body_;
    auto base = sharedHead(again, origin_);
    if (!base) co_return nullptr;
    const int max_attempts = 1 + deps_.config.proxy_retry_max_count;
    for (int attempt_no = 0; attempt_no < max_attempts; ++attempt_no) {
      if (deps_.clock.monotonicMs() >= deadline_ms_) break;
      auto pick = deps_.keys.pick(again.model, tried_);
      if (!pick) break;
      tried_.push_back(pick->id);
      net::RequestHead keyed = *base;
      if (!addKey(deps_, keyed, again.bearer_key, pick->id, pick->value)) continue;
      const net::UpstreamSend send{.origin = origin_,
                                   .head = keyed,
                                   .body = again.body,
                                   .timeouts = timeouts_,
                                   .deadline_ms = deadline_ms_};
      const std::int64_t start = deps_.clock.monotonicMs();
      Attempt attempt;
      co_await exchange(deps_.upstream, send, again, true, 0, deps_.config.error_policy, attempt);
      http::KeyAttempt& noted = record_.attempts.emplace_back();
      noted.key_id = pick->id;
      noted.outcome = outcomeWord(attempt.outcome.kind);
      noted.status = attempt.result.status;
      noted.duration_ms = deps_.clock.monotonicMs() - start;
      recordOnKey(deps_, pick->id, again.model, attempt.outcome);
      if (attempt.relay) {
        spdlog::info("msg=\"truncated stream continued\" request_id={} key_id={} continuation={}",
                     deps_.request_id, pick->id, used_);
        co_return std::move(attempt.relay);
      }
      if (attempt.answered) break;  // the request's own fault: another key would not help
    }
    co_return nullptr;
  }

 private:
  const AttemptDeps& deps_;
  http::RequestRecord& record_;
  const UpstreamRequest& request_;
  const Origin& origin_;
  const net::UpstreamTimeouts& timeouts_;
  std::int64_t deadline_ms_;
  std::vector<std::int64_t>& tried_;
  std::string body_;  // the current continuation's body (the send's view points here)
  int used_ = 0;
};

// The answer when every attempt failed (`last`), or when no key could be picked.
UpstreamResult chooseFailure(const AttemptDeps& deps, const std::string& model,
                             std::optional<Attempt>& last, http::RequestRecord& record) {
  if (last) {
    UpstreamResult result = std::move(last->result);
    if (result.kind == UpstreamResult::Kind::Answer) {
      record.fail(
          http::ErrorClass::UpstreamError,
          "upstream HTTP " + std::to_string(result.status) + " (" + last->outcome.reason + ")");
      // The last attempt's 429, when no key can take the model now either: the client learns
      // when one can (for the native routes through the passed-through headers).
      if (result.status == 429) {
        if (auto secs = secondsUntilEligible(deps.keys, deps.clock, model); secs && *secs > 0) {
          result.retry_after_seconds = secs;
          setRetryAfter(result.fields, *secs);
        }
      }
    } else {
      record.fail(result.timed_out ? http::ErrorClass::UpstreamTimeout
                                   : http::ErrorClass::UpstreamUnreachable,
                  result.network_error);
    }
    return result;
  }
  UpstreamResult none;
  none.kind = UpstreamResult::Kind::NoKey;
  if (auto secs = secondsUntilEligible(deps.keys, deps.clock, model)) {
    // At least 1: the pick just failed (another request may have taken the last token).
    none.retry_after_seconds = std::max<std::int64_t>(1, *secs);
  }
  record.fail(http::ErrorClass::NoKey, none.retry_after_seconds
                                           ? "every key is cooling or rate-limited for the model"
                                           : "no key is available");
  return none;
}

// The answer when a pinned request's key cannot be used: no key is tried.
UpstreamResult refusePinned(const UpstreamRequest& request, const PinnedKey& pinned,
                            http::RequestRecord& record) {
  UpstreamResult out;
  out.kind = UpstreamResult::Kind::Denied;
  out.status = pinned.status;
  out.denial = pinnedRefusal(request.pin->resource, pinned.reason);
  out.denial_code = std::string(kResourceKeyUnavailable);
  out.retry_after_seconds = pinned.retry_after_seconds;
  out.key_id = request.pin->key_id;
  record.fail(http::ErrorClass::NoKey, out.denial);
  return out;
}

}  // namespace

asio::awaitable<UpstreamResult> runAttempts(const AttemptDeps& deps, net::ResponseStream& client,
                                            http::RequestRecord& record,
                                            const UpstreamRequest& request,
                                            PieceTranslator* translator,
                                            std::size_t buffered_limit) {
  const config::RuntimeConfig& cfg = deps.config;
  const Origin origin{cfg.upstream_tls, cfg.upstream_host, cfg.upstream_port};
  net::UpstreamTimeouts timeouts;
  timeouts.connect = std::chrono::seconds(cfg.upstream_connect_timeout_seconds);
  timeouts.tls = timeouts.connect;
  timeouts.first_byte = std::chrono::seconds(cfg.upstream_first_byte_timeout_seconds);
  timeouts.idle = std::chrono::seconds(cfg.upstream_idle_timeout_seconds);
  timeouts.total = std::chrono::seconds(cfg.upstream_total_timeout_seconds);
  const std::int64_t deadline = deps.clock.monotonicMs() + timeouts.total.count();
  const std::string& model = request.model;

  // The head every attempt shares, checked once by the writer; only the key line differs.
  auto base = sharedHead(request, origin);
  if (!base) {
    spdlog::warn("msg=\"upstream request refused\" request_id={} error={}", deps.request_id,
                 logValue(base.error().message));
    record.fail(http::ErrorClass::BadRequest, base.error().message);
    UpstreamResult refused;
    refused.kind = UpstreamResult::Kind::Refused;
    refused.network_error = base.error().message;
    co_return refused;
  }

  std::vector<std::int64_t> tried;
  std::optional<Attempt> last;
  const int max_attempts = 1 + cfg.proxy_retry_max_count;
  int transient_retries = 0;

  for (int attempt_no = 0; attempt_no < max_attempts; ++attempt_no) {
    if (deps.clock.monotonicMs() >= deadline) break;
    std::optional<keys::KeyPick> pick;
    if (request.pin) {
      // A pinned request tries its one key again only after a transient failure.
      if (last && last->outcome.kind != OutcomeKind::Transient) break;
      PinnedKey pinned = checkPinnedKey(deps.keys, deps.clock, request.pin->key_id, model);
      if (!pinned.key) co_return refusePinned(request, pinned, record);
      pick = std::move(pinned.key);
    } else {
      pick = deps.keys.pick(model, tried);
    }
    if (!pick) break;
    tried.push_back(pick->id);

    net::RequestHead keyed = *base;
    if (!addKey(deps, keyed, request.bearer_key, pick->id, pick->value)) continue;
    const net::UpstreamSend send{.origin = origin,
                                 .head = keyed,
                                 .body = request.body,
                                 .timeouts = timeouts,
                                 .deadline_ms = deadline};

    // Until the answer's head (and a buffered answer's body) is in, a client that leaves
    // cancels the attempt: the upstream connection is closed and nothing is retried.
    const std::int64_t attempt_start = deps.clock.monotonicMs();
    Attempt attempt;
    {
      using namespace asio::experimental::awaitable_operators;
      co_await (exchange(deps.upstream, send, request, translator != nullptr, buffered_limit,
                         cfg.error_policy, attempt) ||
                client.waitClientGone());
    }
    if (client.clientGone()) {
      attempt.relay.reset();
      spdlog::debug("msg=\"client left before the answer\" request_id={} key_id={}",
                    deps.request_id, pick->id);
      co_return clientLeft(client, record);
    }

    UpstreamResult& result = attempt.result;
    // By index: a continuation adds attempts (and may move them) while the answer is relayed.
    const std::size_t noted_at = record.attempts.size();
    {
      http::KeyAttempt& noted = record.attempts.emplace_back();
      noted.key_id = pick->id;
      noted.outcome = outcomeWord(attempt.outcome.kind);
      noted.status = result.status;
    }
    if (attempt.answered) record.first_byte_ms = deps.clock.monotonicMs();

    protocols::UsageScanner usage;
    if (attempt.relay) {
      // Relay the answer as it arrives. From here on the client has bytes: no retry.
      result.kind = UpstreamResult::Kind::Relayed;
      AttemptContinuation continuation(deps, record, request, origin, timeouts, deadline, tried);
      const RelayEnd end = co_await relayAnswer(
          client, *attempt.relay, *translator, request.streaming, usage,
          std::chrono::seconds(cfg.stream_keepalive_seconds),
          request.continuation != nullptr && request.continuation->max > 0 ? &continuation
                                                                           : nullptr);
      noteRelayEnd(end, deps, model, record);
      record.usage = usage.usage();
    } else if (attempt.answered && attempt.outcome.kind == OutcomeKind::Success) {
      usage.feed(result.body);
      record.usage = usage.usage();
    }
    record.attempts[noted_at].duration_ms = deps.clock.monotonicMs() - attempt_start;

    recordOnKey(deps, pick->id, model, attempt.outcome);
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("msg=attempt request_id={} key_id={} model={} outcome={} status={}",
                    deps.request_id, pick->id, logValue(model), logValue(attempt.outcome.reason),
                    result.status);
    }
    result.key_id = pick->id;
    if (attempt.answered) {
      if (result.kind == UpstreamResult::Kind::Answer && !result.success()) {
        record.fail(http::ErrorClass::UpstreamError,
                    "upstream HTTP " + std::to_string(result.status));
      }
      co_return std::move(result);
    }
    last = std::move(attempt);
    if (last->outcome.kind == OutcomeKind::Transient && attempt_no + 1 < max_attempts) {
      const auto delay = transientBackoff(
          transient_retries++, std::chrono::milliseconds(cfg.proxy_retry_backoff_ms), deps.rng);
      if (delay.count() > 0) {
        using namespace asio::experimental::awaitable_operators;
        const auto executor = co_await asio::this_coro::executor;
        asio::steady_timer timer(executor, delay);
        co_await (timer.async_wait(asio::as_tuple(asio::use_awaitable)) || client.waitClientGone());
        if (client.clientGone()) co_return clientLeft(client, record);
      }
    }
  }
  co_return chooseFailure(deps, model, last, record);
}

}  // namespace poise::proxy
