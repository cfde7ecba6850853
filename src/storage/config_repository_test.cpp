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
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
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

// The gateway token never reaches the table in clear; reads give it back.
TEST(ConfigRepository, SecretKeysAreSealedAtRestAndOpenedOnRead) {
  TestDatabase t;
  ManualClock clock;
  MasterKey master{};
  master[0] = 7;
  KeyCipher cipher(master);
  ConfigRepository config(t.db(), clock, ConfigSecrets{.cipher = &cipher, .keys = {"api_token"}});
  const std::string token = "gwtok-secret-0123456789abcdef";
  ASSERT_TRUE(config.insertIfAbsent({{"api_token", token}, {"plain", "visible"}}));
  auto stored = t.db().query("SELECT value FROM config WHERE \"key\" = 'api_token'");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().text(0).rfind("sealed:v1:", 0), 0u);
  EXPECT_EQ(stored->front().text(0).find(token), std::string::npos);
  auto plain = t.db().query("SELECT value FROM config WHERE \"key\" = 'plain'");
  EXPECT_EQ(plain->front().text(0), "visible");

  EXPECT_EQ((*config.get("api_token"))->value, token);
  const std::vector<ConfigEntry> change = {{"api_token", token + "-2"}};
  ASSERT_TRUE(config.upsertMany(change, std::nullopt, clock.now()));
  auto all = config.all();
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)[0].value, token + "-2");
  stored = t.db().query("SELECT value FROM config WHERE \"key\" = 'api_token'");
  EXPECT_EQ(stored->front().text(0).find(token), std::string::npos);

  // Under another master key the value does not open, and the error says why.
  MasterKey other{};
  KeyCipher wrong(other);
  ConfigRepository elsewhere(t.db(), clock, ConfigSecrets{.cipher = &wrong, .keys = {"api_token"}});
  auto refused = elsewhere.all();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::DecryptFailed);
  EXPECT_EQ(refused.error().message.find(token), std::string::npos);
}

// A token written in clear (before sealing existed) is sealed at the next start, once.
TEST(ConfigRepository, SealsClearSecretsOnceAndKeepsTheirValue) {
  TestDatabase t;
  ManualClock clock;
  ConfigRepository legacy(t.db(), clock);
  const std::string token = "gwtok-legacy-0123456789abcdef";
  ASSERT_TRUE(legacy.insertIfAbsent({{"api_token", token}, {"other", "x"}}));
  auto raw = t.db().query("SELECT value FROM config WHERE \"key\" = 'api_token'");
  ASSERT_EQ(raw->front().text(0), token);

  MasterKey master{};
  KeyCipher cipher(master);
  ConfigRepository config(t.db(), clock, ConfigSecrets{.cipher = &cipher, .keys = {"api_token"}});
  EXPECT_EQ((*config.get("api_token"))->value, token) << "a clear value still reads";
  auto first = config.sealClearSecrets();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 1);
  raw = t.db().query("SELECT value FROM config WHERE \"key\" = 'api_token'");
  EXPECT_EQ(raw->front().text(0).find(token), std::string::npos);
  auto second = config.sealClearSecrets();
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 0) << "idempotent";
  EXPECT_EQ((*config.get("api_token"))->value, token);
  EXPECT_EQ((*config.get("other"))->value, "x");
}

}  // namespace
}  // namespace poise::storage
