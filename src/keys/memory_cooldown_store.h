// MemoryCooldownStore: the in-process CooldownStore (one gateway instance). Per model, a hash of
// the cooling keys and an ordered set of the ends of those in rotation; one heap of all ends, so
// that expire() costs O(log n) per ended cooldown and nothing otherwise.
// Thread-compatible, like the interface.
#pragma once

#include <functional>
#include <limits>
#include <queue>
#include <set>
#include <unordered_map>
#include <utility>

#include "keys/cooldown_store.h"
#include "keys/string_hash.h"

namespace poise::keys {

class MemoryCooldownStore final : public CooldownStore {
 public:
  void setUntil(std::int64_t id, std::string_view model, TimePoint until, std::string_view reason,
                bool in_rotation) override;
  std::optional<TimePoint> until(std::int64_t id, std::string_view model,
                                 TimePoint now) const override;
  std::vector<CooldownInfo> cooldownsOf(std::int64_t id, TimePoint now) const override;
  std::size_t keysCooling(std::string_view model) const override;
  std::size_t inRotationCooling(std::string_view model, TimePoint now) const override;
  std::size_t endsAfter(std::string_view model, TimePoint after, std::int64_t after_id,
                        std::span<End> out) const override;
  void setInRotation(std::int64_t id, bool in_rotation) override;
  void clearKey(std::int64_t id, std::vector<std::string>* models) override;
  void clear() override;
  void expire(TimePoint now, std::vector<Expired>& out) override;

  // walkEnds() without its pages: fn(end) straight from the model's order, in order, while fn
  // returns true. For an owner that holds this type (KeyPool's in-process store): a walk that
  // stops after an end or two costs no page filled and no virtual call per page.
  template <class Fn>
  void visitEnds(std::string_view model, TimePoint after, Fn&& fn) const {
    const Model* m = find(model);
    if (!m) return;
    auto it = after == TimePoint::min()
                  ? m->ends.begin()
                  : m->ends.upper_bound({after, std::numeric_limits<std::int64_t>::max()});
    for (; it != m->ends.end(); ++it) {
      if (!fn(End{it->first, it->second})) return;
    }
  }

 private:
  struct Cooling {
    TimePoint until{};
    std::string reason;
    bool in_rotation = false;
  };
  // (end, key id), ordered by end then id.
  using EndKey = std::pair<TimePoint, std::int64_t>;
  struct Model {
    std::unordered_map<std::int64_t, Cooling> keys;
    std::set<EndKey> ends;  // keys in rotation only
  };
  struct Due {
    TimePoint until{};
    std::int64_t id = 0;
    std::string model;
    bool operator>(const Due& o) const { return until > o.until; }
  };

  // Inline: every walk and every cooling check starts here.
  const Model* find(std::string_view model) const {
    // Most of the time no key cools at all: no need to hash the name.
    if (model.empty() || models_.empty()) return nullptr;
    auto it = models_.find(model);
    return it == models_.end() ? nullptr : &it->second;
  }
  static void erase(Model& m, std::unordered_map<std::int64_t, Cooling>::iterator it);

  std::unordered_map<std::string, Model, StringHash, std::equal_to<>> models_;
  // Every end set, including replaced and cleared ones (skipped when they come due).
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
};

}  // namespace poise::keys
