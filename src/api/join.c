/* SPDX-License-Identifier: MIT */
/* Joining by invitation link, and the join requests it queues. Opening a
 * link (no session needed) shows the college, the role and unit and, for a
 * parent link, the group's roster in short form ("Фамилия И."): nothing else
 * about the students. Redeeming it joins the logged-in user, or registers a
 * new account first and logs it in; the store does the whole redemption in
 * one transaction. Both are rate-limited per IP address, so tokens cannot be
 * guessed at speed (they are 128-bit random anyway). Reviewers (authz
 * join.review for the request's role and unit) list and decide requests; the
 * applicant sees their own. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "domain/invites.h"
#include "domain/movements.h"
#include "domain/ratelimit.h"

#define JOIN_MEMO_CAP 64

/* The date movements take effect: today in the server's time zone (the
 * college's), as YYYY-MM-DD. */
static void join_today(char out[16])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Loop thread: spend one attempt of this IP's invitation budget; false (and
 * the 429 answered) if it is used up. */
static bool join_rate_ok(struct api_req *r)
{
	char key[64];
	uint32_t retry = 0;
	uint64_t now = api_now_ms();
	snprintf(key, sizeof key, "i:%s", conn_peer_ip(exchange_conn(r->ex)));
	if (ratelimit_check(r->p->invite_ip, key, now, &retry)) {
		log_info("invitation attempts rate-limited for %s", key + 2);
		api_error_retry(r, retry);
		return false;
	}
	ratelimit_spend(r->p->invite_ip, key, now);
	return true;
}

/* Copy path parameter 0 (the token) into out if it is well formed. */
static bool join_token_param(const struct api_req *r, char out[INVITE_TOKEN_LEN + 1])
{
	if (r->match.nparams < 1 || !invite_token_well_formed(r->match.param[0], r->match.param_len[0]))
		return false;
	memcpy(out, r->match.param[0], INVITE_TOKEN_LEN);
	out[INVITE_TOKEN_LEN] = '\0';
	return true;
}

/* The state of a link for redemption: an archived unit counts as revoked. */
static enum invite_state join_link_state(const struct invite *inv, int64_t now)
{
	enum invite_state s = invite_state_at(inv->revoked_at, inv->expires_at, inv->uses,
					      inv->max_uses, now);
	return s == INVITE_LIVE && inv->unit_archived ? INVITE_REVOKED : s;
}

/* Loop thread, after the commit: a join that recorded an enrolment or a
 * hiring is a movement like any other for those who follow movements (chat
 * membership), so the movement hooks hear of it. */
static void join_run_movement_hooks(const struct join_result *res)
{
	if (!res->movement_id)
		return;
	struct movement_change change = {.movement_id = res->movement_id,
					 .user_id = res->user_id,
					 .role = res->role,
					 .unit_id = res->unit_id,
					 .added = true};
	struct movement_event ev = {.movement_id = res->movement_id,
				    .user_id = res->user_id,
				    .kind = res->role == ROLE_STUDENT ? MOVEMENT_ENROLMENT
								      : MOVEMENT_HIRING,
				    .role = res->role,
				    .to_unit_id = res->unit_id,
				    .changes = &change,
				    .nchanges = 1};
	movement_hooks_run(&ev);
}

/* ---- open a link ---- */

struct preview_state {
	char token[INVITE_TOKEN_LEN + 1];
	struct join_preview pv;
	bool have_pv;
};

static void preview_state_free(void *p)
{
	struct preview_state *s = p;
	if (s->have_pv)
		join_preview_clear(&s->pv);
	sodium_memzero(s->token, sizeof s->token);
	free(s);
}

static void preview_work(struct api_req *r)
{
	struct preview_state *s = r->state;
	uint8_t h[INVITE_HASH_LEN];
	int64_t now = api_now();
	invite_token_hash(s->token, strlen(s->token), h);
	r->rc = store_join_preview(&r->p->store, h, now, &s->pv);
	if (r->rc)
		return;
	s->have_pv = true;
	enum invite_state st = join_link_state(&s->pv.invite, now);
	if (st != INVITE_LIVE) {
		r->rc = PERR_EXPIRED;
		r->rc_field = invite_state_name(st);
	}
}

static void preview_done(struct api_req *r)
{
	struct preview_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	const struct invite *inv = &s->pv.invite;
	struct buf out;
	struct json_writer w;
	char t[32], short_name[INVITE_NAME_SHORT_MAX];
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "college");
	jw_object_begin(&w);
	jw_kv_string(&w, "name", s->pv.college_name);
	jw_object_end(&w);
	jw_kv_string(&w, "role", role_name(inv->role));
	jw_key(&w, "unit");
	jw_object_begin(&w);
	jw_kv_int(&w, "id", inv->unit_id);
	jw_kv_string(&w, "name", inv->unit_name);
	jw_kv_string(&w, "kind", inv->unit_kind);
	jw_object_end(&w);
	jw_kv_bool(&w, "needs_approval", invite_needs_approval(inv->role, inv->needs_approval));
	api_invites_time(inv->expires_at, t);
	jw_kv_string(&w, "expires_at", t);
	if (inv->personal_user_id) {
		/* a personal link hands over one imported person's account */
		jw_key(&w, "personal");
		jw_object_begin(&w);
		jw_kv_string(&w, "name", inv->personal_name ? inv->personal_name : "");
		jw_object_end(&w);
	} else if (inv->role == ROLE_PARENT) {
		jw_key(&w, "roster");
		jw_array_begin(&w);
		for (size_t i = 0; i < s->pv.nroster; i++) {
			invite_name_short(s->pv.roster[i].name, short_name, sizeof short_name);
			jw_object_begin(&w);
			jw_kv_int(&w, "id", s->pv.roster[i].id);
			jw_kv_string(&w, "name_short", short_name);
			jw_object_end(&w);
		}
		jw_array_end(&w);
	}
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_preview(struct api_req *r)
{
	struct preview_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = preview_state_free;
	if (!join_rate_ok(r))
		return;
	if (!join_token_param(r, s->token)) {
		api_error(r, PERR_NOT_FOUND, NULL);
		return;
	}
	api_run(r, "join_preview", preview_work, preview_done);
}

/* ---- redeem a link ---- */

struct redeem_state {
	char token[INVITE_TOKEN_LEN + 1];
	/* the caller's session, if any (resolved on the store thread) */
	char session_token[ACCOUNT_TOKEN_LEN + 8];
	bool via_cookie;
	char csrf[ACCOUNT_TOKEN_LEN + 8];
	/* registration */
	bool register_new;
	bool has_name;              /* optional for personal links, which keep theirs */
	char login[ACCOUNT_LOGIN_MAX + 1];
	char name[ACCOUNT_NAME_MAX + 1];
	const char *password;
	size_t password_len;
	int64_t student_id;
	char ip[46];
	char user_agent[256];
	/* results */
	struct join_result res;
	bool committed;             /* the redemption committed (res is valid) */
	struct user joined;
	bool have_joined;
	char new_session[ACCOUNT_TOKEN_LEN + 1];
};

static void redeem_state_free(void *p)
{
	struct redeem_state *s = p;
	if (s->have_joined)
		user_clear(&s->joined);
	sodium_memzero(s, sizeof *s);
	free(s);
}

/* Resolve the caller's session like api.c does for API_AUTH routes: the user
 * becomes r->user (and r->authed, so api_authorize works and api_release
 * frees it). A missing, expired or revoked session leaves r unauthenticated;
 * a live cookie session without the right CSRF header is refused. */
static int redeem_resolve_session(struct api_req *r, struct redeem_state *s)
{
	uint8_t h[STORE_HASH_LEN];
	if (!s->session_token[0])
		return PERR_OK;
	token_hash(s->session_token, strlen(s->session_token), h);
	int rc = store_session_lookup(&r->p->store, h, api_now(), &r->session);
	if (rc == PERR_NOT_FOUND)
		return PERR_OK;
	if (rc)
		return rc;
	rc = store_user_get(&r->p->store, r->session.user_id, &r->user);
	if (rc || r->user.disabled) {
		if (!rc)
			user_clear(&r->user);
		session_clear(&r->session);
		return rc == PERR_NOT_FOUND || !rc ? PERR_OK : rc;
	}
	r->authed = true;
	if (s->via_cookie) {
		char expect[ACCOUNT_TOKEN_LEN + 1];
		csrf_token_for(r->p->server_key, s->session_token, strlen(s->session_token), expect);
		if (!s->csrf[0] || !token_equal(s->csrf, expect))
			return PERR_CSRF;
	}
	return PERR_OK;
}

/* The new account's session, as login would make it. */
static int redeem_new_session(struct api_req *r, struct redeem_state *s, int64_t now)
{
	struct session_new sn = {.user_id = s->res.user_id, .kind = "cookie", .now = now,
				 .expires_at = now + r->p->cfg->session_ttl_s,
				 .user_agent = s->user_agent, .ip = s->ip};
	int64_t sid;
	token_generate(s->new_session);
	token_hash(s->new_session, strlen(s->new_session), sn.token_hash);
	return store_session_create(&r->p->store, &sn, &sid);
}

/* Cheap checks before the costly password hash: the link exists and is live;
 * *personal tells whether it is a personal link. */
static int redeem_precheck(struct api_req *r, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			   bool *personal)
{
	struct join_preview pv;
	int rc = store_join_preview(&r->p->store, hash, now, &pv);
	if (rc)
		return rc;
	enum invite_state st = join_link_state(&pv.invite, now);
	*personal = pv.invite.personal_user_id != 0;
	join_preview_clear(&pv);
	if (st != INVITE_LIVE) {
		r->rc_field = invite_state_name(st);
		return PERR_EXPIRED;
	}
	return PERR_OK;
}

static void redeem_work(struct api_req *r)
{
	struct redeem_state *s = r->state;
	struct store_handle *st = &r->p->store;
	char today[16], hash[ACCOUNT_HASH_MAX];
	int64_t now = api_now();
	struct join_redeem in = {.student_id = s->student_id, .now = now, .ip = s->ip};
	struct user_new account = {.login = s->login, .name = s->name, .password_hash = hash,
				   .now = now, .ip = s->ip};
	r->rc = redeem_resolve_session(r, s);
	if (r->rc)
		return;
	if (r->authed && s->register_new) {
		r->rc = PERR_CONFLICT;  /* logged in: log out first to make another account */
		r->rc_field = "register";
		return;
	}
	if (!r->authed && !s->register_new) {
		r->rc = PERR_INVALID;
		r->rc_field = "register";
		return;
	}
	bool personal = false;
	invite_token_hash(s->token, strlen(s->token), in.token_hash);
	r->rc = redeem_precheck(r, in.token_hash, now, &personal);
	if (r->rc)
		return;
	if (s->register_new && !s->has_name && !personal) {
		r->rc = PERR_INVALID;  /* a new account needs a name */
		r->rc_field = "name";
		return;
	}
	if (r->authed) {
		in.user_id = r->user.id;
	} else {
		r->rc = account_hash_password(s->password, s->password_len, hash);
		if (r->rc)
			return;
		in.account = &account;
	}
	join_today(today);
	in.today = today;
	r->rc = store_join_redeem(st, &in, &s->res, &r->rc_field);
	sodium_memzero(hash, sizeof hash);
	if (r->rc)
		return;
	s->committed = true;
	r->rc = store_user_get(st, s->res.user_id, &s->joined);
	if (r->rc)
		return;
	s->have_joined = true;
	if (s->register_new)
		r->rc = redeem_new_session(r, s, now);
}

static void redeem_done(struct api_req *r)
{
	struct redeem_state *s = r->state;
	if (s->committed)
		join_run_movement_hooks(&s->res);
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	char csrf[ACCOUNT_TOKEN_LEN + 1], cookie[256] = "";
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_kv_string(&w, "status", s->res.joined ? "joined" : "pending");
	if (s->res.request_id)
		jw_kv_int(&w, "request_id", s->res.request_id);
	jw_key(&w, "user");
	api_write_user(&w, &s->joined);
	if (s->register_new) {
		csrf_token_for(r->p->server_key, s->new_session, strlen(s->new_session), csrf);
		jw_kv_string(&w, "csrf_token", csrf);
		api_session_cookie(r->p, s->new_session, cookie, sizeof cookie);
	}
	jw_object_end(&w);
	api_respond_json(r, 201, &out, cookie[0] ? cookie : NULL);
	buf_free(&out);
}

/* The caller's session token from Authorization: Bearer or the cookie, and
 * the CSRF header that a cookie session must bring. */
static void redeem_take_session(struct api_req *r, struct redeem_state *s)
{
	size_t len;
	const char *auth = http_header_get(r->http, "Authorization", &len);
	if (auth && len > 7 && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (len - 7 < sizeof s->session_token) {
			memcpy(s->session_token, auth + 7, len - 7);
			s->session_token[len - 7] = '\0';
		}
		return;
	}
	if (http_cookie_get(r->http, API_SESSION_COOKIE, s->session_token, sizeof s->session_token) <= 0) {
		s->session_token[0] = '\0';
		return;
	}
	s->via_cookie = true;
	const char *h = http_header_get(r->http, API_CSRF_HEADER, &len);
	if (h && len < sizeof s->csrf) {
		memcpy(s->csrf, h, len);
		s->csrf[len] = '\0';
	}
}

/* The register object: login, name, password validated like setup (the
 * name is required for new accounts, which only the work knows: a personal
 * link's account keeps its imported name). */
static int redeem_parse_register(struct api_req *r, struct redeem_state *s, const char **field)
{
	const struct json_value *reg = json_get(r->body, "register");
	const char *v;
	size_t len;
	*field = "register";
	if (!reg || json_is_null(reg))
		return PERR_OK;
	if (json_type(reg) != JSON_OBJECT)
		return PERR_INVALID;
	*field = "login";
	v = json_str(json_get(reg, "login"), &len);
	if (!v || account_normalize_login(v, len, s->login, sizeof s->login))
		return PERR_INVALID;
	*field = "name";
	const struct json_value *name = json_get(reg, "name");
	if (name && !json_is_null(name)) {
		v = json_str(name, &len);
		if (!v || account_normalize_name(v, len, s->name, sizeof s->name))
			return PERR_INVALID;
		s->has_name = true;
	}
	*field = "password";
	s->password = json_str(json_get(reg, "password"), &s->password_len);
	if (!s->password || account_check_password(s->password, s->password_len))
		return PERR_INVALID;
	s->register_new = true;
	*field = NULL;
	return PERR_OK;
}

static void handle_redeem(struct api_req *r)
{
	struct redeem_state *s = xcalloc(1, sizeof *s);
	const char *field = NULL;
	r->state = s;
	r->state_free = redeem_state_free;
	if (!join_rate_ok(r))
		return;
	if (!join_token_param(r, s->token)) {
		api_error(r, PERR_NOT_FOUND, NULL);
		return;
	}
	if (redeem_parse_register(r, s, &field)) {
		api_error(r, PERR_INVALID, field);
		return;
	}
	const struct json_value *sid = json_get(r->body, "student_id");
	if (sid && !json_is_null(sid) && (json_int(sid, &s->student_id) || s->student_id <= 0)) {
		api_error(r, PERR_INVALID, "student_id");
		return;
	}
	redeem_take_session(r, s);
	snprintf(s->ip, sizeof s->ip, "%s", conn_peer_ip(exchange_conn(r->ex)));
	size_t ual;
	const char *ua = http_header_get(r->http, "User-Agent", &ual);
	if (ua)
		snprintf(s->user_agent, sizeof s->user_agent, "%.*s", (int)(ual < 255 ? ual : 255), ua);
	api_run(r, "join_redeem", redeem_work, redeem_done);
}

/* ---- join requests ---- */

static void request_write(struct json_writer *w, const struct join_request *jr)
{
	char t[32];
	jw_object_begin(w);
	jw_kv_int(w, "id", jr->id);
	jw_key(w, "user");
	jw_object_begin(w);
	jw_kv_int(w, "id", jr->user_id);
	jw_kv_string(w, "name", jr->user_name);
	jw_kv_string(w, "login", jr->user_login);
	jw_object_end(w);
	jw_kv_string(w, "role", role_name(jr->role));
	jw_key(w, "unit");
	jw_object_begin(w);
	jw_kv_int(w, "id", jr->unit_id);
	jw_kv_string(w, "name", jr->unit_name);
	jw_object_end(w);
	jw_key(w, "student");
	if (jr->student_id) {
		jw_object_begin(w);
		jw_kv_int(w, "id", jr->student_id);
		jw_kv_string(w, "name", jr->student_name ? jr->student_name : "");
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	jw_kv_string(w, "status", jr->status);
	jw_kv_string(w, "reason", jr->reason);
	api_invites_time(jr->created_at, t);
	jw_kv_string(w, "created_at", t);
	jw_key(w, "decided_at");
	if (jr->decided_at) {
		api_invites_time(jr->decided_at, t);
		jw_string(w, t);
	} else {
		jw_null(w);
	}
	jw_key(w, "decided_by");
	if (jr->decided_by) {
		jw_object_begin(w);
		jw_kv_int(w, "id", jr->decided_by);
		jw_kv_string(w, "name", jr->decided_by_name ? jr->decided_by_name : "");
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	jw_object_end(w);
}

struct requests_state {
	struct join_request_filter f;
	bool mine;
	char status[12];
	struct join_request_list list;
	bool *visible;
};

static void requests_state_free(void *p)
{
	struct requests_state *s = p;
	join_request_list_clear(&s->list);
	free(s->visible);
	free(s);
}

static int request_cmp_newest(const void *a, const void *b)
{
	int64_t x = ((const struct join_request *)a)->id, y = ((const struct join_request *)b)->id;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The requests under each of units[0..n) (0: the whole college) into
 * s->list, newest first, each once: asked per unit, so that a curator's
 * queue is not lost among a big college's history. */
static int requests_collect(struct api_req *r, struct requests_state *s, const int64_t *units,
			    size_t n)
{
	for (size_t u = 0; u < n; u++) {
		struct join_request_filter f = s->f;
		struct join_request_list part;
		f.unit_id = units[u];
		int rc = store_join_request_list(&r->p->store, &f, &part);
		if (rc)
			return rc;
		s->list.items = xrealloc(s->list.items,
					 (s->list.count + part.count + 1) * sizeof *s->list.items);
		if (part.count)
			memcpy(s->list.items + s->list.count, part.items,
			       part.count * sizeof *part.items);
		s->list.count += part.count;
		free(part.items);
	}
	if (n < 2)
		return PERR_OK;
	qsort(s->list.items, s->list.count, sizeof *s->list.items, request_cmp_newest);
	size_t k = 0;
	for (size_t i = 0; i < s->list.count; i++) {
		if (k && s->list.items[k - 1].id == s->list.items[i].id)
			join_request_clear(&s->list.items[i]);
		else
			s->list.items[k++] = s->list.items[i];
	}
	s->list.count = k;
	return PERR_OK;
}

static void requests_work(struct api_req *r)
{
	struct requests_state *s = r->state;
	struct api_invites_authz_memo memo[JOIN_MEMO_CAP];
	struct api_invites_scope scope;
	size_t nmemo = 0;
	if (s->mine) {
		s->f.user_id = r->user.id;
		r->rc = requests_collect(r, s, &s->f.unit_id, 1);
	} else {
		r->rc = api_invites_scope(r, AUTHZ_JOIN_REVIEW, &scope);
		if (r->rc)
			return;
		if (s->f.unit_id || scope.everywhere)
			r->rc = requests_collect(r, s, &s->f.unit_id, 1);
		else
			r->rc = requests_collect(r, s, scope.units, scope.n);
	}
	if (r->rc)
		return;
	s->visible = xcalloc(s->list.count ? s->list.count : 1, sizeof *s->visible);
	for (size_t i = 0; i < s->list.count; i++) {
		const struct join_request *jr = &s->list.items[i];
		if (s->mine) {
			s->visible[i] = true;
			continue;
		}
		int rc = api_invites_authorize_memo(r, AUTHZ_JOIN_REVIEW, jr->role, jr->unit_id, memo,
						    JOIN_MEMO_CAP, &nmemo);
		if (rc && rc != PERR_FORBIDDEN) {
			r->rc = rc;
			return;
		}
		s->visible[i] = rc == PERR_OK;
	}
}

static void requests_done(struct api_req *r)
{
	struct requests_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "requests");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->list.count; i++)
		if (s->visible[i])
			request_write(&w, &s->list.items[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static struct requests_state *requests_start(struct api_req *r, bool mine)
{
	struct requests_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = requests_state_free;
	s->mine = mine;
	long n = http_query_get(r->http, "status", s->status, sizeof s->status);
	if (n > 0) {
		if (strcmp(s->status, "pending") && strcmp(s->status, "approved") &&
		    strcmp(s->status, "rejected")) {
			api_error(r, PERR_INVALID, "status");
			return NULL;
		}
		s->f.status = s->status;
	} else if (n < 0 && api_invites_query_has(r, "status")) {
		api_error(r, PERR_INVALID, "status");
		return NULL;
	}
	if (api_invites_query_id(r, "unit_id", &s->f.unit_id)) {
		api_error(r, PERR_INVALID, "unit_id");
		return NULL;
	}
	return s;
}

static void handle_requests(struct api_req *r)
{
	if (requests_start(r, false))
		api_run(r, "join_request_list", requests_work, requests_done);
}

static void handle_my_requests(struct api_req *r)
{
	if (requests_start(r, true))
		api_run(r, "join_request_list", requests_work, requests_done);
}

/* ---- decisions ---- */

struct decide_state {
	int64_t id;
	bool approve;
	struct join_result res;
	bool committed;             /* the decision committed (res is valid) */
	char reason[INVITE_REASON_MAX * 4 + 1];
	struct join_request jr;
	bool have_jr;
};

static void decide_state_free(void *p)
{
	struct decide_state *s = p;
	if (s->have_jr)
		join_request_clear(&s->jr);
	free(s);
}

static void decide_work(struct api_req *r)
{
	struct decide_state *s = r->state;
	struct store_handle *st = &r->p->store;
	char today[16];
	r->rc = store_join_request_get(st, s->id, &s->jr);
	if (r->rc)
		return;
	s->have_jr = true;
	r->rc = api_authorize(r, AUTHZ_JOIN_REVIEW, s->jr.role, s->jr.unit_id);
	if (r->rc) {
		if (r->rc == PERR_NOT_FOUND)
			r->rc = PERR_FORBIDDEN;
		return;
	}
	join_today(today);
	struct join_decision d = {.request_id = s->id, .approve = s->approve, .reason = s->reason,
				  .actor_id = r->user.id, .now = api_now(), .today = today,
				  .ip = conn_peer_ip(exchange_conn(r->ex))};
	r->rc = store_join_request_decide(st, &d, &s->res, &r->rc_field);
	if (r->rc)
		return;
	s->committed = true;
	join_request_clear(&s->jr);
	s->have_jr = false;
	r->rc = store_join_request_get(st, s->id, &s->jr);
	s->have_jr = r->rc == PERR_OK;
}

static void decide_done(struct api_req *r)
{
	struct decide_state *s = r->state;
	if (s->committed)
		join_run_movement_hooks(&s->res);
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "request");
	request_write(&w, &s->jr);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static struct decide_state *decide_start(struct api_req *r, bool approve)
{
	struct decide_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = decide_state_free;
	s->approve = approve;
	if (api_param_id(r, 0, &s->id)) {
		api_error(r, PERR_INVALID, "id");
		return NULL;
	}
	return s;
}

static void handle_approve(struct api_req *r)
{
	if (decide_start(r, true))
		api_run(r, "join_request_decide", decide_work, decide_done);
}

/* Copy the reason trimmed of surrounding white space. */
static void reason_copy(const char *v, size_t len, char *out, size_t out_size)
{
	while (len && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\n' ||
		       v[len - 1] == '\r'))
		len--;
	if (len >= out_size)
		len = out_size - 1;
	memcpy(out, v, len);
	out[len] = '\0';
}

static void handle_reject(struct api_req *r)
{
	struct decide_state *s = decide_start(r, false);
	const char *v;
	size_t len;
	if (!s)
		return;
	if (api_body_string(r, "reason", true, &v, &len) || !invite_reason_valid(v, len)) {
		api_error(r, PERR_INVALID, "reason");
		return;
	}
	reason_copy(v, len, s->reason, sizeof s->reason);
	api_run(r, "join_request_decide", decide_work, decide_done);
}

const struct route api_join_routes[] = {
	{HTTP_GET, "/api/v1/join/:token", (const void *)handle_preview, 0},
	{HTTP_POST, "/api/v1/join/:token", (const void *)handle_redeem, API_JSON},
	{HTTP_GET, "/api/v1/join-requests", (const void *)handle_requests, API_AUTH},
	{HTTP_POST, "/api/v1/join-requests/:id/approve", (const void *)handle_approve, API_AUTH},
	{HTTP_POST, "/api/v1/join-requests/:id/reject", (const void *)handle_reject,
	 API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/me/join-requests", (const void *)handle_my_requests, API_AUTH},
};
const size_t api_join_routes_count = sizeof api_join_routes / sizeof api_join_routes[0];
