-- Same meaning as migrations/sqlite/0010_responses.sql (see mysql/0001_init.sql for the
-- conventions: re-runnable, the index inside CREATE TABLE).
CREATE TABLE IF NOT EXISTS responses (
  id VARCHAR(128) NOT NULL PRIMARY KEY,
  token_id BIGINT NOT NULL,
  created_at VARCHAR(32) NOT NULL,
  expires_at VARCHAR(32) NOT NULL,
  model VARCHAR(255) NOT NULL,
  input_items LONGTEXT NOT NULL,
  response_body LONGTEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  KEY idx_responses_expires_at (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
