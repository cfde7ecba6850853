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
    auto out = thinkingForEffort(c.effort, modelTraits(c.model));
    ASSERT_TRUE(out) << c.model << " " << c.effort;
    const json::value got = *out ? json::value(**out) : json::value(nullptr);
    EXPECT_EQ(got, J(c.config)) << c.model << " " << c.effort << ": " << json::serialize(got);
  }
  auto bad = thinkingForEffort("turbo", modelTraits("gemini-2.5-flash"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, kInvalidRequest);
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
