#include "keys/memory_cooldown_store.h"

#include <algorithm>

namespace poise::keys {

void MemoryCooldownStore::erase(Model& m, std::unordered_map<std::int64_t, Cooling>::iterator it) {
  if (it->second.in_rotation) m.ends.erase({it->second.until, it->first});
  m.keys.erase(it);
}

void MemoryCooldownStore::setUntil(std::int64_t id, std::string_view model, TimePoint until,
                                   std::string_view reason, bool in_rotation) {
  auto mit = models_.find(model);
  if (mit == models_.end()) mit = models_.emplace(std::string(model), Model{}).first;
  Model& m = mit->second;
  if (auto old = m.keys.find(id); old != m.keys.end()) erase(m, old);
  m.keys.emplace(id, Cooling{until, std::string(reason), in_rotation});
  if (in_rotation) m.ends.emplace(until, id);
  due_.push(Due{until, id, mit->first});
}

std::optional<TimePoint> MemoryCooldownStore::until(std::int64_t id, std::string_view model,
                                                    TimePoint now) const {
  const Model* m = find(model);
  if (!m) return std::nullopt;
  auto it = m->keys.find(id);
  if (it == m->keys.end() || it->second.until <= now) return std::nullopt;
  return it->second.until;
}

std::vector<CooldownInfo> MemoryCooldownStore::cooldownsOf(std::int64_t id, TimePoint now) const {
  std::vector<CooldownInfo> out;
  for (const auto& [model, m] : models_) {
    auto it = m.keys.find(id);
    if (it != m.keys.end() && it->second.until > now) {
      out.push_back(CooldownInfo{model, it->second.until, it->second.reason});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CooldownInfo& a, const CooldownInfo& b) { return a.model < b.model; });
  return out;
}

std::size_t MemoryCooldownStore::keysCooling(std::string_view model) const {
  const Model* m = find(model);
  return m ? m->keys.size() : 0;
}

std::size_t MemoryCooldownStore::inRotationCooling(std::string_view model, TimePoint now) const {
  const Model* m = find(model);
  if (!m) return 0;
  // Ends already past but not yet expired are few: the next expire() takes them.
  std::size_t count = m->ends.size();
  for (auto it = m->ends.begin(); it != m->ends.end() && it->first <= now; ++it) --count;
  return count;
}

std::size_t MemoryCooldownStore::endsAfter(std::string_view model, TimePoint after,
                                           std::int64_t after_id, std::span<End> out) const {
  const Model* m = find(model);
  if (!m) return 0;
  auto it = after == TimePoint::min() && after_id == std::numeric_limits<std::int64_t>::min()
                ? m->ends.begin()
                : m->ends.upper_bound({after, after_id});
  std::size_t n = 0;
  for (; n < out.size() && it != m->ends.end(); ++n, ++it) out[n] = End{it->first, it->second};
  return n;
}

void MemoryCooldownStore::setInRotation(std::int64_t id, bool in_rotation) {
  for (auto& [model, m] : models_) {
    auto it = m.keys.find(id);
    if (it == m.keys.end() || it->second.in_rotation == in_rotation) continue;
    it->second.in_rotation = in_rotation;
    const EndKey end{it->second.until, id};
    if (in_rotation) {
      m.ends.insert(end);
    } else {
      m.ends.erase(end);
    }
  }
}

void MemoryCooldownStore::clearKey(std::int64_t id, std::vector<std::string>* models) {
  for (auto mit = models_.begin(); mit != models_.end();) {
    Model& m = mit->second;
    auto it = m.keys.find(id);
    if (it == m.keys.end()) {
      ++mit;
      continue;
    }
    erase(m, it);
    if (models) models->push_back(mit->first);
    // Its pending ends are skipped when they come due.
    mit = m.keys.empty() ? models_.erase(mit) : std::next(mit);
  }
}

void MemoryCooldownStore::clear() {
  models_.clear();
  due_ = {};
}

void MemoryCooldownStore::expire(TimePoint now, std::vector<Expired>& out) {
  while (!due_.empty() && due_.top().until <= now) {
    const Due end = due_.top();
    due_.pop();
    auto mit = models_.find(end.model);
    if (mit == models_.end()) continue;  // cleared
    Model& m = mit->second;
    auto it = m.keys.find(end.id);
    // Else renewed (a later end is queued) or cleared.
    if (it == m.keys.end() || it->second.until != end.until) continue;
    erase(m, it);
    out.push_back(Expired{end.id, end.model});
    if (m.keys.empty()) {
      models_.erase(mit);
      out.push_back(Expired{std::nullopt, end.model});
    }
  }
}

}  // namespace poise::keys
