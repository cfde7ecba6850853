#include "proxy/gemini_proxy.h"

#include <gtest/gtest.h>

#include <string>

#include "proxy/client_auth.h"
#include "proxy/header_filter.h"

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

TEST(GeminiPaths, ForwardsOnlyCleanPathsUnderServedVersions) {
  for (const char* ok :
       {"/v1beta/models", "/v1beta/models/", "/v1beta/models/gemini-2.5-flash:generateContent",
        "/v1/models/gemini-2.5-flash:streamGenerateContent", "/v1alpha/files/abc-123",
        "/v1beta/openai/chat/completions", "/v1beta/models/a..b:countTokens",
        "/v1beta/cachedContents/x%20y"}) {
    EXPECT_TRUE(checkNativePath(ok)) << ok;
  }
  for (const char* bad : {"/v1beta/../_fake/requests",
                          "/v1beta/%2e%2e/x",
                          "/v1beta/%2E%2e/x",
                          "/v1beta/.%2e/x",
                          "/v1beta/models/x/../../..",
                          "/v1beta/./models",
                          "/v1beta/models/.",
                          "/v1beta/models%2f..%2fx",
                          "/v1beta/models%2Fx",
                          "/v1beta/a%5cb",
                          "/v1beta/a%00b",
                          "/v1beta/a%0d%0ab",
                          "/v1beta/a%252e%252e",
                          "/v1beta/a%",
                          "/v1beta/a%2",
                          "/v1beta/a%zz",
                          "/v1beta//models",
                          "/v2/models",
                          "/v1betax/models",
                          "/_fake/requests",
                          "/"}) {
    EXPECT_FALSE(checkNativePath(bad)) << bad;
  }
}

TEST(GeminiPaths, ChecksThePathModel) {
  EXPECT_TRUE(checkPathModel(""));
  EXPECT_TRUE(checkPathModel("gemini-2.5-flash"));
  EXPECT_TRUE(checkPathModel("tunedModels/my-model-1"));
  EXPECT_FALSE(checkPathModel("gemini%0d%0aX"));
  EXPECT_FALSE(checkPathModel("tunedModels/"));
  EXPECT_FALSE(checkPathModel(std::string(129, 'a')));
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
