/* SPDX-License-Identifier: MIT */
/* SQLite queries for the college structure, people and their roles, and the
 * audit search. Every write is one job of the group-committing writer: its
 * checks (parent rules, cycles, duplicates, the last administrator), the
 * change and its audit entry commit together or not at all. Audit snapshots
 * are built by SQLite's json_object() inside the same job, so before/after
 * show exactly what the rows held. Searches fold case with parta_fold(), a
 * function registered on each connection the first time it is needed
 * (SQLite's own lower() knows only ASCII). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "domain/org.h"
#include "store/sqlite/sqlite_int.h"

/* An assignment is active until its end time has come. */
#define RA_ACTIVE_NOW "(ra.until IS NULL OR ra.until>CAST(strftime('%s','now') AS INTEGER))"
/* ra.unit_id NULL means the whole college (unit 1). */
#define RA_UNIT "COALESCE(ra.unit_id,1)"

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

/* Bind v, or NULL when v is 0. */
static void bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static void set_field(const char **field, const char *f)
{
	if (field)
		*field = f;
}

/* Run a one-column query for id and copy its text (a JSON snapshot) into *out
 * (NULL if no row). */
static int snapshot(struct sqlite_conn *cn, const char *sql, int64_t id, char **out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, sql);
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	*out = NULL;
	if (rc == SQLITE_ROW) {
		*out = sqlite_col_str(s, 0);
		sqlite3_reset(s);
		return PERR_OK;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

static const char sql_unit_snapshot[] =
	"SELECT json_object('id',id,'kind',kind,'parent_id',parent_id,'name',name,'short_name',"
	"short_name,'code',code,'enrolment_year',enrolment_year,'archived',"
	"json(CASE WHEN archived_at IS NULL THEN 'false' ELSE 'true' END)) FROM org_units WHERE id=?";
static const char sql_college_snapshot[] =
	"SELECT json_object('name',name,'short_name',short_name,'details',json(details)) "
	"FROM org_units WHERE id=?";
static const char sql_assignment_snapshot[] =
	"SELECT json_object('id',id,'user_id',user_id,'role',role,'unit_id',COALESCE(unit_id,1),"
	"'since',since,'until',until,'director',json(CASE director WHEN 0 THEN 'false' ELSE 'true' "
	"END)) FROM role_assignments WHERE id=?";
static const char sql_user_snapshot[] =
	"SELECT json_object('id',id,'login',login,'name',name) FROM users WHERE id=?";

/* Complete the caller's audit template and insert it. */
static int audit_put(struct sqlite_conn *cn, const struct audit_entry *tmpl, const char *target,
		     const char *before, const char *after)
{
	struct audit_entry e = *tmpl;
	e.target = target;
	e.before_json = before;
	e.after_json = after;
	return sqlite_audit_insert(cn, &e);
}

/* ---- case fold for searches ---- */

static void fold_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	int n = sqlite3_value_bytes(argv[0]);
	char *out = sqlite3_malloc(n + 1);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	size_t m = org_fold(s, (size_t)n, out);
	sqlite3_result_text(ctx, out, (int)m, sqlite3_free);
}

/* Register parta_fold() on this connection unless it already is. A probe
 * statement is cheaper than tracking connections, and registering a new
 * function never disturbs the connection's cached statements. */
static int ensure_fold(struct sqlite_conn *cn)
{
	sqlite3_stmt *probe = NULL;
	int rc = sqlite3_prepare_v2(sqlite_db(cn), "SELECT parta_fold('')", -1, &probe, NULL);
	sqlite3_finalize(probe);
	if (rc == SQLITE_OK)
		return PERR_OK;
	rc = sqlite3_create_function_v2(sqlite_db(cn), "parta_fold", 1,
					SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
					fold_fn, NULL, NULL, NULL);
	return sqlite_perr(cn, rc);
}

/* ---- units: reads ---- */

/* Columns read by unit_from_row. */
#define UNIT_SELECT                                                                               \
	"SELECT u.id,u.kind,COALESCE(u.parent_id,0),u.name,u.short_name,u.code,"                  \
	"COALESCE(u.enrolment_year,0),u.details,u.created_at,COALESCE(u.archived_at,0),"          \
	"COALESCE(c.user_id,0),cu.name,"                                                          \
	"(SELECT COUNT(DISTINCT ra.user_id) FROM role_assignments ra WHERE ra.unit_id=u.id AND "  \
	"ra.role='student' AND " RA_ACTIVE_NOW "),"                                               \
	"(SELECT COUNT(DISTINCT ra.user_id) FROM role_assignments ra WHERE (ra.unit_id=u.id OR "   \
	"(u.id=1 AND ra.unit_id IS NULL)) AND ra.role NOT IN ('student','parent') AND "           \
	RA_ACTIVE_NOW ") "                                                                        \
	"FROM org_units u "                                                                       \
	"LEFT JOIN role_assignments c ON c.id=(SELECT ra.id FROM role_assignments ra WHERE "      \
	"ra.unit_id=u.id AND ra.role='curator' AND " RA_ACTIVE_NOW " ORDER BY ra.id DESC LIMIT 1) " \
	"LEFT JOIN users cu ON cu.id=c.user_id "

static void unit_from_row(sqlite3_stmt *s, struct org_unit *u)
{
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(s, 0);
	snprintf(u->kind, sizeof u->kind, "%s", (const char *)sqlite3_column_text(s, 1));
	u->parent_id = sqlite3_column_int64(s, 2);
	u->name = sqlite_col_str(s, 3);
	u->short_name = sqlite_col_str(s, 4);
	u->code = sqlite_col_str(s, 5);
	u->enrolment_year = sqlite3_column_int64(s, 6);
	if (strcmp(u->kind, "college") == 0)
		u->details = sqlite_col_str(s, 7);
	u->created_at = sqlite3_column_int64(s, 8);
	u->archived_at = sqlite3_column_int64(s, 9);
	u->curator_id = sqlite3_column_int64(s, 10);
	u->curator_name = sqlite_col_str(s, 11);
	u->students = sqlite3_column_int64(s, 12);
	u->staff = sqlite3_column_int64(s, 13);
}

struct unit_read_job {
	int64_t id;
	bool archived;
	struct org_unit *unit;
	struct org_unit_list *list;
	int64_t now;
	struct org_assignment_list *people;
};

static int unit_get_r(struct sqlite_conn *cn, void *arg)
{
	struct unit_read_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, UNIT_SELECT "WHERE u.id=?");
	sqlite3_bind_int64(s, 1, j->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	unit_from_row(s, j->unit);
	return PERR_OK;
}

int sqlite_org_unit_get(struct store *st, int64_t unit_id, struct org_unit *out)
{
	struct unit_read_job j = {.id = unit_id, .unit = out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, unit_get_r, &j);
}

static int tree_r(struct sqlite_conn *cn, void *arg)
{
	struct unit_read_job *j = arg;
	j->id = AUTHZ_COLLEGE_UNIT;
	int rc = unit_get_r(cn, j);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, UNIT_SELECT "WHERE u.kind<>'college' AND "
						      "(?1 OR u.archived_at IS NULL) "
						      "ORDER BY u.parent_id,u.name,u.id");
	sqlite3_bind_int(s, 1, j->archived);
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (j->list->count == cap) {
			cap = cap ? cap * 2 : 16;
			j->list->items = xrealloc(j->list->items, cap * sizeof *j->list->items);
		}
		unit_from_row(s, &j->list->items[j->list->count++]);
	}
	if (rc != SQLITE_DONE) {
		org_unit_clear(j->unit);
		org_unit_list_clear(j->list);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_org_tree(struct store *st, bool archived, struct org_unit *college,
		    struct org_unit_list *units)
{
	struct unit_read_job j = {.archived = archived, .unit = college, .list = units};
	memset(college, 0, sizeof *college);
	units->items = NULL;
	units->count = 0;
	return sqlite_read(st, tree_r, &j);
}

/* ---- assignments: reads ---- */

#define ASSIGNMENT_SELECT                                                                         \
	"SELECT ra.id,ra.user_id,us.name,us.login,ra.role," RA_UNIT ",ou.name,ra.since,"          \
	"COALESCE(ra.until,0),ra.director FROM role_assignments ra "                              \
	"JOIN users us ON us.id=ra.user_id LEFT JOIN org_units ou ON ou.id=" RA_UNIT " "

static void assignment_from_row(sqlite3_stmt *s, struct org_assignment *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	a->user_id = sqlite3_column_int64(s, 1);
	a->user_name = sqlite_col_str(s, 2);
	a->user_login = sqlite_col_str(s, 3);
	snprintf(a->role, sizeof a->role, "%s", (const char *)sqlite3_column_text(s, 4));
	a->unit_id = sqlite3_column_int64(s, 5);
	a->unit_name = sqlite_col_str(s, 6);
	a->since = sqlite3_column_int64(s, 7);
	a->until = sqlite3_column_int64(s, 8);
	a->director = sqlite3_column_int(s, 9) != 0;
}

/* Step s to the end, appending every row to l. */
static int assignments_collect(struct sqlite_conn *cn, sqlite3_stmt *s, struct org_assignment_list *l)
{
	size_t cap = l->count;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->count == cap) {
			cap = cap ? cap * 2 : 4;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		assignment_from_row(s, &l->items[l->count++]);
	}
	if (rc != SQLITE_DONE) {
		org_assignment_list_clear(l);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

static int unit_people_r(struct sqlite_conn *cn, void *arg)
{
	struct unit_read_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, ASSIGNMENT_SELECT
				      "WHERE (ra.unit_id=?1 OR (?1=1 AND ra.unit_id IS NULL)) AND "
				      "(ra.until IS NULL OR ra.until>?2) ORDER BY us.name,ra.id");
	sqlite3_bind_int64(s, 1, j->id);
	sqlite3_bind_int64(s, 2, j->now);
	return assignments_collect(cn, s, j->people);
}

int sqlite_org_unit_people(struct store *st, int64_t unit_id, int64_t now,
			   struct org_assignment_list *out)
{
	struct unit_read_job j = {.id = unit_id, .now = now, .people = out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, unit_people_r, &j);
}

struct assignment_job {
	int64_t id;
	struct org_assignment *out;
};

static int assignment_get_r(struct sqlite_conn *cn, void *arg)
{
	struct assignment_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, ASSIGNMENT_SELECT "WHERE ra.id=?");
	sqlite3_bind_int64(s, 1, j->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	assignment_from_row(s, j->out);
	return PERR_OK;
}

int sqlite_org_assignment_get(struct store *st, int64_t assignment_id, struct org_assignment *out)
{
	struct assignment_job j = {assignment_id, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, assignment_get_r, &j);
}

/* ---- college and units: writes ---- */

struct college_job {
	const struct org_college_patch *p;
	const struct audit_entry *audit;
};

static int college_update_w(struct sqlite_conn *cn, void *arg)
{
	struct college_job *j = arg;
	char *before = NULL, *after = NULL;
	int rc = snapshot(cn, sql_college_snapshot, AUTHZ_COLLEGE_UNIT, &before);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE org_units SET name=COALESCE(?,name),"
					  "short_name=COALESCE(?,short_name),details=COALESCE(json(?),"
					  "details) WHERE id=1");
	bind_text(s, 1, j->p->name);
	bind_text(s, 2, j->p->short_name);
	bind_text(s, 3, j->p->details_json);
	rc = step_done(cn, s);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_college_snapshot, AUTHZ_COLLEGE_UNIT, &after);
	if (rc)
		goto out;
	rc = audit_put(cn, j->audit, "college", before, after);
out:
	free(before);
	free(after);
	return rc;
}

int sqlite_org_college_update(struct store *st, const struct org_college_patch *p,
			      const struct audit_entry *audit)
{
	struct college_job j = {p, audit};
	return sqlite_write(st, college_update_w, &j);
}

struct unit_row {
	enum org_kind kind;
	int64_t parent_id;
	bool archived;
};

/* The kind, parent and state of a unit; PERR_NOT_FOUND if absent. */
static int unit_row_get(struct sqlite_conn *cn, int64_t id, struct unit_row *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT kind,COALESCE(parent_id,0),archived_at IS NOT NULL "
					  "FROM org_units WHERE id=?");
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	out->kind = org_kind_parse((const char *)sqlite3_column_text(s, 0),
				   (size_t)sqlite3_column_bytes(s, 0));
	out->parent_id = sqlite3_column_int64(s, 1);
	out->archived = sqlite3_column_int(s, 2) != 0;
	sqlite3_reset(s);
	return PERR_OK;
}

/* May a unit of kind child (id self, 0 for a new one) hang under parent_id? */
static int parent_check(struct sqlite_conn *cn, enum org_kind child, int64_t self, int64_t parent_id,
			const char **field)
{
	struct unit_row parent;
	set_field(field, "parent_id");
	int rc = unit_row_get(cn, parent_id, &parent);
	if (rc)
		return rc == PERR_NOT_FOUND ? PERR_INVALID : rc;
	/* a move under itself or one of its descendants would make a cycle */
	int64_t id = parent_id;
	for (int depth = 0; self && id && depth <= AUTHZ_MAX_DEPTH; depth++) {
		if (id == self)
			return PERR_CONFLICT;
		struct unit_row up;
		rc = unit_row_get(cn, id, &up);
		if (rc)
			return rc;
		id = up.parent_id;
	}
	if (org_parent_check(child, parent.kind))
		return PERR_INVALID;
	if (parent.archived)
		return PERR_CONFLICT;
	set_field(field, NULL);
	return PERR_OK;
}

struct unit_write_job {
	const struct org_unit_new *n;
	const struct org_unit_patch *p;
	int64_t id;
	bool archived;
	const struct audit_entry *audit;
	const char **field;
};

static int unit_create_w(struct sqlite_conn *cn, void *arg)
{
	struct unit_write_job *j = arg;
	const struct org_unit_new *n = j->n;
	enum org_kind kind = org_kind_parse(n->kind, strlen(n->kind));
	char *after = NULL;
	char target[32];
	int rc = parent_check(cn, kind, 0, n->parent_id, j->field);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO org_units(kind,parent_id,name,short_name,code,"
					  "enrolment_year,created_at) VALUES(?,?,?,?,?,?,?)");
	bind_text(s, 1, n->kind);
	sqlite3_bind_int64(s, 2, n->parent_id);
	bind_text(s, 3, n->name);
	bind_text(s, 4, n->short_name ? n->short_name : "");
	bind_text(s, 5, n->code);
	bind_id(s, 6, n->enrolment_year);
	sqlite3_bind_int64(s, 7, j->audit->now);
	rc = step_done(cn, s);
	if (rc) {
		if (rc == PERR_CONFLICT)
			set_field(j->field, "code");
		goto out;
	}
	j->id = sqlite3_last_insert_rowid(sqlite_db(cn));
	rc = snapshot(cn, sql_unit_snapshot, j->id, &after);
	if (rc)
		goto out;
	snprintf(target, sizeof target, "unit:%lld", (long long)j->id);
	rc = audit_put(cn, j->audit, target, NULL, after);
	/* chatsync: a new study group gets its group and parents' chats */
	if (!rc)
		rc = sqlite_chats_reconcile_unit(cn, j->id, j->audit->now * 1000);
out:
	free(after);
	return rc;
}

int sqlite_org_unit_create(struct store *st, const struct org_unit_new *n,
			   const struct audit_entry *audit, int64_t *id_out, const char **field)
{
	struct unit_write_job j = {.n = n, .audit = audit, .field = field};
	set_field(field, NULL);
	int rc = sqlite_write(st, unit_create_w, &j);
	if (!rc)
		*id_out = j.id;
	return rc;
}

/* The checks of a unit update that need the current row. */
static int unit_update_check(struct sqlite_conn *cn, int64_t id, const struct org_unit_patch *p,
			     const char **field)
{
	struct unit_row cur;
	int rc = unit_row_get(cn, id, &cur);
	if (rc)
		return rc;
	if (cur.kind != ORG_STUDY_GROUP && p->code) {
		set_field(field, "code");
		return PERR_INVALID;
	}
	if (cur.kind != ORG_STUDY_GROUP && p->enrolment_year) {
		set_field(field, "enrolment_year");
		return PERR_INVALID;
	}
	if (!p->parent_id || p->parent_id == cur.parent_id)
		return PERR_OK;
	if (cur.kind == ORG_COLLEGE) {
		set_field(field, "parent_id");
		return PERR_CONFLICT;
	}
	return parent_check(cn, cur.kind, id, p->parent_id, field);
}

static int unit_update_w(struct sqlite_conn *cn, void *arg)
{
	struct unit_write_job *j = arg;
	const struct org_unit_patch *p = j->p;
	char *before = NULL, *after = NULL;
	char target[32];
	int rc = unit_update_check(cn, j->id, p, j->field);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_unit_snapshot, j->id, &before);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE org_units SET name=COALESCE(?,name),"
					  "short_name=COALESCE(?,short_name),code=COALESCE(?,code),"
					  "enrolment_year=COALESCE(?,enrolment_year),"
					  "parent_id=COALESCE(?,parent_id) WHERE id=?");
	bind_text(s, 1, p->name);
	bind_text(s, 2, p->short_name);
	bind_text(s, 3, p->code);
	bind_id(s, 4, p->enrolment_year);
	bind_id(s, 5, p->parent_id);
	sqlite3_bind_int64(s, 6, j->id);
	rc = step_done(cn, s);
	if (rc) {
		if (rc == PERR_CONFLICT)
			set_field(j->field, "code");
		goto out;
	}
	rc = snapshot(cn, sql_unit_snapshot, j->id, &after);
	if (rc)
		goto out;
	snprintf(target, sizeof target, "unit:%lld", (long long)j->id);
	rc = audit_put(cn, j->audit, target, before, after);
	/* chatsync: titles follow the code and name, branch chats a move */
	if (!rc)
		rc = sqlite_chats_reconcile_unit(cn, j->id, j->audit->now * 1000);
out:
	free(before);
	free(after);
	return rc;
}

int sqlite_org_unit_update(struct store *st, int64_t unit_id, const struct org_unit_patch *p,
			   const struct audit_entry *audit, const char **field)
{
	struct unit_write_job j = {.p = p, .id = unit_id, .audit = audit, .field = field};
	set_field(field, NULL);
	return sqlite_write(st, unit_update_w, &j);
}

/* One integer from a query with parameters ?1 = id and, if it has one, ?2 = now. */
static int count_of(struct sqlite_conn *cn, const char *sql, int64_t id, int64_t now, int64_t *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, sql);
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, now);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return PERR_OK;
}

/* Archiving leaves no live unit and no active role under an archived one. */
static int archive_check(struct sqlite_conn *cn, int64_t id, const struct unit_row *cur, bool archive,
			 int64_t now, const char **field)
{
	int64_t n = 0;
	int rc;
	if (cur->kind == ORG_COLLEGE || cur->archived == archive)
		return PERR_CONFLICT;
	if (!archive) {
		struct unit_row parent;
		rc = unit_row_get(cn, cur->parent_id, &parent);
		if (rc)
			return rc;
		set_field(field, parent.archived ? "parent_id" : NULL);
		return parent.archived ? PERR_CONFLICT : PERR_OK;
	}
	rc = count_of(cn, "SELECT COUNT(*) FROM org_units WHERE parent_id=?1 AND archived_at IS NULL", id, now, &n);
	if (rc)
		return rc;
	if (n) {
		set_field(field, "children");
		return PERR_CONFLICT;
	}
	rc = count_of(cn, "SELECT COUNT(*) FROM role_assignments WHERE unit_id=?1 AND "
			  "(until IS NULL OR until>?2)", id, now, &n);
	if (rc)
		return rc;
	if (n) {
		set_field(field, "people");
		return PERR_CONFLICT;
	}
	return PERR_OK;
}

static int unit_archive_w(struct sqlite_conn *cn, void *arg)
{
	struct unit_write_job *j = arg;
	char *before = NULL, *after = NULL;
	char target[32];
	struct unit_row cur;
	int rc = unit_row_get(cn, j->id, &cur);
	if (rc)
		goto out;
	rc = archive_check(cn, j->id, &cur, j->archived, j->audit->now, j->field);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_unit_snapshot, j->id, &before);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE org_units SET archived_at=? WHERE id=?");
	bind_id(s, 1, j->archived ? j->audit->now : 0);
	sqlite3_bind_int64(s, 2, j->id);
	rc = step_done(cn, s);
	if (rc) {
		/* restoring a group whose code a live group took meanwhile */
		if (rc == PERR_CONFLICT)
			set_field(j->field, "code");
		goto out;
	}
	rc = snapshot(cn, sql_unit_snapshot, j->id, &after);
	if (rc)
		goto out;
	snprintf(target, sizeof target, "unit:%lld", (long long)j->id);
	rc = audit_put(cn, j->audit, target, before, after);
	/* chatsync: the unit's chats are archived with it, revived on restore */
	if (!rc)
		rc = sqlite_chats_reconcile_unit(cn, j->id, j->audit->now * 1000);
out:
	free(before);
	free(after);
	return rc;
}

int sqlite_org_unit_set_archived(struct store *st, int64_t unit_id, bool archived,
				 const struct audit_entry *audit, const char **field)
{
	struct unit_write_job j = {.id = unit_id, .archived = archived, .audit = audit, .field = field};
	set_field(field, NULL);
	return sqlite_write(st, unit_archive_w, &j);
}

/* ---- people and roles: writes ---- */

struct assign_args {
	int64_t user_id;
	enum role role;
	int64_t unit_id;
	bool director;
	const struct audit_entry *audit;
	const char **field;
	int64_t id;            /* out: the new assignment */
	char *ended_json;      /* out: the curator assignment this one replaced, or NULL */
};

static int assign_check(struct sqlite_conn *cn, struct assign_args *a)
{
	struct unit_row unit;
	int rc = unit_row_get(cn, a->unit_id, &unit);
	if (rc) {
		set_field(a->field, "unit_id");
		return rc == PERR_NOT_FOUND ? PERR_INVALID : rc;
	}
	const char *f = NULL;
	if (org_role_unit_check(a->role, unit.kind, &f)) {
		set_field(a->field, f);
		return PERR_INVALID;
	}
	if (unit.archived) {
		set_field(a->field, "unit_id");
		return PERR_CONFLICT;
	}
	if (a->director && a->role != ROLE_ADMINISTRATION) {
		set_field(a->field, "director");
		return PERR_INVALID;
	}
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM role_assignments WHERE user_id=? AND role=? "
					  "AND COALESCE(unit_id,1)=? AND (until IS NULL OR until>?)");
	sqlite3_bind_int64(s, 1, a->user_id);
	bind_text(s, 2, role_name(a->role));
	sqlite3_bind_int64(s, 3, a->unit_id);
	sqlite3_bind_int64(s, 4, a->audit->now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sqlite3_reset(s);
		set_field(a->field, "role");
		return PERR_CONFLICT;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* A study group has one curator: end the current one's assignment. */
static int curator_replace(struct sqlite_conn *cn, struct assign_args *a)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT id FROM role_assignments WHERE role='curator' AND "
					  "unit_id=? AND (until IS NULL OR until>?) ORDER BY id DESC");
	sqlite3_bind_int64(s, 1, a->unit_id);
	sqlite3_bind_int64(s, 2, a->audit->now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_OK;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	int64_t prev = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	s = sqlite_stmt(cn, "UPDATE role_assignments SET until=?1 WHERE role='curator' AND unit_id=?2 "
			    "AND (until IS NULL OR until>?1)");
	sqlite3_bind_int64(s, 1, a->audit->now);
	sqlite3_bind_int64(s, 2, a->unit_id);
	rc = step_done(cn, s);
	if (rc)
		return rc;
	return snapshot(cn, sql_assignment_snapshot, prev, &a->ended_json);
}

/* Check and insert one assignment inside a write job. */
static int assign_in_job(struct sqlite_conn *cn, struct assign_args *a)
{
	int rc = assign_check(cn, a);
	if (rc)
		return rc;
	if (a->role == ROLE_CURATOR) {
		rc = curator_replace(cn, a);
		if (rc)
			return rc;
	}
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO role_assignments(user_id,role,unit_id,since,"
					  "created_by,director) VALUES(?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, a->user_id);
	bind_text(s, 2, role_name(a->role));
	sqlite3_bind_int64(s, 3, a->unit_id);
	sqlite3_bind_int64(s, 4, a->audit->now);
	bind_id(s, 5, a->audit->actor_id);
	sqlite3_bind_int(s, 6, a->director);
	rc = step_done(cn, s);
	if (rc)
		return rc;
	a->id = sqlite3_last_insert_rowid(sqlite_db(cn));
	return PERR_OK;
}

struct person_job {
	const struct org_person_new *n;
	struct assign_args a;
};

static int person_create_w(struct sqlite_conn *cn, void *arg)
{
	struct person_job *j = arg;
	const struct org_person_new *n = j->n;
	char *user_json = NULL, *assignment_json = NULL, *after = NULL;
	char target[32];
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO users(login,name,password_hash,created_at,"
					  "password_changed_at) VALUES(?,?,?,?,?)");
	bind_text(s, 1, n->login);
	bind_text(s, 2, n->name);
	bind_text(s, 3, n->password_hash);
	sqlite3_bind_int64(s, 4, j->a.audit->now);
	sqlite3_bind_int64(s, 5, j->a.audit->now);
	int rc = step_done(cn, s);
	if (rc) {
		if (rc == PERR_CONFLICT)
			set_field(j->a.field, "login");
		goto out;
	}
	j->a.user_id = sqlite3_last_insert_rowid(sqlite_db(cn));
	rc = assign_in_job(cn, &j->a);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_user_snapshot, j->a.user_id, &user_json);
	if (!rc)
		rc = snapshot(cn, sql_assignment_snapshot, j->a.id, &assignment_json);
	if (rc)
		goto out;
	s = sqlite_stmt(cn, "SELECT json_object('user',json(?1),'assignment',json(?2))");
	bind_text(s, 1, user_json);
	bind_text(s, 2, assignment_json);
	if (sqlite3_step(s) == SQLITE_ROW)
		after = sqlite_col_str(s, 0);
	sqlite3_reset(s);
	snprintf(target, sizeof target, "user:%lld", (long long)j->a.user_id);
	rc = audit_put(cn, j->a.audit, target, j->a.ended_json, after);
	/* chatsync: the new person joins the chats of their role */
	if (!rc)
		rc = sqlite_chats_reconcile_user(cn, j->a.user_id, j->a.audit->now * 1000);
out:
	free(user_json);
	free(assignment_json);
	free(after);
	return rc;
}

int sqlite_org_person_create(struct store *st, const struct org_person_new *n,
			     const struct audit_entry *audit, int64_t *id_out, const char **field)
{
	struct person_job j = {.n = n,
			       .a = {.role = n->role,
				     .unit_id = n->unit_id,
				     .director = n->director,
				     .audit = audit,
				     .field = field}};
	set_field(field, NULL);
	int rc = sqlite_write(st, person_create_w, &j);
	free(j.a.ended_json);
	if (!rc)
		*id_out = j.a.user_id;
	return rc;
}

static int user_exists(struct sqlite_conn *cn, int64_t user_id)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, user_id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PERR_OK;
	return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
}

struct role_job {
	struct assign_args a;
	int64_t assignment_id;
	struct org_assignment *out;
};

static int role_assign_w(struct sqlite_conn *cn, void *arg)
{
	struct role_job *j = arg;
	char *after = NULL;
	char target[32];
	int rc = user_exists(cn, j->a.user_id);
	if (rc)
		goto out;
	rc = assign_in_job(cn, &j->a);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_assignment_snapshot, j->a.id, &after);
	if (rc)
		goto out;
	snprintf(target, sizeof target, "user:%lld", (long long)j->a.user_id);
	rc = audit_put(cn, j->a.audit, target, j->a.ended_json, after);
	if (rc)
		goto out;
	struct assignment_job g = {j->a.id, j->out};
	rc = assignment_get_r(cn, &g);
	/* chatsync: the person (and a curator this one replaced) change chats */
	if (!rc)
		rc = sqlite_chats_reconcile_user(cn, j->a.user_id, j->a.audit->now * 1000);
out:
	free(after);
	return rc;
}

int sqlite_org_role_assign(struct store *st, const struct org_role_new *n,
			   const struct audit_entry *audit, struct org_assignment *out,
			   const char **field)
{
	struct role_job j = {.a = {.user_id = n->user_id,
				   .role = n->role,
				   .unit_id = n->unit_id,
				   .director = n->director,
				   .audit = audit,
				   .field = field},
			     .out = out};
	set_field(field, NULL);
	memset(out, 0, sizeof *out);
	int rc = sqlite_write(st, role_assign_w, &j);
	free(j.a.ended_json);
	if (rc)
		org_assignment_clear(out);
	return rc;
}

/* Refuse ending an assignment that is gone or is the last platform administrator. */
static int role_end_check(struct sqlite_conn *cn, struct role_job *j)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT user_id,role,until IS NOT NULL AND until<=? "
					  "FROM role_assignments WHERE id=?");
	sqlite3_bind_int64(s, 1, j->a.audit->now);
	sqlite3_bind_int64(s, 2, j->assignment_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	int64_t owner = sqlite3_column_int64(s, 0);
	bool admin = strcmp((const char *)sqlite3_column_text(s, 1), "platform_admin") == 0;
	bool ended = sqlite3_column_int(s, 2) != 0;
	sqlite3_reset(s);
	if (owner != j->a.user_id)
		return PERR_NOT_FOUND;
	if (ended)
		return PERR_CONFLICT;
	if (!admin)
		return PERR_OK;
	int64_t others = 0;
	rc = count_of(cn, "SELECT COUNT(*) FROM role_assignments WHERE role='platform_admin' AND "
			  "id<>?1 AND (until IS NULL OR until>?2)", j->assignment_id, j->a.audit->now,
		      &others);
	if (rc)
		return rc;
	if (!others) {
		set_field(j->a.field, "role");
		return PERR_CONFLICT;
	}
	return PERR_OK;
}

static int role_end_w(struct sqlite_conn *cn, void *arg)
{
	struct role_job *j = arg;
	char *before = NULL, *after = NULL;
	char target[32];
	int rc = role_end_check(cn, j);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_assignment_snapshot, j->assignment_id, &before);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE role_assignments SET until=? WHERE id=?");
	sqlite3_bind_int64(s, 1, j->a.audit->now);
	sqlite3_bind_int64(s, 2, j->assignment_id);
	rc = step_done(cn, s);
	if (rc)
		goto out;
	rc = snapshot(cn, sql_assignment_snapshot, j->assignment_id, &after);
	if (rc)
		goto out;
	snprintf(target, sizeof target, "user:%lld", (long long)j->a.user_id);
	rc = audit_put(cn, j->a.audit, target, before, after);
	/* chatsync: the person leaves the chats of the ended role */
	if (!rc)
		rc = sqlite_chats_reconcile_user(cn, j->a.user_id, j->a.audit->now * 1000);
out:
	free(before);
	free(after);
	return rc;
}

int sqlite_org_role_end(struct store *st, int64_t user_id, int64_t assignment_id,
			const struct audit_entry *audit, const char **field)
{
	struct role_job j = {.a = {.user_id = user_id, .audit = audit, .field = field},
			     .assignment_id = assignment_id};
	set_field(field, NULL);
	return sqlite_write(st, role_end_w, &j);
}

/* ---- people: reads ---- */

struct person_get_job {
	int64_t id;
	struct org_person *out;
};

static int guardianships_collect(struct sqlite_conn *cn, sqlite3_stmt *s, struct org_person *p,
				 bool as_parent)
{
	int rc;
	size_t cap = p->nguardianships;
	sqlite3_bind_int64(s, 1, p->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->nguardianships == cap) {
			cap = cap ? cap * 2 : 4;
			p->guardianships = xrealloc(p->guardianships, cap * sizeof *p->guardianships);
		}
		struct org_guardianship *g = &p->guardianships[p->nguardianships++];
		memset(g, 0, sizeof *g);
		int64_t other = sqlite3_column_int64(s, 0);
		g->parent_id = as_parent ? p->id : other;
		g->student_id = as_parent ? other : p->id;
		g->name = sqlite_col_str(s, 1);
		g->confirmed = sqlite3_column_int(s, 2) != 0;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

static int person_get_r(struct sqlite_conn *cn, void *arg)
{
	struct person_get_job *j = arg;
	struct org_person *p = j->out;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT id,login,name FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, j->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	p->id = sqlite3_column_int64(s, 0);
	p->login = sqlite_col_str(s, 1);
	p->name = sqlite_col_str(s, 2);
	s = sqlite_stmt(cn, ASSIGNMENT_SELECT "WHERE ra.user_id=? ORDER BY ra.id DESC");
	sqlite3_bind_int64(s, 1, p->id);
	rc = assignments_collect(cn, s, &p->assignments);
	if (!rc)
		rc = guardianships_collect(
			cn, sqlite_stmt(cn, "SELECT g.student_id,u.name,g.confirmed_at IS NOT NULL FROM "
					    "guardianships g JOIN users u ON u.id=g.student_id WHERE "
					    "g.parent_id=? ORDER BY u.name,u.id"),
			p, true);
	if (!rc)
		rc = guardianships_collect(
			cn, sqlite_stmt(cn, "SELECT g.parent_id,u.name,g.confirmed_at IS NOT NULL FROM "
					    "guardianships g JOIN users u ON u.id=g.parent_id WHERE "
					    "g.student_id=? ORDER BY u.name,u.id"),
			p, false);
	if (rc)
		org_person_clear(p);
	return rc;
}

int sqlite_org_person_get(struct store *st, int64_t user_id, struct org_person *out)
{
	struct person_get_job j = {user_id, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, person_get_r, &j);
}

/* The people search's filter: ?1 unit (0: any), ?2 role ("" any), ?3 folded
 * text ("" any), ?4 now. A unit filter covers the unit's descendants. */
#define PEOPLE_SUB                                                                                \
	"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT o.id FROM org_units o JOIN sub ON "    \
	"o.parent_id=sub.id) "
#define PEOPLE_WHERE                                                                              \
	"WHERE ((?1=0 AND ?2='') OR EXISTS (SELECT 1 FROM role_assignments ra WHERE "             \
	"ra.user_id=u.id AND (?1=0 OR " RA_UNIT " IN (SELECT id FROM sub)) AND "                  \
	"(?2='' OR ra.role=?2) AND (ra.until IS NULL OR ra.until>?4))) AND "                      \
	"(?3='' OR instr(parta_fold(u.name||' '||u.login),?3)>0) "

static const char sql_people_count[] = PEOPLE_SUB "SELECT COUNT(*) FROM users u " PEOPLE_WHERE;
static const char sql_people_page[] = PEOPLE_SUB "SELECT u.id,u.login,u.name FROM users u "
	PEOPLE_WHERE "ORDER BY u.name,u.id LIMIT ?5 OFFSET ?6";

struct people_job {
	const struct org_people_query *q;
	struct org_people_list *out;
};

static void people_bind(sqlite3_stmt *s, const struct org_people_query *q)
{
	sqlite3_bind_int64(s, 1, q->unit_id);
	bind_text(s, 2, q->role == ROLE_NONE ? "" : role_name(q->role));
	bind_text(s, 3, q->q_folded ? q->q_folded : "");
	sqlite3_bind_int64(s, 4, q->now);
}

static int people_roles(struct sqlite_conn *cn, struct org_person_row *row, int64_t now)
{
	sqlite3_stmt *s = sqlite_stmt(cn, ASSIGNMENT_SELECT "WHERE ra.user_id=? AND "
							    "(ra.until IS NULL OR ra.until>?) ORDER BY ra.id");
	sqlite3_bind_int64(s, 1, row->id);
	sqlite3_bind_int64(s, 2, now);
	return assignments_collect(cn, s, &row->roles);
}

static int people_list_r(struct sqlite_conn *cn, void *arg)
{
	struct people_job *j = arg;
	struct org_people_list *l = j->out;
	int rc = ensure_fold(cn);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, sql_people_count);
	people_bind(s, j->q);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	l->total = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	s = sqlite_stmt(cn, sql_people_page);
	people_bind(s, j->q);
	sqlite3_bind_int64(s, 5, j->q->limit);
	sqlite3_bind_int64(s, 6, j->q->offset);
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->count == cap) {
			cap = cap ? cap * 2 : 16;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		struct org_person_row *row = &l->items[l->count++];
		memset(row, 0, sizeof *row);
		row->id = sqlite3_column_int64(s, 0);
		row->login = sqlite_col_str(s, 1);
		row->name = sqlite_col_str(s, 2);
	}
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	rc = PERR_OK;
	for (size_t i = 0; i < l->count && !rc; i++)
		rc = people_roles(cn, &l->items[i], j->q->now);
	return rc;
}

int sqlite_org_people_list(struct store *st, const struct org_people_query *q,
			   struct org_people_list *out)
{
	struct people_job j = {q, out};
	memset(out, 0, sizeof *out);
	int rc = sqlite_read(st, people_list_r, &j);
	if (rc)
		org_people_list_clear(out);
	return rc;
}

/* ---- audit search ---- */

struct audit_job {
	const struct org_audit_query *q;
	struct org_audit_list *out;
};

static int audit_list_r(struct sqlite_conn *cn, void *arg)
{
	struct audit_job *j = arg;
	const struct org_audit_query *q = j->q;
	struct org_audit_list *l = j->out;
	const char *action = q->action ? q->action : "";
	size_t alen = strlen(action);
	int rc = ensure_fold(cn);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(
		cn, "SELECT a.id,a.at,COALESCE(a.actor_id,0),u.name,a.action,a.target,a.before,"
		    "a.after,a.ip FROM audit_log a LEFT JOIN users u ON u.id=a.actor_id WHERE "
		    "(?1=0 OR a.actor_id=?1) AND "
		    "(?2='' OR a.action=?2 OR (?3 AND substr(a.action,1,length(?2))=?2)) AND "
		    "a.at>=?4 AND a.at<=?5 AND (?6=0 OR a.id<?6) AND "
		    "(?7='' OR instr(parta_fold(a.action||' '||a.target||' '||COALESCE(a.before,'')"
		    "||' '||COALESCE(a.after,'')),?7)>0) ORDER BY a.id DESC LIMIT ?8");
	sqlite3_bind_int64(s, 1, q->actor_id);
	bind_text(s, 2, action);
	sqlite3_bind_int(s, 3, alen > 0 && action[alen - 1] == '.');
	sqlite3_bind_int64(s, 4, q->from);
	sqlite3_bind_int64(s, 5, q->to);
	sqlite3_bind_int64(s, 6, q->before_id);
	bind_text(s, 7, q->q_folded ? q->q_folded : "");
	sqlite3_bind_int64(s, 8, q->limit + 1);
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((int64_t)l->count == q->limit) {
			l->more = true;
			break;
		}
		if (l->count == cap) {
			cap = cap ? cap * 2 : 16;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		struct org_audit_row *r = &l->items[l->count++];
		r->id = sqlite3_column_int64(s, 0);
		r->at = sqlite3_column_int64(s, 1);
		r->actor_id = sqlite3_column_int64(s, 2);
		r->actor_name = sqlite_col_str(s, 3);
		r->action = sqlite_col_str(s, 4);
		r->target = sqlite_col_str(s, 5);
		r->before_json = sqlite_col_str(s, 6);
		r->after_json = sqlite_col_str(s, 7);
		r->ip = sqlite_col_str(s, 8);
	}
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

int sqlite_org_audit_list(struct store *st, const struct org_audit_query *q,
			  struct org_audit_list *out)
{
	struct audit_job j = {q, out};
	memset(out, 0, sizeof *out);
	int rc = sqlite_read(st, audit_list_r, &j);
	if (rc)
		org_audit_list_clear(out);
	return rc;
}
