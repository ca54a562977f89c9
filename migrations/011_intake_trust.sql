-- 011_intake_trust: an Idempotency-Key names one request, and sensitive
-- categories stay out of public lists (issue 10, items 11 and 15).

-- Idempotency keys remember a hash of the request they first came with
-- (BLAKE2b-256 of the canonical JSON body, hex): the same key with the same
-- body replays the first answer, with another body it is refused (422
-- idempotency_key_reused) and nothing is created. Who holds the key is
-- settled by the primary key: intake claims the key first (INSERT ... ON
-- CONFLICT DO NOTHING) and binds it to the appeal in the same transaction,
-- so appeal_id is NULL only inside that transaction. Keys from before this
-- migration have no hash: reusing one is refused, never replayed.
CREATE TABLE idempotency_keys_new (
    scope        TEXT NOT NULL,    -- "u:<user id>" or "a:<client address>"
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    appeal_id    INTEGER REFERENCES appeals(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
INSERT INTO idempotency_keys_new(scope, key, request_hash, appeal_id, created_at)
SELECT scope, key, '', appeal_id, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_new RENAME TO idempotency_keys;

-- Public or not: appeals of a category that is not public never appear in
-- public lists and feeds (Open311 requests, single request, tokens, the
-- update feed); staff read them as before, by unit scope. A category is
-- public only when its parent is too (the categories API keeps it so).
-- Not public by default: the relief and hardship classes of the default
-- tree, 社会救助 (JZ) with 低保救助 (JZ01) and 困难帮扶 (JZ02): who applies
-- for subsistence allowance or hardship help is nobody else's business.
ALTER TABLE categories ADD COLUMN is_public INTEGER NOT NULL DEFAULT 1
    CHECK (is_public IN (0, 1));
UPDATE categories SET is_public = 0 WHERE code IN ('JZ', 'JZ01', 'JZ02')
    OR parent_id IN (SELECT id FROM categories WHERE code = 'JZ');
