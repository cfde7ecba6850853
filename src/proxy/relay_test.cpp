#include "proxy/relay.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cctype>

#include "net/run_for_test.h"
#include "proxy/fake_upstream_test_support.h"

namespace poise::proxy {
namespace {

namespace asio = boost::asio;
using testing::FakeAnswer;
using testing::MemoryClient;
using testing::Script;

Script sse(std::vector<std::string> pieces) {
  Script s;
  s.headers = {{"Content-Type", "text/event-stream"}, {"X-Upstream", "yes"}};
  s.pieces = std::move(pieces);
  s.with_length = false;
  return s;
}

// Upper-cases every piece, and ends with "END" (or "ERR <status>" when broken): a translator
// whose output shows the order and the ending.
class ShoutingTranslator final : public PieceTranslator {
 public:
  unsigned head(unsigned, const boost::beast::http::fields&,
                boost::beast::http::fields& out) override {
    out.set(boost::beast::http::field::content_type, "text/event-stream");
    return 200;
  }
  bool identity() const override { return false; }
  std::string transform(std::string_view piece) override {
    std::string out(piece);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
  std::string finish() override { return "END"; }
  std::string broken(BreakReason reason) override {
    return reason == BreakReason::Shutdown ? "ERR 503" : "ERR 502";
  }
};

class RelayTest : public ::testing::Test {
 protected:
  RelayEnd relay(Script script, PieceTranslator& translator, bool streaming = true) {
    RelayEnd end = RelayEnd::Finished;
    net::runForTest(ioc_, [&]() -> asio::awaitable<void> {
      FakeAnswer answer(ioc_.get_executor(), std::move(script), &upstream_closed_);
      answer_ = &answer;
      end = co_await relayAnswer(client_, answer, translator, streaming, usage_, keepalive_);
      answer_ = nullptr;
    }());
    return end;
  }

  // A stream silent before its second piece; the upstream speaks again once the client has
  // had `beats` keep-alives (so the test waits for behaviour, never for a duration).
  Script quietStream(std::vector<std::string> pieces, std::string_view beat, int beats) {
    Script s = sse(std::move(pieces));
    s.hold_before = 1;
    keepalive_ = std::chrono::milliseconds{1};
    client_.on_piece = [this, beat = std::string(beat), beats](std::string_view bytes) {
      if (bytes == beat && ++beats_seen_ == beats && answer_ != nullptr) answer_->release();
    };
    return s;
  }

  asio::io_context ioc_;
  MemoryClient client_{ioc_.get_executor()};
  protocols::UsageScanner usage_;
  bool upstream_closed_ = false;
  FakeAnswer* answer_ = nullptr;
  std::chrono::milliseconds keepalive_{0};
  int beats_seen_ = 0;
};

TEST_F(RelayTest, IdentityPassesPiecesInOrderWithTheUpstreamHeaders) {
  IdentityTranslator identity;
  Script s = sse({"data: {\"a\":1}\r\n\r\n", "data: {\"a\":2}\r\n\r\n",
                  "data: {\"usageMetadata\":{\"promptTokenCount\":3}}\r\n\r\n"});
  s.headers.emplace_back("Alt-Svc", "h3=\":443\"");
  EXPECT_EQ(relay(std::move(s), identity), RelayEnd::Finished);
  EXPECT_EQ(client_.status, 200u);
  ASSERT_EQ(client_.pieces.size(), 3u);
  EXPECT_EQ(client_.pieces[0], "data: {\"a\":1}\r\n\r\n");
  EXPECT_EQ(client_.pieces[1], "data: {\"a\":2}\r\n\r\n");
  EXPECT_TRUE(client_.finished);
  EXPECT_FALSE(client_.aborted);
  EXPECT_FALSE(upstream_closed_);
  EXPECT_FALSE(client_.content_length);  // an SSE stream stays chunked
  bool upstream_header = false;
  for (const auto& [name, value] : client_.headers) {
    EXPECT_NE(name, "Alt-Svc");  // never relayed
    if (name == "X-Upstream") upstream_header = true;
  }
  EXPECT_TRUE(upstream_header);
  EXPECT_TRUE(usage_.usage().present);
  EXPECT_EQ(usage_.usage().prompt, 3);
}

TEST_F(RelayTest, IdentityKeepsALengthFramedBody) {
  IdentityTranslator identity;
  Script s;
  s.pieces = {"{\"big\":", "true}"};
  EXPECT_EQ(relay(std::move(s), identity, false), RelayEnd::Finished);
  EXPECT_EQ(client_.content_length, 12u);
  EXPECT_EQ(client_.body(), "{\"big\":true}");
}

TEST_F(RelayTest, ATranslatorSeesEveryPieceInOrder) {
  ShoutingTranslator shouting;
  EXPECT_EQ(relay(sse({"one ", "two ", "three "}), shouting), RelayEnd::Finished);
  EXPECT_EQ(client_.body(), "ONE TWO THREE END");
}

TEST_F(RelayTest, AClientThatStopsReadingClosesTheUpstream) {
  IdentityTranslator identity;
  client_.leave_after_pieces = 1;
  EXPECT_EQ(relay(sse({"data: 1\r\n\r\n", "data: 2\r\n\r\n", "data: 3\r\n\r\n"}), identity),
            RelayEnd::ClientGone);
  EXPECT_EQ(client_.pieces.size(), 1u);
  EXPECT_TRUE(upstream_closed_);
  EXPECT_TRUE(client_.aborted);
  EXPECT_FALSE(client_.finished);
}

TEST_F(RelayTest, AClientThatLeavesWhileTheUpstreamIsQuietClosesItAtOnce) {
  IdentityTranslator identity;
  Script s = sse({"data: 1\r\n\r\n"});
  s.hangs = true;  // then silence: only the client's leaving can end the wait
  client_.leave_after_pieces = 1;
  EXPECT_EQ(relay(std::move(s), identity), RelayEnd::ClientGone);
  EXPECT_TRUE(upstream_closed_);
  EXPECT_TRUE(client_.aborted);
}

TEST_F(RelayTest, AnUpstreamBreakEndsWithTheTerminalErrorEvent) {
  IdentityTranslator identity;
  Script s = sse({"data: {\"a\":1}\r\n\r\n"});
  s.breaks = true;
  EXPECT_EQ(relay(std::move(s), identity), RelayEnd::UpstreamBroke);
  ASSERT_EQ(client_.pieces.size(), 2u);
  EXPECT_EQ(client_.pieces[1],
            "data: {\"error\":{\"code\":502,\"message\":\"The upstream stream was "
            "interrupted.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n");
  EXPECT_TRUE(client_.finished);  // a clean end after the event, so SDKs read it
  EXPECT_TRUE(upstream_closed_);
}

TEST_F(RelayTest, ATranslatedStreamBreakUsesTheTranslatorsEvent) {
  ShoutingTranslator shouting;
  Script s = sse({"a "});
  s.breaks = true;
  EXPECT_EQ(relay(std::move(s), shouting), RelayEnd::UpstreamBroke);
  EXPECT_EQ(client_.body(), "A ERR 502");
}

TEST_F(RelayTest, ABrokenLengthFramedBodyIsCut) {
  IdentityTranslator identity;  // no event can end a JSON body: the connection is cut
  Script s;
  s.pieces = {"{\"half\":"};
  s.breaks = true;
  EXPECT_EQ(relay(std::move(s), identity, false), RelayEnd::UpstreamBroke);
  EXPECT_TRUE(client_.aborted);
  EXPECT_FALSE(client_.finished);
}

TEST_F(RelayTest, TheShutdownNoticeEndsAQuietStreamWithA503Event) {
  ShoutingTranslator shouting;
  Script s = sse({"a "});
  s.hangs = true;  // then silence: only the notice can end the wait
  client_.stop_after_pieces = 1;
  EXPECT_EQ(relay(std::move(s), shouting), RelayEnd::Shutdown);
  EXPECT_EQ(client_.body(), "A ERR 503");
  EXPECT_TRUE(upstream_closed_);
}

TEST_F(RelayTest, ASilentSseStreamGetsKeepAliveCommentsBetweenPieces) {
  IdentityTranslator identity(true);
  const std::string first = "data: {\"candidates\":[{\"content\":{}}]}\r\n\r\n";
  const std::string last = "data: {\"candidates\":[{\"finishReason\": \"STOP\"}]}\r\n\r\n";
  Script s = quietStream({first, last}, ": keep-alive\n\n", 2);
  EXPECT_EQ(relay(std::move(s), identity), RelayEnd::Finished);
  ASSERT_EQ(client_.pieces.size(), 4u);
  EXPECT_EQ(client_.pieces[0], first);
  EXPECT_EQ(client_.pieces[1], ": keep-alive\n\n");
  EXPECT_EQ(client_.pieces[2], ": keep-alive\n\n");
  EXPECT_EQ(client_.pieces[3], last);
  EXPECT_TRUE(client_.finished);
}

TEST_F(RelayTest, NoKeepAliveWhenItIsOffOrTheBodyIsNotAnSseStream) {
  IdentityTranslator identity;
  Script s = sse({"data: 1\r\n\r\n", "data: 2\r\n\r\n"});
  EXPECT_EQ(relay(std::move(s), identity), RelayEnd::Finished);  // keepalive_ is 0
  EXPECT_EQ(client_.body(), "data: 1\r\n\r\ndata: 2\r\n\r\n");
  EXPECT_EQ(identity.keepAlive(), ": keep-alive\n\n");
  IdentityTranslator json_body;
  boost::beast::http::fields upstream;
  upstream.set(boost::beast::http::field::content_type, "application/json");
  boost::beast::http::fields out;
  (void)json_body.head(200, upstream, out);
  EXPECT_EQ(json_body.keepAlive(), "");  // a JSON-array stream cannot take a comment
}

TEST_F(RelayTest, ATranslatorsOwnKeepAliveIsUsed) {
  class Pinging final : public PieceTranslator {
   public:
    unsigned head(unsigned, const boost::beast::http::fields&,
                  boost::beast::http::fields&) override {
      return 200;
    }
    bool identity() const override { return false; }
    std::string transform(std::string_view piece) override { return std::string(piece); }
    std::string finish() override { return "END"; }
    std::string broken(BreakReason) override { return "ERR"; }
    std::string keepAlive() const override { return "PING "; }
  } pinging;
  Script s = quietStream({"a ", "b "}, "PING ", 1);
  EXPECT_EQ(relay(std::move(s), pinging), RelayEnd::Finished);
  EXPECT_EQ(client_.body(), "a PING b END");
}

TEST_F(RelayTest, AStreamEndingWithoutAFinishReasonIsTruncated) {
  IdentityTranslator identity(true);
  Script s = sse({"data: {\"candidates\":[{\"content\":{}}]}\r\n\r\n"});
  EXPECT_EQ(relay(std::move(s), identity), RelayEnd::Truncated);
  ASSERT_EQ(client_.pieces.size(), 2u);
  EXPECT_EQ(client_.pieces[1],
            "data: {\"error\":{\"code\":502,\"message\":\"The upstream stream ended without a "
            "finish reason; the answer is incomplete.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n");
  EXPECT_TRUE(client_.finished);
  EXPECT_FALSE(upstream_closed_);  // read to its end: the connection may be reused
}

TEST_F(RelayTest, AFinishedOrUncheckedStreamIsNotTruncated) {
  IdentityTranslator checked(true);
  EXPECT_EQ(relay(sse({"data: {\"candidates\":[{\"finishReason\":\"STOP\"}]}\r\n\r\n"}), checked),
            RelayEnd::Finished);
  IdentityTranslator unchecked;  // e.g. Google's OpenAI-compatible stream
  client_.pieces.clear();
  EXPECT_EQ(relay(sse({"data: {\"choices\":[]}\n\n"}), unchecked), RelayEnd::Finished);
  EXPECT_EQ(client_.body(), "data: {\"choices\":[]}\n\n");
}

}  // namespace
}  // namespace poise::proxy
