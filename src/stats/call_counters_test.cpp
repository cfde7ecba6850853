#include "stats/call_counters.h"

#include <gtest/gtest.h>

#include <thread>

namespace poise::stats {
namespace {

using namespace std::chrono_literals;

TimePoint at(std::string_view iso) {
  TimePoint t;
  EXPECT_TRUE(parseIso8601(iso, t)) << iso;
  return t;
}

TEST(CallCounters, LastMinuteMeansTheLastSixtySecondsNotTheCurrentMinuteBucket) {
  ManualClock clock(at("2026-11-26T10:00:30.000Z"));
  CallCounters c;
  c.record(1, false, clock.now());  // 10:00:30
  clock.advance(20s);
  c.record(1, true, clock.now());  // 10:00:50
  clock.advance(20s);              // 10:01:10, a new minute
  c.record(2, false, clock.now());

  // The seed counted only the current minute's bucket (1 here); the last 60 s hold all three.
  EXPECT_EQ(c.callsLast(60s, clock.now()), (CallCount{3, 1}));
  clock.set(at("2026-11-26T10:01:29.999Z"));
  EXPECT_EQ(c.callsLast(60s, clock.now()).calls, 3);  // 10:00:30 is 59.999 s ago
  clock.set(at("2026-11-26T10:01:30.000Z"));
  EXPECT_EQ(c.callsLast(60s, clock.now()).calls, 2);  // 10:00:30 is now 60 s ago: out
  clock.set(at("2026-11-26T10:02:10.000Z"));
  EXPECT_EQ(c.callsLast(60s, clock.now()).calls, 0);
  EXPECT_EQ(c.callsLast(1h, clock.now()), (CallCount{3, 1}));
}

TEST(CallCounters, HourAndDayCountWholeMinutesAndForgetOlderOnes) {
  ManualClock clock(at("2026-11-26T00:00:00.000Z"));
  CallCounters c;
  for (int i = 0; i < 5; ++i) c.record(7, i == 0, clock.now());  // 00:00
  clock.set(at("2026-11-26T00:59:59.000Z"));
  c.record(7, false, clock.now());
  EXPECT_EQ(c.callsLast(1h, clock.now()), (CallCount{6, 1}));
  clock.set(at("2026-11-26T01:00:00.000Z"));  // minute 00:00 has left the last hour
  EXPECT_EQ(c.callsLast(1h, clock.now()), (CallCount{1, 0}));
  EXPECT_EQ(c.callsLast(24h, clock.now()), (CallCount{6, 1}));
  clock.set(at("2026-11-26T23:59:59.000Z"));
  EXPECT_EQ(c.callsLast(24h, clock.now()).calls, 6);
  clock.set(at("2026-11-27T00:00:00.000Z"));
  EXPECT_EQ(c.callsLast(24h, clock.now()).calls, 1);
  clock.set(at("2026-11-27T01:00:00.000Z"));
  EXPECT_EQ(c.callsLast(24h, clock.now()).calls, 0);
}

TEST(CallCounters, MinuteRingWrapsAfterADayWithoutMixingOldCounts) {
  ManualClock clock(at("2026-11-26T12:00:00.000Z"));
  CallCounters c;
  c.record(1, false, clock.now());
  clock.advance(24h);  // the same slot of the ring, one day later
  c.record(1, false, clock.now());
  c.record(1, true, clock.now());
  EXPECT_EQ(c.callsLast(60s, clock.now()), (CallCount{2, 1}));
  EXPECT_EQ(c.callsLast(24h, clock.now()), (CallCount{2, 1}));
  // A late attempt from before the ring's reach does not overwrite the newer slot.
  c.record(1, false, clock.now() - 24h);
  EXPECT_EQ(c.callsLast(24h, clock.now()), (CallCount{2, 1}));
  // After 30 idle days nothing is left in the rings.
  clock.advance(24h * 30);
  EXPECT_EQ(c.callsLast(24h, clock.now()), (CallCount{}));
  EXPECT_EQ(c.callsLast(60s, clock.now()), (CallCount{}));
}

TEST(CallCounters, MonthlyUsageRollsOverAtTheUtcMonthBoundary) {
  ManualClock clock(at("2026-11-30T23:59:59.999Z"));
  CallCounters c;
  c.record(1, false, clock.now());
  c.record(1, true, clock.now());
  EXPECT_EQ(c.monthlyUsage(clock.now()), 2);
  clock.advance(1ms);  // 2026-12-01T00:00:00.000Z
  EXPECT_EQ(c.monthlyUsage(clock.now()), 0);
  EXPECT_EQ(c.callsLast(60s, clock.now()).calls, 2);  // the windows do not care
  c.record(1, false, clock.now());
  EXPECT_EQ(c.monthlyUsage(clock.now()), 1);
  clock.set(at("2027-01-01T00:00:00.000Z"));  // and the year
  EXPECT_EQ(c.monthlyUsage(clock.now()), 0);
  c.record(1, false, clock.now());
  EXPECT_EQ(c.monthlyUsage(clock.now()), 1);
}

TEST(CallCounters, KeysHaveTheirOwnTwentyFourHourSlots) {
  ManualClock clock(at("2026-11-26T10:15:00.000Z"));
  CallCounters c;
  c.record(1, false, clock.now());
  c.record(1, true, clock.now());
  c.record(2, false, clock.now());
  clock.set(at("2026-11-27T09:59:59.000Z"));
  EXPECT_EQ(c.keyLast24h(1, clock.now()), (CallCount{2, 1}));
  EXPECT_EQ(c.keyLast24h(2, clock.now()), (CallCount{1, 0}));
  EXPECT_EQ(c.keyLast24h(3, clock.now()), (CallCount{}));
  clock.set(at("2026-11-27T10:00:00.000Z"));  // the 10:00 hour of yesterday is out
  EXPECT_EQ(c.keyLast24h(1, clock.now()), (CallCount{}));
  c.record(1, true, clock.now());
  EXPECT_EQ(c.keyLast24h(1, clock.now()), (CallCount{1, 1}));
}

TEST(CallCounters, DrainsPerHourIncrementsOnceAndRequeuesFailedWrites) {
  ManualClock clock(at("2026-11-26T10:59:59.000Z"));
  CallCounters c;
  c.record(1, false, clock.now());
  c.record(1, true, clock.now());
  clock.advance(1s);
  c.record(2, false, clock.now());
  auto drained = c.drainHourly();
  ASSERT_EQ(drained.size(), 2u);
  EXPECT_EQ(drained[0], (HourlyCallCount{at("2026-11-26T10:00:00.000Z"), {2, 1}}));
  EXPECT_EQ(drained[1], (HourlyCallCount{at("2026-11-26T11:00:00.000Z"), {1, 0}}));
  EXPECT_TRUE(c.drainHourly().empty());

  c.record(2, true, clock.now());
  c.requeue(drained);
  auto again = c.drainHourly();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].count, (CallCount{2, 1}));
  EXPECT_EQ(again[1].count, (CallCount{2, 1}));
}

TEST(CallCounters, SeedRestoresMonthAndDayTotalsAfterARestart) {
  const TimePoint now = at("2026-11-02T10:30:00.000Z");
  std::vector<HourlyCallCount> rows = {
      {at("2026-10-31T23:00:00.000Z"), {1000, 0}},  // last month: not in the month
      {at("2026-11-01T09:00:00.000Z"), {50, 5}},    // 25.5 h ago: month only
      {at("2026-11-01T10:00:00.000Z"), {60, 6}},    // the hour that straddles now − 24 h
      {at("2026-11-02T09:00:00.000Z"), {120, 12}},  // fully within the last 24 h
      {at("2026-11-02T10:00:00.000Z"), {31, 3}},    // the current hour, 10:00..10:30
  };
  CallCounters c;
  c.seed(rows, now);
  EXPECT_EQ(c.monthlyUsage(now), 50 + 60 + 120 + 31);
  // 10:31..10:59 of the straddling hour (29 of its 60 minutes, one call each) plus the rest.
  EXPECT_EQ(c.callsLast(24h, now).calls, 29 + 120 + 31);
  // The last hour: 10:00..10:30 of today (31 calls) and 09:31..09:59 (29 minutes × 2 calls).
  EXPECT_EQ(c.callsLast(1h, now).calls, 31 + 29 * 2);
  EXPECT_EQ(c.callsLast(60s, now).calls, 0);
  EXPECT_TRUE(c.drainHourly().empty());  // seeded rows are already stored

  c.record(1, false, now);
  EXPECT_EQ(c.monthlyUsage(now), 262);
}

TEST(CallCounters, ConcurrentRecordsAreAllCounted) {
  CallCounters c;
  const TimePoint now = at("2026-11-26T10:00:00.000Z");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c, now, t] {
      for (int i = 0; i < 10000; ++i) c.record(t, i % 10 == 0, now);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.callsLast(60s, now), (CallCount{40000, 4000}));
  EXPECT_EQ(c.monthlyUsage(now), 40000);
  EXPECT_EQ(c.keyLast24h(3, now), (CallCount{10000, 1000}));
}

TEST(CallCounters, KeyMinutesAreByKeyThenMinuteAndKeepTwentyFourHours) {
  CallCounters c;
  const TimePoint t0 = at("2026-11-26T10:00:10.000Z");
  c.record(2, false, t0);
  c.record(1, true, t0 + 20s);
  c.record(1, false, t0 + 40s);  // 10:00:50, same minute
  c.record(1, false, t0 + 70s);  // 10:01:20
  auto rows = c.keyMinutes(t0 - 1h, t0 + 2min);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].key_id, 1);
  EXPECT_EQ(rows[0].minute, at("2026-11-26T10:00:00.000Z"));
  EXPECT_EQ(rows[0].count, (CallCount{2, 1}));
  EXPECT_EQ(rows[1].minute, at("2026-11-26T10:01:00.000Z"));
  EXPECT_EQ(rows[2].key_id, 2);
  // The window is whole minutes from the minute of `since`.
  EXPECT_EQ(c.keyMinutes(t0 + 60s, t0 + 2min).size(), 1u);
  // A day later the old minutes are gone; nothing was dropped by the cap.
  c.record(3, false, t0 + 24h + 2min);
  rows = c.keyMinutes(t0 - 1h, t0 + 25h);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key_id, 3);
  EXPECT_FALSE(c.keyMinutesCompleteSince());
}

TEST(CallCounters, KeyMinutesDropTheOldestMinutesPastTheCap) {
  CallCounters c;
  const TimePoint t0 = at("2026-11-26T10:00:00.000Z");
  // Two minutes full of distinct keys, then one more cell.
  const auto half = static_cast<std::int64_t>(CallCounters::kMaxKeyMinuteCells / 2);
  for (std::int64_t k = 0; k < half; ++k) c.record(k, false, t0);
  for (std::int64_t k = 0; k < half; ++k) c.record(k, false, t0 + 1min);
  c.record(0, false, t0 + 2min);
  EXPECT_EQ(c.keyMinutesCompleteSince(), t0 + 1min);
  const auto rows = c.keyMinutes(t0, t0 + 2min);
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(half) + 1);
}

}  // namespace
}  // namespace poise::stats
