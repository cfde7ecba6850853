#include "storage/request_log_repository.h"

#include <algorithm>
#include <array>
#include <map>

#include "storage/limits.h"

namespace poise::storage {

namespace {

constexpr std::string_view kInsertColumns =
    "created_at, request_id, token_id, token_name, protocol, route, method, path, model, "
    "is_stream, status, attempts, keys_tried, latency_ms, ttfb_ms, prompt_tokens, "
    "completion_tokens, thought_tokens, cached_tokens, error_class, error_message, client_ip, "
    "user_agent, request_body, response_body";
constexpr std::size_t kInsertColumnCount = 25;
// The columns' array types for a PostgreSQL unnest insert, in kInsertColumns order (bigint
// elements are assigned to the integer and smallint columns).
constexpr std::array<std::string_view, kInsertColumnCount> kInsertArrayTypes = {
    "text[]",   "text[]",   "bigint[]", "text[]",   "text[]",   "text[]", "text[]",
    "text[]",   "text[]",   "bigint[]", "bigint[]", "bigint[]", "text[]", "bigint[]",
    "bigint[]", "bigint[]", "bigint[]", "bigint[]", "bigint[]", "text[]", "text[]",
    "text[]",   "text[]",   "text[]",   "text[]"};
constexpr std::array<std::string_view, 2> kKeyArrayTypes = {"bigint[]", "bigint[]"};

constexpr std::string_view kColumns =
    "SELECT id, created_at, request_id, token_id, token_name, protocol, route, method, path, "
    "model, is_stream, status, attempts, keys_tried, latency_ms, ttfb_ms, prompt_tokens, "
    "completion_tokens, thought_tokens, cached_tokens, error_class, error_message, client_ip, "
    "user_agent, ";

// The row's columns; a listing (bodies = false) never reads the captured bodies.
std::string selectSql(bool bodies) {
  return std::string(kColumns) + (bodies ? "request_body, response_body" : "NULL, NULL") +
         " FROM request_logs";
}

// A listing's columns (no bodies, as selectSql(false)) read from the alias `r`: the page's rows,
// joined to the page's ids.
std::string selectFromAlias() {
  std::string_view columns = kColumns.substr(7);     // after "SELECT "
  columns = columns.substr(0, columns.rfind(", "));  // without the trailing ", "
  std::string out = "SELECT ";
  std::size_t start = 0;
  while (start < columns.size()) {
    const std::size_t comma = std::min(columns.find(", ", start), columns.size());
    if (start > 0) out += ", ";
    out.append("r.").append(columns.substr(start, comma - start));
    start = comma + 2;
  }
  return out + ", NULL, NULL FROM request_logs r";
}

// An equality filter that has an (column, id) index.
struct IndexedFilter {
  IndexedFilter(std::string_view c, std::string_view i, Value v)
      : column(c), index(i), value(std::move(v)) {}
  std::string_view column;
  std::string_view index;  // its name on MySQL (migrations 0006 and 0009)
  Value value;
};

// The filter's indexed equalities, most selective first as a rule: the token, a status class
// other than success, the model, the protocol, success. The status class is an equality on the
// stored class: its index yields rows in id order, where a status range would gather every row
// of the class and sort them.
std::vector<IndexedFilter> indexedFilters(const RequestLogFilter& f) {
  std::vector<IndexedFilter> out;
  const bool success_class = f.status_class && *f.status_class == 2;
  if (f.token_id) out.emplace_back("token_id", "idx_request_logs_token_id", *f.token_id);
  if (f.status_class && !success_class) {
    out.emplace_back("status_class", "idx_request_logs_status_class_id",
                     std::int64_t{*f.status_class});
  }
  if (f.model) out.emplace_back("model", "idx_request_logs_model_id", *f.model);
  if (f.protocol) out.emplace_back("protocol", "idx_request_logs_protocol_id", *f.protocol);
  if (success_class) {
    out.emplace_back("status_class", "idx_request_logs_status_class_id", std::int64_t{2});
  }
  return out;
}

// MySQL: the candidates' SELECT … FROM, driven by the created_at index (range_first) or the
// first indexed filter, with each other indexed filter looked up by id in its own index (index
// only). Appends their values to `params`.
std::string joinedFrom(const std::vector<IndexedFilter>& indexed, bool range_first,
                       std::vector<Value>& params) {
  std::string from =
      "SELECT STRAIGHT_JOIN d.id FROM request_logs d FORCE INDEX (" +
      std::string(range_first ? "idx_request_logs_created_at" : indexed.front().index) + ")";
  for (std::size_t i = range_first ? 0 : 1; i < indexed.size(); ++i) {
    const std::string alias = "j" + std::to_string(i);
    from.append(" JOIN request_logs ").append(alias).append(" FORCE INDEX (");
    from.append(indexed[i].index).append(") ON ").append(alias).append(".");
    from.append(indexed[i].column).append(" = ? AND ").append(alias).append(".id = d.id");
    params.push_back(indexed[i].value);
  }
  return from;
}

void appendValues(const RequestLogRow& r, std::vector<Value>& out) {
  out.push_back(timestampValue(r.created_at));
  out.emplace_back(truncateUtf8(r.request_id, kMaxLogRequestIdBytes));
  out.emplace_back(r.token_id);
  out.emplace_back(truncateUtf8(r.token_name, kMaxLogNameBytes));
  out.emplace_back(truncateUtf8(r.protocol, kMaxLogShortBytes));
  out.emplace_back(truncateUtf8(r.route, kMaxLogNameBytes));
  out.emplace_back(truncateUtf8(r.method, kMaxLogShortBytes));
  out.emplace_back(truncateUtf8(r.path, kMaxLogPathBytes));
  out.emplace_back(truncateUtf8(r.model, kMaxLogNameBytes));
  out.emplace_back(std::int64_t{r.stream ? 1 : 0});
  out.emplace_back(std::int64_t{r.status});
  out.emplace_back(std::int64_t{r.attempts});
  out.emplace_back(truncateUtf8(r.keys_tried, kMaxLogKeysTriedBytes));
  out.emplace_back(r.latency_ms);
  out.push_back(nullableValue(r.ttfb_ms));
  out.emplace_back(r.prompt_tokens);
  out.emplace_back(r.completion_tokens);
  out.emplace_back(r.thought_tokens);
  out.emplace_back(r.cached_tokens);
  out.emplace_back(truncateUtf8(r.error_class, kMaxLogErrorClassBytes));
  out.emplace_back(truncateUtf8(r.error_message, kMaxLogErrorMessageBytes));
  out.emplace_back(truncateUtf8(r.client_ip, kMaxLogIpBytes));
  out.emplace_back(truncateUtf8(r.user_agent, kMaxLogUserAgentBytes));
  out.push_back(nullableValue(r.request_body));
  out.push_back(nullableValue(r.response_body));
}

RequestLogRow toRow(const Row& r) {
  RequestLogRow out;
  out.id = r.int64(0);
  out.created_at = r.time(1);
  out.request_id = r.text(2);
  out.token_id = r.int64(3);
  out.token_name = r.text(4);
  out.protocol = r.text(5);
  out.route = r.text(6);
  out.method = r.text(7);
  out.path = r.text(8);
  out.model = r.text(9);
  out.stream = r.int64(10) != 0;
  out.status = static_cast<int>(r.int64(11));
  out.attempts = static_cast<int>(r.int64(12));
  out.keys_tried = r.text(13);
  out.latency_ms = r.int64(14);
  out.ttfb_ms = r.optionalInt64(15);
  out.prompt_tokens = r.int64(16);
  out.completion_tokens = r.int64(17);
  out.thought_tokens = r.int64(18);
  out.cached_tokens = r.int64(19);
  out.error_class = r.text(20);
  out.error_message = r.text(21);
  out.client_ip = r.text(22);
  out.user_agent = r.text(23);
  out.request_body = r.optionalText(24);
  out.response_body = r.optionalText(25);
  return out;
}

std::vector<std::int64_t> distinctKeyIds(const RequestLogRow& r) {
  std::vector<std::int64_t> ids = r.key_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

Status RequestLogRepository::appendChunk(Connection& c, std::span<const RequestLogRow> rows) {
  std::vector<Value> params;
  params.reserve(rows.size() * kInsertColumnCount);
  for (const RequestLogRow& r : rows) appendValues(r, params);
  const bool postgres = c.dialect() == Dialect::Postgres;
  std::string sql = "INSERT INTO request_logs (" + std::string(kInsertColumns) + ") ";
  if (postgres) {
    // One statement of 25 array parameters for the whole batch (see postgresUnnestSelect).
    UnnestSelect bulk = postgresUnnestSelect(params, kInsertArrayTypes);
    sql += bulk.sql;
    params = std::move(bulk.params);
  } else {
    sql += "VALUES " + placeholderRows(rows.size(), kInsertColumnCount);
  }

  // The key ids need each new row's id; they are matched to the rows by request id: for a
  // request id that occurs k times in the chunk, its newest k ids are this chunk's rows, in
  // order (a multi-row INSERT numbers its rows in VALUES order).
  std::map<std::string, std::vector<std::size_t>> wanted;  // request id → chunk indexes
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].key_ids.empty()) {
      wanted[truncateUtf8(rows[i].request_id, kMaxLogRequestIdBytes)].push_back(i);
    }
  }
  Result<Rows> found = Rows{};
  if (c.dialect() != Dialect::Mysql) {
    // SQLite and PostgreSQL report the new rows' ids with the INSERT itself (in no promised
    // order, hence the request ids).
    sql += " RETURNING id, request_id";
    found = c.query(sql, params);
    if (!found) return found.error();
    if (wanted.empty()) return {};
  } else {
    // MySQL reports no ids for a multi-row INSERT: the rows are read back by request id inside
    // this transaction, above the newest id before the chunk (a primary key range, so the
    // read-back's cost does not grow with the table). (A client-chosen request id written at the
    // same instant by another gateway process could swap two rows' keys; nothing else can.)
    auto newest = c.query("SELECT COALESCE(MAX(id), 0) FROM request_logs");
    if (!newest) return newest.error();
    const std::int64_t newest_before = newest->front().int64(0);
    if (auto st = c.execute(sql, params); !st) return st.error();
    if (wanted.empty()) return {};
    std::vector<Value> ids_params;
    ids_params.reserve(wanted.size() + 1);
    ids_params.emplace_back(newest_before);
    for (const auto& [request_id, _] : wanted) ids_params.emplace_back(request_id);
    found = c.query("SELECT id, request_id FROM request_logs WHERE id > ? AND request_id IN (" +
                        placeholderList(wanted.size()) + ") ORDER BY id",
                    ids_params);
    if (!found) return found.error();
  }
  std::map<std::string, std::vector<std::int64_t>> ids_by_request;
  for (const Row& row : *found) ids_by_request[row.text(1)].push_back(row.int64(0));
  for (auto& [_, ids] : ids_by_request) std::sort(ids.begin(), ids.end());

  std::vector<Value> key_params;
  std::size_t key_rows = 0;
  const auto flushKeys = [&]() -> Status {
    if (key_rows == 0) return {};
    std::string key_sql = "INSERT INTO request_log_keys (log_id, key_id) ";
    if (postgres) {
      UnnestSelect bulk = postgresUnnestSelect(key_params, kKeyArrayTypes);
      key_sql += bulk.sql;
      key_params = std::move(bulk.params);
    } else {
      key_sql += "VALUES " + placeholderRows(key_rows, 2);
    }
    auto st = c.execute(key_sql, key_params);
    key_params.clear();
    key_rows = 0;
    if (!st) return st.error();
    return {};
  };
  for (const auto& [request_id, indexes] : wanted) {
    const auto& ids = ids_by_request[request_id];
    if (ids.size() < indexes.size()) {
      return makeError(ErrorCode::DbError, "request log rows not found after insert");
    }
    const std::size_t first = ids.size() - indexes.size();
    for (std::size_t j = 0; j < indexes.size(); ++j) {
      for (std::int64_t key_id : distinctKeyIds(rows[indexes[j]])) {
        key_params.emplace_back(ids[first + j]);
        key_params.emplace_back(key_id);
        if (++key_rows == kRowsPerInsert * 10 && !postgres) {
          if (auto st = flushKeys(); !st) return st;
        }
      }
    }
  }
  return flushKeys();
}

Status RequestLogRepository::appendBatch(std::span<const RequestLogRow> rows) {
  if (rows.empty()) return {};
  return db_.transaction([&](Connection& c) -> Status {
    // PostgreSQL takes the batch in one statement of array parameters, whatever its size.
    const std::size_t chunk = c.dialect() == Dialect::Postgres ? rows.size() : kRowsPerInsert;
    for (std::size_t start = 0; start < rows.size(); start += chunk) {
      const std::size_t n = std::min(chunk, rows.size() - start);
      if (auto st = appendChunk(c, rows.subspan(start, n)); !st) return st;
    }
    return {};
  });
}

Result<std::int64_t> RequestLogRepository::upperId(std::optional<std::int64_t> before_id) {
  if (before_id) return *before_id;
  auto newest = db_.query("SELECT COALESCE(MAX(id), 0) FROM request_logs");
  if (!newest) return newest.error();
  return newest->front().int64(0) + 1;
}

Result<bool> RequestLogRepository::rangeFirst(const RequestLogFilter& f,
                                              std::optional<std::int64_t> before_id) {
  // SQLite already reads a closed range from its index; an open one (since only) starts at the
  // newest rows, where the primary key is the right way in.
  if (db_.dialect() == Dialect::Sqlite || !f.since || !f.until) return false;
  // Where the range lies in id order, from two steps down the created_at index (ids follow time
  // closely but not exactly: this only chooses the plan, it bounds nothing).
  const auto firstIdFrom = [&](TimePoint t) -> Result<std::optional<std::int64_t>> {
    auto r =
        db_.query("SELECT id FROM request_logs WHERE created_at >= ? ORDER BY created_at LIMIT 1",
                  {timestampValue(t)});
    if (!r) return r.error();
    if (r->empty()) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>(r->front().int64(0));
  };
  auto range_end = firstIdFrom(*f.until);
  if (!range_end) return range_end.error();
  if (!*range_end) return false;  // nothing newer than the range
  auto range_start = firstIdFrom(*f.since);
  if (!range_start) return range_start.error();
  auto top = upperId(before_id);
  if (!top) return top.error();
  const std::int64_t newer = *top - **range_end;
  const std::int64_t inside = **range_end - range_start->value_or(**range_end);
  return newer > inside;
}

Result<RequestLogSlice> RequestLogRepository::query(const RequestLogFilter& f,
                                                    std::optional<std::int64_t> before_id,
                                                    int limit) {
  if (auto st = checkPage(1, limit); !st) return st.error();
  if (f.status_class && (*f.status_class < 1 || *f.status_class > 5)) {
    return makeError(ErrorCode::InvalidArgument, "status class must be 1 to 5");
  }
  auto fence = rangeFirst(f, before_id);
  if (!fence) return fence.error();
  const std::vector<IndexedFilter> indexed = indexedFilters(f);
  // MySQL/MariaDB with two indexed filters (the closed range read first counts as one): one
  // index drives the scan and each other indexed filter is looked up in its own index by id (a
  // self-join that reads no row). Left to itself MariaDB intersects the indexes' whole ranges and
  // sorts (model + token + success: 14.6 s at 5 M rows) or reads every candidate's row to check
  // the others (time range + 5xx: 2.4 s). Not with the key or request id, which the optimizer
  // already takes as the way in.
  const bool joined = db_.dialect() == Dialect::Mysql && !f.key_id && !f.request_id &&
                      indexed.size() + (*fence ? 1 : 0) >= 2;
  std::vector<Value> params;
  const std::string from =
      joined ? joinedFrom(indexed, *fence, params) : "SELECT d.id FROM request_logs d";
  std::string where = " WHERE 1 = 1";
  const auto add = [&](std::string_view clause, Value v) {
    where.append(" AND d.").append(clause);
    params.push_back(std::move(v));
  };
  if (f.since) add("created_at >= ?", timestampValue(*f.since));
  if (f.until) add("created_at < ?", timestampValue(*f.until));
  if (f.key_id) add("id IN (SELECT log_id FROM request_log_keys WHERE key_id = ?)", *f.key_id);
  for (std::size_t i = 0; i < indexed.size(); ++i) {
    if (joined && (*fence || i > 0)) continue;  // looked up in its own index above
    add(std::string(indexed[i].column) + " = ?", indexed[i].value);
  }
  if (f.stream) add("is_stream = ?", std::int64_t{*f.stream ? 1 : 0});
  if (f.min_latency_ms) add("latency_ms >= ?", *f.min_latency_ms);
  if (f.error_text && !f.error_text->empty()) {
    add("error_message " + std::string(caseInsensitiveLike(db_.dialect())) + " ?" +
            std::string(kLikeEscapeClause),
        "%" + escapeLikePattern(*f.error_text) + "%");
  }
  if (f.request_id) add("request_id = ?", *f.request_id);
  if (before_id) add("id < ?", *before_id);
  // Filters checked row by row, and two indexed filters together (no index serves the pair in
  // id order: a rare or absent pair would read every row of the driving index, 0.2-0.7 s at 5 M
  // rows), look through one window of ids per page (see the header). Not with the key or request
  // id, nor with a closed range read first: those bound the rows looked at.
  std::optional<std::int64_t> window_floor;
  const bool combined = indexed.size() >= 2 && !f.key_id && !f.request_id && !*fence;
  if (combined || f.stream || f.min_latency_ms || (f.error_text && !f.error_text->empty())) {
    auto upper = upperId(before_id);
    if (!upper) return upper.error();
    if (*upper - scan_window_ > 1) {
      window_floor = *upper - scan_window_;
      add("id >= ?", *window_floor);
    }
  }
  // One row more than asked says whether another page follows.
  params.emplace_back(std::int64_t{limit} + 1);
  // Deferred join: the filters pick the page's ids first (from an index alone when the filters'
  // columns are indexed: no row is read for the candidates that the limit leaves out), then the
  // page's rows are read by id. A derived table, since MySQL refuses LIMIT in an IN subquery.
  static const std::string select_page = selectFromAlias();
  std::string candidates = from + where;
  std::string_view order_column = "d.id";
  if (*fence) {
    order_column = "id";
    // Read the time range from the created_at index, then keep its newest ids: the planners of
    // PostgreSQL and MariaDB would otherwise walk the primary key down from the newest row,
    // expecting matches soon, through every row newer than the range (2-5 s at 5 M rows). The
    // derived table is kept whole by OFFSET 0 (PostgreSQL) or a LIMIT (MySQL).
    candidates =
        "SELECT id FROM (" + candidates +
        (db_.dialect() == Dialect::Postgres ? " OFFSET 0" : " LIMIT 18446744073709551615") +
        ") in_range";
  }
  auto rows =
      db_.query(select_page + " JOIN (" + candidates + " ORDER BY " + std::string(order_column) +
                    " DESC LIMIT ?) page ON r.id = page.id ORDER BY r.id DESC",
                params);
  if (!rows) return rows.error();
  RequestLogSlice out;
  const bool more = rows->size() > static_cast<std::size_t>(limit);
  if (more) rows->pop_back();
  out.items.reserve(rows->size());
  for (const Row& r : *rows) out.items.push_back(toRow(r));
  if (more) {
    out.next_cursor = out.items.back().id;
  } else if (window_floor) {
    // The window ran out before the page filled: go on below it if any row is there.
    auto older = db_.query("SELECT id FROM request_logs WHERE id < ? ORDER BY id DESC LIMIT 1",
                           {*window_floor});
    if (!older) return older.error();
    if (!older->empty()) out.next_cursor = *window_floor;
  }
  // The key ids of the page, in one read.
  if (!out.items.empty()) {
    std::vector<Value> ids;
    for (const auto& item : out.items) ids.emplace_back(item.id);
    auto keys = db_.query("SELECT log_id, key_id FROM request_log_keys WHERE log_id IN (" +
                              placeholderList(ids.size()) + ") ORDER BY log_id, key_id",
                          ids);
    if (!keys) return keys.error();
    std::map<std::int64_t, std::vector<std::int64_t>> by_log;
    for (const Row& r : *keys) by_log[r.int64(0)].push_back(r.int64(1));
    for (auto& item : out.items) item.key_ids = std::move(by_log[item.id]);
  }
  return out;
}

Result<std::optional<RequestLogRow>> RequestLogRepository::get(std::int64_t id) {
  auto rows = db_.query(selectSql(true) + " WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<RequestLogRow>{};
  RequestLogRow row = toRow(rows->front());
  auto keys =
      db_.query("SELECT key_id FROM request_log_keys WHERE log_id = ? ORDER BY key_id", {id});
  if (!keys) return keys.error();
  for (const Row& r : *keys) row.key_ids.push_back(r.int64(0));
  return std::optional<RequestLogRow>(std::move(row));
}

Result<std::int64_t> RequestLogRepository::prune(const RequestLogPruneOptions& o) {
  if (o.batch < 1) return makeError(ErrorCode::InvalidArgument, "batch must be >= 1");
  if (o.max_rows && *o.max_rows < 0) {
    return makeError(ErrorCode::InvalidArgument, "max_rows must be >= 0");
  }
  // The newest id beyond the count limit: it and every older row go.
  std::optional<std::int64_t> last_over_count;
  if (o.max_rows) {
    auto r =
        db_.query("SELECT id FROM request_logs ORDER BY id DESC LIMIT 1 OFFSET ?", {*o.max_rows});
    if (!r) return r.error();
    if (!r->empty()) last_over_count = r->front().int64(0);
  }
  if (!o.older_than && !last_over_count) return std::int64_t{0};

  std::string where;
  std::vector<Value> params;
  if (o.older_than) {
    where = "created_at < ?";
    params.push_back(timestampValue(*o.older_than));
  }
  if (last_over_count) {
    where += where.empty() ? "id <= ?" : " OR id <= ?";
    params.emplace_back(*last_over_count);
  }
  params.emplace_back(std::int64_t{o.batch});
  const std::string select = "SELECT id FROM request_logs WHERE " + where + " ORDER BY id LIMIT ?";

  std::int64_t deleted = 0;
  for (int round = 0; o.max_batches <= 0 || round < o.max_batches; ++round) {
    // Select the batch's ids first, then delete exactly those: portable on every dialect (MySQL
    // refuses LIMIT inside an IN subquery) and each transaction touches at most `batch` rows.
    auto ids = db_.query(select, params);
    if (!ids) return ids.error();
    if (ids->empty()) break;
    std::vector<Value> id_params;
    id_params.reserve(ids->size());
    for (const Row& r : *ids) id_params.emplace_back(r.int64(0));
    const std::string list = placeholderList(id_params.size());
    std::int64_t n = 0;
    auto st = db_.transaction([&](Connection& c) -> Status {
      if (auto k =
              c.execute("DELETE FROM request_log_keys WHERE log_id IN (" + list + ")", id_params);
          !k) {
        return k.error();
      }
      auto d = c.execute("DELETE FROM request_logs WHERE id IN (" + list + ")", id_params);
      if (!d) return d.error();
      n = *d;
      return {};
    });
    if (!st) return st.error();
    deleted += n;
    if (ids->size() < static_cast<std::size_t>(o.batch)) break;
  }
  return deleted;
}

}  // namespace poise::storage
