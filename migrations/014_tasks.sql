-- 014_tasks: tracked tasks (任务 / 督办), the one engine behind council
-- decisions, agreement obligations, rotating secretaries' commitments and
-- project or challenge milestones: work owed by a unit by a date, warned at
-- the configured share of its time, escalated up the unit tree when late
-- (docs/tasks.md). Times are integer epoch seconds; NULL = not set.

CREATE TABLE tasks (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    owner_unit_id      INTEGER NOT NULL REFERENCES units(id),
    owner_unit_path    TEXT NOT NULL,               -- copy of units.path, for subtree scoping
    assignee_id        INTEGER REFERENCES users(id),
    source_domain      TEXT,                        -- "appeal", "council_decision", ... (free text)
    source_id          INTEGER,                     -- the record in that domain
    state              TEXT NOT NULL DEFAULT 'open'
                       CHECK (state IN ('open','in_progress','done','cancelled')),
    created_by         INTEGER REFERENCES users(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,  -- optimistic lock: every change bumps it
    due_at             INTEGER NOT NULL,            -- close of business of the due working day
    warn_at            INTEGER,                     -- the configured share of the working time
    warned             INTEGER NOT NULL DEFAULT 0,
    overdue            INTEGER NOT NULL DEFAULT 0,
    escalation_level   INTEGER NOT NULL DEFAULT 0,  -- how many levels up the tree it went
    escalation_round   INTEGER NOT NULL DEFAULT 0,  -- automatic escalations against due_at
    next_escalation_at INTEGER,                     -- the next automatic one (NULL = none)
    done_at            INTEGER,
    done_by            INTEGER REFERENCES users(id),
    evidence           TEXT,
    evidence_url       TEXT,
    evidence_attachment_id INTEGER,
    cancelled_at       INTEGER,
    reopen_count       INTEGER NOT NULL DEFAULT 0,
    CHECK ((source_domain IS NULL) = (source_id IS NULL))
);
-- lists: a subtree (path prefix) in a state, soonest due first
CREATE INDEX tasks_scope ON tasks(owner_unit_path, state, due_at);
CREATE INDEX tasks_due ON tasks(due_at, id);
-- district-wide lists: by state in due order (待办, 已完成), and the tabs'
-- filters with their counts (已超期: overdue, 即将到期: warned)
CREATE INDEX tasks_state ON tasks(state, due_at);
CREATE INDEX tasks_state_late ON tasks(state, overdue, warned, due_at);
CREATE INDEX tasks_source ON tasks(source_domain, source_id);
CREATE INDEX tasks_assignee ON tasks(assignee_id, state);
-- the scheduler: open tasks to warn, to mark overdue, to escalate again
CREATE INDEX tasks_to_warn ON tasks(warn_at)
    WHERE warned = 0 AND state IN ('open','in_progress');
CREATE INDEX tasks_to_overdue ON tasks(due_at)
    WHERE overdue = 0 AND state IN ('open','in_progress');
CREATE INDEX tasks_to_escalate ON tasks(next_escalation_at)
    WHERE next_escalation_at IS NOT NULL;

-- The timeline, append-only: progress notes by people and the changes
-- (created, updated, warned, overdue, escalated, done, cancelled, reopened).
CREATE TABLE task_notes (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks(id),
    kind        TEXT NOT NULL CHECK (kind IN ('create','note','start','update','warn','overdue',
                                             'escalate','done','cancel','reopen')),
    actor_id    INTEGER REFERENCES users(id),        -- NULL = the scheduler
    body        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX task_notes_task ON task_notes(task_id, id);

-- 督办: each escalation, to which unit, at which level and round.
CREATE TABLE task_escalations (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks(id),
    level       INTEGER NOT NULL,                    -- 1 = the owner's parent, 2 = its parent ...
    round       INTEGER NOT NULL,                    -- 1 = at the deadline, 2 = a period later ...
    to_unit_id  INTEGER NOT NULL REFERENCES units(id),
    due_at      INTEGER NOT NULL,                    -- the deadline it was late against
    created_at  INTEGER NOT NULL
);
CREATE INDEX task_escalations_task ON task_escalations(task_id, id);
