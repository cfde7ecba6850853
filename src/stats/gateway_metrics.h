// GatewayMetrics: the gateway's Prometheus series (issue 14). Requests, their latency and time to
// first byte, and upstream attempts are counted from each finished RequestRecord (observe(), on
// the request's worker thread); keys by status, keys cooling per model, bucket levels and the
// process's figures are read when /metrics is scraped (render()). No per-key or per-token label.
// The model label is bounded: see modelLabel(). Thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "http/request_record.h"
#include "keys/key_pool.h"
#include "metrics/process_stats.h"
#include "metrics/registry.h"

namespace poise::stats {

class GatewayMetrics {
 public:
  explicit GatewayMetrics(const keys::KeyPool& pool);

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
