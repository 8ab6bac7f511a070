/* SPDX-License-Identifier: MIT */
/* SQLite queries for invitation links and joining: links (created, listed,
 * revoked), what opening a link shows, the redemption of a link (in one write
 * job, so concurrent redemptions are serialized by the writer and can never
 * exceed a link's maximum uses), and join requests with their decisions. A
 * join or an approval assigns the role in the unit and records the matching
 * movement (enrolment for students, hiring for teachers and staff) or, for
 * parents, the confirmed guardianship. Also the destructors of the invites
 * slice's result structs (store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "domain/invites.h"
#include "store/sqlite/sqlite_int.h"

#define INVITES_LIST_DEFAULT 1000

_Static_assert(INVITE_SEALED_LEN <= STORE_SEALED_MAX, "sealed token fits the store struct");
_Static_assert(INVITE_HASH_LEN == STORE_HASH_LEN, "token hash size");

/* ---- destructors ---- */

void invite_clear(struct invite *inv)
{
	free(inv->unit_name);
	free(inv->created_by_name);
	free(inv->note);
	free(inv->personal_name);
	memset(inv, 0, sizeof *inv);
}

void invite_list_clear(struct invite_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		invite_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void join_preview_clear(struct join_preview *p)
{
	invite_clear(&p->invite);
	free(p->college_name);
	for (size_t i = 0; i < p->nroster; i++)
		free(p->roster[i].name);
	free(p->roster);
	memset(p, 0, sizeof *p);
}

void join_request_clear(struct join_request *jr)
{
	free(jr->user_name);
	free(jr->user_login);
	free(jr->unit_name);
	free(jr->student_name);
	free(jr->reason);
	free(jr->decided_by_name);
	memset(jr, 0, sizeof *jr);
}

void join_request_list_clear(struct join_request_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		join_request_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* ---- helpers ---- */

static int inv__step(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

static void inv__bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static enum role inv__col_role(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? role_parse(t, (size_t)sqlite3_column_bytes(s, i)) : ROLE_NONE;
}

static void inv__col_copy(sqlite3_stmt *s, int i, char *out, size_t out_size)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	snprintf(out, out_size, "%s", t ? t : "");
}

/* ---- links ---- */

#define INVITE_COLS                                                                              \
	"i.id,i.role,i.unit_id,u.name,u.kind,u.archived_at IS NOT NULL,i.created_by,c.name,"      \
	"i.created_at,i.expires_at,i.max_uses,i.uses,i.needs_approval,COALESCE(i.revoked_at,0)," \
	"i.note,i.personal_name,i.token_sealed,COALESCE(i.personal_user_id,0) "                  \
	"FROM invites i JOIN org_units u ON u.id=i.unit_id LEFT JOIN users c ON c.id=i.created_by "

static void inv__invite_from_row(sqlite3_stmt *s, struct invite *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(s, 0);
	o->role = inv__col_role(s, 1);
	o->unit_id = sqlite3_column_int64(s, 2);
	o->unit_name = sqlite_col_str(s, 3);
	inv__col_copy(s, 4, o->unit_kind, sizeof o->unit_kind);
	o->unit_archived = sqlite3_column_int(s, 5) != 0;
	o->created_by = sqlite3_column_int64(s, 6);
	o->created_by_name = sqlite_col_str(s, 7);
	o->created_at = sqlite3_column_int64(s, 8);
	o->expires_at = sqlite3_column_int64(s, 9);
	o->max_uses = sqlite3_column_int64(s, 10);
	o->uses = sqlite3_column_int64(s, 11);
	o->needs_approval = sqlite3_column_int(s, 12) != 0;
	o->revoked_at = sqlite3_column_int64(s, 13);
	o->note = sqlite_col_str(s, 14);
	if (!o->note)
		o->note = xstrdup("");
	o->personal_name = sqlite_col_str(s, 15);
	int n = sqlite3_column_bytes(s, 16);
	const void *b = sqlite3_column_blob(s, 16);
	if (b && n > 0 && (size_t)n <= sizeof o->token_sealed) {
		memcpy(o->token_sealed, b, (size_t)n);
		o->token_sealed_len = (size_t)n;
	}
	o->personal_user_id = sqlite3_column_int64(s, 17);
}

struct invite_create_job {
	const struct invite_new *n;
	const struct audit_entry *audit;
	int64_t id;
	const char *field;
};

static int invite_create_w(struct sqlite_conn *cn, void *arg)
{
	struct invite_create_job *j = arg;
	const struct invite_new *n = j->n;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT archived_at IS NOT NULL FROM org_units WHERE id=?");
	sqlite3_bind_int64(s, 1, n->unit_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		j->field = "unit_id";
		return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
	}
	if (sqlite3_column_int(s, 0)) {
		j->field = "unit_id";
		return PERR_CONFLICT;
	}
	s = sqlite_stmt(cn, "INSERT INTO invites(token_hash,token_sealed,role,unit_id,created_by,"
			    "created_at,expires_at,max_uses,uses,needs_approval,note,personal_name) "
			    "VALUES(?,?,?,?,?,?,?,?,0,?,?,?)");
	sqlite3_bind_blob(s, 1, n->token_hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 2, n->token_sealed, (int)n->token_sealed_len, SQLITE_TRANSIENT);
	inv__bind_text(s, 3, role_name(n->role));
	sqlite3_bind_int64(s, 4, n->unit_id);
	sqlite3_bind_int64(s, 5, n->created_by);
	sqlite3_bind_int64(s, 6, n->now);
	sqlite3_bind_int64(s, 7, n->expires_at);
	sqlite3_bind_int64(s, 8, n->max_uses);
	sqlite3_bind_int(s, 9, n->needs_approval ? 1 : 0);
	inv__bind_text(s, 10, n->note ? n->note : "");
	inv__bind_text(s, 11, n->personal_name);
	rc = inv__step(cn, s);
	if (rc)
		return rc;
	j->id = sqlite3_last_insert_rowid(sqlite_db(cn));
	char target[40];
	snprintf(target, sizeof target, "invite:%lld", (long long)j->id);
	struct audit_entry e = *j->audit;
	e.target = target;
	return sqlite_audit_insert(cn, &e);
}

int sqlite_invite_create(struct store *st, const struct invite_new *n,
			 const struct audit_entry *audit, int64_t *id_out, const char **field)
{
	struct invite_create_job j = {.n = n, .audit = audit};
	int rc = sqlite_write(st, invite_create_w, &j);
	if (!rc)
		*id_out = j.id;
	if (field)
		*field = rc ? j.field : NULL;
	return rc;
}

struct invite_get_job {
	int64_t id;
	const uint8_t *hash;
	struct invite *out;
};

static int invite_get_r(struct sqlite_conn *cn, void *arg)
{
	struct invite_get_job *j = arg;
	sqlite3_stmt *s;
	if (j->hash) {
		s = sqlite_stmt(cn, "SELECT " INVITE_COLS "WHERE i.token_hash=?");
		sqlite3_bind_blob(s, 1, j->hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
	} else {
		s = sqlite_stmt(cn, "SELECT " INVITE_COLS "WHERE i.id=?");
		sqlite3_bind_int64(s, 1, j->id);
	}
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	inv__invite_from_row(s, j->out);
	return PERR_OK;
}

int sqlite_invite_get(struct store *st, int64_t id, struct invite *out)
{
	struct invite_get_job j = {.id = id, .out = out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, invite_get_r, &j);
}

/* The unit ?1 and every unit below it (?1 = 0: no unit, so callers test 0). */
#define SUBTREE_CTE                                                                   \
	"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT o.id FROM org_units o JOIN " \
	"sub ON o.parent_id=sub.id) "

struct invite_list_job {
	const struct invite_filter *f;
	struct invite_list *out;
};

static int invite_list_r(struct sqlite_conn *cn, void *arg)
{
	struct invite_list_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, SUBTREE_CTE "SELECT " INVITE_COLS
					  "WHERE (?1=0 OR i.unit_id IN (SELECT id FROM sub)) "
					  "AND (?2='' OR i.role=?2) "
					  "AND (i.personal_user_id IS NOT NULL)=?4 ORDER BY i.id DESC LIMIT ?3");
	sqlite3_bind_int64(s, 1, j->f->unit_id);
	inv__bind_text(s, 2, role_name(j->f->role));
	sqlite3_bind_int64(s, 3, j->f->limit ? (int64_t)j->f->limit : INVITES_LIST_DEFAULT);
	sqlite3_bind_int(s, 4, j->f->personal ? 1 : 0);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (j->out->count == cap) {
			cap = cap ? cap * 2 : 16;
			j->out->items = xrealloc(j->out->items, cap * sizeof *j->out->items);
		}
		inv__invite_from_row(s, &j->out->items[j->out->count++]);
	}
	if (rc != SQLITE_DONE) {
		invite_list_clear(j->out);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_invite_list(struct store *st, const struct invite_filter *f, struct invite_list *out)
{
	struct invite_list_job j = {f, out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, invite_list_r, &j);
}

struct invite_revoke_job {
	int64_t id;
	const struct audit_entry *audit;
};

static int invite_revoke_w(struct sqlite_conn *cn, void *arg)
{
	struct invite_revoke_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT revoked_at IS NOT NULL FROM invites WHERE id=?");
	sqlite3_bind_int64(s, 1, j->id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
	if (sqlite3_column_int(s, 0))
		return PERR_OK;
	s = sqlite_stmt(cn, "UPDATE invites SET revoked_at=? WHERE id=? AND revoked_at IS NULL");
	sqlite3_bind_int64(s, 1, j->audit->now);
	sqlite3_bind_int64(s, 2, j->id);
	rc = inv__step(cn, s);
	if (rc)
		return rc;
	char target[40];
	snprintf(target, sizeof target, "invite:%lld", (long long)j->id);
	struct audit_entry e = *j->audit;
	e.target = target;
	e.before_json = "{\"revoked\":false}";
	e.after_json = "{\"revoked\":true}";
	return sqlite_audit_insert(cn, &e);
}

int sqlite_invite_revoke(struct store *st, int64_t id, const struct audit_entry *audit)
{
	struct invite_revoke_job j = {id, audit};
	return sqlite_write(st, invite_revoke_w, &j);
}

/* ---- opening a link ---- */

static const char sql_active_students[] =
	"SELECT DISTINCT u.id,u.name FROM role_assignments r JOIN users u ON u.id=r.user_id "
	"WHERE r.role='student' AND r.unit_id=? AND (r.until IS NULL OR r.until>?) "
	"AND u.disabled=0 ORDER BY u.name,u.id";

struct preview_job {
	const uint8_t *hash;
	int64_t now;
	struct join_preview *out;
};

static int preview_roster(struct sqlite_conn *cn, struct preview_job *j)
{
	struct join_preview *p = j->out;
	sqlite3_stmt *s = sqlite_stmt(cn, sql_active_students);
	sqlite3_bind_int64(s, 1, p->invite.unit_id);
	sqlite3_bind_int64(s, 2, j->now);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->nroster == cap) {
			cap = cap ? cap * 2 : 32;
			p->roster = xrealloc(p->roster, cap * sizeof *p->roster);
		}
		p->roster[p->nroster].id = sqlite3_column_int64(s, 0);
		p->roster[p->nroster].name = sqlite_col_str(s, 1);
		p->nroster++;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

static int preview_r(struct sqlite_conn *cn, void *arg)
{
	struct preview_job *j = arg;
	struct invite_get_job g = {.hash = j->hash, .out = &j->out->invite};
	int rc = invite_get_r(cn, &g);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT name FROM org_units WHERE id=1");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
	j->out->college_name = sqlite_col_str(s, 0);
	if (j->out->invite.role == ROLE_PARENT && !j->out->invite.personal_user_id)
		return preview_roster(cn, j);
	return PERR_OK;
}

int sqlite_join_preview(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			struct join_preview *out)
{
	struct preview_job j = {hash, now, out};
	memset(out, 0, sizeof *out);
	int rc = sqlite_read(st, preview_r, &j);
	if (rc)
		join_preview_clear(out);
	return rc;
}

/* ---- joining: shared by direct joins and approvals ---- */

/* Is user an active student directly in the group? */
static int inv__is_active_student(struct sqlite_conn *cn, int64_t user_id, int64_t group_id,
				  int64_t now, bool *yes)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM role_assignments WHERE user_id=? AND "
					  "role='student' AND unit_id=? AND (until IS NULL OR until>?)");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, group_id);
	sqlite3_bind_int64(s, 3, now);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* Is user an active student of a group other than group_id? A student is in
 * one group at a time: moving is a transfer (a movement), not a second join. */
static int inv__student_elsewhere(struct sqlite_conn *cn, int64_t user_id, int64_t group_id,
				  int64_t now, bool *yes)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM role_assignments WHERE user_id=? AND "
					  "role='student' AND COALESCE(unit_id,1)<>? AND "
					  "(until IS NULL OR until>?)");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, group_id);
	sqlite3_bind_int64(s, 3, now);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* Does user hold role in exactly this unit now? (A NULL unit is the college.) */
static int inv__holds(struct sqlite_conn *cn, int64_t user_id, enum role role, int64_t unit_id,
		      int64_t now, bool *yes)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM role_assignments WHERE user_id=? AND role=? "
					  "AND COALESCE(unit_id,1)=? AND (until IS NULL OR until>?)");
	sqlite3_bind_int64(s, 1, user_id);
	inv__bind_text(s, 2, role_name(role));
	sqlite3_bind_int64(s, 3, unit_id);
	sqlite3_bind_int64(s, 4, now);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* What a join grants: the role in the unit, and for a parent the child. */
struct inv_grant {
	int64_t user_id;
	enum role role;
	int64_t unit_id;
	int64_t student_id;
	int64_t actor_id;          /* who granted: the link's creator or the reviewer */
	int64_t now;
	const char *today;
};

static int inv__movement(struct sqlite_conn *cn, const struct inv_grant *g, const char *kind,
			 int64_t *movement_id)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO movements(user_id,kind,role,from_unit_id,"
					  "to_unit_id,effective_date,note,created_by,created_at) "
					  "VALUES(?,?,?,NULL,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, g->user_id);
	inv__bind_text(s, 2, kind);
	inv__bind_text(s, 3, role_name(g->role));
	sqlite3_bind_int64(s, 4, g->unit_id);
	inv__bind_text(s, 5, g->today);
	inv__bind_text(s, 6, "");
	if (g->actor_id)
		sqlite3_bind_int64(s, 7, g->actor_id);
	sqlite3_bind_int64(s, 8, g->now);
	int rc = inv__step(cn, s);
	if (!rc)
		*movement_id = sqlite3_last_insert_rowid(sqlite_db(cn));
	return rc;
}

static int inv__guardianship(struct sqlite_conn *cn, const struct inv_grant *g)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO guardianships(parent_id,student_id,created_at,"
					  "confirmed_by,confirmed_at) VALUES(?,?,?,?,?) "
					  "ON CONFLICT(parent_id,student_id) DO UPDATE SET "
					  "confirmed_by=excluded.confirmed_by,"
					  "confirmed_at=excluded.confirmed_at");
	sqlite3_bind_int64(s, 1, g->user_id);
	sqlite3_bind_int64(s, 2, g->student_id);
	sqlite3_bind_int64(s, 3, g->now);
	if (g->actor_id)
		sqlite3_bind_int64(s, 4, g->actor_id);
	sqlite3_bind_int64(s, 5, g->now);
	return inv__step(cn, s);
}

/* Assign g's role in its unit unless already held; record the movement of a
 * new student (enrolment) or teacher/staff member (hiring), its id in
 * *movement_id (else 0); a parent also gets the confirmed guardianship of
 * the child (if g names one). */
static int inv__grant(struct sqlite_conn *cn, const struct inv_grant *g, int64_t *movement_id)
{
	int rc;
	*movement_id = 0;
	if (g->role == ROLE_PARENT && g->student_id) {
		rc = inv__guardianship(cn, g);
		if (rc)
			return rc;
	}
	bool held;
	rc = inv__holds(cn, g->user_id, g->role, g->unit_id, g->now, &held);
	if (rc || held)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO role_assignments(user_id,role,unit_id,since,"
					  "created_by) VALUES(?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, g->user_id);
	inv__bind_text(s, 2, role_name(g->role));
	sqlite3_bind_int64(s, 3, g->unit_id);
	sqlite3_bind_int64(s, 4, g->now);
	if (g->actor_id)
		sqlite3_bind_int64(s, 5, g->actor_id);
	rc = inv__step(cn, s);
	if (rc)
		return rc;
	if (g->role == ROLE_STUDENT)
		return inv__movement(cn, g, "enrolment", movement_id);
	if (g->role == ROLE_TEACHER || g->role == ROLE_STAFF)
		return inv__movement(cn, g, "hiring", movement_id);
	return PERR_OK;
}

/* The audit snapshot of a join: ids and role names only. */
static void inv__join_json(char *out, size_t out_size, int64_t invite_id, const struct inv_grant *g,
			   const char *status)
{
	char student[24] = "null";
	if (g->student_id)
		snprintf(student, sizeof student, "%lld", (long long)g->student_id);
	snprintf(out, out_size,
		 "{\"invite_id\":%lld,\"user_id\":%lld,\"role\":\"%s\",\"unit_id\":%lld,"
		 "\"student_id\":%s,\"status\":\"%s\"}",
		 (long long)invite_id, (long long)g->user_id, role_name(g->role),
		 (long long)g->unit_id, student, status);
}

/* ---- redeeming a link ---- */

struct redeem_job {
	const struct join_redeem *in;
	struct join_result *out;
	const char *field;
};

/* The link behind the hash, checked live. */
static int redeem_load_invite(struct sqlite_conn *cn, struct redeem_job *j, struct invite *inv)
{
	struct invite_get_job g = {.hash = j->in->token_hash, .out = inv};
	int rc = invite_get_r(cn, &g);
	if (rc)
		return rc;
	enum invite_state state = invite_state_at(inv->revoked_at, inv->expires_at, inv->uses,
						  inv->max_uses, j->in->now);
	if (state == INVITE_LIVE && inv->unit_archived)
		state = INVITE_REVOKED;
	if (state != INVITE_LIVE) {
		j->field = invite_state_name(state);
		return PERR_EXPIRED;
	}
	return PERR_OK;
}

static int redeem_register(struct sqlite_conn *cn, struct redeem_job *j)
{
	const struct user_new *a = j->in->account;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM users WHERE login=?");
	inv__bind_text(s, 1, a->login);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		j->field = "login";
		return PERR_CONFLICT;
	}
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	s = sqlite_stmt(cn, "INSERT INTO users(login,name,password_hash,created_at,"
			    "password_changed_at) VALUES(?,?,?,?,?)");
	inv__bind_text(s, 1, a->login);
	inv__bind_text(s, 2, a->name);
	inv__bind_text(s, 3, a->password_hash);
	sqlite3_bind_int64(s, 4, j->in->now);
	sqlite3_bind_int64(s, 5, j->in->now);
	rc = inv__step(cn, s);
	if (rc) {
		if (rc == PERR_CONFLICT)
			j->field = "login";
		return rc;
	}
	j->out->user_id = sqlite3_last_insert_rowid(sqlite_db(cn));
	char target[40];
	snprintf(target, sizeof target, "user:%lld", (long long)j->out->user_id);
	struct audit_entry e = {.actor_id = j->out->user_id,
				.action = "account.register",
				.target = target,
				.ip = j->in->ip,
				.now = j->in->now};
	return sqlite_audit_insert(cn, &e);
}

/* Refuse what the link must never do and what was already done: a parent
 * link needs an active student of its group as the child; the same user may
 * not apply twice for the same role and unit, nor join what they hold, nor
 * join a second group as a student. */
static int redeem_check_user(struct sqlite_conn *cn, struct redeem_job *j, const struct invite *inv)
{
	int64_t uid = j->out->user_id, now = j->in->now;
	bool yes;
	int rc;
	if (inv->role == ROLE_PARENT) {
		if (!j->in->student_id || j->in->student_id == uid) {
			j->field = "student_id";
			return PERR_INVALID;
		}
		rc = inv__is_active_student(cn, j->in->student_id, inv->unit_id, now, &yes);
		if (rc)
			return rc;
		if (!yes) {
			j->field = "student_id";
			return PERR_INVALID;
		}
	}
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM join_requests WHERE user_id=? AND role=? "
					  "AND unit_id=? AND status='pending'");
	sqlite3_bind_int64(s, 1, uid);
	inv__bind_text(s, 2, role_name(inv->role));
	sqlite3_bind_int64(s, 3, inv->unit_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		j->field = "role";
		return PERR_CONFLICT;
	}
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	if (inv->role == ROLE_PARENT) {
		s = sqlite_stmt(cn, "SELECT 1 FROM guardianships WHERE parent_id=? AND student_id=? "
				    "AND confirmed_at IS NOT NULL");
		sqlite3_bind_int64(s, 1, uid);
		sqlite3_bind_int64(s, 2, j->in->student_id);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sqlite_perr(cn, rc);
		yes = rc == SQLITE_ROW;
	} else {
		rc = inv__holds(cn, uid, inv->role, inv->unit_id, now, &yes);
		if (!rc && !yes && inv->role == ROLE_STUDENT)
			rc = inv__student_elsewhere(cn, uid, inv->unit_id, now, &yes);
		if (rc)
			return rc;
	}
	if (yes) {
		j->field = "role";
		return PERR_CONFLICT;
	}
	return PERR_OK;
}

/* Count the use; the WHERE makes the writer's serial order the arbiter. */
static int redeem_count_use(struct sqlite_conn *cn, struct redeem_job *j, int64_t invite_id)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE invites SET uses=uses+1 WHERE id=? AND "
					  "uses<max_uses AND revoked_at IS NULL AND expires_at>?");
	sqlite3_bind_int64(s, 1, invite_id);
	sqlite3_bind_int64(s, 2, j->in->now);
	int rc = inv__step(cn, s);
	if (rc)
		return rc;
	if (sqlite3_changes(sqlite_db(cn)) == 0) {
		j->field = invite_state_name(INVITE_EXHAUSTED);
		return PERR_EXPIRED;
	}
	return PERR_OK;
}

static int redeem_queue_request(struct sqlite_conn *cn, struct redeem_job *j,
				const struct invite *inv, const struct inv_grant *g)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO join_requests(invite_id,user_id,role,unit_id,"
					  "student_id,status,created_at) VALUES(?,?,?,?,?,'pending',?)");
	sqlite3_bind_int64(s, 1, inv->id);
	sqlite3_bind_int64(s, 2, g->user_id);
	inv__bind_text(s, 3, role_name(g->role));
	sqlite3_bind_int64(s, 4, g->unit_id);
	if (g->student_id)
		sqlite3_bind_int64(s, 5, g->student_id);
	sqlite3_bind_int64(s, 6, g->now);
	int rc = inv__step(cn, s);
	if (rc) {
		if (rc == PERR_CONFLICT)
			j->field = "role";
		return rc;
	}
	j->out->request_id = sqlite3_last_insert_rowid(sqlite_db(cn));
	char target[48], after[256];
	snprintf(target, sizeof target, "join_request:%lld", (long long)j->out->request_id);
	inv__join_json(after, sizeof after, inv->id, g, "pending");
	struct audit_entry e = {.actor_id = g->user_id, .action = "join.request", .target = target,
				.after_json = after, .ip = j->in->ip, .now = g->now};
	return sqlite_audit_insert(cn, &e);
}

static int redeem_join_direct(struct sqlite_conn *cn, struct redeem_job *j,
			      const struct invite *inv, const struct inv_grant *g)
{
	int rc = inv__grant(cn, g, &j->out->movement_id);
	if (rc)
		return rc;
	j->out->joined = true;
	char target[40], after[256];
	snprintf(target, sizeof target, "user:%lld", (long long)g->user_id);
	inv__join_json(after, sizeof after, inv->id, g, "joined");
	struct audit_entry e = {.actor_id = g->user_id, .action = "join.direct", .target = target,
				.after_json = after, .ip = j->in->ip, .now = g->now};
	return sqlite_audit_insert(cn, &e);
}

/* A personal link: the account it belongs to gets the chosen login and
 * password, if it has none yet. Its roles stay as the import and the
 * movements made them (a person expelled since the export is not enrolled
 * again by claiming the account). */
static int redeem_personal(struct sqlite_conn *cn, struct redeem_job *j, const struct invite *inv)
{
	const struct user_new *a = j->in->account;
	int64_t uid = inv->personal_user_id;
	if (j->in->user_id || !a) {
		j->field = "personal";
		return PERR_CONFLICT;
	}
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT password_hash IS NOT NULL OR disabled<>0 FROM users "
					  "WHERE id=?");
	sqlite3_bind_int64(s, 1, uid);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
	if (sqlite3_column_int(s, 0)) {
		j->field = "personal";
		return PERR_CONFLICT;
	}
	s = sqlite_stmt(cn, "SELECT 1 FROM users WHERE login=? AND id<>?");
	inv__bind_text(s, 1, a->login);
	sqlite3_bind_int64(s, 2, uid);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		j->field = "login";
		return rc == SQLITE_ROW ? PERR_CONFLICT : sqlite_perr(cn, rc);
	}
	s = sqlite_stmt(cn, "UPDATE users SET login=?,password_hash=?,password_changed_at=? "
			    "WHERE id=?");
	inv__bind_text(s, 1, a->login);
	inv__bind_text(s, 2, a->password_hash);
	sqlite3_bind_int64(s, 3, j->in->now);
	sqlite3_bind_int64(s, 4, uid);
	rc = inv__step(cn, s);
	if (rc)
		return rc;
	rc = redeem_count_use(cn, j, inv->id);
	if (rc)
		return rc;
	struct inv_grant g = {.user_id = uid, .role = inv->role, .unit_id = inv->unit_id};
	j->out->user_id = uid;
	j->out->joined = true;
	char target[40], after[256];
	snprintf(target, sizeof target, "user:%lld", (long long)uid);
	inv__join_json(after, sizeof after, inv->id, &g, "claimed");
	struct audit_entry e = {.actor_id = uid, .action = "join.personal", .target = target,
				.after_json = after, .ip = j->in->ip, .now = j->in->now};
	return sqlite_audit_insert(cn, &e);
}

static int redeem_w(struct sqlite_conn *cn, void *arg)
{
	struct redeem_job *j = arg;
	struct invite inv;
	struct inv_grant g;
	memset(&inv, 0, sizeof inv);
	memset(j->out, 0, sizeof *j->out);
	j->out->user_id = j->in->user_id;
	int rc = redeem_load_invite(cn, j, &inv);
	if (rc)
		goto out;
	j->out->role = inv.role;
	j->out->unit_id = inv.unit_id;
	if (inv.personal_user_id) {
		rc = redeem_personal(cn, j, &inv);
		goto out;
	}
	if (!j->out->user_id) {
		if (!j->in->account) {
			rc = PERR_INVALID;
			j->field = "register";
			goto out;
		}
		rc = redeem_register(cn, j);
		if (rc)
			goto out;
	}
	rc = redeem_check_user(cn, j, &inv);
	if (rc)
		goto out;
	rc = redeem_count_use(cn, j, inv.id);
	if (rc)
		goto out;
	g = (struct inv_grant){.user_id = j->out->user_id,
			       .role = inv.role,
			       .unit_id = inv.unit_id,
			       .student_id = inv.role == ROLE_PARENT ? j->in->student_id : 0,
			       .actor_id = inv.created_by,
			       .now = j->in->now,
			       .today = j->in->today};
	if (invite_needs_approval(inv.role, inv.needs_approval))
		rc = redeem_queue_request(cn, j, &inv, &g);
	else
		rc = redeem_join_direct(cn, j, &inv, &g);
	/* chatsync: a direct join puts the person into their unit's chats */
	if (!rc && j->out->joined)
		rc = sqlite_chats_reconcile_user(cn, g.user_id, g.now * 1000);
out:
	invite_clear(&inv);
	return rc;
}

int sqlite_join_redeem(struct store *st, const struct join_redeem *in, struct join_result *out,
		       const char **field)
{
	struct redeem_job j = {.in = in, .out = out};
	int rc = sqlite_write(st, redeem_w, &j);
	if (field)
		*field = rc ? j.field : NULL;
	return rc;
}

/* ---- join requests ---- */

#define REQUEST_COLS                                                                            \
	"j.id,j.invite_id,j.user_id,us.name,us.login,j.role,j.unit_id,u.name,"                   \
	"COALESCE(j.student_id,0),s.name,j.status,j.reason,j.created_at,COALESCE(j.decided_at,0)," \
	"COALESCE(j.decided_by,0),d.name "                                                       \
	"FROM join_requests j JOIN users us ON us.id=j.user_id "                                 \
	"JOIN org_units u ON u.id=j.unit_id LEFT JOIN users s ON s.id=j.student_id "             \
	"LEFT JOIN users d ON d.id=j.decided_by "

static void inv__request_from_row(sqlite3_stmt *s, struct join_request *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(s, 0);
	o->invite_id = sqlite3_column_int64(s, 1);
	o->user_id = sqlite3_column_int64(s, 2);
	o->user_name = sqlite_col_str(s, 3);
	o->user_login = sqlite_col_str(s, 4);
	o->role = inv__col_role(s, 5);
	o->unit_id = sqlite3_column_int64(s, 6);
	o->unit_name = sqlite_col_str(s, 7);
	o->student_id = sqlite3_column_int64(s, 8);
	o->student_name = sqlite_col_str(s, 9);
	inv__col_copy(s, 10, o->status, sizeof o->status);
	o->reason = sqlite_col_str(s, 11);
	if (!o->reason)
		o->reason = xstrdup("");
	o->created_at = sqlite3_column_int64(s, 12);
	o->decided_at = sqlite3_column_int64(s, 13);
	o->decided_by = sqlite3_column_int64(s, 14);
	o->decided_by_name = sqlite_col_str(s, 15);
}

struct request_get_job {
	int64_t id;
	struct join_request *out;
};

static int request_get_r(struct sqlite_conn *cn, void *arg)
{
	struct request_get_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT " REQUEST_COLS "WHERE j.id=?");
	sqlite3_bind_int64(s, 1, j->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	inv__request_from_row(s, j->out);
	return PERR_OK;
}

int sqlite_join_request_get(struct store *st, int64_t id, struct join_request *out)
{
	struct request_get_job j = {id, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, request_get_r, &j);
}

struct request_list_job {
	const struct join_request_filter *f;
	struct join_request_list *out;
};

static int request_list_r(struct sqlite_conn *cn, void *arg)
{
	struct request_list_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, SUBTREE_CTE "SELECT " REQUEST_COLS
					  "WHERE (?1=0 OR j.unit_id IN (SELECT id FROM sub)) "
					  "AND (?2 IS NULL OR j.status=?2) AND (?3=0 OR j.user_id=?3) "
					  "ORDER BY j.id DESC LIMIT ?4");
	sqlite3_bind_int64(s, 1, j->f->unit_id);
	inv__bind_text(s, 2, j->f->status);
	sqlite3_bind_int64(s, 3, j->f->user_id);
	sqlite3_bind_int64(s, 4, j->f->limit ? (int64_t)j->f->limit : INVITES_LIST_DEFAULT);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (j->out->count == cap) {
			cap = cap ? cap * 2 : 16;
			j->out->items = xrealloc(j->out->items, cap * sizeof *j->out->items);
		}
		inv__request_from_row(s, &j->out->items[j->out->count++]);
	}
	if (rc != SQLITE_DONE) {
		join_request_list_clear(j->out);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_join_request_list(struct store *st, const struct join_request_filter *f,
			     struct join_request_list *out)
{
	struct request_list_job j = {f, out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, request_list_r, &j);
}

struct decide_job {
	const struct join_decision *d;
	struct join_result *out;
	const char *field;
};

/* The decision's audit entry: before and after status, and the reason. */
static int decide_audit(struct sqlite_conn *cn, const struct join_decision *d, const char *status)
{
	struct buf after;
	struct json_writer w;
	char target[48];
	buf_init(&after, 0);
	jw_init(&w, &after);
	jw_object_begin(&w);
	jw_kv_string(&w, "status", status);
	jw_kv_string(&w, "reason", d->reason ? d->reason : "");
	jw_object_end(&w);
	snprintf(target, sizeof target, "join_request:%lld", (long long)d->request_id);
	struct audit_entry e = {.actor_id = d->actor_id,
				.action = d->approve ? "join.approve" : "join.reject",
				.target = target,
				.before_json = "{\"status\":\"pending\"}",
				.after_json = after.data,
				.ip = d->ip,
				.now = d->now};
	int rc = sqlite_audit_insert(cn, &e);
	buf_free(&after);
	return rc;
}

static int decide_w(struct sqlite_conn *cn, void *arg)
{
	struct decide_job *j = arg;
	const struct join_decision *d = j->d;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT user_id,role,unit_id,COALESCE(student_id,0),status "
					  "FROM join_requests WHERE id=?");
	sqlite3_bind_int64(s, 1, d->request_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
	struct inv_grant g = {.user_id = sqlite3_column_int64(s, 0),
			      .role = inv__col_role(s, 1),
			      .unit_id = sqlite3_column_int64(s, 2),
			      .student_id = sqlite3_column_int64(s, 3),
			      .actor_id = d->actor_id,
			      .now = d->now,
			      .today = d->today};
	char status[12];
	inv__col_copy(s, 4, status, sizeof status);
	if (strcmp(status, "pending") != 0) {
		j->field = "status";
		return PERR_CONFLICT;
	}
	if (g.role == ROLE_NONE)
		return PERR_INTERNAL;
	j->out->user_id = g.user_id;
	j->out->request_id = d->request_id;
	j->out->role = g.role;
	j->out->unit_id = g.unit_id;
	const char *next = d->approve ? "approved" : "rejected";
	s = sqlite_stmt(cn, "UPDATE join_requests SET status=?,reason=?,decided_by=?,decided_at=? "
			    "WHERE id=? AND status='pending'");
	inv__bind_text(s, 1, next);
	inv__bind_text(s, 2, d->reason ? d->reason : "");
	sqlite3_bind_int64(s, 3, d->actor_id);
	sqlite3_bind_int64(s, 4, d->now);
	sqlite3_bind_int64(s, 5, d->request_id);
	rc = inv__step(cn, s);
	if (rc)
		return rc;
	if (d->approve) {
		if (g.role == ROLE_STUDENT) {
			bool elsewhere;
			rc = inv__student_elsewhere(cn, g.user_id, g.unit_id, d->now, &elsewhere);
			if (rc)
				return rc;
			if (elsewhere) {
				j->field = "role";  /* enrolled elsewhere meanwhile: a transfer */
				return PERR_CONFLICT;
			}
		}
		if (g.role == ROLE_PARENT) {
			bool active;
			rc = inv__is_active_student(cn, g.student_id, g.unit_id, d->now, &active);
			if (rc)
				return rc;
			if (!active) {
				j->field = "student_id";
				return PERR_CONFLICT;
			}
		}
		rc = inv__grant(cn, &g, &j->out->movement_id);
		if (rc)
			return rc;
		j->out->joined = true;
		/* chatsync: the approved person joins their unit's chats */
		rc = sqlite_chats_reconcile_user(cn, g.user_id, g.now * 1000);
		if (rc)
			return rc;
	}
	return decide_audit(cn, d, next);
}

int sqlite_join_request_decide(struct store *st, const struct join_decision *d,
			       struct join_result *out, const char **field)
{
	struct decide_job j = {.d = d, .out = out};
	memset(out, 0, sizeof *out);
	int rc = sqlite_write(st, decide_w, &j);
	if (field)
		*field = rc ? j.field : NULL;
	return rc;
}
