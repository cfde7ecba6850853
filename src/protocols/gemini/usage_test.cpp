#include "protocols/gemini/usage.h"

#include <gtest/gtest.h>

#include <string>

namespace poise::protocols {
namespace {

constexpr std::string_view kStream =
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}],"
    "\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":1,"
    "\"totalTokenCount\":8}}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo }\\\"{\"}]},"
    "\"finishReason\":\"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 7,"
    "\"candidatesTokenCount\": 3,\"thoughtsTokenCount\": 5,\"cachedContentTokenCount\": 2,"
    "\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":7}],"
    "\"totalTokenCount\": 15}}\r\n\r\n";

void expectFinalCounts(const GeminiUsage& u) {
  EXPECT_TRUE(u.present);
  EXPECT_EQ(u.prompt, 7);
  EXPECT_EQ(u.candidates, 3);
  EXPECT_EQ(u.thoughts, 5);
  EXPECT_EQ(u.cached, 2);
  EXPECT_EQ(u.total, 15);
}

TEST(UsageScannerTest, TheLastUsageOfAWholeAnswerCounts) {
  UsageScanner scanner;
  scanner.feed(kStream);
  expectFinalCounts(scanner.usage());
}

TEST(UsageScannerTest, PiecesSplitAnywhereGiveTheSameCounts) {
  // Every split point, including inside the key and inside the object.
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    UsageScanner scanner;
    scanner.feed(kStream.substr(0, cut));
    scanner.feed(kStream.substr(cut));
    expectFinalCounts(scanner.usage());
  }
}

TEST(UsageScannerTest, ByteByByte) {
  UsageScanner scanner;
  for (const char c : kStream) scanner.feed(std::string_view(&c, 1));
  expectFinalCounts(scanner.usage());
}

TEST(UsageScannerTest, NoUsageOrAnIncompleteOneIsAbsent) {
  UsageScanner none;
  none.feed(R"({"candidates":[]})");
  EXPECT_FALSE(none.usage().present);

  UsageScanner cut;
  cut.feed(R"({"usageMetadata":{"promptTokenCount":3,)");
  EXPECT_FALSE(cut.usage().present);
}

TEST(UsageScannerTest, TheKeyInsideATextIsNotUsage) {
  UsageScanner scanner;
  scanner.feed(R"({"text":"\"usageMetadata\" is a field","usageMetadata":{"promptTokenCount":4}})");
  const GeminiUsage u = scanner.usage();
  EXPECT_TRUE(u.present);
  EXPECT_EQ(u.prompt, 4);
}

TEST(UsageScannerTest, OnlyWholeCountsAreRead) {
  UsageScanner scanner;
  scanner.feed(R"({"usageMetadata":{"promptTokenCount":"7","candidatesTokenCount":2.5,)"
               R"("thoughtsTokenCount" : 4 ,"totalTokenCount":-3}})");
  const GeminiUsage u = scanner.usage();
  EXPECT_TRUE(u.present);
  EXPECT_EQ(u.prompt, 0);
  EXPECT_EQ(u.candidates, 0);
  EXPECT_EQ(u.thoughts, 4);
  EXPECT_EQ(u.total, 4);  // not a whole count: the sum of the others
}

TEST(UsageScannerTest, AnOversizedObjectIsDropped) {
  UsageScanner scanner;
  scanner.feed(R"({"usageMetadata":{"x":")");
  scanner.feed(std::string(20000, 'a'));
  scanner.feed(R"("}})");
  EXPECT_FALSE(scanner.usage().present);
}

}  // namespace
}  // namespace poise::protocols
