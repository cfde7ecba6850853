#include "storage/session_repository.h"

#include "storage/limits.h"

namespace poise::storage {

Result<Session> SessionRepository::create(Session s) {
  auto id = db_.insert(
      "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, "
      "absolute_expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {s.token_hash, s.user_id, timestampValue(s.created_at), timestampValue(s.last_seen_at),
       timestampValue(s.expires_at), timestampValue(s.absolute_expires_at),
       truncateUtf8(s.ip, kMaxIpBytes), truncateUtf8(s.user_agent, kMaxUserAgentBytes)});
  if (!id) return id.error();
  s.id = *id;
  return s;
}

Result<std::optional<Session>> SessionRepository::findByTokenHash(std::string_view token_hash) {
  auto rows = db_.query(
      "SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at, absolute_expires_at, "
      "ip, user_agent FROM sessions WHERE token_hash = ?",
      {std::string(token_hash)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Session>{};
  const Row& r = rows->front();
  return std::optional<Session>{Session{.id = r.int64(0),
                                        .token_hash = r.text(1),
                                        .user_id = r.int64(2),
                                        .created_at = r.time(3),
                                        .last_seen_at = r.time(4),
                                        .expires_at = r.time(5),
                                        .absolute_expires_at = r.time(6),
                                        .ip = r.text(7),
                                        .user_agent = r.text(8)}};
}

Status SessionRepository::touch(std::string_view token_hash, TimePoint last_seen_at,
                                TimePoint expires_at) {
  auto changed = db_.execute(
      "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?",
      {timestampValue(last_seen_at), timestampValue(expires_at), std::string(token_hash)});
  if (!changed) return changed.error();
  if (*changed == 0) return makeError(ErrorCode::NotFound, "session not found");
  return {};
}

Result<bool> SessionRepository::revoke(std::string_view token_hash) {
  auto changed =
      db_.execute("DELETE FROM sessions WHERE token_hash = ?", {std::string(token_hash)});
  if (!changed) return changed.error();
  return *changed > 0;
}

Result<std::int64_t> SessionRepository::revokeAllForUser(
    std::int64_t user_id, std::optional<std::string_view> except_token_hash) {
  if (except_token_hash) {
    return db_.execute("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
                       {user_id, std::string(*except_token_hash)});
  }
  return db_.execute("DELETE FROM sessions WHERE user_id = ?", {user_id});
}

Result<std::int64_t> SessionRepository::deleteExpired(TimePoint now) {
  const Value t = timestampValue(now);
  return db_.execute("DELETE FROM sessions WHERE expires_at < ? OR absolute_expires_at < ?",
                     {t, t});
}

}  // namespace poise::storage
