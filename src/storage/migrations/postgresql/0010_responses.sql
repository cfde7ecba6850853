-- Same meaning as migrations/sqlite/0010_responses.sql.
CREATE TABLE responses (
  id TEXT PRIMARY KEY,
  token_id BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  model TEXT NOT NULL,
  input_items TEXT NOT NULL,
  response_body TEXT NOT NULL,
  size_bytes BIGINT NOT NULL
);
CREATE INDEX idx_responses_expires_at ON responses (expires_at);
