-- Alert webhooks (POST /api/v1/alerts) and their delivery log. headers is a JSON object of the
-- custom request headers ({"Name": "value"}); events is one event name per line; a NULL
-- threshold means the webhook does not watch it. alert_deliveries keeps one row per delivery
-- (its attempts counted), pruned to a bounded number of rows by the repository.
CREATE TABLE alert_webhooks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  headers TEXT NOT NULL,
  events TEXT NOT NULL,
  is_enabled INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  active_keys_below INTEGER,
  active_percent_below INTEGER,
  error_rate_percent_above INTEGER,
  error_rate_min_requests INTEGER NOT NULL DEFAULT 20,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id INTEGER NOT NULL REFERENCES alert_webhooks (id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  delivered INTEGER NOT NULL CHECK (delivered IN (0, 1)),
  last_status INTEGER,
  last_error TEXT NOT NULL,
  summary TEXT NOT NULL
);
CREATE INDEX idx_alert_deliveries_webhook_id ON alert_deliveries (webhook_id, id);
