-- Console roles (SPEC §1.3, §4): an admin may do everything, a viewer only read (no key reveal).
-- Users that existed before roles keep full access.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer'));
