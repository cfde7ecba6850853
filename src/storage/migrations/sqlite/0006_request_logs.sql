-- Request logs (issue 14, SPEC §3): one row per client request, written in batches by the
-- RequestLogWriter. Never holds a key or token value: keys_tried lists key ids with outcomes
-- ("12:cooldown,15:success"). token_id is 0 for the default api_token. Listings page newest
-- first by id (ids grow with time), so each filter index ends in id.
CREATE TABLE request_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  request_id TEXT NOT NULL,
  token_id INTEGER NOT NULL DEFAULT 0,
  token_name TEXT NOT NULL DEFAULT '',
  protocol TEXT NOT NULL,
  route TEXT NOT NULL DEFAULT '',
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  is_stream INTEGER NOT NULL DEFAULT 0 CHECK (is_stream IN (0, 1)),
  status INTEGER NOT NULL,
  -- status / 100: the status-class filter is an equality on this, so its index keeps id order.
  status_class INTEGER GENERATED ALWAYS AS (status / 100) VIRTUAL,
  attempts INTEGER NOT NULL DEFAULT 0,
  keys_tried TEXT NOT NULL DEFAULT '',
  latency_ms INTEGER NOT NULL,
  ttfb_ms INTEGER,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  thought_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  error_class TEXT NOT NULL DEFAULT 'none',
  error_message TEXT NOT NULL DEFAULT '',
  client_ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  request_body TEXT,
  response_body TEXT
);
CREATE INDEX idx_request_logs_created_at ON request_logs (created_at);
CREATE INDEX idx_request_logs_request_id ON request_logs (request_id);
CREATE INDEX idx_request_logs_token_id ON request_logs (token_id, id);
CREATE INDEX idx_request_logs_model_id ON request_logs (model, id);
CREATE INDEX idx_request_logs_protocol_id ON request_logs (protocol, id);
CREATE INDEX idx_request_logs_status_class_id ON request_logs (status_class, id);

-- The keys each request tried, one row per distinct key: the "key id" filter reads this narrow
-- table by (key_id, log_id) instead of matching text inside keys_tried, which no index serves.
-- No foreign key: pruning deletes both tables' rows for the same id range in one transaction.
CREATE TABLE request_log_keys (
  log_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  PRIMARY KEY (log_id, key_id)
);
CREATE INDEX idx_request_log_keys_key_log ON request_log_keys (key_id, log_id);
