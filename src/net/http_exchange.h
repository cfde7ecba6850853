// HttpExchange: one client request and the means to answer it, handed to the request handler by
// the HTTP session. A handler either sends a whole response once (respond, respondRaw), or
// streams one: startResponse, writePiece as often as needed, then finishResponse, or
// abortResponse when it cannot end cleanly. Framing (Content-Length or chunked), keep-alive and
// the client-gone watch live here; no handler touches the socket. Not thread-safe: it belongs to
// the session coroutine that owns the connection, on that connection's I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/response_stream.h"

namespace poise::net {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ExchangeInfo {
  std::string request_id;
  std::string remote_ip;  // the TCP peer (connection limits)
  // The client as far as the gateway can trust it: the peer, or behind a trusted proxy the
  // address and scheme it forwarded (forwarded_client.h). Use client_ip for throttles, audit and
  // request records.
  std::string client_ip;
  bool https = false;
  std::int64_t started_ms = 0;  // monotonic ms when the request header was read
};

class HttpExchange final : public ResponseStream {
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
  // Connection. For relayed answers, where building a field container would be wasted work. To a
  // HEAD request, and for a 304, the same head (Content-Length the body's) and no body.
  boost::asio::awaitable<void> respondRaw(unsigned status, std::string_view fields,
                                          std::string_view body);

  // Starts a streamed response: the status line, `fields` (framing, Connection and X-Request-Id
  // among them are ignored), then X-Request-Id, the framing and Connection. The body is
  // Content-Length framed when `content_length` is given, else chunked (close-delimited for an
  // HTTP/1.0 client). False when the client is gone. Call once, instead of respond(). Suspends.
  boost::asio::awaitable<bool> startResponse(unsigned status,
                                             const boost::beast::http::fields& fields,
                                             std::optional<std::uint64_t> content_length) override;
  // Writes one piece of the streamed body (one chunk when chunked; nothing for an empty piece).
  // A piece past the declared Content-Length is refused. False when the client is gone or the
  // piece was refused; the response is then aborted. Suspends.
  boost::asio::awaitable<bool> writePiece(std::string_view bytes) override;
  // Writes `tail` (when not empty) and ends the streamed body cleanly: the last chunk when
  // chunked; a Content-Length body must be complete, else the response is aborted. False when
  // the response could not end cleanly. Suspends.
  boost::asio::awaitable<bool> finishResponse(std::string_view tail) override;
  // Ends the response without a clean end (or without any answer): the connection is shut down
  // now and not reused. The exchange counts as answered.
  void abortResponse() override;

  // Completes when the client has closed its connection (clientGone() is then true), or when the
  // wait is cancelled. A client that sends more bytes (a pipelined request) is alive; then it
  // waits until cancelled. For racing with awaitable operators. Suspends.
  boost::asio::awaitable<void> waitClientGone() override;
  // The client closed its connection, or a write to it failed.
  bool clientGone() const override { return client_gone_; }

  // Hands the connection over to a protocol the request upgraded to (a WebSocket): the exchange
  // counts as answered with 101, and the connection is never reused for HTTP. The stream stays
  // the session's; the caller must be done with it before the handler returns.
  boost::beast::tcp_stream& takeOverStream() {
    answered_ = true;
    keep_alive_ = false;
    status_ = 101;
    return stream_;
  }

  // For an upgraded connection only: the status its session's outcome stands for in records
  // (101 for a session that ran; the HTTP status of the failure that ended it before it began).
  void noteUpgradedStatus(unsigned status) { status_ = status; }

  void closeAfter() { keep_alive_ = false; }
  bool answered() const { return answered_; }
  // The connection can serve another request: nothing failed or was aborted, the client allows
  // it, and a streamed response (if any) ended cleanly.
  bool keepAlive() const {
    return keep_alive_ && request_.keep_alive() && (framing_ == Framing::None || finished_);
  }
  unsigned status() const { return status_; }

  // Keeps a copy of the response body's first bytes in `*sink`: at most `*limit` bytes, read at
  // each write (so the handler may set the limit once it knows it; 0 keeps nothing). Both must
  // outlive the exchange's writes. Costs one comparison per write when the limit is 0.
  void captureBody(std::string* sink, const std::size_t* limit) {
    capture_ = sink;
    capture_limit_ = limit;
  }

  // The connection's shutdown notice, when the server gives one (nullptr otherwise).
  StopNotice* stopNotice() const override { return stop_notice_; }
  void setStopNotice(StopNotice* notice) { stop_notice_ = notice; }

 private:
  enum class Framing { None, Length, Chunked, Close };  // of a streamed body; None: not started

  // Writes `buffers` to the client within the write timeout; on failure the client is gone.
  template <class Buffers>
  boost::asio::awaitable<bool> send(const Buffers& buffers);
  // A response head: the status line, `lines` ("Name: value\r\n" each), X-Request-Id,
  // `framing` (the framing header line, or empty) and Connection.
  std::string renderHead(unsigned status, std::string_view lines, std::string_view framing,
                         bool keep_alive) const;
  // Appends the part of `bytes` that still fits under the capture limit (captureBody).
  void capture(std::string_view bytes) {
    if (capture_limit_ == nullptr || capture_->size() >= *capture_limit_) return;
    capture_->append(bytes.substr(0, *capture_limit_ - capture_->size()));
  }

  Request& request_;
  boost::beast::tcp_stream& stream_;
  ExchangeInfo info_;
  std::chrono::seconds write_timeout_;
  bool answered_ = false;
  bool keep_alive_ = true;
  bool client_gone_ = false;
  bool finished_ = false;
  Framing framing_ = Framing::None;
  std::uint64_t remaining_ = 0;  // bytes still due of a Content-Length body
  unsigned status_ = 0;
  StopNotice* stop_notice_ = nullptr;
  std::string* capture_ = nullptr;
  const std::size_t* capture_limit_ = nullptr;
};

}  // namespace poise::net
