// AuditRepository: the append-only log of admin actions (table audit_log) that the console
// shows. Target and detail pass through scrubSecrets() on the way in, so a key or token that
// reaches them is stored masked. Methods block (run on the BlockingPool); thread-safe as far as
// the Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

class AuditRepository {
 public:
  explicit AuditRepository(Database& db) : db_(db) {}

  // Returns the new entry's id. Error "invalid_argument" when action is empty.
  Result<std::int64_t> append(const AuditEntry& entry);
  // Newest first. Error "invalid_argument" for a bad page or page_size.
  Result<Page<AuditEntry>> list(int page, int page_size);
  // Deletes entries created before `cutoff` (retention); returns how many.
  Result<std::int64_t> purgeBefore(TimePoint cutoff);

 private:
  Database& db_;
};

}  // namespace poise::storage
