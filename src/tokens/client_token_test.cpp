#include "tokens/client_token.h"

#include <gtest/gtest.h>

namespace poise::tokens {
namespace {

using boost::asio::ip::make_address;

TEST(GlobMatch, MatchesWholeNamesWithStarsAndQuestionMarks) {
  EXPECT_TRUE(globMatch("gemini-2.5-*", "gemini-2.5-flash"));
  EXPECT_TRUE(globMatch("gemini-2.5-*", "gemini-2.5-"));
  EXPECT_FALSE(globMatch("gemini-2.5-*", "gemini-2.0-flash"));
  EXPECT_FALSE(globMatch("gemini-2.5", "gemini-2.5-flash"));  // whole name, not a prefix
  EXPECT_TRUE(globMatch("*flash*", "gemini-2.5-flash-lite"));
  EXPECT_TRUE(globMatch("gemini-?.5-pro", "gemini-2.5-pro"));
  EXPECT_FALSE(globMatch("gemini-?.5-pro", "gemini-22.5-pro"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_FALSE(globMatch("", "x"));
  EXPECT_TRUE(globMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(globMatch("a*b*c", "aXXbYY"));
}

TEST(GlobMatch, StaysFastOnPathologicalPatterns) {
  const std::string text(5000, 'a');
  const std::string pattern = "*a*a*a*a*a*a*a*a*a*a*b";
  EXPECT_FALSE(globMatch(pattern, text));
}

TEST(ValidModelPattern, TakesModelCharactersAndWildcardsOnly) {
  EXPECT_TRUE(validModelPattern("gemini-2.5-*"));
  EXPECT_TRUE(validModelPattern("models/gemini-?"));
  EXPECT_FALSE(validModelPattern(""));
  EXPECT_FALSE(validModelPattern("gemini 2.5"));
  EXPECT_FALSE(validModelPattern("gemini\n"));
  EXPECT_FALSE(validModelPattern(std::string(129, 'a')));
}

TEST(ClientToken, AllowsModelsByPatternWithOrWithoutThePrefix) {
  ClientToken t;
  EXPECT_TRUE(allowsModel(t, "anything"));  // no patterns: every model
  t.allowed_models = {"gemini-2.5-*", "text-embedding-004"};
  EXPECT_TRUE(allowsModel(t, "gemini-2.5-flash"));
  EXPECT_TRUE(allowsModel(t, "models/gemini-2.5-pro"));
  EXPECT_TRUE(allowsModel(t, "text-embedding-004"));
  EXPECT_FALSE(allowsModel(t, "gemini-2.0-flash"));
}

TEST(ClientToken, ChecksEnabledExpiryProtocolAndAddressInOrder) {
  const TimePoint now = TimePoint{} + std::chrono::hours(1000);
  ClientToken t;
  const auto local = std::optional(make_address("10.1.2.3"));
  EXPECT_EQ(checkAccess(t, ClientProtocol::OpenAI, local, now), Denial::None);

  t.allowed_protocols = static_cast<unsigned>(ClientProtocol::Native);
  EXPECT_EQ(checkAccess(t, ClientProtocol::OpenAI, local, now), Denial::Protocol);
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, local, now), Denial::None);

  t.allowed_addresses = *net::AddressRanges::parse("192.168.0.0/16");
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, local, now), Denial::Address);
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, std::nullopt, now), Denial::Address);
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, make_address("192.168.4.5"), now), Denial::None);
  // An IPv4 client seen through a dual-stack listener.
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, make_address("::ffff:192.168.4.5"), now),
            Denial::None);

  t.expires_at = now;
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, make_address("192.168.4.5"), now),
            Denial::Expired);
  t.enabled = false;
  EXPECT_EQ(checkAccess(t, ClientProtocol::Native, make_address("192.168.4.5"), now),
            Denial::Disabled);
}

TEST(ClientToken, ProtocolNamesRoundTrip) {
  for (const auto p : {ClientProtocol::Native, ClientProtocol::OpenAI, ClientProtocol::Anthropic}) {
    EXPECT_EQ(protocolFromString(toString(p)), p);
  }
  EXPECT_FALSE(protocolFromString("gemini"));
}

}  // namespace
}  // namespace poise::tokens
