// AuditRepository: the append-only log of admin actions (table audit_log) that the console
// shows. Target and detail pass through scrubSecrets() on the way in, so a key or token that
// reaches them is stored masked. Methods block (run on the BlockingPool); thread-safe as far as
// the Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct AuditEntry {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;  // null for anonymous actions (failed logins)
  std::string username;
  std::string action;  // e.g. "login", "key.reveal", "config.update"
  std::string target;
  std::string detail;
  std::string ip;
  TimePoint created_at;
};

// Filters of query(); each set one narrows the result (exact matches; `since` inclusive, `until`
// exclusive). Newest first by id.
struct AuditQuery {
  std::optional<std::string> username;
  std::optional<std::string> action;
  std::optional<std::string> target;
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  std::optional<std::int64_t> before_id;  // the cursor: only entries with a smaller id
  int limit = 50;                         // 1..kMaxPageSize
  std::int64_t offset = 0;                // the old page-number form; 0 with a cursor
};

struct AuditSlice {
  std::vector<AuditEntry> items;
  std::int64_t total = 0;                   // entries matching the filters, cursor aside
  std::optional<std::int64_t> next_cursor;  // the last item's id when more entries follow
};

class AuditRepository {
 public:
  explicit AuditRepository(Database& db) : db_(db) {}

  // Returns the new entry's id. Error "invalid_argument" when action is empty.
  Result<std::int64_t> append(const AuditEntry& entry);
  // Newest first. Error "invalid_argument" for a bad page or page_size.
  Result<Page<AuditEntry>> list(int page, int page_size);
  // The entries matching `q`, newest first, and whether more follow. Error "invalid_argument" for
  // a limit outside 1..kMaxPageSize or a negative offset.
  Result<AuditSlice> query(const AuditQuery& q);
  // Deletes entries created before `cutoff` (retention); returns how many.
  Result<std::int64_t> purgeBefore(TimePoint cutoff);

 private:
  Database& db_;
};

}  // namespace poise::storage
