#include "protocols/openai/chat_request.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/gemini/thought_signature.h"
#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

struct Golden {
  const char* name;
  const char* body;
  const char* gemini;  // the expected generateContent body
};

const ModelAliases kAliases{{"gpt-4o", "gemini-2.5-flash"},
                            {"smart", "models/gemini-3-pro-preview"}};

void expectGolden(const Golden& g, ChatRequestOptions options = {.model_aliases = &kAliases}) {
  auto out = translateChatRequest(J(g.body), options);
  ASSERT_TRUE(out) << g.name << ": " << out.error().message;
  EXPECT_EQ(json::value(out->request), J(g.gemini))
      << g.name << "\n got: " << json::serialize(out->request);
}

TEST(ChatRequest, GoldenMappings) {
  const Golden cases[] = {
      {"plain user turn",
       R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hi"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]}]})"},
      {"system and developer become systemInstruction, never turns",
       R"({"model":"m","messages":[{"role":"system","content":"Be brief."},
           {"role":"developer","content":[{"type":"text","text":"Use French."}]},
           {"role":"user","content":"Hi"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]}],
           "systemInstruction":{"parts":[{"text":"Be brief."},{"text":"Use French."}]}})"},
      {"only a system prompt still gives one user turn",
       R"({"model":"m","messages":[{"role":"system","content":"S"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":" "}]}],
           "systemInstruction":{"parts":[{"text":"S"}]}})"},
      {"multi-turn; consecutive same roles merge",
       R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},
           {"role":"assistant","content":"c"},{"role":"assistant","content":[{"type":"text","text":"d"}]},
           {"role":"user","content":"e"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"a"},{"text":"b"}]},
                       {"role":"model","parts":[{"text":"c"},{"text":"d"}]},
                       {"role":"user","parts":[{"text":"e"}]}]})"},
      {"data: image URL, input_audio and a file part",
       R"({"model":"m","messages":[{"role":"user","content":[
           {"type":"text","text":"What is this?"},
           {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K","detail":"high"}},
           {"type":"image_url","image_url":"data:image/jpeg;charset=x;base64,/9j/"},
           {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
           {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0=","filename":"a.pdf"}}]}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"What is this?"},
           {"inlineData":{"mimeType":"image/png","data":"iVBORw0K"}},
           {"inlineData":{"mimeType":"image/jpeg","data":"/9j/"}},
           {"inlineData":{"mimeType":"audio/wav","data":"UklGRg=="}},
           {"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}}]}]})"},
      {"tools, tool_choice auto, schema cleaned",
       R"({"model":"m","messages":[{"role":"user","content":"Weather?"}],
           "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",
             "strict":true,
             "parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
               "additionalProperties":false,
               "properties":{"city":{"type":"string","format":"uri","minLength":1},
                             "unit":{"type":["string","null"],"enum":["c","f"]},
                             "days":{"type":"integer","exclusiveMinimum":0,"default":1}},
               "required":["city","ghost"]}}},
             {"type":"function","function":{"name":"now"}}],
           "tool_choice":"auto"})",
       R"({"contents":[{"role":"user","parts":[{"text":"Weather?"}]}],
           "tools":[{"functionDeclarations":[
             {"name":"get_weather","description":"Weather now",
              "parameters":{"type":"object",
                "properties":{"city":{"type":"string","minLength":1},
                              "unit":{"type":"string","enum":["c","f"],"nullable":true},
                              "days":{"type":"integer"}},
                "required":["city"]}},
             {"name":"now"}]}],
           "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}}})"},
      {"tool_choice none and required",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],
           "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "tools":[{"functionDeclarations":[{"name":"f"}]}],
           "toolConfig":{"functionCallingConfig":{"mode":"ANY"}}})"},
      {"named tool_choice → ANY + allowedFunctionNames",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],
           "tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"g"}}],
           "tool_choice":{"type":"function","function":{"name":"g"}}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "tools":[{"functionDeclarations":[{"name":"f"},{"name":"g"}]}],
           "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["g"]}}})"},
      {"allowed_tools auto keeps only the allowed declarations",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],
           "tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"g"}}],
           "tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto",
             "tools":[{"type":"function","function":{"name":"f"}}]}}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "tools":[{"functionDeclarations":[{"name":"f"}]}],
           "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}}})"},
      {"parallel tool calls and results: names looked up by id, results grouped in one turn",
       R"({"model":"gemini-2.5-flash","messages":[
           {"role":"user","content":"Weather in Paris and Rome?"},
           {"role":"assistant","content":null,"tool_calls":[
             {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
             {"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},
           {"role":"tool","tool_call_id":"call_a","content":"{\"temp\":21}"},
           {"role":"tool","tool_call_id":"call_b","content":"noon"},
           {"role":"tool","tool_call_id":"call_b","content":[{"type":"text","text":"[1,2]"}]}]})",
       R"({"contents":[
           {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
           {"role":"model","parts":[
             {"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
             {"functionCall":{"name":"get_time","args":{}}}]},
           {"role":"user","parts":[
             {"functionResponse":{"name":"get_weather","response":{"temp":21}}},
             {"functionResponse":{"name":"get_time","response":{"output":"noon"}}},
             {"functionResponse":{"name":"get_time","response":{"output":[1,2]}}}]}]})"},
      {"a Gemini-minted call id is echoed upstream on both sides",
       R"({"model":"m","messages":[{"role":"user","content":"x"},
           {"role":"assistant","tool_calls":[{"id":"fc-7","type":"function","function":{"name":"f","arguments":"{}"}}]},
           {"role":"tool","tool_call_id":"fc-7","content":"ok"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]},
           {"role":"model","parts":[{"functionCall":{"name":"f","args":{},"id":"fc-7"}}]},
           {"role":"user","parts":[{"functionResponse":{"id":"fc-7","name":"f","response":{"output":"ok"}}}]}]})"},
      {"thought signature from extra_content, and from the id when extra_content was dropped",
       R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"},
           {"role":"assistant","tool_calls":[
             {"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"},
              "extra_content":{"google":{"thought_signature":"c2lnLzE+Pw=="}}},
             {"id":"call_2__thought__c2lnLzI-Pw","type":"function","function":{"name":"g","arguments":"{}"}}]},
           {"role":"tool","tool_call_id":"call_1","content":"1"},
           {"role":"tool","tool_call_id":"call_2__thought__c2lnLzI-Pw","content":"2"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]},
           {"role":"model","parts":[
             {"functionCall":{"name":"f","args":{}},"thoughtSignature":"c2lnLzE+Pw=="},
             {"functionCall":{"name":"g","args":{}},"thoughtSignature":"c2lnLzI+Pw=="}]},
           {"role":"user","parts":[
             {"functionResponse":{"name":"f","response":{"output":1}}},
             {"functionResponse":{"name":"g","response":{"output":2}}}]}]})"},
      {"gemini 3 without any signature gets the documented dummy on the first call",
       R"({"model":"smart","messages":[{"role":"user","content":"x"},
           {"role":"assistant","tool_calls":[
             {"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}},
             {"id":"call_2","type":"function","function":{"name":"f","arguments":"{}"}}]},
           {"role":"tool","tool_call_id":"call_1","content":"1"},
           {"role":"tool","tool_call_id":"call_2","content":"2"}]})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]},
           {"role":"model","parts":[
             {"functionCall":{"name":"f","args":{}},"thoughtSignature":"skip_thought_signature_validator"},
             {"functionCall":{"name":"f","args":{}}}]},
           {"role":"user","parts":[
             {"functionResponse":{"name":"f","response":{"output":1}}},
             {"functionResponse":{"name":"f","response":{"output":2}}}]}]})"},
      {"generation parameters",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.2,"top_p":0.9,
           "top_k":40,"max_tokens":100,"max_completion_tokens":200,"n":2,"stop":"END","seed":7,
           "presence_penalty":0.5,"frequency_penalty":-0.5,"user":"u","parallel_tool_calls":false,
           "logprobs":null,"metadata":{"a":"b"}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"temperature":0.2,"topP":0.9,"topK":40,"maxOutputTokens":200,
             "candidateCount":2,"seed":7,"stopSequences":["END"],"presencePenalty":0.5,
             "frequencyPenalty":-0.5}})"},
      {"stop array; n=1 is left out",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"],"n":1})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"stopSequences":["a","b","c","d","e"]}})"},
      {"response_format json_object",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"responseMimeType":"application/json"}})"},
      {"response_format json_schema → responseJsonSchema, cleaned",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],
           "response_format":{"type":"json_schema","json_schema":{"name":"r","strict":true,
             "schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
               "additionalProperties":false,
               "properties":{"n":{"type":"integer","minimum":0,"exclusiveMaximum":9},
                             "k":{"const":"v"},
                             "m":{"type":"object","additionalProperties":{"type":"number"}}},
               "required":["n"]}}}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"responseMimeType":"application/json",
             "responseJsonSchema":{"type":"object",
               "properties":{"n":{"type":"integer","minimum":0},"k":{"enum":["v"]},
                             "m":{"type":"object","additionalProperties":{"type":"number"}}},
               "required":["n"]}}})"},
      {"response_format text changes nothing",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"text"}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}]})"},
      {"reasoning_effort on 2.5 flash → Google's budget",
       R"({"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"reasoning_effort":"medium"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"thinkingConfig":{"thinkingBudget":8192}}})"},
      {"reasoning_effort none on 2.5 pro is clamped to its minimum",
       R"({"model":"gemini-2.5-pro","messages":[{"role":"user","content":"x"}],"reasoning_effort":"none"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"thinkingConfig":{"thinkingBudget":128}}})"},
      {"reasoning_effort on gemini 3 pro → level (medium rounds up to HIGH)",
       R"({"model":"smart","messages":[{"role":"user","content":"x"}],"reasoning_effort":"medium"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"thinkingConfig":{"thinkingLevel":"HIGH"}}})"},
      {"reasoning_effort on a model without thinking is dropped",
       R"({"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"}],"reasoning_effort":"high"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}]})"},
      {"extra_body.google fields",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],
           "extra_body":{"google":{"thinking_config":{"thinking_budget":512,"include_thoughts":true},
             "cached_content":"cachedContents/abc",
             "safety_settings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],
             "response_modalities":["TEXT"]}}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "cachedContent":"cachedContents/abc",
           "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],
           "generationConfig":{"thinkingConfig":{"thinkingBudget":512,"includeThoughts":true},
             "responseModalities":["TEXT"]}})"},
      {"google at the top level (the Python SDK's merged extra_body)",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],
           "google":{"thinking_config":{"thinking_level":"low"}}})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
           "generationConfig":{"thinkingConfig":{"thinkingLevel":"low"}}})"},
      {"nulls are absent",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":null,"stop":null,
           "tools":null,"tool_choice":null,"response_format":null,"stream_options":null})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}]})"},
  };
  for (const Golden& g : cases) expectGolden(g);
}

TEST(ChatRequest, IncludeReasoningAsksForThoughts) {
  expectGolden(
      {"2.5 with effort",
       R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
                    "generationConfig":{"thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true}}})"},
      {.include_reasoning = true});
  expectGolden(
      {"thinking switched off: no thoughts to include",
       R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"}],"reasoning_effort":"none"})",
       R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
                    "generationConfig":{"thinkingConfig":{"thinkingBudget":0}}})"},
      {.include_reasoning = true});
  expectGolden({"3.x without effort",
                R"({"model":"gemini-3-flash-preview","messages":[{"role":"user","content":"x"}]})",
                R"({"contents":[{"role":"user","parts":[{"text":"x"}]}],
                    "generationConfig":{"thinkingConfig":{"includeThoughts":true}}})"},
               {.include_reasoning = true});
  expectGolden({"no thinking model",
                R"({"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"}]})",
                R"({"contents":[{"role":"user","parts":[{"text":"x"}]}]})"},
               {.include_reasoning = true});
}

// Gemini refuses a maxOutputTokens at or above the model's listed outputTokenLimit.
TEST(ChatRequest, MaxTokensClampedBelowTheModelsOutputLimit) {
  struct Case {
    const char* model;
    const char* field;
    std::int64_t requested;
    std::int64_t sent;
    const OutputTokenLimits* listed = nullptr;
  };
  // The models list's limit, when the proxy has it, wins over the static traits.
  const OutputTokenLimits listed{{"gemini-2.5-flash", 32768}};
  for (const Case& c : {
           Case{"gemini-2.5-flash", "max_tokens", 128000, 65535},  // 65536 listed
           Case{"smart", "max_completion_tokens", 65536, 65535},   // the limit itself, via alias
           Case{"gemini-2.0-flash", "max_tokens", 9000, 8191},     // 8192 listed
           Case{"gemini-2.5-pro", "max_tokens", 65535, 65535},     // below the limit
           Case{"m", "max_tokens", 128000, 128000},                // no known limit
           Case{"gpt-4o", "max_tokens", 40000, 32767, &listed},
       }) {
    json::object body{{"model", c.model}, {"messages", J(R"([{"role":"user","content":"x"}])")}};
    body[c.field] = c.requested;
    auto out =
        translateChatRequest(body, {.model_aliases = &kAliases, .output_token_limits = c.listed});
    ASSERT_TRUE(out) << c.model;
    EXPECT_EQ(out->request.at("generationConfig").at("maxOutputTokens"), c.sent) << c.model;
    EXPECT_EQ(out->requested_max_tokens, c.requested) << c.model;  // what the proxy judges by
  }
  auto unset = translateChatRequest(
      J(R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"}]})"), {});
  ASSERT_TRUE(unset);
  EXPECT_EQ(unset->requested_max_tokens, 0);
}

TEST(ChatRequest, ModelFlagsAndContext) {
  auto out = translateChatRequest(
      J(R"({"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"stream":true,
            "stream_options":{"include_usage":true},"n":3,
            "extra_body":{"google":{"thinking_config":{"include_thoughts":true}}}})"),
      {.model_aliases = &kAliases});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->model, "gemini-2.5-flash");
  EXPECT_TRUE(out->stream);
  EXPECT_TRUE(out->include_usage);
  EXPECT_EQ(out->candidate_count, 3);
  EXPECT_EQ(out->response.client_model, "gpt-4o");
  EXPECT_TRUE(out->response.include_usage);
  EXPECT_TRUE(out->response.include_reasoning);  // the client asked Gemini for thoughts

  auto plain = translateChatRequest(
      J(R"({"model":"models/gemini-2.5-pro","messages":[{"role":"user","content":"x"}],
            "stream_options":{"include_usage":true}})"),
      {});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->model, "gemini-2.5-pro");
  EXPECT_FALSE(plain->stream);
  EXPECT_FALSE(plain->include_usage);  // only meaningful for streams
  EXPECT_FALSE(plain->response.include_reasoning);
}

TEST(ChatRequest, MalformedRequestsAreInvalidRequestErrors) {
  struct Bad {
    const char* body;
    const char* mentions;  // the message names the problem
  };
  const Bad cases[] = {
      {R"([1,2])", "JSON object"},
      {R"({"messages":[{"role":"user","content":"x"}]})", "model is required"},
      {R"({"model":"m"})", "messages must be a non-empty array"},
      {R"({"model":"m","messages":[]})", "messages must be a non-empty array"},
      {R"({"model":"m","messages":["x"]})", "messages[0] must be an object"},
      {R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url",
          "image_url":{"url":"https://example.com/cat.png"}}]}]})",
       "remote image URLs are not supported"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url",
          "image_url":{"url":"data:image/png,notbase64"}}]}]})",
       "messages[0].content[0].image_url.url must be a base64 data: URL"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"video","x":1}]}]})",
       "\"video\" is not supported"},
      {R"({"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]}]})",
       "only text parts"},
      {R"({"model":"m","messages":[{"role":"tool","tool_call_id":"call_x","content":"1"}]})",
       "does not match a tool call"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function",
          "function":{"name":"f","arguments":"{not json"}}]}]})",
       "messages[0].tool_calls[0].function.arguments must be a JSON object"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["1","2","3","4","5","6"]})",
       "at most 5"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":5})", "stop must be"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"})",
       "temperature must be a number"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5})",
       "max_tokens must be an integer"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":9})", "n must be between"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"extreme"})",
       "reasoning_effort must be one of"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low",
          "extra_body":{"google":{"thinking_config":{"thinking_budget":1}}}})",
       "cannot be used together"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],
          "extra_body":{"google":{"labels":{}}}})",
       "extra_body.google.labels is not supported"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"required"})",
       "tool_choice requires tools"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],
          "tools":[{"type":"function","function":{"name":"f"}}],
          "tool_choice":{"type":"function","function":{"name":"g"}}})",
       "is not one of the tools"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],
          "tools":[{"type":"function","function":{"name":"1bad name"}}]})",
       "tools[0].function.name: function name"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],
          "tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]})",
       "declared twice"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]})",
       "only function tools"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],
          "response_format":{"type":"json_schema","json_schema":{"name":"x"}}})",
       "response_format.json_schema.schema must be an object"},
  };
  for (const Bad& b : cases)
    golden::ExpectInvalid(translateChatRequest(J(b.body), {}), b.body, b.mentions);
}

}  // namespace
}  // namespace poise::protocols
