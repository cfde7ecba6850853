#include "keys/key_pool.h"

#include <algorithm>
#include <cmath>

namespace poise::keys {

namespace {

constexpr std::chrono::hours kHour{1};
// Picks that land on a key cooling for the model are redrawn this many times before the pick
// excludes every cooling key at once (O(k log n) for k cooling keys).
constexpr int kCoolingRedraws = 8;

std::size_t statusIndex(KeyStatus s) {
  return static_cast<std::size_t>(s);
}

}  // namespace

std::string_view toString(KeyStatus s) {
  switch (s) {
    case KeyStatus::Active:
      return "active";
    case KeyStatus::Exhausted:
      return "exhausted";
    case KeyStatus::Error:
      return "error";
    case KeyStatus::Disabled:
      return "disabled";
  }
  return "error";
}

std::optional<KeyStatus> parseKeyStatus(std::string_view s) {
  if (s == "active") return KeyStatus::Active;
  if (s == "exhausted") return KeyStatus::Exhausted;
  if (s == "error") return KeyStatus::Error;
  if (s == "disabled") return KeyStatus::Disabled;
  return std::nullopt;
}

std::string_view normalizeModel(std::string_view model) {
  if (model.substr(0, 7) == "models/") model.remove_prefix(7);
  return model;
}

KeyPool::KeyPool(const Clock& clock, std::uint64_t seed) : clock_(clock), rng_(seed) {}

KeyPool::Entry* KeyPool::findLocked(std::int64_t id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void KeyPool::countStatusLocked(KeyStatus s, int delta) {
  counts_[statusIndex(s)] += delta;
}

void KeyPool::setActiveIndexLocked(Entry& e, bool active) {
  const bool is_active = e.active_index != SIZE_MAX;
  if (active == is_active) return;
  if (active) {
    e.active_index = active_.size();
    active_.push_back(e.key.id);
    return;
  }
  // Swap-remove, fixing the moved key's index.
  const std::size_t index = e.active_index;
  const std::int64_t moved = active_.back();
  active_[index] = moved;
  active_.pop_back();
  if (moved != e.key.id) entries_.at(moved).active_index = index;
  e.active_index = SIZE_MAX;
}

void KeyPool::trackPartialLocked(Entry& e, bool partial) {
  partial = partial && settings_.buckets.enable_lru_eviction;
  if (e.partial_it) {
    if (partial && (*e.partial_it)->first == e.last_consume) return;  // already in place
    partial_.erase(*e.partial_it);
    e.partial_it.reset();
  }
  if (!partial) return;
  // last_consume is usually the newest instant: the end() hint makes the insert O(1).
  e.partial_it = partial_.emplace_hint(partial_.end(), e.last_consume, e.key.id);
}

std::chrono::seconds KeyPool::bucketTtlLocked(const Entry& e) const {
  const auto& b = settings_.buckets;
  int ttl = b.low_freq_ttl;
  if (e.hour_uses >= b.high_freq_threshold) {
    ttl = b.high_freq_ttl;
  } else if (e.hour_uses >= b.medium_freq_threshold) {
    ttl = b.medium_freq_ttl;
  }
  return std::chrono::seconds(std::min(ttl, b.bucket_ttl));
}

bool KeyPool::forgetIfIdleLocked(Entry& e, TimePoint now) {
  if (e.bucket.tokensAt(now) >= e.bucket.capacity - TokenBucket::kEpsilon) return false;
  if (now - e.last_consume < bucketTtlLocked(e)) return false;
  e.bucket.reset(now);
  return true;
}

void KeyPool::updateSlotLocked(Entry& e, TimePoint now) {
  const bool active = e.key.status == KeyStatus::Active;
  const auto& cfg = settings_.buckets;
  if (!cfg.enable_token_bucket) {
    setReadyLocked(e, std::nullopt, now);
    setSlotLocked(e, active, KeySelector::kWeightPerToken, now);
    return;
  }
  if (cfg.enable_lazy_cleanup) forgetIfIdleLocked(e, now);
  const double level = e.bucket.tokensAt(now);
  const bool full = level >= e.bucket.capacity - TokenBucket::kEpsilon;
  trackPartialLocked(e, !full);
  if (!active) {
    setReadyLocked(e, std::nullopt, now);
    setSlotLocked(e, false, selector_.weight(e.slot), now);
    return;
  }
  // Eligibility is exact (a key is in the selector iff it holds a whole token). The weight moves
  // in steps of a sixteenth of the capacity (at least one token): a finer weight would not change
  // picks measurably, and every step costs an O(log n) tree update and a refresh event.
  const int step = std::max(1, e.bucket.capacity / 16);
  const bool eligible = level + TokenBucket::kEpsilon >= 1.0;
  std::uint64_t weight = KeySelector::weightForTokens(level + TokenBucket::kEpsilon);
  const std::uint64_t old = selector_.weight(e.slot);
  const std::uint64_t diff = weight > old ? weight - old : old - weight;
  if (!full && old > 0 && diff < KeySelector::weightForTokens(step)) weight = old;
  setSlotLocked(e, eligible, weight, now);
  if (full) {
    setReadyLocked(e, std::nullopt, now);
    return;
  }
  // Next refresh: when an empty key can serve again (exactly), else when the level has gained a
  // step, or is full.
  const int whole = static_cast<int>(std::floor(level + TokenBucket::kEpsilon));
  const int next = eligible ? std::min(e.bucket.capacity, whole + step) : 1;
  const auto wait = e.bucket.timeUntilAvailable(now, next).value_or(Millis{1000});
  const TimePoint due = now + std::max(wait, Millis{1});
  // An empty key is back in the selector exactly at `due` (its refresh event).
  setReadyLocked(e, eligible ? std::nullopt : std::optional<TimePoint>(due), now);
  if (e.next_refresh && *e.next_refresh <= due) return;  // an earlier event will handle it
  e.next_refresh = due;
  refresh_.push(Refresh{due, e.slot});
}

void KeyPool::setSlotLocked(const Entry& e, bool enabled, std::uint64_t weight, TimePoint now) {
  auto apply = [&](KeySelector& sel, bool on) {
    if (sel.weight(e.slot) != weight) sel.setWeight(e.slot, weight);
    if (on) {
      sel.enable(e.slot);
    } else {
      sel.disable(e.slot);
    }
  };
  apply(selector_, enabled);
  for (auto& [model, view] : views_) {
    apply(view.selector, enabled && !coolingLocked(e.key.id, model, now));
  }
}

void KeyPool::touchLocked(std::size_t slot, TimePoint when) {
  selector_.touch(slot, when);
  for (auto& [model, view] : views_) view.selector.touch(slot, when);
}

void KeyPool::setLastUsedLocked(std::size_t slot, TimePoint when) {
  selector_.setLastUsed(slot, when);
  for (auto& [model, view] : views_) view.selector.setLastUsed(slot, when);
}

void KeyPool::setLruTrackingLocked(bool on) {
  selector_.setLruTracking(on);
  for (auto& [model, view] : views_) view.selector.setLruTracking(on);
}

void KeyPool::liftCoolingLocked(const std::string& model, std::int64_t id) {
  auto vit = views_.find(model);
  if (vit == views_.end()) return;
  const Entry* e = findLocked(id);
  if (!e) return;
  if (selector_.isEnabled(e->slot)) vit->second.selector.enable(e->slot);
  if (e->ready_at) vit->second.waiting.emplace(*e->ready_at, id);
}

void KeyPool::setReadyLocked(Entry& e, std::optional<TimePoint> ready, TimePoint now) {
  if (e.ready_at == ready) return;
  if (e.ready_at) {
    const std::pair old{*e.ready_at, e.key.id};
    waiting_.erase(old);
    for (auto& [model, view] : views_) view.waiting.erase(old);
  }
  e.ready_at = ready;
  if (!ready) return;
  const std::pair now_ready{*ready, e.key.id};
  waiting_.insert(now_ready);
  for (auto& [model, view] : views_) {
    if (!coolingLocked(e.key.id, model, now)) view.waiting.insert(now_ready);
  }
}

void KeyPool::syncCoolingStatusLocked(const Entry& e) {
  const bool active = e.key.status == KeyStatus::Active;
  for (auto& [model, mc] : cooling_) {
    auto it = mc.keys.find(e.key.id);
    if (it == mc.keys.end()) continue;
    const std::pair end{it->second.until, e.key.id};
    if (active) {
      mc.active_ends.insert(end);
    } else {
      mc.active_ends.erase(end);
    }
  }
}

void KeyPool::eraseCoolingLocked(ModelCooling& mc,
                                 std::unordered_map<std::int64_t, CooldownInfo>::iterator it) {
  mc.active_ends.erase({it->second.until, it->first});
  mc.keys.erase(it);
}

void KeyPool::processDueLocked(TimePoint now) {
  while (!cooling_ends_.empty() && cooling_ends_.top().until <= now) {
    const CoolingEnd end = cooling_ends_.top();
    cooling_ends_.pop();
    auto mit = cooling_.find(end.model);
    if (mit == cooling_.end()) continue;
    auto kit = mit->second.keys.find(end.id);
    if (kit != mit->second.keys.end() && kit->second.until == end.until) {
      eraseCoolingLocked(mit->second, kit);
      liftCoolingLocked(end.model, end.id);
    }  // else renewed (a later end is queued) or gone (key removed or validated)
    if (mit->second.keys.empty()) {
      views_.erase(end.model);
      cooling_.erase(mit);
    }
  }
  while (!refresh_.empty() && refresh_.top().due <= now) {
    const Refresh r = refresh_.top();
    refresh_.pop();
    Entry* e = slot_entries_[r.slot];
    if (!e || !e->next_refresh || *e->next_refresh != r.due) continue;  // stale
    e->next_refresh.reset();
    updateSlotLocked(*e, now);
  }
}

void KeyPool::addLocked(PoolKey key, TimePoint now, bool keep_state) {
  const auto id = key.id;
  auto [it, inserted] = entries_.try_emplace(id);
  Entry& e = it->second;
  if (inserted) {
    if (!free_slots_.empty()) {
      e.slot = free_slots_.back();
      free_slots_.pop_back();
      slot_entries_[e.slot] = &e;
    } else {
      e.slot = selector_.addSlot();
      for (auto& [model, view] : views_) view.selector.addSlot();
      slot_entries_.push_back(&e);
    }
    const auto limits = settings_.buckets.limitsFor(key.priority, key.bucket_override);
    e.bucket = TokenBucket::full(limits.capacity, limits.refill_per_second, now);
    e.hour_start = now;
    if (key.last_used_at) setLastUsedLocked(e.slot, *key.last_used_at);
  } else {
    countStatusLocked(e.key.status, -1);
    if (!key.bucket_override) key.bucket_override = e.key.bucket_override;
    // The caller's row may predate uses not yet flushed: the pool's own counts are newer.
    key.usage_count = e.key.usage_count;
    if (keep_state) {
      key.status = e.key.status;
      key.failed_count = e.key.failed_count;
    }
    if (e.key.last_used_at && (!key.last_used_at || *key.last_used_at < *e.key.last_used_at)) {
      key.last_used_at = e.key.last_used_at;
    }
    const auto limits = settings_.buckets.limitsFor(key.priority, key.bucket_override);
    if (limits.capacity != e.bucket.capacity ||
        limits.refill_per_second != e.bucket.refill_per_second) {
      e.bucket.reconfigure(limits.capacity, limits.refill_per_second, now);
    }
  }
  e.key = std::move(key);
  countStatusLocked(e.key.status, +1);
  setActiveIndexLocked(e, e.key.status == KeyStatus::Active);
  if (!inserted) syncCoolingStatusLocked(e);
  updateSlotLocked(e, now);
}

void KeyPool::configure(const PoolSettings& settings) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  settings_ = settings;
  setLruTrackingLocked(settings_.strategy == SelectionStrategy::LeastRecentlyUsed);
  for (auto& [id, e] : entries_) {
    const auto limits = settings_.buckets.limitsFor(e.key.priority, e.key.bucket_override);
    if (limits.capacity != e.bucket.capacity ||
        limits.refill_per_second != e.bucket.refill_per_second) {
      e.bucket.reconfigure(limits.capacity, limits.refill_per_second, now);
    }
    e.next_refresh.reset();
    updateSlotLocked(e, now);
  }
}

PoolSettings KeyPool::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

void KeyPool::load(std::vector<PoolKey> keys) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  entries_.clear();
  active_.clear();
  selector_ = KeySelector();
  views_.clear();
  cooling_.clear();
  cooling_ends_ = {};
  selector_.setLruTracking(settings_.strategy == SelectionStrategy::LeastRecentlyUsed);
  slot_entries_.clear();
  free_slots_.clear();
  refresh_ = {};
  partial_.clear();
  waiting_.clear();
  counts_ = {};
  entries_.reserve(keys.size());
  for (auto& k : keys) addLocked(std::move(k), now);
}

void KeyPool::upsert(PoolKey key, bool keep_state) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  addLocked(std::move(key), now, keep_state);
}

void KeyPool::remove(std::int64_t id) {
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  const TimePoint now = clock_.now();
  setActiveIndexLocked(*e, false);
  trackPartialLocked(*e, false);
  setReadyLocked(*e, std::nullopt, now);
  setSlotLocked(*e, false, 0, now);
  setLastUsedLocked(e->slot, TimePoint{});
  slot_entries_[e->slot] = nullptr;
  free_slots_.push_back(e->slot);
  countStatusLocked(e->key.status, -1);
  entries_.erase(id);
  deltas_.erase(id);
  for (auto& [model, mc] : cooling_) {
    if (auto it = mc.keys.find(id); it != mc.keys.end()) eraseCoolingLocked(mc, it);
  }
}

bool KeyPool::coolingLocked(std::int64_t id, std::string_view model, TimePoint now) const {
  if (model.empty()) return false;
  auto mit = cooling_.find(model);
  if (mit == cooling_.end()) return false;
  auto kit = mit->second.keys.find(id);
  return kit != mit->second.keys.end() && kit->second.until > now;
}

std::optional<std::int64_t> KeyPool::fallbackPickLocked(std::string_view model,
                                                        std::span<const std::int64_t> exclude,
                                                        TimePoint now) {
  if (active_.empty()) return std::nullopt;
  auto eligible = [&](std::int64_t id) {
    return std::find(exclude.begin(), exclude.end(), id) == exclude.end() &&
           !coolingLocked(id, model, now);
  };
  std::uniform_int_distribution<std::size_t> dist(0, active_.size() - 1);
  for (int probe = 0; probe < 32; ++probe) {
    const std::int64_t id = active_[dist(rng_)];
    if (eligible(id)) return id;
  }
  std::vector<std::int64_t> candidates;
  for (std::int64_t id : active_) {
    if (eligible(id)) candidates.push_back(id);
  }
  if (candidates.empty()) return std::nullopt;
  std::uniform_int_distribution<std::size_t> cdist(0, candidates.size() - 1);
  return candidates[cdist(rng_)];
}

std::optional<KeyPick> KeyPool::pick(std::string_view model, std::span<const std::int64_t> exclude,
                                     PickOptions options) {
  model = normalizeModel(model);
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  processDueLocked(now);
  if (options.ignore_buckets) {
    auto id = fallbackPickLocked(model, exclude, now);
    if (!id) return std::nullopt;
    const Entry& e = entries_.at(*id);
    return KeyPick{e.key.id, e.key.value};
  }
  const bool buckets = settings_.buckets.enable_token_bucket;
  const int tokens = std::max(1, options.tokens);
  auto& excluded = scratch_excluded_;
  excluded.clear();
  for (std::int64_t id : exclude) {
    if (const Entry* e = findLocked(id)) excluded.push_back(e->slot);
  }
  // A model with many cooling keys has its own selector without them; otherwise the few cooling
  // keys are redrawn past.
  auto vit = views_.find(model);
  KeySelector& sel = vit != views_.end() ? vit->second.selector : selector_;
  std::optional<std::size_t> chosen;
  for (int draw = 0; draw <= kCoolingRedraws; ++draw) {
    chosen = sel.pick(settings_.strategy, rng_, excluded);
    if (!chosen) break;
    const bool short_of_tokens =
        buckets && tokens > 1 &&
        slot_entries_[*chosen]->bucket.tokensAt(now) + TokenBucket::kEpsilon < tokens;
    if (!short_of_tokens &&
        (vit != views_.end() || !coolingLocked(slot_entries_[*chosen]->key.id, model, now))) {
      break;
    }
    excluded.push_back(*chosen);
    chosen.reset();
    if (draw == kCoolingRedraws - 1) {
      // Many keys cool for this model: take them all out at once.
      if (auto mit = cooling_.find(model); mit != cooling_.end()) {
        for (const auto& [id, info] : mit->second.keys) {
          if (info.until <= now) continue;
          if (const Entry* e = findLocked(id)) excluded.push_back(e->slot);
        }
      }
    }
  }
  Entry* e = nullptr;
  if (chosen) {
    e = slot_entries_[*chosen];
    if (buckets && !e->bucket.tryConsume(now, tokens)) {
      // Cannot happen while eligibility is current; recompute and give up on this draw.
      updateSlotLocked(*e, now);
      e = nullptr;
    }
  } else if (buckets && settings_.buckets.fallback_to_random) {
    if (auto id = fallbackPickLocked(model, exclude, now)) {
      e = findLocked(*id);
      (void)e->bucket.tryConsume(now);  // usually empty: the point of the fallback
    }
  }
  if (!e) return std::nullopt;
  if (buckets) {
    trackPartialLocked(*e, false);
    e->last_consume = now;
    e->next_refresh.reset();
    updateSlotLocked(*e, now);
    if (settings_.buckets.enable_lru_eviction) {
      while (partial_.size() > static_cast<std::size_t>(settings_.buckets.max_buckets)) {
        const auto oldest = *partial_.begin();
        Entry* old = findLocked(oldest.second);
        old->bucket.reset(now);
        old->next_refresh.reset();
        updateSlotLocked(*old, now);  // full now: leaves partial_
      }
    }
  }
  touchLocked(e->slot, now);
  if (now - e->hour_start >= kHour) {
    e->hour_start = now;
    e->hour_uses = 0;
  }
  ++e->hour_uses;
  return KeyPick{e->key.id, e->key.value};
}

std::optional<TimePoint> KeyPool::nextEligibleAt(std::string_view model) const {
  model = normalizeModel(model);
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  if (active_.empty()) return std::nullopt;
  const bool buckets =
      settings_.buckets.enable_token_bucket && !settings_.buckets.fallback_to_random;
  const ModelCooling* mc = nullptr;
  if (auto mit = model.empty() ? cooling_.end() : cooling_.find(model); mit != cooling_.end()) {
    mc = &mit->second;
  }
  const auto vit = model.empty() ? views_.end() : views_.find(model);
  const ModelView* view = vit != views_.end() ? &vit->second : nullptr;

  // Eligible now: an active key holding a token (every active key, with buckets off or the
  // fallback) and not cooling for the model.
  std::size_t ready = 0;
  if (buckets && view) {
    ready = view->selector.enabledCount();
  } else if (buckets) {
    // Fewer than kViewThreshold keys cool for the model: take out those holding a token.
    ready = selector_.enabledCount();
    if (mc) {
      for (const auto& [until, id] : mc->active_ends) {
        if (until > now && selector_.isEnabled(entries_.at(id).slot)) --ready;
      }
    }
  } else {
    std::size_t cooling = mc ? mc->active_ends.size() : 0;
    if (mc) {
      // Ends already past but not yet processed (the next pick lifts them).
      for (auto it = mc->active_ends.begin(); it != mc->active_ends.end() && it->first <= now;
           ++it) {
        --cooling;
      }
    }
    ready = active_.size() - cooling;
  }
  if (ready > 0) return now;

  // An active key cooling for the model is eligible once its cooldown has ended and its bucket
  // holds a token. By cooldown end: once an end is no earlier than the best so far, no later
  // key can beat it.
  std::optional<TimePoint> best;
  if (mc) {
    for (const auto& [until, id] : mc->active_ends) {
      if (best && until >= *best) break;
      TimePoint at = std::max(until, now);
      if (buckets) {
        if (const auto& r = entries_.at(id).ready_at) at = std::max(at, *r);
      }
      if (!best || at < *best) best = at;
    }
  }
  if (!buckets) return best;
  // A key not cooling for the model is eligible when its bucket holds a token. The model's view
  // keeps its own list without the cooling keys; otherwise the few cooling ones are stepped over.
  const ByTime& waiting = view ? view->waiting : waiting_;
  for (const auto& [at, id] : waiting) {
    if (best && at >= *best) break;
    if (!view && coolingLocked(id, model, now)) continue;  // counted above
    best = std::max(at, now);
    break;
  }
  return best;
}

KeyDelta& KeyPool::deltaLocked(std::int64_t id) {
  auto& d = deltas_[id];
  d.id = id;
  return d;
}

void KeyPool::countUseLocked(Entry& e, Source source, TimePoint now) {
  auto& d = deltaLocked(e.key.id);
  d.failed_count = e.key.failed_count;
  if (source != Source::Proxy) return;
  d.usage_increment += 1;
  d.last_used_at = now;
  if (e.key.usage_count) ++*e.key.usage_count;
  e.key.last_used_at = now;
}

void KeyPool::changeStatusLocked(Entry& e, KeyStatus to, std::string reason) {
  if (e.key.status == to) return;
  auto& d = deltaLocked(e.key.id);
  if (!d.old_status) d.old_status = e.key.status;
  d.new_status = to;
  d.reason = std::move(reason);
  d.changed_at = clock_.now();
  countStatusLocked(e.key.status, -1);
  countStatusLocked(to, +1);
  e.key.status = to;
  e.streak_start.reset();
  e.streak_429s = 0;
  setActiveIndexLocked(e, to == KeyStatus::Active);
  syncCoolingStatusLocked(e);
  updateSlotLocked(e, clock_.now());
}

void KeyPool::recordSuccess(std::int64_t id, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  e->key.failed_count = 0;
  e->streak_start.reset();
  e->streak_429s = 0;
  countUseLocked(*e, source, now);
}

void KeyPool::recordCooldown(std::int64_t id, std::string_view model, TimePoint until,
                             std::string reason, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  const std::string m(normalizeModel(model));
  if (!m.empty() && until > now) {
    auto& mc = cooling_[m];
    if (auto old = mc.keys.find(id); old != mc.keys.end()) eraseCoolingLocked(mc, old);
    mc.keys.emplace(id, CooldownInfo{m, until, reason});
    if (e->key.status == KeyStatus::Active) mc.active_ends.emplace(until, id);
    cooling_ends_.push(CoolingEnd{until, id, m});
    auto vit = views_.find(m);
    if (vit != views_.end()) {
      vit->second.selector.disable(e->slot);
      if (e->ready_at) vit->second.waiting.erase({*e->ready_at, id});
    } else if (mc.keys.size() >= kViewThreshold) {
      ModelView view{selector_, {}};
      for (const auto& [cid, info] : mc.keys) {
        if (info.until <= now) continue;
        if (const Entry* c = findLocked(cid)) view.selector.disable(c->slot);
      }
      for (const auto& w : waiting_) {
        if (!coolingLocked(w.second, m, now)) view.waiting.insert(view.waiting.end(), w);
      }
      views_.emplace(m, std::move(view));
    }
  }
  countUseLocked(*e, source, now);
  if (source == Source::Validation) {
    if (e->key.status == KeyStatus::Error) {
      changeStatusLocked(*e, KeyStatus::Exhausted, "validation: " + reason);
    }
    return;
  }
  if (!e->streak_start) e->streak_start = now;
  ++e->streak_429s;
  const auto window = settings_.exhausted_window;
  if (e->key.status == KeyStatus::Active && window.count() > 0 &&
      e->streak_429s >= settings_.exhausted_min_429s && now - *e->streak_start >= window) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - *e->streak_start);
    changeStatusLocked(*e, KeyStatus::Exhausted,
                       "every attempt for " + std::to_string(secs.count()) + "s was a 429 (" +
                           std::to_string(e->streak_429s) + " attempts; last: " + reason + ")");
  }
}

void KeyPool::recordRejected(std::int64_t id, std::string reason, Rejection kind, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e || e->key.status == KeyStatus::Disabled) return;
  e->key.failed_count += 1;
  e->streak_start.reset();
  e->streak_429s = 0;
  countUseLocked(*e, source, now);
  const std::int64_t threshold = std::max(1, settings_.max_failed_count);
  if (kind == Rejection::Counted && e->key.failed_count < threshold) return;
  if (kind == Rejection::Counted && threshold > 1) {
    reason += " (" + std::to_string(e->key.failed_count) + " in a row)";
  }
  changeStatusLocked(*e, KeyStatus::Error,
                     source == Source::Validation ? "validation: " + reason : std::move(reason));
}

void KeyPool::recordTransient(std::int64_t id, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  e->streak_start.reset();
  e->streak_429s = 0;
  countUseLocked(*e, source, now);
}

void KeyPool::recordValidated(std::int64_t id, std::string reason) {
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e || e->key.status == KeyStatus::Disabled) return;
  e->key.failed_count = 0;
  deltaLocked(id).failed_count = 0;
  for (auto& [model, mc] : cooling_) {
    auto it = mc.keys.find(id);
    if (it == mc.keys.end()) continue;
    eraseCoolingLocked(mc, it);
    liftCoolingLocked(model, id);
  }
  changeStatusLocked(*e, KeyStatus::Active, std::move(reason));
}

std::vector<CooldownInfo> KeyPool::cooldowns(std::int64_t id) const {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  std::vector<CooldownInfo> out;
  for (const auto& [model, mc] : cooling_) {
    auto it = mc.keys.find(id);
    if (it != mc.keys.end() && it->second.until > now) out.push_back(it->second);
  }
  std::sort(out.begin(), out.end(),
            [](const CooldownInfo& a, const CooldownInfo& b) { return a.model < b.model; });
  return out;
}

BucketView KeyPool::viewLocked(const Entry& e, TimePoint now) {
  return BucketView{e.key.id,
                    e.bucket.capacity,
                    e.bucket.tokensAt(now),
                    e.bucket.refill_per_second,
                    e.bucket.last_refill,
                    e.key.priority,
                    e.key.bucket_override.has_value()};
}

std::optional<BucketView> KeyPool::bucket(std::int64_t id) const {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return viewLocked(it->second, now);
}

std::vector<BucketView> KeyPool::activeBuckets() const {
  const TimePoint now = clock_.now();
  std::vector<BucketView> out;
  {
    std::lock_guard lock(mu_);
    out.reserve(active_.size());
    for (std::int64_t id : active_) out.push_back(viewLocked(entries_.at(id), now));
  }
  // Sorted after the lock is released: picks do not wait for it.
  std::sort(out.begin(), out.end(),
            [](const BucketView& a, const BucketView& b) { return a.id < b.id; });
  return out;
}

bool KeyPool::setBucketOverride(std::int64_t id, std::optional<BucketLimits> limits) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return false;
  e->key.bucket_override = limits;
  const auto l = settings_.buckets.limitsFor(e->key.priority, limits);
  e->bucket.reconfigure(l.capacity, l.refill_per_second, now);
  e->next_refresh.reset();
  updateSlotLocked(*e, now);
  return true;
}

bool KeyPool::resetBucket(std::int64_t id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return false;
  e->bucket.reset(now);
  e->next_refresh.reset();
  updateSlotLocked(*e, now);
  return true;
}

std::size_t KeyPool::cleanupBuckets() {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  std::size_t forgotten = 0;
  for (auto& [id, e] : entries_) {
    if (forgetIfIdleLocked(e, now)) {
      ++forgotten;
      e.next_refresh.reset();
      updateSlotLocked(e, now);
    }
  }
  return forgotten;
}

KeyPool::BucketTotals KeyPool::bucketTotals() const {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  BucketTotals t;
  for (std::int64_t id : active_) {
    const Entry& e = entries_.at(id);
    ++t.keys;
    if (e.key.bucket_override) ++t.overridden;
    t.total_capacity += e.bucket.capacity;
    t.total_tokens += e.bucket.tokensAt(now);
  }
  return t;
}

KeyPool::StatusCounts KeyPool::statusCounts() const {
  std::lock_guard lock(mu_);
  return StatusCounts{
      counts_[statusIndex(KeyStatus::Active)], counts_[statusIndex(KeyStatus::Exhausted)],
      counts_[statusIndex(KeyStatus::Error)], counts_[statusIndex(KeyStatus::Disabled)]};
}

std::vector<std::int64_t> KeyPool::idsWithStatus(KeyStatus status) const {
  std::vector<std::int64_t> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_) {
      if (e.key.status == status) out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t KeyPool::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::size_t KeyPool::activeCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

std::optional<PoolKey> KeyPool::get(std::int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.key;
}

std::vector<std::optional<LiveKeyState>> KeyPool::liveStates(
    std::span<const std::int64_t> ids, std::span<const std::int64_t> stored_usage) {
  std::vector<std::optional<LiveKeyState>> out(ids.size());
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto it = entries_.find(ids[i]);
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    std::int64_t unflushed = 0;
    std::optional<LiveKeyState::Change> change;
    if (auto d = deltas_.find(e.key.id); d != deltas_.end()) {
      unflushed = d->second.usage_increment;
      if (d->second.new_status && d->second.old_status) {
        change = LiveKeyState::Change{*d->second.old_status, *d->second.new_status,
                                      d->second.reason, d->second.changed_at};
      }
    }
    if (!e.key.usage_count && e.drained_uses == 0 && i < stored_usage.size()) {
      // Nothing of this key reached storage since it was loaded: the row is the count at load.
      e.key.usage_count = stored_usage[i] + unflushed;
    }
    out[i] = LiveKeyState{.id = e.key.id,
                          .status = e.key.status,
                          .failed_count = e.key.failed_count,
                          .last_used_at = e.key.last_used_at,
                          .usage_count = e.key.usage_count,
                          .unflushed_uses = unflushed,
                          .unflushed_change = std::move(change)};
  }
  return out;
}

std::vector<KeyDelta> KeyPool::drainDeltas() {
  std::lock_guard lock(mu_);
  std::vector<KeyDelta> out;
  out.reserve(deltas_.size());
  for (auto& [id, d] : deltas_) {
    if (Entry* e = findLocked(id)) e->drained_uses += d.usage_increment;
    out.push_back(std::move(d));
  }
  deltas_.clear();
  return out;
}

}  // namespace poise::keys
