// TestDatabase: for tests only. A fresh temporary directory holding a real SQLite file, migrated
// to the current schema; both are removed when the object goes away. Not thread-safe itself; the
// Database it owns is.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "storage/migrations.h"
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

class TestDatabase {
 public:
  explicit TestDatabase(DatabaseOptions options = {}, bool migrated = true) {
    auto db = SqliteDatabase::open((dir_.path() / "poise.db").string(), options);
    if (!db) throw std::runtime_error(db.error().message);
    db_ = std::move(*db);
    if (migrated) {
      if (auto st = migrate(*db_); !st) throw std::runtime_error(st.error().message);
    }
  }
  SqliteDatabase& db() { return *db_; }
  const TempDir& dir() const { return dir_; }
  std::string path() const { return (dir_.path() / "poise.db").string(); }

 private:
  TempDir dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

}  // namespace poise::storage
