#include "storage/statistics_repository.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <optional>
#include <string_view>

namespace poise::storage {

namespace {

using std::chrono::floor;

// The widths a survival series may be down-sampled to, finest first: "nice" steps, so that bucket
// edges fall on round instants (buckets are aligned to the Unix epoch, so to UTC minutes, hours
// and days).
struct Bucket {
  std::int64_t seconds;
  std::string_view name;  // the series' resolution; empty: the width in decimal seconds
};
constexpr std::int64_t kDay = 86400;
constexpr std::array<Bucket, 24> kBuckets = {{
    {1, "raw"},      {2, ""},
    {5, ""},         {10, ""},
    {15, ""},        {30, ""},
    {60, ""},        {120, ""},
    {300, ""},       {600, ""},
    {900, ""},       {1800, ""},
    {3600, "hour"},  {7200, ""},
    {10800, ""},     {21600, ""},
    {43200, ""},     {kDay, "day"},
    {2 * kDay, ""},  {7 * kDay, ""},
    {14 * kDay, ""}, {30 * kDay, "month"},
    {91 * kDay, ""}, {365 * kDay, "year"},
}};

// The finest bucket that gives at most `max_points` buckets for a span of `span` seconds (a span
// of L seconds touches at most L / width + 2 epoch-aligned buckets); the widest if none does.
const Bucket& bucketFor(std::int64_t span, std::size_t max_points) {
  for (const Bucket& b : kBuckets) {
    if (span / b.seconds + 2 <= static_cast<std::int64_t>(max_points)) return b;
  }
  return kBuckets.back();
}

// SQL for the epoch-aligned bucket number of a row: its timestamp text's whole seconds as Unix
// time, divided by the width. Each dialect spells "seconds since the epoch of a UTC text" its
// own way.
std::string bucketNumberSql(Dialect d, std::int64_t seconds) {
  const std::string width = std::to_string(seconds);
  switch (d) {
    case Dialect::Sqlite:
      return "CAST(strftime('%s', substr(\"timestamp\", 1, 19)) AS INTEGER) / " + width;
    case Dialect::Postgres:
      return "CAST(EXTRACT(EPOCH FROM CAST(substr(\"timestamp\", 1, 19) AS timestamp)) AS BIGINT) "
             "/ " +
             width;
    case Dialect::Mysql:
      return "TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', CAST(substr(\"timestamp\", 1, 19) AS "
             "DATETIME)) DIV " +
             width;
  }
  return {};
}

constexpr std::string_view kTimestampTemplate = "0000-01-01T00:00:00.000Z";

// The first instant of the bucket a timestamp prefix names.
std::optional<TimePoint> bucketStart(std::string_view prefix) {
  if (prefix.size() > kTimestampTemplate.size()) return std::nullopt;
  std::string full(prefix);
  full.append(kTimestampTemplate.substr(prefix.size()));
  TimePoint t;
  if (!parseIso8601(full, t)) return std::nullopt;
  return t;
}

std::int64_t rounded(const Row& r, std::size_t i) {
  return std::llround(r.real(i));
}

SurvivalSnapshot snapshotFrom(const Row& r, TimePoint at) {
  return SurvivalSnapshot{.timestamp = at,
                          .active_keys = rounded(r, 1),
                          .exhausted_keys = rounded(r, 2),
                          .error_keys = rounded(r, 3),
                          .disabled_keys = rounded(r, 4),
                          .total_keys = rounded(r, 5)};
}

constexpr std::string_view kInsertSnapshot =
    "INSERT INTO key_survival_statistics (\"timestamp\", resolution, active_keys, "
    "exhausted_keys, error_keys, disabled_keys, total_keys) VALUES (?, ?, ?, ?, ?, ?, ?)";

std::vector<Value> snapshotParams(const SurvivalSnapshot& s, std::string_view resolution) {
  return {timestampValue(s.timestamp),
          std::string(resolution),
          s.active_keys,
          s.exhausted_keys,
          s.error_keys,
          s.disabled_keys,
          s.total_keys};
}

// Folds the rows of `from` older than `cutoff` into one `to` row per prefix (averages, rounded)
// and deletes them. Returns {rows written, rows deleted}.
Result<std::pair<std::int64_t, std::int64_t>> fold(Connection& c, std::string_view from,
                                                   std::string_view to, int prefix,
                                                   TimePoint cutoff) {
  const std::string p = std::to_string(prefix);
  const std::string select =
      "SELECT substr(\"timestamp\", 1, " + p +
      ") AS bucket, AVG(active_keys), AVG(exhausted_keys), AVG(error_keys), AVG(disabled_keys), "
      "AVG(total_keys) FROM key_survival_statistics WHERE resolution = ? AND \"timestamp\" < ? "
      "GROUP BY substr(\"timestamp\", 1, " +
      p + ") ORDER BY bucket";
  auto groups = c.query(select, {std::string(from), timestampValue(cutoff)});
  if (!groups) return groups.error();
  std::int64_t written = 0;
  for (const Row& r : *groups) {
    auto start = bucketStart(r.text(0));
    if (!start) return makeError(ErrorCode::DbError, "unparseable survival timestamp");
    const auto params = snapshotParams(snapshotFrom(r, *start), to);
    if (auto id = c.insert(kInsertSnapshot, params); !id) return id.error();
    ++written;
  }
  auto deleted =
      c.execute("DELETE FROM key_survival_statistics WHERE resolution = ? AND \"timestamp\" < ?",
                {std::string(from), timestampValue(cutoff)});
  if (!deleted) return deleted.error();
  return std::pair{written, *deleted};
}

}  // namespace

Result<std::int64_t> StatisticsRepository::appendSnapshot(const SurvivalSnapshot& s) {
  const auto params = snapshotParams(s, "raw");
  return db_.insert(kInsertSnapshot, params);
}

Result<SurvivalSeries> StatisticsRepository::survival(TimePoint start, TimePoint end,
                                                      std::size_t max_points) {
  if (start > end) return makeError(ErrorCode::InvalidArgument, "start_time is after end_time");
  if (max_points < 2) return makeError(ErrorCode::InvalidArgument, "max_points must be at least 2");
  const std::int64_t span = std::chrono::duration_cast<std::chrono::seconds>(end - start).count();
  const Bucket& bucket = bucketFor(span, max_points);
  // Each bucket's value is its last row (by time, then by id): a chart's right edge then shows
  // the latest snapshot, not an average with older ones. Hourly and daily rows (averages made by
  // compact()) count as rows stamped at their hour's or day's first instant.
  const std::string sql =
      "SELECT b, active_keys, exhausted_keys, error_keys, disabled_keys, total_keys FROM ("
      "SELECT b, active_keys, exhausted_keys, error_keys, disabled_keys, total_keys, "
      "ROW_NUMBER() OVER (PARTITION BY b ORDER BY \"timestamp\" DESC, id DESC) AS rn FROM ("
      "SELECT " +
      bucketNumberSql(db_.dialect(), bucket.seconds) +
      " AS b, \"timestamp\", id, active_keys, exhausted_keys, error_keys, disabled_keys, "
      "total_keys FROM key_survival_statistics WHERE \"timestamp\" >= ? AND \"timestamp\" <= ?"
      ") AS in_range) AS ranked WHERE rn = 1 ORDER BY b";
  auto rows = db_.query(sql, {timestampValue(start), timestampValue(end)});
  if (!rows) return rows.error();
  SurvivalSeries out;
  out.resolution = bucket.name.empty() ? std::to_string(bucket.seconds) : std::string(bucket.name);
  out.bucket_seconds = bucket.seconds;
  out.points.reserve(rows->size());
  for (const Row& r : *rows) {
    const TimePoint at{std::chrono::seconds(r.int64(0) * bucket.seconds)};
    out.points.push_back(snapshotFrom(r, at));
  }
  return out;
}

Result<CompactionResult> StatisticsRepository::compact(TimePoint now,
                                                       std::chrono::hours raw_retention,
                                                       std::chrono::days hourly_retention) {
  const TimePoint day_cutoff{floor<std::chrono::days>(now - hourly_retention)};
  const TimePoint raw_cutoff =
      std::max(TimePoint{floor<std::chrono::hours>(now - raw_retention)}, day_cutoff);
  const TimePoint calls_cutoff{floor<std::chrono::hours>(now - kCallCountRetention)};
  CompactionResult out;
  auto body = [&](Connection& c) -> Status {
    auto hours = fold(c, "raw", "hour", 13, raw_cutoff);
    if (!hours) return hours.error();
    auto days = fold(c, "hour", "day", 10, day_cutoff);
    if (!days) return days.error();
    auto calls = c.execute("DELETE FROM call_counts_hourly WHERE \"hour\" < ?",
                           {timestampValue(calls_cutoff)});
    if (!calls) return calls.error();
    out = CompactionResult{.hour_rows_written = hours->first,
                           .raw_rows_deleted = hours->second,
                           .day_rows_written = days->first,
                           .hour_rows_deleted = days->second,
                           .call_hours_deleted = *calls};
    return {};
  };
  if (auto st = db_.transaction(body); !st) return st.error();
  return out;
}

Status StatisticsRepository::addCallCounts(std::span<const HourlyCalls> rows) {
  if (rows.empty()) return {};
  const std::string sql =
      db_.dialect() == Dialect::Mysql
          ? "INSERT INTO call_counts_hourly (\"hour\", calls, failures) VALUES (?, ?, ?) "
            "ON DUPLICATE KEY UPDATE calls = calls + VALUES(calls), "
            "failures = failures + VALUES(failures)"
          : "INSERT INTO call_counts_hourly (\"hour\", calls, failures) VALUES (?, ?, ?) "
            "ON CONFLICT (\"hour\") DO UPDATE SET calls = call_counts_hourly.calls + "
            "excluded.calls, failures = call_counts_hourly.failures + excluded.failures";
  auto body = [&](Connection& c) -> Status {
    for (const HourlyCalls& r : rows) {
      assert(floor<std::chrono::hours>(r.hour) == r.hour);
      auto n = c.execute(sql, {timestampValue(r.hour), r.calls, r.failures});
      if (!n) return n.error();
    }
    return {};
  };
  return db_.transaction(body);
}

Result<std::vector<HourlyCalls>> StatisticsRepository::loadCallCounts(TimePoint since) {
  auto rows = db_.query(
      "SELECT \"hour\", calls, failures FROM call_counts_hourly WHERE \"hour\" >= ? "
      "ORDER BY \"hour\"",
      {timestampValue(since)});
  if (!rows) return rows.error();
  std::vector<HourlyCalls> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    out.push_back(HourlyCalls{.hour = r.time(0), .calls = r.int64(1), .failures = r.int64(2)});
  }
  return out;
}

}  // namespace poise::storage
