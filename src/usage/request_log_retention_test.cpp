#include "usage/request_log_retention.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::usage {
namespace {

using namespace std::chrono_literals;

TEST(RequestLogRetention, AgeAndCountFromConfigAndNothingWhenBothAreOff) {
  const TimePoint now{Millis{1'800'000'000'000}};
  EXPECT_FALSE(retentionPrune(0, 0, now));
  auto both = retentionPrune(30, 5'000'000, now);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->older_than, now - std::chrono::days(30));
  EXPECT_EQ(both->max_rows, 5'000'000);
  EXPECT_EQ(both->batch, kPruneBatchRows);
  EXPECT_EQ(both->max_batches, kPruneBatchesPerRun);
  auto age = retentionPrune(7, 0, now);
  ASSERT_TRUE(age);
  EXPECT_FALSE(age->max_rows);
  auto count = retentionPrune(0, 10, now);
  ASSERT_TRUE(count);
  EXPECT_FALSE(count->older_than);
}

// On the test database (SQLite, or the server POISE_TEST_DATABASE_URL names): the config's
// prune removes the old rows and those beyond the count, and a run stops after max_batches.
TEST(RequestLogRetention, PrunesARealTableByAgeThenByCountInBoundedRuns) {
  storage::TestDatabase t;
  storage::RequestLogRepository repo(t.db());
  ManualClock clock;
  std::vector<storage::RequestLogRow> rows;
  for (int i = 0; i < 30; ++i) {
    storage::RequestLogRow r;
    r.request_id = "r" + std::to_string(i);
    r.protocol = "gemini";
    r.method = "POST";
    r.path = "/p";
    r.status = 200;
    r.key_ids = {i % 3 + 1};
    // The first 10 are 40 days old.
    r.created_at = clock.now() - (i < 10 ? std::chrono::days(40) : std::chrono::days(1));
    rows.push_back(std::move(r));
  }
  ASSERT_TRUE(repo.appendBatch(rows));
  const auto count = [&] {
    auto s = repo.query({}, std::nullopt, storage::kMaxPageSize);
    return s ? static_cast<int>(s->items.size()) : -1;
  };
  auto by_age = retentionPrune(30, 0, clock.now());
  ASSERT_TRUE(by_age);
  EXPECT_EQ(*repo.prune(*by_age), 10);
  EXPECT_EQ(count(), 20);

  auto by_count = retentionPrune(30, 5, clock.now());
  ASSERT_TRUE(by_count);
  by_count->batch = 4;
  by_count->max_batches = 2;  // 8 rows per run at most
  EXPECT_EQ(*repo.prune(*by_count), 8);
  EXPECT_EQ(*repo.prune(*by_count), 7);
  EXPECT_EQ(*repo.prune(*by_count), 0);
  auto left = repo.query({}, std::nullopt, storage::kMaxPageSize);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->items.size(), 5U);
  EXPECT_EQ(left->items.front().request_id, "r29");  // the newest are kept
  EXPECT_EQ(left->items.back().request_id, "r25");
  // Their keys went with them: the key filter finds only kept rows.
  auto key1 = repo.query({.key_id = 1}, std::nullopt, storage::kMaxPageSize);
  ASSERT_TRUE(key1);
  for (const auto& r : key1->items) EXPECT_GE(r.id, left->items.back().id);
}

}  // namespace
}  // namespace poise::usage
