-- Same meaning as migrations/sqlite/0004_user_roles.sql.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
  CONSTRAINT chk_users_role CHECK (role IN ('admin', 'viewer'));
