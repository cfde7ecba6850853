#include "protocols/anthropic/messages_response.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/anthropic/messages_mapping.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;
using golden::MintedIds;
using golden::Sub;

constexpr std::uint64_t kSeed = 3;

TEST(AnthropicResponse, GoldenMappings) {
  struct Golden {
    const char* name;
    const char* gemini;
    const char* anthropic;  // "$CALLn": the n-th minted toolu_ id
    bool thinking = false;
  };
  const Golden cases[] = {
      {"text with usage (cache reads are not input tokens)",
       R"({"candidates":[{"content":{"parts":[{"text":"Hi"},{"text":" there"}]},"finishReason":"STOP"}],
           "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":7,"thoughtsTokenCount":3,
             "cachedContentTokenCount":40,"totalTokenCount":110}})",
       R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
           "content":[{"type":"text","text":"Hi there"}],"stop_reason":"end_turn","stop_sequence":null,
           "usage":{"input_tokens":60,"cache_creation_input_tokens":0,"cache_read_input_tokens":40,
                    "output_tokens":10}})"},
      {"thinking, text and tool_use blocks",
       R"({"candidates":[{"content":{"parts":[{"text":"Let me","thought":true},{"text":" think","thought":true},
           {"text":"Calling."},
           {"functionCall":{"name":"f","args":{"q":"x"}},"thoughtSignature":"c2ln+/=="}]},
           "finishReason":"STOP"}]})",
       R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
           "content":[{"type":"thinking","thinking":"Let me think","signature":""},
                      {"type":"text","text":"Calling."},
                      {"type":"tool_use","id":"$CALL0__thought__c2ln-_","name":"f","input":{"q":"x"}}],
           "stop_reason":"tool_use","stop_sequence":null,
           "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                    "output_tokens":0}})",
       true},
      {"thoughts hidden without thinking; MAX_TOKENS",
       R"({"candidates":[{"content":{"parts":[{"text":"hm","thought":true},{"text":"Cut"}]},
           "finishReason":"MAX_TOKENS"}]})",
       R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
           "content":[{"type":"text","text":"Cut"}],"stop_reason":"max_tokens","stop_sequence":null,
           "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                    "output_tokens":0}})"},
      {"safety → refusal", R"({"candidates":[{"finishReason":"SAFETY"}]})",
       R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],
           "stop_reason":"refusal","stop_sequence":null,
           "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                    "output_tokens":0}})"},
      {"blocked prompt → refusal",
       R"({"promptFeedback":{"blockReason":"OTHER"},"usageMetadata":{"promptTokenCount":5}})",
       R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],
           "stop_reason":"refusal","stop_sequence":null,
           "usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                    "output_tokens":0}})"},
  };
  for (const Golden& g : cases) {
    IdMint ids(kSeed);
    auto out = translateMessagesResponse(
        J(g.gemini), {.client_model = "claude-x", .include_thinking = g.thinking}, "msg_1", ids);
    ASSERT_TRUE(out) << g.name << ": " << out.error().message;
    EXPECT_EQ(json::value(*out), J(Sub(g.anthropic, MintedIds(kSeed, "toolu_", 1))))
        << g.name << "\n got: " << json::serialize(*out);
  }
}

TEST(AnthropicResponse, ErrorsAndEnvelope) {
  IdMint ids(1);
  auto err =
      translateMessagesResponse(J(R"({"error":{"code":500,"message":"boom"}})"), {}, "m", ids);
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::UpstreamError);
  auto bad = translateMessagesResponse(J(R"({"candidates":[]})"), {}, "m", ids);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::UpstreamInvalidResponse);

  EXPECT_EQ(json::value(anthropicError(anthropicErrorType(429), "slow down")),
            J(R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})"));
  struct Case {
    unsigned status;
    const char* type;
  };
  for (const Case& c :
       {Case{400, "invalid_request_error"}, Case{401, "authentication_error"},
        Case{403, "permission_error"}, Case{404, "not_found_error"}, Case{413, "request_too_large"},
        Case{503, "overloaded_error"}, Case{529, "overloaded_error"}, Case{500, "api_error"}}) {
    EXPECT_EQ(anthropicErrorType(c.status), c.type) << c.status;
  }
}

}  // namespace
}  // namespace poise::protocols
