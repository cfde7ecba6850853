// GatewayMetrics: the gateway's Prometheus series (issue 14). Requests, their latency and time to
// first byte, and upstream attempts are counted from each finished RequestRecord (observe(), on
// the request's worker thread); keys by status, keys cooling per model, bucket levels and the
// process's figures are read when /metrics is scraped (render()). The request log's queue and the
// database pool's waits are read at scrape time too (watchRequestLog(), watchDatabase()). No
// per-key or per-token label unless Options::per_key_labels. The model label is bounded: see
// modelLabel(). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "http/request_record.h"
#include "keys/key_pool.h"
#include "metrics/process_stats.h"
#include "metrics/registry.h"
#include "storage/database.h"

namespace poise::stats {

// The request log writer's figures, read at scrape time.
struct RequestLogFigures {
  std::uint64_t written = 0;
  std::uint64_t dropped = 0;
  std::uint64_t failed = 0;
  std::size_t queue_depth = 0;
  std::size_t queue_capacity = 0;
};

class GatewayMetrics {
 public:
  struct Options {
    // POISE_METRICS_KEY_LABELS: adds poise_key_attempts_total{key_id,outcome} and
    // poise_token_requests_total{token_id,status_class} (ids, never values), each capped at
    // kMaxIdSeries series. Off by default: a pool of 10 000 keys is 50 000 series.
    bool per_key_labels = false;
  };
  static constexpr std::size_t kMaxIdSeries = 20000;

  explicit GatewayMetrics(const keys::KeyPool& pool) : GatewayMetrics(pool, Options{}) {}
  GatewayMetrics(const keys::KeyPool& pool, Options options);

  // Declare once, before the first scrape (not thread-safe against render()).
  void watchRequestLog(std::function<RequestLogFigures()> read);
  void watchDatabase(const storage::Database& db);

  // Counts one finished request. Must not block: a few relaxed atomics found through shared
  // locks (an exclusive one only for a label set's first request).
  void observe(const http::RequestRecord& record);
  // The exposition text (metrics::kContentType); reads the pool and /proc.
  std::string render() const;

  // Distinct model names that may appear as a label value; past them, "other".
  static constexpr std::size_t kMaxModels = 64;
  // The model label of `model`: "" → "none"; a model id the upstream has served, or counted a
  // quota (429) against, for some request (admitted by observe(), up to kMaxModels) → itself;
  // anything else → "other". A client can send any model name, but only names Gemini knows get
  // past it, so made-up names cannot take the label space from real ones.
  std::string_view modelLabel(std::string_view model) const;

 private:
  void admitModel(std::string_view model);

  const keys::KeyPool& pool_;
  metrics::Registry registry_;
  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& latency_;
  metrics::HistogramFamily& first_byte_;
  metrics::CounterFamily& attempts_;
  metrics::CounterFamily& tokens_;
  metrics::CounterFamily& truncations_;
  metrics::CounterFamily* key_attempts_ = nullptr;    // per_key_labels only
  metrics::CounterFamily* token_requests_ = nullptr;  // per_key_labels only

  // Scrapes one at a time: the process_* collectors read the figures render() took.
  mutable std::mutex render_mutex_;
  mutable metrics::ProcessStats process_;

  mutable std::shared_mutex models_mutex_;
  std::set<std::string, std::less<>> models_;
};

// "2xx" … "5xx"; "none" when no status was sent (the client left first).
std::string_view statusClass(unsigned status);
// The attempts series' outcome for attempt_loop's word: success, quota (a 429 cooldown), invalid
// (the key was rejected), transient, client_error.
std::string_view attemptOutcome(std::string_view word);

}  // namespace poise::stats
