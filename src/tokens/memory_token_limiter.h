// MemoryTokenLimiter: TokenLimiter in this process. Per token, the admission times of the last
// rpm_limit requests (a ring, so memory is bounded by the limit) and today's counts. One mutex
// per token state, found under a map-wide lock held only for the lookup. Thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "tokens/token_limiter.h"

namespace poise::tokens {

class MemoryTokenLimiter final : public TokenLimiter {
 public:
  LimitDecision admit(const ClientToken& token, TimePoint now) override;
  void addTokens(std::int64_t token_id, std::int64_t tokens, TimePoint now) override;
  void seedDay(std::int64_t token_id, TimePoint day, DayCounts counts) override;
  DayCounts today(std::int64_t token_id, TimePoint now) const override;
  void forget(std::int64_t token_id) override;

 private:
  struct State {
    std::mutex mu;
    std::deque<std::int64_t> admitted_ms;  // admission times within the last minute, oldest first
    std::int64_t day = 0;                  // utcDay of `counts`
    DayCounts counts;
    // Moves to the day of `now_day`, starting it at zero.
    void roll(std::int64_t now_day);
  };
  std::shared_ptr<State> state(std::int64_t token_id);
  std::shared_ptr<State> existing(std::int64_t token_id) const;

  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, std::shared_ptr<State>> states_;
};

}  // namespace poise::tokens
