#include "keys/refresh_schedule.h"

#include <gtest/gtest.h>

namespace poise::keys {
namespace {

TEST(RefreshSchedule, SlotsComeDueInOrderOnceEach) {
  ManualClock clock;
  const TimePoint t0 = clock.now();
  RefreshSchedule s;
  s.schedule(3, t0 + Millis{30});
  s.schedule(1, t0 + Millis{10});
  s.schedule(2, t0 + Millis{20});
  EXPECT_FALSE(s.popDue(t0 + Millis{9}));
  EXPECT_EQ(s.popDue(t0 + Millis{25}), 1u);
  EXPECT_EQ(s.popDue(t0 + Millis{25}), 2u);
  EXPECT_FALSE(s.popDue(t0 + Millis{25}));
  EXPECT_FALSE(s.pending(1));
  EXPECT_EQ(s.pending(3), t0 + Millis{30});
  EXPECT_EQ(s.popDue(t0 + Millis{30}), 3u);
  EXPECT_FALSE(s.popDue(t0 + Millis{1'000}));
}

TEST(RefreshSchedule, AnEarlierPendingEventWinsAndALaterOneIsDropped) {
  ManualClock clock;
  const TimePoint t0 = clock.now();
  RefreshSchedule s;
  s.schedule(0, t0 + Millis{50});
  s.schedule(0, t0 + Millis{80});  // dropped: 50 is earlier
  EXPECT_EQ(s.pending(0), t0 + Millis{50});
  s.schedule(0, t0 + Millis{20});  // supersedes 50
  EXPECT_EQ(s.popDue(t0 + Millis{20}), 0u);
  EXPECT_FALSE(s.popDue(t0 + Millis{100}));  // 50 was superseded, 80 never queued
}

TEST(RefreshSchedule, CancelledAndClearedEventsNeverComeDue) {
  ManualClock clock;
  const TimePoint t0 = clock.now();
  RefreshSchedule s;
  s.schedule(0, t0 + Millis{10});
  s.schedule(1, t0 + Millis{10});
  s.cancel(0);
  s.cancel(7);  // never scheduled: nothing to do
  EXPECT_EQ(s.popDue(t0 + Millis{10}), 1u);
  EXPECT_FALSE(s.popDue(t0 + Millis{10}));
  // A new event after a cancel is kept, even at the cancelled instant.
  s.schedule(0, t0 + Millis{20});
  s.cancel(0);
  s.schedule(0, t0 + Millis{20});
  EXPECT_EQ(s.popDue(t0 + Millis{20}), 0u);
  EXPECT_FALSE(s.popDue(t0 + Millis{20}));
  s.schedule(2, t0 + Millis{30});
  s.clear();
  EXPECT_FALSE(s.popDue(t0 + Millis{30}));
}

}  // namespace
}  // namespace poise::keys
