/* SPDX-License-Identifier: MIT */
/* SQLite side of joining a chat by link (store/chat_links.h): links are
 * created, listed and revoked by a chat's owner and admins; opening one reads
 * what the chat is and whether the user may join; joining is one writer job
 * that re-checks the link and the people (the link live, the user of the
 * college and not a member, not removed by a moderator, and reachable by the
 * link's creator under the contact policy, whose facts chat_admin.c computes)
 * and only then adds the member through the chat core's primitive and counts
 * the use. Jobs of the writer run one after the other, and the count is also
 * guarded in SQL (uses < max_uses), so concurrent joins never exceed a
 * link's maximum. Also the destructors of chat_links.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "domain/invites.h"
#include "store/sqlite/chat_admin_int.h"
#include "store/sqlite/sqlite_int.h"

#define CHAT_LINKS_LIST_MAX 200

_Static_assert(INVITE_SEALED_LEN <= STORE_SEALED_MAX, "sealed token fits the store struct");
_Static_assert(INVITE_HASH_LEN == STORE_HASH_LEN, "token hash size");

/* ---- destructors ---- */

void chat_link_clear(struct chat_link *l)
{
	free(l->created_by_name);
	memset(l, 0, sizeof *l);
}

void chat_link_list_clear(struct chat_link_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		chat_link_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void chat_link_preview_clear(struct chat_link_preview *p)
{
	chat_link_clear(&p->link);
	free(p->title);
	memset(p, 0, sizeof *p);
}

/* ---- a link row ---- */

/* The columns of a link; ?1 is now (unix seconds), for the creator's roles.
 * A link is dormant when the chat is archived, or its creator is disabled,
 * no longer the chat's owner or admin, or without an active role. */
#define CL_COLS                                                                                  \
	"SELECT l.id,l.chat_id,l.created_by,u.name,l.created_at,l.expires_at,l.max_uses,l.uses,"  \
	"COALESCE(l.revoked_at,0),l.token_sealed,(c.archived_at IS NOT NULL OR u.disabled<>0 OR " \
	"NOT EXISTS(SELECT 1 FROM chat_members m WHERE m.chat_id=l.chat_id AND "                  \
	"m.user_id=l.created_by AND m.role IN ('owner','admin')) OR NOT EXISTS(SELECT 1 FROM "    \
	"role_assignments a WHERE a.user_id=l.created_by AND (a.until IS NULL OR a.until>?1))) "  \
	"FROM chat_links l JOIN users u ON u.id=l.created_by JOIN chats c ON c.id=l.chat_id "

static void cl_from_row(sqlite3_stmt *s, struct chat_link *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(s, 0);
	o->chat_id = sqlite3_column_int64(s, 1);
	o->created_by = sqlite3_column_int64(s, 2);
	o->created_by_name = sqlite_col_str(s, 3);
	o->created_at = sqlite3_column_int64(s, 4);
	o->expires_at = sqlite3_column_int64(s, 5);
	o->max_uses = sqlite3_column_int64(s, 6);
	o->uses = sqlite3_column_int64(s, 7);
	o->revoked_at = sqlite3_column_int64(s, 8);
	int n = sqlite3_column_bytes(s, 9);
	const void *b = sqlite3_column_blob(s, 9);
	if (b && n > 0 && (size_t)n <= sizeof o->token_sealed) {
		memcpy(o->token_sealed, b, (size_t)n);
		o->token_sealed_len = (size_t)n;
	}
	o->dormant = sqlite3_column_int(s, 10) != 0;
}

/* One link from s (bound, ?1 = now): PERR_NOT_FOUND without a row. */
static int cl_one(struct sqlite_conn *cn, sqlite3_stmt *s, struct chat_link *out)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	cl_from_row(s, out);
	return PERR_OK;
}

static int cl_by_id(struct sqlite_conn *cn, int64_t chat_id, int64_t link_id, int64_t now,
		    struct chat_link *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, CL_COLS "WHERE l.id=?2 AND l.chat_id=?3");
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, link_id);
	sqlite3_bind_int64(s, 3, chat_id);
	return cl_one(cn, s, out);
}

static int cl_by_hash(struct sqlite_conn *cn, const uint8_t hash[STORE_HASH_LEN], int64_t now,
		      struct chat_link *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, CL_COLS "WHERE l.token_hash=?2");
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_blob(s, 2, hash, STORE_HASH_LEN, SQLITE_STATIC);
	return cl_one(cn, s, out);
}

/* Whether the link can be used now; a dormant link reads as revoked. */
static enum invite_state cl_state(const struct chat_link *l, int64_t now)
{
	enum invite_state st = invite_state_at(l->revoked_at, l->expires_at, l->uses, l->max_uses, now);
	return st == INVITE_LIVE && l->dormant ? INVITE_REVOKED : st;
}

/* ---- who manages a chat's links ---- */

/* May user_id manage chat_id's links (and, if to_change, change them now)?
 * Not a member: PERR_FORBIDDEN; a direct or mandatory chat: PERR_CONFLICT
 * "chat"; a plain member: PERR_FORBIDDEN; an archived chat, to change:
 * PERR_FORBIDDEN. */
static int cl_may_manage(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id, bool to_change,
			 const char **field)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT kind='direct',mandatory IS NOT NULL,archived_at IS "
					  "NOT NULL FROM chats WHERE id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	bool direct = sqlite3_column_int(s, 0) != 0;
	bool mandatory = sqlite3_column_int(s, 1) != 0;
	bool archived = sqlite3_column_int(s, 2) != 0;
	sqlite3_reset(s);
	struct chat_membership me;
	rc = sqlite_ca_membership(cn, chat_id, user_id, &me, NULL);
	if (rc)
		return rc;
	if (me.role == CHAT_ROLE_NONE)
		return PERR_FORBIDDEN;
	if (direct || mandatory) {
		*field = "chat";
		return PERR_CONFLICT;
	}
	if (me.role != CHAT_ROLE_OWNER && me.role != CHAT_ROLE_ADMIN)
		return PERR_FORBIDDEN;
	return to_change && archived ? PERR_FORBIDDEN : PERR_OK;
}

static int cl_audit(struct sqlite_conn *cn, const struct audit_entry *tpl, const char *action,
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

/* {"link_id":…,"expires_at":…,"max_uses":…,"uses":…} of l for the audit log
 * (never the token). */
static void cl_audit_json(struct buf *b, const struct chat_link *l)
{
	struct json_writer w;
	jw_init(&w, b);
	jw_object_begin(&w);
	jw_kv_int(&w, "link_id", l->id);
	jw_kv_int(&w, "expires_at", l->expires_at);
	jw_kv_int(&w, "max_uses", l->max_uses);
	jw_kv_int(&w, "uses", l->uses);
	jw_object_end(&w);
}

/* ---- create ---- */

struct create_job {
	const struct chat_link_new *n;
	struct chat_link *out;
	const char **field;
};

static int create_w(struct sqlite_conn *cn, void *arg)
{
	struct create_job *j = arg;
	const struct chat_link_new *n = j->n;
	int rc = cl_may_manage(cn, n->chat_id, n->actor_id, true, j->field);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO chat_links(chat_id,token_hash,token_sealed,"
					  "created_by,created_at,expires_at,max_uses) VALUES(?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, n->chat_id);
	sqlite3_bind_blob(s, 2, n->token_hash, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, n->token_sealed, (int)n->token_sealed_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, n->actor_id);
	sqlite3_bind_int64(s, 5, n->now);
	sqlite3_bind_int64(s, 6, n->expires_at);
	sqlite3_bind_int64(s, 7, n->max_uses);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	int64_t id = sqlite3_last_insert_rowid(sqlite_db(cn));
	rc = cl_by_id(cn, n->chat_id, id, n->now, j->out);
	if (rc)
		return rc;
	struct buf after;
	buf_init(&after, 0);
	cl_audit_json(&after, j->out);
	rc = cl_audit(cn, &n->audit, "chat.link_create", n->chat_id, NULL, after.data);
	buf_free(&after);
	return rc;
}

int sqlite_chat_link_create(struct store *st, const struct chat_link_new *n, struct chat_link *out,
			    const char **field)
{
	const char *f = NULL;
	struct create_job j = {n, out, &f};
	if (n->token_sealed_len == 0 || n->token_sealed_len > STORE_SEALED_MAX)
		return PERR_INVALID;
	memset(out, 0, sizeof *out);
	int rc = sqlite_write(st, create_w, &j);
	if (rc)
		chat_link_clear(out);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

/* ---- list ---- */

struct list_job {
	int64_t user_id;
	int64_t chat_id;
	int64_t now;
	struct chat_link_list *out;
	const char **field;
};

static int list_r(struct sqlite_conn *cn, void *arg)
{
	struct list_job *j = arg;
	int rc = cl_may_manage(cn, j->chat_id, j->user_id, false, j->field);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, CL_COLS "WHERE l.chat_id=?2 ORDER BY l.id DESC LIMIT ?3");
	sqlite3_bind_int64(s, 1, j->now);
	sqlite3_bind_int64(s, 2, j->chat_id);
	sqlite3_bind_int(s, 3, CHAT_LINKS_LIST_MAX);
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (j->out->count == cap) {
			cap = cap ? cap * 2 : 8;
			j->out->items = xrealloc(j->out->items, cap * sizeof *j->out->items);
		}
		cl_from_row(s, &j->out->items[j->out->count++]);
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

int sqlite_chat_links(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
		      struct chat_link_list *out, const char **field)
{
	const char *f = NULL;
	struct list_job j = {user_id, chat_id, now, out, &f};
	memset(out, 0, sizeof *out);
	int rc = sqlite_read(st, list_r, &j);
	if (rc)
		chat_link_list_clear(out);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

/* ---- revoke ---- */

struct revoke_job {
	int64_t user_id;
	int64_t chat_id;
	int64_t link_id;
	const struct audit_entry *audit;
	struct chat_link *out;
	const char **field;
};

static int revoke_w(struct sqlite_conn *cn, void *arg)
{
	struct revoke_job *j = arg;
	int64_t now = j->audit->now;
	int rc = cl_may_manage(cn, j->chat_id, j->user_id, true, j->field);
	if (!rc)
		rc = cl_by_id(cn, j->chat_id, j->link_id, now, j->out);
	if (rc || j->out->revoked_at)
		return rc; /* revoked already: nothing changes */
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chat_links SET revoked_at=?,revoked_by=? WHERE id=?");
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, j->user_id);
	sqlite3_bind_int64(s, 3, j->link_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	struct buf before;
	buf_init(&before, 0);
	cl_audit_json(&before, j->out);
	rc = cl_audit(cn, j->audit, "chat.link_revoke", j->chat_id, before.data, NULL);
	buf_free(&before);
	if (rc)
		return rc;
	chat_link_clear(j->out);
	return cl_by_id(cn, j->chat_id, j->link_id, now, j->out);
}

int sqlite_chat_link_revoke(struct store *st, int64_t user_id, int64_t chat_id, int64_t link_id,
			    const struct audit_entry *audit, struct chat_link *out,
			    const char **field)
{
	const char *f = NULL;
	struct revoke_job j = {user_id, chat_id, link_id, audit, out, &f};
	memset(out, 0, sizeof *out);
	int rc = sqlite_write(st, revoke_w, &j);
	if (rc)
		chat_link_clear(out);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

/* ---- open and join ---- */

/* Has user_id any active role (is a person of the college now)? */
static int cl_has_role(struct sqlite_conn *cn, int64_t user_id, int64_t now, bool *out)
{
	int64_t v = 0;
	int rc = sqlite_ca_int(cn, "SELECT EXISTS(SELECT 1 FROM role_assignments WHERE user_id=?1 AND "
				   "(until IS NULL OR until>?2))",
			       user_id, now, 0, &v);
	*out = v != 0;
	return rc;
}

/* Did a moderator (someone else than user_id, not the system) end user_id's
 * last membership of chat_id? The span of a membership closes at the seq of
 * the member.removed event, whose author is who removed them. */
static int cl_removed_by_moderator(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
				   bool *out)
{
	int64_t author = 0;
	int rc = sqlite_ca_int(cn, "SELECT COALESCE(e.author_id,0) FROM chat_member_spans p JOIN "
				   "chat_events e ON e.chat_id=p.chat_id AND e.seq=p.to_seq WHERE "
				   "p.chat_id=?1 AND p.user_id=?2 AND p.to_seq IS NOT NULL ORDER BY "
				   "p.from_seq DESC LIMIT 1",
			       chat_id, user_id, 0, &author);
	*out = false;
	if (rc == PERR_NOT_FOUND)
		return PERR_OK;
	if (rc)
		return rc;
	*out = author != 0 && author != user_id;
	return PERR_OK;
}

static int cl_chat_facts(struct sqlite_conn *cn, struct chat_link_preview *pv)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT kind,title,(SELECT COUNT(*) FROM chat_members m "
					  "WHERE m.chat_id=c.id) FROM chats c WHERE c.id=?");
	sqlite3_bind_int64(s, 1, pv->link.chat_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	sqlite_ca_col_copy(pv->kind, sizeof pv->kind, s, 0);
	pv->title = sqlite_col_str(s, 1);
	pv->members_count = sqlite3_column_int64(s, 2);
	return PERR_OK;
}

struct open_facts {
	bool removed;                 /* removed from the chat by a moderator */
	bool contact;                 /* the creator may write to the user */
};

/* Everything opening and joining decide on, read on cn (in the join's write
 * transaction for a join): the link and its state, the user's place in the
 * college, the chat, the user's membership and history in it, and the
 * contact policy from the link's creator to the user. */
static int cl_open(struct sqlite_conn *cn, const uint8_t hash[STORE_HASH_LEN], int64_t user_id,
		   int64_t now, bool classmates_allowed, struct chat_link_preview *pv,
		   struct open_facts *f, const char **field)
{
	bool has_role = false;
	memset(f, 0, sizeof *f);
	int rc = cl_by_hash(cn, hash, now, &pv->link);
	if (!rc)
		rc = cl_has_role(cn, user_id, now, &has_role);
	if (rc)
		return rc;
	if (!has_role)
		return PERR_FORBIDDEN;
	enum invite_state st = cl_state(&pv->link, now);
	if (st != INVITE_LIVE) {
		*field = invite_state_name(st);
		return PERR_EXPIRED;
	}
	rc = cl_chat_facts(cn, pv);
	if (rc)
		return rc;
	struct chat_membership m;
	rc = sqlite_ca_membership(cn, pv->link.chat_id, user_id, &m, NULL);
	if (rc)
		return rc;
	pv->already_member = m.role != CHAT_ROLE_NONE;
	if (pv->already_member)
		return PERR_OK;
	rc = cl_removed_by_moderator(cn, pv->link.chat_id, user_id, &f->removed);
	pv->removed = f->removed;
	if (rc || f->removed)
		return rc;
	rc = sqlite_ca_contact(cn, pv->link.created_by, user_id, now, classmates_allowed);
	if (rc && rc != PERR_FORBIDDEN)
		return rc;
	f->contact = rc == PERR_OK;
	pv->may_join = f->contact;
	return PERR_OK;
}

struct preview_job {
	const uint8_t *hash;
	int64_t user_id;
	int64_t now;
	bool classmates_allowed;
	struct chat_link_preview *out;
	const char **field;
};

static int preview_r(struct sqlite_conn *cn, void *arg)
{
	struct preview_job *j = arg;
	struct open_facts f;
	return cl_open(cn, j->hash, j->user_id, j->now, j->classmates_allowed, j->out, &f, j->field);
}

int sqlite_chat_link_preview(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t user_id,
			     int64_t now, bool classmates_allowed, struct chat_link_preview *out,
			     const char **field)
{
	const char *f = NULL;
	struct preview_job j = {hash, user_id, now, classmates_allowed, out, &f};
	memset(out, 0, sizeof *out);
	int rc = sqlite_read(st, preview_r, &j);
	if (rc)
		chat_link_preview_clear(out);
	if (field)
		*field = rc ? f : NULL;
	return rc;
}

struct join_job {
	struct chat_link_join *j;
	const char **field;
};

/* Count one use, guarded so that a link can never pass its maximum. */
static int cl_count_use(struct sqlite_conn *cn, int64_t link_id, int64_t now, const char **field)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chat_links SET uses=uses+1 WHERE id=? AND "
					  "uses<max_uses AND revoked_at IS NULL AND expires_at>?");
	sqlite3_bind_int64(s, 1, link_id);
	sqlite3_bind_int64(s, 2, now);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	if (sqlite3_changes(sqlite_db(cn)) == 1)
		return PERR_OK;
	*field = invite_state_name(INVITE_EXHAUSTED);
	return PERR_EXPIRED;
}

static int join_w(struct sqlite_conn *cn, void *arg)
{
	struct join_job *jj = arg;
	struct chat_link_join *j = jj->j;
	struct chat_link_preview pv;
	struct open_facts f;
	int64_t now = j->now_ms / 1000;
	memset(&pv, 0, sizeof pv);
	int rc = cl_open(cn, j->token_hash, j->user_id, now, j->classmates_allowed, &pv, &f, jj->field);
	if (rc)
		goto out;
	if (pv.already_member) {
		rc = PERR_CONFLICT;
		goto out;
	}
	if (f.removed || !f.contact) {
		*jj->field = f.removed ? "removed" : "link";
		rc = PERR_FORBIDDEN;
		goto out;
	}
	rc = cl_count_use(cn, pv.link.id, now, jj->field);
	if (!rc)
		rc = sqlite_chat_member_add(cn, pv.link.chat_id, j->user_id, "member", "manual",
					    j->user_id, j->now_ms);
	if (rc)
		goto out;
	char after[96];
	snprintf(after, sizeof after, "{\"user_id\":%lld,\"link_id\":%lld}", (long long)j->user_id,
		 (long long)pv.link.id);
	rc = cl_audit(cn, &j->audit, "chat.join_link", pv.link.chat_id, NULL, after);
	if (!rc)
		j->chat_id = pv.link.chat_id;
out:
	chat_link_preview_clear(&pv);
	return rc;
}

int sqlite_chat_link_join(struct store *st, struct chat_link_join *j, const char **field)
{
	const char *f = NULL;
	struct join_job jj = {j, &f};
	j->chat_id = 0;
	int rc = sqlite_write(st, join_w, &jj);
	if (rc)
		j->chat_id = 0;
	if (field)
		*field = rc ? f : NULL;
	return rc;
}
