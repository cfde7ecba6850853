#include "storage/config_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"
#include "storage/user_repository.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

TEST(ConfigRepository, SeedsDefaultsOnceAndKeepsEdits) {
  TestDatabase t;
  ManualClock clock;
  ConfigRepository config(t.db(), clock);
  const std::map<std::string, std::string> defaults = {
      {"target_api_url", "https://generativelanguage.googleapis.com"},
      {"key_validation_max_failed_count", "3"}};
  auto first = config.insertIfAbsent(defaults);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 2);

  const std::vector<ConfigEntry> edit = {{"key_validation_max_failed_count", "5"}};
  ASSERT_TRUE(config.upsertMany(edit, std::nullopt, clock.now()));
  auto second = config.insertIfAbsent(defaults);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 0);
  auto v = config.get("key_validation_max_failed_count");
  ASSERT_TRUE(v && v->has_value());
  EXPECT_EQ((*v)->value, "5");
}

TEST(ConfigRepository, UpsertManyRecordsWhoAndWhen) {
  TestDatabase t;
  ManualClock clock;
  UserRepository users(t.db(), clock);
  auto admin = users.create("admin", "h", false);
  ASSERT_TRUE(admin);
  ConfigRepository config(t.db(), clock);
  const std::vector<ConfigEntry> items = {{"api_token", "tok"}, {"greeting", "你好, мир"}};
  ASSERT_TRUE(config.upsertMany(items, admin->id, clock.now()));
  clock.advance(1min);
  const std::vector<ConfigEntry> change = {{"api_token", "tok2"}};
  ASSERT_TRUE(config.upsertMany(change, std::nullopt, clock.now()));

  auto all = config.all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "api_token");
  EXPECT_EQ((*all)[0].value, "tok2");
  EXPECT_EQ((*all)[0].updated_at, clock.now());
  EXPECT_FALSE((*all)[0].updated_by_user_id.has_value());
  EXPECT_EQ((*all)[1].value, "你好, мир");
  EXPECT_EQ((*all)[1].updated_by_user_id, admin->id);
  EXPECT_EQ((*all)[1].updated_at, clock.now() - 1min);
}

TEST(ConfigRepository, UpsertIsAllOrNothing) {
  TestDatabase t;
  ManualClock clock;
  ConfigRepository config(t.db(), clock);
  // A user id that does not exist violates the foreign key: nothing is written.
  const std::vector<ConfigEntry> items = {{"a", "1"}, {"b", "2"}};
  EXPECT_FALSE(config.upsertMany(items, 424242, clock.now()));
  EXPECT_TRUE(config.all()->empty());
  const std::vector<ConfigEntry> empty_key = {{"a", "1"}, {"", "2"}};
  auto st = config.upsertMany(empty_key, std::nullopt, clock.now());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "invalid_argument");
  EXPECT_TRUE(config.all()->empty());
}

TEST(ConfigRepository, RemovesKeys) {
  TestDatabase t;
  ManualClock clock;
  ConfigRepository config(t.db(), clock);
  const std::vector<ConfigEntry> items = {{"a", "1"}};
  ASSERT_TRUE(config.upsertMany(items, std::nullopt, clock.now()));
  EXPECT_TRUE(*config.remove("a"));
  EXPECT_FALSE(*config.remove("a"));
  EXPECT_FALSE(config.get("a")->has_value());
}

}  // namespace
}  // namespace poise::storage
