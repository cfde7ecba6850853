#include "net/live_socket.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>
#include <variant>

namespace poise::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace bhttp = beast::http;

namespace {

using PlainSocket = websocket::stream<beast::tcp_stream&>;
using TlsSocket = websocket::stream<UpstreamConnection::TlsStream&>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A close reason as a frame can carry it: at most 123 bytes, cut on a UTF-8 character boundary
// (a peer fails a close whose reason is not valid UTF-8).
std::string frameReason(std::string_view reason) {
  constexpr std::size_t kMax = 123;
  if (reason.size() <= kMax) return std::string(reason);
  std::size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  return std::string(reason.substr(0, n));
}

template <class Socket>
void configure(Socket& ws, const LiveLimits& limits) {
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = limits.handshake;
  timeout.idle_timeout = limits.idle;
  timeout.keep_alive_pings = true;
  ws.set_option(timeout);
  ws.read_message_max(limits.message_limit);
  ws.auto_fragment(false);
}

}  // namespace

struct LiveSocket::Impl {
  std::unique_ptr<UpstreamConnection> owner;  // the upstream's connection; none for the client
  std::variant<std::monostate, PlainSocket, TlsSocket> ws;
  beast::flat_buffer buffer;
  bool failed = false;

  template <class Fn>
  decltype(auto) visit(Fn&& fn) {
    if (auto* p = std::get_if<PlainSocket>(&ws)) return fn(*p);
    return fn(std::get<TlsSocket>(ws));
  }
  beast::tcp_stream& tcp() {
    return visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); });
  }
};

LiveSocket::LiveSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveSocket::~LiveSocket() = default;

bool LiveSocket::isOpen() const {
  if (impl_->failed) return false;
  return impl_->visit([](auto& s) { return s.is_open(); });
}

void LiveSocket::abort() {
  impl_->failed = true;
  boost::system::error_code ec;
  impl_->tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  impl_->tcp().socket().close(ec);
}

asio::awaitable<LiveRead> LiveSocket::read() {
  Impl& s = *impl_;
  LiveRead out;
  s.buffer.clear();
  auto [ec, n] = co_await s.visit([&](auto& ws) { return ws.async_read(s.buffer, kTuple); });
  (void)n;
  if (!ec) {
    out.kind = LiveRead::Kind::Message;
    out.data = beast::buffers_to_string(s.buffer.data());
    out.binary = s.visit([](auto& ws) { return ws.got_binary(); });
    s.buffer.clear();
    co_return out;
  }
  if (ec == websocket::error::closed) {
    const websocket::close_reason reason = s.visit([](auto& ws) { return ws.reason(); });
    out.kind = LiveRead::Kind::Closed;
    out.close_code = reason.code;
    out.close_reason = std::string(reason.reason.data(), reason.reason.size());
    co_return out;
  }
  s.failed = true;
  out.kind = LiveRead::Kind::Failed;
  out.too_big = ec == websocket::error::message_too_big;
  out.error = ec.message();
  co_return out;
}

asio::awaitable<bool> LiveSocket::write(std::string_view data, bool binary) {
  Impl& s = *impl_;
  if (s.failed) co_return false;
  auto [ec, n] = co_await s.visit([&](auto& ws) {
    ws.binary(binary);
    return ws.async_write(asio::buffer(data.data(), data.size()), kTuple);
  });
  (void)n;
  if (ec) s.failed = true;
  co_return !ec;
}

asio::awaitable<void> LiveSocket::close(unsigned code, std::string_view reason) {
  if (!isOpen()) co_return;
  Impl& s = *impl_;
  websocket::close_reason frame;
  frame.code = static_cast<std::uint16_t>(code);
  const std::string text = frameReason(reason);
  if (code != 0) frame.reason = text;
  auto [ec] = co_await s.visit([&](auto& ws) { return ws.async_close(frame, kTuple); });
  if (ec && ec != asio::error::operation_aborted) abort();
}

bool isWebSocketUpgrade(const Request& request) {
  return websocket::is_upgrade(request);
}

asio::awaitable<std::unique_ptr<LiveSocket>> acceptLiveSocket(HttpExchange& exchange,
                                                              const LiveLimits& limits) {
  beast::tcp_stream& tcp = exchange.takeOverStream();
  tcp.expires_never();  // the WebSocket's own timeouts take over
  auto impl = std::make_unique<LiveSocket::Impl>();
  auto& ws = impl->ws.emplace<PlainSocket>(tcp);
  configure(ws, limits);
  const std::string request_id = exchange.info().request_id;
  ws.set_option(websocket::stream_base::decorator([request_id](websocket::response_type& res) {
    res.set(bhttp::field::server, "gemini-poise");
    res.set("X-Request-Id", request_id);
  }));
  auto [ec] = co_await ws.async_accept(exchange.request(), kTuple);
  if (ec) co_return nullptr;
  co_return std::make_unique<LiveSocket>(std::move(impl));
}

asio::awaitable<UpstreamOr<LiveDial>> dialLiveSocket(UpstreamPool& pool, const Clock& clock,
                                                     const LiveConnect& connect) {
  auto acquired = co_await pool.acquire(connect.origin, connect.timeouts, clock.monotonicMs(),
                                        /*reuse_idle=*/false);
  if (!acquired) co_return acquired.error();
  auto impl = std::make_unique<LiveSocket::Impl>();
  impl->owner = std::move(acquired->conn);
  impl->owner->tcp().expires_never();
  LiveLimits limits = connect.limits;
  limits.handshake = std::min(limits.handshake, connect.timeouts.first_byte);
  impl->owner->visit([&](auto& stream) {
    using Stream = std::remove_reference_t<decltype(stream)>;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      configure(impl->ws.emplace<PlainSocket>(stream), limits);
    } else {
      configure(impl->ws.emplace<TlsSocket>(stream), limits);
    }
  });
  const std::string key(connect.api_key);
  const std::string agent(connect.user_agent);
  websocket::response_type res;
  const std::string host = connect.origin.hostHeader();
  const std::string target(connect.target);
  auto [ec] = co_await impl->visit([&](auto& ws) {
    ws.set_option(websocket::stream_base::decorator([key, agent](websocket::request_type& req) {
      req.set("x-goog-api-key", key);
      if (!agent.empty()) req.set(bhttp::field::user_agent, agent);
    }));
    return ws.async_handshake(res, host, target, kTuple);
  });
  if (ec == websocket::error::upgrade_declined) {
    LiveDial refused;
    refused.status = res.result_int();
    refused.body = std::move(res.body());
    co_return refused;
  }
  if (ec) {
    const bool late = ec == beast::error::timeout;
    co_return UpstreamError{
        .kind = late ? UpstreamErrorKind::Timeout : UpstreamErrorKind::Io,
        .message = late ? "the upstream did not answer the WebSocket upgrade in time"
                        : "the upstream WebSocket upgrade failed: " + ec.message()};
  }
  LiveDial accepted;
  accepted.status = 101;
  accepted.socket = std::make_unique<LiveSocket>(std::move(impl));
  co_return accepted;
}

namespace {

// How long the watchdog's closes may take before both connections are cut.
constexpr std::chrono::seconds kCloseGrace{10};

// What the two directions of one relay share.
struct RelayState {
  std::optional<LiveRelayEnd> end;  // the first direction to end decides
  int running = 2;
  asio::steady_timer* watch = nullptr;  // woken when both directions have ended

  void decide(LiveRelayEnd::Kind kind, unsigned code, std::string reason) {
    if (end) return;
    end = LiveRelayEnd{.kind = kind, .close_code = code, .close_reason = std::move(reason)};
  }
};

// Copies messages `from` → `to` until `from` closes or fails, or a write to `to` fails; then
// closes `to` (the relayed close frame, or the code for the failure). One message in flight.
asio::awaitable<void> pump(LiveSocket& from, LiveSocket& to, bool from_client, RelayState& state,
                           std::uint64_t& count, const LiveObserver* observe) {
  using Kind = LiveRelayEnd::Kind;
  for (;;) {
    LiveRead in = co_await from.read();
    if (in.kind == LiveRead::Kind::Message) {
      if (observe != nullptr && *observe) (*observe)(in.data);
      if (!co_await to.write(in.data, in.binary)) {
        state.decide(from_client ? Kind::UpstreamFailed : Kind::ClientFailed,
                     from_client ? kCloseInternal : kCloseGoingAway, "");
        co_await from.close(from_client ? kCloseInternal : kCloseGoingAway,
                            from_client ? "the upstream connection failed" : "");
        break;
      }
      ++count;
      continue;
    }
    if (in.kind == LiveRead::Kind::Closed) {
      const unsigned code = sendableCloseCode(in.close_code);
      state.decide(from_client ? Kind::ClientClosed : Kind::UpstreamClosed, code, in.close_reason);
      co_await to.close(code, in.close_reason);
      break;
    }
    if (in.too_big) {
      state.decide(Kind::TooBig, kCloseTooBig, "message too big");
      co_await to.close(kCloseTooBig, "message too big");
      co_await from.close(kCloseTooBig, "message too big");
      break;
    }
    state.decide(from_client ? Kind::ClientFailed : Kind::UpstreamFailed,
                 from_client ? kCloseGoingAway : kCloseInternal, in.error);
    co_await to.close(from_client ? kCloseGoingAway : kCloseInternal,
                      from_client ? "" : "the upstream connection failed");
    break;
  }
  if (--state.running == 0 && state.watch != nullptr) state.watch->cancel();
}

}  // namespace

asio::awaitable<LiveRelayEnd> relayLive(LiveSocket& client, LiveSocket& upstream,
                                        StopNotice* notice, std::chrono::milliseconds limit,
                                        const LiveObserver& observe_upstream) {
  using namespace asio::experimental::awaitable_operators;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer watch(executor, limit);
  RelayState state;
  state.watch = &watch;
  std::uint64_t to_upstream = 0;
  std::uint64_t to_client = 0;
  // The watch: the session limit or the shutdown notice closes both sides (the pumps then end
  // on their reads); the pumps' end cancels it.
  auto watchdog = [&]() -> asio::awaitable<void> {
    if (notice != nullptr) {
      co_await (watch.async_wait(kTuple) || notice->wait());
    } else {
      co_await watch.async_wait(kTuple);
    }
    if (state.running == 0) co_return;
    state.decide(LiveRelayEnd::Kind::Shutdown, kCloseGoingAway, "");
    const std::string why =
        notice != nullptr && notice->raised() ? "the gateway is shutting down" : "session limit";
    // A close waits for a pending write; one stuck on a peer that does not read would hold the
    // session, so after the closing handshake's time both connections are cut.
    asio::steady_timer cut(executor, kCloseGrace);
    co_await ((client.close(kCloseGoingAway, why) && upstream.close(kCloseGoingAway, why)) ||
              cut.async_wait(kTuple));
    if (state.running > 0) {
      client.abort();
      upstream.abort();
    }
  };
  co_await (pump(client, upstream, true, state, to_upstream, nullptr) &&
            pump(upstream, client, false, state, to_client, &observe_upstream) && watchdog());
  LiveRelayEnd end = state.end.value_or(LiveRelayEnd{});
  end.to_upstream = to_upstream;
  end.to_client = to_client;
  co_return end;
}

}  // namespace poise::net
