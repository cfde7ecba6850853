// SqliteDatabase: the SQLite implementation of Database. Keeps a FIFO pool of connections to one
// file, each with WAL journaling, synchronous=NORMAL, foreign keys on, a busy timeout and a
// prepared-statement cache. ":memory:" uses a single connection. Thread-safe; blocking calls.
#pragma once

#include <memory>
#include <string>

#include "storage/connection_pool.h"
#include "storage/database.h"

namespace poise::storage {

class SqliteConnection;

class SqliteDatabase final : public Database {
 public:
  // Opens (creating with mode 0600 if absent, parent directories included) and configures every
  // pooled connection up front, so a bad path or a file that cannot use WAL fails here.
  // `path` is a filesystem path or ":memory:".
  static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path,
                                                      const DatabaseOptions& options = {});
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Dialect dialect() const override { return Dialect::Sqlite; }
  Status transaction(const std::function<Status(Connection&)>& body) override;
  PoolStats poolStats() const override;

  const std::string& path() const { return path_; }
  std::size_t poolSize() const { return pool_size_; }

 private:
  using Pool = ConnectionPool<SqliteConnection>;
  SqliteDatabase(std::string path, std::unique_ptr<Pool> pool, std::size_t pool_size);
  Status withConnection(const std::function<Status(Connection&)>& body) override;

  std::string path_;
  std::unique_ptr<Pool> pool_;
  std::size_t pool_size_;
};

}  // namespace poise::storage
