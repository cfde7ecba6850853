-- Stored OpenAI Responses (POST /v1/responses with store, the default), for
-- previous_response_id chains and GET/DELETE /v1/responses/{id}. token_id is the client token
-- that created the response (0 for the config api_token): only that token sees it. input_items
-- is the JSON array of the conversation's items up to this response's input (a chained
-- request's history included), response_body the Response object as answered (its output
-- items inside); size_bytes is their length. Rows past expires_at are pruned.
CREATE TABLE responses (
  id TEXT PRIMARY KEY,
  token_id INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  model TEXT NOT NULL,
  input_items TEXT NOT NULL,
  response_body TEXT NOT NULL,
  size_bytes INTEGER NOT NULL
);
CREATE INDEX idx_responses_expires_at ON responses (expires_at);
