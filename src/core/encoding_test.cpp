#include "core/encoding.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace poise {
namespace {

std::vector<unsigned char> bytesOf(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(Hex, EncodesLowercaseAndDecodesEitherCase) {
  const std::vector<unsigned char> bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(toHex(bytes), "00017f80abff");
  EXPECT_EQ(toHex({}), "");
  EXPECT_EQ(fromHex("00017f80abff"), bytes);
  EXPECT_EQ(fromHex("00017F80ABFF"), bytes);
  EXPECT_EQ(fromHex(""), std::vector<unsigned char>{});
}

TEST(Hex, RejectsOddLengthsAndNonDigits) {
  for (std::string_view bad : {"0", "abc", "0g", "zz", "00 11", "0x00", "00\n", "-1"}) {
    EXPECT_FALSE(fromHex(bad)) << bad;
  }
}

TEST(Base64, MatchesRfc4648TestVectors) {
  // RFC 4648 section 10.
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(toBase64(bytesOf(plain)), encoded);
    EXPECT_EQ(fromBase64(encoded), bytesOf(plain)) << encoded;
    std::string unpadded(encoded);
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(toBase64(bytesOf(plain), Base64Alphabet::kStandard, false), unpadded);
    EXPECT_EQ(fromBase64(unpadded, Base64Alphabet::kStandard, false), bytesOf(plain));
  }
}

TEST(Base64, UrlSafeAlphabetSwapsTheTwoLastSymbols) {
  const std::vector<unsigned char> bytes = {0xfb, 0xef, 0xff, 0xfe};
  EXPECT_EQ(toBase64(bytes), "++///g==");
  EXPECT_EQ(toBase64(bytes, Base64Alphabet::kUrlSafe), "--___g==");
  EXPECT_EQ(toBase64(bytes, Base64Alphabet::kUrlSafe, false), "--___g");
  EXPECT_EQ(fromBase64("--___g", Base64Alphabet::kUrlSafe, false), bytes);
  EXPECT_FALSE(fromBase64("--___g==", Base64Alphabet::kStandard));
  EXPECT_FALSE(fromBase64("++///g==", Base64Alphabet::kUrlSafe));
}

TEST(Base64, StrictDecodingRejectsMalformedInput) {
  for (std::string_view bad : {"Zg", "Zg=", "Zg===", "Zh==", "Z", "Zm9v YmFy", "Zm9v\n", "*m9v"}) {
    EXPECT_FALSE(fromBase64(bad)) << bad;
  }
  EXPECT_FALSE(fromBase64("Zg==", Base64Alphabet::kStandard, false));
}

TEST(Base64, AnyFormAcceptsEitherAlphabetWithOrWithoutPadding) {
  const std::vector<unsigned char> bytes = {0xfb, 0xef, 0xff, 0xfe};
  for (std::string_view text : {"++///g==", "++///g", "--___g==", "--___g"}) {
    EXPECT_EQ(fromAnyBase64(text), bytes) << text;
  }
  EXPECT_FALSE(fromAnyBase64("+-///g"));  // mixed alphabets
  EXPECT_FALSE(fromAnyBase64("++///h"));  // non-zero unused bits
}

}  // namespace
}  // namespace poise
