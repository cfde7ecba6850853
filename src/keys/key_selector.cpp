#include "keys/key_selector.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace poise::keys {

std::string_view toString(SelectionStrategy s) {
  switch (s) {
    case SelectionStrategy::Weighted:
      return "weighted";
    case SelectionStrategy::Random:
      return "random";
    case SelectionStrategy::RoundRobin:
      return "round_robin";
    case SelectionStrategy::LeastRecentlyUsed:
      return "least_recently_used";
  }
  return "weighted";
}

std::optional<SelectionStrategy> parseSelectionStrategy(std::string_view s) {
  if (s == "weighted") return SelectionStrategy::Weighted;
  if (s == "random") return SelectionStrategy::Random;
  if (s == "round_robin") return SelectionStrategy::RoundRobin;
  if (s == "least_recently_used") return SelectionStrategy::LeastRecentlyUsed;
  return std::nullopt;
}

KeySelector::KeySelector(std::size_t slots)
    : slots_(slots), weights_(slots), flags_(slots), marks_(slots, 0) {}

std::size_t KeySelector::addSlot() {
  slots_.emplace_back();
  weights_.append(0);
  flags_.append(0);
  marks_.push_back(0);
  return slots_.size() - 1;
}

KeySelector::LruKey KeySelector::lruKey(std::size_t slot) const {
  const Slot& s = slots_[slot];
  return {s.last_used_ms, s.touch_seq, slot};
}

void KeySelector::enable(std::size_t slot) {
  assert(slot < slots_.size());
  Slot& s = slots_[slot];
  if (s.enabled) return;
  s.enabled = true;
  if (s.weight > 0) weights_.add(slot, s.weight);
  flags_.add(slot, 1);
  if (lru_tracking_) lru_.insert(lruKey(slot));
  ++enabled_count_;
}

void KeySelector::disable(std::size_t slot) {
  assert(slot < slots_.size());
  Slot& s = slots_[slot];
  if (!s.enabled) return;
  s.enabled = false;
  if (s.weight > 0) weights_.subtract(slot, s.weight);
  flags_.subtract(slot, 1);
  if (lru_tracking_) lru_.erase(lruKey(slot));
  --enabled_count_;
}

void KeySelector::setWeight(std::size_t slot, std::uint64_t weight) {
  assert(slot < slots_.size());
  Slot& s = slots_[slot];
  if (s.enabled) {
    if (weight > s.weight) weights_.add(slot, weight - s.weight);
    if (weight < s.weight) weights_.subtract(slot, s.weight - weight);
  }
  s.weight = weight;
}

void KeySelector::touch(std::size_t slot, TimePoint when) {
  assert(slot < slots_.size());
  Slot& s = slots_[slot];
  const LruKey old_key = lruKey(slot);
  s.last_used_ms = when.time_since_epoch().count();
  s.touch_seq = ++touch_seq_;
  if (!s.enabled || !lru_tracking_) return;
  // Reuses the set node: no allocation on the request path.
  auto node = lru_.extract(old_key);
  node.value() = lruKey(slot);
  lru_.insert(std::move(node));
}

void KeySelector::setLastUsed(std::size_t slot, TimePoint when) {
  assert(slot < slots_.size());
  Slot& s = slots_[slot];
  const LruKey old_key = lruKey(slot);
  s.last_used_ms = when.time_since_epoch().count();
  s.touch_seq = 0;
  if (!s.enabled || !lru_tracking_) return;
  auto node = lru_.extract(old_key);
  node.value() = lruKey(slot);
  lru_.insert(std::move(node));
}

std::uint64_t KeySelector::weightForTokens(double tokens) {
  if (!(tokens > 0)) return 0;
  return static_cast<std::uint64_t>(std::floor(tokens * static_cast<double>(kWeightPerToken)));
}

void KeySelector::markExcluded(std::span<const std::size_t> excluded) {
  if (++epoch_ == 0) {
    // The epoch wrapped: stale marks could collide with the new one.
    std::fill(marks_.begin(), marks_.end(), 0);
    epoch_ = 1;
  }
  excluded_enabled_.clear();
  for (const std::size_t slot : excluded) {
    assert(slot < slots_.size());
    if (marks_[slot] == epoch_) continue;
    marks_[slot] = epoch_;
    if (slots_[slot].enabled) excluded_enabled_.push_back(slot);
  }
}

template <class Tree, class Amount>
std::optional<std::size_t> KeySelector::drawSkippingMarked(Tree& tree, std::mt19937_64& rng,
                                                           Amount amount_of_slot) {
  const std::uint64_t total = tree.total();
  std::uint64_t excluded_total = 0;
  for (const std::size_t slot : excluded_enabled_) excluded_total += amount_of_slot(slot);
  if (excluded_total >= total) return std::nullopt;

  auto draw = [&] {
    std::uniform_int_distribution<std::uint64_t> dist(0, tree.total() - 1);
    return tree.findByRank(dist(rng));
  };
  if (excluded_total == 0) return draw();
  // Rejection: each draw lands outside the excluded set with probability ≥ 1/2 here, and an
  // accepted draw is distributed exactly as the pick restricted to the rest.
  if (excluded_total * 2 <= total) {
    for (int i = 0; i < kMaxRejectedDraws; ++i) {
      const std::size_t slot = draw();
      if (!isMarked(slot)) return slot;
    }
  }
  // Exact path: take the excluded amounts out of the tree, draw once, put them back.
  for (const std::size_t slot : excluded_enabled_) {
    if (const auto a = amount_of_slot(slot); a > 0) tree.subtract(slot, a);
  }
  const std::size_t slot = draw();
  for (const std::size_t s : excluded_enabled_) {
    if (const auto a = amount_of_slot(s); a > 0) tree.add(s, a);
  }
  return slot;
}

std::optional<std::size_t> KeySelector::pickWeighted(std::mt19937_64& rng,
                                                     std::span<const std::size_t> excluded) {
  if (weights_.total() == 0) return std::nullopt;
  markExcluded(excluded);
  return drawSkippingMarked(weights_, rng,
                            [this](std::size_t slot) { return slots_[slot].weight; });
}

std::optional<std::size_t> KeySelector::pickRandom(std::mt19937_64& rng,
                                                   std::span<const std::size_t> excluded) {
  if (enabled_count_ == 0) return std::nullopt;
  markExcluded(excluded);
  return drawSkippingMarked(flags_, rng, [](std::size_t) { return std::uint64_t{1}; });
}

std::optional<std::size_t> KeySelector::pickRoundRobin(std::span<const std::size_t> excluded) {
  if (enabled_count_ == 0) return std::nullopt;
  markExcluded(excluded);
  if (excluded_enabled_.size() >= enabled_count_) return std::nullopt;
  // Rank (among enabled slots, 0-based) of the first enabled slot after the cursor.
  const std::size_t start = rr_cursor_ ? flags_.prefix(*rr_cursor_ + 1) : 0;
  // At most k + 1 steps: only the k excluded slots are stepped over.
  for (std::size_t step = 0; step < enabled_count_; ++step) {
    const std::size_t slot = flags_.findByRank((start + step) % enabled_count_);
    if (!isMarked(slot)) {
      rr_cursor_ = slot;
      return slot;
    }
  }
  return std::nullopt;
}

void KeySelector::setLruTracking(bool on) {
  if (on == lru_tracking_) return;
  lru_tracking_ = on;
  lru_.clear();
  if (!on) return;
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_[slot].enabled) lru_.insert(lruKey(slot));
  }
}

std::optional<std::size_t> KeySelector::pickLeastRecentlyUsed(
    std::span<const std::size_t> excluded) {
  if (enabled_count_ == 0) return std::nullopt;
  setLruTracking(true);
  markExcluded(excluded);
  for (const auto& key : lru_) {
    const std::size_t slot = std::get<2>(key);
    if (!isMarked(slot)) return slot;
  }
  return std::nullopt;
}

std::optional<std::size_t> KeySelector::pick(SelectionStrategy strategy, std::mt19937_64& rng,
                                             std::span<const std::size_t> excluded) {
  switch (strategy) {
    case SelectionStrategy::Weighted:
      return pickWeighted(rng, excluded);
    case SelectionStrategy::Random:
      return pickRandom(rng, excluded);
    case SelectionStrategy::RoundRobin:
      return pickRoundRobin(excluded);
    case SelectionStrategy::LeastRecentlyUsed:
      return pickLeastRecentlyUsed(excluded);
  }
  return std::nullopt;
}

}  // namespace poise::keys
