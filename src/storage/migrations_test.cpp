#include "storage/migrations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

// The tables of the test's own namespace, sorted, from each dialect's catalog.
std::vector<std::string> tableNames(Database& db) {
  std::string_view sql;
  switch (db.dialect()) {
    case Dialect::Sqlite:
      sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
      break;
    case Dialect::Postgres:
      sql =
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
      break;
    case Dialect::Mysql:
      sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()";
      break;
  }
  auto rows = db.query(sql);
  std::vector<std::string> out;
  if (rows) {
    for (const Row& r : *rows) out.push_back(r.text(0));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Migrations, EveryDialectHasTheSameOrderedFiles) {
  const auto sqlite = embeddedMigrations(Dialect::Sqlite);
  ASSERT_FALSE(sqlite.empty());
  EXPECT_EQ(sqlite[0].version, 1);
  EXPECT_EQ(sqlite[0].name, "init");
  for (Dialect d : {Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql}) {
    const auto files = embeddedMigrations(d);
    ASSERT_EQ(files.size(), sqlite.size()) << dialectName(d);
    for (std::size_t i = 0; i < files.size(); ++i) {
      EXPECT_EQ(files[i].version, sqlite[i].version) << dialectName(d);
      EXPECT_EQ(files[i].name, sqlite[i].name) << dialectName(d);
      if (i > 0) {
        EXPECT_GT(files[i].version, files[i - 1].version);
      }
    }
    EXPECT_NE(files[0].sql.find(" api_keys ("), std::string_view::npos);
  }
}

TEST(Migrations, ApplyOnceAndAreIdempotent) {
  TestDatabase t({}, /*migrated=*/false);
  ManualClock clock;
  const auto files = embeddedMigrations(t.db().dialect());
  auto first = applyMigrations(t.db(), files, clock);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), files.size());
  auto second = applyMigrations(t.db(), files, clock);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->empty());
  ASSERT_TRUE(migrate(t.db(), clock));

  EXPECT_EQ(tableNames(t.db()), (std::vector<std::string>{"alert_deliveries",
                                                          "alert_webhooks",
                                                          "api_keys",
                                                          "audit_log",
                                                          "call_counts_hourly",
                                                          "client_token_daily_usage",
                                                          "client_tokens",
                                                          "config",
                                                          "key_bucket_overrides",
                                                          "key_status_history",
                                                          "key_survival_statistics",
                                                          "master_key_check",
                                                          "request_log_keys",
                                                          "request_logs",
                                                          "resource_keys",
                                                          "responses",
                                                          "schema_migrations",
                                                          "sessions",
                                                          "usage_aggregates",
                                                          "users"}));
  auto ledger = t.db().query("SELECT version, name, applied_at FROM schema_migrations");
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->size(), files.size());
  EXPECT_EQ((*ledger)[0].int64(0), 1);
  EXPECT_EQ((*ledger)[0].text(1), "init");
  EXPECT_EQ((*ledger)[0].time(2), clock.now());
}

TEST(Migrations, AFailedMigrationLeavesNothingBehind) {
  TestDatabase t({}, /*migrated=*/false);
  ManualClock clock;
  const std::array<Migration, 3> set = {
      Migration{1, "one", "CREATE TABLE a (id INTEGER PRIMARY KEY);"},
      Migration{2, "two",
                "CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO nowhere VALUES (1);"},
      Migration{3, "three", "CREATE TABLE c (id INTEGER PRIMARY KEY);"}};
  auto r = applyMigrations(t.db(), set, clock);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("migration 2_two"), std::string::npos) << r.error().message;
  // MySQL commits DDL at once, so there b survives the failure; the ledger still says 1.
  const std::vector<std::string> expected =
      t.db().dialect() == Dialect::Mysql ? std::vector<std::string>{"a", "b", "schema_migrations"}
                                         : std::vector<std::string>{"a", "schema_migrations"};
  EXPECT_EQ(tableNames(t.db()), expected);
  auto versions = appliedMigrationVersions(t.db());
  ASSERT_TRUE(versions);
  EXPECT_EQ(*versions, std::vector<int>{1});
}

TEST(Migrations, RefusesADatabaseNewerThanTheBinary) {
  TestDatabase t;
  ASSERT_TRUE(t.db().execute(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', ?)",
      {timestampValue(TimePoint{})}));
  const ManualClock clock;
  auto st = migrate(t.db(), clock);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::SchemaTooNew);
}

TEST(Migrations, RejectUnorderedSets) {
  TestDatabase t({}, false);
  ManualClock clock;
  const std::array<Migration, 2> set = {Migration{2, "b", "SELECT 1;"},
                                        Migration{1, "a", "SELECT 1;"}};
  EXPECT_FALSE(applyMigrations(t.db(), set, clock));
}

}  // namespace
}  // namespace poise::storage
