// RequestLogRepository: the request log (tables request_logs and request_log_keys, migration
// 0006). Rows are appended in batches by the RequestLogWriter, read newest first by id with a
// cursor, and pruned by age and by count in small batches, each its own short transaction.
// Methods block (run them on the BlockingPool or the writer's thread); thread-safe as far as the
// Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

// Cuts applied to each text column on every dialect (migrations/mysql sizes them).
inline constexpr std::size_t kMaxLogRequestIdBytes = 64;
inline constexpr std::size_t kMaxLogShortBytes = 16;  // protocol, method
inline constexpr std::size_t kMaxLogNameBytes = 255;  // token_name, route, model
inline constexpr std::size_t kMaxLogPathBytes = 2048;
inline constexpr std::size_t kMaxLogKeysTriedBytes = 2048;
inline constexpr std::size_t kMaxLogErrorClassBytes = 32;
inline constexpr std::size_t kMaxLogErrorMessageBytes = 2048;
inline constexpr std::size_t kMaxLogUserAgentBytes = 512;
inline constexpr std::size_t kMaxLogIpBytes = 64;

// One request. `keys_tried` is the compact text of the attempts ("12:cooldown,15:success"):
// ids and outcomes, never key values; `key_ids` are the distinct ids in it (the key filter).
struct RequestLogRow {
  std::int64_t id = 0;  // set by the database
  TimePoint created_at;
  std::string request_id;
  std::int64_t token_id = 0;  // 0: the default api_token
  std::string token_name;
  std::string protocol;
  std::string route;
  std::string method;
  std::string path;
  std::string model;
  bool stream = false;
  int status = 0;
  int attempts = 0;
  std::string keys_tried;
  std::vector<std::int64_t> key_ids;
  // One per key_ids entry: that attempt failed (its outcome was neither success nor
  // client_error). For the usage aggregates; not stored (keys_tried says the same).
  std::vector<bool> attempt_failed;
  std::int64_t latency_ms = 0;
  std::optional<std::int64_t> ttfb_ms;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t thought_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::string error_class = "none";
  std::string error_message;  // already scrubbed of secrets
  std::string client_ip;
  std::string user_agent;
  std::optional<std::string> request_body;  // optional capture, already scrubbed
  std::optional<std::string> response_body;
};

// Filters of a listing; every one that is set must match.
struct RequestLogFilter {
  std::optional<TimePoint> since;  // created_at >= since
  std::optional<TimePoint> until;  // created_at < until
  std::optional<std::int64_t> token_id;
  std::optional<std::int64_t> key_id;  // a key among those tried
  std::optional<std::string> model;
  std::optional<std::string> protocol;
  std::optional<int> status_class;  // 2, 3, 4 or 5: status in [100·c, 100·c + 100)
  std::optional<bool> stream;
  std::optional<std::int64_t> min_latency_ms;
  std::optional<std::string> error_text;  // case-insensitive substring of error_message
  std::optional<std::string> request_id;
};

struct RequestLogSlice {
  std::vector<RequestLogRow> items;         // newest first
  std::optional<std::int64_t> next_cursor;  // pass as before_id for the next page; none: last
};

struct RequestLogPruneOptions {
  std::optional<TimePoint> older_than;   // delete rows created before this
  std::optional<std::int64_t> max_rows;  // keep at most this many (the newest)
  int batch = 1000;                      // rows per delete transaction
  int max_batches = 0;                   // stop after this many transactions; 0: until done
};

class RequestLogRepository {
 public:
  // Rows per multi-row INSERT: 26 columns × 200 stays far below every driver's limit on bound
  // parameters (SQLite 32766, PostgreSQL and MySQL 65535).
  static constexpr std::size_t kRowsPerInsert = 200;

  // Rows one page looks through at most when a filter no index serves in id order is set
  // (error_text, min_latency_ms, stream): such a filter is checked row by row, newest first, and
  // a rare or absent value would otherwise read the whole table (2 s at 5 M rows on SQLite).
  // Likewise for two indexed filters together: an absent pair would read every row of one.
  static constexpr std::int64_t kDefaultScanWindow = 50'000;

  explicit RequestLogRepository(Database& db, std::int64_t scan_window = kDefaultScanWindow)
      : db_(db), scan_window_(scan_window) {}

  // Appends every row in one transaction (multi-row INSERTs of kRowsPerInsert), with their key
  // ids. Text is cut to the column limits. Nothing is written when it fails.
  [[nodiscard]] Status appendBatch(std::span<const RequestLogRow> rows);

  // Newest first: rows with id < before_id (all when none), at most `limit` (1..kMaxPageSize).
  // With error_text, min_latency_ms or stream set, or two or more of token_id, model, protocol
  // and status_class (unless key_id or request_id is set, or a closed time range lies far below
  // the newest rows), only ids in [upper − scan window, upper) are looked at (upper: before_id,
  // else the newest id + 1): the page may then hold fewer than `limit` rows and still carry a
  // next_cursor (the window's lower end) while older rows exist.
  // Error "invalid_argument" for a bad limit or status class.
  [[nodiscard]] Result<RequestLogSlice> query(const RequestLogFilter& filter,
                                              std::optional<std::int64_t> before_id, int limit);

  // The row, or nullopt.
  [[nodiscard]] Result<std::optional<RequestLogRow>> get(std::int64_t id);

  // Deletes rows older than `older_than` and beyond the newest `max_rows`, oldest first, in
  // transactions of at most `batch` rows so that no lock is held for long. Returns the count.
  [[nodiscard]] Result<std::int64_t> prune(const RequestLogPruneOptions& options);

 private:
  Status appendChunk(Connection& c, std::span<const RequestLogRow> rows);
  // The id a page starts below: before_id, else the newest id + 1.
  Result<std::int64_t> upperId(std::optional<std::int64_t> before_id);
  // Whether a page under `f` should read its time range from the created_at index first.
  Result<bool> rangeFirst(const RequestLogFilter& f, std::optional<std::int64_t> before_id);
  Database& db_;
  std::int64_t scan_window_;
};

}  // namespace poise::storage
