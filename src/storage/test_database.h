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
  std::size_t poolSize() const {
    if (const auto* s = dynamic_cast<const SqliteDatabase*>(db_.get())) return s->poolSize();
    if (const auto* p = dynamic_cast<const PostgresDatabase*>(db_.get())) return p->poolSize();
    return 0;
  }

 private:
  friend class TestDatabase;
  std::unique_ptr<Database> db_;
};

// A migrated (unless asked otherwise) database for one test. By default a SQLite file in a fresh
// temporary directory. When the environment variable POISE_TEST_DATABASE_URL names a PostgreSQL
// server (postgresql://…, e.g. from scripts/dev-db.sh), a schema of its own on that server instead,
// created empty and dropped afterwards, so tests may run in parallel against one database.
class TestDatabase {
 public:
  explicit TestDatabase(DatabaseOptions options = {}, bool migrated = true) {
    const char* url = std::getenv("POISE_TEST_DATABASE_URL");
    if (url != nullptr && *url != '\0' && std::string_view(url).rfind("sqlite", 0) != 0) {
      openServer(url, options);
    } else {
      auto db = SqliteDatabase::open((dir_.path() / "poise.db").string(), options);
      if (!db) throw std::runtime_error(db.error().message);
      handle_.db_ = std::move(*db);
    }
    if (migrated) {
      if (auto st = migrate(handle_); !st) throw std::runtime_error(st.error().message);
    }
  }
  ~TestDatabase() {
    handle_.db_.reset();
    if (admin_) (void)admin_->execute("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  TestDbHandle& db() { return handle_; }
  const TempDir& dir() const { return dir_; }
  // The URL of this test's schema on the server (with its search_path), or nullopt on SQLite.
  const std::optional<DatabaseUrl>& serverUrl() const { return server_url_; }
  // The SQLite file (meaningless on a server).
  std::string path() const { return (dir_.path() / "poise.db").string(); }

 private:
  void openServer(std::string_view url, const DatabaseOptions& options) {
    auto parsed = parseDatabaseUrl(url);
    if (!parsed) throw std::runtime_error(parsed.error().message);
    if (parsed->dialect != Dialect::Postgres) {
      throw std::runtime_error("POISE_TEST_DATABASE_URL: only postgresql:// is supported");
    }
    DatabaseOptions admin_options = options;
    admin_options.pool_size = 1;
    auto admin = PostgresDatabase::open(*parsed, admin_options);
    if (!admin) throw std::runtime_error(admin.error().message);
    admin_ = std::move(*admin);
    static std::atomic<int> counter{0};
    std::random_device rd;
    schema_ = "poise_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
              std::to_string(rd() % 1000000);
    if (auto st = admin_->execute("CREATE SCHEMA \"" + schema_ + "\""); !st) {
      throw std::runtime_error(st.error().message);
    }
    parsed->params["options"] = "-c search_path=" + schema_;
    server_url_ = *parsed;
    auto db = PostgresDatabase::open(*parsed, options);
    if (!db) throw std::runtime_error(db.error().message);
    handle_.db_ = std::move(*db);
  }

  TempDir dir_;
  TestDbHandle handle_;
  std::unique_ptr<PostgresDatabase> admin_;
  std::string schema_;
  std::optional<DatabaseUrl> server_url_;
};

}  // namespace poise::storage
