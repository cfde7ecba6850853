#include "storage/user_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

TEST(UserRepository, CreatesFindsAndRejectsDuplicates) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto count0 = users.count();
  ASSERT_TRUE(count0);
  EXPECT_EQ(*count0, 0);

  auto admin = users.create("admin", "$argon2id$v=19$hash", true);
  ASSERT_TRUE(admin) << admin.error().message;
  EXPECT_GT(admin->id, 0);
  EXPECT_TRUE(admin->must_change_password);
  EXPECT_TRUE(admin->is_active);
  EXPECT_EQ(admin->created_at, clock.now());

  auto dup = users.create("admin", "x", false);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  EXPECT_FALSE(users.create("", "x", false));

  auto found = users.findByUsername("admin");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, admin->id);
  EXPECT_EQ((*found)->password_hash, "$argon2id$v=19$hash");
  EXPECT_EQ((*found)->created_at, clock.now());
  auto by_id = users.findById(admin->id);
  ASSERT_TRUE(by_id && by_id->has_value());
  EXPECT_EQ((*by_id)->username, "admin");
  auto missing = users.findByUsername("nobody");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(users.create("Öperator 運用", "h2", false));
  auto all = users.list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].username, "Öperator 運用");
  EXPECT_EQ(*users.count(), 2);
}

TEST(UserRepository, UpdatesPassword) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto u = users.create("admin", "old", true);
  ASSERT_TRUE(u);
  clock.advance(5s);
  ASSERT_TRUE(users.updatePassword(u->id, "new"));
  auto after = users.findById(u->id);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->password_hash, "new");
  EXPECT_FALSE((*after)->must_change_password);
  EXPECT_EQ((*after)->updated_at, clock.now());
  EXPECT_EQ((*after)->created_at, clock.now() - 5s);

  auto missing = users.updatePassword(999, "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace poise::storage
