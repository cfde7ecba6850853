-- Key affinity for stateful Gemini resources (issue 16): an uploaded file, a cache, a batch or an
-- interaction works only with the upstream key that created it. One row per resource, by its name
-- as Google spells it ("files/abc", "cachedContents/x", "batches/y", "interactions/z"), with the
-- id of the key that created it and the resource's own expiry; expired rows are pruned. No
-- foreign key: a row outlives its key's deletion so that a later request learns why it fails.
CREATE TABLE resource_keys (
  name TEXT NOT NULL PRIMARY KEY,
  key_id INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX idx_resource_keys_expires_at ON resource_keys (expires_at);
