#include "storage/database_url.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

TEST(DatabaseUrl, SqliteForms) {
  auto rel = parseDatabaseUrl("sqlite:///data/poise.db");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->dialect, Dialect::Sqlite);
  EXPECT_EQ(rel->path, "data/poise.db");
  EXPECT_EQ(rel->redacted(), "sqlite:///data/poise.db");

  auto abs = parseDatabaseUrl("sqlite:////srv/poise/poise.db");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->path, "/srv/poise/poise.db");
  EXPECT_EQ(abs->redacted(), "sqlite:////srv/poise/poise.db");

  for (std::string_view memory : {"sqlite://", "sqlite:///:memory:", "SQLITE://"}) {
    auto m = parseDatabaseUrl(memory);
    ASSERT_TRUE(m) << memory;
    EXPECT_TRUE(m->isMemory()) << memory;
    EXPECT_EQ(m->redacted(), "sqlite://");
  }
  auto with_driver = parseDatabaseUrl("sqlite+pysqlite:///x.db?timeout=20");
  ASSERT_TRUE(with_driver);
  EXPECT_EQ(with_driver->driver, "pysqlite");
  EXPECT_EQ(with_driver->path, "x.db");
  EXPECT_EQ(with_driver->params.at("timeout"), "20");

  auto bad = parseDatabaseUrl("sqlite://host/x.db");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidDatabaseUrl);
}

TEST(DatabaseUrl, PostgresWithDriverPortAndParams) {
  auto u = parseDatabaseUrl(
      "postgresql+psycopg2://poise:s3cr%40t/x:y@db.internal:5433/gemini_poise?sslmode=require");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->dialect, Dialect::Postgres);
  EXPECT_EQ(u->driver, "psycopg2");
  EXPECT_EQ(u->user, "poise");
  EXPECT_EQ(u->password, "s3cr@t/x:y");
  EXPECT_EQ(u->host, "db.internal");
  EXPECT_EQ(u->port, 5433);
  EXPECT_EQ(u->database, "gemini_poise");
  EXPECT_EQ(u->params.at("sslmode"), "require");
  const std::string shown = u->redacted();
  EXPECT_EQ(shown, "postgresql+psycopg2://poise:***@db.internal:5433/gemini_poise?sslmode=require");
  EXPECT_EQ(shown.find("s3cr"), std::string::npos);
}

TEST(DatabaseUrl, PercentCodingOfNamesAndParams) {
  auto u = parseDatabaseUrl("mysql://us%20er:p%2B+w@h/d%C3%A9b?ssl%2Dca=%2Fetc%2Fca.pem&a=b+c");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->user, "us er");
  EXPECT_EQ(u->password, "p++w");  // '+' is literal outside forms
  EXPECT_EQ(u->database, "d\xC3\xA9\x62");
  EXPECT_EQ(u->params.at("ssl-ca"), "/etc/ca.pem");
  EXPECT_EQ(u->params.at("a"), "b+c");
  EXPECT_EQ(u->redacted(), "mysql://us%20er:***@h/d%C3%A9b?a=b%2Bc&ssl-ca=%2Fetc%2Fca.pem");
}

TEST(DatabaseUrl, MysqlMariadbAndIpv6) {
  auto m = parseDatabaseUrl("mysql+pymysql://root@127.0.0.1/poise");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dialect, Dialect::Mysql);
  EXPECT_EQ(m->user, "root");
  EXPECT_TRUE(m->password.empty());
  EXPECT_EQ(m->port, 0);
  EXPECT_EQ(m->redacted(), "mysql+pymysql://root@127.0.0.1/poise");

  auto maria = parseDatabaseUrl("mariadb://u:p@[::1]:3307/db");
  ASSERT_TRUE(maria);
  EXPECT_EQ(maria->dialect, Dialect::Mysql);
  EXPECT_EQ(maria->host, "::1");
  EXPECT_EQ(maria->port, 3307);
  EXPECT_EQ(maria->redacted(), "mysql://u:***@[::1]:3307/db");

  auto pg = parseDatabaseUrl("postgres://h/db");
  ASSERT_TRUE(pg);
  EXPECT_EQ(pg->dialect, Dialect::Postgres);
}

TEST(DatabaseUrl, PasswordNeverAppearsInRedactedFormOrErrors) {
  auto u = parseDatabaseUrl("postgresql://u:hunter2@h/db?password=hunter3&sslpassword=hunter4");
  ASSERT_TRUE(u);
  const std::string shown = u->redacted();
  EXPECT_EQ(shown.find("hunter"), std::string::npos) << shown;

  for (std::string_view bad :
       {"postgresql://u:hunter2@h:99999/db", "postgresql://u:hunter2@h",
        "postgresql://u:hunter2@/db", "oracle://u:hunter2@h/db", "u:hunter2@h/db",
        "mysql://u:hunter2@h:x/db", "postgresql://u:hunt%zzer2@h/db", "u:hunter2@h://x",
        "postgresql://u:hunter2%4@h/db", "postgresql://u:hunter2%@h/db", "postgresql://u@h/d%b"}) {
    auto r = parseDatabaseUrl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidDatabaseUrl);
    EXPECT_EQ(r.error().message.find("hunter"), std::string::npos) << r.error().message;
  }
}

TEST(DatabaseUrl, OpensEachDialectAndHidesThePasswordOnFailure) {
  TempDir tmp;
  auto db = openDatabase("sqlite:///" + (tmp.path() / "sub" / "a.db").string());
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ((*db)->dialect(), Dialect::Sqlite);
  EXPECT_TRUE((*db)->ping());
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "sub" / "a.db"));

  auto memory = openDatabase("sqlite://");
  ASSERT_TRUE(memory);
  EXPECT_TRUE((*memory)->ping());

  // Nothing listens on port 1: the connection fails, and the message hides the password.
  auto pg = openDatabase("postgresql://u:hunter2@127.0.0.1:1/db");
  ASSERT_FALSE(pg);
  EXPECT_EQ(pg.error().code, ErrorCode::DbError);
  EXPECT_EQ(pg.error().message.find("hunter2"), std::string::npos) << pg.error().message;
  auto my = openDatabase("mysql://u:hunter2@127.0.0.1:1/db");
  ASSERT_FALSE(my);
  EXPECT_EQ(my.error().code, ErrorCode::DbError);
  EXPECT_EQ(my.error().message.find("hunter2"), std::string::npos) << my.error().message;
}

}  // namespace
}  // namespace poise::storage
