#include "protocols/gemini/continuation.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

TEST(Continuation, AppendsTheTextSoFarAndTheInstruction) {
  const json::value original = J(R"({
      "systemInstruction":{"parts":[{"text":"Be terse."}]},
      "contents":[{"role":"user","parts":[{"text":"tell me"}]}],
      "generationConfig":{"maxOutputTokens":100,
                          "thinkingConfig":{"thinkingBudget":512,"includeThoughts":true}}})");
  const json::object out = continuationRequest(original.as_object(), "Once upon a");
  json::object want = J(R"({
      "systemInstruction":{"parts":[{"text":"Be terse."}]},
      "contents":[{"role":"user","parts":[{"text":"tell me"}]},
                  {"role":"model","parts":[{"text":"Once upon a"}]},
                  {"role":"user","parts":[{"text":""}]}],
      "generationConfig":{"maxOutputTokens":100,
                          "thinkingConfig":{"thinkingBudget":512,"includeThoughts":false}}})")
                          .as_object();
  want["contents"].as_array()[2].as_object()["parts"].as_array()[0].as_object()["text"] =
      kContinuePrompt;
  EXPECT_EQ(json::value(out), json::value(want)) << json::serialize(out);
}

TEST(Continuation, LeavesARequestWithoutThinkingConfigWithoutOne) {
  const json::value original = J(R"({"contents":[{"role":"user","parts":[{"text":"x"}]}]})");
  const json::object out = continuationRequest(original.as_object(), "y");
  EXPECT_FALSE(out.contains("generationConfig"));
  EXPECT_EQ(out.at("contents").as_array().size(), 3u);
}

}  // namespace
}  // namespace poise::protocols
