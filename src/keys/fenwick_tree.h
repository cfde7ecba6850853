// FenwickTree: prefix sums over a growable array of non-negative integers, with O(log n) point
// updates, prefix queries and "which index holds the r-th unit" descent. KeySelector uses one for
// weighted picks (weights) and one for uniform and round-robin picks (enabled flags).
// Thread-compatible value type.
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <vector>

namespace poise::keys {

template <class T>
class FenwickTree {
 public:
  explicit FenwickTree(std::size_t n = 0) : tree_(n + 1, T{}) {}

  std::size_t size() const { return tree_.size() - 1; }
  T total() const { return total_; }

  // Appends an element with `value` at index size(). O(log n).
  void append(T value) {
    const std::size_t i = tree_.size();  // 1-based index of the new element
    // Node i covers (i - lowbit(i), i]: the new value plus the elements already there.
    const std::size_t low = i - (i & (~i + 1));
    tree_.push_back(value + (prefix(i - 1) - prefix(low)));
    total_ += value;
  }

  // Element `index` (0-based) += delta. The result must stay non-negative.
  void add(std::size_t index, T delta) {
    assert(index < size());
    total_ += delta;
    for (std::size_t i = index + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  }
  // Element `index` -= delta. The element must hold at least `delta`.
  void subtract(std::size_t index, T delta) {
    assert(index < size());
    total_ -= delta;
    for (std::size_t i = index + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] -= delta;
  }

  // Sum of the first `count` elements (indices 0..count-1).
  T prefix(std::size_t count) const {
    assert(count < tree_.size());
    T sum{};
    for (std::size_t i = count; i > 0; i -= i & (~i + 1)) sum += tree_[i];
    return sum;
  }

  // The index whose unit range holds `rank`: the smallest i with prefix(i + 1) > rank.
  // Precondition: rank < total(). Elements equal to zero are never returned.
  std::size_t findByRank(T rank) const {
    assert(rank < total_);
    std::size_t pos = 0;
    for (std::size_t step = std::bit_floor(size()); step > 0; step >>= 1) {
      const std::size_t next = pos + step;
      if (next < tree_.size() && tree_[next] <= rank) {
        pos = next;
        rank -= tree_[next];
      }
    }
    return pos;  // 1-based pos + 1 is the element; 0-based that is pos
  }

 private:
  std::vector<T> tree_;  // 1-based; tree_[0] unused
  T total_{};
};

}  // namespace poise::keys
