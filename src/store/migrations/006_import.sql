-- Import from an e-journal. Imported people are users with an external_id of
-- the form "<type>:<e-journal id>" (student:…, parent:…, staff:…), so the
-- same id may stand for different people in different types of rows.
-- import_people keeps the names as the e-journal splits them (for the
-- mail-merge export) and the role and unit the import manages for the person.
CREATE TABLE import_people (
	user_id INTEGER PRIMARY KEY REFERENCES users(id),
	kind TEXT NOT NULL CHECK (kind IN ('student', 'parent', 'staff')),
	last_name TEXT NOT NULL,
	first_name TEXT NOT NULL,
	middle_name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL,                  -- student | parent | teacher | staff | administration | curator
	unit_id INTEGER REFERENCES org_units(id),  -- staff: the unit of that role; others: informative
	imported_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- A personal invitation (personal_name set) belongs to one existing person:
-- redeeming it gives that account its login and password instead of making a
-- new account.
ALTER TABLE invites ADD COLUMN personal_user_id INTEGER REFERENCES users(id);
CREATE INDEX invites_personal_user ON invites(personal_user_id)
	WHERE personal_user_id IS NOT NULL;
