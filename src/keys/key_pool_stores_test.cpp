// KeyPool over stores given from outside: the seam a shared (multi-instance) implementation
// plugs into. Two pools share one cooldown store here, as two gateway instances will.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "keys/key_pool.h"
#include "keys/memory_bucket_store.h"
#include "keys/memory_cooldown_store.h"

namespace poise::keys {
namespace {

// Forwards to one store that several pools share.
class SharedCooldowns final : public CooldownStore {
 public:
  explicit SharedCooldowns(std::shared_ptr<CooldownStore> store) : store_(std::move(store)) {}
  void setUntil(std::int64_t id, std::string_view model, TimePoint until, std::string_view reason,
                bool in_rotation) override {
    store_->setUntil(id, model, until, reason, in_rotation);
  }
  std::optional<TimePoint> until(std::int64_t id, std::string_view model,
                                 TimePoint now) const override {
    return store_->until(id, model, now);
  }
  std::vector<CooldownInfo> cooldownsOf(std::int64_t id, TimePoint now) const override {
    return store_->cooldownsOf(id, now);
  }
  std::size_t keysCooling(std::string_view model) const override {
    return store_->keysCooling(model);
  }
  std::size_t inRotationCooling(std::string_view model, TimePoint now) const override {
    return store_->inRotationCooling(model, now);
  }
  std::size_t endsAfter(std::string_view model, TimePoint after, std::int64_t after_id,
                        std::span<End> out) const override {
    return store_->endsAfter(model, after, after_id, out);
  }
  void setInRotation(std::int64_t id, bool in_rotation) override {
    store_->setInRotation(id, in_rotation);
  }
  void clearKey(std::int64_t id, std::vector<std::string>* models) override {
    store_->clearKey(id, models);
  }
  void clear() override { store_->clear(); }
  void expire(TimePoint now, std::vector<Expired>& out) override { store_->expire(now, out); }

 private:
  std::shared_ptr<CooldownStore> store_;
};

std::vector<PoolKey> keysOf(int n) {
  std::vector<PoolKey> v;
  for (int i = 1; i <= n; ++i) v.push_back(PoolKey{i, "key-" + std::to_string(i)});
  return v;
}

KeyPool::Stores storesSharing(const std::shared_ptr<CooldownStore>& cooldowns) {
  return KeyPool::Stores{std::make_unique<MemoryBucketStore>(),
                         std::make_unique<SharedCooldowns>(cooldowns)};
}

TEST(KeyPoolStores, ACooldownRecordedByOnePoolKeepsAnotherOffThatKeyForThatModel) {
  ManualClock clock;
  auto shared = std::make_shared<MemoryCooldownStore>();
  KeyPool a(clock, 1, storesSharing(shared));
  KeyPool b(clock, 2, storesSharing(shared));
  PoolSettings s;
  s.buckets.enable_token_bucket = false;
  a.configure(s);
  b.configure(s);
  a.load(keysOf(2));
  b.load(keysOf(2));  // a reload clears the shared cooldowns too: load before any is set

  a.recordCooldown(1, "models/gemini-2.5-flash", clock.now() + Millis{10'000}, "429");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(b.pick("gemini-2.5-flash", {})->id, 2);
  std::set<std::int64_t> other_model;
  for (int i = 0; i < 100; ++i) other_model.insert(b.pick("gemini-2.5-pro", {})->id);
  EXPECT_EQ(other_model.size(), 2u);
  ASSERT_EQ(b.cooldowns(1).size(), 1u);
  EXPECT_EQ(b.cooldowns(1)[0].until, clock.now() + Millis{10'000});

  // With key 2 cooling as well, both pools know when the model is served again.
  b.recordCooldown(2, "gemini-2.5-flash", clock.now() + Millis{4'000}, "429");
  EXPECT_FALSE(a.pick("gemini-2.5-flash", {}));
  EXPECT_EQ(a.nextEligibleAt("gemini-2.5-flash"), clock.now() + Millis{4'000});
  EXPECT_EQ(b.nextEligibleAt("gemini-2.5-flash"), clock.now() + Millis{4'000});
  clock.advance(Millis{4'000});
  EXPECT_EQ(a.pick("gemini-2.5-flash", {})->id, 2);
  EXPECT_EQ(b.pick("gemini-2.5-flash", {})->id, 2);
}

TEST(KeyPoolStores, PicksTakeTokensFromTheGivenBucketStore) {
  ManualClock clock;
  KeyPool pool(clock, 1,
               KeyPool::Stores{std::make_unique<MemoryBucketStore>(),
                               std::make_unique<MemoryCooldownStore>()});
  PoolSettings s;
  s.buckets.default_capacity = 2;
  s.buckets.default_refill_rate = 0.5;
  pool.configure(s);
  pool.load(keysOf(1));
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_TRUE(pool.pick("m", {}));
  EXPECT_FALSE(pool.pick("m", {}));
  EXPECT_EQ(pool.nextEligibleAt("m"), clock.now() + Millis{2'000});
  EXPECT_DOUBLE_EQ(pool.bucket(1)->tokens, 0.0);
}

}  // namespace
}  // namespace poise::keys
