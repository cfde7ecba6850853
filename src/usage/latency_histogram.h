// The fixed latency histogram stored with every usage aggregate (lat_00..lat_23): roughly
// log-spaced upper bounds in milliseconds, and percentiles read from bucket counts (never from
// raw rows). Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "storage/usage_aggregate_repository.h"

namespace poise::usage {

// Upper bounds (inclusive, ms) of buckets 0..22; bucket 23 holds everything above 120 s.
inline constexpr std::array<std::int64_t, storage::kUsageLatencyBuckets - 1> kLatencyBoundsMs = {
    5,    10,   20,   35,   50,   75,   100,   150,   200,   300,   500,   750,
    1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000, 120000};

// The bucket of a latency (negative counts as 0).
std::size_t latencyBucket(std::int64_t latency_ms);

// The p-th percentile (0 < p <= 1) of the latencies counted in `buckets`, in ms: the bucket
// holding the ceil(p·n)-th smallest latency, interpolated linearly between its lower and upper
// bound by its rank inside the bucket (bucket 0 starts at 0; the open last bucket answers its
// lower bound, 120000). nullopt when the histogram is empty.
std::optional<double> latencyPercentile(
    std::span<const std::int64_t, storage::kUsageLatencyBuckets> buckets, double p);

}  // namespace poise::usage
