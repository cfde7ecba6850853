// Google Benchmark for KeySelector picks, one per strategy (SPEC P4: ≤ 1 µs median with 100 000
// keys). Arguments: number of slots, number of excluded slots per pick (keys already tried in the
// request, or cooling for the model).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "core/clock.h"
#include "keys/key_selector.h"
#include "keys/token_bucket.h"

namespace poise::keys {
namespace {

// Every slot enabled, weighted by a bucket level between 1 and 20 tokens.
KeySelector makeSelector(std::size_t n) {
  KeySelector selector(n);
  std::mt19937_64 rng(99);
  for (std::size_t i = 0; i < n; ++i) {
    selector.enable(i);
    selector.setWeight(
        i, KeySelector::weightForTokens(1.0 + static_cast<double>(rng() % 20'000) / 1'000.0));
  }
  return selector;
}

std::vector<std::size_t> makeExcluded(std::size_t n, std::size_t k) {
  std::vector<std::size_t> excluded;
  std::mt19937_64 rng(7);
  for (std::size_t i = 0; i < k; ++i) excluded.push_back(rng() % n);
  return excluded;
}

void runPicks(benchmark::State& state, SelectionStrategy strategy) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto selector = makeSelector(n);
  const auto excluded = makeExcluded(n, static_cast<std::size_t>(state.range(1)));
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto slot = selector.pick(strategy, rng, excluded);
    benchmark::DoNotOptimize(slot);
  }
}

void BM_SelectorWeighted(benchmark::State& state) {
  runPicks(state, SelectionStrategy::Weighted);
}
void BM_SelectorRandom(benchmark::State& state) {
  runPicks(state, SelectionStrategy::Random);
}
void BM_SelectorRoundRobin(benchmark::State& state) {
  runPicks(state, SelectionStrategy::RoundRobin);
}

// LRU picks are only meaningful with the touch that follows each use.
void BM_SelectorLeastRecentlyUsed(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto selector = makeSelector(n);
  const auto excluded = makeExcluded(n, static_cast<std::size_t>(state.range(1)));
  ManualClock clock;
  for (std::size_t i = 0; i < n; ++i) {
    selector.setLastUsed(i, clock.now() - Millis{static_cast<std::int64_t>(i * 7 % n)});
  }
  for (auto _ : state) {
    auto slot = selector.pickLeastRecentlyUsed(excluded);
    clock.advance(Millis{1});
    selector.touch(*slot, clock.now());
    benchmark::DoNotOptimize(slot);
  }
}

// What the request path does under the default strategy: a weighted pick, the bucket consume, and
// the new level written back as the slot's weight.
void BM_SelectorWeightedWithBucket(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto selector = makeSelector(n);
  const auto excluded = makeExcluded(n, static_cast<std::size_t>(state.range(1)));
  ManualClock clock;
  std::vector<TokenBucket> buckets(n, TokenBucket::full(20, 2.0, clock.now()));
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    clock.advance(Millis{1});
    const auto slot = selector.pickWeighted(rng, excluded);
    TokenBucket& bucket = buckets[*slot];
    const bool consumed = bucket.tryConsume(clock.now());
    selector.setWeight(*slot, KeySelector::weightForTokens(bucket.tokens));
    benchmark::DoNotOptimize(consumed);
  }
}

void selectorArgs(benchmark::internal::Benchmark* b) {
  b->Args({1'000, 0})->Args({100'000, 0})->Args({100'000, 2})->Args({100'000, 64});
}

BENCHMARK(BM_SelectorWeighted)->Apply(selectorArgs);
BENCHMARK(BM_SelectorRandom)->Apply(selectorArgs);
BENCHMARK(BM_SelectorRoundRobin)->Apply(selectorArgs);
BENCHMARK(BM_SelectorLeastRecentlyUsed)->Apply(selectorArgs);
BENCHMARK(BM_SelectorWeightedWithBucket)->Args({100'000, 2});

}  // namespace
}  // namespace poise::keys
