#include "keys/token_bucket.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <string>

namespace poise::keys {

namespace {

double elapsedSeconds(TimePoint from, TimePoint to) {
  const std::int64_t ms = (to - from).count();
  return ms > 0 ? static_cast<double>(ms) / 1000.0 : 0.0;
}

}  // namespace

TokenBucket TokenBucket::full(int capacity, double refill_per_second, TimePoint now) {
  assert(capacity >= 1 && refill_per_second > 0);
  return TokenBucket{.capacity = capacity,
                     .refill_per_second = refill_per_second,
                     .tokens = static_cast<double>(capacity),
                     .last_refill = now};
}

double TokenBucket::tokensAt(TimePoint now) const {
  const double level = tokens + elapsedSeconds(last_refill, now) * refill_per_second;
  return std::min(static_cast<double>(capacity), level);
}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_refill) return;
  tokens = tokensAt(now);
  last_refill = now;
}

bool TokenBucket::tryConsume(TimePoint now, int n) {
  assert(n >= 1);
  refill(now);
  if (tokens + kEpsilon < n) return false;
  tokens -= n;
  if (tokens < kEpsilon) tokens = 0.0;  // what is left of floating error, not a fraction of a token
  return true;
}

std::optional<Millis> TokenBucket::timeUntilAvailable(TimePoint now, int n) const {
  assert(n >= 1);
  if (n > capacity) return std::nullopt;
  const double deficit = n - tokensAt(now);
  if (deficit <= kEpsilon) return Millis{0};
  // Refill starts at last_refill when `now` is earlier (a clock step back).
  const TimePoint start = std::max(now, last_refill);
  // Rounded up to whole milliseconds; the two loops (at most a step or two each) absorb floating
  // error in either direction, so the answer is the first millisecond at which tryConsume succeeds.
  auto ms = static_cast<std::int64_t>(std::ceil(deficit * 1000.0 / refill_per_second));
  ms = std::max<std::int64_t>(ms, 1);
  while (ms > 1 && tokensAt(start + Millis{ms - 1}) + kEpsilon >= n) --ms;
  while (tokensAt(start + Millis{ms}) + kEpsilon < n) ++ms;
  return (start - now) + Millis{ms};
}

void TokenBucket::reset(TimePoint now) {
  tokens = static_cast<double>(capacity);
  last_refill = std::max(last_refill, now);
}

void TokenBucket::reconfigure(int new_capacity, double new_refill_per_second, TimePoint now) {
  assert(new_capacity >= 1 && new_refill_per_second > 0);
  refill(now);
  capacity = new_capacity;
  refill_per_second = new_refill_per_second;
  tokens = std::min(tokens, static_cast<double>(capacity));
}

std::string_view toString(KeyPriority p) {
  switch (p) {
    case KeyPriority::High:
      return "high";
    case KeyPriority::Normal:
      return "normal";
    case KeyPriority::Low:
      return "low";
  }
  return "normal";
}

std::optional<KeyPriority> parseKeyPriority(std::string_view s) {
  if (s == "high") return KeyPriority::High;
  if (s == "normal") return KeyPriority::Normal;
  if (s == "low") return KeyPriority::Low;
  return std::nullopt;
}

BucketLimits BucketConfig::limitsFor(KeyPriority priority,
                                     const std::optional<BucketLimits>& key_override) const {
  if (key_override) return *key_override;
  switch (priority) {
    case KeyPriority::High:
      return {high_priority_capacity, high_priority_refill_rate};
    case KeyPriority::Low:
      return {low_priority_capacity, low_priority_refill_rate};
    case KeyPriority::Normal:
      break;
  }
  return {default_capacity, default_refill_rate};
}

namespace {

// Appends "<name> must be ..." to `problems` when out of range. The negated comparisons also
// reject NaN rates.
void checkCapacity(std::string& problems, std::string_view name, int value) {
  if (value >= BucketConfig::kMinCapacity && value <= BucketConfig::kMaxCapacity) return;
  if (!problems.empty()) problems += "; ";
  problems +=
      std::string(name) + " must be an integer from 1 to 1000 (got " + std::to_string(value) + ")";
}

void checkRate(std::string& problems, std::string_view name, double value) {
  if (value >= BucketConfig::kMinRefillRate && value <= BucketConfig::kMaxRefillRate) return;
  if (!problems.empty()) problems += "; ";
  problems += std::string(name) + " must be a number of tokens per second from 0.1 to 100";
}

Status statusOf(const std::string& problems) {
  if (problems.empty()) return {};
  return makeError("invalid_config", problems);
}

}  // namespace

Status BucketConfig::validate() const {
  std::string problems;
  checkCapacity(problems, "default_capacity", default_capacity);
  checkRate(problems, "default_refill_rate", default_refill_rate);
  checkCapacity(problems, "high_priority_capacity", high_priority_capacity);
  checkRate(problems, "high_priority_refill_rate", high_priority_refill_rate);
  checkCapacity(problems, "low_priority_capacity", low_priority_capacity);
  checkRate(problems, "low_priority_refill_rate", low_priority_refill_rate);
  return statusOf(problems);
}

Status validateBucketLimits(const BucketLimits& limits) {
  std::string problems;
  checkCapacity(problems, "capacity", limits.capacity);
  checkRate(problems, "refill_rate", limits.refill_per_second);
  return statusOf(problems);
}

}  // namespace poise::keys
