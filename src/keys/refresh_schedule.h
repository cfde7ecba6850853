// RefreshSchedule: when each bucket below full must be looked at again, so that the selector's
// weights follow the refill and an emptied key comes back exactly when it holds a token (one
// event per weight step, not one per pick). At most one pending event per slot: a later one is
// dropped while an earlier one is pending. This stays in each gateway process whatever
// BucketStore holds the levels, since it drives that process's own selector.
// Thread-compatible: the owner (KeyPool, under its mutex) serializes calls.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "core/clock.h"

namespace poise::keys {

class RefreshSchedule {
 public:
  // Makes room for slots below `slots` up front, so that schedule() never grows the table on the
  // request path (growing it there value-initializes up to n entries per doubling). O(slots)
  // once.
  void reserveSlots(std::size_t slots);
  // Asks for `slot` to be due at `due`, unless an event no later than `due` is pending.
  // O(log n).
  void schedule(std::size_t slot, TimePoint due);
  // Drops the slot's pending event (its bucket was reset or reconfigured, or its key removed).
  void cancel(std::size_t slot);
  std::optional<TimePoint> pending(std::size_t slot) const;
  // The next slot whose event is due at `now`, which is no longer pending; nullopt when none
  // is. Amortized O(log n).
  std::optional<std::size_t> popDue(TimePoint now);
  void clear();

 private:
  struct Event {
    TimePoint due;
    std::size_t slot;
    bool operator>(const Event& o) const { return due > o.due; }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap_;
  std::vector<std::optional<TimePoint>> pending_;  // by slot
};

// Inline: every pick schedules and pops.

inline void RefreshSchedule::reserveSlots(std::size_t slots) {
  if (slots > pending_.size()) pending_.resize(slots);
}

inline void RefreshSchedule::schedule(std::size_t slot, TimePoint due) {
  if (slot >= pending_.size()) pending_.resize(slot + 1);
  auto& p = pending_[slot];
  if (p && *p <= due) return;  // an earlier event will handle it
  p = due;
  heap_.push(Event{due, slot});
}

inline void RefreshSchedule::cancel(std::size_t slot) {
  if (slot < pending_.size()) pending_[slot].reset();
}

inline std::optional<TimePoint> RefreshSchedule::pending(std::size_t slot) const {
  return slot < pending_.size() ? pending_[slot] : std::nullopt;
}

inline std::optional<std::size_t> RefreshSchedule::popDue(TimePoint now) {
  while (!heap_.empty() && heap_.top().due <= now) {
    const Event e = heap_.top();
    heap_.pop();
    auto& p = pending_[e.slot];
    if (!p || *p != e.due) continue;  // cancelled or superseded
    p.reset();
    return e.slot;
  }
  return std::nullopt;
}

inline void RefreshSchedule::clear() {
  heap_ = {};
  pending_.clear();
}

}  // namespace poise::keys
