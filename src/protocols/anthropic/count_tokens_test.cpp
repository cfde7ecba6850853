#include "protocols/anthropic/count_tokens.h"

#include <gtest/gtest.h>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

TEST(AnthropicCountTokens, TheTranslatedBodyGoesInsideGenerateContentRequest) {
  auto tr = translateMessagesRequest(J(R"({"model":"claude-sonnet-4-5","system":"Be terse.",
           "messages":[{"role":"user","content":"count me"}],
           "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]})"),
                                     {.count_tokens = true});
  ASSERT_TRUE(tr) << tr.error().message;
  const json::object body = countTokensRequest(*tr);
  ASSERT_EQ(body.size(), 1u);
  const json::object& inner = body.at("generateContentRequest").as_object();
  EXPECT_EQ(inner.at("model"), "models/gemini-2.5-pro");
  EXPECT_EQ(inner.at("contents"), J(R"([{"role":"user","parts":[{"text":"count me"}]}])"));
  EXPECT_EQ(inner.at("systemInstruction"), J(R"({"parts":[{"text":"Be terse."}]})"));
  EXPECT_TRUE(inner.contains("tools"));
}

TEST(AnthropicCountTokens, TotalTokensBecomesInputTokens) {
  auto out = countTokensResponse(J(R"({"totalTokens":42,"promptTokensDetails":[]})"));
  ASSERT_TRUE(out);
  EXPECT_EQ(json::value(*out), J(R"({"input_tokens":42})"));
  auto none = countTokensResponse(J(R"({})"));  // Gemini omits a zero count
  ASSERT_TRUE(none);
  EXPECT_EQ(none->at("input_tokens"), 0);
  EXPECT_FALSE(countTokensResponse(J(R"({"totalTokens":"many"})")));
  EXPECT_FALSE(countTokensResponse(J(R"([1])")));
}

}  // namespace
}  // namespace poise::protocols
