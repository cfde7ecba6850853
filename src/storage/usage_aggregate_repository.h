// UsageAggregateRepository: the usage aggregates (table usage_aggregates, migration 0007):
// per-minute, per-hour and per-day cells by dimension ('all', 'model', 'token', 'key') with
// request, error, attempt and token counts and a fixed latency histogram. Cells are added with
// upserts that sum (never overwrite), so several gateway processes may share one database.
// Reads sum cells over ranges; prune deletes expired cells in small batches. Methods block (run
// them on the BlockingPool or the writer's thread); thread-safe as far as the Database is.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/database.h"

namespace poise::storage {

// Error classes counted per cell, in column order (err_<word>); the words of http::ErrorClass
// except "none".
inline constexpr std::array<std::string_view, 14> kUsageErrorClasses = {
    "bad_request",      "unauthorized",  "forbidden",      "rate_limited",
    "not_found",        "no_key",        "upstream_error", "upstream_unreachable",
    "upstream_timeout", "stream_broken", "client_gone",    "shutdown",
    "internal",         "truncated"};
// Latency histogram buckets per cell (lat_00..lat_23); bounds in usage/latency_histogram.h.
inline constexpr std::size_t kUsageLatencyBuckets = 24;
inline constexpr std::size_t kMaxUsageValueBytes = 255;  // dimension_value is cut to this

// Cell widths in seconds, and how long each is kept.
inline constexpr std::int64_t kMinuteSeconds = 60;
inline constexpr std::int64_t kHourSeconds = 3600;
inline constexpr std::int64_t kDaySeconds = 86400;
inline constexpr std::array<std::int64_t, 3> kUsageGranularities = {kMinuteSeconds, kHourSeconds,
                                                                    kDaySeconds};
inline constexpr std::chrono::hours kMinuteRetention{48};
inline constexpr std::chrono::days kHourRetention{90};
inline constexpr std::chrono::days kDayRetention{730};

// Whole seconds since the Unix epoch (floored), and `t` floored to a multiple of `g` seconds.
std::int64_t unixSeconds(TimePoint t);
std::int64_t floorTo(std::int64_t t, std::int64_t g);

enum class UsageDimension { All, Model, Token, Key };
std::string_view toString(UsageDimension d);  // "all", "model", "token", "key"

struct UsageCounts {
  std::int64_t requests = 0;
  std::int64_t errors = 0;           // requests whose error class is not "none"
  std::int64_t attempts = 0;         // upstream attempts (on this key for the key dimension)
  std::int64_t failed_attempts = 0;  // attempts that failed (not success nor client_error)
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t thought_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t latency_ms_sum = 0;
  std::array<std::int64_t, kUsageErrorClasses.size()> errors_by_class{};
  std::array<std::int64_t, kUsageLatencyBuckets> latency_buckets{};

  void add(const UsageCounts& o);
  friend bool operator==(const UsageCounts&, const UsageCounts&) = default;
};

// One cell: `bucket_start` is Unix seconds, a multiple of `granularity` (60, 3600 or 86400).
struct UsageCell {
  std::int64_t granularity = kMinuteSeconds;
  std::int64_t bucket_start = 0;
  UsageDimension dimension = UsageDimension::All;
  std::string value;  // "" for All
  UsageCounts counts;
};

// Cells of one granularity with bucket_start in [from, to) (Unix seconds).
struct UsageSpan {
  std::int64_t granularity = kMinuteSeconds;
  std::int64_t from = 0;
  std::int64_t to = 0;
  friend bool operator==(const UsageSpan&, const UsageSpan&) = default;
};

// The fewest cells that cover [from, to) widened to whole minutes: days where whole UTC days
// fit, hours where whole hours fit, minutes at the edges. An edge older than a granularity's
// retention before `now` is widened to the next coarser granularity (those cells are gone), so
// old edges are exact to the hour or day only. Empty when from >= to.
std::vector<UsageSpan> coverRange(TimePoint from, TimePoint to, TimePoint now);

// One point of a series: the sum of the cells with bucket_start in [start, start + step).
struct UsagePoint {
  std::int64_t start = 0;  // Unix seconds
  UsageCounts counts;
};

// One value's total over a range (top lists).
struct UsageTotal {
  std::string value;
  UsageCounts counts;
};

// One key's attempts in one minute (the seed's calls_by_minute).
struct KeyMinuteAttempts {
  std::int64_t key_id = 0;
  std::int64_t minute = 0;  // Unix seconds
  std::int64_t attempts = 0;
  std::int64_t failed_attempts = 0;
};

struct KeyMinuteListing {
  std::vector<KeyMinuteAttempts> items;        // by key id, then minute
  std::optional<std::int64_t> complete_since;  // set when older minutes were cut off
};

class UsageAggregateRepository {
 public:
  // Cells per multi-row upsert: 50 columns × 200 stays far below every driver's limit on bound
  // parameters.
  static constexpr std::size_t kCellsPerUpsert = 200;

  explicit UsageAggregateRepository(Database& db) : db_(db) {}

  // Adds every cell to the stored one with the same (granularity, bucket, dimension, value),
  // creating it, in one transaction; cells are written in key order so that two processes lock
  // rows in the same order. Cells must be distinct by key (asserted in debug builds).
  [[nodiscard]] Status add(std::span<const UsageCell> cells);

  // Sum of the cells of (dimension, value) at `granularity` with bucket_start in [from, to),
  // grouped into points of `step` seconds (a multiple of granularity) aligned to `from`. Points
  // without cells are left out; ascending.
  [[nodiscard]] Result<std::vector<UsagePoint>> series(UsageDimension dimension,
                                                       std::string_view value,
                                                       std::int64_t granularity, std::int64_t from,
                                                       std::int64_t to, std::int64_t step);

  // Totals per value of `dimension` over `spans` (coverRange), by requests descending (then
  // value), at most `limit`; only `value` when set.
  [[nodiscard]] Result<std::vector<UsageTotal>> totals(UsageDimension dimension,
                                                       std::span<const UsageSpan> spans,
                                                       std::optional<std::string> value, int limit);

  // Minute cells of the key dimension with attempts, bucket_start in [from, to), at most
  // `max_cells`: past that the oldest minutes are left out and complete_since says from when the
  // listing is whole.
  [[nodiscard]] Result<KeyMinuteListing> keyMinutes(std::int64_t from, std::int64_t to,
                                                    std::size_t max_cells);

  // Deletes cells past their granularity's retention before `now`, at most `batch` rows per
  // transaction. Returns the count.
  [[nodiscard]] Result<std::int64_t> prune(TimePoint now, int batch = 1000);

 private:
  Status addChunk(Connection& c, std::span<const UsageCell> cells);
  Database& db_;
};

}  // namespace poise::storage
