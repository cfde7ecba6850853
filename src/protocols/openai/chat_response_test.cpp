#include "protocols/openai/chat_response.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/gemini/generate_response.h"
#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;
using golden::MintedIds;
using golden::Sub;

constexpr std::uint64_t kSeed = 7;

struct Golden {
  const char* name;
  const char* gemini;
  const char* openai;  // "$CALLn" stands for the n-th minted call id
  bool include_reasoning = false;
};

TEST(ChatResponse, GoldenMappings) {
  const Golden cases[] = {
      {"text, usage with reasoning and cached tokens",
       R"({"candidates":[{"content":{"parts":[{"text":"Hello"},{"text":" world"}],"role":"model"},
           "finishReason":"STOP","index":0}],
           "usageMetadata":{"promptTokenCount":83,"candidatesTokenCount":14,"totalTokenCount":201,
             "thoughtsTokenCount":104,"cachedContentTokenCount":50},
           "modelVersion":"gemini-2.5-flash","responseId":"r1"})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,
           "model":"gemini-2.5-flash",
           "choices":[{"index":0,"message":{"role":"assistant","content":"Hello world","refusal":null},
             "logprobs":null,"finish_reason":"stop"}],
           "usage":{"prompt_tokens":83,"completion_tokens":118,"total_tokens":201,
             "prompt_tokens_details":{"cached_tokens":50},
             "completion_tokens_details":{"reasoning_tokens":104}}})"},
      {"tool calls: minted ids, finish_reason tool_calls although Gemini says STOP, signature kept",
       R"({"candidates":[{"content":{"parts":[
           {"functionCall":{"name":"getWeather","args":{"location":"Tokyo"}},"thoughtSignature":"CikB+/x="},
           {"functionCall":{"name":"getTime","args":{}}}],"role":"model"},
           "finishReason":"STOP","index":0,"finishMessage":"Model generated function call(s)."}],
           "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15}})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
             "tool_calls":[
               {"id":"$CALL0__thought__CikB-_x","type":"function",
                "function":{"name":"getWeather","arguments":"{\"location\":\"Tokyo\"}"},
                "extra_content":{"google":{"thought_signature":"CikB+/x="}}},
               {"id":"$CALL1","type":"function","function":{"name":"getTime","arguments":"{}"}}]},
             "logprobs":null,"finish_reason":"tool_calls"}],
           "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})"},
      {"a Gemini call id is kept",
       R"({"candidates":[{"content":{"parts":[{"text":"Let me check."},
           {"functionCall":{"id":"fc-1","name":"f","args":{"a":[1,2]}}}]},"finishReason":"STOP"}]})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","refusal":null,
             "tool_calls":[{"id":"fc-1","type":"function","function":{"name":"f","arguments":"{\"a\":[1,2]}"}}]},
             "logprobs":null,"finish_reason":"tool_calls"}],
           "usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})"},
      {"MAX_TOKENS → length; thoughts dropped unless asked",
       R"({"candidates":[{"content":{"parts":[{"text":"plan","thought":true},{"text":"Answ"}]},
           "finishReason":"MAX_TOKENS"}]})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[{"index":0,"message":{"role":"assistant","content":"Answ","refusal":null},
             "logprobs":null,"finish_reason":"length"}],
           "usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})"},
      {"thoughts as reasoning_content when asked",
       R"({"candidates":[{"content":{"parts":[{"text":"plan","thought":true},{"text":"A"}]},
           "finishReason":"STOP"}]})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[{"index":0,"message":{"role":"assistant","content":"A","refusal":null,
             "reasoning_content":"plan"},"logprobs":null,"finish_reason":"stop"}],
           "usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})",
       true},
      {"SAFETY without content → content_filter; candidates ordered by index",
       R"({"candidates":[{"index":1,"content":{"parts":[{"text":"B"}]},"finishReason":"RECITATION"},
                         {"index":0,"finishReason":"SAFETY"}]})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[
             {"index":0,"message":{"role":"assistant","content":null,"refusal":null},"logprobs":null,
              "finish_reason":"content_filter"},
             {"index":1,"message":{"role":"assistant","content":"B","refusal":null},"logprobs":null,
              "finish_reason":"content_filter"}],
           "usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})"},
      {"blocked prompt → one content_filter choice",
       R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
           "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null},
             "logprobs":null,"finish_reason":"content_filter"}],
           "usage":{"prompt_tokens":9,"completion_tokens":0,"total_tokens":9,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})"},
      {"other finish reasons",
       R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"MALFORMED_FUNCTION_CALL"}],
           "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":2,"toolUsePromptTokenCount":3,
             "totalTokenCount":6}})",
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"client-model",
           "choices":[{"index":0,"message":{"role":"assistant","content":"x","refusal":null},
             "logprobs":null,"finish_reason":"stop"}],
           "usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6,
             "prompt_tokens_details":{"cached_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0}}})"},
  };
  for (const Golden& g : cases) {
    IdMint ids(kSeed);
    auto out = translateChatResponse(
        J(g.gemini), {.client_model = "client-model", .include_reasoning = g.include_reasoning},
        {.id = "chatcmpl-1", .created = 1700000000}, ids);
    ASSERT_TRUE(out) << g.name << ": " << out.error().message;
    EXPECT_EQ(json::value(*out), J(Sub(g.openai, MintedIds(kSeed, "call_", 2))))
        << g.name << "\n got: " << json::serialize(*out);
  }
}

TEST(ChatResponse, ToolCallIdsAreUniqueAndNonEmpty) {
  IdMint ids(1);
  auto out = translateChatResponse(
      J(R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}},
            {"functionCall":{"name":"f","args":{}}},{"functionCall":{"name":"f","args":{}}}]},
            "finishReason":"STOP"}]})"),
      {}, {}, ids);
  ASSERT_TRUE(out);
  const auto& calls = (*out)["choices"].as_array()[0].as_object().at("message").at("tool_calls");
  std::set<std::string> seen;
  for (const auto& c : calls.as_array()) {
    const std::string id(c.at("id").as_string());
    EXPECT_TRUE(id.starts_with("call_") && id.size() > 5) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(ChatResponse, UpstreamErrorsAndGarbage) {
  IdMint ids(1);
  auto err = translateChatResponse(
      J(R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})"), {}, {}, ids);
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::UpstreamError);
  EXPECT_EQ(err.error().message, "quota");
  for (const char* bad : {R"([])", R"("x")", R"({})", R"({"candidates":5})"}) {
    auto out = translateChatResponse(J(bad), {}, {}, ids);
    ASSERT_FALSE(out) << bad;
    EXPECT_EQ(out.error().code, ErrorCode::UpstreamInvalidResponse) << bad;
  }
}

}  // namespace
}  // namespace poise::protocols
