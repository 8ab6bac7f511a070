-- Chats as append-only event logs. Every change to a chat is a row of
-- chat_events with the chat's next seq, assigned in the committing
-- transaction; messages, reactions and members are views kept in step with it.
CREATE TABLE chats (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('direct', 'group', 'channel')),
	mandatory TEXT CHECK (mandatory IN ('teachers', 'study_group', 'parents', 'subject')),
	unit_id INTEGER REFERENCES org_units(id),   -- mandatory and subject chats: their unit
	subject TEXT,                              -- subject chats: the discipline
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	post_policy TEXT NOT NULL DEFAULT 'all' CHECK (post_policy IN ('all', 'admins')),
	add_policy TEXT NOT NULL DEFAULT 'admins' CHECK (add_policy IN ('all', 'admins')),
	slow_mode_s INTEGER NOT NULL DEFAULT 0,
	direct_key TEXT UNIQUE,                    -- direct chats: "<min user id>:<max user id>"
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	archived_at INTEGER,
	last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX chats_mandatory_unit ON chats(mandatory, unit_id)
	WHERE mandatory IN ('teachers', 'study_group', 'parents') AND archived_at IS NULL;
CREATE INDEX chats_unit ON chats(unit_id);

CREATE TABLE chat_members (
	chat_id INTEGER NOT NULL REFERENCES chats(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
	source TEXT NOT NULL DEFAULT 'manual',     -- manual | system (kept in sync with the structure)
	joined_seq INTEGER NOT NULL,               -- the member.added event
	read_seq INTEGER NOT NULL DEFAULT 0,
	muted_until INTEGER,                       -- unix seconds; NULL: may post
	last_post_at INTEGER,                      -- unix ms, for slow mode
	PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
CREATE INDEX chat_members_user ON chat_members(user_id);

-- Which part of a chat's log a person may read: one span per membership
-- period; to_seq NULL while they are a member.
CREATE TABLE chat_member_spans (
	chat_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	from_seq INTEGER NOT NULL,
	to_seq INTEGER,
	PRIMARY KEY (chat_id, user_id, from_seq)
) WITHOUT ROWID;
CREATE INDEX chat_member_spans_user ON chat_member_spans(user_id);

CREATE TABLE chat_events (
	chat_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL,                        -- message.new, message.edit, member.added, …
	author_id INTEGER,                         -- NULL: the system
	subject_id INTEGER,                        -- member events: the person concerned
	client_id TEXT,                            -- the author's idempotency key
	at INTEGER NOT NULL,                       -- unix ms
	data TEXT NOT NULL DEFAULT '{}',           -- JSON object
	PRIMARY KEY (chat_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX chat_events_client ON chat_events(author_id, client_id)
	WHERE client_id IS NOT NULL;

CREATE TABLE messages (
	id INTEGER PRIMARY KEY,                    -- also the full-text index rowid
	chat_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,                      -- the message.new event
	author_id INTEGER NOT NULL REFERENCES users(id),
	text TEXT NOT NULL,
	reply_to INTEGER,                          -- seq of the replied message
	forwarded_from TEXT,                       -- JSON {chat_id, seq, author_name} or NULL
	mentions TEXT NOT NULL DEFAULT '[]',       -- JSON array of user ids
	attachments TEXT NOT NULL DEFAULT '[]',    -- JSON array (materials issue)
	created_at INTEGER NOT NULL,               -- unix ms
	edited_at INTEGER,
	deleted_at INTEGER,
	deleted_by INTEGER,
	pinned INTEGER NOT NULL DEFAULT 0,
	UNIQUE (chat_id, seq)
);

CREATE TABLE message_edits (
	message_id INTEGER NOT NULL REFERENCES messages(id),
	edited_at INTEGER NOT NULL,
	old_text TEXT NOT NULL
);
CREATE INDEX message_edits_message ON message_edits(message_id);

CREATE TABLE reactions (
	message_id INTEGER NOT NULL REFERENCES messages(id),
	user_id INTEGER NOT NULL,
	emoji TEXT NOT NULL,
	at INTEGER NOT NULL,
	PRIMARY KEY (message_id, user_id, emoji)
) WITHOUT ROWID;
