-- Invitation links into a chat (docs/internals/chat_policy.md, "Joining by
-- link"): a group chat's or channel's owner or admin hands out a link; a
-- person of the college who opens it joins the chat as a member, if the
-- link's creator may write to them (the contact policy). The token is stored
-- the way college invitations store theirs (invites): hashed to look it up,
-- sealed with the server key to show it again to those who manage it.
-- Times in unix seconds, like invites.
CREATE TABLE chat_links (
	id INTEGER PRIMARY KEY,
	chat_id INTEGER NOT NULL REFERENCES chats(id),
	token_hash BLOB NOT NULL UNIQUE,     -- BLAKE2b-256 of the 128-bit token
	token_sealed BLOB NOT NULL,          -- the token encrypted with the server key
	created_by INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	max_uses INTEGER NOT NULL CHECK (max_uses > 0),
	uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
	revoked_at INTEGER,
	revoked_by INTEGER REFERENCES users(id)
);
CREATE INDEX chat_links_chat ON chat_links(chat_id);
