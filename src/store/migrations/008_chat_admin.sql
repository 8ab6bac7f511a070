-- Chat administration (docs/internals/chat_policy.md): the pinned messages
-- of a chat are read without scanning its whole history.
CREATE INDEX messages_pinned ON messages(chat_id, seq) WHERE pinned = 1;
