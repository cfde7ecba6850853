#include "alerts/alert_payload.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace poise::alerts {
namespace {

using namespace std::chrono_literals;

TEST(AlertPayload, AKeyChangeCarriesTheMaskedKeyOnly) {
  const std::string value = "AIzaSyA1234567890abcdefghijklmnopqrstu";
  keys::KeyDelta d;
  d.id = 42;
  d.old_status = keys::KeyStatus::Active;
  d.new_status = keys::KeyStatus::Error;
  d.reason = "rejected: API key not valid: " + value;
  d.changed_at = TimePoint{} + 24h * 20000;
  const KeyStatusChange change = toStatusChange(d, value);
  EXPECT_EQ(change.from, "active");
  EXPECT_EQ(change.to, "error");
  EXPECT_EQ(change.reason.find(value), std::string::npos);

  AlertEvaluator ev;
  ev.setRules({AlertRule{.webhook_id = 3, .events = eventBit(AlertEventKind::KeyError)}});
  auto fired = ev.keyStatusChanged(change);
  ASSERT_EQ(fired.size(), 1u);
  const std::string body =
      renderPayload(fired[0].event, GatewayInfo{.version = "1.2.3", .host = "gw1"}, 3, "ops");
  EXPECT_EQ(body.find(value), std::string::npos);
  const auto json = boost::json::parse(body).as_object();
  EXPECT_EQ(json.at("event").as_string(), "key.error");
  EXPECT_EQ(json.at("time").as_string(), formatIso8601(d.changed_at));
  EXPECT_EQ(json.at("gateway").at("version").as_string(), "1.2.3");
  EXPECT_EQ(json.at("webhook").at("id").as_int64(), 3);
  const auto& data = json.at("data").as_object();
  EXPECT_EQ(data.at("key_id").as_int64(), 42);
  EXPECT_EQ(data.at("key").as_string(), change.masked_key);
  EXPECT_TRUE(data.at("key").as_string().starts_with("AIzaSy"));
  EXPECT_LT(data.at("key").as_string().size(), value.size());
}

TEST(AlertPayload, BackoffIsExponentialAndCapped) {
  EXPECT_EQ(backoffBefore(1), 0ms);
  EXPECT_EQ(backoffBefore(2), 1000ms);
  EXPECT_EQ(backoffBefore(3), 4000ms);
  EXPECT_EQ(backoffBefore(4), 16000ms);
  EXPECT_EQ(backoffBefore(5), 60000ms);
  EXPECT_EQ(backoffBefore(30), 60000ms);
}

}  // namespace
}  // namespace poise::alerts
