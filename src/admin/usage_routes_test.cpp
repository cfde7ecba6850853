#include "admin/usage_routes.h"

#include <gtest/gtest.h>

namespace poise::admin {
namespace {
constexpr std::int64_t kM = 60;
constexpr std::int64_t kH = 3600;
constexpr std::int64_t kD = 86400;

constexpr std::int64_t kDay0 = 1'795'651'200;                                // 2026-11-26T00:00:00Z
const TimePoint kNow{std::chrono::seconds(kDay0 + 12 * kH + 30 * kM + 15)};  // 12:30:15

UsageWindow window(std::string_view from, std::string_view to, std::string_view step) {
  auto w = parseUsageWindow(from, to, step, kNow);
  if (auto* bad = std::get_if<std::string>(&w)) {
    ADD_FAILURE() << *bad;
    return {};
  }
  return std::get<UsageWindow>(w);
}

std::string refusal(std::string_view from, std::string_view to, std::string_view step) {
  auto w = parseUsageWindow(from, to, step, kNow);
  auto* bad = std::get_if<std::string>(&w);
  return bad == nullptr ? std::string() : *bad;
}

TEST(UsageWindow, DefaultsToTheLastDayInFiveMinuteSteps) {
  const UsageWindow w = window("", "", "");
  // 24 h + the current partial minute: 1441 minutes do not fit in 500 points; 5 min do.
  EXPECT_EQ(w.step, 300);
  EXPECT_EQ(w.granularity, 60);
  EXPECT_EQ(w.from, kDay0 - kD + 12 * kH + 30 * kM);
  EXPECT_EQ(w.to, kDay0 + 12 * kH + 31 * kM);
}

TEST(UsageWindow, NamedAndNumericStepsPickTheCoarsestGranularity) {
  EXPECT_EQ(window("2026-11-26T10:00:00Z", "2026-11-26T12:00:00Z", "minute").granularity, 60);
  const UsageWindow h = window("2026-11-26T10:10:00Z", "2026-11-26T12:00:00Z", "hour");
  EXPECT_EQ(h.granularity, kH);
  EXPECT_EQ(h.from, kDay0 + 10 * kH);  // floored to the hour
  EXPECT_EQ(window("2026-11-20T00:00:00Z", "2026-11-26T00:00:00Z", "day").granularity, kD);
  EXPECT_EQ(window("2026-11-26T00:00:00Z", "2026-11-26T12:00:00Z", "7200").granularity, kH);
  EXPECT_EQ(window("2026-11-26T00:00:00Z", "2026-11-26T12:00:00Z", "900").granularity, 60);
}

TEST(UsageWindow, RefusesBadValuesAndTooManyPoints) {
  EXPECT_NE(refusal("yesterday", "", ""), "");
  EXPECT_NE(refusal("", "2026-13-01T00:00:00Z", ""), "");
  EXPECT_NE(refusal("2026-11-26T12:00:00Z", "2026-11-26T11:00:00Z", ""), "");
  EXPECT_NE(refusal("2026-11-26T12:00:00Z", "2026-11-26T12:00:00Z", ""), "");
  for (std::string_view step : {"0", "59", "90", "-60", "week", "1e3", "60 "}) {
    EXPECT_NE(refusal("", "", step), "") << step;
  }
  EXPECT_NE(refusal("2020-01-01T00:00:00Z", "2026-11-26T00:00:00Z", "day"), "");  // > 731 days
  // Two days of minutes: 2880 points.
  EXPECT_NE(refusal("2026-11-24T00:00:00Z", "2026-11-26T00:00:00Z", "minute"), "");
  EXPECT_EQ(refusal("2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z", "minute"), "");
}

}  // namespace
}  // namespace poise::admin
