-- Client tokens (SPEC §4): gateway tokens an operator creates per app or person, with limits.
-- token_hash is the hex SHA-256 of the token; the token itself is never stored. prefix is its
-- first characters, for listings. The list columns (model patterns, protocols, CIDRs) hold one
-- entry per line; empty means no restriction. A NULL limit or quota means none.
CREATE TABLE client_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  is_enabled INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  expires_at TEXT,
  allowed_models TEXT NOT NULL,
  allowed_protocols TEXT NOT NULL,
  allowed_cidrs TEXT NOT NULL,
  rpm_limit INTEGER,
  daily_request_quota INTEGER,
  daily_token_quota INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_used_at TEXT,
  request_count INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0
);

-- Per token and UTC day: what the daily quotas count, so they survive a restart.
CREATE TABLE client_token_daily_usage (
  token_id INTEGER NOT NULL REFERENCES client_tokens (id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day)
);
