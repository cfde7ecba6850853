#include "usage/request_log_retention.h"

namespace poise::usage {

std::optional<storage::RequestLogPruneOptions> retentionPrune(int retention_days, int max_rows,
                                                              TimePoint now) {
  storage::RequestLogPruneOptions o{.batch = kPruneBatchRows, .max_batches = kPruneBatchesPerRun};
  if (retention_days > 0) o.older_than = now - std::chrono::days(retention_days);
  if (max_rows > 0) o.max_rows = max_rows;
  if (!o.older_than && !o.max_rows) return std::nullopt;
  return o;
}

}  // namespace poise::usage
