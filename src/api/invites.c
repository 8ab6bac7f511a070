/* SPDX-License-Identifier: MIT */
/* Invitation links API: create a link for a role into an org unit, list the
 * links the user manages, revoke one, and draw one as a QR code (PNG or SVG)
 * for printing. Who may create and manage which links is decided by authz
 * (invite.create / invite.manage for the link's role and unit). The token is
 * shown to those who manage the link (unsealed with the server key) and is
 * never written to logs or the audit log. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/invites.h"
#include "domain/qr.h"

#define INVITES_MEMO_CAP 64
#define INVITE_URL_MAX (sizeof(((struct parta *)0)->public_url) + 8 + INVITE_TOKEN_LEN)

/* ---- helpers shared with join.c (declared in api.h) ---- */

void api_invites_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int api_invites_scope(struct api_req *r, enum authz_action act, struct api_invites_scope *out)
{
	out->everywhere = false;
	out->n = 0;
	if (!r->authed)
		return PERR_UNAUTHENTICATED;
	if (!r->grants_loaded) {
		int rc = store_grants_load(&r->p->store, r->user.id, &r->grants);
		if (rc)
			return rc;
		r->grants_loaded = true;
	}
	/* a grant's own unit is the place where a scoped rule certainly applies */
	struct authz_actor actor = {r->user.id, r->grants.items, r->grants.count};
	for (size_t g = 0; g < r->grants.count; g++) {
		int64_t unit = r->grants.items[g].unit_id;
		struct authz_scope scope = {.unit_id = unit};
		bool allowed = false;
		for (int role = ROLE_NONE + 1; role < ROLE__COUNT && !allowed; role++)
			allowed = authz_allowed(&actor, act, (enum role)role, &scope);
		if (!allowed)
			continue;
		if (unit == 0 || unit == AUTHZ_COLLEGE_UNIT) {
			out->everywhere = true;
			continue;
		}
		bool seen = false;
		for (size_t i = 0; i < out->n && !seen; i++)
			seen = out->units[i] == unit;
		if (!seen && out->n < API_INVITES_SCOPE_MAX)
			out->units[out->n++] = unit;
	}
	return out->everywhere || out->n ? PERR_OK : PERR_FORBIDDEN;
}

int api_invites_authorize_memo(struct api_req *r, enum authz_action act, enum role role,
			       int64_t unit_id, struct api_invites_authz_memo *cache, size_t cap,
			       size_t *ncache)
{
	for (size_t i = 0; i < *ncache; i++)
		if (cache[i].role == role && cache[i].unit_id == unit_id)
			return cache[i].rc;
	int rc = api_authorize(r, act, role, unit_id);
	if (rc == PERR_NOT_FOUND)
		rc = PERR_FORBIDDEN;  /* the unit went away under us: nothing to manage there */
	if (rc == PERR_OK || rc == PERR_FORBIDDEN) {
		if (*ncache == cap)
			*ncache = 0;  /* full: start over; correctness does not depend on it */
		cache[(*ncache)++] = (struct api_invites_authz_memo){role, unit_id, rc};
	}
	return rc;
}

/* ---- the invite object ---- */

/* Write a link as JSON; token is the plain token or NULL if it cannot be
 * shown (then token and url are null). */
static void invite_write(struct json_writer *w, const struct parta *p, const struct invite *inv,
			 const char *token, int64_t now)
{
	char t[32], url[INVITE_URL_MAX];
	jw_object_begin(w);
	jw_kv_int(w, "id", inv->id);
	if (token && invite_url(p->public_url, token, url, sizeof url) == PERR_OK) {
		jw_kv_string(w, "token", token);
		jw_kv_string(w, "url", url);
	} else {
		jw_key(w, "token");
		jw_null(w);
		jw_key(w, "url");
		jw_null(w);
	}
	jw_kv_string(w, "role", role_name(inv->role));
	jw_key(w, "unit");
	jw_object_begin(w);
	jw_kv_int(w, "id", inv->unit_id);
	jw_kv_string(w, "name", inv->unit_name);
	jw_kv_string(w, "kind", inv->unit_kind);
	jw_object_end(w);
	api_invites_time(inv->created_at, t);
	jw_kv_string(w, "created_at", t);
	api_invites_time(inv->expires_at, t);
	jw_kv_string(w, "expires_at", t);
	jw_kv_int(w, "max_uses", inv->max_uses);
	jw_kv_int(w, "uses", inv->uses);
	jw_kv_bool(w, "needs_approval", invite_needs_approval(inv->role, inv->needs_approval));
	jw_kv_bool(w, "revoked", inv->revoked_at != 0);
	enum invite_state st = invite_state_at(inv->revoked_at, inv->expires_at, inv->uses,
					       inv->max_uses, now);
	if (st == INVITE_LIVE && inv->unit_archived)
		st = INVITE_REVOKED;
	jw_kv_string(w, "state", invite_state_name(st));
	jw_kv_string(w, "note", inv->note);
	if (inv->personal_name)
		jw_kv_string(w, "personal_name", inv->personal_name);
	jw_key(w, "created_by");
	jw_object_begin(w);
	jw_kv_int(w, "id", inv->created_by);
	jw_kv_string(w, "name", inv->created_by_name ? inv->created_by_name : "");
	jw_object_end(w);
	jw_object_end(w);
}

/* Write a stored link, unsealing its token with the server key. */
static void invite_write_stored(struct json_writer *w, const struct parta *p,
				const struct invite *inv, int64_t now)
{
	char token[INVITE_TOKEN_LEN + 1];
	bool ok = invite_token_unseal(p->server_key, inv->token_sealed, inv->token_sealed_len,
				      token) == PERR_OK;
	invite_write(w, p, inv, ok ? token : NULL, now);
	sodium_memzero(token, sizeof token);
}

/* ---- create ---- */

struct create_state {
	enum role role;
	int64_t unit_id;
	int64_t expires_in_s;
	int64_t max_uses;
	bool needs_approval;
	char note[INVITE_NOTE_MAX * 4 + 1];
	char token[INVITE_TOKEN_LEN + 1];
	struct invite inv;
	bool have_inv;
};

static void create_state_free(void *p)
{
	struct create_state *s = p;
	if (s->have_inv)
		invite_clear(&s->inv);
	sodium_memzero(s->token, sizeof s->token);
	free(s);
}

static void create_work(struct api_req *r)
{
	struct create_state *s = r->state;
	struct store_handle *st = &r->p->store;
	r->rc = api_authorize(r, AUTHZ_INVITE_CREATE, s->role, s->unit_id);
	if (r->rc) {
		if (r->rc == PERR_NOT_FOUND)
			r->rc_field = "unit_id";
		return;
	}
	struct authz_scope scope;
	char kind[16] = "";
	r->rc = store_unit_scope(st, s->unit_id, &scope, kind);
	if (!r->rc && invite_check_target(s->role, kind) != PERR_OK)
		r->rc = PERR_INVALID;
	if (r->rc) {
		r->rc_field = "unit_id";
		return;
	}
	struct invite_new n = {.role = s->role,
			       .unit_id = s->unit_id,
			       .created_by = r->user.id,
			       .now = api_now(),
			       .max_uses = s->max_uses,
			       .needs_approval = invite_needs_approval(s->role, s->needs_approval),
			       .note = s->note};
	uint8_t sealed[INVITE_SEALED_LEN];
	n.expires_at = n.now + s->expires_in_s;
	invite_token_new(s->token);
	invite_token_hash(s->token, strlen(s->token), n.token_hash);
	r->rc = invite_token_seal(r->p->server_key, s->token, sealed);
	if (r->rc)
		return;
	n.token_sealed = sealed;
	n.token_sealed_len = sizeof sealed;

	/* the audit snapshot: everything but the token */
	struct buf after;
	struct json_writer w;
	buf_init(&after, 0);
	jw_init(&w, &after);
	jw_object_begin(&w);
	jw_kv_string(&w, "role", role_name(n.role));
	jw_kv_int(&w, "unit_id", n.unit_id);
	jw_kv_int(&w, "expires_at", n.expires_at);
	jw_kv_int(&w, "max_uses", n.max_uses);
	jw_kv_bool(&w, "needs_approval", n.needs_approval);
	jw_kv_string(&w, "note", n.note);
	jw_object_end(&w);
	struct audit_entry audit = api_audit_entry(r, "invite.create", NULL, NULL, after.data);
	int64_t id = 0;
	r->rc = store_invite_create(st, &n, &audit, &id, &r->rc_field);
	buf_free(&after);
	if (r->rc)
		return;
	r->rc = store_invite_get(st, id, &s->inv);
	s->have_inv = r->rc == PERR_OK;
}

static void create_done(struct api_req *r)
{
	struct create_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	invite_write(&w, r->p, &s->inv, s->token, api_now());
	api_respond_json(r, 201, &out, NULL);
	buf_free(&out);
}

/* An optional integer member within [lo, hi]; def when absent or null. */
static int body_int(struct api_req *r, const char *name, int64_t lo, int64_t hi, int64_t def,
		    int64_t *out)
{
	const struct json_value *v = json_get(r->body, name);
	*out = def;
	if (!v || json_is_null(v))
		return PERR_OK;
	if (json_int(v, out) || *out < lo || *out > hi)
		return PERR_INVALID;
	return PERR_OK;
}

static int create_parse(struct api_req *r, struct create_state *s, const char **field)
{
	const char *v;
	size_t len;
	*field = "role";
	if (api_body_string(r, "role", true, &v, &len))
		return PERR_INVALID;
	s->role = role_parse(v, len);
	if (!invite_role_linkable(s->role))
		return PERR_INVALID;
	*field = "unit_id";
	if (body_int(r, "unit_id", 1, INT64_MAX, 0, &s->unit_id) || s->unit_id == 0)
		return PERR_INVALID;
	*field = "expires_in_s";
	if (body_int(r, "expires_in_s", INVITE_TTL_MIN_S, INVITE_TTL_MAX_S, INVITE_TTL_DEFAULT_S,
		     &s->expires_in_s))
		return PERR_INVALID;
	*field = "max_uses";
	if (body_int(r, "max_uses", 1, INVITE_MAX_USES_MAX, invite_default_max_uses(s->role),
		     &s->max_uses))
		return PERR_INVALID;
	*field = "needs_approval";
	const struct json_value *na = json_get(r->body, "needs_approval");
	s->needs_approval = true;
	if (na && !json_is_null(na) && json_bool(na, &s->needs_approval))
		return PERR_INVALID;
	*field = "note";
	if (api_body_string(r, "note", false, &v, &len) || (v && !invite_note_valid(v, len)) ||
	    len >= sizeof s->note)
		return PERR_INVALID;
	if (v)
		memcpy(s->note, v, len);
	s->note[len] = '\0';
	*field = NULL;
	return PERR_OK;
}

static void handle_create(struct api_req *r)
{
	struct create_state *s = xcalloc(1, sizeof *s);
	const char *field;
	r->state = s;
	r->state_free = create_state_free;
	if (create_parse(r, s, &field)) {
		api_error(r, PERR_INVALID, field);
		return;
	}
	api_run(r, "invite_create", create_work, create_done);
}

/* ---- list ---- */

struct list_state {
	struct invite_filter f;
	struct invite_list list;
	bool *visible;
};

static void list_state_free(void *p)
{
	struct list_state *s = p;
	invite_list_clear(&s->list);
	free(s->visible);
	free(s);
}

static int invite_cmp_newest(const void *a, const void *b)
{
	int64_t x = ((const struct invite *)a)->id, y = ((const struct invite *)b)->id;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The links under each of units[0..n) (0: the whole college) into s->list,
 * newest first, each once (the subtrees of nested grants overlap). Asking per
 * unit keeps a curator's few links from drowning among a big college's. */
static int list_collect(struct api_req *r, struct list_state *s, const int64_t *units, size_t n)
{
	for (size_t u = 0; u < n; u++) {
		struct invite_filter f = s->f;
		struct invite_list part;
		f.unit_id = units[u];
		int rc = store_invite_list(&r->p->store, &f, &part);
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
	qsort(s->list.items, s->list.count, sizeof *s->list.items, invite_cmp_newest);
	size_t k = 0;
	for (size_t i = 0; i < s->list.count; i++) {
		if (k && s->list.items[k - 1].id == s->list.items[i].id)
			invite_clear(&s->list.items[i]);
		else
			s->list.items[k++] = s->list.items[i];
	}
	s->list.count = k;
	return PERR_OK;
}

static void list_work(struct api_req *r)
{
	struct list_state *s = r->state;
	struct api_invites_authz_memo memo[INVITES_MEMO_CAP];
	struct api_invites_scope scope;
	size_t nmemo = 0;
	r->rc = api_invites_scope(r, AUTHZ_INVITE_MANAGE, &scope);
	if (r->rc)
		return;
	if (s->f.unit_id || scope.everywhere)
		r->rc = list_collect(r, s, &s->f.unit_id, 1);
	else
		r->rc = list_collect(r, s, scope.units, scope.n);
	if (r->rc)
		return;
	s->visible = xcalloc(s->list.count ? s->list.count : 1, sizeof *s->visible);
	for (size_t i = 0; i < s->list.count; i++) {
		const struct invite *inv = &s->list.items[i];
		int rc = api_invites_authorize_memo(r, AUTHZ_INVITE_MANAGE, inv->role, inv->unit_id,
						    memo, INVITES_MEMO_CAP, &nmemo);
		if (rc && rc != PERR_FORBIDDEN) {
			r->rc = rc;
			return;
		}
		s->visible[i] = rc == PERR_OK;
	}
}

static void list_done(struct api_req *r)
{
	struct list_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	int64_t now = api_now();
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "invites");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->list.count; i++)
		if (s->visible[i])
			invite_write_stored(&w, r->p, &s->list.items[i], now);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

bool api_invites_query_has(const struct api_req *r, const char *name)
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

int api_invites_query_id(const struct api_req *r, const char *name, int64_t *out)
{
	char v[24];
	long n = http_query_get(r->http, name, v, sizeof v);
	*out = 0;
	if (n == 0 || (n < 0 && !api_invites_query_has(r, name)))
		return PERR_OK;
	if (n < 0 || n > 18)
		return PERR_INVALID;
	int64_t x = 0;
	for (long i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return PERR_INVALID;
		x = x * 10 + (v[i] - '0');
	}
	if (x <= 0)
		return PERR_INVALID;
	*out = x;
	return PERR_OK;
}

static void handle_list(struct api_req *r)
{
	struct list_state *s = xcalloc(1, sizeof *s);
	char role[24];
	r->state = s;
	r->state_free = list_state_free;
	if (api_invites_query_id(r, "unit_id", &s->f.unit_id)) {
		api_error(r, PERR_INVALID, "unit_id");
		return;
	}
	long n = http_query_get(r->http, "role", role, sizeof role);
	s->f.role = ROLE_NONE;
	if (n > 0) {
		s->f.role = role_parse(role, (size_t)n);
		if (!invite_role_linkable(s->f.role)) {
			api_error(r, PERR_INVALID, "role");
			return;
		}
	} else if (n < 0 && api_invites_query_has(r, "role")) {
		api_error(r, PERR_INVALID, "role");
		return;
	}
	/* personal links (one per imported person) are listed apart */
	char personal[4];
	n = http_query_get(r->http, "personal", personal, sizeof personal);
	if (n == 1 && (personal[0] == '0' || personal[0] == '1')) {
		s->f.personal = personal[0] == '1';
	} else if (n != 0 && (n > 0 || api_invites_query_has(r, "personal"))) {
		api_error(r, PERR_INVALID, "personal");
		return;
	}
	api_run(r, "invite_list", list_work, list_done);
}

/* ---- one link: revoke, QR ---- */

enum qr_format { QR_NONE, QR_PNG, QR_SVG };

struct one_state {
	int64_t id;
	enum qr_format qr;
	struct buf image;
};

static void one_state_free(void *p)
{
	struct one_state *s = p;
	buf_free(&s->image);
	free(s);
}

/* Load the link and check the user manages it. */
static int one_authorize(struct api_req *r, struct invite *inv)
{
	struct one_state *s = r->state;
	int rc = store_invite_get(&r->p->store, s->id, inv);
	if (rc)
		return rc;
	rc = api_authorize(r, AUTHZ_INVITE_MANAGE, inv->role, inv->unit_id);
	if (rc == PERR_NOT_FOUND)
		rc = PERR_FORBIDDEN;
	if (rc)
		invite_clear(inv);
	return rc;
}

static void revoke_work(struct api_req *r)
{
	struct one_state *s = r->state;
	struct invite inv;
	r->rc = one_authorize(r, &inv);
	if (r->rc)
		return;
	invite_clear(&inv);
	struct audit_entry audit = api_audit_entry(r, "invite.revoke", NULL, NULL, NULL);
	r->rc = store_invite_revoke(&r->p->store, s->id, &audit);
}

static void revoke_done(struct api_req *r)
{
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	api_respond_empty(r, 204, NULL);
}

static void qr_work(struct api_req *r)
{
	struct one_state *s = r->state;
	struct invite inv;
	struct qr_code q = {0};
	char token[INVITE_TOKEN_LEN + 1], url[INVITE_URL_MAX];
	r->rc = one_authorize(r, &inv);
	if (r->rc)
		return;
	r->rc = invite_token_unseal(r->p->server_key, inv.token_sealed, inv.token_sealed_len, token);
	if (r->rc) {
		/* sealed with another server key: the link works but cannot be shown */
		r->rc = PERR_CONFLICT;
		goto out;
	}
	r->rc = invite_url(r->p->public_url, token, url, sizeof url);
	if (!r->rc)
		r->rc = qr_encode(url, strlen(url), &q);
	if (r->rc)
		goto out;
	if (s->qr == QR_PNG)
		r->rc = qr_write_png(&q, QR_SCALE_DEFAULT, QR_MARGIN_DEFAULT, &s->image);
	else
		r->rc = qr_write_svg(&q, QR_MARGIN_DEFAULT, &s->image);
out:
	qr_code_clear(&q);
	sodium_memzero(token, sizeof token);
	sodium_memzero(url, sizeof url);
	invite_clear(&inv);
}

static void qr_done(struct api_req *r)
{
	struct one_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	char extra[128];
	snprintf(extra, sizeof extra, "Content-Disposition: inline; filename=\"invite-%lld.%s\"\r\n",
		 (long long)s->id, s->qr == QR_PNG ? "png" : "svg");
	api_respond_raw(r, 200, s->qr == QR_PNG ? "image/png" : "image/svg+xml", &s->image, extra);
}

static struct one_state *one_start(struct api_req *r, enum qr_format qr)
{
	struct one_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = one_state_free;
	s->qr = qr;
	buf_init(&s->image, 0);
	if (api_param_id(r, 0, &s->id)) {
		api_error(r, PERR_INVALID, "id");
		return NULL;
	}
	return s;
}

static void handle_revoke(struct api_req *r)
{
	if (one_start(r, QR_NONE))
		api_run(r, "invite_revoke", revoke_work, revoke_done);
}

static void handle_qr_png(struct api_req *r)
{
	if (one_start(r, QR_PNG))
		api_run(r, "invite_qr", qr_work, qr_done);
}

static void handle_qr_svg(struct api_req *r)
{
	if (one_start(r, QR_SVG))
		api_run(r, "invite_qr", qr_work, qr_done);
}

const struct route api_invites_routes[] = {
	{HTTP_POST, "/api/v1/invites", (const void *)handle_create, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/invites", (const void *)handle_list, API_AUTH},
	{HTTP_POST, "/api/v1/invites/:id/revoke", (const void *)handle_revoke, API_AUTH},
	{HTTP_GET, "/api/v1/invites/:id/qr.png", (const void *)handle_qr_png, API_AUTH},
	{HTTP_GET, "/api/v1/invites/:id/qr.svg", (const void *)handle_qr_svg, API_AUTH},
};
const size_t api_invites_routes_count = sizeof api_invites_routes / sizeof api_invites_routes[0];
