#include "jobs/bulk_check_tasks.h"

#include <gtest/gtest.h>

#include <regex>

namespace poise::jobs {
namespace {

CheckResult result(std::int64_t id) {
  return CheckResult{.key_id = id, .key_value = "AIzaSy...wxyz", .status = "valid"};
}

TEST(BulkCheckTasks, ATaskGoesFromPendingToCompletedWithProgress) {
  ManualClock clock;
  BulkCheckTasks tasks(clock);
  auto id = tasks.create({4, 5, 6});
  ASSERT_TRUE(id);
  EXPECT_TRUE(std::regex_match(
      *id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << *id;
  auto t = tasks.get(*id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, BulkTask::Status::Pending);
  EXPECT_EQ(t->totalKeys(), 3);
  EXPECT_EQ(t->progress(), 0.0);
  EXPECT_FALSE(t->started_at);

  clock.advance(Millis(5));
  tasks.start(*id);
  tasks.addResult(*id, result(4));
  t = tasks.get(*id);
  EXPECT_EQ(t->status, BulkTask::Status::Running);
  EXPECT_EQ(t->started_at, clock.now());
  EXPECT_EQ(t->completed_keys, 1);
  EXPECT_DOUBLE_EQ(t->progress(), 33.33);
  tasks.addResult(*id, result(5));
  EXPECT_DOUBLE_EQ(tasks.get(*id)->progress(), 66.67);
  tasks.addResult(*id, result(6));
  tasks.complete(*id);
  t = tasks.get(*id);
  EXPECT_EQ(t->status, BulkTask::Status::Completed);
  EXPECT_EQ(t->progress(), 100.0);
  EXPECT_EQ(t->results.size(), 3u);
  EXPECT_TRUE(t->finished_at);
}

TEST(BulkCheckTasks, FinishedTasksExpire) {
  ManualClock clock;
  BulkCheckTasks tasks(clock, {.max_tasks = 8, .finished_ttl = std::chrono::minutes(10)});
  auto done = tasks.create({1});
  auto running = tasks.create({2});
  tasks.start(*done);
  tasks.complete(*done);
  tasks.start(*running);
  clock.advance(std::chrono::minutes(10) - Millis(1));
  EXPECT_TRUE(tasks.get(*done));
  clock.advance(Millis(1));
  EXPECT_FALSE(tasks.get(*done));
  EXPECT_TRUE(tasks.get(*running)) << "a running task never expires";
  EXPECT_FALSE(tasks.get("not-a-task"));
}

TEST(BulkCheckTasks, HoldsABoundedNumberOfTasks) {
  ManualClock clock;
  BulkCheckTasks tasks(clock, {.max_tasks = 2});
  auto a = tasks.create({1});
  auto b = tasks.create({2});
  ASSERT_TRUE(a && b);
  auto c = tasks.create({3});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "busy");
  tasks.fail(*a, "stopped");
  EXPECT_EQ(tasks.get(*a)->error, "stopped");
  c = tasks.create({3});
  ASSERT_TRUE(c) << "the finished task makes room";
  EXPECT_FALSE(tasks.get(*a));
  EXPECT_EQ(tasks.size(), 2u);
}

}  // namespace
}  // namespace poise::jobs
