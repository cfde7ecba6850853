-- Same meaning as migrations/sqlite/0011_resource_keys.sql.
CREATE TABLE resource_keys (
  name TEXT NOT NULL PRIMARY KEY,
  key_id BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX idx_resource_keys_expires_at ON resource_keys (expires_at);
