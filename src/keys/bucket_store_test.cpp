// The BucketStore contract, run on every implementation (today the in-process one; a shared
// store joins the instantiation list).
#include "keys/bucket_store.h"

#include <gtest/gtest.h>

#include <memory>

#include "keys/memory_bucket_store.h"

namespace poise::keys {
namespace {

using Factory = std::unique_ptr<BucketStore> (*)();

class BucketStoreContract : public ::testing::TestWithParam<Factory> {
 protected:
  std::unique_ptr<BucketStore> store_ = GetParam()();
  ManualClock clock_;
  TimePoint now() const { return clock_.now(); }
};

constexpr KeyRef kKey1{0, 101};
constexpr KeyRef kKey2{1, 102};
constexpr KeyRef kKey3{2, 103};

TEST_P(BucketStoreContract, TakeRefillsAndConsumesAtomicallyAndSaysWhenTheNextTokenComes) {
  store_->add(kKey1, BucketLimits{.capacity = 2, .refill_per_second = 0.5}, now());
  auto t = store_->take(kKey1, 1, now());
  EXPECT_TRUE(t.taken);
  EXPECT_DOUBLE_EQ(t.bucket.tokensAt(now()), 1.0);
  EXPECT_EQ(t.next_token_at, now());  // one left
  t = store_->take(kKey1, 1, now());
  EXPECT_TRUE(t.taken);
  EXPECT_EQ(t.next_token_at, now() + Millis{2'000});  // 0.5 token/s
  t = store_->take(kKey1, 1, now() + Millis{1'999});
  EXPECT_FALSE(t.taken);
  EXPECT_EQ(t.next_token_at, now() + Millis{2'000});
  t = store_->take(kKey1, 1, now() + Millis{2'000});
  EXPECT_TRUE(t.taken);
  EXPECT_DOUBLE_EQ(store_->peek(kKey1).tokensAt(now() + Millis{2'000}), 0.0);
}

TEST_P(BucketStoreContract, TakingSeveralTokensNeedsThemAll) {
  store_->add(kKey1, BucketLimits{.capacity = 3, .refill_per_second = 1}, now());
  EXPECT_TRUE(store_->take(kKey1, 2, now()).taken);
  const auto t = store_->take(kKey1, 2, now());
  EXPECT_FALSE(t.taken);
  EXPECT_DOUBLE_EQ(t.bucket.tokensAt(now()), 1.0);  // nothing taken
}

TEST_P(BucketStoreContract, NewLimitsCountTheRefillSoFarAtTheOldRate) {
  store_->add(kKey1, BucketLimits{.capacity = 10, .refill_per_second = 1}, now());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->take(kKey1, 1, now()).taken);
  clock_.advance(Millis{3'000});  // 3 tokens at the old rate
  store_->setLimits(kKey1, BucketLimits{.capacity = 5, .refill_per_second = 2}, now());
  const TokenBucket b = store_->peek(kKey1);
  EXPECT_EQ(b.capacity, 5);
  EXPECT_DOUBLE_EQ(b.refill_per_second, 2.0);
  EXPECT_DOUBLE_EQ(b.tokensAt(now()), 3.0);
  EXPECT_DOUBLE_EQ(b.tokensAt(now() + Millis{500}), 4.0);
  EXPECT_DOUBLE_EQ(b.tokensAt(now() + Millis{60'000}), 5.0);  // clamped
}

TEST_P(BucketStoreContract, RefillAndRemoveThenAddStartFull) {
  store_->add(kKey1, BucketLimits{.capacity = 2, .refill_per_second = 0.1}, now());
  ASSERT_TRUE(store_->take(kKey1, 2, now()).taken);
  store_->refill(kKey1, now());
  EXPECT_DOUBLE_EQ(store_->peek(kKey1).tokensAt(now()), 2.0);
  ASSERT_TRUE(store_->take(kKey1, 2, now()).taken);
  store_->remove(kKey1);
  const KeyRef reused{kKey1.slot, 999};
  store_->add(reused, BucketLimits{.capacity = 4, .refill_per_second = 1}, now());
  EXPECT_DOUBLE_EQ(store_->peek(reused).tokensAt(now()), 4.0);
}

// TTLs by the key's uses this hour: low below 10, medium from 10, high from 100 (here 300 s,
// 600 s and 900 s); a bucket used for the last time at t is forgotten at t + TTL.
BucketConfig ttlConfig() {
  BucketConfig c;
  c.low_freq_ttl = 300;
  c.medium_freq_ttl = 600;
  c.high_freq_ttl = 900;
  c.medium_freq_threshold = 10;
  c.high_freq_threshold = 100;
  c.bucket_ttl = 3600;
  c.enable_lru_eviction = false;
  return c;
}

TEST_P(BucketStoreContract, IdleBucketsAreForgottenAfterATtlThatFollowsTheirUse) {
  store_->configure(ttlConfig());
  const BucketLimits roomy{.capacity = 1000, .refill_per_second = 0.1};
  store_->add(kKey1, roomy, now());
  store_->add(kKey2, roomy, now());
  store_->add(kKey3, roomy, now());
  // 50 tokens a use: still below full when the TTLs end (0.1 token/s).
  for (int i = 0; i < 10; ++i) (void)store_->take(kKey2, 50, now());
  for (int i = 0; i < 9; ++i) (void)store_->take(kKey1, 50, now());
  std::vector<KeyRef> forgotten;
  store_->forgetIdle(now() + Millis{299'000}, forgotten);
  EXPECT_TRUE(forgotten.empty());
  store_->forgetIdle(now() + Millis{300'000}, forgotten);
  ASSERT_EQ(forgotten.size(), 1u);  // key 1 (low frequency); key 3 is full, nothing to forget
  EXPECT_EQ(forgotten[0], kKey1);
  EXPECT_DOUBLE_EQ(store_->peek(kKey1).tokensAt(now() + Millis{300'000}), 1000.0);
  forgotten.clear();
  store_->forgetIdle(now() + Millis{600'000}, forgotten);
  ASSERT_EQ(forgotten.size(), 1u);  // key 2 (medium)
  EXPECT_EQ(forgotten[0], kKey2);
}

TEST_P(BucketStoreContract, SettleForgetsAnIdleBucketOnlyWithLazyCleanup) {
  BucketConfig c = ttlConfig();
  c.enable_lazy_cleanup = false;
  store_->configure(c);
  store_->add(kKey1, BucketLimits{.capacity = 1000, .refill_per_second = 0.1}, now());
  (void)store_->take(kKey1, 500, now());
  const TimePoint later = now() + Millis{300'000};  // +30 tokens
  EXPECT_DOUBLE_EQ(store_->settle(kKey1, later).tokensAt(later), 530.0);
  c.enable_lazy_cleanup = true;
  store_->configure(c);
  EXPECT_DOUBLE_EQ(store_->settle(kKey1, later).tokensAt(later), 1000.0);
}

TEST_P(BucketStoreContract, AFailedTakeStillCountsAsAUse) {
  store_->configure(ttlConfig());
  store_->add(kKey1, BucketLimits{.capacity = 1, .refill_per_second = 0.001}, now());
  ASSERT_TRUE(store_->take(kKey1, 1, now()).taken);
  clock_.advance(Millis{200'000});
  EXPECT_FALSE(store_->take(kKey1, 1, now()).taken);  // idle time starts again here
  std::vector<KeyRef> forgotten;
  store_->forgetIdle(now() + Millis{299'000}, forgotten);
  EXPECT_TRUE(forgotten.empty());
  store_->forgetIdle(now() + Millis{300'000}, forgotten);
  EXPECT_EQ(forgotten.size(), 1u);
}

TEST_P(BucketStoreContract, LruEvictionForgetsTheLeastRecentlyUsedBucketsBeyondTheBound) {
  BucketConfig c;
  c.enable_lru_eviction = true;
  c.max_buckets = 2;
  store_->configure(c);
  const BucketLimits limits{.capacity = 10, .refill_per_second = 0.1};
  store_->add(kKey1, limits, now());
  store_->add(kKey2, limits, now());
  store_->add(kKey3, limits, now());
  (void)store_->take(kKey2, 1, now());
  clock_.advance(Millis{1});
  (void)store_->take(kKey1, 1, now());
  EXPECT_FALSE(store_->evictLeastRecent(now()));  // two below full: within the bound
  clock_.advance(Millis{1});
  (void)store_->take(kKey3, 1, now());
  const auto evicted = store_->evictLeastRecent(now());
  ASSERT_TRUE(evicted);
  EXPECT_EQ(*evicted, kKey2);
  EXPECT_DOUBLE_EQ(store_->peek(kKey2).tokensAt(now()), 10.0);
  EXPECT_FALSE(store_->evictLeastRecent(now()));
  // A bucket that refilled on its own leaves the order when settled.
  const TimePoint later = now() + Millis{20'000};
  EXPECT_DOUBLE_EQ(store_->settle(kKey1, later).tokensAt(later), 10.0);
  (void)store_->take(kKey2, 1, later);
  EXPECT_FALSE(store_->evictLeastRecent(later));  // keys 3 and 2
  c.enable_lru_eviction = false;
  store_->configure(c);
  (void)store_->take(kKey1, 1, later);
  EXPECT_FALSE(store_->evictLeastRecent(later));
}

INSTANTIATE_TEST_SUITE_P(Memory, BucketStoreContract,
                         ::testing::Values(+[]() -> std::unique_ptr<BucketStore> {
                           return std::make_unique<MemoryBucketStore>();
                         }));

}  // namespace
}  // namespace poise::keys
