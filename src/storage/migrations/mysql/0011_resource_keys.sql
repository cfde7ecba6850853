-- Same meaning as migrations/sqlite/0011_resource_keys.sql (see mysql/0001_init.sql for the
-- conventions: re-runnable, the index inside CREATE TABLE).
CREATE TABLE IF NOT EXISTS resource_keys (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  key_id BIGINT NOT NULL,
  created_at VARCHAR(32) NOT NULL,
  expires_at VARCHAR(32) NOT NULL,
  KEY idx_resource_keys_expires_at (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
