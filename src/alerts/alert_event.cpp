#include "alerts/alert_event.h"

#include <array>
#include <utility>

namespace poise::alerts {

namespace {
constexpr std::array<std::pair<AlertEventKind, std::string_view>, 6> kNames{{
    {AlertEventKind::KeyError, "key.error"},
    {AlertEventKind::KeyExhausted, "key.exhausted"},
    {AlertEventKind::PoolActiveLow, "pool.active_low"},
    {AlertEventKind::ErrorRateHigh, "error_rate.high"},
    {AlertEventKind::ValidationFailures, "validation.failures"},
    {AlertEventKind::Test, "test"},
}};
}  // namespace

std::string_view toString(AlertEventKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "test";
}

std::optional<AlertEventKind> parseSubscribableEvent(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name && k != AlertEventKind::Test) return k;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& subscribableEventNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& [k, n] : kNames) {
      if (k != AlertEventKind::Test) out.push_back(n);
    }
    return out;
  }();
  return names;
}

}  // namespace poise::alerts
