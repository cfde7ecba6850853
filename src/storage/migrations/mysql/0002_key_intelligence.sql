-- Same meaning as migrations/sqlite/0002_key_intelligence.sql; re-runnable (see 0001_init.sql).
CREATE TABLE IF NOT EXISTS key_bucket_overrides (
  api_key_id BIGINT NOT NULL PRIMARY KEY,
  capacity INT NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
  refill_rate DOUBLE NOT NULL CHECK (refill_rate >= 0.1 AND refill_rate <= 100),
  updated_at VARCHAR(32) NOT NULL,
  CONSTRAINT fk_key_bucket_overrides_key FOREIGN KEY (api_key_id) REFERENCES api_keys (id)
    ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS key_survival_statistics (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  timestamp VARCHAR(32) NOT NULL,
  resolution VARCHAR(8) NOT NULL DEFAULT 'raw' CHECK (resolution IN ('raw', 'hour', 'day')),
  active_keys BIGINT NOT NULL,
  exhausted_keys BIGINT NOT NULL,
  error_keys BIGINT NOT NULL,
  disabled_keys BIGINT NOT NULL,
  total_keys BIGINT NOT NULL,
  KEY idx_key_survival_resolution_timestamp (resolution, timestamp),
  KEY idx_key_survival_timestamp (timestamp)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS call_counts_hourly (
  hour VARCHAR(32) NOT NULL PRIMARY KEY,
  calls BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
