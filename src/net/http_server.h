// HttpServer: the client-facing HTTP/1.1 listener. One listening socket, bound without
// SO_REUSEPORT so no other process can share the port; each of the `workers` threads has its own
// io_context and accepts on its own descriptor of that socket, so a connection lives on one thread
// from accept to close and needs no locking. Enforces header/body/connection limits (global and
// per client address), head/body/idle deadlines (408 when a started request does not arrive in
// time), and shuts down gracefully: stop accepting, let in-flight requests finish within a grace
// period, then close. Waiting for the drain is event-driven: the last connection to close and each
// worker's run() returning wake the waiter. bind()/run()/stop() are called from the control
// thread, requestStop() from any thread; the handler runs on worker threads.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_exchange.h"
#include "net/ip_connection_limiter.h"

namespace poise::net {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  unsigned short port = 8100;
  unsigned workers = 1;
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_ip = 0;  // open connections per client address; 0: no cap
  AddressRanges trusted_proxies;           // exempt from max_connections_per_ip
  std::size_t header_limit = std::size_t{16} * 1024;       // bytes; larger → 431
  std::size_t body_limit = std::size_t{10} * 1024 * 1024;  // bytes; larger → 413 (MAX_REQUEST_SIZE)
  // Deadlines of one request, counted from its first byte (on a new connection, from the accept).
  // A request started but not read in time is answered 408; a new connection that sends nothing
  // within header_timeout is closed without an answer.
  std::chrono::seconds header_timeout{10};  // the request head
  std::chrono::seconds read_timeout{30};    // the whole request, head and body (REQUEST_TIMEOUT)
  std::chrono::seconds idle_timeout{75};    // keep-alive wait between requests
  std::chrono::seconds write_timeout{60};   // writing a response chunk to a slow client
  // Every deadline and request start time is read from this clock (monotonicMs); nullptr: the
  // system clock. Must outlive the server.
  const Clock* clock = nullptr;
};

// Called once per request on the connection's worker thread. Must answer the exchange.
using RequestHandler = std::function<boost::asio::awaitable<void>(HttpExchange&)>;

// A request the server answers itself, before routing (oversized body, oversized header,
// malformed request, too many connections), or after a handler that did not answer.
struct EarlyAnswer {
  std::string_view target;  // empty when the request line could not be read
  std::string_view remote_ip;
  unsigned status = 0;
  std::string_view message;
  bool handled = false;  // the request reached the handler (which answered nothing)
};

// Builds the error answer for an early answer, in the envelope of the protocol its target belongs
// to. Called on the connection's worker thread.
using ErrorResponder = std::function<Response(const EarlyAnswer& early)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler, ErrorResponder error_responder);
  ~HttpServer();

  // Binds and listens on one socket (SO_REUSEADDR, never SO_REUSEPORT: a second process on the
  // same address fails with "address in use") and gives each worker a descriptor of it. Returns
  // the bound port (useful when port is 0). Connections wait in the backlog until run().
  Result<unsigned short> bind();
  // Starts the worker threads and begins accepting.
  Status run();

  // Begins the shutdown without waiting: stops accepting on every worker and closes idle
  // keep-alive connections; a connection that finishes its request from now on closes instead of
  // waiting for the next one. Idempotent; any thread (the app calls it from its stop signal).
  void requestStop();
  // requestStop(), then waits (blocking, no polling) up to `grace`, counted from the first
  // requestStop(), for open connections to finish. If some are still open then, raises their
  // StopNotice (streams write their protocol's terminal error event) and gives them up to
  // kNoticeWait before closing their sockets; then joins the worker threads, abandoning whatever
  // is still pending after kJoinWait. Blocking; from the control thread. A second call returns at
  // once.
  void stop(std::chrono::milliseconds grace);

  static constexpr std::chrono::milliseconds kNoticeWait{500};
  static constexpr std::chrono::milliseconds kJoinWait{2000};

  // Executors of the worker io_contexts, for per-worker resources (upstream pools).
  std::size_t workerCount() const;
  boost::asio::io_context& workerContext(std::size_t i);
  // Index of the worker whose thread is calling, or -1 off the worker threads.
  static int currentWorker();

  std::size_t openConnections() const { return open_connections_.load(); }
  std::size_t activeRequests() const { return active_requests_.load(); }

 private:
  struct Worker;
  boost::asio::awaitable<void> acceptLoop(Worker& w);
  boost::asio::awaitable<void> serveConnection(Worker& w, boost::asio::ip::tcp::socket socket);
  // Logs a failed accept: running out of descriptors once per burst, other errors each time.
  void noteAcceptFailure(const boost::system::error_code& ec);
  void noteAcceptSuccess();
  // Runs `fn(worker)` on each worker's thread.
  void postToWorkers(const std::function<void(Worker&)>& fn);
  // Blocks until `done()` holds or the clock reaches `deadline_ms` (Clock::monotonicMs()); `done`
  // is checked under drain_mutex_ each time drained_ is notified. Returns the last `done()`.
  bool waitUntil(const std::function<bool()>& done, std::int64_t deadline_ms);
  // Wakes waitUntil(); call after the state it checks has changed.
  void notifyDrain();

  HttpServerOptions options_;
  RequestHandler handler_;
  ErrorResponder error_responder_;
  SystemClock system_clock_;
  const Clock& clock_;  // options_.clock, or system_clock_
  // Declared before the workers: connection frames destroyed with a worker's io_context still
  // give back their counts.
  std::atomic<std::size_t> open_connections_{0};
  std::atomic<std::size_t> active_requests_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> stop_requested_ms_{0};  // clock_.monotonicMs() at requestStop()
  std::mutex drain_mutex_;                          // guards Worker::finished; pairs with drained_
  std::condition_variable drained_;  // the last connection closed, or a worker's run() returned
  std::atomic<bool> out_of_descriptors_{false};  // an accept burst is failing with EMFILE/ENFILE
  std::atomic<std::size_t> failed_accepts_{0};   // in the current burst
  IpConnectionLimiter per_ip_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace poise::net
