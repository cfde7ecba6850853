#include "net/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <list>
#include <optional>
#include <random>
#include <thread>

#include "core/log.h"

namespace poise::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

thread_local int t_worker_index = -1;

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Process-unique request ids: a random prefix fixed at start plus a per-worker counter.
std::string makeRequestId(unsigned worker, std::uint64_t counter) {
  static const std::uint32_t prefix = std::random_device{}();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%x-%llx", prefix, worker,
                static_cast<unsigned long long>(counter));
  return buf;
}

bool isSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

bool isHttpParseError(const boost::system::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// Answers a request rejected before routing and leaves the connection to be closed.
asio::awaitable<void> writeRejection(beast::tcp_stream& stream, Response res) {
  res.keep_alive(false);
  res.prepare_payload();
  stream.expires_after(std::chrono::seconds(5));
  co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
}

std::int64_t monotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct HttpServer::Worker {
  explicit Worker(unsigned i) : index(i), acceptor(ioc) {}
  unsigned index;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  std::uint64_t request_counter = 0;
  // Connections owned by this worker; touched only on its thread.
  struct Conn {
    beast::tcp_stream* stream;
    bool idle;
  };
  std::list<Conn> conns;
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler,
                       ErrorResponder error_responder)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      error_responder_(std::move(error_responder)) {
  const unsigned n = std::max(1u, options_.workers);
  for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(i));
}

HttpServer::~HttpServer() {
  for (auto& w : workers_) {
    if (w->thread.joinable()) {
      w->ioc.stop();
      w->thread.join();
    }
  }
}

std::size_t HttpServer::workerCount() const {
  return workers_.size();
}
asio::io_context& HttpServer::workerContext(std::size_t i) {
  return workers_.at(i)->ioc;
}
int HttpServer::currentWorker() {
  return t_worker_index;
}

Result<unsigned short> HttpServer::bind() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return makeError("bad_listen", "invalid listen address '" + options_.host + "'");
  unsigned short port = options_.port;
  for (auto& w : workers_) {
    tcp::endpoint ep(address, port);
    w->acceptor.open(ep.protocol(), ec);
    if (!ec) w->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) w->acceptor.set_option(ReusePort(true), ec);
    if (!ec) w->acceptor.bind(ep, ec);
    if (!ec) w->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return makeError("bind_failed", "cannot listen on " + options_.host + ":" +
                                          std::to_string(port) + ": " + ec.message());
    }
    // Later workers share the port the first one got (port 0 → ephemeral).
    port = w->acceptor.local_endpoint().port();
  }
  return port;
}

Status HttpServer::run() {
  for (auto& w : workers_) {
    w->guard.emplace(w->ioc.get_executor());
    asio::co_spawn(w->ioc, acceptLoop(*w), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("msg=\"accept loop failed\" error={}", logValue(ex.what()));
        }
      }
    });
    w->thread = std::thread([wp = w.get()] {
      t_worker_index = static_cast<int>(wp->index);
      wp->ioc.run();
    });
  }
  return {};
}

asio::awaitable<void> HttpServer::acceptLoop(Worker& w) {
  for (;;) {
    auto [ec, socket] = co_await w.acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      // EMFILE and friends: back off briefly rather than spin.
      spdlog::warn("msg=\"accept failed\" error={}", logValue(ec.message()));
      asio::steady_timer t(w.ioc, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (stopping_) co_return;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w.ioc, serveConnection(w, std::move(socket)), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("msg=\"connection failed\" error={}", logValue(ex.what()));
        }
      }
    });
  }
}

asio::awaitable<void> HttpServer::serveConnection(Worker& w, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  const std::size_t open = ++open_connections_;
  auto conn = w.conns.insert(w.conns.end(), Worker::Conn{&stream, true});
  struct Cleanup {
    HttpServer* self;
    Worker& w;
    std::list<Worker::Conn>::iterator it;
    ~Cleanup() {
      w.conns.erase(it);
      --self->open_connections_;
    }
  } cleanup{this, w, conn};

  boost::system::error_code ec;
  std::string remote_ip;
  {
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote_ip = ep.address().to_string();
  }

  if (open > options_.max_connections) {
    co_await writeRejection(stream, error_responder_("", 503, "too many connections"));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }

  const std::string too_large =
      "request body exceeds the limit of " + std::to_string(options_.body_limit) + " bytes";
  beast::flat_buffer buffer;
  for (;;) {
    conn->idle = true;
    if (stopping_) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);
    if (buffer.size() == 0) {
      // Idle keep-alive wait: up to idle_timeout for the first byte of the next request...
      stream.expires_after(options_.idle_timeout);
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(4096),
                                                       asio::as_tuple(asio::use_awaitable));
      if (iec) break;
      buffer.commit(in);
    }
    // ...then the whole request must arrive within read_timeout (no slow-drip headers).
    conn->idle = false;
    stream.expires_after(options_.read_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
    (void)hn;
    if (hec) {
      if (hec != http::error::end_of_stream && hec != asio::error::operation_aborted) {
        spdlog::debug("msg=\"request header not read\" remote={} error={}", remote_ip,
                      logValue(hec.message()));
      }
      if (hec == http::error::body_limit) {
        // The declared Content-Length is over the limit; the header itself was read.
        co_await writeRejection(stream, error_responder_(parser.get().target(), 413, too_large));
      } else if (hec == http::error::header_limit) {
        co_await writeRejection(stream,
                                error_responder_("", 431, "request header fields too large"));
      } else if (isHttpParseError(hec)) {
        co_await writeRejection(stream, error_responder_("", 400, "malformed HTTP request"));
      }
      break;
    }
    const std::string target(parser.get().target());
    const auto content_length = parser.content_length();
    if (content_length && *content_length > options_.body_limit) {
      co_await writeRejection(stream, error_responder_(target, 413, too_large));
      break;
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      stream.expires_after(options_.write_timeout);
      auto [cec, cn] =
          co_await http::async_write(stream, cont, asio::as_tuple(asio::use_awaitable));
      (void)cn;
      if (cec) break;
    }
    if (!parser.is_done()) {
      stream.expires_after(options_.read_timeout);
      auto [bec, bn] =
          co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      (void)bn;
      if (bec) {
        if (bec == http::error::body_limit) {
          co_await writeRejection(stream, error_responder_(target, 413, too_large));
        } else if (isHttpParseError(bec)) {
          co_await writeRejection(stream, error_responder_(target, 400, "malformed request body"));
        }
        break;
      }
    }

    Request req = parser.release();
    ExchangeInfo info;
    const auto incoming_id = req["X-Request-Id"];
    info.request_id = isSaneRequestId(incoming_id) ? std::string(incoming_id)
                                                   : makeRequestId(w.index, ++w.request_counter);
    info.remote_ip = remote_ip;
    info.started_ms = monotonicMs();
    HttpExchange exchange(req, stream, std::move(info), options_.write_timeout);
    ++active_requests_;
    try {
      co_await handler_(exchange);
    } catch (const std::exception& e) {
      // The session's one catch-all: log, and close this connection only.
      spdlog::error("msg=\"handler failed\" request_id={} error={}", exchange.info().request_id,
                    logValue(e.what()));
      exchange.closeAfter();
    }
    --active_requests_;
    if (!exchange.answered()) {
      exchange.closeAfter();
      co_await exchange.respond(error_responder_(target, 500, "request was not answered"));
    }
    if (!exchange.keepAlive() || stopping_) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  // Stop accepting and close idle keep-alive connections on every worker.
  for (auto& w : workers_) {
    asio::post(w->ioc, [wp = w.get()] {
      boost::system::error_code ec;
      wp->acceptor.close(ec);
      for (auto& c : wp->conns) {
        if (c.idle) c.stream->socket().close(ec);
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (open_connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // Connections that finished a request since are idle now; close those too.
    for (auto& w : workers_) {
      asio::post(w->ioc, [wp = w.get()] {
        boost::system::error_code ec;
        for (auto& c : wp->conns) {
          if (c.idle) c.stream->socket().close(ec);
        }
      });
    }
  }
  if (open_connections_.load() > 0) {
    spdlog::warn("msg=\"grace period over, closing connections\" open={}",
                 open_connections_.load());
    for (auto& w : workers_) {
      asio::post(w->ioc, [wp = w.get()] {
        boost::system::error_code ec;
        for (auto& c : wp->conns) c.stream->socket().close(ec);
      });
    }
  }
  for (auto& w : workers_) w->guard.reset();
  const auto hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (auto& w : workers_) {
    // Anything still pending (upstream pools, timers) is abandoned after the hard deadline.
    while (!w->ioc.stopped() && std::chrono::steady_clock::now() < hard_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    w->ioc.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace poise::net
