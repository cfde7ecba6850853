// ResponseStream: what route code may do with the client's side of a streamed answer, and
// nothing more: start a response (status and headers), write pieces, finish or abort it, and
// learn that the client went away. HttpExchange is the one implementation over a socket; the
// proxy's attempt loop and relay see only this interface, so they run in memory in tests.
// Framing (Content-Length or chunked), keep-alive and lingering close stay in the
// implementation. Not thread-safe: one request's coroutine uses it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace poise::net {

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

class ResponseStream {
 public:
  ResponseStream() = default;
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;
  ResponseStream(ResponseStream&&) = delete;
  ResponseStream& operator=(ResponseStream&&) = delete;
  virtual ~ResponseStream() = default;

  // Starts a streamed response: the status line and `fields` (framing, Connection and
  // X-Request-Id among them are ignored: the implementation writes those). The body is
  // Content-Length framed when `content_length` is given, else chunked. False when the client
  // is gone. Call once. Suspends.
  virtual boost::asio::awaitable<bool> startResponse(
      unsigned status, const boost::beast::http::fields& fields,
      std::optional<std::uint64_t> content_length) = 0;
  // Writes one piece of the body (nothing for an empty piece). A piece past the declared
  // Content-Length is refused. False when the client is gone or the piece was refused; the
  // response is then aborted. Suspends.
  virtual boost::asio::awaitable<bool> writePiece(std::string_view bytes) = 0;
  // Writes `tail` (when not empty) and ends the body cleanly; a Content-Length body must be
  // complete, else the response is aborted. False when it could not end cleanly. Suspends.
  virtual boost::asio::awaitable<bool> finishResponse(std::string_view tail) = 0;
  // Ends the response without a clean end (or without any answer): the connection is shut down
  // and not reused.
  virtual void abortResponse() = 0;

  // Completes when the client has gone (clientGone() is then true), or when the wait is
  // cancelled; for racing with awaitable operators. Suspends.
  virtual boost::asio::awaitable<void> waitClientGone() = 0;
  // The client closed its connection, or a write to it failed.
  virtual bool clientGone() const = 0;
  // The connection's shutdown notice, when there is one (nullptr otherwise).
  virtual StopNotice* stopNotice() const = 0;
};

}  // namespace poise::net
