#include "alerts/alert_evaluator.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_set>

#include "storage/limits.h"

namespace poise::alerts {

namespace json = boost::json;

namespace {

bool wants(const AlertRule& r, AlertEventKind kind) {
  return (r.events & eventBit(kind)) != 0;
}

json::value optionalInt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// Two decimals: 12.5, not 12.499999.
double percent(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return 0;
  return std::round(10'000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 100.0;
}

bool poolLow(const AlertRule& r, PoolCounts c) {
  if (r.active_keys_below && c.active < *r.active_keys_below) return true;
  // active / total < P %, in integers.
  return r.active_percent_below && c.active * 100 < *r.active_percent_below * c.total;
}

bool rateHigh(const AlertRule& r, RequestCounts c) {
  if (!r.error_rate_percent_above || c.requests < r.error_rate_min_requests || c.requests <= 0) {
    return false;
  }
  return c.errors * 100 > *r.error_rate_percent_above * c.requests;
}

}  // namespace

void AlertEvaluator::setRules(std::vector<AlertRule> rules) {
  std::unordered_set<std::int64_t> ids;
  for (const auto& r : rules) ids.insert(r.webhook_id);
  std::erase_if(firing_, [&](const auto& entry) { return !ids.contains(entry.first); });
  rules_ = std::move(rules);
}

std::vector<FiredAlert> AlertEvaluator::keyStatusChanged(const KeyStatusChange& c) {
  std::optional<AlertEventKind> kind;
  if (c.to == "error") kind = AlertEventKind::KeyError;
  if (c.to == "exhausted") kind = AlertEventKind::KeyExhausted;
  std::vector<FiredAlert> out;
  if (!kind) return out;
  AlertEvent e{.kind = *kind,
               .at = c.at,
               .data = json::object{{"key_id", c.key_id},
                                    {"key", c.masked_key},
                                    {"from", c.from},
                                    {"to", c.to},
                                    {"reason", c.reason},
                                    {"changed_at", formatIso8601(c.at)}},
               .summary = fmt::format("key {} ({}) became {}: {}", c.key_id, c.masked_key, c.to,
                                      storage::truncateUtf8(c.reason, 200))};
  for (const auto& r : rules_) {
    if (wants(r, *kind)) out.push_back(FiredAlert{r.webhook_id, e});
  }
  return out;
}

std::vector<FiredAlert> AlertEvaluator::poolCounts(PoolCounts c, TimePoint now) {
  std::vector<FiredAlert> out;
  if (c.total <= 0) return out;
  for (const auto& r : rules_) {
    if (!wants(r, AlertEventKind::PoolActiveLow)) continue;
    bool& firing = firing_[r.webhook_id].pool_low;
    const bool low = poolLow(r, c);
    if (low && !firing) {
      const double pct = percent(c.active, c.total);
      AlertEvent e{
          .kind = AlertEventKind::PoolActiveLow,
          .at = now,
          .data = json::object{{"active", c.active},
                               {"total", c.total},
                               {"active_percent", pct},
                               {"active_keys_below", optionalInt(r.active_keys_below)},
                               {"active_percent_below", optionalInt(r.active_percent_below)}},
          .summary = fmt::format("{} of {} keys active ({}%)", c.active, c.total, pct)};
      out.push_back(FiredAlert{r.webhook_id, std::move(e)});
    }
    firing = low;
  }
  return out;
}

std::vector<FiredAlert> AlertEvaluator::errorRate(RequestCounts c, TimePoint now) {
  std::vector<FiredAlert> out;
  for (const auto& r : rules_) {
    if (!wants(r, AlertEventKind::ErrorRateHigh)) continue;
    bool& firing = firing_[r.webhook_id].error_rate_high;
    const bool high = rateHigh(r, c);
    if (high && !firing) {
      const double pct = percent(c.errors, c.requests);
      AlertEvent e{.kind = AlertEventKind::ErrorRateHigh,
                   .at = now,
                   .data = json::object{{"window_seconds", c.window_seconds},
                                        {"requests", c.requests},
                                        {"errors", c.errors},
                                        {"error_rate_percent", pct},
                                        {"error_rate_percent_above",
                                         optionalInt(r.error_rate_percent_above)},
                                        {"error_rate_min_requests", r.error_rate_min_requests}},
                   .summary = fmt::format("{}% of {} requests failed in the last {} s", pct,
                                          c.requests, c.window_seconds)};
      out.push_back(FiredAlert{r.webhook_id, std::move(e)});
    }
    firing = high;
  }
  return out;
}

std::vector<FiredAlert> AlertEvaluator::validationRun(const ValidationRun& run, TimePoint now) {
  std::vector<FiredAlert> out;
  if (run.failures <= 0) return out;
  AlertEvent e{
      .kind = AlertEventKind::ValidationFailures,
      .at = now,
      .data = json::object{{"schedule", run.schedule},
                           {"keys", run.keys},
                           {"failures", run.failures},
                           {"valid", run.valid},
                           {"exhausted", run.exhausted},
                           {"error", run.error},
                           {"timeout_or_network", run.unanswered}},
      .summary = fmt::format("validation of {} keys: {} failed", run.schedule, run.failures)};
  for (const auto& r : rules_) {
    if (wants(r, AlertEventKind::ValidationFailures)) out.push_back(FiredAlert{r.webhook_id, e});
  }
  return out;
}

}  // namespace poise::alerts
