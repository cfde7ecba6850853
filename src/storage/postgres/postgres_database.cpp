#include "storage/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <utility>
#include <vector>

namespace poise::storage {
namespace {

// Type OIDs from pg_type (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

ErrorCode codeForSqlState(std::string_view state) {
  if (state == "23505") return ErrorCode::Conflict;
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014")
    return ErrorCode::Busy;
  return ErrorCode::DbError;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

Value cell(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col) != 0) return nullptr;
  const char* p = PQgetvalue(res, row, col);
  const auto n = static_cast<std::size_t>(PQgetlength(res, row, col));
  const std::string_view text(p, n);
  switch (PQftype(res, col)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      std::int64_t v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return v;
    }
    case kBoolOid:
      return std::int64_t{text == "t" ? 1 : 0};
    case kFloat4Oid:
    case kFloat8Oid: {
      double v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return v;
    }
    case kNumericOid: {
      // SUM() over BIGINT is NUMERIC: whole values read back as integers.
      if (text.find_first_of(".eEN") == std::string_view::npos) {
        std::int64_t v = 0;
        if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc{}) return v;
      }
      double v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return v;
    }
    case kByteaOid: {
      std::size_t len = 0;
      unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(p), &len);
      if (raw == nullptr) return Blob{};
      Blob b{std::vector<std::uint8_t>(raw, raw + len)};
      PQfreemem(raw);
      return b;
    }
    default:
      return std::string(text);
  }
}

}  // namespace

// One libpq connection. Used by one thread at a time (the pool ensures it).
class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, const DatabaseOptions& options, std::string password)
      : conn_(conn), options_(options), password_(std::move(password)) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Dialect dialect() const override { return Dialect::Postgres; }

  // Runs the per-connection settings (after connecting and after every reset).
  Status setup() {
    for (std::string_view sql : connectionSetupSql(Dialect::Postgres)) {
      if (auto st = runOnce(sql, {}, nullptr, nullptr); !st) return st;
    }
    const std::string lock_timeout =
        "SET lock_timeout = " + std::to_string(options_.busy_timeout.count());
    return runOnce(lock_timeout, {}, nullptr, nullptr);
  }

  // Reconnects a connection found broken. Returns an error when the server is still unreachable.
  Status ensureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return {};
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) return connectionError("reconnect");
    return setup();
  }

  bool inTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  bool transactionFailed() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

  void rollbackIfOpen() {
    if (PQstatus(conn_) == CONNECTION_OK && inTransaction()) {
      PgResult r(PQexec(conn_, "ROLLBACK"));
    }
  }

  Error connectionError(std::string_view what) const {
    return makeError(ErrorCode::DbError, "postgresql " + std::string(what) + ": " +
                                             scrubPassword(PQerrorMessage(conn_), password_));
  }

 private:
  // Runs one statement; on a broken connection outside a transaction, reconnects and retries once.
  Status run(std::string_view sql, Params params, Rows* rows, std::int64_t* changed) {
    const bool in_tx = inTransaction();
    Status st = runOnce(sql, params, rows, changed);
    // Two sessions racing on CREATE TABLE IF NOT EXISTS can both pass the existence check and
    // one then fails on the catalog's unique index; running it again is a no-op.
    if (!st && !in_tx && sql.starts_with("CREATE TABLE IF NOT EXISTS") &&
        (st.error().code == ErrorCode::Conflict ||
         st.error().message.find("[42P07]") != std::string::npos ||
         st.error().message.find("[42710]") != std::string::npos)) {
      st = runOnce(sql, params, rows, changed);
    }
    if (st || PQstatus(conn_) == CONNECTION_OK) return st;
    if (in_tx) return st;  // the transaction is lost; the caller sees the error
    if (auto re = ensureConnected(); !re) return re;
    if (rows != nullptr) rows->clear();
    return runOnce(sql, params, rows, changed);
  }

  Status runOnce(std::string_view sql, Params params, Rows* rows, std::int64_t* changed) {
    const std::string text = rewritePlaceholders(Dialect::Postgres, sql);
    const std::size_t n = params.size();
    std::vector<std::string> scratch(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    std::vector<Oid> types(n, 0);
    static const char kEmpty[1] = {0};
    for (std::size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      if (const auto* iv = std::get_if<std::int64_t>(&v)) {
        scratch[i] = std::to_string(*iv);
        values[i] = scratch[i].c_str();
        types[i] = kInt8Oid;
      } else if (const auto* d = std::get_if<double>(&v)) {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, *d);
        scratch[i].assign(buf, r.ptr);
        values[i] = scratch[i].c_str();
        types[i] = kFloat8Oid;
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        values[i] = s->c_str();
      } else if (const auto* b = std::get_if<Blob>(&v)) {
        values[i] = b->bytes.empty() ? kEmpty : reinterpret_cast<const char*>(b->bytes.data());
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;
        types[i] = kByteaOid;
      }
    }
    PgResult res(PQexecParams(conn_, text.c_str(), static_cast<int>(n), types.data(), values.data(),
                              lengths.data(), formats.data(), 0));
    if (!res) return connectionError("query");
    const ExecStatusType status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return resultError(res.get());
    if (rows != nullptr) {
      const int nrows = PQntuples(res.get());
      const int ncols = PQnfields(res.get());
      rows->reserve(rows->size() + static_cast<std::size_t>(nrows));
      for (int r = 0; r < nrows; ++r) {
        std::vector<Value> row;
        row.reserve(static_cast<std::size_t>(ncols));
        for (int c = 0; c < ncols; ++c) row.push_back(cell(res.get(), r, c));
        rows->emplace_back(std::move(row));
      }
    }
    if (changed != nullptr) {
      const char* tuples = PQcmdTuples(res.get());
      std::int64_t count = 0;
      std::from_chars(tuples, tuples + std::strlen(tuples), count);
      *changed = count;
    }
    return {};
  }

  Error resultError(const PGresult* res) const {
    if (PQstatus(conn_) != CONNECTION_OK) return connectionError("query");
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    std::string message = "postgresql";
    if (state != nullptr) message.append(" [").append(state).append("]");
    message.append(": ");
    message.append(primary != nullptr ? primary : PQresStatus(PQresultStatus(res)));
    return makeError(codeForSqlState(state != nullptr ? state : ""),
                     scrubPassword(std::move(message), password_));
  }

  Result<Rows> doQuery(std::string_view sql, Params params) override {
    Rows rows;
    if (auto st = run(sql, params, &rows, nullptr); !st) return st.error();
    return rows;
  }

  Result<std::int64_t> doExecute(std::string_view sql, Params params) override {
    std::int64_t changed = 0;
    if (auto st = run(sql, params, nullptr, &changed); !st) return st.error();
    return changed;
  }

  Result<std::int64_t> doInsert(std::string_view sql, Params params) override {
    std::string text(sql);
    text.append(insertReturningIdSuffix(Dialect::Postgres));
    Rows rows;
    if (auto st = run(text, params, &rows, nullptr); !st) return st.error();
    // An insert skipped by ON CONFLICT DO NOTHING returns no row.
    if (rows.empty()) return std::int64_t{0};
    return rows.front().int64(0);
  }

  Status doExecuteScript(std::string_view sql) override {
    const std::string script(sql);
    PgResult res(PQexec(conn_, script.c_str()));
    if (!res) return connectionError("script");
    const ExecStatusType status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return resultError(res.get());
    return {};
  }

  PGconn* conn_;
  DatabaseOptions options_;
  std::string password_;
};

namespace {

Result<std::unique_ptr<PostgresConnection>> openConnection(const DatabaseUrl& url,
                                                           const DatabaseOptions& options) {
  std::vector<std::pair<std::string, std::string>> kv;
  kv.emplace_back("host", url.host);
  if (url.port != 0) kv.emplace_back("port", std::to_string(url.port));
  if (!url.user.empty()) kv.emplace_back("user", url.user);
  if (!url.password.empty()) kv.emplace_back("password", url.password);
  kv.emplace_back("dbname", url.database);
  kv.emplace_back("client_encoding", "UTF8");
  kv.emplace_back("application_name", "gemini-poise");
  if (url.params.find("connect_timeout") == url.params.end()) {
    kv.emplace_back("connect_timeout", "10");
  }
  for (const auto& [k, v] : url.params) kv.emplace_back(k, v);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), 0);
  if (raw == nullptr) return makeError(ErrorCode::DbError, "postgresql connect: out of memory");
  // NOTICEs ("relation … already exists, skipping") are expected chatter, not log lines.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  auto conn = std::make_unique<PostgresConnection>(raw, options, url.password);
  if (PQstatus(raw) != CONNECTION_OK) {
    Error e = conn->connectionError("connect to " + url.redacted());
    return e;
  }
  if (auto st = conn->setup(); !st) return st.error();
  return conn;
}

}  // namespace

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::open(const DatabaseUrl& url,
                                                                 const DatabaseOptions& options) {
  const auto size = static_cast<std::size_t>(std::max(1, options.pool_size));
  std::deque<std::unique_ptr<PostgresConnection>> conns;
  for (std::size_t i = 0; i < size; ++i) {
    auto c = openConnection(url, options);
    if (!c) return c.error();
    conns.push_back(std::move(*c));
  }
  auto pool = std::make_unique<Pool>(std::move(conns), options.busy_timeout, "postgresql");
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(std::move(pool), size));
}

PostgresDatabase::PostgresDatabase(std::unique_ptr<Pool> pool, std::size_t size)
    : pool_(std::move(pool)), pool_size_(size) {}

PostgresDatabase::~PostgresDatabase() = default;

Status PostgresDatabase::withConnection(const std::function<Status(Connection&)>& body) {
  auto lease = pool_->borrow();
  if (!lease) return lease.error();
  PostgresConnection& conn = **lease;
  if (auto st = conn.ensureConnected(); !st) return st;
  return body(conn);
}

Status PostgresDatabase::transaction(const std::function<Status(Connection&)>& body) {
  auto lease = pool_->borrow();
  if (!lease) return lease.error();
  PostgresConnection& conn = **lease;
  if (auto st = conn.ensureConnected(); !st) return st;
  // BEGIN runs outside a transaction, so a connection dropped since its last use is retried.
  if (auto begun = conn.execute(beginWriteTransactionSql(Dialect::Postgres)); !begun) {
    return begun.error();
  }
  // Rolls back when the body throws or fails, so a connection never returns mid-transaction.
  struct RollbackGuard {
    PostgresConnection& conn;
    ~RollbackGuard() { conn.rollbackIfOpen(); }
  } guard{conn};
  if (auto locked = conn.query("SELECT pg_advisory_xact_lock(?)", {kWriteLockKey}); !locked) {
    return locked.error();
  }
  Status st = body(conn);
  if (!st) return st;
  // A statement failed but the body went on: PostgreSQL would turn COMMIT into a ROLLBACK.
  if (conn.transactionFailed()) {
    return makeError(ErrorCode::DbError, "postgresql: a statement in the transaction failed");
  }
  if (auto committed = conn.execute("COMMIT"); !committed) return committed.error();
  return {};
}

}  // namespace poise::storage
