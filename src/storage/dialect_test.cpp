#include "storage/dialect.h"

#include <gtest/gtest.h>

#include <array>

#include "storage/sqlite/sqlite_database.h"

namespace poise::storage {
namespace {

TEST(Dialect, RewritesPlaceholdersOnlyForPostgres) {
  const std::string_view sql =
      "SELECT ?, '?', \"a?\", 'it''s ?' FROM t -- what?\nWHERE x = ? AND y IN (?, ?)";
  EXPECT_EQ(rewritePlaceholders(Dialect::Sqlite, sql), sql);
  EXPECT_EQ(rewritePlaceholders(Dialect::Mysql, sql), sql);
  EXPECT_EQ(rewritePlaceholders(Dialect::Postgres, sql),
            "SELECT $1, '?', \"a?\", 'it''s ?' FROM t -- what?\nWHERE x = $2 AND y IN ($3, $4)");
}

TEST(Dialect, BuildsUpsertsPerDialect) {
  const std::array<std::string_view, 3> cols = {"\"key\"", "value", "updated_at"};
  const std::array<std::string_view, 1> conflict = {"\"key\""};
  const std::array<std::string_view, 2> update = {"value", "updated_at"};
  EXPECT_EQ(upsertSql(Dialect::Sqlite, "config", cols, conflict, update),
            "INSERT INTO config (\"key\", value, updated_at) VALUES (?, ?, ?) ON CONFLICT "
            "(\"key\") DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  EXPECT_EQ(upsertSql(Dialect::Mysql, "config", cols, conflict, update),
            "INSERT INTO config (\"key\", value, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY "
            "UPDATE value = VALUES(value), updated_at = VALUES(updated_at)");
  EXPECT_EQ(insertIfAbsentSql(Dialect::Postgres, "config", cols, conflict),
            "INSERT INTO config (\"key\", value, updated_at) VALUES (?, ?, ?) ON CONFLICT "
            "(\"key\") DO NOTHING");
  EXPECT_EQ(insertIfAbsentSql(Dialect::Mysql, "config", cols, conflict),
            "INSERT IGNORE INTO config (\"key\", value, updated_at) VALUES (?, ?, ?)");
}

TEST(Dialect, SmallPieces) {
  EXPECT_EQ(beginWriteTransactionSql(Dialect::Sqlite), "BEGIN IMMEDIATE");
  EXPECT_EQ(beginWriteTransactionSql(Dialect::Postgres), "BEGIN");
  EXPECT_EQ(caseInsensitiveLike(Dialect::Postgres), "ILIKE");
  EXPECT_EQ(caseInsensitiveLike(Dialect::Mysql), "COLLATE utf8mb4_unicode_ci LIKE");
  EXPECT_EQ(analyzeTableSql(Dialect::Mysql, "api_keys"), "ANALYZE TABLE api_keys");
  EXPECT_EQ(analyzeTableSql(Dialect::Postgres, "api_keys"), "ANALYZE api_keys");
  EXPECT_EQ(escapeLikePattern("50%_off!"), "50!%!_off!!");
  EXPECT_EQ(placeholderList(3), "?, ?, ?");
  EXPECT_EQ(placeholderRows(2, 2), "(?, ?), (?, ?)");
  EXPECT_EQ(insertReturningIdSuffix(Dialect::Postgres), " RETURNING id");
  EXPECT_EQ(insertReturningIdSuffix(Dialect::Sqlite), "");
}

TEST(Dialect, SqliteFragmentsRunOnSqlite) {
  auto db = SqliteDatabase::open(":memory:");
  ASSERT_TRUE(db);
  auto& d = **db;
  ASSERT_TRUE(d.execute("CREATE TABLE t (id " +
                        std::string(autoIncrementPrimaryKey(Dialect::Sqlite)) +
                        ", name TEXT UNIQUE, n INTEGER)"));
  auto now = d.query("SELECT " + std::string(nowExpression(Dialect::Sqlite)));
  ASSERT_TRUE(now);
  EXPECT_TRUE((*now)[0].optionalTime(0).has_value()) << (*now)[0].text(0);

  const std::array<std::string_view, 2> cols = {"name", "n"};
  const std::array<std::string_view, 1> conflict = {"name"};
  const std::array<std::string_view, 1> update = {"n"};
  const std::string upsert = upsertSql(Dialect::Sqlite, "t", cols, conflict, update);
  ASSERT_TRUE(d.execute(upsert, {"a", std::int64_t{1}}));
  ASSERT_TRUE(d.execute(upsert, {"a", std::int64_t{2}}));
  const std::string ignore = insertIfAbsentSql(Dialect::Sqlite, "t", cols, conflict);
  auto skipped = d.execute(ignore, {"a", std::int64_t{3}});
  ASSERT_TRUE(skipped);
  EXPECT_EQ(*skipped, 0);
  auto rows = d.query("SELECT n FROM t WHERE name = ?", {"a"});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].int64(0), 2);

  ASSERT_TRUE(d.execute("INSERT INTO t (name, n) VALUES (?, 0)", {"100%_sure!"}));
  ASSERT_TRUE(d.execute("INSERT INTO t (name, n) VALUES (?, 0)", {"100 percent sure"}));
  auto like = d.query("SELECT name FROM t WHERE name LIKE ?" + std::string(kLikeEscapeClause),
                      {"%" + escapeLikePattern("%_SURE!") + "%"});
  ASSERT_TRUE(like);
  ASSERT_EQ(like->size(), 1u);
  EXPECT_EQ((*like)[0].text(0), "100%_sure!");
}

}  // namespace
}  // namespace poise::storage
