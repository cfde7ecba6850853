#include "net/http_exchange.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/write.hpp>
#include <string>

namespace poise::net {

namespace http = boost::beast::http;

boost::asio::awaitable<void> StopNotice::wait() {
  if (raised_) co_return;
  auto [ec] = co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  (void)ec;  // raised (the timer was cancelled) or this wait was cancelled: either way, done
}

boost::asio::awaitable<void> HttpExchange::respond(Response response) {
  response.set("X-Request-Id", info_.request_id);
  response.keep_alive(keepAlive());
  response.prepare_payload();
  status_ = response.result_int();
  answered_ = true;
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await http::async_write(stream_, response,
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
  (void)n;
  if (ec) keep_alive_ = false;
}

boost::asio::awaitable<void> HttpExchange::respondRaw(unsigned status, std::string_view fields,
                                                      std::string_view body) {
  std::string head;
  head.reserve(fields.size() + 160);
  head.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  head.append(http::obsolete_reason(static_cast<http::status>(status)));
  head.append("\r\n").append(fields);
  head.append("X-Request-Id: ").append(info_.request_id).append("\r\n");
  head.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  head.append(keepAlive() ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  status_ = status;
  answered_ = true;
  stream_.expires_after(write_timeout_);
  const std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(head),
                                                         boost::asio::buffer(body)};
  auto [ec, n] = co_await boost::asio::async_write(
      stream_, buffers, boost::asio::as_tuple(boost::asio::use_awaitable));
  (void)n;
  if (ec) keep_alive_ = false;
}

}  // namespace poise::net
