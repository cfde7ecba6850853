-- Request log listings at millions of rows (issue 14, bench/storage request-log):
-- - the status-class filter is an equality on a generated status_class column (status DIV 100)
--   with a (status_class, id) index; a range over (status, id) gathered and sorted every row of
--   the class;
-- - the request_id filter, and the writer's read-back of new ids by request id, use an index.
ALTER TABLE request_logs
  ADD COLUMN status_class TINYINT AS (status DIV 100) STORED AFTER status,
  DROP INDEX idx_request_logs_status_id,
  ADD INDEX idx_request_logs_status_class_id (status_class, id),
  ADD INDEX idx_request_logs_request_id (request_id);
