/* SPDX-License-Identifier: MIT */
/* SQLite side of the mandatory chats (rules in domain/chat_sync.h, the whole
 * in docs/internals/mandatory-chats.md): inside the write job that changed the
 * structure, compute the members every mandatory chat concerned should have,
 * compare with the members it has and apply the difference through the chat
 * core's primitives (sqlite_chat_member_add / _remove), so that every change
 * is an event with the chat's next seq, published to live clients after the
 * commit. Only members with source='system' are ever changed. Missing chats
 * are created, chats of archived units archived (they stay readable), and
 * revived when the unit is restored. Set-based: a handful of queries per
 * study group and per reconciliation of the teachers' chats, whatever the
 * number of people. Writer thread only (inside a sqlite_write job), except
 * sqlite_chats_reconcile_start which queues its own job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "domain/chat_sync.h"
#include "store/sqlite/sqlite_int.h"

/* One reconciliation: the connection, the time of the events (unix ms) and
 * the instant, in the role assignments' unix seconds, at which an assignment
 * must still be open to count (until NULL or later). */
struct cs_ctx {
	struct sqlite_conn *cn;
	int64_t at_ms;
	int64_t now_s;
};

static int cs__done(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

/* Append a system event (author 0) whose data is the JSON object in b. */
static int cs__event(struct cs_ctx *x, int64_t chat_id, const char *kind, int64_t subject_id,
		     struct buf *b)
{
	int64_t seq = 0;
	return sqlite_chat_event_append(x->cn, chat_id, kind, 0, subject_id, NULL, b->data, x->at_ms,
					&seq);
}

/* ---- one chat: its present members, the difference, applying it ---- */

static int cs__members_load(struct cs_ctx *x, int64_t chat_id, struct chat_sync_set *have)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT user_id,role,source<>'system' FROM chat_members "
					     "WHERE chat_id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		chat_sync_set_add(have, sqlite3_column_int64(s, 0),
				  chat_sync_role_parse((const char *)sqlite3_column_text(s, 1)),
				  sqlite3_column_int(s, 2) != 0);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(x->cn, rc);
}

/* A system member's role follows the structure (a teacher who became the
 * group's curator is made admin): "member.role" {user_id, role}. */
static int cs__member_set_role(struct cs_ctx *x, int64_t chat_id, int64_t user_id,
			       enum chat_sync_role role)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE chat_members SET role=? WHERE chat_id=? AND "
					     "user_id=? AND source='system'");
	sqlite3_bind_text(s, 1, chat_sync_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, chat_id);
	sqlite3_bind_int64(s, 3, user_id);
	int rc = cs__done(x->cn, s);
	if (rc)
		return rc;
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_int(&w, "user_id", user_id);
	jw_kv_string(&w, "role", chat_sync_role_name(role));
	jw_object_end(&w);
	rc = cs__event(x, chat_id, "member.role", user_id, &b);
	buf_free(&b);
	return rc;
}

/* Bring chat_id's system members to want (sorted in place, kept); roles
 * too if set_roles (see chat_sync_diff_compute). */
static int cs__apply(struct cs_ctx *x, int64_t chat_id, struct chat_sync_set *want, bool set_roles)
{
	struct chat_sync_set have = {0};
	struct chat_sync_diff d = {0};
	int rc = cs__members_load(x, chat_id, &have);
	if (rc)
		goto out;
	chat_sync_diff_compute(want, &have, set_roles, &d);
	for (size_t i = 0; i < d.count && !rc; i++) {
		const struct chat_sync_change *c = &d.items[i];
		switch (c->op) {
		case CHAT_SYNC_REMOVE:
			rc = sqlite_chat_member_remove(x->cn, chat_id, c->user_id, 0, x->at_ms);
			break;
		case CHAT_SYNC_SET_ROLE:
			rc = cs__member_set_role(x, chat_id, c->user_id, c->role);
			break;
		case CHAT_SYNC_ADD:
			rc = sqlite_chat_member_add(x->cn, chat_id, c->user_id,
						    chat_sync_role_name(c->role), "system", 0, x->at_ms);
			break;
		}
	}
out:
	chat_sync_set_clear(&have);
	chat_sync_diff_clear(&d);
	return rc;
}

/* ---- chats themselves: create, rename, archive, revive ---- */

/* A new mandatory chat, created by the system (created_by NULL). Like every
 * chat it has no event of its own: its log starts with its first member. */
static int cs__chat_create(struct cs_ctx *x, enum chat_sync_kind kind, int64_t unit_id,
			   const char *title, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "INSERT INTO chats(kind,mandatory,unit_id,title,sync_title,"
					     "post_policy,add_policy,created_at) "
					     "VALUES('group',?1,?2,?3,?3,'all','admins',?4)");
	sqlite3_bind_text(s, 1, chat_sync_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, unit_id);
	sqlite3_bind_text(s, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, x->now_s);  /* chats' times are unix seconds */
	int rc = cs__done(x->cn, s);
	if (!rc)
		*id = sqlite3_last_insert_rowid(sqlite_db(x->cn));
	return rc;
}

/* The structure renamed the chat's unit: the chat takes the new title (over
 * any rename by its admins) and remembers it as the system's. */
static int cs__chat_retitle(struct cs_ctx *x, int64_t chat_id, const char *title)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE chats SET title=?1,sync_title=?1 WHERE id=?2");
	sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, chat_id);
	int rc = cs__done(x->cn, s);
	if (rc)
		return rc;
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "title", title);
	jw_object_end(&w);
	rc = cs__event(x, chat_id, "chat.updated", 0, &b);
	buf_free(&b);
	return rc;
}

/* Archive (the unit was archived: "reason":"unit_archived", which is how a
 * restore recognizes the chats to revive) or revive a chat. Members stay:
 * an archived chat is read-only and stays readable to them. */
static int cs__chat_archive(struct cs_ctx *x, int64_t chat_id, bool archived)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "UPDATE chats SET archived_at=? WHERE id=?");
	if (archived)
		sqlite3_bind_int64(s, 1, x->now_s);
	sqlite3_bind_int64(s, 2, chat_id);
	int rc = cs__done(x->cn, s);
	if (rc)
		return rc;
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, archived ? "{\"archived\":true,\"reason\":\"unit_archived\"}"
				: "{\"archived\":false,\"reason\":\"unit_restored\"}");
	rc = cs__event(x, chat_id, "chat.updated", 0, &b);
	buf_free(&b);
	return rc;
}

/* The live chat of kind for unit_id into *id, titled title if the system's
 * title for it changed (the unit was renamed; a rename by the chat's admins
 * stands otherwise). If there is none: with create, revive the newest
 * archived one or else create one; without, *id = 0. */
static int cs__chat_ensure(struct cs_ctx *x, enum chat_sync_kind kind, int64_t unit_id,
			   const char *title, bool create, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id,archived_at IS NOT NULL,"
					     "COALESCE(sync_title,title)=?3 FROM chats "
					     "WHERE mandatory=?1 AND unit_id=?2 "
					     "ORDER BY archived_at IS NOT NULL,id DESC LIMIT 1");
	sqlite3_bind_text(s, 1, chat_sync_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, unit_id);
	sqlite3_bind_text(s, 3, title, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*id = 0;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return create ? cs__chat_create(x, kind, unit_id, title, id) : PERR_OK;
	}
	if (rc != SQLITE_ROW)
		return sqlite_perr(x->cn, rc);
	int64_t found = sqlite3_column_int64(s, 0);
	bool archived = sqlite3_column_int(s, 1) != 0;
	bool same_title = sqlite3_column_int(s, 2) != 0;
	sqlite3_reset(s);
	if (archived && !create)
		return PERR_OK;
	if (archived) {
		rc = cs__chat_archive(x, found, false);
		if (rc)
			return rc;
	}
	if (!same_title) {
		rc = cs__chat_retitle(x, found, title);
		if (rc)
			return rc;
	}
	*id = found;
	return PERR_OK;
}

/* Chat ids from a query with ?1 = a unit id (at most what fits in memory). */
static int cs__ids(struct cs_ctx *x, const char *sql, int64_t unit_id, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, sql);
	size_t cap = 0;
	int rc;
	*ids = NULL;
	*n = 0;
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, unit_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return PERR_OK;
	free(*ids);
	*ids = NULL;
	*n = 0;
	return sqlite_perr(x->cn, rc);
}

/* Archive, or revive, every chat of a list. */
static int cs__chats_archive(struct cs_ctx *x, const char *sql, int64_t unit_id, bool archived)
{
	int64_t *ids;
	size_t n;
	int rc = cs__ids(x, sql, unit_id, &ids, &n);
	for (size_t i = 0; i < n && !rc; i++)
		rc = cs__chat_archive(x, ids[i], archived);
	free(ids);
	return rc;
}

/* ---- a study group: its group chat, parents' chat and subject chats ---- */

static const char sql_group_live_chats[] =
	"SELECT id FROM chats WHERE unit_id=?1 AND archived_at IS NULL AND "
	"mandatory IN ('study_group','parents','subject') ORDER BY id";
/* subject chats the system archived with their group (their last event says so) */
static const char sql_group_subjects_archived[] =
	"SELECT c.id FROM chats c JOIN chat_events e ON e.chat_id=c.id AND e.seq=c.last_seq "
	"WHERE c.unit_id=?1 AND c.mandatory='subject' AND c.archived_at IS NOT NULL AND "
	"e.kind='chat.updated' AND e.author_id IS NULL AND "
	"json_extract(e.data,'$.reason')='unit_archived' ORDER BY c.id";
static const char sql_group_subjects_live[] =
	"SELECT id FROM chats WHERE unit_id=?1 AND mandatory='subject' AND archived_at IS NULL "
	"ORDER BY id";

/* Who should be where: the group's students, curator and parents, and the
 * owners of its live subject chats who still hold a teaching role. */
static int cs__group_want(struct cs_ctx *x, int64_t group_id, struct chat_sync_set *group,
			  struct chat_sync_set *parents, struct chat_sync_set *subject)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn,
		"SELECT user_id,role FROM role_assignments WHERE unit_id=?1 AND "
		"role IN ('student','curator','parent') AND (until IS NULL OR until>?2) "
		"UNION ALL "
		"SELECT m.user_id,'teacher' FROM chats c JOIN chat_members m ON m.chat_id=c.id "
		"WHERE c.unit_id=?1 AND c.mandatory='subject' AND c.archived_at IS NULL AND "
		"m.role='owner' AND EXISTS (SELECT 1 FROM role_assignments t WHERE "
		"t.user_id=m.user_id AND t.role IN ('teacher','curator','administration',"
		"'platform_admin') AND (t.until IS NULL OR t.until>?2))");
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int64(s, 2, x->now_s);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t uid = sqlite3_column_int64(s, 0);
		const char *rn = (const char *)sqlite3_column_text(s, 1);
		enum role r = role_parse(rn, (size_t)sqlite3_column_bytes(s, 1));
		chat_sync_set_add(group, uid, chat_sync_role_for(CHAT_SYNC_STUDY_GROUP, r), false);
		chat_sync_set_add(parents, uid, chat_sync_role_for(CHAT_SYNC_PARENTS, r), false);
		chat_sync_set_add(subject, uid, chat_sync_role_for(CHAT_SYNC_SUBJECT, r), false);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(x->cn, rc);
}

/* Unit facts: kind, study group code (or name), archived. PERR_NOT_FOUND. */
static int cs__unit_load(struct cs_ctx *x, int64_t unit_id, char kind[16],
			 char title_name[CHAT_SYNC_TITLE_MAX], bool *archived)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT kind,COALESCE(NULLIF(code,''),name),"
					     "archived_at IS NOT NULL FROM org_units WHERE id=?");
	sqlite3_bind_int64(s, 1, unit_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(x->cn, rc);
	}
	snprintf(kind, 16, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(title_name, CHAT_SYNC_TITLE_MAX, "%s", (const char *)sqlite3_column_text(s, 1));
	*archived = sqlite3_column_int(s, 2) != 0;
	sqlite3_reset(s);
	return PERR_OK;
}

/* Reconcile the chats of one unit if it is a study group (else nothing). */
static int cs__group(struct cs_ctx *x, int64_t group_id)
{
	char kind[16], code[CHAT_SYNC_TITLE_MAX], title[CHAT_SYNC_TITLE_MAX];
	bool archived = false;
	struct chat_sync_set group = {0}, parents = {0}, subject = {0};
	int64_t *subjects = NULL;
	size_t nsubjects = 0;
	int64_t chat_id;
	int rc = cs__unit_load(x, group_id, kind, code, &archived);
	if (rc == PERR_NOT_FOUND || (!rc && strcmp(kind, "study_group") != 0))
		return PERR_OK;
	if (rc)
		return rc;
	if (archived)
		return cs__chats_archive(x, sql_group_live_chats, group_id, true);
	rc = cs__chats_archive(x, sql_group_subjects_archived, group_id, false);
	if (!rc)
		rc = cs__group_want(x, group_id, &group, &parents, &subject);
	if (rc)
		goto out;
	chat_sync_title(CHAT_SYNC_STUDY_GROUP, code, title);
	rc = cs__chat_ensure(x, CHAT_SYNC_STUDY_GROUP, group_id, title, true, &chat_id);
	if (!rc)
		rc = cs__apply(x, chat_id, &group, true);
	if (rc)
		goto out;
	chat_sync_title(CHAT_SYNC_PARENTS, code, title);
	rc = cs__chat_ensure(x, CHAT_SYNC_PARENTS, group_id, title, true, &chat_id);
	if (!rc)
		rc = cs__apply(x, chat_id, &parents, true);
	if (!rc)
		rc = cs__ids(x, sql_group_subjects_live, group_id, &subjects, &nsubjects);
	for (size_t i = 0; i < nsubjects && !rc; i++)
		rc = cs__apply(x, subjects[i], &subject, false);
out:
	free(subjects);
	chat_sync_set_clear(&group);
	chat_sync_set_clear(&parents);
	chat_sync_set_clear(&subject);
	return rc;
}

/* ---- «Преподаватели»: the college's and each branch's ---- */

struct cs_scope {
	int64_t unit_id;       /* 1 (the college) or a branch */
	char *name;            /* branch name; NULL for the college */
	bool archived;
	bool has_teacher;      /* a branch's chat is created once it has a teacher or curator */
	struct chat_sync_set want;
};

struct cs_scopes {
	struct cs_scope *items;
	size_t count, cap;
};

static void cs__scopes_clear(struct cs_scopes *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].name);
		chat_sync_set_clear(&l->items[i].want);
	}
	free(l->items);
}

static int cs__scopes_load(struct cs_ctx *x, struct cs_scopes *l)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn, "SELECT id,kind='college',name,archived_at IS NOT NULL "
					     "FROM org_units WHERE id=1 OR kind='branch' ORDER BY id");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->count == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 8;
			l->items = xrealloc(l->items, l->cap * sizeof *l->items);
		}
		struct cs_scope *c = &l->items[l->count++];
		memset(c, 0, sizeof *c);
		c->unit_id = sqlite3_column_int64(s, 0);
		c->name = sqlite3_column_int(s, 1) ? NULL : sqlite_col_str(s, 2);
		c->archived = sqlite3_column_int(s, 3) != 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(x->cn, rc);
}

static struct cs_scope *cs__scope_find(struct cs_scopes *l, int64_t unit_id)
{
	size_t lo = 0, hi = l->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->items[mid].unit_id == unit_id)
			return &l->items[mid];
		if (l->items[mid].unit_id < unit_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every active teaching-staff assignment, once for the college (all of them,
 * college-wide ones included) and once for the branch its unit lies in. */
static int cs__teachers_want(struct cs_ctx *x, struct cs_scopes *l)
{
	sqlite3_stmt *s = sqlite_stmt(x->cn,
		"WITH RECURSIVE br(id,branch) AS (SELECT id,id FROM org_units WHERE kind='branch' "
		"UNION ALL SELECT o.id,br.branch FROM org_units o JOIN br ON o.parent_id=br.id) "
		"SELECT 1,user_id,role FROM role_assignments WHERE role IN ('teacher','curator',"
		"'administration','platform_admin') AND (until IS NULL OR until>?1) "
		"UNION ALL "
		"SELECT br.branch,ra.user_id,ra.role FROM role_assignments ra JOIN br ON "
		"br.id=ra.unit_id WHERE ra.role IN ('teacher','curator','administration') AND "
		"(ra.until IS NULL OR ra.until>?1)");
	sqlite3_bind_int64(s, 1, x->now_s);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cs_scope *c = cs__scope_find(l, sqlite3_column_int64(s, 0));
		if (!c)
			continue;
		enum role r = role_parse((const char *)sqlite3_column_text(s, 2),
					 (size_t)sqlite3_column_bytes(s, 2));
		chat_sync_set_add(&c->want, sqlite3_column_int64(s, 1),
				  chat_sync_role_for(CHAT_SYNC_TEACHERS, r), false);
		if (r == ROLE_TEACHER || r == ROLE_CURATOR)
			c->has_teacher = true;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(x->cn, rc);
}

static const char sql_teachers_live[] =
	"SELECT id FROM chats WHERE mandatory='teachers' AND unit_id=?1 AND archived_at IS NULL";

static int cs__teachers(struct cs_ctx *x)
{
	struct cs_scopes l = {0};
	char title[CHAT_SYNC_TITLE_MAX];
	int rc = cs__scopes_load(x, &l);
	if (!rc)
		rc = cs__teachers_want(x, &l);
	for (size_t i = 0; i < l.count && !rc; i++) {
		struct cs_scope *c = &l.items[i];
		int64_t chat_id = 0;
		if (c->archived) {
			rc = cs__chats_archive(x, sql_teachers_live, c->unit_id, true);
			continue;
		}
		bool create = c->name ? c->has_teacher : c->want.count > 0;
		chat_sync_title(CHAT_SYNC_TEACHERS, c->name, title);
		rc = cs__chat_ensure(x, CHAT_SYNC_TEACHERS, c->unit_id, title, create, &chat_id);
		if (!rc && chat_id)
			rc = cs__apply(x, chat_id, &c->want, true);
	}
	cs__scopes_clear(&l);
	return rc;
}

/* ---- entry points ---- */

int sqlite_chats_reconcile_unit(struct sqlite_conn *cn, int64_t unit_id, int64_t at_ms)
{
	struct cs_ctx x = {cn, at_ms, at_ms / 1000};
	int rc = cs__group(&x, unit_id);
	return rc ? rc : cs__teachers(&x);
}

/* The units whose chats may have to change for user_id: those of their
 * assignments still open at the instant or ended at it (this transaction's
 * changes: an assignment ended now has until = now), and those of the
 * group chats they are a system member of (whatever ended them). */
static const char sql_user_units[] =
	"SELECT COALESCE(unit_id,1) FROM role_assignments WHERE user_id=?1 AND "
	"(until IS NULL OR until>=?2) "
	"UNION "
	"SELECT c.unit_id FROM chat_members m JOIN chats c ON c.id=m.chat_id WHERE m.user_id=?1 AND "
	"m.source='system' AND c.archived_at IS NULL AND "
	"c.mandatory IN ('study_group','parents','subject')";

int sqlite_chats_reconcile_user(struct sqlite_conn *cn, int64_t user_id, int64_t at_ms)
{
	struct cs_ctx x = {cn, at_ms, at_ms / 1000};
	sqlite3_stmt *s = sqlite_stmt(cn, sql_user_units);
	int64_t *units = NULL;
	size_t n = 0, cap = 0;
	int rc;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, x.now_s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			units = xrealloc(units, cap * sizeof *units);
		}
		units[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
	for (size_t i = 0; i < n && !rc; i++)
		rc = cs__group(&x, units[i]);
	free(units);
	return rc ? rc : cs__teachers(&x);
}

/* Live study groups, and archived ones that still have live chats. */
static const char sql_all_groups[] =
	"SELECT id FROM org_units u WHERE kind='study_group' AND (archived_at IS NULL OR EXISTS "
	"(SELECT 1 FROM chats c WHERE c.unit_id=u.id AND c.archived_at IS NULL AND "
	"c.mandatory IN ('study_group','parents','subject'))) ORDER BY id";

int sqlite_chats_reconcile_all(struct sqlite_conn *cn, int64_t at_ms)
{
	struct cs_ctx x = {cn, at_ms, at_ms / 1000};
	int64_t *groups;
	size_t n;
	int rc = cs__ids(&x, sql_all_groups, 0, &groups, &n);
	for (size_t i = 0; i < n && !rc; i++)
		rc = cs__group(&x, groups[i]);
	free(groups);
	return rc ? rc : cs__teachers(&x);
}

struct cs_start_job {
	int64_t at_ms;
	bool full;
};

static int cs__start_w(struct sqlite_conn *cn, void *arg)
{
	struct cs_start_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM chats WHERE mandatory IN "
					  "('teachers','study_group','parents') LIMIT 1");
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	j->full = rc == SQLITE_DONE;
	if (j->full)
		return sqlite_chats_reconcile_all(cn, j->at_ms);
	struct cs_ctx x = {cn, j->at_ms, j->at_ms / 1000};
	return cs__teachers(&x);
}

int sqlite_chats_reconcile_start(struct store *st, int64_t at_ms, bool *full)
{
	struct cs_start_job j = {at_ms, false};
	int rc = sqlite_write(st, cs__start_w, &j);
	if (full)
		*full = j.full;
	return rc;
}
