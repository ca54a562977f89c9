-- 007_queue_index: handler queues (open appeals of a unit subtree, newest
-- first) read through (status, handler_unit_path, created_at): one short
-- range per open status instead of every appeal the unit ever had.
CREATE INDEX appeals_status_path ON appeals(status, handler_unit_path, created_at);
