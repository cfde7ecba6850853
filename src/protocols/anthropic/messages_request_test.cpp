#include "protocols/anthropic/messages_request.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

struct Golden {
  const char* name;
  const char* body;
  const char* gemini;
};

void expectGolden(const Golden& g, const MessagesRequestOptions& options = {}) {
  auto out = translateMessagesRequest(J(g.body), options);
  ASSERT_TRUE(out) << g.name << ": " << out.error().message;
  EXPECT_EQ(json::value(out->request), J(g.gemini))
      << g.name << "\n got: " << json::serialize(out->request);
}

TEST(AnthropicRequest, GoldenMappings) {
  const Golden cases[] = {
      {"system string, multi-turn, max_tokens and sampling",
       R"({"model":"claude-sonnet-4-5","max_tokens":1024,"system":"Be terse.","temperature":0.3,
           "top_p":0.8,"top_k":20,"stop_sequences":["###"],"metadata":{"user_id":"u"},
           "messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},
                       {"role":"user","content":[{"type":"text","text":"More"},{"type":"text","text":"!"}]}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Hello"}]},
                       {"role":"user","parts":[{"text":"More"},{"text":"!"}]}],
           "systemInstruction":{"parts":[{"text":"Be terse."}]},
           "generationConfig":{"maxOutputTokens":1024,"temperature":0.3,"topP":0.8,"topK":20,
                               "stopSequences":["###"]}})"},
      {"system blocks with cache_control; consecutive user turns merge",
       R"({"model":"claude-3-5-haiku-latest","max_tokens":10,
           "system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},{"type":"text","text":"B"}],
           "messages":[{"role":"user","content":"x"},{"role":"user","content":"y"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"},{"text":"y"}]}],
           "systemInstruction":{"parts":[{"text":"A"},{"text":"B"}]},
           "generationConfig":{"maxOutputTokens":10}})"},
      {"base64 image and PDF document",
       R"({"model":"claude-opus-4","max_tokens":5,"messages":[{"role":"user","content":[
           {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
           {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}},
           {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain doc"}},
           {"type":"text","text":"Describe"}]}]})",
       R"({"contents":[{"role":"user","parts":[
           {"inlineData":{"mimeType":"image/png","data":"iVBOR"}},
           {"inlineData":{"mimeType":"application/pdf","data":"JVBER"}},
           {"text":"plain doc"},{"text":"Describe"}]}],
           "generationConfig":{"maxOutputTokens":5}})"},
      {"tools, tool_use and tool_result round trip (thinking blocks dropped)",
       R"({"model":"gemini-2.5-flash","max_tokens":100,
           "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object",
             "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},
             {"type":"custom","name":"noop","input_schema":{"type":"object","properties":{}}}],
           "tool_choice":{"type":"auto"},
           "messages":[{"role":"user","content":"Weather in Paris?"},
             {"role":"assistant","content":[
               {"type":"thinking","thinking":"I should call","signature":"abc"},
               {"type":"text","text":"Checking."},
               {"type":"tool_use","id":"toolu_1__thought__c2ln","name":"get_weather","input":{"city":"Paris"}},
               {"type":"tool_use","id":"toolu_2","name":"noop","input":{}}]},
             {"role":"user","content":[
               {"type":"tool_result","tool_use_id":"toolu_1__thought__c2ln","content":"{\"temp\":21}"},
               {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,
                "content":[{"type":"text","text":"failed"},
                           {"type":"image","source":{"type":"base64","media_type":"image/png","data":"QQ"}}]},
               {"type":"text","text":"Thanks"}]}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]},
           {"role":"model","parts":[{"text":"Checking."},
             {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2ln"},
             {"functionCall":{"name":"noop","args":{}}}]},
           {"role":"user","parts":[
             {"functionResponse":{"name":"get_weather","response":{"temp":21}}},
             {"functionResponse":{"name":"noop","response":{"error":"failed"}}},
             {"inlineData":{"mimeType":"image/png","data":"QQ"}},
             {"text":"Thanks"}]}],
           "tools":[{"functionDeclarations":[
             {"name":"get_weather","description":"Weather","parameters":{"type":"object",
               "properties":{"city":{"type":"string"}},"required":["city"]}},
             {"name":"noop"}]}],
           "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}},
           "generationConfig":{"maxOutputTokens":100}})"},
      {"tool_choice any / tool / none",
       R"({"model":"m","max_tokens":1,"tools":[{"name":"a"},{"name":"b"}],
           "tool_choice":{"type":"tool","name":"b","disable_parallel_tool_use":true},
           "messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "tools":[{"functionDeclarations":[{"name":"a"},{"name":"b"}]}],
           "toolConfig":{"functionCallingConfig":{"allowedFunctionNames":["b"],"mode":"ANY"}},
           "generationConfig":{"maxOutputTokens":1}})"},
      {"gemini 3: a tool_use without signature gets the dummy",
       R"({"model":"gemini-3-flash-preview","max_tokens":1,"messages":[{"role":"user","content":"x"},
           {"role":"assistant","content":[{"type":"tool_use","id":"toolu_9","name":"f","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9"}]}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]},
           {"role":"model","parts":[{"functionCall":{"name":"f","args":{}},
                                     "thoughtSignature":"skip_thought_signature_validator"}]},
           {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":""}}}]}],
           "generationConfig":{"maxOutputTokens":1}})"},
      {"thinking enabled on 2.5 flash → clamped budget + includeThoughts",
       R"({"model":"claude-haiku-4-5","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":100000},
           "messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":2000,
             "thinkingConfig":{"thinkingBudget":24576,"includeThoughts":true}}})"},
      {"thinking enabled on gemini 3 pro → level",
       R"({"model":"gemini-3-pro-preview","max_tokens":9,"thinking":{"type":"enabled","budget_tokens":4000},
           "messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":9,
             "thinkingConfig":{"thinkingLevel":"HIGH","includeThoughts":true}}})"},
      {"thinking disabled on 2.5 pro keeps the smallest budget",
       R"({"model":"claude-opus-4-1","max_tokens":9,"thinking":{"type":"disabled"},
           "messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":9,"thinkingConfig":{"thinkingBudget":128}}})"},
  };
  for (const Golden& g : cases) expectGolden(g);
}

// Claude Code's per-turn-control beta: system-role entries inside messages.
TEST(AnthropicRequest, SystemRoleMessagesFoldIntoSystemInstruction) {
  const Golden cases[] = {
      {"after the top-level system, in order; the turns around them still merge",
       R"({"model":"claude-haiku-4-5","max_tokens":100,"system":[{"type":"text","text":"S1"}],
           "messages":[{"role":"user","content":"hi"},
             {"role":"system","content":[{"type":"text","text":"S2","cache_control":{"type":"ephemeral"}}]},
             {"role":"user","content":"more"},{"role":"assistant","content":"ok"},
             {"role":"system","content":"S3"},{"role":"system","content":""},
             {"role":"user","content":"last"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"hi"},{"text":"more"}]},
           {"role":"model","parts":[{"text":"ok"}]},{"role":"user","parts":[{"text":"last"}]}],
           "systemInstruction":{"parts":[{"text":"S1"},{"text":"S2"},{"text":"S3"}]},
           "generationConfig":{"maxOutputTokens":100}})"},
      {"without a top-level system",
       R"({"model":"gemini-2.5-flash","max_tokens":5,
           "messages":[{"role":"system","content":"first"},{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "systemInstruction":{"parts":[{"text":"first"}]},
           "generationConfig":{"maxOutputTokens":5}})"},
  };
  for (const Golden& g : cases) expectGolden(g);
}

// output_config.effort and adaptive thinking go through thinkingForEffort, as OpenAI's
// reasoning_effort does.
TEST(AnthropicRequest, EffortAndAdaptiveThinking) {
  const Golden cases[] = {
      {"adaptive + effort medium on 2.5 flash: Google's medium budget, thoughts shown",
       R"({"model":"claude-haiku-4-5","max_tokens":2000,"thinking":{"type":"adaptive"},
           "output_config":{"effort":"medium"},"messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":2000,
             "thinkingConfig":{"thinkingBudget":8192,"includeThoughts":true}}})"},
      {"adaptive with display omitted + effort max on 2.5 pro: the model's largest budget, no "
       "thoughts",
       R"({"model":"claude-opus-4-1","max_tokens":2000,"thinking":{"type":"adaptive","display":"omitted"},
           "output_config":{"effort":"max"},"messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":2000,"thinkingConfig":{"thinkingBudget":32768}}})"},
      {"effort alone on gemini 3 pro: a level, no thoughts",
       R"({"model":"gemini-3-pro-preview","max_tokens":50,"output_config":{"effort":"low"},
           "messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":50,"thinkingConfig":{"thinkingLevel":"LOW"}}})"},
      {"effort high on gemini 3 flash with adaptive",
       R"({"model":"gemini-3-flash-preview","max_tokens":50,"thinking":{"type":"adaptive"},
           "output_config":{"effort":"high"},"messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":50,
             "thinkingConfig":{"thinkingLevel":"HIGH","includeThoughts":true}}})"},
      {"a system message's output_config applies from its turn on: the last effort wins",
       R"({"model":"gemini-2.5-flash","max_tokens":50,"thinking":{"type":"adaptive"},
           "output_config":{"effort":"high"},
           "messages":[{"role":"user","content":"x"},
             {"role":"system","content":"s","output_config":{"effort":"low"}}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "systemInstruction":{"parts":[{"text":"s"}]},
           "generationConfig":{"maxOutputTokens":50,
             "thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true}}})"},
      {"thinking disabled wins over effort",
       R"({"model":"gemini-2.5-flash","max_tokens":50,"thinking":{"type":"disabled"},
           "output_config":{"effort":"high"},"messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":50,"thinkingConfig":{"thinkingBudget":0}}})"},
      {"an explicit budget wins over effort",
       R"({"model":"gemini-2.5-flash","max_tokens":5000,"thinking":{"type":"enabled","budget_tokens":2000},
           "output_config":{"effort":"low"},"messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":5000,
             "thinkingConfig":{"thinkingBudget":2000,"includeThoughts":true}}})"},
      {"effort on a model without thinking controls is dropped",
       R"({"model":"gemini-2.0-flash","max_tokens":5,"thinking":{"type":"adaptive"},
           "output_config":{"effort":"high"},"messages":[{"role":"user","content":"x"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"maxOutputTokens":5}})"},
  };
  for (const Golden& g : cases) expectGolden(g);

  auto omitted = translateMessagesRequest(
      J(R"({"model":"gemini-2.5-flash","max_tokens":5,"thinking":{"type":"adaptive","display":"omitted"},
            "messages":[{"role":"user","content":"x"}]})"),
      {});
  ASSERT_TRUE(omitted) << omitted.error().message;
  EXPECT_FALSE(omitted->response.include_thinking);
}

// What the AI SDK's generateObject sends: output_config.format, mapped as OpenAI's
// response_format json_schema is.
TEST(AnthropicRequest, OutputFormatJsonSchema) {
  const char* gemini =
      R"({"contents":[{"role":"user","parts":[{"text":"recipe"}]}],
          "generationConfig":{"maxOutputTokens":4096,"responseMimeType":"application/json",
            "responseJsonSchema":{"type":"object","properties":{"name":{"type":"string"},
              "steps":{"type":"array","items":{"type":"string"}}},"required":["name","steps"]}}})";
  const Golden cases[] = {
      {"output_config.format",
       R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"recipe"}],
           "output_config":{"format":{"type":"json_schema","schema":{
             "$schema":"http://json-schema.org/draft-07/schema#","type":"object",
             "properties":{"name":{"type":"string"},"steps":{"type":"array","items":{"type":"string"}}},
             "required":["name","steps"],"additionalProperties":false}}}})",
       gemini},
      {"output_format (the structured-outputs beta's name)",
       R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"recipe"}],
           "output_format":{"type":"json_schema","schema":{"type":"object",
             "properties":{"name":{"type":"string"},"steps":{"type":"array","items":{"type":"string"}}},
             "required":["name","steps"],"additionalProperties":false}}})",
       gemini},
  };
  for (const Golden& g : cases) expectGolden(g);
}

// Gemini refuses a maxOutputTokens at or above the model's listed outputTokenLimit.
TEST(AnthropicRequest, MaxTokensClampedBelowTheModelsOutputLimit) {
  struct Case {
    const char* model;
    std::int64_t requested;
    std::int64_t sent;
    const OutputTokenLimits* listed = nullptr;
  };
  // The models list's limit, when the proxy has it, wins over the static traits.
  const OutputTokenLimits listed{{"gemini-2.5-pro", 32768}, {"gemini-exp-1206", 8192}};
  for (const Case& c : {
           Case{"claude-opus-4-1", 128000, 65535},        // Claude Code with opus; gemini-2.5-pro
           Case{"gemini-3-flash-preview", 65536, 65535},  // Google refuses the limit itself
           Case{"claude-haiku-4-5", 64000, 64000},        // below the limit
           Case{"gemini-2.0-flash", 10000, 8191},         // 8192 listed
           Case{"learnlm-9", 128000, 128000},             // no known limit
           Case{"claude-opus-4-1", 64000, 32767, &listed},
           Case{"gemini-exp-1206", 64000, 8191, &listed},  // a model only the list knows
       }) {
    const json::object body{{"model", c.model},
                            {"max_tokens", c.requested},
                            {"messages", J(R"([{"role":"user","content":"x"}])")}};
    auto out = translateMessagesRequest(body, {.output_token_limits = c.listed});
    ASSERT_TRUE(out) << c.model;
    EXPECT_EQ(out->request.at("generationConfig").at("maxOutputTokens"), c.sent) << c.model;
    EXPECT_EQ(out->requested_max_tokens, c.requested) << c.model;  // what the proxy judges by
  }
}

TEST(AnthropicRequest, CountTokensBodiesNeedNoMaxTokens) {
  const json::value body = J(R"({"model":"claude-haiku-4-5","system":"Be terse.",
      "messages":[{"role":"user","content":"count me"}]})");
  auto refused = translateMessagesRequest(body, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "max_tokens: Field required");
  auto counted = translateMessagesRequest(body, {.count_tokens = true});
  ASSERT_TRUE(counted) << counted.error().message;
  EXPECT_EQ(counted->model, "gemini-2.5-flash");
  EXPECT_FALSE(counted->request.contains("generationConfig") &&
               counted->request.at("generationConfig").as_object().contains("maxOutputTokens"));
  EXPECT_EQ(json::value(counted->request.at("systemInstruction")),
            J(R"({"parts":[{"text":"Be terse."}]})"));
  auto zero = translateMessagesRequest(
      J(R"({"model":"gemini-2.5-flash","max_tokens":0,"messages":[{"role":"user","content":"x"}]})"),
      {.count_tokens = true});
  EXPECT_FALSE(zero);  // a max_tokens that is sent is still checked
}

// The first request of Claude Code 2.1.332 (print mode, default model), as captured in
// /work/shared/reference/captures (texts shortened, two of its twelve tools kept).
TEST(AnthropicRequest, ClaudeCodeRequestShape) {
  expectGolden({"claude code 2.1.332",
                R"({"model":"claude-opus-5-5","metadata":{"user_id":"{\"device_id\":\"d\"}"},
           "max_tokens":128000,"thinking":{"type":"adaptive","display":"omitted"},
           "context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},
           "output_config":{"effort":"medium"},"stream":true,
           "system":[{"type":"text","text":"A"},{"type":"text","text":"B","cache_control":{"type":"ephemeral"}},
                     {"type":"text","text":"C","cache_control":{"type":"ephemeral"}}],
           "messages":[{"role":"user","content":[{"type":"text","text":"u1"},{"type":"text","text":"u2"}]},
             {"role":"system","content":[{"type":"text","text":"D","cache_control":{"type":"ephemeral"}}],
              "output_config":{"effort":"medium"}}],
           "tools":[{"name":"Bash","description":"run","input_schema":{
               "$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
               "properties":{"command":{"description":"c","type":"string"},
                             "timeout":{"description":"t","type":"number"}},
               "required":["command"],"additionalProperties":false}},
             {"name":"DeferredToolPlaceholder","description":"p",
              "input_schema":{"type":"object","properties":{}},"defer_loading":true}]})",
                R"({"contents":[{"role":"user","parts":[{"text":"u1"},{"text":"u2"}]}],
           "systemInstruction":{"parts":[{"text":"A"},{"text":"B"},{"text":"C"},{"text":"D"}]},
           "tools":[{"functionDeclarations":[
             {"name":"Bash","description":"run","parameters":{"type":"object",
               "properties":{"command":{"description":"c","type":"string"},
                             "timeout":{"description":"t","type":"number"}},
               "required":["command"]}},
             {"name":"DeferredToolPlaceholder","description":"p"}]}],
           "generationConfig":{"maxOutputTokens":65535,"thinkingConfig":{"thinkingBudget":8192}}})"});
}

TEST(AnthropicRequest, ModelMappingAndContext) {
  const ModelAliases aliases{{"claude-sonnet-4-5", "gemini-3-pro-preview"}};
  struct Case {
    const char* client;
    const char* gemini;
  };
  const MessagesRequestOptions options{
      .model_aliases = &aliases,
      .claude_models = {.opus = "o", .sonnet = "s", .haiku = "h", .other = "x"}};
  for (const Case& c :
       {Case{"claude-sonnet-4-5", "gemini-3-pro-preview"}, Case{"claude-sonnet-4-20250514", "s"},
        Case{"claude-opus-4-1", "o"}, Case{"claude-3-5-haiku-20241022", "h"},
        Case{"claude-instant-1.2", "x"}, Case{"models/gemini-2.5-flash", "gemini-2.5-flash"}}) {
    json::object body{{"model", c.client},
                      {"max_tokens", 1},
                      {"messages", J(R"([{"role":"user","content":"x"}])")}};
    auto out = translateMessagesRequest(body, options);
    ASSERT_TRUE(out) << c.client;
    EXPECT_EQ(out->model, c.gemini) << c.client;
    EXPECT_EQ(out->response.client_model, c.client);
  }
  auto defaults =
      translateMessagesRequest(J(R"({"model":"claude-opus-4","max_tokens":1,"stream":true,
            "thinking":{"type":"enabled","budget_tokens":2048},
            "messages":[{"role":"user","content":"x"}]})"),
                               {});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->model, "gemini-2.5-pro");
  EXPECT_TRUE(defaults->stream);
  EXPECT_TRUE(defaults->response.include_thinking);
}

TEST(AnthropicRequest, MalformedRequestsAreInvalidRequestErrors) {
  struct Bad {
    const char* body;
    const char* mentions;
  };
  const Bad cases[] = {
      {R"({"max_tokens":1,"messages":[{"role":"user","content":"x"}]})", "model"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens"},
      {R"({"model":"m","max_tokens":1,"messages":[]})", "messages must be a non-empty array"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"tool","content":"x"}]})",
       "messages[0].role must be user, assistant or system"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},
          {"role":"system","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"QQ"}}]}]})",
       "messages[1].content[0] must be a text block"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},
          {"role":"system","content":"s","output_config":{"effort":"extreme"}}]})",
       "messages[1].output_config.effort must be one of"},
      {R"({"model":"m","max_tokens":1,"output_config":{"effort":"extreme"},
          "messages":[{"role":"user","content":"x"}]})",
       "output_config.effort must be one of"},
      {R"({"model":"m","max_tokens":1,"output_config":"high",
          "messages":[{"role":"user","content":"x"}]})",
       "output_config must be an object"},
      {R"({"model":"m","max_tokens":1,"output_config":{"format":{"type":"json_object"}},
          "messages":[{"role":"user","content":"x"}]})",
       "output_config.format.type must be json_schema"},
      {R"({"model":"m","max_tokens":1,"output_config":{"format":{"type":"json_schema"}},
          "messages":[{"role":"user","content":"x"}]})",
       "output_config.format.schema must be an object"},
      {R"({"model":"m","max_tokens":1,"system":5,"messages":[{"role":"user","content":"x"}]})",
       "system must be"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
          {"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]})",
       "messages[0].content[0].source.type must be base64"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
          {"type":"tool_result","tool_use_id":"toolu_x","content":"1"}]}]})",
       "does not match a tool_use"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
          {"type":"tool_use","id":"t","name":"f","input":{}}]}]})",
       "tool_use blocks belong to assistant turns"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"audio"}]}]})",
       "\"audio\" is not supported"},
      {R"({"model":"m","max_tokens":1,"stop_sequences":["1","2","3","4","5","6"],
          "messages":[{"role":"user","content":"x"}]})",
       "at most 5"},
      {R"({"model":"m","max_tokens":1,"tools":[{"type":"web_search_20250305","name":"web_search"}],
          "messages":[{"role":"user","content":"x"}]})",
       "server tools are not supported"},
      {R"({"model":"m","max_tokens":1,"tools":[{"name":"a"}],"tool_choice":{"type":"tool","name":"b"},
          "messages":[{"role":"user","content":"x"}]})",
       "tool_choice.name"},
      {R"({"model":"m","max_tokens":1,"tool_choice":{"type":"any"},
          "messages":[{"role":"user","content":"x"}]})",
       "tool_choice requires tools"},
      {R"({"model":"m","max_tokens":1,"thinking":{"type":"enabled"},
          "messages":[{"role":"user","content":"x"}]})",
       "budget_tokens"},
  };
  for (const Bad& b : cases)
    golden::ExpectInvalid(translateMessagesRequest(J(b.body), {}), b.body, b.mentions);
}

}  // namespace
}  // namespace poise::protocols
