#include "http/error_envelope.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace poise::http {
namespace {

namespace json = boost::json;

TEST(ErrorEnvelope, EachProtocolHasItsShape) {
  auto g = json::parse(errorResponse(Protocol::Gemini, 401, "bad token").body());
  EXPECT_EQ(g.at("error").at("code").as_int64(), 401);
  EXPECT_EQ(g.at("error").at("status").as_string(), "UNAUTHENTICATED");
  auto o = json::parse(errorResponse(Protocol::OpenAI, 429, "slow down").body());
  EXPECT_EQ(o.at("error").at("type").as_string(), "rate_limit_error");
  EXPECT_TRUE(o.at("error").at("param").is_null());
  auto a = json::parse(errorResponse(Protocol::Anthropic, 400, "bad").body());
  EXPECT_EQ(a.at("type").as_string(), "error");
  EXPECT_EQ(a.at("error").at("type").as_string(), "invalid_request_error");
  auto d = json::parse(errorResponse(Protocol::Admin, 409, "dup", "duplicate_key").body());
  EXPECT_EQ(d.at("detail").as_string(), "dup");
  EXPECT_EQ(d.at("code").as_string(), "duplicate_key");
}

TEST(ErrorEnvelope, TimeoutsAndAdminHeaders) {
  auto g = json::parse(errorResponse(Protocol::Gemini, 408, "too slow").body());
  EXPECT_EQ(g.at("error").at("status").as_string(), "DEADLINE_EXCEEDED");
  auto d = errorResponse(Protocol::Admin, 408, "too slow");
  EXPECT_EQ(json::parse(d.body()).at("code").as_string(), "request_timeout");
  // Every admin answer is uncacheable and unsniffable, whoever builds it.
  EXPECT_EQ(d[boost::beast::http::field::cache_control], "no-store");
  EXPECT_EQ(d["X-Content-Type-Options"], "nosniff");
  auto o = errorResponse(Protocol::OpenAI, 408, "too slow");
  EXPECT_EQ(o[boost::beast::http::field::cache_control], "");
}

TEST(ErrorEnvelope, ProtocolFollowsThePath) {
  EXPECT_EQ(protocolForTarget("/v1beta/models/x:generateContent?alt=sse"), Protocol::Gemini);
  EXPECT_EQ(protocolForTarget("/v1/models/gemini-2.5-flash:countTokens"), Protocol::Gemini);
  EXPECT_EQ(protocolForTarget("/v1/chat/completions"), Protocol::OpenAI);
  EXPECT_EQ(protocolForTarget("/claude/v1/messages"), Protocol::Anthropic);
  EXPECT_EQ(protocolForTarget("/v1/messages"), Protocol::Anthropic);
  EXPECT_EQ(protocolForTarget("/v1/messages/count_tokens"), Protocol::Anthropic);
  EXPECT_EQ(protocolForTarget("/claude/v1/messages/count_tokens"), Protocol::Anthropic);
  EXPECT_EQ(protocolForTarget("/api/v1/login"), Protocol::Admin);
  EXPECT_EQ(protocolForTarget("//ws/google.ai.generativelanguage.v1beta.GenerativeService."
                              "BidiGenerateContent?key=x"),
            Protocol::Gemini);
}

}  // namespace
}  // namespace poise::http
