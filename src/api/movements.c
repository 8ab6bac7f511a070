/* SPDX-License-Identifier: MIT */
/* Movements API: record a movement of a student or a staff member, reverse
 * one, a person's history and a unit's journal. Handlers validate the shape
 * of the input on the loop; the work functions load the person's state,
 * plan the movement (domain/movements.c), authorize every unit it touches,
 * and record it in one store transaction; the done callbacks run the
 * movement hooks (chat membership) once the transaction committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "domain/movements.h"

#define MV_LIMIT_DEFAULT 50
#define MV_LIMIT_MAX 200
#define MV_OFFSET_MAX 1000000
#define MV_AUTH_UNITS 128 /* distinct units tried when authorizing a history read */

/* ---- JSON out ---- */

static void mv_write_time(struct json_writer *w, const char *key, int64_t t)
{
	char out[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
	jw_kv_string(w, key, out);
}

/* {id, name} or null when id is 0. */
static void mv_write_ref(struct json_writer *w, const char *key, int64_t id, const char *name)
{
	jw_key(w, key);
	if (!id) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_int(w, "id", id);
	jw_kv_string(w, "name", name ? name : "");
	jw_object_end(w);
}

static void mv_write_id(struct json_writer *w, const char *key, int64_t id)
{
	jw_key(w, key);
	if (id)
		jw_int(w, id);
	else
		jw_null(w);
}

/* The members of a movement object (inside an object the caller opened). */
static void mv_write_rec_members(struct json_writer *w, const struct movement_rec *m)
{
	jw_kv_int(w, "id", m->id);
	mv_write_ref(w, "user", m->user_id, m->user_name);
	jw_kv_string(w, "kind", movement_kind_name(m->kind));
	jw_kv_string(w, "role", role_name(m->role));
	mv_write_ref(w, "from_unit", m->from_unit_id, m->from_unit_name);
	mv_write_ref(w, "to_unit", m->to_unit_id, m->to_unit_name);
	jw_kv_string(w, "date", m->date);
	jw_kv_string(w, "order_ref", m->order_ref ? m->order_ref : "");
	jw_kv_string(w, "note", m->note ? m->note : "");
	mv_write_id(w, "reverses_id", m->reverses_id);
	mv_write_id(w, "reversed_by", m->reversed_by);
	mv_write_ref(w, "created_by", m->created_by, m->created_by_name);
	mv_write_time(w, "created_at", m->created_at);
}

static void mv_write_rec(struct json_writer *w, const struct movement_rec *m)
{
	jw_object_begin(w);
	mv_write_rec_members(w, m);
	jw_object_end(w);
}

static void mv_respond_list(struct api_req *r, const struct movement_list *l, bool with_total)
{
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "movements");
	jw_array_begin(&w);
	for (size_t i = 0; i < l->count; i++)
		mv_write_rec(&w, &l->items[i]);
	jw_array_end(&w);
	if (with_total)
		jw_kv_int(&w, "total", l->total);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

/* ---- recording and reversing ---- */

struct mv_post {
	/* input */
	int64_t user_id;
	struct movement_request req;
	char date[MOVEMENT_DATE_LEN + 1];
	const char *order_ref;        /* borrowed from the request body */
	const char *note;
	int64_t reverse_id;           /* reversal: the movement undone */
	/* work */
	int64_t now;
	struct movement_state state;
	struct movement_plan plan;
	struct movement_recorded recorded;
	bool committed;
	struct movement_rec rec;
	bool have_rec;
	const char *field;
};

static void mv_post_free(void *p)
{
	struct mv_post *s = p;
	free(s->recorded.changes);
	if (s->have_rec)
		movement_rec_clear(&s->rec);
	free(s);
}

/* Store thread: may the user record movements in unit (0: the college)? A
 * unit named in the body that does not exist is bad input in that field. */
static int mv_authorize_unit(struct api_req *r, int64_t unit, const char *field, const char **out_field)
{
	int rc = api_authorize(r, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, unit);
	if (rc == PERR_NOT_FOUND && field) {
		*out_field = field;
		rc = PERR_INVALID;
	}
	return rc;
}

/* Every unit the request names (the college if none) and, once planned,
 * every unit a row touches. */
static int mv_authorize_movement(struct api_req *r, struct mv_post *s, bool planned)
{
	int rc = PERR_OK;
	if (!s->req.from_unit_id && !s->req.to_unit_id)
		rc = mv_authorize_unit(r, 0, NULL, &s->field);
	if (!rc && s->req.from_unit_id)
		rc = mv_authorize_unit(r, s->req.from_unit_id, "from_unit_id", &s->field);
	if (!rc && s->req.to_unit_id)
		rc = mv_authorize_unit(r, s->req.to_unit_id, "to_unit_id", &s->field);
	for (size_t i = 0; planned && !rc && i < s->plan.nrows; i++) {
		const struct movement_row *row = &s->plan.rows[i];
		if (row->from_unit_id)
			rc = mv_authorize_unit(r, row->from_unit_id, "from_unit_id", &s->field);
		if (!rc && row->to_unit_id)
			rc = mv_authorize_unit(r, row->to_unit_id, "to_unit_id", &s->field);
	}
	return rc;
}

/* Store thread: plan s->req for s->user_id, authorize, record, read back.
 * Authorization comes before any answer about the person's state, so a
 * refused caller learns nothing from a 409. */
static int mv_execute(struct api_req *r, struct mv_post *s)
{
	struct store_handle *st = &r->p->store;
	const char *plan_field = NULL;
	s->now = api_now();
	int rc = store_movement_state_load(st, s->user_id, &s->req, s->now, &s->state);
	if (rc)
		return rc;
	int plan_rc = movement_plan(&s->state, &s->req, &s->plan, &plan_field);
	rc = mv_authorize_movement(r, s, plan_rc == PERR_OK);
	if (rc)
		return rc;
	if (plan_rc) {
		s->field = plan_field;
		return plan_rc;
	}
	struct movement_new m = {
		.user_id = s->user_id,
		.req = s->req,
		.expect = &s->state,
		.plan = &s->plan,
		.date = s->date,
		.order_ref = s->order_ref,
		.note = s->note,
		.reverses_id = s->reverse_id,
		.actor_id = r->user.id,
		.ip = conn_peer_ip(exchange_conn(r->ex)),
		.now = s->now,
	};
	rc = store_movement_record(st, &m, &s->recorded);
	if (rc == PERR_CONFLICT)
		s->field = s->reverse_id ? "id" : "user_id"; /* changed meanwhile */
	if (rc)
		return rc;
	s->committed = true;
	rc = store_movement_get(st, s->recorded.ids[0], &s->rec);
	s->have_rec = rc == PERR_OK;
	return rc;
}

static void mv_record_work(struct api_req *r)
{
	r->rc = mv_execute(r, r->state);
}

/* Loop thread, after the commit: one event per recorded row. */
static void mv_run_hooks(const struct mv_post *s)
{
	const struct movement_recorded *d = &s->recorded;
	size_t c = 0;
	for (size_t i = 0; i < d->nids && i < s->plan.nrows; i++) {
		const struct movement_row *row = &s->plan.rows[i];
		size_t first = c;
		while (c < d->nchanges && d->changes[c].movement_id == d->ids[i])
			c++;
		struct movement_event ev = {
			.movement_id = d->ids[i],
			.user_id = s->user_id,
			.kind = s->plan.kind,
			.role = row->role,
			.from_unit_id = row->from_unit_id,
			.to_unit_id = row->to_unit_id,
			.reverses_id = i == 0 ? s->reverse_id : 0,
			.changes = d->changes ? d->changes + first : NULL,
			.nchanges = c - first,
		};
		movement_hooks_run(&ev);
	}
}

static void mv_record_done(struct api_req *r)
{
	struct mv_post *s = r->state;
	if (s->committed)
		mv_run_hooks(s);
	if (r->rc) {
		api_error(r, r->rc, s->field);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	/* the movement, plus the ids of every row this request recorded (a
	 * dismissal ending several roles records one row per role) */
	jw_object_begin(&w);
	mv_write_rec_members(&w, &s->rec);
	jw_key(&w, "recorded_ids");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->recorded.nids; i++)
		jw_int(&w, s->recorded.ids[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 201, &out, NULL);
	buf_free(&out);
}

/* An optional (or required) positive integer member; 0 when absent or null. */
static int mv_body_id(struct api_req *r, const char *name, bool required, int64_t *out)
{
	const struct json_value *v = json_get(r->body, name);
	*out = 0;
	if (!v || json_is_null(v))
		return required ? PERR_INVALID : PERR_OK;
	if (json_int(v, out) || *out <= 0)
		return PERR_INVALID;
	return PERR_OK;
}

/* date (required), order_ref and note (optional) into s. */
static int mv_body_texts(struct api_req *r, struct mv_post *s, const char **field)
{
	const char *v;
	size_t len;
	*field = "date";
	if (api_body_string(r, "date", true, &v, &len) || !movement_date_valid(v, len))
		return PERR_INVALID;
	memcpy(s->date, v, MOVEMENT_DATE_LEN);
	s->date[MOVEMENT_DATE_LEN] = '\0';
	*field = "order_ref";
	if (api_body_string(r, "order_ref", false, &s->order_ref, &len) ||
	    !movement_text_valid(s->order_ref, len, MOVEMENT_ORDER_REF_MAX))
		return PERR_INVALID;
	*field = "note";
	if (api_body_string(r, "note", false, &s->note, &len) ||
	    !movement_text_valid(s->note, len, MOVEMENT_NOTE_MAX))
		return PERR_INVALID;
	*field = NULL;
	return PERR_OK;
}

static int mv_body_request(struct api_req *r, struct mv_post *s, const char **field)
{
	const char *v;
	size_t len;
	*field = "user_id";
	if (mv_body_id(r, "user_id", true, &s->user_id))
		return PERR_INVALID;
	*field = "kind";
	if (api_body_string(r, "kind", true, &v, &len))
		return PERR_INVALID;
	s->req.kind = movement_kind_parse(v, len);
	if (s->req.kind == MOVEMENT_NONE)
		return PERR_INVALID;
	*field = "role";
	if (api_body_string(r, "role", false, &v, &len))
		return PERR_INVALID;
	if (v) {
		s->req.role = role_parse(v, len);
		if (s->req.role == ROLE_NONE)
			return PERR_INVALID;
	}
	*field = "from_unit_id";
	if (mv_body_id(r, "from_unit_id", false, &s->req.from_unit_id))
		return PERR_INVALID;
	*field = "to_unit_id";
	if (mv_body_id(r, "to_unit_id", false, &s->req.to_unit_id))
		return PERR_INVALID;
	int rc = movement_request_check(&s->req, field);
	if (rc)
		return rc;
	return mv_body_texts(r, s, field);
}

static void handle_record(struct api_req *r)
{
	struct mv_post *s = xcalloc(1, sizeof *s);
	const char *field = NULL;
	r->state = s;
	r->state_free = mv_post_free;
	if (mv_body_request(r, s, &field)) {
		api_error(r, PERR_INVALID, field);
		return;
	}
	api_run(r, "movement_record", mv_record_work, mv_record_done);
}

static void mv_reverse_work(struct api_req *r)
{
	struct mv_post *s = r->state;
	struct store_handle *st = &r->p->store;
	struct movement_rec orig;
	struct movement_list hist = {0};
	int64_t units[8];
	size_t nunits = 0, idx;
	int rc = store_movement_get(st, s->reverse_id, &orig);
	if (rc == PERR_NOT_FOUND) {
		/* only those who may record learn that it does not exist */
		rc = api_authorize(r, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, 0);
		r->rc = rc ? rc : PERR_NOT_FOUND;
		return;
	}
	if (rc) {
		r->rc = rc;
		return;
	}
	if (orig.from_unit_id)
		rc = api_authorize(r, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, orig.from_unit_id);
	if (!rc && orig.to_unit_id)
		rc = api_authorize(r, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, orig.to_unit_id);
	if (rc)
		goto out;
	rc = store_movement_person_list(st, orig.user_id, api_now(), &hist, units, 8, &nunits);
	if (rc)
		goto out;
	for (idx = 0; idx < hist.count && hist.items[idx].id != orig.id; idx++)
		;
	s->field = "id";
	rc = idx < hist.count ? movement_reversal(hist.items, hist.count, idx, &s->req, &s->field)
			      : PERR_CONFLICT;
	if (rc)
		goto out;
	rc = movement_request_check(&s->req, &s->field);
	if (rc) {
		rc = PERR_CONFLICT; /* a recorded movement with an impossible shape */
		s->field = "id";
		goto out;
	}
	s->user_id = orig.user_id;
	rc = mv_execute(r, s);
out:
	movement_list_clear(&hist);
	movement_rec_clear(&orig);
	r->rc = rc;
}

static void handle_reverse(struct api_req *r)
{
	struct mv_post *s = xcalloc(1, sizeof *s);
	const char *field = NULL;
	r->state = s;
	r->state_free = mv_post_free;
	if (api_param_id(r, 0, &s->reverse_id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	if (mv_body_texts(r, s, &field)) {
		api_error(r, PERR_INVALID, field);
		return;
	}
	api_run(r, "movement_reverse", mv_reverse_work, mv_record_done);
}

/* ---- a person's history ---- */

struct mv_history {
	int64_t user_id;
	struct movement_list list;
	int64_t units[MV_AUTH_UNITS];
	size_t nunits;
};

static void mv_history_free(void *p)
{
	struct mv_history *h = p;
	movement_list_clear(&h->list);
	free(h);
}

static void mv_unit_add(struct mv_history *h, int64_t unit)
{
	if (!unit || h->nunits == MV_AUTH_UNITS)
		return;
	for (size_t i = 0; i < h->nunits; i++)
		if (h->units[i] == unit)
			return;
	h->units[h->nunits++] = unit;
}

/* May the user read this person's history? Themself, or people.read on any
 * unit of the person's history or current assignments. */
static int mv_history_authorize(struct api_req *r, struct mv_history *h)
{
	if (h->user_id == r->user.id)
		return PERR_OK;
	for (size_t i = 0; i < h->list.count; i++) {
		mv_unit_add(h, h->list.items[i].from_unit_id);
		mv_unit_add(h, h->list.items[i].to_unit_id);
	}
	if (!h->nunits)
		return api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, 0);
	for (size_t i = 0; i < h->nunits; i++) {
		int rc = api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, h->units[i]);
		if (rc != PERR_FORBIDDEN)
			return rc;
	}
	return PERR_FORBIDDEN;
}

static void mv_history_work(struct api_req *r)
{
	struct mv_history *h = r->state;
	int rc = store_movement_person_list(&r->p->store, h->user_id, api_now(), &h->list, h->units,
					    MV_AUTH_UNITS / 2, &h->nunits);
	if (rc == PERR_NOT_FOUND) {
		rc = api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, 0);
		r->rc = rc ? rc : PERR_NOT_FOUND;
		return;
	}
	r->rc = rc ? rc : mv_history_authorize(r, h);
}

static void mv_history_done(struct api_req *r)
{
	struct mv_history *h = r->state;
	if (r->rc) {
		api_error(r, r->rc, NULL);
		return;
	}
	mv_respond_list(r, &h->list, false);
}

static void handle_history(struct api_req *r)
{
	struct mv_history *h = xcalloc(1, sizeof *h);
	r->state = h;
	r->state_free = mv_history_free;
	if (api_param_id(r, 0, &h->user_id)) {
		api_error(r, PERR_INVALID, "id");
		return;
	}
	api_run(r, "movement_history", mv_history_work, mv_history_done);
}

/* ---- the journal of a unit ---- */

struct mv_journal {
	struct movement_filter f;
	char from[MOVEMENT_DATE_LEN + 1];
	char to[MOVEMENT_DATE_LEN + 1];
	struct movement_list list;
	const char *field;
};

static void mv_journal_free(void *p)
{
	struct mv_journal *j = p;
	movement_list_clear(&j->list);
	free(j);
}

/* Query parameter name into out. Returns its length, 0 when absent or empty,
 * -1 when present but undecodable or longer than out. */
static long mv_query(const struct api_req *r, const char *name, char *out, size_t size)
{
	long n = http_query_get(r->http, name, out, size);
	if (n >= 0)
		return n;
	size_t nl = strlen(name);
	for (const char *q = r->http->query; q && *q;) {
		if (strncmp(q, name, nl) == 0 && (q[nl] == '=' || q[nl] == '&' || q[nl] == '\0'))
			return -1;
		q = strchr(q, '&');
		q = q ? q + 1 : NULL;
	}
	out[0] = '\0';
	return 0;
}

/* A decimal integer in [min, max] from query parameter name; def if absent. */
static int mv_query_int(const struct api_req *r, const char *name, int64_t min, int64_t max,
			int64_t def, int64_t *out)
{
	char v[32];
	long n = mv_query(r, name, v, sizeof v);
	*out = def;
	if (n == 0)
		return PERR_OK;
	if (n < 0 || n > 18)
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

static int mv_query_date(const struct api_req *r, const char *name, char out[MOVEMENT_DATE_LEN + 1],
			 const char **set)
{
	char v[32];
	long n = mv_query(r, name, v, sizeof v);
	*set = NULL;
	if (n == 0)
		return PERR_OK;
	if (n < 0 || !movement_date_valid(v, (size_t)n))
		return PERR_INVALID;
	memcpy(out, v, MOVEMENT_DATE_LEN + 1);
	*set = out;
	return PERR_OK;
}

static int mv_journal_parse(struct api_req *r, struct mv_journal *j, const char **field)
{
	char kind[32];
	long n;
	*field = "unit_id";
	if (mv_query_int(r, "unit_id", 1, INT64_MAX / 16, 0, &j->f.unit_id))
		return PERR_INVALID;
	*field = "from";
	if (mv_query_date(r, "from", j->from, &j->f.from_date))
		return PERR_INVALID;
	*field = "to";
	if (mv_query_date(r, "to", j->to, &j->f.to_date))
		return PERR_INVALID;
	*field = "kind";
	n = mv_query(r, "kind", kind, sizeof kind);
	if (n < 0)
		return PERR_INVALID;
	if (n > 0) {
		j->f.kind = movement_kind_parse(kind, (size_t)n);
		if (j->f.kind == MOVEMENT_NONE)
			return PERR_INVALID;
	}
	*field = "limit";
	if (mv_query_int(r, "limit", 1, MV_LIMIT_MAX, MV_LIMIT_DEFAULT, &j->f.limit))
		return PERR_INVALID;
	*field = "offset";
	if (mv_query_int(r, "offset", 0, MV_OFFSET_MAX, 0, &j->f.offset))
		return PERR_INVALID;
	*field = NULL;
	return PERR_OK;
}

static void mv_journal_work(struct api_req *r)
{
	struct mv_journal *j = r->state;
	int rc = api_authorize(r, AUTHZ_PEOPLE_READ, ROLE_NONE, j->f.unit_id);
	if (rc == PERR_NOT_FOUND)
		j->field = "unit_id";
	if (!rc)
		rc = store_movement_journal(&r->p->store, &j->f, &j->list);
	r->rc = rc;
}

static void mv_journal_done(struct api_req *r)
{
	struct mv_journal *j = r->state;
	if (r->rc) {
		api_error(r, r->rc, j->field);
		return;
	}
	mv_respond_list(r, &j->list, true);
}

static void handle_journal(struct api_req *r)
{
	struct mv_journal *j = xcalloc(1, sizeof *j);
	const char *field = NULL;
	r->state = j;
	r->state_free = mv_journal_free;
	if (mv_journal_parse(r, j, &field)) {
		api_error(r, PERR_INVALID, field);
		return;
	}
	api_run(r, "movement_journal", mv_journal_work, mv_journal_done);
}

const struct route api_movements_routes[] = {
	{HTTP_POST, "/api/v1/movements", (const void *)handle_record, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/movements", (const void *)handle_journal, API_AUTH},
	{HTTP_POST, "/api/v1/movements/:id/reverse", (const void *)handle_reverse, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/people/:id/movements", (const void *)handle_history, API_AUTH},
};
const size_t api_movements_routes_count = sizeof api_movements_routes / sizeof api_movements_routes[0];
