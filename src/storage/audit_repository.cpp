#include "storage/audit_repository.h"

#include "core/secret_mask.h"
#include "storage/limits.h"

namespace poise::storage {

Result<std::int64_t> AuditRepository::append(const AuditEntry& e) {
  if (e.action.empty())
    return makeError(ErrorCode::InvalidArgument, "audit action must not be empty");
  return db_.insert(
      "INSERT INTO audit_log (user_id, username, action, target, detail, ip, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {nullableValue(e.user_id), truncateUtf8(e.username, kMaxUsernameBytes),
       truncateUtf8(e.action, kMaxAuditActionBytes),
       truncateUtf8(scrubSecrets(e.target), kMaxAuditTargetBytes),
       truncateUtf8(scrubSecrets(e.detail), kMaxAuditDetailBytes), truncateUtf8(e.ip, kMaxIpBytes),
       timestampValue(e.created_at)});
}

Result<Page<AuditEntry>> AuditRepository::list(int page, int page_size) {
  if (auto st = checkPage(page, page_size); !st) return st.error();
  auto total = db_.query("SELECT COUNT(*) FROM audit_log");
  if (!total) return total.error();
  auto rows = db_.query(
      "SELECT id, user_id, username, action, target, detail, ip, created_at FROM audit_log "
      "ORDER BY id DESC LIMIT ? OFFSET ?",
      {std::int64_t{page_size}, static_cast<std::int64_t>(page - 1) * page_size});
  if (!rows) return rows.error();
  Page<AuditEntry> out;
  out.total = total->front().int64(0);
  out.items.reserve(rows->size());
  for (const Row& r : *rows) {
    out.items.push_back(AuditEntry{.id = r.int64(0),
                                   .user_id = r.optionalInt64(1),
                                   .username = r.text(2),
                                   .action = r.text(3),
                                   .target = r.text(4),
                                   .detail = r.text(5),
                                   .ip = r.text(6),
                                   .created_at = r.time(7)});
  }
  return out;
}

Result<std::int64_t> AuditRepository::purgeBefore(TimePoint cutoff) {
  return db_.execute("DELETE FROM audit_log WHERE created_at < ?", {timestampValue(cutoff)});
}

}  // namespace poise::storage
