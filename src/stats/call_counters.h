// CallCounters: in-memory counts of upstream attempts for GET /api/v1/api_keys/statistics/calls
// and calls_by_minute: a per-second ring (the last minute), a per-minute ring (the last 24 h), 24
// hourly slots per key, per-key counts per minute (the last 24 h, capped) and this UTC month's
// total, plus the per-hour increments not yet persisted. Thread-safe: one short mutex per call;
// record() allocates only for the first call of a new key, hour or (key, minute).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace poise::stats {

struct CallCount {
  std::int64_t calls = 0;
  std::int64_t failures = 0;
  friend bool operator==(const CallCount&, const CallCount&) = default;
};

// Attempts in one UTC hour; `hour` is the first instant of that hour.
struct HourlyCallCount {
  TimePoint hour;
  CallCount count;
  friend bool operator==(const HourlyCallCount&, const HourlyCallCount&) = default;
};

// Attempts with one key in one UTC minute; `minute` is the first instant of that minute.
struct KeyMinuteCount {
  std::int64_t key_id = 0;
  TimePoint minute;
  CallCount count;
};

class CallCounters {
 public:
  CallCounters();

  // One upstream attempt (success or failure) with key `key_id` at `now`. Attempts older than
  // 24 h before the newest one seen are counted only in the month and hourly totals.
  void record(std::int64_t key_id, bool failed, TimePoint now);

  // Attempts in the last `window` before `now`. A window of at most 60 s is exact to the second:
  // [now − window, now] in whole seconds. Longer windows (up to 24 h) count whole minutes: the
  // current minute and the ceil(window / 1 min) − 1 minutes before it. Longer windows are
  // clamped to 24 h.
  CallCount callsLast(std::chrono::seconds window, TimePoint now) const;
  // Attempts since the first instant of the UTC month that contains `now`.
  std::int64_t monthlyUsage(TimePoint now) const;
  // One key's attempts in the current hour and the 23 before it. Not persisted: after a restart
  // it counts from the restart.
  CallCount keyLast24h(std::int64_t key_id, TimePoint now) const;

  // Each key's attempts per minute from the minute of `since` to the minute of `now`, by key id
  // then minute; minutes without attempts are left out. Covers the last 24 h, in memory only
  // (empty after a restart) and at most kMaxKeyMinuteCells (key, minute) pairs: past that the
  // oldest minutes are dropped (see keyMinutesCompleteSince).
  std::vector<KeyMinuteCount> keyMinutes(TimePoint since, TimePoint now) const;
  // The first minute still whole after the cap dropped older ones; nullopt when none was dropped.
  std::optional<TimePoint> keyMinutesCompleteSince() const;

  // Takes the per-hour increments recorded since the last drain (for call_counts_hourly),
  // oldest hour first.
  std::vector<HourlyCallCount> drainHourly();
  // Puts back increments a failed write could not persist (they are drained again next time).
  void requeue(std::span<const HourlyCallCount> counts);

  // Loads persisted hourly totals at start-up so the month and the 24 h (and 1 h) figures
  // survive a restart. An hour within the last 24 h is spread evenly over its minutes up to
  // `now`, so per-minute figures for restored hours are approximate; the last-minute figure
  // starts from zero. Call before the first record(); seeded counts are not drained again.
  void seed(std::span<const HourlyCallCount> rows, TimePoint now);

  static constexpr std::size_t kSecondSlots = 64;
  static constexpr std::size_t kMinuteSlots = std::size_t{24} * 60;
  static constexpr std::size_t kKeyHourSlots = 24;
  static constexpr std::size_t kMaxKeyMinuteCells = 200'000;  // about 16 MiB at most

 private:
  struct Slot {
    std::int64_t epoch = -1;  // second, minute or hour index since the Unix epoch
    CallCount count;
  };
  template <std::size_t N>
  using Ring = std::array<Slot, N>;

  template <std::size_t N>
  static void add(Ring<N>& ring, std::int64_t epoch, CallCount c);
  template <std::size_t N>
  static CallCount sum(const Ring<N>& ring, std::int64_t first, std::int64_t last);

  void addKeyMinuteLocked(std::int64_t key_id, std::int64_t minute, CallCount c);
  static constexpr std::int64_t kKeyMinuteSpan = std::int64_t{24} * 60;  // minutes

  mutable std::mutex mu_;
  Ring<kSecondSlots> seconds_;
  Ring<kMinuteSlots> minutes_;
  std::unordered_map<std::int64_t, Ring<kKeyHourSlots>> keys_;
  std::int64_t month_ = -1;  // year * 12 + month − 1 of month_total_
  std::int64_t month_total_ = 0;
  std::vector<HourlyCallCount> pending_;
  // minute since the epoch → key id → attempts (calls_by_minute).
  std::map<std::int64_t, std::unordered_map<std::int64_t, CallCount>> key_minutes_;
  std::size_t key_minute_cells_ = 0;
  std::optional<std::int64_t> complete_since_;
};

}  // namespace poise::stats
