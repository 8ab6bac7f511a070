/* SPDX-License-Identifier: MIT */
/* Hub: chats → following clients, users → clients, per-client cursors and
 * sync buffers. See hub.h for the delivery guarantees and
 * docs/internals/realtime.md for the whole path of an event. */
#include "rt/hub.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/intmap.h"
#include "net/server.h"
#include "net/ws.h"

struct follow {
	int64_t chat_id;
	int64_t cursor;
};

struct pending_event {
	int64_t chat_id;
	int64_t seq;
	struct shared_bytes *frame;
	bool unfollow_after;   /* the member.removed of this client's user */
};

struct hub_client {
	struct hub *hub;
	struct conn *conn;         /* NULL once closed */
	int64_t user_id;
	char *name;
	int refs;
	struct follow *follows;
	size_t nfollows, cap_follows;
	bool syncing;
	struct pending_event *pending;
	size_t npending, cap_pending;
	struct hub_client *next_of_user;
};

/* Followers of one chat. */
struct hub_chat {
	struct hub_client **subs;
	size_t n, cap;
};

struct hub {
	struct intmap chats;   /* chat id → struct hub_chat */
	struct intmap users;   /* user id → first struct hub_client of that user */
	size_t nclients;
	struct metrics *metrics;
};

struct hub *hub_new(struct metrics *metrics)
{
	struct hub *h = xcalloc(1, sizeof *h);
	intmap_init(&h->chats);
	intmap_init(&h->users);
	h->metrics = metrics;
	return h;
}

void hub_free(struct hub *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->chats.cap; i++) {
		struct hub_chat *c = h->chats.slots[i].value;
		if (c) {
			free(c->subs);
			free(c);
		}
	}
	intmap_free(&h->chats);
	intmap_free(&h->users);
	free(h);
}

size_t hub_client_count(const struct hub *h)
{
	return h->nclients;
}

size_t hub_chat_followers(const struct hub *h, int64_t chat_id)
{
	struct hub_chat *c = intmap_get(&h->chats, chat_id);
	return c ? c->n : 0;
}

/* ---- frames ---- */

static struct shared_bytes *hub__frame(const char *json, size_t len)
{
	uint8_t hdr[WS_MAX_HEADER];
	size_t hl = ws_frame_header(hdr, WS_OP_TEXT, true, len);
	struct shared_bytes *b = shared_bytes_new(hl + len);
	memcpy(b->data, hdr, hl);
	memcpy(b->data + hl, json, len);
	return b;
}

/* ---- clients ---- */

struct hub_client *hub_client_new(struct hub *h, struct conn *c, int64_t user_id, const char *name)
{
	struct hub_client *hc = xcalloc(1, sizeof *hc);
	hc->hub = h;
	hc->conn = c;
	hc->user_id = user_id;
	hc->name = xstrdup(name ? name : "");
	hc->refs = 1;
	hc->syncing = true;
	hc->next_of_user = intmap_get(&h->users, user_id);
	intmap_put(&h->users, user_id, hc);
	h->nclients++;
	return hc;
}

void hub_client_ref(struct hub_client *hc)
{
	hc->refs++;
}

void hub_client_unref(struct hub_client *hc)
{
	if (--hc->refs > 0)
		return;
	free(hc->follows);
	free(hc->pending);
	free(hc->name);
	free(hc);
}

struct conn *hub_client_conn(const struct hub_client *hc)
{
	return hc->conn;
}

int64_t hub_client_user(const struct hub_client *hc)
{
	return hc->user_id;
}

const char *hub_client_name(const struct hub_client *hc)
{
	return hc->name;
}

struct hub *hub_client_hub(const struct hub_client *hc)
{
	return hc->hub;
}

static struct follow *hub__find_follow(const struct hub_client *hc, int64_t chat_id)
{
	for (size_t i = 0; i < hc->nfollows; i++)
		if (hc->follows[i].chat_id == chat_id)
			return &hc->follows[i];
	return NULL;
}

bool hub_client_follows(const struct hub_client *hc, int64_t chat_id)
{
	return hub__find_follow(hc, chat_id) != NULL;
}

int64_t hub_client_cursor(const struct hub_client *hc, int64_t chat_id)
{
	const struct follow *f = hub__find_follow(hc, chat_id);
	return f ? f->cursor : HUB_CURSOR_UNSET;
}

void hub_client_follow(struct hub_client *hc, int64_t chat_id, int64_t cursor)
{
	if (!hc->conn || hub__find_follow(hc, chat_id))
		return;
	if (hc->nfollows == hc->cap_follows) {
		hc->cap_follows = hc->cap_follows ? hc->cap_follows * 2 : 8;
		hc->follows = xrealloc(hc->follows, hc->cap_follows * sizeof *hc->follows);
	}
	hc->follows[hc->nfollows++] = (struct follow){chat_id, cursor};
	struct hub *h = hc->hub;
	struct hub_chat *c = intmap_get(&h->chats, chat_id);
	if (!c) {
		c = xcalloc(1, sizeof *c);
		intmap_put(&h->chats, chat_id, c);
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		c->subs = xrealloc(c->subs, c->cap * sizeof *c->subs);
	}
	c->subs[c->n++] = hc;
}

static void hub__unfollow(struct hub_client *hc, int64_t chat_id)
{
	struct follow *f = hub__find_follow(hc, chat_id);
	if (!f)
		return;
	*f = hc->follows[--hc->nfollows];
	struct hub *h = hc->hub;
	struct hub_chat *c = intmap_get(&h->chats, chat_id);
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (c->subs[i] == hc) {
			c->subs[i] = c->subs[--c->n];
			break;
		}
	}
	if (c->n == 0) {
		intmap_remove(&h->chats, chat_id);
		free(c->subs);
		free(c);
	}
}

static void hub__drop_pending(struct hub_client *hc)
{
	for (size_t i = 0; i < hc->npending; i++)
		shared_bytes_unref(hc->pending[i].frame);
	hc->npending = 0;
}

void hub_client_close(struct hub_client *hc)
{
	struct hub *h = hc->hub;
	if (!hc->conn)
		return;
	while (hc->nfollows)
		hub__unfollow(hc, hc->follows[0].chat_id);
	hub__drop_pending(hc);
	/* unlink from the user's list */
	struct hub_client *first = intmap_get(&h->users, hc->user_id);
	if (first == hc) {
		if (hc->next_of_user)
			intmap_put(&h->users, hc->user_id, hc->next_of_user);
		else
			intmap_remove(&h->users, hc->user_id);
	} else {
		for (struct hub_client *p = first; p; p = p->next_of_user) {
			if (p->next_of_user == hc) {
				p->next_of_user = hc->next_of_user;
				break;
			}
		}
	}
	hc->next_of_user = NULL;
	hc->conn = NULL;
	h->nclients--;
	hub_client_unref(hc);
}

/* ---- delivery ---- */

/* Send one frame for (chat, seq) to hc if it is past the cursor. */
static void hub__deliver(struct hub_client *hc, int64_t chat_id, int64_t seq,
			 struct shared_bytes *frame, bool unfollow_after)
{
	struct follow *f = hub__find_follow(hc, chat_id);
	if (!f || !hc->conn)
		return;
	if (hc->syncing || f->cursor == HUB_CURSOR_UNSET) {
		if (hc->npending >= HUB_PENDING_MAX) {
			/* cannot keep up: drop the connection; it resumes from its cursors */
			conn_ws_close(hc->conn, 1008, "sync overflow");
			return;
		}
		if (hc->npending == hc->cap_pending) {
			hc->cap_pending = hc->cap_pending ? hc->cap_pending * 2 : 32;
			hc->pending = xrealloc(hc->pending, hc->cap_pending * sizeof *hc->pending);
		}
		shared_bytes_ref(frame);
		hc->pending[hc->npending++] = (struct pending_event){chat_id, seq, frame, unfollow_after};
		return;
	}
	if (seq <= f->cursor)
		return; /* already sent (history overlapped the live stream) */
	f->cursor = seq;
	conn_ws_send_frame(hc->conn, frame);
}

void hub_publish(struct hub *h, const struct chat_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct chat_event *e = &ev[i];
		bool added = strcmp(e->kind, "member.added") == 0;
		bool removed = strcmp(e->kind, "member.removed") == 0;
		if (added && e->subject_id) {
			/* the new member's open connections start following here */
			for (struct hub_client *hc = intmap_get(&h->users, e->subject_id); hc;
			     hc = hc->next_of_user) {
				if (!hub__find_follow(hc, e->chat_id))
					hub_client_follow(hc, e->chat_id, e->seq - 1);
			}
		}
		struct hub_chat *c = intmap_get(&h->chats, e->chat_id);
		if (c && c->n) {
			struct shared_bytes *frame = hub__frame(e->frame, e->frame_len);
			/* delivery may close a connection (slow consumer), which
			 * unfollows it: iterate over a snapshot */
			size_t cnt = c->n;
			struct hub_client **snap = xmalloc(cnt * sizeof *snap);
			memcpy(snap, c->subs, cnt * sizeof *snap);
			for (size_t k = 0; k < cnt; k++)
				hub_client_ref(snap[k]);
			for (size_t k = 0; k < cnt; k++)
				hub__deliver(snap[k], e->chat_id, e->seq, frame,
					     removed && snap[k]->user_id == e->subject_id);
			for (size_t k = 0; k < cnt; k++)
				hub_client_unref(snap[k]);
			free(snap);
			shared_bytes_unref(frame);
		}
		if (removed && e->subject_id) {
			for (struct hub_client *hc = intmap_get(&h->users, e->subject_id); hc;
			     hc = hc->next_of_user) {
				if (!hc->syncing)
					hub__unfollow(hc, e->chat_id);
			}
		}
	}
}

void hub_client_sync_begin(struct hub_client *hc)
{
	hc->syncing = true;
}

bool hub_client_syncing(const struct hub_client *hc)
{
	return hc->syncing;
}

bool hub_client_send_history(struct hub_client *hc, const struct chat_event *ev)
{
	if (!hc->conn)
		return false;
	struct follow *f = hub__find_follow(hc, ev->chat_id);
	if (!f)
		return true;
	if (f->cursor != HUB_CURSOR_UNSET && ev->seq <= f->cursor)
		return true;
	f->cursor = ev->seq;
	/* history is bounded by the sync's own limit, not by the live queue's */
	return conn_ws_send_text_bulk(hc->conn, ev->frame, ev->frame_len) == 0;
}

void hub_client_settle_cursor(struct hub_client *hc, int64_t chat_id, int64_t seq)
{
	struct follow *f = hub__find_follow(hc, chat_id);
	if (f && f->cursor == HUB_CURSOR_UNSET)
		f->cursor = seq;
}

void hub_client_sync_end(struct hub_client *hc)
{
	hc->syncing = false;
	size_t n = hc->npending;
	struct pending_event *p = hc->pending;
	hc->pending = NULL;
	hc->npending = hc->cap_pending = 0;
	for (size_t i = 0; i < n; i++) {
		struct follow *f = hub__find_follow(hc, p[i].chat_id);
		if (f && f->cursor == HUB_CURSOR_UNSET)
			f->cursor = p[i].seq - 1; /* joined during the sync: start at the join */
		if (hc->conn) {
			hub__deliver(hc, p[i].chat_id, p[i].seq, p[i].frame, false);
			if (p[i].unfollow_after)
				hub__unfollow(hc, p[i].chat_id);
		}
		shared_bytes_unref(p[i].frame);
	}
	free(p);
}

void hub_chat_send_ephemeral(struct hub *h, int64_t chat_id, const char *json, size_t len,
			     const struct hub_client *except)
{
	struct hub_chat *c = intmap_get(&h->chats, chat_id);
	if (!c || !c->n)
		return;
	struct shared_bytes *frame = hub__frame(json, len);
	size_t cnt = c->n;
	struct hub_client **snap = xmalloc(cnt * sizeof *snap);
	memcpy(snap, c->subs, cnt * sizeof *snap);
	for (size_t k = 0; k < cnt; k++)
		hub_client_ref(snap[k]);
	for (size_t k = 0; k < cnt; k++)
		if (snap[k] != except && snap[k]->conn && !snap[k]->syncing)
			conn_ws_send_frame(snap[k]->conn, frame);
	for (size_t k = 0; k < cnt; k++)
		hub_client_unref(snap[k]);
	free(snap);
	shared_bytes_unref(frame);
}

void hub_user_send_ephemeral(struct hub *h, int64_t user_id, const char *json, size_t len,
			     const struct hub_client *except)
{
	struct hub_client *first = intmap_get(&h->users, user_id);
	if (!first)
		return;
	struct shared_bytes *frame = hub__frame(json, len);
	for (struct hub_client *hc = first; hc; hc = hc->next_of_user)
		if (hc != except && hc->conn)
			conn_ws_send_frame(hc->conn, frame);
	shared_bytes_unref(frame);
}
