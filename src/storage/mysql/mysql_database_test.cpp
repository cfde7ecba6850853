// MySQL/MariaDB-specific behaviour: runs only when POISE_TEST_DATABASE_URL names a MySQL server
// (scripts/dev-db.sh start mariadb); skipped otherwise (CTest's conformance.mariadb sets it).
#include "storage/mysql/mysql_database.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

TEST(MysqlMessages, QuotedValuesAreRedactedButNamesKept) {
  EXPECT_EQ(redactMysqlMessage("Duplicate entry 'sk-secret' for key 'uq_api_keys_fingerprint'"),
            "Duplicate entry '***' for key 'uq_api_keys_fingerprint'");
  EXPECT_EQ(redactMysqlMessage("Incorrect integer value: 'abc' for column 'x' at row 1"),
            "Incorrect integer value: '***' for column 'x' at row 1");
  EXPECT_EQ(redactMysqlMessage("Table 'poise.nope' doesn't exist"),
            "Table 'poise.nope' doesn't exist");
  EXPECT_EQ(redactMysqlMessage("unterminated entry 'abc"), "unterminated entry '***'");
}

class MysqlDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("POISE_TEST_DATABASE_URL");
    if (url == nullptr || (std::string_view(url).rfind("mysql", 0) != 0 &&
                           std::string_view(url).rfind("mariadb", 0) != 0)) {
      GTEST_SKIP() << "POISE_TEST_DATABASE_URL does not name a MySQL/MariaDB server";
    }
    t_ = std::make_unique<TestDatabase>(DatabaseOptions{.pool_size = 2}, false);
  }
  Result<std::unique_ptr<MysqlDatabase>> openAnother(DatabaseOptions options = {}) {
    return MysqlDatabase::open(*t_->serverUrl(), options);
  }
  std::unique_ptr<TestDatabase> t_;
};

TEST_F(MysqlDatabaseTest, ValuesRoundTripAndErrorsHaveCodes) {
  Database& db = t_->db();
  EXPECT_EQ(t_->db().poolSize(), 2u);
  ASSERT_TRUE(db.execute(
      "CREATE TABLE t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) UNIQUE, "
      "b VARBINARY(64), r DOUBLE, big MEDIUMTEXT, d DECIMAL(20, 2)) "
      "DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin"));
  const Blob blob{{0, 1, 2, 255, 0}};
  const std::string big(200'000, 'x');
  auto id = db.insert("INSERT INTO t (name, b, r, big, d) VALUES (?, ?, ?, ?, ?)",
                      {std::string("ünï?'\"code 🙂"), blob, 1.5, big, 2.5});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, 1);
  auto rows = db.query(
      "SELECT id, name, b, r, NULL, '?', big, d, SUM(id), COUNT(*) FROM t WHERE id = ? GROUP BY id",
      {*id});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const Row& r = (*rows)[0];
  EXPECT_EQ(r.int64(0), 1);
  EXPECT_EQ(r.text(1), "ünï?'\"code 🙂");
  EXPECT_EQ(r.blob(2), blob.bytes);
  EXPECT_TRUE(std::holds_alternative<Blob>(r[2]));
  EXPECT_DOUBLE_EQ(r.real(3), 1.5);
  EXPECT_TRUE(r.isNull(4));
  EXPECT_EQ(r.text(5), "?");
  EXPECT_EQ(r.text(6), big);
  EXPECT_DOUBLE_EQ(r.real(7), 2.5);
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(r[8])) << "SUM over BIGINT reads as an integer";
  EXPECT_EQ(r.int64(8), 1);
  EXPECT_EQ(r.int64(9), 1);
  auto dup = db.insert("INSERT INTO t (name) VALUES (?)", {std::string("ünï?'\"code 🙂")});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  EXPECT_EQ(dup.error().message.find("code"), std::string::npos) << dup.error().message;
  // CLIENT_FOUND_ROWS: an UPDATE that changes nothing still reports the rows it matched.
  auto same = db.execute("UPDATE t SET r = r WHERE id = ?", {*id});
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, 1);
  auto ignored =
      db.insert("INSERT IGNORE INTO t (name) VALUES (?)", {std::string("ünï?'\"code 🙂")});
  ASSERT_TRUE(ignored) << ignored.error().message;
  EXPECT_EQ(*ignored, 0);
  auto bad = db.query("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::DbError);
}

TEST_F(MysqlDatabaseTest, ConnectionFailureHidesThePassword) {
  DatabaseUrl url = *t_->serverUrl();
  url.password = "s3cret-pw";
  url.user = "no_such_user";
  auto db = MysqlDatabase::open(url);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::DbError);
  EXPECT_EQ(db.error().message.find("s3cret-pw"), std::string::npos) << db.error().message;
  DatabaseUrl odd = *t_->serverUrl();
  odd.params["sslmode"] = "require";
  auto rejected = MysqlDatabase::open(odd);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::InvalidDatabaseUrl);
}

}  // namespace
}  // namespace poise::storage
