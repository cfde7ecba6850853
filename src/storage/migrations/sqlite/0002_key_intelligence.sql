-- Per-key token-bucket overrides (SPEC §2 "Token buckets"): a key without a row uses its
-- priority tier's defaults from config.
CREATE TABLE key_bucket_overrides (
  api_key_id INTEGER PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
  capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
  refill_rate REAL NOT NULL CHECK (refill_rate >= 0.1 AND refill_rate <= 100),
  updated_at TEXT NOT NULL
);

-- Snapshots of key counts by status (SPEC §2 "Survival statistics"). resolution is 'raw' for the
-- per-minute rows, 'hour' and 'day' for the rows that retention folds older raw rows into.
CREATE TABLE key_survival_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT NOT NULL,
  resolution TEXT NOT NULL DEFAULT 'raw' CHECK (resolution IN ('raw', 'hour', 'day')),
  active_keys INTEGER NOT NULL,
  exhausted_keys INTEGER NOT NULL,
  error_keys INTEGER NOT NULL,
  disabled_keys INTEGER NOT NULL,
  total_keys INTEGER NOT NULL
);
CREATE INDEX idx_key_survival_resolution_timestamp ON key_survival_statistics (resolution, timestamp);
CREATE INDEX idx_key_survival_timestamp ON key_survival_statistics (timestamp);

-- Upstream attempts per UTC hour, for statistics/calls across restarts.
CREATE TABLE call_counts_hourly (
  hour TEXT PRIMARY KEY,
  calls INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0
);
