#include "usage/usage_aggregator.h"

#include <gtest/gtest.h>

#include "http/request_record.h"
#include "storage/test_database.h"
#include "usage/latency_histogram.h"

namespace poise::usage {
namespace {

using storage::RequestLogRow;
using storage::UsageCell;
using storage::UsageDimension;

// 2026-11-26T12:17:30Z
const TimePoint kAt{std::chrono::seconds(1'795'695'450)};
constexpr std::int64_t kMinute = 1'795'695'420;  // 12:17:00
constexpr std::int64_t kHour = 1'795'694'400;    // 12:00:00
constexpr std::int64_t kDay = 1'795'651'200;     // 00:00:00

RequestLogRow row(std::int64_t token, std::string model, std::int64_t latency) {
  RequestLogRow r;
  r.created_at = kAt;
  r.protocol = "gemini";
  r.token_id = token;
  r.model = std::move(model);
  r.latency_ms = latency;
  r.status = 200;
  return r;
}

const UsageCell* find(const std::vector<UsageCell>& cells, std::int64_t g, UsageDimension d,
                      const std::string& v) {
  for (const auto& c : cells) {
    if (c.granularity == g && c.dimension == d && c.value == v) return &c;
  }
  return nullptr;
}

std::size_t errorIndex(std::string_view word) {
  const auto& c = storage::kUsageErrorClasses;
  return static_cast<std::size_t>(std::find(c.begin(), c.end(), word) - c.begin());
}

TEST(UsageAggregator, EveryErrorClassHasAColumn) {
  for (int e = static_cast<int>(http::ErrorClass::BadRequest);
       e <= static_cast<int>(http::ErrorClass::Truncated); ++e) {
    EXPECT_LT(errorIndex(http::toString(static_cast<http::ErrorClass>(e))),
              storage::kUsageErrorClasses.size())
        << http::toString(static_cast<http::ErrorClass>(e));
  }
}

TEST(UsageAggregator, FoldsRowsIntoCellsOfEachGranularityAndDimension) {
  std::vector<RequestLogRow> rows;
  RequestLogRow a = row(7, "gemini-2.5-flash", 120);
  a.key_ids = {12, 15};
  a.attempt_failed = {true, false};
  a.prompt_tokens = 10;
  a.completion_tokens = 20;
  a.thought_tokens = 5;
  a.cached_tokens = 3;
  rows.push_back(a);
  RequestLogRow b = row(7, "gemini-2.5-pro", 40);
  b.key_ids = {15};
  b.attempt_failed = {true};
  b.status = 502;
  b.error_class = "upstream_error";
  b.prompt_tokens = 1;
  rows.push_back(b);
  RequestLogRow c = row(0, "models/../x", 3000);  // not a model id: no model cell
  c.status = 400;
  c.error_class = "bad_request";
  rows.push_back(c);
  RequestLogRow admin = row(0, "", 5);
  admin.protocol = "admin";
  rows.push_back(admin);

  const auto cells = foldUsage(rows);
  // 3 granularities × (all, token 7, token 0, two models, keys 12 and 15).
  EXPECT_EQ(cells.size(), 3u * 7u);

  for (auto [g, start] :
       {std::pair{storage::kMinuteSeconds, kMinute}, std::pair{storage::kHourSeconds, kHour},
        std::pair{storage::kDaySeconds, kDay}}) {
    const UsageCell* all = find(cells, g, UsageDimension::All, "");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->bucket_start, start);
    EXPECT_EQ(all->counts.requests, 3);
    EXPECT_EQ(all->counts.errors, 2);
    EXPECT_EQ(all->counts.errors_by_class[errorIndex("upstream_error")], 1);
    EXPECT_EQ(all->counts.errors_by_class[errorIndex("bad_request")], 1);
    EXPECT_EQ(all->counts.attempts, 3);
    EXPECT_EQ(all->counts.failed_attempts, 2);
    EXPECT_EQ(all->counts.prompt_tokens, 11);
    EXPECT_EQ(all->counts.completion_tokens, 20);
    EXPECT_EQ(all->counts.thought_tokens, 5);
    EXPECT_EQ(all->counts.cached_tokens, 3);
    EXPECT_EQ(all->counts.latency_ms_sum, 3160);
    EXPECT_EQ(all->counts.latency_buckets[latencyBucket(120)], 1);
    EXPECT_EQ(all->counts.latency_buckets[latencyBucket(40)], 1);
    EXPECT_EQ(all->counts.latency_buckets[latencyBucket(3000)], 1);
  }
  const UsageCell* t7 = find(cells, 60, UsageDimension::Token, "7");
  ASSERT_NE(t7, nullptr);
  EXPECT_EQ(t7->counts.requests, 2);
  EXPECT_EQ(t7->counts.errors, 1);
  const UsageCell* t0 = find(cells, 60, UsageDimension::Token, "0");
  ASSERT_NE(t0, nullptr);
  EXPECT_EQ(t0->counts.requests, 1);
  const UsageCell* flash = find(cells, 3600, UsageDimension::Model, "gemini-2.5-flash");
  ASSERT_NE(flash, nullptr);
  EXPECT_EQ(flash->counts.requests, 1);
  EXPECT_EQ(flash->counts.prompt_tokens, 10);

  // Key 12 failed for request a: one attempt, one failed, no tokens (key 15 served).
  const UsageCell* k12 = find(cells, 60, UsageDimension::Key, "12");
  ASSERT_NE(k12, nullptr);
  EXPECT_EQ(k12->counts.requests, 1);
  EXPECT_EQ(k12->counts.attempts, 1);
  EXPECT_EQ(k12->counts.failed_attempts, 1);
  EXPECT_EQ(k12->counts.prompt_tokens, 0);
  EXPECT_EQ(k12->counts.latency_ms_sum, 120);
  // Key 15 served a (tokens) and failed b (its upstream error, its prompt count).
  const UsageCell* k15 = find(cells, 60, UsageDimension::Key, "15");
  ASSERT_NE(k15, nullptr);
  EXPECT_EQ(k15->counts.requests, 2);
  EXPECT_EQ(k15->counts.errors, 1);
  EXPECT_EQ(k15->counts.attempts, 2);
  EXPECT_EQ(k15->counts.failed_attempts, 1);
  EXPECT_EQ(k15->counts.prompt_tokens, 11);
  EXPECT_EQ(k15->counts.completion_tokens, 20);
}

TEST(UsageAggregator, SplitsRowsAcrossBuckets) {
  RequestLogRow a = row(1, "gemini-2.5-flash", 10);
  RequestLogRow b = a;
  b.created_at = kAt + std::chrono::seconds(40);  // 12:18:10: next minute, same hour
  const std::vector<RequestLogRow> rows{a, b};
  const auto cells = foldUsage(rows);
  std::vector<std::int64_t> minutes;
  for (const auto& c : cells) {
    if (c.granularity == 60 && c.dimension == UsageDimension::All)
      minutes.push_back(c.bucket_start);
  }
  EXPECT_EQ(minutes, (std::vector<std::int64_t>{kMinute, kMinute + 60}));
  EXPECT_EQ(find(cells, 3600, UsageDimension::All, "")->counts.requests, 2);
}

TEST(UsageAggregator, SinkWritesLogsThenAddsAggregatesEvenWhenLogsFail) {
  storage::TestDatabase t;
  storage::UsageAggregateRepository repo(t.db());
  int log_calls = 0;
  auto sink = withUsageAggregates(
      [&](std::span<const RequestLogRow>) -> Status {
        ++log_calls;
        return makeError(ErrorCode::DbError, "log insert failed");
      },
      repo);
  const std::vector<RequestLogRow> rows{row(1, "gemini-2.5-flash", 10)};
  EXPECT_FALSE(sink(rows));
  EXPECT_EQ(log_calls, 1);
  auto totals =
      repo.totals(UsageDimension::All, std::vector<storage::UsageSpan>{{60, kMinute, kMinute + 60}},
                  std::nullopt, 10);
  ASSERT_TRUE(totals) << totals.error().message;
  ASSERT_EQ(totals->size(), 1u);
  EXPECT_EQ((*totals)[0].counts.requests, 1);
  // Without a log sink (the request log off) the aggregates are still fed.
  auto only = withUsageAggregates({}, repo);
  EXPECT_TRUE(only(rows));
}

}  // namespace
}  // namespace poise::usage
