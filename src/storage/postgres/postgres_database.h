// PostgresDatabase: the PostgreSQL implementation of Database, on libpq. Keeps a FIFO pool of
// pool_size connections (each call borrows one, waiting up to busy_timeout), runs every statement
// through PQexecParams with "?" placeholders rewritten to $n, and reconnects a connection found
// broken (PQreset once; an autocommit statement is then retried once, a transaction is not).
//
// Values: timestamps keep the storage form every dialect shares, UTC ISO-8601 text with
// milliseconds in TEXT columns (it sorts and compares correctly as text, and repositories bind
// and read it unchanged); booleans are 0/1 integers; Blob is BYTEA, bound in binary format.
//
// transaction() takes pg_advisory_xact_lock(kWriteLockKey) right after BEGIN, so write
// transactions are serialized across processes like SQLite's BEGIN IMMEDIATE; this is what makes
// migrate() safe to run from two processes at once. Each connection sets lock_timeout to
// busy_timeout, so a lock wait fails with code "busy".
//
// Errors: SQLSTATE 23505 → "conflict"; 40001, 40P01, 55P03, 57014 → "busy"; anything else
// (connection failures included) → "db_error". Messages carry the server's primary message only
// (never DETAIL, which can quote values) and never the password. Thread-safe; blocking calls.
#pragma once

#include <memory>
#include <string>

#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/database_url.h"

namespace poise::storage {

class PostgresConnection;

class PostgresDatabase final : public Database {
 public:
  // Key of the advisory lock every transaction() holds (an arbitrary constant: "poise" in ASCII).
  static constexpr std::int64_t kWriteLockKey = 0x706f697365;

  // Connects every pooled connection up front, so bad credentials fail here. URL query
  // parameters are passed to libpq as connection keywords (sslmode, connect_timeout, options…).
  static Result<std::unique_ptr<PostgresDatabase>> open(const DatabaseUrl& url,
                                                        const DatabaseOptions& options = {});
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  Dialect dialect() const override { return Dialect::Postgres; }
  Status transaction(const std::function<Status(Connection&)>& body) override;
  PoolStats poolStats() const override { return pool_->stats(); }

  std::size_t poolSize() const { return pool_size_; }

 private:
  using Pool = ConnectionPool<PostgresConnection>;
  PostgresDatabase(std::unique_ptr<Pool> pool, std::size_t pool_size);
  Status withConnection(const std::function<Status(Connection&)>& body) override;

  std::unique_ptr<Pool> pool_;
  std::size_t pool_size_;
};

}  // namespace poise::storage
