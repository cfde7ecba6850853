// CooldownStore: which keys rest for which model, and until when (a 429 cools a key for that
// model only). This is the state several gateway instances will share: each operation is one
// atomic step on one key or one model, which a Redis implementation maps to one command or
// script (a hash of ends and reasons per model, a sorted set of ends per model: SET … PXAT, GET,
// ZRANGEBYSCORE … LIMIT 1, ZCOUNT). MemoryCooldownStore is the in-process implementation.
// Thread-compatible: the owner (KeyPool, under its mutex) serializes calls. No clock is read;
// every instant is the caller's. Model names are given normalized (without `models/`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace poise::keys {

struct CooldownInfo {
  std::string model;
  TimePoint until;
  std::string reason;
};

class CooldownStore {
 public:
  // A place in a model's order of cooldown ends: by end, then by key id.
  struct End {
    TimePoint until{};
    std::int64_t id = 0;
  };
  // What expire() did: key `id` stopped cooling for `model`; or, without an id, `model` has no
  // cooling key left.
  struct Expired {
    std::optional<std::int64_t> id;
    std::string model;
  };

  virtual ~CooldownStore() = default;

  // Key `id` rests for `model` (non-empty) until `until`, replacing any cooldown it had for that
  // model, even a later one: the newest 429 decides. `in_rotation` as for setInRotation.
  virtual void setUntil(std::int64_t id, std::string_view model, TimePoint until,
                        std::string_view reason, bool in_rotation) = 0;
  // The end of the key's cooldown for `model` when it is still in force at `now` (ends after
  // `now`); nullopt otherwise, and for an empty model.
  virtual std::optional<TimePoint> until(std::int64_t id, std::string_view model,
                                         TimePoint now) const = 0;
  // The key's cooldowns in force at `now`, by model name.
  virtual std::vector<CooldownInfo> cooldownsOf(std::int64_t id, TimePoint now) const = 0;

  // Keys with a cooldown recorded for `model`, whether or not it is in rotation, counting ended
  // cooldowns until expire() takes them.
  virtual std::size_t keysCooling(std::string_view model) const = 0;
  // Keys in rotation whose cooldown for `model` is in force at `now`.
  virtual std::size_t inRotationCooling(std::string_view model, TimePoint now) const = 0;
  // Up to out.size() ends of `model`'s order that come after (`after`, `after_id`), in order,
  // among keys in rotation; returns how many it wrote. One ZRANGEBYSCORE … LIMIT for Redis;
  // in-process O(log n + out.size()), and O(out.size()) from the start of the order.
  virtual std::size_t endsAfter(std::string_view model, TimePoint after, std::int64_t after_id,
                                std::span<End> out) const = 0;
  // Calls fn(end) for `model`'s ends after `after`, in order, among keys in rotation, while fn
  // returns true (a page of ends per call to endsAfter). TimePoint::min() walks every end, ended
  // or not (an ended cooldown is still there until expire() takes it). Most walks stop within
  // the first end or two (the earliest end decides), so the first page holds two ends and the
  // next ones 32: a walk pays for the ends it reads, not for a page it fills and drops.
  template <class Fn>
  void walkEnds(std::string_view model, TimePoint after, Fn&& fn) const {
    std::int64_t after_id = after == TimePoint::min() ? std::numeric_limits<std::int64_t>::min()
                                                      : std::numeric_limits<std::int64_t>::max();
    // True when the walk goes on past `page`.
    auto walk = [&](std::span<End> page) {
      const std::size_t n = endsAfter(model, after, after_id, page);
      for (std::size_t i = 0; i < n; ++i) {
        if (!fn(page[i])) return false;
      }
      if (n < page.size()) return false;
      after = page[n - 1].until;
      after_id = page[n - 1].id;
      return true;
    };
    std::array<End, 2> first;
    if (!walk(first)) return;
    std::array<End, 32> page;
    while (walk(page)) {
    }
  }

  // A key is in rotation while it can serve (the pool's `active` status). A key out of rotation
  // keeps its cooldowns, which run on, but the order of ends (endsAfter, inRotationCooling) leaves
  // it out until it returns.
  virtual void setInRotation(std::int64_t id, bool in_rotation) = 0;
  // Ends every cooldown of the key (a validation passed, or the key was removed). Appends the
  // models it was cooling for to `models` when given.
  virtual void clearKey(std::int64_t id, std::vector<std::string>* models) = 0;
  // Forgets every cooldown.
  virtual void clear() = 0;
  // Forgets the cooldowns that ended at or before `now`. Appends to `out`, for each, an Expired
  // with the key's id, followed by one without an id when it was the model's last cooling key.
  virtual void expire(TimePoint now, std::vector<Expired>& out) = 0;
};

}  // namespace poise::keys
