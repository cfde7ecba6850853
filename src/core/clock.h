// Clock: the injected source of time. Pure logic (buckets, cooldowns, retry policy, sessions)
// takes a Clock& so tests can pin exact instants. SystemClock is thread-safe; ManualClock is
// thread-safe too (atomic), so concurrency tests may share one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace poise {

using Millis = std::chrono::milliseconds;
// Wall-clock instant in milliseconds since the Unix epoch (UTC).
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Millis>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps that are stored or shown.
  virtual TimePoint now() const = 0;
  // Monotonic milliseconds, for durations and deadlines.
  virtual std::int64_t monotonicMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  std::int64_t monotonicMs() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{Millis{1'700'000'000'000}})
      : ms_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint{Millis{ms_.load()}}; }
  std::int64_t monotonicMs() const override { return ms_.load(); }
  void advance(Millis d) { ms_ += d.count(); }
  void set(TimePoint t) { ms_ = t.time_since_epoch().count(); }

 private:
  std::atomic<std::int64_t> ms_;
};

// Formats as ISO-8601 UTC with milliseconds: "2026-11-26T05:55:55.123Z".
std::string formatIso8601(TimePoint t);
// Parses the forms produced above, "YYYY-MM-DD HH:MM:SS[.fff]" (SQL, UTC) and any UTC offset
// ("Z", "±HH:MM", "±HHMM", "±HH"), converted to UTC; returns false on anything else.
bool parseIso8601(std::string_view s, TimePoint& out);

}  // namespace poise
