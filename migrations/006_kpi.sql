-- 006_kpi: what keeps the KPI queries fast on millions of appeals.
--
-- appeal_stats (002) has one row per (month, handling unit, category, kind):
-- about 400,000 rows for three years of a district like Hongshan, so a
-- district-wide year sums ~150,000 rows (~150 ms). Two smaller rollups of
-- the same counters, maintained by triggers on appeal_stats in the same
-- transaction as every appeal change, answer the common questions from a
-- few thousand rows:
--   appeal_stats_unit_month      (month, unit_id)             ~ 36 x 270 rows
--   appeal_stats_month_category  (month, category_id, kind)   ~ 36 x 44 x 4 rows
-- stats/store.c picks the smallest table that can answer a query; the
-- covering index serves what remains (category or kind filters inside a
-- subtree) without a lookup per row. tests/unit/test_kpi_recount.c checks
-- all three tables against a recount of the appeals table.

CREATE TABLE appeal_stats_unit_month (
    month INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    responded INTEGER NOT NULL DEFAULT 0,
    responded_on_time INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    resolved_on_time INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    overdue INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    rated INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    dissatisfied INTEGER NOT NULL DEFAULT 0,
    solved INTEGER NOT NULL DEFAULT 0,
    response_secs INTEGER NOT NULL DEFAULT 0,
    handle_secs INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit_id)
) WITHOUT ROWID;

CREATE TABLE appeal_stats_month_category (
    month INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    responded INTEGER NOT NULL DEFAULT 0,
    responded_on_time INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    resolved_on_time INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    overdue INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    rated INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    dissatisfied INTEGER NOT NULL DEFAULT 0,
    solved INTEGER NOT NULL DEFAULT 0,
    response_secs INTEGER NOT NULL DEFAULT 0,
    handle_secs INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, category_id, kind)
) WITHOUT ROWID;

CREATE INDEX appeal_stats_cover ON appeal_stats(unit_id, month, category_id, kind, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs);
DROP INDEX appeal_stats_unit; -- a prefix of the covering index

CREATE TRIGGER appeal_stats_um_ins AFTER INSERT ON appeal_stats BEGIN
    INSERT INTO appeal_stats_unit_month(month, unit_id, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
    VALUES (NEW.month, NEW.unit_id,
            NEW.total, NEW.responded, NEW.responded_on_time,
            NEW.resolved, NEW.resolved_on_time, NEW.rejected,
            NEW.overdue, NEW.reopened, NEW.rated,
            NEW.satisfied, NEW.basically_satisfied, NEW.dissatisfied,
            NEW.solved, NEW.response_secs, NEW.handle_secs)
    ON CONFLICT(month, unit_id) DO UPDATE SET
        total = total + excluded.total, responded = responded + excluded.responded,
        responded_on_time = responded_on_time + excluded.responded_on_time, resolved = resolved + excluded.resolved,
        resolved_on_time = resolved_on_time + excluded.resolved_on_time, rejected = rejected + excluded.rejected,
        overdue = overdue + excluded.overdue, reopened = reopened + excluded.reopened,
        rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied,
        basically_satisfied = basically_satisfied + excluded.basically_satisfied, dissatisfied = dissatisfied + excluded.dissatisfied,
        solved = solved + excluded.solved, response_secs = response_secs + excluded.response_secs,
        handle_secs = handle_secs + excluded.handle_secs;
END;
CREATE TRIGGER appeal_stats_um_upd AFTER UPDATE ON appeal_stats BEGIN
    INSERT INTO appeal_stats_unit_month(month, unit_id, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
    VALUES (NEW.month, NEW.unit_id,
            NEW.total - OLD.total, NEW.responded - OLD.responded, NEW.responded_on_time - OLD.responded_on_time,
            NEW.resolved - OLD.resolved, NEW.resolved_on_time - OLD.resolved_on_time, NEW.rejected - OLD.rejected,
            NEW.overdue - OLD.overdue, NEW.reopened - OLD.reopened, NEW.rated - OLD.rated,
            NEW.satisfied - OLD.satisfied, NEW.basically_satisfied - OLD.basically_satisfied, NEW.dissatisfied - OLD.dissatisfied,
            NEW.solved - OLD.solved, NEW.response_secs - OLD.response_secs, NEW.handle_secs - OLD.handle_secs)
    ON CONFLICT(month, unit_id) DO UPDATE SET
        total = total + excluded.total, responded = responded + excluded.responded,
        responded_on_time = responded_on_time + excluded.responded_on_time, resolved = resolved + excluded.resolved,
        resolved_on_time = resolved_on_time + excluded.resolved_on_time, rejected = rejected + excluded.rejected,
        overdue = overdue + excluded.overdue, reopened = reopened + excluded.reopened,
        rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied,
        basically_satisfied = basically_satisfied + excluded.basically_satisfied, dissatisfied = dissatisfied + excluded.dissatisfied,
        solved = solved + excluded.solved, response_secs = response_secs + excluded.response_secs,
        handle_secs = handle_secs + excluded.handle_secs;
END;
CREATE TRIGGER appeal_stats_um_del AFTER DELETE ON appeal_stats BEGIN
    INSERT INTO appeal_stats_unit_month(month, unit_id, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
    VALUES (OLD.month, OLD.unit_id,
            -OLD.total, -OLD.responded, -OLD.responded_on_time,
            -OLD.resolved, -OLD.resolved_on_time, -OLD.rejected,
            -OLD.overdue, -OLD.reopened, -OLD.rated,
            -OLD.satisfied, -OLD.basically_satisfied, -OLD.dissatisfied,
            -OLD.solved, -OLD.response_secs, -OLD.handle_secs)
    ON CONFLICT(month, unit_id) DO UPDATE SET
        total = total + excluded.total, responded = responded + excluded.responded,
        responded_on_time = responded_on_time + excluded.responded_on_time, resolved = resolved + excluded.resolved,
        resolved_on_time = resolved_on_time + excluded.resolved_on_time, rejected = rejected + excluded.rejected,
        overdue = overdue + excluded.overdue, reopened = reopened + excluded.reopened,
        rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied,
        basically_satisfied = basically_satisfied + excluded.basically_satisfied, dissatisfied = dissatisfied + excluded.dissatisfied,
        solved = solved + excluded.solved, response_secs = response_secs + excluded.response_secs,
        handle_secs = handle_secs + excluded.handle_secs;
END;

CREATE TRIGGER appeal_stats_mc_ins AFTER INSERT ON appeal_stats BEGIN
    INSERT INTO appeal_stats_month_category(month, category_id, kind, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
    VALUES (NEW.month, NEW.category_id, NEW.kind,
            NEW.total, NEW.responded, NEW.responded_on_time,
            NEW.resolved, NEW.resolved_on_time, NEW.rejected,
            NEW.overdue, NEW.reopened, NEW.rated,
            NEW.satisfied, NEW.basically_satisfied, NEW.dissatisfied,
            NEW.solved, NEW.response_secs, NEW.handle_secs)
    ON CONFLICT(month, category_id, kind) DO UPDATE SET
        total = total + excluded.total, responded = responded + excluded.responded,
        responded_on_time = responded_on_time + excluded.responded_on_time, resolved = resolved + excluded.resolved,
        resolved_on_time = resolved_on_time + excluded.resolved_on_time, rejected = rejected + excluded.rejected,
        overdue = overdue + excluded.overdue, reopened = reopened + excluded.reopened,
        rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied,
        basically_satisfied = basically_satisfied + excluded.basically_satisfied, dissatisfied = dissatisfied + excluded.dissatisfied,
        solved = solved + excluded.solved, response_secs = response_secs + excluded.response_secs,
        handle_secs = handle_secs + excluded.handle_secs;
END;
CREATE TRIGGER appeal_stats_mc_upd AFTER UPDATE ON appeal_stats BEGIN
    INSERT INTO appeal_stats_month_category(month, category_id, kind, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
    VALUES (NEW.month, NEW.category_id, NEW.kind,
            NEW.total - OLD.total, NEW.responded - OLD.responded, NEW.responded_on_time - OLD.responded_on_time,
            NEW.resolved - OLD.resolved, NEW.resolved_on_time - OLD.resolved_on_time, NEW.rejected - OLD.rejected,
            NEW.overdue - OLD.overdue, NEW.reopened - OLD.reopened, NEW.rated - OLD.rated,
            NEW.satisfied - OLD.satisfied, NEW.basically_satisfied - OLD.basically_satisfied, NEW.dissatisfied - OLD.dissatisfied,
            NEW.solved - OLD.solved, NEW.response_secs - OLD.response_secs, NEW.handle_secs - OLD.handle_secs)
    ON CONFLICT(month, category_id, kind) DO UPDATE SET
        total = total + excluded.total, responded = responded + excluded.responded,
        responded_on_time = responded_on_time + excluded.responded_on_time, resolved = resolved + excluded.resolved,
        resolved_on_time = resolved_on_time + excluded.resolved_on_time, rejected = rejected + excluded.rejected,
        overdue = overdue + excluded.overdue, reopened = reopened + excluded.reopened,
        rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied,
        basically_satisfied = basically_satisfied + excluded.basically_satisfied, dissatisfied = dissatisfied + excluded.dissatisfied,
        solved = solved + excluded.solved, response_secs = response_secs + excluded.response_secs,
        handle_secs = handle_secs + excluded.handle_secs;
END;
CREATE TRIGGER appeal_stats_mc_del AFTER DELETE ON appeal_stats BEGIN
    INSERT INTO appeal_stats_month_category(month, category_id, kind, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
    VALUES (OLD.month, OLD.category_id, OLD.kind,
            -OLD.total, -OLD.responded, -OLD.responded_on_time,
            -OLD.resolved, -OLD.resolved_on_time, -OLD.rejected,
            -OLD.overdue, -OLD.reopened, -OLD.rated,
            -OLD.satisfied, -OLD.basically_satisfied, -OLD.dissatisfied,
            -OLD.solved, -OLD.response_secs, -OLD.handle_secs)
    ON CONFLICT(month, category_id, kind) DO UPDATE SET
        total = total + excluded.total, responded = responded + excluded.responded,
        responded_on_time = responded_on_time + excluded.responded_on_time, resolved = resolved + excluded.resolved,
        resolved_on_time = resolved_on_time + excluded.resolved_on_time, rejected = rejected + excluded.rejected,
        overdue = overdue + excluded.overdue, reopened = reopened + excluded.reopened,
        rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied,
        basically_satisfied = basically_satisfied + excluded.basically_satisfied, dissatisfied = dissatisfied + excluded.dissatisfied,
        solved = solved + excluded.solved, response_secs = response_secs + excluded.response_secs,
        handle_secs = handle_secs + excluded.handle_secs;
END;

-- backfill from what 002 has accumulated so far
INSERT INTO appeal_stats_unit_month(month, unit_id, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
SELECT month, unit_id, sum(total), sum(responded), sum(responded_on_time), sum(resolved), sum(resolved_on_time), sum(rejected), sum(overdue), sum(reopened), sum(rated), sum(satisfied), sum(basically_satisfied), sum(dissatisfied), sum(solved), sum(response_secs), sum(handle_secs)
FROM appeal_stats GROUP BY month, unit_id;
INSERT INTO appeal_stats_month_category(month, category_id, kind, total, responded, responded_on_time, resolved, resolved_on_time, rejected, overdue, reopened, rated, satisfied, basically_satisfied, dissatisfied, solved, response_secs, handle_secs)
SELECT month, category_id, kind, sum(total), sum(responded), sum(responded_on_time), sum(resolved), sum(resolved_on_time), sum(rejected), sum(overdue), sum(reopened), sum(rated), sum(satisfied), sum(basically_satisfied), sum(dissatisfied), sum(solved), sum(response_secs), sum(handle_secs)
FROM appeal_stats GROUP BY month, category_id, kind;

-- Open311 (GeoReport v2) clients: each holds one API key, shown once at
-- creation; only its hash (sq_token_hash) is kept. unit_id is where the
-- client's requests land when their location cannot be mapped to a unit.
CREATE TABLE open311_clients (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    api_key_hash  TEXT NOT NULL UNIQUE,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);

-- What an Open311 POST carried beyond the appeal itself, and which client
-- filed it (the client may read its own requests in full).
CREATE TABLE open311_requests (
    appeal_id   INTEGER PRIMARY KEY REFERENCES appeals(id),
    client_id   INTEGER NOT NULL REFERENCES open311_clients(id),
    media_url   TEXT,
    email       TEXT,
    device_id   TEXT,
    account_id  TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX open311_requests_client ON open311_requests(client_id, appeal_id);

-- the update feed (servicerequestupdates) reads events by time
CREATE INDEX appeal_events_created ON appeal_events(created_at, id);
