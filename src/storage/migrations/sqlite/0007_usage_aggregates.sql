-- Usage aggregates (issue 14): requests, errors by class, upstream attempts, tokens and a latency
-- histogram per (granularity, bucket, dimension, value), folded by the request log writer from the
-- same records as request_logs and added with upserts (col = col + excluded.col), so that several
-- gateway processes on one database add up instead of overwriting each other.
-- granularity: the bucket's width in seconds (60, 3600 or 86400); bucket_start: its first
-- instant in Unix seconds (UTC), an integer so that buckets align and compare by arithmetic.
-- dimension: 'all' (dimension_value ''), 'model' (the model id), 'token' (the client token's id;
-- 0 for the default api_token) or 'key' (the upstream key's id, never its value).
-- err_<class>: requests that ended with that error class (http::ErrorClass words).
-- lat_00..lat_23: request counts per latency bucket; the bounds are in usage/latency_histogram.h
-- (bucket i holds latencies in (bound[i-1], bound[i]] ms; lat_23 is everything above the last).
-- Kept 48 h (minute), 90 days (hour) and 2 years (day); pruned in small batches.
CREATE TABLE usage_aggregates (
  granularity INTEGER NOT NULL,
  bucket_start INTEGER NOT NULL,
  dimension TEXT NOT NULL,
  dimension_value TEXT NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  thought_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  latency_ms_sum INTEGER NOT NULL DEFAULT 0,
  err_bad_request INTEGER NOT NULL DEFAULT 0,
  err_unauthorized INTEGER NOT NULL DEFAULT 0,
  err_forbidden INTEGER NOT NULL DEFAULT 0,
  err_rate_limited INTEGER NOT NULL DEFAULT 0,
  err_not_found INTEGER NOT NULL DEFAULT 0,
  err_no_key INTEGER NOT NULL DEFAULT 0,
  err_upstream_error INTEGER NOT NULL DEFAULT 0,
  err_upstream_unreachable INTEGER NOT NULL DEFAULT 0,
  err_upstream_timeout INTEGER NOT NULL DEFAULT 0,
  err_stream_broken INTEGER NOT NULL DEFAULT 0,
  err_client_gone INTEGER NOT NULL DEFAULT 0,
  err_shutdown INTEGER NOT NULL DEFAULT 0,
  err_internal INTEGER NOT NULL DEFAULT 0,
  lat_00 INTEGER NOT NULL DEFAULT 0,
  lat_01 INTEGER NOT NULL DEFAULT 0,
  lat_02 INTEGER NOT NULL DEFAULT 0,
  lat_03 INTEGER NOT NULL DEFAULT 0,
  lat_04 INTEGER NOT NULL DEFAULT 0,
  lat_05 INTEGER NOT NULL DEFAULT 0,
  lat_06 INTEGER NOT NULL DEFAULT 0,
  lat_07 INTEGER NOT NULL DEFAULT 0,
  lat_08 INTEGER NOT NULL DEFAULT 0,
  lat_09 INTEGER NOT NULL DEFAULT 0,
  lat_10 INTEGER NOT NULL DEFAULT 0,
  lat_11 INTEGER NOT NULL DEFAULT 0,
  lat_12 INTEGER NOT NULL DEFAULT 0,
  lat_13 INTEGER NOT NULL DEFAULT 0,
  lat_14 INTEGER NOT NULL DEFAULT 0,
  lat_15 INTEGER NOT NULL DEFAULT 0,
  lat_16 INTEGER NOT NULL DEFAULT 0,
  lat_17 INTEGER NOT NULL DEFAULT 0,
  lat_18 INTEGER NOT NULL DEFAULT 0,
  lat_19 INTEGER NOT NULL DEFAULT 0,
  lat_20 INTEGER NOT NULL DEFAULT 0,
  lat_21 INTEGER NOT NULL DEFAULT 0,
  lat_22 INTEGER NOT NULL DEFAULT 0,
  lat_23 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (granularity, dimension, dimension_value, bucket_start)
);
CREATE INDEX idx_usage_aggregates_prune ON usage_aggregates (granularity, bucket_start);
