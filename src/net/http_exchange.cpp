#include "net/http_exchange.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/write.hpp>
#include <string>

#include "net/send_now.h"

namespace poise::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Header fields a streamed response's route may not set: the exchange writes them itself.
bool ownedByExchange(const http::fields::value_type& f) {
  const http::field name = f.name();
  return name == http::field::content_length || name == http::field::transfer_encoding ||
         name == http::field::connection || name == http::field::keep_alive ||
         boost::beast::iequals(f.name_string(), "x-request-id");
}

}  // namespace

boost::asio::awaitable<void> StopNotice::wait() {
  if (raised_) co_return;
  auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;  // raised (the timer was cancelled) or this wait was cancelled: either way, done
}

template <class Buffers>
asio::awaitable<bool> HttpExchange::send(const Buffers& buffers) {
  // Most writes fit the socket's send buffer: the write deadline (a timer armed, and cancelled
  // again, around an asynchronous write) only for what is left. With one connection that timer
  // was one timerfd_settime call and one more trip through the event loop per write.
  boost::system::error_code ec;
  const std::size_t sent = sendNow(stream_.socket(), buffers, ec);
  if (!ec && sent == boost::beast::buffer_bytes(buffers)) co_return true;
  if (!ec) {
    boost::beast::buffers_suffix<Buffers> rest(buffers);
    rest.consume(sent);
    stream_.expires_after(write_timeout_);
    auto [wec, n] = co_await asio::async_write(stream_, rest, asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (!wec) co_return true;
  }
  client_gone_ = true;
  keep_alive_ = false;
  co_return false;
}

// The status line, the route's header lines, X-Request-Id, `framing` and Connection.
std::string HttpExchange::renderHead(unsigned status, std::string_view lines,
                                     std::string_view framing, bool keep_alive) const {
  std::string head;
  head.reserve(lines.size() + info_.request_id.size() + 128);
  head.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  head.append(http::obsolete_reason(static_cast<http::status>(status)));
  head.append("\r\n").append(lines);
  head.append("X-Request-Id: ").append(info_.request_id).append("\r\n");
  head.append(framing);
  head.append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  return head;
}

asio::awaitable<void> HttpExchange::respond(Response response) {
  response.set("X-Request-Id", info_.request_id);
  response.keep_alive(keepAlive());
  response.prepare_payload();
  status_ = response.result_int();
  answered_ = true;
  capture(response.body());
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await http::async_write(stream_, response, asio::as_tuple(asio::use_awaitable));
  (void)n;
  if (ec) keep_alive_ = false;
}

asio::awaitable<void> HttpExchange::respondRaw(unsigned status, std::string_view fields,
                                               std::string_view body) {
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  const std::string head = renderHead(status, fields, length, keepAlive());
  status_ = status;
  answered_ = true;
  // A HEAD request gets the head a GET would, Content-Length included, and no body; so does a
  // 304, whose Content-Length may only be the 200's (RFC 9110 §8.6).
  if (request_.method() == http::verb::head || status == 304) body = {};
  capture(body);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  co_await send(buffers);
}

asio::awaitable<bool> HttpExchange::startResponse(unsigned status, const http::fields& fields,
                                                  std::optional<std::uint64_t> content_length) {
  status_ = status;
  answered_ = true;
  std::string framing;
  if (content_length) {
    framing_ = Framing::Length;
    remaining_ = *content_length;
    framing = "Content-Length: " + std::to_string(*content_length) + "\r\n";
  } else if (request_.version() >= 11) {
    framing_ = Framing::Chunked;
    framing = "Transfer-Encoding: chunked\r\n";
  } else {
    // HTTP/1.0 has no chunked encoding: the end of the body is the end of the connection.
    framing_ = Framing::Close;
    keep_alive_ = false;
  }
  std::string lines;
  lines.reserve(512);
  for (const auto& f : fields) {
    if (ownedByExchange(f)) continue;
    lines.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
  }
  const std::string head = renderHead(status, lines, framing, keep_alive_ && request_.keep_alive());
  if (client_gone_) co_return false;
  co_return co_await send(asio::buffer(head));
}

asio::awaitable<bool> HttpExchange::writePiece(std::string_view bytes) {
  if (client_gone_ || framing_ == Framing::None) co_return false;
  if (bytes.empty()) co_return true;
  capture(bytes);
  if (framing_ == Framing::Chunked) {
    const auto chunk = http::make_chunk(asio::buffer(bytes));
    co_return co_await send(chunk);
  }
  if (framing_ == Framing::Length) {
    if (bytes.size() > remaining_) {
      // More than the head announced would corrupt the framing of what follows.
      abortResponse();
      co_return false;
    }
    remaining_ -= bytes.size();
  }
  co_return co_await send(asio::buffer(bytes));
}

asio::awaitable<bool> HttpExchange::finishResponse(std::string_view tail) {
  if (client_gone_ || framing_ == Framing::None || finished_) co_return false;
  bool ok = true;
  if (framing_ == Framing::Chunked) {
    if (tail.empty()) {
      const auto last = http::make_chunk_last();
      ok = co_await send(last);
    } else {
      capture(tail);
      // The tail and the end of the body in one write.
      const auto both =
          boost::beast::buffers_cat(http::make_chunk(asio::buffer(tail)), http::make_chunk_last());
      ok = co_await send(both);
    }
  } else {
    ok = co_await writePiece(tail);
    if (ok && framing_ == Framing::Length && remaining_ != 0) {
      abortResponse();  // shorter than announced: the client must not take it as whole
      ok = false;
    }
  }
  finished_ = ok;
  co_return ok;
}

void HttpExchange::abortResponse() {
  answered_ = true;
  keep_alive_ = false;
  boost::system::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> HttpExchange::waitClientGone() {
  auto& socket = stream_.socket();
  auto [ec] = co_await socket.async_wait(asio::ip::tcp::socket::wait_read,
                                         asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_aborted) co_return;  // cancelled: the other side finished
  boost::system::error_code aec;
  if (ec || socket.available(aec) == 0) {
    // Readable with nothing to read (or broken): the peer is gone.
    client_gone_ = true;
    co_return;
  }
  // Bytes of a next request: the client is alive, so wait until cancelled.
  asio::steady_timer forever(stream_.get_executor(), asio::steady_timer::time_point::max());
  co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace poise::net
