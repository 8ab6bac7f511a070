/* SPDX-License-Identifier: MIT */
/* SQLite full-text search of messages: keeping message_fts in step with the
 * messages the chat core writes (called inside its write jobs), and the
 * search itself: the user's query (domain/search.c) rendered as an FTS5
 * expression, narrowed to the user's chats by the chat column when they are
 * few, candidates read newest first in batches and kept only if the user may
 * read them (a membership span covers them) and they are not deleted, then
 * the kept ones read with their matched ranges (parta_hits, fts_stem.c).
 * Design and costs: docs/internals/search.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "store/sqlite/sqlite_int.h"

#define SEARCH_BATCH 256          /* candidates read per statement */
#define SEARCH_SCAN_MAX 5000      /* candidates examined per request at most */
#define SEARCH_CHAT_FILTER_MAX 64 /* readable chats up to which the index may narrow by chat */
#define SEARCH_CHAT_SHARE_DIV 32  /* … if they hold less than 1/32 of all messages */

/* ---- index maintenance (writer) ---- */

int sqlite_search_index(struct sqlite_conn *cn, int64_t message_id, const char *text)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT chat_id FROM messages WHERE id=?");
	sqlite3_bind_int64(s, 1, message_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	char chat[24];
	snprintf(chat, sizeof chat, "%lld", (long long)sqlite3_column_int64(s, 0));
	sqlite3_reset(s);
	rc = sqlite_search_unindex(cn, message_id);
	if (rc)
		return rc;
	s = sqlite_stmt(cn, "INSERT INTO message_fts(rowid,text,chat) VALUES(?,?,?)");
	sqlite3_bind_int64(s, 1, message_id);
	sqlite3_bind_text(s, 2, text ? text : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, chat, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

int sqlite_search_unindex(struct sqlite_conn *cn, int64_t message_id)
{
	sqlite3_stmt *s = sqlite_stmt(cn, "DELETE FROM message_fts WHERE rowid=?");
	sqlite3_bind_int64(s, 1, message_id);
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE ? PERR_OK : sqlite_perr(cn, rc);
}

/* ---- search (reader) ---- */

struct search_job {
	const struct search_request *req;
	struct search_result *out;
	struct buf match;     /* the FTS5 expression */
	size_t cap;           /* of out->items */
};

/* The chat part of the expression: the one chat asked for; or the user's
 * readable chats when they hold a small share of all messages (the index
 * then skips the rest of the college cheaply, where the candidate scan would
 * wade through it); else nothing, and the spans check alone decides (an OR
 * of many chats costs more than it saves: docs/internals/search.md).
 * *none: the user can read no chat at all. */
static int search__chat_filter(struct sqlite_conn *cn, struct search_job *j, bool *none)
{
	const struct search_request *req = j->req;
	sqlite3_stmt *s;
	int rc;
	*none = false;
	if (req->chat_id) {
		s = sqlite_stmt(cn, "SELECT 1 FROM chat_member_spans WHERE chat_id=? AND user_id=? LIMIT 1");
		sqlite3_bind_int64(s, 1, req->chat_id);
		sqlite3_bind_int64(s, 2, req->user_id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			return PERR_FORBIDDEN; /* never a member, or no such chat: same answer */
		if (rc != SQLITE_ROW)
			return sqlite_perr(cn, rc);
		buf_printf(&j->match, "chat : \"%lld\" AND ", (long long)req->chat_id);
		return PERR_OK;
	}
	s = sqlite_stmt(cn, "SELECT c.id,c.last_seq FROM chats c WHERE c.id IN (SELECT chat_id FROM "
			    "chat_member_spans WHERE user_id=?) LIMIT ?");
	sqlite3_bind_int64(s, 1, req->user_id);
	sqlite3_bind_int(s, 2, SEARCH_CHAT_FILTER_MAX + 1);
	int64_t chats[SEARCH_CHAT_FILTER_MAX + 1], events = 0;
	int n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		chats[n++] = sqlite3_column_int64(s, 0);
		events += sqlite3_column_int64(s, 1);
	}
	if (rc != SQLITE_DONE)
		return sqlite_perr(cn, rc);
	if (n == 0) {
		*none = true;
		return PERR_OK;
	}
	if (n > SEARCH_CHAT_FILTER_MAX)
		return PERR_OK;
	s = sqlite_stmt(cn, "SELECT COALESCE(MAX(id),0) FROM messages");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	int64_t messages = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (events * SEARCH_CHAT_SHARE_DIV >= messages)
		return PERR_OK;
	buf_puts(&j->match, "(");
	for (int i = 0; i < n; i++)
		buf_printf(&j->match, "%schat : \"%lld\"", i ? " OR " : "", (long long)chats[i]);
	buf_puts(&j->match, ") AND ");
	return PERR_OK;
}

/* The name of the other person of direct chat key "a:b" (NULL if none). */
static char *search__direct_peer(struct sqlite_conn *cn, const char *key, int64_t user_id)
{
	long long a = 0, b = 0;
	if (!key || sscanf(key, "%lld:%lld", &a, &b) != 2)
		return NULL;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT name FROM users WHERE id=?");
	sqlite3_bind_int64(s, 1, a == user_id ? b : a);
	char *name = sqlite3_step(s) == SQLITE_ROW ? sqlite_col_str(s, 0) : NULL;
	sqlite3_reset(s);
	return name;
}

/* Read message id (known to match and be visible) with its matched ranges
 * into the next item of out. */
static int search__hit(struct sqlite_conn *cn, struct search_job *j, int64_t id)
{
	sqlite3_stmt *s = sqlite_stmt(cn,
		"SELECT m.chat_id,m.seq,m.author_id,m.created_at,COALESCE(u.name,''),c.kind,c.title,"
		"c.direct_key,f.text,parta_hits(message_fts) FROM message_fts f "
		"JOIN messages m ON m.id=f.rowid JOIN chats c ON c.id=m.chat_id "
		"LEFT JOIN users u ON u.id=m.author_id WHERE message_fts MATCH ?1 AND f.rowid=?2");
	sqlite3_bind_text(s, 1, j->match.data, (int)j->match.len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return PERR_OK; /* gone meanwhile: cannot happen inside one read transaction */
	if (rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	struct search_result *out = j->out;
	if (out->count == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 16;
		out->items = xrealloc(out->items, j->cap * sizeof *out->items);
	}
	struct search_hit *h = &out->items[out->count++];
	memset(h, 0, sizeof *h);
	h->message_id = id;
	h->chat_id = sqlite3_column_int64(s, 0);
	h->seq = sqlite3_column_int64(s, 1);
	h->author_id = sqlite3_column_int64(s, 2);
	h->at_ms = sqlite3_column_int64(s, 3);
	h->author_name = sqlite_col_str(s, 4);
	h->chat_title = sqlite_col_str(s, 6);
	h->text = sqlite_col_str(s, 8);
	h->text_len = h->text ? (size_t)sqlite3_column_bytes(s, 8) : 0;
	if (!h->text)
		h->text = xstrdup("");
	const uint32_t *r = sqlite3_column_blob(s, 9);
	size_t nr = (size_t)sqlite3_column_bytes(s, 9) / (2 * sizeof *r);
	for (size_t i = 0; r && i < nr && i < SEARCH_RANGES_MAX; i++)
		h->ranges[h->nranges++] = (struct search_range){r[2 * i], r[2 * i + 1]};
	const char *kind = (const char *)sqlite3_column_text(s, 5);
	bool direct = kind && strcmp(kind, "direct") == 0;
	char *key = sqlite_col_str(s, 7);
	sqlite3_reset(s);
	if (direct) {
		char *peer = search__direct_peer(cn, key, j->req->user_id);
		if (peer) {
			free(h->chat_title);
			h->chat_title = peer;
		}
	}
	free(key);
	if (!h->chat_title)
		h->chat_title = xstrdup("");
	return PERR_OK;
}

/* One batch of candidates below *below, newest first: visible ones are read
 * into out until limit + 1 are known. Reads no more than SEARCH_SCAN_MAX
 * candidates in all. Sets *exhausted when the index has no more candidates,
 * *scanned += candidates seen, *below to the last one. */
static int search__batch(struct sqlite_conn *cn, struct search_job *j, int64_t *below,
			 int *scanned, bool *found_more, bool *exhausted)
{
	const struct search_request *req = j->req;
	sqlite3_stmt *s = sqlite_stmt(cn,
		"SELECT f.rowid,m.id IS NOT NULL AND m.deleted_at IS NULL AND (?3=0 OR m.chat_id=?3) "
		"AND EXISTS(SELECT 1 FROM chat_member_spans p WHERE p.chat_id=m.chat_id AND "
		"p.user_id=?4 AND p.from_seq<=m.seq AND (p.to_seq IS NULL OR p.to_seq>=m.seq)) "
		"FROM message_fts f LEFT JOIN messages m ON m.id=f.rowid "
		"WHERE message_fts MATCH ?1 AND f.rowid<?2 ORDER BY f.rowid DESC LIMIT ?5");
	int64_t ids[SEARCH_BATCH];
	bool visible[SEARCH_BATCH];
	int want = SEARCH_SCAN_MAX - *scanned < SEARCH_BATCH ? SEARCH_SCAN_MAX - *scanned : SEARCH_BATCH;
	int n = 0, rc;
	sqlite3_bind_text(s, 1, j->match.data, (int)j->match.len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, *below);
	sqlite3_bind_int64(s, 3, req->chat_id);
	sqlite3_bind_int64(s, 4, req->user_id);
	sqlite3_bind_int(s, 5, want);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < want) {
		ids[n] = sqlite3_column_int64(s, 0);
		visible[n++] = sqlite3_column_int(s, 1) != 0;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sqlite_perr(cn, rc);
	sqlite3_reset(s);
	*exhausted = n < want;
	for (int i = 0; i < n; i++) {
		(*scanned)++;
		*below = ids[i];
		if (!visible[i])
			continue;
		if ((int)j->out->count == req->limit) {
			*found_more = true;
			return PERR_OK;
		}
		rc = search__hit(cn, j, ids[i]);
		if (rc)
			return rc;
	}
	return PERR_OK;
}

static int search_r(struct sqlite_conn *cn, void *arg)
{
	struct search_job *j = arg;
	const struct search_request *req = j->req;
	bool none = false;
	int rc = search__chat_filter(cn, j, &none);
	if (rc || none)
		return rc;
	search_query_fts5(req->query, "text", &j->match);
	int64_t below = req->before_id > 0 ? req->before_id : INT64_MAX;
	int scanned = 0;
	bool found_more = false, exhausted = false;
	while (!found_more && !exhausted && scanned < SEARCH_SCAN_MAX) {
		rc = search__batch(cn, j, &below, &scanned, &found_more, &exhausted);
		if (rc)
			return rc;
	}
	if (found_more)
		j->out->next_before_id = j->out->items[j->out->count - 1].message_id;
	else if (!exhausted)
		j->out->next_before_id = below; /* scan bound reached: resume below it */
	return PERR_OK;
}

int sqlite_search_messages(struct store *st, const struct search_request *req,
			   struct search_result *out)
{
	memset(out, 0, sizeof *out);
	if (!req->query || req->query->nterms == 0 || req->limit < 1 || req->limit > SEARCH_LIMIT_MAX)
		return PERR_INVALID;
	struct search_job j = {.req = req, .out = out};
	buf_init(&j.match, 0);
	int rc = sqlite_read(st, search_r, &j);
	buf_free(&j.match);
	if (rc)
		search_result_clear(out);
	return rc;
}
