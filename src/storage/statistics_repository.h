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

// Key counts by status at one instant (a stored row; hourly and daily rows hold averages).
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
  // Ascending by time; each point is the last stored row of one bucket (a bucket without rows
  // has no point), stamped with the bucket's first instant.
  std::vector<SurvivalSnapshot> points;
  // The bucket: "raw" (one second: every stored snapshot on its own), "hour", "day", "month"
  // (30 days), "year" (365 days), or its width in seconds ("2", "120", "7200", …).
  std::string resolution;
  std::int64_t bucket_seconds = 0;
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

  // Snapshots with start <= timestamp <= end, whatever their stored resolution, down-sampled by
  // the database into buckets aligned to the Unix epoch so that at most `max_points` come back:
  // the finest "nice" width (1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h,
  // 1, 2, 7, 14, 30, 91, 365 days) that fits; a 12 h range gets 2-minute buckets (360 points).
  // Each bucket's value is its last row, so the latest point is the latest snapshot. Error
  // "invalid_argument" when start > end or max_points < 2.
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
