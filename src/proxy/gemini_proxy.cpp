#include "proxy/gemini_proxy.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>
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
using namespace std::chrono_literals;
using http::Protocol;

namespace {

constexpr std::size_t kBufferedBodyLimit =
    std::size_t{256} * 1024;  // answers up to this are sent in one write
constexpr std::size_t kErrorBodyLimit = std::size_t{4} * 1024 * 1024;
constexpr std::size_t kRelayChunk = std::size_t{16} * 1024;

std::int64_t monotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and framing headers the relay sets itself.
bool isHopByHopOrFraming(bhttp::field f) {
  switch (f) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_authenticate:
    case bhttp::field::proxy_authorization:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
    case bhttp::field::content_length:
      return true;
    default:
      return false;
  }
}

// Request headers never forwarded upstream: hop-by-hop, framing, and client credentials.
bool dropRequestHeader(bhttp::field f, std::string_view name) {
  if (isHopByHopOrFraming(f)) return true;
  switch (f) {
    case bhttp::field::host:
    case bhttp::field::expect:
    case bhttp::field::authorization:
    case bhttp::field::cookie:
    case bhttp::field::accept_encoding:
    case bhttp::field::forwarded:
      return true;
    default:
      break;
  }
  return beast::iequals(name, "x-goog-api-key") || beast::iequals(name, "x-api-key") ||
         beast::iequals(name, "x-request-id") || beast::iequals(name, "x-forwarded-for") ||
         beast::iequals(name, "x-forwarded-host") || beast::iequals(name, "x-forwarded-proto");
}

// Response headers never relayed to the client.
bool dropResponseHeader(bhttp::field f, std::string_view name) {
  return isHopByHopOrFraming(f) || f == bhttp::field::alt_svc ||
         beast::iequals(name, "x-request-id");
}

template <class Fields>
void copyResponseHeaders(const Fields& from, bhttp::fields& to) {
  for (const auto& h : from) {
    if (dropResponseHeader(h.name(), h.name_string()) ||
        nominatedByConnection(from[bhttp::field::connection], h.name_string())) {
      continue;
    }
    to.insert(h.name_string(), h.value());
  }
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
  // When the upstream answered with an error we keep it, to return it unchanged at the end.
  unsigned status = 0;
  std::string body;
  std::string content_type;
  bool has_response = false;
  bool timed_out = false;
  std::string network_error;
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

}  // namespace

bool nominatedByConnection(std::string_view connection, std::string_view name) {
  std::size_t i = 0;
  while (i < connection.size()) {
    while (i < connection.size() && (connection[i] == ' ' || connection[i] == ',')) ++i;
    const std::size_t start = i;
    while (i < connection.size() && connection[i] != ',' && connection[i] != ' ') ++i;
    if (i > start && beast::iequals(connection.substr(start, i - start), name)) return true;
  }
  return false;
}

std::string_view modelFromPath(std::string_view path) {
  const auto pos = path.find("/models/");
  if (pos == std::string_view::npos) {
    // tunedModels/… also name a model.
    const auto tuned = path.find("/tunedModels/");
    if (tuned == std::string_view::npos) return {};
    std::string_view rest = path.substr(tuned + 1);
    const auto colon = rest.find(':');
    return rest.substr(0, colon);
  }
  std::string_view rest = path.substr(pos + 8);
  const auto end = rest.find_first_of(":/");
  return rest.substr(0, end);
}

bool isStreamingCall(std::string_view path, std::string_view query) {
  if (path.find(":streamGenerateContent") != std::string_view::npos) return true;
  return query.find("alt=sse") != std::string_view::npos;
}

std::string stripKeyParam(std::string_view query) {
  std::string out;
  std::size_t i = 0;
  while (i <= query.size()) {
    const auto amp = query.find('&', i);
    const std::string_view part =
        query.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    if (!part.empty() && part != "key" && part.substr(0, 4) != "key=") {
      if (!out.empty()) out.push_back('&');
      out.append(part);
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return out;
}

asio::awaitable<void> GeminiProxy::handle(net::HttpExchange& ex) {
  auto& req = ex.request();
  const auto cfg = deps_.config.snapshot();
  const std::string_view target = req.target();
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::string_view raw_query =
      qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);

  // Authenticate the gateway token.
  const std::string query_key = http::queryParam(raw_query, "key");
  TokenSources sources{req[bhttp::field::authorization], req["x-goog-api-key"], req["x-api-key"],
                       query_key};
  const auto token = presentedToken(sources);
  if (cfg->api_token.empty()) {
    co_await ex.respond(http::errorResponse(
        Protocol::Gemini, 503, "the gateway has no api_token configured; set it in the console"));
    co_return;
  }
  if (!token || !tokenMatches(*token, cfg->api_token_digest)) {
    co_await ex.respond(http::errorResponse(
        Protocol::Gemini, 401,
        token ? "the gateway token is not valid" : "missing gateway token: send x-goog-api-key"));
    co_return;
  }
  if (cfg->upstream_host.empty()) {
    co_await ex.respond(
        http::errorResponse(Protocol::Gemini, 503, "target_api_url is not configured"));
    co_return;
  }

  const std::string model(modelFromPath(path));
  const bool streaming = isStreamingCall(path, raw_query);
  const std::string query = stripKeyParam(raw_query);
  std::string upstream_target = cfg->upstream_base_path;
  upstream_target.append(path);
  if (!query.empty()) {
    upstream_target.push_back('?');
    upstream_target.append(query);
  }
  // Google's OpenAI-compatible surface takes the key as a Bearer token.
  const bool bearer_key = path.find("/openai/") != std::string_view::npos;
  Origin origin{cfg->upstream_tls, cfg->upstream_host, cfg->upstream_port};

  net::UpstreamTimeouts timeouts;
  timeouts.connect = std::chrono::seconds(cfg->upstream_connect_timeout_seconds);
  timeouts.tls = timeouts.connect;
  timeouts.first_byte = std::chrono::seconds(cfg->upstream_first_byte_timeout_seconds);
  timeouts.idle = std::chrono::seconds(cfg->upstream_idle_timeout_seconds);
  timeouts.total = std::chrono::seconds(cfg->upstream_total_timeout_seconds);
  const std::int64_t deadline = monotonicMs() + timeouts.total.count();

  const std::string_view client_connection = req[bhttp::field::connection];
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

    // Build the upstream request: client headers minus credentials and hop-by-hop ones.
    // The upstream request head, written by hand: one string, no field container.
    std::string up_head;
    up_head.reserve(512 + upstream_target.size());
    up_head.append(req.method_string()).append(" ").append(upstream_target).append(" HTTP/1.1\r\n");
    for (const auto& h : req) {
      if (dropRequestHeader(h.name(), h.name_string()) ||
          nominatedByConnection(client_connection, h.name_string())) {
        continue;
      }
      up_head.append(h.name_string()).append(": ").append(h.value()).append("\r\n");
    }
    up_head.append("Host: ").append(origin.hostHeader()).append("\r\n");
    if (bearer_key) {
      up_head.append("Authorization: Bearer ").append(pick->value).append("\r\n");
    } else {
      up_head.append("x-goog-api-key: ").append(pick->value).append("\r\n");
    }
    if (!req.body().empty() || req.method() == bhttp::verb::post ||
        req.method() == bhttp::verb::put || req.method() == bhttp::verb::patch) {
      up_head.append("Content-Length: ").append(std::to_string(req.body().size())).append("\r\n");
    }
    up_head.append("\r\n");
    const std::string_view up_body = req.body();

    Attempt result;
    bool reused = false;
    auto conn_r = co_await worker.upstream->acquire(origin, timeouts, reused);
    std::unique_ptr<net::UpstreamConnection> conn;
    std::optional<bhttp::response_parser<bhttp::empty_body>> head_storage;
    auto fresh_parser = [&]() -> bhttp::response_parser<bhttp::empty_body>& {
      head_storage.emplace();
      head_storage->body_limit(boost::none);
      if (req.method() == bhttp::verb::head) head_storage->skip(true);
      return *head_storage;
    };
    fresh_parser();
    boost::system::error_code ec;
    if (!conn_r) {
      result.outcome.kind = OutcomeKind::Transient;
      result.outcome.reason = conn_r.error().code;
      result.timed_out = conn_r.error().code == "upstream_timeout";
      result.network_error = conn_r.error().message;
    } else {
      conn = std::move(*conn_r);
      conn->tcp().expires_after(phase(timeouts.idle, deadline));
      ec = co_await conn->visit([&](auto& s) { return writeRequest(s, up_head, up_body); });
      if (!ec) {
        conn->tcp().expires_after(phase(timeouts.first_byte, deadline));
        ec = co_await conn->visit([&](auto& s) {
          return readUpstream(s, conn->buffer(), *head_storage, ReadKind::Header);
        });
      }
      if (ec && reused && ec != beast::error::timeout) {
        // A pooled connection the upstream had closed: retry once on a fresh one; no key blame.
        conn->close();
        conn.reset();
        auto fresh = co_await worker.upstream->acquire(origin, timeouts, reused);
        if (fresh) {
          conn = std::move(*fresh);
          fresh_parser();
          conn->tcp().expires_after(phase(timeouts.idle, deadline));
          ec = co_await conn->visit([&](auto& s) { return writeRequest(s, up_head, up_body); });
          if (!ec) {
            conn->tcp().expires_after(phase(timeouts.first_byte, deadline));
            ec = co_await conn->visit([&](auto& s) {
              return readUpstream(s, conn->buffer(), *head_storage, ReadKind::Header);
            });
          }
        } else {
          ec = asio::error::connection_refused;
        }
      }
      if (ec) {
        result.outcome.kind = OutcomeKind::Transient;
        result.outcome.reason = ec == beast::error::timeout ? "timeout" : "network";
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
      if (!ok || (length && *length <= kBufferedBodyLimit && !streaming) || head.is_done()) {
        // Small answers and every error: read whole, then classify.
        bhttp::response_parser<bhttp::string_body> full(std::move(head));
        full.body_limit(ok ? kBufferedBodyLimit : kErrorBodyLimit);
        if (!full.is_done()) {
          conn->tcp().expires_after(phase(timeouts.idle, deadline));
          ec = co_await conn->visit(
              [&](auto& s) { return readUpstream(s, conn->buffer(), full, ReadKind::All); });
        }
        if (ec) {
          result.outcome.kind = OutcomeKind::Transient;
          result.outcome.reason = "network";
          result.timed_out = ec == beast::error::timeout;
          result.network_error = ec.message();
          conn->close();
        } else {
          auto& msg = full.get();
          result.outcome = classifyResponse(status, msg.body());
          const bool reusable = full.keep_alive();
          if (result.outcome.kind == OutcomeKind::Success ||
              result.outcome.kind == OutcomeKind::ClientError) {
            std::string fields;
            fields.reserve(512);
            for (const auto& h : msg) {
              if (dropResponseHeader(h.name(), h.name_string()) ||
                  nominatedByConnection(msg[bhttp::field::connection], h.name_string())) {
                continue;
              }
              fields.append(h.name_string()).append(": ").append(h.value()).append("\r\n");
            }
            if (reusable) worker.upstream->release(std::move(conn));
            co_await ex.respondRaw(status, fields, msg.body());
            result.state = Attempt::State::Answered;
          } else {
            result.has_response = true;
            result.status = status;
            result.content_type = std::string(msg[bhttp::field::content_type]);
            result.body = std::move(msg.body());
            if (reusable) {
              worker.upstream->release(std::move(conn));
            } else {
              conn->close();
            }
          }
        }
      } else {
        // A successful, streamed or large answer: relay it as it arrives. From here on the
        // client has bytes, so there is no retry.
        result.outcome.kind = OutcomeKind::Success;
        result.state = Attempt::State::Answered;
        bhttp::response_parser<bhttp::buffer_body> body(std::move(head));
        bhttp::response<bhttp::empty_body> out{body.get().result(), 11};
        copyResponseHeaders(body.get().base(), out.base());
        out.set("X-Request-Id", ex.info().request_id);
        const bool chunked = !length.has_value();
        if (chunked) {
          out.chunked(true);
        } else {
          out.content_length(*length);
        }
        out.keep_alive(ex.keepAlive());
        const bool sse = beast::iequals(
            std::string_view(out[bhttp::field::content_type]).substr(0, 17), "text/event-stream");
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
        auto relay = [&]() -> asio::awaitable<void> {
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
            client.expires_after(ex.writeTimeout());
            boost::system::error_code wec;
            if (chunked) {
              auto [e, n] = co_await asio::async_write(
                  client, bhttp::make_chunk(asio::buffer(buf.data(), got)),
                  asio::as_tuple(asio::use_awaitable));
              (void)n;
              wec = e;
            } else {
              auto [e, n] = co_await asio::async_write(client, asio::buffer(buf.data(), got),
                                                       asio::as_tuple(asio::use_awaitable));
              (void)n;
              wec = e;
            }
            if (wec) client_gone = true;
          }
        };
        if (!client_gone) {
          if (streaming) {
            using namespace asio::experimental::awaitable_operators;
            bool watcher_gone = false;
            auto relay_then_stop = [&]() -> asio::awaitable<void> {
              co_await relay();
              boost::system::error_code cec;
              client.socket().cancel(cec);
            };
            co_await (relay_then_stop() || watchClientGone(client, watcher_gone, *conn));
            if (watcher_gone) client_gone = true;
          } else {
            co_await relay();
          }
        }
        if (client_gone) {
          conn->close();
          ex.closeAfter();
        } else if (upstream_broken) {
          conn->close();
          spdlog::warn("msg=\"upstream stream broke\" request_id={} model={}", ex.info().request_id,
                       logValue(model));
          if (chunked && sse) {
            // End the stream cleanly with an error event the SDKs understand.
            static constexpr std::string_view kEvent =
                "data: {\"error\":{\"code\":502,\"message\":\"The upstream stream was "
                "interrupted.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
            client.expires_after(ex.writeTimeout());
            co_await asio::async_write(client, bhttp::make_chunk(asio::buffer(kEvent)),
                                       asio::as_tuple(asio::use_awaitable));
            co_await asio::async_write(client, bhttp::make_chunk_last(),
                                       asio::as_tuple(asio::use_awaitable));
          } else {
            ex.closeAfter();
          }
        } else {
          if (chunked) {
            client.expires_after(ex.writeTimeout());
            auto [e, n] = co_await asio::async_write(client, bhttp::make_chunk_last(),
                                                     asio::as_tuple(asio::use_awaitable));
            (void)n;
            if (e) ex.closeAfter();
          }
          if (body.keep_alive()) {
            worker.upstream->release(std::move(conn));
          } else {
            conn->close();
          }
        }
      }
    }

    // Record the outcome on the key.
    switch (result.outcome.kind) {
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
              cooldownUntil(result.outcome, deps_.clock.now(),
                            std::chrono::seconds(cfg->key_cooldown_default_seconds)),
              result.outcome.reason);
        }
        break;
      case OutcomeKind::KeyRejected:
        deps_.keys.recordRejected(pick->id, result.outcome.reason);
        break;
    }
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("msg=attempt request_id={} key_id={} model={} outcome={} status={}",
                    ex.info().request_id, pick->id, logValue(model),
                    logValue(result.outcome.reason), result.status);
    }
    if (result.state == Attempt::State::Answered) co_return;
    last = std::move(result);
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
  if (last && last->has_response) {
    net::Response out{static_cast<bhttp::status>(last->status), 11};
    if (!last->content_type.empty()) out.set(bhttp::field::content_type, last->content_type);
    out.body() = std::move(last->body);
    co_await ex.respond(std::move(out));
    co_return;
  }
  if (last) {
    // Named locals, not temporaries inside the co_await: g++ 12 destroys class temporaries of a
    // conditional expression twice when the full-expression suspends.
    std::string message = "the upstream did not answer in time";
    if (!last->timed_out) message = "the upstream could not be reached: " + last->network_error;
    auto res = http::errorResponse(Protocol::Gemini, last->timed_out ? 504 : 502, message);
    co_await ex.respond(std::move(res));
    co_return;
  }
  if (auto until = deps_.keys.allCoolingUntil(model)) {
    const auto secs = std::max<std::int64_t>(
        1,
        std::chrono::duration_cast<std::chrono::seconds>(*until - deps_.clock.now()).count() + 1);
    auto res = http::errorResponse(Protocol::Gemini, 429,
                                   "every upstream key is cooling down for this model; retry in " +
                                       std::to_string(secs) + "s");
    res.set(bhttp::field::retry_after, std::to_string(secs));
    co_await ex.respond(std::move(res));
    co_return;
  }
  co_await ex.respond(http::errorResponse(Protocol::Gemini, 503,
                                          "no upstream key is available; add keys in the console"));
}

}  // namespace poise::proxy
