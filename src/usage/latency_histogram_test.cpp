#include "usage/latency_histogram.h"

#include <gtest/gtest.h>

namespace poise::usage {
namespace {

using Buckets = std::array<std::int64_t, storage::kUsageLatencyBuckets>;

Buckets of(std::initializer_list<std::int64_t> latencies) {
  Buckets b{};
  for (std::int64_t l : latencies) ++b[latencyBucket(l)];
  return b;
}

TEST(LatencyHistogram, BucketsAreInclusiveUpperBounds) {
  EXPECT_EQ(latencyBucket(-3), 0u);
  EXPECT_EQ(latencyBucket(0), 0u);
  EXPECT_EQ(latencyBucket(5), 0u);
  EXPECT_EQ(latencyBucket(6), 1u);
  EXPECT_EQ(latencyBucket(100), 6u);
  EXPECT_EQ(latencyBucket(101), 7u);
  EXPECT_EQ(latencyBucket(120000), 22u);
  EXPECT_EQ(latencyBucket(120001), 23u);
  EXPECT_EQ(latencyBucket(1'000'000'000), 23u);
  // Bounds ascend strictly.
  for (std::size_t i = 1; i < kLatencyBoundsMs.size(); ++i) {
    EXPECT_LT(kLatencyBoundsMs[i - 1], kLatencyBoundsMs[i]);
  }
}

TEST(LatencyHistogram, EmptyHasNoPercentile) {
  const Buckets empty{};
  EXPECT_FALSE(latencyPercentile(empty, 0.5));
  const Buckets one = of({42});
  EXPECT_FALSE(latencyPercentile(one, 0.0));
  EXPECT_FALSE(latencyPercentile(one, 1.5));
}

TEST(LatencyHistogram, InterpolatesInsideTheBucketByRank) {
  // Ten latencies in (100, 150]: rank k of 10 sits at 100 + 50·k/10.
  Buckets b{};
  b[latencyBucket(120)] = 10;
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.5), 125.0);   // rank 5
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.95), 150.0);  // rank 10
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.1), 105.0);   // rank 1
}

TEST(LatencyHistogram, WalksAcrossBuckets) {
  // 90 fast (≤ 5 ms), 9 in (500, 750], 1 in (2000, 3000].
  Buckets b{};
  b[0] = 90;
  b[latencyBucket(600)] = 9;
  b[latencyBucket(2500)] = 1;
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.5), 5.0 * 50 / 90);           // rank 50 of 90 in [0, 5]
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.95), 500.0 + 250.0 * 5 / 9);  // rank 95: 5th of 9
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.99), 750.0);                  // rank 99: 9th of 9
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 1.0), 3000.0);                  // rank 100
}

TEST(LatencyHistogram, OpenLastBucketAnswersItsLowerBound) {
  const Buckets b = of({200000, 300000});
  EXPECT_DOUBLE_EQ(*latencyPercentile(b, 0.99), 120000.0);
}

TEST(LatencyHistogram, SumsOfHistogramsGiveThePercentileOfTheUnion) {
  // Adding bucket counts (what the database does across cells) equals histogramming the union.
  const Buckets a = of({3, 40, 80, 900});
  const Buckets c = of({60, 61, 2000});
  Buckets sum{};
  for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = a[i] + c[i];
  const Buckets all = of({3, 40, 80, 900, 60, 61, 2000});
  for (double p : {0.5, 0.95, 0.99})
    EXPECT_EQ(latencyPercentile(sum, p), latencyPercentile(all, p));
}

}  // namespace
}  // namespace poise::usage
