#include "keys/key_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace poise::keys {
namespace {

std::vector<PoolKey> keysOf(int n) {
  std::vector<PoolKey> v;
  for (int i = 1; i <= n; ++i) v.push_back(PoolKey{i, "key-" + std::to_string(i)});
  return v;
}

TEST(KeyPool, PicksOnlyActiveKeys) {
  ManualClock clock;
  KeyPool pool(clock, 42);
  auto keys = keysOf(3);
  keys[0].status = KeyStatus::Disabled;
  keys[1].status = KeyStatus::Error;
  pool.load(keys);
  for (int i = 0; i < 50; ++i) {
    auto p = pool.pick("gemini-2.5-flash", {});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->id, 3);
    EXPECT_EQ(p->value, "key-3");
  }
}

TEST(KeyPool, ExcludesKeysAlreadyTried) {
  ManualClock clock;
  KeyPool pool(clock, 7);
  pool.load(keysOf(3));
  std::vector<std::int64_t> tried = {1, 2};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pool.pick("m", tried)->id, 3);
  tried.push_back(3);
  EXPECT_FALSE(pool.pick("m", tried));
}

TEST(KeyPool, CooldownIsPerModelAndEnds) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(keysOf(2));
  pool.recordCooldown(1, "models/gemini-2.5-flash", clock.now() + Millis{17'000}, "429");
  for (int i = 0; i < 30; ++i) EXPECT_EQ(pool.pick("gemini-2.5-flash", {})->id, 2);
  // Another model still gets key 1 sometimes.
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < 200; ++i) seen[pool.pick("gemini-2.5-pro", {})->id]++;
  EXPECT_GT(seen[1], 0);
  EXPECT_GT(seen[2], 0);
  ASSERT_EQ(pool.cooldowns(1).size(), 1u);
  EXPECT_EQ(pool.cooldowns(1)[0].model, "gemini-2.5-flash");
  clock.advance(Millis{17'000});
  seen.clear();
  for (int i = 0; i < 200; ++i) seen[pool.pick("gemini-2.5-flash", {})->id]++;
  EXPECT_GT(seen[1], 0);
  EXPECT_TRUE(pool.cooldowns(1).empty());
}

TEST(KeyPool, AllCoolingReportsTheEarliestEnd) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(keysOf(2));
  pool.recordCooldown(1, "m", clock.now() + Millis{5'000}, "429");
  EXPECT_FALSE(pool.allCoolingUntil("m"));
  pool.recordCooldown(2, "m", clock.now() + Millis{3'000}, "429");
  ASSERT_TRUE(pool.allCoolingUntil("m"));
  EXPECT_EQ(*pool.allCoolingUntil("m"), clock.now() + Millis{3'000});
  EXPECT_FALSE(pool.pick("m", {}));
  EXPECT_TRUE(pool.pick("other", {}));
}

TEST(KeyPool, RejectedKeyGoesToErrorAndQueuesHistory) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(keysOf(2));
  pool.recordSuccess(2);
  pool.recordRejected(1, "API_KEY_INVALID");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pool.pick("m", {})->id, 2);
  EXPECT_EQ(pool.activeCount(), 1u);
  auto deltas = pool.drainDeltas();
  ASSERT_EQ(deltas.size(), 2u);
  for (const auto& d : deltas) {
    EXPECT_EQ(d.usage_increment, 1);
    if (d.id == 1) {
      EXPECT_EQ(d.new_status, KeyStatus::Error);
      EXPECT_EQ(d.old_status, KeyStatus::Active);
      EXPECT_EQ(d.failed_count, 1);
      EXPECT_EQ(d.reason, "API_KEY_INVALID");
    } else {
      EXPECT_FALSE(d.new_status);
      EXPECT_EQ(d.failed_count, 0);
    }
  }
  EXPECT_TRUE(pool.drainDeltas().empty());
}

TEST(KeyPool, TransientFailuresDoNotBlameTheKey) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(keysOf(1));
  for (int i = 0; i < 10; ++i) pool.recordTransient(1);
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Active);
  auto d = pool.drainDeltas();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].usage_increment, 10);
  EXPECT_FALSE(d[0].new_status);
}

TEST(KeyPool, AdminEditsTakeEffectAtOnce) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(keysOf(2));
  pool.upsert(PoolKey{1, "key-1", KeyStatus::Disabled});
  pool.remove(2);
  EXPECT_FALSE(pool.pick("m", {}));
  pool.upsert(PoolKey{3, "key-3"});
  EXPECT_EQ(pool.pick("m", {})->id, 3);
  EXPECT_EQ(pool.size(), 2u);
}

// Picks, outcomes, admin edits and the flusher's drain racing on four threads: every use is
// accounted for exactly once (run under TSan in the tsan preset).
TEST(KeyPool, ConcurrentUseLosesNoCounts) {
  ManualClock clock;
  KeyPool pool(clock, 9);
  pool.load(keysOf(64));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::atomic<std::int64_t> drained{0};
  std::atomic<bool> done{false};
  std::thread flusher([&] {
    while (!done.load()) {
      for (const auto& d : pool.drainDeltas()) drained += d.usage_increment;
    }
  });
  std::vector<std::thread> workers;
  workers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto p = pool.pick(t % 2 ? "m1" : "m2", {});
        ASSERT_TRUE(p) << "active " << pool.activeCount() << " of " << pool.size();
        if (i % 97 == 0) {
          pool.recordCooldown(p->id, "m3", clock.now() + Millis{60'000}, "429");
        } else {
          pool.recordSuccess(p->id);
        }
        if (t == 0 && i % 500 == 0) pool.upsert(PoolKey{1000 + i, "extra"});
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  flusher.join();
  for (const auto& d : pool.drainDeltas()) drained += d.usage_increment;
  EXPECT_EQ(drained.load(), std::int64_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace poise::keys
