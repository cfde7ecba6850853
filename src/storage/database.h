// Database: the one interface over SQLite, PostgreSQL and MySQL/MariaDB. Repositories write
// portable SQL with "?" placeholders and bind Values; nothing is ever spliced into SQL text.
// Every call BLOCKS (disk, locks, network): run it on the BlockingPool, never on an I/O thread.
// Implementations are thread-safe: each call borrows a pooled connection for its duration.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/connection_pool.h"
#include "storage/dialect.h"

namespace poise::storage {

// Binary column value (BLOB / bytea / VARBINARY).
struct Blob {
  std::vector<std::uint8_t> bytes;
  friend bool operator==(const Blob&, const Blob&) = default;
};

// One bound parameter or one result cell. Booleans are stored as 0/1 integers and timestamps as
// timestampValue() so that every dialect sees the same data.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;
using Params = std::span<const Value>;

// The storage form of an instant: UTC ISO-8601 text with milliseconds ("2026-11-26T05:55:55.123Z").
Value timestampValue(TimePoint t);
// nullptr for nullopt, else the value.
Value nullableValue(const std::optional<std::string>& v);
Value nullableValue(const std::optional<std::int64_t>& v);
Value nullableValue(const std::optional<TimePoint>& v);

// A server's error message with every occurrence of `password` replaced by "***" and trailing
// whitespace removed (drivers may echo connection parameters).
std::string scrubPassword(std::string message, std::string_view password);

// One result row. Accessors convert leniently (drivers that report everything as text still
// read back as numbers); indexes past the end are a programming error (asserted).
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  std::size_t size() const { return values_.size(); }
  const Value& operator[](std::size_t i) const;
  bool isNull(std::size_t i) const;
  // NULL and unparseable text read as 0.
  std::int64_t int64(std::size_t i) const;
  std::optional<std::int64_t> optionalInt64(std::size_t i) const;
  double real(std::size_t i) const;
  // NULL reads as "", numbers as their decimal form, blobs as their bytes.
  std::string text(std::size_t i) const;
  std::optional<std::string> optionalText(std::size_t i) const;
  // Text is returned as its bytes; NULL as empty.
  std::vector<std::uint8_t> blob(std::size_t i) const;
  // Parses a timestampValue(); NULL or an unparseable cell is nullopt.
  std::optional<TimePoint> optionalTime(std::size_t i) const;
  // As optionalTime(), with the epoch for NULL (for NOT NULL columns).
  TimePoint time(std::size_t i) const { return optionalTime(i).value_or(TimePoint{}); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

// One page of a listing: `total` counts every matching row, `items` holds this page.
template <class T>
struct Page {
  std::int64_t total = 0;
  std::vector<T> items;
};

inline constexpr int kMaxPageSize = 1000;
// page is 1-based; page_size in 1..kMaxPageSize. Error code "invalid_argument" otherwise.
Status checkPage(int page, int page_size);

// PostgreSQL bulk rows: "SELECT * FROM unnest(?::bigint[], ?::text[], …)" and its parameters,
// one array literal per column, from `row_major` (rows of `array_types.size()` values; null,
// integers and text only). `array_types` names each column's array type ("bigint[]",
// "text[]"). One statement of a few array parameters instead of a VALUES list of one parameter
// per cell: nothing to parse or plan per row, and no bound-parameter limit.
struct UnnestSelect {
  std::string sql;
  std::vector<Value> params;
};
UnnestSelect postgresUnnestSelect(std::span<const Value> row_major,
                                  std::span<const std::string_view> array_types);

// Operations on one connection. Inside Database::transaction() the Connection is the open
// transaction; it must not escape the callback. Not thread-safe (one user at a time).
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;

  // Runs one statement and returns every row.
  Result<Rows> query(std::string_view sql, Params params) { return doQuery(sql, params); }
  Result<Rows> query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return doQuery(sql, Params(params.begin(), params.size()));
  }
  // Runs one statement and returns the number of rows it changed.
  Result<std::int64_t> execute(std::string_view sql, Params params) {
    return doExecute(sql, params);
  }
  Result<std::int64_t> execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    return doExecute(sql, Params(params.begin(), params.size()));
  }
  // Runs one INSERT into a table with an `id` key and returns the new id.
  Result<std::int64_t> insert(std::string_view sql, Params params) { return doInsert(sql, params); }
  Result<std::int64_t> insert(std::string_view sql, std::initializer_list<Value> params) {
    return doInsert(sql, Params(params.begin(), params.size()));
  }
  // Runs a trusted multi-statement script without parameters (migrations only).
  Status executeScript(std::string_view sql) { return doExecuteScript(sql); }

 private:
  virtual Result<Rows> doQuery(std::string_view sql, Params params) = 0;
  virtual Result<std::int64_t> doExecute(std::string_view sql, Params params) = 0;
  virtual Result<std::int64_t> doInsert(std::string_view sql, Params params) = 0;
  virtual Status doExecuteScript(std::string_view sql) = 0;
};

// Options common to every dialect (POOL_SIZE and the busy/lock wait).
struct DatabaseOptions {
  // Connections kept open; each call borrows one. SQLite ":memory:" always uses one.
  int pool_size = 4;
  // How long a statement waits for a lock held by another connection or process, and how long
  // a call waits for a free pooled connection, before failing with code "busy".
  std::chrono::milliseconds busy_timeout{5000};
  // Prepared statements kept per connection (least recently used are finalized first).
  std::size_t statement_cache_size = 64;
};

// Errors: code "conflict" (a UNIQUE or primary-key constraint), "busy" (lock or pool wait timed
// out), "db_error" (anything else). Messages never contain bound parameter values.
class Database {
 public:
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  // Single statements in autocommit mode; see Connection for the meaning.
  Result<Rows> query(std::string_view sql, Params params);
  Result<Rows> query(std::string_view sql, std::initializer_list<Value> params = {});
  Result<std::int64_t> execute(std::string_view sql, Params params);
  Result<std::int64_t> execute(std::string_view sql, std::initializer_list<Value> params = {});
  Result<std::int64_t> insert(std::string_view sql, Params params);
  Result<std::int64_t> insert(std::string_view sql, std::initializer_list<Value> params);

  // Runs `body` inside a write transaction that takes the write lock up front (SQLite
  // BEGIN IMMEDIATE), waiting up to busy_timeout for it. Commits when body returns success and
  // rolls back when it returns an error (which is passed through) or throws (rethrown). The
  // body must use only the Connection it is given: calling back into this Database from inside
  // would borrow a second connection and can wait on its own lock.
  virtual Status transaction(const std::function<Status(Connection&)>& body) = 0;

  // Cheap liveness check for /ready.
  Status ping();

  // The connection pool's waits since start (for /metrics).
  virtual PoolStats poolStats() const = 0;

 private:
  // Borrows a connection for one autocommit call.
  virtual Status withConnection(const std::function<Status(Connection&)>& body) = 0;
};

}  // namespace poise::storage
