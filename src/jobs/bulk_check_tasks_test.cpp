#include "jobs/bulk_check_tasks.h"

#include <gtest/gtest.h>

#include <string_view>

namespace poise::jobs {
namespace {

// 8-4-4-4-12 lower-case hex, version 4, variant 10xx. (No std::regex: g++ 12 warns inside it
// under -O1 with sanitizers, and warnings are errors.)
bool isUuid4(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

CheckResult result(std::int64_t id) {
  return CheckResult{.key_id = id, .key_value = "AIzaSy...wxyz", .status = "valid"};
}

TEST(BulkCheckTasks, ATaskGoesFromPendingToCompletedWithProgress) {
  ManualClock clock;
  BulkCheckTasks tasks(clock);
  auto id = tasks.create({4, 5, 6});
  ASSERT_TRUE(id);
  EXPECT_TRUE(isUuid4(*id)) << *id;
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
  EXPECT_EQ(c.error().code, ErrorCode::Busy);
  tasks.fail(*a, "stopped");
  EXPECT_EQ(tasks.get(*a)->error, "stopped");
  c = tasks.create({3});
  ASSERT_TRUE(c) << "the finished task makes room";
  EXPECT_FALSE(tasks.get(*a));
  EXPECT_EQ(tasks.size(), 2u);
}

}  // namespace
}  // namespace poise::jobs
