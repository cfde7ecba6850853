#include "storage/resource_key_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

class ResourceKeyRepositoryTest : public ::testing::Test {
 protected:
  ResourceKey make(std::string name, std::int64_t key_id, Millis life) {
    return ResourceKey{.name = std::move(name),
                       .key_id = key_id,
                       .created_at = clock_.now(),
                       .expires_at = clock_.now() + life};
  }

  TestDatabase t_;
  ManualClock clock_;
  ResourceKeyRepository repo_{t_.db()};
};

TEST_F(ResourceKeyRepositoryTest, RecordFindReplaceRemove) {
  ASSERT_TRUE(repo_.record(make("files/abc-123", 7, 48h)));
  auto found = repo_.find("files/abc-123");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->key_id, 7);
  EXPECT_EQ((*found)->created_at, clock_.now());
  EXPECT_EQ((*found)->expires_at, clock_.now() + 48h);

  // Names are case-sensitive (Google's ids are): another case is another resource.
  auto other = repo_.find("files/ABC-123");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());

  // The same name again (a resource re-created by its name) takes the new key and expiry.
  clock_.advance(1h);
  ASSERT_TRUE(repo_.record(make("files/abc-123", 9, 1h)));
  found = repo_.find("files/abc-123");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->key_id, 9);
  EXPECT_EQ((*found)->expires_at, clock_.now() + 1h);

  auto removed = repo_.remove("files/abc-123");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  removed = repo_.remove("files/abc-123");
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
  found = repo_.find("files/abc-123");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(ResourceKeyRepositoryTest, DeleteExpiredKeepsTheLiving) {
  ASSERT_TRUE(repo_.record(make("cachedContents/short", 1, 10min)));
  ASSERT_TRUE(repo_.record(make("batches/long", 2, 48h)));
  ASSERT_TRUE(repo_.record(make("interactions/v1_abc", 3, 1h)));
  clock_.advance(2h);
  auto pruned = repo_.deleteExpired(clock_.now());
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 2);
  auto kept = repo_.find("batches/long");
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_EQ((*kept)->key_id, 2);
  auto gone = repo_.find("cachedContents/short");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

TEST_F(ResourceKeyRepositoryTest, RefusesAnEmptyOrOverlongName) {
  EXPECT_FALSE(repo_.record(make("", 1, 1h)));
  EXPECT_FALSE(repo_.record(make("files/" + std::string(250, 'a'), 1, 1h)));
  EXPECT_TRUE(repo_.record(make("files/" + std::string(249, 'a'), 1, 1h)));
}

}  // namespace
}  // namespace poise::storage
