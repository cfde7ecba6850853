// MysqlDatabase: the MySQL/MariaDB implementation of Database, on MariaDB Connector/C. Keeps a
// FIFO pool of pool_size connections (each call borrows one, waiting up to busy_timeout), runs
// every statement as a server-side prepared statement with bound parameters (cached per
// connection, least recently used closed first), and reconnects a connection found broken (once;
// an autocommit statement is then retried once, a transaction is not).
//
// Connections use utf8mb4, UTC (time_zone '+00:00'), ANSI_QUOTES (so "key" quotes an identifier
// as on the other dialects), CLIENT_FOUND_ROWS (an UPDATE reports the rows it matched, as
// SQLite and PostgreSQL do, not only those it changed) and innodb_lock_wait_timeout from
// busy_timeout.
//
// Values: timestamps keep the storage form every dialect shares (UTC ISO-8601 text);
// booleans are 0/1 integers; Blob is VARBINARY/BLOB, read back as Blob when the column's
// character set is binary.
//
// transaction() holds the named lock GET_LOCK(kWriteLockName + database) for its whole duration, so
// write transactions are serialized across processes like SQLite's BEGIN IMMEDIATE. The lock
// belongs to the session, not to the transaction, so it also covers a migration's DDL (which MySQL
// commits implicitly); this is what makes migrate() safe to run from two processes at once.
//
// Errors: 1062/1586 (duplicate key) → "conflict"; 1205 (lock wait timeout), 1213 (deadlock),
// 1969/3024 (statement timeout) and a lock not granted in time → "busy"; anything else
// (connection failures included) → "db_error". Quoted values in server messages ("Duplicate entry
// '…'") are replaced by '***', and the password never appears. Thread-safe; blocking calls.
#pragma once

#include <memory>
#include <string>

#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/database_url.h"

namespace poise::storage {

class MysqlConnection;

class MysqlDatabase final : public Database {
 public:
  // Prefix of the lock every transaction() holds; the database name follows it, so deployments
  // sharing one server in different databases do not wait for each other.
  static constexpr std::string_view kWriteLockName = "gemini_poise_write:";

  // Connects every pooled connection up front, so bad credentials fail here. Recognised URL
  // query parameters: charset (utf8mb4 or utf8 only), connect_timeout (seconds), ssl_ca,
  // ssl_cert, ssl_key, ssl_verify_cert (true/false), unix_socket. Others fail with
  // "invalid_database_url" rather than being silently ignored.
  static Result<std::unique_ptr<MysqlDatabase>> open(const DatabaseUrl& url,
                                                     const DatabaseOptions& options = {});
  ~MysqlDatabase() override;
  MysqlDatabase(const MysqlDatabase&) = delete;
  MysqlDatabase& operator=(const MysqlDatabase&) = delete;

  Dialect dialect() const override { return Dialect::Mysql; }
  Status transaction(const std::function<Status(Connection&)>& body) override;
  PoolStats poolStats() const override { return pool_->stats(); }

  std::size_t poolSize() const { return pool_size_; }

 private:
  using Pool = ConnectionPool<MysqlConnection>;
  MysqlDatabase(std::unique_ptr<Pool> pool, std::size_t pool_size);
  Status withConnection(const std::function<Status(Connection&)>& body) override;

  std::unique_ptr<Pool> pool_;
  std::size_t pool_size_;
};

// Replaces the quoted value after "entry" or "value" in a server message with '***' (exposed for
// tests): "Duplicate entry 'abc' for key 'x'" → "Duplicate entry '***' for key 'x'".
std::string redactMysqlMessage(std::string_view message);

}  // namespace poise::storage
