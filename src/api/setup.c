/* SPDX-License-Identifier: MIT */
/* First-administrator setup. While no platform administrator exists, the
 * server prints a one-time link at start (token stored hashed, valid 24 h, a
 * new start makes a new link and retires the old one). Opening it lets the
 * first administrator choose login, name and password. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"

#define SETUP_TTL_S (24 * 3600)

int api_setup_announce(struct parta *p)
{
	int64_t admins = 0;
	int rc = store_admin_count(&p->store, &admins);
	if (rc)
		return rc;
	if (admins > 0)
		return PERR_OK;
	char token[ACCOUNT_TOKEN_LEN + 1];
	uint8_t h[STORE_HASH_LEN];
	int64_t now = api_now();
	token_generate(token);
	token_hash(token, strlen(token), h);
	rc = store_setup_token_put(&p->store, h, now, now + SETUP_TTL_S);
	if (rc)
		return rc;
	printf("First administrator: open %s/setup?token=%s to set a password (valid for 24 hours).\n"
	       "Первый администратор: откройте ссылку выше, чтобы задать пароль (действует 24 часа).\n",
	       p->public_url, token);
	fflush(stdout);
	sodium_memzero(token, sizeof token);
	return PERR_OK;
}

struct setup_state {
	char token[ACCOUNT_TOKEN_LEN + 8];
	char login[ACCOUNT_LOGIN_MAX + 1];
	char name[ACCOUNT_NAME_MAX + 1];
	const char *password;
	size_t password_len;
	char session_token[ACCOUNT_TOKEN_LEN + 1];
	char ip[46];
	char user_agent[256];
	struct user user;
	bool have_user;
};

static void setup_state_free(void *p)
{
	struct setup_state *s = p;
	if (s->have_user)
		user_clear(&s->user);
	sodium_memzero(s, sizeof *s);
	free(s);
}

/* ---- status ---- */

static void status_work(struct api_req *r)
{
	struct setup_state *s = r->state;
	uint8_t h[STORE_HASH_LEN];
	token_hash(s->token, strlen(s->token), h);
	r->rc = store_setup_token_check(&r->p->store, h, api_now());
}

static void status_done(struct api_req *r)
{
	if (r->rc && r->rc != PERR_EXPIRED) {
		api_error(r, r->rc, NULL);
		return;
	}
	struct buf out;
	buf_init(&out, 0);
	buf_puts(&out, r->rc ? "{\"valid\":false}" : "{\"valid\":true}");
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_status(struct api_req *r)
{
	struct setup_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = setup_state_free;
	long n = http_query_get(r->http, "token", s->token, sizeof s->token);
	if (n <= 0) {
		api_error(r, PERR_INVALID, "token");
		return;
	}
	api_run(r, "setup_status", status_work, status_done);
}

/* ---- complete ---- */

static void complete_work(struct api_req *r)
{
	struct setup_state *s = r->state;
	struct store_handle *st = &r->p->store;
	uint8_t h[STORE_HASH_LEN];
	char hash[ACCOUNT_HASH_MAX];
	int64_t now = api_now();
	token_hash(s->token, strlen(s->token), h);
	/* cheap check first so a bad link costs no hashing */
	r->rc = store_setup_token_check(st, h, now);
	if (r->rc)
		return;
	r->rc = account_hash_password(s->password, s->password_len, hash);
	if (r->rc)
		return;
	struct user_new u = {.login = s->login,
			     .name = s->name,
			     .password_hash = hash,
			     .role = "platform_admin",
			     .now = now,
			     .ip = s->ip};
	int64_t id;
	r->rc = store_setup_complete(st, h, &u, &id);
	if (r->rc) {
		if (r->rc == PERR_CONFLICT)
			r->rc_field = "login";
		return;
	}
	r->rc = store_user_get(st, id, &s->user);
	if (r->rc)
		return;
	s->have_user = true;
	struct session_new sn = {.user_id = id, .kind = "cookie", .now = now,
				 .expires_at = now + r->p->cfg->session_ttl_s,
				 .user_agent = s->user_agent, .ip = s->ip};
	token_generate(s->session_token);
	token_hash(s->session_token, strlen(s->session_token), sn.token_hash);
	int64_t sid;
	r->rc = store_session_create(st, &sn, &sid);
}

static void complete_done(struct api_req *r)
{
	struct setup_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	log_info("first administrator %s created", s->login);
	struct buf out;
	struct json_writer w;
	char csrf[ACCOUNT_TOKEN_LEN + 1];
	char cookie[256];
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "user");
	api_write_user(&w, &s->user);
	csrf_token_for(r->p->server_key, s->session_token, strlen(s->session_token), csrf);
	jw_kv_string(&w, "csrf_token", csrf);
	jw_object_end(&w);
	api_session_cookie(r->p, s->session_token, cookie, sizeof cookie);
	api_respond_json(r, 201, &out, cookie);
	buf_free(&out);
}

static void handle_complete(struct api_req *r)
{
	struct setup_state *s = xcalloc(1, sizeof *s);
	const char *v;
	size_t len;
	r->state = s;
	r->state_free = setup_state_free;
	if (api_body_string(r, "token", true, &v, &len) || len == 0 || len >= sizeof s->token) {
		api_error(r, PERR_INVALID, "token");
		return;
	}
	memcpy(s->token, v, len);
	if (api_body_string(r, "login", true, &v, &len) ||
	    account_normalize_login(v, len, s->login, sizeof s->login)) {
		api_error(r, PERR_INVALID, "login");
		return;
	}
	if (api_body_string(r, "name", true, &v, &len) ||
	    account_normalize_name(v, len, s->name, sizeof s->name)) {
		api_error(r, PERR_INVALID, "name");
		return;
	}
	if (api_body_string(r, "password", true, &s->password, &s->password_len) ||
	    account_check_password(s->password, s->password_len)) {
		api_error(r, PERR_INVALID, "password");
		return;
	}
	snprintf(s->ip, sizeof s->ip, "%s", conn_peer_ip(exchange_conn(r->ex)));
	size_t ual;
	const char *ua = http_header_get(r->http, "User-Agent", &ual);
	if (ua)
		snprintf(s->user_agent, sizeof s->user_agent, "%.*s", (int)(ual < 255 ? ual : 255), ua);
	api_run(r, "setup_complete", complete_work, complete_done);
}

const struct route api_setup_routes[] = {
	{HTTP_GET, "/api/v1/setup/status", (const void *)handle_status, 0},
	{HTTP_POST, "/api/v1/setup", (const void *)handle_complete, API_JSON},
};
const size_t api_setup_routes_count = sizeof api_setup_routes / sizeof api_setup_routes[0];
