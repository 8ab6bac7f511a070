/* SPDX-License-Identifier: MIT */
/* SQLite chat core: the per-chat event log (next seq assigned in the
 * committing transaction, events handed to the sink after the commit), the
 * membership primitives with their visibility spans, and the hot-path writes
 * (send, message operations, read position), each a single writer job that
 * checks, appends and updates the views atomically. See
 * docs/internals/chats.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "store/sqlite/sqlite_int.h"

void chat_events_free(struct chat_event *ev, size_t n)
{
	if (!ev)
		return;
	for (size_t i = 0; i < n; i++)
		free(ev[i].frame);
	free(ev);
}

void chat_ref_list_clear(struct chat_ref_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void chat_event_list_clear(struct chat_event_list *l)
{
	chat_events_free(l->items, l->count);
	l->items = NULL;
	l->count = 0;
	l->more = false;
}

/* The wire form of an event, shared by live delivery and sync. The author's
 * client id lets their own devices match the event to a pending write.
 * Client ids are restricted to [A-Za-z0-9._:-], so they need no escaping. */
static char *chats__frame(int64_t chat_id, int64_t seq, const char *kind, int64_t at_ms,
			  int64_t author_id, const char *client_id, const char *data, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "{\"type\":\"event\",\"chat_id\":%lld,\"seq\":%lld,\"kind\":\"%s\",\"at\":%lld,"
		       "\"author_id\":%lld,",
		   (long long)chat_id, (long long)seq, kind, (long long)at_ms, (long long)author_id);
	if (client_id && *client_id)
		buf_printf(&b, "\"client_id\":\"%s\",", client_id);
	buf_printf(&b, "\"data\":%s}", data && *data ? data : "{}");
	return buf_steal(&b, len);
}

int sqlite_chat_event_append(struct sqlite_conn *cn, int64_t chat_id, const char *kind,
			     int64_t author_id, int64_t subject_id, const char *client_id,
			     const char *data_json, int64_t at_ms, int64_t *seq_out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chats SET last_seq=last_seq+1 WHERE id=? "
					  "RETURNING last_seq");
	sqlite3_bind_int64(s, 1, chat_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	int64_t seq = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	const char *data = data_json && *data_json ? data_json : "{}";
	s = sqlite_stmt(cn, "INSERT INTO chat_events(chat_id,seq,kind,author_id,subject_id,client_id,"
			    "at,data) VALUES(?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	if (author_id)
		sqlite3_bind_int64(s, 4, author_id);
	if (subject_id)
		sqlite3_bind_int64(s, 5, subject_id);
	if (client_id)
		sqlite3_bind_text(s, 6, client_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, at_ms);
	sqlite3_bind_text(s, 8, data, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);

	struct chat_event ev = {.chat_id = chat_id,
				.seq = seq,
				.at_ms = at_ms,
				.author_id = author_id,
				.subject_id = subject_id};
	snprintf(ev.kind, sizeof ev.kind, "%s", kind);
	ev.frame = chats__frame(chat_id, seq, kind, at_ms, author_id, client_id, data, &ev.frame_len);
	sqlite_pending_event_add(cn, &ev);
	*seq_out = seq;
	return PERR_OK;
}

int sqlite_chat_member_role(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id, char role[8])
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT role FROM chat_members WHERE chat_id=? AND user_id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	snprintf(role, 8, "%s", (const char *)sqlite3_column_text(s, 0));
	return PERR_OK;
}

static int chats__user_name(struct sqlite_conn *cn, int64_t user_id, struct buf *out)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT name FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, user_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	buf_puts(out, (const char *)sqlite3_column_text(s, 0));
	return PERR_OK;
}

int sqlite_chat_member_add(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			   const char *role, const char *source, int64_t actor_id, int64_t at_ms)
{
	char current[8];
	struct buf name, data;
	int64_t seq = 0;
	int rc = sqlite_chat_member_role(cn, chat_id, user_id, current);
	if (rc == PERR_OK)
		return PERR_CONFLICT;
	if (rc != PERR_NOT_FOUND)
		return rc;
	buf_init(&name, 0);
	buf_init(&data, 0);
	rc = chats__user_name(cn, user_id, &name);
	if (rc)
		goto out;
	struct json_writer w;
	jw_init(&w, &data);
	jw_object_begin(&w);
	jw_kv_int(&w, "user_id", user_id);
	jw_kv_string(&w, "name", name.data);
	jw_kv_string(&w, "role", role);
	if (actor_id)
		jw_kv_int(&w, "by", actor_id);
	jw_object_end(&w);
	rc = sqlite_chat_event_append(cn, chat_id, "member.added", actor_id, user_id, NULL, data.data,
				      at_ms, &seq);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO chat_members(chat_id,user_id,role,source,"
					  "joined_seq,read_seq) VALUES(?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_text(s, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, seq);
	sqlite3_bind_int64(s, 6, seq);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		rc = sqlite_perr(cn, rc);
		goto out;
	}
	s = sqlite_stmt(cn, "INSERT INTO chat_member_spans(chat_id,user_id,from_seq) VALUES(?,?,?)");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, seq);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
out:
	buf_free(&name);
	buf_free(&data);
	return rc;
}

int sqlite_chat_member_remove(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			      int64_t actor_id, int64_t at_ms)
{
	char current[8];
	char data[96];
	int64_t seq = 0;
	int rc = sqlite_chat_member_role(cn, chat_id, user_id, current);
	if (rc)
		return rc;
	if (actor_id && actor_id != user_id)
		snprintf(data, sizeof data, "{\"user_id\":%lld,\"by\":%lld}", (long long)user_id,
			 (long long)actor_id);
	else
		snprintf(data, sizeof data, "{\"user_id\":%lld}", (long long)user_id);
	rc = sqlite_chat_event_append(cn, chat_id, "member.removed", actor_id, user_id, NULL, data,
				      at_ms, &seq);
	if (rc)
		return rc;
	sqlite3_stmt *s = sqlite_stmt(cn, "DELETE FROM chat_members WHERE chat_id=? AND user_id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	/* the removed person still sees the event that removed them */
	s = sqlite_stmt(cn, "UPDATE chat_member_spans SET to_seq=? WHERE chat_id=? AND user_id=? AND "
			    "to_seq IS NULL");
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int64(s, 2, chat_id);
	sqlite3_bind_int64(s, 3, user_id);
	rc = sqlite3_step(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* ---- reads: the user's chats, events since a cursor ---- */

struct user_chats_job {
	int64_t user_id;
	struct chat_ref_list *out;
};

static int user_chats_r(struct sqlite_conn *cn, void *arg)
{
	struct user_chats_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.chat_id,c.last_seq,m.read_seq,m.joined_seq FROM "
					  "chat_members m JOIN chats c ON c.id=m.chat_id WHERE m.user_id=?");
	sqlite3_bind_int64(s, 1, j->user_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (j->out->count == cap) {
			cap = cap ? cap * 2 : 16;
			j->out->items = xrealloc(j->out->items, cap * sizeof *j->out->items);
		}
		struct chat_ref *r = &j->out->items[j->out->count++];
		r->chat_id = sqlite3_column_int64(s, 0);
		r->last_seq = sqlite3_column_int64(s, 1);
		r->read_seq = sqlite3_column_int64(s, 2);
		r->joined_seq = sqlite3_column_int64(s, 3);
	}
	if (rc != SQLITE_DONE) {
		chat_ref_list_clear(j->out);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_chat_user_chats(struct store *st, int64_t user_id, struct chat_ref_list *out)
{
	struct user_chats_job j = {user_id, out};
	out->items = NULL;
	out->count = 0;
	return sqlite_read(st, user_chats_r, &j);
}

struct events_job {
	int64_t user_id, chat_id, after;
	int limit;
	struct chat_event_list *out;
};

static int events_since_r(struct sqlite_conn *cn, void *arg)
{
	struct events_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM chat_member_spans WHERE chat_id=? AND user_id=? "
					  "LIMIT 1");
	sqlite3_bind_int64(s, 1, j->chat_id);
	sqlite3_bind_int64(s, 2, j->user_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_FORBIDDEN;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	s = sqlite_stmt(cn, "SELECT e.seq,e.kind,e.at,COALESCE(e.author_id,0),COALESCE(e.subject_id,0),"
			    "e.data,e.client_id FROM chat_events e JOIN chat_member_spans p ON p.chat_id=e.chat_id AND "
			    "p.user_id=? AND e.seq>=p.from_seq AND (p.to_seq IS NULL OR e.seq<=p.to_seq) "
			    "WHERE e.chat_id=? AND e.seq>? ORDER BY e.seq LIMIT ?");
	sqlite3_bind_int64(s, 1, j->user_id);
	sqlite3_bind_int64(s, 2, j->chat_id);
	sqlite3_bind_int64(s, 3, j->after);
	sqlite3_bind_int(s, 4, j->limit + 1);
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((int)j->out->count == j->limit) {
			j->out->more = true;
			break;
		}
		if (j->out->count == cap) {
			cap = cap ? cap * 2 : 64;
			j->out->items = xrealloc(j->out->items, cap * sizeof *j->out->items);
		}
		struct chat_event *ev = &j->out->items[j->out->count++];
		memset(ev, 0, sizeof *ev);
		ev->chat_id = j->chat_id;
		ev->seq = sqlite3_column_int64(s, 0);
		snprintf(ev->kind, sizeof ev->kind, "%s", (const char *)sqlite3_column_text(s, 1));
		ev->at_ms = sqlite3_column_int64(s, 2);
		ev->author_id = sqlite3_column_int64(s, 3);
		ev->subject_id = sqlite3_column_int64(s, 4);
		ev->frame = chats__frame(j->chat_id, ev->seq, ev->kind, ev->at_ms, ev->author_id,
					 (const char *)sqlite3_column_text(s, 6),
					 (const char *)sqlite3_column_text(s, 5), &ev->frame_len);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		chat_event_list_clear(j->out);
		return sqlite_perr(cn, rc);
	}
	return PERR_OK;
}

int sqlite_chat_events_since(struct store *st, int64_t user_id, int64_t chat_id, int64_t after_seq,
			     int limit, struct chat_event_list *out)
{
	if (limit <= 0 || limit > CHAT_SYNC_LIMIT)
		limit = CHAT_SYNC_LIMIT;
	struct events_job j = {user_id, chat_id, after_seq < 0 ? 0 : after_seq, limit, out};
	memset(out, 0, sizeof *out);
	return sqlite_read(st, events_since_r, &j);
}
