// In-process tests of the fake Gemini upstream: start it on port 0 and talk to it with a tiny
// synchronous Beast client, checking the exact bodies the gateway's tests rely on.
#include "fakes/fake_gemini.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>
#include <thread>

namespace poise::fakes {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct Reply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  boost::system::error_code error;  // set when the connection broke before a full response
};

// One connection to the fake; each request() is one keep-alive exchange.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  Reply request(http::verb method, const std::string& target, const std::string& body = "",
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    Reply reply;
    http::write(socket_, req, reply.error);
    if (reply.error) return reply;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    http::read(socket_, buffer_, parser, reply.error);
    if (!parser.is_header_done()) return reply;
    reply.status = parser.get().result_int();
    reply.content_type = std::string(parser.get()[http::field::content_type]);
    reply.body = parser.get().body();
    return reply;
  }

  Reply post(const std::string& target, const std::string& body, const std::string& key) {
    return request(http::verb::post, target, body, {{"x-goog-api-key", key}});
  }

  // Safe to call while another thread is blocked in request(): it only shuts the socket down.
  void shutdown() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

const std::string kHello = R"({"contents":[{"role":"user","parts":[{"text":"hello there"}]}]})";
const std::string kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const std::string kStreamSse = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";

std::vector<json::value> sseEvents(const std::string& body) {
  std::vector<json::value> events;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const auto end = body.find("\r\n\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event in: " << body;
    if (end == std::string::npos) break;
    const std::string event = body.substr(pos, end - pos);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    events.push_back(json::parse(event.substr(6)));
    pos = end + 4;
  }
  return events;
}

class FakeGeminiTest : public ::testing::Test {
 protected:
  FakeGeminiThread server_;
  Client client_{server_.port()};
};

TEST_F(FakeGeminiTest, MissingKeyIsExact403) {
  const Reply r = client_.request(http::verb::post, kGenerate, kHello);
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.content_type, "application/json; charset=UTF-8");
  EXPECT_EQ(r.body,
            "{\n"
            "  \"error\": {\n"
            "    \"code\": 403,\n"
            "    \"message\": \"Method doesn't allow unregistered callers (callers without "
            "established identity). Please use API Key or other form of API consumer identity "
            "to call this API.\",\n"
            "    \"status\": \"PERMISSION_DENIED\"\n"
            "  }\n"
            "}\n");
}

TEST_F(FakeGeminiTest, BearerIsNotAKeyOnNativeRoutes) {
  const Reply r = client_.request(http::verb::post, kGenerate, kHello,
                                  {{"authorization", "Bearer AIzaSomethingThatLooksLikeAKey"}});
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(json::parse(r.body).at("error").at("status"), "UNAUTHENTICATED");
}

TEST_F(FakeGeminiTest, InvalidKeyIsExact400WithApiKeyInvalidReason) {
  const Reply r = client_.post(kGenerate, kHello, "invalid-key-1");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body,
            "{\n"
            "  \"error\": {\n"
            "    \"code\": 400,\n"
            "    \"message\": \"API key not valid. Please pass a valid API key.\",\n"
            "    \"status\": \"INVALID_ARGUMENT\",\n"
            "    \"details\": [\n"
            "      {\n"
            "        \"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\",\n"
            "        \"reason\": \"API_KEY_INVALID\",\n"
            "        \"domain\": \"googleapis.com\",\n"
            "        \"metadata\": {\n"
            "          \"service\": \"generativelanguage.googleapis.com\"\n"
            "        }\n"
            "      },\n"
            "      {\n"
            "        \"@type\": \"type.googleapis.com/google.rpc.LocalizedMessage\",\n"
            "        \"locale\": \"en-US\",\n"
            "        \"message\": \"API key not valid. Please pass a valid API key.\"\n"
            "      }\n"
            "    ]\n"
            "  }\n"
            "}\n");
}

TEST_F(FakeGeminiTest, QueryKeyIsAcceptedAndAllowListMakesOtherKeysInvalid) {
  EXPECT_EQ(client_.request(http::verb::get, "/v1/models?key=k1").status, 200u);
  server_.fake().setValidKeys(std::set<std::string>{"k1"});
  EXPECT_EQ(client_.request(http::verb::get, "/v1/models?key=k1").status, 200u);
  EXPECT_EQ(client_.request(http::verb::get, "/v1/models?key=k2").status, 400u);
}

TEST_F(FakeGeminiTest, GenerateEchoesLastUserTextWithConsistentUsage) {
  const Reply r = client_.post(kGenerate, kHello, "good-key");
  ASSERT_EQ(r.status, 200u);
  const json::value v = json::parse(r.body);
  const auto& cand = v.at("candidates").at(0);
  EXPECT_EQ(cand.at("content").at("parts").at(0).at("text"), "echo: hello there");
  EXPECT_EQ(cand.at("content").at("role"), "model");
  EXPECT_EQ(cand.at("finishReason"), "STOP");
  const auto& usage = v.at("usageMetadata");
  EXPECT_EQ(usage.at("promptTokenCount"), 2);
  EXPECT_EQ(usage.at("candidatesTokenCount"), 3);
  EXPECT_EQ(usage.at("totalTokenCount"), 5);
  EXPECT_FALSE(usage.as_object().contains("thoughtsTokenCount"));
  EXPECT_EQ(v.at("modelVersion"), "gemini-2.5-flash");
  EXPECT_FALSE(v.at("responseId").as_string().empty());
}

TEST_F(FakeGeminiTest, SnakeCaseAndThinkingAddThoughtTokens) {
  const std::string body = R"({"system_instruction":{"parts":[{"text":"be brief"}]},)"
                           R"("contents":[{"parts":[{"text":"one two three"}]}],)"
                           R"("generation_config":{"thinking_config":)"
                           R"({"thinking_budget":1024,"include_thoughts":true}}})";
  const Reply r = client_.post(kGenerate, body, "good-key");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value v = json::parse(r.body);
  const auto& usage = v.at("usageMetadata");
  EXPECT_EQ(usage.at("promptTokenCount"), 5);
  EXPECT_EQ(usage.at("thoughtsTokenCount"), 16);
  EXPECT_EQ(usage.at("totalTokenCount").as_int64(),
            5 + usage.at("candidatesTokenCount").as_int64() + 16);
  EXPECT_EQ(v.at("candidates").at(0).at("content").at("parts").at(0).at("thought"), true);
}

TEST_F(FakeGeminiTest, InvalidJsonAndUnknownFieldsAre400) {
  Reply r = client_.post(kGenerate, "{not json", "good-key");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(json::parse(r.body).at("error").at("message").as_string().find(
                "Invalid JSON payload received."),
            0u);
  r = client_.post(kGenerate, R"({"contents":[{"parts":[{"text":"x"}]}],"foo":1})", "good-key");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(json::parse(r.body).at("error").at("message"),
            "Invalid JSON payload received. Unknown name \"foo\": Cannot find field.");
}

// Google refuses a maxOutputTokens at or above the listed outputTokenLimit (SPEC §1.2).
TEST_F(FakeGeminiTest, MaxOutputTokensAtOrAboveTheListedLimitIs400) {
  const auto body = [](int max_tokens) {
    return R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],)"
           R"("generationConfig":{"maxOutputTokens":)" +
           std::to_string(max_tokens) + "}}";
  };
  for (const std::string& target : {kGenerate, kStreamSse}) {
    Reply r = client_.post(target, body(65536), "good-key");
    ASSERT_EQ(r.status, 400u) << target << ": " << r.body;
    const json::value error = json::parse(r.body).at("error");
    EXPECT_EQ(error.at("status"), "INVALID_ARGUMENT");
    EXPECT_EQ(error.at("message"),
              "Unable to submit request because it has a maxOutputTokens value of 65536 but the "
              "supported range is from 1 (inclusive) to 65536 (exclusive). Update the value and "
              "try again.");
    r = client_.post(target, body(65535), "good-key");
    EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
  }
  Reply r = client_.post("/v1beta/models/gemini-2.0-flash:generateContent", body(128000), "k");
  ASSERT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(json::parse(r.body).at("error").at("message").as_string().find(
                "maxOutputTokens value of 128000 but the supported range is from 1 (inclusive) to "
                "8192 (exclusive)"),
            std::string::npos);
  // Every chat model of the list reports the limit the check uses.
  r = client_.request(http::verb::get, "/v1beta/models?pageSize=1000", "",
                      {{"x-goog-api-key", "k"}});
  ASSERT_EQ(r.status, 200u);
  const json::value list = json::parse(r.body);
  for (const auto& m : list.at("models").as_array()) {
    EXPECT_GT(m.at("outputTokenLimit").to_number<std::int64_t>(), 0) << m.at("name");
  }
}

TEST_F(FakeGeminiTest, JsonOutputFollowsTheResponseSchema) {
  const std::string body =
      R"({"contents":[{"role":"user","parts":[{"text":"a recipe"}]}],)"
      R"("generationConfig":{"responseMimeType":"application/json","responseJsonSchema":)"
      R"({"type":"object","properties":{"name":{"type":"string"},"servings":{"type":"integer"},)"
      R"("vegan":{"type":"boolean"},"kind":{"type":"string","enum":["main","side"]},)"
      R"("steps":{"type":"array","items":{"type":"string"}}}}}})";
  Reply r = client_.post(kGenerate, body, "good-key");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value v = json::parse(r.body);
  const json::value answer =
      json::parse(v.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());
  EXPECT_EQ(answer, json::parse(R"({"name":"echo: a recipe","servings":3,"vegan":true,
                                    "kind":"main","steps":["echo: a recipe"]})"));
  r = client_.post(kGenerate,
                   R"({"contents":[{"parts":[{"text":"hi"}]}],)"
                   R"("generationConfig":{"responseMimeType":"application/json"}})",
                   "good-key");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value plain = json::parse(r.body);
  EXPECT_EQ(
      json::parse(
          plain.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string()),
      json::parse(R"({"echo":"echo: hi"})"));
}

TEST_F(FakeGeminiTest, UnknownModelIsExact404) {
  const Reply r =
      client_.post("/v1beta/models/gemini-1.5-flash:generateContent", kHello, "good-key");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body,
            "{\n"
            "  \"error\": {\n"
            "    \"code\": 404,\n"
            "    \"message\": \"models/gemini-1.5-flash is not found for API version v1beta, or "
            "is not supported for generateContent. Call ListModels to see the list of available "
            "models and their supported methods.\",\n"
            "    \"status\": \"NOT_FOUND\"\n"
            "  }\n"
            "}\n");
}

TEST_F(FakeGeminiTest, SseStreamHasDeltasCumulativeUsageAndFinishOnlyLast) {
  const Reply r = client_.post(kStreamSse, kHello, "good-key");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/event-stream");
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  const auto events = sseEvents(r.body);
  ASSERT_EQ(events.size(), 3u);
  std::string text;
  std::int64_t last_candidates = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& cand = events[i].at("candidates").at(0).as_object();
    text += cand.at("content").at("parts").at(0).at("text").as_string();
    EXPECT_EQ(cand.contains("finishReason"), i + 1 == events.size());
    EXPECT_EQ(events[i].at("responseId"), events[0].at("responseId"));
    const auto candidates = events[i].at("usageMetadata").at("candidatesTokenCount").as_int64();
    EXPECT_GE(candidates, last_candidates);
    last_candidates = candidates;
  }
  EXPECT_EQ(text, "echo: hello there");
  EXPECT_EQ(last_candidates, 3);
}

TEST_F(FakeGeminiTest, StreamWithoutAltIsOneJsonArray) {
  const Reply r = client_.post("/v1/models/gemini-2.5-flash:streamGenerateContent", kHello, "k");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.body.front(), '[');
  EXPECT_EQ(r.body.back(), ']');
  EXPECT_NE(r.body.find("}\r\n,\r\n") == std::string::npos ? r.body.find("},\r\n")
                                                           : r.body.find("}\r\n,\r\n"),
            std::string::npos);
  const json::value v = json::parse(r.body);
  ASSERT_EQ(v.as_array().size(), 3u);
  EXPECT_EQ(v.at(2).at("candidates").at(0).at("finishReason"), "STOP");
}

TEST_F(FakeGeminiTest, FunctionCallHasNoIdAndCarriesSignature) {
  const std::string body =
      R"({"contents":[{"role":"user","parts":[{"text":"please call_tool {\"city\":\"Paris\"}"}]}],)"
      R"("tools":[{"functionDeclarations":)"
      R"([{"name":"get_weather","parameters":{"type":"OBJECT"}}]}]})";
  const Reply r = client_.post(kGenerate, body, "k");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value v = json::parse(r.body);
  const auto& cand = v.at("candidates").at(0);
  const auto& part = cand.at("content").at("parts").at(0).as_object();
  EXPECT_EQ(part.at("functionCall").at("name"), "get_weather");
  EXPECT_EQ(part.at("functionCall").at("args").at("city"), "Paris");
  EXPECT_FALSE(part.at("functionCall").as_object().contains("id"));
  EXPECT_TRUE(part.contains("thoughtSignature"));
  EXPECT_EQ(cand.at("finishReason"), "STOP");
  EXPECT_EQ(cand.at("finishMessage"), "Model generated function call(s).");
}

TEST_F(FakeGeminiTest, QuotaPrefixGives429WithQuotaFailureAndRetryInfo) {
  const Reply r =
      client_.post("/v1beta/models/gemini-2.5-pro:generateContent", kHello, "quota-key-1");
  ASSERT_EQ(r.status, 429u);
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("error").at("status"), "RESOURCE_EXHAUSTED");
  const auto& details = v.at("error").at("details").as_array();
  ASSERT_EQ(details.size(), 3u);
  const auto& violation = details.at(1).at("violations").at(0);
  EXPECT_EQ(violation.at("quotaId"), "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
  EXPECT_EQ(violation.at("quotaDimensions").at("model"), "gemini-2.5-pro");
  EXPECT_EQ(details.at(2).at("@type"), "type.googleapis.com/google.rpc.RetryInfo");
  EXPECT_EQ(details.at(2).at("retryDelay"), "17s");
}

TEST_F(FakeGeminiTest, ScriptIsFifoPerKeyAndModelScoped) {
  const Reply s = client_.request(
      http::verb::post, "/_fake/script",
      R"({"key":"k1","responses":[{"status":429,"retryDelay":"2s","model":"gemini-2.5-pro"},)"
      R"({"status":503},{"status":200},{"status":500}]})");
  ASSERT_EQ(s.status, 200u) << s.body;
  // The 429 is scoped to gemini-2.5-pro: flash requests skip it and consume the others in order.
  EXPECT_EQ(client_.post(kGenerate, kHello, "k1").status, 503u);
  EXPECT_EQ(client_.post(kGenerate, kHello, "k1").status, 200u);
  EXPECT_EQ(client_.post(kGenerate, kHello, "k2").status, 200u);
  EXPECT_EQ(client_.post(kGenerate, kHello, "k1").status, 500u);
  EXPECT_EQ(client_.post(kGenerate, kHello, "k1").status, 200u);
  const Reply pro = client_.post("/v1beta/models/gemini-2.5-pro:generateContent", kHello, "k1");
  EXPECT_EQ(pro.status, 429u);
  EXPECT_EQ(json::parse(pro.body).at("error").at("details").at(2).at("retryDelay"), "2s");
  EXPECT_EQ(client_.post("/v1beta/models/gemini-2.5-pro:generateContent", kHello, "k1").status,
            200u);

  const Reply bad = client_.request(http::verb::post, "/_fake/script",
                                    R"({"key":"k1","responses":[{"statuss":429}]})");
  EXPECT_EQ(bad.status, 400u);
}

TEST_F(FakeGeminiTest, RequestLogShowsHowTheKeyArrived) {
  client_.post(kStreamSse, kHello, "logged-key");
  const Reply r = client_.request(http::verb::get, "/_fake/requests");
  ASSERT_EQ(r.status, 200u);
  const json::value v = json::parse(r.body);
  ASSERT_EQ(v.as_array().size(), 1u);
  const auto& rec = v.at(0);
  EXPECT_EQ(rec.at("method"), "POST");
  EXPECT_EQ(rec.at("path"), "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  EXPECT_EQ(rec.at("query"), "alt=sse");
  EXPECT_EQ(rec.at("headers").at("x-goog-api-key"), "logged-key");
  EXPECT_EQ(rec.at("key"), "logged-key");
  EXPECT_EQ(rec.at("key_source"), "header");
  EXPECT_EQ(rec.at("body_size"), kHello.size());
  EXPECT_EQ(rec.at("body").as_string(), kHello);

  EXPECT_EQ(client_.request(http::verb::post, "/_fake/reset").status, 200u);
  EXPECT_EQ(json::parse(client_.request(http::verb::get, "/_fake/requests").body).as_array().size(),
            0u);
}

TEST_F(FakeGeminiTest, ListModelsPagesAndGetModel) {
  Reply r =
      client_.request(http::verb::get, "/v1beta/models?pageSize=4", "", {{"x-goog-api-key", "k"}});
  ASSERT_EQ(r.status, 200u);
  json::value v = json::parse(r.body);
  std::vector<std::string> names;
  for (const auto& m : v.at("models").as_array()) names.emplace_back(m.at("name").as_string());
  EXPECT_EQ(names.size(), 4u);
  while (v.as_object().contains("nextPageToken")) {
    r = client_.request(
        http::verb::get,
        "/v1beta/models?pageSize=4&pageToken=" + std::string(v.at("nextPageToken").as_string()), "",
        {{"x-goog-api-key", "k"}});
    ASSERT_EQ(r.status, 200u) << r.body;
    v = json::parse(r.body);
    for (const auto& m : v.at("models").as_array()) names.emplace_back(m.at("name").as_string());
  }
  for (const char* want :
       {"models/gemini-2.5-flash", "models/gemini-2.5-pro", "models/gemini-2.5-flash-lite",
        "models/gemini-3-pro-preview", "models/gemini-3-flash-preview",
        "models/gemini-embedding-001", "models/gemini-2.5-flash-image"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  r = client_.request(http::verb::get, "/v1/models/gemini-2.5-flash", "",
                      {{"x-goog-api-key", "k"}});
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body).at("inputTokenLimit"), 1048576);
  r = client_.request(http::verb::get, "/v1/models/nope", "", {{"x-goog-api-key", "k"}});
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(json::parse(r.body).at("error").at("status"), "NOT_FOUND");
}

TEST_F(FakeGeminiTest, BatchEmbedValidatesPerRequestModel) {
  const std::string url = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
  Reply r = client_.post(url,
                         R"({"requests":[{"model":"models/gemini-embedding-001",)"
                         R"("content":{"parts":[{"text":"hi"}]},"outputDimensionality":8}]})",
                         "k");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::parse(r.body).at("embeddings").at(0).at("values").as_array().size(), 8u);
  r = client_.post(
      url,
      R"({"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"hi"}]}}]})",
      "k");
  EXPECT_EQ(r.status, 400u);
}

TEST_F(FakeGeminiTest, ResetPrefixClosesWithoutAnswer) {
  const Reply r = client_.post(kGenerate, kHello, "reset-key");
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.status, 0u) << "no status line may arrive";
}

TEST_F(FakeGeminiTest, MidstreamPrefixSendsTwoEventsThenTruncates) {
  const Reply r = client_.post(kStreamSse, kHello, "midstream-key");
  EXPECT_EQ(r.error, http::error::partial_message);  // chunked body never terminated
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(sseEvents(r.body).size(), 2u);
}

TEST_F(FakeGeminiTest, MidstreamErrPrefixEndsWithInBandErrorEvent) {
  const Reply r = client_.post(kStreamSse, kHello, "midstreamerr-key");
  ASSERT_FALSE(r.error);
  const auto events = sseEvents(r.body);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].at("error").at("code"), 500);
  EXPECT_EQ(events[2].at("error").at("status"), "INTERNAL");
}

TEST_F(FakeGeminiTest, TruncatePrefixEndsCleanlyWithoutAFinishReason) {
  const Reply r = client_.post(kStreamSse, kHello, "truncate-key");
  ASSERT_FALSE(r.error);  // the chunked body ends as a complete one would
  const auto events = sseEvents(r.body);
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) {
    EXPECT_FALSE(e.at("candidates").at(0).as_object().contains("finishReason"));
  }
}

TEST_F(FakeGeminiTest, OpenConnectionsDropsWhenClientLeavesMidStream) {
  Client control(server_.port());
  const std::string slow = R"({"contents":[{"parts":[{"text":"slow_stream long_stream"}]}]})";
  std::thread streamer([&] { client_.post(kStreamSse, slow, "k"); });
  auto openConnections = [&] {
    return json::parse(control.request(http::verb::get, "/_fake/stats").body)
        .at("open_connections")
        .as_int64();
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_.fake().stats().active_requests == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(openConnections(), 1);  // the control connection is not counted
  // Shutting the socket down from this thread unblocks the streamer's read.
  client_.shutdown();
  streamer.join();
  while (openConnections() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(openConnections(), 0);
  EXPECT_EQ(server_.fake().stats().client_aborts, 1u);
}

TEST_F(FakeGeminiTest, StatsRecordTheMostRequestsAnsweredAtOnce) {
  server_.fake().script("slow1", {{.status = 200, .delay_ms = 1000}});
  server_.fake().script("slow2", {{.status = 200, .delay_ms = 1000}});
  const std::string body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
  std::thread a([&] { Client(server_.port()).post(kGenerate, body, "slow1"); });
  std::thread b([&] { Client(server_.port()).post(kGenerate, body, "slow2"); });
  a.join();
  b.join();
  EXPECT_EQ(server_.fake().stats().max_active_requests, 2u);
  // The fake counts a request as answered a moment after the client has read it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_.fake().stats().active_requests != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server_.fake().reset();
  EXPECT_EQ(server_.fake().stats().max_active_requests, 0u);
}

}  // namespace
}  // namespace poise::fakes
