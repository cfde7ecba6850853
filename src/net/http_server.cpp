#include "net/http_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <chrono>
#include <list>
#include <optional>
#include <random>
#include <system_error>
#include <thread>

#include "core/log.h"
#include "net/forwarded_client.h"

namespace poise::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

thread_local int t_worker_index = -1;

// The time left until `deadline_ms` (Clock::monotonicMs()), zero once it has passed.
std::chrono::milliseconds msUntil(const Clock& clock, std::int64_t deadline_ms) {
  return std::chrono::milliseconds(std::max<std::int64_t>(0, deadline_ms - clock.monotonicMs()));
}

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

// How long, and how much, to read and discard before closing after an early answer.
struct Linger {
  std::chrono::milliseconds total;  // from the answer on
  std::chrono::milliseconds idle;   // a client silent this long has stopped sending
  std::size_t bytes;                // discarded at most
};
// After an answer sent before the request was read (408, 413, 431, 400): enough for a client
// that sends a body of tens of MiB at local-network speed to finish and read the answer.
constexpr Linger kAnswerLinger{.total = std::chrono::seconds(5),
                               .idle = std::chrono::seconds(1),
                               .bytes = std::size_t{64} << 20};
// After a 503 for a connection over a limit: short, as these come in floods.
constexpr Linger kRefusalLinger{.total = std::chrono::milliseconds(500),
                                .idle = std::chrono::milliseconds(250),
                                .bytes = std::size_t{256} << 10};

// After a rejection, the client may still be sending (a body, the rest of a head). Closing with
// unread bytes makes the kernel send a reset, which can destroy the answer before the client
// reads it (Node's fetch then sees EPIPE, not the answer); so stop sending, then read and
// discard until the client closes, stays silent for `idle`, or `total` or `bytes` run out
// (nginx's lingering close). Suspends.
asio::awaitable<void> drainBeforeClose(beast::tcp_stream& stream, const Linger& linger,
                                       const Clock& clock) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  const std::int64_t deadline_ms = clock.monotonicMs() + linger.total.count();
  std::array<char, 16384> scratch{};
  std::size_t total = 0;
  while (total < linger.bytes) {
    stream.expires_after(std::min(linger.idle, msUntil(clock, deadline_ms)));
    auto [rec, n] =
        co_await stream.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    total += n;
  }
}

// Waits for `read` for `within` at most. Then the read is cancelled and the result is
// beast::error::timeout; unlike the stream's own expiry this leaves the socket open, so a 408 can
// still be written. Suspends.
asio::awaitable<boost::system::error_code> readBefore(
    beast::tcp_stream& stream,
    asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read,
    std::chrono::milliseconds within) {
  using namespace asio::experimental::awaitable_operators;
  stream.expires_never();
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, within);
  auto raced = co_await (std::move(read) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (raced.index() == 1) co_return beast::error::timeout;
  co_return std::get<0>(std::get<0>(raced));
}

// Feeds `parser` the bytes already in `buffer`, as Beast's read operations would, without any
// I/O: a request that came in one segment (the usual case) needs no timer and no read. Returns
// http::error::need_more when more bytes must be read, else the parse result once the head (or
// with `whole`, the whole request) is complete.
boost::system::error_code parseBuffered(http::request_parser<http::string_body>& parser,
                                        beast::flat_buffer& buffer, bool whole) {
  boost::system::error_code ec;
  while (buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec) return ec;
    if (whole ? parser.is_done() : parser.is_header_done()) return {};
    if (used == 0) break;
  }
  return http::error::need_more;
}

// The target of a head that never finished, to pick the envelope of the 408: the parser has it
// once it parsed the request line, which it does at once only when the line came whole in the
// first read; otherwise it waits for the end of the head, and the line is still in `buffer`.
std::string unfinishedTarget(const http::request_parser<http::string_body>& parser,
                             const beast::flat_buffer& buffer) {
  if (!parser.get().target().empty()) return std::string(parser.get().target());
  const std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  const auto eol = data.find("\r\n");
  if (eol == std::string_view::npos) return {};
  const std::string_view line = data.substr(0, eol);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1) return {};
  return std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
}

bool isOutOfDescriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

std::string errnoMessage(int err) {
  return std::error_code(err, std::system_category()).message();
}

}  // namespace

struct HttpServer::Worker {
  explicit Worker(unsigned i) : index(i), acceptor(ioc) {}
  unsigned index;
  // Connections owned by this worker; touched only on its thread. Declared before the io_context:
  // connection frames still pending when it is destroyed erase themselves from this list.
  struct Conn {
    beast::tcp_stream* stream;
    bool idle;
    StopNotice* notice;  // raised when the shutdown grace runs out
  };
  std::list<Conn> conns;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;  // this worker's descriptor of the one listening socket
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  bool finished = false;  // run() returned; under HttpServer::drain_mutex_
  std::uint64_t request_counter = 0;
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler,
                       ErrorResponder error_responder)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      error_responder_(std::move(error_responder)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock_),
      per_ip_(options_.max_connections_per_ip, options_.trusted_proxies) {
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
  if (ec) return makeError(ErrorCode::BadListen, "invalid listen address '" + options_.host + "'");
  const tcp::endpoint ep(address, options_.port);
  auto cannot = [&](const std::string& why) {
    return makeError(ErrorCode::BindFailed, "cannot listen on " + options_.host + ":" +
                                                std::to_string(ep.port()) + ": " + why);
  };
  // The socket is made with plain system calls, not an Asio acceptor: every Asio socket is
  // registered with its io_context's epoll, and a registration outlives close() while a dup()
  // of the descriptor stays open. Workers get dup()s, which Asio deregisters explicitly.
  const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return cannot(errnoMessage(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } listener{fd};
  // SO_REUSEADDR lets a restart bind while old connections sit in TIME_WAIT; on Linux it never
  // lets a second socket listen on the same address. SO_REUSEPORT would, so it is not set.
  const int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    return cannot(errnoMessage(errno));
  }
  if (::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
    const int err = errno;
    return cannot(errnoMessage(err) +
                  (err == EADDRINUSE ? " (another process, perhaps another poise, holds it)" : ""));
  }
  if (::listen(fd, SOMAXCONN) != 0) return cannot(errnoMessage(errno));
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) != 0) {
    return cannot(errnoMessage(errno));
  }
  const unsigned short port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  for (auto& w : workers_) {
    const int dup_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) return cannot(errnoMessage(errno));
    w->acceptor.assign(ep.protocol(), dup_fd, ec);
    if (ec) {
      ::close(dup_fd);
      return cannot(ec.message());
    }
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
    w->thread = std::thread([this, wp = w.get()] {
      t_worker_index = static_cast<int>(wp->index);
      wp->ioc.run();
      {
        const std::lock_guard lock(drain_mutex_);
        wp->finished = true;
      }
      drained_.notify_all();
    });
  }
  return {};
}

void HttpServer::noteAcceptFailure(const boost::system::error_code& ec) {
  if (!isOutOfDescriptors(ec)) {
    spdlog::warn("msg=\"accept failed\" error={}", logValue(ec.message()));
    return;
  }
  ++failed_accepts_;
  if (!out_of_descriptors_.exchange(true)) {
    spdlog::error(
        "msg=\"accept failed: too many open files; new connections wait in the backlog (raise "
        "the nofile limit or lower POISE_MAX_CONNECTIONS)\" error={} open_connections={}",
        logValue(ec.message()), open_connections_.load());
  }
}

void HttpServer::noteAcceptSuccess() {
  if (out_of_descriptors_.load(std::memory_order_relaxed) && out_of_descriptors_.exchange(false)) {
    spdlog::warn("msg=\"accepting again after running out of file descriptors\" failed_accepts={}",
                 failed_accepts_.exchange(0));
  }
}

asio::awaitable<void> HttpServer::acceptLoop(Worker& w) {
  for (;;) {
    auto [ec, socket] = co_await w.acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      // EMFILE and friends: the connection stays in the backlog; back off rather than spin.
      noteAcceptFailure(ec);
      asio::steady_timer t(w.ioc, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    noteAcceptSuccess();
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
  const std::int64_t accepted_ms = clock_.monotonicMs();
  beast::tcp_stream stream(std::move(socket));
  StopNotice notice(stream.get_executor());
  const std::size_t open = ++open_connections_;
  auto conn = w.conns.insert(w.conns.end(), Worker::Conn{&stream, true, &notice});
  struct Cleanup {
    HttpServer* self;
    Worker& w;
    std::list<Worker::Conn>::iterator it;
    ~Cleanup() {
      w.conns.erase(it);
      if (--self->open_connections_ == 0 && self->stopping_) self->notifyDrain();
    }
  } cleanup{this, w, conn};

  boost::system::error_code ec;
  const auto peer = stream.socket().remote_endpoint(ec);
  if (ec) co_return;  // already gone
  const std::string remote_ip = peer.address().to_string();
  // Whether this connection's forwarding headers are believed: once per connection.
  const bool peer_trusted =
      !options_.trusted_proxies.empty() && options_.trusted_proxies.contains(peer.address());

  // The per-address cap first, so a flood from one address is refused as such and not as a full
  // server. The lease is held for the life of the connection and gives its count back on every
  // way out of this frame.
  const IpConnectionLimiter::Lease per_ip = per_ip_.tryAcquire(peer.address());
  if (!per_ip) {
    spdlog::debug("msg=\"per-address connection cap reached\" remote={} cap={}", remote_ip,
                  options_.max_connections_per_ip);
    co_await writeRejection(
        stream, error_responder_({.target = "",
                                  .remote_ip = remote_ip,
                                  .status = 503,
                                  .message = "too many connections from your address"}));
    co_await drainBeforeClose(stream, kRefusalLinger, clock_);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  if (open > options_.max_connections) {
    co_await writeRejection(stream, error_responder_({.target = "",
                                                      .remote_ip = remote_ip,
                                                      .status = 503,
                                                      .message = "too many connections"}));
    co_await drainBeforeClose(stream, kRefusalLinger, clock_);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }

  const std::string too_large =
      "request body exceeds the limit of " + std::to_string(options_.body_limit) + " bytes";
  const auto head_limit = std::min(options_.header_timeout, options_.read_timeout);
  const auto head_limit_ms = std::chrono::milliseconds(head_limit).count();
  const auto read_limit_ms = std::chrono::milliseconds(options_.read_timeout).count();
  beast::flat_buffer buffer;
  bool first_request = true;
  bool linger = false;  // a rejection was written while the client may still be sending
  for (;;) {
    conn->idle = true;
    if (stopping_) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);
    if (buffer.size() == 0) {
      // Waiting for the first byte of a request: on a new connection within the head deadline
      // from the accept, on a kept-alive one up to idle_timeout. Nothing was asked, so a
      // connection that stays silent is closed without an answer.
      if (first_request) {
        stream.expires_after(msUntil(clock_, accepted_ms + head_limit_ms));
      } else {
        stream.expires_after(options_.idle_timeout);
      }
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(4096),
                                                       asio::as_tuple(asio::use_awaitable));
      if (iec) break;
      buffer.commit(in);
    }
    // A request has begun: its head must arrive within header_timeout and the whole of it within
    // read_timeout, else it is answered 408 (no slow-drip heads or bodies).
    conn->idle = false;
    const std::int64_t started_ms = first_request ? accepted_ms : clock_.monotonicMs();
    first_request = false;
    auto hec = parseBuffered(parser, buffer, false);
    if (hec == http::error::need_more) {
      auto read_head =
          http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      hec = co_await readBefore(stream, std::move(read_head),
                                msUntil(clock_, started_ms + head_limit_ms));
    }
    if (hec) {
      if (hec != http::error::end_of_stream && hec != asio::error::operation_aborted) {
        spdlog::debug("msg=\"request header not read\" remote={} error={}", remote_ip,
                      logValue(hec.message()));
      }
      if (hec == beast::error::timeout) {
        // Named first: g++ 12 mishandles class temporaries inside co_await expressions.
        const std::string late_target = unfinishedTarget(parser, buffer);
        const std::string late =
            "request header not received within " + std::to_string(head_limit.count()) + " s";
        co_await writeRejection(
            stream,
            error_responder_(
                {.target = late_target, .remote_ip = remote_ip, .status = 408, .message = late}));
        linger = true;
      } else if (hec == http::error::body_limit) {
        // The declared Content-Length is over the limit; the header itself was read.
        co_await writeRejection(stream, error_responder_({.target = parser.get().target(),
                                                          .remote_ip = remote_ip,
                                                          .status = 413,
                                                          .message = too_large}));
        linger = true;
      } else if (hec == http::error::header_limit) {
        co_await writeRejection(stream,
                                error_responder_({.target = "",
                                                  .remote_ip = remote_ip,
                                                  .status = 431,
                                                  .message = "request header fields too large"}));
        linger = true;
      } else if (isHttpParseError(hec)) {
        co_await writeRejection(stream, error_responder_({.target = "",
                                                          .remote_ip = remote_ip,
                                                          .status = 400,
                                                          .message = "malformed HTTP request"}));
        linger = true;
      }
      break;
    }
    const std::string target(parser.get().target());
    const auto content_length = parser.content_length();
    if (content_length && *content_length > options_.body_limit) {
      co_await writeRejection(
          stream,
          error_responder_(
              {.target = target, .remote_ip = remote_ip, .status = 413, .message = too_large}));
      linger = true;
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
      auto bec = parseBuffered(parser, buffer, true);
      if (bec == http::error::need_more) {
        auto read_body =
            http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        bec = co_await readBefore(stream, std::move(read_body),
                                  msUntil(clock_, started_ms + read_limit_ms));
      }
      if (bec) {
        if (bec == beast::error::timeout) {
          spdlog::debug("msg=\"request body not read in time\" remote={}", remote_ip);
          const std::string late = "request body not received within " +
                                   std::to_string(options_.read_timeout.count()) + " s";
          co_await writeRejection(
              stream,
              error_responder_(
                  {.target = target, .remote_ip = remote_ip, .status = 408, .message = late}));
          linger = true;
        } else if (bec == http::error::body_limit) {
          co_await writeRejection(
              stream,
              error_responder_(
                  {.target = target, .remote_ip = remote_ip, .status = 413, .message = too_large}));
          linger = true;
        } else if (isHttpParseError(bec)) {
          co_await writeRejection(stream, error_responder_({.target = target,
                                                            .remote_ip = remote_ip,
                                                            .status = 400,
                                                            .message = "malformed request body"}));
          linger = true;
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
    if (peer_trusted) {
      auto client = forwardedClient(peer.address(), req, options_.trusted_proxies);
      info.client_ip = std::move(client.ip);
      info.https = client.https;
    } else {
      info.client_ip = remote_ip;  // the forwarding headers are ignored: the peer is the client
    }
    info.started_ms = clock_.monotonicMs();
    HttpExchange exchange(req, stream, std::move(info), options_.write_timeout);
    exchange.setStopNotice(&notice);
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
      co_await exchange.respond(error_responder_({.target = target,
                                                  .remote_ip = remote_ip,
                                                  .status = 500,
                                                  .message = "request was not answered",
                                                  .handled = true}));
    }
    if (!exchange.keepAlive() || stopping_) break;
  }
  if (linger) co_await drainBeforeClose(stream, kAnswerLinger, clock_);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
}

void HttpServer::postToWorkers(const std::function<void(Worker&)>& fn) {
  for (auto& w : workers_) asio::post(w->ioc, [fn, wp = w.get()] { fn(*wp); });
}

void HttpServer::notifyDrain() {
  // Taking the mutex orders this change before a waiter's next check of its predicate, so the
  // wake-up cannot fall between that check and the wait.
  { const std::lock_guard lock(drain_mutex_); }
  drained_.notify_all();
}

bool HttpServer::waitUntil(const std::function<bool()>& done, std::int64_t deadline_ms) {
  // The time left is read from the injected clock once; the wait itself is on the steady clock,
  // which is what condition_variable can sleep on.
  const auto until = std::chrono::steady_clock::now() + msUntil(clock_, deadline_ms);
  std::unique_lock lock(drain_mutex_);
  return drained_.wait_until(lock, until, done);
}

void HttpServer::requestStop() {
  if (stopping_.exchange(true)) return;
  stop_requested_ms_ = clock_.monotonicMs();
  // Stop accepting and close idle keep-alive connections. A connection busy with a request sees
  // stopping_ when it finishes and closes instead of going idle, so this is needed only once.
  postToWorkers([](Worker& w) {
    boost::system::error_code ec;
    w.acceptor.close(ec);
    for (auto& c : w.conns) {
      if (c.idle) c.stream->socket().close(ec);
    }
  });
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  requestStop();
  const auto no_connections = [this] { return open_connections_.load() == 0; };
  if (!waitUntil(no_connections, stop_requested_ms_.load() + grace.count())) {
    spdlog::warn("msg=\"grace period over, closing connections\" open={}",
                 open_connections_.load());
    // Streams still relaying end with their protocol's terminal error event first; give them a
    // moment to write it before the sockets close.
    postToWorkers([](Worker& w) {
      for (auto& c : w.conns) c.notice->raise();
    });
    if (!waitUntil(no_connections, clock_.monotonicMs() + kNoticeWait.count())) {
      postToWorkers([](Worker& w) {
        boost::system::error_code ec;
        for (auto& c : w.conns) c.stream->socket().close(ec);
      });
    }
  }
  // Without their work guards the io_contexts run out of work once the last connection frame
  // has ended; anything still pending after kJoinWait (a stuck upstream exchange) is abandoned.
  for (auto& w : workers_) w->guard.reset();
  const auto workers_finished = [this] {
    return std::ranges::all_of(workers_, [](const auto& w) { return w->finished; });
  };
  const bool started =
      std::ranges::any_of(workers_, [](const auto& w) { return w->thread.joinable(); });
  if (started && !waitUntil(workers_finished, clock_.monotonicMs() + kJoinWait.count())) {
    spdlog::warn("msg=\"worker threads still busy after the shutdown; abandoning their work\"");
  }
  for (auto& w : workers_) {
    w->ioc.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace poise::net
