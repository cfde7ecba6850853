#include "keys/key_pool.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
#include <unordered_set>

#include "keys/memory_bucket_store.h"
#include "keys/memory_cooldown_store.h"

namespace poise::keys {

namespace {

// Picks that land on a key cooling for the model are redrawn this many times before the pick
// excludes every cooling key at once (O(k log n) for k cooling keys).
constexpr int kCoolingRedraws = 8;

KeyStatusMachine::Rules rulesOf(const PoolSettings& s) {
  return KeyStatusMachine::Rules{.exhausted_window = s.exhausted_window,
                                 .exhausted_min_429s = s.exhausted_min_429s,
                                 .max_failed_count = s.max_failed_count};
}

KeyStatusMachine::KeyState stateOf(const PoolKey& k) {
  return KeyStatusMachine::KeyState{.status = k.status,
                                    .failed_count = k.failed_count,
                                    .last_used_at = k.last_used_at,
                                    .usage_count = k.usage_count};
}

}  // namespace

std::string_view normalizeModel(std::string_view model) {
  if (model.substr(0, 7) == "models/") model.remove_prefix(7);
  return model;
}

KeyPool::KeyPool(const Clock& clock, std::uint64_t seed)
    : KeyPool(
          clock, seed,
          Stores{std::make_unique<MemoryBucketStore>(), std::make_unique<MemoryCooldownStore>()}) {}

KeyPool::KeyPool(const Clock& clock, std::uint64_t seed, Stores stores)
    : clock_(clock),
      rng_(seed),
      buckets_(std::move(stores.buckets)),
      cooldowns_(std::move(stores.cooldowns)) {
  assert(buckets_ && cooldowns_);
  memory_cooldowns_ = dynamic_cast<const MemoryCooldownStore*>(cooldowns_.get());
  buckets_->configure(settings_.buckets);
  machine_.setRules(rulesOf(settings_));
}

KeyPool::Entry* KeyPool::findLocked(std::int64_t id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void KeyPool::setActiveIndexLocked(Entry& e, bool active) {
  if (active == e.active()) return;
  if (active) {
    e.active_index = active_.size();
    active_.push_back(e.id);
    return;
  }
  // Swap-remove, fixing the moved key's index.
  const std::size_t index = e.active_index;
  const std::int64_t moved = active_.back();
  active_[index] = moved;
  active_.pop_back();
  if (moved != e.id) entries_.at(moved).active_index = index;
  e.active_index = SIZE_MAX;
}

void KeyPool::applyStatusLocked(Entry& e, KeyStatus to, TimePoint now) {
  const bool active = to == KeyStatus::Active;
  setActiveIndexLocked(e, active);
  cooldowns_->setInRotation(e.id, active);
  updateSlotLocked(e, now);
}

void KeyPool::resizeBucketLocked(const Entry& e, TimePoint now) {
  const auto limits = settings_.buckets.limitsFor(e.priority, e.bucket_override);
  const TokenBucket bucket = buckets_->peek(e.ref());
  if (limits.capacity != bucket.capacity || limits.refill_per_second != bucket.refill_per_second) {
    buckets_->setLimits(e.ref(), limits, now);
  }
}

void KeyPool::updateSlotLocked(Entry& e, TimePoint now) {
  if (!settings_.buckets.enable_token_bucket) {
    setReadyLocked(e, std::nullopt, now);
    setSlotLocked(e, e.active(), KeySelector::kWeightPerToken, now);
    return;
  }
  applyBucketLocked(e, buckets_->settle(e.ref(), now), now);
}

void KeyPool::applyBucketLocked(Entry& e, const TokenBucket& bucket, TimePoint now) {
  const bool active = e.active();
  const double level = bucket.tokensAt(now);
  const bool full = level >= bucket.capacity - TokenBucket::kEpsilon;
  if (!active) {
    setReadyLocked(e, std::nullopt, now);
    setSlotLocked(e, false, selector_.weight(e.slot), now);
    return;
  }
  // Eligibility is exact (a key is in the selector iff it holds a whole token). The weight moves
  // in steps of a sixteenth of the capacity (at least one token): a finer weight would not change
  // picks measurably, and every step costs an O(log n) tree update and a refresh event.
  const int step = std::max(1, bucket.capacity / 16);
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
  const int next = eligible ? std::min(bucket.capacity, whole + step) : 1;
  const auto wait = bucket.timeUntilAvailable(now, next).value_or(Millis{1000});
  const TimePoint due = now + std::max(wait, Millis{1});
  // An empty key is back in the selector exactly at `due` (its refresh event).
  setReadyLocked(e, eligible ? std::nullopt : std::optional<TimePoint>(due), now);
  refresh_.schedule(e.slot, due);
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
    apply(view.selector, enabled && !coolingLocked(e.id, model, now));
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

void KeyPool::liftCoolingLocked(const std::string& model, std::optional<std::int64_t> id) {
  auto vit = views_.find(model);
  if (vit == views_.end()) return;
  if (cooldowns_->keysCooling(model) == 0) {
    views_.erase(vit);
    return;
  }
  if (!id) return;
  const Entry* e = findLocked(*id);
  if (!e) return;
  if (selector_.isEnabled(e->slot)) vit->second.selector.enable(e->slot);
  if (e->ready_at) vit->second.waiting.emplace(*e->ready_at, e->id);
}

void KeyPool::setReadyLocked(Entry& e, std::optional<TimePoint> ready, TimePoint now) {
  if (e.ready_at == ready) return;
  if (e.ready_at) {
    const std::pair old{*e.ready_at, e.id};
    waiting_.erase(old);
    for (auto& [model, view] : views_) view.waiting.erase(old);
  }
  e.ready_at = ready;
  if (!ready) return;
  const std::pair now_ready{*ready, e.id};
  waiting_.insert(now_ready);
  for (auto& [model, view] : views_) {
    if (!coolingLocked(e.id, model, now)) view.waiting.insert(now_ready);
  }
}

void KeyPool::processDueLocked(TimePoint now) {
  auto& expired = scratch_expired_;
  expired.clear();
  cooldowns_->expire(now, expired);
  for (const auto& x : expired) liftCoolingLocked(x.model, x.id);
  while (auto slot = refresh_.popDue(now)) {
    if (Entry* e = slot_entries_[*slot]) updateSlotLocked(*e, now);
  }
}

void KeyPool::addLocked(PoolKey key, TimePoint now, bool keep_state) {
  const auto id = key.id;
  auto [it, inserted] = entries_.try_emplace(id);
  Entry& e = it->second;
  if (inserted) {
    e.id = id;
    if (!free_slots_.empty()) {
      e.slot = free_slots_.back();
      free_slots_.pop_back();
      slot_entries_[e.slot] = &e;
    } else {
      e.slot = selector_.addSlot();
      for (auto& [model, view] : views_) view.selector.addSlot();
      slot_entries_.push_back(&e);
      refresh_.reserveSlots(slot_entries_.size());
    }
    buckets_->add(e.ref(), settings_.buckets.limitsFor(key.priority, key.bucket_override), now);
    machine_.add(e.ref(), stateOf(key));
    if (key.last_used_at) setLastUsedLocked(e.slot, *key.last_used_at);
  } else {
    if (!key.bucket_override) key.bucket_override = e.bucket_override;
    machine_.edit(e.ref(), stateOf(key), keep_state);
  }
  e.value = std::move(key.value);
  e.priority = key.priority;
  e.bucket_override = key.bucket_override;
  if (!inserted) resizeBucketLocked(e, now);
  const bool active = machine_.status(e.ref()) == KeyStatus::Active;
  setActiveIndexLocked(e, active);
  if (!inserted) cooldowns_->setInRotation(e.id, active);
  updateSlotLocked(e, now);
}

void KeyPool::configure(const PoolSettings& settings) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  settings_ = settings;
  buckets_->configure(settings_.buckets);
  machine_.setRules(rulesOf(settings_));
  setLruTrackingLocked(settings_.strategy == SelectionStrategy::LeastRecentlyUsed);
  for (auto& [id, e] : entries_) {
    resizeBucketLocked(e, now);
    refresh_.cancel(e.slot);
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
  cooldowns_->clear();
  buckets_->clear();
  machine_.clear();
  refresh_.clear();
  selector_.setLruTracking(settings_.strategy == SelectionStrategy::LeastRecentlyUsed);
  slot_entries_.clear();
  free_slots_.clear();
  waiting_.clear();
  entries_.reserve(keys.size());
  for (auto& k : keys) addLocked(std::move(k), now);
}

void KeyPool::upsert(PoolKey key, bool keep_state) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  addLocked(std::move(key), now, keep_state);
}

void KeyPool::sync(std::vector<PoolKey> keys) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  std::unordered_set<std::int64_t> present;
  present.reserve(keys.size());
  for (auto& k : keys) {
    present.insert(k.id);
    // The stored override wins, also when it was removed.
    if (Entry* e = findLocked(k.id)) e->bucket_override = k.bucket_override;
    addLocked(std::move(k), now);
  }
  std::vector<std::int64_t> gone;
  for (const auto& [id, e] : entries_) {
    if (!present.contains(id)) gone.push_back(id);
  }
  for (const std::int64_t id : gone) removeLocked(id);
}

void KeyPool::remove(std::int64_t id) {
  std::lock_guard lock(mu_);
  removeLocked(id);
}

void KeyPool::removeLocked(std::int64_t id) {
  Entry* e = findLocked(id);
  if (!e) return;
  const TimePoint now = clock_.now();
  const KeyRef ref = e->ref();
  setActiveIndexLocked(*e, false);
  setReadyLocked(*e, std::nullopt, now);
  setSlotLocked(*e, false, 0, now);
  setLastUsedLocked(e->slot, TimePoint{});
  refresh_.cancel(e->slot);
  slot_entries_[e->slot] = nullptr;
  free_slots_.push_back(e->slot);
  entries_.erase(id);
  buckets_->remove(ref);
  machine_.remove(ref);
  std::vector<std::string> models;
  cooldowns_->clearKey(id, &models);
  for (const auto& m : models) liftCoolingLocked(m, std::nullopt);
}

template <class Fn>
void KeyPool::walkEndsLocked(std::string_view model, TimePoint after, Fn&& fn) const {
  if (memory_cooldowns_) {
    memory_cooldowns_->visitEnds(model, after, std::forward<Fn>(fn));
  } else {
    cooldowns_->walkEnds(model, after, std::forward<Fn>(fn));
  }
}

bool KeyPool::coolingLocked(std::int64_t id, std::string_view model, TimePoint now) const {
  return cooldowns_->until(id, model, now).has_value();
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
    return KeyPick{e.id, e.value};
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
    const Entry& c = *slot_entries_[*chosen];
    const bool short_of_tokens =
        buckets && tokens > 1 &&
        buckets_->peek(c.ref()).tokensAt(now) + TokenBucket::kEpsilon < tokens;
    if (!short_of_tokens && (vit != views_.end() || !coolingLocked(c.id, model, now))) break;
    excluded.push_back(*chosen);
    chosen.reset();
    if (draw == kCoolingRedraws - 1) {
      // Many keys cool for this model: take them all out at once (the others are not in the
      // selector anyway).
      walkEndsLocked(model, now, [&](const CooldownStore::End& end) {
        excluded.push_back(entries_.at(end.id).slot);
        return true;
      });
    }
  }
  Entry* e = nullptr;
  std::optional<BucketStore::Take> taken;
  if (chosen) {
    e = slot_entries_[*chosen];
    if (buckets) {
      taken = buckets_->take(e->ref(), tokens, now);
      if (!taken->taken) {
        // Cannot happen while eligibility is current; recompute and give up on this draw.
        applyBucketLocked(*e, taken->bucket, now);
        e = nullptr;
      }
    }
  } else if (buckets && settings_.buckets.fallback_to_random) {
    if (auto id = fallbackPickLocked(model, exclude, now)) {
      e = findLocked(*id);
      taken = buckets_->take(e->ref(), 1, now);  // usually empty: the point of the fallback
    }
  }
  if (!e) return std::nullopt;
  if (taken) {
    // Just used: the take did the bucket's upkeep.
    refresh_.cancel(e->slot);
    applyBucketLocked(*e, taken->bucket, now);
    while (auto evicted = buckets_->evictLeastRecent(now)) {
      Entry* old = slot_entries_[evicted->slot];
      refresh_.cancel(evicted->slot);
      updateSlotLocked(*old, now);  // full now
    }
  }
  touchLocked(e->slot, now);
  return KeyPick{e->id, e->value};
}

std::optional<TimePoint> KeyPool::nextEligibleAt(std::string_view model) const {
  model = normalizeModel(model);
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  if (active_.empty()) return std::nullopt;
  const bool buckets =
      settings_.buckets.enable_token_bucket && !settings_.buckets.fallback_to_random;
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
    walkEndsLocked(model, now, [&](const CooldownStore::End& end) {
      if (selector_.isEnabled(entries_.at(end.id).slot)) --ready;
      return true;
    });
  } else {
    ready = active_.size() - cooldowns_->inRotationCooling(model, now);
  }
  if (ready > 0) return now;

  // An active key cooling for the model is eligible once its cooldown has ended and its bucket
  // holds a token. By cooldown end: once an end is no earlier than the best so far, no later
  // key can beat it.
  std::optional<TimePoint> best;
  walkEndsLocked(model, TimePoint::min(), [&](const CooldownStore::End& end) {
    if (best && end.until >= *best) return false;
    TimePoint at = std::max(end.until, now);
    if (buckets) {
      if (const auto& r = entries_.at(end.id).ready_at) at = std::max(at, *r);
    }
    if (!best || at < *best) best = at;
    return true;
  });
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

void KeyPool::recordSuccess(std::int64_t id, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  (void)machine_.recordSuccess(e->ref(), source, now);
}

void KeyPool::recordCooldown(std::int64_t id, std::string_view model, TimePoint until,
                             std::string reason, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  const std::string_view m = normalizeModel(model);
  if (!m.empty() && until > now) {
    cooldowns_->setUntil(id, m, until, reason, e->active());
    auto vit = views_.find(m);
    if (vit != views_.end()) {
      vit->second.selector.disable(e->slot);
      if (e->ready_at) vit->second.waiting.erase({*e->ready_at, id});
    } else if (cooldowns_->keysCooling(m) >= kViewThreshold) {
      // Keys out of rotation are out of the base selector and of waiting_ already.
      ModelView view{selector_, {}};
      walkEndsLocked(m, now, [&](const CooldownStore::End& end) {
        view.selector.disable(entries_.at(end.id).slot);
        return true;
      });
      for (const auto& w : waiting_) {
        if (!coolingLocked(w.second, m, now)) {
          view.waiting.insert(view.waiting.end(), w);
        }
      }
      views_.emplace(std::string(m), std::move(view));
    }
  }
  if (auto t = machine_.recordCooldown(e->ref(), reason, source, now)) {
    applyStatusLocked(*e, t->to, now);
  }
}

void KeyPool::recordRejected(std::int64_t id, std::string reason, Rejection kind, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  if (auto t = machine_.recordRejected(e->ref(), std::move(reason), kind, source, now)) {
    applyStatusLocked(*e, t->to, now);
  }
}

void KeyPool::recordTransient(std::int64_t id, Source source) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return;
  (void)machine_.recordTransient(e->ref(), source, now);
}

void KeyPool::recordValidated(std::int64_t id, std::string reason) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e || machine_.status(e->ref()) == KeyStatus::Disabled) return;
  std::vector<std::string> models;
  cooldowns_->clearKey(id, &models);
  for (const auto& m : models) liftCoolingLocked(m, id);
  if (auto t = machine_.recordValidated(e->ref(), std::move(reason), now)) {
    applyStatusLocked(*e, t->to, now);
  }
}

std::vector<CooldownInfo> KeyPool::cooldowns(std::int64_t id) const {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return {};
  return cooldowns_->cooldownsOf(id, now);
}

std::vector<std::pair<std::string, std::int64_t>> KeyPool::coolingPerModel() const {
  const TimePoint now = clock_.now();
  std::map<std::string, std::int64_t, std::less<>> counts;
  {
    std::lock_guard lock(mu_);
    for (const std::int64_t id : active_) {
      for (const CooldownInfo& c : cooldowns_->cooldownsOf(id, now)) ++counts[c.model];
    }
  }
  return {counts.begin(), counts.end()};
}

BucketView KeyPool::viewLocked(const Entry& e, TimePoint now) const {
  const TokenBucket b = buckets_->peek(e.ref());
  return BucketView{e.id,
                    b.capacity,
                    b.tokensAt(now),
                    b.refill_per_second,
                    b.last_refill,
                    e.priority,
                    e.bucket_override.has_value()};
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
  e->bucket_override = limits;
  buckets_->setLimits(e->ref(), settings_.buckets.limitsFor(e->priority, limits), now);
  refresh_.cancel(e->slot);
  updateSlotLocked(*e, now);
  return true;
}

bool KeyPool::resetBucket(std::int64_t id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  Entry* e = findLocked(id);
  if (!e) return false;
  buckets_->refill(e->ref(), now);
  refresh_.cancel(e->slot);
  updateSlotLocked(*e, now);
  return true;
}

std::size_t KeyPool::cleanupBuckets() {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  std::vector<KeyRef> forgotten;
  buckets_->forgetIdle(now, forgotten);
  for (const KeyRef& key : forgotten) {
    refresh_.cancel(key.slot);
    updateSlotLocked(*slot_entries_[key.slot], now);
  }
  return forgotten.size();
}

KeyPool::BucketTotals KeyPool::bucketTotals() const {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  BucketTotals t;
  for (std::int64_t id : active_) {
    const Entry& e = entries_.at(id);
    const TokenBucket b = buckets_->peek(e.ref());
    ++t.keys;
    if (e.bucket_override) ++t.overridden;
    t.total_capacity += b.capacity;
    t.total_tokens += b.tokensAt(now);
  }
  return t;
}

KeyPool::StatusCounts KeyPool::statusCounts() const {
  std::lock_guard lock(mu_);
  return StatusCounts{machine_.count(KeyStatus::Active), machine_.count(KeyStatus::Exhausted),
                      machine_.count(KeyStatus::Error), machine_.count(KeyStatus::Disabled)};
}

std::vector<std::int64_t> KeyPool::idsWithStatus(KeyStatus status) const {
  std::vector<std::int64_t> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_) {
      if (machine_.status(e.ref()) == status) out.push_back(id);
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
  const Entry& e = it->second;
  const auto& state = machine_.state(e.ref());
  return PoolKey{.id = e.id,
                 .value = e.value,
                 .status = state.status,
                 .failed_count = state.failed_count,
                 .priority = e.priority,
                 .bucket_override = e.bucket_override,
                 .last_used_at = state.last_used_at,
                 .usage_count = state.usage_count};
}

std::vector<std::optional<LiveKeyState>> KeyPool::liveStates(
    std::span<const std::int64_t> ids, std::span<const std::int64_t> stored_usage) {
  std::vector<std::optional<LiveKeyState>> out(ids.size());
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto it = entries_.find(ids[i]);
    if (it == entries_.end()) continue;
    const std::optional<std::int64_t> stored =
        i < stored_usage.size() ? std::optional(stored_usage[i]) : std::nullopt;
    out[i] = machine_.live(it->second.ref(), stored);
  }
  return out;
}

std::vector<KeyDelta> KeyPool::drainDeltas() {
  std::lock_guard lock(mu_);
  return machine_.drain();
}

}  // namespace poise::keys
