// The events an alert webhook can subscribe to, and one event as the evaluator raises it. Plain
// value types; thread-compatible.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace poise::alerts {

enum class AlertEventKind {
  KeyError,            // "key.error": a key became `error`
  KeyExhausted,        // "key.exhausted": a key became `exhausted`
  PoolActiveLow,       // "pool.active_low": active keys fell below N, or P % of the pool
  ErrorRateHigh,       // "error_rate.high": the 5-minute error rate rose above X %
  ValidationFailures,  // "validation.failures": a validation run finished with failures
  Test,                // "test": sent by POST /api/v1/alerts/{id}/test; never subscribed to
};

std::string_view toString(AlertEventKind kind);
// The subscribable kinds by name (not "test"); nullopt for anything else.
std::optional<AlertEventKind> parseSubscribableEvent(std::string_view name);
// The names parseSubscribableEvent() takes, for error messages and documentation.
const std::vector<std::string_view>& subscribableEventNames();

// A bit per kind, for a webhook's subscriptions.
constexpr unsigned eventBit(AlertEventKind kind) {
  return 1U << static_cast<unsigned>(kind);
}

struct AlertEvent {
  AlertEventKind kind = AlertEventKind::Test;
  TimePoint at{};
  boost::json::object data;  // the payload's "data": masked key forms only, never a value
  std::string summary;       // one line for people and the delivery log
};

}  // namespace poise::alerts
