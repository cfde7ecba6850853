#include "net/upstream_client.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "net/run_for_test.h"

namespace poise::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// What the scripted upstream does with one request.
struct Reply {
  std::string bytes;                   // written once the request is read
  std::chrono::milliseconds delay{0};  // waited before writing
  bool close_after = false;            // the connection is closed after writing
};

// A tiny HTTP/1.1 upstream on 127.0.0.1:0: reads each request (head and Content-Length body),
// records it, and answers with the next scripted reply; with none left it closes the connection.
class ScriptedUpstream {
 public:
  explicit ScriptedUpstream(asio::io_context& ioc)
      : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(ioc_, acceptLoop(), asio::detached);
  }

  Origin origin() const {
    return Origin{false, "127.0.0.1", std::to_string(acceptor_.local_endpoint().port())};
  }
  void push(Reply reply) { replies_.push_back(std::move(reply)); }
  int connections() const { return connections_; }
  const std::vector<std::string>& requests() const { return requests_; }

 private:
  asio::awaitable<void> acceptLoop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(ioc_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    std::string in;
    for (;;) {
      auto [ec, n] =
          co_await asio::async_read_until(socket, asio::dynamic_buffer(in), "\r\n\r\n", kTuple);
      if (ec) co_return;
      const std::string head = in.substr(0, n);
      in.erase(0, n);
      const std::size_t length = contentLength(head);
      if (in.size() < length) {
        auto [bec, bn] = co_await asio::async_read(
            socket, asio::dynamic_buffer(in), asio::transfer_exactly(length - in.size()), kTuple);
        (void)bn;
        if (bec) co_return;
      }
      requests_.push_back(head + in.substr(0, length));
      in.erase(0, length);
      if (replies_.empty()) co_return;
      const Reply reply = replies_.front();
      replies_.pop_front();
      if (reply.delay.count() > 0) {
        asio::steady_timer wait(ioc_, reply.delay);
        co_await wait.async_wait(kTuple);
      }
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(reply.bytes), kTuple);
      (void)wn;
      if (wec || reply.close_after) co_return;
    }
  }

  static std::size_t contentLength(std::string_view head) {
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return std::stoul(lower.substr(at + 17));
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::deque<Reply> replies_;
  std::vector<std::string> requests_;
  int connections_ = 0;
};

class UpstreamClientTest : public ::testing::Test {
 protected:
  UpstreamClientTest() : tls_(asio::ssl::context::tls_client), pool_(ioc_, tls_), upstream_(ioc_) {
    timeouts_.connect = 1s;
    timeouts_.tls = 1s;
    timeouts_.first_byte = 1s;
    timeouts_.idle = 1s;
    timeouts_.total = 5s;
  }

  void run(asio::awaitable<void> body) { runForTest(ioc_, std::move(body)); }

  RequestHead head(std::string_view method, std::string_view body = {}) {
    auto h = RequestHead::start(method, "/v1beta/models/m:generateContent");
    EXPECT_TRUE(h);
    EXPECT_TRUE(h->addHostAndLength(upstream_.origin(), body.size()));
    EXPECT_TRUE(h->add("x-goog-api-key", "secret-key-value"));
    return *h;
  }

  // Sends `request` with `body` within the fixture's timeouts.
  asio::awaitable<UpstreamOr<std::unique_ptr<UpstreamAnswer>>> send(const RequestHead& request,
                                                                    std::string_view body = {}) {
    UpstreamClient client(pool_, clock_);
    const Origin origin = upstream_.origin();
    const UpstreamSend plan{.origin = origin,
                            .head = request,
                            .body = body,
                            .timeouts = timeouts_,
                            .deadline_ms = clock_.monotonicMs() + timeouts_.total.count()};
    co_return co_await client.send(plan);
  }

  // Sends `request` and reads the whole answer, at most `limit` bytes.
  UpstreamOr<std::string> fetch(const RequestHead& request, std::size_t limit = 1024) {
    UpstreamOr<std::string> out = UpstreamError{.message = "not run"};
    run([&]() -> asio::awaitable<void> {
      auto answer = co_await send(request);
      if (!answer) {
        out = answer.error();
        co_return;
      }
      out = co_await (*answer)->readAll(limit);
    }());
    return out;
  }

  asio::io_context ioc_;
  asio::ssl::context tls_;
  ManualClock clock_;
  UpstreamTimeouts timeouts_;
  UpstreamPool pool_;
  ScriptedUpstream upstream_;
};

TEST_F(UpstreamClientTest, ReadsALengthFramedAnswerAndPoolsTheConnection) {
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Content-Length: 11\r\n\r\nhello world"});
  const RequestHead request = head("POST", "{}");
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(request, "{}");
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    EXPECT_EQ((*answer)->status(), 200u);
    EXPECT_EQ((*answer)->headers()["Content-Type"], "application/json");
    EXPECT_EQ((*answer)->contentLength(), 11u);
    EXPECT_FALSE((*answer)->retriedStale());
    auto body = co_await (*answer)->readAll(1024);
    EXPECT_TRUE(body);
    if (body) {
      EXPECT_EQ(*body, "hello world");
    }
    EXPECT_TRUE((*answer)->done());
  }());
  ASSERT_EQ(upstream_.requests().size(), 1u);
  EXPECT_EQ(upstream_.requests()[0], std::string(request.text()) + "\r\n{}");
  EXPECT_EQ(pool_.idleCount(), 1u);
}

// A request body larger than the socket's send buffer: what the first send does not take
// follows asynchronously, whole and in order.
TEST_F(UpstreamClientTest, ARequestLargerThanTheSendBufferArrivesWhole) {
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  std::string body(std::size_t{8} * 1024 * 1024, 'b');
  for (std::size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + i % 26);
  const RequestHead request = head("POST", body);
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(request, body);
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    auto got = co_await (*answer)->readAll(1024);
    EXPECT_TRUE(got);
    if (got) {
      EXPECT_EQ(*got, "ok");
    }
  }());
  ASSERT_EQ(upstream_.requests().size(), 1u);
  EXPECT_TRUE(upstream_.requests()[0] == std::string(request.text()) + "\r\n" + body);
}

TEST_F(UpstreamClientTest, ReadsAChunkedAnswerWholeOrPieceByPiece) {
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  upstream_.push({.bytes = chunked});
  upstream_.push({.bytes = chunked});
  const RequestHead get = head("GET");
  auto whole = fetch(get);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, "hello world");
  std::string joined;
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(get);  // on the pooled connection
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    EXPECT_FALSE((*answer)->contentLength());
    for (;;) {
      auto piece = co_await (*answer)->readPiece();
      EXPECT_TRUE(piece);
      if (!piece || piece->empty()) break;
      joined.append(*piece);
    }
    EXPECT_TRUE((*answer)->done());
  }());
  EXPECT_EQ(joined, "hello world");
  EXPECT_EQ(upstream_.connections(), 1);
  EXPECT_EQ(pool_.idleCount(), 1u);
}

TEST_F(UpstreamClientTest, LargeBodiesComeInPiecesOfAtMost16KiB) {
  const std::string body(100'000, 'x');
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body});
  const RequestHead get = head("GET");
  std::size_t total = 0;
  std::size_t largest = 0;
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(get);
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    for (;;) {
      auto piece = co_await (*answer)->readPiece();
      EXPECT_TRUE(piece);
      if (!piece || piece->empty()) break;
      largest = std::max(largest, piece->size());
      total += piece->size();
    }
  }());
  EXPECT_EQ(total, body.size());
  EXPECT_EQ(largest, kUpstreamPieceSize);
  EXPECT_EQ(pool_.idleCount(), 1u);
}

TEST_F(UpstreamClientTest, RefusesABodyOverTheLimitAndClosesTheConnection) {
  upstream_.push(
      {.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'a')});
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n"});
  const RequestHead get = head("GET");
  auto declared = fetch(get, 10);  // the declared length is over the limit
  ASSERT_FALSE(declared);
  EXPECT_EQ(declared.error().kind, UpstreamErrorKind::TooLarge);
  auto counted = fetch(get, 15);  // a new connection: the first was closed; chunks add up
  ASSERT_FALSE(counted);
  EXPECT_EQ(counted.error().kind, UpstreamErrorKind::TooLarge);
  EXPECT_EQ(upstream_.connections(), 2);
  EXPECT_EQ(pool_.idleCount(), 0u);
}

TEST_F(UpstreamClientTest, AnAnswerExactlyAtTheLimitIsWhole) {
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "a\r\n0123456789\r\n0\r\n\r\n"});
  auto body = fetch(head("GET"), 10);
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, "0123456789");
}

TEST_F(UpstreamClientTest, TimesOutWaitingForTheFirstByte) {
  timeouts_.first_byte = 50ms;
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .delay = 1s});
  auto body = fetch(head("GET"));
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, UpstreamErrorKind::Timeout);
  EXPECT_TRUE(body.error().timedOut());
  EXPECT_EQ(body.error().message.find("secret-key-value"), std::string::npos);
  EXPECT_EQ(pool_.idleCount(), 0u);
}

TEST_F(UpstreamClientTest, TimesOutWhenTheBodyStallsPastTheIdleDeadline) {
  timeouts_.idle = 50ms;
  // Five of the ten bytes, then silence with the connection open.
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"});
  const RequestHead get = head("GET");
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(get);
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    auto first = co_await (*answer)->readPiece();
    EXPECT_TRUE(first);
    if (first) {
      EXPECT_EQ(*first, "hello");
    }
    auto stalled = co_await (*answer)->readPiece();
    EXPECT_FALSE(stalled);
    if (!stalled) {
      EXPECT_TRUE(stalled.error().timedOut());
    }
  }());
  EXPECT_EQ(pool_.idleCount(), 0u);
}

TEST_F(UpstreamClientTest, TheTotalDeadlineComesFromTheInjectedClock) {
  const RequestHead request = head("GET");
  UpstreamOr<std::unique_ptr<UpstreamAnswer>> answer = UpstreamError{.message = "not run"};
  run([&]() -> asio::awaitable<void> {
    UpstreamClient client(pool_, clock_);
    const Origin origin = upstream_.origin();
    const UpstreamSend plan{.origin = origin,
                            .head = request,
                            .body = {},
                            .timeouts = timeouts_,
                            .deadline_ms = clock_.monotonicMs()};
    answer = co_await client.send(plan);
  }());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, UpstreamErrorKind::Timeout);
  EXPECT_EQ(upstream_.connections(), 0);
}

TEST_F(UpstreamClientTest, AStalePooledConnectionIsRetriedOnceOnAFreshOne) {
  // The first answer allows keep-alive, but the upstream closes the connection right after it.
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", .close_after = true});
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh"});
  const RequestHead get = head("GET");
  ASSERT_TRUE(fetch(get));
  EXPECT_EQ(pool_.idleCount(), 1u);
  bool retried = false;
  std::string body;
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(get);
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    retried = (*answer)->retriedStale();
    auto read = co_await (*answer)->readAll(100);
    if (read) body = *read;
  }());
  EXPECT_TRUE(retried);
  EXPECT_EQ(body, "fresh");
  EXPECT_EQ(upstream_.connections(), 2);
  EXPECT_EQ(upstream_.requests().size(), 2u);
}

TEST_F(UpstreamClientTest, AFreshConnectionThatFailsIsNotRetried) {
  // Closed before any answer on a new connection: an error, no second try.
  upstream_.push({.bytes = "", .close_after = true});
  auto body = fetch(head("GET"));
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, UpstreamErrorKind::EarlyClose);
  EXPECT_FALSE(body.error().retried_stale);
  EXPECT_EQ(upstream_.connections(), 1);
}

TEST_F(UpstreamClientTest, APartlyReadAnswerClosesItsConnection) {
  upstream_.push(
      {.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100'000, 'x')});
  upstream_.push({.bytes = "HTTP/1.1 204 No Content\r\n\r\n"});
  const RequestHead get = head("GET");
  run([&]() -> asio::awaitable<void> {
    {
      auto answer = co_await send(get);
      EXPECT_TRUE(answer);
      if (!answer) co_return;
      auto piece = co_await (*answer)->readPiece();
      EXPECT_TRUE(piece);
      EXPECT_FALSE((*answer)->done());
    }  // destroyed mid-body: closed, never pooled
    EXPECT_EQ(pool_.idleCount(), 0u);
    auto next = co_await send(get);
    EXPECT_TRUE(next);
    if (!next) co_return;
    EXPECT_EQ((*next)->status(), 204u);
    EXPECT_TRUE((*next)->done());  // no body: complete, and pooled, at once
    EXPECT_EQ(pool_.idleCount(), 1u);
  }());
  EXPECT_EQ(upstream_.connections(), 2);
}

TEST_F(UpstreamClientTest, AnAnswerToHeadHasNoBody) {
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"});
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  const RequestHead head_request = head("HEAD");
  run([&]() -> asio::awaitable<void> {
    auto answer = co_await send(head_request);
    EXPECT_TRUE(answer);
    if (!answer) co_return;
    EXPECT_TRUE((*answer)->done());
    EXPECT_EQ((*answer)->contentLength(), 50u);
  }());
  auto next = fetch(head("GET"));  // the same connection, still in step
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, "ok");
  EXPECT_EQ(upstream_.connections(), 1);
}

TEST_F(UpstreamClientTest, AnAnswerCutShortIsAnEarlyClose) {
  upstream_.push(
      {.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc", .close_after = true});
  auto body = fetch(head("GET"));
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, UpstreamErrorKind::EarlyClose);
  EXPECT_EQ(pool_.idleCount(), 0u);
}

TEST_F(UpstreamClientTest, AConnectionTheUpstreamWillCloseIsNotPooled) {
  upstream_.push({.bytes = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"});
  ASSERT_TRUE(fetch(head("GET")));
  EXPECT_EQ(pool_.idleCount(), 0u);
}

}  // namespace
}  // namespace poise::net
