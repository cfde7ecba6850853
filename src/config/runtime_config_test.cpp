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

TEST(RuntimeConfig, TargetUrlAcceptsAnUppercaseScheme) {
  EXPECT_EQ(normalizeTargetUrl("  HTTP://127.0.0.1:9000/v1beta "), "http://127.0.0.1:9000");
  EXPECT_EQ(normalizeTargetUrl("HTTPS://Example.com"), "https://Example.com");
  EXPECT_TRUE(validateConfigValue("target_api_url", "HTTP://127.0.0.1:9000"));
  EXPECT_TRUE(validateConfigValue("target_api_url", "HTTPS://generativelanguage.googleapis.com"));
  auto c = buildRuntimeConfig({{"target_api_url", normalizeTargetUrl("HTTPS://example.com/v1")}});
  EXPECT_TRUE(c.upstream_tls);
  EXPECT_EQ(c.upstream_host, "example.com");
}

TEST(RuntimeConfig, TargetUrlRefusesMetadataLinkLocalBadPortsCredentialsAndItself) {
  const ListenAddress self{.host = "0.0.0.0", .port = 8100};
  const char* refused[] = {
      "http://169.254.169.254",           // cloud metadata
      "http://169.254.10.1:8080",         // link-local
      "http://[fe80::1]:8080",            // link-local IPv6
      "http://[febf::1]",                 //
      "http://[fd00:ec2::254]",           // AWS metadata over IPv6
      "http://[::ffff:169.254.169.254]",  // mapped
      "http://100.100.100.200",           // Alibaba metadata
      "http://metadata.google.internal",  // GCP metadata by name
      "http://METADATA.google.internal.",
      "http://2852039166",           // 169.254.169.254 as one number
      "http://0xa9.0xfe.0xa9.0xfe",  // in hex
      "http://169.254.169.254.",     // trailing dot
      "http://example.com:0",        // ports
      "http://example.com:99999",
      "http://example.com:65536",
      "http://example.com:",
      "http://example.com:port",
      "http://user:pass@example.com",  // credentials
      "http://user@example.com",
      "https://example.com/?key=x",  // query
      "https://example.com/#x",      // fragment
      "ftp://example.com",
      "http://",
      "http://127.0.0.1:8100",  // the gateway itself, every way of saying so
      "http://localhost:8100",
      "http://0.0.0.0:8100",
      "http://[::1]:8100",
      "HTTP://127.0.0.1:8100/v1beta",
  };
  for (const char* url : refused) {
    auto st = validateConfigValue("target_api_url", normalizeTargetUrl(url), self);
    ASSERT_FALSE(st) << url;
    EXPECT_EQ(st.error().code, ErrorCode::InvalidConfig) << url;
    EXPECT_EQ(st.error().message.rfind("target_api_url ", 0), 0u) << st.error().message;
  }
  // Loopback and private relays on another port, and public hosts, stay allowed.
  for (const char* url : {"http://127.0.0.1:8101", "http://localhost:9000", "http://10.0.0.5:8100",
                          "http://192.168.1.20", "http://172.16.0.1:8443", "http://[::1]:9000",
                          "https://generativelanguage.googleapis.com", "https://example.com:8100",
                          "http://relay.internal:65535", "https://1e100.net"}) {
    EXPECT_TRUE(validateConfigValue("target_api_url", url, self)) << url;
  }
}

TEST(RuntimeConfig, OwnAddressNeedsTheSamePortAndAnEquivalentHost) {
  const ListenAddress loopback{.host = "127.0.0.1", .port = 9000};
  EXPECT_FALSE(validateTargetUrl("http://localhost:9000", loopback));
  EXPECT_FALSE(validateTargetUrl("http://127.0.0.1:9000", loopback));
  EXPECT_TRUE(validateTargetUrl("http://127.0.0.1:9001", loopback));
  EXPECT_TRUE(validateTargetUrl("http://10.0.0.5:9000", loopback)) << "not listening there";
  const ListenAddress lan{.host = "10.0.0.5", .port = 80};
  EXPECT_FALSE(validateTargetUrl("http://10.0.0.5", lan)) << "the default port counts";
  EXPECT_TRUE(validateTargetUrl("https://10.0.0.5", lan));
  EXPECT_TRUE(validateTargetUrl("http://127.0.0.1:9000", ListenAddress{})) << "unknown: unchecked";
}

TEST(RuntimeConfig, GatewayTokenRules) {
  EXPECT_TRUE(validateConfigValue("api_token", "gwtok-0123456789abcdef"));
  EXPECT_TRUE(validateConfigValue("api_token", std::string(16, 'k')));
  const std::string short_token(15, 'k');
  auto st = validateConfigValue("api_token", short_token);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::InvalidConfig);
  EXPECT_FALSE(validateConfigValue("api_token", ""));
  EXPECT_FALSE(validateConfigValue("api_token", "gwtok-...21zz-and-more"));
  EXPECT_FALSE(validateConfigValue("api_token", "a token with spaces in it"));
  EXPECT_FALSE(validateConfigValue("api_token", std::string(513, 'k')));
}

TEST(RuntimeConfig, TheMaskedFormOfASecretIsRecognisedAsAnEcho) {
  const std::string token = "gwtok-0123456789abcdef21zz";
  EXPECT_TRUE(echoesMaskedSecret("gwtok-...21zz", token));
  EXPECT_FALSE(echoesMaskedSecret(token, token));
  EXPECT_FALSE(echoesMaskedSecret("gwtok-...21zy", token));
  EXPECT_FALSE(echoesMaskedSecret("****", "")) << "no secret, nothing to keep";
  EXPECT_TRUE(isSecretConfigKey("api_token"));
  EXPECT_FALSE(isSecretConfigKey("target_api_url"));
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
