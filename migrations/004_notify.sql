-- 004_notify: deadline data and the notification outbox.
--   * the public holidays and make-up workdays (调休) of 2026 and 2027 in the
--     working calendar (calendar_days, created by 002);
--   * the scheduler's own bookkeeping for repeated escalation (督办);
--   * indexes for closing resolved / evaluated appeals after the rating period;
--   * the in-app inbox and the webhook outbox.

-- 2026: as published by the State Council General Office on 2025-11-04
-- (国务院办公厅关于2026年部分节假日安排的通知). Weekend days inside a
-- holiday block are listed too so the calendar shows the whole block; they
-- change no deadline.
INSERT OR IGNORE INTO calendar_days(day, kind, name) VALUES
    (20260101, 'holiday', '元旦'), (20260102, 'holiday', '元旦'), (20260103, 'holiday', '元旦'),
    (20260104, 'workday', '元旦调休上班'),
    (20260214, 'workday', '春节调休上班'),
    (20260215, 'holiday', '春节'), (20260216, 'holiday', '春节'), (20260217, 'holiday', '春节'),
    (20260218, 'holiday', '春节'), (20260219, 'holiday', '春节'), (20260220, 'holiday', '春节'),
    (20260221, 'holiday', '春节'), (20260222, 'holiday', '春节'), (20260223, 'holiday', '春节'),
    (20260228, 'workday', '春节调休上班'),
    (20260404, 'holiday', '清明节'), (20260405, 'holiday', '清明节'), (20260406, 'holiday', '清明节'),
    (20260501, 'holiday', '劳动节'), (20260502, 'holiday', '劳动节'), (20260503, 'holiday', '劳动节'),
    (20260504, 'holiday', '劳动节'), (20260505, 'holiday', '劳动节'),
    (20260509, 'workday', '劳动节调休上班'),
    (20260619, 'holiday', '端午节'), (20260620, 'holiday', '端午节'), (20260621, 'holiday', '端午节'),
    (20260920, 'workday', '国庆节调休上班'),
    (20260925, 'holiday', '中秋节'), (20260926, 'holiday', '中秋节'), (20260927, 'holiday', '中秋节'),
    (20261001, 'holiday', '国庆节'), (20261002, 'holiday', '国庆节'), (20261003, 'holiday', '国庆节'),
    (20261004, 'holiday', '国庆节'), (20261005, 'holiday', '国庆节'), (20261006, 'holiday', '国庆节'),
    (20261007, 'holiday', '国庆节'),
    (20261010, 'workday', '国庆节调休上班');

-- 2027: NOT YET PUBLISHED when this migration was written. A best estimate
-- from the lunar dates (春节 2027-02-06, 清明 04-05, 端午 06-09, 中秋 09-15)
-- and the usual pattern; every name says "估计". The district admin replaces
-- these through /api/v1/calendar when the State Council notice appears
-- (usually in November of the year before).
INSERT OR IGNORE INTO calendar_days(day, kind, name) VALUES
    (20270101, 'holiday', '元旦（估计）'), (20270102, 'holiday', '元旦（估计）'),
    (20270103, 'holiday', '元旦（估计）'),
    (20270131, 'workday', '春节调休上班（估计）'),
    (20270205, 'holiday', '春节（估计）'), (20270206, 'holiday', '春节（估计）'),
    (20270207, 'holiday', '春节（估计）'), (20270208, 'holiday', '春节（估计）'),
    (20270209, 'holiday', '春节（估计）'), (20270210, 'holiday', '春节（估计）'),
    (20270211, 'holiday', '春节（估计）'), (20270212, 'holiday', '春节（估计）'),
    (20270213, 'holiday', '春节（估计）'),
    (20270220, 'workday', '春节调休上班（估计）'),
    (20270403, 'holiday', '清明节（估计）'), (20270404, 'holiday', '清明节（估计）'),
    (20270405, 'holiday', '清明节（估计）'),
    (20270501, 'holiday', '劳动节（估计）'), (20270502, 'holiday', '劳动节（估计）'),
    (20270503, 'holiday', '劳动节（估计）'), (20270504, 'holiday', '劳动节（估计）'),
    (20270505, 'holiday', '劳动节（估计）'),
    (20270508, 'workday', '劳动节调休上班（估计）'),
    (20270609, 'holiday', '端午节（估计）'),
    (20270915, 'holiday', '中秋节（估计）'),
    (20270926, 'workday', '国庆节调休上班（估计）'),
    (20271001, 'holiday', '国庆节（估计）'), (20271002, 'holiday', '国庆节（估计）'),
    (20271003, 'holiday', '国庆节（估计）'), (20271004, 'holiday', '国庆节（估计）'),
    (20271005, 'holiday', '国庆节（估计）'), (20271006, 'holiday', '国庆节（估计）'),
    (20271007, 'holiday', '国庆节（估计）'),
    (20271009, 'workday', '国庆节调休上班（估计）');

-- Repeated escalation: one row per overdue appeal, for the deadline it was
-- escalated against. Scheduler bookkeeping only (the appeal's own
-- escalation_level and events stay in appeals / appeal_events); a row whose
-- appeal was resolved, extended or suspended is dropped when next seen.
CREATE TABLE appeal_escalations (
    appeal_id  INTEGER PRIMARY KEY REFERENCES appeals(id),
    due_at     INTEGER NOT NULL,   -- the deadline the count refers to
    count      INTEGER NOT NULL,   -- automatic escalations against it
    next_at    INTEGER NOT NULL    -- when the next one is due
);
CREATE INDEX appeal_escalations_next ON appeal_escalations(next_at);

-- The scheduler's warning list, over open appeals only: appeals_warn (002)
-- also holds every appeal resolved before its warning time, which is most
-- of them, so the query read the whole history (300k appeals: 25 ms per
-- pass; with this index 0.15 ms). Overdue uses appeals_status_due (002).
CREATE INDEX appeals_open_warn ON appeals(warn_at)
    WHERE warned = 0 AND status IN ('submitted','accepted','in_progress');

-- Closing after the rating period: resolved (unrated) and evaluated appeals.
CREATE INDEX appeals_resolved_wait ON appeals(resolved_at) WHERE status = 'resolved';
CREATE INDEX appeals_rated_wait ON appeals(rated_at) WHERE status = 'evaluated';

-- In-app notifications, one row per recipient.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,     -- the appeal action: submit assign warn overdue escalate ...
    appeal_id   INTEGER REFERENCES appeals(id),
    title       TEXT NOT NULL,
    body        TEXT,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX inbox_user ON inbox(user_id, id);
CREATE INDEX inbox_user_unread ON inbox(user_id, id) WHERE read_at IS NULL;

-- Webhook subscriptions. event_types is a JSON array of event names
-- ("appeal.submit", ...), "appeal.*" or "*". Deleting deactivates, so the
-- delivery history keeps its subscription.
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret      TEXT NOT NULL,     -- HMAC-SHA256 key; shown once, at creation
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

-- The outbox: one row per (subscription, event), sent by the outbox thread
-- with exponential backoff until delivered or dead.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id),
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,   -- the exact bytes that are signed and sent
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending','delivered','dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,         -- HTTP status of the last attempt, NULL = no answer
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries(status, id);
