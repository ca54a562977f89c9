-- 010_kb_ownership: columns (专栏) and volumes (汇编) belong to the unit that
-- publishes them. Only holders of kb.publish at that unit or above create,
-- edit and delete them (src/kb/api.c); a district-wide column or volume is
-- owned by the district root, so only district admins manage it. Columns and
-- volumes made before this migration were district-wide: they go to the
-- root. The owner is kept by id only (no copy of units.path), so a unit
-- move needs no rewrite here.
ALTER TABLE kb_columns ADD COLUMN unit_id INTEGER REFERENCES units(id);
ALTER TABLE kb_volumes ADD COLUMN unit_id INTEGER REFERENCES units(id);
UPDATE kb_columns SET unit_id = (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1)
WHERE unit_id IS NULL;
UPDATE kb_volumes SET unit_id = (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1)
WHERE unit_id IS NULL;
CREATE INDEX kb_columns_unit ON kb_columns(unit_id);
CREATE INDEX kb_volumes_unit ON kb_volumes(unit_id);
