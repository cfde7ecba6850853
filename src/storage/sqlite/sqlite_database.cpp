#include "storage/sqlite/sqlite_database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace poise::storage {
namespace {

Error sqliteError(sqlite3* db, int rc, std::string_view what) {
  const int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const int primary = ext & 0xff;
  ErrorCode code = ErrorCode::DbError;
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
    code = ErrorCode::Conflict;
  } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    code = ErrorCode::Busy;
  }
  std::string message = "sqlite ";
  message.append(what);
  message.append(": ");
  message.append(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  return makeError(code, std::move(message));
}

bool onlyWhitespaceOrSemicolons(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ';') return false;
  }
  return true;
}

}  // namespace

// One sqlite3 handle plus its statement cache. Used by one thread at a time (the pool ensures it).
class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::size_t cache_size) : db_(db), cache_size_(cache_size) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : lru_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::Sqlite; }

  bool inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  void rollbackIfOpen() {
    if (inTransaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  // Resets and unbinds a statement when the call that used it ends, so bound strings (bound
  // without copying) are never referenced after they go away.
  class StatementUse {
   public:
    explicit StatementUse(sqlite3_stmt* s) : stmt_(s) {}
    ~StatementUse() {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
    StatementUse(const StatementUse&) = delete;
    StatementUse& operator=(const StatementUse&) = delete;
    sqlite3_stmt* get() const { return stmt_; }

   private:
    sqlite3_stmt* stmt_;
  };

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    if (auto it = index_.find(sql); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return sqliteError(db_, rc, "prepare");
    if (stmt == nullptr) return makeError(ErrorCode::DbError, "sqlite prepare: empty statement");
    const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    if (!onlyWhitespaceOrSemicolons(rest)) {
      sqlite3_finalize(stmt);
      return makeError(ErrorCode::DbError, "sqlite prepare: one statement per call");
    }
    lru_.emplace_front(std::string(sql), stmt);
    index_.emplace(lru_.front().first, lru_.begin());
    while (lru_.size() > cache_size_ && lru_.size() > 1) {
      auto& victim = lru_.back();
      index_.erase(victim.first);
      sqlite3_finalize(victim.second);
      lru_.pop_back();
    }
    return stmt;
  }

  Status bind(sqlite3_stmt* stmt, Params params) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return makeError(ErrorCode::DbError, "sqlite bind: statement takes " +
                                               std::to_string(expected) + " parameters, " +
                                               std::to_string(params.size()) + " given");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (const auto* b = std::get_if<Blob>(&v)) {
        rc = b->bytes.empty()
                 ? sqlite3_bind_zeroblob(stmt, idx, 0)
                 : sqlite3_bind_blob64(stmt, idx, b->bytes.data(), b->bytes.size(), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return sqliteError(db_, rc, "bind");
    }
    return {};
  }

  static Value column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return std::int64_t{sqlite3_column_int64(stmt, i)};
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
        return Blob{std::vector<std::uint8_t>(p, p + n)};
      }
      default:
        return nullptr;
    }
  }

  // Prepares, binds and steps to completion; collects rows when `rows` is non-null.
  Status run(std::string_view sql, Params params, Rows* rows) {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    StatementUse use(*stmt);
    if (auto st = bind(use.get(), params); !st) return st;
    const int columns = sqlite3_column_count(use.get());
    int rc;
    while ((rc = sqlite3_step(use.get())) == SQLITE_ROW) {
      if (rows == nullptr) continue;
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int i = 0; i < columns; ++i) values.push_back(column(use.get(), i));
      rows->emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "step");
    return {};
  }

  Result<Rows> doQuery(std::string_view sql, Params params) override {
    Rows rows;
    if (auto st = run(sql, params, &rows); !st) return st.error();
    return rows;
  }

  Result<std::int64_t> doExecute(std::string_view sql, Params params) override {
    if (auto st = run(sql, params, nullptr); !st) return st.error();
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  Result<std::int64_t> doInsert(std::string_view sql, Params params) override {
    if (auto st = run(sql, params, nullptr); !st) return st.error();
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Status doExecuteScript(std::string_view sql) override {
    const std::string script(sql);
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqliteError(db_, rc, "script");
    return {};
  }

  sqlite3* db_;
  std::size_t cache_size_;
  // Most recently used first; index_ keys view the strings stored in lru_.
  std::list<std::pair<std::string, sqlite3_stmt*>> lru_;
  std::unordered_map<std::string_view, decltype(lru_)::iterator> index_;
};

namespace {

bool isMemoryPath(const std::string& path) {
  return path.empty() || path == ":memory:";
}

// Creates the parent directory and an empty file readable by the owner only, so the database
// (and the -wal/-shm files SQLite creates with the same mode) never start world-readable.
Status prepareFile(const std::string& path) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path() && !std::filesystem::exists(p.parent_path(), ec)) {
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return makeError(ErrorCode::DbError, "sqlite: cannot create directory " +
                                               p.parent_path().string() + ": " + ec.message());
    }
  }
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  return {};
}

Result<std::unique_ptr<SqliteConnection>> openConnection(const std::string& path, bool memory,
                                                         const DatabaseOptions& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(memory ? ":memory:" : path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqliteError(db, rc, "open " + path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  auto conn = std::make_unique<SqliteConnection>(db, options.statement_cache_size);
  for (std::string_view sql : connectionSetupSql(Dialect::Sqlite)) {
    auto rows = conn->query(sql);
    if (!rows) return rows.error();
    if (sql.find("journal_mode") != std::string_view::npos) {
      const std::string mode = rows->empty() ? "" : (*rows)[0].text(0);
      if (mode != (memory ? "memory" : "wal")) {
        std::string message = "sqlite: could not enable WAL journaling on " + path;
        message.append(" (journal_mode is '").append(mode).append("')");
        return makeError(ErrorCode::DbError, std::move(message));
      }
    }
  }
  return conn;
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path,
                                                             const DatabaseOptions& options) {
  const bool memory = isMemoryPath(path);
  if (!memory) {
    if (auto st = prepareFile(path); !st) return st.error();
  }
  const std::size_t size = memory ? 1 : static_cast<std::size_t>(std::max(1, options.pool_size));
  std::deque<std::unique_ptr<SqliteConnection>> conns;
  for (std::size_t i = 0; i < size; ++i) {
    auto c = openConnection(path, memory, options);
    if (!c) return c.error();
    conns.push_back(std::move(*c));
  }
  auto pool = std::make_unique<Pool>(std::move(conns), options.busy_timeout, "sqlite");
  return std::unique_ptr<SqliteDatabase>(
      new SqliteDatabase(memory ? ":memory:" : path, std::move(pool), size));
}

SqliteDatabase::SqliteDatabase(std::string path, std::unique_ptr<Pool> pool, std::size_t size)
    : path_(std::move(path)), pool_(std::move(pool)), pool_size_(size) {}

SqliteDatabase::~SqliteDatabase() = default;

PoolStats SqliteDatabase::poolStats() const {
  return pool_->stats();
}

Status SqliteDatabase::withConnection(const std::function<Status(Connection&)>& body) {
  auto lease = pool_->borrow();
  if (!lease) return lease.error();
  return body(**lease);
}

Status SqliteDatabase::transaction(const std::function<Status(Connection&)>& body) {
  auto lease = pool_->borrow();
  if (!lease) return lease.error();
  SqliteConnection& conn = **lease;
  if (auto begun = conn.execute(beginWriteTransactionSql(Dialect::Sqlite)); !begun) {
    return begun.error();
  }
  // Rolls back when the body throws, so a connection never returns to the pool mid-transaction.
  struct RollbackGuard {
    SqliteConnection& conn;
    ~RollbackGuard() { conn.rollbackIfOpen(); }
  } guard{conn};
  Status st = body(conn);
  if (!st) return st;
  if (auto committed = conn.execute("COMMIT"); !committed) return committed.error();
  return {};
}

}  // namespace poise::storage
