/* SPDX-License-Identifier: MIT */
/* Structure API: the college's tree of branches, departments and study
 * groups, the college's own name and details, and creating, reading,
 * renaming, moving, archiving and restoring units. Reading needs
 * AUTHZ_STRUCTURE_READ (every member of the college), a unit's roster
 * AUTHZ_PEOPLE_READ on it, changes AUTHZ_STRUCTURE_EDIT (or
 * AUTHZ_COLLEGE_EDIT for the college's details). Nesting rules live in
 * domain/org.c and are enforced inside the store's write, next to the audit
 * entry. Also the helpers of org_int.h shared with people.c and audit.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/org_int.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/org.h"

/* ---- shared helpers (org_int.h) ---- */

int org_api_body_int(struct api_req *r, const char *name, bool required, int64_t min, int64_t max,
		     int64_t *out, bool *present)
{
	const struct json_value *v = r->body ? json_get(r->body, name) : NULL;
	int64_t x;
	*present = false;
	if (!v || json_is_null(v))
		return required ? PERR_INVALID : PERR_OK;
	if (json_int(v, &x) || x < min || x > max)
		return PERR_INVALID;
	*out = x;
	*present = true;
	return PERR_OK;
}

int org_api_body_bool(struct api_req *r, const char *name, bool *out)
{
	const struct json_value *v = r->body ? json_get(r->body, name) : NULL;
	if (!v || json_is_null(v))
		return PERR_OK;
	return json_bool(v, out);
}

bool org_api_query_has(const struct api_req *r, const char *name)
{
	const char *q = r->http->query;
	size_t nl = strlen(name);
	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t klen = strcspn(q, "=&");
		if (klen == nl && memcmp(q, name, nl) == 0)
			return true;
		q = end ? end + 1 : NULL;
	}
	return false;
}

int org_api_query_int(struct api_req *r, const char *name, int64_t min, int64_t max, int64_t def,
		      int64_t *out)
{
	char v[24];
	long n = http_query_get(r->http, name, v, sizeof v);
	*out = def;
	if (n < 0)
		return org_api_query_has(r, name) ? PERR_INVALID : PERR_OK;
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

void org_api_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void org_api_write_unit(struct json_writer *w, const struct org_unit *u, bool open)
{
	jw_object_begin(w);
	jw_kv_int(w, "id", u->id);
	jw_kv_string(w, "kind", u->kind);
	jw_key(w, "parent_id");
	if (u->parent_id)
		jw_int(w, u->parent_id);
	else
		jw_null(w);
	jw_kv_string(w, "name", u->name);
	jw_kv_string(w, "short_name", u->short_name ? u->short_name : "");
	jw_kv_string(w, "code", u->code);
	jw_key(w, "enrolment_year");
	if (u->enrolment_year)
		jw_int(w, u->enrolment_year);
	else
		jw_null(w);
	jw_kv_bool(w, "archived", u->archived_at != 0);
	jw_key(w, "curator");
	if (u->curator_id) {
		jw_object_begin(w);
		jw_kv_int(w, "id", u->curator_id);
		jw_kv_string(w, "name", u->curator_name);
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "counts");
	jw_object_begin(w);
	jw_kv_int(w, "students", u->students);
	jw_kv_int(w, "staff", u->staff);
	jw_object_end(w);
	if (u->details) {
		jw_key(w, "details");
		jw_raw(w, u->details, strlen(u->details));
	}
	if (!open)
		jw_object_end(w);
}

void org_api_write_assignment(struct json_writer *w, const struct org_assignment *a)
{
	char t[32];
	jw_object_begin(w);
	jw_kv_int(w, "id", a->id);
	jw_kv_int(w, "user_id", a->user_id);
	jw_kv_string(w, "role", a->role);
	jw_kv_int(w, "unit_id", a->unit_id);
	jw_kv_string(w, "unit_name", a->unit_name);
	org_api_time(a->since, t);
	jw_kv_string(w, "since", t);
	jw_key(w, "until");
	if (a->until) {
		org_api_time(a->until, t);
		jw_string(w, t);
	} else {
		jw_null(w);
	}
	jw_kv_bool(w, "director", a->director);
	jw_object_end(w);
}

/* ---- state ---- */

struct org_state {
	int64_t id;
	bool archived;                 /* tree: include archived units */
	bool with_people;              /* unit read: the roster too */
	struct org_unit_new unit_new;
	struct org_unit_patch patch;
	struct org_college_patch college;
	char name[ORG_NAME_BUF];
	char short_name[ORG_SHORT_NAME_BUF];
	char code[ORG_CODE_BUF];
	char kind[16];
	char *details_json;            /* owned */
	/* output */
	struct org_unit unit;
	struct org_unit_list units;
	struct org_assignment_list people;
};

static void org_state_free(void *p)
{
	struct org_state *s = p;
	free(s->details_json);
	org_unit_clear(&s->unit);
	org_unit_list_clear(&s->units);
	org_assignment_list_clear(&s->people);
	free(s);
}

static struct org_state *org_state_new(struct api_req *r)
{
	struct org_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = org_state_free;
	return s;
}

/* Answer with the unit in s->unit (and its roster if loaded). */
static void respond_unit(struct api_req *r, int status)
{
	struct org_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	char t[32];
	buf_init(&out, 0);
	jw_init(&w, &out);
	org_api_write_unit(&w, &s->unit, true);
	if (s->with_people) {
		jw_key(&w, "people");
		jw_array_begin(&w);
		for (size_t i = 0; i < s->people.count; i++) {
			const struct org_assignment *a = &s->people.items[i];
			jw_object_begin(&w);
			jw_kv_int(&w, "user_id", a->user_id);
			jw_kv_string(&w, "name", a->user_name);
			jw_kv_string(&w, "login", a->user_login);
			jw_kv_string(&w, "role", a->role);
			org_api_time(a->since, t);
			jw_kv_string(&w, "since", t);
			jw_kv_bool(&w, "director", a->director);
			jw_object_end(&w);
		}
		jw_array_end(&w);
	}
	jw_object_end(&w);
	api_respond_json(r, status, &out, NULL);
	buf_free(&out);
}

static void unit_done_200(struct api_req *r)
{
	respond_unit(r, 200);
}

static void unit_done_201(struct api_req *r)
{
	respond_unit(r, 201);
}

/* A unit named by the path: authorize act on it (absent: 404). */
static int authorize_path_unit(struct api_req *r, enum authz_action act, int64_t id)
{
	return api_authorize(r, act, ROLE_NONE, id);
}

/* A unit named in the body: absent is bad input in that field. */
static int authorize_body_unit(struct api_req *r, enum authz_action act, int64_t id, const char *field)
{
	int rc = api_authorize(r, act, ROLE_NONE, id);
	if (rc == PERR_NOT_FOUND) {
		r->rc_field = field;
		rc = PERR_INVALID;
	}
	return rc;
}

/* The college: id, name, short_name, details. */
static void write_college(struct json_writer *w, const struct org_unit *u)
{
	const char *details = u->details ? u->details : "{}";
	jw_object_begin(w);
	jw_kv_int(w, "id", u->id);
	jw_kv_string(w, "name", u->name);
	jw_kv_string(w, "short_name", u->short_name);
	jw_key(w, "details");
	jw_raw(w, details, strlen(details));
	jw_object_end(w);
}

/* ---- GET /api/v1/org/tree ---- */

static void tree_work(struct api_req *r)
{
	struct org_state *s = r->state;
	r->rc = api_authorize(r, AUTHZ_STRUCTURE_READ, ROLE_NONE, 0);
	if (!r->rc)
		r->rc = store_org_tree(&r->p->store, s->archived, &s->unit, &s->units);
}

static void tree_done(struct api_req *r)
{
	struct org_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "college");
	write_college(&w, &s->unit);
	jw_key(&w, "units");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->units.count; i++)
		org_api_write_unit(&w, &s->units.items[i], false);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_tree(struct api_req *r)
{
	struct org_state *s = org_state_new(r);
	int64_t archived;
	if (org_api_query_int(r, "archived", 0, 1, 0, &archived)) {
		api_error(r, PERR_INVALID, "archived");
		return;
	}
	s->archived = archived == 1;
	api_run(r, "org_tree", tree_work, tree_done);
}

/* ---- PATCH /api/v1/org/college ---- */

static void college_work(struct api_req *r)
{
	struct org_state *s = r->state;
	r->rc = api_authorize(r, AUTHZ_COLLEGE_EDIT, ROLE_NONE, 0);
	if (r->rc)
		return;
	struct audit_entry a = api_audit_entry(r, "college.edit", NULL, NULL, NULL);
	r->rc = store_org_college_update(&r->p->store, &s->college, &a);
	if (!r->rc)
		r->rc = store_org_unit_get(&r->p->store, AUTHZ_COLLEGE_UNIT, &s->unit);
}

static void college_done(struct api_req *r)
{
	struct org_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	write_college(&w, &s->unit);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

/* details → compact JSON text, after org_check_details. Caller frees. */
static char *details_to_json(const struct json_value *details)
{
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	for (size_t i = 0; i < json_len(details); i++) {
		size_t len;
		const char *v = json_str(json_value_at(details, i), &len);
		jw_key(&w, json_key_at(details, i));
		jw_stringn(&w, v, len);
	}
	jw_object_end(&w);
	size_t n;
	return buf_steal(&b, &n);
}

/* Optional text member: normalized into out, *set if present. */
static int body_text(struct api_req *r, const char *name, size_t min_chars, size_t max_chars,
		     char *out, size_t out_size, const char **set)
{
	const char *v;
	size_t len;
	*set = NULL;
	if (api_body_string(r, name, false, &v, &len))
		return PERR_INVALID;
	if (!v)
		return PERR_OK;
	if (org_normalize_text(v, len, min_chars, max_chars, out, out_size))
		return PERR_INVALID;
	*set = out;
	return PERR_OK;
}

static void handle_college(struct api_req *r)
{
	struct org_state *s = org_state_new(r);
	if (body_text(r, "name", 1, ORG_NAME_MAX_CHARS, s->name, sizeof s->name, &s->college.name)) {
		api_error(r, PERR_INVALID, "name");
		return;
	}
	if (body_text(r, "short_name", 0, ORG_SHORT_NAME_MAX_CHARS, s->short_name,
		      sizeof s->short_name, &s->college.short_name)) {
		api_error(r, PERR_INVALID, "short_name");
		return;
	}
	const struct json_value *details = json_get(r->body, "details");
	if (details && !json_is_null(details)) {
		if (org_check_details(details)) {
			api_error(r, PERR_INVALID, "details");
			return;
		}
		s->details_json = details_to_json(details);
		s->college.details_json = s->details_json;
	}
	if (!s->college.name && !s->college.short_name && !s->college.details_json) {
		api_error(r, PERR_INVALID, "body");
		return;
	}
	api_run(r, "org_college_update", college_work, college_done);
}

/* ---- POST /api/v1/org/units ---- */

static void create_work(struct api_req *r)
{
	struct org_state *s = r->state;
	r->rc = authorize_body_unit(r, AUTHZ_STRUCTURE_EDIT, s->unit_new.parent_id, "parent_id");
	if (r->rc)
		return;
	struct audit_entry a = api_audit_entry(r, "unit.create", NULL, NULL, NULL);
	r->rc = store_org_unit_create(&r->p->store, &s->unit_new, &a, &s->id, &r->rc_field);
	if (!r->rc)
		r->rc = store_org_unit_get(&r->p->store, s->id, &s->unit);
}

/* code and enrolment_year: required for study groups, refused for others. */
static int parse_group_fields(struct api_req *r, struct org_state *s, bool group)
{
	const char *code;
	bool present;
	int64_t year = 0;
	if (body_text(r, "code", 1, ORG_CODE_MAX_CHARS, s->code, sizeof s->code, &code) ||
	    (group && !code) || (!group && code)) {
		r->rc_field = "code";
		return PERR_INVALID;
	}
	if (org_api_body_int(r, "enrolment_year", group, ORG_YEAR_MIN, ORG_YEAR_MAX, &year, &present) ||
	    (!group && present)) {
		r->rc_field = "enrolment_year";
		return PERR_INVALID;
	}
	s->unit_new.code = code;
	s->unit_new.enrolment_year = year;
	return PERR_OK;
}

static void handle_create(struct api_req *r)
{
	struct org_state *s = org_state_new(r);
	const char *kind;
	size_t len;
	bool present;
	enum org_kind k = ORG_NONE;
	if (!api_body_string(r, "kind", true, &kind, &len))
		k = org_kind_parse(kind, len);
	if (k == ORG_NONE || k == ORG_COLLEGE) {
		api_error(r, PERR_INVALID, "kind");
		return;
	}
	snprintf(s->kind, sizeof s->kind, "%s", org_kind_name(k));
	s->unit_new.kind = s->kind;
	if (org_api_body_int(r, "parent_id", true, 1, INT64_MAX, &s->unit_new.parent_id, &present)) {
		api_error(r, PERR_INVALID, "parent_id");
		return;
	}
	if (body_text(r, "name", 1, ORG_NAME_MAX_CHARS, s->name, sizeof s->name, &s->unit_new.name) ||
	    !s->unit_new.name) {
		api_error(r, PERR_INVALID, "name");
		return;
	}
	if (body_text(r, "short_name", 0, ORG_SHORT_NAME_MAX_CHARS, s->short_name,
		      sizeof s->short_name, &s->unit_new.short_name)) {
		api_error(r, PERR_INVALID, "short_name");
		return;
	}
	if (parse_group_fields(r, s, k == ORG_STUDY_GROUP)) {
		api_error(r, PERR_INVALID, r->rc_field);
		return;
	}
	api_run(r, "org_unit_create", create_work, unit_done_201);
}

/* ---- GET /api/v1/org/units/:id ---- */

static void get_work(struct api_req *r)
{
	struct org_state *s = r->state;
	/* the roster needs PEOPLE_READ; the unit alone, STRUCTURE_READ */
	r->rc = authorize_path_unit(r, AUTHZ_PEOPLE_READ, s->id);
	s->with_people = r->rc == PERR_OK;
	if (r->rc == PERR_FORBIDDEN)
		r->rc = authorize_path_unit(r, AUTHZ_STRUCTURE_READ, s->id);
	if (r->rc)
		return;
	r->rc = store_org_unit_get(&r->p->store, s->id, &s->unit);
	if (!r->rc && s->with_people)
		r->rc = store_org_unit_people(&r->p->store, s->id, api_now(), &s->people);
}

static void handle_get(struct api_req *r)
{
	struct org_state *s = org_state_new(r);
	if (api_param_id(r, 0, &s->id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	api_run(r, "org_unit_get", get_work, unit_done_200);
}

/* ---- PATCH /api/v1/org/units/:id ---- */

static void update_work(struct api_req *r)
{
	struct org_state *s = r->state;
	r->rc = authorize_path_unit(r, AUTHZ_STRUCTURE_EDIT, s->id);
	if (!r->rc && s->patch.parent_id)
		r->rc = authorize_body_unit(r, AUTHZ_STRUCTURE_EDIT, s->patch.parent_id, "parent_id");
	if (r->rc)
		return;
	struct audit_entry a = api_audit_entry(r, "unit.update", NULL, NULL, NULL);
	r->rc = store_org_unit_update(&r->p->store, s->id, &s->patch, &a, &r->rc_field);
	if (!r->rc)
		r->rc = store_org_unit_get(&r->p->store, s->id, &s->unit);
}

static void handle_update(struct api_req *r)
{
	struct org_state *s = org_state_new(r);
	struct org_unit_patch *p = &s->patch;
	bool present;
	if (api_param_id(r, 0, &s->id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	if (body_text(r, "name", 1, ORG_NAME_MAX_CHARS, s->name, sizeof s->name, &p->name)) {
		api_error(r, PERR_INVALID, "name");
		return;
	}
	if (body_text(r, "short_name", 0, ORG_SHORT_NAME_MAX_CHARS, s->short_name,
		      sizeof s->short_name, &p->short_name)) {
		api_error(r, PERR_INVALID, "short_name");
		return;
	}
	if (body_text(r, "code", 1, ORG_CODE_MAX_CHARS, s->code, sizeof s->code, &p->code)) {
		api_error(r, PERR_INVALID, "code");
		return;
	}
	if (org_api_body_int(r, "enrolment_year", false, ORG_YEAR_MIN, ORG_YEAR_MAX,
			     &p->enrolment_year, &present)) {
		api_error(r, PERR_INVALID, "enrolment_year");
		return;
	}
	if (org_api_body_int(r, "parent_id", false, 1, INT64_MAX, &p->parent_id, &present)) {
		api_error(r, PERR_INVALID, "parent_id");
		return;
	}
	if (!p->name && !p->short_name && !p->code && !p->enrolment_year && !p->parent_id) {
		api_error(r, PERR_INVALID, "body");
		return;
	}
	api_run(r, "org_unit_update", update_work, unit_done_200);
}

/* ---- POST /api/v1/org/units/:id/archive, /restore ---- */

static void archive_work(struct api_req *r)
{
	struct org_state *s = r->state;
	r->rc = authorize_path_unit(r, AUTHZ_STRUCTURE_EDIT, s->id);
	if (r->rc)
		return;
	struct audit_entry a =
		api_audit_entry(r, s->archived ? "unit.archive" : "unit.restore", NULL, NULL, NULL);
	r->rc = store_org_unit_set_archived(&r->p->store, s->id, s->archived, &a, &r->rc_field);
	if (!r->rc)
		r->rc = store_org_unit_get(&r->p->store, s->id, &s->unit);
}

static void handle_set_archived(struct api_req *r, bool archived)
{
	struct org_state *s = org_state_new(r);
	if (api_param_id(r, 0, &s->id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	s->archived = archived;
	api_run(r, archived ? "org_unit_archive" : "org_unit_restore", archive_work, unit_done_200);
}

static void handle_archive(struct api_req *r)
{
	handle_set_archived(r, true);
}

static void handle_restore(struct api_req *r)
{
	handle_set_archived(r, false);
}

const struct route api_org_routes[] = {
	{HTTP_GET, "/api/v1/org/tree", (const void *)handle_tree, API_AUTH},
	{HTTP_PATCH, "/api/v1/org/college", (const void *)handle_college, API_AUTH | API_JSON},
	{HTTP_POST, "/api/v1/org/units", (const void *)handle_create, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/org/units/:id", (const void *)handle_get, API_AUTH},
	{HTTP_PATCH, "/api/v1/org/units/:id", (const void *)handle_update, API_AUTH | API_JSON},
	{HTTP_POST, "/api/v1/org/units/:id/archive", (const void *)handle_archive, API_AUTH},
	{HTTP_POST, "/api/v1/org/units/:id/restore", (const void *)handle_restore, API_AUTH},
};
const size_t api_org_routes_count = sizeof api_org_routes / sizeof api_org_routes[0];
