#include "keys/token_bucket.h"

#include <algorithm>
#include <cassert>
#include <charconv>
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
  return makeError(ErrorCode::InvalidConfig, problems);
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

std::span<const BucketSetting> bucketSettings() {
  using K = BucketSetting::Kind;
  using C = BucketConfig;
  static constexpr BucketSetting kSettings[] = {
      {"default_capacity", K::Int, 1, 1000, &C::default_capacity, nullptr, nullptr},
      {"default_refill_rate", K::Rate, 0.1, 100, nullptr, &C::default_refill_rate, nullptr},
      {"high_priority_capacity", K::Int, 1, 1000, &C::high_priority_capacity, nullptr, nullptr},
      {"high_priority_refill_rate", K::Rate, 0.1, 100, nullptr, &C::high_priority_refill_rate,
       nullptr},
      {"low_priority_capacity", K::Int, 1, 1000, &C::low_priority_capacity, nullptr, nullptr},
      {"low_priority_refill_rate", K::Rate, 0.1, 100, nullptr, &C::low_priority_refill_rate,
       nullptr},
      {"bucket_ttl", K::Int, 60, 86400, &C::bucket_ttl, nullptr, nullptr},
      {"enable_token_bucket", K::Bool, 0, 1, nullptr, nullptr, &C::enable_token_bucket},
      {"fallback_to_random", K::Bool, 0, 1, nullptr, nullptr, &C::fallback_to_random},
      {"cleanup_interval", K::Int, 60, 3600, &C::cleanup_interval, nullptr, nullptr},
      {"enable_lazy_cleanup", K::Bool, 0, 1, nullptr, nullptr, &C::enable_lazy_cleanup},
      {"enable_lru_eviction", K::Bool, 0, 1, nullptr, nullptr, &C::enable_lru_eviction},
      {"max_buckets", K::Int, 10, 10000, &C::max_buckets, nullptr, nullptr},
      {"high_freq_ttl", K::Int, 60, 86400, &C::high_freq_ttl, nullptr, nullptr},
      {"medium_freq_ttl", K::Int, 60, 86400, &C::medium_freq_ttl, nullptr, nullptr},
      {"low_freq_ttl", K::Int, 60, 86400, &C::low_freq_ttl, nullptr, nullptr},
      {"high_freq_threshold", K::Int, 1, 10000, &C::high_freq_threshold, nullptr, nullptr},
      {"medium_freq_threshold", K::Int, 1, 10000, &C::medium_freq_threshold, nullptr, nullptr},
  };
  return kSettings;
}

const BucketSetting* findBucketSetting(std::string_view name) {
  for (const auto& s : bucketSettings()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::string bucketSettingText(const BucketConfig& c, const BucketSetting& s) {
  switch (s.kind) {
    case BucketSetting::Kind::Int:
      return std::to_string(c.*(s.int_field));
    case BucketSetting::Kind::Rate: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, c.*(s.rate_field));
      return std::string(buf, r.ptr);
    }
    case BucketSetting::Kind::Bool:
      return c.*(s.bool_field) ? "true" : "false";
  }
  return {};
}

Status applyBucketSetting(BucketConfig& c, const BucketSetting& s, std::string_view text) {
  const std::string name = std::string("token_bucket_") + s.name;
  switch (s.kind) {
    case BucketSetting::Kind::Bool:
      if (text == "true" || text == "1") {
        c.*(s.bool_field) = true;
      } else if (text == "false" || text == "0") {
        c.*(s.bool_field) = false;
      } else {
        return makeError(ErrorCode::InvalidConfig, name + " must be true or false");
      }
      return {};
    case BucketSetting::Kind::Int: {
      int v = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || v < s.min || v > s.max) {
        return makeError(ErrorCode::InvalidConfig, name + " must be a whole number from " +
                                                       std::to_string(static_cast<int>(s.min)) +
                                                       " to " +
                                                       std::to_string(static_cast<int>(s.max)));
      }
      c.*(s.int_field) = v;
      return {};
    }
    case BucketSetting::Kind::Rate: {
      double v = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || !(v >= s.min) ||
          !(v <= s.max)) {
        return makeError(ErrorCode::InvalidConfig,
                         name + " must be a number of tokens per second from 0.1 to 100");
      }
      c.*(s.rate_field) = v;
      return {};
    }
  }
  return {};
}

Status validateBucketLimits(const BucketLimits& limits) {
  std::string problems;
  checkCapacity(problems, "capacity", limits.capacity);
  checkRate(problems, "refill_rate", limits.refill_per_second);
  return statusOf(problems);
}

}  // namespace poise::keys
