/* SPDX-License-Identifier: MIT */
/* Import API: upload an e-journal CSV (groups, students, parents, staff),
 * with a dry run that reports every bad row and changes nothing, and the
 * export of personal invitation links of imported people for a mail merge.
 * Platform administrators only (authz "import"). The file's format is in
 * docs/import.md; reading and validation are in domain/import.c, applying in
 * the store (one write transaction). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/csv.h"
#include "domain/import.h"
#include "domain/invites.h"

#define IMPORT_ERRORS_SHOWN 10000       /* problems listed in one answer */
#define IMPORT_LINK_TTL_S (30 * 24 * 3600)
#define IMPORT_URL_MAX (sizeof(((struct parta *)0)->public_url) + 8 + INVITE_TOKEN_LEN)

/* True if the query string has the parameter name (with or without a value). */
static bool import_query_has(const struct http_request *req, const char *name)
{
	size_t nl = strlen(name), i = 0;
	while (i < req->query_len) {
		size_t start = i;
		while (i < req->query_len && req->query[i] != '&')
			i++;
		size_t klen = i - start;
		const char *eq = memchr(req->query + start, '=', klen);
		if (eq)
			klen = (size_t)(eq - (req->query + start));
		if (klen == nl && memcmp(req->query + start, name, nl) == 0)
			return true;
		i++;
	}
	return false;
}

/* The movements' date: today in the server's (the college's) time zone. */
static void import_today(char out[16])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* ---- POST /api/v1/import ---- */

struct import_state {
	char *data;              /* a copy of the body: the work runs off the loop */
	size_t len;
	bool dry_run;
	char ip[46];
	struct import_plan plan;
	bool have_plan;
};

static void import_state_free(void *p)
{
	struct import_state *s = p;
	if (s->have_plan)
		import_plan_clear(&s->plan);
	free(s->data);
	free(s);
}

static void import_work(struct api_req *r)
{
	struct import_state *s = r->state;
	char today[16];
	r->rc = api_authorize(r, AUTHZ_IMPORT, ROLE_NONE, 0);
	if (r->rc)
		return;
	r->rc = import_plan_parse(s->data, s->len, &s->plan);
	if (r->rc) {
		r->rc_field = "file";
		return;
	}
	s->have_plan = true;
	if (!s->plan.header_ok)
		return;  /* only header problems to report; nothing to apply */
	import_today(today);
	struct import_options opt = {.dry_run = s->dry_run,
				     .actor_id = r->user.id,
				     .ip = s->ip,
				     .now = api_now(),
				     .today = today};
	r->rc = store_import_apply(&r->p->store, &s->plan, &opt);
}

static void import_write_errors(struct api_req *r, struct json_writer *w, const struct import_plan *plan)
{
	char msg[512];
	size_t shown = plan->nerrors < IMPORT_ERRORS_SHOWN ? plan->nerrors : IMPORT_ERRORS_SHOWN;
	jw_key(w, "errors");
	jw_array_begin(w);
	for (size_t i = 0; i < shown; i++) {
		const struct import_error *e = &plan->errors[i];
		jw_object_begin(w);
		jw_kv_int(w, "line", (int64_t)e->line);
		jw_key(w, "field");
		jw_string(w, e->field);
		jw_kv_string(w, "code", import_problem_code(e->problem));
		import_error_message(e, r->lang, msg, sizeof msg);
		jw_kv_string(w, "message", msg);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_kv_int(w, "errors_total", (int64_t)plan->nerrors);
	jw_kv_bool(w, "errors_truncated", shown < plan->nerrors);
}

static void import_done(struct api_req *r)
{
	struct import_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	const struct import_counts *c = &s->plan.counts;
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_kv_bool(&w, "dry_run", s->dry_run);
	jw_kv_string(&w, "encoding", s->plan.encoding == CSV_CP1251 ? "windows-1251" : "utf-8");
	char delim[2] = {s->plan.delimiter, '\0'};
	jw_kv_string(&w, "delimiter", delim);
	jw_kv_int(&w, "rows", (int64_t)c->rows);
	jw_key(&w, "created");
	jw_object_begin(&w);
	jw_kv_int(&w, "groups", (int64_t)c->groups);
	jw_kv_int(&w, "students", (int64_t)c->students);
	jw_kv_int(&w, "parents", (int64_t)c->parents);
	jw_kv_int(&w, "staff", (int64_t)c->staff);
	jw_kv_int(&w, "branches", (int64_t)c->branches);
	jw_object_end(&w);
	jw_kv_int(&w, "updated", (int64_t)c->updated);
	jw_kv_int(&w, "unchanged", (int64_t)c->unchanged);
	jw_kv_int(&w, "skipped", (int64_t)c->skipped);
	import_write_errors(r, &w, &s->plan);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

/* text/csv with any parameters (charset is detected from the bytes). */
static bool import_is_csv(const struct http_request *req)
{
	size_t len;
	const char *ct = http_header_get(req, "Content-Type", &len);
	return ct && len >= 8 && strncasecmp(ct, "text/csv", 8) == 0 &&
	       (len == 8 || ct[8] == ';' || ct[8] == ' ');
}

static void handle_import(struct api_req *r)
{
	char v[16];
	if (!import_is_csv(r->http)) {
		api_error(r, PERR_UNSUPPORTED, NULL);
		return;
	}
	struct import_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = import_state_free;
	if (import_query_has(r->http, "dry_run")) {
		long n = http_query_get(r->http, "dry_run", v, sizeof v);
		if (n < 0 || !(strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "0") == 0 ||
			       strcmp(v, "false") == 0)) {
			api_error(r, PERR_INVALID, "dry_run");
			return;
		}
		s->dry_run = v[0] == '1' || v[0] == 't';
	}
	if (r->http->body_len == 0) {
		api_error(r, PERR_INVALID, "file");
		return;
	}
	s->data = xmalloc(r->http->body_len);
	memcpy(s->data, r->http->body, r->http->body_len);
	s->len = r->http->body_len;
	snprintf(s->ip, sizeof s->ip, "%s", conn_peer_ip(exchange_conn(r->ex)));
	api_run(r, "import_apply", import_work, import_done);
}

/* ---- GET /api/v1/import/invitations.csv ---- */

struct links_state {
	int64_t unit_id;
	struct import_invitee_list people;
	char (*tokens)[INVITE_TOKEN_LEN + 1];  /* one per person, to print */
};

static void links_state_free(void *p)
{
	struct links_state *s = p;
	if (s->tokens)
		sodium_memzero(s->tokens, s->people.count * sizeof *s->tokens);
	free(s->tokens);
	import_invitee_list_clear(&s->people);
	free(s);
}

/* "Фамилия Имя Отчество" of an invitee into out. */
static void links_full_name(const struct import_invitee *v, char *out, size_t size)
{
	snprintf(out, size, "%s %s%s%s", v->last_name, v->first_name, v->middle_name[0] ? " " : "",
		 v->middle_name);
}

/* New tokens for every invitee, stored (and the old personal links revoked)
 * in one transaction. */
static int links_issue(struct api_req *r, struct links_state *s)
{
	size_t n = s->people.count;
	struct import_invite_new *items = xcalloc(n ? n : 1, sizeof *items);
	char(*names)[ACCOUNT_NAME_MAX * 2] = xcalloc(n ? n : 1, sizeof *names);
	int rc = PERR_OK;
	s->tokens = xcalloc(n ? n : 1, sizeof *s->tokens);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct import_invitee *v = &s->people.items[i];
		struct import_invite_new *it = &items[i];
		invite_token_new(s->tokens[i]);
		invite_token_hash(s->tokens[i], INVITE_TOKEN_LEN, it->token_hash);
		rc = invite_token_seal(r->p->server_key, s->tokens[i], it->token_sealed);
		it->token_sealed_len = INVITE_SEALED_LEN;
		it->user_id = v->user_id;
		it->role = v->role;
		it->unit_id = v->unit_id;
		links_full_name(v, names[i], sizeof names[i]);
		it->personal_name = names[i];
	}
	if (!rc) {
		struct import_invite_batch b = {
			.items = items,
			.count = n,
			.unit_id = s->unit_id,
			.audit = api_audit_entry(r, "import.export_invitations", NULL, NULL, NULL),
		};
		b.expires_at = b.audit.now + IMPORT_LINK_TTL_S;
		rc = store_import_invites_issue(&r->p->store, &b);
	}
	free(names);
	free(items);
	return rc;
}

static void links_work(struct api_req *r)
{
	struct links_state *s = r->state;
	r->rc = api_authorize(r, AUTHZ_IMPORT, ROLE_NONE, 0);
	if (r->rc)
		return;
	if (s->unit_id) {
		struct authz_scope scope;
		r->rc = store_unit_scope(&r->p->store, s->unit_id, &scope, NULL);
		if (r->rc) {
			r->rc_field = "unit_id";
			return;
		}
	}
	r->rc = store_import_invitees(&r->p->store, s->unit_id, api_now(), &s->people);
	if (!r->rc)
		r->rc = links_issue(r, s);
}

static void links_done(struct api_req *r)
{
	struct links_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	static const char *const header[] = {"last_name", "first_name", "middle_name", "role",
					     "group_code", "login", "invitation_url"};
	const char d = ';';  /* what Excel expects in a Russian locale */
	char url[IMPORT_URL_MAX];
	struct buf out;
	buf_init(&out, 0);
	buf_puts(&out, "\xEF\xBB\xBF");
	for (size_t i = 0; i < sizeof header / sizeof header[0]; i++) {
		if (i)
			buf_putc(&out, d);
		csv_write_field(&out, header[i], d);
	}
	csv_write_eol(&out);
	for (size_t i = 0; i < s->people.count; i++) {
		const struct import_invitee *v = &s->people.items[i];
		if (invite_url(r->p->public_url, s->tokens[i], url, sizeof url))
			url[0] = '\0';
		const char *fields[] = {v->last_name, v->first_name, v->middle_name, v->role,
					v->group_code, v->login, url};
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
			if (k)
				buf_putc(&out, d);
			csv_write_field(&out, fields[k], d);
		}
		csv_write_eol(&out);
	}
	sodium_memzero(url, sizeof url);
	api_respond_raw(r, 200, "text/csv; charset=utf-8", &out,
			"Content-Disposition: attachment; filename=\"invitations.csv\"\r\n");
	sodium_memzero(out.data, out.len);
	buf_free(&out);
}

/* The export changes state (new links replace the old ones), so a cookie
 * session must prove it is our page, as for any write. */
static bool links_csrf_ok(const struct api_req *r)
{
	char expect[ACCOUNT_TOKEN_LEN + 1], got[ACCOUNT_TOKEN_LEN + 8];
	size_t len;
	if (!r->via_cookie)
		return true;
	const char *h = http_header_get(r->http, API_CSRF_HEADER, &len);
	if (!h || len >= sizeof got)
		return false;
	memcpy(got, h, len);
	got[len] = '\0';
	csrf_token_for(r->p->server_key, r->token, strlen(r->token), expect);
	return token_equal(got, expect);
}

static void handle_links(struct api_req *r)
{
	char v[24];
	if (!links_csrf_ok(r)) {
		api_error(r, PERR_CSRF, NULL);
		return;
	}
	struct links_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = links_state_free;
	if (import_query_has(r->http, "unit_id")) {
		long n = http_query_get(r->http, "unit_id", v, sizeof v);
		int64_t id = 0;
		bool ok = n > 0 && n <= 18;
		for (long i = 0; ok && i < n; i++) {
			if (v[i] < '0' || v[i] > '9')
				ok = false;
			else
				id = id * 10 + (v[i] - '0');
		}
		if (!ok || id <= 0) {
			api_error(r, PERR_INVALID, "unit_id");
			return;
		}
		s->unit_id = id;
	}
	api_run(r, "import_invitations", links_work, links_done);
}

const struct route api_import_routes[] = {
	{HTTP_POST, "/api/v1/import", (const void *)handle_import, API_AUTH},
	{HTTP_GET, "/api/v1/import/invitations.csv", (const void *)handle_links, API_AUTH},
};
const size_t api_import_routes_count = sizeof api_import_routes / sizeof api_import_routes[0];
