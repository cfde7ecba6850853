#include "usage/usage_aggregator.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "core/model_id.h"
#include "usage/latency_histogram.h"

namespace poise::usage {

namespace {

using storage::floorTo;
using storage::unixSeconds;
using storage::UsageCell;
using storage::UsageCounts;
using storage::UsageDimension;

using CellKey = std::tuple<std::int64_t, std::int64_t, UsageDimension, std::string>;

// The request's own counts (attempts over all keys).
UsageCounts requestCounts(const storage::RequestLogRow& r) {
  UsageCounts c;
  c.requests = 1;
  if (r.error_class != "none" && !r.error_class.empty()) {
    c.errors = 1;
    const auto& classes = storage::kUsageErrorClasses;
    const auto it = std::find(classes.begin(), classes.end(), r.error_class);
    if (it != classes.end()) c.errors_by_class[static_cast<std::size_t>(it - classes.begin())] = 1;
  }
  c.attempts = static_cast<std::int64_t>(r.key_ids.size());
  c.failed_attempts = std::count(r.attempt_failed.begin(), r.attempt_failed.end(), true);
  c.prompt_tokens = r.prompt_tokens;
  c.completion_tokens = r.completion_tokens;
  c.thought_tokens = r.thought_tokens;
  c.cached_tokens = r.cached_tokens;
  const std::int64_t latency = std::max<std::int64_t>(0, r.latency_ms);
  c.latency_ms_sum = latency;
  c.latency_buckets[latencyBucket(latency)] = 1;
  return c;
}

// The counts a request adds to key `key_id`'s cell.
UsageCounts keyCounts(const storage::RequestLogRow& r, const UsageCounts& request,
                      std::int64_t key_id) {
  UsageCounts c = request;
  c.attempts = 0;
  c.failed_attempts = 0;
  for (std::size_t i = 0; i < r.key_ids.size(); ++i) {
    if (r.key_ids[i] != key_id) continue;
    ++c.attempts;
    if (i < r.attempt_failed.size() && r.attempt_failed[i]) ++c.failed_attempts;
  }
  if (r.key_ids.back() != key_id) {
    c.prompt_tokens = c.completion_tokens = c.thought_tokens = c.cached_tokens = 0;
  }
  return c;
}

}  // namespace

std::vector<UsageCell> foldUsage(std::span<const storage::RequestLogRow> rows) {
  std::map<CellKey, UsageCounts> cells;
  const auto add = [&](std::int64_t second, UsageDimension d, const std::string& value,
                       const UsageCounts& c) {
    for (std::int64_t g : storage::kUsageGranularities) {
      cells[CellKey{g, floorTo(second, g), d, value}].add(c);
    }
  };
  for (const storage::RequestLogRow& r : rows) {
    if (r.protocol == "admin") continue;
    const std::int64_t second = unixSeconds(r.created_at);
    const UsageCounts counts = requestCounts(r);
    add(second, UsageDimension::All, std::string(), counts);
    add(second, UsageDimension::Token, std::to_string(r.token_id), counts);
    if (isGeminiModelId(r.model)) add(second, UsageDimension::Model, r.model, counts);
    std::vector<std::int64_t> keys = r.key_ids;
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (std::int64_t k : keys)
      add(second, UsageDimension::Key, std::to_string(k), keyCounts(r, counts, k));
  }
  std::vector<UsageCell> out;
  out.reserve(cells.size());
  for (auto& [key, counts] : cells) {
    out.push_back(UsageCell{.granularity = std::get<0>(key),
                            .bucket_start = std::get<1>(key),
                            .dimension = std::get<2>(key),
                            .value = std::get<3>(key),
                            .counts = counts});
  }
  return out;
}

RequestLogWriter::Sink withUsageAggregates(RequestLogWriter::Sink logs,
                                           storage::UsageAggregateRepository& aggregates) {
  return [logs = std::move(logs),
          &aggregates](std::span<const storage::RequestLogRow> rows) -> Status {
    Status logged;
    if (logs) logged = logs(rows);
    const auto cells = foldUsage(rows);
    Status added = aggregates.add(cells);
    if (!logged) return logged;
    return added;
  };
}

}  // namespace poise::usage
