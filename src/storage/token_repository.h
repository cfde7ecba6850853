// TokenRepository: client tokens (tables client_tokens and client_token_daily_usage). A token
// is stored by the hex SHA-256 of its value and a short prefix for listings; the value itself
// is never stored. Usage sums from the flusher are added in one transaction. Methods block (run
// them on the BlockingPool); thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

inline constexpr std::size_t kMaxTokenNameBytes = 255;   // client_tokens.name
inline constexpr std::size_t kMaxTokenNoteBytes = 1024;  // client_tokens.note
inline constexpr std::size_t kMaxTokenListBytes = 8192;  // each list column, joined

struct StoredToken {
  std::int64_t id = 0;
  std::string name;
  std::string note;
  std::optional<std::int64_t> owner_user_id;
  std::string owner_username;  // read only: the owner's name, empty when none
  std::string token_hash;      // 64 hex characters
  std::string prefix;
  bool enabled = true;
  std::optional<TimePoint> expires_at;
  std::vector<std::string> allowed_models;
  std::vector<std::string> allowed_protocols;
  std::vector<std::string> allowed_cidrs;
  std::optional<std::int64_t> rpm_limit;
  std::optional<std::int64_t> daily_request_quota;
  std::optional<std::int64_t> daily_token_quota;
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> last_used_at;
  std::int64_t request_count = 0;
  std::int64_t error_count = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

struct TokenListQuery {
  int page = 1;  // 1-based
  int page_size = 50;
  std::optional<std::string> search;  // case-insensitive substring of the name or the note
  std::optional<bool> enabled;
};

// One token's usage sums for one UTC day ("2026-12-02"), from TokenUsage.
struct TokenUsageRow {
  std::int64_t token_id = 0;
  std::string day;
  std::int64_t requests = 0;          // every request
  std::int64_t charged_requests = 0;  // admitted ones: what the daily quota counts
  std::int64_t errors = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  TimePoint last_used;
};

// A token's counts for one day, as the daily quotas read them.
struct TokenDayRow {
  std::int64_t token_id = 0;
  std::int64_t requests = 0;
  std::int64_t tokens = 0;
  std::int64_t errors = 0;
};

class TokenRepository {
 public:
  explicit TokenRepository(Database& db) : db_(db) {}

  // Returns the token with its id. Error "conflict" when the hash exists, "invalid_argument"
  // when a field is too long.
  Result<StoredToken> create(StoredToken token);
  Result<std::optional<StoredToken>> get(std::int64_t id);
  Result<Page<StoredToken>> list(const TokenListQuery& query);
  // Every token, by id (for the registry).
  Result<std::vector<StoredToken>> loadAll();
  // Writes the editable fields (name, note, owner, enabled, expiry, lists, limits) and
  // updated_at. Error "not_found" when the token is gone.
  Status update(const StoredToken& token);
  // Replaces the value's hash and prefix. Error "not_found" when the token is gone.
  Status rotate(std::int64_t id, std::string_view token_hash, std::string_view prefix,
                TimePoint now);
  // True when a token was removed (its daily rows go with it).
  Result<bool> remove(std::int64_t id);

  // Adds usage sums in one transaction; rows of deleted tokens are skipped.
  Status applyUsage(std::span<const TokenUsageRow> rows);
  // Every token's counts for `day` ("2026-12-02").
  Result<std::vector<TokenDayRow>> loadDay(std::string_view day);

 private:
  Database& db_;
};

// "2026-12-02": the UTC day of `t`.
std::string utcDayString(TimePoint t);

}  // namespace poise::storage
