-- 008_open_fts: a small full-text index over the open appeals only
-- (submitted, accepted, in_progress, suspended), for the "likely duplicate"
-- half of suggestions. Open appeals are a bounded set (intake rate times
-- handling time: about 5,000 in a district with a million appeals), so an
-- OR query of every bigram a person typed ranks all of its matches in a few
-- milliseconds, where the same query on appeals_fts would walk doclists of
-- hundreds of thousands of closed appeals to find the few open ones.
--
-- The appeal's location unit and category ride along as UNINDEXED columns,
-- so the "near this unit, in this category" filters are answered from this
-- small table and the big appeals table is read only for the few rows
-- listed. It has its own content (not external), so deleting a rowid that is
-- not in it is a no-op and can never corrupt it. Appeals enter it when the
-- background indexer (kb/indexer.c) indexes them while open, or when an
-- already indexed appeal re-enters an open status (reopen); they leave it
-- when their status leaves the open set; a change of text, unit or category
-- while open replaces the row.
CREATE VIRTUAL TABLE appeals_open_fts USING fts5(title, description,
    unit_id UNINDEXED, category_id UNINDEXED, tokenize='sanqu_cjk');
INSERT INTO appeals_open_fts(rowid, title, description, unit_id, category_id)
SELECT id, title, description, unit_id, category_id FROM appeals
WHERE status IN ('submitted', 'accepted', 'in_progress', 'suspended')
  AND id <= (SELECT last_id FROM kb_index_state WHERE name = 'appeals');

CREATE TRIGGER appeals_open_fts_leave AFTER UPDATE OF status ON appeals
WHEN old.status IN ('submitted', 'accepted', 'in_progress', 'suspended')
 AND new.status NOT IN ('submitted', 'accepted', 'in_progress', 'suspended')
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = old.id;
END;

-- (re)entering the open set, or what the index holds changed while open
CREATE TRIGGER appeals_open_fts_put
AFTER UPDATE OF status, title, description, unit_id, category_id ON appeals
WHEN new.status IN ('submitted', 'accepted', 'in_progress', 'suspended')
 AND (old.status NOT IN ('submitted', 'accepted', 'in_progress', 'suspended')
      OR old.title IS NOT new.title OR old.description IS NOT new.description
      OR old.unit_id IS NOT new.unit_id OR old.category_id IS NOT new.category_id)
 AND new.id <= (SELECT last_id FROM kb_index_state WHERE name = 'appeals')
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = new.id;
    INSERT INTO appeals_open_fts(rowid, title, description, unit_id, category_id)
    VALUES (new.id, new.title, new.description, new.unit_id, new.category_id);
END;

CREATE TRIGGER appeals_open_fts_gone AFTER DELETE ON appeals
BEGIN
    DELETE FROM appeals_open_fts WHERE rowid = old.id;
END;
