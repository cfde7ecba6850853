#include "keys/key_pool.h"

#include <algorithm>

namespace poise::keys {

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

void KeyPool::setActiveLocked(Entry& e, bool active) {
  const bool is_active = e.active_slot != SIZE_MAX;
  if (active == is_active) return;
  if (active) {
    e.active_slot = active_.size();
    active_.push_back(e.key.id);
    return;
  }
  // Swap-remove, fixing the moved key's slot.
  const std::size_t slot = e.active_slot;
  const std::int64_t moved = active_.back();
  active_[slot] = moved;
  active_.pop_back();
  if (moved != e.key.id) entries_[moved].active_slot = slot;
  e.active_slot = SIZE_MAX;
}

void KeyPool::load(std::vector<PoolKey> keys) {
  std::lock_guard lock(mu_);
  entries_.clear();
  active_.clear();
  entries_.reserve(keys.size());
  for (auto& k : keys) {
    const auto id = k.id;
    auto [it, inserted] = entries_.emplace(id, Entry{std::move(k)});
    (void)inserted;
    setActiveLocked(it->second, it->second.key.status == KeyStatus::Active);
  }
}

void KeyPool::upsert(PoolKey key) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.try_emplace(key.id);
  (void)inserted;
  it->second.key = std::move(key);
  setActiveLocked(it->second, it->second.key.status == KeyStatus::Active);
}

void KeyPool::remove(std::int64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  setActiveLocked(it->second, false);
  entries_.erase(it);
  deltas_.erase(id);
  for (auto& [model, keys] : cooling_) keys.erase(id);
}

bool KeyPool::coolingLocked(std::int64_t id, std::string_view model, TimePoint now) {
  auto mit = cooling_.find(model);
  if (mit == cooling_.end()) return false;
  auto kit = mit->second.find(id);
  if (kit == mit->second.end()) return false;
  if (kit->second.until <= now) {
    mit->second.erase(kit);
    return false;
  }
  return true;
}

std::optional<KeyPick> KeyPool::pick(std::string_view model,
                                     std::span<const std::int64_t> exclude) {
  model = normalizeModel(model);
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  if (active_.empty()) return std::nullopt;
  auto eligible = [&](std::int64_t id) {
    if (std::find(exclude.begin(), exclude.end(), id) != exclude.end()) return false;
    return model.empty() || !coolingLocked(id, model, now);
  };
  auto result = [&](std::int64_t id) {
    const auto& e = entries_.at(id);
    return KeyPick{id, e.key.value};
  };
  // Random probes first: with few keys excluded or cooling this almost always hits at once.
  std::uniform_int_distribution<std::size_t> dist(0, active_.size() - 1);
  for (int probe = 0; probe < 32; ++probe) {
    const std::int64_t id = active_[dist(rng_)];
    if (eligible(id)) return result(id);
  }
  // Most keys are unavailable for this model: choose uniformly among the eligible ones.
  std::vector<std::int64_t> candidates;
  for (std::int64_t id : active_) {
    if (eligible(id)) candidates.push_back(id);
  }
  if (candidates.empty()) return std::nullopt;
  std::uniform_int_distribution<std::size_t> cdist(0, candidates.size() - 1);
  return result(candidates[cdist(rng_)]);
}

KeyDelta& KeyPool::deltaLocked(std::int64_t id) {
  auto& d = deltas_[id];
  d.id = id;
  return d;
}

void KeyPool::changeStatusLocked(Entry& e, KeyStatus to, std::string reason) {
  if (e.key.status == to) return;
  auto& d = deltaLocked(e.key.id);
  if (!d.old_status) d.old_status = e.key.status;
  d.new_status = to;
  d.reason = std::move(reason);
  e.key.status = to;
  setActiveLocked(e, to == KeyStatus::Active);
}

void KeyPool::recordSuccess(std::int64_t id, Source source) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& e = it->second;
  e.key.failed_count = 0;
  auto& d = deltaLocked(id);
  if (source == Source::Proxy) d.usage_increment += 1;
  d.failed_count = 0;
  d.last_used_at = clock_.now();
}

void KeyPool::recordCooldown(std::int64_t id, std::string_view model, TimePoint until,
                             std::string reason, Source source) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  const std::string m(normalizeModel(model));
  cooling_[m][id] = CooldownInfo{m, until, reason};
  auto& d = deltaLocked(id);
  if (source == Source::Proxy) d.usage_increment += 1;
  if (source == Source::Validation && it->second.key.status == KeyStatus::Error) {
    changeStatusLocked(it->second, KeyStatus::Exhausted, "validation: " + reason);
  }
  d.failed_count = it->second.key.failed_count;
  d.last_used_at = clock_.now();
}

void KeyPool::recordRejected(std::int64_t id, std::string reason, Source source) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& e = it->second;
  if (e.key.status == KeyStatus::Disabled) return;
  e.key.failed_count += 1;
  auto& d = deltaLocked(id);
  if (source == Source::Proxy) d.usage_increment += 1;
  d.failed_count = e.key.failed_count;
  d.last_used_at = clock_.now();
  changeStatusLocked(e, KeyStatus::Error, std::move(reason));
}

void KeyPool::recordTransient(std::int64_t id, Source source) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& d = deltaLocked(id);
  if (source == Source::Proxy) d.usage_increment += 1;
  d.failed_count = it->second.key.failed_count;
  d.last_used_at = clock_.now();
}

void KeyPool::recordValidated(std::int64_t id, std::string reason) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& e = it->second;
  if (e.key.status == KeyStatus::Disabled) return;
  e.key.failed_count = 0;
  auto& d = deltaLocked(id);
  d.failed_count = 0;
  for (auto& [model, keys] : cooling_) keys.erase(id);
  changeStatusLocked(e, KeyStatus::Active, std::move(reason));
}

KeyPool::StatusCounts KeyPool::statusCounts() const {
  std::lock_guard lock(mu_);
  StatusCounts c;
  for (const auto& [id, e] : entries_) {
    switch (e.key.status) {
      case KeyStatus::Active:
        ++c.active;
        break;
      case KeyStatus::Exhausted:
        ++c.exhausted;
        break;
      case KeyStatus::Error:
        ++c.error;
        break;
      case KeyStatus::Disabled:
        ++c.disabled;
        break;
    }
  }
  return c;
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

std::optional<TimePoint> KeyPool::allCoolingUntil(std::string_view model) const {
  model = normalizeModel(model);
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  if (active_.empty()) return std::nullopt;
  auto mit = cooling_.find(model);
  if (mit == cooling_.end()) return std::nullopt;
  std::optional<TimePoint> earliest;
  for (std::int64_t id : active_) {
    auto kit = mit->second.find(id);
    if (kit == mit->second.end() || kit->second.until <= now) return std::nullopt;
    if (!earliest || kit->second.until < *earliest) earliest = kit->second.until;
  }
  return earliest;
}

std::vector<CooldownInfo> KeyPool::cooldowns(std::int64_t id) const {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  std::vector<CooldownInfo> out;
  for (const auto& [model, keys] : cooling_) {
    auto it = keys.find(id);
    if (it != keys.end() && it->second.until > now) out.push_back(it->second);
  }
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

std::vector<KeyDelta> KeyPool::drainDeltas() {
  std::lock_guard lock(mu_);
  std::vector<KeyDelta> out;
  out.reserve(deltas_.size());
  for (auto& [id, d] : deltas_) out.push_back(std::move(d));
  deltas_.clear();
  return out;
}

}  // namespace poise::keys
