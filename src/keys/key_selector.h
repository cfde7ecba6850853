// KeySelector: picks one of N slots (a slot is the pool's index for an active key) by the
// configured strategy — weighted, uniform random, round-robin or least recently used — in
// O(log n), skipping a few excluded slots per pick without scanning the pool.
// Thread-compatible: picks mutate internal state (cursor, scratch marks), so the owner (KeyPool,
// under its mutex) serializes every call. The RNG is the caller's, so tests are deterministic.
//
// Eligibility is split in two. Long-lived state (status not active, bucket empty) is the owner's
// to apply with disable() / setWeight(); per-request state (keys already tried, keys cooling for
// the requested model) is passed to each pick as `excluded`. A pick with k distinct excluded
// slots costs O((k + 1) log n); see each pick for details.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "keys/fenwick_tree.h"

namespace poise::keys {

// Config `key_selection_strategy`.
enum class SelectionStrategy { Weighted, Random, RoundRobin, LeastRecentlyUsed };
// "weighted", "random", "round_robin", "least_recently_used".
std::string_view toString(SelectionStrategy s);
std::optional<SelectionStrategy> parseSelectionStrategy(std::string_view s);

class KeySelector {
 public:
  // Weight units per token, for weights derived from bucket levels (weightForTokens).
  static constexpr std::uint64_t kWeightPerToken = 1000;
  // Weighted and random picks first draw up to this many times, rejecting excluded slots, before
  // they fall back to the exact path that takes excluded slots out of the trees.
  static constexpr int kMaxRejectedDraws = 4;

  // `slots` disabled slots with weight 0.
  explicit KeySelector(std::size_t slots = 0);

  std::size_t size() const { return slots_.size(); }
  std::size_t enabledCount() const { return enabled_count_; }
  // Appends a disabled slot with weight 0 and returns its index. O(log n) amortized.
  std::size_t addSlot();

  // Makes a slot pickable (idempotent). O(log n).
  void enable(std::size_t slot);
  // Takes a slot out of every strategy, keeping its weight and last use (idempotent). O(log n).
  void disable(std::size_t slot);
  bool isEnabled(std::size_t slot) const { return slots_[slot].enabled; }

  // The slot's weight for weighted picks, in arbitrary integer units (kWeightPerToken per token
  // when derived from a bucket). A weight of 0 keeps an enabled slot out of weighted picks only.
  // O(log n).
  void setWeight(std::size_t slot, std::uint64_t weight);
  std::uint64_t weight(std::size_t slot) const { return slots_[slot].weight; }

  // Records that the slot's key was used at `when`, for least-recently-used picks. Picks do not
  // touch; the owner calls this when it actually uses the key. Ties in `when` are ordered by the
  // order of the touches. O(log n).
  void touch(std::size_t slot, TimePoint when);
  // Sets the last use without counting as a new touch (loading last_used_at from storage).
  void setLastUsed(std::size_t slot, TimePoint when);

  // Each pick returns an enabled slot not in `excluded`, or nullopt when there is none.
  // `excluded` may hold duplicates, disabled slots and any order; every index must be < size().

  // Probability proportional to weight among slots with weight > 0. Expected O(log n) per draw;
  // it first tries up to kMaxRejectedDraws draws, rejecting excluded slots by an O(1) mark check,
  // then falls back to subtracting the excluded weights from the tree, drawing once and restoring
  // them: O((k + 1) log n) worst case. Both paths sample exactly the conditional distribution.
  std::optional<std::size_t> pickWeighted(std::mt19937_64& rng,
                                          std::span<const std::size_t> excluded = {});
  // Uniform among enabled slots; same scheme and cost as pickWeighted, over a tree of 0/1 flags.
  std::optional<std::size_t> pickRandom(std::mt19937_64& rng,
                                        std::span<const std::size_t> excluded = {});
  // The next enabled slot after the previous round-robin pick, wrapping around, stepping over
  // excluded ones (the cursor moves to the slot returned). Each step is an O(log n) successor
  // query on the flag tree; at most k + 1 steps: O((k + 1) log n).
  std::optional<std::size_t> pickRoundRobin(std::span<const std::size_t> excluded = {});
  // The enabled slot with the oldest last use (never-used slots first, lowest index first),
  // stepping over excluded ones in an ordered set: O(log n + k).
  std::optional<std::size_t> pickLeastRecentlyUsed(std::span<const std::size_t> excluded = {});

  // The LRU order costs two O(log n) set walks per touch, which only least-recently-used picks
  // need. With tracking off (the owner turns it off for the other strategies) touches record the
  // last use in the slot only; turning it on rebuilds the order from those records, O(n log n).
  // On by default; pickLeastRecentlyUsed turns it on.
  void setLruTracking(bool on);
  bool lruTracking() const { return lru_tracking_; }

  // Dispatches to the pick for `strategy`.
  std::optional<std::size_t> pick(SelectionStrategy strategy, std::mt19937_64& rng,
                                  std::span<const std::size_t> excluded = {});

  // A bucket level as a weight: kWeightPerToken units per token, rounded down.
  static std::uint64_t weightForTokens(double tokens);

 private:
  // (last use in ms since the epoch, touch sequence, slot): the LRU order.
  using LruKey = std::tuple<std::int64_t, std::uint64_t, std::size_t>;

  struct Slot {
    std::uint64_t weight = 0;
    std::int64_t last_used_ms = 0;
    std::uint64_t touch_seq = 0;
    bool enabled = false;
  };

  // Marks the distinct excluded slots with a fresh epoch and lists the enabled ones in
  // excluded_enabled_. O(k).
  void markExcluded(std::span<const std::size_t> excluded);
  bool isMarked(std::size_t slot) const { return marks_[slot] == epoch_; }
  // A draw from `tree` that skips marked slots (see pickWeighted).
  template <class Tree, class Amount>
  std::optional<std::size_t> drawSkippingMarked(Tree& tree, std::mt19937_64& rng,
                                                Amount amount_of_slot);
  LruKey lruKey(std::size_t slot) const;

  std::vector<Slot> slots_;
  std::size_t enabled_count_ = 0;
  FenwickTree<std::uint64_t> weights_;  // weight when enabled, else 0
  FenwickTree<std::uint64_t> flags_;    // 1 when enabled, else 0
  std::set<LruKey> lru_;                // enabled slots only, when lru_tracking_
  bool lru_tracking_ = true;
  std::uint64_t touch_seq_ = 0;
  std::optional<std::size_t> rr_cursor_;  // slot of the last round-robin pick

  std::vector<std::uint32_t> marks_;  // marks_[slot] == epoch_: excluded in the current pick
  std::uint32_t epoch_ = 0;
  std::vector<std::size_t> excluded_enabled_;  // scratch, reused across picks
};

}  // namespace poise::keys
