// TokenLimiter: the seam behind which client tokens' limits live (SPEC §4), like the key
// buckets' BucketStore: a requests-per-minute limit over a rolling minute, a daily request
// quota and a daily token quota (prompt + completion), days in UTC. MemoryTokenLimiter holds
// them in this process; a shared store (Redis) can implement the same interface for several
// instances. Implementations are thread-safe.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "tokens/client_token.h"

namespace poise::tokens {

struct LimitDecision {
  enum class Kind {
    Admitted,
    Rpm,            // the rolling minute holds rpm_limit requests already
    DailyRequests,  // today's requests reached daily_request_quota
    DailyTokens,    // today's tokens reached daily_token_quota
  };
  Kind kind = Kind::Admitted;
  std::int64_t retry_after_seconds = 0;  // when refused: whole seconds until it would pass

  bool admitted() const { return kind == Kind::Admitted; }
};

// "admitted", "rpm", "daily_requests", "daily_tokens".
std::string_view toString(LimitDecision::Kind kind);

// One token's counts for one UTC day.
struct DayCounts {
  std::int64_t requests = 0;
  std::int64_t tokens = 0;
};

class TokenLimiter {
 public:
  virtual ~TokenLimiter() = default;

  // Admits one request of `token` at `now` and counts it (rolling minute and today's requests),
  // or says which limit refuses it; a refused request is not counted. Limits are exact on one
  // instance: of any number of parallel calls, at most rpm_limit are admitted per minute.
  virtual LimitDecision admit(const ClientToken& token, TimePoint now) = 0;
  // Adds tokens used by an admitted request to the day of `now`.
  virtual void addTokens(std::int64_t token_id, std::int64_t tokens, TimePoint now) = 0;
  // Sets a token's counts for the day of `day` (at start-up, from the database).
  virtual void seedDay(std::int64_t token_id, TimePoint day, DayCounts counts) = 0;
  // The token's counts for the day of `now`.
  virtual DayCounts today(std::int64_t token_id, TimePoint now) const = 0;
  // Drops a deleted token's state.
  virtual void forget(std::int64_t token_id) = 0;
};

// The UTC day of `t`, as days since the epoch.
std::int64_t utcDay(TimePoint t);
// Whole seconds from `now` to the next UTC midnight (at least 1).
std::int64_t secondsToNextUtcDay(TimePoint now);

}  // namespace poise::tokens
