/* SPDX-License-Identifier: MIT */
/* Request dispatch: route lookup, body parsing, session resolution, CSRF, and
 * the error mapping. Handlers live in one file per resource. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "net/metrics.h"
#include "net/static.h"
#include "net/work.h"

#define API_MAX_ROUTES 128

static struct route api_routes[API_MAX_ROUTES];
static size_t api_nroutes;

static void api__collect_routes(void)
{
	if (api_nroutes)
		return;
	const struct {
		const struct route *r;
		size_t n;
	} sets[] = {
		{api_ops_routes, api_ops_routes_count},
		{api_setup_routes, api_setup_routes_count},
		{api_auth_routes, api_auth_routes_count},
		{api_ws_routes, api_ws_routes_count},
		/* ==== org slice: route sets ==== */
		{api_org_routes, api_org_routes_count},
		{api_people_routes, api_people_routes_count},
		{api_audit_routes, api_audit_routes_count},
		/* ==== end org slice: route sets ==== */
		/* ==== invites slice: route sets ==== */
		{api_invites_routes, api_invites_routes_count},
		{api_join_routes, api_join_routes_count},
		/* ==== end invites slice: route sets ==== */
		/* ==== movements slice: route sets ==== */
		{api_movements_routes, api_movements_routes_count},
		/* ==== end movements slice: route sets ==== */
		/* ==== import slice: route sets ==== */
		{api_import_routes, api_import_routes_count},
		/* ==== end import slice: route sets ==== */
		/* ==== chats slice: route sets ==== */
		/* ==== end chats slice: route sets ==== */
		/* ==== chatadmin slice: route sets ==== */
		{api_chatadmin_routes, api_chatadmin_routes_count},
		{api_chat_members_routes, api_chat_members_routes_count},
		{api_chat_links_routes, api_chat_links_routes_count},
		/* ==== end chatadmin slice: route sets ==== */
		/* ==== chatsync slice: route sets ==== */
		/* ==== end chatsync slice: route sets ==== */
		/* ==== search slice: route sets ==== */
		{api_search_routes, api_search_routes_count},
		/* ==== end search slice: route sets ==== */
	};
	for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++)
		for (size_t i = 0; i < sets[s].n && api_nroutes < API_MAX_ROUTES; i++)
			api_routes[api_nroutes++] = sets[s].r[i];
}

int64_t api_now(void)
{
	return (int64_t)time(NULL);
}

uint64_t api_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void api_release(struct api_req *r)
{
	json_doc_free(r->doc);
	if (r->authed) {
		session_clear(&r->session);
		user_clear(&r->user);
	}
	if (r->grants_loaded)
		grant_list_clear(&r->grants);
	if (r->state && r->state_free)
		r->state_free(r->state);
	sodium_memzero(r->token, sizeof r->token);
	free(r);
}

void api_respond_raw(struct api_req *r, int status, const char *content_type, const struct buf *out,
		     const char *extra)
{
	struct buf h;
	buf_init(&h, 0);
	buf_puts(&h, "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n");
	if (extra)
		buf_puts(&h, extra);
	exchange_respond(r->ex, status, content_type, out->data, out->len, h.data);
	buf_free(&h);
	api_release(r);
}

void api_respond_json(struct api_req *r, int status, const struct buf *out, const char *extra)
{
	api_respond_raw(r, status, "application/json; charset=utf-8", out, extra);
}

void api_respond_empty(struct api_req *r, int status, const char *extra)
{
	struct buf h;
	buf_init(&h, 0);
	buf_puts(&h, "Cache-Control: no-store\r\n");
	if (extra)
		buf_puts(&h, extra);
	exchange_respond(r->ex, status, NULL, NULL, 0, h.data);
	buf_free(&h);
	api_release(r);
}

static void api__error_body(struct buf *out, int err, enum lang lang, const char *field,
			    int64_t retry_after)
{
	struct json_writer w;
	jw_init(&w, out);
	jw_object_begin(&w);
	jw_key(&w, "error");
	jw_object_begin(&w);
	jw_kv_string(&w, "code", perr_str(err));
	jw_kv_string(&w, "message", perr_message(err, lang));
	if (field)
		jw_kv_string(&w, "field", field);
	if (retry_after > 0)
		jw_kv_int(&w, "retry_after", retry_after);
	jw_object_end(&w);
	jw_object_end(&w);
}

void api_error(struct api_req *r, int err, const char *field)
{
	struct buf out;
	buf_init(&out, 0);
	if (err == PERR_OK)
		err = PERR_INTERNAL;
	api__error_body(&out, err, r->lang, field, 0);
	const char *extra = NULL;
	if (err == PERR_UNAUTHENTICATED)
		extra = "WWW-Authenticate: Bearer realm=\"parta\"\r\n";
	api_respond_json(r, perr_http_status(err), &out, extra);
	buf_free(&out);
}

void api_error_retry(struct api_req *r, uint32_t retry_after_s)
{
	struct buf out;
	char extra[64];
	buf_init(&out, 0);
	api__error_body(&out, PERR_RATE_LIMITED, r->lang, NULL, retry_after_s);
	snprintf(extra, sizeof extra, "Retry-After: %u\r\n", retry_after_s);
	api_respond_json(r, 429, &out, extra);
	buf_free(&out);
}

/* Errors outside any handler (no api_req yet). */
static void api__plain_error(struct exchange *ex, enum lang lang, int err, const char *extra)
{
	struct buf out;
	buf_init(&out, 0);
	api__error_body(&out, err, lang, NULL, 0);
	exchange_respond(ex, perr_http_status(err), "application/json; charset=utf-8", out.data,
			 out.len, extra);
	buf_free(&out);
}

int api_body_string(struct api_req *r, const char *name, bool required, const char **out, size_t *len)
{
	const struct json_value *v = r->body ? json_get(r->body, name) : NULL;
	*out = NULL;
	*len = 0;
	if (!v || json_is_null(v))
		return required ? PERR_INVALID : PERR_OK;
	const char *s = json_str(v, len);
	if (!s || memchr(s, '\0', *len))
		return PERR_INVALID;
	*out = s;
	return PERR_OK;
}

int api_param_id(const struct api_req *r, int i, int64_t *out)
{
	if (i >= r->match.nparams || r->match.param_len[i] == 0 || r->match.param_len[i] > 18)
		return PERR_INVALID;
	int64_t v = 0;
	for (size_t k = 0; k < r->match.param_len[i]; k++) {
		char c = r->match.param[i][k];
		if (c < '0' || c > '9')
			return PERR_INVALID;
		v = v * 10 + (c - '0');
	}
	if (v <= 0)
		return PERR_INVALID;
	*out = v;
	return PERR_OK;
}

void api_write_user(struct json_writer *w, const struct user *u)
{
	jw_object_begin(w);
	jw_kv_int(w, "id", u->id);
	jw_kv_string(w, "login", u->login);
	jw_kv_string(w, "name", u->name);
	jw_key(w, "roles");
	jw_array_begin(w);
	for (char **ro = u->roles; ro && *ro; ro++)
		jw_string(w, *ro);
	jw_array_end(w);
	jw_object_end(w);
}

void api_session_cookie(const struct parta *p, const char *token, char *out, size_t out_size)
{
	snprintf(out, out_size, "Set-Cookie: " API_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; "
				"Max-Age=%lld%s\r\n",
		 token, (long long)p->cfg->session_ttl_s, p->cfg->cookie_secure ? "; Secure" : "");
}

int api_authorize(struct api_req *r, enum authz_action act, enum role target_role, int64_t unit_id)
{
	int rc;
	if (!r->authed)
		return PERR_UNAUTHENTICATED;
	if (!r->grants_loaded) {
		rc = store_grants_load(&r->p->store, r->user.id, &r->grants);
		if (rc)
			return rc;
		r->grants_loaded = true;
	}
	struct authz_scope scope;
	rc = store_unit_scope(&r->p->store, unit_id, &scope, NULL);
	if (rc)
		return rc;
	struct authz_actor actor = {r->user.id, r->grants.items, r->grants.count};
	return authz_allowed(&actor, act, target_role, &scope) ? PERR_OK : PERR_FORBIDDEN;
}

struct audit_entry api_audit_entry(const struct api_req *r, const char *action, const char *target,
				   const char *before_json, const char *after_json)
{
	struct audit_entry e = {
		.actor_id = r->authed ? r->user.id : 0,
		.action = action,
		.target = target,
		.before_json = before_json,
		.after_json = after_json,
		.ip = conn_peer_ip(exchange_conn(r->ex)),
		.now = api_now(),
	};
	return e;
}

/* ---- async ---- */

struct api_job {
	struct api_req *r;
	const char *op;
	void (*work)(struct api_req *r);
	void (*done)(struct api_req *r);
};

static void api__job_work(void *arg)
{
	struct api_job *j = arg;
	j->work(j->r);
}

static void api__job_done(void *arg, uint64_t ns)
{
	struct api_job *j = arg;
	if (j->r->p->metrics)
		metrics_store_op(j->r->p->metrics, j->op, ns);
	j->done(j->r);
	free(j);
}

void api_run(struct api_req *r, const char *op, void (*work)(struct api_req *r),
	     void (*done)(struct api_req *r))
{
	struct api_job *j = xmalloc(sizeof *j);
	*j = (struct api_job){r, op, work, done};
	work_run(r->p->loop, api__job_work, api__job_done, j);
}

/* ---- authentication ---- */

static bool api__extract_token(struct api_req *r)
{
	size_t len;
	const char *auth = http_header_get(r->http, "Authorization", &len);
	if (auth && len > 7 && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (len - 7 >= sizeof r->token)
			return false;
		memcpy(r->token, auth + 7, len - 7);
		r->token[len - 7] = '\0';
		r->via_cookie = false;
		return true;
	}
	long n = http_cookie_get(r->http, API_SESSION_COOKIE, r->token, sizeof r->token);
	if (n > 0) {
		r->via_cookie = true;
		return true;
	}
	return false;
}

static void api__auth_work(struct api_req *r)
{
	uint8_t h[STORE_HASH_LEN];
	int64_t now = api_now();
	token_hash(r->token, strlen(r->token), h);
	r->rc = store_session_lookup(&r->p->store, h, now, &r->session);
	if (r->rc)
		return;
	r->rc = store_user_get(&r->p->store, r->session.user_id, &r->user);
	if (r->rc) {
		session_clear(&r->session);
		return;
	}
	if (r->user.disabled) {
		session_clear(&r->session);
		user_clear(&r->user);
		r->rc = PERR_NOT_FOUND;
		return;
	}
	r->authed = true;
	/* last-seen is for the owner's session list: a minute's precision is
	 * plenty and spares a write per request */
	if (now - r->session.last_seen_at >= 60 ||
	    strcmp(r->session.ip ? r->session.ip : "", conn_peer_ip(exchange_conn(r->ex))) != 0)
		store_session_touch(&r->p->store, r->session.id, now, conn_peer_ip(exchange_conn(r->ex)));
}

static bool api__is_json(const struct http_request *req)
{
	size_t len;
	const char *ct = http_header_get(req, "Content-Type", &len);
	return ct && len >= 16 && strncasecmp(ct, "application/json", 16) == 0 &&
	       (len == 16 || ct[16] == ';' || ct[16] == ' ');
}

/* Parse the body if the route wants JSON, then run the handler. Requiring
 * Content-Type: application/json also keeps cross-site forms out: browsers
 * cannot send it cross-origin without a CORS preflight we never grant. */
static void api__invoke(struct api_req *r)
{
	const struct route *rt = r->match.route;
	if (rt->flags & API_JSON) {
		size_t err_off = 0;
		if (!api__is_json(r->http)) {
			api_error(r, PERR_UNSUPPORTED, NULL);
			return;
		}
		if (json_parse(r->http->body, r->http->body_len, &r->doc, &err_off) != PERR_OK ||
		    json_type(json_root(r->doc)) != JSON_OBJECT) {
			api_error(r, PERR_INVALID, "body");
			return;
		}
		r->body = json_root(r->doc);
	}
	((api_handler)rt->handler)(r);
}

static void api__auth_done(struct api_req *r)
{
	if (r->rc) {
		api_error(r, r->rc == PERR_NOT_FOUND ? PERR_UNAUTHENTICATED : r->rc, NULL);
		return;
	}
	r->rc = PERR_OK;
	if (r->via_cookie && r->http->method != HTTP_GET && r->http->method != HTTP_HEAD) {
		char expect[ACCOUNT_TOKEN_LEN + 1];
		char got[ACCOUNT_TOKEN_LEN + 8];
		size_t len;
		const char *h = http_header_get(r->http, API_CSRF_HEADER, &len);
		csrf_token_for(r->p->server_key, r->token, strlen(r->token), expect);
		if (!h || len >= sizeof got) {
			api_error(r, PERR_CSRF, NULL);
			return;
		}
		memcpy(got, h, len);
		got[len] = '\0';
		if (!token_equal(got, expect)) {
			api_error(r, PERR_CSRF, NULL);
			return;
		}
	}
	api__invoke(r);
}

/* ---- dispatch ---- */

void api_on_request(void *ud, struct exchange *ex)
{
	struct parta *p = ud;
	const struct http_request *req = exchange_request(ex);
	size_t al;
	const char *accept_lang = http_header_get(req, "Accept-Language", &al);
	enum lang lang = lang_from_accept(accept_lang, accept_lang ? al : 0);
	struct route_match m;

	api__collect_routes();
	int rc = router_match(api_routes, api_nroutes, req->method, req->path, req->path_len, &m);
	if (rc == PERR_NOT_FOUND && p->web && static_serve(p->web, ex))
		return;
	if (rc) {
		exchange_set_route(ex, rc == PERR_METHOD ? "(method not allowed)" : "(not found)");
		api__plain_error(ex, lang, rc, NULL);
		return;
	}
	exchange_set_route(ex, m.route->pattern);
	if (p->shutting_down) {
		api__plain_error(ex, lang, PERR_UNAVAILABLE, "Retry-After: 5\r\n");
		return;
	}

	struct api_req *r = xcalloc(1, sizeof *r);
	r->p = p;
	r->ex = ex;
	r->http = req;
	r->match = m;
	r->lang = lang;
	if (m.route->flags & API_AUTH) {
		if (!api__extract_token(r)) {
			api_error(r, PERR_UNAUTHENTICATED, NULL);
			return;
		}
		api_run(r, "session_lookup", api__auth_work, api__auth_done);
		return;
	}
	api__invoke(r);
}
