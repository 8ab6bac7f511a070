/* SPDX-License-Identifier: MIT */
/* People API: create an account with a role in a unit, search people, read a
 * person with their role history and guardianships, assign and end roles.
 * Who may do what is decided by authz: assigning a role is AUTHZ_ROLE_ASSIGN
 * for that role in that unit, except the platform administrator, whom only
 * the administration appoints (AUTHZ_ADMIN_APPOINT); which role fits which
 * kind of unit is domain/org.c's rule, enforced inside the store's write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/org_int.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/org.h"

#define PEOPLE_LIMIT_MAX 200
#define PEOPLE_LIMIT_DEFAULT 50
#define PEOPLE_Q_MAX 200

struct people_state {
	/* input */
	char login[ACCOUNT_LOGIN_MAX + 1];
	char name[ACCOUNT_NAME_MAX + 1];
	const char *password;            /* borrowed from the body; NULL: none */
	size_t password_len;
	enum role role;
	int64_t unit_id;
	bool director;
	int64_t user_id;
	int64_t assignment_id;
	char q[PEOPLE_Q_MAX + 1];
	struct org_people_query query;
	/* output */
	struct user user;
	struct org_person person;
	struct org_assignment assignment;
	struct org_people_list list;
};

static void people_state_free(void *p)
{
	struct people_state *s = p;
	user_clear(&s->user);
	org_person_clear(&s->person);
	org_assignment_clear(&s->assignment);
	org_people_list_clear(&s->list);
	free(s);
}

static struct people_state *people_state_new(struct api_req *r)
{
	struct people_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = people_state_free;
	return s;
}

/* The action that governs giving (or taking) role. */
static enum authz_action assign_action(enum role role)
{
	return role == ROLE_PLATFORM_ADMIN ? AUTHZ_ADMIN_APPOINT : AUTHZ_ROLE_ASSIGN;
}

/* The target role authz expects with assign_action(role): appointing the
 * platform administrator is an action of its own, without a target. */
static enum role assign_target(enum role role)
{
	return role == ROLE_PLATFORM_ADMIN ? ROLE_NONE : role;
}

/* Authorize assigning role in unit_id; a unit that does not exist is bad input. */
static int authorize_assign(struct api_req *r, enum role role, int64_t unit_id)
{
	int rc = api_authorize(r, assign_action(role), assign_target(role), unit_id);
	if (rc == PERR_NOT_FOUND) {
		r->rc_field = "unit_id";
		rc = PERR_INVALID;
	}
	return rc;
}

/* role, unit_id and director of a body (person creation, role assignment). */
static int parse_role_body(struct api_req *r, struct people_state *s)
{
	const char *role;
	size_t len;
	if (api_body_string(r, "role", true, &role, &len)) {
		r->rc_field = "role";
		return PERR_INVALID;
	}
	s->role = role_parse(role, len);
	/* parents come through parent links or import, never directly */
	if (s->role == ROLE_NONE || s->role == ROLE_PARENT) {
		r->rc_field = "role";
		return PERR_INVALID;
	}
	bool present;
	if (org_api_body_int(r, "unit_id", true, 1, INT64_MAX, &s->unit_id, &present)) {
		r->rc_field = "unit_id";
		return PERR_INVALID;
	}
	if (org_api_body_bool(r, "director", &s->director) ||
	    (s->director && s->role != ROLE_ADMINISTRATION)) {
		r->rc_field = "director";
		return PERR_INVALID;
	}
	return PERR_OK;
}

/* ---- POST /api/v1/people ---- */

static void create_work(struct api_req *r)
{
	struct people_state *s = r->state;
	char hash[ACCOUNT_HASH_MAX];
	int64_t id = 0;
	r->rc = authorize_assign(r, s->role, s->unit_id);
	if (r->rc)
		return;
	if (s->password) {
		r->rc = account_hash_password(s->password, s->password_len, hash);
		if (r->rc)
			return;
	}
	struct org_person_new n = {
		.login = s->login,
		.name = s->name,
		.password_hash = s->password ? hash : NULL,
		.role = s->role,
		.unit_id = s->unit_id,
		.director = s->director,
	};
	struct audit_entry a = api_audit_entry(r, "person.create", NULL, NULL, NULL);
	r->rc = store_org_person_create(&r->p->store, &n, &a, &id, &r->rc_field);
	if (!r->rc)
		r->rc = store_user_get(&r->p->store, id, &s->user);
}

static void create_done(struct api_req *r)
{
	struct people_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "user");
	api_write_user(&w, &s->user);
	jw_object_end(&w);
	api_respond_json(r, 201, &out, NULL);
	buf_free(&out);
}

static void handle_create(struct api_req *r)
{
	struct people_state *s = people_state_new(r);
	const char *v;
	size_t len;
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
	if (api_body_string(r, "password", false, &s->password, &s->password_len) ||
	    (s->password && account_check_password(s->password, s->password_len))) {
		api_error(r, PERR_INVALID, "password");
		return;
	}
	if (parse_role_body(r, s)) {
		api_error(r, PERR_INVALID, r->rc_field);
		return;
	}
	api_run(r, "person_create", create_work, create_done);
}

/* ---- GET /api/v1/people ---- */

static void list_work(struct api_req *r)
{
	struct people_state *s = r->state;
	r->rc = api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, s->query.unit_id);
	if (r->rc == PERR_NOT_FOUND) {
		r->rc = PERR_INVALID;
		r->rc_field = "unit_id";
	}
	if (r->rc)
		return;
	s->query.now = api_now();
	r->rc = store_org_people_list(&r->p->store, &s->query, &s->list);
}

static void write_role_brief(struct json_writer *w, const struct org_assignment *a)
{
	jw_object_begin(w);
	jw_kv_string(w, "role", a->role);
	jw_kv_int(w, "unit_id", a->unit_id);
	jw_kv_string(w, "unit_name", a->unit_name);
	if (a->director)
		jw_kv_bool(w, "director", true);
	jw_object_end(w);
}

static void list_done(struct api_req *r)
{
	struct people_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "people");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->list.count; i++) {
		const struct org_person_row *p = &s->list.items[i];
		jw_object_begin(&w);
		jw_kv_int(&w, "id", p->id);
		jw_kv_string(&w, "name", p->name);
		jw_kv_string(&w, "login", p->login);
		jw_key(&w, "roles");
		jw_array_begin(&w);
		for (size_t k = 0; k < p->roles.count; k++)
			write_role_brief(&w, &p->roles.items[k]);
		jw_array_end(&w);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_kv_int(&w, "total", s->list.total);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_list(struct api_req *r)
{
	struct people_state *s = people_state_new(r);
	char role[32];
	if (org_api_query_int(r, "unit_id", 1, INT64_MAX, 0, &s->query.unit_id)) {
		api_error(r, PERR_INVALID, "unit_id");
		return;
	}
	long n = http_query_get(r->http, "role", role, sizeof role);
	s->query.role = ROLE_NONE;
	if (n > 0) {
		s->query.role = role_parse(role, (size_t)n);
		if (s->query.role == ROLE_NONE) {
			api_error(r, PERR_INVALID, "role");
			return;
		}
	} else if (n < 0 && org_api_query_has(r, "role")) {
		api_error(r, PERR_INVALID, "role");
		return;
	}
	char q[PEOPLE_Q_MAX + 1];
	n = http_query_get(r->http, "q", q, sizeof q);
	if (n < 0 && org_api_query_has(r, "q")) {
		api_error(r, PERR_INVALID, "q");
		return;
	}
	if (n > 0) {
		if (org_normalize_text(q, (size_t)n, 0, PEOPLE_Q_MAX, q, sizeof q)) {
			api_error(r, PERR_INVALID, "q");
			return;
		}
		org_fold(q, strlen(q), s->q);
	}
	s->query.q_folded = s->q;
	if (org_api_query_int(r, "limit", 1, PEOPLE_LIMIT_MAX, PEOPLE_LIMIT_DEFAULT, &s->query.limit)) {
		api_error(r, PERR_INVALID, "limit");
		return;
	}
	if (org_api_query_int(r, "offset", 0, 1000000000, 0, &s->query.offset)) {
		api_error(r, PERR_INVALID, "offset");
		return;
	}
	api_run(r, "people_list", list_work, list_done);
}

/* ---- GET /api/v1/people/:id ---- */

/* Anyone may read themselves; others need PEOPLE_READ on a unit where the
 * person holds an active role (the college if they hold none). */
static int authorize_person_read(struct api_req *r, const struct org_person *p)
{
	int64_t now = api_now();
	bool any = false;
	if (p->id == r->user.id)
		return PERR_OK;
	for (size_t i = 0; i < p->assignments.count; i++) {
		const struct org_assignment *a = &p->assignments.items[i];
		if (a->until && a->until <= now)
			continue;
		any = true;
		int rc = api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, a->unit_id);
		if (rc != PERR_FORBIDDEN)
			return rc;
	}
	return any ? PERR_FORBIDDEN : api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, 0);
}

static void get_work(struct api_req *r)
{
	struct people_state *s = r->state;
	r->rc = store_org_person_get(&r->p->store, s->user_id, &s->person);
	if (r->rc == PERR_NOT_FOUND) {
		/* only those who may read everyone learn that an id is free */
		int rc = api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, 0);
		r->rc = rc ? rc : PERR_NOT_FOUND;
	}
	if (r->rc)
		return;
	r->rc = authorize_person_read(r, &s->person);
}

static void get_done(struct api_req *r)
{
	struct people_state *s = r->state;
	const struct org_person *p = &s->person;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "user");
	jw_object_begin(&w);
	jw_kv_int(&w, "id", p->id);
	jw_kv_string(&w, "login", p->login);
	jw_kv_string(&w, "name", p->name);
	jw_object_end(&w);
	jw_key(&w, "assignments");
	jw_array_begin(&w);
	for (size_t i = 0; i < p->assignments.count; i++)
		org_api_write_assignment(&w, &p->assignments.items[i]);
	jw_array_end(&w);
	jw_key(&w, "guardianships");
	jw_array_begin(&w);
	for (size_t i = 0; i < p->nguardianships; i++) {
		const struct org_guardianship *g = &p->guardianships[i];
		jw_object_begin(&w);
		if (g->parent_id == p->id)
			jw_kv_int(&w, "student_id", g->student_id);
		else
			jw_kv_int(&w, "parent_id", g->parent_id);
		jw_kv_string(&w, "name", g->name);
		jw_kv_bool(&w, "confirmed", g->confirmed);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_get(struct api_req *r)
{
	struct people_state *s = people_state_new(r);
	if (api_param_id(r, 0, &s->user_id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	api_run(r, "person_get", get_work, get_done);
}

/* ---- POST /api/v1/people/:id/roles ---- */

static void assign_work(struct api_req *r)
{
	struct people_state *s = r->state;
	r->rc = authorize_assign(r, s->role, s->unit_id);
	if (r->rc)
		return;
	struct org_role_new n = {
		.user_id = s->user_id, .role = s->role, .unit_id = s->unit_id, .director = s->director};
	struct audit_entry a = api_audit_entry(r, "role.assign", NULL, NULL, NULL);
	r->rc = store_org_role_assign(&r->p->store, &n, &a, &s->assignment, &r->rc_field);
}

static void assign_done(struct api_req *r)
{
	struct people_state *s = r->state;
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	org_api_write_assignment(&w, &s->assignment);
	api_respond_json(r, 201, &out, NULL);
	buf_free(&out);
}

static void handle_assign(struct api_req *r)
{
	struct people_state *s = people_state_new(r);
	if (api_param_id(r, 0, &s->user_id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	if (parse_role_body(r, s)) {
		api_error(r, PERR_INVALID, r->rc_field);
		return;
	}
	api_run(r, "role_assign", assign_work, assign_done);
}

/* ---- DELETE /api/v1/people/:id/roles/:assignment_id ---- */

static void end_work(struct api_req *r)
{
	struct people_state *s = r->state;
	struct org_assignment *a = &s->assignment;
	r->rc = store_org_assignment_get(&r->p->store, s->assignment_id, a);
	if (!r->rc && a->user_id != s->user_id)
		r->rc = PERR_NOT_FOUND;
	if (r->rc)
		return;
	enum role role = role_parse(a->role, strlen(a->role));
	r->rc = api_authorize(r, assign_action(role), assign_target(role), a->unit_id);
	if (r->rc)
		return;
	struct audit_entry e = api_audit_entry(r, "role.end", NULL, NULL, NULL);
	r->rc = store_org_role_end(&r->p->store, s->user_id, s->assignment_id, &e, &r->rc_field);
}

static void end_done(struct api_req *r)
{
	if (r->rc) {
		api_error(r, r->rc, r->rc_field);
		return;
	}
	api_respond_empty(r, 204, NULL);
}

static void handle_end(struct api_req *r)
{
	struct people_state *s = people_state_new(r);
	if (api_param_id(r, 0, &s->user_id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	if (api_param_id(r, 1, &s->assignment_id)) {
		api_error(r, PERR_INVALID, "assignment_id");
		return;
	}
	api_run(r, "role_end", end_work, end_done);
}

const struct route api_people_routes[] = {
	{HTTP_POST, "/api/v1/people", (const void *)handle_create, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/people", (const void *)handle_list, API_AUTH},
	{HTTP_GET, "/api/v1/people/:id", (const void *)handle_get, API_AUTH},
	{HTTP_POST, "/api/v1/people/:id/roles", (const void *)handle_assign, API_AUTH | API_JSON},
	{HTTP_DELETE, "/api/v1/people/:id/roles/:assignment_id", (const void *)handle_end, API_AUTH},
};
const size_t api_people_routes_count = sizeof api_people_routes / sizeof api_people_routes[0];
