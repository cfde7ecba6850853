// The CooldownStore contract, run on every implementation (today the in-process one; a shared
// store joins the instantiation list).
#include "keys/cooldown_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>

#include "keys/memory_cooldown_store.h"

namespace poise::keys {
namespace {

using Factory = std::unique_ptr<CooldownStore> (*)();

class CooldownStoreContract : public ::testing::TestWithParam<Factory> {
 protected:
  std::unique_ptr<CooldownStore> store_ = GetParam()();
  ManualClock clock_;
  TimePoint at(int ms) const { return clock_.now() + Millis{ms}; }
  // The ids of `model`'s ends after `after`, in order (walkEnds).
  std::vector<std::int64_t> endsOf(std::string_view model, TimePoint after) const {
    std::vector<std::int64_t> ids;
    store_->walkEnds(model, after, [&](const CooldownStore::End& end) {
      ids.push_back(end.id);
      return true;
    });
    return ids;
  }
};

constexpr std::int64_t kKey1 = 101;
constexpr std::int64_t kKey2 = 102;
constexpr std::int64_t kKey3 = 103;

TEST_P(CooldownStoreContract, ACooldownIsInForceUntilItsEndForItsModelOnly) {
  store_->setUntil(kKey1, "flash", at(17'000), "429", true);
  EXPECT_EQ(store_->until(kKey1, "flash", clock_.now()), at(17'000));
  EXPECT_EQ(store_->until(kKey1, "flash", at(16'999)), at(17'000));
  EXPECT_FALSE(store_->until(kKey1, "flash", at(17'000)));  // ends at its end
  EXPECT_FALSE(store_->until(kKey1, "pro", clock_.now()));
  EXPECT_FALSE(store_->until(kKey2, "flash", clock_.now()));
  EXPECT_FALSE(store_->until(kKey1, "", clock_.now()));
}

TEST_P(CooldownStoreContract, TheNewestCooldownReplacesTheOldEvenAnEarlierOne) {
  store_->setUntil(kKey1, "flash", at(5'000), "first", true);
  store_->setUntil(kKey1, "flash", at(60'000), "second", true);
  EXPECT_EQ(store_->keysCooling("flash"), 1u);
  // The replaced end does not end the new cooldown.
  std::vector<CooldownStore::Expired> out;
  store_->expire(at(5'000), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(store_->until(kKey1, "flash", at(5'000)), at(60'000));
  store_->setUntil(kKey1, "flash", at(2'000), "third", true);
  EXPECT_EQ(store_->until(kKey1, "flash", clock_.now()), at(2'000));
  const auto list = store_->cooldownsOf(kKey1, clock_.now());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "third");
  store_->expire(at(2'000), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, kKey1);
  EXPECT_EQ(store_->keysCooling("flash"), 0u);
}

TEST_P(CooldownStoreContract, EndsAreWalkedInOrderAmongKeysInRotation) {
  store_->setUntil(kKey1, "flash", at(3'000), "429", true);
  store_->setUntil(kKey2, "flash", at(1'000), "429", true);
  store_->setUntil(kKey3, "flash", at(2'000), "429", false);  // not active
  EXPECT_EQ(endsOf("flash", clock_.now()), (std::vector<std::int64_t>{kKey2, kKey1}));
  EXPECT_EQ(store_->inRotationCooling("flash", clock_.now()), 2u);
  EXPECT_EQ(store_->keysCooling("flash"), 3u);

  // Key 3 comes back into rotation with its cooldown still running; key 2 leaves.
  store_->setInRotation(kKey3, true);
  store_->setInRotation(kKey2, false);
  EXPECT_EQ(endsOf("flash", clock_.now()), (std::vector<std::int64_t>{kKey3, kKey1}));
  EXPECT_TRUE(store_->until(kKey2, "flash", clock_.now()));  // still cooling

  // An end already past is left out of a walk from now and of the count, not of a whole walk.
  EXPECT_EQ(endsOf("flash", at(2'000)), (std::vector<std::int64_t>{kKey1}));
  EXPECT_EQ(store_->inRotationCooling("flash", at(2'000)), 1u);
  EXPECT_EQ(endsOf("flash", TimePoint::min()), (std::vector<std::int64_t>{kKey3, kKey1}));
  EXPECT_TRUE(endsOf("pro", clock_.now()).empty());
}

TEST_P(CooldownStoreContract, AWalkGoesOnPastAPageAndStopsWhenAsked) {
  std::vector<std::int64_t> all;
  for (std::int64_t id = 1; id <= 20; ++id) {
    store_->setUntil(id, "flash", at(static_cast<int>(1'000 - id)), "429", true);  // 20 first
    all.insert(all.begin(), id);
  }
  EXPECT_EQ(endsOf("flash", TimePoint::min()), all);
  std::array<CooldownStore::End, 5> page;
  ASSERT_EQ(store_->endsAfter("flash", at(985), 15, page), 5u);  // after (985, 15): 14..10
  EXPECT_EQ(page[0].id, 14);
  EXPECT_EQ(page[0].until, at(986));
  EXPECT_EQ(page[4].id, 10);
  int visited = 0;
  store_->walkEnds("flash", clock_.now(),
                   [&](const CooldownStore::End&) { return ++visited < 11; });
  EXPECT_EQ(visited, 11);
}

TEST_P(CooldownStoreContract, ALongWalkCrossesEveryPageWithoutSkippingOrRepeating) {
  std::vector<std::int64_t> all;
  std::vector<std::int64_t> later;  // ends after at(50)
  for (std::int64_t id = 1; id <= 100; ++id) {
    store_->setUntil(id, "flash", at(static_cast<int>(id)), "429", true);
    all.push_back(id);
    if (id > 50) later.push_back(id);
  }
  EXPECT_EQ(endsOf("flash", TimePoint::min()), all);
  EXPECT_EQ(endsOf("flash", at(50)), later);
}

// The in-process store's own walk (KeyPool's fast path) sees what walkEnds sees.
TEST(MemoryCooldownStore, VisitEndsWalksLikeWalkEnds) {
  ManualClock clock;
  MemoryCooldownStore store;
  for (std::int64_t id = 1; id <= 40; ++id) {
    store.setUntil(id, "flash", clock.now() + Millis{100 - id}, "429", id % 3 != 0);
  }
  for (const TimePoint after : {TimePoint::min(), clock.now() + Millis{70}}) {
    std::vector<std::int64_t> paged;
    std::vector<std::int64_t> direct;
    store.walkEnds("flash", after, [&](const CooldownStore::End& end) {
      paged.push_back(end.id);
      return true;
    });
    store.visitEnds("flash", after, [&](const CooldownStore::End& end) {
      direct.push_back(end.id);
      return true;
    });
    EXPECT_FALSE(direct.empty());
    EXPECT_EQ(direct, paged);
  }
  int visited = 0;
  store.visitEnds("flash", TimePoint::min(),
                  [&](const CooldownStore::End&) { return ++visited < 3; });
  EXPECT_EQ(visited, 3);
}

TEST_P(CooldownStoreContract, ExpireReportsEachEndedKeyAndEachModelLeftWithoutCoolingKeys) {
  store_->setUntil(kKey1, "flash", at(1'000), "429", true);
  store_->setUntil(kKey2, "flash", at(2'000), "429", true);
  store_->setUntil(kKey1, "pro", at(1'000), "429", true);
  std::vector<CooldownStore::Expired> out;
  store_->expire(at(999), out);
  EXPECT_TRUE(out.empty());
  store_->expire(at(1'000), out);
  ASSERT_EQ(out.size(), 3u);  // key 1 for both models, and "pro" is empty
  int keys = 0;
  for (const auto& x : out) {
    if (x.id) {
      EXPECT_EQ(*x.id, kKey1);
      ++keys;
    } else {
      EXPECT_EQ(x.model, "pro");
    }
  }
  EXPECT_EQ(keys, 2);
  EXPECT_EQ(store_->keysCooling("flash"), 1u);
  EXPECT_EQ(store_->keysCooling("pro"), 0u);
  out.clear();
  store_->expire(at(5'000), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, kKey2);
  EXPECT_FALSE(out[1].id);
  EXPECT_EQ(out[1].model, "flash");
}

TEST_P(CooldownStoreContract, ClearingAKeyEndsItsCooldownsForEveryModel) {
  store_->setUntil(kKey1, "flash", at(1'000), "429", true);
  store_->setUntil(kKey1, "pro", at(1'000), "429", true);
  store_->setUntil(kKey2, "pro", at(1'000), "429", true);
  std::vector<std::string> models;
  store_->clearKey(kKey1, &models);
  std::sort(models.begin(), models.end());
  EXPECT_EQ(models, (std::vector<std::string>{"flash", "pro"}));
  EXPECT_TRUE(store_->cooldownsOf(kKey1, clock_.now()).empty());
  EXPECT_EQ(store_->keysCooling("flash"), 0u);
  EXPECT_EQ(store_->keysCooling("pro"), 1u);
  // Its pending end is not reported again.
  std::vector<CooldownStore::Expired> out;
  store_->expire(at(1'000), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, kKey2);
  store_->clear();
  EXPECT_EQ(store_->keysCooling("pro"), 0u);
}

TEST_P(CooldownStoreContract, AKeysCooldownsAreListedByModelWhileInForce) {
  store_->setUntil(kKey1, "pro", at(2'000), "quota", true);
  store_->setUntil(kKey1, "flash", at(1'000), "rate", true);
  auto list = store_->cooldownsOf(kKey1, clock_.now());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].model, "flash");
  EXPECT_EQ(list[0].until, at(1'000));
  EXPECT_EQ(list[0].reason, "rate");
  EXPECT_EQ(list[1].model, "pro");
  list = store_->cooldownsOf(kKey1, at(1'000));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].model, "pro");
}

INSTANTIATE_TEST_SUITE_P(Memory, CooldownStoreContract,
                         ::testing::Values(+[]() -> std::unique_ptr<CooldownStore> {
                           return std::make_unique<MemoryCooldownStore>();
                         }));

}  // namespace
}  // namespace poise::keys
