// Statistics routes under /api/v1/api_keys/statistics/: key counts by status (live, from the
// KeyPool), survival trends (down-sampled snapshots of those counts, from the database) and call
// counts (from the usage aggregates). Viewer access. Handlers run on worker threads; every
// dependency is thread-safe and must outlive the router.
#pragma once

#include "admin/admin_api.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "http/router.h"
#include "storage/statistics_repository.h"
#include "storage/usage_aggregate_repository.h"

namespace poise::admin {

struct StatisticsDeps {
  BlockingPool& blocking;
  storage::StatisticsRepository& repo;
  storage::UsageAggregateRepository& usage;
  const Clock& clock;
};

// GET /api/v1/api_keys/statistics/keys, …/survival?start_time&end_time (ISO-8601; default the
// last 12 h), …/calls and …/calls_by_minute?hours_ago (1..48).
void registerStatisticsRoutes(http::Router& router, AdminApi& admin, StatisticsDeps deps);

}  // namespace poise::admin
