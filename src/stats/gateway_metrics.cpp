#include "stats/gateway_metrics.h"

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model_id.h"
#include "metrics/process_stats.h"

namespace poise::stats {

namespace {

using metrics::Sample;
using metrics::Type;

// Seconds: fast non-streamed answers up to long streamed generations.
const std::vector<double> kLatencyBounds = {0.025, 0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                            5,     10,   30,  60,   120, 300};

constexpr std::size_t kMaxRequestSeries = 4000;
constexpr std::size_t kMaxHistogramSeries = 1000;

std::string_view routeLabel(const http::RequestRecord& r) {
  return r.route.empty() ? std::string_view("none") : std::string_view(r.route);
}

}  // namespace

std::string_view statusClass(unsigned status) {
  static constexpr std::array<std::string_view, 6> kClasses = {"none", "1xx", "2xx",
                                                               "3xx",  "4xx", "5xx"};
  if (status < 100 || status > 599) return kClasses[0];
  return kClasses[status / 100];
}

std::string_view attemptOutcome(std::string_view word) {
  if (word == "success") return "success";
  if (word == "cooldown") return "quota";
  if (word == "rejected") return "invalid";
  if (word == "client_error") return "client_error";
  return "transient";
}

GatewayMetrics::GatewayMetrics(const keys::KeyPool& pool, Options options)
    : pool_(pool),
      requests_(registry_.counter({.name = "poise_requests_total",
                                   .help = "Client requests finished, by protocol, route, model "
                                           "and status class.",
                                   .labels = {"protocol", "route", "model", "status_class"},
                                   .max_series = kMaxRequestSeries})),
      latency_(registry_.histogram({.name = "poise_request_duration_seconds",
                                    .help = "Time from a request's head to the end of its answer.",
                                    .labels = {"protocol", "route", "model"},
                                    .max_series = kMaxHistogramSeries,
                                    .bounds = kLatencyBounds})),
      first_byte_(registry_.histogram(
          {.name = "poise_request_first_byte_seconds",
           .help = "Time from a request's head to its answer's head (requests that sent one).",
           .labels = {"protocol", "route", "model"},
           .max_series = kMaxHistogramSeries,
           .bounds = kLatencyBounds})),
      attempts_(registry_.counter(
          {.name = "poise_upstream_attempts_total",
           .help = "Upstream attempts by outcome: success, quota (429, the key cools for the "
                   "model), invalid (the key was rejected), transient (5xx, network, timeout), "
                   "client_error (the request's own fault).",
           .labels = {"outcome"}})),
      tokens_(registry_.counter({.name = "poise_tokens_total",
                                 .help = "Tokens the upstream reported, by model and kind.",
                                 .labels = {"model", "kind"},
                                 .max_series = kMaxModels * 4 + 1})),
      truncations_(registry_.counter(
          {.name = "poise_stream_truncations_total",
           .help = "Relayed streams that ended cleanly without a finish reason, by protocol; the "
                   "client got its protocol's error event.",
           .labels = {"protocol"}})) {
  for (const char* protocol : {"gemini", "openai", "anthropic"}) truncations_.at({protocol});
  for (const char* outcome : {"success", "quota", "invalid", "transient", "client_error"}) {
    attempts_.at({outcome});
  }
  if (options.per_key_labels) {
    key_attempts_ = &registry_.counter(
        {.name = "poise_key_attempts_total",
         .help = "Upstream attempts by key id and outcome (POISE_METRICS_KEY_LABELS).",
         .labels = {"key_id", "outcome"},
         .max_series = kMaxIdSeries});
    token_requests_ = &registry_.counter(
        {.name = "poise_token_requests_total",
         .help = "Client requests by gateway token id (0: the default api_token) and status "
                 "class (POISE_METRICS_KEY_LABELS).",
         .labels = {"token_id", "status_class"},
         .max_series = kMaxIdSeries});
  }
  registry_.collect({.name = "poise_keys",
                     .help = "Upstream keys by status.",
                     .type = Type::Gauge,
                     .labels = {"status"}},
                    [this] {
                      const auto c = pool_.statusCounts();
                      auto n = [](std::int64_t v) { return static_cast<double>(v); };
                      return std::vector<Sample>{{{"active"}, n(c.active)},
                                                 {{"exhausted"}, n(c.exhausted)},
                                                 {{"error"}, n(c.error)},
                                                 {{"disabled"}, n(c.disabled)}};
                    });
  registry_.collect(
      {.name = "poise_keys_cooling",
       .help = "Active keys resting after a 429, per model (models cooling now only).",
       .type = Type::Gauge,
       .labels = {"model"}},
      [this] {
        std::vector<Sample> out;
        double other = 0;
        for (const auto& [model, count] : pool_.coolingPerModel()) {
          const std::string_view label = modelLabel(model);
          if (label == "other" || out.size() >= kMaxModels) {
            other += static_cast<double>(count);
          } else {
            out.push_back({{std::string(label)}, static_cast<double>(count)});
          }
        }
        if (other > 0) out.push_back({{"other"}, other});
        return out;
      });
  registry_.collect({.name = "poise_key_bucket_tokens",
                     .help = "Tokens in the active keys' buckets now, summed.",
                     .type = Type::Gauge},
                    [this] {
                      return std::vector<Sample>{{{}, pool_.bucketTotals().total_tokens}};
                    });
  registry_.collect({.name = "poise_key_bucket_capacity",
                     .help = "Capacity of the active keys' buckets, summed.",
                     .type = Type::Gauge},
                    [this] {
                      const auto t = pool_.bucketTotals();
                      return std::vector<Sample>{{{}, static_cast<double>(t.total_capacity)}};
                    });
  // The process_* names and meanings that Prometheus's client libraries use.
  struct ProcessSeries {
    const char* name;
    const char* help;
    Type type;
    double metrics::ProcessStats::*field;
  };
  static constexpr std::array<ProcessSeries, 6> kProcess = {{
      {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
       Type::Counter, &metrics::ProcessStats::cpu_seconds},
      {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
       Type::Gauge, &metrics::ProcessStats::start_time_seconds},
      {"process_resident_memory_bytes", "Resident memory size in bytes.", Type::Gauge,
       &metrics::ProcessStats::resident_bytes},
      {"process_virtual_memory_bytes", "Virtual memory size in bytes.", Type::Gauge,
       &metrics::ProcessStats::virtual_bytes},
      {"process_open_fds", "Number of open file descriptors.", Type::Gauge,
       &metrics::ProcessStats::open_fds},
      {"process_max_fds", "Maximum number of open file descriptors.", Type::Gauge,
       &metrics::ProcessStats::max_fds},
  }};
  for (const ProcessSeries& p : kProcess) {
    registry_.collect({.name = p.name, .help = p.help, .type = p.type}, [this, p] {
      return std::vector<Sample>{{{}, process_.*(p.field)}};
    });
  }
}

void GatewayMetrics::watchRequestLog(std::function<RequestLogFigures()> read) {
  // One read per scrape feeds the four series.
  auto figures = std::make_shared<RequestLogFigures>();
  auto each = [figures, read = std::move(read)](bool refresh, auto field) {
    if (refresh) *figures = read();
    return std::vector<Sample>{{{}, static_cast<double>((*figures).*field)}};
  };
  registry_.collect(
      {.name = "poise_request_log_queue_depth", .help = "Request log rows waiting for the writer."},
      [each] { return each(true, &RequestLogFigures::queue_depth); });
  registry_.collect({.name = "poise_request_log_queue_capacity",
                     .help = "Request log rows the queue holds at most."},
                    [each] { return each(false, &RequestLogFigures::queue_capacity); });
  registry_.collect({.name = "poise_request_log_written_total",
                     .help = "Request log rows written to the database.",
                     .type = Type::Counter},
                    [each] { return each(false, &RequestLogFigures::written); });
  registry_.collect({.name = "poise_request_log_dropped_total",
                     .help = "Request log rows dropped because the queue was full.",
                     .type = Type::Counter},
                    [each] { return each(false, &RequestLogFigures::dropped); });
  registry_.collect({.name = "poise_request_log_failed_total",
                     .help = "Request log rows lost with a batch the database refused.",
                     .type = Type::Counter},
                    [each] { return each(false, &RequestLogFigures::failed); });
}

void GatewayMetrics::watchDatabase(const storage::Database& db) {
  auto stats = std::make_shared<storage::PoolStats>();
  auto each = [stats, &db](bool refresh, auto read) {
    if (refresh) *stats = db.poolStats();
    return std::vector<Sample>{{{}, read(*stats)}};
  };
  using P = const storage::PoolStats&;
  auto d = [](auto v) { return static_cast<double>(v); };
  registry_.collect(
      {.name = "poise_db_pool_connections", .help = "Database connections in the pool."},
      [each, d] { return each(true, [d](P s) { return d(s.size); }); });
  registry_.collect({.name = "poise_db_pool_in_use", .help = "Database connections lent now."},
                    [each, d] { return each(false, [d](P s) { return d(s.in_use); }); });
  registry_.collect({.name = "poise_db_pool_waits_total",
                     .help = "Database calls that found no free connection and waited.",
                     .type = Type::Counter},
                    [each, d] { return each(false, [d](P s) { return d(s.waits); }); });
  registry_.collect({.name = "poise_db_pool_wait_seconds_total",
                     .help = "Time database calls spent waiting for a free connection.",
                     .type = Type::Counter},
                    [each] { return each(false, [](P s) { return s.wait_seconds; }); });
  registry_.collect({.name = "poise_db_pool_timeouts_total",
                     .help = "Database calls that gave up waiting for a connection (busy).",
                     .type = Type::Counter},
                    [each, d] { return each(false, [d](P s) { return d(s.timeouts); }); });
}

std::string_view GatewayMetrics::modelLabel(std::string_view model) const {
  if (model.empty()) return "none";
  std::shared_lock lock(models_mutex_);
  const auto it = models_.find(model);
  // The set's strings never move or go away, so the view outlives the lock.
  return it == models_.end() ? std::string_view("other") : std::string_view(*it);
}

void GatewayMetrics::admitModel(std::string_view model) {
  if (model.empty() || !isGeminiModelId(model)) return;
  {
    std::shared_lock lock(models_mutex_);
    if (models_.contains(model) || models_.size() >= kMaxModels) return;
  }
  std::unique_lock lock(models_mutex_);
  if (models_.size() < kMaxModels) models_.emplace(model);
}

void GatewayMetrics::observe(const http::RequestRecord& r) {
  // The upstream knows the model when it served it or counted a quota against it.
  bool known = false;
  for (const http::KeyAttempt& a : r.attempts) {
    const std::string_view outcome = attemptOutcome(a.outcome);
    known = known || outcome == "success" || outcome == "quota";
    attempts_.at({outcome}).add();
    if (key_attempts_ != nullptr) key_attempts_->at({std::to_string(a.key_id), outcome}).add();
  }
  if (known) admitModel(r.model);

  const std::string_view protocol = http::protocolName(r.protocol);
  const std::string_view route = routeLabel(r);
  const std::string_view model = modelLabel(r.model);
  requests_.at({protocol, route, model, statusClass(r.status)}).add();
  if (r.error == http::ErrorClass::Truncated) truncations_.at({protocol}).add();
  if (token_requests_ != nullptr && r.protocol != http::Protocol::Admin) {
    token_requests_->at({std::to_string(r.token_id), statusClass(r.status)}).add();
  }
  latency_.at({protocol, route, model})
      .observe(static_cast<double>(r.ended_ms - r.started_ms) / 1000.0);
  if (r.first_byte_ms > 0) {
    first_byte_.at({protocol, route, model})
        .observe(static_cast<double>(r.first_byte_ms - r.started_ms) / 1000.0);
  }
  if (r.usage.present) {
    tokens_.at({model, "prompt"}).add(static_cast<double>(r.usage.prompt));
    tokens_.at({model, "completion"}).add(static_cast<double>(r.usage.candidates));
    tokens_.at({model, "thought"}).add(static_cast<double>(r.usage.thoughts));
    tokens_.at({model, "cached"}).add(static_cast<double>(r.usage.cached));
  }
}

std::string GatewayMetrics::render() const {
  // /proc is read once per scrape, not once per process_* series.
  std::lock_guard lock(render_mutex_);
  process_ = metrics::readProcessStats();
  return registry_.render();
}

}  // namespace poise::stats
