#include "keys/key_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace poise::keys {
namespace {

std::vector<PoolKey> keysOf(int n) {
  std::vector<PoolKey> v;
  for (int i = 1; i <= n; ++i) v.push_back(PoolKey{i, "key-" + std::to_string(i)});
  return v;
}

// Settings without bucket limits, for tests about the other rules.
PoolSettings unlimited(SelectionStrategy strategy = SelectionStrategy::Weighted) {
  PoolSettings s;
  s.strategy = strategy;
  s.buckets.enable_token_bucket = false;
  return s;
}

// Settings where every key has `capacity` tokens refilled at `rate` per second.
PoolSettings limited(int capacity, double rate) {
  PoolSettings s;
  s.buckets.default_capacity = s.buckets.high_priority_capacity = s.buckets.low_priority_capacity =
      capacity;
  s.buckets.default_refill_rate = s.buckets.high_priority_refill_rate =
      s.buckets.low_priority_refill_rate = rate;
  return s;
}

TEST(KeyPool, PicksOnlyActiveKeys) {
  ManualClock clock;
  KeyPool pool(clock, 42);
  pool.configure(unlimited());
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

TEST(KeyPool, SyncTakesStoredKeysAndKeepsLiveCooldowns) {
  ManualClock clock;
  KeyPool pool(clock, 3);
  pool.configure(unlimited());
  pool.load(keysOf(3));
  pool.recordCooldown(1, "m", clock.now() + Millis{60'000}, "429");
  // Stored now: key 2 disabled elsewhere, key 3 deleted, key 4 added.
  auto stored = keysOf(4);
  stored[1].status = KeyStatus::Disabled;
  stored.erase(stored.begin() + 2);
  pool.sync(stored);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_FALSE(pool.get(3));
  EXPECT_EQ(pool.get(2)->status, KeyStatus::Disabled);
  EXPECT_EQ(pool.cooldowns(1).size(), 1u) << "a live cooldown survives the reload";
  for (int i = 0; i < 20; ++i) {
    auto p = pool.pick("m", {});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->id, 4);
  }
}

TEST(KeyPool, ExcludesKeysAlreadyTried) {
  ManualClock clock;
  KeyPool pool(clock, 7);
  pool.configure(unlimited());
  pool.load(keysOf(3));
  std::vector<std::int64_t> tried = {1, 2};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pool.pick("m", tried)->id, 3);
  tried.push_back(3);
  EXPECT_FALSE(pool.pick("m", tried));
}

TEST(KeyPool, CooldownIsPerModelAndEnds) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(unlimited());
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

TEST(KeyPool, CoolingPerModelCountsActiveKeysUntilTheirCooldownsEnd) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(unlimited());
  pool.load(keysOf(3));
  pool.recordCooldown(1, "gemini-2.5-flash", clock.now() + Millis{10'000}, "429");
  pool.recordCooldown(2, "gemini-2.5-flash", clock.now() + Millis{20'000}, "429");
  pool.recordCooldown(2, "gemini-2.5-pro", clock.now() + Millis{20'000}, "429");
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  EXPECT_EQ(pool.coolingPerModel(), (Counts{{"gemini-2.5-flash", 2}, {"gemini-2.5-pro", 1}}));
  clock.advance(Millis{10'000});
  EXPECT_EQ(pool.coolingPerModel(), (Counts{{"gemini-2.5-flash", 1}, {"gemini-2.5-pro", 1}}));
  clock.advance(Millis{10'000});
  EXPECT_TRUE(pool.coolingPerModel().empty());
}

TEST(KeyPool, AllCoolingReportsTheEarliestEnd) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(unlimited());
  pool.load(keysOf(2));
  pool.recordCooldown(1, "m", clock.now() + Millis{5'000}, "429");
  EXPECT_TRUE(pool.pick("m", {}));
  pool.recordCooldown(2, "m", clock.now() + Millis{3'000}, "429");
  EXPECT_FALSE(pool.pick("m", {}));
  ASSERT_TRUE(pool.nextEligibleAt("m"));
  EXPECT_EQ(*pool.nextEligibleAt("m"), clock.now() + Millis{3'000});
  EXPECT_TRUE(pool.pick("other", {}));
  clock.advance(Millis{3'000});
  EXPECT_EQ(pool.pick("m", {})->id, 2);
}

TEST(KeyPool, RejectedKeyGoesToErrorAndQueuesHistory) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(unlimited());
  pool.load(keysOf(2));
  pool.recordSuccess(2);
  pool.recordRejected(1, "API_KEY_INVALID", KeyPool::Rejection::Conclusive);
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

TEST(KeyPool, OtherRejectionsRetireAKeyAfterMaxFailedCountInARow) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  auto settings = unlimited();
  settings.max_failed_count = 3;
  pool.configure(settings);
  pool.load(keysOf(1));
  pool.recordRejected(1, "403 PERMISSION_DENIED", KeyPool::Rejection::Counted);
  pool.recordRejected(1, "403 PERMISSION_DENIED", KeyPool::Rejection::Counted);
  pool.recordSuccess(1);  // a success in between starts the count again
  pool.recordRejected(1, "403 PERMISSION_DENIED", KeyPool::Rejection::Counted);
  pool.recordRejected(1, "403 PERMISSION_DENIED", KeyPool::Rejection::Counted);
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Active);
  EXPECT_EQ(pool.get(1)->failed_count, 2);
  pool.recordRejected(1, "403 PERMISSION_DENIED", KeyPool::Rejection::Counted);
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Error);
  std::string reason;
  for (const auto& d : pool.drainDeltas()) reason = d.reason;
  EXPECT_EQ(reason, "403 PERMISSION_DENIED (3 in a row)");
}

TEST(KeyPool, TransientFailuresDoNotBlameTheKey) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(unlimited());
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
  pool.configure(unlimited());
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
  pool.configure(unlimited());
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

// Issue 11: two keys each answered one 429 with RetryInfo 17 s, after buckets were partly used
// (their weight refreshes are due within a second). The earliest eligible instant is the
// cooldown end, exactly, however the model is spelled; other models can go now.
TEST(KeyPoolNextEligible, EveryKeyCoolingGivesTheExactCooldownEndForEverySpelling) {
  ManualClock clock;
  KeyPool pool(clock, 5);
  pool.configure(limited(10, 1.0));
  pool.load(keysOf(2));
  ASSERT_TRUE(pool.pick("models/gemini-2.5-flash", {}));
  ASSERT_TRUE(pool.pick("gemini-2.5-flash", {}));
  clock.advance(Millis{250});
  const TimePoint end = clock.now() + Millis{17'000};
  pool.recordCooldown(1, "gemini-2.5-flash", end, "429");
  pool.recordCooldown(2, "models/gemini-2.5-flash", end + Millis{300}, "429");
  EXPECT_FALSE(pool.pick("gemini-2.5-flash", {}));
  for (const char* spelling : {"gemini-2.5-flash", "models/gemini-2.5-flash"}) {
    ASSERT_TRUE(pool.nextEligibleAt(spelling)) << spelling;
    EXPECT_EQ(*pool.nextEligibleAt(spelling), end) << spelling;
  }
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-pro"), clock.now());
  EXPECT_EQ(*pool.nextEligibleAt(""), clock.now());
  clock.advance(Millis{16'999});
  EXPECT_FALSE(pool.pick("gemini-2.5-flash", {}));
  EXPECT_EQ(*pool.nextEligibleAt("models/gemini-2.5-flash"), end);
  clock.advance(Millis{1});
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-flash"), clock.now());
  EXPECT_EQ(pool.pick("models/gemini-2.5-flash", {})->id, 1);
}

// A cooling key whose bucket is still empty when its cooldown ends is eligible at the refill;
// a key in error no longer counts; an empty key that is not cooling counts by its refill.
TEST(KeyPoolNextEligible, TheLaterOfCooldownEndAndRefillPerKeyTheEarliestOverKeys) {
  ManualClock clock;
  KeyPool pool(clock, 9);
  pool.configure(limited(1, 0.125));  // an emptied bucket holds a token again after 8 s
  pool.load(keysOf(3));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.pick("m", {}));
  const TimePoint t0 = clock.now();
  EXPECT_EQ(*pool.nextEligibleAt("m"), t0 + Millis{8'000});
  pool.recordCooldown(1, "m", t0 + Millis{5'000}, "429");
  pool.recordCooldown(2, "m", t0 + Millis{17'000}, "429");
  pool.recordCooldown(3, "m", t0 + Millis{12'000}, "429");
  EXPECT_EQ(*pool.nextEligibleAt("m"), t0 + Millis{8'000});  // key 1: cooled at 5, refilled at 8
  pool.recordRejected(1, "API_KEY_INVALID", KeyPool::Rejection::Conclusive);
  EXPECT_EQ(*pool.nextEligibleAt("models/m"), t0 + Millis{12'000});
  EXPECT_EQ(*pool.nextEligibleAt("other"), t0 + Millis{8'000});
  clock.advance(Millis{11'999});
  EXPECT_FALSE(pool.pick("m", {}));
  clock.advance(Millis{1});
  EXPECT_EQ(pool.pick("m", {})->id, 3);
  EXPECT_EQ(*pool.nextEligibleAt("m"), t0 + Millis{17'000});
  // Validated back to active: key 1 (bucket full again) is eligible now.
  pool.recordValidated(1, "validation: ok");
  EXPECT_EQ(*pool.nextEligibleAt("m"), clock.now());
}

// With 16+ keys cooling the model has its own view; the answer stays exact through it.
TEST(KeyPoolNextEligible, ExactWhenTheModelHasItsOwnView) {
  ManualClock clock;
  KeyPool pool(clock, 11);
  pool.configure(limited(1, 0.25));  // refilled 4 s after a pick
  pool.load(keysOf(20));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.pick("gemini-2.5-flash", {}));
  const TimePoint t0 = clock.now();
  for (int id = 1; id <= 18; ++id) {
    pool.recordCooldown(id, "models/gemini-2.5-flash", t0 + Millis{60'000}, "429");
  }
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-flash"), t0 + Millis{4'000});  // keys 19, 20
  pool.recordCooldown(19, "gemini-2.5-flash", t0 + Millis{6'000}, "429");
  pool.recordCooldown(20, "gemini-2.5-flash", t0 + Millis{9'000}, "429");
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-flash"), t0 + Millis{6'000});
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-pro"), t0 + Millis{4'000});
  clock.advance(Millis{5'999});
  EXPECT_FALSE(pool.pick("gemini-2.5-flash", {}));
  EXPECT_EQ(*pool.nextEligibleAt("models/gemini-2.5-flash"), t0 + Millis{6'000});
  clock.advance(Millis{1});
  EXPECT_EQ(pool.pick("gemini-2.5-flash", {})->id, 19);
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-flash"), t0 + Millis{9'000});
  // Other models are not held back by the flash cooldowns: every other key refilled at 4 s.
  EXPECT_EQ(*pool.nextEligibleAt("gemini-2.5-pro"), clock.now());
}

// With fallback_to_random only cooldowns stand in the way.
TEST(KeyPoolNextEligible, FallbackToRandomCountsCooldownsOnly) {
  ManualClock clock;
  KeyPool pool(clock, 13);
  PoolSettings s = limited(1, 0.01);
  s.buckets.fallback_to_random = true;
  pool.configure(s);
  pool.load(keysOf(2));
  ASSERT_TRUE(pool.pick("m", {}));
  ASSERT_TRUE(pool.pick("m", {}));
  EXPECT_EQ(*pool.nextEligibleAt("m"), clock.now());
  pool.recordCooldown(1, "m", clock.now() + Millis{3'000}, "429");
  pool.recordCooldown(2, "m", clock.now() + Millis{7'000}, "429");
  EXPECT_EQ(*pool.nextEligibleAt("m"), clock.now() + Millis{3'000});
}

TEST(KeyPoolBuckets, EmptyBucketMakesAKeyIneligibleUntilItRefills) {
  ManualClock clock;
  KeyPool pool(clock, 3);
  pool.configure(limited(3, 1.0));
  pool.load(keysOf(1));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.pick("m", {})) << i;
  EXPECT_FALSE(pool.pick("m", {}));
  EXPECT_DOUBLE_EQ(pool.bucket(1)->tokens, 0.0);
  ASSERT_TRUE(pool.nextEligibleAt("m"));
  EXPECT_EQ(*pool.nextEligibleAt("m"), clock.now() + Millis{1'000});
  clock.advance(Millis{999});
  EXPECT_FALSE(pool.pick("m", {}));
  EXPECT_NEAR(pool.bucket(1)->tokens, 0.999, 1e-9);
  clock.advance(Millis{1});
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_FALSE(pool.pick("m", {}));
  clock.advance(Millis{2'500});
  EXPECT_NEAR(pool.bucket(1)->tokens, 2.5, 1e-9);
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_FALSE(pool.pick("m", {}));
  EXPECT_NEAR(pool.bucket(1)->tokens, 0.5, 1e-9);
}

TEST(KeyPoolBuckets, FallbackToRandomIgnoresEmptyBucketsOnlyWhenConfigured) {
  ManualClock clock;
  KeyPool pool(clock, 3);
  auto settings = limited(1, 0.1);
  pool.configure(settings);
  pool.load(keysOf(2));
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_FALSE(pool.pick("m", {}));
  settings.buckets.fallback_to_random = true;
  pool.configure(settings);
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < 100; ++i) seen[pool.pick("m", {})->id]++;
  EXPECT_GT(seen[1], 20);
  EXPECT_GT(seen[2], 20);
  // The fallback still honours cooldowns and keys already tried.
  pool.recordCooldown(1, "m", clock.now() + Millis{60'000}, "429");
  const std::vector<std::int64_t> tried = {2};
  EXPECT_FALSE(pool.pick("m", tried));
}

TEST(KeyPoolBuckets, PriorityTiersAndOverridesSizeTheBucket) {
  ManualClock clock;
  KeyPool pool(clock, 3);
  pool.configure(PoolSettings{});  // the seed's defaults: 10/1.0, high 20/2.0, low 5/0.5
  auto keys = keysOf(4);
  keys[0].priority = KeyPriority::High;
  keys[1].priority = KeyPriority::Low;
  keys[3].bucket_override = BucketLimits{7, 3.5};
  pool.load(keys);
  EXPECT_EQ(pool.bucket(1)->capacity, 20);
  EXPECT_DOUBLE_EQ(pool.bucket(1)->refill_rate, 2.0);
  EXPECT_EQ(pool.bucket(2)->capacity, 5);
  EXPECT_DOUBLE_EQ(pool.bucket(2)->refill_rate, 0.5);
  EXPECT_EQ(pool.bucket(3)->capacity, 10);
  EXPECT_EQ(pool.bucket(4)->capacity, 7);
  EXPECT_TRUE(pool.bucket(4)->overridden);
  // A config change resizes live buckets; the override is kept.
  PoolSettings bigger;
  bigger.buckets.default_capacity = 50;
  pool.configure(bigger);
  EXPECT_EQ(pool.bucket(3)->capacity, 50);
  EXPECT_EQ(pool.bucket(4)->capacity, 7);
  ASSERT_TRUE(pool.setBucketOverride(3, BucketLimits{2, 0.1}));
  EXPECT_EQ(pool.bucket(3)->capacity, 2);
  EXPECT_DOUBLE_EQ(pool.bucket(3)->tokens, 2.0);
  ASSERT_TRUE(pool.setBucketOverride(3, std::nullopt));
  EXPECT_EQ(pool.bucket(3)->capacity, 50);
  EXPECT_FALSE(pool.setBucketOverride(99, BucketLimits{}));
  // An admin edit keeps the bucket level and the override.
  const std::vector<std::int64_t> others = {1, 2, 3};
  ASSERT_EQ(pool.pick("m", others)->id, 4);
  pool.upsert(PoolKey{4, "key-4"});
  EXPECT_EQ(pool.bucket(4)->capacity, 7);
  EXPECT_NEAR(pool.bucket(4)->tokens, 6.0, 1e-9);
  ASSERT_TRUE(pool.resetBucket(4));
  EXPECT_NEAR(pool.bucket(4)->tokens, 7.0, 1e-9);
}

// Weighted picks follow remaining tokens, and the weights follow the refill.
TEST(KeyPoolBuckets, WeightedPicksFollowRemainingTokens) {
  ManualClock clock;
  KeyPool pool(clock, 11);
  pool.configure(limited(1000, 1.0));
  pool.load(keysOf(2));
  // Drain key 1 to 100 tokens (of 1000): picks should now favour key 2 about 10:1.
  const std::vector<std::int64_t> not1 = {2};
  const std::vector<std::int64_t> not2 = {1};
  for (int i = 0; i < 900; ++i) ASSERT_EQ(pool.pick("m", not1)->id, 1);
  std::map<std::int64_t, int> seen;
  constexpr int kPicks = 1100;
  for (int i = 0; i < kPicks; ++i) {
    const auto id = pool.pick("m", {})->id;
    seen[id]++;
    // Give the token back so the levels stay put while we count.
    pool.setBucketOverride(id, std::nullopt);
  }
  // Expected share of key 1 ≈ 100/1100 = 9 %; allow 4 standard deviations (≈ 3.5 %).
  const double share = static_cast<double>(seen[1]) / kPicks;
  EXPECT_NEAR(share, 100.0 / 1100.0, 0.035) << seen[1];
  (void)not2;
}

TEST(KeyPoolBuckets, WeightsCatchUpAsBucketsRefill) {
  ManualClock clock;
  KeyPool pool(clock, 12);
  pool.configure(limited(10, 1.0));
  pool.load(keysOf(2));
  const std::vector<std::int64_t> not1 = {2};
  for (int i = 0; i < 9; ++i) ASSERT_EQ(pool.pick("m", not1)->id, 1);
  clock.advance(Millis{20'000});  // both full again
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < 400; ++i) {
    const auto id = pool.pick("m", {})->id;
    seen[id]++;
    pool.resetBucket(id);
  }
  EXPECT_NEAR(seen[1] / 400.0, 0.5, 0.1) << seen[1];
}

TEST(KeyPoolStrategies, RoundRobinAndLeastRecentlyUsed) {
  ManualClock clock;
  KeyPool pool(clock, 5);
  pool.configure(unlimited(SelectionStrategy::RoundRobin));
  pool.load(keysOf(3));
  std::vector<std::int64_t> order;
  order.reserve(6);
  for (int i = 0; i < 6; ++i) order.push_back(pool.pick("m", {})->id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{1, 2, 3, 1, 2, 3}));
  // Round robin steps over a key cooling for the model.
  pool.recordCooldown(2, "m", clock.now() + Millis{10'000}, "429");
  order.clear();
  for (int i = 0; i < 4; ++i) order.push_back(pool.pick("m", {})->id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{1, 3, 1, 3}));

  KeyPool lru(clock, 5);
  lru.configure(unlimited(SelectionStrategy::LeastRecentlyUsed));
  auto keys = keysOf(3);
  keys[0].last_used_at = clock.now() - Millis{1'000};
  keys[1].last_used_at = clock.now() - Millis{3'000};
  keys[2].last_used_at = clock.now() - Millis{2'000};
  lru.load(keys);
  order.clear();
  for (int i = 0; i < 3; ++i) {
    clock.advance(Millis{10});
    order.push_back(lru.pick("m", {})->id);
  }
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 3, 1}));
}

TEST(KeyPoolStrategies, RandomPicksSpreadFairly) {
  ManualClock clock;
  KeyPool pool(clock, 21);
  pool.configure(unlimited(SelectionStrategy::Random));
  pool.load(keysOf(10));
  std::map<std::int64_t, int> seen;
  constexpr int kPicks = 20'000;
  for (int i = 0; i < kPicks; ++i) seen[pool.pick("m", {})->id]++;
  // Chi-square with 9 degrees of freedom; 27.88 is the 0.999 quantile.
  double chi2 = 0;
  for (const auto& [id, n] : seen) {
    const double expected = kPicks / 10.0;
    chi2 += (n - expected) * (n - expected) / expected;
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_LT(chi2, 27.88);
}

TEST(KeyPoolCooldowns, ManyKeysCoolingForOneModelStillFindTheOthers) {
  ManualClock clock;
  KeyPool pool(clock, 8);
  pool.configure(unlimited());
  pool.load(keysOf(100));
  for (int id = 1; id <= 97; ++id) {
    pool.recordCooldown(id, "gemini-2.5-pro", clock.now() + Millis{60'000}, "429");
  }
  for (int i = 0; i < 50; ++i) EXPECT_GT(pool.pick("gemini-2.5-pro", {})->id, 97);
  const std::vector<std::int64_t> tried = {98, 99, 100};
  EXPECT_FALSE(pool.pick("gemini-2.5-pro", tried));
  EXPECT_TRUE(pool.pick("gemini-2.5-flash", tried));
  // A validated key stops cooling at once; the others when their cooldown ends.
  pool.recordValidated(5, "validation: ok");
  EXPECT_EQ(pool.pick("gemini-2.5-pro", tried)->id, 5);
  pool.recordCooldown(6, "gemini-2.5-pro", clock.now() + Millis{120'000}, "429");  // renewed
  clock.advance(Millis{60'000});
  std::set<std::int64_t> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(pool.pick("gemini-2.5-pro", {})->id);
  EXPECT_GT(seen.size(), 90u);
  EXPECT_EQ(seen.count(6), 0u);
  EXPECT_EQ(pool.cooldowns(6).size(), 1u);
  clock.advance(Millis{60'000});
  for (int i = 0; i < 3000 && !seen.count(6); ++i) seen.insert(pool.pick("gemini-2.5-pro", {})->id);
  EXPECT_EQ(seen.count(6), 1u);
}

TEST(KeyPoolStates, EveryAttemptA429OverTheWindowExhaustsTheKey) {
  ManualClock clock;
  KeyPool pool(clock, 2);
  auto settings = unlimited();
  settings.exhausted_window = std::chrono::seconds(600);
  settings.exhausted_min_429s = 3;
  pool.configure(settings);
  pool.load(keysOf(2));
  pool.recordCooldown(1, "a", clock.now() + Millis{1'000}, "429 RESOURCE_EXHAUSTED");
  clock.advance(Millis{400'000});
  pool.recordCooldown(1, "b", clock.now() + Millis{1'000}, "429 RESOURCE_EXHAUSTED");
  clock.advance(Millis{199'999});
  pool.recordCooldown(1, "a", clock.now() + Millis{1'000}, "429 RESOURCE_EXHAUSTED");
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Active);  // 599.999 s: not yet
  clock.advance(Millis{1});
  pool.recordCooldown(1, "a", clock.now() + Millis{1'000}, "429 RESOURCE_EXHAUSTED");
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Exhausted);
  auto deltas = pool.drainDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].new_status, KeyStatus::Exhausted);
  EXPECT_EQ(deltas[0].reason,
            "every attempt for 600s was a 429 (4 attempts; last: 429 RESOURCE_EXHAUSTED)");
  EXPECT_EQ(pool.statusCounts().exhausted, 1);
  EXPECT_EQ(pool.statusCounts().active, 1);

  // Any other outcome breaks the run.
  pool.recordCooldown(2, "a", clock.now() + Millis{1'000}, "429");
  clock.advance(Millis{300'000});
  pool.recordSuccess(2);
  clock.advance(Millis{300'000});
  pool.recordCooldown(2, "a", clock.now() + Millis{1'000}, "429");
  pool.recordCooldown(2, "a", clock.now() + Millis{1'000}, "429");
  pool.recordCooldown(2, "a", clock.now() + Millis{1'000}, "429");
  EXPECT_EQ(pool.get(2)->status, KeyStatus::Active);
}

TEST(KeyPoolStates, ValidationUsesTheSameStateMachineWithoutCountingUse) {
  ManualClock clock;
  KeyPool pool(clock, 2);
  pool.configure(unlimited());
  auto keys = keysOf(3);
  keys[0].status = KeyStatus::Exhausted;
  keys[1].status = KeyStatus::Error;
  keys[2].status = KeyStatus::Disabled;
  pool.load(keys);
  EXPECT_EQ(pool.idsWithStatus(KeyStatus::Exhausted), std::vector<std::int64_t>{1});
  pool.recordCooldown(1, "m", clock.now() + Millis{5'000}, "429", KeyPool::Source::Validation);
  pool.recordValidated(1, "validation: ok");
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Active);
  EXPECT_TRUE(pool.cooldowns(1).empty());
  pool.recordCooldown(2, "m", clock.now() + Millis{5'000}, "429 RESOURCE_EXHAUSTED",
                      KeyPool::Source::Validation);
  EXPECT_EQ(pool.get(2)->status, KeyStatus::Exhausted);
  pool.recordValidated(3, "validation: ok");
  EXPECT_EQ(pool.get(3)->status, KeyStatus::Disabled);
  pool.recordRejected(1, "400 API_KEY_INVALID", KeyPool::Rejection::Conclusive,
                      KeyPool::Source::Validation);
  EXPECT_EQ(pool.get(1)->status, KeyStatus::Error);
  std::map<std::int64_t, KeyDelta> by_id;
  for (auto& d : pool.drainDeltas()) by_id[d.id] = d;
  EXPECT_EQ(by_id[1].usage_increment, 0);
  EXPECT_EQ(by_id[1].old_status, KeyStatus::Exhausted);
  EXPECT_EQ(by_id[1].new_status, KeyStatus::Error);
  EXPECT_EQ(by_id[1].reason, "validation: 400 API_KEY_INVALID");
  EXPECT_EQ(by_id[2].reason, "validation: 429 RESOURCE_EXHAUSTED");
  EXPECT_EQ(by_id.count(3), 0u);
  const auto counts = pool.statusCounts();
  EXPECT_EQ(counts.active, 0);
  EXPECT_EQ(counts.exhausted, 1);
  EXPECT_EQ(counts.error, 1);
  EXPECT_EQ(counts.disabled, 1);
  EXPECT_EQ(counts.total(), 3);
}

TEST(KeyPoolBuckets, IdleBucketsAreForgottenAfterTheirTtl) {
  ManualClock clock;
  KeyPool pool(clock, 2);
  auto settings = limited(1000, 0.1);
  settings.buckets.low_freq_ttl = 300;
  settings.buckets.medium_freq_ttl = 600;
  settings.buckets.medium_freq_threshold = 50;
  settings.buckets.high_freq_threshold = 1000;
  pool.configure(settings);
  pool.load(keysOf(2));
  // Key 1 is used 10 times this hour (low frequency: TTL 300 s), key 2 100 times (medium: 600 s).
  const std::vector<std::int64_t> not1 = {2};
  const std::vector<std::int64_t> not2 = {1};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool.pick("m", not1));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.pick("m", not2));
  clock.advance(Millis{299'000});
  EXPECT_NEAR(pool.bucket(1)->tokens, 1000.0, 1e-9);  // refilled anyway: 990 + 29.9
  EXPECT_NEAR(pool.bucket(2)->tokens, 929.9, 1e-9);
  EXPECT_EQ(pool.cleanupBuckets(), 0u);
  clock.advance(Millis{300'000});
  EXPECT_NEAR(pool.bucket(2)->tokens, 959.9, 1e-9);
  EXPECT_EQ(pool.cleanupBuckets(), 0u);  // 599 s idle
  clock.advance(Millis{1'000});
  EXPECT_EQ(pool.cleanupBuckets(), 1u);  // 600 s: forgotten
  EXPECT_NEAR(pool.bucket(2)->tokens, 1000.0, 1e-9);
}

TEST(KeyPoolBuckets, LruEvictionBoundsTrackedBuckets) {
  ManualClock clock;
  KeyPool pool(clock, 2);
  auto settings = limited(5, 0.1);
  settings.buckets.max_buckets = 10;
  settings.strategy = SelectionStrategy::RoundRobin;
  pool.configure(settings);
  pool.load(keysOf(12));
  for (int i = 0; i < 12; ++i) {
    clock.advance(Millis{1});
    ASSERT_EQ(pool.pick("m", {})->id, i + 1);
  }
  // The two least recently used were forgotten (full again); the ten others are below full.
  EXPECT_NEAR(pool.bucket(1)->tokens, 5.0, 1e-9);
  EXPECT_NEAR(pool.bucket(2)->tokens, 5.0, 1e-9);
  EXPECT_LT(pool.bucket(3)->tokens, 4.1);
  EXPECT_LT(pool.bucket(12)->tokens, 4.1);
}

TEST(KeyPool, RemovedKeysFreeTheirSlotForNewOnes) {
  ManualClock clock;
  KeyPool pool(clock, 2);
  pool.configure(unlimited(SelectionStrategy::RoundRobin));
  pool.load(keysOf(3));
  pool.remove(2);
  pool.upsert(PoolKey{7, "key-7"});
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < 9; ++i) seen[pool.pick("m", {})->id]++;
  EXPECT_EQ(seen, (std::map<std::int64_t, int>{{1, 3}, {3, 3}, {7, 3}}));
  EXPECT_EQ(pool.statusCounts().total(), 3);
}

}  // namespace
}  // namespace poise::keys
