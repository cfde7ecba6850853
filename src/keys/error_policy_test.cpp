#include "keys/error_policy.h"

#include <gtest/gtest.h>

namespace poise::keys {
namespace {

TEST(ErrorPolicy, DefaultsFollowTheRetryTable) {
  const ErrorPolicy p;
  EXPECT_EQ(p.actionFor(429, "", "RESOURCE_EXHAUSTED"), ErrorAction::Cooldown);
  EXPECT_EQ(p.actionFor(400, "API_KEY_INVALID", "INVALID_ARGUMENT"), ErrorAction::Disable);
  EXPECT_EQ(p.actionFor(400, "", "INVALID_ARGUMENT"), ErrorAction::ReturnToClient);
  EXPECT_EQ(p.actionFor(401, "", ""), ErrorAction::Disable);
  EXPECT_EQ(p.actionFor(403, "", "PERMISSION_DENIED"), ErrorAction::Disable);
  EXPECT_EQ(p.actionFor(404, "", "NOT_FOUND"), ErrorAction::ReturnToClient);
  EXPECT_EQ(p.actionFor(413, "", ""), ErrorAction::ReturnToClient);
  EXPECT_EQ(p.actionFor(408, "", ""), ErrorAction::RetryOtherKey);
  for (unsigned s : {500u, 502u, 503u, 504u}) {
    EXPECT_EQ(p.actionFor(s, "", "UNAVAILABLE"), ErrorAction::RetryOtherKey) << s;
  }
}

TEST(ErrorPolicy, OperatorRulesMergeOverDefaultsMostSpecificFirst) {
  auto p = parseErrorPolicy(R"({"404": "retry-other-key", "PERMISSION_DENIED": "return-to-client",
                                "403:SERVICE_DISABLED": "cooldown", "4xx": "return-to-client"})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->actionFor(404, "", "NOT_FOUND"), ErrorAction::RetryOtherKey);
  EXPECT_EQ(p->actionFor(403, "", "PERMISSION_DENIED"), ErrorAction::ReturnToClient);
  EXPECT_EQ(p->actionFor(403, "SERVICE_DISABLED", "PERMISSION_DENIED"), ErrorAction::Cooldown);
  EXPECT_EQ(p->actionFor(403, "", ""), ErrorAction::Disable);  // the default still applies
  EXPECT_EQ(p->actionFor(429, "", ""), ErrorAction::Cooldown);
}

TEST(ErrorPolicy, GuardRailsRefuseBlamingKeysForServerOrClientErrors) {
  for (const char* bad :
       {R"({"503": "disable"})", R"({"5xx": "disable"})", R"({"UNAVAILABLE": "disable"})",
        R"({"408": "disable"})", R"({"400": "disable"})", R"({"404": "cooldown"})",
        R"({"413": "disable"})", R"({"429": "explode"})", R"({"200": "cooldown"})",
        R"({"429:": "cooldown"})", R"(["429"])", R"({"lower": "cooldown"})"}) {
    auto p = parseErrorPolicy(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, ErrorCode::InvalidConfig);
    EXPECT_NE(p.error().message.find("key_error_actions"), std::string::npos) << bad;
  }
  EXPECT_TRUE(parseErrorPolicy(R"({"503": "cooldown", "400:API_KEY_INVALID": "disable"})"));
  EXPECT_TRUE(parseErrorPolicy(""));
}

}  // namespace
}  // namespace poise::keys
