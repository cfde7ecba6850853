// Request log retention: what the config's request_log_retention_days and request_log_max_rows
// ask to prune at a given time. Pure; the app runs the prune on the BlockingPool every
// POISE_REQUEST_LOG_PRUNE_SECONDS.
#pragma once

#include <optional>

#include "core/clock.h"
#include "storage/request_log_repository.h"

namespace poise::usage {

// Rows deleted per transaction, and transactions per run: a run holds no lock for long and
// ends within seconds even on a table far over its limits (the next run goes on).
inline constexpr int kPruneBatchRows = 1000;
inline constexpr int kPruneBatchesPerRun = 200;

// The prune for `now`: rows older than retention_days days and beyond the newest max_rows (0
// turns either limit off); nullopt when both are off.
std::optional<storage::RequestLogPruneOptions> retentionPrune(int retention_days, int max_rows,
                                                              TimePoint now);

}  // namespace poise::usage
