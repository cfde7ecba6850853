#include "http/static_assets.h"

#include <gtest/gtest.h>

namespace poise::http {
namespace {

TEST(StaticAssets, FindsByPath) {
  static const StaticAsset kAssets[] = {
      {.path = "/docs/a.js", .content_type = "text/javascript", .bytes = "x"},
      {.path = "/docs/b.css", .content_type = "text/css", .bytes = "y"},
  };
  const StaticAssets table(kAssets);
  EXPECT_EQ(table.size(), 2u);
  ASSERT_NE(table.find("/docs/b.css"), nullptr);
  EXPECT_EQ(table.find("/docs/b.css")->bytes, "y");
  EXPECT_EQ(table.find("/docs/c.css"), nullptr);
  EXPECT_EQ(table.find("/docs/"), nullptr);
}

TEST(StaticAssets, StrongEtagIsQuotedSha256Prefix) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a3…
  EXPECT_EQ(strongEtag("abc"), "\"ba7816bf8f01cfea414140de5dae2223\"");
}

TEST(StaticAssets, AcceptsGzip) {
  EXPECT_TRUE(acceptsGzip("gzip"));
  EXPECT_TRUE(acceptsGzip("deflate, gzip;q=0.5, br"));
  EXPECT_TRUE(acceptsGzip("GZIP"));
  EXPECT_TRUE(acceptsGzip("*"));
  EXPECT_FALSE(acceptsGzip(""));
  EXPECT_FALSE(acceptsGzip("br, deflate"));
  EXPECT_FALSE(acceptsGzip("gzip;q=0"));
  EXPECT_FALSE(acceptsGzip("gzip; q=0.000"));
  EXPECT_TRUE(acceptsGzip("gzip;q=0.001"));
}

}  // namespace
}  // namespace poise::http
