-- Same meaning as migrations/sqlite/0006_request_logs.sql (see mysql/0001_init.sql for the
-- conventions). Indexed text columns carry a length; the repository cuts values to fit
-- (request_log_repository.h).
CREATE TABLE IF NOT EXISTS request_logs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at VARCHAR(32) NOT NULL,
  request_id VARCHAR(64) NOT NULL,
  token_id BIGINT NOT NULL DEFAULT 0,
  token_name VARCHAR(255) NOT NULL DEFAULT '',
  protocol VARCHAR(16) NOT NULL,
  route VARCHAR(255) NOT NULL DEFAULT '',
  method VARCHAR(16) NOT NULL,
  path VARCHAR(2048) NOT NULL,
  model VARCHAR(255) NOT NULL DEFAULT '',
  is_stream TINYINT NOT NULL DEFAULT 0 CHECK (is_stream IN (0, 1)),
  status INT NOT NULL,
  status_class TINYINT AS (status DIV 100) STORED,
  attempts INT NOT NULL DEFAULT 0,
  keys_tried VARCHAR(2048) NOT NULL DEFAULT '',
  latency_ms BIGINT NOT NULL,
  ttfb_ms BIGINT NULL,
  prompt_tokens BIGINT NOT NULL DEFAULT 0,
  completion_tokens BIGINT NOT NULL DEFAULT 0,
  thought_tokens BIGINT NOT NULL DEFAULT 0,
  cached_tokens BIGINT NOT NULL DEFAULT 0,
  error_class VARCHAR(32) NOT NULL DEFAULT 'none',
  error_message VARCHAR(2048) NOT NULL DEFAULT '',
  client_ip VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(512) NOT NULL DEFAULT '',
  request_body MEDIUMTEXT NULL,
  response_body MEDIUMTEXT NULL,
  KEY idx_request_logs_created_at (created_at),
  KEY idx_request_logs_request_id (request_id),
  KEY idx_request_logs_token_id (token_id, id),
  KEY idx_request_logs_model_id (model, id),
  KEY idx_request_logs_protocol_id (protocol, id),
  KEY idx_request_logs_status_class_id (status_class, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS request_log_keys (
  log_id BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  PRIMARY KEY (log_id, key_id),
  KEY idx_request_log_keys_key_log (key_id, log_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
