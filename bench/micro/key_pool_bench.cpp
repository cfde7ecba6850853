// Google Benchmark for KeyPool::pick (SPEC P4: ≤ 1 µs median with 100 000 keys): the whole pick
// as the proxy makes it — mutex, due bucket refreshes, the strategy's draw over eligible keys,
// the token taken from the bucket and the key's weight written back.
// The manual clock moves 1 ms per pick, so buckets refill and refresh events fire as in traffic.
#include <benchmark/benchmark.h>

#include "core/clock.h"
#include "keys/key_pool.h"

namespace poise::keys {
namespace {

std::vector<PoolKey> makeKeys(std::int64_t n) {
  std::vector<PoolKey> keys;
  keys.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 1; i <= n; ++i) {
    keys.push_back(PoolKey{i, "AIzaSyBenchmarkKey" + std::to_string(i) + "xxxxxxxxxxxxxxxxx"});
  }
  return keys;
}

// Buckets on, roomy (capacity 1000, 100 tokens/s): every key stays eligible, weights move.
PoolSettings roomy(SelectionStrategy strategy) {
  PoolSettings s;
  s.strategy = strategy;
  s.buckets.default_capacity = 1000;
  s.buckets.default_refill_rate = 100;
  return s;
}

void runPicks(benchmark::State& state, KeyPool& pool, ManualClock& clock,
              std::span<const std::int64_t> tried = {}) {
  std::int64_t misses = 0;
  for (auto _ : state) {
    clock.advance(Millis{1});
    auto pick = pool.pick("gemini-2.5-flash", tried);
    if (!pick) ++misses;
    benchmark::DoNotOptimize(pick);
  }
  state.counters["misses"] = static_cast<double>(misses);
}

// One pick per strategy, two keys already tried in this request.
void BM_Pick(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(roomy(static_cast<SelectionStrategy>(state.range(1))));
  pool.load(makeKeys(state.range(0)));
  const std::int64_t tried[] = {1, 2};
  runPicks(state, pool, clock, tried);
}
BENCHMARK(BM_Pick)
    ->ArgNames({"keys", "strategy"})
    ->ArgsProduct({{1'000, 100'000},
                   {static_cast<int>(SelectionStrategy::Weighted),
                    static_cast<int>(SelectionStrategy::Random),
                    static_cast<int>(SelectionStrategy::RoundRobin),
                    static_cast<int>(SelectionStrategy::LeastRecentlyUsed)}});

// Tight buckets (capacity 2, 0.5 token/s): most keys are empty and out of the selector at any
// moment, and each pick also processes the refresh events of keys coming back.
void BM_PickTightBuckets(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  PoolSettings s;
  s.buckets.default_capacity = 2;
  s.buckets.default_refill_rate = 0.5;
  pool.configure(s);
  pool.load(makeKeys(state.range(0)));
  runPicks(state, pool, clock);
}
BENCHMARK(BM_PickTightBuckets)->Arg(100'000);

// Half the keys cooling down for the requested model (weighted, roomy buckets).
void BM_PickHalfCooling(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(roomy(SelectionStrategy::Weighted));
  const auto n = state.range(0);
  pool.load(makeKeys(n));
  for (std::int64_t i = 1; i <= n; i += 2) {
    pool.recordCooldown(i, "gemini-2.5-flash", clock.now() + Millis{3'600'000'000}, "429");
  }
  (void)pool.drainDeltas();
  runPicks(state, pool, clock);
}
BENCHMARK(BM_PickHalfCooling)->Arg(100'000);

// Pick plus the success record every attempt makes.
void BM_PickAndRecord(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(roomy(SelectionStrategy::Weighted));
  pool.load(makeKeys(state.range(0)));
  std::int64_t n = 0;
  for (auto _ : state) {
    clock.advance(Millis{1});
    auto pick = pool.pick("gemini-2.5-flash", {});
    pool.recordSuccess(pick->id);
    if (++n % 4096 == 0) {
      state.PauseTiming();
      (void)pool.drainDeltas();
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_PickAndRecord)->Arg(100'000);

// The Retry-After of a 429 when every key cools for the model (the model has its own view):
// the earliest of cooldown ends and bucket refills.
void BM_NextEligibleAllCooling(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.configure(roomy(SelectionStrategy::Weighted));
  const auto n = state.range(0);
  pool.load(makeKeys(n));
  for (std::int64_t i = 1; i <= n; ++i) {
    pool.recordCooldown(i, "gemini-2.5-flash", clock.now() + Millis{60'000 + i}, "429");
  }
  (void)pool.drainDeltas();
  for (auto _ : state) {
    auto at = pool.nextEligibleAt("gemini-2.5-flash");
    benchmark::DoNotOptimize(at);
  }
}
BENCHMARK(BM_NextEligibleAllCooling)->Arg(100'000);

}  // namespace
}  // namespace poise::keys

BENCHMARK_MAIN();
