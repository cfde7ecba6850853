#include "protocols/openai/images.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

TEST(Images, RequestGoldenMappings) {
  struct Golden {
    const char* name;
    const char* body;
    const char* model;
    int calls;
    const char* gemini;
  };
  const Golden cases[] = {
      {"defaults: dall-e name → the default image model, one call",
       R"({"model":"dall-e-3","prompt":"a cat"})", "gemini-2.5-flash-image", 1,
       R"({"contents":[{"role":"user","parts":[{"text":"a cat"}]}],
           "generationConfig":{"responseModalities":["IMAGE"]}})"},
      {"n → that many calls; size → nearest aspect ratio",
       R"({"model":"gemini-3-pro-image-preview","prompt":"p","n":3,"size":"1792x1024",
           "response_format":"b64_json","quality":"hd"})",
       "gemini-3-pro-image-preview", 3,
       R"({"contents":[{"role":"user","parts":[{"text":"p"}]}],
           "generationConfig":{"responseModalities":["IMAGE"],"imageConfig":{"aspectRatio":"16:9"}}})"},
      {"portrait and square sizes", R"({"prompt":"p","size":"1024x1536"})",
       "gemini-2.5-flash-image", 1,
       R"({"contents":[{"role":"user","parts":[{"text":"p"}]}],
           "generationConfig":{"responseModalities":["IMAGE"],"imageConfig":{"aspectRatio":"2:3"}}})"},
      {"size auto", R"({"prompt":"p","size":"auto","n":null})", "gemini-2.5-flash-image", 1,
       R"({"contents":[{"role":"user","parts":[{"text":"p"}]}],
           "generationConfig":{"responseModalities":["IMAGE"]}})"},
  };
  for (const Golden& g : cases) {
    auto out = translateImagesRequest(J(g.body), {});
    ASSERT_TRUE(out) << g.name << ": " << out.error().message;
    EXPECT_EQ(out->model, g.model) << g.name;
    EXPECT_EQ(out->upstream_calls, g.calls) << g.name;
    EXPECT_EQ(json::value(out->request), J(g.gemini))
        << g.name << "\n got: " << json::serialize(out->request);
  }
  const ModelAliases aliases{{"gpt-image-1", "gemini-2.5-flash-image-preview"}};
  auto aliased = translateImagesRequest(J(R"({"model":"gpt-image-1","prompt":"p"})"),
                                        {.model_aliases = &aliases});
  ASSERT_TRUE(aliased);
  EXPECT_EQ(aliased->model, "gemini-2.5-flash-image-preview");
}

TEST(Images, RequestErrors) {
  for (const char* bad : {R"({"model":"m"})", R"({"prompt":""})", R"({"prompt":"p","n":0})",
                          R"({"prompt":"p","n":11})", R"({"prompt":"p","response_format":"url"})",
                          R"({"prompt":"p","size":"big"})", R"({"prompt":"p","size":"0x10"})"}) {
    auto out = translateImagesRequest(J(bad), {});
    ASSERT_FALSE(out) << bad;
    EXPECT_EQ(out.error().code, ErrorCode::InvalidRequest) << bad;
  }
}

TEST(Images, ResponsesBecomeB64Items) {
  const json::value upstream[] = {
      J(R"({"candidates":[{"content":{"parts":[{"text":"Here you go"},
          {"inlineData":{"mimeType":"image/png","data":"AAAA"}}]},"finishReason":"STOP"}]})"),
      J(R"({"candidates":[{"content":{"parts":[{"inline_data":{"mime_type":"image/jpeg","data":"BBBB"}}]},
          "finishReason":"STOP"}]})")};
  auto out = translateImagesResponse(upstream, 1700000000);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(json::value(*out),
            J(R"({"created":1700000000,"data":[{"b64_json":"AAAA"},{"b64_json":"BBBB"}]})"));
}

TEST(Images, NoImageIsAnError) {
  const json::value blocked[] = {J(R"({"promptFeedback":{"blockReason":"SAFETY"}})")};
  auto a = translateImagesResponse(blocked, 0);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::ContentPolicyViolation);
  const json::value refused[] = {J(R"({"candidates":[{"finishReason":"IMAGE_SAFETY"}]})")};
  auto b = translateImagesResponse(refused, 0);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, ErrorCode::ContentPolicyViolation);
  const json::value text_only[] = {J(
      R"({"candidates":[{"content":{"parts":[{"text":"I cannot draw"}]},"finishReason":"STOP"}]})")};
  auto c = translateImagesResponse(text_only, 0);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::UpstreamInvalidResponse);
}

}  // namespace
}  // namespace poise::protocols
