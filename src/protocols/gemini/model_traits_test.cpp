#include "protocols/gemini/model_traits.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

TEST(ProtocolModelTraits, FamiliesFromTheId) {
  const ModelTraits flash = modelTraits("models/gemini-2.5-flash");
  EXPECT_EQ(flash.thinking, ThinkingControl::kBudget);
  EXPECT_EQ(flash.min_budget, 1);
  EXPECT_EQ(flash.max_budget, 24576);
  EXPECT_TRUE(flash.can_disable_thinking);
  EXPECT_FALSE(flash.requires_thought_signatures);

  const ModelTraits pro = modelTraits("gemini-2.5-pro");
  EXPECT_EQ(pro.min_budget, 128);
  EXPECT_EQ(pro.max_budget, 32768);
  EXPECT_FALSE(pro.can_disable_thinking);

  const ModelTraits lite = modelTraits("gemini-2.5-flash-lite-preview-06-17");
  EXPECT_EQ(lite.min_budget, 512);

  const ModelTraits g3pro = modelTraits("gemini-3-pro-preview");
  EXPECT_EQ(g3pro.thinking, ThinkingControl::kLevel);
  EXPECT_TRUE(g3pro.requires_thought_signatures);
  EXPECT_FALSE(g3pro.has_minimal_level);
  EXPECT_FALSE(g3pro.has_medium_level);

  const ModelTraits g3flash = modelTraits("gemini-3.5-flash");
  EXPECT_EQ(g3flash.thinking, ThinkingControl::kLevel);
  EXPECT_TRUE(g3flash.has_minimal_level);
  EXPECT_TRUE(g3flash.has_medium_level);

  EXPECT_TRUE(modelTraits("gemini-2.5-flash-image").image_output);
  EXPECT_EQ(modelTraits("gemini-2.5-flash-image").thinking, ThinkingControl::kNone);
  EXPECT_EQ(modelTraits("gemini-2.0-flash").thinking, ThinkingControl::kNone);
  EXPECT_EQ(modelTraits("gemma-3-27b-it").thinking, ThinkingControl::kNone);
  EXPECT_EQ(modelTraits("gemini-x").thinking, ThinkingControl::kNone);
}

TEST(ProtocolModelTraits, ReasoningEffortTable) {
  struct Case {
    const char* model;
    const char* effort;
    const char* config;  // "null": no thinkingConfig
  };
  const Case cases[] = {
      {"gemini-2.5-flash", "none", R"({"thinkingBudget":0})"},
      {"gemini-2.5-flash", "minimal", R"({"thinkingBudget":1})"},
      {"gemini-2.5-flash", "low", R"({"thinkingBudget":1024})"},
      {"gemini-2.5-flash", "medium", R"({"thinkingBudget":8192})"},
      {"gemini-2.5-flash", "high", R"({"thinkingBudget":24576})"},
      {"gemini-2.5-flash", "xhigh", R"({"thinkingBudget":24576})"},
      {"gemini-2.5-pro", "none", R"({"thinkingBudget":128})"},
      {"gemini-2.5-pro", "max", R"({"thinkingBudget":32768})"},
      {"gemini-2.5-flash-lite", "minimal", R"({"thinkingBudget":512})"},
      {"gemini-2.5-flash-lite", "none", R"({"thinkingBudget":0})"},
      {"gemini-3-pro-preview", "none", R"({"thinkingLevel":"LOW"})"},
      {"gemini-3-pro-preview", "low", R"({"thinkingLevel":"LOW"})"},
      {"gemini-3-pro-preview", "medium", R"({"thinkingLevel":"HIGH"})"},
      {"gemini-3-pro-preview", "high", R"({"thinkingLevel":"HIGH"})"},
      {"gemini-3-flash-preview", "none", R"({"thinkingLevel":"MINIMAL"})"},
      {"gemini-3-flash-preview", "minimal", R"({"thinkingLevel":"MINIMAL"})"},
      {"gemini-3-flash-preview", "medium", R"({"thinkingLevel":"MEDIUM"})"},
      {"gemini-3-flash-preview", "max", R"({"thinkingLevel":"HIGH"})"},
      {"gemini-2.0-flash", "high", "null"},
  };
  for (const Case& c : cases) {
    auto out = thinkingForEffort(c.effort, modelTraits(c.model), "reasoning_effort");
    ASSERT_TRUE(out) << c.model << " " << c.effort;
    const json::value got = *out ? json::value(**out) : json::value(nullptr);
    EXPECT_EQ(got, J(c.config)) << c.model << " " << c.effort << ": " << json::serialize(got);
  }
  auto bad = thinkingForEffort("turbo", modelTraits("gemini-2.5-flash"), "output_config.effort");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(bad.error().message,
            "output_config.effort must be one of none, minimal, low, medium, high, xhigh, max");
}

TEST(ProtocolModelTraits, StaticOutputTokenLimits) {
  EXPECT_EQ(modelTraits("gemini-2.5-flash").output_token_limit, 65536);
  EXPECT_EQ(modelTraits("models/gemini-2.5-pro").output_token_limit, 65536);
  EXPECT_EQ(modelTraits("gemini-3-pro-preview").output_token_limit, 65536);
  EXPECT_EQ(modelTraits("gemini-2.0-flash").output_token_limit, 8192);
  EXPECT_EQ(modelTraits("gemini-2.5-flash-image").output_token_limit, 32768);
  EXPECT_EQ(modelTraits("gemini-3-pro-image-preview").output_token_limit, 32768);
  EXPECT_EQ(modelTraits("gemma-3-27b-it").output_token_limit, 0);
}

TEST(ProtocolModelTraits, OutputTokenLimitsFromTheModelsList) {
  const json::value list = J(R"({"models":[
      {"name":"models/gemini-2.5-flash","outputTokenLimit":32768},
      {"name":"models/gemini-exp-1206","outputTokenLimit":8192},
      {"name":"models/gemini-embedding-001","outputTokenLimit":1},
      {"name":"models/no-limit"},{"name":"models/zero","outputTokenLimit":0},
      {"outputTokenLimit":5},"junk"]})");
  const OutputTokenLimits limits = outputTokenLimits(list.as_object());
  EXPECT_EQ(limits, (OutputTokenLimits{{"gemini-2.5-flash", 32768},
                                       {"gemini-exp-1206", 8192},
                                       {"gemini-embedding-001", 1}}));
  EXPECT_TRUE(outputTokenLimits(J(R"({"models":5})").as_object()).empty());
  EXPECT_TRUE(outputTokenLimits({}).empty());
}

TEST(ProtocolModelTraits, ClampOutputTokensTreatsTheLimitAsExclusive) {
  const OutputTokenLimits listed{
      {"gemini-2.5-flash", 32768}, {"gemini-exp-1206", 8192}, {"gemini-embedding-001", 1}};
  // The list wins over the static traits, and names models the traits do not know.
  EXPECT_EQ(clampOutputTokens(128000, "gemini-2.5-flash", &listed), 32767);
  EXPECT_EQ(clampOutputTokens(128000, "models/gemini-exp-1206", &listed), 8191);
  EXPECT_EQ(clampOutputTokens(8191, "gemini-exp-1206", &listed), 8191);
  // Models the list does not name fall back to the static traits.
  EXPECT_EQ(clampOutputTokens(128000, "gemini-2.5-pro", &listed), 65535);
  EXPECT_EQ(clampOutputTokens(65536, "gemini-2.5-pro", nullptr), 65535);
  EXPECT_EQ(clampOutputTokens(65535, "gemini-2.5-pro", nullptr), 65535);
  EXPECT_EQ(clampOutputTokens(100, "gemini-2.5-pro", nullptr), 100);
  // Unknown limit, or one that leaves nothing valid: unchanged.
  EXPECT_EQ(clampOutputTokens(128000, "gemini-exp-1206", nullptr), 128000);
  EXPECT_EQ(clampOutputTokens(50, "gemini-embedding-001", &listed), 50);
}

TEST(ProtocolModelTraits, OutputLimitUncertainWhenTheStaticTraitsCannotSettleIt) {
  EXPECT_FALSE(outputLimitUncertain(0, "gemma-3-27b-it"));   // no limit asked for
  EXPECT_TRUE(outputLimitUncertain(100, "gemma-3-27b-it"));  // no static limit
  EXPECT_FALSE(outputLimitUncertain(65535, "gemini-2.5-flash"));
  EXPECT_TRUE(outputLimitUncertain(65536, "gemini-2.5-flash"));  // the clamp applies
  EXPECT_TRUE(outputLimitUncertain(128000, "models/gemini-2.5-pro"));
  EXPECT_FALSE(outputLimitUncertain(8000, "gemini-2.0-flash"));
}

TEST(ProtocolModelTraits, BudgetTable) {
  struct Case {
    const char* model;
    std::int64_t budget;
    const char* config;
  };
  const Case cases[] = {
      {"gemini-2.5-flash", 5000, R"({"thinkingBudget":5000})"},
      {"gemini-2.5-flash", 0, R"({"thinkingBudget":0})"},
      {"gemini-2.5-flash", -3, R"({"thinkingBudget":0})"},
      {"gemini-2.5-pro", 50, R"({"thinkingBudget":128})"},
      {"gemini-2.5-pro", 90000, R"({"thinkingBudget":32768})"},
      {"gemini-2.5-flash-lite", 100, R"({"thinkingBudget":512})"},
      {"gemini-3-flash-preview", 0, R"({"thinkingLevel":"MINIMAL"})"},
      {"gemini-3-flash-preview", 1024, R"({"thinkingLevel":"LOW"})"},
      {"gemini-3-flash-preview", 8192, R"({"thinkingLevel":"MEDIUM"})"},
      {"gemini-3-flash-preview", 8193, R"({"thinkingLevel":"HIGH"})"},
      {"gemini-3-pro-preview", 2048, R"({"thinkingLevel":"HIGH"})"},
      {"gemini-2.0-flash", 2048, "null"},
  };
  for (const Case& c : cases) {
    auto out = thinkingForBudget(c.budget, modelTraits(c.model));
    const json::value got = out ? json::value(*out) : json::value(nullptr);
    EXPECT_EQ(got, J(c.config)) << c.model << " " << c.budget << ": " << json::serialize(got);
  }
}

}  // namespace
}  // namespace poise::protocols
