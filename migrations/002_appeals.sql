-- 002_appeals: categories, SLA policy, routing rules, appeals, their event
-- history, attachments, idempotency keys, the working calendar and the
-- maintained KPI aggregate.

CREATE TABLE categories (
    id              INTEGER PRIMARY KEY,
    parent_id       INTEGER REFERENCES categories(id),
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('livelihood','enterprise')),
    urgency         TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal','urgent','critical')),
    response_hours  INTEGER NOT NULL DEFAULT 8,   -- working hours to accept (签收)
    resolve_days    INTEGER NOT NULL DEFAULT 5,   -- working days to resolve (办结)
    default_unit_id INTEGER REFERENCES units(id), -- handling unit when no rule matches
    active          INTEGER NOT NULL DEFAULT 1,
    sort            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX categories_parent ON categories(parent_id, sort);

-- per category (NULL = every category) and urgency, overriding the category's limits
CREATE TABLE sla_policies (
    id              INTEGER PRIMARY KEY,
    category_id     INTEGER REFERENCES categories(id),
    urgency         TEXT NOT NULL CHECK (urgency IN ('normal','urgent','critical')),
    response_hours  INTEGER NOT NULL,
    resolve_days    INTEGER NOT NULL,
    UNIQUE (category_id, urgency)
);

CREATE TABLE routing_rules (
    id              INTEGER PRIMARY KEY,
    category_id     INTEGER REFERENCES categories(id),      -- NULL = any; a parent matches its children
    location_unit_id INTEGER REFERENCES units(id),          -- NULL = anywhere; else this subtree
    handler_unit_id INTEGER NOT NULL REFERENCES units(id),
    priority        INTEGER NOT NULL DEFAULT 100,           -- lower wins
    active          INTEGER NOT NULL DEFAULT 1,
    note            TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX routing_rules_order ON routing_rules(active, priority, id);

CREATE TABLE appeals (
    id                INTEGER PRIMARY KEY,
    tracking_no       TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('resident','student','employee','enterprise')),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    category_id       INTEGER NOT NULL REFERENCES categories(id),
    unit_id           INTEGER NOT NULL REFERENCES units(id),  -- where the problem is
    address           TEXT,
    lat               REAL,
    lon               REAL,
    contact_name      TEXT,
    contact_phone     TEXT,
    urgency           TEXT NOT NULL DEFAULT 'normal',
    status            TEXT NOT NULL,
    handler_unit_id   INTEGER NOT NULL REFERENCES units(id),
    handler_unit_path TEXT NOT NULL,                         -- copy of units.path, for subtree scoping
    handler_id        INTEGER REFERENCES users(id),
    creator_id        INTEGER REFERENCES users(id),
    collector_id      INTEGER REFERENCES users(id),
    channel           TEXT NOT NULL DEFAULT 'web',
    created_at        INTEGER NOT NULL,
    accepted_at       INTEGER,
    response_due_at   INTEGER,
    due_at            INTEGER,
    warn_at           INTEGER,                               -- when warn_percent of the time is used
    resolved_at       INTEGER,
    closed_at         INTEGER,
    suspended_at      INTEGER,                               -- set while the clock is paused
    warned            INTEGER NOT NULL DEFAULT 0,
    overdue           INTEGER NOT NULL DEFAULT 0,
    escalation_level  INTEGER NOT NULL DEFAULT 0,
    extension_days    INTEGER NOT NULL DEFAULT 0,            -- pending extension request, 0 = none
    reply             TEXT,
    rating_speed      INTEGER,
    rating_result     INTEGER,
    rating_attitude   INTEGER,
    rating_solved     TEXT,                                  -- solved / partly_solved / not_solved
    satisfaction      TEXT,                                  -- satisfied / basically_satisfied / dissatisfied
    rating_comment    TEXT,
    rated_at          INTEGER,
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    master_id         INTEGER REFERENCES appeals(id),
    kb_answer_id      INTEGER,                               -- answered by the knowledge base
    updated_at        INTEGER NOT NULL
);
CREATE INDEX appeals_handler_queue ON appeals(handler_unit_id, status, due_at);
CREATE INDEX appeals_handler_path ON appeals(handler_unit_path, created_at);
CREATE INDEX appeals_handler_user ON appeals(handler_id, status, due_at);
CREATE INDEX appeals_creator ON appeals(creator_id, created_at);
CREATE INDEX appeals_status_due ON appeals(status, due_at);
CREATE INDEX appeals_created ON appeals(created_at);
CREATE INDEX appeals_category ON appeals(category_id, created_at);
CREATE INDEX appeals_unit ON appeals(unit_id, created_at);
CREATE INDEX appeals_warn ON appeals(warn_at) WHERE warned = 0;
CREATE INDEX appeals_master ON appeals(master_id) WHERE master_id IS NOT NULL;

-- the timeline and audit trail of an appeal: append-only
CREATE TABLE appeal_events (
    id          INTEGER PRIMARY KEY,
    appeal_id   INTEGER NOT NULL REFERENCES appeals(id),
    action      TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    from_status TEXT,
    to_status   TEXT,
    note        TEXT,
    data        TEXT,          -- JSON
    created_at  INTEGER NOT NULL
);
CREATE INDEX appeal_events_appeal ON appeal_events(appeal_id, id);
CREATE TRIGGER appeal_events_no_update BEFORE UPDATE ON appeal_events
BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only'); END;
CREATE TRIGGER appeal_events_no_delete BEFORE DELETE ON appeal_events
BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only'); END;

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    appeal_id    INTEGER NOT NULL REFERENCES appeals(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    storage_path TEXT NOT NULL,   -- relative to the data directory
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_appeal ON attachments(appeal_id);

CREATE TABLE idempotency_keys (
    scope       TEXT NOT NULL,    -- "u:<user id>" or "a:<client address>"
    key         TEXT NOT NULL,
    appeal_id   INTEGER NOT NULL REFERENCES appeals(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

-- tracking numbers: HS + YYYYMMDD + 7-digit daily sequence
CREATE TABLE tracking_seq (
    day  INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- working calendar: exceptions to Mon-Fri working days
CREATE TABLE calendar_days (
    day   INTEGER PRIMARY KEY,     -- YYYYMMDD
    kind  TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
    name  TEXT
);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings(key, value) VALUES ('work_start', '09:00'), ('work_end', '17:30'),
    ('break_start', '12:00'), ('break_end', '13:30'),
    ('kpi_weight_response', '0.2'), ('kpi_weight_resolution', '0.3'),
    ('kpi_weight_satisfaction', '0.4'), ('kpi_weight_on_time', '0.1'),
    ('kpi_overdue_penalty', '2'), ('kpi_min_volume', '10');

-- Maintained KPI aggregate: each appeal contributes exactly one row's worth
-- of counters, keyed by its creation month, current handling unit, category
-- and kind. Every write to an appeal subtracts its old contribution and adds
-- the new one in the same transaction (appeals/store.c), so stats queries
-- sum a few thousand rows instead of scanning millions of appeals.
CREATE TABLE appeal_stats (
    month            INTEGER NOT NULL,   -- YYYYMM (local time) of created_at
    unit_id          INTEGER NOT NULL,   -- handler_unit_id
    category_id      INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    total            INTEGER NOT NULL DEFAULT 0,
    responded        INTEGER NOT NULL DEFAULT 0,   -- accepted (or further) at all
    responded_on_time INTEGER NOT NULL DEFAULT 0,
    resolved         INTEGER NOT NULL DEFAULT 0,   -- resolved / evaluated / closed
    resolved_on_time INTEGER NOT NULL DEFAULT 0,
    rejected         INTEGER NOT NULL DEFAULT 0,
    overdue          INTEGER NOT NULL DEFAULT 0,   -- currently or ever overdue
    reopened         INTEGER NOT NULL DEFAULT 0,   -- appeals reopened at least once
    rated            INTEGER NOT NULL DEFAULT 0,
    satisfied        INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    dissatisfied     INTEGER NOT NULL DEFAULT 0,
    solved           INTEGER NOT NULL DEFAULT 0,
    response_secs    INTEGER NOT NULL DEFAULT 0,   -- sum of (accepted_at - created_at)
    handle_secs      INTEGER NOT NULL DEFAULT 0,   -- sum of (resolved_at - created_at)
    PRIMARY KEY (month, unit_id, category_id, kind)
) WITHOUT ROWID;
CREATE INDEX appeal_stats_unit ON appeal_stats(unit_id, month);
