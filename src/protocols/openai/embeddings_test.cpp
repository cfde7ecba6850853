#include "protocols/openai/embeddings.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/gemini/generate_response.h"
#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

const ModelAliases kAliases{{"text-embedding-3-small", "gemini-embedding-001"}};

TEST(Embeddings, RequestGoldenMappings) {
  struct Golden {
    const char* name;
    const char* body;
    const char* model;
    const char* requests;  // array of batch bodies
    bool base64;
  };
  const Golden cases[] = {
      {"single string; unknown OpenAI model → default",
       R"({"model":"text-embedding-ada-002","input":"hello"})", "gemini-embedding-001",
       R"([{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"hello"}]}}]}])",
       false},
      {"array, dimensions, base64, alias",
       R"({"model":"text-embedding-3-small","input":["a","bb"],"dimensions":256,"encoding_format":"base64","user":"u"})",
       "gemini-embedding-001",
       R"([{"requests":[
           {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":256},
           {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"bb"}]},"outputDimensionality":256}]}])",
       true},
      {"a Gemini model is used as named",
       R"({"model":"models/text-embedding-004","input":["x"],"encoding_format":"float"})",
       "text-embedding-004",
       R"([{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"x"}]}}]}])",
       false},
  };
  for (const Golden& g : cases) {
    auto out = translateEmbeddingsRequest(J(g.body), {.model_aliases = &kAliases});
    ASSERT_TRUE(out) << g.name << ": " << out.error().message;
    EXPECT_EQ(out->model, g.model) << g.name;
    json::array got;
    for (const auto& r : out->requests) got.push_back(r);
    EXPECT_EQ(json::value(got), J(g.requests)) << g.name << "\n got: " << json::serialize(got);
    EXPECT_EQ(out->context.base64, g.base64) << g.name;
  }
}

TEST(Embeddings, LargeInputsAreSplitIntoBatchesOfAHundred) {
  json::array input;
  for (int i = 0; i < 250; ++i) input.push_back(json::string("item " + std::to_string(i)));
  auto out = translateEmbeddingsRequest(
      json::object{{"model", "gemini-embedding-001"}, {"input", input}}, {});
  ASSERT_TRUE(out);
  ASSERT_EQ(out->requests.size(), 3u);
  EXPECT_EQ(out->requests[0].at("requests").as_array().size(), 100u);
  EXPECT_EQ(out->requests[1].at("requests").as_array().size(), 100u);
  EXPECT_EQ(out->requests[2].at("requests").as_array().size(), 50u);
  EXPECT_EQ(out->requests[2].at("requests").as_array()[49].at("content").at("parts").as_array()[0],
            J(R"({"text":"item 249"})"));
  EXPECT_EQ(out->context.input_count, 250u);
}

TEST(Embeddings, ResponseAsFloatsWithEstimatedUsage) {
  auto req = translateEmbeddingsRequest(
      J(R"({"model":"gemini-embedding-001","input":["hello","a longer sentence"]})"), {});
  ASSERT_TRUE(req);
  // ceil(5/4) + ceil(17/4) = 2 + 5
  EXPECT_EQ(req->context.estimated_tokens, 7);
  const json::value upstream[] = {J(R"({"embeddings":[{"values":[0.5,-1]},{"values":[0.25]}]})")};
  auto out = translateEmbeddingsResponse(upstream, req->context);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(json::value(*out), J(R"({"object":"list","data":[
      {"object":"embedding","index":0,"embedding":[0.5,-1]},
      {"object":"embedding","index":1,"embedding":[0.25]}],
      "model":"gemini-embedding-001","usage":{"prompt_tokens":7,"total_tokens":7}})"))
      << json::serialize(*out);
}

TEST(Embeddings, ResponseAsBase64Float32LittleEndian) {
  EmbeddingsContext ctx{
      .client_model = "e", .base64 = true, .input_count = 3, .estimated_tokens = 1};
  const json::value upstream[] = {J(R"({"embeddings":[{"values":[1.0,-2.0]}]})"),
                                  J(R"({"embeddings":[{"values":[0.5]},{"values":[]}]})")};
  auto out = translateEmbeddingsResponse(upstream, ctx);
  ASSERT_TRUE(out) << out.error().message;
  // 1.0f = 00 00 80 3F, -2.0f = 00 00 00 C0, 0.5f = 00 00 00 3F.
  EXPECT_EQ(json::value(*out), J(R"({"object":"list","data":[
      {"object":"embedding","index":0,"embedding":"AACAPwAAAMA="},
      {"object":"embedding","index":1,"embedding":"AAAAPw=="},
      {"object":"embedding","index":2,"embedding":""}],
      "model":"e","usage":{"prompt_tokens":1,"total_tokens":1}})"))
      << json::serialize(*out);
}

TEST(Embeddings, Errors) {
  for (const char* bad :
       {R"({"input":"x"})", R"({"model":"m"})", R"({"model":"m","input":[]})",
        R"({"model":"m","input":[1,2,3]})", R"({"model":"m","input":[[1,2]]})",
        R"({"model":"m","input":"x","encoding_format":"int8"})",
        R"({"model":"m","input":"x","dimensions":0})", R"({"model":"m","input":["a",""]})"}) {
    auto out = translateEmbeddingsRequest(J(bad), {});
    ASSERT_FALSE(out) << bad;
    EXPECT_EQ(out.error().code, ErrorCode::InvalidRequest) << bad;
  }
  EmbeddingsContext ctx{.input_count = 2};
  const json::value short_answer[] = {J(R"({"embeddings":[{"values":[1]}]})")};
  auto mismatch = translateEmbeddingsResponse(short_answer, ctx);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::UpstreamInvalidResponse);
  const json::value error_body[] = {
      J(R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})")};
  auto upstream = translateEmbeddingsResponse(error_body, ctx);
  ASSERT_FALSE(upstream);
  EXPECT_EQ(upstream.error().code, ErrorCode::UpstreamError);
}

}  // namespace
}  // namespace poise::protocols
