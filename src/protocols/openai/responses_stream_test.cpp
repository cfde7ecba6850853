#include "protocols/openai/responses_stream.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::Events;
using golden::J;

constexpr std::uint64_t kSeed = 21;

ResponsesContext context(bool reasoning = false) {
  ResponsesContext c;
  c.client_model = "m";
  c.include_reasoning = reasoning;
  c.echo = J(R"({"instructions":null,"metadata":{"k":"v"},"store":true})").as_object();
  return c;
}

ResponsesStreamTranslator make(bool reasoning = false) {
  return ResponsesStreamTranslator(context(reasoning), {.id = "resp_s", .created = 7},
                                   IdMint(kSeed));
}

// The ids the machine mints, in order of use.
std::vector<std::pair<std::string, std::string>> ids(std::vector<std::string> prefixes) {
  IdMint mint(kSeed);
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    out.emplace_back("$ID" + std::to_string(i), mint.next(prefixes[i]));
  }
  return out;
}

// Event names in order, and every sequence_number equal to its position.
std::vector<std::string> names(const std::string& out) {
  std::vector<std::string> got;
  std::int64_t n = 0;
  for (const auto& e : Events(out)) {
    EXPECT_EQ(e.data.at("type"), boost::json::value(e.event));
    EXPECT_EQ(e.data.at("sequence_number"), n++) << e.event;
    got.push_back(e.event);
  }
  return got;
}

TEST(ResponsesStream, TextStreamsAsOneMessageItem) {
  auto t = make();
  const std::string out = golden::FeedAll(
      t,
      {R"({"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],
              "modelVersion":"gemini-2.5-flash"})",
       R"({"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP"}],
              "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"thoughtsTokenCount":3,
              "cachedContentTokenCount":1,"totalTokenCount":9}})"});
  EXPECT_EQ(names(out),
            (std::vector<std::string>{"response.created", "response.in_progress",
                                      "response.output_item.added", "response.content_part.added",
                                      "response.output_text.delta", "response.output_text.delta",
                                      "response.output_text.done", "response.content_part.done",
                                      "response.output_item.done", "response.completed"}));
  const auto events = Events(out);
  EXPECT_EQ(events[0].data.at("response").at("status"), "in_progress");
  EXPECT_EQ(events[0].data.at("response").at("model"), "gemini-2.5-flash");
  EXPECT_EQ(events[0].data.at("response").at("metadata"), J(R"({"k":"v"})"));
  const auto subs = ids({"msg_"});
  EXPECT_EQ(events[4].data,
            J(golden::Sub(R"({"type":"response.output_text.delta","sequence_number":4,
    "item_id":"$ID0","output_index":0,"content_index":0,"delta":"Hel","logprobs":[]})",
                          subs)));
  const auto& done = events.back().data.at("response");
  EXPECT_EQ(done.at("id"), "resp_s");
  EXPECT_EQ(done.at("created_at"), 7);
  EXPECT_EQ(done.at("status"), "completed");
  EXPECT_EQ(done.at("output"), J(golden::Sub(R"([{"id":"$ID0","type":"message","status":"completed",
    "role":"assistant","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Hello"}]}])",
                                             subs)));
  EXPECT_EQ(done.at("usage"), J(R"({"input_tokens":4,"input_tokens_details":{"cached_tokens":1},
    "output_tokens":5,"output_tokens_details":{"reasoning_tokens":3},"total_tokens":9})"));
}

TEST(ResponsesStream, ThoughtsThenTextThenCallsAreSeparateItems) {
  auto t = make(true);
  const std::string out = golden::FeedAll(
      t,
      {R"({"candidates":[{"content":{"parts":[{"text":"hmm","thought":true}],"role":"model"}}]})",
       R"({"candidates":[{"content":{"parts":[{"text":"ok"},
              {"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"c2ln"}],"role":"model"},
              "finishReason":"STOP"}]})"});
  EXPECT_EQ(
      names(out),
      (std::vector<std::string>{
          "response.created", "response.in_progress", "response.output_item.added",
          "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
          "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
          "response.output_item.done", "response.output_item.added", "response.content_part.added",
          "response.output_text.delta", "response.output_text.done", "response.content_part.done",
          "response.output_item.done", "response.output_item.added",
          "response.function_call_arguments.delta", "response.function_call_arguments.done",
          "response.output_item.done", "response.completed"}));
  const auto output = Events(out).back().data.at("response").at("output");
  ASSERT_EQ(output.as_array().size(), 3U);
  EXPECT_EQ(output.at(0).at("summary"), J(R"([{"type":"summary_text","text":"hmm"}])"));
  const auto subs = ids({"rs_", "msg_", "call_", "fc_"});
  EXPECT_EQ(output.at(2), J(golden::Sub(R"({"id":"$ID3","type":"function_call","status":"completed",
    "arguments":"{\"a\":1}","call_id":"$ID2__thought__c2ln","name":"f"})",
                                        subs)));
}

TEST(ResponsesStream, ThoughtsAreLeftOutUnlessSummariesWereAsked) {
  auto t = make(false);
  const std::string out = golden::FeedAll(
      t, {R"({"candidates":[{"content":{"parts":[{"text":"hmm","thought":true},{"text":"ok"}]},
              "finishReason":"STOP"}]})"});
  const auto output = Events(out).back().data.at("response").at("output");
  ASSERT_EQ(output.as_array().size(), 1U);
  EXPECT_EQ(output.at(0).at("type"), "message");
}

TEST(ResponsesStream, TokenLimitAndFilterAreIncomplete) {
  auto t = make();
  const std::string out = golden::FeedAll(
      t,
      {R"({"candidates":[{"content":{"parts":[{"text":"cut"}]},"finishReason":"MAX_TOKENS"}]})"});
  const auto last = Events(out).back();
  EXPECT_EQ(last.event, "response.incomplete");
  EXPECT_EQ(last.data.at("response").at("status"), "incomplete");
  EXPECT_EQ(last.data.at("response").at("incomplete_details"),
            J(R"({"reason":"max_output_tokens"})"));
  EXPECT_EQ(last.data.at("response").at("output").at(0).at("status"), "incomplete");

  auto blocked = make();
  const std::string b =
      golden::FeedAll(blocked, {R"({"promptFeedback":{"blockReason":"SAFETY"}})"});
  EXPECT_EQ(Events(b).back().data.at("response").at("incomplete_details"),
            J(R"({"reason":"content_filter"})"));
}

TEST(ResponsesStream, BreakEndsInResponseFailed) {
  auto t = make();
  auto first = t.feed(R"({"candidates":[{"content":{"parts":[{"text":"par"}]}}]})");
  ASSERT_TRUE(first);
  const std::string out = *first + t.error("upstream went away", 502);
  const auto last = Events(out).back();
  EXPECT_EQ(last.event, "response.failed");
  EXPECT_EQ(last.data.at("response").at("status"), "failed");
  EXPECT_EQ(last.data.at("response").at("error"),
            J(R"({"code":"server_error","message":"upstream went away"})"));
  EXPECT_EQ(t.finish(), "");  // nothing after the failure

  auto in_band = make();
  EXPECT_FALSE(in_band.feed(R"({"error":{"code":429,"message":"slow down"}})"));
  EXPECT_EQ(in_band.lastUpstreamStatus(), 429U);
  EXPECT_FALSE(make().feed("not json"));
}

TEST(ResponsesResponse, WholeAnswerIsTheStreamsFinalResponse) {
  const auto gemini = J(R"({"candidates":[{"content":{"parts":[{"text":"hi"},
      {"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}],
      "usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":3,"totalTokenCount":5},
      "modelVersion":"gemini-2.5-flash"})");
  auto whole =
      translateResponsesResponse(gemini, context(), {.id = "resp_s", .created = 7}, IdMint(kSeed));
  ASSERT_TRUE(whole) << whole.error().message;
  auto t = make();
  const std::string out = golden::FeedAll(t, {boost::json::serialize(gemini)});
  EXPECT_EQ(boost::json::value(*whole), Events(out).back().data.at("response"));
  EXPECT_EQ(whole->at("object"), "response");
  EXPECT_EQ(whole->at("output").as_array().size(), 2U);

  EXPECT_FALSE(translateResponsesResponse(J(R"({"error":{"code":500,"message":"x"}})"), context(),
                                          {}, IdMint(1)));
  EXPECT_FALSE(translateResponsesResponse(J(R"({"candidates":[]})"), context(), {}, IdMint(1)));
}

}  // namespace
}  // namespace poise::protocols
