/* SPDX-License-Identifier: MIT */
/* Accounts API: login (cookie or bearer), logout, who am I, password change,
 * and the user's own sessions. Login is rate-limited per IP (every attempt)
 * and per account (failures), and an unknown login costs the same time as a
 * wrong password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "domain/ratelimit.h"

/* ---- login ---- */

struct login_state {
	char login[ACCOUNT_LOGIN_MAX + 1];
	const char *password;
	size_t password_len;
	bool bearer;
	char new_token[ACCOUNT_TOKEN_LEN + 1];
	char ip[46];
	char user_agent[256];
	struct user user;
	bool have_user;
};

static void login_state_free(void *p)
{
	struct login_state *s = p;
	if (s->have_user)
		user_clear(&s->user);
	sodium_memzero(s->new_token, sizeof s->new_token);
	free(s);
}

static void login_work(struct api_req *r)
{
	struct login_state *s = r->state;
	struct store_handle *st = &r->p->store;
	int rc = store_user_get_by_login(st, s->login, &s->user);
	if (rc == PERR_NOT_FOUND) {
		account_burn_verify(s->password, s->password_len);
		r->rc = PERR_BAD_CREDENTIALS;
		return;
	}
	if (rc) {
		r->rc = rc;
		return;
	}
	s->have_user = true;
	if (s->user.disabled || !account_verify_password(s->user.password_hash, s->password,
							 s->password_len)) {
		r->rc = PERR_BAD_CREDENTIALS;
		return;
	}
	struct session_new sn = {
		.user_id = s->user.id,
		.kind = s->bearer ? "bearer" : "cookie",
		.now = api_now(),
		.user_agent = s->user_agent,
		.ip = s->ip,
	};
	sn.expires_at = sn.now + r->p->cfg->session_ttl_s;
	token_generate(s->new_token);
	token_hash(s->new_token, strlen(s->new_token), sn.token_hash);
	int64_t id;
	r->rc = store_session_create(st, &sn, &id);
}

static void respond_with_session(struct api_req *r, int status, const struct user *u,
				 const char *token, bool bearer)
{
	struct buf out;
	struct json_writer w;
	char csrf[ACCOUNT_TOKEN_LEN + 1];
	char cookie[256] = "";
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "user");
	api_write_user(&w, u);
	if (bearer) {
		jw_kv_string(&w, "token", token);
		jw_kv_string(&w, "token_type", "bearer");
	} else {
		csrf_token_for(r->p->server_key, token, strlen(token), csrf);
		jw_kv_string(&w, "csrf_token", csrf);
		api_session_cookie(r->p, token, cookie, sizeof cookie);
	}
	jw_object_end(&w);
	api_respond_json(r, status, &out, cookie[0] ? cookie : NULL);
	buf_free(&out);
}

static void login_done(struct api_req *r)
{
	struct login_state *s = r->state;
	char key[ACCOUNT_LOGIN_MAX + 8];
	snprintf(key, sizeof key, "a:%s", s->login);
	if (r->rc == PERR_BAD_CREDENTIALS) {
		ratelimit_spend(r->p->login_account, key, api_now_ms());
		log_info("failed login for %s from %s", s->login, s->ip);
		api_error(r, PERR_BAD_CREDENTIALS, NULL);
		return;
	}
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	ratelimit_reset(r->p->login_account, key);
	respond_with_session(r, 200, &s->user, s->new_token, s->bearer);
}

static void handle_login(struct api_req *r)
{
	const char *login, *password;
	size_t login_len, pw_len;
	struct login_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = login_state_free;
	if (api_body_string(r, "login", true, &login, &login_len) ||
	    account_normalize_login(login, login_len, s->login, sizeof s->login)) {
		api_error(r, PERR_INVALID, "login");
		return;
	}
	if (api_body_string(r, "password", true, &password, &pw_len) || pw_len == 0 ||
	    pw_len > ACCOUNT_PASSWORD_MAX) {
		api_error(r, PERR_INVALID, "password");
		return;
	}
	const struct json_value *bearer = json_get(r->body, "bearer");
	if (bearer && json_bool(bearer, &s->bearer) != PERR_OK) {
		api_error(r, PERR_INVALID, "bearer");
		return;
	}
	s->password = password;
	s->password_len = pw_len;
	snprintf(s->ip, sizeof s->ip, "%s", conn_peer_ip(exchange_conn(r->ex)));
	size_t ual;
	const char *ua = http_header_get(r->http, "User-Agent", &ual);
	if (ua)
		snprintf(s->user_agent, sizeof s->user_agent, "%.*s", (int)(ual < 255 ? ual : 255), ua);

	uint64_t now = api_now_ms();
	uint32_t retry = 0;
	char ipkey[64], acctkey[ACCOUNT_LOGIN_MAX + 8];
	snprintf(ipkey, sizeof ipkey, "i:%s", s->ip);
	snprintf(acctkey, sizeof acctkey, "a:%s", s->login);
	if (ratelimit_check(r->p->login_ip, ipkey, now, &retry) ||
	    ratelimit_check(r->p->login_account, acctkey, now, &retry)) {
		log_info("login rate-limited for %s from %s", s->login, s->ip);
		api_error_retry(r, retry);
		return;
	}
	ratelimit_spend(r->p->login_ip, ipkey, now);
	api_run(r, "login", login_work, login_done);
}

/* ---- me, logout ---- */

static void handle_me(struct api_req *r)
{
	struct buf out;
	struct json_writer w;
	char csrf[ACCOUNT_TOKEN_LEN + 1];
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "user");
	api_write_user(&w, &r->user);
	if (r->via_cookie) {
		csrf_token_for(r->p->server_key, r->token, strlen(r->token), csrf);
		jw_kv_string(&w, "csrf_token", csrf);
	}
	jw_key(&w, "session");
	jw_object_begin(&w);
	jw_kv_int(&w, "id", r->session.id);
	jw_kv_string(&w, "kind", r->session.kind);
	jw_kv_int(&w, "expires_at", r->session.expires_at);
	jw_object_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void revoke_work(struct api_req *r)
{
	int64_t *target = r->state;
	r->rc = store_session_revoke(&r->p->store, r->user.id, *target, api_now());
}

static void logout_done(struct api_req *r)
{
	if (r->rc && r->rc != PERR_NOT_FOUND) {
		api_error(r, r->rc, NULL);
		return;
	}
	api_respond_empty(r, 204, "Set-Cookie: " API_SESSION_COOKIE "=; Path=/; HttpOnly; "
				  "SameSite=Lax; Max-Age=0\r\n");
}

static void handle_logout(struct api_req *r)
{
	int64_t *target = xmalloc(sizeof *target);
	*target = r->session.id;
	r->state = target;
	r->state_free = free;
	api_run(r, "session_revoke", revoke_work, logout_done);
}

/* ---- sessions ---- */

static void sessions_work(struct api_req *r)
{
	struct session_list *l = r->state;
	r->rc = store_session_list(&r->p->store, r->user.id, api_now(), l);
}

static void format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void sessions_done(struct api_req *r)
{
	struct session_list *l = r->state;
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
	jw_key(&w, "sessions");
	jw_array_begin(&w);
	for (size_t i = 0; i < l->count; i++) {
		const struct session *s = &l->items[i];
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)s->id);
		jw_object_begin(&w);
		jw_kv_string(&w, "id", id);
		jw_kv_string(&w, "kind", s->kind);
		format_time(s->created_at, t);
		jw_kv_string(&w, "created_at", t);
		format_time(s->last_seen_at, t);
		jw_kv_string(&w, "last_seen_at", t);
		format_time(s->expires_at, t);
		jw_kv_string(&w, "expires_at", t);
		jw_kv_string(&w, "user_agent", s->user_agent);
		jw_kv_string(&w, "ip", s->ip);
		jw_kv_bool(&w, "current", s->id == r->session.id);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void session_list_free(void *p)
{
	session_list_clear(p);
	free(p);
}

static void handle_sessions(struct api_req *r)
{
	r->state = xcalloc(1, sizeof(struct session_list));
	r->state_free = session_list_free;
	api_run(r, "session_list", sessions_work, sessions_done);
}

static void revoke_done(struct api_req *r)
{
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	api_respond_empty(r, 204, NULL);
}

static void handle_session_revoke(struct api_req *r)
{
	int64_t id;
	if (api_param_id(r, 0, &id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	int64_t *target = xmalloc(sizeof *target);
	*target = id;
	r->state = target;
	r->state_free = free;
	api_run(r, "session_revoke", revoke_work, revoke_done);
}

/* ---- password ---- */

struct password_state {
	const char *current;
	size_t current_len;
	const char *next;
	size_t next_len;
};

static void password_work(struct api_req *r)
{
	struct password_state *s = r->state;
	char hash[ACCOUNT_HASH_MAX];
	if (!account_verify_password(r->user.password_hash, s->current, s->current_len)) {
		r->rc = PERR_BAD_CREDENTIALS;
		r->rc_field = "current_password";
		return;
	}
	r->rc = account_hash_password(s->next, s->next_len, hash);
	if (!r->rc)
		r->rc = store_user_set_password(&r->p->store, r->user.id, hash, api_now(),
						r->session.id);
}

static void password_done(struct api_req *r)
{
	if (r->rc) {
		if (r->rc == PERR_BAD_CREDENTIALS) {
			char key[ACCOUNT_LOGIN_MAX + 8];
			snprintf(key, sizeof key, "a:%s", r->user.login);
			ratelimit_spend(r->p->login_account, key, api_now_ms());
		}
		api_error(r, r->rc, r->rc_field);
		return;
	}
	api_respond_empty(r, 204, NULL);
}

static void handle_password(struct api_req *r)
{
	struct password_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = free;
	if (api_body_string(r, "current_password", true, &s->current, &s->current_len) ||
	    s->current_len > ACCOUNT_PASSWORD_MAX) {
		api_error(r, PERR_INVALID, "current_password");
		return;
	}
	if (api_body_string(r, "new_password", true, &s->next, &s->next_len) ||
	    account_check_password(s->next, s->next_len)) {
		api_error(r, PERR_INVALID, "new_password");
		return;
	}
	/* guessing the current password here is guessing a login password */
	char key[ACCOUNT_LOGIN_MAX + 8];
	uint32_t retry = 0;
	snprintf(key, sizeof key, "a:%s", r->user.login);
	if (ratelimit_check(r->p->login_account, key, api_now_ms(), &retry)) {
		api_error_retry(r, retry);
		return;
	}
	api_run(r, "password_change", password_work, password_done);
}

const struct route api_auth_routes[] = {
	{HTTP_POST, "/api/v1/auth/login", (const void *)handle_login, API_JSON},
	{HTTP_POST, "/api/v1/auth/logout", (const void *)handle_logout, API_AUTH},
	{HTTP_GET, "/api/v1/auth/me", (const void *)handle_me, API_AUTH},
	{HTTP_POST, "/api/v1/auth/password", (const void *)handle_password, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/auth/sessions", (const void *)handle_sessions, API_AUTH},
	{HTTP_DELETE, "/api/v1/auth/sessions/:id", (const void *)handle_session_revoke, API_AUTH},
};
const size_t api_auth_routes_count = sizeof api_auth_routes / sizeof api_auth_routes[0];
