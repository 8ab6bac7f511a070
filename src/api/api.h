/* SPDX-License-Identifier: MIT */
/* The HTTP API: the application context (struct parta), request dispatch
 * through the route table, authentication (session cookie or bearer token),
 * CSRF checks for cookie-authenticated writes, JSON bodies in and out, and the
 * one place where enum perr becomes an HTTP error response. Each resource has
 * its own file (auth.c, setup.c, ops.c, ws.c) with handlers that validate
 * input, call the domain and store off the loop, and answer. Loop thread
 * only, except the work functions handlers pass to api_run. */
#ifndef PARTA_API_API_H
#define PARTA_API_API_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "base/config.h"
#include "base/i18n.h"
#include "base/json.h"
#include "domain/accounts.h"
#include "net/router.h"
#include "net/server.h"
#include "store/store.h"

struct metrics;
struct static_files;
struct ratelimit;
struct hub;
struct bus;

/* The application: everything a request may need, passed explicitly. */
struct parta {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store_handle store;
	struct server *server;
	struct metrics *metrics;
	struct static_files *web;
	struct ratelimit *login_ip;       /* attempts per IP */
	struct ratelimit *login_account;  /* failures per login */
	struct ratelimit *invite_ip;      /* invitation openings/redemptions per IP */
	struct hub *hub;                  /* real-time followers and fan-out */
	struct bus *bus;                  /* committed events and async completions to the loop */
	uint8_t server_key[ACCOUNT_KEY_LEN];
	char public_url[256];
	int64_t started_at;
	bool shutting_down;
};

/* Route flags. */
enum {
	API_AUTH = 1 << 0,   /* needs a live session; cookie writes need the CSRF header */
	API_JSON = 1 << 1,   /* needs a JSON object body (Content-Type: application/json) */
};

#define API_SESSION_COOKIE "parta_session"
#define API_CSRF_HEADER "X-CSRF-Token"

/* One API request in flight. Owned by the dispatcher until a response
 * function (api_respond_*, api_error*) is called: that sends and frees it. */
struct api_req {
	struct parta *p;
	struct exchange *ex;
	const struct http_request *http;
	struct route_match match;
	enum lang lang;
	struct json_doc *doc;             /* parsed body (API_JSON) */
	const struct json_value *body;    /* its root object */
	/* authentication (API_AUTH) */
	char token[ACCOUNT_TOKEN_LEN + 8];
	bool via_cookie;
	bool authed;
	struct session session;
	struct user user;
	struct grant_list grants;         /* loaded by api_authorize */
	bool grants_loaded;
	/* handler state: work results */
	int rc;
	const char *rc_field;
	void *state;
	void (*state_free)(void *state);
};

typedef void (*api_handler)(struct api_req *r);

/* Entry point from the server for every request. */
void api_on_request(void *ud, struct exchange *ex);
void api_on_ws_message(void *ud, struct conn *c, int opcode, const uint8_t *data, size_t len);
void api_on_ws_close(void *ud, struct conn *c);

/* Run work(r) on a store thread, then done(r) on the loop. The store
 * operation latency is recorded under op (a static string). */
void api_run(struct api_req *r, const char *op, void (*work)(struct api_req *r),
	     void (*done)(struct api_req *r));

/* Store thread (inside api_run work): may the user do act about target_role
 * (ROLE_NONE if not applicable) in org unit unit_id (0: the college)? Loads
 * the user's grants once per request. PERR_OK, PERR_FORBIDDEN, PERR_NOT_FOUND
 * (no such unit) or a store error. */
int api_authorize(struct api_req *r, enum authz_action act, enum role target_role, int64_t unit_id);
/* Store thread: the audit entry for an administrative action by this request's
 * user (before/after are JSON or NULL). */
struct audit_entry api_audit_entry(const struct api_req *r, const char *action, const char *target,
				   const char *before_json, const char *after_json);

/* Respond with a JSON body (takes the bytes of out, which the caller then frees). */
void api_respond_json(struct api_req *r, int status, const struct buf *out, const char *extra_headers);
/* Free r without answering: only after the exchange was answered another
 * way (e.g. upgraded to a WebSocket). */
void api_release(struct api_req *r);
/* Respond with a body of any content type. */
void api_respond_raw(struct api_req *r, int status, const char *content_type, const struct buf *out,
		     const char *extra_headers);
void api_respond_empty(struct api_req *r, int status, const char *extra_headers);
/* Error response: the perr's status and code, a message in the request's
 * language, and the offending field if any. */
void api_error(struct api_req *r, int err, const char *field);
/* 429 with Retry-After. */
void api_error_retry(struct api_req *r, uint32_t retry_after_s);

/* Body helpers for API_JSON routes: a string member, required or optional.
 * Return PERR_OK, or PERR_INVALID (after which the caller answers
 * api_error(r, PERR_INVALID, name)). */
int api_body_string(struct api_req *r, const char *name, bool required, const char **out, size_t *len);
/* Path parameter i as an int64 (> 0); PERR_INVALID if not a number. */
int api_param_id(const struct api_req *r, int i, int64_t *out);

/* Write the public part of a user as a JSON object value. */
void api_write_user(struct json_writer *w, const struct user *u);
/* The Set-Cookie header line for a new session token (with CRLF). */
void api_session_cookie(const struct parta *p, const char *token, char *out, size_t out_size);
/* api_now: UNIX time in seconds. api_now_ms: a MONOTONIC clock in
 * milliseconds, for rate limits and intervals (not a wall-clock time). */
int64_t api_now(void);
uint64_t api_now_ms(void);

/* Route tables of each resource file, concatenated by api.c. */
extern const struct route api_auth_routes[];
extern const size_t api_auth_routes_count;
extern const struct route api_setup_routes[];
extern const size_t api_setup_routes_count;
extern const struct route api_ops_routes[];
extern const size_t api_ops_routes_count;
extern const struct route api_ws_routes[];
extern const size_t api_ws_routes_count;
/* ==== org slice: routes ==== */
extern const struct route api_org_routes[];
extern const size_t api_org_routes_count;
extern const struct route api_people_routes[];
extern const size_t api_people_routes_count;
extern const struct route api_audit_routes[];
extern const size_t api_audit_routes_count;
/* ==== end org slice: routes ==== */
/* ==== invites slice: routes ==== */
extern const struct route api_invites_routes[];
extern const size_t api_invites_routes_count;
extern const struct route api_join_routes[];
extern const size_t api_join_routes_count;
/* Helpers shared by invites.c and join.c. Where the user may do an action
 * for some target role: everywhere (a college-wide grant allows it), or in
 * the units of the grants that allow it (and the units below them). */
#define API_INVITES_SCOPE_MAX 32
struct api_invites_scope {
	bool everywhere;
	int64_t units[API_INVITES_SCOPE_MAX];
	size_t n;
};
/* Store thread (inside api_run work): fill out for act. PERR_OK, or
 * PERR_FORBIDDEN if the user may do act nowhere (a list endpoint answers 403
 * to people who may see nothing at all), or a store error. */
int api_invites_scope(struct api_req *r, enum authz_action act, struct api_invites_scope *out);
/* Store thread: api_authorize for (act, role, unit) with answers remembered
 * in cache (ncache entries used of cap) so that a list asks the store once
 * per distinct (role, unit). */
struct api_invites_authz_memo {
	enum role role;
	int64_t unit_id;
	int rc;
};
int api_invites_authorize_memo(struct api_req *r, enum authz_action act, enum role role,
			       int64_t unit_id, struct api_invites_authz_memo *cache, size_t cap,
			       size_t *ncache);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out. */
void api_invites_time(int64_t t, char out[32]);
/* Loop thread: does the query string have a parameter called name (any value)? */
bool api_invites_query_has(const struct api_req *r, const char *name);
/* Loop thread: query parameter name as an id > 0 into *out (0 if absent or
 * empty). PERR_OK or PERR_INVALID. */
int api_invites_query_id(const struct api_req *r, const char *name, int64_t *out);
/* ==== end invites slice: routes ==== */
/* ==== movements slice: routes ==== */
extern const struct route api_movements_routes[];
extern const size_t api_movements_routes_count;
/* ==== end movements slice: routes ==== */
/* ==== import slice: routes ==== */
extern const struct route api_import_routes[];
extern const size_t api_import_routes_count;
/* ==== end import slice: routes ==== */
/* ==== chats slice: routes ==== */
/* ==== end chats slice: routes ==== */
/* ==== chatadmin slice: routes ==== */
/* chats.c: creating chats, the chat list, a chat, its settings, history,
 * edits, the read report and pins; chat_members.c: members and moderation. */
extern const struct route api_chatadmin_routes[];
extern const size_t api_chatadmin_routes_count;
extern const struct route api_chat_members_routes[];
extern const size_t api_chat_members_routes_count;
/* chat_links.c: joining a chat by link (creating, listing, revoking links;
 * opening one and joining). */
extern const struct route api_chat_links_routes[];
extern const size_t api_chat_links_routes_count;
/* ==== end chatadmin slice: routes ==== */
/* ==== chatsync slice: routes ==== */
/* ==== end chatsync slice: routes ==== */
/* ==== search slice: routes ==== */
extern const struct route api_search_routes[];
extern const size_t api_search_routes_count;
/* ==== end search slice: routes ==== */

/* First-administrator setup link: if no administrator exists, create a
 * one-time token and print the link. Blocking: main thread before the loop. */
int api_setup_announce(struct parta *p);

#endif
