-- College structure, role scope, guardianships, invitations, join requests,
-- movements. The college itself is org unit 1, created here.
CREATE TABLE org_units (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('college', 'branch', 'department', 'study_group')),
	parent_id INTEGER REFERENCES org_units(id),
	name TEXT NOT NULL,
	short_name TEXT NOT NULL DEFAULT '',
	code TEXT,                           -- study groups: e.g. "ТМ-21"; unique among live groups
	enrolment_year INTEGER,              -- study groups
	details TEXT NOT NULL DEFAULT '{}',  -- college: JSON object of free-form details
	created_at INTEGER NOT NULL,
	archived_at INTEGER
);
CREATE INDEX org_units_parent ON org_units(parent_id);
CREATE UNIQUE INDEX org_units_group_code ON org_units(code)
	WHERE kind = 'study_group' AND archived_at IS NULL;
INSERT INTO org_units(id, kind, parent_id, name, short_name, created_at)
	VALUES (1, 'college', NULL, 'Колледж', '', strftime('%s', 'now'));

-- the director flag of an administration assignment
ALTER TABLE role_assignments ADD COLUMN director INTEGER NOT NULL DEFAULT 0;
CREATE INDEX role_assignments_unit ON role_assignments(unit_id, role, until);

CREATE TABLE guardianships (
	parent_id INTEGER NOT NULL REFERENCES users(id),
	student_id INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	confirmed_by INTEGER REFERENCES users(id),
	confirmed_at INTEGER,                -- NULL until the curator confirms
	PRIMARY KEY (parent_id, student_id)
);
CREATE INDEX guardianships_student ON guardianships(student_id);

CREATE TABLE invites (
	id INTEGER PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,     -- BLAKE2b-256 of the 128-bit token
	token_sealed BLOB NOT NULL,          -- the token encrypted with the server key, to print again
	role TEXT NOT NULL,
	unit_id INTEGER NOT NULL REFERENCES org_units(id),
	created_by INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	max_uses INTEGER NOT NULL,
	uses INTEGER NOT NULL DEFAULT 0,
	needs_approval INTEGER NOT NULL DEFAULT 1,
	revoked_at INTEGER,
	note TEXT NOT NULL DEFAULT '',
	personal_name TEXT                   -- set for personal (imported) invitations
);
CREATE INDEX invites_unit ON invites(unit_id);

CREATE TABLE join_requests (
	id INTEGER PRIMARY KEY,
	invite_id INTEGER NOT NULL REFERENCES invites(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	unit_id INTEGER NOT NULL REFERENCES org_units(id),
	student_id INTEGER REFERENCES users(id),  -- parent requests: the child
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
	reason TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	decided_by INTEGER REFERENCES users(id),
	decided_at INTEGER
);
CREATE INDEX join_requests_status ON join_requests(status, unit_id);
CREATE INDEX join_requests_user ON join_requests(user_id);
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests(user_id, role, unit_id)
	WHERE status = 'pending';

CREATE TABLE movements (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL CHECK (kind IN ('enrolment', 'transfer', 'academic_leave', 'return',
		'expulsion', 'graduation', 'hiring', 'staff_transfer', 'dismissal')),
	role TEXT NOT NULL,                  -- student | teacher | staff | curator | administration
	from_unit_id INTEGER REFERENCES org_units(id),
	to_unit_id INTEGER REFERENCES org_units(id),
	effective_date TEXT NOT NULL,        -- YYYY-MM-DD
	order_ref TEXT NOT NULL DEFAULT '',  -- e.g. "Приказ № 84-ОД"
	note TEXT NOT NULL DEFAULT '',
	reverses_id INTEGER REFERENCES movements(id),
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX movements_user ON movements(user_id, id);

-- people imported from an e-journal: their external id makes re-import idempotent
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external_id ON users(external_id) WHERE external_id IS NOT NULL;
