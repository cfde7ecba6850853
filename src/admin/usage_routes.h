// Usage routes under /api/v1/usage/: time series, top lists and per-key / per-token usage over
// a range, read from the usage aggregates (minute cells for 48 h, hour cells for 90 days, day
// cells for 2 years). Viewer access (GET). Keys appear by id and masked value, never in full.
// Handlers run their reads on the BlockingPool; every dependency is thread-safe and must
// outlive the router.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "admin/admin_api.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "storage/usage_aggregate_repository.h"

namespace poise::admin {

struct UsageDeps {
  BlockingPool& blocking;
  storage::UsageAggregateRepository& repo;
  const Clock& clock;
};

// GET /api/v1/usage/timeseries?from&to&step&model|token_id|key_id, /usage/top?by&from&to&limit,
// /usage/keys/{id}?from&to&step and /usage/tokens/{id}?from&to&step.
void registerUsageRoutes(http::Router& router, AdminApi& admin, UsageDeps deps);

// The range and step of a series, as parsed and aligned (Unix seconds). Exposed for tests.
struct UsageWindow {
  std::int64_t from = 0;
  std::int64_t to = 0;
  std::int64_t step = 0;
  std::int64_t granularity = 0;  // the coarsest stored width that divides step
};
inline constexpr std::int64_t kMaxUsagePoints = 1500;
inline constexpr std::int64_t kMaxUsageRangeSeconds = std::int64_t{731} * 86400;

// `from` and `to` (ISO-8601; default: the 24 h before `to`, which defaults to now). The refusal's
// detail when a value is invalid, the range is empty or longer than 731 days.
struct UsageRange {
  TimePoint from;
  TimePoint to;
};
std::variant<UsageRange, std::string> parseUsageRange(std::string_view from, std::string_view to,
                                                      TimePoint now);

// The range as parseUsageRange reads it, and `step` ("minute", "hour", "day"
// or seconds, a multiple of 60; default: the finest of 1, 5, 15 min, 1, 3, 6 h, 1, 7 days that
// gives at most 500 points). `from` is floored and `to` ceiled to the granularity. The refusal's
// detail as parseUsageRange's, or for a bad step or more than kMaxUsagePoints points.
std::variant<UsageWindow, std::string> parseUsageWindow(std::string_view from, std::string_view to,
                                                        std::string_view step, TimePoint now);

}  // namespace poise::admin
