#include "jobs/schedule_plan.h"

namespace poise::jobs {

std::string_view toString(Schedule s) {
  switch (s) {
    case Schedule::Active:
      return "active";
    case Schedule::Exhausted:
      return "exhausted";
    case Schedule::Error:
      return "error";
  }
  return "active";
}

keys::KeyStatus statusOf(Schedule s) {
  switch (s) {
    case Schedule::Active:
      return keys::KeyStatus::Active;
    case Schedule::Exhausted:
      return keys::KeyStatus::Exhausted;
    case Schedule::Error:
      return keys::KeyStatus::Error;
  }
  return keys::KeyStatus::Active;
}

ScheduleIntervals resolveIntervals(const config::RuntimeConfig& cfg) {
  auto seconds = [](int v) { return std::chrono::seconds(v > 0 ? v : 0); };
  ScheduleIntervals out;
  out.every = {seconds(cfg.key_validation_active_interval_seconds),
               seconds(cfg.key_validation_exhausted_interval_seconds),
               seconds(cfg.key_validation_error_interval_seconds)};
  return out;
}

std::vector<Schedule> SchedulePlan::configure(const ScheduleIntervals& intervals) {
  std::vector<Schedule> restarted;
  const std::int64_t now = clock_.monotonicMs();
  for (Schedule s : kSchedules) {
    const auto i = static_cast<std::size_t>(s);
    if (intervals.every[i] == intervals_.every[i]) continue;
    intervals_.every[i] = intervals.every[i];
    states_[i].next_due_ms =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(intervals.every[i]).count();
    restarted.push_back(s);
  }
  return restarted;
}

SchedulePlan::Tick SchedulePlan::tick() {
  Tick out;
  const std::int64_t now = clock_.monotonicMs();
  for (Schedule s : kSchedules) {
    const std::int64_t every =
        std::chrono::duration_cast<std::chrono::milliseconds>(intervals_.of(s)).count();
    if (every <= 0) continue;
    State& st = state(s);
    if (st.next_due_ms > now) continue;
    if (st.running) {
      ++st.skips;
      out.skipped.push_back(s);
    } else {
      st.running = true;
      out.start.push_back(s);
    }
    // Fixed rate: the next run is the first whole interval after now (missed ticks are dropped).
    const std::int64_t behind = now - st.next_due_ms;
    st.next_due_ms += (behind / every + 1) * every;
  }
  return out;
}

void SchedulePlan::finished(Schedule s) {
  state(s).running = false;
}

std::optional<std::int64_t> SchedulePlan::msUntilNextDue() const {
  const std::int64_t now = clock_.monotonicMs();
  std::optional<std::int64_t> best;
  for (Schedule s : kSchedules) {
    if (intervals_.of(s).count() <= 0) continue;
    const std::int64_t left = std::max<std::int64_t>(0, state(s).next_due_ms - now);
    if (!best || left < *best) best = left;
  }
  return best;
}

}  // namespace poise::jobs
