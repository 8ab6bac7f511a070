/* SPDX-License-Identifier: MIT */
/* GET /api/v1/ws: the real-time connection and its protocol
 * (docs/protocol.md). Authenticated like any API call (session cookie with
 * our own Origin, or a bearer token), then upgraded. Each connection is an
 * rt_session: its hub client (what it follows, its cursors), the sync in
 * progress, and the writes in flight. Writes (send, edit, delete, react, pin,
 * read) go to the store asynchronously and are acknowledged only after their
 * commit; the events they made reach every follower through the hub. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "net/ws.h"
#include "net/work.h"
#include "rt/bus.h"
#include "rt/hub.h"

#define WS_MAX_INFLIGHT 1024     /* writes in flight per connection */
#define WS_TYPING_INTERVAL_MS 2000
#define WS_SYNC_MAX_EVENTS 50000 /* per sync request, over all chats */

/* One real-time connection. Reference-counted: the connection holds one
 * reference until it closes, every operation in flight holds one. */
struct rt_session {
	struct parta *p;
	struct hub_client *hc;
	enum lang lang;
	int refs;
	bool chats_loaded;
	bool sync_running;
	char *queued_sync;          /* a sync that arrived before the chat list */
	size_t queued_sync_len;
	int inflight;
	int64_t typing_chat;
	uint64_t typing_at_ms;
};

static void session_unref(struct rt_session *s)
{
	if (--s->refs > 0)
		return;
	hub_client_unref(s->hc);
	free(s->queued_sync);
	free(s);
}

static bool session_open(const struct rt_session *s)
{
	return hub_client_conn(s->hc) != NULL;
}

/* ---- replies ---- */

static void ws__send_json(struct rt_session *s, const struct buf *b)
{
	struct conn *c = hub_client_conn(s->hc);
	if (c)
		conn_ws_send_text(c, b->data, b->len);
}

static void ws__error(struct rt_session *s, const char *id, const char *client_id, int err,
		      const char *field)
{
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "error");
	if (id)
		jw_kv_string(&w, "id", id);
	if (client_id)
		jw_kv_string(&w, "client_id", client_id);
	jw_kv_string(&w, "code", perr_str(err));
	jw_kv_string(&w, "message", perr_message(err, s->lang));
	if (field)
		jw_kv_string(&w, "field", field);
	jw_object_end(&w);
	ws__send_json(s, &out);
	buf_free(&out);
}

/* ---- input helpers ---- */

static bool ws__id_ok(const char *v, size_t len, size_t max)
{
	if (!v || len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

static int64_t ws__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool ws__positive(const struct json_value *v, int64_t *out)
{
	return v && json_int(v, out) == PERR_OK && *out > 0;
}

static bool ws__text_ok(const char *t, size_t len)
{
	if (!t || len == 0 || len > CHAT_TEXT_MAX || memchr(t, '\0', len))
		return false;
	for (size_t i = 0; i < len; i++)
		if (t[i] != ' ' && t[i] != '\n' && t[i] != '\t' && t[i] != '\r')
			return true;
	return false;
}

/* ---- writes ---- */

/* A write in flight; owns copies of its input. */
struct ws_op {
	struct rt_session *s;
	char id[72];
	char client_id[CHAT_CLIENT_ID_MAX + 1];
	const char *type;
	struct chat_send send;
	struct chat_message_op mop;
	int64_t read_chat, read_seq;
	char *text;
	char *attachments;
	int64_t *mentions;
	char emoji[40];
	struct chat_write_result res;
	const char *field;
};

static void ws_op_free(struct ws_op *op)
{
	op->s->inflight--;
	session_unref(op->s);
	free(op->text);
	free(op->attachments);
	free(op->mentions);
	free(op);
}

/* Loop thread, after the commit (through the bus, after the events). */
static void ws__op_done(void *arg, int rc)
{
	struct ws_op *op = arg;
	struct rt_session *s = op->s;
	if (!session_open(s))
		goto out;
	if (rc) {
		ws__error(s, op->id, op->client_id[0] ? op->client_id : NULL, rc, op->field);
		goto out;
	}
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "ack");
	jw_kv_string(&w, "id", op->id);
	if (op->client_id[0])
		jw_kv_string(&w, "client_id", op->client_id);
	if (strcmp(op->type, "read") == 0) {
		jw_kv_int(&w, "chat_id", op->read_chat);
		jw_kv_int(&w, "seq", op->read_seq);
	} else {
		jw_kv_int(&w, "chat_id", op->res.chat_id);
		jw_kv_int(&w, "seq", op->res.seq);
		jw_kv_int(&w, "at", op->res.at_ms);
		if (op->res.message_id)
			jw_kv_int(&w, "message_id", op->res.message_id);
		jw_kv_bool(&w, "duplicate", op->res.duplicate);
	}
	jw_object_end(&w);
	ws__send_json(s, &b);
	buf_free(&b);
	if (strcmp(op->type, "read") == 0) {
		/* the user's other devices update their unread counts */
		char ev[128];
		int n = snprintf(ev, sizeof ev, "{\"type\":\"read\",\"chat_id\":%lld,\"seq\":%lld}",
				 (long long)op->read_chat, (long long)op->read_seq);
		hub_user_send_ephemeral(s->p->hub, hub_client_user(s->hc), ev, (size_t)n, s->hc);
	}
out:
	ws_op_free(op);
}

/* Writer thread: hand the completion to the loop through the bus. */
static void ws__op_committed(void *ud, int rc)
{
	struct ws_op *op = ud;
	bus_post_call(op->s->p->bus, ws__op_done, op, rc);
}

static struct ws_op *ws__op_new(struct rt_session *s, const char *type, const char *id)
{
	struct ws_op *op = xcalloc(1, sizeof *op);
	op->s = s;
	op->type = type;
	snprintf(op->id, sizeof op->id, "%s", id ? id : "");
	s->refs++;
	s->inflight++;
	return op;
}

static void ws__op_submit(struct ws_op *op, int rc)
{
	if (rc == PERR_OK) {
		bus_hold(op->s->p->bus);
		return;
	}
	ws__error(op->s, op->id, op->client_id[0] ? op->client_id : NULL, rc, NULL);
	ws_op_free(op);
}

static void ws__handle_send(struct rt_session *s, const struct json_value *m, const char *id)
{
	size_t cl = 0, tl = 0;
	int64_t chat_id = 0, reply_to = 0;
	const char *client_id = json_str(json_get(m, "client_id"), &cl);
	const char *text = json_str(json_get(m, "text"), &tl);
	const struct json_value *fwd = json_get(m, "forward");
	const struct json_value *mentions = json_get(m, "mentions");
	const struct json_value *att = json_get(m, "attachments");
	int64_t fchat = 0, fseq = 0;
	if (!ws__positive(json_get(m, "chat_id"), &chat_id)) {
		ws__error(s, id, NULL, PERR_INVALID, "chat_id");
		return;
	}
	if (!ws__id_ok(client_id, cl, CHAT_CLIENT_ID_MAX)) {
		ws__error(s, id, NULL, PERR_INVALID, "client_id");
		return;
	}
	if (fwd && (!ws__positive(json_get(fwd, "chat_id"), &fchat) ||
		    !ws__positive(json_get(fwd, "seq"), &fseq))) {
		ws__error(s, id, client_id, PERR_INVALID, "forward");
		return;
	}
	if (!fwd && !ws__text_ok(text, tl)) {
		ws__error(s, id, client_id, PERR_INVALID, "text");
		return;
	}
	if (fwd && text && tl > CHAT_TEXT_MAX) {
		ws__error(s, id, client_id, PERR_INVALID, "text");
		return;
	}
	const struct json_value *rv = json_get(m, "reply_to");
	if (rv && !json_is_null(rv) && !ws__positive(rv, &reply_to)) {
		ws__error(s, id, client_id, PERR_INVALID, "reply_to");
		return;
	}
	if (mentions && (json_type(mentions) != JSON_ARRAY || json_len(mentions) > 50)) {
		ws__error(s, id, client_id, PERR_INVALID, "mentions");
		return;
	}
	if (att && json_type(att) != JSON_ARRAY) {
		ws__error(s, id, client_id, PERR_INVALID, "attachments");
		return;
	}

	struct ws_op *op = ws__op_new(s, "send", id);
	snprintf(op->client_id, sizeof op->client_id, "%.*s", (int)cl, client_id);
	op->text = xstrndup(text ? text : "", text ? tl : 0);
	if (mentions && json_len(mentions)) {
		op->mentions = xcalloc(json_len(mentions), sizeof *op->mentions);
		for (size_t i = 0; i < json_len(mentions); i++) {
			if (!ws__positive(json_at(mentions, i), &op->mentions[op->send.nmentions])) {
				ws__error(s, id, client_id, PERR_INVALID, "mentions");
				ws_op_free(op);
				return;
			}
			op->send.nmentions++;
		}
	}
	if (att && json_len(att)) {
		/* attachments arrive with the materials issue: keep the field, refuse content */
		ws__error(s, id, client_id, PERR_UNSUPPORTED, "attachments");
		ws_op_free(op);
		return;
	}
	op->send.user_id = hub_client_user(s->hc);
	op->send.chat_id = chat_id;
	op->send.client_id = op->client_id;
	op->send.text = op->text;
	op->send.reply_to = reply_to;
	op->send.mentions = op->mentions;
	op->send.forward_chat_id = fchat;
	op->send.forward_seq = fseq;
	op->send.now_ms = ws__now_ms();
	ws__op_submit(op, store_chat_send(&s->p->store, &op->send, &op->res, ws__op_committed, op));
}

static void ws__handle_message_op(struct rt_session *s, const struct json_value *m, const char *id,
				  const char *type)
{
	size_t cl = 0, tl = 0, el = 0;
	int64_t chat_id = 0, seq = 0;
	const char *client_id = json_str(json_get(m, "client_id"), &cl);
	if (!ws__positive(json_get(m, "chat_id"), &chat_id)) {
		ws__error(s, id, NULL, PERR_INVALID, "chat_id");
		return;
	}
	if (!ws__positive(json_get(m, "seq"), &seq)) {
		ws__error(s, id, NULL, PERR_INVALID, "seq");
		return;
	}
	if (!ws__id_ok(client_id, cl, CHAT_CLIENT_ID_MAX)) {
		ws__error(s, id, NULL, PERR_INVALID, "client_id");
		return;
	}
	/* op->type outlives the parsed message: keep a literal */
	static const char *const op_types[] = {"edit", "delete", "react", "pin"};
	const char *lit = "pin";
	for (size_t i = 0; i < sizeof op_types / sizeof op_types[0]; i++)
		if (strcmp(type, op_types[i]) == 0)
			lit = op_types[i];
	struct ws_op *op = ws__op_new(s, lit, id);
	snprintf(op->client_id, sizeof op->client_id, "%.*s", (int)cl, client_id);
	op->mop.user_id = hub_client_user(s->hc);
	op->mop.chat_id = chat_id;
	op->mop.seq = seq;
	op->mop.client_id = op->client_id;
	op->mop.now_ms = ws__now_ms();
	const char *bad = NULL;
	if (strcmp(type, "edit") == 0) {
		const char *text = json_str(json_get(m, "text"), &tl);
		if (!ws__text_ok(text, tl))
			bad = "text";
		else
			op->text = xstrndup(text, tl);
		op->mop.kind = CHAT_OP_EDIT;
		op->mop.text = op->text;
	} else if (strcmp(type, "delete") == 0) {
		op->mop.kind = CHAT_OP_DELETE;
	} else if (strcmp(type, "react") == 0) {
		const char *emoji = json_str(json_get(m, "emoji"), &el);
		bool on = true;
		const struct json_value *onv = json_get(m, "on");
		if (!emoji || el == 0 || el >= sizeof op->emoji || memchr(emoji, '\0', el))
			bad = "emoji";
		else if (onv && json_bool(onv, &on) != PERR_OK)
			bad = "on";
		else
			memcpy(op->emoji, emoji, el);
		op->mop.kind = on ? CHAT_OP_REACT : CHAT_OP_UNREACT;
		op->mop.emoji = op->emoji;
	} else { /* pin */
		bool on = true;
		const struct json_value *pv = json_get(m, "pinned");
		if (pv && json_bool(pv, &on) != PERR_OK)
			bad = "pinned";
		op->mop.kind = on ? CHAT_OP_PIN : CHAT_OP_UNPIN;
	}
	if (bad) {
		ws__error(s, id, op->client_id, PERR_INVALID, bad);
		ws_op_free(op);
		return;
	}
	ws__op_submit(op, store_chat_message_op(&s->p->store, &op->mop, &op->res, ws__op_committed, op));
}

static void ws__handle_read(struct rt_session *s, const struct json_value *m, const char *id)
{
	int64_t chat_id = 0, seq = 0;
	if (!ws__positive(json_get(m, "chat_id"), &chat_id)) {
		ws__error(s, id, NULL, PERR_INVALID, "chat_id");
		return;
	}
	if (!ws__positive(json_get(m, "seq"), &seq)) {
		ws__error(s, id, NULL, PERR_INVALID, "seq");
		return;
	}
	struct ws_op *op = ws__op_new(s, "read", id);
	op->read_chat = chat_id;
	op->read_seq = seq;
	ws__op_submit(op, store_chat_read(&s->p->store, hub_client_user(s->hc), chat_id, seq,
					  ws__op_committed, op));
}

static void ws__handle_typing(struct rt_session *s, const struct json_value *m)
{
	int64_t chat_id = 0;
	if (!ws__positive(json_get(m, "chat_id"), &chat_id) || !hub_client_follows(s->hc, chat_id))
		return; /* ephemeral: no answer, no error storm */
	uint64_t now = uv_hrtime() / 1000000;
	if (s->typing_chat == chat_id && now - s->typing_at_ms < WS_TYPING_INTERVAL_MS)
		return;
	s->typing_chat = chat_id;
	s->typing_at_ms = now;
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "typing");
	jw_kv_int(&w, "chat_id", chat_id);
	jw_kv_int(&w, "user_id", hub_client_user(s->hc));
	jw_kv_string(&w, "name", hub_client_name(s->hc));
	jw_object_end(&w);
	hub_chat_send_ephemeral(s->p->hub, chat_id, b.data, b.len, s->hc);
	buf_free(&b);
}

/* ---- chat list and sync ---- */

struct chats_load {
	struct rt_session *s;
	struct chat_ref_list chats;
	int rc;
};

static void chats_load_work(void *arg)
{
	struct chats_load *l = arg;
	l->rc = store_chat_user_chats(&l->s->p->store, hub_client_user(l->s->hc), &l->chats);
}

static void ws__run_sync(struct rt_session *s, const char *text, size_t len);

static void chats_load_done(void *arg, uint64_t ns)
{
	struct chats_load *l = arg;
	struct rt_session *s = l->s;
	(void)ns;
	if (session_open(s)) {
		if (l->rc) {
			conn_ws_close(hub_client_conn(s->hc), WS_CLOSE_INTERNAL, "store");
		} else {
			for (size_t i = 0; i < l->chats.count; i++)
				hub_client_follow(s->hc, l->chats.items[i].chat_id, HUB_CURSOR_UNSET);
			s->chats_loaded = true;
			if (s->queued_sync) {
				char *q = s->queued_sync;
				size_t ql = s->queued_sync_len;
				s->queued_sync = NULL;
				ws__run_sync(s, q, ql);
				free(q);
			}
		}
	}
	chat_ref_list_clear(&l->chats);
	session_unref(s);
	free(l);
}

struct sync_cursor {
	int64_t chat_id;
	int64_t cursor;
};

struct sync_job {
	struct rt_session *s;
	char id[72];
	struct sync_cursor *cursors;
	size_t ncursors;
	struct chat_ref_list chats;
	struct chat_event_list *history;  /* one per chat of `chats` */
	/* cursors of chats the user left: the rest of what they may read (up to
	 * and including their removal), one list per cursor */
	struct chat_event_list *former;
	int rc;
};

static int64_t sync__cursor_of(const struct sync_job *j, int64_t chat_id)
{
	for (size_t i = 0; i < j->ncursors; i++)
		if (j->cursors[i].chat_id == chat_id)
			return j->cursors[i].cursor;
	return -1;
}

/* All events after cur the user may read in chat_id, page by page.
 * PERR_FORBIDDEN if they never belonged to it. */
static int sync__fetch(struct store_handle *st, int64_t user, int64_t chat_id, int64_t cur,
		       struct chat_event_list *h, size_t *total)
{
	do {
		struct chat_event_list page;
		int64_t after = h->count ? h->items[h->count - 1].seq : cur;
		int rc = store_chat_events_since(st, user, chat_id, after, CHAT_SYNC_LIMIT, &page);
		if (rc)
			return rc;
		h->items = xrealloc(h->items, (h->count + page.count + 1) * sizeof *h->items);
		if (page.count)
			memcpy(h->items + h->count, page.items, page.count * sizeof *page.items);
		h->count += page.count;
		*total += page.count;
		free(page.items);
		h->more = page.more;
	} while (h->more && *total < WS_SYNC_MAX_EVENTS);
	return *total >= WS_SYNC_MAX_EVENTS ? PERR_LIMIT : PERR_OK;
}

static bool sync__is_member(const struct sync_job *j, int64_t chat_id)
{
	for (size_t i = 0; i < j->chats.count; i++)
		if (j->chats.items[i].chat_id == chat_id)
			return true;
	return false;
}

static void sync_work(void *arg)
{
	struct sync_job *j = arg;
	struct store_handle *st = &j->s->p->store;
	int64_t user = hub_client_user(j->s->hc);
	size_t total = 0;
	j->rc = store_chat_user_chats(st, user, &j->chats);
	if (j->rc)
		return;
	j->history = xcalloc(j->chats.count ? j->chats.count : 1, sizeof *j->history);
	for (size_t i = 0; i < j->chats.count; i++) {
		int64_t cur = sync__cursor_of(j, j->chats.items[i].chat_id);
		if (cur < 0)
			continue;
		j->rc = sync__fetch(st, user, j->chats.items[i].chat_id, cur, &j->history[i], &total);
		if (j->rc == PERR_FORBIDDEN)
			j->rc = PERR_OK;
		if (j->rc)
			return;
	}
	j->former = xcalloc(j->ncursors ? j->ncursors : 1, sizeof *j->former);
	for (size_t i = 0; i < j->ncursors; i++) {
		if (sync__is_member(j, j->cursors[i].chat_id))
			continue;
		j->rc = sync__fetch(st, user, j->cursors[i].chat_id, j->cursors[i].cursor, &j->former[i],
				    &total);
		if (j->rc == PERR_FORBIDDEN)
			j->rc = PERR_OK; /* never a member: nothing to tell */
		if (j->rc)
			return;
	}
}

static void sync_job_free(struct sync_job *j)
{
	if (j->history)
		for (size_t i = 0; i < j->chats.count; i++)
			chat_event_list_clear(&j->history[i]);
	free(j->history);
	if (j->former)
		for (size_t i = 0; i < j->ncursors; i++)
			chat_event_list_clear(&j->former[i]);
	free(j->former);
	chat_ref_list_clear(&j->chats);
	free(j->cursors);
	free(j);
}

static void sync_done(void *arg, uint64_t ns)
{
	struct sync_job *j = arg;
	struct rt_session *s = j->s;
	(void)ns;
	s->sync_running = false;
	if (!session_open(s))
		goto out;
	if (j->rc) {
		hub_client_sync_end(s->hc);
		ws__error(s, j->id, NULL, j->rc, j->rc == PERR_LIMIT ? "cursors" : NULL);
		goto out;
	}
	for (size_t i = 0; i < j->chats.count; i++) {
		const struct chat_ref *c = &j->chats.items[i];
		if (!hub_client_follows(s->hc, c->chat_id))
			hub_client_follow(s->hc, c->chat_id, HUB_CURSOR_UNSET);
		for (size_t k = 0; k < j->history[i].count; k++)
			if (!hub_client_send_history(s->hc, &j->history[i].items[k]))
				goto out;
		int64_t cur = sync__cursor_of(j, c->chat_id);
		hub_client_settle_cursor(s->hc, c->chat_id, cur >= 0 ? cur : c->last_seq);
	}
	/* chats left while away: the events up to the removal, not followed */
	for (size_t i = 0; i < j->ncursors && session_open(s); i++) {
		for (size_t k = 0; k < j->former[i].count; k++) {
			const struct chat_event *ev = &j->former[i].items[k];
			if (hub_client_follows(s->hc, ev->chat_id) ||
			    conn_ws_send_text_bulk(hub_client_conn(s->hc), ev->frame, ev->frame_len))
				break;
		}
	}
	if (!session_open(s))
		goto out;
	hub_client_sync_end(s->hc);

	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "synced");
	if (j->id[0])
		jw_kv_string(&w, "id", j->id);
	jw_key(&w, "chats");
	jw_array_begin(&w);
	for (size_t i = 0; i < j->chats.count; i++) {
		const struct chat_ref *c = &j->chats.items[i];
		int64_t last = hub_client_cursor(s->hc, c->chat_id);
		if (last < c->last_seq)
			last = c->last_seq;
		jw_object_begin(&w);
		jw_kv_int(&w, "chat_id", c->chat_id);
		jw_kv_int(&w, "last_seq", last);
		jw_kv_int(&w, "read_seq", c->read_seq);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	ws__send_json(s, &b);
	buf_free(&b);
out:
	session_unref(s);
	sync_job_free(j);
}

/* Parse and start a sync: {"type":"sync","id":…,"cursors":{"<chat_id>":seq,…}}. */
static void ws__run_sync(struct rt_session *s, const char *text, size_t len)
{
	struct json_doc *doc = NULL;
	if (json_parse(text, len, &doc, NULL) != PERR_OK) {
		ws__error(s, NULL, NULL, PERR_INVALID, NULL);
		return;
	}
	const struct json_value *m = json_root(doc);
	size_t il = 0;
	const char *id = json_str(json_get(m, "id"), &il);
	const struct json_value *cursors = json_get(m, "cursors");
	if (id && (il == 0 || il > 64 || memchr(id, '\0', il))) {
		ws__error(s, NULL, NULL, PERR_INVALID, "id");
		goto out;
	}
	if (cursors && json_type(cursors) != JSON_OBJECT) {
		ws__error(s, id, NULL, PERR_INVALID, "cursors");
		goto out;
	}
	if (s->sync_running) {
		ws__error(s, id, NULL, PERR_CONFLICT, "sync");
		goto out;
	}
	struct sync_job *j = xcalloc(1, sizeof *j);
	j->s = s;
	snprintf(j->id, sizeof j->id, "%.*s", (int)il, id ? id : "");
	size_t n = cursors ? json_len(cursors) : 0;
	j->cursors = xcalloc(n ? n : 1, sizeof *j->cursors);
	for (size_t i = 0; i < n; i++) {
		const char *k = json_key_at(cursors, i);
		char *end = NULL;
		long long chat = strtoll(k, &end, 10);
		int64_t seq;
		if (!end || *end || chat <= 0 || json_int(json_value_at(cursors, i), &seq) ||
		    seq < 0) {
			ws__error(s, id, NULL, PERR_INVALID, "cursors");
			sync_job_free(j);
			goto out;
		}
		j->cursors[j->ncursors++] = (struct sync_cursor){chat, seq};
	}
	s->sync_running = true;
	s->refs++;
	hub_client_sync_begin(s->hc);
	work_run(s->p->loop, sync_work, sync_done, j);
out:
	json_doc_free(doc);
}

/* ---- dispatch ---- */

static const struct {
	const char *type;
	int kind; /* 0 send, 1 message op, 2 read, 3 typing, 4 ping, 5 sync */
} ws_types[] = {
	{"send", 0}, {"edit", 1}, {"delete", 1}, {"react", 1}, {"pin", 1},
	{"read", 2}, {"typing", 3}, {"ping", 4}, {"sync", 5},
};

void api_on_ws_message(void *ud, struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	struct rt_session *s = conn_userdata(c);
	struct json_doc *doc = NULL;
	(void)ud;
	if (opcode != WS_OP_TEXT) {
		conn_ws_close(c, WS_CLOSE_UNSUPPORTED, "text frames only");
		return;
	}
	if (json_parse((const char *)data, len, &doc, NULL) != PERR_OK ||
	    json_type(json_root(doc)) != JSON_OBJECT) {
		ws__error(s, NULL, NULL, PERR_INVALID, NULL);
		json_doc_free(doc);
		return;
	}
	const struct json_value *m = json_root(doc);
	size_t tl = 0, il = 0;
	const char *type = json_str(json_get(m, "type"), &tl);
	const char *id = json_str(json_get(m, "id"), &il);
	int kind = -1;
	for (size_t i = 0; type && i < sizeof ws_types / sizeof ws_types[0]; i++)
		if (strcmp(type, ws_types[i].type) == 0)
			kind = ws_types[i].kind;
	if (id && (il == 0 || il > 64 || memchr(id, '\0', il))) {
		ws__error(s, NULL, NULL, PERR_INVALID, "id");
	} else if (kind < 0) {
		ws__error(s, id, NULL, type ? PERR_UNSUPPORTED : PERR_INVALID, "type");
	} else if (kind <= 2 && s->inflight >= WS_MAX_INFLIGHT) {
		ws__error(s, id, NULL, PERR_RATE_LIMITED, NULL);
	} else if (kind == 0) {
		ws__handle_send(s, m, id);
	} else if (kind == 1) {
		ws__handle_message_op(s, m, id, type);
	} else if (kind == 2) {
		ws__handle_read(s, m, id);
	} else if (kind == 3) {
		ws__handle_typing(s, m);
	} else if (kind == 4) {
		struct buf b;
		struct json_writer w;
		buf_init(&b, 0);
		jw_init(&w, &b);
		jw_object_begin(&w);
		jw_kv_string(&w, "type", "pong");
		if (id)
			jw_kv_string(&w, "id", id);
		jw_object_end(&w);
		ws__send_json(s, &b);
		buf_free(&b);
	} else if (!s->chats_loaded) {
		if (s->queued_sync) {
			ws__error(s, id, NULL, PERR_CONFLICT, "sync");
		} else {
			s->queued_sync = xstrndup((const char *)data, len);
			s->queued_sync_len = len;
		}
	} else {
		ws__run_sync(s, (const char *)data, len);
	}
	json_doc_free(doc);
}

void api_on_ws_close(void *ud, struct conn *c)
{
	struct rt_session *s = conn_userdata(c);
	(void)ud;
	conn_set_userdata(c, NULL);
	if (!s)
		return;
	hub_client_close(s->hc);
	session_unref(s);
}

/* ---- the upgrade ---- */

static bool ws__origin_ok(struct api_req *r)
{
	size_t ol, hl;
	const char *origin = http_header_get(r->http, "Origin", &ol);
	const char *host = http_header_get(r->http, "Host", &hl);
	if (!origin)
		return true; /* not a browser */
	if (!host)
		return false;
	const char *o = origin;
	if (ol > 7 && strncasecmp(o, "http://", 7) == 0) {
		o += 7;
		ol -= 7;
	} else if (ol > 8 && strncasecmp(o, "https://", 8) == 0) {
		o += 8;
		ol -= 8;
	} else {
		return false;
	}
	return ol == hl && strncasecmp(o, host, hl) == 0;
}

static void handle_ws(struct api_req *r)
{
	size_t kl, ul, cl, vl;
	const char *key = http_header_get(r->http, "Sec-WebSocket-Key", &kl);
	const char *upgrade = http_header_get(r->http, "Upgrade", &ul);
	const char *connection = http_header_get(r->http, "Connection", &cl);
	const char *version = http_header_get(r->http, "Sec-WebSocket-Version", &vl);
	char accept[29];
	if (!upgrade || !http_header_has_token(upgrade, ul, "websocket") || !connection ||
	    !http_header_has_token(connection, cl, "upgrade") || !key) {
		api_error(r, PERR_INVALID, "upgrade");
		return;
	}
	if (!version || vl != 2 || memcmp(version, "13", 2) != 0) {
		api_error(r, PERR_UNSUPPORTED, "sec-websocket-version");
		return;
	}
	if (ws_accept_key(key, kl, accept) != 0) {
		api_error(r, PERR_INVALID, "sec-websocket-key");
		return;
	}
	if (r->via_cookie && !ws__origin_ok(r)) {
		api_error(r, PERR_FORBIDDEN, "origin");
		return;
	}
	struct rt_session *s = xcalloc(1, sizeof *s);
	s->p = r->p;
	s->lang = r->lang;
	s->refs = 1;
	struct conn *c = exchange_upgrade_ws(r->ex, accept, s);
	if (!c) {
		free(s);
	} else {
		s->hc = hub_client_new(r->p->hub, c, r->user.id, r->user.name);
		hub_client_ref(s->hc); /* the session's own reference */
		struct buf out;
		struct json_writer w;
		buf_init(&out, 0);
		jw_init(&w, &out);
		jw_object_begin(&w);
		jw_kv_string(&w, "type", "hello");
		jw_kv_int(&w, "user_id", r->user.id);
		jw_kv_string(&w, "name", r->user.name);
		jw_kv_int(&w, "protocol", 1);
		jw_object_end(&w);
		conn_ws_send_text(c, out.data, out.len);
		buf_free(&out);
		/* follow every chat of the user before any sync reads history */
		struct chats_load *l = xcalloc(1, sizeof *l);
		l->s = s;
		s->refs++;
		work_run(r->p->loop, chats_load_work, chats_load_done, l);
	}
	/* the exchange is over: release the request without answering again */
	r->ex = NULL;
	api_release(r);
}

const struct route api_ws_routes[] = {
	{HTTP_GET, "/api/v1/ws", (const void *)handle_ws, API_AUTH},
};
const size_t api_ws_routes_count = sizeof api_ws_routes / sizeof api_ws_routes[0];
