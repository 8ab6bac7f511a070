/* SPDX-License-Identifier: MIT */
/* SQLite queries for movements: the person's state a movement is planned
 * from, recording a planned movement (the movements rows, the role
 * assignments it ends and creates, the parents who follow the student, the
 * audit entries) in one write job, and the person's history and a unit's
 * journal. The rules themselves live in domain/movements.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "store/sqlite/sqlite_int.h"

#define MV_HISTORY_MAX 1000 /* movements of one person returned at most */
#define MV_PARENTS_MAX 64   /* guardians of one student (more: PERR_LIMIT) */

static int mv_step_done(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

static void mv_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void mv_bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

static enum role mv_col_role(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? role_parse(t, (size_t)sqlite3_column_bytes(s, i)) : ROLE_NONE;
}

/* ---- state ---- */

static int mv_unit_load(struct sqlite_conn *cn, int64_t id, int64_t now, struct movement_unit *u)
{
	memset(u, 0, sizeof *u);
	u->id = id;
	if (!id)
		return PERR_OK;
	sqlite3_stmt *s = sqlite_stmt(cn,
		"SELECT o.kind,o.archived_at IS NOT NULL,COALESCE((SELECT ra.user_id FROM "
		"role_assignments ra WHERE ra.role='curator' AND ra.unit_id=o.id AND (ra.until IS NULL "
		"OR ra.until>?2) ORDER BY ra.id LIMIT 1),0) FROM org_units o WHERE o.id=?1");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_OK;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	u->exists = true;
	snprintf(u->kind, sizeof u->kind, "%s", (const char *)sqlite3_column_text(s, 0));
	u->archived = sqlite3_column_int(s, 1) != 0;
	u->curator_id = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	return PERR_OK;
}

static int mv_active_load(struct sqlite_conn *cn, int64_t user_id, int64_t now,
			  struct movement_state *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn,
		"SELECT id,role,CASE WHEN unit_id IS NULL OR unit_id=0 THEN 1 ELSE unit_id END "
		"FROM role_assignments WHERE user_id=? AND role IN ('student','teacher','staff',"
		"'administration','curator') AND (until IS NULL OR until>?) ORDER BY id");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->nactive == MOVEMENT_MAX_ACTIVE) {
			sqlite3_reset(s);
			return PERR_LIMIT;
		}
		struct movement_assignment *a = &out->active[out->nactive++];
		a->id = sqlite3_column_int64(s, 0);
		a->role = mv_col_role(s, 1);
		a->unit_id = sqlite3_column_int64(s, 2);
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* The person's state for req, on any connection (a reader to plan, the
 * writer to re-check inside the transaction). */
static int mv_state_read(struct sqlite_conn *cn, int64_t user_id, const struct movement_request *req,
			 int64_t now, struct movement_state *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, user_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	out->user_exists = rc == SQLITE_ROW;
	sqlite3_reset(s);
	if (out->user_exists) {
		rc = mv_active_load(cn, user_id, now, out);
		if (rc)
			return rc;
		s = sqlite_stmt(cn, "SELECT COALESCE(MAX(id),0) FROM movements WHERE user_id=?");
		sqlite3_bind_int64(s, 1, user_id);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			return sqlite_perr(cn, rc);
		out->last_movement_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		s = sqlite_stmt(cn, "SELECT kind,COALESCE(from_unit_id,0) FROM movements WHERE "
				    "user_id=? AND role='student' ORDER BY id DESC LIMIT 1");
		sqlite3_bind_int64(s, 1, user_id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const char *k = (const char *)sqlite3_column_text(s, 0);
			out->last_student_kind =
				movement_kind_parse(k, (size_t)sqlite3_column_bytes(s, 0));
			out->last_student_from = sqlite3_column_int64(s, 1);
		} else if (rc != SQLITE_DONE) {
			return sqlite_perr(cn, rc);
		}
		sqlite3_reset(s);
	}
	rc = mv_unit_load(cn, req->from_unit_id, now, &out->from);
	if (!rc)
		rc = mv_unit_load(cn, req->to_unit_id, now, &out->to);
	if (!rc)
		rc = mv_unit_load(cn, out->last_student_from, now, &out->left);
	return rc;
}

struct mv_state_job {
	int64_t user_id;
	const struct movement_request *req;
	int64_t now;
	struct movement_state *out;
};

static int mv_state_r(struct sqlite_conn *cn, void *arg)
{
	struct mv_state_job *j = arg;
	return mv_state_read(cn, j->user_id, j->req, j->now, j->out);
}

int sqlite_movement_state_load(struct store *st, int64_t user_id, const struct movement_request *req,
			       int64_t now, struct movement_state *out)
{
	struct mv_state_job j = {user_id, req, now, out};
	return sqlite_read(st, mv_state_r, &j);
}

/* ---- recording ---- */

struct mv_record_job {
	const struct movement_new *m;
	struct movement_recorded *out;
	size_t changes_cap;
};

static void mv_change_add(struct mv_record_job *j, int64_t movement_id, int64_t user_id,
			  enum role role, int64_t unit_id, bool added)
{
	struct movement_recorded *o = j->out;
	if (o->nchanges == j->changes_cap) {
		j->changes_cap = j->changes_cap ? j->changes_cap * 2 : 8;
		o->changes = xrealloc(o->changes, j->changes_cap * sizeof *o->changes);
	}
	o->changes[o->nchanges++] = (struct movement_change){movement_id, user_id, role, unit_id, added};
}

static int mv_assignment_end(struct sqlite_conn *cn, int64_t id, int64_t user_id, int64_t now)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE role_assignments SET until=?1 WHERE id=?2 AND "
					  "user_id=?3 AND (until IS NULL OR until>?1)");
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, user_id);
	int rc = mv_step_done(cn, s);
	if (rc)
		return rc;
	return sqlite3_changes(sqlite_db(cn)) == 1 ? PERR_OK : PERR_CONFLICT;
}

static int mv_assignment_create(struct sqlite_conn *cn, int64_t user_id, enum role role,
				int64_t unit_id, const struct movement_new *m)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO role_assignments(user_id,role,unit_id,since,"
					  "created_by) VALUES(?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, user_id);
	mv_bind_text(s, 2, role_name(role));
	sqlite3_bind_int64(s, 3, unit_id);
	sqlite3_bind_int64(s, 4, m->now);
	mv_bind_id(s, 5, m->actor_id);
	return mv_step_done(cn, s);
}

/* Parents of the student leave group unit_id unless another child of theirs
 * is still an active student there. */
static int mv_parents_leave(struct sqlite_conn *cn, struct mv_record_job *j, int64_t movement_id,
			    int64_t unit_id, struct json_writer *w)
{
	const struct movement_new *m = j->m;
	sqlite3_stmt *s = sqlite_stmt(cn,
		"SELECT ra.id,ra.user_id FROM role_assignments ra JOIN guardianships g ON "
		"g.parent_id=ra.user_id WHERE g.student_id=?1 AND g.confirmed_at IS NOT NULL AND "
		"ra.role='parent' AND ra.unit_id=?2 AND (ra.until IS NULL OR ra.until>?3) AND NOT EXISTS "
		"(SELECT 1 FROM guardianships g2 JOIN role_assignments sa ON sa.user_id=g2.student_id "
		"WHERE g2.parent_id=ra.user_id AND g2.student_id<>?1 AND g2.confirmed_at IS NOT NULL "
		"AND sa.role='student' AND sa.unit_id=?2 AND (sa.until IS NULL OR sa.until>?3)) "
		"ORDER BY ra.id");
	sqlite3_bind_int64(s, 1, m->user_id);
	sqlite3_bind_int64(s, 2, unit_id);
	sqlite3_bind_int64(s, 3, m->now);
	int64_t ids[MV_PARENTS_MAX], parents[MV_PARENTS_MAX];
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < MV_PARENTS_MAX) {
		ids[n] = sqlite3_column_int64(s, 0);
		parents[n++] = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PERR_LIMIT;
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	for (size_t i = 0; i < n; i++) {
		rc = mv_assignment_end(cn, ids[i], parents[i], m->now);
		if (rc)
			return rc;
		mv_change_add(j, movement_id, parents[i], ROLE_PARENT, unit_id, false);
		jw_int(w, parents[i]);
	}
	return PERR_OK;
}

/* The student's confirmed guardians become parents of group unit_id. */
static int mv_parents_join(struct sqlite_conn *cn, struct mv_record_job *j, int64_t movement_id,
			   int64_t unit_id, struct json_writer *w)
{
	const struct movement_new *m = j->m;
	sqlite3_stmt *s = sqlite_stmt(cn,
		"SELECT g.parent_id FROM guardianships g WHERE g.student_id=?1 AND g.confirmed_at IS "
		"NOT NULL AND NOT EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id=g.parent_id "
		"AND ra.role='parent' AND ra.unit_id=?2 AND (ra.until IS NULL OR ra.until>?3)) "
		"ORDER BY g.parent_id");
	sqlite3_bind_int64(s, 1, m->user_id);
	sqlite3_bind_int64(s, 2, unit_id);
	sqlite3_bind_int64(s, 3, m->now);
	int64_t parents[MV_PARENTS_MAX];
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < MV_PARENTS_MAX)
		parents[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PERR_LIMIT;
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	for (size_t i = 0; i < n; i++) {
		rc = mv_assignment_create(cn, parents[i], ROLE_PARENT, unit_id, m);
		if (rc)
			return rc;
		mv_change_add(j, movement_id, parents[i], ROLE_PARENT, unit_id, true);
		jw_int(w, parents[i]);
	}
	return PERR_OK;
}

static int mv_movement_insert(struct sqlite_conn *cn, const struct movement_new *m,
			      const struct movement_row *row, int64_t reverses_id, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO movements(user_id,kind,role,from_unit_id,"
					  "to_unit_id,effective_date,order_ref,note,reverses_id,"
					  "created_by,created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, m->user_id);
	mv_bind_text(s, 2, movement_kind_name(m->plan->kind));
	mv_bind_text(s, 3, role_name(row->role));
	mv_bind_id(s, 4, row->from_unit_id);
	mv_bind_id(s, 5, row->to_unit_id);
	mv_bind_text(s, 6, m->date);
	mv_bind_text(s, 7, m->order_ref ? m->order_ref : "");
	mv_bind_text(s, 8, m->note ? m->note : "");
	mv_bind_id(s, 9, reverses_id);
	mv_bind_id(s, 10, m->actor_id);
	sqlite3_bind_int64(s, 11, m->now);
	int rc = mv_step_done(cn, s);
	if (!rc)
		*id = sqlite3_last_insert_rowid(sqlite_db(cn));
	return rc;
}

static void mv_kv_id(struct json_writer *w, const char *key, int64_t id)
{
	jw_key(w, key);
	if (id)
		jw_int(w, id);
	else
		jw_null(w);
}

/* The audit entry of one row: before = the assignment it ended, after = the
 * movement with the assignments it created and the parents who followed. */
static int mv_row_audit(struct sqlite_conn *cn, const struct movement_new *m,
			const struct movement_row *row, int64_t id, const char *after)
{
	struct buf before;
	struct json_writer w;
	char action[48], target[32];
	buf_init(&before, 0);
	jw_init(&w, &before);
	jw_object_begin(&w);
	jw_kv_int(&w, "user_id", m->user_id);
	jw_key(&w, "ended");
	if (row->end_assignment_id) {
		jw_object_begin(&w);
		jw_kv_int(&w, "assignment_id", row->end_assignment_id);
		jw_kv_string(&w, "role", role_name(row->end_role));
		jw_kv_int(&w, "unit_id", row->end_unit_id);
		jw_object_end(&w);
	} else {
		jw_null(&w);
	}
	jw_object_end(&w);
	snprintf(action, sizeof action, "movement.%s", movement_kind_name(m->plan->kind));
	snprintf(target, sizeof target, "movement:%lld", (long long)id);
	struct audit_entry e = {.actor_id = m->actor_id,
				.action = action,
				.target = target,
				.before_json = before.data,
				.after_json = after,
				.ip = m->ip,
				.now = m->now};
	int rc = sqlite_audit_insert(cn, &e);
	buf_free(&before);
	return rc;
}

static int mv_row_write(struct sqlite_conn *cn, struct mv_record_job *j, const struct movement_row *row,
			int64_t reverses_id, int64_t *id)
{
	const struct movement_new *m = j->m;
	struct buf after;
	struct json_writer w;
	int rc = PERR_OK;
	buf_init(&after, 0);
	if (row->end_assignment_id) {
		rc = mv_assignment_end(cn, row->end_assignment_id, m->user_id, m->now);
		if (rc)
			goto out;
	}
	rc = mv_movement_insert(cn, m, row, reverses_id, id);
	if (rc)
		goto out;
	if (row->end_assignment_id)
		mv_change_add(j, *id, m->user_id, row->end_role, row->end_unit_id, false);
	if (row->create_unit_id) {
		rc = mv_assignment_create(cn, m->user_id, row->role, row->create_unit_id, m);
		if (rc)
			goto out;
		mv_change_add(j, *id, m->user_id, row->role, row->create_unit_id, true);
	}
	jw_init(&w, &after);
	jw_object_begin(&w);
	jw_kv_int(&w, "movement_id", *id);
	jw_kv_int(&w, "user_id", m->user_id);
	jw_kv_string(&w, "kind", movement_kind_name(m->plan->kind));
	jw_kv_string(&w, "role", role_name(row->role));
	mv_kv_id(&w, "from_unit_id", row->from_unit_id);
	mv_kv_id(&w, "to_unit_id", row->to_unit_id);
	jw_kv_string(&w, "date", m->date);
	jw_kv_string(&w, "order_ref", m->order_ref ? m->order_ref : "");
	jw_kv_string(&w, "note", m->note ? m->note : "");
	mv_kv_id(&w, "reverses_id", reverses_id);
	mv_kv_id(&w, "assigned_unit_id", row->create_unit_id);
	jw_key(&w, "parents_left");
	jw_array_begin(&w);
	if (row->parents_leave_unit_id) {
		rc = mv_parents_leave(cn, j, *id, row->parents_leave_unit_id, &w);
		if (rc)
			goto out;
	}
	jw_array_end(&w);
	jw_key(&w, "parents_joined");
	jw_array_begin(&w);
	if (row->parents_join_unit_id) {
		rc = mv_parents_join(cn, j, *id, row->parents_join_unit_id, &w);
		if (rc)
			goto out;
	}
	jw_array_end(&w);
	jw_object_end(&w);
	rc = mv_row_audit(cn, m, row, *id, after.data);
out:
	buf_free(&after);
	return rc;
}

static int mv_record_w(struct sqlite_conn *cn, void *arg)
{
	struct mv_record_job *j = arg;
	const struct movement_new *m = j->m;
	struct movement_state now_state;
	int rc = mv_state_read(cn, m->user_id, &m->req, m->now, &now_state);
	if (rc)
		return rc;
	/* planned on a snapshot: refuse if anything it relied on changed since */
	if (!movement_state_same(&now_state, m->expect))
		return PERR_CONFLICT;
	for (size_t i = 0; i < m->plan->nrows; i++) {
		int64_t id = 0;
		rc = mv_row_write(cn, j, &m->plan->rows[i], i == 0 ? m->reverses_id : 0, &id);
		if (rc)
			return rc;
		j->out->ids[j->out->nids++] = id;
	}
	/* chatsync: the person (and the parents who followed them) change chats */
	return sqlite_chats_reconcile_user(cn, m->user_id, m->now * 1000);
}

int sqlite_movement_record(struct store *st, const struct movement_new *m, struct movement_recorded *out)
{
	memset(out, 0, sizeof *out);
	if (!m->plan->nrows || m->plan->nrows > MOVEMENT_MAX_ACTIVE)
		return PERR_INVALID;
	struct mv_record_job j = {m, out, 0};
	int rc = sqlite_write(st, mv_record_w, &j);
	if (rc) {
		free(out->changes);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

/* ---- reading ---- */

#define MV_COLS                                                                                      \
	"m.id,m.user_id,u.name,m.kind,m.role,COALESCE(m.from_unit_id,0),f.name,"                     \
	"COALESCE(m.to_unit_id,0),t.name,m.effective_date,m.order_ref,m.note,"                       \
	"COALESCE(m.reverses_id,0),COALESCE((SELECT r.id FROM movements r WHERE r.reverses_id=m.id),0)," \
	"COALESCE(m.created_by,0),c.name,m.created_at "
#define MV_FROM                                                                                      \
	"FROM movements m JOIN users u ON u.id=m.user_id LEFT JOIN org_units f ON "                  \
	"f.id=m.from_unit_id LEFT JOIN org_units t ON t.id=m.to_unit_id LEFT JOIN users c ON "       \
	"c.id=m.created_by "

static void mv_rec_from_row(sqlite3_stmt *s, struct movement_rec *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(s, 0);
	o->user_id = sqlite3_column_int64(s, 1);
	o->user_name = sqlite_col_str(s, 2);
	const char *k = (const char *)sqlite3_column_text(s, 3);
	o->kind = k ? movement_kind_parse(k, (size_t)sqlite3_column_bytes(s, 3)) : MOVEMENT_NONE;
	o->role = mv_col_role(s, 4);
	o->from_unit_id = sqlite3_column_int64(s, 5);
	o->from_unit_name = sqlite_col_str(s, 6);
	o->to_unit_id = sqlite3_column_int64(s, 7);
	o->to_unit_name = sqlite_col_str(s, 8);
	const char *d = (const char *)sqlite3_column_text(s, 9);
	snprintf(o->date, sizeof o->date, "%s", d ? d : "");
	o->order_ref = sqlite_col_str(s, 10);
	o->note = sqlite_col_str(s, 11);
	o->reverses_id = sqlite3_column_int64(s, 12);
	o->reversed_by = sqlite3_column_int64(s, 13);
	o->created_by = sqlite3_column_int64(s, 14);
	o->created_by_name = sqlite_col_str(s, 15);
	o->created_at = sqlite3_column_int64(s, 16);
}

/* Append every row of s to l (at most max). */
static int mv_collect(struct sqlite_conn *cn, sqlite3_stmt *s, struct movement_list *l, size_t max)
{
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && l->count < max) {
		if (l->count == cap) {
			cap = cap ? cap * 2 : 16;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		mv_rec_from_row(s, &l->items[l->count++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		movement_list_clear(l);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

struct mv_get_job {
	int64_t id;
	struct movement_rec *out;
};

static int mv_get_r(struct sqlite_conn *cn, void *arg)
{
	struct mv_get_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT " MV_COLS MV_FROM "WHERE m.id=?");
	sqlite3_bind_int64(s, 1, j->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	mv_rec_from_row(s, j->out);
	return PERR_OK;
}

int sqlite_movement_get(struct store *st, int64_t id, struct movement_rec *out)
{
	struct mv_get_job j = {id, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, mv_get_r, &j);
}

struct mv_person_job {
	int64_t user_id;
	int64_t now;
	struct movement_list *out;
	int64_t *units;
	size_t max_units;
	size_t nunits;
};

static int mv_person_r(struct sqlite_conn *cn, void *arg)
{
	struct mv_person_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, j->user_id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	s = sqlite_stmt(cn, "SELECT DISTINCT CASE WHEN unit_id IS NULL OR unit_id=0 THEN 1 ELSE "
			    "unit_id END FROM role_assignments WHERE user_id=? AND (until IS NULL OR "
			    "until>?)");
	sqlite3_bind_int64(s, 1, j->user_id);
	sqlite3_bind_int64(s, 2, j->now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && j->nunits < j->max_units)
		j->units[j->nunits++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	s = sqlite_stmt(cn, "SELECT " MV_COLS MV_FROM "WHERE m.user_id=? ORDER BY m.id");
	sqlite3_bind_int64(s, 1, j->user_id);
	return mv_collect(cn, s, j->out, MV_HISTORY_MAX);
}

int sqlite_movement_person_list(struct store *st, int64_t user_id, int64_t now,
				struct movement_list *out, int64_t *units, size_t max_units,
				size_t *nunits)
{
	struct mv_person_job j = {user_id, now, out, units, max_units, 0};
	memset(out, 0, sizeof *out);
	int rc = sqlite_read(st, mv_person_r, &j);
	*nunits = j.nunits;
	out->total = (int64_t)out->count;
	return rc;
}

/* Movements whose from or to unit is the unit or lies under it (?1 = 0: all). */
#define MV_JOURNAL_WHERE                                                                             \
	"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT o.id FROM org_units o JOIN sub ON "       \
	"o.parent_id=sub.id) "
#define MV_JOURNAL_COND                                                                              \
	"WHERE (?1=0 OR m.from_unit_id IN (SELECT id FROM sub) OR m.to_unit_id IN (SELECT id FROM "  \
	"sub)) AND (?2 IS NULL OR m.kind=?2) AND (?3 IS NULL OR m.effective_date>=?3) AND "           \
	"(?4 IS NULL OR m.effective_date<=?4) "

static void mv_journal_bind(sqlite3_stmt *s, const struct movement_filter *f)
{
	sqlite3_bind_int64(s, 1, f->unit_id);
	mv_bind_text(s, 2, f->kind ? movement_kind_name(f->kind) : NULL);
	mv_bind_text(s, 3, f->from_date);
	mv_bind_text(s, 4, f->to_date);
}

struct mv_journal_job {
	const struct movement_filter *f;
	struct movement_list *out;
};

static int mv_journal_r(struct sqlite_conn *cn, void *arg)
{
	struct mv_journal_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, MV_JOURNAL_WHERE "SELECT COUNT(*) FROM movements m "
							   MV_JOURNAL_COND);
	mv_journal_bind(s, j->f);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	j->out->total = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	s = sqlite_stmt(cn, MV_JOURNAL_WHERE "SELECT " MV_COLS MV_FROM MV_JOURNAL_COND
					     "ORDER BY m.effective_date DESC,m.id DESC LIMIT ?5 OFFSET ?6");
	mv_journal_bind(s, j->f);
	sqlite3_bind_int64(s, 5, j->f->limit);
	sqlite3_bind_int64(s, 6, j->f->offset);
	int64_t total = j->out->total;
	rc = mv_collect(cn, s, j->out, (size_t)j->f->limit);
	j->out->total = total;
	return rc;
}

int sqlite_movement_journal(struct store *st, const struct movement_filter *f, struct movement_list *out)
{
	struct mv_journal_job j = {f, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, mv_journal_r, &j);
}
