#include "protocols/openai/models.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

const char* kPage1 = R"({"models":[
  {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent","countTokens"]},
  {"name":"models/gemini-embedding-001","supportedGenerationMethods":["embedContent"]}],
  "nextPageToken":"Ch9tb2RlbHM"})";
const char* kPage2 = R"({"models":[
  {"name":"models/veo-3.1-generate-preview","supportedGenerationMethods":["predictLongRunning"]},
  {"name":"models/imagen-4.0-generate-001","supportedGenerationMethods":["predict"]},
  {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent"]}]})";

TEST(Models, PagesMergeIntoOneGeminiList) {
  EXPECT_EQ(nextPageToken(J(kPage1)), "Ch9tb2RlbHM");
  EXPECT_EQ(nextPageToken(J(kPage2)), "");
  const json::value pages[] = {J(kPage1), J(kPage2), J("{}")};
  auto merged = mergeModelPages(pages);
  ASSERT_TRUE(merged);
  EXPECT_EQ(json::value(*merged), J(R"({"models":[
    {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent","countTokens"]},
    {"name":"models/gemini-embedding-001","supportedGenerationMethods":["embedContent"]},
    {"name":"models/veo-3.1-generate-preview","supportedGenerationMethods":["predictLongRunning"]},
    {"name":"models/imagen-4.0-generate-001","supportedGenerationMethods":["predict"]}]})"))
      << json::serialize(*merged);
  const json::value bad[] = {J(R"({"models":7})")};
  EXPECT_FALSE(mergeModelPages(bad));
}

TEST(Models, OpenAiListWithAliases) {
  const json::value pages[] = {J(kPage1), J(kPage2)};
  auto merged = mergeModelPages(pages);
  ASSERT_TRUE(merged);
  const ModelAliases aliases{{"gpt-4o", "gemini-2.5-flash"},
                             {"gpt-5", "models/gemini-3-pro-preview"},
                             {"text-embedding-3-small", "models/gemini-embedding-001"}};
  auto list = toOpenAiModelList(json::value(*merged), &aliases);
  ASSERT_TRUE(list);
  EXPECT_EQ(json::value(*list), J(R"({"object":"list","data":[
    {"id":"gemini-2.5-flash","object":"model","created":0,"owned_by":"google"},
    {"id":"gemini-embedding-001","object":"model","created":0,"owned_by":"google"},
    {"id":"imagen-4.0-generate-001","object":"model","created":0,"owned_by":"google"},
    {"id":"gpt-4o","object":"model","created":0,"owned_by":"google"},
    {"id":"text-embedding-3-small","object":"model","created":0,"owned_by":"google"}]})"))
      << json::serialize(*list);
  auto all = toOpenAiModelList(J(R"({"models":[]})"), &aliases, false);
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)["data"].as_array().size(), 3u);
  EXPECT_FALSE(toOpenAiModelList(J("[1]"), nullptr));
}

TEST(Models, SingleModelAndNames) {
  auto m = toOpenAiModel(J(R"({"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro"})"));
  ASSERT_TRUE(m);
  EXPECT_EQ(json::value(*m),
            J(R"({"id":"gemini-2.5-pro","object":"model","created":0,"owned_by":"google"})"));
  auto alias = toOpenAiModel(J(R"({"name":"models/gemini-2.5-pro"})"), "gpt-4o");
  ASSERT_TRUE(alias);
  EXPECT_EQ((*alias)["id"], "gpt-4o");
  EXPECT_FALSE(toOpenAiModel(J(R"({"displayName":"x"})")));

  EXPECT_EQ(stripModelsPrefix("models/gemini-2.5-pro"), "gemini-2.5-pro");
  EXPECT_EQ(stripModelsPrefix("gemini-2.5-pro"), "gemini-2.5-pro");
  EXPECT_EQ(withModelsPrefix("gemini-2.5-pro"), "models/gemini-2.5-pro");
  EXPECT_EQ(withModelsPrefix("models/gemini-2.5-pro"), "models/gemini-2.5-pro");
  const ModelAliases aliases{{"gpt-4o", "models/gemini-2.5-flash"}};
  EXPECT_EQ(resolveModel("gpt-4o", &aliases), "gemini-2.5-flash");
  EXPECT_EQ(resolveModel("models/gpt-4o", &aliases), "gemini-2.5-flash");
  EXPECT_EQ(resolveModel("models/gemini-2.5-pro", &aliases), "gemini-2.5-pro");
  EXPECT_EQ(resolveModel("gemini-2.5-pro", nullptr), "gemini-2.5-pro");
}

}  // namespace
}  // namespace poise::protocols
