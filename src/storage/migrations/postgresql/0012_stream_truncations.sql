-- Streams that end without a finish reason (error class truncated, issue 16) get their own
-- per-cell count, like every other error class.
ALTER TABLE usage_aggregates ADD COLUMN err_truncated BIGINT NOT NULL DEFAULT 0;
