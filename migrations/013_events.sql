-- 013_events: the inbox holds notifications of any domain's events
-- (docs/events.md), and retention can find what it purges.
--   * inbox.domain + inbox.record_id name the event's record ("appeal", 42;
--     "kb", 7); kind stays the event's type ("submit", "answer_published").
--     The old appeal_id column is no longer written: the API's appeal_id is
--     record_id of the appeal events (rows before 013 are copied over).
--   * partial indexes over what the retention thread deletes: read inbox
--     rows and delivered webhook attempts, by age. Unread rows, pending and
--     dead deliveries, the audit log and appeal_events are never purged.
ALTER TABLE inbox ADD COLUMN domain TEXT NOT NULL DEFAULT 'appeal';
ALTER TABLE inbox ADD COLUMN record_id INTEGER;
UPDATE inbox SET record_id = appeal_id;

CREATE INDEX inbox_read_age ON inbox(created_at) WHERE read_at IS NOT NULL;
CREATE INDEX webhook_deliveries_delivered_age ON webhook_deliveries(created_at)
    WHERE status = 'delivered';
