-- Same meaning as migrations/sqlite/0003_client_tokens.sql (see mysql/0001_init.sql for the
-- conventions). The list columns are TEXT, which takes no default: the repository always
-- writes them.
CREATE TABLE IF NOT EXISTS client_tokens (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  note VARCHAR(1024) NOT NULL DEFAULT '',
  owner_user_id BIGINT NULL,
  token_hash VARCHAR(64) NOT NULL,
  prefix VARCHAR(32) NOT NULL,
  is_enabled TINYINT NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  expires_at VARCHAR(32) NULL,
  allowed_models TEXT NOT NULL,
  allowed_protocols TEXT NOT NULL,
  allowed_cidrs TEXT NOT NULL,
  rpm_limit BIGINT NULL,
  daily_request_quota BIGINT NULL,
  daily_token_quota BIGINT NULL,
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL,
  last_used_at VARCHAR(32) NULL,
  request_count BIGINT NOT NULL DEFAULT 0,
  error_count BIGINT NOT NULL DEFAULT 0,
  prompt_tokens BIGINT NOT NULL DEFAULT 0,
  completion_tokens BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY uq_client_tokens_token_hash (token_hash),
  CONSTRAINT fk_client_tokens_owner FOREIGN KEY (owner_user_id) REFERENCES users (id)
    ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS client_token_daily_usage (
  token_id BIGINT NOT NULL,
  day VARCHAR(10) NOT NULL,
  requests BIGINT NOT NULL DEFAULT 0,
  tokens BIGINT NOT NULL DEFAULT 0,
  errors BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day),
  CONSTRAINT fk_client_token_daily_usage_token FOREIGN KEY (token_id) REFERENCES client_tokens (id)
    ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
