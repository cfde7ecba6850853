-- Request log listings at millions of rows (issue 14, bench/storage request-log):
-- - the status-class filter is an equality on a generated status_class column (status / 100)
--   with a (status_class, id) index; a range over (status, id) gathered and sorted every row of
--   the class (0.8 s at 5 M rows);
-- - the request_id filter, and the writer's read-back of new ids by request id, use an index
--   instead of scanning the table.
ALTER TABLE request_logs ADD COLUMN status_class INTEGER GENERATED ALWAYS AS (status / 100) VIRTUAL;
DROP INDEX IF EXISTS idx_request_logs_status_id;
CREATE INDEX idx_request_logs_status_class_id ON request_logs (status_class, id);
CREATE INDEX idx_request_logs_request_id ON request_logs (request_id);
