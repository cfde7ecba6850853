#include "usage/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace poise::usage {

std::size_t latencyBucket(std::int64_t latency_ms) {
  const auto it = std::lower_bound(kLatencyBoundsMs.begin(), kLatencyBoundsMs.end(), latency_ms);
  return static_cast<std::size_t>(it - kLatencyBoundsMs.begin());
}

std::optional<double> latencyPercentile(
    std::span<const std::int64_t, storage::kUsageLatencyBuckets> buckets, double p) {
  std::int64_t total = 0;
  for (std::int64_t c : buckets) total += std::max<std::int64_t>(0, c);
  if (total == 0 || !(p > 0.0) || p > 1.0) return std::nullopt;
  const auto rank = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(p * static_cast<double>(total) - 1e-9)));
  std::int64_t below = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::int64_t n = std::max<std::int64_t>(0, buckets[i]);
    if (n == 0 || below + n < rank) {
      below += n;
      continue;
    }
    const double lower = i == 0 ? 0.0 : static_cast<double>(kLatencyBoundsMs[i - 1]);
    if (i == kLatencyBoundsMs.size()) return lower;
    const double upper = static_cast<double>(kLatencyBoundsMs[i]);
    return lower + (upper - lower) * static_cast<double>(rank - below) / static_cast<double>(n);
  }
  return std::nullopt;  // unreachable: rank <= total
}

}  // namespace poise::usage
