// Classification of one upstream attempt (SPEC §2 "Retries") and the backoff between attempts.
// Pure functions: they read a status code and an error body and decide what happens to the key
// and to the request. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "keys/error_policy.h"

namespace poise::proxy {

enum class OutcomeKind {
  Success,  // 2xx: relay it
  // By default (keys::ErrorPolicy, configurable):
  Cooldown,     // 429: rest the key for this model, try another key at once
  KeyRejected,  // API_KEY_INVALID, 401, 403: mark the key `error`, try another key at once
  Transient,    // 5xx, 408, reset, timeout: back off, try another key; the key is not blamed
  ClientError,  // other 4xx: return to the client at once; the key is not blamed
};

struct AttemptOutcome {
  OutcomeKind kind = OutcomeKind::Success;
  std::optional<std::chrono::milliseconds> retry_delay;  // RetryInfo.retryDelay when given
  bool daily_quota = false;                              // quotaId names a per-day quota
  bool key_invalid = false;  // API_KEY_INVALID: the key does not exist (a conclusive rejection)
  std::string reason;        // short machine text for logs and key history, no secrets
};

// Classifies an upstream HTTP answer from its status and (for errors) its JSON body, by the
// configured policy (config `key_error_actions`), or by the default policy.
AttemptOutcome classifyResponse(unsigned status, std::string_view body,
                                const keys::ErrorPolicy& policy);
AttemptOutcome classifyResponse(unsigned status, std::string_view body);

// Parses a protobuf Duration string such as "17s" or "57.238747106s".
std::optional<std::chrono::milliseconds> parseDuration(std::string_view s);

// When a cooled key becomes usable again for the model: the RetryInfo delay when given, the next
// midnight US Pacific for a daily quota, otherwise `default_cooldown`.
TimePoint cooldownUntil(const AttemptOutcome& outcome, TimePoint now,
                        std::chrono::seconds default_cooldown);

// Next midnight in America/Los_Angeles after `now`, by the system tz database (tzdata).
TimePoint nextPacificMidnight(TimePoint now);

// Delay before retry number `retry` (0 for the first) after a transient failure: exponential
// from `base`, capped at 5 s, with jitter drawn from `rng` in [50 %, 100 %] of the step.
std::chrono::milliseconds transientBackoff(int retry, std::chrono::milliseconds base,
                                           std::mt19937_64& rng);

}  // namespace poise::proxy
