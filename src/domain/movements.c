/* SPDX-License-Identifier: MIT */
/* The movement state machine: request shape, what each kind does to the
 * person's role assignments given their current state, the reverse of a
 * recorded movement, and the hook registry. See movements.h and
 * docs/internals/movements.md for the rules. */
#include "domain/movements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"

static const char *const kind_names[MOVEMENT__COUNT] = {
	[MOVEMENT_NONE] = "",
	[MOVEMENT_ENROLMENT] = "enrolment",
	[MOVEMENT_TRANSFER] = "transfer",
	[MOVEMENT_ACADEMIC_LEAVE] = "academic_leave",
	[MOVEMENT_RETURN] = "return",
	[MOVEMENT_EXPULSION] = "expulsion",
	[MOVEMENT_GRADUATION] = "graduation",
	[MOVEMENT_HIRING] = "hiring",
	[MOVEMENT_STAFF_TRANSFER] = "staff_transfer",
	[MOVEMENT_DISMISSAL] = "dismissal",
};

const char *movement_kind_name(enum movement_kind k)
{
	return k > MOVEMENT_NONE && k < MOVEMENT__COUNT ? kind_names[k] : "";
}

enum movement_kind movement_kind_parse(const char *s, size_t len)
{
	for (int k = MOVEMENT_NONE + 1; k < MOVEMENT__COUNT; k++)
		if (strlen(kind_names[k]) == len && memcmp(kind_names[k], s, len) == 0)
			return (enum movement_kind)k;
	return MOVEMENT_NONE;
}

bool movement_kind_is_student(enum movement_kind k)
{
	return k >= MOVEMENT_ENROLMENT && k <= MOVEMENT_GRADUATION;
}

bool movement_role_is_staff(enum role r)
{
	return r == ROLE_TEACHER || r == ROLE_STAFF || r == ROLE_ADMINISTRATION || r == ROLE_CURATOR;
}

bool movement_unit_fits(enum role r, const char *unit_kind)
{
	if (!unit_kind)
		return false;
	if (r == ROLE_STUDENT || r == ROLE_CURATOR)
		return strcmp(unit_kind, "study_group") == 0;
	if (r == ROLE_TEACHER || r == ROLE_STAFF || r == ROLE_ADMINISTRATION)
		return strcmp(unit_kind, "college") == 0 || strcmp(unit_kind, "branch") == 0 ||
		       strcmp(unit_kind, "department") == 0;
	return false;
}

/* ---- input ---- */

static int mv__digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool movement_date_valid(const char *s, size_t len)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || len != MOVEMENT_DATE_LEN || s[4] != '-' || s[7] != '-')
		return false;
	int y = mv__digits(s, 4), m = mv__digits(s + 5, 2), d = mv__digits(s + 8, 2);
	if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int max = mdays[m - 1] + (m == 2 && leap ? 1 : 0);
	return d <= max;
}

bool movement_text_valid(const char *s, size_t len, size_t max)
{
	if (len && !s)
		return false;
	if (!utf8_valid(s, len))
		return false;
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* control characters other than tab and line breaks have no place
		 * in an order reference or a note */
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return false;
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	return chars <= max;
}

/* Which units each kind takes: required, optional or refused. */
enum mv_need { MV_NO, MV_OPT, MV_REQ };

static const struct {
	enum mv_need from, to;
} kind_units[MOVEMENT__COUNT] = {
	[MOVEMENT_ENROLMENT] = {MV_NO, MV_REQ},
	[MOVEMENT_TRANSFER] = {MV_OPT, MV_REQ},
	[MOVEMENT_ACADEMIC_LEAVE] = {MV_OPT, MV_NO},
	[MOVEMENT_RETURN] = {MV_OPT, MV_OPT},
	[MOVEMENT_EXPULSION] = {MV_OPT, MV_NO},
	[MOVEMENT_GRADUATION] = {MV_OPT, MV_NO},
	[MOVEMENT_HIRING] = {MV_NO, MV_REQ},
	[MOVEMENT_STAFF_TRANSFER] = {MV_OPT, MV_REQ},
	[MOVEMENT_DISMISSAL] = {MV_OPT, MV_NO},
};

static bool mv__unit_ok(enum mv_need need, int64_t id)
{
	if (id < 0)
		return false;
	if (need == MV_NO)
		return id == 0;
	if (need == MV_REQ)
		return id > 0;
	return true;
}

int movement_request_check(struct movement_request *req, const char **field)
{
	*field = NULL;
	if (req->kind <= MOVEMENT_NONE || req->kind >= MOVEMENT__COUNT) {
		*field = "kind";
		return PERR_INVALID;
	}
	if (movement_kind_is_student(req->kind)) {
		if (req->role != ROLE_NONE && req->role != ROLE_STUDENT) {
			*field = "role";
			return PERR_INVALID;
		}
		req->role = ROLE_STUDENT;
	} else if (req->kind == MOVEMENT_DISMISSAL) {
		if (req->role != ROLE_NONE && !movement_role_is_staff(req->role)) {
			*field = "role";
			return PERR_INVALID;
		}
	} else if (!movement_role_is_staff(req->role)) {
		*field = "role";
		return PERR_INVALID;
	}
	if (!mv__unit_ok(kind_units[req->kind].from, req->from_unit_id)) {
		*field = "from_unit_id";
		return PERR_INVALID;
	}
	if (!mv__unit_ok(kind_units[req->kind].to, req->to_unit_id)) {
		*field = "to_unit_id";
		return PERR_INVALID;
	}
	return PERR_OK;
}

/* ---- state ---- */

static bool mv__unit_same(const struct movement_unit *a, const struct movement_unit *b)
{
	return a->id == b->id && a->exists == b->exists && a->archived == b->archived &&
	       a->curator_id == b->curator_id && strcmp(a->kind, b->kind) == 0;
}

bool movement_state_same(const struct movement_state *a, const struct movement_state *b)
{
	if (a->user_exists != b->user_exists || a->nactive != b->nactive ||
	    a->last_movement_id != b->last_movement_id ||
	    a->last_student_kind != b->last_student_kind ||
	    a->last_student_from != b->last_student_from)
		return false;
	for (size_t i = 0; i < a->nactive && i < MOVEMENT_MAX_ACTIVE; i++)
		if (a->active[i].id != b->active[i].id || a->active[i].role != b->active[i].role ||
		    a->active[i].unit_id != b->active[i].unit_id)
			return false;
	return mv__unit_same(&a->from, &b->from) && mv__unit_same(&a->to, &b->to) &&
	       mv__unit_same(&a->left, &b->left);
}

enum mv_student { MV_NOT_STUDENT, MV_ACTIVE, MV_ON_LEAVE };

static enum mv_student mv__student(const struct movement_state *st)
{
	for (size_t i = 0; i < st->nactive; i++)
		if (st->active[i].role == ROLE_STUDENT)
			return MV_ACTIVE;
	if (st->last_student_kind == MOVEMENT_ACADEMIC_LEAVE && st->last_student_from)
		return MV_ON_LEAVE;
	return MV_NOT_STUDENT;
}

/* The active assignment of role in unit; unit 0: the person's only one of
 * that role. NULL if there is none or (unit 0) several. */
static const struct movement_assignment *mv__find(const struct movement_state *st, enum role role,
						  int64_t unit)
{
	const struct movement_assignment *hit = NULL;
	size_t n = 0;
	for (size_t i = 0; i < st->nactive; i++) {
		const struct movement_assignment *a = &st->active[i];
		if (a->role != role || (unit && a->unit_id != unit))
			continue;
		if (!hit)
			hit = a;
		n++;
	}
	return n == 1 || (unit && hit) ? hit : NULL;
}

static bool mv__holds(const struct movement_state *st, enum role role)
{
	for (size_t i = 0; i < st->nactive; i++)
		if (st->active[i].role == role)
			return true;
	return false;
}

/* The unit a role is to be held in: exists, of a fitting kind, not archived,
 * and (curators) without another curator. */
static int mv__check_target(const struct movement_unit *u, enum role role, const char **field)
{
	*field = "to_unit_id";
	if (!u->exists || !movement_unit_fits(role, u->kind))
		return PERR_INVALID;
	if (u->archived)
		return PERR_CONFLICT;
	if (role == ROLE_CURATOR && u->curator_id)
		return PERR_CONFLICT;
	*field = NULL;
	return PERR_OK;
}

static struct movement_row *mv__row(struct movement_plan *p, enum role role, int64_t from, int64_t to)
{
	struct movement_row *r = &p->rows[p->nrows++];
	memset(r, 0, sizeof *r);
	r->role = role;
	r->from_unit_id = from;
	r->to_unit_id = to;
	return r;
}

static void mv__end(struct movement_row *r, const struct movement_assignment *a)
{
	r->end_assignment_id = a->id;
	r->end_role = a->role;
	r->end_unit_id = a->unit_id;
}

#define CONFLICT(f)                \
	do {                       \
		*field = (f);      \
		return PERR_CONFLICT; \
	} while (0)

static int mv__enrolment(const struct movement_state *st, const struct movement_request *req,
			 struct movement_plan *p, const char **field)
{
	enum mv_student s = mv__student(st);
	if (s == MV_ACTIVE)
		CONFLICT("user_id");
	if (s == MV_ON_LEAVE)
		CONFLICT("kind"); /* a student on leave comes back by a return */
	int rc = mv__check_target(&st->to, ROLE_STUDENT, field);
	if (rc)
		return rc;
	struct movement_row *r = mv__row(p, ROLE_STUDENT, 0, req->to_unit_id);
	r->create_unit_id = req->to_unit_id;
	r->parents_join_unit_id = req->to_unit_id;
	return PERR_OK;
}

static int mv__transfer(const struct movement_state *st, const struct movement_request *req,
			struct movement_plan *p, const char **field)
{
	if (mv__student(st) != MV_ACTIVE)
		CONFLICT("user_id");
	const struct movement_assignment *a = mv__find(st, ROLE_STUDENT, req->from_unit_id);
	if (!a)
		CONFLICT("from_unit_id");
	int rc = mv__check_target(&st->to, ROLE_STUDENT, field);
	if (rc)
		return rc;
	if (req->to_unit_id == a->unit_id || mv__find(st, ROLE_STUDENT, req->to_unit_id))
		CONFLICT("to_unit_id");
	struct movement_row *r = mv__row(p, ROLE_STUDENT, a->unit_id, req->to_unit_id);
	mv__end(r, a);
	r->create_unit_id = req->to_unit_id;
	r->parents_leave_unit_id = a->unit_id;
	r->parents_join_unit_id = req->to_unit_id;
	return PERR_OK;
}

static int mv__leave(const struct movement_state *st, const struct movement_request *req,
		     struct movement_plan *p, const char **field)
{
	if (mv__student(st) != MV_ACTIVE)
		CONFLICT("user_id");
	const struct movement_assignment *a = mv__find(st, ROLE_STUDENT, req->from_unit_id);
	if (!a)
		CONFLICT("from_unit_id");
	mv__end(mv__row(p, ROLE_STUDENT, a->unit_id, 0), a);
	return PERR_OK;
}

static int mv__return(const struct movement_state *st, const struct movement_request *req,
		      struct movement_plan *p, const char **field)
{
	if (mv__student(st) != MV_ON_LEAVE)
		CONFLICT("user_id");
	int64_t left = st->last_student_from;
	if (req->from_unit_id && req->from_unit_id != left)
		CONFLICT("from_unit_id");
	const struct movement_unit *target = req->to_unit_id ? &st->to : &st->left;
	int rc = mv__check_target(target, ROLE_STUDENT, field);
	if (rc)
		return rc;
	struct movement_row *r = mv__row(p, ROLE_STUDENT, left, target->id);
	r->create_unit_id = target->id;
	r->parents_join_unit_id = target->id;
	if (target->id != left)
		r->parents_leave_unit_id = left;
	return PERR_OK;
}

static int mv__exit(const struct movement_state *st, const struct movement_request *req,
		    struct movement_plan *p, const char **field)
{
	enum mv_student s = mv__student(st);
	struct movement_row *r;
	if (s == MV_ACTIVE) {
		const struct movement_assignment *a = mv__find(st, ROLE_STUDENT, req->from_unit_id);
		if (!a)
			CONFLICT("from_unit_id");
		r = mv__row(p, ROLE_STUDENT, a->unit_id, 0);
		mv__end(r, a);
	} else if (s == MV_ON_LEAVE) {
		if (req->from_unit_id && req->from_unit_id != st->last_student_from)
			CONFLICT("from_unit_id");
		r = mv__row(p, ROLE_STUDENT, st->last_student_from, 0);
	} else {
		CONFLICT("user_id");
	}
	r->parents_leave_unit_id = r->from_unit_id;
	return PERR_OK;
}

static int mv__hiring(const struct movement_state *st, const struct movement_request *req,
		      struct movement_plan *p, const char **field)
{
	if (st->to.exists && mv__find(st, req->role, req->to_unit_id))
		CONFLICT("to_unit_id"); /* already holds this role there */
	int rc = mv__check_target(&st->to, req->role, field);
	if (rc)
		return rc;
	mv__row(p, req->role, 0, req->to_unit_id)->create_unit_id = req->to_unit_id;
	return PERR_OK;
}

static int mv__staff_transfer(const struct movement_state *st, const struct movement_request *req,
			      struct movement_plan *p, const char **field)
{
	if (!mv__holds(st, req->role))
		CONFLICT(req->from_unit_id ? "from_unit_id" : "user_id");
	const struct movement_assignment *a = mv__find(st, req->role, req->from_unit_id);
	if (!a)
		CONFLICT("from_unit_id");
	if (req->to_unit_id == a->unit_id || mv__find(st, req->role, req->to_unit_id))
		CONFLICT("to_unit_id");
	int rc = mv__check_target(&st->to, req->role, field);
	if (rc)
		return rc;
	struct movement_row *r = mv__row(p, req->role, a->unit_id, req->to_unit_id);
	mv__end(r, a);
	r->create_unit_id = req->to_unit_id;
	return PERR_OK;
}

static int mv__dismissal(const struct movement_state *st, const struct movement_request *req,
			 struct movement_plan *p, const char **field)
{
	for (size_t i = 0; i < st->nactive; i++) {
		const struct movement_assignment *a = &st->active[i];
		if (!movement_role_is_staff(a->role) || (req->role && a->role != req->role) ||
		    (req->from_unit_id && a->unit_id != req->from_unit_id))
			continue;
		mv__end(mv__row(p, a->role, a->unit_id, 0), a);
	}
	if (!p->nrows)
		CONFLICT(req->from_unit_id ? "from_unit_id" : "user_id");
	return PERR_OK;
}

int movement_plan(const struct movement_state *st, const struct movement_request *req,
		  struct movement_plan *plan, const char **field)
{
	memset(plan, 0, sizeof *plan);
	plan->kind = req->kind;
	*field = NULL;
	/* an id in the request that names nothing is bad input in that field */
	if (!st->user_exists) {
		*field = "user_id";
		return PERR_INVALID;
	}
	if (req->from_unit_id && !st->from.exists) {
		*field = "from_unit_id";
		return PERR_INVALID;
	}
	if (req->to_unit_id && !st->to.exists) {
		*field = "to_unit_id";
		return PERR_INVALID;
	}
	int rc;
	switch (req->kind) {
	case MOVEMENT_ENROLMENT: rc = mv__enrolment(st, req, plan, field); break;
	case MOVEMENT_TRANSFER: rc = mv__transfer(st, req, plan, field); break;
	case MOVEMENT_ACADEMIC_LEAVE: rc = mv__leave(st, req, plan, field); break;
	case MOVEMENT_RETURN: rc = mv__return(st, req, plan, field); break;
	case MOVEMENT_EXPULSION:
	case MOVEMENT_GRADUATION: rc = mv__exit(st, req, plan, field); break;
	case MOVEMENT_HIRING: rc = mv__hiring(st, req, plan, field); break;
	case MOVEMENT_STAFF_TRANSFER: rc = mv__staff_transfer(st, req, plan, field); break;
	case MOVEMENT_DISMISSAL: rc = mv__dismissal(st, req, plan, field); break;
	default:
		*field = "kind";
		rc = PERR_INVALID;
		break;
	}
	if (rc)
		plan->nrows = 0;
	return rc;
}

/* ---- records ---- */

void movement_rec_clear(struct movement_rec *m)
{
	free(m->user_name);
	free(m->from_unit_name);
	free(m->to_unit_name);
	free(m->order_ref);
	free(m->note);
	free(m->created_by_name);
	memset(m, 0, sizeof *m);
}

void movement_list_clear(struct movement_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		movement_rec_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* Does b touch one of a's units? */
static bool mv__touches(const struct movement_rec *a, const struct movement_rec *b)
{
	const int64_t au[2] = {a->from_unit_id, a->to_unit_id};
	const int64_t bu[2] = {b->from_unit_id, b->to_unit_id};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (au[i] && au[i] == bu[j])
				return true;
	return false;
}

int movement_reversal(const struct movement_rec *hist, size_t n, size_t idx,
		      struct movement_request *out, const char **field)
{
	*field = NULL;
	memset(out, 0, sizeof *out);
	if (idx >= n)
		return PERR_INVALID;
	const struct movement_rec *m = &hist[idx];
	*field = "id";
	if (m->reversed_by)
		return PERR_CONFLICT;
	for (size_t j = idx + 1; j < n; j++) {
		const struct movement_rec *h = &hist[j];
		bool later = m->role == ROLE_STUDENT ? h->role == ROLE_STUDENT
						     : h->role == m->role && mv__touches(m, h);
		if (later)
			return PERR_CONFLICT;
	}
	out->role = m->role;
	switch (m->kind) {
	case MOVEMENT_ENROLMENT:
		out->kind = MOVEMENT_EXPULSION;
		out->from_unit_id = m->to_unit_id;
		break;
	case MOVEMENT_TRANSFER:
		out->kind = MOVEMENT_TRANSFER;
		out->from_unit_id = m->to_unit_id;
		out->to_unit_id = m->from_unit_id;
		break;
	case MOVEMENT_ACADEMIC_LEAVE:
		out->kind = MOVEMENT_RETURN;
		out->from_unit_id = m->from_unit_id;
		out->to_unit_id = m->from_unit_id;
		break;
	case MOVEMENT_RETURN:
		out->kind = MOVEMENT_ACADEMIC_LEAVE;
		out->from_unit_id = m->to_unit_id;
		break;
	case MOVEMENT_EXPULSION:
	case MOVEMENT_GRADUATION:
		out->kind = MOVEMENT_ENROLMENT;
		out->to_unit_id = m->from_unit_id;
		break;
	case MOVEMENT_HIRING:
		out->kind = MOVEMENT_DISMISSAL;
		out->from_unit_id = m->to_unit_id;
		break;
	case MOVEMENT_STAFF_TRANSFER:
		out->kind = MOVEMENT_STAFF_TRANSFER;
		out->from_unit_id = m->to_unit_id;
		out->to_unit_id = m->from_unit_id;
		break;
	case MOVEMENT_DISMISSAL:
		out->kind = MOVEMENT_HIRING;
		out->to_unit_id = m->from_unit_id;
		break;
	default:
		return PERR_INVALID;
	}
	*field = NULL;
	return PERR_OK;
}

/* ---- hooks ---- */

static struct {
	movement_hook_fn fn;
	void *ud;
} hooks[MOVEMENT_MAX_HOOKS];
static size_t nhooks;

void movement_hooks_add(movement_hook_fn fn, void *ud)
{
	if (!fn || nhooks == MOVEMENT_MAX_HOOKS) {
		fprintf(stderr, "movement_hooks_add: %s\n", fn ? "too many hooks" : "NULL hook");
		abort();
	}
	hooks[nhooks].fn = fn;
	hooks[nhooks].ud = ud;
	nhooks++;
}

void movement_hooks_run(const struct movement_event *ev)
{
	for (size_t i = 0; i < nhooks; i++)
		hooks[i].fn(hooks[i].ud, ev);
}

void movement_hooks_reset(void)
{
	memset(hooks, 0, sizeof hooks);
	nhooks = 0;
}
