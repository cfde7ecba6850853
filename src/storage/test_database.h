// TestDatabase: for tests only. A fresh temporary directory holding a real SQLite file (or, with
// POISE_TEST_DATABASE_URL=postgresql://…, a fresh schema on that server), migrated to the current
// schema; both are removed when the object goes away. Not thread-safe itself; the Database it
// owns is.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/database_url.h"
#include "storage/migrations.h"
#include "storage/mysql/mysql_database.h"
#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace poise::storage {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "poise-test-XXXXXX").string();
    const char* made = ::mkdtemp(pattern.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The Database a TestDatabase owns, seen through the calls tests make; converts to Database& for
// repositories and migrate(). poolSize() is that of whichever implementation is underneath.
class TestDbHandle {
 public:
  operator Database&() { return *db_; }  // NOLINT(google-explicit-constructor): by design
  Dialect dialect() const { return db_->dialect(); }
  Result<Rows> query(std::string_view sql, Params params) { return db_->query(sql, params); }
  Result<Rows> query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return db_->query(sql, params);
  }
  Result<std::int64_t> execute(std::string_view sql, Params params) {
    return db_->execute(sql, params);
  }
  Result<std::int64_t> execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    return db_->execute(sql, params);
  }
  Result<std::int64_t> insert(std::string_view sql, Params params) {
    return db_->insert(sql, params);
  }
  Result<std::int64_t> insert(std::string_view sql, std::initializer_list<Value> params) {
    return db_->insert(sql, params);
  }
  Status transaction(const std::function<Status(Connection&)>& body) {
    return db_->transaction(body);
  }
  Status ping() { return db_->ping(); }
  PoolStats poolStats() const { return db_->poolStats(); }
  std::size_t poolSize() const { return db_->poolStats().size; }

 private:
  friend class TestDatabase;
  std::unique_ptr<Database> db_;
};

// A migrated (unless asked otherwise) database for one test. By default a SQLite file in a fresh
// temporary directory. When the environment variable POISE_TEST_DATABASE_URL names a server
// (postgresql://… or mysql://…, e.g. from scripts/dev-db.sh), a namespace of its own on that
// server instead: a schema on PostgreSQL, a database on MySQL. It is created empty and dropped
// afterwards, so tests may run in parallel against one server.
class TestDatabase {
 public:
  // Where the database lives: as POISE_TEST_DATABASE_URL says, or always SQLite (for tests of the
  // SQLite implementation itself).
  enum class Backend { FromEnvironment, Sqlite };

  explicit TestDatabase(DatabaseOptions options = {}, bool migrated = true,
                        Backend backend = Backend::FromEnvironment) {
    const char* url = std::getenv("POISE_TEST_DATABASE_URL");
    if (backend == Backend::FromEnvironment && url != nullptr && *url != '\0' &&
        std::string_view(url).rfind("sqlite", 0) != 0) {
      openServer(url, options);
    } else {
      auto db = SqliteDatabase::open((dir_.path() / "poise.db").string(), options);
      if (!db) throw std::runtime_error(db.error().message);
      handle_.db_ = std::move(*db);
    }
    if (migrated) {
      if (auto st = migrate(handle_, clock_); !st) throw std::runtime_error(st.error().message);
    }
  }
  ~TestDatabase() {
    handle_.db_.reset();
    if (!admin_) return;
    if (admin_->dialect() == Dialect::Postgres) {
      (void)admin_->execute("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
    } else {
      (void)admin_->execute("DROP DATABASE IF EXISTS \"" + schema_ + "\"");
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  TestDbHandle& db() { return handle_; }
  const TempDir& dir() const { return dir_; }
  // The URL of this test's schema on the server (with its search_path), or nullopt on SQLite.
  const std::optional<DatabaseUrl>& serverUrl() const { return server_url_; }
  // The SQLite file (meaningless on a server).
  std::string path() const { return (dir_.path() / "poise.db").string(); }
  // A second, independent Database on the same data (another process, as far as locks go).
  Result<std::unique_ptr<Database>> openAnother(DatabaseOptions options = {}) const {
    if (server_url_) return openDatabase(*server_url_, options);
    return openDatabase("sqlite:///" + path(), options);
  }

 private:
  void openServer(std::string_view url, const DatabaseOptions& options) {
    auto parsed = parseDatabaseUrl(url);
    if (!parsed) throw std::runtime_error(parsed.error().message);
    if (parsed->dialect == Dialect::Sqlite) {
      throw std::runtime_error("POISE_TEST_DATABASE_URL: not a server URL");
    }
    DatabaseOptions admin_options = options;
    admin_options.pool_size = 1;
    auto admin = openDatabase(*parsed, admin_options);
    if (!admin) throw std::runtime_error(admin.error().message);
    admin_ = std::move(*admin);
    static std::atomic<int> counter{0};
    std::random_device rd;
    schema_ = "poise_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
              std::to_string(rd() % 1000000);
    const bool postgres = parsed->dialect == Dialect::Postgres;
    const std::string create =
        postgres ? "CREATE SCHEMA \"" + schema_ + "\""
                 : "CREATE DATABASE \"" + schema_ + "\" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    if (auto st = admin_->execute(create); !st) throw std::runtime_error(st.error().message);
    if (postgres) {
      parsed->params["options"] = "-c search_path=" + schema_;
    } else {
      parsed->database = schema_;
    }
    server_url_ = *parsed;
    auto db = openDatabase(*parsed, options);
    if (!db) throw std::runtime_error(db.error().message);
    handle_.db_ = std::move(*db);
  }

  TempDir dir_;
  TestDbHandle handle_;
  ManualClock clock_;  // stamps the migrations
  std::unique_ptr<Database> admin_;
  std::string schema_;
  std::optional<DatabaseUrl> server_url_;
};

// A TestDatabase that is always a SQLite file, whatever POISE_TEST_DATABASE_URL says.
class SqliteTestDatabase : public TestDatabase {
 public:
  explicit SqliteTestDatabase(DatabaseOptions options = {}, bool migrated = true)
      : TestDatabase(options, migrated, Backend::Sqlite) {}
};

}  // namespace poise::storage
