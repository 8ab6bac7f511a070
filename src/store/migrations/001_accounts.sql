-- Accounts, roles, sessions, first-administrator setup and the audit log.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,          -- normalized: lower-case e-mail or +digits phone
	name TEXT NOT NULL,
	password_hash TEXT,                  -- Argon2id string; NULL: cannot log in yet
	created_at INTEGER NOT NULL,         -- unix seconds
	password_changed_at INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE role_assignments (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,                  -- platform_admin | administration | curator | teacher | student | parent | staff
	unit_id INTEGER,                     -- org unit scope; NULL = the whole college
	since INTEGER NOT NULL,
	until INTEGER,                       -- NULL = open-ended
	created_by INTEGER REFERENCES users(id)
);
CREATE INDEX role_assignments_user ON role_assignments(user_id);
CREATE INDEX role_assignments_role ON role_assignments(role, until);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	token_hash BLOB NOT NULL UNIQUE,     -- BLAKE2b-256 of the 256-bit token
	kind TEXT NOT NULL,                  -- cookie | bearer
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE setup_tokens (
	token_hash BLOB PRIMARY KEY,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER
);

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_id INTEGER,                    -- NULL: the system or the command line
	action TEXT NOT NULL,                -- e.g. account.setup, account.password_change
	target TEXT NOT NULL DEFAULT '',
	before TEXT,                         -- JSON or NULL
	after TEXT,                          -- JSON or NULL
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
