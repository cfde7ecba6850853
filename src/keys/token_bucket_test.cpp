#include "keys/token_bucket.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace poise::keys {
namespace {

TEST(TokenBucket, FullBucketRefusesAfterCapacityAndRefillsAtExactMilliseconds) {
  ManualClock clock;
  const TimePoint t0 = clock.now();
  auto bucket = TokenBucket::full(10, 2.0, t0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.tryConsume(t0)) << i;
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0), 0.0);
  EXPECT_FALSE(bucket.tryConsume(t0));

  clock.advance(Millis{499});
  EXPECT_DOUBLE_EQ(bucket.tokensAt(clock.now()), 0.998);
  EXPECT_FALSE(bucket.tryConsume(clock.now()));
  clock.advance(Millis{1});
  EXPECT_DOUBLE_EQ(bucket.tokensAt(clock.now()), 1.0);
  EXPECT_TRUE(bucket.tryConsume(clock.now()));
  EXPECT_DOUBLE_EQ(bucket.tokensAt(clock.now()), 0.0);
  EXPECT_FALSE(bucket.tryConsume(clock.now()));
}

TEST(TokenBucket, RefillIsCappedAtCapacity) {
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(10, 2.0, t0);
  EXPECT_TRUE(bucket.tryConsume(t0, 4));
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{1'000}), 8.0);
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{2'000}), 10.0);
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{60'000}), 10.0);
  // Capped tokens do not pile up: after a long idle time the bucket holds exactly capacity.
  EXPECT_TRUE(bucket.tryConsume(t0 + Millis{60'000}, 10));
  EXPECT_FALSE(bucket.tryConsume(t0 + Millis{60'000}));
}

TEST(TokenBucket, ConsumingSeveralTokensNeedsThemAll) {
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(5, 0.5, t0);
  EXPECT_TRUE(bucket.tryConsume(t0, 5));
  EXPECT_FALSE(bucket.tryConsume(t0 + Millis{5'999}, 3));  // 2.9995 tokens
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{5'999}), 2.9995);
  EXPECT_TRUE(bucket.tryConsume(t0 + Millis{6'000}, 3));
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{6'000}), 0.0);
  EXPECT_FALSE(bucket.tryConsume(t0 + Millis{6'000}, 6));  // more than capacity: never
}

TEST(TokenBucket, TimeUntilAvailableIsExact) {
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(10, 2.0, t0);
  EXPECT_EQ(bucket.timeUntilAvailable(t0), Millis{0});
  ASSERT_TRUE(bucket.tryConsume(t0, 10));
  EXPECT_EQ(bucket.timeUntilAvailable(t0), Millis{500});
  EXPECT_EQ(bucket.timeUntilAvailable(t0, 3), Millis{1'500});
  EXPECT_EQ(bucket.timeUntilAvailable(t0 + Millis{200}), Millis{300});
  EXPECT_EQ(bucket.timeUntilAvailable(t0 + Millis{499}), Millis{1});
  EXPECT_EQ(bucket.timeUntilAvailable(t0 + Millis{500}), Millis{0});
  EXPECT_EQ(bucket.timeUntilAvailable(t0, 10), Millis{5'000});
  EXPECT_EQ(bucket.timeUntilAvailable(t0, 11), std::nullopt);

  // A rate whose period is not a whole number of milliseconds rounds up: 1/3 token/s needs
  // 3000 ms per token; 0.3 token/s needs 3333.33… → 3334 ms.
  auto slow = TokenBucket::full(1, 0.3, t0);
  ASSERT_TRUE(slow.tryConsume(t0));
  EXPECT_EQ(slow.timeUntilAvailable(t0), Millis{3'334});
  EXPECT_FALSE(slow.tryConsume(t0 + Millis{3'333}));
  EXPECT_TRUE(slow.tryConsume(t0 + Millis{3'334}));
}

TEST(TokenBucket, TimeUntilAvailableIsTheFirstMillisecondThatSucceeds) {
  const TimePoint t0 = ManualClock{}.now();
  for (const double rate : {0.1, 0.3, 0.5, 0.7, 1.0, 1.1, 2.0, 3.0, 7.0, 33.3, 99.9, 100.0}) {
    for (const int n : {1, 2, 5}) {
      auto bucket = TokenBucket::full(5, rate, t0);
      ASSERT_TRUE(bucket.tryConsume(t0, 5));
      const auto wait = bucket.timeUntilAvailable(t0 + Millis{7}, n);
      ASSERT_TRUE(wait) << rate;
      ASSERT_GT(*wait, Millis{0});
      auto early = bucket;
      EXPECT_FALSE(early.tryConsume(t0 + Millis{7} + *wait - Millis{1}, n)) << rate << " " << n;
      EXPECT_TRUE(bucket.tryConsume(t0 + Millis{7} + *wait, n)) << rate << " " << n;
    }
  }
}

TEST(TokenBucket, ManySmallRefillsAddUpExactly) {
  // A busy key refills in 1 ms steps; floating error must not lose the token at 500 ms.
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(10, 2.0, t0);
  ASSERT_TRUE(bucket.tryConsume(t0, 10));
  for (int ms = 1; ms < 500; ++ms) {
    bucket.refill(t0 + Millis{ms});
    ASSERT_FALSE(bucket.tryConsume(t0 + Millis{ms})) << ms;
  }
  EXPECT_TRUE(bucket.tryConsume(t0 + Millis{500}));
}

TEST(TokenBucket, ClockStepBackCountsAsNoTime) {
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(2, 1.0, t0);
  ASSERT_TRUE(bucket.tryConsume(t0, 2));
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 - Millis{5'000}), 0.0);
  EXPECT_FALSE(bucket.tryConsume(t0 - Millis{5'000}));
  EXPECT_EQ(bucket.last_refill, t0);
  // Refill still counts from t0; the wait is measured from the earlier `now`.
  EXPECT_EQ(bucket.timeUntilAvailable(t0 - Millis{5'000}), Millis{6'000});
  EXPECT_TRUE(bucket.tryConsume(t0 + Millis{1'000}));
}

TEST(TokenBucket, ResetFillsTheBucket) {
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(3, 0.1, t0);
  ASSERT_TRUE(bucket.tryConsume(t0, 3));
  bucket.reset(t0 + Millis{10});
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{10}), 3.0);
  EXPECT_EQ(bucket.last_refill, t0 + Millis{10});
  EXPECT_TRUE(bucket.tryConsume(t0 + Millis{10}, 3));
}

TEST(TokenBucket, ReconfigureCountsPastRefillAtTheOldRateAndClamps) {
  const TimePoint t0 = ManualClock{}.now();
  auto bucket = TokenBucket::full(20, 2.0, t0);
  ASSERT_TRUE(bucket.tryConsume(t0, 20));
  bucket.reconfigure(5, 0.5, t0 + Millis{1'000});  // 2 tokens earned at 2/s
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{1'000}), 2.0);
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{3'000}), 3.0);  // then 0.5/s
  bucket.reconfigure(5, 0.5, t0 + Millis{3'000});
  bucket.reset(t0 + Millis{3'000});
  bucket.reconfigure(2, 0.5, t0 + Millis{3'000});
  EXPECT_DOUBLE_EQ(bucket.tokensAt(t0 + Millis{3'000}), 2.0);
}

TEST(TokenBucket, PriorityNamesRoundTrip) {
  for (const auto p : {KeyPriority::High, KeyPriority::Normal, KeyPriority::Low}) {
    EXPECT_EQ(parseKeyPriority(toString(p)), p);
  }
  EXPECT_EQ(parseKeyPriority("medium"), std::nullopt);
  EXPECT_EQ(parseKeyPriority("HIGH"), std::nullopt);
}

TEST(BucketConfig, DefaultsAreTheSeeds) {
  const BucketConfig config;
  EXPECT_EQ(config.default_capacity, 10);
  EXPECT_EQ(config.default_refill_rate, 1.0);
  EXPECT_EQ(config.high_priority_capacity, 20);
  EXPECT_EQ(config.high_priority_refill_rate, 2.0);
  EXPECT_EQ(config.low_priority_capacity, 5);
  EXPECT_EQ(config.low_priority_refill_rate, 0.5);
  EXPECT_TRUE(config.enable_token_bucket);
  EXPECT_FALSE(config.fallback_to_random);  // the seed said true, but its buckets never limited
  EXPECT_TRUE(config.validate());
}

TEST(BucketConfig, LimitsComeFromTheTierUnlessTheKeyOverridesThem) {
  BucketConfig config;
  config.default_capacity = 12;
  EXPECT_EQ(config.limitsFor(KeyPriority::High), (BucketLimits{20, 2.0}));
  EXPECT_EQ(config.limitsFor(KeyPriority::Normal), (BucketLimits{12, 1.0}));
  EXPECT_EQ(config.limitsFor(KeyPriority::Low), (BucketLimits{5, 0.5}));
  const BucketLimits custom{.capacity = 100, .refill_per_second = 7.5};
  for (const auto p : {KeyPriority::High, KeyPriority::Normal, KeyPriority::Low}) {
    EXPECT_EQ(config.limitsFor(p, custom), custom);
  }
}

TEST(BucketConfig, ValidationRejectsOutOfRangeValuesAndNamesThem) {
  BucketConfig config;
  config.high_priority_capacity = 1001;
  config.low_priority_refill_rate = 0.05;
  auto status = config.validate();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::InvalidConfig);
  EXPECT_NE(status.error().message.find("high_priority_capacity"), std::string::npos);
  EXPECT_NE(status.error().message.find("low_priority_refill_rate"), std::string::npos);
  EXPECT_EQ(status.error().message.find("default_capacity"), std::string::npos);

  config = BucketConfig{};
  config.default_capacity = 0;
  EXPECT_FALSE(config.validate());
  config = BucketConfig{};
  config.default_refill_rate = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(config.validate());
  config = BucketConfig{};
  config.high_priority_refill_rate = 100.5;
  EXPECT_FALSE(config.validate());
}

TEST(BucketConfig, RangeEdgesAreAccepted) {
  BucketConfig config;
  config.default_capacity = 1;
  config.high_priority_capacity = 1000;
  config.default_refill_rate = 0.1;
  config.high_priority_refill_rate = 100.0;
  EXPECT_TRUE(config.validate());
  EXPECT_TRUE(validateBucketLimits({.capacity = 1000, .refill_per_second = 0.1}));
  auto bad = validateBucketLimits({.capacity = 0, .refill_per_second = 0});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidConfig);
  EXPECT_NE(bad.error().message.find("capacity"), std::string::npos);
  EXPECT_NE(bad.error().message.find("refill_rate"), std::string::npos);
}

}  // namespace
}  // namespace poise::keys
