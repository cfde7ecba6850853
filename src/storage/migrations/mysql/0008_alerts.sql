-- Same meaning as migrations/sqlite/0008_alerts.sql (see mysql/0001_init.sql for the
-- conventions: re-runnable, the index inside CREATE TABLE).
CREATE TABLE IF NOT EXISTS alert_webhooks (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  url VARCHAR(2048) NOT NULL,
  headers TEXT NOT NULL,
  events TEXT NOT NULL,
  is_enabled TINYINT NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  active_keys_below BIGINT NULL,
  active_percent_below BIGINT NULL,
  error_rate_percent_above BIGINT NULL,
  error_rate_min_requests BIGINT NOT NULL DEFAULT 20,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS alert_deliveries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  webhook_id BIGINT NOT NULL,
  event VARCHAR(64) NOT NULL,
  created_at VARCHAR(32) NOT NULL,
  attempts BIGINT NOT NULL,
  delivered TINYINT NOT NULL CHECK (delivered IN (0, 1)),
  last_status BIGINT NULL,
  last_error VARCHAR(1024) NOT NULL,
  summary VARCHAR(1024) NOT NULL,
  KEY idx_alert_deliveries_webhook_id (webhook_id, id),
  CONSTRAINT fk_alert_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES alert_webhooks (id)
    ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
