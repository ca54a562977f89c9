-- 005_kb: the knowledge base (高频问题·社区答案): answers with their version
-- history and linked appeals, numbered columns (专栏), volumes (汇编),
-- monthly themes (每月一题), and the full-text indexes of answers and appeals.
--
-- Categories: an answer belongs to one of the 16 top-level livelihood
-- categories of the shared `categories` table (003_categories.sql defines
-- them). The INSERT OR IGNORE below uses the same codes, so it changes
-- nothing when 003 ran first and gives a usable tree when it did not.

INSERT OR IGNORE INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES
    ('WY','物业管理','livelihood','normal',8,10,10),
    ('DT','电梯','livelihood','urgent',4,5,20),
    ('TC','停车管理','livelihood','normal',8,10,30),
    ('CD','电动车充电','livelihood','normal',8,10,40),
    ('ZY','噪音扰民','livelihood','normal',4,3,50),
    ('HJ','环境卫生','livelihood','normal',8,5,60),
    ('GS','供水排水','livelihood','urgent',4,3,70),
    ('DL','道路照明','livelihood','normal',8,10,80),
    ('LH','园林绿化','livelihood','normal',8,10,90),
    ('ZA','治安消防','livelihood','urgent',2,3,100),
    ('JZ','社会救助','livelihood','normal',8,10,110),
    ('YL','养老服务','livelihood','normal',8,10,120),
    ('JY','教育服务','livelihood','normal',8,10,130),
    ('YW','医疗卫生','livelihood','normal',8,5,140),
    ('JC','就业创业','livelihood','normal',8,10,150),
    ('GZ','老旧小区改造','livelihood','normal',8,15,160);

CREATE TABLE kb_answers (
    id              INTEGER PRIMARY KEY,
    category_id     INTEGER NOT NULL REFERENCES categories(id),  -- top-level livelihood category
    title           TEXT NOT NULL,
    problem         TEXT NOT NULL,
    measures        TEXT NOT NULL,
    result          TEXT,
    conditions      TEXT,                  -- where the practice applies
    source_units    TEXT NOT NULL DEFAULT '[]',  -- JSON array of unit ids that used it
    tags            TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    status          TEXT NOT NULL CHECK (status IN ('draft','in_review','published','archived')),
    version         INTEGER NOT NULL DEFAULT 1,  -- = the newest kb_answer_versions row
    unit_id         INTEGER NOT NULL REFERENCES units(id),  -- owning unit (who may edit)
    unit_path       TEXT NOT NULL,                          -- copy of units.path
    author_id       INTEGER REFERENCES users(id),
    reviewer_id     INTEGER REFERENCES users(id),
    review_note     TEXT,
    source_appeal_id INTEGER REFERENCES appeals(id),
    reuse_count     INTEGER NOT NULL DEFAULT 0,   -- linked to / used on an appeal
    deflect_count   INTEGER NOT NULL DEFAULT 0,   -- solved a person's problem (answered by KB)
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    submitted_at    INTEGER,
    published_at    INTEGER,
    archived_at     INTEGER
);
CREATE INDEX kb_answers_status ON kb_answers(status, category_id, published_at);
CREATE INDEX kb_answers_unit ON kb_answers(unit_path, status);

-- every saved state of an answer's text: version 1 is the creation
CREATE TABLE kb_answer_versions (
    answer_id   INTEGER NOT NULL REFERENCES kb_answers(id),
    version     INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    title       TEXT NOT NULL,
    problem     TEXT NOT NULL,
    measures    TEXT NOT NULL,
    result      TEXT,
    conditions  TEXT,
    source_units TEXT NOT NULL,
    tags        TEXT NOT NULL,
    editor_id   INTEGER REFERENCES users(id),
    note        TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (answer_id, version)
) WITHOUT ROWID;

CREATE TABLE kb_answer_appeals (
    answer_id   INTEGER NOT NULL REFERENCES kb_answers(id),
    appeal_id   INTEGER NOT NULL REFERENCES appeals(id),
    linked_by   INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (answer_id, appeal_id)
) WITHOUT ROWID;
CREATE INDEX kb_answer_appeals_appeal ON kb_answer_appeals(appeal_id);

-- 专栏: numbered issues, each publishing a set of answers on a date
CREATE TABLE kb_columns (
    id          INTEGER PRIMARY KEY,
    issue_no    INTEGER NOT NULL UNIQUE CHECK (issue_no > 0),
    title       TEXT NOT NULL,
    intro       TEXT,
    publish_date TEXT NOT NULL,            -- YYYY-MM-DD; visible to the public from then
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE kb_column_answers (
    column_id   INTEGER NOT NULL REFERENCES kb_columns(id),
    answer_id   INTEGER NOT NULL REFERENCES kb_answers(id),
    pos         INTEGER NOT NULL,
    PRIMARY KEY (column_id, answer_id)
) WITHOUT ROWID;
CREATE INDEX kb_column_answers_answer ON kb_column_answers(answer_id);

-- 汇编: volumes; chapters are the answers' categories, in category order
CREATE TABLE kb_volumes (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    subtitle    TEXT,
    preface     TEXT,
    edition     TEXT,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE kb_volume_answers (
    volume_id   INTEGER NOT NULL REFERENCES kb_volumes(id),
    answer_id   INTEGER NOT NULL REFERENCES kb_answers(id),
    pos         INTEGER NOT NULL,
    PRIMARY KEY (volume_id, answer_id)
) WITHOUT ROWID;
CREATE INDEX kb_volume_answers_answer ON kb_volume_answers(answer_id);

-- 每月一题: a hot-problem cluster picked as the month's theme
CREATE TABLE kb_themes (
    id           INTEGER PRIMARY KEY,
    month        INTEGER NOT NULL UNIQUE,          -- YYYYMM
    title        TEXT NOT NULL,
    category_id  INTEGER NOT NULL REFERENCES categories(id),
    place_unit_id INTEGER NOT NULL REFERENCES units(id),
    place_path   TEXT NOT NULL,
    window_from  INTEGER NOT NULL,                 -- the cluster's window (Unix seconds)
    window_to    INTEGER NOT NULL,
    answer_id    INTEGER REFERENCES kb_answers(id),
    note         TEXT,
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Full-text index of answers: external content, kept in step by triggers
-- (answers are few and written rarely, so synchronous indexing is cheap).
CREATE VIRTUAL TABLE kb_answers_fts USING fts5(title, problem, measures,
    content='kb_answers', content_rowid='id', tokenize='sanqu_cjk');
CREATE TRIGGER kb_answers_fts_ai AFTER INSERT ON kb_answers BEGIN
    INSERT INTO kb_answers_fts(rowid, title, problem, measures)
    VALUES (new.id, new.title, new.problem, new.measures);
END;
CREATE TRIGGER kb_answers_fts_ad AFTER DELETE ON kb_answers BEGIN
    INSERT INTO kb_answers_fts(kb_answers_fts, rowid, title, problem, measures)
    VALUES ('delete', old.id, old.title, old.problem, old.measures);
END;
CREATE TRIGGER kb_answers_fts_au AFTER UPDATE OF title, problem, measures ON kb_answers BEGIN
    INSERT INTO kb_answers_fts(kb_answers_fts, rowid, title, problem, measures)
    VALUES ('delete', old.id, old.title, old.problem, old.measures);
    INSERT INTO kb_answers_fts(rowid, title, problem, measures)
    VALUES (new.id, new.title, new.problem, new.measures);
END;

-- Full-text index of appeals: external content over appeals(title,
-- description), filled in batches by the background indexer (kb/indexer.c)
-- off the intake path; kb_index_state remembers the last indexed id.
-- An appeal's title and description never change after intake.
CREATE VIRTUAL TABLE appeals_fts USING fts5(title, description,
    content='appeals', content_rowid='id', tokenize='sanqu_cjk');
INSERT INTO appeals_fts(appeals_fts, rank) VALUES ('automerge', 8);
CREATE TABLE kb_index_state (
    name     TEXT PRIMARY KEY,
    last_id  INTEGER NOT NULL
);
INSERT INTO kb_index_state(name, last_id) VALUES ('appeals', 0);
-- If an appeal's text is ever edited after it was indexed, re-index it.
CREATE TRIGGER appeals_fts_au AFTER UPDATE OF title, description ON appeals
WHEN (old.title IS NOT new.title OR old.description IS NOT new.description)
 AND old.id <= (SELECT last_id FROM kb_index_state WHERE name = 'appeals')
BEGIN
    INSERT INTO appeals_fts(appeals_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO appeals_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;
