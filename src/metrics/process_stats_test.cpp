#include "metrics/process_stats.h"

#include <gtest/gtest.h>

namespace poise::metrics {
namespace {

TEST(ProcessStats, ParsesProcStatWithACommandHoldingSpacesAndParens) {
  const std::string line =
      "4242 (poise (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 25 0 0 20 0 5 0 98765 "
      "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  const auto stat = parseProcStat(line);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 150u);
  EXPECT_EQ(stat->stime_ticks, 25u);
  EXPECT_EQ(stat->start_ticks, 98765u);
  EXPECT_EQ(stat->vsize_bytes, 123456789u);
  EXPECT_EQ(stat->rss_pages, 2048);
  EXPECT_FALSE(parseProcStat("4242 (poise) S 1 2 3").has_value());
  EXPECT_FALSE(parseProcStat("no parenthesis").has_value());
}

TEST(ProcessStats, ParsesTheBootTime) {
  EXPECT_EQ(parseBootTime("cpu  1 2 3\nintr 5\nbtime 1764633600\nprocesses 9\n"), 1764633600u);
  EXPECT_FALSE(parseBootTime("cpu 1\n").has_value());
}

TEST(ProcessStats, ReadsThisProcess) {
  const ProcessStats s = readProcessStats();
  EXPECT_GT(s.resident_bytes, 0);
  EXPECT_GE(s.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(s.start_time_seconds, 1.6e9);
  EXPECT_GT(s.max_fds, 0);
}

}  // namespace
}  // namespace poise::metrics
