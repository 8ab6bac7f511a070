-- Mandatory chats: the title the system last gave a chat from its unit (a
-- group's code, a branch's name). The reconciliation renames a chat only when
-- that title changes, so a rename by the chat's admins stands until the
-- structure itself changes (docs/internals/mandatory-chats.md).
ALTER TABLE chats ADD COLUMN sync_title TEXT;
UPDATE chats SET sync_title = title WHERE mandatory IN ('teachers', 'study_group', 'parents');
