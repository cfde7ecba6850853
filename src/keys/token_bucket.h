// TokenBucket: one upstream key's rate limit (capacity, refill rate, current level), and
// BucketConfig: the per-priority-tier defaults and per-key overrides that size it.
// Pure value types: every function takes the instant `now` from the caller's Clock and does no I/O.
// Thread-compatible: the owner (KeyPool, under its mutex) serializes access.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace poise::keys {

struct TokenBucket {
  // Comparisons tolerate this much floating error, so that a level reached by exact arithmetic
  // (say 500 ms at 2 tokens/s = 1 token) is never judged as 0.999999.
  static constexpr double kEpsilon = 1e-9;

  int capacity = 1;                // tokens; ≥ 1
  double refill_per_second = 1.0;  // tokens per second; > 0
  double tokens = 0.0;             // level at last_refill; 0 ≤ tokens ≤ capacity
  TimePoint last_refill{};

  // A bucket that is full at `now`.
  static TokenBucket full(int capacity, double refill_per_second, TimePoint now);

  // The level at `now`: min(capacity, tokens + elapsed seconds × rate). An instant earlier than
  // last_refill (a clock step back) counts as no time elapsed.
  double tokensAt(TimePoint now) const;
  // Folds the refill up to `now` into `tokens` and moves last_refill to `now` (never backwards).
  void refill(TimePoint now);
  // Refills, then takes `n` tokens if the level is at least `n`. Returns whether it did.
  [[nodiscard]] bool tryConsume(TimePoint now, int n = 1);
  // Time from `now` until the level reaches `n` tokens, rounded up to whole milliseconds, so that
  // tryConsume(now + result, n) succeeds; zero when it already has. nullopt when n > capacity
  // (the bucket can never hold that many).
  std::optional<Millis> timeUntilAvailable(TimePoint now, int n = 1) const;
  // Full at `now`.
  void reset(TimePoint now);
  // New capacity and rate from `now` on: the refill so far is counted at the old rate, and the
  // level is clamped to the new capacity.
  void reconfigure(int new_capacity, double new_refill_per_second, TimePoint now);
};

enum class KeyPriority { High, Normal, Low };
std::string_view toString(KeyPriority p);
// "high", "normal", "low"; nullopt for anything else.
std::optional<KeyPriority> parseKeyPriority(std::string_view s);

// A bucket's size, from a tier default or a per-key override.
struct BucketLimits {
  int capacity = 10;               // tokens, 1..1000
  double refill_per_second = 1.0;  // tokens per second, 0.1..100
  friend bool operator==(const BucketLimits&, const BucketLimits&) = default;
};

// The token-bucket settings, named as the seed's `token_bucket_<name>` config entries, with its
// defaults (reference/seed-spec.md §6.5).
struct BucketConfig {
  static constexpr int kMinCapacity = 1;
  static constexpr int kMaxCapacity = 1000;
  static constexpr double kMinRefillRate = 0.1;
  static constexpr double kMaxRefillRate = 100.0;

  int default_capacity = 10;
  double default_refill_rate = 1.0;
  int high_priority_capacity = 20;
  double high_priority_refill_rate = 2.0;
  int low_priority_capacity = 5;
  double low_priority_refill_rate = 0.5;
  // When false, buckets do not limit keys at all.
  bool enable_token_bucket = true;
  // When every key's bucket is empty: true picks a key anyway (ignoring the limits); false
  // answers 429 with Retry-After. The seed defaulted to true, but its buckets never limited
  // anything; here the default is false so that a limit is a limit.
  bool fallback_to_random = false;
  // Forgetting idle buckets (the seed's Redis TTLs, which it had only on paper). A bucket not
  // consumed from for its TTL is forgotten: it starts again full. The TTL is bucket_ttl, or, by
  // the key's attempts in the last hour, high_freq_ttl (≥ high_freq_threshold), medium_freq_ttl
  // (≥ medium_freq_threshold) or low_freq_ttl. Forgetting happens when a bucket is read
  // (enable_lazy_cleanup) and in a sweep every cleanup_interval seconds. With
  // enable_lru_eviction, at most max_buckets buckets are tracked below full; beyond that the
  // least recently used is forgotten.
  int bucket_ttl = 3600;
  int cleanup_interval = 300;
  bool enable_lazy_cleanup = true;
  bool enable_lru_eviction = true;
  int max_buckets = 1000;
  int high_freq_ttl = 3600;
  int medium_freq_ttl = 1800;
  int low_freq_ttl = 300;
  int high_freq_threshold = 100;
  int medium_freq_threshold = 10;

  // The limits for a key: its override when it has one, else its tier's defaults (`Normal` uses
  // default_capacity / default_refill_rate).
  BucketLimits limitsFor(KeyPriority priority,
                         const std::optional<BucketLimits>& key_override = std::nullopt) const;

  // Every capacity within 1..1000 and every rate within 0.1..100. The error's code is
  // "invalid_config" and its message names each offending setting.
  [[nodiscard]] Status validate() const;
};

// One `token_bucket_<name>` setting: its name without the prefix, type and range.
struct BucketSetting {
  enum class Kind { Int, Rate, Bool };
  const char* name;
  Kind kind;
  double min;
  double max;
  int BucketConfig::*int_field;
  double BucketConfig::*rate_field;
  bool BucketConfig::*bool_field;
};
// The 18 settings, in the seed's order (reference/seed-spec.md §6.5).
std::span<const BucketSetting> bucketSettings();
const BucketSetting* findBucketSetting(std::string_view name);  // name without the prefix
// The setting's value in `c` as config text ("10", "1.0" → "1", "true").
std::string bucketSettingText(const BucketConfig& c, const BucketSetting& s);
// Parses and range-checks `text` for `s`, storing it in `c`. Error code "invalid_config".
[[nodiscard]] Status applyBucketSetting(BucketConfig& c, const BucketSetting& s,
                                        std::string_view text);

// The same ranges for one key's override (the seed's /configure body: capacity, refill_rate).
[[nodiscard]] Status validateBucketLimits(const BucketLimits& limits);

}  // namespace poise::keys
