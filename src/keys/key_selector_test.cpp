#include "keys/key_selector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "keys/fenwick_tree.h"

namespace poise::keys {
namespace {

using Slots = std::vector<std::size_t>;

KeySelector enabledSelector(std::size_t n) {
  KeySelector selector(n);
  for (std::size_t i = 0; i < n; ++i) selector.enable(i);
  return selector;
}

// Pearson's chi-square statistic of `counts` against expected proportions `weights`.
double chiSquare(const std::vector<int>& counts, const std::vector<double>& weights) {
  double total_weight = 0;
  for (double w : weights) total_weight += w;
  int total = 0;
  for (int c : counts) total += c;
  double chi = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (weights[i] == 0) {
      EXPECT_EQ(counts[i], 0) << "slot " << i << " has no weight but was picked";
      continue;
    }
    const double expected = total * weights[i] / total_weight;
    chi += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  return chi;
}

// Chi-square critical values at p = 0.0001 (far from any fair run; the seed is fixed anyway).
double criticalChiSquare(int degrees_of_freedom) {
  static const std::map<int, double> table = {{1, 15.14}, {2, 18.42}, {3, 21.11}, {4, 23.51},
                                              {5, 25.74}, {6, 27.86}, {7, 29.88}, {9, 33.72}};
  return table.at(degrees_of_freedom);
}

TEST(KeySelectorStrategy, NamesRoundTrip) {
  for (const auto s : {SelectionStrategy::Weighted, SelectionStrategy::Random,
                       SelectionStrategy::RoundRobin, SelectionStrategy::LeastRecentlyUsed}) {
    EXPECT_EQ(parseSelectionStrategy(toString(s)), s);
  }
  EXPECT_EQ(toString(SelectionStrategy::RoundRobin), "round_robin");
  EXPECT_EQ(toString(SelectionStrategy::LeastRecentlyUsed), "least_recently_used");
  EXPECT_EQ(parseSelectionStrategy("lru"), std::nullopt);
  EXPECT_EQ(parseSelectionStrategy(""), std::nullopt);
}

TEST(KeySelectorFenwick, MatchesANaiveArrayUnderRandomUpdates) {
  std::mt19937_64 rng(3);
  FenwickTree<std::uint64_t> tree(5);
  std::vector<std::uint64_t> naive(5, 0);
  for (int op = 0; op < 5'000; ++op) {
    if (rng() % 10 == 0) {
      const std::uint64_t v = rng() % 7;
      tree.append(v);
      naive.push_back(v);
    } else {
      const std::size_t i = rng() % naive.size();
      const std::uint64_t v = rng() % 7;
      if (v >= naive[i]) tree.add(i, v - naive[i]);
      if (v < naive[i]) tree.subtract(i, naive[i] - v);
      naive[i] = v;
    }
    const std::size_t count = rng() % (naive.size() + 1);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < count; ++i) sum += naive[i];
    ASSERT_EQ(tree.prefix(count), sum);
    if (tree.total() > 0) {
      const std::uint64_t rank = rng() % tree.total();
      std::uint64_t acc = 0;
      std::size_t expected = 0;
      while (acc + naive[expected] <= rank) acc += naive[expected++];
      ASSERT_EQ(tree.findByRank(rank), expected);
    }
  }
  EXPECT_EQ(tree.size(), naive.size());
}

TEST(KeySelector, NothingToPickWhenEmptyOrAllDisabled) {
  std::mt19937_64 rng(1);
  KeySelector empty;
  KeySelector disabled(3);
  disabled.setWeight(1, 5);
  for (auto* selector : {&empty, &disabled}) {
    for (const auto s : {SelectionStrategy::Weighted, SelectionStrategy::Random,
                         SelectionStrategy::RoundRobin, SelectionStrategy::LeastRecentlyUsed}) {
      EXPECT_EQ(selector->pick(s, rng), std::nullopt) << toString(s);
    }
  }
}

TEST(KeySelector, WeightedSkipsZeroWeightAndDisabledSlots) {
  std::mt19937_64 rng(2);
  auto selector = enabledSelector(4);
  EXPECT_EQ(selector.pickWeighted(rng), std::nullopt);  // enabled, but every weight is 0
  selector.setWeight(1, 10);
  selector.setWeight(3, 10);
  selector.disable(3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(selector.pickWeighted(rng), 1u);
  selector.enable(3);  // keeps its weight
  selector.setWeight(1, 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(selector.pickWeighted(rng), 3u);
  // Weight 0 only keeps a slot out of weighted picks.
  int zero_weight_picks = 0;
  for (int i = 0; i < 100; ++i) zero_weight_picks += selector.pickRandom(rng) != 3u;
  EXPECT_GT(zero_weight_picks, 0);
}

TEST(KeySelector, WeightedPicksSpreadInProportionToWeight) {
  std::mt19937_64 rng(20260101);
  const std::vector<double> weights = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto selector = enabledSelector(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    selector.setWeight(i, KeySelector::weightForTokens(weights[i]));
  }
  std::vector<int> counts(weights.size(), 0);
  for (int i = 0; i < 200'000; ++i) ++counts[*selector.pickWeighted(rng)];
  EXPECT_LT(chiSquare(counts, weights), criticalChiSquare(9));
}

TEST(KeySelector, RandomPicksAreUniformOverEnabledSlots) {
  std::mt19937_64 rng(77);
  auto selector = enabledSelector(10);
  selector.setWeight(0, 1'000'000);  // weights do not matter to random picks
  selector.disable(4);
  selector.disable(7);
  selector.disable(8);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 140'000; ++i) ++counts[*selector.pickRandom(rng)];
  const std::vector<double> expected = {1, 1, 1, 1, 0, 1, 1, 0, 0, 1};
  EXPECT_LT(chiSquare(counts, expected), criticalChiSquare(6));
}

// Exclusion by rejection (small excluded weight) and by the exact path (large excluded weight)
// must both give the distribution restricted to the remaining slots.
TEST(KeySelector, ExcludedSlotsAreNeverPickedAndTheRestKeepTheirProportions) {
  std::mt19937_64 rng(5);
  const std::vector<double> weights = {10, 1, 2, 3, 4, 40};
  auto selector = enabledSelector(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    selector.setWeight(i, static_cast<std::uint64_t>(weights[i]));
  }
  const std::vector<Slots> exclusions = {{0}, {5}, {5, 0, 5}, {1, 5, 0}};
  for (const auto& excluded : exclusions) {
    std::vector<double> expected = weights;
    for (auto s : excluded) expected[s] = 0;
    std::vector<int> counts(weights.size(), 0);
    for (int i = 0; i < 100'000; ++i) ++counts[*selector.pickWeighted(rng, excluded)];
    const int free_slots = static_cast<int>(
        std::count_if(expected.begin(), expected.end(), [](double w) { return w > 0; }));
    EXPECT_LT(chiSquare(counts, expected), criticalChiSquare(free_slots - 1))
        << "excluded " << excluded.size();
    // The trees are restored after the exact path.
    for (std::size_t i = 0; i < weights.size(); ++i) {
      EXPECT_EQ(selector.weight(i), static_cast<std::uint64_t>(weights[i]));
    }
  }
  std::vector<int> counts(weights.size(), 0);
  for (int i = 0; i < 60'000; ++i) ++counts[*selector.pickWeighted(rng)];
  EXPECT_LT(chiSquare(counts, weights), criticalChiSquare(5));
}

TEST(KeySelector, RandomExclusionKeepsTheRestUniform) {
  std::mt19937_64 rng(6);
  auto selector = enabledSelector(8);
  for (const Slots& excluded : {Slots{2}, Slots{0, 1, 2, 3, 4, 5}}) {
    std::vector<double> expected(8, 1);
    for (auto s : excluded) expected[s] = 0;
    std::vector<int> counts(8, 0);
    for (int i = 0; i < 80'000; ++i) ++counts[*selector.pickRandom(rng, excluded)];
    const int free_slots = 8 - static_cast<int>(excluded.size());
    EXPECT_LT(chiSquare(counts, expected), criticalChiSquare(free_slots - 1));
  }
}

TEST(KeySelector, EveryStrategyAnswersNothingWhenAllEnabledSlotsAreExcluded) {
  std::mt19937_64 rng(8);
  auto selector = enabledSelector(4);
  for (std::size_t i = 0; i < 4; ++i) selector.setWeight(i, 1);
  selector.disable(3);
  const Slots excluded = {0, 2, 1, 1, 3};  // duplicates and a disabled slot are fine
  for (const auto s : {SelectionStrategy::Weighted, SelectionStrategy::Random,
                       SelectionStrategy::RoundRobin, SelectionStrategy::LeastRecentlyUsed}) {
    EXPECT_EQ(selector.pick(s, rng, excluded), std::nullopt) << toString(s);
    EXPECT_TRUE(selector.pick(s, rng, Slots{0, 2}).has_value()) << toString(s);
    EXPECT_EQ(*selector.pick(s, rng, Slots{0, 2}), 1u) << toString(s);
  }
}

TEST(KeySelector, RoundRobinVisitsEnabledSlotsInOrderAndWraps) {
  std::mt19937_64 rng(9);
  auto selector = enabledSelector(5);
  selector.disable(2);
  Slots order;
  for (int i = 0; i < 8; ++i) order.push_back(*selector.pickRoundRobin());
  EXPECT_EQ(order, (Slots{0, 1, 3, 4, 0, 1, 3, 4}));

  // Excluded slots are stepped over; the cursor lands on the slot returned.
  EXPECT_EQ(selector.pickRoundRobin(Slots{0, 1}), 3u);
  EXPECT_EQ(selector.pickRoundRobin(Slots{4, 0}), 1u);
  // A slot enabled again rejoins at its place; disabling the cursor's slot does not lose the place.
  selector.enable(2);
  EXPECT_EQ(selector.pickRoundRobin(), 2u);
  selector.disable(2);
  EXPECT_EQ(selector.pickRoundRobin(), 3u);
  const std::size_t added = selector.addSlot();
  selector.enable(added);
  order.clear();
  for (int i = 0; i < 6; ++i) order.push_back(*selector.pick(SelectionStrategy::RoundRobin, rng));
  EXPECT_EQ(order, (Slots{4, 5, 0, 1, 3, 4}));
}

TEST(KeySelector, RoundRobinIsEvenOverAFullCycle) {
  auto selector = enabledSelector(1'000);
  for (std::size_t i = 0; i < 1'000; i += 3) selector.disable(i);
  const std::size_t eligible = selector.enabledCount() - 1;  // slot 500 is excluded below
  std::vector<int> counts(1'000, 0);
  const int rounds = 7;
  for (std::size_t i = 0; i < rounds * eligible; ++i)
    ++counts[*selector.pickRoundRobin(Slots{500})];
  for (std::size_t i = 0; i < 1'000; ++i) {
    ASSERT_EQ(counts[i], (i % 3 == 0 || i == 500) ? 0 : rounds) << i;
  }
}

TEST(KeySelector, LeastRecentlyUsedPicksTheOldestUseFirst) {
  ManualClock clock;
  auto selector = enabledSelector(4);
  // Never-used slots come first, lowest index first.
  EXPECT_EQ(selector.pickLeastRecentlyUsed(), 0u);
  Slots order;
  for (int i = 0; i < 6; ++i) {
    const std::size_t slot = *selector.pickLeastRecentlyUsed();
    order.push_back(slot);
    selector.touch(slot, clock.now());  // same millisecond: touch order breaks the tie
  }
  EXPECT_EQ(order, (Slots{0, 1, 2, 3, 0, 1}));

  clock.advance(Millis{10});
  selector.touch(3, clock.now());  // 2 is now the oldest, then 0, 1, 3
  EXPECT_EQ(selector.pickLeastRecentlyUsed(), 2u);
  EXPECT_EQ(selector.pickLeastRecentlyUsed(Slots{2}), 0u);
  EXPECT_EQ(selector.pickLeastRecentlyUsed(Slots{2, 0, 2}), 1u);
  EXPECT_EQ(selector.pickLeastRecentlyUsed(Slots{2, 0, 1}), 3u);

  // A disabled slot keeps its last use and returns to its place.
  selector.disable(2);
  EXPECT_EQ(selector.pickLeastRecentlyUsed(), 0u);
  selector.enable(2);
  EXPECT_EQ(selector.pickLeastRecentlyUsed(), 2u);

  // Times loaded from storage order the slots too.
  selector.setLastUsed(2, clock.now() + Millis{1'000});
  selector.setLastUsed(1, clock.now() - Millis{1'000'000});
  EXPECT_EQ(selector.pickLeastRecentlyUsed(), 1u);
  selector.touch(1, clock.now() + Millis{5});
  selector.touch(0, clock.now() + Millis{5});
  selector.touch(3, clock.now() + Millis{6});
  Slots rest;
  Slots excluded;
  while (auto slot = selector.pickLeastRecentlyUsed(excluded)) {
    rest.push_back(*slot);
    excluded.push_back(*slot);
  }
  EXPECT_EQ(rest, (Slots{1, 0, 3, 2}));
}

// Random operations against a brute-force model: every pick must be eligible, and round-robin and
// LRU picks must be exactly the model's.
TEST(KeySelector, AgreesWithABruteForceModel) {
  std::mt19937_64 rng(11);
  std::mt19937_64 pick_rng(12);
  struct Model {
    bool enabled = false;
    std::uint64_t weight = 0;
    std::int64_t last_ms = 0;
    std::uint64_t seq = 0;
  };
  std::vector<Model> model(50);
  KeySelector selector(50);
  std::uint64_t seq = 0;
  std::int64_t now_ms = 1'000;
  std::optional<std::size_t> cursor;
  for (int op = 0; op < 20'000; ++op) {
    const std::size_t slot = rng() % model.size();
    switch (rng() % 8) {
      case 0:
        selector.enable(slot);
        model[slot].enabled = true;
        break;
      case 1:
        selector.disable(slot);
        model[slot].enabled = false;
        break;
      case 2: {
        const std::uint64_t w = rng() % 4;
        selector.setWeight(slot, w);
        model[slot].weight = w;
        break;
      }
      case 3:
        now_ms += static_cast<std::int64_t>(rng() % 3);
        selector.touch(slot, TimePoint{Millis{now_ms}});
        model[slot].last_ms = now_ms;
        model[slot].seq = ++seq;
        break;
      case 4:
        if (model.size() < 80) {
          EXPECT_EQ(selector.addSlot(), model.size());
          model.emplace_back();
        }
        break;
      default: {
        Slots excluded;
        const int k = static_cast<int>(rng() % 5);
        for (int i = 0; i < k; ++i) excluded.push_back(rng() % model.size());
        auto eligible = [&](std::size_t s) {
          return model[s].enabled &&
                 std::find(excluded.begin(), excluded.end(), s) == excluded.end();
        };
        const auto weighted = selector.pickWeighted(pick_rng, excluded);
        bool any_weighted = false;
        for (std::size_t s = 0; s < model.size(); ++s) {
          any_weighted |= eligible(s) && model[s].weight > 0;
        }
        ASSERT_EQ(weighted.has_value(), any_weighted);
        if (weighted) {
          ASSERT_TRUE(eligible(*weighted) && model[*weighted].weight > 0);
        }

        const auto random = selector.pickRandom(pick_rng, excluded);
        std::optional<std::size_t> first_rr;
        std::optional<std::size_t> oldest;
        for (std::size_t i = 0; i < model.size(); ++i) {
          const std::size_t s = cursor ? (*cursor + 1 + i) % model.size() : i;
          if (eligible(s) && !first_rr) first_rr = s;
          if (eligible(i) &&
              (!oldest || std::tie(model[i].last_ms, model[i].seq) <
                              std::tie(model[*oldest].last_ms, model[*oldest].seq))) {
            oldest = i;
          }
        }
        ASSERT_EQ(random.has_value(), first_rr.has_value());
        if (random) {
          ASSERT_TRUE(eligible(*random));
        }
        ASSERT_EQ(selector.pickLeastRecentlyUsed(excluded), oldest);
        const auto rr = selector.pickRoundRobin(excluded);
        // The model's cursor walks the slots as they are now, wrapping at the current size.
        ASSERT_EQ(rr, first_rr) << "op " << op;
        if (rr) cursor = rr;
      }
    }
  }
}

}  // namespace
}  // namespace poise::keys
