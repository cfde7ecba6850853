-- Same meaning as migrations/sqlite/0005_audit_and_master_key.sql.
CREATE INDEX idx_audit_log_username_id ON audit_log (username, id);
CREATE INDEX idx_audit_log_action_id ON audit_log (action, id);
CREATE INDEX idx_audit_log_target_id ON audit_log (target, id);

CREATE TABLE master_key_check (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
