// Google Benchmark for KeyPool::pick (SPEC P4: ≤ 1 µs median with 100 000 keys).
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

// A pick with two keys already tried in this request, no cooldowns.
void BM_PickUniform(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(makeKeys(state.range(0)));
  const std::int64_t tried[] = {1, 2};
  for (auto _ : state) {
    auto pick = pool.pick("gemini-2.5-flash", tried);
    benchmark::DoNotOptimize(pick);
  }
}
BENCHMARK(BM_PickUniform)->Arg(1'000)->Arg(100'000);

// A pick when half the keys are cooling down for the requested model.
void BM_PickHalfCooling(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  const auto n = state.range(0);
  pool.load(makeKeys(n));
  for (std::int64_t i = 1; i <= n; i += 2) {
    pool.recordCooldown(i, "gemini-2.5-flash", clock.now() + Millis{3'600'000}, "429");
  }
  (void)pool.drainDeltas();
  for (auto _ : state) {
    auto pick = pool.pick("gemini-2.5-flash", {});
    benchmark::DoNotOptimize(pick);
  }
}
BENCHMARK(BM_PickHalfCooling)->Arg(100'000);

// Pick plus the success record every attempt makes.
void BM_PickAndRecord(benchmark::State& state) {
  ManualClock clock;
  KeyPool pool(clock, 1);
  pool.load(makeKeys(state.range(0)));
  std::int64_t n = 0;
  for (auto _ : state) {
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

}  // namespace
}  // namespace poise::keys

BENCHMARK_MAIN();
