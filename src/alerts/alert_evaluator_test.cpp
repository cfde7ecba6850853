#include "alerts/alert_evaluator.h"

#include <gtest/gtest.h>

namespace poise::alerts {
namespace {

const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 20000);

AlertRule rule(std::int64_t id, AlertEventKind kind) {
  return AlertRule{.webhook_id = id, .events = eventBit(kind)};
}

TEST(AlertEvaluator, KeyChangesGoToTheWebhooksThatWantThem) {
  AlertEvaluator ev;
  AlertRule both = rule(1, AlertEventKind::KeyError);
  both.events |= eventBit(AlertEventKind::KeyExhausted);
  ev.setRules(
      {both, rule(2, AlertEventKind::KeyExhausted), rule(3, AlertEventKind::PoolActiveLow)});
  KeyStatusChange c{.key_id = 7,
                    .masked_key = "AIzaSy...wxyz",
                    .from = "active",
                    .to = "error",
                    .reason = "API_KEY_INVALID",
                    .at = kNow};
  auto fired = ev.keyStatusChanged(c);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].webhook_id, 1);
  EXPECT_EQ(fired[0].event.kind, AlertEventKind::KeyError);
  EXPECT_EQ(fired[0].event.data.at("key").as_string(), "AIzaSy...wxyz");
  EXPECT_EQ(fired[0].event.data.at("reason").as_string(), "API_KEY_INVALID");
  c.to = "exhausted";
  fired = ev.keyStatusChanged(c);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[1].webhook_id, 2);
  c.to = "active";  // a recovery is not an alert
  EXPECT_TRUE(ev.keyStatusChanged(c).empty());
}

TEST(AlertEvaluator, ALongReasonIsCutOnACharacterBoundaryInTheSummary) {
  AlertEvaluator ev;
  ev.setRules({rule(1, AlertEventKind::KeyError)});
  std::string reason;
  for (int i = 0; i < 150; ++i) reason += "\xc3\xa9";  // é, two bytes each
  auto fired = ev.keyStatusChanged(
      {.key_id = 1, .masked_key = "****", .from = "active", .to = "error", .reason = reason});
  ASSERT_EQ(fired.size(), 1u);
  const std::string& summary = fired[0].event.summary;
  EXPECT_TRUE(summary.ends_with("\xc3\xa9"));
  EXPECT_LT(summary.size(), reason.size());
  EXPECT_EQ(fired[0].event.data.at("reason").as_string(), reason);  // the data keeps it whole
}

TEST(AlertEvaluator, PoolLowByCountFiresOnceUntilItRecovers) {
  AlertEvaluator ev;
  AlertRule r = rule(1, AlertEventKind::PoolActiveLow);
  r.active_keys_below = 3;
  ev.setRules({r});
  EXPECT_TRUE(ev.poolCounts({.active = 3, .total = 10}, kNow).empty());  // not below 3
  auto fired = ev.poolCounts({.active = 2, .total = 10}, kNow);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].event.data.at("active").as_int64(), 2);
  EXPECT_TRUE(ev.poolCounts({.active = 1, .total = 10}, kNow).empty());   // still low: once
  EXPECT_TRUE(ev.poolCounts({.active = 3, .total = 10}, kNow).empty());   // recovered
  EXPECT_EQ(ev.poolCounts({.active = 2, .total = 10}, kNow).size(), 1u);  // fires again
}

TEST(AlertEvaluator, PoolLowByPercent) {
  AlertEvaluator ev;
  AlertRule r = rule(1, AlertEventKind::PoolActiveLow);
  r.active_percent_below = 50;
  ev.setRules({r});
  EXPECT_TRUE(ev.poolCounts({.active = 5, .total = 10}, kNow).empty());  // 50 % is not below
  auto fired = ev.poolCounts({.active = 4, .total = 10}, kNow);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_DOUBLE_EQ(fired[0].event.data.at("active_percent").as_double(), 40.0);
  // An empty pool is not judged (and does not rearm).
  EXPECT_TRUE(ev.poolCounts({.active = 0, .total = 0}, kNow).empty());
  EXPECT_TRUE(ev.poolCounts({.active = 1, .total = 10}, kNow).empty());
}

TEST(AlertEvaluator, ErrorRateNeedsTheMinimumAndHasHysteresis) {
  AlertEvaluator ev;
  AlertRule r = rule(1, AlertEventKind::ErrorRateHigh);
  r.error_rate_percent_above = 10;
  r.error_rate_min_requests = 20;
  ev.setRules({r});
  EXPECT_TRUE(ev.errorRate({.requests = 1, .errors = 1}, kNow).empty());    // 1 of 1: too few
  EXPECT_TRUE(ev.errorRate({.requests = 19, .errors = 19}, kNow).empty());  // still too few
  EXPECT_TRUE(ev.errorRate({.requests = 20, .errors = 2}, kNow).empty());   // 10 %: not above
  auto fired = ev.errorRate({.requests = 20, .errors = 3}, kNow);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_DOUBLE_EQ(fired[0].event.data.at("error_rate_percent").as_double(), 15.0);
  EXPECT_EQ(fired[0].event.data.at("requests").as_int64(), 20);
  EXPECT_TRUE(ev.errorRate({.requests = 40, .errors = 30}, kNow).empty());   // still high
  EXPECT_TRUE(ev.errorRate({.requests = 100, .errors = 10}, kNow).empty());  // recovered
  EXPECT_EQ(ev.errorRate({.requests = 100, .errors = 11}, kNow).size(), 1u);
}

TEST(AlertEvaluator, SavingRulesKeepsFiringStateOfWebhooksThatStay) {
  AlertEvaluator ev;
  AlertRule r = rule(1, AlertEventKind::PoolActiveLow);
  r.active_keys_below = 3;
  ev.setRules({r});
  ASSERT_EQ(ev.poolCounts({.active = 1, .total = 5}, kNow).size(), 1u);
  ev.setRules({r});
  EXPECT_TRUE(ev.poolCounts({.active = 1, .total = 5}, kNow).empty());
  ev.setRules({});
  ev.setRules({r});  // removed and added again: a new webhook
  EXPECT_EQ(ev.poolCounts({.active = 1, .total = 5}, kNow).size(), 1u);
}

TEST(AlertEvaluator, ValidationRunFiresOnlyWithFailures) {
  AlertEvaluator ev;
  ev.setRules({rule(4, AlertEventKind::ValidationFailures), rule(5, AlertEventKind::KeyError)});
  EXPECT_TRUE(ev.validationRun({.schedule = "active", .keys = 3, .valid = 3}, kNow).empty());
  auto fired = ev.validationRun(
      {.schedule = "active", .keys = 3, .failures = 1, .valid = 2, .error = 1}, kNow);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].webhook_id, 4);
  EXPECT_EQ(fired[0].event.data.at("failures").as_int64(), 1);
}

}  // namespace
}  // namespace poise::alerts
