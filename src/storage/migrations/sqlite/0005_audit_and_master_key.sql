-- Audit filters (GET /api/v1/audit?user=&action=&target=&since=&until=, newest first by id) and
-- the master-key check value.
CREATE INDEX idx_audit_log_username_id ON audit_log (username, id);
CREATE INDEX idx_audit_log_action_id ON audit_log (action, id);
CREATE INDEX idx_audit_log_target_id ON audit_log (target, id);

-- One row (id 1): a value derived from the master key by HKDF under a fixed label
-- (KeyCipher::checkValue). Start-up compares it with the configured key before anything is
-- decrypted, so a wrong key stops the gateway instead of marking every key as error. It reveals
-- nothing about the key.
CREATE TABLE master_key_check (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
