#include "net/upstream_pool.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <string_view>

#include "core/upstream_address.h"
#include "net/public_address.h"

namespace poise::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
std::optional<std::string_view> forbiddenUpstream(const asio::ip::address& a) {
  if (a.is_v4()) return forbiddenUpstreamV4(a.to_v4().to_bytes());
  return forbiddenUpstreamV6(a.to_v6().to_bytes());
}

UpstreamError poolError(UpstreamErrorKind kind, std::string message) {
  return UpstreamError{.kind = kind, .message = std::move(message)};
}
}  // namespace

beast::tcp_stream& UpstreamConnection::tcp() {
  if (auto* p = std::get_if<beast::tcp_stream>(&stream_)) return *p;
  return std::get<std::unique_ptr<TlsStream>>(stream_)->next_layer();
}

void UpstreamConnection::close() {
  boost::system::error_code ec;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  tcp().socket().close(ec);
}

UpstreamPool::UpstreamPool(asio::io_context& ioc, asio::ssl::context& tls,
                           UpstreamPoolOptions options)
    : ioc_(ioc), tls_(tls), options_(options) {}

std::size_t UpstreamPool::idleCount() const {
  std::size_t n = 0;
  for (const auto& [k, q] : idle_) n += q.size();
  return n;
}

asio::awaitable<UpstreamOr<PooledConnection>> UpstreamPool::acquire(
    const Origin& origin, const UpstreamTimeouts& timeouts, std::int64_t now_ms, bool reuse_idle) {
  const std::string key = origin.key();
  auto it = reuse_idle ? idle_.find(key) : idle_.end();
  if (it != idle_.end()) {
    auto& q = it->second;
    while (!q.empty()) {
      auto conn = std::move(q.back());  // most recently used first: warmest, least likely closed
      q.pop_back();
      if (now_ms - conn->idle_since_ms > options_.idle_ttl.count()) {
        conn->close();
        continue;
      }
      // No liveness probe here (it would cost a syscall per request): a connection the peer
      // closed while idle fails on first use, and the caller retries once on a fresh one.
      co_return PooledConnection{.conn = std::move(conn), .reused = true};
    }
  }
  auto fresh = co_await connect(origin, timeouts, now_ms);
  if (!fresh) co_return fresh.error();
  co_return PooledConnection{.conn = std::move(*fresh), .reused = false};
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> conn, std::int64_t now_ms) {
  if (!conn || conn->origin_key.empty()) return;
  if (conn->buffer().size() != 0) {
    // Bytes beyond the last answer: reusing the connection would hand them to the next request.
    conn->close();
    return;
  }
  auto& q = idle_[conn->origin_key];
  if (q.size() >= options_.max_idle_per_origin) {
    conn->close();
    return;
  }
  conn->idle_since_ms = now_ms;
  conn->tcp().expires_never();
  q.push_back(std::move(conn));
}

asio::awaitable<UpstreamOr<std::unique_ptr<UpstreamConnection>>> UpstreamPool::connect(
    const Origin& origin, const UpstreamTimeouts& timeouts, std::int64_t now_ms) {
  const std::string key = origin.key();
  auto& cached = dns_[key];
  if (cached.endpoints.empty() || now_ms - cached.at_ms > 60'000) {
    tcp::resolver resolver(ioc_);
    auto [ec, results] = co_await resolver.async_resolve(origin.host, origin.port,
                                                         asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return poolError(UpstreamErrorKind::Dns, "cannot resolve upstream host: " + ec.message());
    }
    cached.endpoints = std::move(results);
    cached.at_ms = now_ms;
  }
  beast::tcp_stream plain(ioc_);
  plain.expires_after(timeouts.connect);
  // Each address in turn, opening the socket here: Asio's range connect reports a socket it
  // could not open (EMFILE) as "Operation canceled", which hides the real cause.
  boost::system::error_code cec = asio::error::host_not_found;
  std::optional<std::string_view> forbidden;
  for (const auto& entry : cached.endpoints) {
    // A name that resolves to a link-local or metadata address is never connected to, whatever
    // target_api_url says: the pool key would go to whoever answers there.
    if ((forbidden = forbiddenUpstream(entry.endpoint().address()))) continue;
    if (options_.public_only && (forbidden = nonPublicAddress(entry.endpoint().address()))) {
      continue;
    }
    boost::system::error_code ignored;
    plain.socket().close(ignored);
    plain.socket().open(entry.endpoint().protocol(), cec);
    if (cec) break;  // out of descriptors: another address would fail the same way
    auto [ec] = co_await plain.async_connect(entry.endpoint(), asio::as_tuple(asio::use_awaitable));
    cec = ec;
    if (!cec || cec == beast::error::timeout) break;  // the connect deadline covers all addresses
  }
  if (cec == asio::error::host_not_found && forbidden) {
    cached.endpoints = {};
    co_return poolError(UpstreamErrorKind::Forbidden,
                        "the host resolves to " + std::string(*forbidden) + "; refused");
  }
  if (cec) {
    const bool out_of_descriptors = cec == asio::error::no_descriptors ||
                                    cec == boost::system::errc::too_many_files_open_in_system ||
                                    cec == asio::error::no_buffer_space;
    if (!out_of_descriptors) cached.endpoints = {};
    std::string message = "cannot connect to upstream: ";
    if (out_of_descriptors) {
      message += "too many open files (raise the nofile limit)";
    } else {
      message += cec.message();
    }
    co_return poolError(
        cec == beast::error::timeout ? UpstreamErrorKind::Timeout : UpstreamErrorKind::Connect,
        std::move(message));
  }
  boost::system::error_code ignored;
  plain.socket().set_option(tcp::no_delay(true), ignored);
  if (!origin.tls) {
    auto conn = std::make_unique<UpstreamConnection>(std::move(plain));
    conn->origin_key = key;
    co_return std::move(conn);
  }
  auto tls = std::make_unique<UpstreamConnection::TlsStream>(std::move(plain), tls_);
  if (!SSL_set_tlsext_host_name(tls->native_handle(), origin.host.c_str())) {
    co_return poolError(UpstreamErrorKind::Tls, "cannot set TLS server name");
  }
  tls->set_verify_mode(asio::ssl::verify_peer);
  tls->set_verify_callback(asio::ssl::host_name_verification(origin.host));
  tls->next_layer().expires_after(timeouts.tls);
  auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client,
                                             asio::as_tuple(asio::use_awaitable));
  if (hec) {
    co_return poolError(
        hec == beast::error::timeout ? UpstreamErrorKind::Timeout : UpstreamErrorKind::Tls,
        "TLS handshake with upstream failed: " + hec.message());
  }
  auto conn = std::make_unique<UpstreamConnection>(std::move(tls));
  conn->origin_key = key;
  co_return std::move(conn);
}

Result<std::unique_ptr<asio::ssl::context>> makeClientTlsContext() {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return makeError(ErrorCode::TlsSetup, "cannot load the system CA store: " + ec.message());
  ctx->set_verify_mode(asio::ssl::verify_peer);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  return ctx;
}

}  // namespace poise::net
