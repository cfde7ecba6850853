-- Request log listings at millions of rows (issue 14, bench/storage request-log):
-- - the status-class filter is an equality on a generated status_class column (status / 100)
--   with a (status_class, id) index; a range over (status, id) gathered and sorted every row of
--   the class;
-- - the request_id filter, and the writer's read-back of new ids by request id, use an index
--   (the planner chose a sequential scan with a hashed IN list).
ALTER TABLE request_logs ADD COLUMN status_class SMALLINT GENERATED ALWAYS AS (status / 100) STORED;
DROP INDEX IF EXISTS idx_request_logs_status_id;
CREATE INDEX idx_request_logs_status_class_id ON request_logs (status_class, id);
CREATE INDEX idx_request_logs_request_id ON request_logs (request_id);
-- The request log writer adds every batch's usage cells with one upsert each (about 3 200 cells
-- a batch at 1 000 keys): with room left on the page an update is a HOT update, a new row version
-- on the same page and no index entry. Full pages made every update an index insert and left
-- dead entries to clean (server CPU a request log row 45-50 -> 41-42 µs, bench/README.md P6).
-- Applies to pages written from now on.
ALTER TABLE usage_aggregates SET (fillfactor = 50);
