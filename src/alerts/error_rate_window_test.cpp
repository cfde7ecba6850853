#include "alerts/error_rate_window.h"

#include <gtest/gtest.h>

namespace poise::alerts {
namespace {

TEST(ErrorRateWindow, CountsTheLastFiveMinutes) {
  ErrorRateWindow w;
  const std::int64_t t0 = 1'800'000'000;
  w.add(t0, false);
  w.add(t0, true);
  w.add(t0 + 10, true);
  auto at = w.totals(t0 + 10);
  EXPECT_EQ(at.requests, 3);
  EXPECT_EQ(at.errors, 2);
  // t0 leaves the window 300 s later; t0 + 10 stays.
  at = w.totals(t0 + 300);
  EXPECT_EQ(at.requests, 1);
  EXPECT_EQ(at.errors, 1);
  EXPECT_EQ(w.totals(t0 + 310).requests, 0);
}

TEST(ErrorRateWindow, AReusedBucketStartsAfresh) {
  ErrorRateWindow w;
  const std::int64_t t0 = 1'800'000'000;
  for (int i = 0; i < 5; ++i) w.add(t0, true);
  w.add(t0 + ErrorRateWindow::kSeconds, false);  // same slot, next lap
  const auto at = w.totals(t0 + ErrorRateWindow::kSeconds);
  EXPECT_EQ(at.requests, 1);
  EXPECT_EQ(at.errors, 0);
}

}  // namespace
}  // namespace poise::alerts
