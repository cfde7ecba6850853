#include "admin/live_overlay.h"

#include <gtest/gtest.h>

namespace poise::admin {
namespace {

storage::ApiKey row(std::int64_t id, std::int64_t usage) {
  storage::ApiKey r;
  r.id = id;
  r.status = "active";
  r.usage_count = usage;
  return r;
}

keys::PoolSettings unlimited() {
  keys::PoolSettings s;
  s.buckets.enable_token_bucket = false;
  return s;
}

// A rejected key shows `error` and its counters at once, before any flush.
TEST(LiveOverlay, RowsShowThePoolsStateBeforeTheFlush) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  pool.configure(unlimited());
  // Loaded as app.cpp loads, without the stored count: the first read teaches it.
  pool.load({keys::PoolKey{.id = 1, .value = "k1"}, keys::PoolKey{.id = 2, .value = "k2"}});
  std::vector<storage::ApiKey> rows{row(1, 40), row(2, 7), row(3, 5)};
  overlayLive(rows, pool);
  EXPECT_EQ(rows[0].usage_count, 40);

  clock.advance(Millis{1500});
  pool.recordSuccess(1);
  pool.recordRejected(2, "API_KEY_INVALID", keys::KeyPool::Rejection::Conclusive);
  std::vector<storage::ApiKey> stale{row(1, 40), row(2, 7), row(3, 5)};
  overlayLive(stale, pool);
  EXPECT_EQ(stale[0].status, "active");
  EXPECT_EQ(stale[0].usage_count, 41);
  ASSERT_TRUE(stale[0].last_used_at);
  EXPECT_EQ(*stale[0].last_used_at, clock.now());
  EXPECT_EQ(stale[1].status, "error");
  EXPECT_EQ(stale[1].failed_count, 1);
  EXPECT_EQ(stale[1].usage_count, 8);    // learnt now: 7 stored + 1 not yet flushed
  EXPECT_EQ(stale[2].status, "active");  // not in the pool: as stored
  EXPECT_EQ(stale[2].usage_count, 5);

  // After the flush the rows agree with the stored values, whichever the row shows.
  (void)pool.drainDeltas();
  std::vector<storage::ApiKey> flushed{row(1, 41), row(2, 8)};
  overlayLive(flushed, pool);
  EXPECT_EQ(flushed[0].usage_count, 41);
  EXPECT_EQ(flushed[1].usage_count, 8);
  std::vector<storage::ApiKey> lagging{row(1, 40), row(2, 7)};  // read during the flush
  overlayLive(lagging, pool);
  EXPECT_EQ(lagging[0].usage_count, 41);
  EXPECT_EQ(lagging[1].usage_count, 8);
}

// A key used and flushed before any admin read falls back to the stored count plus what is not
// yet flushed.
TEST(LiveOverlay, UnknownCountsAddTheUnflushedUses) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  pool.configure(unlimited());
  pool.load({keys::PoolKey{.id = 1, .value = "k1"}});
  pool.recordSuccess(1);
  (void)pool.drainDeltas();
  pool.recordSuccess(1);
  std::vector<storage::ApiKey> rows{row(1, 11)};
  overlayLive(rows, pool);
  EXPECT_EQ(rows[0].usage_count, 12);
}

// An admin edit that does not set the status keeps the pool's (the row it reloads may lag).
TEST(LiveOverlay, AnEditWithoutStatusKeepsTheLiveStatus) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  pool.configure(unlimited());
  pool.load({keys::PoolKey{.id = 1, .value = "k1", .usage_count = 3}});
  pool.recordRejected(1, "API_KEY_INVALID", keys::KeyPool::Rejection::Conclusive);
  pool.upsert(keys::PoolKey{.id = 1, .value = "k1", .usage_count = 3}, true);
  EXPECT_EQ(pool.get(1)->status, keys::KeyStatus::Error);
  EXPECT_EQ(pool.get(1)->failed_count, 1);
  EXPECT_EQ(pool.get(1)->usage_count, 4);
  pool.upsert(keys::PoolKey{.id = 1, .value = "k1", .status = keys::KeyStatus::Disabled});
  EXPECT_EQ(pool.get(1)->status, keys::KeyStatus::Disabled);
  EXPECT_EQ(pool.get(1)->usage_count, 4);
}

// The detail's history shows a status change before the flusher writes it, once.
TEST(LiveOverlay, HistoryShowsTheUnflushedChangeOnTop) {
  ManualClock clock;
  keys::KeyPool pool(clock, 1);
  pool.configure(unlimited());
  pool.load({keys::PoolKey{.id = 1, .value = "k1", .usage_count = 0}});
  storage::StatusChange older;
  older.from_status = "disabled";
  older.to_status = "active";
  older.reason = "changed by admin";
  std::vector<storage::ApiKey> rows{row(1, 0)};
  EXPECT_EQ(liveHistory({older}, overlayLive(rows, pool)[0]).size(), 1u);

  clock.advance(Millis{2000});
  pool.recordRejected(1, "API_KEY_INVALID", keys::KeyPool::Rejection::Conclusive);
  auto shown = liveHistory({older}, overlayLive(rows, pool)[0]);
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].from_status, "active");
  EXPECT_EQ(shown[0].to_status, "error");
  EXPECT_EQ(shown[0].reason, "API_KEY_INVALID");
  EXPECT_EQ(shown[0].created_at, clock.now());
  EXPECT_EQ(shown[1].reason, "changed by admin");
  // Once drained, the stored history holds it: not shown twice.
  (void)pool.drainDeltas();
  EXPECT_EQ(liveHistory({older}, overlayLive(rows, pool)[0]).size(), 1u);
}

}  // namespace
}  // namespace poise::admin
