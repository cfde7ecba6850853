#include "core/clock.h"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

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
  for (std::string_view bad :
       {"yesterday", "2025-13-26T05:55:55Z", "2025-11-26T05:55:55+", "2025-11-26T05:55:55+2:00",
        "2025-11-26T05:55:55+24:00", "2025-11-26T05:55:55+02:60", "2025-11-26T05:55:55+02:00Z",
        "2025-11-26T05:55:55 +02:00", "2025-11-26T05:55:55+-1", "2025-11-26T05:55:55+-100",
        "2025-11-26T-1:55:55Z", "2025-11-26T05:+5:55Z"}) {
    EXPECT_FALSE(parseIso8601(bad, t)) << bad;
  }
}

TEST(Iso8601, ConvertsAnyUtcOffsetToUtc) {
  TimePoint t;
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"2025-11-26T05:55:55Z", "2025-11-26T05:55:55.000Z"},
      {"2025-11-26T05:55:55+00:00", "2025-11-26T05:55:55.000Z"},
      {"2025-11-26T05:55:55-00:00", "2025-11-26T05:55:55.000Z"},
      {"2025-11-26T07:55:55+02:00", "2025-11-26T05:55:55.000Z"},
      {"2025-11-26T07:55:55+0200", "2025-11-26T05:55:55.000Z"},
      {"2025-11-26T07:55:55+02", "2025-11-26T05:55:55.000Z"},
      {"2025-11-26T11:25:55.250+05:30", "2025-11-26T05:55:55.250Z"},
      // Crosses midnight, a month end and a year end.
      {"2025-12-31T21:00:00-08:00", "2026-01-01T05:00:00.000Z"},
      {"2026-01-01T01:00:00+09:00", "2025-12-31T16:00:00.000Z"},
      {"2025-11-26 07:55:55+02:00", "2025-11-26T05:55:55.000Z"},
  };
  for (const auto& [in, want] : cases) {
    ASSERT_TRUE(parseIso8601(in, t)) << in;
    EXPECT_EQ(formatIso8601(t), want) << in;
  }
}

TEST(ManualClock, AdvancesExactly) {
  ManualClock c;
  const auto start = c.now();
  c.advance(Millis{1500});
  EXPECT_EQ(c.now() - start, Millis{1500});
}

}  // namespace
}  // namespace poise
