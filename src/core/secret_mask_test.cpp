#include "core/secret_mask.h"

#include <gtest/gtest.h>

namespace poise {
namespace {

TEST(MaskSecret, KeepsPrefixAndSuffixOfLongSecrets) {
  EXPECT_EQ(maskSecret("AIzaSyA1234567890abcdefghijklmnopqrstu"), "AIzaSy...rstu");
  EXPECT_EQ(maskSecret("short"), "****");
}

TEST(ScrubSecrets, MasksBareGoogleKeys) {
  const std::string key = "AIzaSyA1234567890abcdefghijklmnopqrstu";
  const std::string out = scrubSecrets("upstream said " + key + " is bad");
  EXPECT_EQ(out.find(key), std::string::npos);
  EXPECT_NE(out.find("AIzaSy...rstu"), std::string::npos);
}

TEST(ScrubSecrets, MasksClientTokensButNotShortOrEmbeddedLookalikes) {
  const std::string token = "gp_" + std::string(43, 'a');
  const std::string out = scrubSecrets("token " + token + " end");
  EXPECT_EQ(out.find(token), std::string::npos);
  EXPECT_NE(out.find("gp_aaa...aaaa"), std::string::npos);
  EXPECT_EQ(scrubSecrets("gp_short and xgp_" + std::string(30, 'b')),
            "gp_short and xgp_" + std::string(30, 'b'));
}

TEST(ScrubSecrets, MasksQueryKeysAndAuthHeaders) {
  EXPECT_EQ(scrubSecrets("GET /v1beta/models?key=supersecrettoken123&x=1"),
            "GET /v1beta/models?key=supers...n123&x=1");
  EXPECT_EQ(scrubSecrets("Authorization: Bearer abcdefghijklmnop"),
            "Authorization: Bearer abcdef...mnop");
  EXPECT_EQ(scrubSecrets("x-goog-api-key: abcdefghijklmnop"), "x-goog-api-key: abcdef...mnop");
}

TEST(ScrubSecrets, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(scrubSecrets("monkey=banana and keys are fine"), "monkey=banana and keys are fine");
}

}  // namespace
}  // namespace poise
