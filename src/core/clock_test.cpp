#include "core/clock.h"

#include <gtest/gtest.h>

namespace poise {
namespace {

TEST(Iso8601, RoundTrips) {
  const TimePoint t{Millis{1'764'136'555'123}};
  const std::string s = formatIso8601(t);
  EXPECT_EQ(s, "2025-11-26T05:55:55.123Z");
  TimePoint back;
  ASSERT_TRUE(parseIso8601(s, back));
  EXPECT_EQ(back, t);
}

TEST(Iso8601, AcceptsSqlFormAndRejectsGarbage) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2025-11-26 05:55:55", t));
  EXPECT_EQ(formatIso8601(t), "2025-11-26T05:55:55.000Z");
  EXPECT_FALSE(parseIso8601("yesterday", t));
  EXPECT_FALSE(parseIso8601("2025-13-26T05:55:55Z", t));
  EXPECT_FALSE(parseIso8601("2025-11-26T05:55:55+02:00", t));
}

TEST(ManualClock, AdvancesExactly) {
  ManualClock c;
  const auto start = c.now();
  c.advance(Millis{1500});
  EXPECT_EQ(c.now() - start, Millis{1500});
}

}  // namespace
}  // namespace poise
