// HttpServer: the client-facing HTTP/1.1 listener. Runs `workers` threads, each with its own
// io_context and SO_REUSEPORT acceptor, so a connection lives on one thread from accept to close
// and needs no locking. Enforces header/body/connection limits and read/idle timeouts, and shuts
// down gracefully: stop accepting, let in-flight requests finish within a grace period, then close.
// start()/stop() are called from the control thread; the handler runs on worker threads.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/http_exchange.h"

namespace poise::net {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  unsigned short port = 8100;
  unsigned workers = 1;
  std::size_t max_connections = 10000;
  std::size_t header_limit = std::size_t{16} * 1024;       // bytes; larger → 431
  std::size_t body_limit = std::size_t{10} * 1024 * 1024;  // bytes; larger → 413 (MAX_REQUEST_SIZE)
  std::chrono::seconds read_timeout{30};   // reading one request once it has started
  std::chrono::seconds idle_timeout{75};   // keep-alive wait between requests
  std::chrono::seconds write_timeout{60};  // writing a response chunk to a slow client
};

// Called once per request on the connection's worker thread. Must answer the exchange.
using RequestHandler = std::function<boost::asio::awaitable<void>(HttpExchange&)>;

// Builds the error answer for a request the server rejects before routing (oversized body,
// oversized header, malformed request), in the envelope of the protocol `target` belongs to.
// `target` is empty when the request line could not be read.
using ErrorResponder =
    std::function<Response(std::string_view target, unsigned status, std::string_view message)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler, ErrorResponder error_responder);
  ~HttpServer();

  // Binds the listening sockets (one per worker, SO_REUSEPORT). Returns the bound port (useful
  // when port is 0). Connections wait in the backlog until run().
  Result<unsigned short> bind();
  // Starts the worker threads and begins accepting.
  Status run();

  // Stops accepting; waits up to `grace` for open requests to finish, then closes everything
  // and joins the threads. Blocking; call from the control thread.
  void stop(std::chrono::milliseconds grace);

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

  HttpServerOptions options_;
  RequestHandler handler_;
  ErrorResponder error_responder_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<std::size_t> open_connections_{0};
  std::atomic<std::size_t> active_requests_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace poise::net
