#include "stats/call_counters.h"

#include <algorithm>

namespace poise::stats {

namespace {

using std::chrono::floor;

std::int64_t secondOf(TimePoint t) {
  return floor<std::chrono::seconds>(t).time_since_epoch().count();
}
std::int64_t minuteOf(TimePoint t) {
  return floor<std::chrono::minutes>(t).time_since_epoch().count();
}
std::int64_t hourOf(TimePoint t) {
  return floor<std::chrono::hours>(t).time_since_epoch().count();
}
std::int64_t monthOf(TimePoint t) {
  const std::chrono::year_month_day ymd{floor<std::chrono::days>(t)};
  return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 +
         static_cast<unsigned>(ymd.month()) - 1;
}
std::size_t slotIndex(std::int64_t epoch, std::size_t n) {
  const auto m = epoch % static_cast<std::int64_t>(n);
  return static_cast<std::size_t>(m < 0 ? m + static_cast<std::int64_t>(n) : m);
}

}  // namespace

CallCounters::CallCounters() {
  pending_.reserve(8);
}

template <std::size_t N>
void CallCounters::add(Ring<N>& ring, std::int64_t epoch, CallCount c) {
  Slot& s = ring[slotIndex(epoch, N)];
  if (s.epoch > epoch) return;  // older than the ring covers
  if (s.epoch != epoch) s = Slot{.epoch = epoch, .count = {}};
  s.count.calls += c.calls;
  s.count.failures += c.failures;
}

template <std::size_t N>
CallCount CallCounters::sum(const Ring<N>& ring, std::int64_t first, std::int64_t last) {
  CallCount out;
  first = std::max(first, last - static_cast<std::int64_t>(N) + 1);
  for (std::int64_t e = first; e <= last; ++e) {
    const Slot& s = ring[slotIndex(e, N)];
    if (s.epoch != e) continue;
    out.calls += s.count.calls;
    out.failures += s.count.failures;
  }
  return out;
}

void CallCounters::record(std::int64_t key_id, bool failed, TimePoint now) {
  const CallCount one{.calls = 1, .failures = failed ? 1 : 0};
  const std::int64_t hour = hourOf(now);
  const std::int64_t month = monthOf(now);
  std::lock_guard lock(mu_);
  add(seconds_, secondOf(now), one);
  add(minutes_, minuteOf(now), one);
  add(keys_[key_id], hour, one);
  addKeyMinuteLocked(key_id, minuteOf(now), one);
  if (month > month_) {
    month_ = month;
    month_total_ = 0;
  }
  if (month == month_) ++month_total_;
  const TimePoint hour_start{std::chrono::hours(hour)};
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const HourlyCallCount& p) { return p.hour == hour_start; });
  if (it == pending_.end()) {
    pending_.push_back(HourlyCallCount{.hour = hour_start, .count = one});
  } else {
    it->count.calls += one.calls;
    it->count.failures += one.failures;
  }
}

void CallCounters::addKeyMinuteLocked(std::int64_t key_id, std::int64_t minute, CallCount c) {
  if (!key_minutes_.empty() && minute < key_minutes_.rbegin()->first - kKeyMinuteSpan) return;
  auto [cell, inserted] = key_minutes_[minute].try_emplace(key_id);
  cell->second.calls += c.calls;
  cell->second.failures += c.failures;
  if (inserted) ++key_minute_cells_;
  // Minutes older than 24 h before the newest go, and the oldest go first past the cell cap.
  const std::int64_t newest = key_minutes_.rbegin()->first;
  while (key_minutes_.size() > 1 && (key_minutes_.begin()->first < newest - kKeyMinuteSpan ||
                                     key_minute_cells_ > kMaxKeyMinuteCells)) {
    const bool over_cap = key_minute_cells_ > kMaxKeyMinuteCells;
    key_minute_cells_ -= key_minutes_.begin()->second.size();
    key_minutes_.erase(key_minutes_.begin());
    if (over_cap) complete_since_ = key_minutes_.begin()->first;
  }
  // Once the minutes the cap cut into have aged out, every minute kept is whole again.
  if (complete_since_ && *complete_since_ < key_minutes_.begin()->first) complete_since_.reset();
}

std::vector<KeyMinuteCount> CallCounters::keyMinutes(TimePoint since, TimePoint now) const {
  const std::int64_t first = minuteOf(since);
  const std::int64_t last = minuteOf(now);
  std::vector<KeyMinuteCount> out;
  std::lock_guard lock(mu_);
  for (auto it = key_minutes_.lower_bound(first); it != key_minutes_.end() && it->first <= last;
       ++it) {
    for (const auto& [id, count] : it->second) {
      out.push_back(KeyMinuteCount{
          .key_id = id, .minute = TimePoint{std::chrono::minutes(it->first)}, .count = count});
    }
  }
  std::sort(out.begin(), out.end(), [](const KeyMinuteCount& a, const KeyMinuteCount& b) {
    return a.key_id != b.key_id ? a.key_id < b.key_id : a.minute < b.minute;
  });
  return out;
}

std::optional<TimePoint> CallCounters::keyMinutesCompleteSince() const {
  std::lock_guard lock(mu_);
  if (!complete_since_) return std::nullopt;
  return TimePoint{std::chrono::minutes(*complete_since_)};
}

CallCount CallCounters::callsLast(std::chrono::seconds window, TimePoint now) const {
  window =
      std::clamp(window, std::chrono::seconds(1), std::chrono::seconds(std::chrono::hours(24)));
  std::lock_guard lock(mu_);
  if (window <= std::chrono::seconds(60)) {
    const std::int64_t last = secondOf(now);
    return sum(seconds_, last - window.count() + 1, last);
  }
  const std::int64_t minutes = (window.count() + 59) / 60;
  const std::int64_t last = minuteOf(now);
  return sum(minutes_, last - minutes + 1, last);
}

std::int64_t CallCounters::monthlyUsage(TimePoint now) const {
  const std::int64_t month = monthOf(now);
  std::lock_guard lock(mu_);
  return month == month_ ? month_total_ : 0;
}

CallCount CallCounters::keyLast24h(std::int64_t key_id, TimePoint now) const {
  const std::int64_t last = hourOf(now);
  std::lock_guard lock(mu_);
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return {};
  return sum(it->second, last - static_cast<std::int64_t>(kKeyHourSlots) + 1, last);
}

std::vector<HourlyCallCount> CallCounters::drainHourly() {
  std::vector<HourlyCallCount> fresh;
  fresh.reserve(8);
  {
    std::lock_guard lock(mu_);
    pending_.swap(fresh);
  }
  std::sort(fresh.begin(), fresh.end(),
            [](const HourlyCallCount& a, const HourlyCallCount& b) { return a.hour < b.hour; });
  return fresh;
}

void CallCounters::requeue(std::span<const HourlyCallCount> counts) {
  std::lock_guard lock(mu_);
  for (const auto& c : counts) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const HourlyCallCount& p) { return p.hour == c.hour; });
    if (it == pending_.end()) {
      pending_.push_back(c);
    } else {
      it->count.calls += c.count.calls;
      it->count.failures += c.count.failures;
    }
  }
}

void CallCounters::seed(std::span<const HourlyCallCount> rows, TimePoint now) {
  const std::int64_t month = monthOf(now);
  const std::int64_t now_minute = minuteOf(now);
  const std::int64_t first_minute = now_minute - static_cast<std::int64_t>(kMinuteSlots) + 1;
  std::lock_guard lock(mu_);
  if (month > month_) {
    month_ = month;
    month_total_ = 0;
  }
  for (const auto& row : rows) {
    if (monthOf(row.hour) == month_) month_total_ += row.count.calls;
    // Spread the hour evenly over its minutes up to now; keep those within the last 24 h.
    const std::int64_t start = minuteOf(row.hour);
    const std::int64_t end = std::min(start + 59, now_minute);
    if (end < first_minute || start > end) continue;
    const std::int64_t n = end - start + 1;
    for (std::int64_t m = std::max(start, first_minute); m <= end; ++m) {
      const std::int64_t i = m - start;
      const CallCount share{
          .calls = row.count.calls / n + (i < row.count.calls % n ? 1 : 0),
          .failures = row.count.failures / n + (i < row.count.failures % n ? 1 : 0)};
      add(minutes_, m, share);
    }
  }
}

}  // namespace poise::stats
