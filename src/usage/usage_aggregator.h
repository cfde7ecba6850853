// Usage aggregation: folds a batch of request log rows into usage cells (minute, hour and day;
// dimensions all, model, token and key) for UsageAggregateRepository::add, and the writer sink
// that does so after writing the rows. Runs on the request log writer's thread, never on the
// request path. Pure functions apart from the sink's database calls; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "storage/request_log_repository.h"
#include "storage/usage_aggregate_repository.h"
#include "usage/request_log_writer.h"

namespace poise::usage {

// The cells of `rows`, one per distinct (granularity, bucket, dimension, value), summed. Rows
// of the admin API (protocol "admin") are left out: usage is the gateway's traffic. Each row
// counts at its created_at (the request's start), once in 'all', in 'token' (its token id, 0
// for the default api_token), in 'model' when its model is a Gemini model id, and in 'key' once
// per distinct key it tried: there `attempts` and `failed_attempts` are that key's, and the
// tokens go to the key of the last attempt (whose answer the client got) only; requests,
// errors and latency are the request's for every key it tried.
std::vector<storage::UsageCell> foldUsage(std::span<const storage::RequestLogRow> rows);

// A writer sink that runs `logs` (the request_logs insert; may be empty when the request log is
// off) and then adds the batch's cells to `aggregates` in a following transaction. Fails with
// the first failure; the aggregates are added even when the log insert failed.
RequestLogWriter::Sink withUsageAggregates(RequestLogWriter::Sink logs,
                                           storage::UsageAggregateRepository& aggregates);

}  // namespace poise::usage
