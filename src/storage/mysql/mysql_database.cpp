#include "storage/mysql/mysql_database.h"

#include <mysql.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace poise::storage {
namespace {

constexpr unsigned kBinaryCharset = 63;

// Client-side error numbers that mean the connection is gone (CR_SERVER_GONE_ERROR,
// CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED, CR_CONN_HOST_ERROR, ER_CLIENT_INTERACTION_TIMEOUT).
bool isConnectionLost(unsigned err) {
  return err == 2006 || err == 2013 || err == 2055 || err == 2003 || err == 4031 || err == 1927;
}

ErrorCode codeForErrno(unsigned err) {
  if (err == 1062 || err == 1586 || err == 1022) return ErrorCode::Conflict;
  if (err == 1205 || err == 1213 || err == 1969 || err == 3024) return ErrorCode::Busy;
  return ErrorCode::DbError;
}

bool isIntegerType(enum_field_types t) {
  return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
         t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR;
}

bool isDecimalType(enum_field_types t) {
  return t == MYSQL_TYPE_DECIMAL || t == MYSQL_TYPE_NEWDECIMAL;
}

bool isFloatType(enum_field_types t) {
  return t == MYSQL_TYPE_FLOAT || t == MYSQL_TYPE_DOUBLE;
}

Value decimalValue(std::string_view text) {
  // SUM() over BIGINT is DECIMAL: whole values read back as integers.
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const bool integral = dot == std::string_view::npos ||
                        text.substr(dot + 1).find_first_not_of('0') == std::string_view::npos;
  if (integral) {
    std::int64_t v = 0;
    if (std::from_chars(whole.data(), whole.data() + whole.size(), v).ec == std::errc{}) return v;
  }
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::once_flag g_library_init;

}  // namespace

std::string redactMysqlMessage(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  std::size_t i = 0;
  while (i < message.size()) {
    const std::size_t quote = message.find('\'', i);
    if (quote == std::string_view::npos) {
      out.append(message.substr(i));
      break;
    }
    out.append(message.substr(i, quote - i));
    // The word before the quote decides whether the quoted text is a value.
    std::string_view before = message.substr(0, quote);
    while (!before.empty() && (before.back() == ' ' || before.back() == ':'))
      before.remove_suffix(1);
    const std::size_t space = before.find_last_of(' ');
    const std::string_view word = before.substr(space == std::string_view::npos ? 0 : space + 1);
    const bool is_value = word == "entry" || word == "value" || word == "Value";
    std::size_t close = std::string_view::npos;
    if (is_value) {
      // A value may itself contain quotes: it ends at the quote the message's own text follows.
      close = message.find("' for ", quote + 1);
      if (close == std::string_view::npos) close = message.rfind('\'');
      if (close == quote) close = message.size() - 1;
    } else {
      close = message.find('\'', quote + 1);
      if (close == std::string_view::npos) close = message.size() - 1;
    }
    out.append(is_value ? std::string_view("'***'") : message.substr(quote, close - quote + 1));
    i = close + 1;
  }
  return out;
}

// One server connection with its prepared-statement cache. Used by one thread at a time (the
// pool ensures it).
class MysqlConnection final : public Connection {
 public:
  MysqlConnection(const DatabaseUrl& url, const DatabaseOptions& options)
      : url_(url), options_(options) {}
  ~MysqlConnection() override { close(); }
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  Dialect dialect() const override { return Dialect::Mysql; }

  // Opens the connection and applies the session settings.
  Status connect() {
    close();
    std::call_once(g_library_init, [] { mysql_library_init(0, nullptr, nullptr); });
    conn_ = mysql_init(nullptr);
    if (conn_ == nullptr) return makeError(ErrorCode::DbError, "mysql connect: out of memory");
    unsigned timeout = 10;
    std::string socket;
    bool verify = false;
    for (const auto& [k, v] : url_.params) {
      if (k == "charset") {
        if (v != "utf8mb4" && v != "utf8") {
          return makeError(ErrorCode::InvalidDatabaseUrl,
                           "mysql: only charset=utf8mb4 is supported");
        }
      } else if (k == "connect_timeout") {
        unsigned t = 0;
        if (std::from_chars(v.data(), v.data() + v.size(), t).ec != std::errc{} || t == 0) {
          return makeError(ErrorCode::InvalidDatabaseUrl,
                           "mysql: connect_timeout must be a number");
        }
        timeout = t;
      } else if (k == "ssl_ca") {
        mysql_optionsv(conn_, MYSQL_OPT_SSL_CA, v.c_str());
      } else if (k == "ssl_cert") {
        mysql_optionsv(conn_, MYSQL_OPT_SSL_CERT, v.c_str());
      } else if (k == "ssl_key") {
        mysql_optionsv(conn_, MYSQL_OPT_SSL_KEY, v.c_str());
      } else if (k == "ssl_verify_cert") {
        verify = v == "true" || v == "1";
      } else if (k == "unix_socket") {
        socket = v;
      } else {
        return makeError(ErrorCode::InvalidDatabaseUrl,
                         "mysql: unsupported URL parameter '" + k +
                             "' (supported: charset, connect_timeout, ssl_ca, ssl_cert, ssl_key, "
                             "ssl_verify_cert, unix_socket)");
      }
    }
    if (verify) {
      my_bool on = 1;
      mysql_optionsv(conn_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    }
    mysql_optionsv(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_optionsv(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    my_bool reconnect = 0;  // reconnecting is ours to do: the driver's would lose session settings
    mysql_optionsv(conn_, MYSQL_OPT_RECONNECT, &reconnect);
    const char* host = url_.host.empty() ? "127.0.0.1" : url_.host.c_str();
    const unsigned port = url_.port != 0 ? url_.port : 3306;
    if (mysql_real_connect(conn_, host, url_.user.c_str(), url_.password.c_str(),
                           url_.database.c_str(), port, socket.empty() ? nullptr : socket.c_str(),
                           CLIENT_FOUND_ROWS) == nullptr) {
      return connectionError("connect to " + url_.redacted());
    }
    for (std::string_view sql : connectionSetupSql(Dialect::Mysql)) {
      if (auto st = simple(sql); !st) return st;
    }
    const auto seconds = std::max<std::int64_t>(
        1, (options_.busy_timeout.count() + 999) / 1000);  // the server counts whole seconds
    return simple("SET SESSION innodb_lock_wait_timeout = " + std::to_string(seconds));
  }

  // Reconnects a connection found broken.
  Status ensureConnected() {
    if (conn_ != nullptr && !broken_) return {};
    return connect();
  }

  Error connectionError(std::string_view what) const {
    const unsigned err = conn_ != nullptr ? mysql_errno(conn_) : 0;
    const std::string text = conn_ != nullptr ? mysql_error(conn_) : "no connection";
    return makeError(codeForErrno(err),
                     "mysql " + std::string(what) + " [" + std::to_string(err) +
                         "]: " + scrubPassword(redactMysqlMessage(text), url_.password));
  }

  // Takes the cross-process write lock; "busy" when another session holds it past the timeout.
  Status lockWrites() {
    const double seconds = static_cast<double>(options_.busy_timeout.count()) / 1000.0;
    auto got = doQuery("SELECT GET_LOCK(LEFT(CONCAT(?, DATABASE()), 64), ?)",
                       std::initializer_list<Value>{std::string(MysqlDatabase::kWriteLockName),
                                                    std::ceil(seconds)});
    if (!got) return got.error();
    if (got->empty() || got->front().isNull(0) || got->front().int64(0) != 1) {
      return makeError(ErrorCode::Busy,
                       "mysql: the write lock was not granted within the busy timeout");
    }
    return {};
  }

  void unlockWrites() {
    if (conn_ == nullptr || broken_) return;
    // Runs from a destructor, with no caller to tell. RELEASE_LOCK fails only when the connection
    // is lost, which marks it broken; the server frees a session's named locks when it ends.
    (void)doQuery("SELECT RELEASE_LOCK(LEFT(CONCAT(?, DATABASE()), 64))",
                  std::initializer_list<Value>{std::string(MysqlDatabase::kWriteLockName)});
  }

  // START TRANSACTION and COMMIT run as plain statements (not every server prepares them).
  Status begin() {
    if (auto st = simple(beginWriteTransactionSql(Dialect::Mysql)); !st) return st;
    in_transaction_ = true;
    return {};
  }
  Status commit() {
    Status st = simple("COMMIT");
    if (st) in_transaction_ = false;
    return st;
  }
  void rollbackIfOpen() {
    // Runs from a destructor, with no caller to tell. ROLLBACK fails only when the connection is
    // lost, which marks it broken; the server rolls back a session's transaction when it ends.
    if (in_transaction_ && conn_ != nullptr && !broken_) (void)simple("ROLLBACK");
    in_transaction_ = false;
  }

 private:
  struct CachedStatement {
    MYSQL_STMT* stmt;
    std::list<std::string>::iterator lru;
  };

  void close() {
    for (auto& [sql, cached] : statements_) mysql_stmt_close(cached.stmt);
    statements_.clear();
    lru_.clear();
    if (conn_ != nullptr) mysql_close(conn_);
    conn_ = nullptr;
    broken_ = false;
  }

  // Runs a trusted statement without parameters (session settings, ROLLBACK).
  Status simple(std::string_view sql) {
    if (mysql_real_query(conn_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
      return failed("query");
    }
    if (MYSQL_RES* res = mysql_store_result(conn_)) mysql_free_result(res);
    return {};
  }

  Error failed(std::string_view what) {
    if (isConnectionLost(mysql_errno(conn_))) broken_ = true;
    return connectionError(what);
  }

  Error statementError(MYSQL_STMT* stmt) {
    const unsigned err = mysql_stmt_errno(stmt);
    if (isConnectionLost(err)) broken_ = true;
    return makeError(codeForErrno(err),
                     "mysql [" + std::to_string(err) + "]: " +
                         scrubPassword(redactMysqlMessage(mysql_stmt_error(stmt)), url_.password));
  }

  // The cached prepared statement for `sql`, preparing it on a miss.
  Result<MYSQL_STMT*> prepared(std::string_view sql) {
    const std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.stmt;
    }
    MYSQL_STMT* stmt = mysql_stmt_init(conn_);
    if (stmt == nullptr) return failed("prepare");
    if (mysql_stmt_prepare(stmt, key.data(), static_cast<unsigned long>(key.size())) != 0) {
      Error e = statementError(stmt);
      mysql_stmt_close(stmt);
      return e;
    }
    my_bool update_max = 1;
    mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
    if (options_.statement_cache_size == 0) {
      // Uncached statements are closed by run() after use.
      return stmt;
    }
    while (statements_.size() >= options_.statement_cache_size && !lru_.empty()) {
      auto old = statements_.find(lru_.back());
      mysql_stmt_close(old->second.stmt);
      statements_.erase(old);
      lru_.pop_back();
    }
    lru_.push_front(key);
    statements_.emplace(key, CachedStatement{stmt, lru_.begin()});
    return stmt;
  }

  // Runs one statement; on a lost connection outside a transaction, reconnects and retries once.
  Status run(std::string_view sql, Params params, Rows* rows, std::int64_t* changed,
             std::int64_t* inserted) {
    if (auto st = ensureConnected(); !st) return st;
    Status st = runOnce(sql, params, rows, changed, inserted);
    if (st || !broken_ || in_transaction_) return st;
    if (auto re = connect(); !re) return re;
    if (rows != nullptr) rows->clear();
    return runOnce(sql, params, rows, changed, inserted);
  }

  Status runOnce(std::string_view sql, Params params, Rows* rows, std::int64_t* changed,
                 std::int64_t* inserted) {
    auto stmt_or = prepared(sql);
    if (!stmt_or) return stmt_or.error();
    MYSQL_STMT* stmt = *stmt_or;
    struct Closer {
      MYSQL_STMT* stmt;
      bool owned;
      ~Closer() {
        if (owned) mysql_stmt_close(stmt);
      }
    } closer{stmt, options_.statement_cache_size == 0};

    if (mysql_stmt_param_count(stmt) != params.size()) {
      return makeError(ErrorCode::DbError, "mysql: statement expects " +
                                               std::to_string(mysql_stmt_param_count(stmt)) +
                                               " parameters, got " + std::to_string(params.size()));
    }
    std::vector<MYSQL_BIND> binds(params.size());
    std::vector<std::int64_t> ints(params.size());
    std::vector<double> reals(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& b = binds[i];
      std::memset(&b, 0, sizeof b);
      const Value& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) {
        b.buffer_type = MYSQL_TYPE_NULL;
      } else if (const auto* iv = std::get_if<std::int64_t>(&v)) {
        ints[i] = *iv;
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[i];
      } else if (const auto* d = std::get_if<double>(&v)) {
        reals[i] = *d;
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &reals[i];
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = const_cast<char*>(s->data());
        b.buffer_length = static_cast<unsigned long>(s->size());
      } else if (const auto* blob = std::get_if<Blob>(&v)) {
        b.buffer_type = MYSQL_TYPE_BLOB;
        b.buffer = const_cast<std::uint8_t*>(blob->bytes.data());
        b.buffer_length = static_cast<unsigned long>(blob->bytes.size());
      }
    }
    if (!binds.empty() && mysql_stmt_bind_param(stmt, binds.data()) != 0) {
      return statementError(stmt);
    }
    if (mysql_stmt_execute(stmt) != 0) return statementError(stmt);
    if (changed != nullptr) *changed = static_cast<std::int64_t>(mysql_stmt_affected_rows(stmt));
    if (inserted != nullptr) *inserted = static_cast<std::int64_t>(mysql_stmt_insert_id(stmt));

    MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
    if (meta == nullptr) return {};
    struct MetaFree {
      MYSQL_RES* meta;
      MYSQL_STMT* stmt;
      ~MetaFree() {
        mysql_stmt_free_result(stmt);
        mysql_free_result(meta);
      }
    } meta_free{meta, stmt};
    if (mysql_stmt_store_result(stmt) != 0) return statementError(stmt);
    return fetchRows(stmt, meta, rows);
  }

  Status fetchRows(MYSQL_STMT* stmt, MYSQL_RES* meta, Rows* rows) {
    const unsigned ncols = mysql_num_fields(meta);
    const MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    std::vector<MYSQL_BIND> out(ncols);
    std::vector<std::vector<char>> buffers(ncols);
    std::vector<std::int64_t> ints(ncols);
    std::vector<double> reals(ncols);
    std::vector<unsigned long> lengths(ncols);
    std::vector<my_bool> nulls(ncols);
    std::vector<my_bool> errors(ncols);
    for (unsigned c = 0; c < ncols; ++c) {
      MYSQL_BIND& b = out[c];
      std::memset(&b, 0, sizeof b);
      b.length = &lengths[c];
      b.is_null = &nulls[c];
      b.error = &errors[c];
      if (isIntegerType(fields[c].type)) {
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[c];
      } else if (isFloatType(fields[c].type)) {
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &reals[c];
      } else {
        buffers[c].resize(std::max<unsigned long>(fields[c].max_length, 64) + 1);
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = buffers[c].data();
        b.buffer_length = static_cast<unsigned long>(buffers[c].size());
      }
    }
    if (mysql_stmt_bind_result(stmt, out.data()) != 0) return statementError(stmt);
    for (;;) {
      const int rc = mysql_stmt_fetch(stmt);
      if (rc == MYSQL_NO_DATA) break;
      if (rc == 1) return statementError(stmt);
      std::vector<Value> row;
      row.reserve(ncols);
      for (unsigned c = 0; c < ncols; ++c) {
        if (nulls[c] != 0) {
          row.emplace_back(nullptr);
          continue;
        }
        if (isIntegerType(fields[c].type)) {
          row.emplace_back(ints[c]);
          continue;
        }
        if (isFloatType(fields[c].type)) {
          row.emplace_back(reals[c]);
          continue;
        }
        std::string_view text;
        std::vector<char> big;
        if (lengths[c] > out[c].buffer_length) {
          // Truncated (max_length was not known for this column): fetch the whole value.
          big.resize(lengths[c]);
          MYSQL_BIND whole;
          std::memset(&whole, 0, sizeof whole);
          whole.buffer_type = MYSQL_TYPE_STRING;
          whole.buffer = big.data();
          whole.buffer_length = lengths[c];
          unsigned long got = 0;
          whole.length = &got;
          if (mysql_stmt_fetch_column(stmt, &whole, c, 0) != 0) return statementError(stmt);
          text = std::string_view(big.data(), got);
        } else {
          text = std::string_view(buffers[c].data(), lengths[c]);
        }
        if (isDecimalType(fields[c].type)) {
          row.emplace_back(decimalValue(text));
        } else if (fields[c].charsetnr == kBinaryCharset && fields[c].type != MYSQL_TYPE_NULL) {
          row.emplace_back(Blob{std::vector<std::uint8_t>(text.begin(), text.end())});
        } else {
          row.emplace_back(std::string(text));
        }
      }
      if (rows != nullptr) rows->emplace_back(std::move(row));
    }
    return {};
  }

  Result<Rows> doQuery(std::string_view sql, Params params) override {
    Rows rows;
    if (auto st = run(sql, params, &rows, nullptr, nullptr); !st) return st.error();
    return rows;
  }

  Result<std::int64_t> doExecute(std::string_view sql, Params params) override {
    std::int64_t changed = 0;
    if (auto st = run(sql, params, nullptr, &changed, nullptr); !st) return st.error();
    return changed;
  }

  Result<std::int64_t> doInsert(std::string_view sql, Params params) override {
    std::int64_t changed = 0;
    std::int64_t id = 0;
    if (auto st = run(sql, params, nullptr, &changed, &id); !st) return st.error();
    // An insert skipped by INSERT IGNORE reports no row and no id.
    return changed == 0 ? std::int64_t{0} : id;
  }

  Status doExecuteScript(std::string_view sql) override {
    if (auto st = ensureConnected(); !st) return st;
    if (mysql_set_server_option(conn_, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0) {
      return failed("script");
    }
    struct MultiOff {
      MYSQL* conn;
      ~MultiOff() { mysql_set_server_option(conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF); }
    } off{conn_};
    if (mysql_real_query(conn_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
      return failed("script");
    }
    for (;;) {
      if (MYSQL_RES* res = mysql_store_result(conn_)) mysql_free_result(res);
      const int next = mysql_next_result(conn_);
      if (next == -1) break;
      if (next > 0) return failed("script");
    }
    return {};
  }

  DatabaseUrl url_;
  DatabaseOptions options_;
  MYSQL* conn_ = nullptr;
  bool broken_ = false;
  bool in_transaction_ = false;
  std::unordered_map<std::string, CachedStatement> statements_;
  std::list<std::string> lru_;
};

Result<std::unique_ptr<MysqlDatabase>> MysqlDatabase::open(const DatabaseUrl& url,
                                                           const DatabaseOptions& options) {
  const auto size = static_cast<std::size_t>(std::max(1, options.pool_size));
  std::deque<std::unique_ptr<MysqlConnection>> conns;
  for (std::size_t i = 0; i < size; ++i) {
    auto c = std::make_unique<MysqlConnection>(url, options);
    if (auto st = c->connect(); !st) return st.error();
    conns.push_back(std::move(c));
  }
  auto pool = std::make_unique<Pool>(std::move(conns), options.busy_timeout, "mysql");
  return std::unique_ptr<MysqlDatabase>(new MysqlDatabase(std::move(pool), size));
}

MysqlDatabase::MysqlDatabase(std::unique_ptr<Pool> pool, std::size_t size)
    : pool_(std::move(pool)), pool_size_(size) {}

MysqlDatabase::~MysqlDatabase() = default;

Status MysqlDatabase::withConnection(const std::function<Status(Connection&)>& body) {
  auto lease = pool_->borrow();
  if (!lease) return lease.error();
  MysqlConnection& conn = **lease;
  if (auto st = conn.ensureConnected(); !st) return st;
  return body(conn);
}

Status MysqlDatabase::transaction(const std::function<Status(Connection&)>& body) {
  auto lease = pool_->borrow();
  if (!lease) return lease.error();
  MysqlConnection& conn = **lease;
  if (auto st = conn.ensureConnected(); !st) return st;
  // Taken before the transaction and outside it, so a connection dropped since its last use is
  // reconnected and the statement retried.
  if (auto st = conn.lockWrites(); !st) return st;
  // Rolls back and releases the lock when the body throws or fails, so a connection never
  // returns to the pool mid-transaction or still holding the lock.
  struct Guard {
    MysqlConnection& conn;
    ~Guard() {
      conn.rollbackIfOpen();
      conn.unlockWrites();
    }
  } guard{conn};
  if (auto begun = conn.begin(); !begun) return begun;
  Status st = body(conn);
  if (!st) return st;
  return conn.commit();
}

}  // namespace poise::storage
