#include "protocols/anthropic/messages_stream.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/gemini/generate_response.h"
#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::Events;
using golden::MintedIds;
using golden::Sub;

constexpr std::uint64_t kSeed = 5;

std::string run(MessagesStreamTranslator& t, const std::vector<std::string>& chunks) {
  return golden::FeedAll(t, chunks);
}

// `expected` is an array of [event name, data] pairs; Anthropic's data repeats the name as "type".
void expectEvents(const std::string& out, const std::string& expected) {
  golden::ExpectEvents(out, expected, true);
  for (const auto& e : Events(out)) EXPECT_EQ(e.data.as_object().at("type").as_string(), e.event);
}

constexpr const char* kStart = R"(["message_start",{"type":"message_start","message":{"id":"msg_s",
  "type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,
  "stop_sequence":null,"usage":{"input_tokens":INPUT,"cache_creation_input_tokens":0,
  "cache_read_input_tokens":0,"output_tokens":0}}}],
  ["ping",{"type":"ping"}])";

TEST(AnthropicStream, FullSequenceWithThinkingTextAndTools) {
  MessagesStreamTranslator t({.client_model = "claude-x", .include_thinking = true}, "msg_s",
                             IdMint(kSeed));
  const std::string out = run(
      t,
      {R"({"candidates":[{"content":{"parts":[{"text":"Plan","thought":true}]}}],
             "usageMetadata":{"promptTokenCount":12,"totalTokenCount":12}})",
       R"({"candidates":[{"content":{"parts":[{"text":" more","thought":true,"thoughtSignature":"sig"},
             {"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":1}})",
       R"({"candidates":[{"content":{"parts":[{"text":"lo"},
             {"functionCall":{"name":"f","args":{"a":1}}},
             {"functionCall":{"name":"g","args":{}},"thoughtSignature":"c2ln"}]},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":9,"thoughtsTokenCount":4}})"});
  auto values = MintedIds(kSeed, "toolu_", 2);
  values.emplace_back("INPUT", "12");
  expectEvents(out, Sub(std::string("[") + kStart + R"(,
    ["content_block_start",{"type":"content_block_start","index":0,
      "content_block":{"type":"thinking","thinking":"","signature":""}}],
    ["content_block_delta",{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Plan"}}],
    ["content_block_delta",{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" more"}}],
    ["content_block_delta",{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}],
    ["content_block_stop",{"type":"content_block_stop","index":0}],
    ["content_block_start",{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}],
    ["content_block_delta",{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hel"}}],
    ["content_block_delta",{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"lo"}}],
    ["content_block_stop",{"type":"content_block_stop","index":1}],
    ["content_block_start",{"type":"content_block_start","index":2,
      "content_block":{"type":"tool_use","id":"$CALL0","name":"f","input":{}}}],
    ["content_block_delta",{"type":"content_block_delta","index":2,
      "delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}],
    ["content_block_stop",{"type":"content_block_stop","index":2}],
    ["content_block_start",{"type":"content_block_start","index":3,
      "content_block":{"type":"tool_use","id":"$CALL1__thought__c2ln","name":"g","input":{}}}],
    ["content_block_delta",{"type":"content_block_delta","index":3,
      "delta":{"type":"input_json_delta","partial_json":"{}"}}],
    ["content_block_stop",{"type":"content_block_stop","index":3}],
    ["message_delta",{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
      "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":13}}],
    ["message_stop",{"type":"message_stop"}]])",
                        values));
}

TEST(AnthropicStream, ThoughtsHiddenWithoutThinkingAndMaxTokens) {
  MessagesStreamTranslator t({.client_model = "claude-x"}, "msg_s", IdMint(kSeed));
  const std::string out =
      run(t, {R"({"candidates":[{"content":{"parts":[{"text":"hm","thought":true}]}}]})",
              R"({"candidates":[{"content":{"parts":[{"text":"A"}]},"finishReason":"MAX_TOKENS"}],
                 "usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":1}})"});
  expectEvents(out, Sub(std::string("[") + kStart + R"(,
    ["content_block_start",{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}],
    ["content_block_delta",{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"A"}}],
    ["content_block_stop",{"type":"content_block_stop","index":0}],
    ["message_delta",{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},
      "usage":{"input_tokens":2,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}],
    ["message_stop",{"type":"message_stop"}]])",
                        {{"INPUT", "0"}}));
}

TEST(AnthropicStream, EmptyStreamStillCompletesTheSequence) {
  MessagesStreamTranslator t({.client_model = "claude-x"}, "msg_s", IdMint(kSeed));
  expectEvents(t.finish(), Sub(std::string("[") + kStart + R"(,
    ["message_delta",{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},
      "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}],
    ["message_stop",{"type":"message_stop"}]])",
                               {{"INPUT", "0"}}));
  EXPECT_EQ(t.finish(), "");
}

TEST(AnthropicStream, MidStreamErrorEvent) {
  MessagesStreamTranslator t({.client_model = "claude-x"}, "msg_s", IdMint(kSeed));
  auto first = t.feed(R"({"candidates":[{"content":{"parts":[{"text":"A"}]}}]})");
  ASSERT_TRUE(first);
  auto err = t.feed(R"({"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}})");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::UpstreamError);
  EXPECT_EQ(t.lastUpstreamStatus(), 503u);
  expectEvents(
      t.error(err.error().message, t.lastUpstreamStatus()),
      R"([["error",{"type":"error","error":{"type":"overloaded_error","message":"overloaded"}}]])");
  EXPECT_EQ(t.finish(), "");
  expectEvents(MessagesStreamTranslator::ping(), R"([["ping",{"type":"ping"}]])");
}

}  // namespace
}  // namespace poise::protocols

namespace poise::protocols {
namespace {

TEST(AnthropicStreamContinuation, TextOnlyStreamsGiveTheirTextSoFar) {
  MessagesStreamTranslator text({.client_model = "claude"}, "msg_1", IdMint(3));
  ASSERT_TRUE(text.feed(R"({"candidates":[{"content":{"parts":[{"text":"Once "}]},"index":0}]})"));
  ASSERT_TRUE(text.feed(R"({"candidates":[{"content":{"parts":[{"text":"upon"}]},"index":0}]})"));
  EXPECT_FALSE(text.ended());
  EXPECT_EQ(text.continuation(), std::optional<std::string>("Once upon"));
  MessagesStreamTranslator tool({.client_model = "claude"}, "msg_2", IdMint(3));
  ASSERT_TRUE(tool.feed(
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},"index":0}]})"));
  EXPECT_EQ(tool.continuation(), std::nullopt);
  ASSERT_TRUE(tool.feed(R"({"candidates":[{"finishReason":"STOP","index":0}]})"));
  EXPECT_TRUE(tool.ended());
}

}  // namespace
}  // namespace poise::protocols
