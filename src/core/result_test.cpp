#include "core/result.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace poise {
namespace {

TEST(ErrorCode, EveryCodeHasItsOwnSnakeCaseWireString) {
  std::set<std::string_view> seen;
  for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
    const std::string_view s = toString(static_cast<ErrorCode>(i));
    ASSERT_FALSE(s.empty()) << i;
    EXPECT_NE(s, "unknown") << "code " << i << " has no case in toString";
    EXPECT_EQ(s.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << s;
    EXPECT_TRUE(seen.insert(s).second) << "duplicate wire string " << s;
  }
}

TEST(ErrorCode, WireStringsThatClientsSeeAreStable) {
  static_assert(toString(ErrorCode::NotFound) == "not_found");
  EXPECT_EQ(toString(ErrorCode::Conflict), "conflict");
  EXPECT_EQ(toString(ErrorCode::ValidationError), "validation_error");
  EXPECT_EQ(toString(ErrorCode::WeakPassword), "weak_password");
  EXPECT_EQ(toString(ErrorCode::Csrf), "csrf");
  EXPECT_EQ(toString(ErrorCode::ContentPolicyViolation), "content_policy_violation");
  std::ostringstream os;
  os << ErrorCode::InvalidConfig;
  EXPECT_EQ(os.str(), "invalid_config");
}

Result<int> half(int n) {
  if (n % 2 != 0) return makeError(ErrorCode::InvalidArgument, "odd");
  return n / 2;
}

Result<std::string> describe(int n) {
  auto h = half(n);
  if (!h) return h.error();
  return std::to_string(*h);
}

Status check(int n) {
  if (auto h = half(n); !h) return h.error();
  return {};
}

TEST(Result, CarriesAValueOrAnError) {
  const auto ok = half(8);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 4);
  EXPECT_EQ(ok.value(), 4);

  const auto bad = describe(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(bad.error().message, "odd");

  const auto text = describe(10);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->size(), 1U);

  EXPECT_TRUE(check(2));
  EXPECT_FALSE(check(1));
}

TEST(Result, ValueOfAnErrorThrowsWithTheWireCode) {
  const auto bad = half(1);
  try {
    (void)bad.value();
    FAIL() << "value() of an error must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "invalid_argument: odd");
  }
}

}  // namespace
}  // namespace poise
