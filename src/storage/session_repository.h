// SessionRepository: console login sessions (table sessions), keyed by the hex SHA-256 of the
// session token; the token itself is never stored. Expiry policy (sliding window, absolute cap)
// belongs to the caller: this class stores and compares the instants it is given. Methods block
// (run on the BlockingPool); thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

struct Session {
  std::int64_t id = 0;
  std::string token_hash;  // 64 hex characters
  std::int64_t user_id = 0;
  TimePoint created_at;
  TimePoint last_seen_at;
  TimePoint expires_at;           // sliding expiry
  TimePoint absolute_expires_at;  // hard cap
  std::string ip;
  std::string user_agent;
};

class SessionRepository {
 public:
  explicit SessionRepository(Database& db) : db_(db) {}

  // Returns the session with its new id. Error "conflict" if the token hash exists.
  Result<Session> create(Session session);
  // Returns expired sessions too; the caller compares the instants.
  Result<std::optional<Session>> findByTokenHash(std::string_view token_hash);
  // Slides the expiry. Error "not_found" when the session is gone (revoked meanwhile).
  Status touch(std::string_view token_hash, TimePoint last_seen_at, TimePoint expires_at);
  // True when a session was removed (logout is idempotent).
  Result<bool> revoke(std::string_view token_hash);
  // Removes every session of the user except `except_token_hash` (the caller's own, on a
  // password change); returns how many were removed.
  Result<std::int64_t> revokeAllForUser(std::int64_t user_id,
                                        std::optional<std::string_view> except_token_hash = {});
  // Removes sessions whose sliding or absolute expiry is before `now`; returns the count.
  Result<std::int64_t> deleteExpired(TimePoint now);

 private:
  Database& db_;
};

}  // namespace poise::storage
