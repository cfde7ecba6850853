// AlertEvaluator: which webhook gets which event, from the facts the gateway reports: key
// status changes, pool counts, the 5-minute error rate and validation runs. The two threshold
// alerts fire once when their condition starts to hold and again only after it stopped holding
// (per webhook), so a steady state never floods a receiver. Pure logic: no clock, no I/O.
// Thread-compatible (AlertService serializes calls).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/alert_event.h"
#include "core/clock.h"

namespace poise::alerts {

// What the evaluator needs of one enabled webhook.
struct AlertRule {
  std::int64_t webhook_id = 0;
  unsigned events = 0;  // eventBit()s
  std::optional<std::int64_t> active_keys_below;
  std::optional<std::int64_t> active_percent_below;
  std::optional<std::int64_t> error_rate_percent_above;
  std::int64_t error_rate_min_requests = 20;
};

struct KeyStatusChange {
  std::int64_t key_id = 0;
  std::string masked_key;  // maskSecret() of the value: never the value
  std::string from;
  std::string to;
  std::string reason;  // already scrubbed of secrets
  TimePoint at{};
};

struct PoolCounts {
  std::int64_t active = 0;
  std::int64_t total = 0;  // every key, whatever its status
};

struct RequestCounts {
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t window_seconds = 300;
};

struct ValidationRun {
  std::string schedule;  // "active", "exhausted", "error"
  std::int64_t keys = 0;
  std::int64_t failures = 0;  // keys the run moved to a worse status
  std::int64_t valid = 0;
  std::int64_t exhausted = 0;
  std::int64_t error = 0;
  std::int64_t unanswered = 0;
};

// One event for one webhook.
struct FiredAlert {
  std::int64_t webhook_id = 0;
  AlertEvent event;
};

class AlertEvaluator {
 public:
  // Replaces the rules; a webhook that stays keeps its firing state (a save does not re-fire).
  void setRules(std::vector<AlertRule> rules);

  std::vector<FiredAlert> keyStatusChanged(const KeyStatusChange& change);
  // Fires pool.active_low for each webhook whose threshold the counts cross downwards. A pool
  // with no keys at all is not judged.
  std::vector<FiredAlert> poolCounts(PoolCounts counts, TimePoint now);
  // Fires error_rate.high for each webhook whose rate rises above its threshold over at least
  // its minimum number of requests; rearms when the rate is back at or below it (or the
  // requests fall under the minimum).
  std::vector<FiredAlert> errorRate(RequestCounts counts, TimePoint now);
  // Fires validation.failures when the run moved at least one key to a worse status.
  std::vector<FiredAlert> validationRun(const ValidationRun& run, TimePoint now);

 private:
  struct Firing {
    bool pool_low = false;
    bool error_rate_high = false;
  };
  std::vector<AlertRule> rules_;
  std::unordered_map<std::int64_t, Firing> firing_;  // by webhook id
};

}  // namespace poise::alerts
