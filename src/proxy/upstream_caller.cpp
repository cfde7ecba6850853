#include "proxy/upstream_caller.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <vector>

#include "core/log.h"
#include "http/error_envelope.h"
#include "http/query.h"
#include "net/request_head.h"
#include "proxy/attempt_outcome.h"
#include "proxy/client_auth.h"

namespace poise::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kErrorBodyLimit = std::size_t{4} * 1024 * 1024;
constexpr std::size_t kRelayChunk = std::size_t{16} * 1024;

std::int64_t monotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Response headers never relayed to the client.
bool dropResponseHeader(bhttp::field f, std::string_view name) {
  return isHopByHopOrFraming(f) || f == bhttp::field::alt_svc ||
         beast::iequals(name, "x-request-id");
}

std::chrono::milliseconds phase(std::chrono::milliseconds limit, std::int64_t deadline_ms) {
  const std::int64_t left = deadline_ms - monotonicMs();
  return std::chrono::milliseconds(
      std::max<std::int64_t>(1, std::min<std::int64_t>(limit.count(), left)));
}

// What one attempt ended with.
struct Attempt {
  enum class State { Answered, Failed } state = State::Failed;
  AttemptOutcome outcome;
  UpstreamResult result;  // an answer (kind Answer) or a network failure (kind Unreachable)
};

template <class Stream>
asio::awaitable<boost::system::error_code> writeRequest(Stream& s, std::string_view head,
                                                        std::string_view body) {
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  auto [ec, n] = co_await asio::async_write(s, buffers, asio::as_tuple(asio::use_awaitable));
  (void)n;
  co_return ec;
}

enum class ReadKind { Header, All, Some };

// One Beast read on the upstream stream (the header, the whole message, or what is available),
// reduced to its error code.
template <class Stream, class Parser>
asio::awaitable<boost::system::error_code> readUpstream(Stream& s, beast::flat_buffer& b, Parser& p,
                                                        ReadKind kind) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  std::tuple<boost::system::error_code, std::size_t> r;
  switch (kind) {
    case ReadKind::Header:
      r = co_await bhttp::async_read_header(s, b, p, token);
      break;
    case ReadKind::All:
      r = co_await bhttp::async_read(s, b, p, token);
      break;
    case ReadKind::Some:
      r = co_await bhttp::async_read_some(s, b, p, token);
      break;
  }
  co_return std::get<0>(r);
}

// Completes when the client has closed its connection (sets `gone`), or when cancelled. A
// client that sends more bytes (a pipelined request) is alive: then it waits until cancelled.
asio::awaitable<void> watchClientGone(beast::tcp_stream& client, bool& gone) {
  auto [ec] = co_await client.socket().async_wait(asio::ip::tcp::socket::wait_read,
                                                  asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_aborted) co_return;  // cancelled: the other side finished
  boost::system::error_code aec;
  if (ec || client.socket().available(aec) == 0) {
    // Readable with nothing to read (or broken): the peer is gone.
    gone = true;
    co_return;
  }
  asio::steady_timer forever(client.get_executor(), std::chrono::hours(24));
  co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Writes `bytes` to the client as one chunk (or raw when not chunked); false when the client
// is gone.
asio::awaitable<bool> writePiece(net::HttpExchange& ex, std::string_view bytes, bool chunked) {
  if (bytes.empty()) co_return true;
  auto& client = ex.stream();
  client.expires_after(ex.writeTimeout());
  boost::system::error_code wec;
  if (chunked) {
    auto [e, n] = co_await asio::async_write(client, bhttp::make_chunk(asio::buffer(bytes)),
                                             asio::as_tuple(asio::use_awaitable));
    (void)n;
    wec = e;
  } else {
    auto [e, n] = co_await asio::async_write(client, asio::buffer(bytes),
                                             asio::as_tuple(asio::use_awaitable));
    (void)n;
    wec = e;
  }
  co_return !wec;
}

asio::awaitable<bool> writeLastChunk(net::HttpExchange& ex) {
  auto& client = ex.stream();
  client.expires_after(ex.writeTimeout());
  auto [e, n] = co_await asio::async_write(client, bhttp::make_chunk_last(),
                                           asio::as_tuple(asio::use_awaitable));
  (void)n;
  co_return !e;
}

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
  if (auto st = head->add("Host", origin.hostHeader()); !st) return st.error();
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    if (auto st = head->add("Content-Length", std::to_string(request.body.size())); !st) {
      return st.error();
    }
  }
  return head;
}

// What one attempt sends, and within which limits.
struct ExchangePlan {
  const Origin& origin;
  const net::UpstreamTimeouts& timeouts;
  std::int64_t deadline_ms;
  std::string_view head;
  const UpstreamRequest& request;
  StreamRelay* relay;
  std::size_t buffered_limit;
  const keys::ErrorPolicy& policy;
};

// The upstream side of one attempt: its connection and the answer's head, kept for the relay.
struct Exchange {
  std::unique_ptr<net::UpstreamConnection> conn;
  std::optional<bhttp::response_parser<bhttp::empty_body>> head;
  bool relay = false;  // a 2xx answer to relay as it arrives (head read, body not)

  bhttp::response_parser<bhttp::empty_body>& freshHead(bool head_only) {
    head.emplace();
    head->body_limit(boost::none);
    if (head_only) head->skip(true);
    return *head;
  }
};

// Returns a connection to the pool only when its answer was read to the end, the upstream
// allows reuse and no byte beyond the answer is buffered; closes it otherwise.
void releaseOrClose(WorkerContext& worker, std::unique_ptr<net::UpstreamConnection> conn, bool done,
                    bool keep_alive) {
  if (done && keep_alive && conn->buffer().size() == 0) {
    worker.upstream->release(std::move(conn));
  } else {
    conn->close();
  }
}

// One attempt up to its decision: acquire a connection, send the request, read the answer's
// head, and read a small answer or any error whole. Leaves `up.relay` set when the answer is
// to be relayed instead. Cancellable at every wait (the client-gone race).
asio::awaitable<void> exchange(WorkerContext& worker, const ExchangePlan& plan, Exchange& up,
                               Attempt& attempt) {
  UpstreamResult& result = attempt.result;
  result.kind = UpstreamResult::Kind::Unreachable;
  const auto& request = plan.request;
  bool reused = false;
  auto conn_r = co_await worker.upstream->acquire(plan.origin, plan.timeouts, reused);
  if (!conn_r) {
    attempt.outcome.kind = OutcomeKind::Transient;
    attempt.outcome.reason = conn_r.error().code;
    result.timed_out = conn_r.error().code == "upstream_timeout";
    result.network_error = conn_r.error().message;
    co_return;
  }
  up.conn = std::move(*conn_r);
  up.freshHead(request.head_only);
  // Writes the request on up.conn and reads the answer's head, within the phase deadlines.
  auto send_and_read_head = [&]() -> asio::awaitable<boost::system::error_code> {
    auto& conn = *up.conn;
    conn.tcp().expires_after(phase(plan.timeouts.idle, plan.deadline_ms));
    auto wec =
        co_await conn.visit([&](auto& s) { return writeRequest(s, plan.head, request.body); });
    if (wec) co_return wec;
    conn.tcp().expires_after(phase(plan.timeouts.first_byte, plan.deadline_ms));
    co_return co_await conn.visit(
        [&](auto& s) { return readUpstream(s, conn.buffer(), *up.head, ReadKind::Header); });
  };
  auto ec = co_await send_and_read_head();
  if (ec && reused && ec != beast::error::timeout && ec != asio::error::operation_aborted) {
    // A pooled connection the upstream had closed: retry once on a fresh one; no key blame.
    up.conn->close();
    up.conn.reset();
    auto fresh = co_await worker.upstream->acquire(plan.origin, plan.timeouts, reused);
    if (fresh) {
      up.conn = std::move(*fresh);
      up.freshHead(request.head_only);
      ec = co_await send_and_read_head();
    } else {
      ec = asio::error::connection_refused;
    }
  }
  if (ec) {
    attempt.outcome.kind = OutcomeKind::Transient;
    attempt.outcome.reason = ec == beast::error::timeout ? "timeout" : "network";
    result.timed_out = ec == beast::error::timeout;
    result.network_error = ec.message();
    if (up.conn) up.conn->close();
    co_return;
  }

  auto& head = *up.head;
  const unsigned status = head.get().result_int();
  result.status = status;
  const auto length = head.content_length();
  const bool ok = status >= 200 && status < 300;
  if (plan.relay != nullptr && ok && !head.is_done() &&
      (request.streaming || !length || *length > plan.buffered_limit)) {
    up.relay = true;
    co_return;
  }
  // Small answers and every error: read whole, then classify.
  bhttp::response_parser<bhttp::string_body> full(std::move(head));
  full.body_limit(ok ? plan.buffered_limit : kErrorBodyLimit);
  if (!full.is_done()) {
    up.conn->tcp().expires_after(phase(plan.timeouts.idle, plan.deadline_ms));
    ec = co_await up.conn->visit(
        [&](auto& s) { return readUpstream(s, up.conn->buffer(), full, ReadKind::All); });
  }
  if (ec) {
    attempt.outcome.kind = OutcomeKind::Transient;
    attempt.outcome.reason = "network";
    result.timed_out = ec == beast::error::timeout;
    result.network_error = ec.message();
    up.conn->close();
    co_return;
  }
  auto& msg = full.get();
  attempt.outcome = classifyResponse(status, msg.body(), plan.policy);
  result.kind = UpstreamResult::Kind::Answer;
  result.content_type = std::string(msg[bhttp::field::content_type]);
  result.fields = filteredFields(msg.base());
  result.body = std::move(msg.body());
  releaseOrClose(worker, std::move(up.conn), full.is_done(), full.keep_alive());
  if (attempt.outcome.kind == OutcomeKind::Success ||
      attempt.outcome.kind == OutcomeKind::ClientError) {
    attempt.state = Attempt::State::Answered;
  }
}

// Relays a 2xx answer whose head `up` holds to the client as it arrives, then releases or
// closes the upstream connection. For streams a watcher frees the upstream connection as soon as
// the client goes away; an upstream that breaks off mid-way gets the relay's closing bytes.
asio::awaitable<void> relayAnswer(net::HttpExchange& ex, WorkerContext& worker,
                                  const ExchangePlan& plan, Exchange& up) {
  auto& conn = *up.conn;
  StreamRelay& relay = *plan.relay;
  bhttp::response_parser<bhttp::buffer_body> body(std::move(*up.head));
  const auto length = body.content_length();
  bhttp::response<bhttp::empty_body> out{bhttp::status::ok, 11};
  const bool identity = relay.identity();
  const bool chunked = !identity || !length.has_value();
  if (chunked) {
    out.chunked(true);
  } else {
    out.content_length(*length);
  }
  relay.head(body.get().result_int(), body.get().base(), out);
  out.keep_alive(ex.keepAlive());
  bhttp::response_serializer<bhttp::empty_body> sr(out);
  auto& client = ex.stream();
  client.expires_after(ex.writeTimeout());
  ex.markAnswered();
  ex.setStatus(out.result_int());
  auto [hec, hn] =
      co_await bhttp::async_write_header(client, sr, asio::as_tuple(asio::use_awaitable));
  (void)hn;
  bool client_gone = static_cast<bool>(hec);
  bool upstream_broken = false;
  std::vector<char> buf(kRelayChunk);
  auto pump = [&]() -> asio::awaitable<void> {
    while (!client_gone && !body.is_done()) {
      body.get().body().data = buf.data();
      body.get().body().size = buf.size();
      conn.tcp().expires_after(phase(plan.timeouts.idle, plan.deadline_ms));
      auto rec = co_await conn.visit(
          [&](auto& s) { return readUpstream(s, conn.buffer(), body, ReadKind::Some); });
      if (rec == bhttp::error::need_buffer) rec = {};
      if (rec) {
        upstream_broken = true;
        co_return;
      }
      const std::size_t got = buf.size() - body.get().body().size;
      if (got == 0) continue;
      const std::string_view piece(buf.data(), got);
      bool written = false;
      if (identity) {
        written = co_await writePiece(ex, piece, chunked);
      } else {
        const std::string translated = relay.transform(piece);
        written = co_await writePiece(ex, translated, chunked);
      }
      if (!written) client_gone = true;
    }
  };
  net::StopNotice* stop = ex.stopNotice();
  if (!client_gone) {
    if (plan.request.streaming) {
      // Until the stream ends: the client leaving frees the upstream connection, and the end of
      // the shutdown grace ends the stream with a terminal error event.
      using namespace asio::experimental::awaitable_operators;
      bool watcher_gone = false;
      if (stop != nullptr) {
        co_await (pump() || watchClientGone(client, watcher_gone) || stop->wait());
      } else {
        co_await (pump() || watchClientGone(client, watcher_gone));
      }
      if (watcher_gone) client_gone = true;
    } else {
      co_await pump();
    }
  }
  const bool shutdown = stop != nullptr && stop->raised() && !client_gone && !body.is_done();
  if (client_gone) {
    conn.close();
    ex.closeAfter();
  } else if (upstream_broken || shutdown) {
    conn.close();
    if (shutdown) {
      spdlog::info("msg=\"stream cut by shutdown\" request_id={} model={}", ex.info().request_id,
                   logValue(plan.request.model));
    } else {
      spdlog::warn("msg=\"upstream stream broke\" request_id={} model={}", ex.info().request_id,
                   logValue(plan.request.model));
    }
    const std::string tail =
        relay.broken(shutdown ? BreakReason::Shutdown : BreakReason::UpstreamBroke);
    if (chunked && !tail.empty()) {
      // End the stream cleanly with an error event the client's SDK understands.
      co_await writePiece(ex, tail, true);
      co_await writeLastChunk(ex);
    } else {
      ex.closeAfter();
    }
  } else {
    const std::string tail = relay.finish();
    bool clean = co_await writePiece(ex, tail, chunked);
    if (clean && chunked) clean = co_await writeLastChunk(ex);
    if (!clean) ex.closeAfter();
    releaseOrClose(worker, std::move(up.conn), body.is_done(), body.keep_alive());
  }
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
UpstreamResult clientGone(net::HttpExchange& ex) {
  ex.markAnswered();
  ex.closeAfter();
  UpstreamResult gone;
  gone.kind = UpstreamResult::Kind::ClientGone;
  return gone;
}

}  // namespace

void IdentityRelay::head(unsigned upstream_status, const bhttp::fields& upstream,
                         bhttp::response<bhttp::empty_body>& out) {
  out.result(upstream_status);
  for (const auto& h : upstream) {
    if (dropResponseHeader(h.name(), h.name_string()) ||
        nominatedByConnection(upstream[bhttp::field::connection], h.name_string())) {
      continue;
    }
    out.insert(h.name_string(), h.value());
  }
  out.set("X-Request-Id", request_id_);
  sse_chunked_ = out.chunked() &&
                 beast::iequals(std::string_view(out[bhttp::field::content_type]).substr(0, 17),
                                "text/event-stream");
}

std::string_view breakMessage(BreakReason reason) {
  return reason == BreakReason::Shutdown
             ? "The gateway is shutting down; the stream was cut. Retry the request."
             : "The upstream stream was interrupted.";
}

std::string IdentityRelay::broken(BreakReason reason) {
  if (!sse_chunked_) return {};
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
  const std::int64_t deadline = monotonicMs() + timeouts.total.count();
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
  std::vector<std::int64_t> tried;
  std::optional<Attempt> last;
  const int max_attempts = 1 + cfg->proxy_retry_max_count;
  int transient_retries = 0;
  auto& client = ex.stream();

  for (int attempt_no = 0; attempt_no < max_attempts; ++attempt_no) {
    if (monotonicMs() >= deadline) break;
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
    const std::string up_head = keyed.finish();

    // Until the answer's head (and a buffered answer's body) is in, a client that leaves
    // cancels the attempt: the upstream connection is closed and nothing is retried.
    Attempt attempt;
    UpstreamResult& result = attempt.result;
    Exchange upstream;
    const ExchangePlan plan{origin,  timeouts, deadline,       up_head,
                            request, relay,    buffered_limit, cfg->error_policy};
    bool client_gone = false;
    {
      using namespace asio::experimental::awaitable_operators;
      co_await (exchange(worker, plan, upstream, attempt) || watchClientGone(client, client_gone));
    }
    if (client_gone) {
      if (upstream.conn) upstream.conn->close();
      spdlog::debug("msg=\"client left before the answer\" request_id={} key_id={}",
                    ex.info().request_id, pick->id);
      co_return clientGone(ex);
    }

    if (upstream.relay) {
      // Relay the answer as it arrives. From here on the client has bytes: no retry.
      attempt.outcome.kind = OutcomeKind::Success;
      attempt.state = Attempt::State::Answered;
      result.kind = UpstreamResult::Kind::Relayed;
      co_await relayAnswer(ex, worker, plan, upstream);
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
        asio::steady_timer timer(client.get_executor(), delay);
        co_await (timer.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                  watchClientGone(client, client_gone));
        if (client_gone) co_return clientGone(ex);
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
