-- Movements: a movement is reversed at most once (the database enforces it
-- even when two reversals race), and the journal of a unit finds movements
-- by their from and to units.
CREATE UNIQUE INDEX movements_reverses ON movements(reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX movements_from_unit ON movements(from_unit_id) WHERE from_unit_id IS NOT NULL;
CREATE INDEX movements_to_unit ON movements(to_unit_id) WHERE to_unit_id IS NOT NULL;
CREATE INDEX movements_date ON movements(effective_date, id);
