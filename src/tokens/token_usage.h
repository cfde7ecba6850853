// TokenUsage: per-token usage counted off the request path (SPEC §4). The front's record sink
// adds each finished request of a client token (requests, errors, prompt and completion tokens,
// last use); the flusher drains the sums every second into the database. Thread-safe: add() and
// drain() take one short lock.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace poise::tokens {

// What one finished request of a client token adds.
struct UsageSample {
  std::int64_t token_id = 0;
  TimePoint at;          // when it finished
  bool error = false;    // answered with a status of 400 or more, or no answer
  bool charged = false;  // admitted by the limiter (counts against the daily quota)
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

// The sums for one token and one UTC day.
struct UsageDelta {
  std::int64_t token_id = 0;
  std::int64_t day = 0;  // utcDay
  std::int64_t requests = 0;
  std::int64_t charged_requests = 0;
  std::int64_t errors = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  TimePoint last_used;
};

class TokenUsage {
 public:
  void add(const UsageSample& sample);
  // Every sum since the last drain, by token and day; empties the counter.
  std::vector<UsageDelta> drain();
  // Puts drained sums back (their write failed), merged with anything added meanwhile.
  void restore(std::vector<UsageDelta> deltas);

 private:
  void merge(const UsageDelta& d);

  std::mutex mu_;
  std::map<std::pair<std::int64_t, std::int64_t>, UsageDelta> pending_;
};

}  // namespace poise::tokens
