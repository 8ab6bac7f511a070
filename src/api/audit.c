/* SPDX-License-Identifier: MIT */
/* Audit API: search the log of administrative actions (who, what, when,
 * before/after) by actor, action, free text and time, newest first, paged by
 * id. Needs AUTHZ_AUDIT_READ (the platform administrator and the director). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/org_int.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/org.h"

#define AUDIT_LIMIT_MAX 200
#define AUDIT_LIMIT_DEFAULT 50
#define AUDIT_Q_MAX 200
#define AUDIT_ACTION_MAX 64

struct audit_state {
	struct org_audit_query q;
	char action[AUDIT_ACTION_MAX + 1];
	char text[AUDIT_Q_MAX + 1];
	struct org_audit_list list;
};

static void audit_state_free(void *p)
{
	struct audit_state *s = p;
	org_audit_list_clear(&s->list);
	free(s);
}

static void list_work(struct api_req *r)
{
	struct audit_state *s = r->state;
	r->rc = api_authorize(r, AUTHZ_AUDIT_READ, ROLE_NONE, 0);
	if (!r->rc)
		r->rc = store_org_audit_list(&r->p->store, &s->q, &s->list);
}

/* A stored snapshot: JSON as it is, anything else as a string. */
static void write_snapshot(struct json_writer *w, const char *json)
{
	struct json_doc *doc = NULL;
	if (!json) {
		jw_null(w);
		return;
	}
	if (json_parse(json, strlen(json), &doc, NULL) == PERR_OK)
		jw_raw(w, json, strlen(json));
	else
		jw_string(w, json);
	json_doc_free(doc);
}

static void list_done(struct api_req *r)
{
	struct audit_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	char t[32];
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "entries");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->list.count; i++) {
		const struct org_audit_row *e = &s->list.items[i];
		jw_object_begin(&w);
		jw_kv_int(&w, "id", e->id);
		org_api_time(e->at, t);
		jw_kv_string(&w, "at", t);
		jw_key(&w, "actor");
		if (e->actor_id) {
			jw_object_begin(&w);
			jw_kv_int(&w, "id", e->actor_id);
			jw_kv_string(&w, "name", e->actor_name);
			jw_object_end(&w);
		} else {
			jw_null(&w);
		}
		jw_kv_string(&w, "action", e->action);
		jw_kv_string(&w, "target", e->target);
		jw_key(&w, "before");
		write_snapshot(&w, e->before_json);
		jw_key(&w, "after");
		write_snapshot(&w, e->after_json);
		jw_kv_string(&w, "ip", e->ip);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "next_before_id");
	if (s->list.more && s->list.count)
		jw_int(&w, s->list.items[s->list.count - 1].id);
	else
		jw_null(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

/* An action filter: letters, digits, '_' and '.' only. */
static bool action_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* from / to: absent leaves *out; present must parse. */
static int query_time(struct api_req *r, const char *name, bool end, int64_t *out)
{
	char v[40];
	long n = http_query_get(r->http, name, v, sizeof v);
	if (n < 0)
		return org_api_query_has(r, name) ? PERR_INVALID : PERR_OK;
	return org_parse_time(v, (size_t)n, end, out);
}

static void handle_list(struct api_req *r)
{
	struct audit_state *s = xcalloc(1, sizeof *s);
	struct org_audit_query *q = &s->q;
	r->state = s;
	r->state_free = audit_state_free;
	if (org_api_query_int(r, "actor_id", 1, INT64_MAX, 0, &q->actor_id)) {
		api_error(r, PERR_INVALID, "actor_id");
		return;
	}
	long n = http_query_get(r->http, "action", s->action, sizeof s->action);
	if ((n < 0 && org_api_query_has(r, "action")) || (n > 0 && !action_ok(s->action, (size_t)n))) {
		api_error(r, PERR_INVALID, "action");
		return;
	}
	if (n < 0)
		s->action[0] = '\0';
	q->action = s->action;
	char text[AUDIT_Q_MAX + 1];
	n = http_query_get(r->http, "q", text, sizeof text);
	if ((n < 0 && org_api_query_has(r, "q")) ||
	    (n > 0 && org_normalize_text(text, (size_t)n, 0, AUDIT_Q_MAX, text, sizeof text))) {
		api_error(r, PERR_INVALID, "q");
		return;
	}
	if (n > 0)
		org_fold(text, strlen(text), s->text);
	q->q_folded = s->text;
	q->from = 0;
	q->to = INT64_MAX;
	if (query_time(r, "from", false, &q->from)) {
		api_error(r, PERR_INVALID, "from");
		return;
	}
	if (query_time(r, "to", true, &q->to) || q->to < q->from) {
		api_error(r, PERR_INVALID, "to");
		return;
	}
	if (org_api_query_int(r, "limit", 1, AUDIT_LIMIT_MAX, AUDIT_LIMIT_DEFAULT, &q->limit)) {
		api_error(r, PERR_INVALID, "limit");
		return;
	}
	if (org_api_query_int(r, "before_id", 1, INT64_MAX, 0, &q->before_id)) {
		api_error(r, PERR_INVALID, "before_id");
		return;
	}
	api_run(r, "audit_list", list_work, list_done);
}

const struct route api_audit_routes[] = {
	{HTTP_GET, "/api/v1/audit", (const void *)handle_list, API_AUTH},
};
const size_t api_audit_routes_count = sizeof api_audit_routes / sizeof api_audit_routes[0];
