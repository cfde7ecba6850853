#include "proxy/gemini_proxy.h"

#include <gtest/gtest.h>

#include "proxy/client_auth.h"

namespace poise::proxy {
namespace {

TEST(GeminiPaths, ExtractsTheModel) {
  EXPECT_EQ(modelFromPath("/v1beta/models/gemini-2.5-flash:generateContent"), "gemini-2.5-flash");
  EXPECT_EQ(modelFromPath("/v1/models/gemini-2.5-pro"), "gemini-2.5-pro");
  EXPECT_EQ(modelFromPath("/v1beta/models"), "");
  EXPECT_EQ(modelFromPath("/v1beta/tunedModels/my-model:generateContent"), "tunedModels/my-model");
  EXPECT_EQ(modelFromPath("/v1beta/files"), "");
}

TEST(GeminiPaths, DetectsStreams) {
  EXPECT_TRUE(isStreamingCall("/v1beta/models/m:streamGenerateContent", "alt=sse"));
  EXPECT_TRUE(isStreamingCall("/v1beta/models/m:streamGenerateContent", ""));
  EXPECT_FALSE(isStreamingCall("/v1beta/models/m:generateContent", ""));
}

TEST(GeminiPaths, StripsOnlyTheKeyParameter) {
  EXPECT_EQ(stripKeyParam("alt=sse&key=secret"), "alt=sse");
  EXPECT_EQ(stripKeyParam("key=secret"), "");
  EXPECT_EQ(stripKeyParam("pageSize=5&key=a&pageToken=x&key=b"), "pageSize=5&pageToken=x");
  EXPECT_EQ(stripKeyParam("monkey=1&keyring=2"), "monkey=1&keyring=2");
}

TEST(GeminiPaths, ConnectionTokensNameHopByHopHeaders) {
  EXPECT_TRUE(nominatedByConnection("keep-alive, X-Trace-Hop", "x-trace-hop"));
  EXPECT_TRUE(nominatedByConnection("close,foo", "Foo"));
  EXPECT_FALSE(nominatedByConnection("keep-alive", "x-goog-api-client"));
  EXPECT_FALSE(nominatedByConnection("", "a"));
}

TEST(ClientAuth, FindsTheTokenInAnySupportedPlace) {
  EXPECT_EQ(*presentedToken({"Bearer abc", "", "", ""}), "abc");
  EXPECT_EQ(*presentedToken({"", "goog", "", ""}), "goog");
  EXPECT_EQ(*presentedToken({"", "", "anthropic", ""}), "anthropic");
  EXPECT_EQ(*presentedToken({"", "", "", "query"}), "query");
  EXPECT_FALSE(presentedToken({"Basic abc", "", "", ""}));
  EXPECT_FALSE(presentedToken({}));
}

TEST(ClientAuth, ComparesTokens) {
  EXPECT_TRUE(tokenEquals("secret-token", "secret-token"));
  EXPECT_FALSE(tokenEquals("secret-token", "secret-tokeN"));
  EXPECT_FALSE(tokenEquals("secret", "secret-token"));
  EXPECT_FALSE(tokenEquals("", ""));
}

}  // namespace
}  // namespace poise::proxy
