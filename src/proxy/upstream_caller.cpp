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

// Waits until the client closes its connection (or `stop` is set and the socket cancelled).
asio::awaitable<void> watchClientGone(beast::tcp_stream& client, bool& gone,
                                      net::UpstreamConnection& upstream) {
  auto [ec] = co_await client.socket().async_wait(asio::ip::tcp::socket::wait_read,
                                                  asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;  // cancelled: the relay finished first
  boost::system::error_code aec;
  if (client.socket().available(aec) == 0) {
    // Readable with nothing to read: the peer closed. Free the upstream connection now.
    gone = true;
    upstream.close();
    co_return;
  }
  // The client sent more data (a pipelined request): it is alive; stop watching.
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

std::string IdentityRelay::broken() {
  if (!sse_chunked_) return {};
  // End the stream cleanly with an error event the SDKs understand.
  return "data: {\"error\":{\"code\":502,\"message\":\"The upstream stream was "
         "interrupted.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
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

  auto worker = deps_.worker();
  std::vector<std::int64_t> tried;
  std::optional<Attempt> last;
  const int max_attempts = 1 + cfg->proxy_retry_max_count;
  int transient_retries = 0;

  for (int attempt_no = 0; attempt_no < max_attempts; ++attempt_no) {
    if (monotonicMs() >= deadline) break;
    auto pick = deps_.keys.pick(model, tried);
    if (!pick) break;
    tried.push_back(pick->id);

    // The upstream request head, written by hand: one string, no field container.
    std::string up_head;
    up_head.reserve(256 + request.target.size() + request.fields.size());
    up_head.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
    up_head.append(request.fields);
    up_head.append("Host: ").append(origin.hostHeader()).append("\r\n");
    if (request.bearer_key) {
      up_head.append("Authorization: Bearer ").append(pick->value).append("\r\n");
    } else {
      up_head.append("x-goog-api-key: ").append(pick->value).append("\r\n");
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      up_head.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
    }
    up_head.append("\r\n");
    const std::string_view up_body = request.body;

    Attempt attempt;
    UpstreamResult& result = attempt.result;
    result.kind = UpstreamResult::Kind::Unreachable;
    bool reused = false;
    auto conn_r = co_await worker.upstream->acquire(origin, timeouts, reused);
    std::unique_ptr<net::UpstreamConnection> conn;
    std::optional<bhttp::response_parser<bhttp::empty_body>> head_storage;
    auto fresh_parser = [&]() -> bhttp::response_parser<bhttp::empty_body>& {
      head_storage.emplace();
      head_storage->body_limit(boost::none);
      if (request.head_only) head_storage->skip(true);
      return *head_storage;
    };
    fresh_parser();
    boost::system::error_code ec;
    if (!conn_r) {
      attempt.outcome.kind = OutcomeKind::Transient;
      attempt.outcome.reason = conn_r.error().code;
      result.timed_out = conn_r.error().code == "upstream_timeout";
      result.network_error = conn_r.error().message;
    } else {
      // Writes the request on `conn` and reads the answer's head, within the phase deadlines.
      auto send_and_read_head = [&]() -> asio::awaitable<boost::system::error_code> {
        conn->tcp().expires_after(phase(timeouts.idle, deadline));
        auto wec = co_await conn->visit([&](auto& s) { return writeRequest(s, up_head, up_body); });
        if (wec) co_return wec;
        conn->tcp().expires_after(phase(timeouts.first_byte, deadline));
        co_return co_await conn->visit([&](auto& s) {
          return readUpstream(s, conn->buffer(), *head_storage, ReadKind::Header);
        });
      };
      conn = std::move(*conn_r);
      ec = co_await send_and_read_head();
      if (ec && reused && ec != beast::error::timeout) {
        // A pooled connection the upstream had closed: retry once on a fresh one; no key blame.
        conn->close();
        conn.reset();
        auto fresh = co_await worker.upstream->acquire(origin, timeouts, reused);
        if (fresh) {
          conn = std::move(*fresh);
          fresh_parser();
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
        if (conn) conn->close();
      }
    }

    if (conn && !ec) {
      auto& head = *head_storage;
      const unsigned status = head.get().result_int();
      const auto length = head.content_length();
      const bool ok = status >= 200 && status < 300;
      const bool relayed = relay != nullptr && ok && !head.is_done() &&
                           (request.streaming || !length || *length > buffered_limit);
      if (!relayed) {
        // Small answers and every error: read whole, then classify.
        bhttp::response_parser<bhttp::string_body> full(std::move(head));
        full.body_limit(ok ? buffered_limit : kErrorBodyLimit);
        if (!full.is_done()) {
          conn->tcp().expires_after(phase(timeouts.idle, deadline));
          ec = co_await conn->visit(
              [&](auto& s) { return readUpstream(s, conn->buffer(), full, ReadKind::All); });
        }
        if (ec) {
          attempt.outcome.kind = OutcomeKind::Transient;
          attempt.outcome.reason = "network";
          result.timed_out = ec == beast::error::timeout;
          result.network_error = ec.message();
          conn->close();
        } else {
          auto& msg = full.get();
          attempt.outcome = classifyResponse(status, msg.body(), cfg->error_policy);
          result.kind = UpstreamResult::Kind::Answer;
          result.status = status;
          result.content_type = std::string(msg[bhttp::field::content_type]);
          result.fields = filteredFields(msg.base());
          result.body = std::move(msg.body());
          if (full.keep_alive()) {
            worker.upstream->release(std::move(conn));
          } else {
            conn->close();
          }
          if (attempt.outcome.kind == OutcomeKind::Success ||
              attempt.outcome.kind == OutcomeKind::ClientError) {
            attempt.state = Attempt::State::Answered;
          }
        }
      } else {
        // Relay the answer as it arrives. From here on the client has bytes: no retry.
        attempt.outcome.kind = OutcomeKind::Success;
        attempt.state = Attempt::State::Answered;
        result.kind = UpstreamResult::Kind::Relayed;
        result.status = status;
        bhttp::response_parser<bhttp::buffer_body> body(std::move(head));
        bhttp::response<bhttp::empty_body> out{bhttp::status::ok, 11};
        const bool identity = relay->identity();
        const bool chunked = !identity || !length.has_value();
        if (chunked) {
          out.chunked(true);
        } else {
          out.content_length(*length);
        }
        relay->head(status, body.get().base(), out);
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
            conn->tcp().expires_after(phase(timeouts.idle, deadline));
            auto rec = co_await conn->visit(
                [&](auto& s) { return readUpstream(s, conn->buffer(), body, ReadKind::Some); });
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
              const std::string translated = relay->transform(piece);
              written = co_await writePiece(ex, translated, chunked);
            }
            if (!written) client_gone = true;
          }
        };
        if (!client_gone) {
          if (request.streaming) {
            using namespace asio::experimental::awaitable_operators;
            bool watcher_gone = false;
            auto pump_then_stop = [&]() -> asio::awaitable<void> {
              co_await pump();
              boost::system::error_code cec;
              client.socket().cancel(cec);
            };
            co_await (pump_then_stop() || watchClientGone(client, watcher_gone, *conn));
            if (watcher_gone) client_gone = true;
          } else {
            co_await pump();
          }
        }
        if (client_gone) {
          conn->close();
          ex.closeAfter();
        } else if (upstream_broken) {
          conn->close();
          spdlog::warn("msg=\"upstream stream broke\" request_id={} model={}", ex.info().request_id,
                       logValue(model));
          const std::string tail = relay->broken();
          if (chunked && !tail.empty()) {
            // End the stream cleanly with an error event the client's SDK understands.
            co_await writePiece(ex, tail, true);
            co_await writeLastChunk(ex);
          } else {
            ex.closeAfter();
          }
        } else {
          const std::string tail = relay->finish();
          bool clean = co_await writePiece(ex, tail, chunked);
          if (clean && chunked) clean = co_await writeLastChunk(ex);
          if (!clean) ex.closeAfter();
          if (body.keep_alive()) {
            worker.upstream->release(std::move(conn));
          } else {
            conn->close();
          }
        }
      }
    }

    // Record the outcome on the key, and count the attempt. A client error is not the key's
    // failure.
    if (deps_.calls) {
      const bool failed = attempt.outcome.kind != OutcomeKind::Success &&
                          attempt.outcome.kind != OutcomeKind::ClientError;
      deps_.calls->record(pick->id, failed, deps_.clock.now());
    }
    switch (attempt.outcome.kind) {
      case OutcomeKind::Success:
        deps_.keys.recordSuccess(pick->id);
        break;
      case OutcomeKind::ClientError:
      case OutcomeKind::Transient:
        deps_.keys.recordTransient(pick->id);
        break;
      case OutcomeKind::Cooldown:
        if (model.empty()) {
          deps_.keys.recordTransient(pick->id);
        } else {
          deps_.keys.recordCooldown(
              pick->id, model,
              cooldownUntil(attempt.outcome, deps_.clock.now(),
                            std::chrono::seconds(cfg->key_cooldown_default_seconds)),
              attempt.outcome.reason);
        }
        break;
      case OutcomeKind::KeyRejected:
        deps_.keys.recordRejected(pick->id, attempt.outcome.reason,
                                  attempt.outcome.key_invalid ? keys::KeyPool::Rejection::Conclusive
                                                              : keys::KeyPool::Rejection::Counted);
        break;
    }
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
        asio::steady_timer timer(ex.stream().get_executor(), delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
  }

  // Every attempt failed, or no key could be picked.
  if (last) co_return std::move(last->result);
  UpstreamResult none;
  none.kind = UpstreamResult::Kind::NoKey;
  if (auto until = deps_.keys.nextEligibleAt(model)) {
    // Whole seconds, rounded up: a client that waits that long finds a key.
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(*until - deps_.clock.now()).count();
    none.retry_after_seconds = std::max<std::int64_t>(1, (ms + 999) / 1000);
  }
  co_return none;
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
