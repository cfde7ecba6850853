-- Same meaning as migrations/sqlite/0005_audit_and_master_key.sql. MySQL commits DDL at once, so
-- this stays re-runnable (see 0001_init.sql): the table is created IF NOT EXISTS first, and the
-- three indexes come in one ALTER, last, which either adds all of them or none (MySQL 8 has no
-- CREATE INDEX IF NOT EXISTS). target is VARCHAR(1024): indexed by its first 191 characters.
CREATE TABLE IF NOT EXISTS master_key_check (
  id INT NOT NULL PRIMARY KEY CHECK (id = 1),
  check_value VARCHAR(128) NOT NULL,
  updated_at VARCHAR(32) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE audit_log
  ADD INDEX idx_audit_log_username_id (username, id),
  ADD INDEX idx_audit_log_action_id (action, id),
  ADD INDEX idx_audit_log_target_id (target(191), id);
