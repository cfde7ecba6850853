#include "tokens/memory_token_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace poise::tokens {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = LimitDecision::Kind;

// 2026-12-02T10:00:00Z
const TimePoint kMorning =
    TimePoint{} + std::chrono::sys_days{std::chrono::year{2026} / 12 / 2}.time_since_epoch() +
    std::chrono::hours(10);

ClientToken limited(std::optional<std::int64_t> rpm, std::optional<std::int64_t> requests = {},
                    std::optional<std::int64_t> tokens = {}) {
  ClientToken t;
  t.id = 7;
  t.rpm_limit = rpm;
  t.daily_request_quota = requests;
  t.daily_token_quota = tokens;
  return t;
}

TEST(MemoryTokenLimiter, AdmitsRpmRequestsPerRollingMinute) {
  MemoryTokenLimiter l;
  const auto t = limited(3);
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  EXPECT_TRUE(l.admit(t, kMorning + seconds(10)).admitted());
  EXPECT_TRUE(l.admit(t, kMorning + seconds(20)).admitted());
  const auto refused = l.admit(t, kMorning + seconds(30));
  EXPECT_EQ(refused.kind, Kind::Rpm);
  EXPECT_EQ(refused.retry_after_seconds, 30);  // the first admission leaves at +60 s
  // Refusals are not counted: at +60 s exactly one slot is free.
  EXPECT_TRUE(l.admit(t, kMorning + seconds(60)).admitted());
  EXPECT_EQ(l.admit(t, kMorning + seconds(61)).kind, Kind::Rpm);
  EXPECT_EQ(l.today(7, kMorning).requests, 4);
}

TEST(MemoryTokenLimiter, RetryAfterRoundsUpToWholeSeconds) {
  MemoryTokenLimiter l;
  const auto t = limited(1);
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  EXPECT_EQ(l.admit(t, kMorning + milliseconds(59'001)).retry_after_seconds, 1);
  EXPECT_EQ(l.admit(t, kMorning + milliseconds(100)).retry_after_seconds, 60);
}

TEST(MemoryTokenLimiter, AParallelBurstAdmitsExactlyTheLimit) {
  MemoryTokenLimiter l;
  const auto t = limited(50);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) {
        if (l.admit(t, kMorning + milliseconds(j)).admitted()) ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 50);
}

TEST(MemoryTokenLimiter, DailyRequestQuotaLastsUntilUtcMidnight) {
  MemoryTokenLimiter l;
  const auto t = limited(std::nullopt, 2);
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  const auto refused = l.admit(t, kMorning + seconds(1));
  EXPECT_EQ(refused.kind, Kind::DailyRequests);
  EXPECT_EQ(refused.retry_after_seconds, 14 * 3600 - 1);
  EXPECT_TRUE(l.admit(t, kMorning + std::chrono::hours(14)).admitted());  // the next day
}

TEST(MemoryTokenLimiter, DailyTokenQuotaCountsAddedTokens) {
  MemoryTokenLimiter l;
  const auto t = limited(std::nullopt, std::nullopt, 100);
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  l.addTokens(7, 60, kMorning);
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  l.addTokens(7, 40, kMorning);
  EXPECT_EQ(l.admit(t, kMorning).kind, Kind::DailyTokens);
  EXPECT_EQ(l.today(7, kMorning).tokens, 100);
}

TEST(MemoryTokenLimiter, SeededCountsApplyOnlyToTheirDay) {
  MemoryTokenLimiter l;
  const auto t = limited(std::nullopt, 5);
  l.seedDay(7, kMorning, DayCounts{.requests = 5, .tokens = 0});
  EXPECT_EQ(l.admit(t, kMorning).kind, Kind::DailyRequests);
  l.seedDay(7, kMorning - std::chrono::hours(24), DayCounts{.requests = 5, .tokens = 0});
  EXPECT_TRUE(l.admit(t, kMorning).admitted());
  l.forget(7);
  EXPECT_EQ(l.today(7, kMorning).requests, 0);
}

TEST(MemoryTokenLimiter, TokensWithoutLimitsAreCountedButNeverRefused) {
  MemoryTokenLimiter l;
  const auto t = limited(std::nullopt);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(l.admit(t, kMorning).admitted());
  EXPECT_EQ(l.today(7, kMorning).requests, 1000);
}

}  // namespace
}  // namespace poise::tokens
