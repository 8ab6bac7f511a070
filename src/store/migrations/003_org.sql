-- Audit search by actor and by action, newest first.
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);
-- Active assignments of a person.
CREATE INDEX role_assignments_user_active ON role_assignments(user_id, until);
