// SchedulePlan: when each of the three validation schedules (active, exhausted and error keys)
// is due, as plain data over an injected Clock (monotonic milliseconds). Each schedule has its
// own interval (0 = off); a schedule never overlaps itself: a run still going when the next one
// is due makes that tick a skip. New intervals restart only the schedules whose interval
// changed. Not thread-safe: owned by the ValidationScheduler's loop.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "config/runtime_config.h"
#include "core/clock.h"
#include "keys/key_pool.h"

namespace poise::jobs {

enum class Schedule { Active = 0, Exhausted = 1, Error = 2 };
inline constexpr std::array<Schedule, 3> kSchedules{Schedule::Active, Schedule::Exhausted,
                                                    Schedule::Error};
std::string_view toString(Schedule s);
// The key status a schedule validates.
keys::KeyStatus statusOf(Schedule s);

// The interval of each schedule; zero turns a schedule off.
struct ScheduleIntervals {
  std::array<std::chrono::seconds, 3> every{};
  std::chrono::seconds of(Schedule s) const { return every[static_cast<std::size_t>(s)]; }
  bool operator==(const ScheduleIntervals&) const = default;
};

// The intervals from config key_validation_{active,exhausted,error}_interval_seconds; a value
// of 0 (or below) turns that schedule off.
ScheduleIntervals resolveIntervals(const config::RuntimeConfig& cfg);

class SchedulePlan {
 public:
  explicit SchedulePlan(const Clock& clock) : clock_(clock) {}

  // Applies new intervals. A schedule whose interval changed restarts: its next run is one new
  // interval from now (a run in progress finishes undisturbed). Returns the schedules restarted.
  std::vector<Schedule> configure(const ScheduleIntervals& intervals);
  const ScheduleIntervals& intervals() const { return intervals_; }

  struct Tick {
    std::vector<Schedule> start;    // due and idle: start a run now (marked running)
    std::vector<Schedule> skipped;  // due but the previous run is still going
  };
  // Decides, at the clock's now, which schedules start and which skip; the due ones (started or
  // skipped) move on by whole intervals past now.
  Tick tick();
  // A run of `s` ended.
  void finished(Schedule s);

  bool running(Schedule s) const { return state(s).running; }
  // Milliseconds from now until the next schedule is due (0 when one is due now); nullopt when
  // every schedule is off.
  std::optional<std::int64_t> msUntilNextDue() const;
  std::int64_t skips(Schedule s) const { return state(s).skips; }

 private:
  struct State {
    std::int64_t next_due_ms = 0;
    bool running = false;
    std::int64_t skips = 0;
  };
  State& state(Schedule s) { return states_[static_cast<std::size_t>(s)]; }
  const State& state(Schedule s) const { return states_[static_cast<std::size_t>(s)]; }

  const Clock& clock_;
  ScheduleIntervals intervals_;
  std::array<State, 3> states_{};
};

}  // namespace poise::jobs
