#include "protocols/openai/responses_request.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/gemini/thought_signature.h"
#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::ExpectInvalid;
using golden::J;

Result<ResponsesTranslation> translate(std::string_view body,
                                       const boost::json::array* history = nullptr) {
  ResponsesRequestOptions options;
  options.history = history;
  return translateResponsesRequest(J(body), options);
}

TEST(ResponsesRequest, StringInputWithInstructionsAndOptions) {
  auto tr = translate(R"({"model":"gemini-2.5-flash","input":"hi there","instructions":"be brief",
    "temperature":0.3,"top_p":0.9,"max_output_tokens":100,"stream":true,
    "metadata":{"k":"v"}})");
  ASSERT_TRUE(tr) << tr.error().message;
  EXPECT_EQ(tr->model, "gemini-2.5-flash");
  EXPECT_TRUE(tr->stream);
  EXPECT_TRUE(tr->store);
  EXPECT_EQ(tr->requested_max_tokens, 100);
  EXPECT_EQ(boost::json::value(tr->request), J(R"({
    "contents":[{"role":"user","parts":[{"text":"hi there"}]}],
    "systemInstruction":{"parts":[{"text":"be brief"}]},
    "generationConfig":{"temperature":0.3,"topP":0.9,"maxOutputTokens":100}})"));
  EXPECT_EQ(boost::json::value(tr->input_items), J(R"([{"role":"user","content":"hi there"}])"));
  const auto& echo = tr->response.echo;
  EXPECT_EQ(echo.at("instructions"), "be brief");
  EXPECT_EQ(echo.at("metadata"), J(R"({"k":"v"})"));
  EXPECT_EQ(echo.at("max_output_tokens"), 100);
  EXPECT_EQ(echo.at("tool_choice"), "auto");
  EXPECT_EQ(echo.at("previous_response_id"), nullptr);
  EXPECT_EQ(tr->response.client_model, "gemini-2.5-flash");
  EXPECT_FALSE(tr->response.include_reasoning);
}

// What codex sends: developer and user messages as items, then a tool round trip whose
// call_id carries Gemini's thought signature (it must go back upstream).
TEST(ResponsesRequest, ItemsWithRolesFunctionCallsAndSignatures) {
  const std::string call_id = toolCallIdWithSignature("call_abc", "c2lnbmF0dXJl");
  const std::string body = golden::Sub(R"({"model":"gemini-3-pro-preview","store":false,
    "input":[
      {"type":"message","role":"developer","content":[{"type":"input_text","text":"dev rules"}]},
      {"role":"system","content":"sys rules"},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"look"},
        {"type":"input_image","image_url":"data:image/png;base64,QUJD","detail":"auto"},
        {"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,UERG"}]},
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"calling","annotations":[]}]},
      {"type":"function_call","id":"fc_1","call_id":"$ID","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
      {"type":"function_call_output","call_id":"$ID","output":"{\"temp\":21}"},
      {"type":"function_call","call_id":"call_plain","name":"get_time","arguments":""},
      {"type":"function_call_output","call_id":"call_plain","output":[{"type":"input_text","text":"noon"}]}
    ]})",
                                       {{"$ID", call_id}});
  auto tr = translate(body);
  ASSERT_TRUE(tr) << tr.error().message;
  EXPECT_FALSE(tr->store);
  EXPECT_EQ(boost::json::value(tr->request), J(R"({
    "contents":[
      {"role":"user","parts":[{"text":"look"},
        {"inlineData":{"mimeType":"image/png","data":"QUJD"}},
        {"inlineData":{"mimeType":"application/pdf","data":"UERG"}}]},
      {"role":"model","parts":[{"text":"calling"},
        {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2lnbmF0dXJl"}]},
      {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":21}}}]},
      {"role":"model","parts":[{"functionCall":{"name":"get_time","args":{}},
        "thoughtSignature":"skip_thought_signature_validator"}]},
      {"role":"user","parts":[{"functionResponse":{"name":"get_time","response":{"output":"noon"}}}]}],
    "systemInstruction":{"parts":[{"text":"dev rules"},{"text":"sys rules"}]}})"));
  EXPECT_EQ(tr->input_items.size(), 9U);
}

TEST(ResponsesRequest, ToolsChoiceFormatAndReasoning) {
  auto tr = translate(R"({"model":"gemini-2.5-flash","input":"x",
    "tools":[{"type":"function","name":"f","description":"d","strict":true,
      "parameters":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}},
      {"type":"function","name":"g","parameters":{"type":"object","properties":{}}}],
    "tool_choice":{"type":"function","name":"g"},"parallel_tool_calls":false,
    "text":{"format":{"type":"json_schema","name":"out","strict":true,
      "schema":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}}},
    "reasoning":{"effort":"low","summary":"auto"}})");
  ASSERT_TRUE(tr) << tr.error().message;
  const auto& req = tr->request;
  EXPECT_EQ(req.at("tools").at(0).at("functionDeclarations").as_array().size(), 2U);
  EXPECT_EQ(req.at("tools").at(0).at("functionDeclarations").at(0).at("name"), "f");
  EXPECT_EQ(req.at("toolConfig"), J(R"({"functionCallingConfig":{"mode":"ANY",
    "allowedFunctionNames":["g"]}})"));
  const auto& gc = req.at("generationConfig").as_object();
  EXPECT_EQ(gc.at("responseMimeType"), "application/json");
  EXPECT_TRUE(gc.contains("responseJsonSchema"));
  EXPECT_EQ(gc.at("thinkingConfig"), J(R"({"thinkingBudget":1024,"includeThoughts":true})"));
  EXPECT_TRUE(tr->response.include_reasoning);
  EXPECT_EQ(tr->response.echo.at("parallel_tool_calls"), false);
  EXPECT_EQ(tr->response.echo.at("reasoning"), J(R"({"effort":"low","summary":"auto"})"));
  EXPECT_EQ(tr->response.echo.at("tools").as_array().size(), 2U);

  auto json_object = translate(R"({"model":"gemini-2.5-flash","input":"x",
    "text":{"format":{"type":"json_object"}},"tool_choice":"none"})");
  ASSERT_TRUE(json_object) << json_object.error().message;
  EXPECT_EQ(json_object->request.at("generationConfig").at("responseMimeType"), "application/json");
  EXPECT_FALSE(json_object->request.contains("toolConfig"));  // no tools: nothing to configure
}

// A chained request reads the stored items first; they count towards the next chain link.
TEST(ResponsesRequest, HistoryComesFirst) {
  const boost::json::value history = J(R"([
    {"role":"user","content":"first"},
    {"id":"msg_1","type":"message","role":"assistant","status":"completed",
     "content":[{"type":"output_text","text":"answer","annotations":[]}]},
    {"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"f","arguments":"{}"}])");
  auto tr = translate(R"({"model":"gemini-2.5-flash","previous_response_id":"resp_1",
    "input":[{"type":"function_call_output","call_id":"call_1","output":"done"}]})",
                      &history.as_array());
  ASSERT_TRUE(tr) << tr.error().message;
  EXPECT_EQ(boost::json::value(tr->request.at("contents")), J(R"([
    {"role":"user","parts":[{"text":"first"}]},
    {"role":"model","parts":[{"text":"answer"},{"functionCall":{"name":"f","args":{}}}]},
    {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"done"}}}]}])"));
  EXPECT_EQ(tr->input_items.size(), 4U);
  EXPECT_EQ(tr->response.echo.at("previous_response_id"), "resp_1");
}

TEST(ResponsesRequest, RefusesWhatGeminiCannotTake) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"input":"x"})", "model is required"},
      {R"({"model":"gemini-2.5-flash"})", "input is required"},
      {R"({"model":"gemini-2.5-flash","input":5})", "input must be"},
      {R"({"model":"gemini-2.5-flash","input":"x","tools":[{"type":"web_search"}]})",
       "tools[0].type \"web_search\" is not supported"},
      {R"({"model":"gemini-2.5-flash","input":"x","tool_choice":{"type":"file_search"}})",
       "tool_choice.type"},
      {R"({"model":"gemini-2.5-flash","input":[{"type":"function_call_output","call_id":"c","output":"o"}]})",
       "does not match an earlier function_call"},
      {R"({"model":"gemini-2.5-flash","input":[{"type":"item_reference","id":"x"}]})",
       "input[0].type \"item_reference\" is not supported"},
      {R"({"model":"gemini-2.5-flash","input":[{"role":"user","content":[{"type":"input_image","image_url":"https://x/y.png"}]}]})",
       "input[0].content[0].image_url must be a base64 data: URL"},
      {R"({"model":"gemini-2.5-flash","input":[{"role":"tool","content":"x"}]})",
       "input[0].role \"tool\""},
      {R"({"model":"gemini-2.5-flash","input":"x","background":true})", "background"},
      {R"({"model":"gemini-2.5-flash","input":"x","metadata":{"k":1}})", "metadata.k"},
      {R"({"model":"gemini-2.5-flash","input":"x","text":{"format":{"type":"xml"}}})",
       "text.format.type"},
      {R"({"model":"gemini-2.5-flash","input":"x","reasoning":{"effort":"huge"}})",
       "reasoning.effort"},
      {R"({"model":"gemini-2.5-flash","input":"x","max_output_tokens":0})", "max_output_tokens"},
      {R"({"model":"gemini-2.5-flash","input":"x","previous_response_id":""})",
       "previous_response_id"},
      {R"({"model":"gemini-2.5-flash","input":"x","tool_choice":{"type":"function","name":"nope"}})",
       "is not one of the tools"},
  };
  for (const auto& [body, mentions] : cases) ExpectInvalid(translate(body), body, mentions);
}

TEST(ResponsesRequest, PreviousResponseIdIsReadAhead) {
  auto none = previousResponseId(J(R"({"previous_response_id":null})"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto some = previousResponseId(J(R"({"previous_response_id":"resp_x"})"));
  ASSERT_TRUE(some && *some);
  EXPECT_EQ(**some, "resp_x");
  EXPECT_FALSE(previousResponseId(J(R"({"previous_response_id":7})")));
}

}  // namespace
}  // namespace poise::protocols
