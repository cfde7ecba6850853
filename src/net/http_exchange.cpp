#include "net/http_exchange.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

namespace poise::net {

namespace http = boost::beast::http;

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

}  // namespace poise::net
