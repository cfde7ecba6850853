#include "storage/bucket_override_repository.h"

#include <gtest/gtest.h>

#include "storage/api_key_repository.h"
#include "storage/test_database.h"

namespace poise::storage {
namespace {

TEST(BucketOverrideRepository, SetsReplacesAndClearsOverrides) {
  TestDatabase t;
  ManualClock clock;
  MasterKey master{};
  master.fill(7);
  KeyCipher cipher(master);
  ApiKeyRepository keys(t.db(), cipher, clock);
  auto a = keys.create("AIzaOverrideTestKeyNumberOne000000000001");
  auto b = keys.create("AIzaOverrideTestKeyNumberTwo000000000002");
  ASSERT_TRUE(a && b);
  BucketOverrideRepository repo(t.db());

  const std::vector<std::int64_t> both = {a->id, b->id, 999'999};
  auto n = repo.set(both, BucketOverride{25, 2.5}, clock.now());
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2);  // the unknown id is skipped
  const std::vector<std::int64_t> one = {a->id};
  ASSERT_TRUE(repo.set(one, BucketOverride{3, 0.1}, clock.now()));
  auto all = repo.loadAll();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(a->id).capacity, 3);
  EXPECT_DOUBLE_EQ(all->at(a->id).refill_rate, 0.1);
  EXPECT_EQ(all->at(b->id).capacity, 25);
  EXPECT_DOUBLE_EQ(all->at(b->id).refill_rate, 2.5);

  auto cleared = repo.set(one, std::nullopt, clock.now());
  ASSERT_TRUE(cleared);
  EXPECT_EQ(*cleared, 1);
  // Deleting the key deletes its override.
  ASSERT_TRUE(keys.remove(b->id));
  all = repo.loadAll();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

}  // namespace
}  // namespace poise::storage
