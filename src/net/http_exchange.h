// HttpExchange: one client request and the means to answer it, handed to the request handler by
// the HTTP session. A handler either calls respond() once, or takes over the stream for a relayed
// response (stream()) and then marks the exchange answered. Not thread-safe: it belongs to the
// session coroutine that owns the connection, on that connection's I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace poise::net {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ExchangeInfo {
  std::string request_id;
  std::string remote_ip;
  std::int64_t started_ms = 0;  // monotonic ms when the request header was read
};

// Raised by the server on a connection when the shutdown grace has run out: a handler still
// relaying a stream ends it with its protocol's terminal error event instead of a reset. Belongs
// to the connection's coroutine, on its worker thread.
class StopNotice {
 public:
  explicit StopNotice(const boost::asio::any_io_executor& ex)
      : timer_(ex, boost::asio::steady_timer::time_point::max()) {}
  void raise() {
    raised_ = true;
    timer_.cancel();
  }
  bool raised() const { return raised_; }
  // Completes once raised (at once if it already was), or when the wait is cancelled. Suspends.
  boost::asio::awaitable<void> wait();

 private:
  boost::asio::steady_timer timer_;
  bool raised_ = false;
};

class HttpExchange {
 public:
  HttpExchange(Request& request, boost::beast::tcp_stream& stream, ExchangeInfo info,
               std::chrono::seconds write_timeout)
      : request_(request), stream_(stream), info_(std::move(info)), write_timeout_(write_timeout) {}

  Request& request() { return request_; }
  const ExchangeInfo& info() const { return info_; }

  // Writes a complete response (adds X-Request-Id, Content-Length, keep-alive). Suspends.
  boost::asio::awaitable<void> respond(Response response);

  // Writes a complete response from pre-rendered header lines (`fields`: "Name: value\r\n" each,
  // without framing headers) and a body; adds the status line, X-Request-Id, Content-Length and
  // Connection. For relayed answers, where building a field container would be wasted work.
  boost::asio::awaitable<void> respondRaw(unsigned status, std::string_view fields,
                                          std::string_view body);

  // Raw access for handlers that relay a response themselves. They must set answered() and, if
  // the connection cannot be reused afterwards, closeAfter().
  boost::beast::tcp_stream& stream() { return stream_; }
  std::chrono::seconds writeTimeout() const { return write_timeout_; }
  void markAnswered() { answered_ = true; }
  void closeAfter() { keep_alive_ = false; }

  bool answered() const { return answered_; }
  bool keepAlive() const { return keep_alive_ && request_.keep_alive(); }
  unsigned status() const { return status_; }
  void setStatus(unsigned s) { status_ = s; }

  // The connection's shutdown notice, when the server gives one (nullptr otherwise).
  StopNotice* stopNotice() const { return stop_notice_; }
  void setStopNotice(StopNotice* notice) { stop_notice_ = notice; }

 private:
  Request& request_;
  boost::beast::tcp_stream& stream_;
  ExchangeInfo info_;
  std::chrono::seconds write_timeout_;
  bool answered_ = false;
  bool keep_alive_ = true;
  unsigned status_ = 0;
  StopNotice* stop_notice_ = nullptr;
};

}  // namespace poise::net
