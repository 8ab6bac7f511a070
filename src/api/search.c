/* SPDX-License-Identifier: MIT */
/* Search API: GET /api/v1/search — full-text search, with Russian and
 * English morphology, of the messages the user may read (their chats, within
 * their membership spans; administrators see no more than anyone else, as
 * they read no chat they are not in). The handler validates the query string
 * and parses q (domain/search.c) on the loop; the store searches on a store
 * thread; the answer carries, per hit, a snippet with its highlighted ranges
 * in UTF-16 code units. See docs/internals/search.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/search.h"

#define SEARCH_Q_BYTES (SEARCH_QUERY_MAX_CP * 4 + 1)

struct search_state {
	struct search_query query;
	struct search_request req;
	struct search_result result;
};

static void search_state_free(void *p)
{
	struct search_state *s = p;
	search_result_clear(&s->result);
	free(s);
}

/* Is name in the query string at all (even too long or badly encoded)? */
static bool search_query_has(const struct api_req *r, const char *name)
{
	const char *q = r->http->query;
	size_t nl = strlen(name);
	while (*q) {
		size_t klen = strcspn(q, "=&");
		if (klen == nl && memcmp(q, name, nl) == 0)
			return true;
		q += strcspn(q, "&");
		if (*q == '&')
			q++;
	}
	return false;
}

/* Query parameter name as an integer in [min, max]; def if absent. */
static int search_query_int(const struct api_req *r, const char *name, int64_t min, int64_t max,
			    int64_t def, int64_t *out)
{
	char v[24];
	long n = http_query_get(r->http, name, v, sizeof v);
	*out = def;
	if (n < 0)
		return search_query_has(r, name) ? PERR_INVALID : PERR_OK;
	if (n == 0 || n > 18)
		return PERR_INVALID;
	int64_t x = 0;
	for (long i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return PERR_INVALID;
		x = x * 10 + (v[i] - '0');
	}
	if (x < min || x > max)
		return PERR_INVALID;
	*out = x;
	return PERR_OK;
}

static void search_work(struct api_req *r)
{
	struct search_state *s = r->state;
	s->req.user_id = r->user.id;
	r->rc = store_search_messages(&r->p->store, &s->req, &s->result);
}

static void search_write_hit(struct json_writer *w, const struct search_hit *h)
{
	struct search_snippet sn;
	search_snippet_make(h->text, h->text_len, h->ranges, h->nranges, &sn);
	jw_object_begin(w);
	jw_kv_int(w, "chat_id", h->chat_id);
	jw_kv_string(w, "chat_title", h->chat_title);
	jw_kv_int(w, "seq", h->seq);
	jw_key(w, "author");
	jw_object_begin(w);
	jw_kv_int(w, "id", h->author_id);
	jw_kv_string(w, "name", h->author_name);
	jw_object_end(w);
	jw_kv_int(w, "at", h->at_ms);
	jw_key(w, "snippet");
	jw_object_begin(w);
	jw_key(w, "text");
	jw_stringn(w, sn.text, sn.len);
	jw_key(w, "highlights");
	jw_array_begin(w);
	for (size_t i = 0; i < sn.nhl; i++) {
		jw_array_begin(w);
		jw_int(w, sn.hl[i].start);
		jw_int(w, sn.hl[i].len);
		jw_array_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
	jw_object_end(w);
	free(sn.text);
}

static void search_done(struct api_req *r)
{
	struct search_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc == PERR_FORBIDDEN ? "chat_id" : NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "results");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->result.count; i++)
		search_write_hit(&w, &s->result.items[i]);
	jw_array_end(&w);
	jw_key(&w, "next_before_id");
	if (s->result.next_before_id)
		jw_int(&w, s->result.next_before_id);
	else
		jw_null(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_search(struct api_req *r)
{
	struct search_state *s = xcalloc(1, sizeof *s);
	char q[SEARCH_Q_BYTES];
	int64_t limit = 0;
	r->state = s;
	r->state_free = search_state_free;
	long n = http_query_get(r->http, "q", q, sizeof q);
	if (n <= 0 || search_query_parse(q, (size_t)n, &s->query) != PERR_OK) {
		api_error(r, PERR_INVALID, "q");
		return;
	}
	if (search_query_int(r, "chat_id", 1, INT64_MAX, 0, &s->req.chat_id)) {
		api_error(r, PERR_INVALID, "chat_id");
		return;
	}
	if (search_query_int(r, "before_id", 1, INT64_MAX, 0, &s->req.before_id)) {
		api_error(r, PERR_INVALID, "before_id");
		return;
	}
	if (search_query_int(r, "limit", 1, SEARCH_LIMIT_MAX, SEARCH_LIMIT_DEFAULT, &limit)) {
		api_error(r, PERR_INVALID, "limit");
		return;
	}
	s->req.limit = (int)limit;
	s->req.query = &s->query;
	api_run(r, "search_messages", search_work, search_done);
}

const struct route api_search_routes[] = {
	{HTTP_GET, "/api/v1/search", (const void *)handle_search, API_AUTH},
};
const size_t api_search_routes_count = sizeof api_search_routes / sizeof api_search_routes[0];
