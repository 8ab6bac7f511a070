/* SPDX-License-Identifier: MIT */
/* SQLite hot-path chat writes: send (new, reply, forward), message
 * operations (edit, delete, react, pin) and the read position. Each is one
 * writer job: idempotency by the author's client id, permission checks
 * against the chat and the membership in the same transaction, the event
 * appended to the log, and the message views updated. Synchronous (the caller
 * waits for the commit) or asynchronous (done on the writer thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "store/sqlite/sqlite_int.h"

/* A previous write with this client id: fill out and return true. */
static int msg__seen(struct sqlite_conn *cn, int64_t user_id, const char *client_id,
		     struct chat_write_result *out, bool *seen)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT e.chat_id,e.seq,e.at,COALESCE(m.id,0) FROM chat_events e "
					  "LEFT JOIN messages m ON m.chat_id=e.chat_id AND m.seq=e.seq "
					  "WHERE e.author_id=? AND e.client_id=?");
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, client_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*seen = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		out->chat_id = sqlite3_column_int64(s, 0);
		out->seq = sqlite3_column_int64(s, 1);
		out->at_ms = sqlite3_column_int64(s, 2);
		out->message_id = sqlite3_column_int64(s, 3);
		out->duplicate = true;
		return PERR_OK;
	}
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

struct membership {
	char role[8];
	int64_t muted_until;   /* unix s */
	int64_t last_post_at;  /* unix ms */
	char post_policy[8];
	char kind[8];
	int64_t slow_mode_s;
	bool archived;
};

static int msg__membership(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			   struct membership *m)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.role,COALESCE(m.muted_until,0),COALESCE(m.last_post_at,0),"
					  "c.post_policy,c.kind,c.slow_mode_s,c.archived_at IS NOT NULL FROM "
					  "chat_members m JOIN chats c ON c.id=m.chat_id WHERE m.chat_id=? AND "
					  "m.user_id=?");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_FORBIDDEN; /* not a member (or no such chat): same answer */
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	snprintf(m->role, sizeof m->role, "%s", (const char *)sqlite3_column_text(s, 0));
	m->muted_until = sqlite3_column_int64(s, 1);
	m->last_post_at = sqlite3_column_int64(s, 2);
	snprintf(m->post_policy, sizeof m->post_policy, "%s", (const char *)sqlite3_column_text(s, 3));
	snprintf(m->kind, sizeof m->kind, "%s", (const char *)sqlite3_column_text(s, 4));
	m->slow_mode_s = sqlite3_column_int64(s, 5);
	m->archived = sqlite3_column_int(s, 6) != 0;
	return PERR_OK;
}

static bool msg__is_admin(const struct membership *m)
{
	return strcmp(m->role, "owner") == 0 || strcmp(m->role, "admin") == 0;
}

/* May the user see event seq of chat_id (inside one of their spans)? */
static int msg__visible(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id, int64_t seq)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM chat_member_spans WHERE chat_id=? AND user_id=? "
					  "AND from_seq<=? AND (to_seq IS NULL OR to_seq>=?)");
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_int64(s, 4, seq);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return PERR_OK;
	return rc == SQLITE_DONE ? PERR_NOT_FOUND : sqlite_perr(cn, rc);
}

/* ---- send ---- */

struct send_job {
	const struct chat_send *in;
	struct chat_write_result *out;
	const char *field;     /* the offending input on PERR_INVALID */
	store_done_fn done;
	void *ud;
};

static int send__check(struct sqlite_conn *cn, struct send_job *j, struct membership *m)
{
	const struct chat_send *in = j->in;
	int rc = msg__membership(cn, in->chat_id, in->user_id, m);
	if (rc)
		return rc;
	if (m->archived)
		return PERR_FORBIDDEN;
	if (strcmp(m->post_policy, "admins") == 0 && !msg__is_admin(m))
		return PERR_FORBIDDEN;
	if (m->muted_until > in->now_ms / 1000)
		return PERR_FORBIDDEN;
	if (m->slow_mode_s > 0 && !msg__is_admin(m) && m->last_post_at &&
	    in->now_ms - m->last_post_at < m->slow_mode_s * 1000)
		return PERR_RATE_LIMITED;
	if (in->reply_to) {
		sqlite3_stmt *s = sqlite_stmt(cn, "SELECT 1 FROM messages WHERE chat_id=? AND seq=?");
		sqlite3_bind_int64(s, 1, in->chat_id);
		sqlite3_bind_int64(s, 2, in->reply_to);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW || msg__visible(cn, in->chat_id, in->user_id, in->reply_to)) {
			j->field = "reply_to";
			return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_INVALID : sqlite_perr(cn, rc);
		}
	}
	return PERR_OK;
}

/* The forwarded message's text and origin, if the sender may see it. */
static int send__forward(struct sqlite_conn *cn, struct send_job *j, struct buf *text,
			 struct buf *origin)
{
	const struct chat_send *in = j->in;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT m.text,u.name,m.deleted_at IS NOT NULL FROM messages m "
					  "JOIN users u ON u.id=m.author_id WHERE m.chat_id=? AND m.seq=?");
	sqlite3_bind_int64(s, 1, in->forward_chat_id);
	sqlite3_bind_int64(s, 2, in->forward_seq);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || sqlite3_column_int(s, 2)) {
		j->field = "forward";
		return rc == SQLITE_ROW || rc == SQLITE_DONE ? PERR_INVALID : sqlite_perr(cn, rc);
	}
	buf_puts(text, (const char *)sqlite3_column_text(s, 0));
	struct json_writer w;
	jw_init(&w, origin);
	jw_object_begin(&w);
	jw_kv_int(&w, "chat_id", in->forward_chat_id);
	jw_kv_int(&w, "seq", in->forward_seq);
	jw_kv_string(&w, "author_name", (const char *)sqlite3_column_text(s, 1));
	jw_object_end(&w);
	sqlite3_reset(s);
	if (msg__visible(cn, in->forward_chat_id, in->user_id, in->forward_seq)) {
		j->field = "forward";
		return PERR_INVALID;
	}
	return PERR_OK;
}

/* Mentions that are members of the chat, as a JSON array. */
static int send__mentions(struct sqlite_conn *cn, const struct chat_send *in, struct buf *out)
{
	struct json_writer w;
	jw_init(&w, out);
	jw_array_begin(&w);
	for (size_t i = 0; i < in->nmentions && i < 50; i++) {
		char role[8];
		int rc = sqlite_chat_member_role(cn, in->chat_id, in->mentions[i], role);
		if (rc == PERR_OK)
			jw_int(&w, in->mentions[i]);
		else if (rc != PERR_NOT_FOUND)
			return rc;
	}
	jw_array_end(&w);
	return PERR_OK;
}

static int send_w(struct sqlite_conn *cn, void *arg)
{
	struct send_job *j = arg;
	const struct chat_send *in = j->in;
	struct membership m;
	struct buf text, origin, mentions, data, author;
	bool seen = false;
	int rc = msg__seen(cn, in->user_id, in->client_id, j->out, &seen);
	if (rc || seen)
		return rc;
	buf_init(&text, 0);
	buf_init(&origin, 0);
	buf_init(&mentions, 0);
	buf_init(&data, 0);
	buf_init(&author, 0);
	rc = send__check(cn, j, &m);
	if (rc)
		goto out;
	if (in->forward_chat_id) {
		rc = send__forward(cn, j, &text, &origin);
		if (rc)
			goto out;
	} else {
		buf_puts(&text, in->text);
	}
	rc = send__mentions(cn, in, &mentions);
	if (rc)
		goto out;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT name FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, in->user_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		buf_puts(&author, (const char *)sqlite3_column_text(s, 0));

	/* the message id is known before the event so the event can carry it */
	s = sqlite_stmt(cn, "SELECT COALESCE(MAX(id),0)+1 FROM messages");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = sqlite_perr(cn, rc);
		goto out;
	}
	int64_t message_id = sqlite3_column_int64(s, 0);
	struct json_writer w;
	jw_init(&w, &data);
	jw_object_begin(&w);
	jw_kv_int(&w, "message_id", message_id);
	jw_kv_string(&w, "text", text.data ? text.data : "");
	jw_key(&w, "author");
	jw_object_begin(&w);
	jw_kv_int(&w, "id", in->user_id);
	jw_kv_string(&w, "name", author.data ? author.data : "");
	jw_object_end(&w);
	if (in->reply_to)
		jw_kv_int(&w, "reply_to", in->reply_to);
	jw_key(&w, "mentions");
	jw_raw(&w, mentions.data, mentions.len);
	if (origin.len) {
		jw_key(&w, "forwarded_from");
		jw_raw(&w, origin.data, origin.len);
	}
	jw_key(&w, "attachments");
	if (in->attachments_json)
		jw_raw(&w, in->attachments_json, strlen(in->attachments_json));
	else
		jw_raw(&w, "[]", 2);
	jw_object_end(&w);

	int64_t seq;
	rc = sqlite_chat_event_append(cn, in->chat_id, "message.new", in->user_id, 0, in->client_id,
				      data.data, in->now_ms, &seq);
	if (rc)
		goto out;
	s = sqlite_stmt(cn, "INSERT INTO messages(id,chat_id,seq,author_id,text,reply_to,forwarded_from,"
			    "mentions,attachments,created_at) VALUES(?,?,?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, message_id);
	sqlite3_bind_int64(s, 2, in->chat_id);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_int64(s, 4, in->user_id);
	sqlite3_bind_text(s, 5, text.data ? text.data : "", -1, SQLITE_STATIC);
	if (in->reply_to)
		sqlite3_bind_int64(s, 6, in->reply_to);
	if (origin.len)
		sqlite3_bind_text(s, 7, origin.data, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, mentions.data, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, in->attachments_json ? in->attachments_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, in->now_ms);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		rc = sqlite_perr(cn, rc);
		goto out;
	}
	rc = sqlite_search_index(cn, message_id, text.data ? text.data : "");
	if (rc)
		goto out;
	/* the author has read their own message; slow mode counts from now */
	s = sqlite_stmt(cn, "UPDATE chat_members SET last_post_at=?,read_seq=MAX(read_seq,?) WHERE "
			    "chat_id=? AND user_id=?");
	sqlite3_bind_int64(s, 1, in->now_ms);
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_int64(s, 3, in->chat_id);
	sqlite3_bind_int64(s, 4, in->user_id);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
	if (!rc) {
		j->out->chat_id = in->chat_id;
		j->out->seq = seq;
		j->out->at_ms = in->now_ms;
		j->out->message_id = message_id;
		j->out->duplicate = false;
	}
out:
	buf_free(&text);
	buf_free(&origin);
	buf_free(&mentions);
	buf_free(&data);
	buf_free(&author);
	return rc;
}

static void job_done_free(void *ud, int rc)
{
	struct send_job *j = ud;
	j->done(j->ud, rc);
	free(j);
}

int sqlite_chat_send(struct store *st, const struct chat_send *in, struct chat_write_result *out,
		     store_done_fn done, void *ud)
{
	if (!done) {
		struct send_job j = {.in = in, .out = out};
		return sqlite_write(st, send_w, &j);
	}
	struct send_job *j = xcalloc(1, sizeof *j);
	*j = (struct send_job){.in = in, .out = out, .done = done, .ud = ud};
	int rc = sqlite_write_async(st, send_w, j, job_done_free, j);
	if (rc)
		free(j);
	return rc;
}

/* ---- message operations ---- */

struct op_job {
	const struct chat_message_op *op;
	struct chat_write_result *out;
	store_done_fn done;
	void *ud;
};

struct target_message {
	int64_t id;
	int64_t author_id;
	bool deleted;
	bool pinned;
	char *text;
};

static int op__message(struct sqlite_conn *cn, const struct chat_message_op *op,
		       struct target_message *t)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT id,author_id,deleted_at IS NOT NULL,pinned,text FROM "
					  "messages WHERE chat_id=? AND seq=?");
	sqlite3_bind_int64(s, 1, op->chat_id);
	sqlite3_bind_int64(s, 2, op->seq);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	t->id = sqlite3_column_int64(s, 0);
	t->author_id = sqlite3_column_int64(s, 1);
	t->deleted = sqlite3_column_int(s, 2) != 0;
	t->pinned = sqlite3_column_int(s, 3) != 0;
	t->text = sqlite_col_str(s, 4);
	return msg__visible(cn, op->chat_id, op->user_id, op->seq);
}

/* Run a prepared UPDATE/DELETE with int64 parameters. */
static int op__exec(struct sqlite_conn *cn, const char *sql, int n, const int64_t *params)
{
	sqlite3_stmt *s = sqlite_stmt(cn, sql);
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(s, i + 1, params[i]);
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* Apply op to message t; writes the event's data into data and its kind. */
static int op__apply(struct sqlite_conn *cn, const struct chat_message_op *op,
		     const struct membership *m, const struct target_message *t, struct buf *data,
		     const char **kind)
{
	struct json_writer w;
	int rc = PERR_OK;
	jw_init(&w, data);
	jw_object_begin(&w);
	jw_kv_int(&w, "seq", op->seq);
	switch (op->kind) {
	case CHAT_OP_EDIT: {
		if (t->author_id != op->user_id || t->deleted)
			return PERR_FORBIDDEN;
		sqlite3_stmt *s = sqlite_stmt(cn, "INSERT INTO message_edits(message_id,edited_at,old_text) "
						  "VALUES(?,?,?)");
		sqlite3_bind_int64(s, 1, t->id);
		sqlite3_bind_int64(s, 2, op->now_ms);
		sqlite3_bind_text(s, 3, t->text ? t->text : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE)
			return sqlite_perr(cn, rc);
		s = sqlite_stmt(cn, "UPDATE messages SET text=?,edited_at=? WHERE id=?");
		sqlite3_bind_text(s, 1, op->text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, op->now_ms);
		sqlite3_bind_int64(s, 3, t->id);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
		if (!rc)
			rc = sqlite_search_unindex(cn, t->id);
		if (!rc)
			rc = sqlite_search_index(cn, t->id, op->text);
		jw_kv_string(&w, "text", op->text);
		jw_kv_int(&w, "edited_at", op->now_ms);
		*kind = "message.edit";
		break;
	}
	case CHAT_OP_DELETE: {
		bool moderator = t->author_id != op->user_id;
		if (t->deleted)
			return PERR_CONFLICT;
		if (moderator && !msg__is_admin(m))
			return PERR_FORBIDDEN;
		if (moderator) {
			/* the removed text stays in the audit log for the college */
			struct buf before;
			struct json_writer bw;
			char target[64];
			buf_init(&before, 0);
			jw_init(&bw, &before);
			jw_object_begin(&bw);
			jw_kv_int(&bw, "author_id", t->author_id);
			jw_kv_string(&bw, "text", t->text ? t->text : "");
			jw_object_end(&bw);
			snprintf(target, sizeof target, "chat:%lld/message:%lld", (long long)op->chat_id,
				 (long long)op->seq);
			struct audit_entry e = {.actor_id = op->user_id,
						.action = "chat.message_delete",
						.target = target,
						.before_json = before.data,
						.now = op->now_ms / 1000};
			rc = sqlite_audit_insert(cn, &e);
			buf_free(&before);
			if (rc)
				return rc;
		}
		const int64_t del[] = {op->now_ms, op->user_id, t->id};
		rc = op__exec(cn, "UPDATE messages SET text='',deleted_at=?,deleted_by=?,pinned=0 WHERE id=?",
			      3, del);
		if (!rc)
			rc = sqlite_search_unindex(cn, t->id);
		jw_kv_bool(&w, "by_moderator", moderator);
		*kind = "message.delete";
		break;
	}
	case CHAT_OP_REACT:
	case CHAT_OP_UNREACT: {
		bool on = op->kind == CHAT_OP_REACT;
		if (t->deleted)
			return PERR_CONFLICT;
		sqlite3_stmt *s = sqlite_stmt(cn, on ? "INSERT OR IGNORE INTO reactions(message_id,user_id,"
						       "emoji,at) VALUES(?,?,?,?)"
						     : "DELETE FROM reactions WHERE message_id=? AND "
						       "user_id=? AND emoji=?");
		sqlite3_bind_int64(s, 1, t->id);
		sqlite3_bind_int64(s, 2, op->user_id);
		sqlite3_bind_text(s, 3, op->emoji, -1, SQLITE_STATIC);
		if (on)
			sqlite3_bind_int64(s, 4, op->now_ms);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE)
			return sqlite_perr(cn, rc);
		rc = PERR_OK;
		if (sqlite3_changes(sqlite_db(cn)) == 0)
			return PERR_CONFLICT; /* already so: nothing to announce */
		jw_kv_string(&w, "emoji", op->emoji);
		jw_kv_int(&w, "user_id", op->user_id);
		jw_kv_bool(&w, "on", on);
		*kind = "reaction";
		break;
	}
	case CHAT_OP_PIN:
	case CHAT_OP_UNPIN: {
		bool on = op->kind == CHAT_OP_PIN;
		if (!msg__is_admin(m) && strcmp(m->kind, "direct") != 0)
			return PERR_FORBIDDEN;
		if (t->deleted || t->pinned == on)
			return PERR_CONFLICT;
		const int64_t pin[] = {on, t->id};
		rc = op__exec(cn, "UPDATE messages SET pinned=? WHERE id=?", 2, pin);
		jw_kv_bool(&w, "pinned", on);
		*kind = "pin";
		break;
	}
	default:
		return PERR_INVALID;
	}
	jw_object_end(&w);
	return rc;
}

static int op_w(struct sqlite_conn *cn, void *arg)
{
	struct op_job *j = arg;
	const struct chat_message_op *op = j->op;
	struct membership m;
	struct target_message t = {0};
	struct buf data;
	const char *kind = NULL;
	bool seen = false;
	int rc = msg__seen(cn, op->user_id, op->client_id, j->out, &seen);
	if (rc || seen)
		return rc;
	buf_init(&data, 0);
	rc = msg__membership(cn, op->chat_id, op->user_id, &m);
	if (rc)
		goto out;
	if (m.archived) {
		rc = PERR_FORBIDDEN;
		goto out;
	}
	rc = op__message(cn, op, &t);
	if (rc)
		goto out;
	rc = op__apply(cn, op, &m, &t, &data, &kind);
	if (rc)
		goto out;
	int64_t seq;
	rc = sqlite_chat_event_append(cn, op->chat_id, kind, op->user_id, 0, op->client_id, data.data,
				      op->now_ms, &seq);
	if (!rc) {
		j->out->chat_id = op->chat_id;
		j->out->seq = seq;
		j->out->at_ms = op->now_ms;
		j->out->message_id = t.id;
		j->out->duplicate = false;
	}
out:
	free(t.text);
	buf_free(&data);
	return rc;
}

static void op_done_free(void *ud, int rc)
{
	struct op_job *j = ud;
	j->done(j->ud, rc);
	free(j);
}

int sqlite_chat_message_op(struct store *st, const struct chat_message_op *op,
			   struct chat_write_result *out, store_done_fn done, void *ud)
{
	if (!done) {
		struct op_job j = {.op = op, .out = out};
		return sqlite_write(st, op_w, &j);
	}
	struct op_job *j = xcalloc(1, sizeof *j);
	*j = (struct op_job){.op = op, .out = out, .done = done, .ud = ud};
	int rc = sqlite_write_async(st, op_w, j, op_done_free, j);
	if (rc)
		free(j);
	return rc;
}

/* ---- read position ---- */

struct read_job {
	int64_t user_id, chat_id, seq;
	store_done_fn done;
	void *ud;
};

static int read_w(struct sqlite_conn *cn, void *arg)
{
	struct read_job *j = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "UPDATE chat_members SET read_seq=MIN(?,(SELECT last_seq FROM "
					  "chats WHERE id=?)) WHERE chat_id=? AND user_id=? AND read_seq<?");
	sqlite3_bind_int64(s, 1, j->seq);
	sqlite3_bind_int64(s, 2, j->chat_id);
	sqlite3_bind_int64(s, 3, j->chat_id);
	sqlite3_bind_int64(s, 4, j->user_id);
	sqlite3_bind_int64(s, 5, j->seq);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	if (sqlite3_changes(sqlite_db(cn)) > 0)
		return PERR_OK;
	char role[8];
	return sqlite_chat_member_role(cn, j->chat_id, j->user_id, role) == PERR_OK ? PERR_OK
										    : PERR_FORBIDDEN;
}

static void read_done_free(void *ud, int rc)
{
	struct read_job *j = ud;
	j->done(j->ud, rc);
	free(j);
}

int sqlite_chat_read(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
		     store_done_fn done, void *ud)
{
	if (!done) {
		struct read_job j = {user_id, chat_id, seq, NULL, NULL};
		return sqlite_write(st, read_w, &j);
	}
	struct read_job *j = xmalloc(sizeof *j);
	*j = (struct read_job){user_id, chat_id, seq, done, ud};
	int rc = sqlite_write_async(st, read_w, j, read_done_free, j);
	if (rc)
		free(j);
	return rc;
}
