#include "protocols/openai/chat_stream.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::Data;
using golden::MintedIds;
using golden::Sub;

constexpr std::uint64_t kSeed = 11;

std::string run(ChatStreamTranslator& t, const std::vector<std::string>& chunks) {
  return golden::FeedAll(t, chunks);
}

void expectEvents(const std::string& out, const std::string& expected) {
  golden::ExpectEvents(out, expected);
}

ChatStreamTranslator make(bool include_usage, bool include_reasoning = false) {
  return ChatStreamTranslator(
      {.client_model = "m", .include_reasoning = include_reasoning, .include_usage = include_usage},
      {.id = "chatcmpl-s", .created = 5}, IdMint(kSeed));
}

TEST(ChatStream, TextAcrossChunksWithUsage) {
  auto t = make(true);
  const std::string out = run(
      t,
      {R"({"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],
             "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1,"totalTokenCount":5},
             "modelVersion":"gemini-2.5-flash","responseId":"r"})",
       R"({"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"index":0}],
             "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6},
             "modelVersion":"gemini-2.5-flash","responseId":"r"})",
       R"({"candidates":[{"content":{"parts":[{"text":"!"}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3,"totalTokenCount":9,"thoughtsTokenCount":2},
             "modelVersion":"gemini-2.5-flash","responseId":"r"})"});
  const char* head =
      R"("id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"gemini-2.5-flash")";
  expectEvents(out, Sub(R"([
    {HEAD,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null},
    {HEAD,"choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null},
    {HEAD,"choices":[{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":null}],"usage":null},
    {HEAD,"choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}],"usage":null},
    {HEAD,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null},
    {HEAD,"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":5,"total_tokens":9,
      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":2}}},
    "[DONE]"])",
                        {{"HEAD", head}}));
}

// Also: a modelVersion that only a later chunk names does not change "model" mid-stream.
TEST(ChatStream, ToolCallsCarryIndexAndIdAndFinishAsToolCalls) {
  auto t = make(false);
  const std::string out =
      run(t, {R"({"candidates":[{"content":{"parts":[{"text":"Checking."}]}}]})",
              R"({"candidates":[{"content":{"parts":[
                {"functionCall":{"name":"a","args":{"x":1}},"thoughtSignature":"c2ln"},
                {"functionCall":{"name":"b","args":{}}}]}}]})",
              R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"c","args":{}}}]},
              "finishReason":"STOP"}],"modelVersion":"gemini-2.5-flash"})"});
  const char* head =
      R"("id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m")";
  auto values = MintedIds(kSeed, "call_", 3);
  values.emplace_back("HEAD", head);
  expectEvents(out, Sub(R"([
    {HEAD,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{"content":"Checking."},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{"tool_calls":[
      {"index":0,"id":"$CALL0__thought__c2ln","type":"function","function":{"name":"a","arguments":"{\"x\":1}"},
       "extra_content":{"google":{"thought_signature":"c2ln"}}},
      {"index":1,"id":"$CALL1","type":"function","function":{"name":"b","arguments":"{}"}}]},
      "logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{"tool_calls":[
      {"index":2,"id":"$CALL2","type":"function","function":{"name":"c","arguments":"{}"}}]},
      "logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]},
    "[DONE]"])",
                        values));
}

TEST(ChatStream, ReasoningOnlyWhenAskedAndSeveralCandidates) {
  const std::vector<std::string> chunks = {
      R"({"candidates":[{"content":{"parts":[{"text":"think","thought":true}]},"index":0},
                        {"content":{"parts":[{"text":"B"}]},"index":1}]})",
      R"({"candidates":[{"content":{"parts":[{"text":"A"}]},"index":0,"finishReason":"MAX_TOKENS"},
                        {"content":{"parts":[]},"index":1,"finishReason":"STOP"}]})"};
  const char* head =
      R"("id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m")";
  auto with = make(false, true);
  expectEvents(run(with, chunks), Sub(R"([
    {HEAD,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{"reasoning_content":"think"},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":1,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":1,"delta":{"content":"B"},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{"content":"A"},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]},
    {HEAD,"choices":[{"index":1,"delta":{},"logprobs":null,"finish_reason":"stop"}]},
    "[DONE]"])",
                                      {{"HEAD", head}}));
  auto without = make(false, false);
  const auto events = Data(run(without, chunks));
  for (const auto& e : events) {
    EXPECT_EQ(json::serialize(e).find("reasoning_content"), std::string::npos);
  }
  EXPECT_EQ(events.size(), 7u);  // the thought-only chunk adds nothing but the role chunk
}

TEST(ChatStream, EndWithoutFinishReasonAndBlockedPrompt) {
  const char* head =
      R"("id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m")";
  auto cut = make(false);
  expectEvents(run(cut, {R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}]})"}),
               Sub(R"([
    {HEAD,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}]},
    {HEAD,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]},
    "[DONE]"])",
                   {{"HEAD", head}}));
  auto blocked = make(true);
  expectEvents(run(blocked, {R"({"promptFeedback":{"blockReason":"SAFETY"},
                                 "usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}})"}),
               Sub(R"([
    {HEAD,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null},
    {HEAD,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"content_filter"}],"usage":null},
    {HEAD,"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3,
      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}},
    "[DONE]"])",
                   {{"HEAD", head}}));
}

TEST(ChatStream, MidStreamErrors) {
  auto t = make(false);
  auto first = t.feed(R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}]})");
  ASSERT_TRUE(first);
  auto err = t.feed(
      R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::UpstreamError);
  EXPECT_EQ(t.lastUpstreamStatus(), 503u);
  const std::string out = t.error(err.error().message, t.lastUpstreamStatus());
  expectEvents(out, R"([{"error":{"message":"The model is overloaded.","type":"server_error",
                                   "param":null,"code":"upstream_error"}}])");
  EXPECT_EQ(t.finish(), "");  // no [DONE] after an error

  auto garbage = make(false);
  auto bad = garbage.feed("{not json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::UpstreamInvalidResponse);
  expectEvents(garbage.error("The upstream stream was interrupted.", 502),
               R"([{"error":{"message":"The upstream stream was interrupted.","type":"server_error",
                             "param":null,"code":"upstream_error"}}])");
}

TEST(ChatStream, FinishIsIdempotent) {
  auto t = make(false);
  const std::string first = t.finish();
  EXPECT_TRUE(first.ends_with("data: [DONE]\n\n"));
  EXPECT_EQ(t.finish(), "");
}

}  // namespace
}  // namespace poise::protocols

namespace poise::protocols {
namespace {

TEST(ChatStream, TruncationAndContinuationText) {
  auto t = make(false);
  ASSERT_TRUE(t.feed(R"({"candidates":[{"content":{"parts":[{"text":"Hel"}]},"index":0}]})"));
  EXPECT_FALSE(t.ended());
  EXPECT_EQ(t.continuation(), std::optional<std::string>("Hel"));
  ASSERT_TRUE(t.feed(R"({"candidates":[{"content":{"parts":[{"text":"lo"}]},"index":0}]})"));
  EXPECT_EQ(t.continuation(), std::optional<std::string>("Hello"));
  ASSERT_TRUE(t.feed(R"({"candidates":[{"content":{"parts":[{"text":"!"}]},
                        "finishReason":"STOP","index":0}]})"));
  EXPECT_TRUE(t.ended());
}

TEST(ChatStream, AStreamWithAToolCallIsNotContinued) {
  auto t = make(false);
  ASSERT_TRUE(t.feed(R"({"candidates":[{"content":{"parts":[{"text":"Let me look."},
                        {"functionCall":{"name":"f","args":{}}}]},"index":0}]})"));
  EXPECT_FALSE(t.ended());
  EXPECT_EQ(t.continuation(), std::nullopt);
}

}  // namespace
}  // namespace poise::protocols
