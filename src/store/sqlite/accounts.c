/* SPDX-License-Identifier: MIT */
/* SQLite queries for accounts: users and their roles, the first-administrator
 * setup token, sessions and the audit log. Writes run as jobs of the
 * group-committing writer; reads on pooled reader connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "store/sqlite/sqlite_int.h"

static int step_done(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int sqlite_audit_insert(struct sqlite_conn *cn, const struct audit_entry *e)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO audit_log(at,actor_id,action,target,before,"
					  "after,ip) VALUES(?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, e->now);
	if (e->actor_id)
		sqlite3_bind_int64(s, 2, e->actor_id);
	bind_text(s, 3, e->action);
	bind_text(s, 4, e->target ? e->target : "");
	bind_text(s, 5, e->before_json);
	bind_text(s, 6, e->after_json);
	bind_text(s, 7, e->ip ? e->ip : "");
	return step_done(cn, s);
}

/* ---- users ---- */

static int user_insert(struct sqlite_conn *cn, const struct user_new *u, int64_t *id_out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO users(login,name,password_hash,created_at,"
					  "password_changed_at) VALUES(?,?,?,?,?)");
	bind_text(s, 1, u->login);
	bind_text(s, 2, u->name);
	bind_text(s, 3, u->password_hash);
	sqlite3_bind_int64(s, 4, u->now);
	sqlite3_bind_int64(s, 5, u->now);
	int rc = step_done(cn, s);
	if (rc)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(sqlite_db(cn));
	if (u->role) {
		s = sqlite_stmt(cn, "INSERT INTO role_assignments(user_id,role,since,created_by) "
				    "VALUES(?,?,?,?)");
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, u->role);
		sqlite3_bind_int64(s, 3, u->now);
		if (u->actor_id)
			sqlite3_bind_int64(s, 4, u->actor_id);
		rc = step_done(cn, s);
		if (rc)
			return rc;
	}
	*id_out = id;
	return PERR_OK;
}

struct user_create_job {
	const struct user_new *u;
	int64_t id;
};

static int user_create_w(struct sqlite_conn *cn, void *arg)
{
	struct user_create_job *j = arg;
	int rc = user_insert(cn, j->u, &j->id);
	if (rc)
		return rc;
	char target[32];
	snprintf(target, sizeof target, "user:%lld", (long long)j->id);
	struct audit_entry e = {.actor_id = j->u->actor_id,
				.action = "account.create",
				.target = target,
				.ip = j->u->ip,
				.now = j->u->now};
	rc = sqlite_audit_insert(cn, &e);
	if (rc || !j->u->role)
		return rc;
	return sqlite_chats_reconcile_user(cn, j->id, j->u->now * 1000);
}

int sqlite_user_create(struct store *st, const struct user_new *u, int64_t *id_out)
{
	struct user_create_job j = {.u = u};
	int rc = sqlite_write(st, user_create_w, &j);
	if (!rc)
		*id_out = j.id;
	return rc;
}

static const char sql_user_by_id[] =
	"SELECT id,login,name,password_hash,created_at,password_changed_at,disabled "
	"FROM users WHERE id=?";
static const char sql_user_by_login[] =
	"SELECT id,login,name,password_hash,created_at,password_changed_at,disabled "
	"FROM users WHERE login=?";

static int user_load_roles(struct sqlite_conn *cn, struct user *u)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT DISTINCT role FROM role_assignments WHERE "
					  "user_id=? AND (until IS NULL OR until>strftime('%s','now')) "
					  "ORDER BY role");
	sqlite3_bind_int64(s, 1, u->id);
	size_t n = 0, cap = 4;
	u->roles = xcalloc(cap + 1, sizeof *u->roles);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap *= 2;
			u->roles = xrealloc(u->roles, (cap + 1) * sizeof *u->roles);
		}
		u->roles[n++] = sqlite_col_str(s, 0);
		u->roles[n] = NULL;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

struct user_get_job {
	int64_t id;
	const char *login;
	struct user *out;
};

static int user_get_r(struct sqlite_conn *cn, void *arg)
{
	struct user_get_job *j = arg;
	sqlite3_stmt *s;
	if (j->login) {
		s = sqlite_stmt(cn, sql_user_by_login);
		bind_text(s, 1, j->login);
	} else {
		s = sqlite_stmt(cn, sql_user_by_id);
		sqlite3_bind_int64(s, 1, j->id);
	}
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	struct user *u = j->out;
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(s, 0);
	u->login = sqlite_col_str(s, 1);
	u->name = sqlite_col_str(s, 2);
	u->password_hash = sqlite_col_str(s, 3);
	u->created_at = sqlite3_column_int64(s, 4);
	u->password_changed_at = sqlite3_column_int64(s, 5);
	u->disabled = sqlite3_column_int(s, 6) != 0;
	rc = user_load_roles(cn, u);
	if (rc)
		user_clear(u);
	return rc;
}

int sqlite_user_get(struct store *st, int64_t id, struct user *out)
{
	struct user_get_job j = {.id = id, .out = out};
	return sqlite_read(st, user_get_r, &j);
}

int sqlite_user_get_by_login(struct store *st, const char *login, struct user *out)
{
	struct user_get_job j = {.login = login, .out = out};
	return sqlite_read(st, user_get_r, &j);
}

struct password_job {
	int64_t user_id;
	const char *hash;
	int64_t now;
	int64_t keep;
};

static int set_password_w(struct sqlite_conn *cn, void *arg)
{
	struct password_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE users SET password_hash=?,password_changed_at=? "
					  "WHERE id=?");
	bind_text(s, 1, j->hash);
	sqlite3_bind_int64(s, 2, j->now);
	sqlite3_bind_int64(s, 3, j->user_id);
	int rc = step_done(cn, s);
	if (rc)
		return rc;
	if (sqlite3_changes(sqlite_db(cn)) == 0)
		return PERR_NOT_FOUND;
	s = sqlite_stmt(cn, "UPDATE sessions SET revoked_at=? WHERE user_id=? AND id<>? AND "
			    "revoked_at IS NULL");
	sqlite3_bind_int64(s, 1, j->now);
	sqlite3_bind_int64(s, 2, j->user_id);
	sqlite3_bind_int64(s, 3, j->keep);
	rc = step_done(cn, s);
	if (rc)
		return rc;
	char target[32];
	snprintf(target, sizeof target, "user:%lld", (long long)j->user_id);
	struct audit_entry e = {.actor_id = j->user_id,
				.action = "account.password_change",
				.target = target,
				.now = j->now};
	return sqlite_audit_insert(cn, &e);
}

int sqlite_user_set_password(struct store *st, int64_t user_id, const char *hash, int64_t now,
			     int64_t keep_session_id)
{
	struct password_job j = {user_id, hash, now, keep_session_id};
	return sqlite_write(st, set_password_w, &j);
}

struct count_job {
	int64_t n;
};

static int admin_count_r(struct sqlite_conn *cn, void *arg)
{
	struct count_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT COUNT(DISTINCT user_id) FROM role_assignments "
					  "WHERE role='platform_admin' AND until IS NULL");
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	j->n = sqlite3_column_int64(s, 0);
	return PERR_OK;
}

int sqlite_admin_count(struct store *st, int64_t *out)
{
	struct count_job j = {0};
	int rc = sqlite_read(st, admin_count_r, &j);
	*out = j.n;
	return rc;
}

/* ---- setup token ---- */

struct setup_job {
	const uint8_t *hash;
	int64_t now;
	int64_t expires_at;
	const struct user_new *admin;
	int64_t id;
};

static int setup_put_w(struct sqlite_conn *cn, void *arg)
{
	struct setup_job *j = arg;
	/* only one live setup link at a time: older ones stop working */
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE setup_tokens SET used_at=? WHERE used_at IS NULL");
	sqlite3_bind_int64(s, 1, j->now);
	int rc = step_done(cn, s);
	if (rc)
		return rc;
	s = sqlite_stmt(cn, "INSERT INTO setup_tokens(token_hash,created_at,expires_at) VALUES(?,?,?)");
	sqlite3_bind_blob(s, 1, j->hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, j->now);
	sqlite3_bind_int64(s, 3, j->expires_at);
	return step_done(cn, s);
}

int sqlite_setup_token_put(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			   int64_t expires_at)
{
	struct setup_job j = {.hash = hash, .now = now, .expires_at = expires_at};
	return sqlite_write(st, setup_put_w, &j);
}

static int setup_check(struct sqlite_conn *cn, const uint8_t *hash, int64_t now)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM setup_tokens WHERE token_hash=? AND "
					  "used_at IS NULL AND expires_at>?");
	sqlite3_bind_blob(s, 1, hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return PERR_OK;
	return rc == SQLITE_DONE ? PERR_EXPIRED : sqlite_perr(cn, rc);
}

static int setup_check_r(struct sqlite_conn *cn, void *arg)
{
	struct setup_job *j = arg;
	return setup_check(cn, j->hash, j->now);
}

int sqlite_setup_token_check(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now)
{
	struct setup_job j = {.hash = hash, .now = now};
	return sqlite_read(st, setup_check_r, &j);
}

static int setup_complete_w(struct sqlite_conn *cn, void *arg)
{
	struct setup_job *j = arg;
	int rc = setup_check(cn, j->hash, j->admin->now);
	if (rc)
		return rc;
	rc = user_insert(cn, j->admin, &j->id);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE setup_tokens SET used_at=? WHERE token_hash=?");
	sqlite3_bind_int64(s, 1, j->admin->now);
	sqlite3_bind_blob(s, 2, j->hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	rc = step_done(cn, s);
	if (rc)
		return rc;
	char target[32];
	snprintf(target, sizeof target, "user:%lld", (long long)j->id);
	struct audit_entry e = {.actor_id = j->id,
				.action = "account.setup_first_admin",
				.target = target,
				.ip = j->admin->ip,
				.now = j->admin->now};
	rc = sqlite_audit_insert(cn, &e);
	if (rc)
		return rc;
	/* the first administrator joins «Преподаватели» at once */
	return sqlite_chats_reconcile_user(cn, j->id, j->admin->now * 1000);
}

int sqlite_setup_complete(struct store *st, const uint8_t hash[STORE_HASH_LEN],
			  const struct user_new *admin, int64_t *id_out)
{
	struct setup_job j = {.hash = hash, .admin = admin};
	int rc = sqlite_write(st, setup_complete_w, &j);
	if (!rc)
		*id_out = j.id;
	return rc;
}

/* ---- sessions ---- */

struct session_job {
	const struct session_new *in;
	int64_t id;
	int64_t user_id;
	int64_t now;
	const uint8_t *hash;
	const char *ip;
	struct session *out;
	struct session_list *list;
};

static int session_create_w(struct sqlite_conn *cn, void *arg)
{
	struct session_job *j = arg;
	const struct session_new *n = j->in;
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO sessions(user_id,token_hash,kind,created_at,"
					  "last_seen_at,expires_at,user_agent,ip) VALUES(?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, n->user_id);
	sqlite3_bind_blob(s, 2, n->token_hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	bind_text(s, 3, n->kind);
	sqlite3_bind_int64(s, 4, n->now);
	sqlite3_bind_int64(s, 5, n->now);
	sqlite3_bind_int64(s, 6, n->expires_at);
	bind_text(s, 7, n->user_agent ? n->user_agent : "");
	bind_text(s, 8, n->ip ? n->ip : "");
	int rc = step_done(cn, s);
	if (!rc)
		j->id = sqlite3_last_insert_rowid(sqlite_db(cn));
	return rc;
}

int sqlite_session_create(struct store *st, const struct session_new *s, int64_t *id_out)
{
	struct session_job j = {.in = s};
	int rc = sqlite_write(st, session_create_w, &j);
	if (!rc)
		*id_out = j.id;
	return rc;
}

#define SESSION_COLS "id,user_id,kind,created_at,last_seen_at,expires_at,user_agent,ip"

static void session_from_row(sqlite3_stmt *s, struct session *o)
{
	o->id = sqlite3_column_int64(s, 0);
	o->user_id = sqlite3_column_int64(s, 1);
	o->kind = sqlite_col_str(s, 2);
	o->created_at = sqlite3_column_int64(s, 3);
	o->last_seen_at = sqlite3_column_int64(s, 4);
	o->expires_at = sqlite3_column_int64(s, 5);
	o->user_agent = sqlite_col_str(s, 6);
	o->ip = sqlite_col_str(s, 7);
}

static int session_lookup_r(struct sqlite_conn *cn, void *arg)
{
	struct session_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT " SESSION_COLS " FROM sessions WHERE token_hash=? "
					  "AND revoked_at IS NULL AND expires_at>?");
	sqlite3_bind_blob(s, 1, j->hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, j->now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	session_from_row(s, j->out);
	return PERR_OK;
}

int sqlite_session_lookup(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			  struct session *out)
{
	struct session_job j = {.hash = hash, .now = now, .out = out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, session_lookup_r, &j);
}

static int session_touch_w(struct sqlite_conn *cn, void *arg)
{
	struct session_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE sessions SET last_seen_at=?,ip=? WHERE id=?");
	sqlite3_bind_int64(s, 1, j->now);
	bind_text(s, 2, j->ip ? j->ip : "");
	sqlite3_bind_int64(s, 3, j->id);
	return step_done(cn, s);
}

int sqlite_session_touch(struct store *st, int64_t session_id, int64_t now, const char *ip)
{
	struct session_job j = {.id = session_id, .now = now, .ip = ip};
	return sqlite_write(st, session_touch_w, &j);
}

static int session_list_r(struct sqlite_conn *cn, void *arg)
{
	struct session_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT " SESSION_COLS " FROM sessions WHERE user_id=? AND "
					  "revoked_at IS NULL AND expires_at>? ORDER BY id DESC LIMIT 500");
	sqlite3_bind_int64(s, 1, j->user_id);
	sqlite3_bind_int64(s, 2, j->now);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (j->list->count == cap) {
			cap = cap ? cap * 2 : 8;
			j->list->items = xrealloc(j->list->items, cap * sizeof *j->list->items);
		}
		struct session *o = &j->list->items[j->list->count++];
		memset(o, 0, sizeof *o);
		session_from_row(s, o);
	}
	if (rc != SQLITE_DONE) {
		session_list_clear(j->list);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_session_list(struct store *st, int64_t user_id, int64_t now, struct session_list *out)
{
	struct session_job j = {.user_id = user_id, .now = now, .list = out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, session_list_r, &j);
}

static int session_revoke_w(struct sqlite_conn *cn, void *arg)
{
	struct session_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE sessions SET revoked_at=? WHERE id=? AND user_id=? "
					  "AND revoked_at IS NULL AND expires_at>?");
	sqlite3_bind_int64(s, 1, j->now);
	sqlite3_bind_int64(s, 2, j->id);
	sqlite3_bind_int64(s, 3, j->user_id);
	sqlite3_bind_int64(s, 4, j->now);
	int rc = step_done(cn, s);
	if (rc)
		return rc;
	return sqlite3_changes(sqlite_db(cn)) ? PERR_OK : PERR_NOT_FOUND;
}

int sqlite_session_revoke(struct store *st, int64_t user_id, int64_t session_id, int64_t now)
{
	struct session_job j = {.user_id = user_id, .id = session_id, .now = now};
	return sqlite_write(st, session_revoke_w, &j);
}

static int audit_append_w(struct sqlite_conn *cn, void *arg)
{
	return sqlite_audit_insert(cn, arg);
}

int sqlite_audit_append(struct store *st, const struct audit_entry *e)
{
	return sqlite_write(st, audit_append_w, (void *)e);
}

/* ---- authorization inputs ---- */

struct grants_job {
	int64_t user_id;
	struct grant_list *out;
};

static int grants_load_r(struct sqlite_conn *cn, void *arg)
{
	struct grants_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT role,COALESCE(unit_id,0),director FROM role_assignments "
					  "WHERE user_id=? AND (until IS NULL OR until>strftime('%s','now')) "
					  "ORDER BY id");
	sqlite3_bind_int64(s, 1, j->user_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(s, 0);
		enum role r = role_parse(role, (size_t)sqlite3_column_bytes(s, 0));
		if (r == ROLE_NONE)
			continue;
		if (j->out->count == cap) {
			cap = cap ? cap * 2 : 4;
			j->out->items = xrealloc(j->out->items, cap * sizeof *j->out->items);
		}
		struct authz_grant *g = &j->out->items[j->out->count++];
		g->role = r;
		g->unit_id = sqlite3_column_int64(s, 1);
		g->director = sqlite3_column_int(s, 2) != 0;
	}
	if (rc != SQLITE_DONE) {
		grant_list_clear(j->out);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_grants_load(struct store *st, int64_t user_id, struct grant_list *out)
{
	struct grants_job j = {user_id, out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, grants_load_r, &j);
}

struct scope_job {
	int64_t unit_id;
	struct authz_scope *out;
	char *kind;
};

static int unit_scope_r(struct sqlite_conn *cn, void *arg)
{
	struct scope_job *j = arg;
	memset(j->out, 0, sizeof *j->out);
	int64_t id = j->unit_id ? j->unit_id : AUTHZ_COLLEGE_UNIT;
	j->out->unit_id = j->unit_id;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT kind,parent_id FROM org_units WHERE id=?");
	for (int depth = 0; id; depth++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			return PERR_NOT_FOUND;
		if (rc != SQLITE_ROW)
			return sqlite_perr(cn, rc);
		if (depth == 0 && j->kind)
			snprintf(j->kind, 16, "%s", (const char *)sqlite3_column_text(s, 0));
		int64_t parent = sqlite3_column_int64(s, 1);
		if (parent && j->out->nancestors < AUTHZ_MAX_DEPTH)
			j->out->ancestors[j->out->nancestors++] = parent;
		id = parent;
		if (depth > AUTHZ_MAX_DEPTH)
			break;
	}
	return PERR_OK;
}

int sqlite_unit_scope(struct store *st, int64_t unit_id, struct authz_scope *out, char kind[16])
{
	struct scope_job j = {unit_id, out, kind};
	return sqlite_read(st, unit_scope_r, &j);
}
