#include "tokens/token_usage.h"

#include <gtest/gtest.h>

namespace poise::tokens {
namespace {

const TimePoint kDay = TimePoint{} + std::chrono::days(20'000) + std::chrono::hours(23);

TEST(TokenUsage, SumsSamplesByTokenAndUtcDay) {
  TokenUsage u;
  u.add({.token_id = 1, .at = kDay, .charged = true, .prompt_tokens = 10, .completion_tokens = 5});
  u.add({.token_id = 1, .at = kDay + std::chrono::minutes(1), .error = true});
  u.add({.token_id = 2, .at = kDay, .charged = true});
  u.add({.token_id = 1, .at = kDay + std::chrono::hours(2), .charged = true});  // next day
  auto d = u.drain();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].token_id, 1);
  EXPECT_EQ(d[0].requests, 2);
  EXPECT_EQ(d[0].charged_requests, 1);
  EXPECT_EQ(d[0].errors, 1);
  EXPECT_EQ(d[0].prompt_tokens, 10);
  EXPECT_EQ(d[0].completion_tokens, 5);
  EXPECT_EQ(d[0].last_used, kDay + std::chrono::minutes(1));
  EXPECT_EQ(d[1].token_id, 1);
  EXPECT_EQ(d[1].day, d[0].day + 1);
  EXPECT_EQ(d[2].token_id, 2);
  EXPECT_TRUE(u.drain().empty());
}

TEST(TokenUsage, RestoredDeltasMergeWithNewSamples) {
  TokenUsage u;
  u.add({.token_id = 1, .at = kDay, .prompt_tokens = 3});
  auto d = u.drain();
  u.add({.token_id = 1, .at = kDay, .prompt_tokens = 4});
  u.restore(d);
  auto again = u.drain();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].requests, 2);
  EXPECT_EQ(again[0].prompt_tokens, 7);
}

}  // namespace
}  // namespace poise::tokens
