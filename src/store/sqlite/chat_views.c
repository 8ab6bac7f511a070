/* SPDX-License-Identifier: MIT */
/* SQLite reads of chat administration (store/chat_admin.h): the chat list
 * with unread counts and last messages, one chat, its members, history pages
 * around or beside a message, pins, a message's versions and the read
 * report, each limited to what the reader's membership spans let them see
 * (chat_member_spans: a member sees the events of their membership periods,
 * a former member keeps what was written while they were in). The writes are
 * in chat_admin.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "store/sqlite/chat_admin_int.h"
#include "store/sqlite/sqlite_int.h"

#define CA_PINS_MAX 200

/* ---- destructors ---- */

void chat_summary_clear(struct chat_summary *c)
{
	free(c->subject);
	free(c->title);
	free(c->description);
	free(c->last_author_name);
	free(c->last_text);
	memset(c, 0, sizeof *c);
}

void chat_summary_list_clear(struct chat_summary_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		chat_summary_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void chat_member_list_clear(struct chat_member_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].name);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

static void ca_message_clear(struct chat_message_view *m)
{
	free(m->author_name);
	free(m->text);
	free(m->forwarded_from_json);
	free(m->mentions_json);
	free(m->attachments_json);
	for (size_t i = 0; i < m->nreactions; i++)
		free(m->reactions[i].emoji);
	free(m->reactions);
}

void chat_message_list_clear(struct chat_message_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		ca_message_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void chat_edit_list_clear(struct chat_edit_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].text);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static void ca_people_free(struct chat_person *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].name);
	free(p);
}

void chat_read_report_clear(struct chat_read_report *r)
{
	ca_people_free(r->read, r->nread);
	ca_people_free(r->unread, r->nunread);
	memset(r, 0, sizeof *r);
}

/* ---- reads: a chat, the chat list, members ---- */

#define CA_SUMMARY_COLS                                                                         \
	"SELECT c.id,c.kind,COALESCE(c.mandatory,''),COALESCE(c.unit_id,0),c.subject,c.title,"      \
	"c.description,c.post_policy,c.add_policy,c.slow_mode_s,COALESCE(c.created_by,0),"        \
	"c.created_at,c.archived_at IS NOT NULL,c.last_seq,m.role,m.read_seq,m.joined_seq,"       \
	"COALESCE(m.muted_until,0) "

static void ca_summary_row(sqlite3_stmt *s, int64_t now, struct chat_summary *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(s, 0);
	sqlite_ca_col_copy(c->kind, sizeof c->kind, s, 1);
	sqlite_ca_col_copy(c->mandatory, sizeof c->mandatory, s, 2);
	c->unit_id = sqlite3_column_int64(s, 3);
	c->subject = sqlite_col_str(s, 4);
	c->title = sqlite_col_str(s, 5);
	c->description = sqlite_col_str(s, 6);
	sqlite_ca_col_copy(c->post_policy, sizeof c->post_policy, s, 7);
	sqlite_ca_col_copy(c->add_policy, sizeof c->add_policy, s, 8);
	c->slow_mode_s = sqlite3_column_int64(s, 9);
	c->created_by = sqlite3_column_int64(s, 10);
	c->created_at = sqlite3_column_int64(s, 11);
	c->archived = sqlite3_column_int(s, 12) != 0;
	c->last_seq = sqlite3_column_int64(s, 13);
	sqlite_ca_col_copy(c->my_role, sizeof c->my_role, s, 14);
	c->read_seq = sqlite3_column_int64(s, 15);
	c->joined_seq = sqlite3_column_int64(s, 16);
	c->muted_until = sqlite3_column_int64(s, 17);
	if (c->muted_until <= now)
		c->muted_until = 0;
}

/* What the list shows beyond the row: the direct chat's other person, the
 * member count, the last readable message, the unread count, the activity. */
static int ca_summary_extras(struct sqlite_conn *cn, int64_t user_id, struct chat_summary *c)
{
	int rc = sqlite_ca_int(cn, "SELECT COUNT(*) FROM chat_members WHERE chat_id=?", c->id, 0, 0,
			&c->members_count);
	if (rc)
		return rc;
	if (strcmp(c->kind, "direct") == 0) {
		sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.user_id,u.name FROM chat_members m JOIN users u "
						  "ON u.id=m.user_id WHERE m.chat_id=? AND m.user_id<>? "
						  "LIMIT 1");
		sqlite3_bind_int64(s, 1, c->id);
		sqlite3_bind_int64(s, 2, user_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			c->peer_id = sqlite3_column_int64(s, 0);
			free(c->title);
			c->title = sqlite_col_str(s, 1);
		}
	}
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.seq,m.author_id,u.name,m.text,m.deleted_at IS NOT "
					  "NULL,m.created_at FROM messages m JOIN users u ON "
					  "u.id=m.author_id WHERE m.chat_id=?1 AND " CA_VISIBLE
					  " ORDER BY m.seq DESC LIMIT 1");
	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_int64(s, 2, user_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->has_last = true;
		c->last_msg_seq = sqlite3_column_int64(s, 0);
		c->last_author_id = sqlite3_column_int64(s, 1);
		c->last_author_name = sqlite_col_str(s, 2);
		c->last_text = sqlite3_column_int(s, 4) ? NULL : sqlite_col_str(s, 3);
		c->last_at_ms = sqlite3_column_int64(s, 5);
	} else if (rc != SQLITE_DONE) {
		return sqlite_perr(cn, rc);
	}
	int64_t from = c->read_seq > c->joined_seq ? c->read_seq : c->joined_seq;
	rc = sqlite_ca_int(cn, "SELECT COUNT(*) FROM messages WHERE chat_id=?1 AND seq>?2 AND author_id<>?3 "
			"AND deleted_at IS NULL", c->id, from, user_id, &c->unread);
	if (rc)
		return rc;
	int64_t joined_at = c->created_at * 1000;
	rc = sqlite_ca_int(cn, "SELECT at FROM chat_events WHERE chat_id=? AND seq=?", c->id, c->joined_seq, 0,
		    &joined_at);
	if (rc && rc != PERR_NOT_FOUND)
		return rc;
	c->activity_ms = c->has_last && c->last_at_ms > joined_at ? c->last_at_ms : joined_at;
	return PERR_OK;
}

struct get_job {
	int64_t user_id, chat_id, now;
	struct chat_summary *out;
};

static int get_r(struct sqlite_conn *cn, void *arg)
{
	struct get_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, CA_SUMMARY_COLS "FROM chats c LEFT JOIN chat_members m ON "
							  "m.chat_id=c.id AND m.user_id=?2 WHERE c.id=?1");
	sqlite3_bind_int64(s, 1, j->chat_id);
	sqlite3_bind_int64(s, 2, j->user_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	if (sqlite3_column_type(s, 14) == SQLITE_NULL)
		return PERR_FORBIDDEN;
	ca_summary_row(s, j->now, j->out);
	rc = ca_summary_extras(cn, j->user_id, j->out);
	if (rc)
		chat_summary_clear(j->out);
	return rc;
}

int sqlite_chat_get(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
		    struct chat_summary *out)
{
	struct get_job j = {user_id, chat_id, now, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, get_r, &j);
}

struct list_job {
	int64_t user_id, now;
	struct chat_summary_list *out;
};

static int ca_by_activity(const void *a, const void *b)
{
	const struct chat_summary *x = a, *y = b;
	if (x->activity_ms != y->activity_ms)
		return x->activity_ms > y->activity_ms ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static int list_r(struct sqlite_conn *cn, void *arg)
{
	struct list_job *j = arg;
	struct chat_summary_list *l = j->out;
	sqlite3_stmt *s = sqlite_stmt(cn, CA_SUMMARY_COLS "FROM chat_members m JOIN chats c ON "
							  "c.id=m.chat_id WHERE m.user_id=?1");
	sqlite3_bind_int64(s, 1, j->user_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->count == cap) {
			cap = cap ? cap * 2 : 16;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		ca_summary_row(s, j->now, &l->items[l->count++]);
	}
	rc = rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
	for (size_t i = 0; i < l->count && !rc; i++)
		rc = ca_summary_extras(cn, j->user_id, &l->items[i]);
	if (rc) {
		chat_summary_list_clear(l);
		return rc;
	}
	if (l->count > 1)
		qsort(l->items, l->count, sizeof *l->items, ca_by_activity);
	return PERR_OK;
}

int sqlite_chat_list(struct store *st, int64_t user_id, int64_t now, struct chat_summary_list *out)
{
	struct list_job j = {user_id, now, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, list_r, &j);
}

struct members_job {
	int64_t user_id, chat_id, now;
	struct chat_member_list *out;
};

static int members_r(struct sqlite_conn *cn, void *arg)
{
	struct members_job *j = arg;
	struct chat_member_list *l = j->out;
	struct chat_membership me;
	int64_t one;
	int rc = sqlite_ca_int(cn, "SELECT 1 FROM chats WHERE id=?", j->chat_id, 0, 0, &one);
	if (!rc)
		rc = sqlite_ca_membership(cn, j->chat_id, j->user_id, &me, NULL);
	if (rc)
		return rc;
	if (me.role == CHAT_ROLE_NONE)
		return PERR_FORBIDDEN;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.user_id,u.name,m.role,m.source,COALESCE(m.muted_until,"
					  "0) FROM chat_members m JOIN users u ON u.id=m.user_id WHERE "
					  "m.chat_id=? ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN "
					  "'admin' THEN 1 ELSE 2 END,u.name,m.user_id");
	sqlite3_bind_int64(s, 1, j->chat_id);
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->count == cap) {
			cap = cap ? cap * 2 : 32;
			l->items = xrealloc(l->items, cap * sizeof *l->items);
		}
		struct chat_member_view *v = &l->items[l->count++];
		memset(v, 0, sizeof *v);
		v->user_id = sqlite3_column_int64(s, 0);
		v->name = sqlite_col_str(s, 1);
		sqlite_ca_col_copy(v->role, sizeof v->role, s, 2);
		sqlite_ca_col_copy(v->source, sizeof v->source, s, 3);
		v->muted_until = sqlite3_column_int64(s, 4);
		if (v->muted_until <= j->now)
			v->muted_until = 0;
	}
	if (rc != SQLITE_DONE) {
		chat_member_list_clear(l);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_chat_members(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
			struct chat_member_list *out)
{
	struct members_job j = {user_id, chat_id, now, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, members_r, &j);
}

/* ---- reads: history, pins, edits, read report ---- */

/* The chat exists (else PERR_NOT_FOUND) and user_id was a member at some
 * time (else PERR_FORBIDDEN). */
static int ca_reader(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id)
{
	int64_t one;
	int rc = sqlite_ca_int(cn, "SELECT 1 FROM chats WHERE id=?", chat_id, 0, 0, &one);
	if (rc)
		return rc;
	rc = sqlite_ca_int(cn, "SELECT 1 FROM chat_member_spans WHERE chat_id=? AND user_id=? LIMIT 1", chat_id,
		    user_id, 0, &one);
	return rc == PERR_NOT_FOUND ? PERR_FORBIDDEN : rc;
}

#define CA_MSG_COLS                                                                              \
	"SELECT m.id,m.seq,m.author_id,u.name,m.text,m.deleted_at IS NOT NULL,COALESCE(m.deleted_by," \
	"0),m.created_at,COALESCE(m.edited_at,0),COALESCE(m.reply_to,0),m.forwarded_from,"          \
	"m.mentions,m.attachments,m.pinned FROM messages m JOIN users u ON u.id=m.author_id WHERE " \
	"m.chat_id=?1 AND " CA_VISIBLE

static const char sql_page_before[] = CA_MSG_COLS " AND m.seq<?3 ORDER BY m.seq DESC LIMIT ?4";
static const char sql_page_after[] = CA_MSG_COLS " AND m.seq>?3 ORDER BY m.seq LIMIT ?4";
static const char sql_page_from[] = CA_MSG_COLS " AND m.seq>=?3 ORDER BY m.seq LIMIT ?4";
static const char sql_pins[] = CA_MSG_COLS " AND m.pinned=1 AND m.deleted_at IS NULL ORDER BY "
					   "m.seq DESC LIMIT ?4";
static const char sql_visible_range[] =
	"SELECT EXISTS(SELECT 1 FROM messages m WHERE m.chat_id=?1 AND " CA_VISIBLE
	" AND m.seq>=?3 AND m.seq<=?4)";

static void ca_message_row(sqlite3_stmt *s, struct chat_message_view *v)
{
	memset(v, 0, sizeof *v);
	v->id = sqlite3_column_int64(s, 0);
	v->seq = sqlite3_column_int64(s, 1);
	v->author_id = sqlite3_column_int64(s, 2);
	v->author_name = sqlite_col_str(s, 3);
	v->deleted = sqlite3_column_int(s, 5) != 0;
	v->deleted_by_moderator = v->deleted && sqlite3_column_int64(s, 6) != v->author_id;
	v->at_ms = sqlite3_column_int64(s, 7);
	v->edited_at_ms = sqlite3_column_int64(s, 8);
	v->reply_to = sqlite3_column_int64(s, 9);
	v->pinned = sqlite3_column_int(s, 13) != 0;
	if (v->deleted) {
		/* what was deleted is gone for readers (the audit log keeps moderated text) */
		v->mentions_json = xstrdup("[]");
		v->attachments_json = xstrdup("[]");
		return;
	}
	v->text = sqlite_col_str(s, 4);
	v->forwarded_from_json = sqlite_col_str(s, 10);
	v->mentions_json = sqlite_col_str(s, 11);
	v->attachments_json = sqlite_col_str(s, 12);
	if (!v->mentions_json)
		v->mentions_json = xstrdup("[]");
	if (!v->attachments_json)
		v->attachments_json = xstrdup("[]");
}

static int ca_reactions(struct sqlite_conn *cn, int64_t user_id, struct chat_message_view *v)
{
	if (v->deleted)
		return PERR_OK;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT emoji,COUNT(*),MAX(user_id=?2) FROM reactions WHERE "
					  "message_id=?1 GROUP BY emoji ORDER BY MIN(at),emoji");
	sqlite3_bind_int64(s, 1, v->id);
	sqlite3_bind_int64(s, 2, user_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v->reactions = xrealloc(v->reactions, (v->nreactions + 1) * sizeof *v->reactions);
		struct chat_reaction_count *r = &v->reactions[v->nreactions++];
		r->emoji = sqlite_col_str(s, 0);
		r->count = sqlite3_column_int64(s, 1);
		r->mine = sqlite3_column_int(s, 2) != 0;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* Up to limit rows of sql (seq parameter ?3) appended to a growing array. */
static int ca_fetch(struct sqlite_conn *cn, const char *sql, const struct chat_page_query *q,
		    int64_t seq, int limit, struct chat_message_view **items, size_t *n)
{
	sqlite3_stmt *s = sqlite_stmt(cn, sql);
	sqlite3_bind_int64(s, 1, q->chat_id);
	sqlite3_bind_int64(s, 2, q->user_id);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_int(s, 4, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*items = xrealloc(*items, (*n + 1) * sizeof **items);
		ca_message_row(s, &(*items)[(*n)++]);
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

static void ca_reverse(struct chat_message_view *v, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct chat_message_view t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

static void ca_views_free(struct chat_message_view *v, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		ca_message_clear(&v[i]);
}

/* around seq: the message itself and what surrounds it, half before and
 * half after, the other side filling in when one runs short. */
static int ca_page_around(struct sqlite_conn *cn, const struct chat_page_query *q,
			  struct chat_message_list *out)
{
	struct chat_message_view *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;
	int limit = q->limit;
	int rc = ca_fetch(cn, sql_page_before, q, q->seq, limit + 1, &before, &nb);
	if (!rc)
		rc = ca_fetch(cn, sql_page_from, q, q->seq, limit + 1, &after, &na);
	if (rc) {
		ca_views_free(before, 0, nb);
		ca_views_free(after, 0, na);
		free(before);
		free(after);
		return rc;
	}
	size_t half = (size_t)limit / 2;
	size_t take_b = nb < half ? nb : half;
	size_t take_a = na < (size_t)limit - take_b ? na : (size_t)limit - take_b;
	if (take_b + take_a < (size_t)limit)
		take_b = nb < (size_t)limit - take_a ? nb : (size_t)limit - take_a;
	out->has_more_before = nb > take_b;
	out->has_more_after = na > take_a;
	ca_views_free(before, take_b, nb);
	ca_views_free(after, take_a, na);
	ca_reverse(before, take_b);
	out->items = xmalloc((take_b + take_a + 1) * sizeof *out->items);
	if (take_b)
		memcpy(out->items, before, take_b * sizeof *before);
	if (take_a)
		memcpy(out->items + take_b, after, take_a * sizeof *after);
	out->count = take_b + take_a;
	free(before);
	free(after);
	return PERR_OK;
}

struct history_job {
	const struct chat_page_query *q;
	struct chat_message_list *out;
};

/* Is a message in seq range [lo, hi] readable by q->user_id? */
static int ca_visible_between(struct sqlite_conn *cn, const struct chat_page_query *q, int64_t lo,
			      int64_t hi, bool *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, sql_visible_range);
	sqlite3_bind_int64(s, 1, q->chat_id);
	sqlite3_bind_int64(s, 2, q->user_id);
	sqlite3_bind_int64(s, 3, lo);
	sqlite3_bind_int64(s, 4, hi);
	int rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
	return rc == SQLITE_ROW ? PERR_OK : sqlite_perr(cn, rc);
}

/* Keep the first limit items of out; the rest existed: more. */
static bool ca_cut(struct chat_message_list *out, int limit)
{
	if (out->count <= (size_t)limit)
		return false;
	ca_views_free(out->items, (size_t)limit, out->count);
	out->count = (size_t)limit;
	return true;
}

static int history_page(struct sqlite_conn *cn, const struct chat_page_query *q,
			struct chat_message_list *out)
{
	int rc;
	switch (q->mode) {
	case CHAT_PAGE_AROUND:
		return ca_page_around(cn, q, out);
	case CHAT_PAGE_AFTER:
		rc = ca_fetch(cn, sql_page_after, q, q->seq, q->limit + 1, &out->items, &out->count);
		if (rc)
			return rc;
		out->has_more_after = ca_cut(out, q->limit);
		return ca_visible_between(cn, q, 0, q->seq, &out->has_more_before);
	case CHAT_PAGE_BEFORE:
	case CHAT_PAGE_LATEST:
	default: {
		int64_t seq = q->mode == CHAT_PAGE_BEFORE ? q->seq : INT64_MAX;
		rc = ca_fetch(cn, sql_page_before, q, seq, q->limit + 1, &out->items, &out->count);
		if (rc)
			return rc;
		out->has_more_before = ca_cut(out, q->limit);
		ca_reverse(out->items, out->count);
		if (q->mode != CHAT_PAGE_BEFORE)
			return PERR_OK;
		return ca_visible_between(cn, q, seq, INT64_MAX, &out->has_more_after);
	}
	}
}

static int history_r(struct sqlite_conn *cn, void *arg)
{
	struct history_job *j = arg;
	int rc = ca_reader(cn, j->q->chat_id, j->q->user_id);
	if (!rc)
		rc = history_page(cn, j->q, j->out);
	for (size_t i = 0; i < j->out->count && !rc; i++)
		rc = ca_reactions(cn, j->q->user_id, &j->out->items[i]);
	if (rc)
		chat_message_list_clear(j->out);
	return rc;
}

int sqlite_chat_history(struct store *st, const struct chat_page_query *q,
			struct chat_message_list *out)
{
	struct history_job j = {q, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, history_r, &j);
}

static int pins_r(struct sqlite_conn *cn, void *arg)
{
	struct history_job *j = arg;
	int rc = ca_reader(cn, j->q->chat_id, j->q->user_id);
	if (!rc)
		rc = ca_fetch(cn, sql_pins, j->q, 0, CA_PINS_MAX, &j->out->items, &j->out->count);
	for (size_t i = 0; i < j->out->count && !rc; i++)
		rc = ca_reactions(cn, j->q->user_id, &j->out->items[i]);
	if (rc)
		chat_message_list_clear(j->out);
	return rc;
}

int sqlite_chat_pins(struct store *st, int64_t user_id, int64_t chat_id,
		     struct chat_message_list *out)
{
	struct chat_page_query q = {.user_id = user_id, .chat_id = chat_id};
	struct history_job j = {&q, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, pins_r, &j);
}

struct message_job {
	int64_t user_id, chat_id, seq;
	struct chat_edit_list *edits;
	struct chat_read_report *reads;
};

/* The message seq of the chat, if user_id may read it (else PERR_NOT_FOUND). */
static int ca_message_visible(struct sqlite_conn *cn, struct message_job *j, int64_t *id,
			      int64_t *author_id, int64_t *created_at, bool *deleted, char **text)
{
	int rc = ca_reader(cn, j->chat_id, j->user_id);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.id,m.author_id,m.created_at,m.deleted_at IS NOT NULL,"
					  "m.text FROM messages m WHERE m.chat_id=?1 AND m.seq=?3 AND "
					  CA_VISIBLE);
	sqlite3_bind_int64(s, 1, j->chat_id);
	sqlite3_bind_int64(s, 2, j->user_id);
	sqlite3_bind_int64(s, 3, j->seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	*id = sqlite3_column_int64(s, 0);
	*author_id = sqlite3_column_int64(s, 1);
	*created_at = sqlite3_column_int64(s, 2);
	*deleted = sqlite3_column_int(s, 3) != 0;
	if (text)
		*text = sqlite_col_str(s, 4);
	return PERR_OK;
}

static int edits_r(struct sqlite_conn *cn, void *arg)
{
	struct message_job *j = arg;
	struct chat_edit_list *l = j->edits;
	int64_t id, author, at;
	char *current = NULL;
	int rc = ca_message_visible(cn, j, &id, &author, &at, &l->deleted, &current);
	if (rc || l->deleted) {
		free(current);
		return rc;
	}
	/* each edit row keeps the text it replaced; the current text is last */
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT old_text,edited_at FROM message_edits WHERE "
					  "message_id=? ORDER BY edited_at,rowid");
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		l->items = xrealloc(l->items, (l->count + 1) * sizeof *l->items);
		l->items[l->count].text = sqlite_col_str(s, 0);
		l->items[l->count].at_ms = at;
		l->count++;
		at = sqlite3_column_int64(s, 1);
	}
	if (rc != SQLITE_DONE) {
		free(current);
		chat_edit_list_clear(l);
		return sqlite_perr(cn, rc);
	}
	l->items = xrealloc(l->items, (l->count + 1) * sizeof *l->items);
	l->items[l->count].text = current ? current : xstrdup("");
	l->items[l->count].at_ms = at;
	l->count++;
	return PERR_OK;
}

int sqlite_chat_edits(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
		      struct chat_edit_list *out)
{
	struct message_job j = {.user_id = user_id, .chat_id = chat_id, .seq = seq, .edits = out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, edits_r, &j);
}

static int reads_r(struct sqlite_conn *cn, void *arg)
{
	struct message_job *j = arg;
	struct chat_read_report *r = j->reads;
	struct chat_membership me;
	int64_t id, author, at;
	bool deleted;
	int rc = ca_message_visible(cn, j, &id, &author, &at, &deleted, NULL);
	if (!rc)
		rc = sqlite_ca_membership(cn, j->chat_id, j->user_id, &me, NULL);
	if (rc)
		return rc;
	if (!chat_policy_may_see_reads(&me, author == j->user_id))
		return PERR_FORBIDDEN;
	r->seq = j->seq;
	/* the members whose spans cover the message, but its author */
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT cm.user_id,u.name,cm.read_seq>=?3 FROM chat_members cm "
					  "JOIN users u ON u.id=cm.user_id WHERE cm.chat_id=?1 AND "
					  "cm.user_id<>?2 AND EXISTS(SELECT 1 FROM chat_member_spans p "
					  "WHERE p.chat_id=cm.chat_id AND p.user_id=cm.user_id AND "
					  "p.from_seq<=?3 AND (p.to_seq IS NULL OR p.to_seq>=?3)) ORDER "
					  "BY u.name,cm.user_id");
	sqlite3_bind_int64(s, 1, j->chat_id);
	sqlite3_bind_int64(s, 2, author);
	sqlite3_bind_int64(s, 3, j->seq);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bool read = sqlite3_column_int(s, 2) != 0;
		struct chat_person **list = read ? &r->read : &r->unread;
		size_t *n = read ? &r->nread : &r->nunread;
		*list = xrealloc(*list, (*n + 1) * sizeof **list);
		(*list)[*n].id = sqlite3_column_int64(s, 0);
		(*list)[*n].name = sqlite_col_str(s, 1);
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		chat_read_report_clear(r);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_chat_reads(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
		      struct chat_read_report *out)
{
	struct message_job j = {.user_id = user_id, .chat_id = chat_id, .seq = seq, .reads = out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, reads_r, &j);
}
