#include "stats/snapshot_job.h"

#include <gtest/gtest.h>

#include <thread>

#include "storage/test_database.h"

namespace poise::stats {
namespace {

using namespace std::chrono_literals;

keys::PoolKey poolKey(std::int64_t id, keys::KeyStatus status) {
  keys::PoolKey k;
  k.id = id;
  k.value = "AIzaSyTestValue" + std::to_string(id);
  k.status = status;
  return k;
}

class SnapshotJobTest : public ::testing::Test {
 protected:
  SnapshotJobTest() {
    std::vector<keys::PoolKey> keys;
    keys.push_back(poolKey(1, keys::KeyStatus::Active));
    keys.push_back(poolKey(2, keys::KeyStatus::Active));
    keys.push_back(poolKey(3, keys::KeyStatus::Exhausted));
    keys.push_back(poolKey(4, keys::KeyStatus::Disabled));
    pool_.load(std::move(keys));
  }
  storage::Rows snapshots() {
    auto r = t_.db().query(
        "SELECT \"timestamp\", active_keys, exhausted_keys, error_keys, disabled_keys, total_keys "
        "FROM key_survival_statistics ORDER BY id");
    EXPECT_TRUE(r);
    return r ? *r : storage::Rows{};
  }

  storage::TestDatabase t_;
  storage::StatisticsRepository repo_{t_.db()};
  ManualClock clock_;
  keys::KeyPool pool_{clock_};
  config::RuntimeConfigStore config_;
  CallCounters counters_;
  BlockingPool blocking_{2};
  SnapshotJob job_{SnapshotJobDeps{blocking_, repo_, pool_, config_, counters_, clock_}};
};

TEST_F(SnapshotJobTest, SnapshotsFollowTheConfiguredIntervalReReadEachTick) {
  job_.tick();  // the first tick snapshots at once
  auto rows = snapshots();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].time(0), clock_.now());
  EXPECT_EQ(rows[0].int64(1), 2);
  EXPECT_EQ(rows[0].int64(2), 1);
  EXPECT_EQ(rows[0].int64(3), 0);
  EXPECT_EQ(rows[0].int64(4), 1);
  EXPECT_EQ(rows[0].int64(5), 4);

  clock_.advance(59s);
  job_.tick();
  EXPECT_EQ(snapshots().size(), 1u);  // default interval 60 s
  clock_.advance(1s);
  job_.tick();
  EXPECT_EQ(snapshots().size(), 2u);

  config_.publish({{"key_survival_snapshot_interval_seconds", "1"}});
  clock_.advance(1s);
  job_.tick();
  clock_.advance(1s);
  job_.tick();
  EXPECT_EQ(snapshots().size(), 4u);
}

TEST_F(SnapshotJobTest, FlushesCallCountsAndSeedsThemBackAfterARestart) {
  TimePoint now;
  ASSERT_TRUE(parseIso8601("2026-11-26T10:20:00.000Z", now));
  clock_.set(now);
  counters_.record(1, false, now);
  counters_.record(2, true, now);
  job_.tick();
  counters_.record(1, false, now);
  clock_.advance(1s);
  job_.tick();  // within 5 s of the last flush: not yet written
  auto stored = repo_.loadCallCounts(TimePoint{});
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().calls, 2);
  clock_.advance(4s);
  job_.tick();
  stored = repo_.loadCallCounts(TimePoint{});
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().calls, 3);
  EXPECT_EQ(stored->front().failures, 1);

  // A new process: fresh counters seeded from the table.
  CallCounters restarted;
  SnapshotJob job2{SnapshotJobDeps{blocking_, repo_, pool_, config_, restarted, clock_}};
  ASSERT_TRUE(job2.seedCounters());
  EXPECT_EQ(restarted.monthlyUsage(clock_.now()), 3);
  EXPECT_EQ(restarted.callsLast(24h, clock_.now()), (CallCount{3, 1}));
}

TEST_F(SnapshotJobTest, StartAndStopRunTheLoopOnThePoolAndFlushAtTheEnd) {
  config_.publish({{"key_survival_snapshot_interval_seconds", "1"}});
  job_.start();
  for (int i = 0; i < 200 && snapshots().empty(); ++i) std::this_thread::sleep_for(10ms);
  counters_.record(1, false, clock_.now());
  job_.stop();
  EXPECT_FALSE(snapshots().empty());
  auto stored = repo_.loadCallCounts(TimePoint{});
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);  // the final flush wrote what the loop had not
  EXPECT_EQ(stored->front().calls, 1);
  job_.stop();  // twice is fine
}

}  // namespace
}  // namespace poise::stats
