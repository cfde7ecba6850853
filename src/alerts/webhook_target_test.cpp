#include "alerts/webhook_target.h"

#include <gtest/gtest.h>

namespace poise::alerts {
namespace {

TEST(WebhookTarget, ParsesHttpAndHttpsUrls) {
  auto t = parseWebhookUrl("https://hooks.example.com/services/T1?x=1&y=2", false);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->origin.tls);
  EXPECT_EQ(t->origin.host, "hooks.example.com");
  EXPECT_EQ(t->origin.port, "443");
  EXPECT_EQ(t->target, "/services/T1?x=1&y=2");
  t = parseWebhookUrl("http://hooks.example.com:8080", false);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->origin.tls);
  EXPECT_EQ(t->origin.port, "8080");
  EXPECT_EQ(t->target, "/");
}

TEST(WebhookTarget, RefusesOtherSchemesCredentialsAndFragments) {
  for (const char* url :
       {"ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "example.com/hook",
        "https://user:pass@example.com/hook", "https://user@example.com/hook",
        "https://example.com/hook#frag", "https:///nohost", "http://example.com:0/"}) {
    auto t = parseWebhookUrl(url, true);
    ASSERT_FALSE(t) << url;
    EXPECT_EQ(t.error().code, ErrorCode::ValidationError) << url;
  }
}

TEST(WebhookTarget, PrivateLiteralAddressesNeedTheSwitch) {
  for (const char* url : {"http://127.0.0.1:9000/hook", "http://10.0.0.5/", "http://[::1]:80/",
                          "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/",
                          "http://0.0.0.0/", "http://224.0.0.1/", "http://[fd00::1]/"}) {
    auto refused = parseWebhookUrl(url, false);
    ASSERT_FALSE(refused) << url;
    EXPECT_NE(refused.error().message.find("POISE_ALERTS_ALLOW_PRIVATE"), std::string::npos);
    EXPECT_TRUE(parseWebhookUrl(url, true)) << url;
  }
  // A name is judged when it is resolved, at each connection.
  EXPECT_TRUE(parseWebhookUrl("http://localhost:9000/hook", false));
}

TEST(WebhookTarget, HeadersCannotInjectOrOverrideFraming) {
  EXPECT_TRUE(checkWebhookHeaders({{"Authorization", "Bearer abc"}, {"X-Team", "ops"}}));
  EXPECT_FALSE(checkWebhookHeaders({{"X-Evil", "a\r\nHost: other"}}));
  EXPECT_FALSE(checkWebhookHeaders({{"X-Evil", "a\nb"}}));
  EXPECT_FALSE(checkWebhookHeaders({{"X-Evil", std::string("a\0b", 3)}}));
  EXPECT_FALSE(checkWebhookHeaders({{"Bad Name", "v"}}));
  EXPECT_FALSE(checkWebhookHeaders({{"X-A\r\nB", "v"}}));
  EXPECT_FALSE(checkWebhookHeaders({{"", "v"}}));
  for (const char* reserved : {"Host", "content-length", "Transfer-Encoding", "Connection"}) {
    EXPECT_FALSE(checkWebhookHeaders({{reserved, "v"}})) << reserved;
  }
  HeaderList many;
  for (int i = 0; i < 17; ++i) many.emplace_back("X-H" + std::to_string(i), "v");
  EXPECT_FALSE(checkWebhookHeaders(many));
}

TEST(WebhookTarget, HeadersFitTheirStoredSize) {
  // Each value alone is allowed (4 KiB); together, as "Name: value" lines, at most 8192 bytes.
  const HeaderList fits = {{"X-A", std::string(4096, 'a')}, {"X-B", std::string(4085, 'b')}};
  EXPECT_TRUE(checkWebhookHeaders(fits));
  const HeaderList over = {{"X-A", std::string(4096, 'a')}, {"X-B", std::string(4086, 'b')}};
  auto st = checkWebhookHeaders(over);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("8192 bytes in all"), std::string::npos);
}

TEST(WebhookTarget, SecretLookingHeadersAreMaskedInListings) {
  EXPECT_EQ(maskHeaderValue("Authorization", "Bearer s3cr3t-long-value"), "Bearer s3cr****");
  EXPECT_EQ(maskHeaderValue("X-Api-Key", "abc"), "****");
  const std::string masked = maskHeaderValue("X-Webhook-Token", "0123456789abcdef");
  EXPECT_EQ(masked.find("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(maskHeaderValue("X-Team", "ops"), "ops");
}

}  // namespace
}  // namespace poise::alerts
