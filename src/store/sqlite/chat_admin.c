/* SPDX-License-Identifier: MIT */
/* SQLite side of chat administration (store/chat_admin.h): creating chats,
 * settings, adding and removing members, roles and mutes, each one writer job
 * that loads the facts it needs (the chat, the memberships, and for the
 * contact policy the relationship of two people in the structure), asks the
 * pure rules (domain/chat_policy.c, authz_may_contact) and only then changes
 * anything, through the chat core's primitives so that every change is an
 * event with the chat's next seq. Subject chats are left to the
 * mandatory-chat reconciliation (chat_sync.c) for their system members. The
 * reads are in chat_views.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "store/sqlite/chat_admin_int.h"
#include "store/sqlite/sqlite_int.h"

/* ---- small helpers ---- */

static int ca_done(struct sqlite_conn *cn, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

void sqlite_ca_col_copy(char *dst, size_t n, sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	snprintf(dst, n, "%s", t ? t : "");
}

static void ca_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* The single integer of a one-row query with up to three int64 parameters. */
int sqlite_ca_int(struct sqlite_conn *cn, const char *sql, int64_t a, int64_t b, int64_t c,
		  int64_t *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, sql);
	int n = sqlite3_bind_parameter_count(s);
	const int64_t v[3] = {a, b, c};
	for (int i = 0; i < n && i < 3; i++)
		sqlite3_bind_int64(s, i + 1, v[i]);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		return PERR_OK;
	}
	return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
}

static int ca_bool(struct sqlite_conn *cn, const char *sql, int64_t a, int64_t b, int64_t c,
		   bool *out)
{
	int64_t v = 0;
	int rc = sqlite_ca_int(cn, sql, a, b, c, &v);
	*out = v != 0;
	return rc;
}

/* Audit entry from the request's template (actor, ip, now). */
static int ca_audit(struct sqlite_conn *cn, const struct audit_entry *tpl, const char *action,
		    int64_t chat_id, const char *before, const char *after)
{
	char target[40];
	snprintf(target, sizeof target, "chat:%lld", (long long)chat_id);
	struct audit_entry e = *tpl;
	e.action = action;
	e.target = target;
	e.before_json = before;
	e.after_json = after;
	return sqlite_audit_insert(cn, &e);
}

static int ca_event(struct sqlite_conn *cn, int64_t chat_id, const char *kind, int64_t actor_id,
		    int64_t subject_id, const struct buf *data, int64_t at_ms)
{
	int64_t seq = 0;
	return sqlite_chat_event_append(cn, chat_id, kind, actor_id, subject_id, NULL, data->data,
					at_ms, &seq);
}

/* ---- the chat and memberships, as the rules see them ---- */

struct ca_chat {
	int64_t id;
	enum chat_kind kind;
	char mandatory[16];
	int64_t unit_id;
	char title[CHAT_TITLE_MAX_CHARS * 4 + 1];
	char *description;
	char post_policy[8];
	char add_policy[8];
	int64_t slow_mode_s;
	bool archived;
};

static int ca_chat_load(struct sqlite_conn *cn, int64_t chat_id, struct ca_chat *c)
{
	memset(c, 0, sizeof *c);
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT kind,COALESCE(mandatory,''),COALESCE(unit_id,0),title,"
					  "description,post_policy,add_policy,slow_mode_s,archived_at IS NOT "
					  "NULL FROM chats WHERE id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	c->id = chat_id;
	c->kind = chat_kind_parse((const char *)sqlite3_column_text(s, 0),
				  (size_t)sqlite3_column_bytes(s, 0));
	sqlite_ca_col_copy(c->mandatory, sizeof c->mandatory, s, 1);
	c->unit_id = sqlite3_column_int64(s, 2);
	sqlite_ca_col_copy(c->title, sizeof c->title, s, 3);
	c->description = sqlite_col_str(s, 4);
	sqlite_ca_col_copy(c->post_policy, sizeof c->post_policy, s, 5);
	sqlite_ca_col_copy(c->add_policy, sizeof c->add_policy, s, 6);
	c->slow_mode_s = sqlite3_column_int64(s, 7);
	c->archived = sqlite3_column_int(s, 8) != 0;
	return PERR_OK;
}

static void ca_chat_free(struct ca_chat *c)
{
	free(c->description);
	c->description = NULL;
}

static struct chat_facts ca_facts(const struct ca_chat *c)
{
	struct chat_facts f = {
		.kind = c->kind,
		.mandatory = c->mandatory[0] != '\0',
		.add_policy_all = strcmp(c->add_policy, "all") == 0,
		.archived = c->archived,
	};
	return f;
}

/* user_id's membership in chat_id (role NONE if not a member). */
int sqlite_ca_membership(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			 struct chat_membership *m, int64_t *muted_until)
{
	memset(m, 0, sizeof *m);
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT role,source='system',COALESCE(muted_until,0) FROM "
					  "chat_members WHERE chat_id=? AND user_id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_OK;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	m->role = chat_role_parse((const char *)sqlite3_column_text(s, 0),
				  (size_t)sqlite3_column_bytes(s, 0));
	m->system = sqlite3_column_int(s, 1) != 0;
	if (muted_until)
		*muted_until = sqlite3_column_int64(s, 2);
	return PERR_OK;
}

/* A person who may be added or written to: exists and is not disabled. */
static int ca_user_live(struct sqlite_conn *cn, int64_t user_id)
{
	int64_t disabled = 0;
	int rc = sqlite_ca_int(cn, "SELECT disabled FROM users WHERE id=?", user_id, 0, 0, &disabled);
	if (rc)
		return rc;
	return disabled ? PERR_NOT_FOUND : PERR_OK;
}

/* ---- the contact policy's facts ---- */

static int ca_roles(struct sqlite_conn *cn, int64_t user_id, int64_t now_s, unsigned *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT DISTINCT role FROM role_assignments WHERE user_id=? "
					  "AND (until IS NULL OR until>?)");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now_s);
	int rc;
	*out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		enum role r = role_parse((const char *)sqlite3_column_text(s, 0),
					 (size_t)sqlite3_column_bytes(s, 0));
		if (r != ROLE_NONE)
			*out |= AUTHZ_ROLE_BIT(r);
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* Staff roles whose unit covers a group (the group itself or an ancestor, or
 * the whole college). */
#define CA_COVERING                                                                           \
	"SELECT EXISTS(SELECT 1 FROM up) AND EXISTS(SELECT 1 FROM role_assignments a WHERE "     \
	"a.user_id=?1 AND a.role IN ('platform_admin','administration','curator','teacher') AND " \
	"(a.until IS NULL OR a.until>?3) AND (a.unit_id IS NULL OR a.unit_id=0 OR a.unit_id IN "  \
	"(SELECT id FROM up)))"
#define CA_UP "UNION SELECT o.parent_id FROM org_units o JOIN up ON o.id=up.id WHERE o.parent_id IS NOT NULL) "

/* ?1 covers a study group where ?2 is an active student. */
static const char sql_covers[] =
	"WITH RECURSIVE up(id) AS (SELECT unit_id FROM role_assignments WHERE user_id=?2 AND "
	"role='student' AND unit_id IS NOT NULL AND (until IS NULL OR until>?3) " CA_UP CA_COVERING;
/* ?1 covers a study group where a confirmed child of ?2 is an active student. */
static const char sql_covers_child[] =
	"WITH RECURSIVE up(id) AS (SELECT ra.unit_id FROM guardianships g JOIN role_assignments ra ON "
	"ra.user_id=g.student_id WHERE g.parent_id=?2 AND g.confirmed_at IS NOT NULL AND "
	"ra.role='student' AND ra.unit_id IS NOT NULL AND (ra.until IS NULL OR ra.until>?3) " CA_UP
	CA_COVERING;
static const char sql_guardian[] =
	"SELECT EXISTS(SELECT 1 FROM guardianships WHERE parent_id=?1 AND student_id=?2 AND "
	"confirmed_at IS NOT NULL)";
static const char sql_classmates[] =
	"SELECT EXISTS(SELECT 1 FROM role_assignments a JOIN role_assignments b ON b.unit_id=a.unit_id "
	"WHERE a.user_id=?1 AND a.role='student' AND (a.until IS NULL OR a.until>?3) AND b.user_id=?2 "
	"AND b.role='student' AND (b.until IS NULL OR b.until>?3))";
static const char sql_shared_chat[] =
	"SELECT EXISTS(SELECT 1 FROM chat_members m1 JOIN chat_members m2 ON m2.chat_id=m1.chat_id "
	"JOIN chats c ON c.id=m1.chat_id WHERE m1.user_id=?1 AND m2.user_id=?2 AND c.kind<>'direct' "
	"AND c.archived_at IS NULL)";

static int ca_contact_facts(struct sqlite_conn *cn, int64_t actor, int64_t target, int64_t now_s,
			    bool classmates_allowed, struct contact_facts *f)
{
	memset(f, 0, sizeof *f);
	f->same_person = actor == target;
	f->classmates_allowed = classmates_allowed;
	int rc = ca_roles(cn, actor, now_s, &f->actor_roles);
	if (!rc)
		rc = ca_roles(cn, target, now_s, &f->target_roles);
	if (rc || !f->actor_roles || !f->target_roles || f->same_person)
		return rc; /* decided without the rest */
	struct {
		const char *sql;
		int64_t a, b;
		bool *out;
	} q[] = {
		{sql_covers, actor, target, &f->actor_covers_target},
		{sql_covers, target, actor, &f->target_covers_actor},
		{sql_covers_child, actor, target, &f->actor_covers_target_child},
		{sql_covers_child, target, actor, &f->target_covers_actor_child},
		{sql_guardian, actor, target, &f->actor_guardian_of_target},
		{sql_guardian, target, actor, &f->target_guardian_of_actor},
		{sql_classmates, actor, target, &f->classmates},
		{sql_shared_chat, actor, target, &f->shared_chat},
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0] && !rc; i++)
		rc = ca_bool(cn, q[i].sql, q[i].a, q[i].b, now_s, q[i].out);
	return rc;
}

/* PERR_OK if actor may write to target, PERR_FORBIDDEN if not (also used by
 * chat_links.c: chat_admin_int.h). */
int sqlite_ca_contact(struct sqlite_conn *cn, int64_t actor, int64_t target, int64_t now_s,
		      bool classmates_allowed)
{
	struct contact_facts f;
	int rc = ca_contact_facts(cn, actor, target, now_s, classmates_allowed, &f);
	if (rc)
		return rc;
	return authz_may_contact(&f) ? PERR_OK : PERR_FORBIDDEN;
}

/* Add each of ids (skipping current members and repeats) as a manual member
 * after checking they exist and pass the contact policy relative to actor.
 * added (may be NULL) collects who was added. field: "user_ids". */
static int ca_add_people(struct sqlite_conn *cn, int64_t chat_id, int64_t actor,
			 const int64_t *ids, size_t n, bool classmates_allowed, int64_t now_ms,
			 struct json_writer *added, int64_t **out, size_t *nout, const char **field)
{
	for (size_t i = 0; i < n; i++) {
		bool repeat = false;
		for (size_t k = 0; k < i && !repeat; k++)
			repeat = ids[k] == ids[i];
		struct chat_membership m;
		int rc = repeat ? PERR_OK : sqlite_ca_membership(cn, chat_id, ids[i], &m, NULL);
		if (rc)
			return rc;
		if (repeat || m.role != CHAT_ROLE_NONE)
			continue;
		*field = "user_ids";
		rc = ca_user_live(cn, ids[i]);
		if (rc)
			return rc == PERR_NOT_FOUND ? PERR_INVALID : rc;
		rc = sqlite_ca_contact(cn, actor, ids[i], now_ms / 1000, classmates_allowed);
		if (!rc)
			rc = sqlite_chat_member_add(cn, chat_id, ids[i], "member", "manual", actor, now_ms);
		if (rc)
			return rc;
		*field = NULL;
		if (added)
			jw_int(added, ids[i]);
		if (out) {
			*out = xrealloc(*out, (*nout + 1) * sizeof **out);
			(*out)[(*nout)++] = ids[i];
		}
	}
	return PERR_OK;
}

/* ---- create ---- */

struct create_job {
	const struct chat_new *n;
	int64_t *chat_id;
	bool *existed;
	const char **field;
};

static int ca_insert_chat(struct sqlite_conn *cn, const struct chat_new *n, const char *mandatory,
			  const char *title, const char *direct_key, int64_t *id)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO chats(kind,mandatory,unit_id,subject,title,"
					  "description,post_policy,add_policy,direct_key,created_by,"
					  "created_at) VALUES(?,?,?,?,?,?,?,'admins',?,?,?)");
	sqlite3_bind_text(s, 1, chat_kind_name(n->kind), -1, SQLITE_STATIC);
	ca_bind_text(s, 2, mandatory);
	if (n->unit_id)
		sqlite3_bind_int64(s, 3, n->unit_id);
	ca_bind_text(s, 4, n->unit_id ? n->subject : NULL);
	ca_bind_text(s, 5, title);
	ca_bind_text(s, 6, n->description ? n->description : "");
	sqlite3_bind_text(s, 7, n->kind == CHAT_KIND_CHANNEL ? "admins" : "all", -1, SQLITE_STATIC);
	ca_bind_text(s, 8, direct_key);
	sqlite3_bind_int64(s, 9, n->actor_id);
	sqlite3_bind_int64(s, 10, n->now_ms / 1000);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	*id = sqlite3_last_insert_rowid(sqlite_db(cn));
	return PERR_OK;
}

static int create_direct(struct sqlite_conn *cn, struct create_job *j)
{
	const struct chat_new *n = j->n;
	char key[48];
	*j->field = "user_id";
	if (n->peer_id == n->actor_id)
		return PERR_INVALID;
	int rc = ca_user_live(cn, n->peer_id);
	if (rc)
		return rc == PERR_NOT_FOUND ? PERR_INVALID : rc;
	chat_policy_direct_key(n->actor_id, n->peer_id, key);
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT id FROM chats WHERE direct_key=?");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*j->chat_id = sqlite3_column_int64(s, 0);
		*j->existed = true;
		*j->field = NULL;
		return PERR_OK;
	}
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	rc = sqlite_ca_contact(cn, n->actor_id, n->peer_id, n->now_ms / 1000, n->classmates_allowed);
	if (rc)
		return rc;
	*j->field = NULL;
	rc = ca_insert_chat(cn, n, NULL, "", key, j->chat_id);
	if (!rc)
		rc = sqlite_chat_member_add(cn, *j->chat_id, n->actor_id, "member", "manual", n->actor_id,
					    n->now_ms);
	if (!rc)
		rc = sqlite_chat_member_add(cn, *j->chat_id, n->peer_id, "member", "manual", n->actor_id,
					    n->now_ms);
	return rc;
}

/* A subject chat's group: a live study group with no live subject chat of
 * that subject yet. Its code (or name) goes into name for the default title. */
static int ca_subject_check(struct sqlite_conn *cn, struct create_job *j, char *name, size_t size)
{
	const struct chat_new *n = j->n;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT kind,archived_at IS NOT NULL,COALESCE(NULLIF(code,''),"
					  "name) FROM org_units WHERE id=?");
	sqlite3_bind_int64(s, 1, n->unit_id);
	int rc = sqlite3_step(s);
	*j->field = "unit_id";
	if (rc == SQLITE_DONE)
		return PERR_INVALID;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	if (strcmp((const char *)sqlite3_column_text(s, 0), "study_group") != 0)
		return PERR_INVALID;
	if (sqlite3_column_int(s, 1))
		return PERR_CONFLICT;
	sqlite_ca_col_copy(name, size, s, 2);
	s = sqlite_stmt(cn, "SELECT 1 FROM chats WHERE mandatory='subject' AND unit_id=? AND subject=? "
			    "AND archived_at IS NULL");
	sqlite3_bind_int64(s, 1, n->unit_id);
	sqlite3_bind_text(s, 2, n->subject, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*j->field = "subject";
	if (rc == SQLITE_ROW)
		return PERR_CONFLICT;
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	*j->field = NULL;
	return PERR_OK;
}

static int create_group(struct sqlite_conn *cn, struct create_job *j)
{
	const struct chat_new *n = j->n;
	char group_name[256];
	char title[CHAT_TITLE_MAX_CHARS * 4 + 1];
	const char *t = n->title;
	struct buf after;
	struct json_writer w;
	int rc = PERR_OK;
	if (n->unit_id) {
		rc = ca_subject_check(cn, j, group_name, sizeof group_name);
		if (rc)
			return rc;
		if (!t) {
			char full[sizeof title + sizeof group_name + 8];
			snprintf(full, sizeof full, "%s — %s", n->subject, group_name);
			size_t len = chat_policy_prefix(full, strlen(full), CHAT_TITLE_MAX_CHARS);
			snprintf(title, sizeof title, "%.*s", (int)len, full);
			t = title;
		}
	}
	rc = ca_insert_chat(cn, n, n->unit_id ? "subject" : NULL, t, NULL, j->chat_id);
	if (!rc)
		rc = sqlite_chat_member_add(cn, *j->chat_id, n->actor_id, "owner", "manual", n->actor_id,
					    n->now_ms);
	/* the group's students and curator join as the structure says (and the
	 * owner joins the group's chat as one of its teachers) */
	if (!rc && n->unit_id)
		rc = sqlite_chats_reconcile_unit(cn, n->unit_id, n->now_ms);
	if (rc)
		return rc;
	buf_init(&after, 0);
	jw_init(&w, &after);
	jw_object_begin(&w);
	jw_kv_string(&w, "kind", chat_kind_name(n->kind));
	jw_kv_string(&w, "title", t);
	if (n->unit_id) {
		jw_kv_int(&w, "unit_id", n->unit_id);
		jw_kv_string(&w, "subject", n->subject);
	}
	jw_key(&w, "members");
	jw_array_begin(&w);
	rc = ca_add_people(cn, *j->chat_id, n->actor_id, n->user_ids, n->nuser_ids,
			   n->classmates_allowed, n->now_ms, &w, NULL, NULL, j->field);
	jw_array_end(&w);
	jw_object_end(&w);
	if (!rc)
		rc = ca_audit(cn, &n->audit, "chat.create", *j->chat_id, NULL, after.data);
	buf_free(&after);
	return rc;
}

static int create_w(struct sqlite_conn *cn, void *arg)
{
	struct create_job *j = arg;
	switch (j->n->kind) {
	case CHAT_KIND_DIRECT:
		return create_direct(cn, j);
	case CHAT_KIND_GROUP:
	case CHAT_KIND_CHANNEL:
		return create_group(cn, j);
	default:
		*j->field = "kind";
		return PERR_INVALID;
	}
}

int sqlite_chat_create(struct store *st, const struct chat_new *n, int64_t *chat_id, bool *existed,
		       const char **field)
{
	const char *f = NULL;
	struct create_job j = {n, chat_id, existed, &f};
	*chat_id = 0;
	*existed = false;
	int rc = sqlite_write(st, create_w, &j);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

/* ---- settings ---- */

struct update_job {
	const struct chat_settings_patch *p;
	const char **field;
};

/* Write the changed settings of c under patch p into w (old or new values). */
static void ca_settings_json(struct json_writer *w, const struct ca_chat *c,
			     const struct chat_settings_patch *p, bool new_values)
{
	jw_object_begin(w);
	if (p->title && strcmp(p->title, c->title) != 0)
		jw_kv_string(w, "title", new_values ? p->title : c->title);
	if (p->description && strcmp(p->description, c->description ? c->description : "") != 0)
		jw_kv_string(w, "description", new_values ? p->description : c->description);
	if (p->post_policy && strcmp(p->post_policy, c->post_policy) != 0)
		jw_kv_string(w, "post_policy", new_values ? p->post_policy : c->post_policy);
	if (p->add_policy && strcmp(p->add_policy, c->add_policy) != 0)
		jw_kv_string(w, "add_policy", new_values ? p->add_policy : c->add_policy);
	if (p->slow_mode_s >= 0 && p->slow_mode_s != c->slow_mode_s)
		jw_kv_int(w, "slow_mode_s", new_values ? p->slow_mode_s : c->slow_mode_s);
}

static int update_w(struct sqlite_conn *cn, void *arg)
{
	struct update_job *j = arg;
	const struct chat_settings_patch *p = j->p;
	struct ca_chat c;
	struct chat_membership me;
	struct buf before, after;
	struct json_writer w;
	int rc = ca_chat_load(cn, p->chat_id, &c);
	if (rc)
		return rc;
	buf_init(&before, 0);
	buf_init(&after, 0);
	rc = sqlite_ca_membership(cn, p->chat_id, p->actor_id, &me, NULL);
	if (rc)
		goto out;
	struct chat_facts f = ca_facts(&c);
	rc = chat_policy_may_update(&f, &me);
	if (!rc && !chat_policy_post_policy_fits(&f, p->post_policy)) {
		*j->field = "post_policy";
		rc = PERR_INVALID;
	}
	if (rc)
		goto out;
	jw_init(&w, &before);
	ca_settings_json(&w, &c, p, false);
	jw_object_end(&w);
	if (before.len <= 2)
		goto out; /* "{}": nothing changes */
	jw_init(&w, &after);
	ca_settings_json(&w, &c, p, true);
	jw_object_end(&w);
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chats SET title=COALESCE(?1,title),description="
					  "COALESCE(?2,description),post_policy=COALESCE(?3,post_policy),"
					  "add_policy=COALESCE(?4,add_policy),slow_mode_s=CASE WHEN ?5>=0 "
					  "THEN ?5 ELSE slow_mode_s END WHERE id=?6");
	ca_bind_text(s, 1, p->title);
	ca_bind_text(s, 2, p->description);
	ca_bind_text(s, 3, p->post_policy);
	ca_bind_text(s, 4, p->add_policy);
	sqlite3_bind_int64(s, 5, p->slow_mode_s);
	sqlite3_bind_int64(s, 6, p->chat_id);
	rc = ca_done(cn, s);
	if (rc)
		goto out;
	/* the event: the new values and who changed them */
	struct buf data;
	buf_init(&data, 0);
	buf_append(&data, after.data, after.len - 1);
	buf_printf(&data, "%s\"by\":%lld}", after.len > 2 ? "," : "", (long long)p->actor_id);
	rc = ca_event(cn, p->chat_id, "chat.updated", p->actor_id, 0, &data, p->now_ms);
	buf_free(&data);
	if (!rc)
		rc = ca_audit(cn, &p->audit, "chat.update", p->chat_id, before.data, after.data);
out:
	ca_chat_free(&c);
	buf_free(&before);
	buf_free(&after);
	return rc;
}

int sqlite_chat_update(struct store *st, const struct chat_settings_patch *p, const char **field)
{
	const char *f = NULL;
	struct update_job j = {p, &f};
	int rc = sqlite_write(st, update_w, &j);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

/* ---- members: add ---- */

struct add_job {
	struct chat_members_add *a;
	const char **field;
};

static int add_w(struct sqlite_conn *cn, void *arg)
{
	struct add_job *j = arg;
	struct chat_members_add *a = j->a;
	struct ca_chat c;
	struct chat_membership me;
	struct buf after;
	struct json_writer w;
	int rc = ca_chat_load(cn, a->chat_id, &c);
	if (rc)
		return rc;
	struct chat_facts f = ca_facts(&c);
	ca_chat_free(&c);
	rc = sqlite_ca_membership(cn, a->chat_id, a->actor_id, &me, NULL);
	if (!rc)
		rc = chat_policy_may_add(&f, &me);
	if (rc)
		return rc;
	free(a->added);
	a->added = NULL;
	a->nadded = 0;
	buf_init(&after, 0);
	jw_init(&w, &after);
	jw_object_begin(&w);
	jw_key(&w, "user_ids");
	jw_array_begin(&w);
	rc = ca_add_people(cn, a->chat_id, a->actor_id, a->user_ids, a->nuser_ids,
			   a->classmates_allowed, a->now_ms, &w, &a->added, &a->nadded, j->field);
	jw_array_end(&w);
	jw_object_end(&w);
	if (!rc && a->nadded)
		rc = ca_audit(cn, &a->audit, "chat.member_add", a->chat_id, NULL, after.data);
	buf_free(&after);
	return rc;
}

int sqlite_chat_members_add(struct store *st, struct chat_members_add *a, const char **field)
{
	const char *f = NULL;
	struct add_job j = {a, &f};
	int rc = sqlite_write(st, add_w, &j);
	if (rc) {
		free(a->added);
		a->added = NULL;
		a->nadded = 0;
	}
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

/* ---- members: remove, role, mute ---- */

struct change_job {
	const struct chat_member_change *c;
	const char **field;
};

/* {"user_id":…,key:value,"by":…} for an event, or without "by" for the audit. */
static void ca_member_json(struct buf *b, int64_t user_id, const char *key, const char *str,
			   int64_t num, bool is_null, int64_t by)
{
	struct json_writer w;
	buf_reset(b);
	jw_init(&w, b);
	jw_object_begin(&w);
	jw_kv_int(&w, "user_id", user_id);
	jw_key(&w, key);
	if (str)
		jw_string(&w, str);
	else if (is_null)
		jw_null(&w);
	else
		jw_int(&w, num);
	if (by)
		jw_kv_int(&w, "by", by);
	jw_object_end(&w);
}

static int ca_set_role(struct sqlite_conn *cn, const struct chat_member_change *c, int64_t user_id,
		       enum chat_role from, enum chat_role to)
{
	struct buf b;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chat_members SET role=? WHERE chat_id=? AND user_id=?");
	sqlite3_bind_text(s, 1, chat_role_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->chat_id);
	sqlite3_bind_int64(s, 3, user_id);
	int rc = ca_done(cn, s);
	if (rc)
		return rc;
	buf_init(&b, 0);
	ca_member_json(&b, user_id, "role", chat_role_name(to), 0, false, c->actor_id);
	rc = ca_event(cn, c->chat_id, "member.role", c->actor_id, user_id, &b, c->now_ms);
	if (!rc) {
		struct buf before;
		buf_init(&before, 0);
		ca_member_json(&before, user_id, "role", chat_role_name(from), 0, false, 0);
		ca_member_json(&b, user_id, "role", chat_role_name(to), 0, false, 0);
		rc = ca_audit(cn, &c->audit, "chat.member_role", c->chat_id, before.data, b.data);
		buf_free(&before);
	}
	buf_free(&b);
	return rc;
}

static int change_role(struct sqlite_conn *cn, struct change_job *j, const struct ca_chat *chat,
		       const struct chat_membership *me, const struct chat_membership *target)
{
	const struct chat_member_change *c = j->c;
	struct chat_facts f = ca_facts(chat);
	int rc = chat_policy_may_set_role(&f, me, target, c->role, c->user_id == c->actor_id, j->field);
	if (rc || target->role == c->role)
		return rc;
	rc = ca_set_role(cn, c, c->user_id, target->role, c->role);
	if (rc || c->role != CHAT_ROLE_OWNER)
		return rc;
	/* ownership handed over: the old owner stays as an admin */
	rc = ca_set_role(cn, c, c->actor_id, CHAT_ROLE_OWNER, CHAT_ROLE_ADMIN);
	/* a subject chat's owner teaches the group: the group's chat follows */
	if (!rc && strcmp(chat->mandatory, "subject") == 0 && chat->unit_id)
		rc = sqlite_chats_reconcile_unit(cn, chat->unit_id, c->now_ms);
	return rc;
}

static int change_mute(struct sqlite_conn *cn, struct change_job *j, const struct ca_chat *chat,
		       const struct chat_membership *me, const struct chat_membership *target,
		       int64_t was_until)
{
	const struct chat_member_change *c = j->c;
	struct chat_facts f = ca_facts(chat);
	int64_t now_s = c->now_ms / 1000;
	int64_t until = c->muted_for_s ? now_s + c->muted_for_s : 0;
	struct buf b, before;
	int rc = chat_policy_may_mute(&f, me, target, c->user_id == c->actor_id, j->field);
	if (rc)
		return rc;
	if (!until && was_until <= now_s)
		return PERR_OK; /* not muted: nothing to lift */
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chat_members SET muted_until=? WHERE chat_id=? AND "
					  "user_id=?");
	if (until)
		sqlite3_bind_int64(s, 1, until);
	sqlite3_bind_int64(s, 2, c->chat_id);
	sqlite3_bind_int64(s, 3, c->user_id);
	rc = ca_done(cn, s);
	if (rc)
		return rc;
	buf_init(&b, 0);
	buf_init(&before, 0);
	/* the API's times are unix ms */
	ca_member_json(&b, c->user_id, "muted_until", NULL, until * 1000, until == 0, c->actor_id);
	rc = ca_event(cn, c->chat_id, "member.muted", c->actor_id, c->user_id, &b, c->now_ms);
	if (!rc) {
		ca_member_json(&before, c->user_id, "muted_until", NULL, was_until * 1000,
			       was_until <= now_s, 0);
		ca_member_json(&b, c->user_id, "muted_until", NULL, until * 1000, until == 0, 0);
		rc = ca_audit(cn, &c->audit, until ? "chat.mute" : "chat.unmute", c->chat_id,
			      before.data, b.data);
	}
	buf_free(&b);
	buf_free(&before);
	return rc;
}

static int change_remove(struct sqlite_conn *cn, struct change_job *j, const struct ca_chat *chat,
			 const struct chat_membership *me, const struct chat_membership *target)
{
	const struct chat_member_change *c = j->c;
	struct chat_facts f = ca_facts(chat);
	bool self = c->user_id == c->actor_id;
	int rc = chat_policy_may_remove(&f, me, target, self, j->field);
	if (!rc)
		rc = sqlite_chat_member_remove(cn, c->chat_id, c->user_id, c->actor_id, c->now_ms);
	if (rc || self)
		return rc; /* leaving is no moderation: not audited */
	struct buf before;
	buf_init(&before, 0);
	ca_member_json(&before, c->user_id, "role", chat_role_name(target->role), 0, false, 0);
	rc = ca_audit(cn, &c->audit, "chat.member_remove", c->chat_id, before.data, NULL);
	buf_free(&before);
	return rc;
}

static int change_w(struct sqlite_conn *cn, void *arg)
{
	struct change_job *j = arg;
	const struct chat_member_change *c = j->c;
	struct ca_chat chat;
	struct chat_membership me, target;
	int64_t muted_until = 0;
	int rc = ca_chat_load(cn, c->chat_id, &chat);
	if (rc)
		return rc;
	rc = sqlite_ca_membership(cn, c->chat_id, c->actor_id, &me, NULL);
	if (!rc)
		rc = sqlite_ca_membership(cn, c->chat_id, c->user_id, &target, &muted_until);
	if (!rc && me.role == CHAT_ROLE_NONE)
		rc = PERR_FORBIDDEN;
	if (rc)
		goto out;
	if (c->remove) {
		rc = change_remove(cn, j, &chat, &me, &target);
		goto out;
	}
	if (c->role != CHAT_ROLE_NONE) {
		rc = change_role(cn, j, &chat, &me, &target);
		if (rc)
			goto out;
		/* a mute in the same request is judged with the new roles */
		rc = sqlite_ca_membership(cn, c->chat_id, c->actor_id, &me, NULL);
		if (!rc)
			rc = sqlite_ca_membership(cn, c->chat_id, c->user_id, &target, &muted_until);
	}
	if (!rc && c->mute)
		rc = change_mute(cn, j, &chat, &me, &target, muted_until);
out:
	ca_chat_free(&chat);
	return rc;
}

int sqlite_chat_member_change(struct store *st, const struct chat_member_change *c,
			      const char **field)
{
	const char *f = NULL;
	struct change_job j = {c, &f};
	int rc = sqlite_write(st, change_w, &j);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}
