#include "fakes/fake_live.h"

#include <gtest/gtest.h>

namespace poise::fakes {
namespace {

TEST(FakeLiveResponderTest, AnswersTheSetupThenEchoesATurnWithUsage) {
  LiveResponder live;
  const LiveReply setup = live.onMessage(R"({"setup":{"model":"models/gemini-2.5-flash"}})");
  ASSERT_EQ(setup.messages.size(), 1u);
  EXPECT_EQ(setup.messages[0], R"({"setupComplete":{}})");
  const LiveReply turn = live.onMessage(
      R"({"clientContent":{"turns":[{"role":"user","parts":[{"text":"one two"}]}],"turnComplete":true}})");
  ASSERT_EQ(turn.messages.size(), 2u);
  EXPECT_NE(turn.messages[0].find(R"("text":"echo: one two")"), std::string::npos);
  EXPECT_NE(turn.messages[1].find(R"("turnComplete":true)"), std::string::npos);
  EXPECT_NE(turn.messages[1].find(R"("promptTokenCount":2)"), std::string::npos);
  EXPECT_NE(turn.messages[1].find(R"("responseTokenCount":3)"), std::string::npos);
  EXPECT_FALSE(turn.close_code);
  const LiveReply partial =
      live.onMessage(R"({"clientContent":{"turns":[],"turnComplete":false}})");
  EXPECT_TRUE(partial.messages.empty());
  const LiveReply realtime = live.onMessage(R"({"realtimeInput":{"text":"hey"}})");
  ASSERT_EQ(realtime.messages.size(), 2u);
  EXPECT_NE(realtime.messages[0].find("echo: hey"), std::string::npos);
}

TEST(FakeLiveResponderTest, ClosesLikeGoogleOnABadStart) {
  LiveResponder not_setup;
  EXPECT_EQ(not_setup.onMessage(R"({"clientContent":{}})").close_code, 1007u);
  LiveResponder not_json;
  EXPECT_EQ(not_json.onMessage("nope").close_code, 1007u);
  LiveResponder unknown;
  const LiveReply reply = unknown.onMessage(R"({"setup":{"model":"models/no-such-model"}})");
  EXPECT_EQ(reply.close_code, 1008u);
  EXPECT_NE(reply.close_reason.find("is not supported for bidiGenerateContent"), std::string::npos);
}

TEST(FakeLiveResponderTest, FakeCloseEndsTheSessionWithTheCode) {
  LiveResponder live;
  (void)live.onMessage(R"({"setup":{"model":"models/gemini-live-2.5-flash-preview"}})");
  const LiveReply reply = live.onMessage(
      R"({"clientContent":{"turns":[{"role":"user","parts":[{"text":"fake_close=4001"}]}]}})");
  EXPECT_TRUE(reply.messages.empty());
  EXPECT_EQ(reply.close_code, 4001u);
  EXPECT_EQ(reply.close_reason, "closed by the fake (fake_close)");
}

}  // namespace
}  // namespace poise::fakes
