#include "protocols/gemini/thought_signature.h"

#include <gtest/gtest.h>

#include "protocols/id_mint.h"

namespace poise::protocols {
namespace {

TEST(ProtocolThoughtSignature, RoundTripThroughToolCallIds) {
  for (std::string_view sig : {"CikB+/x=", "CiQBjz1rX0Q=", "ab+/", "a/b+c/d=", "YQ=="}) {
    const std::string id = toolCallIdWithSignature("call_abc", sig);
    for (char c : id) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') << id;
    }
    const ToolCallIdParts parts = splitToolCallId(id);
    EXPECT_EQ(parts.id, "call_abc");
    EXPECT_EQ(parts.signature, sig);
  }
  EXPECT_EQ(toolCallIdWithSignature("call_abc", ""), "call_abc");
}

TEST(ProtocolThoughtSignature, SplitAcceptsStandardBase64AndIgnoresNonsense) {
  const ToolCallIdParts litellm = splitToolCallId("call_1__thought__CikB+/x=");
  EXPECT_EQ(litellm.id, "call_1");
  EXPECT_EQ(litellm.signature, "CikB+/x=");
  for (std::string_view id :
       {"call_1", "call_1__thought__", "call_1__thought__a", "x__thought__*!"}) {
    const ToolCallIdParts parts = splitToolCallId(id);
    EXPECT_EQ(parts.id, id);
    EXPECT_EQ(parts.signature, "");
  }
}

TEST(ProtocolIdMint, DeterministicPerSeedAndAlphanumeric) {
  IdMint a(42);
  IdMint b(42);
  IdMint c(43);
  const std::string first = a.next("call_");
  EXPECT_EQ(first, b.next("call_"));
  EXPECT_NE(first, c.next("call_"));
  EXPECT_NE(first, a.next("call_"));
  EXPECT_EQ(first.size(), 5u + 24u);
  const std::string t = a.token(29);
  EXPECT_EQ(t.size(), 29u);
  for (char ch : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << t;
}

}  // namespace
}  // namespace poise::protocols
