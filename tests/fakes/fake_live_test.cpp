#include "fakes/fake_live.h"

#include <gtest/gtest.h>

#include "fakes/gemini_responder.h"

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

TEST(FakeLiveHandshakeTest, TheUpgradeGoesThroughTheKeyChecksAndScripts) {
  FaultScript script;
  GeminiResponder responder(script, ResponderOptions{});
  auto upgrade = [&](const std::string& key, bool is_upgrade = true) {
    FakeRequest r;
    r.method = "GET";
    r.target = "//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";
    if (is_upgrade) r.headers.emplace_back("upgrade", "websocket");
    if (!key.empty()) r.headers.emplace_back("x-goog-api-key", key);
    return responder.respond(r);
  };
  EXPECT_EQ(upgrade("good").kind, ResponsePlan::Kind::kLive);
  EXPECT_EQ(upgrade("good", false).status, 404u);
  EXPECT_EQ(upgrade("").status, 403u);
  // Like Google: an exhausted or invalid key's upgrade is taken, and its setup answered with a
  // close carrying Google's text.
  const ResponsePlan quota = upgrade("quota-x");
  EXPECT_EQ(quota.kind, ResponsePlan::Kind::kLive);
  EXPECT_EQ(quota.live_close_code, 1011u);
  EXPECT_NE(quota.live_close_reason.find("You exceeded your current quota"), std::string::npos);
  const ResponsePlan invalid = upgrade("invalid-x");
  EXPECT_EQ(invalid.kind, ResponsePlan::Kind::kLive);
  EXPECT_EQ(invalid.live_close_code, 1007u);
  EXPECT_EQ(invalid.live_close_reason, "API key not valid. Please pass a valid API key.");
  EXPECT_FALSE(upgrade("good").live_close_code);
  // Other scripted statuses (a 5xx from Google's front end) refuse the upgrade.
  script.push("scripted", {ScriptedResponse{.status = 503}}, false);
  EXPECT_EQ(upgrade("scripted").status, 503u);
  EXPECT_EQ(upgrade("scripted").kind, ResponsePlan::Kind::kLive);
}

}  // namespace
}  // namespace poise::fakes
