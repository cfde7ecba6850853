#include "net/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace poise::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// A server on 127.0.0.1:0 with small limits, and a blocking client that writes raw bytes.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.workers = 1;
    options.header_limit = 1024;
    options.body_limit = 1024;
    auto handler = [](HttpExchange& ex) -> asio::awaitable<void> {
      Response res{http::status::ok, 11};
      res.body() = "got " + std::to_string(ex.request().body().size()) + " bytes";
      co_await ex.respond(std::move(res));
    };
    auto rejection = [](std::string_view, unsigned status, std::string_view message) {
      Response res{static_cast<http::status>(status), 11};
      res.body() = std::string(message);
      return res;
    };
    server_ = std::make_unique<HttpServer>(options, handler, rejection);
    auto port = server_->bind();
    ASSERT_TRUE(port);
    port_ = *port;
    ASSERT_TRUE(server_->run());
  }

  void TearDown() override { server_->stop(std::chrono::milliseconds(500)); }

  // Connects, writes `head` and then `body`, stops sending, and returns everything read until
  // the server closes the connection (or the error that ended the read).
  std::string exchange(const std::string& head, const std::string& body = {}) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(head), ec);
    if (!body.empty()) asio::write(socket, asio::buffer(body), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    std::string out;
    asio::read(socket, asio::dynamic_buffer(out), ec);
    if (ec != asio::error::eof) out += "\n[read error: " + ec.message() + "]";
    return out;
  }

  std::unique_ptr<HttpServer> server_;
  unsigned short port_ = 0;
};

TEST_F(HttpServerTest, AnswersARequestWithinTheLimits) {
  const std::string got = exchange(
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", "hello");
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200 OK\r\n")) << got;
  EXPECT_TRUE(got.ends_with("got 5 bytes")) << got;
}

TEST_F(HttpServerTest, AHeadOverTheLimitIs431) {
  const std::string got =
      exchange("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(got.starts_with("HTTP/1.1 431 ")) << got;
  EXPECT_NE(got.find("request header fields too large"), std::string::npos) << got;
}

TEST_F(HttpServerTest, ADeclaredBodyOverTheLimitIs413AndTheClientStillReadsIt) {
  // The answer comes after the head; the client keeps sending its 4 MiB body and only then
  // reads. Without the lingering close the unread body would make the kernel reset the
  // connection and destroy the answer.
  const std::string body(std::size_t{4} << 20, 'b');
  const std::string got = exchange(
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n",
      body);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 413 ")) << got.substr(0, 200);
  EXPECT_NE(got.find("request body exceeds the limit of 1024 bytes"), std::string::npos);
  EXPECT_EQ(got.find("read error"), std::string::npos) << got.substr(got.size() - 100);
}

TEST_F(HttpServerTest, AChunkedBodyOverTheLimitIs413AndTheClientStillReadsIt) {
  std::string body;
  for (int i = 0; i < 512; ++i) body += "800\r\n" + std::string(0x800, 'c') + "\r\n";
  body += "0\r\n\r\n";
  const std::string got =
      exchange("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", body);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 413 ")) << got.substr(0, 200);
  EXPECT_EQ(got.find("read error"), std::string::npos) << got.substr(got.size() - 100);
}

}  // namespace
}  // namespace poise::net
