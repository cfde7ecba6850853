// Upstream connections to the Gemini API (or any HTTP(S) origin): UpstreamConnection wraps a
// plain or TLS stream with per-phase deadlines; UpstreamPool keeps idle keep-alive connections per
// origin. One pool per worker thread, used only on that thread, so no locking. Its only user is
// UpstreamClient, which passes the time in (core::Clock) and decides what goes back.
// TLS verifies the peer against the system CAs and sends SNI.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "core/origin.h"
#include "core/result.h"
#include "net/upstream_error.h"

namespace poise::net {

// Deadlines for the phases of one upstream exchange.
struct UpstreamTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds tls{10'000};
  std::chrono::milliseconds first_byte{300'000};
  std::chrono::milliseconds idle{120'000};  // between body chunks
  std::chrono::milliseconds total{600'000};
};

class UpstreamConnection {
 public:
  using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream>;
  explicit UpstreamConnection(boost::beast::tcp_stream plain) : stream_(std::move(plain)) {}
  explicit UpstreamConnection(std::unique_ptr<TlsStream> tls) : stream_(std::move(tls)) {}

  boost::beast::tcp_stream& tcp();
  // Calls fn(stream&) with the concrete stream type (tcp_stream or ssl stream).
  template <class Fn>
  decltype(auto) visit(Fn&& fn) {
    if (auto* p = std::get_if<boost::beast::tcp_stream>(&stream_)) return fn(*p);
    return fn(*std::get<std::unique_ptr<TlsStream>>(stream_));
  }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  void close();

  std::string origin_key;
  std::int64_t idle_since_ms = 0;
  unsigned uses = 0;

 private:
  std::variant<boost::beast::tcp_stream, std::unique_ptr<TlsStream>> stream_;
  boost::beast::flat_buffer buffer_;
};

struct UpstreamPoolOptions {
  std::size_t max_idle_per_origin = 256;
  std::chrono::milliseconds idle_ttl{60'000};  // idle connections older than this are dropped
  // Connect to public addresses only (net/public_address.h), whatever the name resolves to:
  // for admin-configured targets such as alert webhooks (SSRF).
  bool public_only = false;
};

// A connection handed out by the pool; `reused` when it had served an earlier exchange.
struct PooledConnection {
  std::unique_ptr<UpstreamConnection> conn;
  bool reused = false;
};

class UpstreamPool {
 public:
  UpstreamPool(boost::asio::io_context& ioc, boost::asio::ssl::context& tls,
               UpstreamPoolOptions options = {});

  // A connection to `origin`: an idle pooled one when available and `reuse_idle` (reused),
  // else a new one connected within the connect/TLS deadlines. `now_ms` is
  // Clock::monotonicMs(). Suspends.
  boost::asio::awaitable<UpstreamOr<PooledConnection>> acquire(const Origin& origin,
                                                               const UpstreamTimeouts& timeouts,
                                                               std::int64_t now_ms,
                                                               bool reuse_idle = true);

  // Returns a connection whose last exchange completed cleanly and may be reused. One with
  // bytes still buffered beyond that exchange is closed instead. `now_ms` as for acquire().
  void release(std::unique_ptr<UpstreamConnection> conn, std::int64_t now_ms);

  std::size_t idleCount() const;

 private:
  boost::asio::awaitable<UpstreamOr<std::unique_ptr<UpstreamConnection>>> connect(
      const Origin& origin, const UpstreamTimeouts& timeouts, std::int64_t now_ms);

  boost::asio::io_context& ioc_;
  boost::asio::ssl::context& tls_;
  UpstreamPoolOptions options_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<UpstreamConnection>>> idle_;
  struct Resolved {
    boost::asio::ip::tcp::resolver::results_type endpoints;
    std::int64_t at_ms = 0;
  };
  std::unordered_map<std::string, Resolved> dns_;
};

// A TLS client context that verifies peers against the system CA store.
Result<std::unique_ptr<boost::asio::ssl::context>> makeClientTlsContext();

}  // namespace poise::net
