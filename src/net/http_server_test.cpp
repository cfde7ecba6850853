#include "net/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "core/clock.h"

namespace poise::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// Answers a rejection with its message as the body.
Response plainRejection(const EarlyAnswer& early) {
  Response res{static_cast<http::status>(early.status), 11};
  res.body() = std::string(early.message);
  return res;
}

// Builds a one-worker server on 127.0.0.1:0, binds and runs it; sets `port` to the bound port.
// nullptr (with a test failure) when it cannot.
std::unique_ptr<HttpServer> startServer(HttpServerOptions options, RequestHandler handler,
                                        unsigned short& port) {
  options.host = "127.0.0.1";
  options.port = 0;
  options.workers = 1;
  auto server =
      std::make_unique<HttpServer>(std::move(options), std::move(handler), plainRejection);
  auto bound = server->bind();
  if (!bound || !server->run()) {
    ADD_FAILURE() << "the test server did not start";
    return nullptr;
  }
  port = *bound;
  return server;
}

// A server on 127.0.0.1:0 with small limits, and a blocking client that writes raw bytes.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.header_limit = 1024;
    options.body_limit = 1024;
    auto handler = [](HttpExchange& ex) -> asio::awaitable<void> {
      Response res{http::status::ok, 11};
      res.body() = "got " + std::to_string(ex.request().body().size()) + " bytes";
      co_await ex.respond(std::move(res));
    };
    server_ = startServer(std::move(options), handler, port_);
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    if (server_) server_->stop(std::chrono::milliseconds(500));
  }

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

// Shutdown: a server on a ManualClock that never advances, so a wait that depended on the grace
// running out would never end; every stop() below is given an hour and must return because the
// connections are gone. The handler holds each request until the test opens the gate.
class HttpServerStopTest : public ::testing::Test {
 protected:
  static constexpr auto kGrace = std::chrono::hours(1);

  void SetUp() override {
    HttpServerOptions options;
    options.clock = &clock_;
    auto handler = [this](HttpExchange& ex) -> asio::awaitable<void> {
      asio::steady_timer gate(co_await asio::this_coro::executor,
                              asio::steady_timer::time_point::max());
      if (hold_) {
        gate_ = &gate;
        entered_.set_value();
        co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
        gate_ = nullptr;
      }
      Response res{http::status::ok, 11};
      res.body() = "done.";
      co_await ex.respond(std::move(res));
    };
    server_ = startServer(std::move(options), handler, port_);
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    if (server_) server_->stop(std::chrono::milliseconds(0));
  }

  // Connects a blocking client and writes a keep-alive GET.
  void sendRequest() {
    client_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    const std::string head = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    asio::write(client_, asio::buffer(head));
  }

  // Everything the client reads until the server closes the connection.
  std::string readToClose() {
    boost::system::error_code ec;
    asio::read(client_, asio::dynamic_buffer(received_), ec);
    if (ec != asio::error::eof) received_ += "\n[read error: " + ec.message() + "]";
    return received_;
  }

  std::future<void> stopInBackground() {
    return std::async(std::launch::async, [this] { server_->stop(kGrace); });
  }

  ManualClock clock_;
  std::unique_ptr<HttpServer> server_;
  unsigned short port_ = 0;
  bool hold_ = false;
  std::promise<void> entered_;          // the held request reached the handler
  asio::steady_timer* gate_ = nullptr;  // worker thread only
  asio::io_context client_ioc_;
  tcp::socket client_{client_ioc_};
  std::string received_;
};

TEST_F(HttpServerStopTest, ReturnsAtOnceWithoutConnections) {
  auto stopped = stopInBackground();
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerStopTest, WaitsForAnInFlightRequestThenClosesItsConnection) {
  hold_ = true;
  sendRequest();
  ASSERT_EQ(entered_.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  auto stopped = stopInBackground();
  // The request is still held: stop() must be waiting for it, not returning.
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  EXPECT_EQ(server_->openConnections(), 1u);

  asio::post(server_->workerContext(0), [this] { gate_->cancel(); });
  // The answer arrives whole, and the keep-alive connection is closed after it rather than left
  // waiting for a next request; that close is what ends stop(), long before the grace.
  const std::string got = readToClose();
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200 OK\r\n")) << got;
  EXPECT_TRUE(got.ends_with("done.")) << got;
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerStopTest, ClosesAnIdleKeepAliveConnection) {
  sendRequest();
  asio::read_until(client_, asio::dynamic_buffer(received_), "done.");
  received_.clear();

  auto stopped = stopInBackground();
  EXPECT_EQ(readToClose(), "");  // closed by the server, with nothing more written
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerStopTest, RefusesNewConnectionsOnceStopIsRequested) {
  server_->requestStop();
  auto stopped = stopInBackground();
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  boost::system::error_code ec;
  client_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

}  // namespace
}  // namespace poise::net
