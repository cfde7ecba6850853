#include "jobs/schedule_plan.h"

#include <gtest/gtest.h>

namespace poise::jobs {
namespace {

using std::chrono::seconds;

ScheduleIntervals every(int active, int exhausted, int error) {
  ScheduleIntervals i;
  i.every = {seconds(active), seconds(exhausted), seconds(error)};
  return i;
}

TEST(ScheduleIntervals, ComeFromConfigAndZeroTurnsAScheduleOff) {
  config::RuntimeConfig cfg;
  cfg.key_validation_active_interval_seconds = 600;
  cfg.key_validation_exhausted_interval_seconds = 0;
  cfg.key_validation_error_interval_seconds = 86400;
  EXPECT_EQ(resolveIntervals(cfg), every(600, 0, 86400));
  cfg.key_validation_active_interval_seconds = -5;
  EXPECT_EQ(resolveIntervals(cfg).of(Schedule::Active), seconds(0));
}

TEST(SchedulePlan, RunsEachScheduleOnItsOwnInterval) {
  ManualClock clock;
  SchedulePlan plan(clock);
  plan.configure(every(10, 25, 0));
  EXPECT_TRUE(plan.tick().start.empty()) << "the first run is one interval after start";
  EXPECT_EQ(plan.msUntilNextDue(), 10'000);
  clock.advance(seconds(10));
  auto t = plan.tick();
  ASSERT_EQ(t.start, std::vector<Schedule>{Schedule::Active});
  plan.finished(Schedule::Active);
  clock.advance(seconds(10));
  EXPECT_EQ(plan.tick().start, std::vector<Schedule>{Schedule::Active});
  plan.finished(Schedule::Active);
  clock.advance(seconds(5));
  EXPECT_EQ(plan.tick().start, std::vector<Schedule>{Schedule::Exhausted});
  plan.finished(Schedule::Exhausted);
  // The error schedule is off: never due, whatever the time.
  clock.advance(seconds(100'000));
  for (Schedule s : plan.tick().start) EXPECT_NE(s, Schedule::Error);
}

TEST(SchedulePlan, ARunStillGoingMakesTheNextTickSkip) {
  ManualClock clock;
  SchedulePlan plan(clock);
  plan.configure(every(10, 0, 0));
  clock.advance(seconds(10));
  ASSERT_EQ(plan.tick().start.size(), 1u);
  EXPECT_TRUE(plan.running(Schedule::Active));
  clock.advance(seconds(10));
  auto t = plan.tick();
  EXPECT_TRUE(t.start.empty());
  EXPECT_EQ(t.skipped, std::vector<Schedule>{Schedule::Active});
  EXPECT_EQ(plan.skips(Schedule::Active), 1);
  // Finishing does not start a catch-up run: the next one waits for its own tick.
  plan.finished(Schedule::Active);
  EXPECT_TRUE(plan.tick().start.empty());
  clock.advance(seconds(10));
  EXPECT_EQ(plan.tick().start.size(), 1u);
}

TEST(SchedulePlan, MissedTicksAreDroppedNotQueued) {
  ManualClock clock;
  SchedulePlan plan(clock);
  plan.configure(every(10, 0, 0));
  clock.advance(seconds(35));  // 3.5 intervals late
  EXPECT_EQ(plan.tick().start.size(), 1u);
  plan.finished(Schedule::Active);
  EXPECT_TRUE(plan.tick().start.empty());
  EXPECT_EQ(plan.msUntilNextDue(), 5'000) << "fixed rate: the next run is at 40 s";
}

TEST(SchedulePlan, AChangedIntervalRestartsOnlyThatSchedule) {
  ManualClock clock;
  SchedulePlan plan(clock);
  auto restarted = plan.configure(every(600, 1800, 0));
  EXPECT_EQ(restarted, (std::vector<Schedule>{Schedule::Active, Schedule::Exhausted}));
  clock.advance(seconds(100));
  EXPECT_TRUE(plan.configure(every(600, 1800, 0)).empty()) << "same values: no restart";
  restarted = plan.configure(every(600, 1, 0));
  EXPECT_EQ(restarted, std::vector<Schedule>{Schedule::Exhausted});
  EXPECT_EQ(plan.msUntilNextDue(), 1'000) << "the new interval counts from the change";
  clock.advance(seconds(1));
  EXPECT_EQ(plan.tick().start, std::vector<Schedule>{Schedule::Exhausted});
  plan.finished(Schedule::Exhausted);
  // The active schedule kept its timing: due 600 s after the start, not after the change.
  clock.advance(seconds(499));
  EXPECT_EQ(plan.tick().start, (std::vector<Schedule>{Schedule::Active, Schedule::Exhausted}));
}

TEST(SchedulePlan, TurningAScheduleOffAndOnRestartsIt) {
  ManualClock clock;
  SchedulePlan plan(clock);
  plan.configure(every(10, 0, 0));
  plan.configure(every(0, 0, 0));
  EXPECT_FALSE(plan.msUntilNextDue().has_value()) << "every schedule off";
  clock.advance(seconds(100));
  EXPECT_TRUE(plan.tick().start.empty());
  plan.configure(every(10, 0, 0));
  EXPECT_EQ(plan.msUntilNextDue(), 10'000);
}

}  // namespace
}  // namespace poise::jobs
