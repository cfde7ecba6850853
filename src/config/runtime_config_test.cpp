#include "config/runtime_config.h"

#include <gtest/gtest.h>

namespace poise::config {
namespace {

TEST(RuntimeConfig, DefaultsUseACurrentValidationModel) {
  const auto d = defaultConfigValues();
  EXPECT_EQ(d.at("key_validation_model_name"), "gemini-2.5-flash");
  EXPECT_EQ(d.at("proxy_retry_max_count"), "3");
}

TEST(RuntimeConfig, TargetUrlDropsTheSeedVersionSuffix) {
  EXPECT_EQ(normalizeTargetUrl("https://generativelanguage.googleapis.com/v1beta"),
            "https://generativelanguage.googleapis.com");
  EXPECT_EQ(normalizeTargetUrl("http://127.0.0.1:9000/v1/"), "http://127.0.0.1:9000");
  auto c = buildRuntimeConfig({{"target_api_url", "http://127.0.0.1:9000/gw/v1beta"}});
  EXPECT_FALSE(c.upstream_tls);
  EXPECT_EQ(c.upstream_host, "127.0.0.1");
  EXPECT_EQ(c.upstream_port, "9000");
  EXPECT_EQ(c.upstream_base_path, "/gw");
}

TEST(RuntimeConfig, ValidatesKnownKeys) {
  EXPECT_TRUE(validateConfigValue("proxy_retry_max_count", "5"));
  EXPECT_FALSE(validateConfigValue("proxy_retry_max_count", "-1"));
  EXPECT_FALSE(validateConfigValue("proxy_retry_max_count", "lots"));
  EXPECT_FALSE(validateConfigValue("key_validation_concurrent_count", "51"));
  EXPECT_FALSE(validateConfigValue("target_api_url", "ftp://example.com"));
  EXPECT_TRUE(validateConfigValue("target_api_url", "https://example.com/v1beta"));
  EXPECT_TRUE(validateConfigValue("some_custom_key", "anything"));
}

TEST(RuntimeConfig, ModelAliasesAndClaudeMapParseAndValidate) {
  EXPECT_TRUE(validateConfigValue("model_aliases", R"({"gpt-4o":"gemini-2.5-pro"})"));
  EXPECT_TRUE(validateConfigValue("model_aliases", ""));
  EXPECT_FALSE(validateConfigValue("model_aliases", R"(["gpt-4o"])"));
  EXPECT_FALSE(validateConfigValue("model_aliases", R"({"gpt-4o":""})"));
  EXPECT_FALSE(validateConfigValue("model_aliases", R"({"gpt-4o":1})"));
  EXPECT_FALSE(validateConfigValue("anthropic_model_opus", ""));
  auto raw = defaultConfigValues();
  raw["model_aliases"] = R"({"gpt-4o":"gemini-2.5-pro","fast":"models/gemini-2.5-flash"})";
  raw["anthropic_model_haiku"] = "gemini-2.5-flash-lite";
  const RuntimeConfig c = buildRuntimeConfig(raw);
  ASSERT_EQ(c.model_aliases.size(), 2u);
  EXPECT_EQ(c.model_aliases.at("gpt-4o"), "gemini-2.5-pro");
  EXPECT_EQ(c.anthropic_model_haiku, "gemini-2.5-flash-lite");
  EXPECT_EQ(c.anthropic_model_opus, "gemini-2.5-pro");
}

TEST(RuntimeConfigStore, PublishesNewSnapshotsAtOnce) {
  RuntimeConfigStore store;
  auto before = store.snapshot();
  store.publish({{"api_token", "t1"}, {"proxy_retry_max_count", "7"}});
  EXPECT_EQ(store.snapshot()->api_token, "t1");
  EXPECT_EQ(store.snapshot()->proxy_retry_max_count, 7);
  EXPECT_EQ(before->api_token, "");
}

}  // namespace
}  // namespace poise::config
