#include "storage/statistics_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

TimePoint at(std::string_view iso) {
  TimePoint t;
  EXPECT_TRUE(parseIso8601(iso, t)) << iso;
  return t;
}

SurvivalSnapshot snap(TimePoint t, std::int64_t active, std::int64_t exhausted = 0,
                      std::int64_t error = 0, std::int64_t disabled = 0) {
  return SurvivalSnapshot{.timestamp = t,
                          .active_keys = active,
                          .exhausted_keys = exhausted,
                          .error_keys = error,
                          .disabled_keys = disabled,
                          .total_keys = active + exhausted + error + disabled};
}

class StatisticsRepositoryTest : public ::testing::Test {
 protected:
  // Appends many rows in one transaction (one insert per row would make the server runs slow).
  void bulkAppend(const std::vector<SurvivalSnapshot>& rows, std::string_view resolution = "raw") {
    auto body = [&](Connection& c) -> Status {
      for (const auto& s : rows) {
        auto id = c.insert(
            "INSERT INTO key_survival_statistics (\"timestamp\", resolution, active_keys, "
            "exhausted_keys, error_keys, disabled_keys, total_keys) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {timestampValue(s.timestamp), std::string(resolution), s.active_keys, s.exhausted_keys,
             s.error_keys, s.disabled_keys, s.total_keys});
        if (!id) return id.error();
      }
      return {};
    };
    ASSERT_TRUE(t_.db().transaction(body));
  }
  std::int64_t countRows(std::string_view resolution) {
    auto r = t_.db().query("SELECT COUNT(*) FROM key_survival_statistics WHERE resolution = ?",
                           {std::string(resolution)});
    EXPECT_TRUE(r);
    return r ? r->front().int64(0) : -1;
  }

  TestDatabase t_;
  StatisticsRepository repo_{t_.db()};
};

TEST_F(StatisticsRepositoryTest, ShortRangesReturnEveryRawSnapshotAscending) {
  const TimePoint t0 = at("2026-11-26T10:00:00.250Z");
  ASSERT_TRUE(repo_.appendSnapshot(snap(t0 + 2min, 3, 1, 0, 1)));
  ASSERT_TRUE(repo_.appendSnapshot(snap(t0, 5, 0, 1, 0)));
  ASSERT_TRUE(repo_.appendSnapshot(snap(t0 + 1min, 4, 1, 1, 0)));
  ASSERT_TRUE(repo_.appendSnapshot(snap(t0 + 10min, 9)));  // outside the range

  auto s = repo_.survival(t0, t0 + 5min);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->resolution, "raw");
  EXPECT_EQ(s->bucket_seconds, 1);
  ASSERT_EQ(s->points.size(), 3u);
  // Points are stamped with their bucket's first instant (the second here).
  EXPECT_EQ(s->points[0], snap(at("2026-11-26T10:00:00.000Z"), 5, 0, 1, 0));
  EXPECT_EQ(s->points[1], snap(at("2026-11-26T10:01:00.000Z"), 4, 1, 1, 0));
  EXPECT_EQ(s->points[2], snap(at("2026-11-26T10:02:00.000Z"), 3, 1, 0, 1));
  EXPECT_EQ(s->points[2].total_keys, 5);

  EXPECT_FALSE(repo_.survival(t0 + 1s, t0));
  auto empty = repo_.survival(t0 - 1h, t0 - 1min);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->points.empty());
}

TEST_F(StatisticsRepositoryTest, SevenDaysOfMinuteSnapshotsComeBackAsEachBucketsLastRow) {
  const TimePoint start = at("2026-11-19T00:00:00.000Z");
  std::vector<SurvivalSnapshot> rows;
  for (int m = 0; m < 7 * 24 * 60; ++m) {
    // active alternates 10/20 by minute (an even minute 10); exhausted is the hour index.
    const std::int64_t hour = m / 60;
    rows.push_back(snap(start + std::chrono::minutes(m), m % 2 == 0 ? 10 : 20, hour, 2, 1));
  }
  bulkAppend(rows);

  // Seven days: 30-minute buckets (336), each worth its last row (minute 29 or 59: active 20).
  auto s = repo_.survival(start, start + 7 * 24h);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_LE(s->points.size(), StatisticsRepository::kMaxSurvivalPoints);
  EXPECT_EQ(s->resolution, "1800");
  EXPECT_EQ(s->bucket_seconds, 1800);
  ASSERT_EQ(s->points.size(), 7u * 48u);
  for (std::size_t i = 0; i < s->points.size(); ++i) {
    const auto& p = s->points[i];
    EXPECT_EQ(p.timestamp, start + std::chrono::minutes(30 * i));
    EXPECT_EQ(p.active_keys, 20);
    EXPECT_EQ(p.exhausted_keys, static_cast<std::int64_t>(i / 2));
    EXPECT_EQ(p.error_keys, 2);
    EXPECT_EQ(p.disabled_keys, 1);
    EXPECT_EQ(p.total_keys, 20 + static_cast<std::int64_t>(i / 2) + 3);
  }

  // Twelve hours of the same data: 2-minute buckets (360 of them, finer than 72).
  auto twelve = repo_.survival(start, start + 12h - 1ms);
  ASSERT_TRUE(twelve);
  EXPECT_EQ(twelve->resolution, "120");
  ASSERT_EQ(twelve->points.size(), 360u);
  EXPECT_EQ(twelve->points[35].timestamp, start + 70min);
  EXPECT_EQ(twelve->points[35].active_keys, 20);
  EXPECT_EQ(twelve->points[35].exhausted_keys, 1);

  // Eight hours: every minute on its own.
  auto eight = repo_.survival(start, start + 8h - 1ms);
  ASSERT_TRUE(eight);
  EXPECT_EQ(eight->resolution, "60");
  ASSERT_EQ(eight->points.size(), 480u);
  EXPECT_EQ(eight->points[0].active_keys, 10);
  EXPECT_EQ(eight->points[1].active_keys, 20);

  // A year: daily buckets, still ≤ 500 points; a day is its last minute's row.
  auto year = repo_.survival(start - 300 * 24h, start + 65 * 24h);
  ASSERT_TRUE(year);
  EXPECT_EQ(year->resolution, "day");
  ASSERT_EQ(year->points.size(), 7u);
  EXPECT_EQ(year->points[0].timestamp, start);
  EXPECT_EQ(year->points[0].active_keys, 20);
  EXPECT_EQ(year->points[0].exhausted_keys, 23);
}

TEST_F(StatisticsRepositoryTest, ABucketIsWorthItsLastSnapshotNotTheAverage) {
  // A start-up snapshot with no keys, then the loaded pool a minute later, in one 2-minute
  // bucket of the default 12-hour range: the chart's right edge must say 6, not 3.
  const TimePoint end = at("2026-11-26T10:01:30.000Z");
  ASSERT_TRUE(repo_.appendSnapshot(snap(at("2026-11-26T10:00:10.000Z"), 0)));
  ASSERT_TRUE(repo_.appendSnapshot(snap(at("2026-11-26T10:01:10.000Z"), 6)));
  auto s = repo_.survival(end - 12h, end);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->points.size(), 1u);
  EXPECT_EQ(s->points.back(), snap(at("2026-11-26T10:00:00.000Z"), 6));

  // Two rows with the same timestamp: the later insert wins.
  ASSERT_TRUE(repo_.appendSnapshot(snap(at("2026-11-26T10:01:10.000Z"), 5, 1)));
  auto again = repo_.survival(end - 12h, end);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->points.size(), 1u);
  EXPECT_EQ(again->points.back(), snap(at("2026-11-26T10:00:00.000Z"), 5, 1));
}

TEST_F(StatisticsRepositoryTest, ResolutionIsTheFinestNiceStepWithinFiveHundredPoints) {
  const TimePoint end = at("2026-11-26T10:00:00.000Z");
  const std::vector<std::pair<std::chrono::seconds, std::string>> cases = {
      {1min, "raw"},
      {8min, "raw"},
      {10min, "2"},
      {1h, "10"},
      {8h, "60"},
      {12h, "120"},
      {24h, "300"},
      {48h, "600"},
      {7 * 24h, "1800"},
      {30 * 24h, "7200"},
      {90 * 24h, "21600"},
      {365 * 24h, "day"},
      {3 * 365 * 24h, "604800"},
  };
  for (const auto& [span, resolution] : cases) {
    auto s = repo_.survival(end - span, end);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->resolution, resolution) << span.count() << " s";
    // At most 500 buckets.
    EXPECT_LE(span.count() / s->bucket_seconds + 2, 500) << span.count() << " s";
  }
  // Ten years: two-week buckets.
  auto decade = repo_.survival(end - 10 * 365 * 24h, end);
  ASSERT_TRUE(decade);
  EXPECT_EQ(decade->bucket_seconds, 14 * 86400);
}

TEST_F(StatisticsRepositoryTest, CompactionFoldsRawIntoHoursAndHoursIntoDays) {
  const TimePoint now = at("2026-11-26T10:30:00.000Z");
  std::vector<SurvivalSnapshot> raw;
  // Raw rows every 10 minutes for the last 5 days: active = day of month, error 0/1 alternating.
  for (TimePoint t = now - 5 * 24h; t <= now; t += 10min) {
    const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t - now).count();
    raw.push_back(snap(t, static_cast<unsigned>(ymd.day()), 0, (minutes / 10) % 2 == 0 ? 0 : 1));
  }
  bulkAppend(raw);
  const auto total_raw = static_cast<std::int64_t>(raw.size());

  // Keep 24 h of raw rows and 2 days of hourly rows.
  auto r = repo_.compact(now, 24h, std::chrono::days(2));
  ASSERT_TRUE(r) << r.error().message;
  // Raw before 2026-11-25T10:00 goes; hours before 2026-11-24T00:00 become days.
  const std::int64_t raw_left = countRows("raw");
  auto first_raw = t_.db().query(
      "SELECT MIN(\"timestamp\") FROM key_survival_statistics WHERE resolution = 'raw'");
  ASSERT_TRUE(first_raw);
  EXPECT_EQ(first_raw->front().time(0), at("2026-11-25T10:00:00.000Z"));
  EXPECT_EQ(r->raw_rows_deleted, total_raw - raw_left);
  // Hours from 2026-11-21T10:30 to 2026-11-25T09:59 (the 21st's 10:00 hour has rows from 10:30).
  EXPECT_EQ(r->hour_rows_written, 14 + 24 * 3 + 10);
  // Days 21, 22, 23 fold into day rows; hours of the 24th and 25th stay.
  EXPECT_EQ(r->day_rows_written, 3);
  EXPECT_EQ(r->hour_rows_deleted, 14 + 24 * 2);
  EXPECT_EQ(countRows("day"), 3);
  EXPECT_EQ(countRows("hour"), 24 + 10);

  auto days = t_.db().query(
      "SELECT \"timestamp\", active_keys, error_keys FROM key_survival_statistics "
      "WHERE resolution = 'day' ORDER BY \"timestamp\"");
  ASSERT_TRUE(days);
  ASSERT_EQ(days->size(), 3u);
  EXPECT_EQ((*days)[0].time(0), at("2026-11-21T00:00:00.000Z"));
  EXPECT_EQ((*days)[0].int64(1), 21);
  EXPECT_EQ((*days)[2].int64(1), 23);
  EXPECT_EQ((*days)[1].int64(2), 1);  // each hour averages 0.5 → rounds to 1 (half away from 0)

  // A second run finds nothing to do.
  auto again = repo_.compact(now, 24h, std::chrono::days(2));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->hour_rows_written + again->raw_rows_deleted + again->day_rows_written, 0);

  // The query reads day, hour and raw rows alike, each stamped at its own instant.
  auto series = repo_.survival(now - 5 * 24h, now);
  ASSERT_TRUE(series);
  EXPECT_EQ(series->resolution, "900");
  ASSERT_FALSE(series->points.empty());
  EXPECT_EQ(series->points.front().timestamp, at("2026-11-22T00:00:00.000Z"));
  EXPECT_EQ(series->points.front().active_keys, 22);
  EXPECT_EQ(series->points.back().timestamp, at("2026-11-26T10:30:00.000Z"));
  EXPECT_EQ(series->points.back().active_keys, 26);
  auto month = repo_.survival(now - 30 * 24h, now);
  ASSERT_TRUE(month);
  EXPECT_EQ(month->resolution, "7200");
  // Day rows of the 21st to 23rd, then 2-hour buckets of hourly and raw rows.
  ASSERT_GE(month->points.size(), 4u);
  EXPECT_EQ(month->points[0].timestamp, at("2026-11-21T00:00:00.000Z"));
  EXPECT_EQ(month->points[0].active_keys, 21);
  EXPECT_EQ(month->points[2].active_keys, 23);
  EXPECT_EQ(month->points[3].timestamp, at("2026-11-24T00:00:00.000Z"));
  EXPECT_EQ(month->points.back().active_keys, 26);
}

TEST_F(StatisticsRepositoryTest, CallCountsAddUpPerHourAndLoadBack) {
  const TimePoint h1 = at("2026-11-26T09:00:00.000Z");
  const TimePoint h2 = at("2026-11-26T10:00:00.000Z");
  const std::vector<HourlyCalls> first = {{h1, 5, 1}, {h2, 2, 0}};
  ASSERT_TRUE(repo_.addCallCounts(first));
  const std::vector<HourlyCalls> second = {{h2, 3, 2}};
  ASSERT_TRUE(repo_.addCallCounts(second));
  ASSERT_TRUE(repo_.addCallCounts({}));

  auto all = repo_.loadCallCounts(h1);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], (HourlyCalls{h1, 5, 1}));
  EXPECT_EQ((*all)[1], (HourlyCalls{h2, 5, 2}));
  auto recent = repo_.loadCallCounts(h1 + 1ms);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ(recent->front().hour, h2);

  // Compaction drops hours past the retention.
  const std::vector<HourlyCalls> old = {{h1 - StatisticsRepository::kCallCountRetention, 1, 0}};
  ASSERT_TRUE(repo_.addCallCounts(old));
  auto r = repo_.compact(h2, 24h, std::chrono::days(30));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->call_hours_deleted, 1);
  EXPECT_EQ(repo_.loadCallCounts(TimePoint{})->size(), 2u);
}

}  // namespace
}  // namespace poise::storage
