-- 008_open_fts: a small full-text index over the open appeals only
-- (submitted, accepted, in_progress, suspended), for the "likely duplicate"
-- half of suggestions. Open appeals are a bounded set (intake rate times
-- handling time: about 5,000 in a district with a million appeals), so an
-- OR query of every bigram a person typed ranks all of its matches in a few
-- milliseconds, where the same query on appeals_fts would walk doclists of
-- hundreds of thousands of closed appeals to find the few open ones.
--
-- It has its own content (not external), so deleting a rowid that is not in
-- it is a no-op and can never corrupt it. Appeals enter it when the
-- background indexer (kb/indexer.c) indexes them while open, or when an
-- already indexed appeal re-enters an open status (reopen); they leave it
-- when their status leaves the open set.
CREATE VIRTUAL TABLE appeals_open_fts USING fts5(title, description, tokenize='sanqu_cjk');
INSERT INTO appeals_open_fts(rowid, title, description)
SELECT id, title, description FROM appeals
WHERE status IN ('submitted', 'accepted', 'in_progress', 'suspended')
  AND id <= (SELECT last_id FROM kb_index_state WHERE name = 'appeals');

CREATE TRIGGER appeals_open_fts_leave AFTER UPDATE OF status ON appeals
WHEN old.status IN ('submitted', 'accepted', 'in_progress', 'suspended')
 AND new.status NOT IN ('submitted', 'accepted', 'in_progress', 'suspended')
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = old.id;
END;

CREATE TRIGGER appeals_open_fts_enter AFTER UPDATE OF status ON appeals
WHEN new.status IN ('submitted', 'accepted', 'in_progress', 'suspended')
 AND old.status NOT IN ('submitted', 'accepted', 'in_progress', 'suspended')
 AND new.id <= (SELECT last_id FROM kb_index_state WHERE name = 'appeals')
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = new.id;
    INSERT INTO appeals_open_fts(rowid, title, description)
    VALUES (new.id, new.title, new.description);
END;

CREATE TRIGGER appeals_open_fts_text AFTER UPDATE OF title, description ON appeals
WHEN (old.title IS NOT new.title OR old.description IS NOT new.description)
 AND new.status IN ('submitted', 'accepted', 'in_progress', 'suspended')
 AND new.id <= (SELECT last_id FROM kb_index_state WHERE name = 'appeals')
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = new.id;
    INSERT INTO appeals_open_fts(rowid, title, description)
    VALUES (new.id, new.title, new.description);
END;

CREATE TRIGGER appeals_open_fts_gone AFTER DELETE ON appeals
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = old.id;
END;
