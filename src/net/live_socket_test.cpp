#include "net/live_socket.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "fakes/fake_gemini.h"
#include "net/http_server.h"

namespace poise::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr std::string_view kLivePath =
    "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

// What the gateway-side handler saw of one session.
struct Session {
  unsigned refused = 0;  // the upstream's status when it refused the upgrade
  LiveRelayEnd end;
  std::size_t observed = 0;  // upstream → client messages the observer saw
};

// A gateway in miniature over loopback: an HttpServer whose handler accepts the client's socket,
// reads its first message, dials the fake upstream's Live endpoint with `key` and relays; a Beast
// client drives it.
class LiveSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.workers = 1;
    auto handler = [this](HttpExchange& ex) -> asio::awaitable<void> { co_await serve(ex); };
    server_ = std::make_unique<HttpServer>(std::move(options), handler,
                                           [](const EarlyAnswer&) { return Response{}; });
    auto bound = server_->bind();
    ASSERT_TRUE(bound);
    port_ = *bound;
    pool_ = std::make_unique<UpstreamPool>(server_->workerContext(0), tls_);
    ASSERT_TRUE(server_->run());
  }

  void TearDown() override { server_->stop(std::chrono::milliseconds(500)); }

  asio::awaitable<void> serve(HttpExchange& ex) {
    Session session;
    auto client = co_await acceptLiveSocket(ex, LiveLimits{.message_limit = 1024});
    if (!client) co_return;
    LiveRead first = co_await client->read();
    const Origin origin{false, "127.0.0.1", std::to_string(upstream_.port())};
    const UpstreamTimeouts timeouts;
    const LiveConnect connect{.origin = origin,
                              .target = kLivePath,
                              .api_key = key_,
                              .user_agent = "live-socket-test",
                              .timeouts = timeouts,
                              .limits = {}};
    auto dialed = co_await dialLiveSocket(*pool_, clock_, connect);
    if (!dialed || !dialed->socket) {
      session.refused = dialed ? dialed->status : 0;
      const std::string why = "refused " + std::to_string(session.refused);
      co_await client->close(kCloseTryLater, why);
      sessions_.set_value(session);
      co_return;
    }
    EXPECT_TRUE(co_await dialed->socket->write(first.data, first.binary));
    const LiveObserver observe = [&session](std::string_view) { ++session.observed; };
    session.end = co_await relayLive(*client, *dialed->socket, ex.stopNotice(),
                                     std::chrono::seconds(10), observe);
    sessions_.set_value(session);
  }

  // A connected, upgraded client socket.
  std::unique_ptr<websocket::stream<tcp::socket>> connectClient() {
    auto ws = std::make_unique<websocket::stream<tcp::socket>>(ioc_);
    ws->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    ws->handshake("127.0.0.1", std::string(kLivePath));
    return ws;
  }

  static std::string readText(websocket::stream<tcp::socket>& ws, bool* binary = nullptr) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    if (binary != nullptr) *binary = ws.got_binary();
    return beast::buffers_to_string(buffer.data());
  }

  // The session's record once the handler has finished it.
  Session finished() {
    auto future = sessions_.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return future.get();
  }

  fakes::FakeGeminiThread upstream_;
  asio::ssl::context tls_{asio::ssl::context::tls_client};
  SystemClock clock_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<UpstreamPool> pool_;
  unsigned short port_ = 0;
  std::string key_ = "live-socket-key";
  std::promise<Session> sessions_;
  asio::io_context ioc_;
};

TEST_F(LiveSocketTest, RelaysMessagesBothWaysAndTheUpstreamClose) {
  auto ws = connectClient();
  ws->text(true);
  ws->write(asio::buffer(std::string(R"({"setup":{"model":"models/gemini-live-test"}})")));
  bool binary = false;
  EXPECT_EQ(readText(*ws, &binary), R"({"setupComplete":{}})");
  EXPECT_TRUE(binary) << "the upstream's binary frame stays binary";
  ws->write(asio::buffer(std::string(
      R"({"clientContent":{"turns":[{"role":"user","parts":[{"text":"hi there"}]}]}})")));
  EXPECT_NE(readText(*ws).find("echo: hi there"), std::string::npos);
  EXPECT_NE(readText(*ws).find("turnComplete"), std::string::npos);
  ws->write(asio::buffer(std::string(
      R"({"clientContent":{"turns":[{"role":"user","parts":[{"text":"fake_close=1011"}]}]}})")));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  ws->read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws->reason().code, 1011);
  EXPECT_EQ(std::string(ws->reason().reason.data(), ws->reason().reason.size()),
            "closed by the fake (fake_close)");
  const Session session = finished();
  EXPECT_EQ(session.end.kind, LiveRelayEnd::Kind::UpstreamClosed);
  EXPECT_EQ(session.end.close_code, 1011u);
  EXPECT_EQ(session.end.to_upstream, 2u);  // the setup went before the relay
  EXPECT_EQ(session.end.to_client, 3u);
  EXPECT_EQ(session.observed, 3u);
  const auto seen = upstream_.fake().requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].key_source, "header");
  EXPECT_EQ(seen[0].key, key_);
  EXPECT_EQ(seen[0].status, 101u);
}

TEST_F(LiveSocketTest, TheClientsCloseReachesTheUpstream) {
  auto ws = connectClient();
  ws->write(asio::buffer(std::string(R"({"setup":{"model":"models/gemini-live-test"}})")));
  EXPECT_EQ(readText(*ws), R"({"setupComplete":{}})");
  ws->close(websocket::close_reason(websocket::close_code::normal));
  const Session session = finished();
  EXPECT_EQ(session.end.kind, LiveRelayEnd::Kind::ClientClosed);
  EXPECT_EQ(session.end.close_code, 1000u);
}

TEST_F(LiveSocketTest, AMessageOverTheLimitClosesBothSidesWith1009) {
  auto ws = connectClient();
  ws->write(asio::buffer(std::string(R"({"setup":{"model":"models/gemini-live-test"}})")));
  EXPECT_EQ(readText(*ws), R"({"setupComplete":{}})");
  ws->write(asio::buffer(std::string(4096, 'x')));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  ws->read(buffer, ec);
  // Beast sends the 1009 and tears the connection down at once (a failed read does not wait
  // for the close handshake), so the client's answer to the close may meet a closed socket.
  if (ec == websocket::error::closed) {
    EXPECT_EQ(ws->reason().code, 1009);
  } else {
    EXPECT_TRUE(ec) << "the connection ended";
  }
  const Session session = finished();
  EXPECT_EQ(session.end.kind, LiveRelayEnd::Kind::TooBig);
}

TEST_F(LiveSocketTest, TheShutdownNoticeClosesBothSidesWith1001) {
  auto ws = connectClient();
  ws->write(asio::buffer(std::string(R"({"setup":{"model":"models/gemini-live-test"}})")));
  EXPECT_EQ(readText(*ws), R"({"setupComplete":{}})");
  std::thread stopper([this] { server_->stop(std::chrono::milliseconds(0)); });
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  ws->read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws->reason().code, kCloseGoingAway);
  stopper.join();
  EXPECT_EQ(finished().end.kind, LiveRelayEnd::Kind::Shutdown);
}

TEST_F(LiveSocketTest, ARefusedUpgradeComesBackAsItsStatus) {
  key_ = "overloaded-live";  // the fake refuses its upgrade with 503
  auto ws = connectClient();
  ws->write(asio::buffer(std::string(R"({"setup":{"model":"models/gemini-live-test"}})")));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  ws->read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws->reason().code, kCloseTryLater);
  EXPECT_EQ(finished().refused, 503u);
}

}  // namespace
}  // namespace poise::net
