// StatisticsRepository: survival snapshots (key counts by status over time, table
// key_survival_statistics) with down-sampled range queries and retention compaction, and the
// per-hour upstream call counts (call_counts_hourly) that let call statistics survive a
// restart. Methods block (run on the BlockingPool); thread-safe as far as the Database is.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

// Key counts by status at one instant (a stored row, or the average of a bucket of rows).
struct SurvivalSnapshot {
  TimePoint timestamp;
  std::int64_t active_keys = 0;
  std::int64_t exhausted_keys = 0;
  std::int64_t error_keys = 0;
  std::int64_t disabled_keys = 0;
  std::int64_t total_keys = 0;
  friend bool operator==(const SurvivalSnapshot&, const SurvivalSnapshot&) = default;
};

struct SurvivalSeries {
  // Ascending by time; each point is the average (rounded) of the rows of one bucket, stamped
  // with the bucket's first instant.
  std::vector<SurvivalSnapshot> points;
  // The bucket: "raw" (one second: every stored snapshot on its own), "hour", "day", "month",
  // or its width in seconds ("10", "60", "600").
  std::string resolution;
  std::int64_t bucket_seconds = 0;  // a month counts as 30 days here
};

struct CompactionResult {
  std::int64_t hour_rows_written = 0;
  std::int64_t raw_rows_deleted = 0;
  std::int64_t day_rows_written = 0;
  std::int64_t hour_rows_deleted = 0;
  std::int64_t call_hours_deleted = 0;
};

// Upstream attempts in one UTC hour; `hour` is the first instant of that hour.
struct HourlyCalls {
  TimePoint hour;
  std::int64_t calls = 0;
  std::int64_t failures = 0;
  friend bool operator==(const HourlyCalls&, const HourlyCalls&) = default;
};

class StatisticsRepository {
 public:
  static constexpr std::size_t kMaxSurvivalPoints = 500;
  // call_counts_hourly rows older than this are deleted by compact().
  static constexpr std::chrono::days kCallCountRetention{400};

  explicit StatisticsRepository(Database& db) : db_(db) {}

  // Appends one 'raw' snapshot; returns its id.
  Result<std::int64_t> appendSnapshot(const SurvivalSnapshot& s);

  // Snapshots with start <= timestamp <= end, whatever their stored resolution, averaged in
  // buckets by the database (GROUP BY a prefix of the timestamp text) so that at most
  // `max_points` come back: the finest of 1 s, 10 s, 1 min, 10 min, 1 h, 1 day, 1 month that
  // fits. For buckets of an hour or more, hourly and daily rows weigh as the 1 and 24 hours
  // they stand for. Error "invalid_argument" when start > end or max_points < 2.
  Result<SurvivalSeries> survival(TimePoint start, TimePoint end,
                                  std::size_t max_points = kMaxSurvivalPoints);

  // Retention, in one transaction: 'raw' rows older than the hour that began `raw_retention`
  // before `now` become one 'hour' row per UTC hour (averages, rounded), and are deleted;
  // 'hour' rows older than the day that began `hourly_retention` before `now` become one 'day'
  // row per UTC day, and are deleted. Raw rows old enough to be folded into days go through
  // 'hour' first. Also drops call_counts_hourly rows older than kCallCountRetention.
  Result<CompactionResult> compact(TimePoint now, std::chrono::hours raw_retention,
                                   std::chrono::days hourly_retention);

  // Adds each row's calls and failures to the stored row of its hour (creating it), in one
  // transaction. `hour` must be the start of a UTC hour (asserted).
  Status addCallCounts(std::span<const HourlyCalls> rows);
  // Rows with hour >= since, oldest first.
  Result<std::vector<HourlyCalls>> loadCallCounts(TimePoint since);

 private:
  Database& db_;
};

}  // namespace poise::storage
