/* SPDX-License-Identifier: MIT */
/* SQLite side of the e-journal import (store_import_apply), the personal-link
 * export (store_import_invitees, store_import_invites_issue) and the demo
 * college (store_demo_seed). An import is ONE write job: every row runs in
 * its own savepoint inside it, so a row whose references do not resolve is
 * rolled back alone and reported, and the whole file costs one commit. A dry
 * run is the same job ending with a result that makes the writer roll the
 * job back: the checks a dry run reports are exactly those of the real run.
 * Imported people are users whose external_id is "<type>:<e-journal id>";
 * one without a login gets the placeholder login "ext:<external_id>", which
 * no normalized login can equal (those are e-mails or +digits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "domain/import.h"
#include "store/sqlite/sqlite_int.h"

#define IMP_NOTE "Импорт из электронного журнала"
/* Job results outside enum perr: the writer rolls back any non-zero result. */
#define IMP_DRY_RUN (-1)  /* the whole job: checked, now undo it */
#define IMP_SKIP (-2)     /* one row: reported in the plan, undo the row */

struct imp_ctx {
	struct sqlite_conn *cn;
	struct import_plan *plan;
	const struct import_options *opt;
	size_t row_branches;  /* branches the current row created */
};

static int imp__step(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

/* Run a one-shot statement that returns no rows and reset it. */
static int imp__run(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = imp__step(cn, s);
	sqlite3_reset(s);
	return rc;
}

static void imp__text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* 0 binds NULL (no actor, no unit, no year). */
static void imp__id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static int imp__exec(struct sqlite_conn *cn, const char *sql)
{
	int rc = sqlite3_exec(sqlite_db(cn), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? PERR_OK : sqlite_perr(cn, rc);
}

/* A single integer from a prepared query, 0 if it returns no row. */
static int imp__scalar(struct sqlite_conn *cn, sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* Report a problem of row r and skip it. */
static int imp__fail(struct imp_ctx *x, struct import_row *r, const char *field,
		     enum import_problem problem)
{
	import_plan_add_error(x->plan, r->line, field, problem, 0);
	r->bad = true;
	return IMP_SKIP;
}

/* ---- org units ---- */

static int imp__unit_insert(struct imp_ctx *x, const char *kind, int64_t parent, const char *name,
			    const char *code, int year, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO org_units(kind,parent_id,name,short_name,code,"
					     "enrolment_year,created_at) VALUES(?,?,?,'',?,?,?)");
	imp__text(s, 1, kind);
	imp__id(s, 2, parent);
	imp__text(s, 3, name);
	imp__text(s, 4, code);
	imp__id(s, 5, year);
	sqlite3_bind_int64(s, 6, x->opt->now);
	int rc = imp__run(x->cn, s);
	*id = rc ? 0 : sqlite3_last_insert_rowid(sqlite_db(x->cn));
	return rc;
}

/* The live study group with this code, 0 if none. */
static int imp__group_id(struct imp_ctx *x, const char *code, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id FROM org_units WHERE kind='study_group' AND "
					     "code=? AND archived_at IS NULL");
	imp__text(s, 1, code);
	return imp__scalar(x->cn, s, id);
}

/* The live branch (or, when departments is true, the branch or department)
 * directly under the college with this name; a branch is created if none. */
static int imp__site(struct imp_ctx *x, const char *name, bool departments, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id FROM org_units WHERE parent_id=1 AND name=? AND "
					     "archived_at IS NULL AND (kind='branch' OR (?2 AND "
					     "kind='department')) ORDER BY kind='branch' DESC,id LIMIT 1");
	imp__text(s, 1, name);
	sqlite3_bind_int(s, 2, departments);
	int rc = imp__scalar(x->cn, s, id);
	if (rc || *id)
		return rc;
	rc = imp__unit_insert(x, "branch", AUTHZ_COLLEGE_UNIT, name, NULL, 0, id);
	if (!rc)
		x->row_branches++;
	return rc;
}

static int imp__group(struct imp_ctx *x, struct import_row *r)
{
	int64_t parent = AUTHZ_COLLEGE_UNIT, id = 0, old_parent = 0, old_year = 0;
	char *old_name = NULL;
	int rc = PERR_OK;
	if (r->branch) {
		rc = imp__site(x, r->branch, false, &parent);
		if (rc)
			return rc;
	}
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id,parent_id,name,COALESCE(enrolment_year,0) FROM "
					     "org_units WHERE kind='study_group' AND code=? AND "
					     "archived_at IS NULL");
	imp__text(s, 1, r->group_code);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		old_parent = sqlite3_column_int64(s, 1);
		old_name = sqlite_col_str(s, 2);
		old_year = sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sqlite_perr(x->cn, step);
	if (!id) {
		rc = imp__unit_insert(x, "study_group", parent, r->group_name ? r->group_name : r->group_code,
				      r->group_code, r->enrolment_year, &id);
		if (!rc)
			x->plan->counts.groups++;
		return rc;
	}
	/* an empty name or year leaves the group's own */
	const char *name = r->group_name ? r->group_name : old_name;
	int64_t year = r->enrolment_year ? r->enrolment_year : old_year;
	if (parent == old_parent && strcmp(name, old_name) == 0 && year == old_year) {
		x->plan->counts.unchanged++;
		goto out;
	}
	s = sqlite_stmt(x->cn, "UPDATE org_units SET parent_id=?,name=?,enrolment_year=? WHERE id=?");
	sqlite3_bind_int64(s, 1, parent);
	imp__text(s, 2, name);
	imp__id(s, 3, year);
	sqlite3_bind_int64(s, 4, id);
	rc = imp__run(x->cn, s);
	if (!rc)
		x->plan->counts.updated++;
out:
	free(old_name);
	return rc;
}

/* ---- people ---- */

struct imp_person {
	int64_t id;              /* 0: not imported yet */
	char *login;
	char *name;
	bool has_password;
	bool has_record;         /* an import_people row exists */
	char *last, *first, *middle;
	char role[16];           /* the role the import manages */
	int64_t unit_id;
};

static void imp__person_clear(struct imp_person *p)
{
	free(p->login);
	free(p->name);
	free(p->last);
	free(p->first);
	free(p->middle);
	memset(p, 0, sizeof *p);
}

static int imp__person_load(struct imp_ctx *x, const char *key, struct imp_person *p)
{
	memset(p, 0, sizeof *p);
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT u.id,u.login,u.name,u.password_hash IS NOT NULL,"
					     "ip.user_id IS NOT NULL,ip.last_name,ip.first_name,"
					     "ip.middle_name,ip.role,COALESCE(ip.unit_id,0) FROM users u "
					     "LEFT JOIN import_people ip ON ip.user_id=u.id "
					     "WHERE u.external_id=?");
	imp__text(s, 1, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(s, 0);
		p->login = sqlite_col_str(s, 1);
		p->name = sqlite_col_str(s, 2);
		p->has_password = sqlite3_column_int(s, 3) != 0;
		p->has_record = sqlite3_column_int(s, 4) != 0;
		p->last = sqlite_col_str(s, 5);
		p->first = sqlite_col_str(s, 6);
		p->middle = sqlite_col_str(s, 7);
		const unsigned char *role = sqlite3_column_text(s, 8);
		snprintf(p->role, sizeof p->role, "%s", role ? (const char *)role : "");
		p->unit_id = sqlite3_column_int64(s, 9);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_OK : sqlite_perr(x->cn, rc);
}

static bool imp__same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int imp__record_upsert(struct imp_ctx *x, const struct import_row *r, int64_t uid,
			      const char *role, int64_t unit_id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO import_people(user_id,kind,last_name,first_name,"
					     "middle_name,role,unit_id,imported_at,updated_at) "
					     "VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(user_id) DO UPDATE "
					     "SET last_name=excluded.last_name,first_name=excluded."
					     "first_name,middle_name=excluded.middle_name,"
					     "updated_at=excluded.updated_at");
	sqlite3_bind_int64(s, 1, uid);
	imp__text(s, 2, import_type_name(r->type));
	imp__text(s, 3, r->last_name);
	imp__text(s, 4, r->first_name);
	imp__text(s, 5, r->middle_name);
	imp__text(s, 6, role);
	imp__id(s, 7, unit_id);
	sqlite3_bind_int64(s, 8, x->opt->now);
	sqlite3_bind_int64(s, 9, x->opt->now);
	return imp__run(x->cn, s);
}

/* The role and unit the import manages for a person. */
static int imp__record_role(struct imp_ctx *x, int64_t uid, const char *role, int64_t unit_id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE import_people SET role=?,unit_id=?,updated_at=? "
					     "WHERE user_id=?");
	imp__text(s, 1, role);
	imp__id(s, 2, unit_id);
	sqlite3_bind_int64(s, 3, x->opt->now);
	sqlite3_bind_int64(s, 4, uid);
	return imp__run(x->cn, s);
}

/* The login row r asks for, NULL to keep the person's: a person who already
 * chose a password keeps the login they log in with. IMP_SKIP if another
 * person holds it. */
static int imp__login(struct imp_ctx *x, struct import_row *r, const struct imp_person *p,
		      const char **login)
{
	*login = NULL;
	if (!r->login || (p->id && (p->has_password || imp__same(p->login, r->login))))
		return PERR_OK;
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id FROM users WHERE login=?");
	imp__text(s, 1, r->login);
	int64_t owner;
	int rc = imp__scalar(x->cn, s, &owner);
	if (rc)
		return rc;
	if (owner && owner != p->id)
		return imp__fail(x, r, "login", IMPORT_E_LOGIN_TAKEN);
	*login = r->login;
	return PERR_OK;
}

static int imp__person_create(struct imp_ctx *x, const struct import_row *r, const char *login,
			      const char *role, int64_t unit_id, struct imp_person *p)
{
	char placeholder[IMPORT_ID_MAX + 32];
	if (!login) {
		snprintf(placeholder, sizeof placeholder, "ext:%s", r->key);
		login = placeholder;
	}
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO users(login,name,password_hash,created_at,"
					     "password_changed_at,external_id) VALUES(?,?,?,?,?,?)");
	imp__text(s, 1, login);
	imp__text(s, 2, r->name);
	imp__text(s, 3, x->opt->password_hash);
	sqlite3_bind_int64(s, 4, x->opt->now);
	sqlite3_bind_int64(s, 5, x->opt->now);
	imp__text(s, 6, r->key);
	int rc = imp__run(x->cn, s);
	if (rc)
		return rc;
	p->id = sqlite3_last_insert_rowid(sqlite_db(x->cn));
	return imp__record_upsert(x, r, p->id, role, unit_id);
}

/* Create or update the person of row r (names, login); role and unit_id are
 * recorded for a new person. Sets *created, or *changed when an existing
 * person's name or login changed. p is loaded (caller clears it). */
static int imp__person(struct imp_ctx *x, struct import_row *r, const char *role, int64_t unit_id,
		       struct imp_person *p, bool *created, bool *changed)
{
	const char *login;
	int rc = imp__person_load(x, r->key, p);
	if (rc)
		return rc;
	rc = imp__login(x, r, p, &login);
	if (rc)
		return rc;
	if (!p->id) {
		*created = true;
		return imp__person_create(x, r, login, role, unit_id, p);
	}
	bool renamed = p->has_record ? !imp__same(p->last, r->last_name) ||
					       !imp__same(p->first, r->first_name) ||
					       !imp__same(p->middle, r->middle_name)
				     : !imp__same(p->name, r->name);
	if (renamed || login) {
		sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE users SET name=?,login=COALESCE(?,login) "
						     "WHERE id=?");
		imp__text(s, 1, r->name);
		imp__text(s, 2, login);
		sqlite3_bind_int64(s, 3, p->id);
		rc = imp__run(x->cn, s);
		if (rc)
			return rc;
		*changed = true;
	}
	if (renamed || !p->has_record)
		rc = imp__record_upsert(x, r, p->id, role, unit_id);
	return rc;
}

/* ---- roles and movements ---- */

static int imp__assign(struct imp_ctx *x, int64_t uid, const char *role, int64_t unit_id,
		       bool director)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO role_assignments(user_id,role,unit_id,since,"
					     "created_by,director) VALUES(?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, uid);
	imp__text(s, 2, role);
	imp__id(s, 3, unit_id);
	sqlite3_bind_int64(s, 4, x->opt->now);
	imp__id(s, 5, x->opt->actor_id);
	sqlite3_bind_int(s, 6, director);
	return imp__run(x->cn, s);
}

/* End the person's active assignments of role in unit_id. */
static int imp__unassign(struct imp_ctx *x, int64_t uid, const char *role, int64_t unit_id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE role_assignments SET until=?1 WHERE user_id=?2 AND "
					     "role=?3 AND COALESCE(unit_id,1)=?4 AND (until IS NULL OR "
					     "until>?1)");
	sqlite3_bind_int64(s, 1, x->opt->now);
	sqlite3_bind_int64(s, 2, uid);
	imp__text(s, 3, role);
	sqlite3_bind_int64(s, 4, unit_id);
	return imp__run(x->cn, s);
}

static int imp__holds(struct imp_ctx *x, int64_t uid, const char *role, int64_t unit_id, bool *yes)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT 1 FROM role_assignments WHERE user_id=?2 AND "
					     "role=?3 AND COALESCE(unit_id,1)=?4 AND (until IS NULL OR "
					     "until>?1) LIMIT 1");
	sqlite3_bind_int64(s, 1, x->opt->now);
	sqlite3_bind_int64(s, 2, uid);
	imp__text(s, 3, role);
	sqlite3_bind_int64(s, 4, unit_id);
	int64_t one;
	int rc = imp__scalar(x->cn, s, &one);
	*yes = one != 0;
	return rc;
}

/* The unit of the person's newest active assignment of role, 0 if none. */
static int imp__current_unit(struct imp_ctx *x, int64_t uid, const char *role, int64_t *unit_id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT COALESCE(unit_id,1) FROM role_assignments WHERE "
					     "user_id=?2 AND role=?3 AND (until IS NULL OR until>?1) "
					     "ORDER BY id DESC LIMIT 1");
	sqlite3_bind_int64(s, 1, x->opt->now);
	sqlite3_bind_int64(s, 2, uid);
	imp__text(s, 3, role);
	return imp__scalar(x->cn, s, unit_id);
}

static int imp__movement(struct imp_ctx *x, int64_t uid, const char *kind, const char *role,
			 int64_t from, int64_t to)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO movements(user_id,kind,role,from_unit_id,"
					     "to_unit_id,effective_date,note,created_by,created_at) "
					     "VALUES(?,?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, uid);
	imp__text(s, 2, kind);
	imp__text(s, 3, role);
	imp__id(s, 4, from);
	imp__id(s, 5, to);
	imp__text(s, 6, x->opt->today);
	imp__text(s, 7, IMP_NOTE);
	imp__id(s, 8, x->opt->actor_id);
	sqlite3_bind_int64(s, 9, x->opt->now);
	return imp__run(x->cn, s);
}

/* After a student moved from one group to another, their confirmed parents
 * follow: parent of the new group, and no longer of the old one unless
 * another of their children is still there. */
static int imp__guardians_follow(struct imp_ctx *x, int64_t student, int64_t from, int64_t to)
{
	int64_t *parents = NULL;
	size_t n = 0, cap = 0;
	int rc = PERR_OK, step;
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT parent_id FROM guardianships WHERE student_id=? "
					     "AND confirmed_at IS NOT NULL");
	sqlite3_bind_int64(s, 1, student);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			parents = xrealloc(parents, cap * sizeof *parents);
		}
		parents[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (step != SQLITE_DONE) {
		rc = sqlite_perr(x->cn, step);
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		int64_t other;
		bool holds;
		s = sqlite_stmt(x->cn, "SELECT 1 FROM guardianships g JOIN role_assignments ra ON "
				       "ra.user_id=g.student_id AND ra.role='student' AND "
				       "COALESCE(ra.unit_id,1)=?4 AND (ra.until IS NULL OR ra.until>?1) "
				       "WHERE g.parent_id=?2 AND g.student_id<>?3 AND "
				       "g.confirmed_at IS NOT NULL LIMIT 1");
		sqlite3_bind_int64(s, 1, x->opt->now);
		sqlite3_bind_int64(s, 2, parents[i]);
		sqlite3_bind_int64(s, 3, student);
		sqlite3_bind_int64(s, 4, from);
		rc = imp__scalar(x->cn, s, &other);
		if (!rc && !other)
			rc = imp__unassign(x, parents[i], "parent", from);
		if (!rc)
			rc = imp__holds(x, parents[i], "parent", to, &holds);
		if (!rc && !holds)
			rc = imp__assign(x, parents[i], "parent", to, false);
	}
out:
	free(parents);
	return rc;
}

/* ---- rows ---- */

static void imp__count(struct imp_ctx *x, bool created, bool changed, size_t *created_count)
{
	if (created)
		(*created_count)++;
	else if (changed)
		x->plan->counts.updated++;
	else
		x->plan->counts.unchanged++;
}

/* The unit the import last gave the person in role, 0 if none (or not known). */
static int64_t imp__recorded(const struct imp_person *p, const char *role)
{
	return p->has_record && strcmp(p->role, role) == 0 ? p->unit_id : 0;
}

/* A student. The file is compared with what the import recorded, not with
 * the current assignments: a student the college moved since (leave,
 * expulsion, a transfer recorded in Parta) stays where Parta put them until
 * the e-journal itself says something new. */
static int imp__student(struct imp_ctx *x, struct import_row *r)
{
	struct imp_person p = {0};
	bool created = false, changed = false;
	int64_t group, current = 0;
	int rc = imp__group_id(x, r->group_code, &group);
	if (rc)
		return rc;
	if (!group)
		return imp__fail(x, r, "group_code", IMPORT_E_UNKNOWN_GROUP);
	rc = imp__person(x, r, "student", group, &p, &created, &changed);
	if (rc || (!created && imp__recorded(&p, "student") == group))
		goto done;
	if (!created) {
		rc = imp__record_role(x, p.id, "student", group);
		if (!rc)
			rc = imp__current_unit(x, p.id, "student", &current);
		if (rc || current == group)
			goto done;  /* already there: only the record was behind */
		changed = true;
	}
	if (current)
		rc = imp__unassign(x, p.id, "student", current);
	if (!rc)
		rc = imp__assign(x, p.id, "student", group, false);
	if (!rc)
		rc = imp__movement(x, p.id, current ? "transfer" : "enrolment", "student", current, group);
	if (!rc && current)
		rc = imp__guardians_follow(x, p.id, current, group);
done:
	if (!rc)
		imp__count(x, created, changed, &x->plan->counts.students);
	imp__person_clear(&p);
	return rc;
}

/* A parent's children: their user ids and active groups (0: none). */
static int imp__children(struct imp_ctx *x, struct import_row *r, int64_t *kids, int64_t *groups)
{
	for (size_t i = 0; i < r->nchildren; i++) {
		char key[IMPORT_ID_MAX + 16];
		snprintf(key, sizeof key, "student:%s", r->children[i]);
		sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id FROM users WHERE external_id=?");
		imp__text(s, 1, key);
		int rc = imp__scalar(x->cn, s, &kids[i]);
		if (rc)
			return rc;
		if (!kids[i])
			return imp__fail(x, r, "student_external_id", IMPORT_E_UNKNOWN_STUDENT);
		rc = imp__current_unit(x, kids[i], "student", &groups[i]);
		if (rc)
			return rc;
	}
	return PERR_OK;
}

/* The guardianship, confirmed (an unconfirmed request becomes confirmed).
 * *added: it is new or newly confirmed. */
static int imp__guardianship(struct imp_ctx *x, int64_t parent, int64_t student, bool *added)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO guardianships(parent_id,student_id,created_at,"
					     "confirmed_by,confirmed_at) VALUES(?1,?2,?3,?4,?3) "
					     "ON CONFLICT(parent_id,student_id) DO UPDATE SET "
					     "confirmed_at=excluded.confirmed_at,confirmed_by=excluded."
					     "confirmed_by WHERE confirmed_at IS NULL");
	sqlite3_bind_int64(s, 1, parent);
	sqlite3_bind_int64(s, 2, student);
	sqlite3_bind_int64(s, 3, x->opt->now);
	imp__id(s, 4, x->opt->actor_id);
	int rc = imp__run(x->cn, s);
	*added = !rc && sqlite3_changes(sqlite_db(x->cn)) > 0;
	return rc;
}

static int imp__parent(struct imp_ctx *x, struct import_row *r)
{
	struct imp_person p = {0};
	int64_t kids[IMPORT_CHILDREN_MAX], groups[IMPORT_CHILDREN_MAX], group;
	bool created = false, changed = false;
	int rc = imp__children(x, r, kids, groups);
	if (rc)
		return rc;
	if (r->group_code) {
		rc = imp__group_id(x, r->group_code, &group);
		if (rc)
			return rc;
		if (!group)
			return imp__fail(x, r, "group_code", IMPORT_E_UNKNOWN_GROUP);
	}
	rc = imp__person(x, r, "parent", groups[0], &p, &created, &changed);
	for (size_t i = 0; i < r->nchildren && !rc; i++) {
		bool added, holds = true;
		rc = imp__guardianship(x, p.id, kids[i], &added);
		if (!rc && groups[i])
			rc = imp__holds(x, p.id, "parent", groups[i], &holds);
		if (!rc && !holds)
			rc = imp__assign(x, p.id, "parent", groups[i], false);
		if (added || !holds)
			changed = true;
	}
	if (!rc)
		imp__count(x, created, changed, &x->plan->counts.parents);
	imp__person_clear(&p);
	return rc;
}

/* A staff row's unit: a curator's group, the named branch or department, or
 * the college. */
static int imp__staff_unit(struct imp_ctx *x, struct import_row *r, int64_t *unit_id)
{
	*unit_id = AUTHZ_COLLEGE_UNIT;
	if (r->staff_role == ROLE_CURATOR) {
		int rc = imp__group_id(x, r->group_code, unit_id);
		if (rc)
			return rc;
		return *unit_id ? PERR_OK : imp__fail(x, r, "group_code", IMPORT_E_UNKNOWN_GROUP);
	}
	return r->branch ? imp__site(x, r->branch, true, unit_id) : PERR_OK;
}

/* A staff member: compared with the role and unit the import recorded, like
 * a student (a dismissal recorded in Parta stands). */
static int imp__staff(struct imp_ctx *x, struct import_row *r)
{
	struct imp_person p = {0};
	const char *role = role_name(r->staff_role);
	bool created = false, changed = false, holds = false, old = false;
	int64_t unit;
	int rc = imp__staff_unit(x, r, &unit);
	if (rc)
		return rc;
	rc = imp__person(x, r, role, unit, &p, &created, &changed);
	if (rc || (!created && imp__recorded(&p, role) == unit))
		goto done;
	if (!created) {
		rc = imp__holds(x, p.id, role, unit, &holds);
		/* the role the import gave before, if still held, is the one that moves */
		if (!rc && !holds && p.role[0] && p.unit_id)
			rc = imp__holds(x, p.id, p.role, p.unit_id, &old);
		if (!rc)
			rc = imp__record_role(x, p.id, role, unit);
		if (rc || holds)
			goto done;
		changed = true;
	}
	if (old)
		rc = imp__unassign(x, p.id, p.role, p.unit_id);
	if (!rc)
		rc = imp__assign(x, p.id, role, unit, false);
	if (!rc)
		rc = imp__movement(x, p.id, old ? "staff_transfer" : "hiring", role, old ? p.unit_id : 0,
				   unit);
done:
	if (!rc)
		imp__count(x, created, changed, &x->plan->counts.staff);
	imp__person_clear(&p);
	return rc;
}

/* Groups first, then staff and students (curators and students need their
 * groups), then parents (who need their children). */
static int imp__rows(struct imp_ctx *x)
{
	static const unsigned passes[] = {
		1u << IMPORT_GROUP,
		(1u << IMPORT_STAFF) | (1u << IMPORT_STUDENT),
		1u << IMPORT_PARENT,
	};
	for (size_t pass = 0; pass < sizeof passes / sizeof passes[0]; pass++) {
		for (size_t i = 0; i < x->plan->nrows; i++) {
			struct import_row *r = &x->plan->rows[i];
			if (r->bad || !(passes[pass] & (1u << r->type)))
				continue;
			int rc = imp__exec(x->cn, "SAVEPOINT import_row");
			if (rc)
				return rc;
			x->row_branches = 0;
			switch (r->type) {
			case IMPORT_GROUP:
				rc = imp__group(x, r);
				break;
			case IMPORT_STUDENT:
				rc = imp__student(x, r);
				break;
			case IMPORT_PARENT:
				rc = imp__parent(x, r);
				break;
			default:
				rc = imp__staff(x, r);
				break;
			}
			if (rc)
				imp__exec(x->cn, "ROLLBACK TO import_row");
			imp__exec(x->cn, "RELEASE import_row");
			if (rc && rc != IMP_SKIP)
				return rc;
			if (!rc)
				x->plan->counts.branches += x->row_branches;
		}
	}
	return PERR_OK;
}

static int imp__audit(struct imp_ctx *x, const char *action)
{
	const struct import_counts *c = &x->plan->counts;
	char after[512];
	snprintf(after, sizeof after,
		 "{\"rows\":%zu,\"created\":{\"groups\":%zu,\"students\":%zu,\"parents\":%zu,"
		 "\"staff\":%zu,\"branches\":%zu},\"updated\":%zu,\"unchanged\":%zu,\"skipped\":%zu}",
		 c->rows, c->groups, c->students, c->parents, c->staff, c->branches, c->updated,
		 c->unchanged, c->skipped);
	struct audit_entry e = {.actor_id = x->opt->actor_id,
				.action = action,
				.target = "import",
				.after_json = after,
				.ip = x->opt->ip,
				.now = x->opt->now};
	return sqlite_audit_insert(x->cn, &e);
}

static void imp__reset_counts(struct import_plan *plan)
{
	struct import_counts *c = &plan->counts;
	c->groups = c->students = c->parents = c->staff = c->branches = 0;
	c->updated = c->unchanged = 0;
}

struct imp_job {
	struct import_plan *plan;
	const struct import_options *opt;
	const struct demo_seed *demo;
};

/* Every mandatory chat (group, parents', «Преподаватели») follows the
 * structure the import changed, in the same transaction; a file that changed
 * nothing has nothing to reconcile. */
static int imp__chats(struct imp_ctx *x)
{
	const struct import_counts *c = &x->plan->counts;
	if (!c->groups && !c->students && !c->parents && !c->staff && !c->branches && !c->updated)
		return PERR_OK;
	return sqlite_chats_reconcile_all(x->cn, x->opt->now * 1000);
}

static int import_w(struct sqlite_conn *cn, void *arg)
{
	struct imp_job *j = arg;
	struct imp_ctx x = {cn, j->plan, j->opt, 0};
	int rc = imp__rows(&x);
	if (rc)
		return rc;
	if (j->opt->dry_run)
		return IMP_DRY_RUN;
	rc = imp__chats(&x);
	if (rc)
		return rc;
	import_plan_finish(j->plan);
	return imp__audit(&x, "import.apply");
}

int sqlite_import_apply(struct store *st, struct import_plan *plan, const struct import_options *opt)
{
	struct imp_job j = {plan, opt, NULL};
	imp__reset_counts(plan);
	int rc = sqlite_write(st, import_w, &j);
	if (rc == IMP_DRY_RUN)
		rc = PERR_OK;
	import_plan_finish(plan);
	return rc;
}

/* ---- the personal-link export ---- */

void import_invitee_list_clear(struct import_invitee_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		struct import_invitee *v = &l->items[i];
		free(v->last_name);
		free(v->first_name);
		free(v->middle_name);
		free(v->group_code);
		free(v->login);
	}
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

struct invitees_job {
	int64_t unit_id;
	int64_t now;
	struct import_invitee_list *out;
};

/* Each person's link carries their imported role if they still hold it in
 * scope, else their oldest active role in scope. */
static const char sql_invitees[] =
	"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT o.id FROM org_units o JOIN sub ON "
	"o.parent_id=sub.id), "
	"p AS (SELECT u.id AS uid,ip.last_name,ip.first_name,ip.middle_name,"
	"CASE WHEN u.login='ext:'||u.external_id THEN NULL ELSE u.login END AS login,"
	"COALESCE((SELECT r2.id FROM role_assignments r2 WHERE r2.user_id=u.id AND r2.role=ip.role "
	"AND (r2.until IS NULL OR r2.until>?2) AND (?1=0 OR COALESCE(r2.unit_id,1) IN sub) "
	"ORDER BY r2.id LIMIT 1),"
	"(SELECT r2.id FROM role_assignments r2 WHERE r2.user_id=u.id AND "
	"r2.role<>'platform_admin' AND (r2.until IS NULL OR r2.until>?2) AND "
	"(?1=0 OR COALESCE(r2.unit_id,1) IN sub) ORDER BY r2.id LIMIT 1)) AS ra_id "
	"FROM import_people ip JOIN users u ON u.id=ip.user_id "
	"WHERE u.password_hash IS NULL AND u.disabled=0) "
	"SELECT p.uid,p.last_name,p.first_name,p.middle_name,ra.role,COALESCE(ra.unit_id,1),g.code,"
	"p.login FROM p JOIN role_assignments ra ON ra.id=p.ra_id "
	"LEFT JOIN org_units g ON g.id=ra.unit_id AND g.kind='study_group' "
	"ORDER BY g.code IS NULL,g.code,p.last_name,p.first_name,p.middle_name,p.uid";

static int invitees_r(struct sqlite_conn *cn, void *arg)
{
	struct invitees_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, sql_invitees);
	sqlite3_bind_int64(s, 1, j->unit_id);
	sqlite3_bind_int64(s, 2, j->now);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct import_invitee_list *l = j->out;
		if (l->count == cap) {
			cap = cap ? cap * 2 : 64;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		struct import_invitee *v = &l->items[l->count++];
		memset(v, 0, sizeof *v);
		v->user_id = sqlite3_column_int64(s, 0);
		v->last_name = sqlite_col_str(s, 1);
		v->first_name = sqlite_col_str(s, 2);
		v->middle_name = sqlite_col_str(s, 3);
		const unsigned char *role = sqlite3_column_text(s, 4);
		snprintf(v->role, sizeof v->role, "%s", role ? (const char *)role : "");
		v->unit_id = sqlite3_column_int64(s, 5);
		v->group_code = sqlite_col_str(s, 6);
		v->login = sqlite_col_str(s, 7);
	}
	if (rc != SQLITE_DONE) {
		import_invitee_list_clear(j->out);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_import_invitees(struct store *st, int64_t unit_id, int64_t now,
			   struct import_invitee_list *out)
{
	struct invitees_job j = {unit_id, now, out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, invitees_r, &j);
}

static int invites_issue_w(struct sqlite_conn *cn, void *arg)
{
	const struct import_invite_batch *b = arg;
	int64_t now = b->audit.now;
	int rc = PERR_OK;
	for (size_t i = 0; i < b->count && !rc; i++) {
		const struct import_invite_new *n = &b->items[i];
		sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE invites SET revoked_at=? WHERE "
						  "personal_user_id=? AND revoked_at IS NULL");
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_int64(s, 2, n->user_id);
		rc = imp__run(cn, s);
		if (rc)
			break;
		s = sqlite_stmt(cn, "INSERT INTO invites(token_hash,token_sealed,role,unit_id,created_by,"
				    "created_at,expires_at,max_uses,uses,needs_approval,note,"
				    "personal_name,personal_user_id) VALUES(?,?,?,?,?,?,?,1,0,0,'',?,?)");
		sqlite3_bind_blob(s, 1, n->token_hash, STORE_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 2, n->token_sealed, (int)n->token_sealed_len, SQLITE_TRANSIENT);
		imp__text(s, 3, n->role);
		sqlite3_bind_int64(s, 4, n->unit_id);
		sqlite3_bind_int64(s, 5, b->audit.actor_id);
		sqlite3_bind_int64(s, 6, now);
		sqlite3_bind_int64(s, 7, b->expires_at);
		imp__text(s, 8, n->personal_name);
		sqlite3_bind_int64(s, 9, n->user_id);
		rc = imp__run(cn, s);
	}
	if (rc)
		return rc;
	char target[40], after[96];
	if (b->unit_id)
		snprintf(target, sizeof target, "unit:%lld", (long long)b->unit_id);
	else
		snprintf(target, sizeof target, "college");
	snprintf(after, sizeof after, "{\"links\":%zu,\"unit_id\":%lld}", b->count,
		 (long long)b->unit_id);
	struct audit_entry e = b->audit;
	e.action = "import.export_invitations";
	e.target = target;
	e.before_json = NULL;
	e.after_json = after;
	return sqlite_audit_insert(cn, &e);
}

int sqlite_import_invites_issue(struct store *st, const struct import_invite_batch *b)
{
	return sqlite_write(st, invites_issue_w, (void *)b);
}

/* ---- the demo college ---- */

static int demo__college(struct imp_ctx *x, const struct demo_seed *d)
{
	int64_t units;
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT COUNT(*) FROM org_units WHERE id<>1");
	int rc = imp__scalar(x->cn, s, &units);
	if (rc)
		return rc;
	if (units)
		return PERR_CONFLICT;
	s = sqlite_stmt(x->cn, "UPDATE org_units SET name=?,short_name=?,details=? WHERE id=1");
	imp__text(s, 1, d->college_name);
	imp__text(s, 2, d->college_short_name);
	imp__text(s, 3, d->college_details_json);
	rc = imp__run(x->cn, s);
	for (const char *const *dep = d->departments; !rc && dep && *dep; dep++) {
		int64_t id;
		rc = imp__unit_insert(x, "department", AUTHZ_COLLEGE_UNIT, *dep, NULL, 0, &id);
	}
	if (rc)
		return rc;
	s = sqlite_stmt(x->cn, "INSERT INTO users(login,name,password_hash,created_at,"
			       "password_changed_at) VALUES(?,?,?,?,?)");
	imp__text(s, 1, d->admin_login);
	imp__text(s, 2, d->admin_name);
	imp__text(s, 3, x->opt->password_hash);
	sqlite3_bind_int64(s, 4, x->opt->now);
	sqlite3_bind_int64(s, 5, x->opt->now);
	rc = imp__run(x->cn, s);
	if (rc)
		return rc;
	return imp__assign(x, sqlite3_last_insert_rowid(sqlite_db(x->cn)), "platform_admin", 0, false);
}

static int demo__user(struct imp_ctx *x, const char *key, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id FROM users WHERE external_id=?");
	imp__text(s, 1, key);
	int rc = imp__scalar(x->cn, s, id);
	return rc ? rc : *id ? PERR_OK : PERR_INVALID;
}

/* The director flag and the curators of the groups. */
static int demo__roles(struct imp_ctx *x, const struct demo_seed *d)
{
	int64_t uid, group;
	int rc = demo__user(x, d->director_key, &uid);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE role_assignments SET director=1 WHERE user_id=? "
					     "AND role='administration' AND until IS NULL");
	sqlite3_bind_int64(s, 1, uid);
	rc = imp__run(x->cn, s);
	if (!rc && sqlite3_changes(sqlite_db(x->cn)) == 0)
		rc = PERR_INVALID;
	for (size_t i = 0; i < d->ncurators && !rc; i++) {
		rc = demo__user(x, d->curators[i].staff_key, &uid);
		if (!rc)
			rc = imp__group_id(x, d->curators[i].group_code, &group);
		if (!rc && !group)
			rc = PERR_INVALID;
		if (!rc)
			rc = imp__assign(x, uid, "curator", group, false);
	}
	return rc;
}

static int demo_w(struct sqlite_conn *cn, void *arg)
{
	struct imp_job *j = arg;
	struct imp_ctx x = {cn, j->plan, j->opt, 0};
	int rc = demo__college(&x, j->demo);
	if (!rc)
		rc = imp__rows(&x);
	for (size_t i = 0; !rc && i < j->plan->nrows; i++)
		if (j->plan->rows[i].bad)
			rc = PERR_INVALID;
	if (!rc)
		rc = demo__roles(&x, j->demo);
	/* the demo college gets its mandatory chats */
	if (!rc)
		rc = imp__chats(&x);
	if (rc)
		return rc;
	import_plan_finish(j->plan);
	return imp__audit(&x, "demo.seed");
}

int sqlite_demo_seed(struct store *st, const struct demo_seed *d, struct import_plan *plan,
		     const struct import_options *opt)
{
	struct imp_job j = {plan, opt, d};
	imp__reset_counts(plan);
	int rc = sqlite_write(st, demo_w, &j);
	import_plan_finish(plan);
	return rc;
}
