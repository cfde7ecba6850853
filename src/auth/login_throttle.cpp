#include "auth/login_throttle.h"

#include <algorithm>

namespace poise::auth {

int LoginThrottle::allowedInFlight(const Entry& e) const {
  return std::max(options_.free_failures + 1 - e.failures, 1);
}

void LoginThrottle::makeRoom(TimePoint now) {
  if (entries_.size() < options_.max_keys) return;
  // First the keys that hold nothing worth keeping, then every key with no check in flight.
  std::erase_if(entries_, [now](const auto& kv) {
    return kv.second.in_flight == 0 && kv.second.locked_until <= now;
  });
  if (entries_.size() < options_.max_keys) return;
  std::erase_if(entries_, [](const auto& kv) { return kv.second.in_flight == 0; });
}

LoginThrottle::Decision LoginThrottle::begin(std::span<const std::string> keys, TimePoint now) {
  std::lock_guard lock(mu_);
  Decision d;
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    const Entry& e = it->second;
    if (e.locked_until > now) {
      d.locked = true;
      d.retry_after =
          std::max(d.retry_after, std::chrono::duration_cast<Millis>(e.locked_until - now));
    } else if (e.in_flight >= allowedInFlight(e) && !d.locked) {
      d.retry_after = std::max(d.retry_after, kSlotWait);
    }
  }
  if (d.locked || d.retry_after > Millis{0}) return d;
  makeRoom(now);
  for (const auto& key : keys) entries_[key].in_flight += 1;
  d.admitted = true;
  return d;
}

bool LoginThrottle::finish(std::span<const std::string> keys, Outcome outcome, TimePoint now) {
  std::lock_guard lock(mu_);
  bool locked = false;
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;  // forgotten under memory pressure
    Entry& e = it->second;
    e.in_flight = std::max(e.in_flight - 1, 0);
    switch (outcome) {
      case Outcome::Failed:
        e.failures += 1;
        if (e.failures > options_.free_failures) {
          const int doublings = std::min(e.failures - options_.free_failures - 1, 20);
          auto lock_for = options_.base_lock * (1LL << doublings);
          if (lock_for > options_.max_lock) lock_for = options_.max_lock;
          e.locked_until =
              std::max(e.locked_until, now + std::chrono::duration_cast<Millis>(lock_for));
          locked = true;
        }
        break;
      case Outcome::Succeeded:
        e.failures = 0;
        e.locked_until = TimePoint{};
        break;
      case Outcome::Abandoned:
        break;
    }
    if (e.in_flight == 0 && e.failures == 0 && e.locked_until <= now) entries_.erase(it);
  }
  return locked;
}

}  // namespace poise::auth
