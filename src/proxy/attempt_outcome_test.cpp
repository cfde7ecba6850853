#include "proxy/attempt_outcome.h"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

namespace poise::proxy {
namespace {

constexpr std::string_view kInvalidKey = R"({
  "error": {
    "code": 400,
    "message": "API key not valid. Please pass a valid API key.",
    "status": "INVALID_ARGUMENT",
    "details": [
      {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
       "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}
    ]
  }
})";

constexpr std::string_view kQuotaPerMinute = R"({"error": {"code": 429, "message": "quota",
  "status": "RESOURCE_EXHAUSTED", "details": [
  {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "m",
   "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
  {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "57.238747106s"}]}})";

constexpr std::string_view kQuotaPerDay = R"({"error": {"code": 429, "message": "quota",
  "status": "RESOURCE_EXHAUSTED", "details": [
  {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "m",
   "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
  {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "14s"}]}})";

TEST(ClassifyResponse, FollowsTheRetryTable) {
  EXPECT_EQ(classifyResponse(200, "").kind, OutcomeKind::Success);
  EXPECT_EQ(classifyResponse(400, kInvalidKey).kind, OutcomeKind::KeyRejected);
  EXPECT_EQ(classifyResponse(400, R"({"error":{"code":400,"status":"INVALID_ARGUMENT"}})").kind,
            OutcomeKind::ClientError);
  EXPECT_EQ(classifyResponse(401, "").kind, OutcomeKind::KeyRejected);
  EXPECT_EQ(classifyResponse(403, "not json").kind, OutcomeKind::KeyRejected);
  EXPECT_EQ(classifyResponse(404, "").kind, OutcomeKind::ClientError);
  EXPECT_EQ(classifyResponse(413, "").kind, OutcomeKind::ClientError);
  for (unsigned s : {500u, 502u, 503u, 504u}) {
    EXPECT_EQ(classifyResponse(s, "").kind, OutcomeKind::Transient) << s;
  }
}

TEST(ClassifyResponse, ReadsRetryDelayAndQuotaKind) {
  const auto minute = classifyResponse(429, kQuotaPerMinute);
  EXPECT_EQ(minute.kind, OutcomeKind::Cooldown);
  ASSERT_TRUE(minute.retry_delay);
  EXPECT_EQ(minute.retry_delay->count(), 57239);
  EXPECT_FALSE(minute.daily_quota);
  const auto day = classifyResponse(429, kQuotaPerDay);
  EXPECT_TRUE(day.daily_quota);
  const auto bare = classifyResponse(429, "Resource has been exhausted");
  EXPECT_EQ(bare.kind, OutcomeKind::Cooldown);
  EXPECT_FALSE(bare.retry_delay);
}

TEST(ClassifyResponse, FollowsTheConfiguredPolicy) {
  auto policy = keys::parseErrorPolicy(R"({"404": "retry-other-key", "429": "return-to-client"})");
  ASSERT_TRUE(policy);
  EXPECT_EQ(classifyResponse(404, "", *policy).kind, OutcomeKind::Transient);
  const auto quota = classifyResponse(429, kQuotaPerMinute, *policy);
  EXPECT_EQ(quota.kind, OutcomeKind::ClientError);
  EXPECT_EQ(quota.reason, "429 RESOURCE_EXHAUSTED");
  EXPECT_EQ(classifyResponse(400, kInvalidKey, *policy).reason, "400 API_KEY_INVALID");
}

TEST(ParseDuration, AcceptsProtobufDurations) {
  EXPECT_EQ(parseDuration("17s")->count(), 17000);
  EXPECT_EQ(parseDuration("0.5s")->count(), 500);
  EXPECT_FALSE(parseDuration("17"));
  EXPECT_FALSE(parseDuration("-1s"));
  EXPECT_FALSE(parseDuration("s"));
}

TEST(CooldownUntil, UsesDelayThenDailyResetThenDefault) {
  TimePoint now;
  ASSERT_TRUE(parseIso8601("2026-11-26T05:00:00Z", now));
  AttemptOutcome o;
  o.kind = OutcomeKind::Cooldown;
  EXPECT_EQ(cooldownUntil(o, now, std::chrono::seconds(60)), now + Millis{60'000});
  o.retry_delay = std::chrono::milliseconds(17'000);
  EXPECT_EQ(cooldownUntil(o, now, std::chrono::seconds(60)), now + Millis{17'000});
  o.daily_quota = true;
  // 05:00 UTC on 26 Nov is 21:00 PST on the 25th; the next Pacific midnight is 08:00 UTC.
  EXPECT_EQ(formatIso8601(cooldownUntil(o, now, std::chrono::seconds(60))),
            "2026-11-26T08:00:00.000Z");
}

TEST(NextPacificMidnight, HandlesDaylightSavingTime) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2026-07-01T12:00:00Z", t));  // PDT, UTC-7
  EXPECT_EQ(formatIso8601(nextPacificMidnight(t)), "2026-07-02T07:00:00.000Z");
  ASSERT_TRUE(parseIso8601("2026-03-08T06:00:00Z", t));  // 22:00 PST on 7 Mar; DST starts on 8 Mar
  EXPECT_EQ(formatIso8601(nextPacificMidnight(t)), "2026-03-08T08:00:00.000Z");
  ASSERT_TRUE(parseIso8601("2026-03-08T09:00:00Z", t));  // 01:00 PST on 8 Mar
  EXPECT_EQ(formatIso8601(nextPacificMidnight(t)), "2026-03-09T07:00:00.000Z");
}

TEST(NextPacificMidnight, FollowsTheTzDatabaseAcrossRuleChanges) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      // DST ends on 1 Nov 2026 at 09:00 UTC (02:00 PDT becomes 01:00 PST).
      {"2026-11-01T06:00:00Z", "2026-11-01T07:00:00.000Z"},  // 23:00 PDT on 31 Oct
      {"2026-11-01T10:00:00Z", "2026-11-02T08:00:00.000Z"},  // 02:00 PST on 1 Nov
      {"2026-11-02T07:59:59Z", "2026-11-02T08:00:00.000Z"},  // 23:59:59 PST
      {"2026-11-02T08:00:00Z", "2026-11-03T08:00:00.000Z"},  // exactly midnight: the next one
      // Before 2007 DST ran from the first Sunday of April to the last Sunday of October; the
      // 2007 rules would have put both of these instants in PDT.
      {"2006-03-20T12:00:00Z", "2006-03-21T08:00:00.000Z"},
      {"2006-10-30T12:00:00Z", "2006-10-31T08:00:00.000Z"},
      {"2006-04-02T07:00:00Z", "2006-04-02T08:00:00.000Z"},  // 23:00 PST on 1 Apr 2006
      {"2006-04-02T12:00:00Z", "2006-04-03T07:00:00.000Z"},  // 05:00 PDT on 2 Apr 2006
  };
  for (const auto& [in, want] : cases) {
    TimePoint t;
    ASSERT_TRUE(parseIso8601(in, t)) << in;
    EXPECT_EQ(formatIso8601(nextPacificMidnight(t)), want) << in;
  }
}

TEST(TransientBackoff, GrowsAndIsCapped) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    const auto d0 = transientBackoff(0, std::chrono::milliseconds(100), rng).count();
    EXPECT_GE(d0, 50);
    EXPECT_LE(d0, 100);
    const auto d3 = transientBackoff(3, std::chrono::milliseconds(100), rng).count();
    EXPECT_GE(d3, 400);
    EXPECT_LE(d3, 800);
    EXPECT_LE(transientBackoff(30, std::chrono::milliseconds(100), rng).count(), 5000);
  }
  EXPECT_EQ(transientBackoff(2, std::chrono::milliseconds(0), rng).count(), 0);
}

}  // namespace
}  // namespace poise::proxy
