#include "net/http_exchange.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>

#include "net/run_for_test.h"

namespace poise::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A client socket connected to `acceptor` (the connection waits in its backlog).
tcp::socket connectedClient(asio::io_context& ioc, const tcp::acceptor& acceptor) {
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  return client;
}

// An exchange on the server end of a real loopback connection, and the client end.
class HttpExchangeTest : public ::testing::Test {
 protected:
  HttpExchangeTest()
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        client_(connectedClient(ioc_, acceptor_)),
        server_(acceptor_.accept()),
        request_(http::verb::get, "/v1beta/models/m:streamGenerateContent", 11),
        exchange_(request_, server_, ExchangeInfo{.request_id = "rid-1"}, 5s) {}

  void run(asio::awaitable<void> body) { runForTest(ioc_, std::move(body)); }

  // Everything the client receives until the server's end of the connection closes.
  std::string readToEnd() {
    std::string out;
    boost::system::error_code ec;
    asio::read(client_, asio::dynamic_buffer(out), ec);
    return out;
  }

  // Closes the server's end, as the session does after the exchange.
  void closeServer() {
    boost::system::error_code ec;
    server_.socket().shutdown(tcp::socket::shutdown_both, ec);
    server_.socket().close(ec);
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  tcp::socket client_;
  boost::beast::tcp_stream server_;
  Request request_;
  HttpExchange exchange_;
};

TEST_F(HttpExchangeTest, ChunkedPiecesArriveFramedAndInOrder) {
  http::fields fields;
  fields.set(http::field::content_type, "text/event-stream");
  fields.set(http::field::content_length, "999");  // framing belongs to the exchange
  fields.set("X-Request-Id", "forged");
  bool finished = false;
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    auto& ex = exchange_;
    ok = co_await ex.startResponse(200, fields, std::nullopt);
    EXPECT_TRUE(ok);
    ok = co_await ex.writePiece("data: one\n\n");
    EXPECT_TRUE(ok);
    ok = co_await ex.writePiece("");
    EXPECT_TRUE(ok);  // nothing, and no empty chunk that would end it
    ok = co_await ex.writePiece("data: two\n\n");
    EXPECT_TRUE(ok);
    finished = co_await ex.finishResponse("data: [DONE]\n\n");
  }());
  EXPECT_TRUE(finished);
  EXPECT_TRUE(exchange_.answered());
  EXPECT_EQ(exchange_.status(), 200u);
  EXPECT_TRUE(exchange_.keepAlive());
  closeServer();
  EXPECT_EQ(readToEnd(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Request-Id: rid-1\r\n"
            "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
            "b\r\ndata: one\n\n\r\n"
            "b\r\ndata: two\n\n\r\n"
            "e\r\ndata: [DONE]\n\n\r\n"
            "0\r\n\r\n");
}

TEST_F(HttpExchangeTest, ACaptureKeepsOnlyTheFirstBytesOfAStreamedBody) {
  std::string captured;
  std::size_t limit = 0;  // off until the handler knows it wants a capture
  exchange_.captureBody(&captured, &limit);
  run([&]() -> asio::awaitable<void> {
    bool ok = co_await exchange_.startResponse(200, {}, std::nullopt);
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("before ");
    EXPECT_TRUE(ok);
    limit = 10;
    ok = co_await exchange_.writePiece("0123");
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("456789abcdef");
    EXPECT_TRUE(ok);
    ok = co_await exchange_.finishResponse("tail");
    EXPECT_TRUE(ok);
  }());
  EXPECT_EQ(captured, "0123456789");  // nothing while off, then 10 bytes of what was sent
  closeServer();
  EXPECT_NE(readToEnd().find("456789abcdef"), std::string::npos);  // the client got it all
}

TEST_F(HttpExchangeTest, AWholeResponseIsCapturedUpToTheLimit) {
  std::string captured;
  const std::size_t limit = 5;
  exchange_.captureBody(&captured, &limit);
  run([&]() -> asio::awaitable<void> {
    co_await exchange_.respondRaw(200, "Content-Type: text/plain\r\n", "hello world");
  }());
  EXPECT_EQ(captured, "hello");
}

TEST_F(HttpExchangeTest, AnUnfinishedStreamDoesNotKeepTheConnection) {
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(200, {}, std::nullopt);
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("x");
    EXPECT_TRUE(ok);
  }());
  EXPECT_FALSE(exchange_.keepAlive());
}

TEST_F(HttpExchangeTest, ALengthFramedBodyIsWrittenAsIs) {
  bool finished = false;
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(201, {}, 6);
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("abc");
    EXPECT_TRUE(ok);
    finished = co_await exchange_.finishResponse("def");
  }());
  EXPECT_TRUE(finished);
  EXPECT_TRUE(exchange_.keepAlive());
  closeServer();
  EXPECT_EQ(readToEnd(),
            "HTTP/1.1 201 Created\r\nX-Request-Id: rid-1\r\nContent-Length: 6\r\n"
            "Connection: keep-alive\r\n\r\nabcdef");
}

TEST_F(HttpExchangeTest, ALengthFramedBodyCannotOverrun) {
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(200, {}, 4);
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("abc");
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("de");
    EXPECT_FALSE(ok);  // past the length: refused, aborted
  }());
  EXPECT_FALSE(exchange_.keepAlive());
  EXPECT_EQ(readToEnd(),
            "HTTP/1.1 200 OK\r\nX-Request-Id: rid-1\r\nContent-Length: 4\r\n"
            "Connection: keep-alive\r\n\r\nabc");
}

TEST_F(HttpExchangeTest, ALengthFramedBodyCannotFallShort) {
  bool finished = true;
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(200, {}, 4);
    EXPECT_TRUE(ok);
    finished = co_await exchange_.finishResponse("ab");
  }());
  EXPECT_FALSE(finished);
  EXPECT_FALSE(exchange_.keepAlive());
}

TEST_F(HttpExchangeTest, AbortClosesWithoutACleanEnd) {
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(200, {}, std::nullopt);
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("partial");
    EXPECT_TRUE(ok);
    exchange_.abortResponse();
  }());
  EXPECT_FALSE(exchange_.keepAlive());
  // The client sees the end of the connection without the last chunk.
  const std::string got = readToEnd();
  EXPECT_NE(got.find("7\r\npartial\r\n"), std::string::npos);
  EXPECT_EQ(got.find("0\r\n\r\n"), std::string::npos);
}

TEST_F(HttpExchangeTest, AnHttp10ClientGetsACloseDelimitedBody) {
  request_.version(10);
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(200, {}, std::nullopt);
    EXPECT_TRUE(ok);
    ok = co_await exchange_.writePiece("one");
    EXPECT_TRUE(ok);
    ok = co_await exchange_.finishResponse("two");
    EXPECT_TRUE(ok);
  }());
  EXPECT_FALSE(exchange_.keepAlive());
  closeServer();
  EXPECT_EQ(readToEnd(),
            "HTTP/1.1 200 OK\r\nX-Request-Id: rid-1\r\nConnection: close\r\n\r\nonetwo");
}

TEST_F(HttpExchangeTest, LearnsThatTheClientWentAway) {
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    boost::system::error_code ec;
    client_.shutdown(tcp::socket::shutdown_both, ec);
    client_.close(ec);
    co_await exchange_.waitClientGone();
    EXPECT_TRUE(exchange_.clientGone());
    ok = co_await exchange_.startResponse(200, {}, std::nullopt);
    EXPECT_FALSE(ok);
  }());
  EXPECT_TRUE(exchange_.clientGone());
}

TEST_F(HttpExchangeTest, AClientSendingMoreIsNotGone) {
  run([&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    const std::string next = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";
    co_await asio::async_write(client_, asio::buffer(next), kTuple);
    asio::steady_timer later(ioc_, 100ms);
    co_await (exchange_.waitClientGone() || later.async_wait(kTuple));
    EXPECT_FALSE(exchange_.clientGone());
  }());
}

// A piece larger than the socket's send buffer: the part that does not fit at once follows
// asynchronously, whole and in order.
TEST_F(HttpExchangeTest, APieceLargerThanTheSendBufferArrivesWhole) {
  std::string big(std::size_t{8} * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  std::string got;
  bool finished = false;
  run([&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    auto write = [&]() -> asio::awaitable<void> {
      bool ok = co_await exchange_.startResponse(200, {}, big.size());
      if (ok) ok = co_await exchange_.writePiece(big);
      if (ok) finished = co_await exchange_.finishResponse({});
    };
    auto read = [&]() -> asio::awaitable<void> {
      std::string buf(std::size_t{64} * 1024, '\0');
      for (;;) {
        auto [ec, n] = co_await client_.async_read_some(asio::buffer(buf), kTuple);
        if (ec) co_return;
        got.append(buf.data(), n);
        const auto head_end = got.find("\r\n\r\n");
        if (head_end != std::string::npos && got.size() >= head_end + 4 + big.size()) co_return;
      }
    };
    co_await (write() && read());
  }());
  EXPECT_TRUE(finished);
  const auto head_end = got.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  EXPECT_EQ(got.substr(0, head_end + 4),
            "HTTP/1.1 200 OK\r\nX-Request-Id: rid-1\r\nContent-Length: 8388608\r\n"
            "Connection: keep-alive\r\n\r\n");
  EXPECT_TRUE(got.compare(head_end + 4, std::string::npos, big) == 0);
}

TEST_F(HttpExchangeTest, AWriteToAClientThatLeftFails) {
  bool wrote = true;
  run([&]() -> asio::awaitable<void> {
    bool ok = false;
    ok = co_await exchange_.startResponse(200, {}, std::nullopt);
    EXPECT_TRUE(ok);
    boost::system::error_code ec;
    client_.close(ec);
    // The first write after the close may still be accepted by the kernel; keep writing until
    // the reset arrives.
    const std::string piece(std::size_t{64} * 1024, 'x');
    for (int i = 0; i < 100 && wrote; ++i) wrote = co_await exchange_.writePiece(piece);
  }());
  EXPECT_FALSE(wrote);
  EXPECT_TRUE(exchange_.clientGone());
  EXPECT_FALSE(exchange_.keepAlive());
}

}  // namespace
}  // namespace poise::net
