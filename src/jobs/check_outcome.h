// CheckOutcome: what one validation request says about a key, and what it does to the key in the
// pool. Pure functions: they read the upstream's answer (or the lack of one) and decide the
// CheckResult status and message shown to the operator and the KeyPool transition, which goes
// through the same state machine as live traffic (KeyPool::Source::Validation). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "keys/error_policy.h"
#include "keys/key_pool.h"
#include "proxy/attempt_outcome.h"

namespace poise::jobs {

// How the validation request ended.
struct UpstreamAnswer {
  enum class Kind { Answered, TimedOut, NetworkError, NotSent };
  Kind kind = Kind::Answered;
  unsigned status = 0;  // Answered: the HTTP status
  std::string body;     // Answered: the body (errors are classified from it)
  std::string error;    // NetworkError / NotSent: what failed, no secrets
};

// What the check does to the key.
enum class PoolAction {
  Validated,  // recordValidated: active again, failures reset, cooldowns end
  Cooldown,   // recordCooldown on the validation model (an `error` key becomes `exhausted`)
  Rejected,   // recordRejected: status → error
  None,       // recordTransient: no status change (5xx, timeout, network, client error)
};

struct CheckOutcome {
  std::string status;   // CheckResult status: valid | exhausted | error | timeout | network_error
  std::string message;  // for the operator
  PoolAction action = PoolAction::None;
  proxy::AttemptOutcome attempt;  // the classification (retry delay, daily quota) when answered
  // Short text for logs and the key's status history ("ok", "400 API_KEY_INVALID", "503");
  // the history shows it as "validation: <reason>".
  std::string reason;
};

// The result of one check as the admin routes show it (the seed's CheckResult, plus the key's
// status after the check). Never holds the key itself, only its masked form.
struct CheckResult {
  std::int64_t key_id = 0;
  std::string key_value;  // masked (maskSecret)
  std::string status;     // valid | exhausted | error | timeout | network_error
  std::string message;
  std::string key_status;  // the key's status in the pool after the check
};

// Classifies the answer to one validation request with the configured error policy (the same
// rules as live traffic). `model` names the validation model in messages.
CheckOutcome decideCheck(const UpstreamAnswer& answer, const keys::ErrorPolicy& policy,
                         std::string_view model);

// Applies the outcome to key `id` in `pool`. A 429 rests the key for `model` until the time
// proxy::cooldownUntil gives (RetryInfo, the daily reset, or `default_cooldown`).
void applyCheck(keys::KeyPool& pool, std::int64_t id, const CheckOutcome& outcome,
                std::string_view model, TimePoint now, std::chrono::seconds default_cooldown);

}  // namespace poise::jobs
