/* SPDX-License-Identifier: MIT */
/* Joining a chat by link. A group chat's or channel's owner and admins create
 * links (a token made and sealed like a college invitation's:
 * domain/invites.h), list them with their uses and revoke them; a person of
 * the college opens a link (GET /chat-links/:token: the chat's title, kind
 * and size, and whether they are already in or may join) and joins by it.
 * Who may manage links, and who may join, is decided by the store inside its
 * transaction (store/chat_links.h): a link works only while its creator may
 * write to the person joining under the contact policy (authz_may_contact),
 * so that a link passed around cannot bring a student into a chat of an
 * adult who may not write to them. Opening and joining spend the same per-IP
 * budget as college invitation links (r->p->invite_ip, key "i:<ip>"), so
 * tokens cannot be guessed faster through either door. The token is never
 * logged nor written to the audit log. Times of the chat API: unix ms. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/chats_int.h"
#include "api/org_int.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "domain/invites.h"
#include "domain/ratelimit.h"

#define CHAT_LINK_URL_MAX (sizeof(((struct parta *)0)->public_url) + 16 + INVITE_TOKEN_LEN)
#define CHAT_LINK_MAX_USES_DEFAULT 100

struct link_state {
	int64_t chat_id;
	int64_t link_id;
	int64_t expires_in_s;
	int64_t max_uses;
	char token[INVITE_TOKEN_LEN + 1];
	struct chat_link link;
	struct chat_link_list list;
	struct chat_link_preview pv;
	struct chat_link_join join;
	struct chat_summary chat;
};

static void link_state_free(void *p)
{
	struct link_state *s = p;
	chat_link_clear(&s->link);
	chat_link_list_clear(&s->list);
	chat_link_preview_clear(&s->pv);
	chat_summary_clear(&s->chat);
	sodium_memzero(s->token, sizeof s->token);
	sodium_memzero(s->join.token_hash, sizeof s->join.token_hash);
	free(s);
}

static struct link_state *link_state_new(struct api_req *r)
{
	struct link_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = link_state_free;
	return s;
}

/* "{public_url}/chat-link/{token}" into out; false if it does not fit. */
static bool link_url(const struct parta *p, const char *token, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/chat-link/%s", p->public_url, token);
	return n > 0 && (size_t)n < size;
}

/* A link as its managers see it. token: the plain token if known (a new
 * link), else NULL to unseal the stored copy; a token sealed with another
 * server key cannot be shown (token and url null: the link still works). */
static void link_write(struct json_writer *w, const struct parta *p, const struct chat_link *l,
		       const char *token, int64_t now)
{
	char plain[INVITE_TOKEN_LEN + 1] = "", url[CHAT_LINK_URL_MAX];
	if (token)
		snprintf(plain, sizeof plain, "%s", token);
	else if (invite_token_unseal(p->server_key, l->token_sealed, l->token_sealed_len, plain))
		plain[0] = '\0';
	enum invite_state st = invite_state_at(l->revoked_at, l->expires_at, l->uses, l->max_uses, now);
	if (st == INVITE_LIVE && l->dormant)
		st = INVITE_REVOKED;
	jw_object_begin(w);
	jw_kv_int(w, "id", l->id);
	jw_kv_int(w, "chat_id", l->chat_id);
	if (plain[0] && link_url(p, plain, url, sizeof url)) {
		jw_kv_string(w, "token", plain);
		jw_kv_string(w, "url", url);
	} else {
		jw_key(w, "token");
		jw_null(w);
		jw_key(w, "url");
		jw_null(w);
	}
	jw_kv_int(w, "created_at", l->created_at * 1000);
	jw_kv_int(w, "expires_at", l->expires_at * 1000);
	jw_kv_int(w, "max_uses", l->max_uses);
	jw_kv_int(w, "uses", l->uses);
	jw_kv_bool(w, "revoked", l->revoked_at != 0);
	jw_kv_string(w, "state", invite_state_name(st));
	jw_key(w, "created_by");
	jw_object_begin(w);
	jw_kv_int(w, "id", l->created_by);
	jw_kv_string(w, "name", l->created_by_name ? l->created_by_name : "");
	jw_object_end(w);
	jw_object_end(w);
	sodium_memzero(plain, sizeof plain);
	sodium_memzero(url, sizeof url);
}

/* {"link": …} with status. */
static void respond_link(struct api_req *r, int status, const char *token)
{
	struct link_state *s = r->state;
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "link");
	link_write(&w, r->p, &s->link, token, api_now());
	jw_object_end(&w);
	api_respond_json(r, status, &out, NULL);
	sodium_memzero(out.data, out.len);
	buf_free(&out);
}

/* ---- POST /api/v1/chats/:id/links ---- */

static void create_work(struct api_req *r)
{
	struct link_state *s = r->state;
	uint8_t sealed[INVITE_SEALED_LEN];
	struct chat_link_new n = {.actor_id = r->user.id,
				  .chat_id = s->chat_id,
				  .now = api_now(),
				  .max_uses = s->max_uses,
				  .token_sealed = sealed,
				  .token_sealed_len = sizeof sealed};
	n.expires_at = n.now + s->expires_in_s;
	n.audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	invite_token_new(s->token);
	invite_token_hash(s->token, strlen(s->token), n.token_hash);
	r->rc = invite_token_seal(r->p->server_key, s->token, sealed);
	if (!r->rc)
		r->rc = store_chat_link_create(&r->p->store, &n, &s->link, &r->rc_field);
	sodium_memzero(sealed, sizeof sealed);
}

static void create_done(struct api_req *r)
{
	struct link_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	respond_link(r, 201, s->token);
}

static void handle_create(struct api_req *r)
{
	struct link_state *s = link_state_new(r);
	bool present;
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	if (org_api_body_int(r, "expires_in_s", false, INVITE_TTL_MIN_S, INVITE_TTL_MAX_S,
			     &s->expires_in_s, &present)) {
		api_error(r, PERR_INVALID, "expires_in_s");
		return;
	}
	if (!present)
		s->expires_in_s = INVITE_TTL_DEFAULT_S;
	if (org_api_body_int(r, "max_uses", false, 1, INVITE_MAX_USES_MAX, &s->max_uses, &present)) {
		api_error(r, PERR_INVALID, "max_uses");
		return;
	}
	if (!present)
		s->max_uses = CHAT_LINK_MAX_USES_DEFAULT;
	api_run(r, "chat_link_create", create_work, create_done);
}

/* ---- GET /api/v1/chats/:id/links ---- */

static void list_work(struct api_req *r)
{
	struct link_state *s = r->state;
	r->rc = store_chat_links(&r->p->store, r->user.id, s->chat_id, api_now(), &s->list,
				 &r->rc_field);
}

static void list_done(struct api_req *r)
{
	struct link_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	int64_t now = api_now();
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "links");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->list.count; i++)
		link_write(&w, r->p, &s->list.items[i], NULL, now);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	sodium_memzero(out.data, out.len);
	buf_free(&out);
}

static void handle_list(struct api_req *r)
{
	struct link_state *s = link_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	api_run(r, "chat_links", list_work, list_done);
}

/* ---- POST /api/v1/chats/:id/links/:link_id/revoke ---- */

static void revoke_work(struct api_req *r)
{
	struct link_state *s = r->state;
	struct audit_entry audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	r->rc = store_chat_link_revoke(&r->p->store, r->user.id, s->chat_id, s->link_id, &audit,
				       &s->link, &r->rc_field);
}

static void revoke_done(struct api_req *r)
{
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	respond_link(r, 200, NULL);
}

static void handle_revoke(struct api_req *r)
{
	struct link_state *s = link_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id) || !chat_api_param(r, 1, "link_id", &s->link_id))
		return;
	api_run(r, "chat_link_revoke", revoke_work, revoke_done);
}

/* ---- opening and joining ---- */

/* Loop thread: spend one attempt of this IP's invitation budget (shared with
 * /join/:token); false (and the 429 answered) if it is used up. */
static bool link_rate_ok(struct api_req *r)
{
	char key[64];
	uint32_t retry = 0;
	uint64_t now = api_now_ms();
	snprintf(key, sizeof key, "i:%s", conn_peer_ip(exchange_conn(r->ex)));
	if (ratelimit_check(r->p->invite_ip, key, now, &retry)) {
		log_info("chat link attempts rate-limited for %s", key + 2);
		api_error_retry(r, retry);
		return false;
	}
	ratelimit_spend(r->p->invite_ip, key, now);
	return true;
}

/* The token of path parameter 0, if well formed, into s->token. A malformed
 * token is simply unknown: 404, like a token of the right shape that matches
 * no link. */
static bool link_token_param(struct api_req *r, struct link_state *s)
{
	if (r->match.nparams < 1 ||
	    !invite_token_well_formed(r->match.param[0], r->match.param_len[0])) {
		api_error(r, PERR_NOT_FOUND, NULL);
		return false;
	}
	memcpy(s->token, r->match.param[0], INVITE_TOKEN_LEN);
	s->token[INVITE_TOKEN_LEN] = '\0';
	return true;
}

static void preview_work(struct api_req *r)
{
	struct link_state *s = r->state;
	uint8_t h[INVITE_HASH_LEN];
	invite_token_hash(s->token, strlen(s->token), h);
	r->rc = store_chat_link_preview(&r->p->store, h, r->user.id, api_now(),
					CHAT_CLASSMATES_ALLOWED_DEFAULT, &s->pv, &r->rc_field);
}

static void preview_done(struct api_req *r)
{
	struct link_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "chat");
	jw_object_begin(&w);
	jw_kv_int(&w, "id", s->pv.link.chat_id);
	jw_kv_string(&w, "title", s->pv.title ? s->pv.title : "");
	jw_kv_string(&w, "kind", s->pv.kind);
	jw_kv_int(&w, "members_count", s->pv.members_count);
	jw_object_end(&w);
	jw_kv_bool(&w, "already_member", s->pv.already_member);
	jw_kv_bool(&w, "may_join", s->pv.may_join);
	/* why not, for someone who is not a member */
	jw_key(&w, "refused");
	if (s->pv.already_member || s->pv.may_join)
		jw_null(&w);
	else
		jw_string(&w, s->pv.removed ? "removed" : "link");
	jw_kv_int(&w, "expires_at", s->pv.link.expires_at * 1000);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_preview(struct api_req *r)
{
	struct link_state *s = link_state_new(r);
	if (!link_rate_ok(r) || !link_token_param(r, s))
		return;
	api_run(r, "chat_link_preview", preview_work, preview_done);
}

static void join_work(struct api_req *r)
{
	struct link_state *s = r->state;
	struct chat_link_join *j = &s->join;
	j->user_id = r->user.id;
	invite_token_hash(s->token, strlen(s->token), j->token_hash);
	j->classmates_allowed = CHAT_CLASSMATES_ALLOWED_DEFAULT;
	j->now_ms = chat_api_now_ms();
	j->audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	r->rc = store_chat_link_join(&r->p->store, j, &r->rc_field);
	if (!r->rc)
		r->rc = store_chat_get(&r->p->store, r->user.id, j->chat_id, api_now(), &s->chat);
}

static void join_done(struct api_req *r)
{
	struct link_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "chat");
	chat_api_write_chat(&w, &s->chat);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_join(struct api_req *r)
{
	struct link_state *s = link_state_new(r);
	if (!link_rate_ok(r) || !link_token_param(r, s))
		return;
	api_run(r, "chat_link_join", join_work, join_done);
}

const struct route api_chat_links_routes[] = {
	{HTTP_POST, "/api/v1/chats/:id/links", (const void *)handle_create, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/chats/:id/links", (const void *)handle_list, API_AUTH},
	{HTTP_POST, "/api/v1/chats/:id/links/:link_id/revoke", (const void *)handle_revoke, API_AUTH},
	{HTTP_GET, "/api/v1/chat-links/:token", (const void *)handle_preview, API_AUTH},
	{HTTP_POST, "/api/v1/chat-links/:token/join", (const void *)handle_join, API_AUTH},
};
const size_t api_chat_links_routes_count =
	sizeof api_chat_links_routes / sizeof api_chat_links_routes[0];
