-- Initial schema (MySQL 8 / MariaDB 10.6+), with the same meaning as migrations/sqlite/0001_init.sql.
-- Timestamps are UTC ISO-8601 text with milliseconds ("2026-11-26T05:55:55.123Z") in VARCHAR(32),
-- as on every dialect: it sorts and compares correctly as text, and the repositories bind and
-- read it as is. Booleans are 0/1 TINYINTs. Every table is InnoDB, utf8mb4 with the binary
-- collation, so that uniqueness and equality are exact (case- and accent-sensitive) as on the
-- other dialects. VARCHAR lengths are characters and match the limits the repositories enforce
-- (storage/limits.h). "key" is quoted: the connection runs with ANSI_QUOTES.
-- MySQL commits DDL implicitly, so a migration is not atomic here: the runner holds a named lock
-- (GET_LOCK) around each one, which keeps two processes from running it together, and every
-- statement is written to be re-runnable (IF NOT EXISTS) so a migration interrupted half-way
-- completes when run again.

CREATE TABLE IF NOT EXISTS users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  is_active TINYINT NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  must_change_password TINYINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL,
  UNIQUE KEY uq_users_username (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- token_hash is the hex SHA-256 of the session token; the token itself is never stored.
CREATE TABLE IF NOT EXISTS sessions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash VARCHAR(64) NOT NULL,
  user_id BIGINT NOT NULL,
  created_at VARCHAR(32) NOT NULL,
  last_seen_at VARCHAR(32) NOT NULL,
  expires_at VARCHAR(32) NOT NULL,
  absolute_expires_at VARCHAR(32) NOT NULL,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(512) NOT NULL DEFAULT '',
  UNIQUE KEY uq_sessions_token_hash (token_hash),
  KEY idx_sessions_user_id (user_id),
  KEY idx_sessions_expires_at (expires_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Upstream keys, encrypted with AES-256-GCM (key_ciphertext holds the ciphertext and its 16-byte
-- tag). fingerprint is an HMAC-SHA256 of the plaintext, so duplicates are found without it.
CREATE TABLE IF NOT EXISTS api_keys (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  key_ciphertext VARBINARY(1024) NOT NULL,
  key_nonce VARBINARY(32) NOT NULL,
  fingerprint VARCHAR(64) NOT NULL,
  masked VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'exhausted', 'error', 'disabled')),
  description VARCHAR(1024) NOT NULL DEFAULT '',
  priority VARCHAR(16) NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
  created_at VARCHAR(32) NOT NULL,
  updated_at VARCHAR(32) NOT NULL,
  last_used_at VARCHAR(32) NULL,
  usage_count BIGINT NOT NULL DEFAULT 0,
  failed_count BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY uq_api_keys_fingerprint (fingerprint),
  KEY idx_api_keys_status_id (status, id),
  KEY idx_api_keys_failed_count (failed_count)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS key_status_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  api_key_id BIGINT NOT NULL,
  from_status VARCHAR(16) NOT NULL,
  to_status VARCHAR(16) NOT NULL,
  reason VARCHAR(1024) NOT NULL DEFAULT '',
  created_at VARCHAR(32) NOT NULL,
  KEY idx_key_status_history_key (api_key_id, id),
  CONSTRAINT fk_key_status_history_key FOREIGN KEY (api_key_id) REFERENCES api_keys (id)
    ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS config (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  "key" VARCHAR(128) NOT NULL,
  value MEDIUMTEXT NOT NULL,
  updated_at VARCHAR(32) NOT NULL,
  updated_by_user_id BIGINT NULL,
  UNIQUE KEY uq_config_key ("key"),
  KEY idx_config_updated_by_user_id (updated_by_user_id),
  CONSTRAINT fk_config_user FOREIGN KEY (updated_by_user_id) REFERENCES users (id)
    ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- username is copied so that entries survive the user's deletion. detail has no DEFAULT (MySQL
-- allows none on TEXT); the repository always writes it.
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NULL,
  username VARCHAR(255) NOT NULL DEFAULT '',
  action VARCHAR(64) NOT NULL,
  target VARCHAR(1024) NOT NULL DEFAULT '',
  detail TEXT NOT NULL,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  created_at VARCHAR(32) NOT NULL,
  KEY idx_audit_log_created_at (created_at),
  KEY idx_audit_log_user_id (user_id),
  CONSTRAINT fk_audit_log_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
