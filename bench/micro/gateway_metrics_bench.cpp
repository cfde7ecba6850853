// Google Benchmark for GatewayMetrics::observe, what every finished request pays when
// POISE_METRICS is on: the attempts counter, the requests counter and two histograms, each
// found through its family's shared lock. Threads(2) runs it on two threads at once, as two
// workers would (the shared locks' reader counts are the contended cache lines).
#include <benchmark/benchmark.h>

#include "core/clock.h"
#include "keys/key_pool.h"
#include "stats/gateway_metrics.h"

namespace poise::stats {
namespace {

ManualClock bench_clock;
keys::KeyPool bench_pool(bench_clock, 1);
GatewayMetrics bench_metrics(bench_pool);

http::RequestRecord sampleRecord() {
  http::RequestRecord r;
  r.route = "/v1beta/";
  r.model = "gemini-2.5-flash";
  r.started_ms = 1000;
  r.first_byte_ms = 1200;
  r.ended_ms = 1800;
  r.status = 200;
  r.usage.present = true;
  r.usage.prompt = 12;
  r.usage.candidates = 40;
  r.attempts.push_back({.key_id = 1, .outcome = "success", .status = 200, .duration_ms = 700});
  return r;
}

void BM_ObserveRecord(benchmark::State& state) {
  const http::RequestRecord r = sampleRecord();
  for (auto _ : state) bench_metrics.observe(r);
}
BENCHMARK(BM_ObserveRecord)->Threads(1)->Threads(2);

void BM_Render(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(bench_metrics.render());
}
BENCHMARK(BM_Render);

}  // namespace
}  // namespace poise::stats
