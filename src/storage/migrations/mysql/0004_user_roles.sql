-- Same meaning as migrations/sqlite/0004_user_roles.sql; re-runnable (see 0001_init.sql): MySQL
-- 8 has no ADD COLUMN IF NOT EXISTS, so the column is added only when information_schema lacks it.
SET @poise_add_role = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'role') = 0,
  'ALTER TABLE users ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT ''admin'', ADD CONSTRAINT chk_users_role CHECK (role IN (''admin'', ''viewer''))',
  'DO 0');
PREPARE poise_add_role FROM @poise_add_role;
EXECUTE poise_add_role;
DEALLOCATE PREPARE poise_add_role;
