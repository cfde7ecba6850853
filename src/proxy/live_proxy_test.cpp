#include "proxy/live_proxy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proxy/attempt_outcome.h"

namespace poise::proxy {
namespace {

TEST(LiveSetupModelTest, ReadsTheModelOfASetupMessage) {
  auto model =
      liveSetupModel(R"({"setup":{"model":"models/gemini-2.5-flash","generationConfig":{}}})");
  ASSERT_TRUE(model);
  EXPECT_EQ(*model, "gemini-2.5-flash");
  auto bare = liveSetupModel(R"({"setup":{"model":"gemini-live-2.5-flash-preview"}})");
  ASSERT_TRUE(bare);
  EXPECT_EQ(*bare, "gemini-live-2.5-flash-preview");
}

TEST(LiveSetupModelTest, RefusesWhatIsNotASetupWithAModelId) {
  for (const char* bad : {"", "not json", "[]", R"({"clientContent":{}})", R"({"setup":{}})",
                          R"({"setup":{"model":42}})", R"({"setup":{"model":"models/a b"}})",
                          R"({"setup":{"model":"models/../x"}})", R"({"setup":"models/x"})"}) {
    EXPECT_FALSE(liveSetupModel(bad)) << bad;
  }
}

TEST(LiveCloseCodeForTest, MapsUpstreamRefusalsToCloseCodes) {
  EXPECT_EQ(liveCloseCodeFor(400), 1007u);
  EXPECT_EQ(liveCloseCodeFor(403), 1008u);
  EXPECT_EQ(liveCloseCodeFor(404), 1008u);
  EXPECT_EQ(liveCloseCodeFor(429), 1013u);
  EXPECT_EQ(liveCloseCodeFor(500), 1011u);
  EXPECT_EQ(liveCloseCodeFor(503), 1011u);
}

// Google takes the upgrade of a bad or exhausted key and closes the socket in answer to the setup;
// those closes must count against the key like their HTTP twins, the others stay the client's.
TEST(LiveCloseAsHttpTest, ClassifiesTheUpstreamsClosesLikeHttpAnswers) {
  auto outcomeOf = [](unsigned code, std::string_view reason) {
    const LiveCloseAnswer answer = liveCloseAsHttp(code, reason);
    return classifyResponse(answer.status, answer.body);
  };
  const auto invalid = outcomeOf(1007, "API key not valid. Please pass a valid API key.");
  EXPECT_EQ(invalid.kind, OutcomeKind::KeyRejected);
  EXPECT_TRUE(invalid.key_invalid);
  EXPECT_EQ(outcomeOf(1008, "API key expired. Please renew the API key.").kind,
            OutcomeKind::KeyRejected);
  EXPECT_EQ(outcomeOf(1008,
                      "Request had invalid authentication credentials. Expected OAuth 2 access "
                      "token, login cookie or other valid authentication credential.")
                .kind,
            OutcomeKind::KeyRejected);
  EXPECT_EQ(outcomeOf(1011,
                      "You exceeded your current quota, please check your plan and billing "
                      "details. For more information on this error, head to: https://ai.google.dev"
                      "/gemini-api/docs/rate-limits.")
                .kind,
            OutcomeKind::Cooldown);
  EXPECT_EQ(outcomeOf(1011, "Internal error occurred.").kind, OutcomeKind::Transient);
  EXPECT_EQ(outcomeOf(1013, "").kind, OutcomeKind::Transient);
  // The client's own faults: passed on, no other key tried, the key not blamed.
  EXPECT_EQ(outcomeOf(1007, "Request contains an invalid argument.").kind,
            OutcomeKind::ClientError);
  EXPECT_EQ(outcomeOf(1008,
                      "models/gemini-x is not found for API version v1beta, or is not supported "
                      "for bidiGenerateContent.")
                .kind,
            OutcomeKind::ClientError);
}

TEST(LiveCloseAsHttpTest, CarriesTheReasonInAValidGeminiErrorBody) {
  const LiveCloseAnswer answer = liveCloseAsHttp(1007, "a \"quoted\" \\ reason\n");
  const auto body = boost::json::parse(answer.body);
  EXPECT_EQ(body.at("error").at("message").as_string(), "a \"quoted\" \\ reason\n");
  EXPECT_EQ(body.at("error").at("code").as_int64(), 400);
}

}  // namespace
}  // namespace poise::proxy
