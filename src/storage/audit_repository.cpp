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

namespace {

constexpr std::string_view kColumns =
    "SELECT id, user_id, username, action, target, detail, ip, created_at FROM audit_log";

AuditEntry toEntry(const Row& r) {
  return AuditEntry{.id = r.int64(0),
                    .user_id = r.optionalInt64(1),
                    .username = r.text(2),
                    .action = r.text(3),
                    .target = r.text(4),
                    .detail = r.text(5),
                    .ip = r.text(6),
                    .created_at = r.time(7)};
}

}  // namespace

Result<Page<AuditEntry>> AuditRepository::list(int page, int page_size) {
  if (auto st = checkPage(page, page_size); !st) return st.error();
  auto slice = query(
      AuditQuery{.limit = page_size, .offset = static_cast<std::int64_t>(page - 1) * page_size});
  if (!slice) return slice.error();
  Page<AuditEntry> out;
  out.total = slice->total;
  out.items = std::move(slice->items);
  return out;
}

Result<AuditSlice> AuditRepository::query(const AuditQuery& q) {
  if (auto st = checkPage(1, q.limit); !st) return st.error();
  if (q.offset < 0) return makeError(ErrorCode::InvalidArgument, "offset must be >= 0");
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  const auto add = [&](std::string_view clause, Value v) {
    where.append(" AND ").append(clause);
    params.push_back(std::move(v));
  };
  if (q.username) add("username = ?", *q.username);
  if (q.action) add("action = ?", *q.action);
  if (q.target) add("target = ?", *q.target);
  if (q.since) add("created_at >= ?", timestampValue(*q.since));
  if (q.until) add("created_at < ?", timestampValue(*q.until));
  auto total = db_.query("SELECT COUNT(*) FROM audit_log" + where, params);
  if (!total) return total.error();
  if (q.before_id) add("id < ?", *q.before_id);
  // One row more than asked says whether another page follows.
  params.emplace_back(std::int64_t{q.limit} + 1);
  params.emplace_back(q.offset);
  auto rows =
      db_.query(std::string(kColumns) + where + " ORDER BY id DESC LIMIT ? OFFSET ?", params);
  if (!rows) return rows.error();
  AuditSlice out;
  out.total = total->front().int64(0);
  const bool more = rows->size() > static_cast<std::size_t>(q.limit);
  if (more) rows->pop_back();
  out.items.reserve(rows->size());
  for (const Row& r : *rows) out.items.push_back(toEntry(r));
  if (more) out.next_cursor = out.items.back().id;
  return out;
}

Result<std::int64_t> AuditRepository::purgeBefore(TimePoint cutoff) {
  return db_.execute("DELETE FROM audit_log WHERE created_at < ?", {timestampValue(cutoff)});
}

}  // namespace poise::storage
