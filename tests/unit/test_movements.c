/* SPDX-License-Identifier: MIT */
/* The movement state machine: kind names, dates and texts, the shape of a
 * request, what each kind does in each state of the person (the table of
 * docs/internals/movements.md), the reverse of every kind, and the hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "domain/movements.h"

/* ---- names, dates, texts ---- */

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = MOVEMENT_NONE + 1; k < MOVEMENT__COUNT; k++) {
		const char *n = movement_kind_name((enum movement_kind)k);
		assert_true(n[0] != '\0');
		assert_int_equal(movement_kind_parse(n, strlen(n)), k);
	}
	assert_int_equal(movement_kind_parse("expel", 5), MOVEMENT_NONE);
	assert_int_equal(movement_kind_parse("enrolmentx", 10), MOVEMENT_NONE);
	assert_int_equal(movement_kind_parse("", 0), MOVEMENT_NONE);
	assert_string_equal(movement_kind_name(MOVEMENT__COUNT), "");
	assert_string_equal(movement_kind_name(MOVEMENT_NONE), "");
	assert_true(movement_kind_is_student(MOVEMENT_ENROLMENT));
	assert_true(movement_kind_is_student(MOVEMENT_GRADUATION));
	assert_false(movement_kind_is_student(MOVEMENT_HIRING));
	assert_false(movement_kind_is_student(MOVEMENT_NONE));
	assert_true(movement_role_is_staff(ROLE_CURATOR));
	assert_false(movement_role_is_staff(ROLE_STUDENT));
	assert_false(movement_role_is_staff(ROLE_PLATFORM_ADMIN));
	assert_false(movement_role_is_staff(ROLE_PARENT));
}

static void test_unit_fits(void **state)
{
	(void)state;
	assert_true(movement_unit_fits(ROLE_STUDENT, "study_group"));
	assert_false(movement_unit_fits(ROLE_STUDENT, "branch"));
	assert_true(movement_unit_fits(ROLE_CURATOR, "study_group"));
	assert_false(movement_unit_fits(ROLE_CURATOR, "college"));
	assert_true(movement_unit_fits(ROLE_TEACHER, "college"));
	assert_true(movement_unit_fits(ROLE_STAFF, "branch"));
	assert_true(movement_unit_fits(ROLE_ADMINISTRATION, "department"));
	assert_false(movement_unit_fits(ROLE_TEACHER, "study_group"));
	assert_false(movement_unit_fits(ROLE_PARENT, "study_group"));
	assert_false(movement_unit_fits(ROLE_TEACHER, NULL));
}

static void test_dates(void **state)
{
	(void)state;
	const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{"2024-09-01", true},  {"2024-02-29", true},  {"2000-02-29", true},
		{"2000-01-01", true},  {"2100-12-31", true},  {"2023-12-31", true},
		{"2100-02-29", false}, /* 2100 is not a leap year */
		{"2023-02-29", false}, {"2024-04-31", false}, {"2024-06-00", false},
		{"2024-13-01", false}, {"2024-00-10", false}, {"1999-12-31", false},
		{"2101-01-01", false}, {"2024-4-01", false},  {"2024/04/01", false},
		{"01-04-2024", false}, {"2024-04-01x", false}, {" 2024-04-01", false},
		{"abcd-ef-gh", false}, {"2024-0a-01", false}, {"", false},
		{"2024-04-+1", false}, {"2024-04-01T00:00", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (movement_date_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
			fail_msg("date %s: want %d", cases[i].s, cases[i].ok);
	assert_false(movement_date_valid(NULL, 10));
}

static void test_texts(void **state)
{
	(void)state;
	char buf[512];
	size_t n = 0;
	assert_true(movement_text_valid("", 0, 100));
	assert_true(movement_text_valid(NULL, 0, 100));
	/* 100 Cyrillic letters are 200 bytes but 100 characters */
	for (int i = 0; i < 101; i++) {
		memcpy(buf + n, "ж", 2);
		n += 2;
	}
	assert_true(movement_text_valid(buf, 200, 100));
	assert_false(movement_text_valid(buf, 202, 100));
	assert_true(movement_text_valid("Приказ № 84-ОД", strlen("Приказ № 84-ОД"), 100));
	assert_true(movement_text_valid("строка\nвторая\tс табом", strlen("строка\nвторая\tс табом"), 500));
	assert_false(movement_text_valid("bell\a", 5, 100));
	assert_false(movement_text_valid("del\x7f", 4, 100));
	assert_false(movement_text_valid("\xff\xfe", 2, 100));      /* not UTF-8 */
	assert_false(movement_text_valid("\xd0", 1, 100));          /* cut in the middle */
	assert_false(movement_text_valid("a\0b", 3, 100));
}

/* ---- request shape ---- */

static void test_request_check(void **state)
{
	(void)state;
	const struct {
		enum movement_kind kind;
		enum role role;
		int64_t from, to;
		const char *field; /* NULL: valid */
		enum role role_after;
	} cases[] = {
		{MOVEMENT_NONE, ROLE_NONE, 0, 10, "kind", ROLE_NONE},
		{MOVEMENT_ENROLMENT, ROLE_NONE, 0, 10, NULL, ROLE_STUDENT},
		{MOVEMENT_ENROLMENT, ROLE_STUDENT, 0, 10, NULL, ROLE_STUDENT},
		{MOVEMENT_ENROLMENT, ROLE_TEACHER, 0, 10, "role", ROLE_TEACHER},
		{MOVEMENT_ENROLMENT, ROLE_NONE, 0, 0, "to_unit_id", ROLE_STUDENT},
		{MOVEMENT_ENROLMENT, ROLE_NONE, 11, 10, "from_unit_id", ROLE_STUDENT},
		{MOVEMENT_TRANSFER, ROLE_NONE, 0, 11, NULL, ROLE_STUDENT},
		{MOVEMENT_TRANSFER, ROLE_NONE, 10, 11, NULL, ROLE_STUDENT},
		{MOVEMENT_TRANSFER, ROLE_NONE, 10, 0, "to_unit_id", ROLE_STUDENT},
		{MOVEMENT_ACADEMIC_LEAVE, ROLE_NONE, 0, 0, NULL, ROLE_STUDENT},
		{MOVEMENT_ACADEMIC_LEAVE, ROLE_NONE, 0, 11, "to_unit_id", ROLE_STUDENT},
		{MOVEMENT_RETURN, ROLE_NONE, 0, 0, NULL, ROLE_STUDENT},
		{MOVEMENT_RETURN, ROLE_NONE, 10, 11, NULL, ROLE_STUDENT},
		{MOVEMENT_EXPULSION, ROLE_NONE, 10, 0, NULL, ROLE_STUDENT},
		{MOVEMENT_EXPULSION, ROLE_NONE, 0, 10, "to_unit_id", ROLE_STUDENT},
		{MOVEMENT_GRADUATION, ROLE_PARENT, 0, 0, "role", ROLE_PARENT},
		{MOVEMENT_HIRING, ROLE_NONE, 0, 2, "role", ROLE_NONE},
		{MOVEMENT_HIRING, ROLE_STUDENT, 0, 2, "role", ROLE_STUDENT},
		{MOVEMENT_HIRING, ROLE_PLATFORM_ADMIN, 0, 2, "role", ROLE_PLATFORM_ADMIN},
		{MOVEMENT_HIRING, ROLE_TEACHER, 0, 2, NULL, ROLE_TEACHER},
		{MOVEMENT_HIRING, ROLE_CURATOR, 0, 10, NULL, ROLE_CURATOR},
		{MOVEMENT_HIRING, ROLE_TEACHER, 0, 0, "to_unit_id", ROLE_TEACHER},
		{MOVEMENT_HIRING, ROLE_TEACHER, 3, 2, "from_unit_id", ROLE_TEACHER},
		{MOVEMENT_STAFF_TRANSFER, ROLE_STAFF, 0, 2, NULL, ROLE_STAFF},
		{MOVEMENT_STAFF_TRANSFER, ROLE_NONE, 3, 2, "role", ROLE_NONE},
		{MOVEMENT_STAFF_TRANSFER, ROLE_STAFF, 3, 0, "to_unit_id", ROLE_STAFF},
		{MOVEMENT_DISMISSAL, ROLE_NONE, 0, 0, NULL, ROLE_NONE},
		{MOVEMENT_DISMISSAL, ROLE_ADMINISTRATION, 1, 0, NULL, ROLE_ADMINISTRATION},
		{MOVEMENT_DISMISSAL, ROLE_STUDENT, 0, 0, "role", ROLE_STUDENT},
		{MOVEMENT_DISMISSAL, ROLE_NONE, 0, 2, "to_unit_id", ROLE_NONE},
		{MOVEMENT_DISMISSAL, ROLE_NONE, -1, 0, "from_unit_id", ROLE_NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct movement_request req = {cases[i].kind, cases[i].role, cases[i].from, cases[i].to};
		const char *field = "unset";
		int rc = movement_request_check(&req, &field);
		if (cases[i].field) {
			if (rc != PERR_INVALID || !field || strcmp(field, cases[i].field) != 0)
				fail_msg("case %zu: rc %d field %s, want invalid %s", i, rc,
					 field ? field : "(null)", cases[i].field);
		} else if (rc != PERR_OK) {
			fail_msg("case %zu: rc %d field %s, want ok", i, rc, field ? field : "(null)");
		} else if (req.role != cases[i].role_after) {
			fail_msg("case %zu: role %d, want %d", i, req.role, cases[i].role_after);
		}
	}
}

/* ---- the state machine ---- */

/* The college (1) with a branch (2) and a department (3); study groups 10
 * and 11, an archived group 12, a group 13 curated by user 99; 404 does not
 * exist. */
static struct movement_unit unit_of(int64_t id)
{
	struct movement_unit u = {.id = id};
	if (!id || id == 404)
		return u;
	u.exists = true;
	const char *kind = id == 1 ? "college" : id == 2 ? "branch" : id == 3 ? "department"
											    : "study_group";
	snprintf(u.kind, sizeof u.kind, "%s", kind);
	u.archived = id == 12;
	u.curator_id = id == 13 ? 99 : 0;
	return u;
}

enum fixture {
	F_NO_USER,
	F_NEW,        /* exists, no roles, no movements */
	F_ACTIVE,     /* student (assignment 5) of group 10 */
	F_LEAVE,      /* on academic leave from group 10 */
	F_EXPELLED,   /* expelled from group 10 */
	F_TWO_GROUPS, /* student of 10 (5) and 11 (6): ambiguous */
	F_STAFF,      /* teacher of branch 2 (7), curator of group 11 (8), staff of 1 (9) */
};

static void add_active(struct movement_state *st, int64_t id, enum role role, int64_t unit)
{
	st->active[st->nactive++] = (struct movement_assignment){id, role, unit};
}

static struct movement_state state_of(enum fixture f, const struct movement_request *req)
{
	struct movement_state st;
	memset(&st, 0, sizeof st);
	st.user_exists = f != F_NO_USER;
	switch (f) {
	case F_ACTIVE:
		add_active(&st, 5, ROLE_STUDENT, 10);
		st.last_movement_id = 40;
		st.last_student_kind = MOVEMENT_ENROLMENT;
		break;
	case F_LEAVE:
		st.last_movement_id = 41;
		st.last_student_kind = MOVEMENT_ACADEMIC_LEAVE;
		st.last_student_from = 10;
		break;
	case F_EXPELLED:
		st.last_movement_id = 42;
		st.last_student_kind = MOVEMENT_EXPULSION;
		st.last_student_from = 10;
		break;
	case F_TWO_GROUPS:
		add_active(&st, 5, ROLE_STUDENT, 10);
		add_active(&st, 6, ROLE_STUDENT, 11);
		break;
	case F_STAFF:
		add_active(&st, 7, ROLE_TEACHER, 2);
		add_active(&st, 8, ROLE_CURATOR, 11);
		add_active(&st, 9, ROLE_STAFF, 1);
		break;
	default:
		break;
	}
	st.from = unit_of(req->from_unit_id);
	st.to = unit_of(req->to_unit_id);
	st.left = unit_of(st.last_student_from);
	return st;
}

struct plan_case {
	enum fixture f;
	enum movement_kind kind;
	enum role role;
	int64_t from, to;
	int rc;
	const char *field;
	/* the first row when rc is PERR_OK */
	int64_t row_from, row_to, end_id, create_unit, parents_leave, parents_join;
	size_t nrows;
};

static void check_plan_case(size_t i, const struct plan_case *c)
{
	struct movement_request req = {c->kind, c->role, c->from, c->to};
	const char *field = NULL;
	if (movement_request_check(&req, &field))
		fail_msg("case %zu: the request itself is invalid (%s)", i, field);
	struct movement_state st = state_of(c->f, &req);
	struct movement_plan plan;
	field = NULL;
	int rc = movement_plan(&st, &req, &plan, &field);
	if (rc != c->rc)
		fail_msg("case %zu (%s): rc %d field %s, want %d %s", i, movement_kind_name(c->kind),
			 rc, field ? field : "-", c->rc, c->field ? c->field : "-");
	if (rc) {
		if (!field || !c->field || strcmp(field, c->field) != 0)
			fail_msg("case %zu: field %s, want %s", i, field ? field : "-",
				 c->field ? c->field : "-");
		assert_int_equal(plan.nrows, 0);
		return;
	}
	const struct movement_row *r = &plan.rows[0];
	if (plan.kind != c->kind || plan.nrows != (c->nrows ? c->nrows : 1) ||
	    r->from_unit_id != c->row_from || r->to_unit_id != c->row_to ||
	    r->end_assignment_id != c->end_id || r->create_unit_id != c->create_unit ||
	    r->parents_leave_unit_id != c->parents_leave || r->parents_join_unit_id != c->parents_join)
		fail_msg("case %zu (%s): rows %zu from %lld to %lld end %lld create %lld leave %lld "
			 "join %lld",
			 i, movement_kind_name(c->kind), plan.nrows, (long long)r->from_unit_id,
			 (long long)r->to_unit_id, (long long)r->end_assignment_id,
			 (long long)r->create_unit_id, (long long)r->parents_leave_unit_id,
			 (long long)r->parents_join_unit_id);
}

#define OK PERR_OK
#define CONF PERR_CONFLICT
#define INV PERR_INVALID

static void test_student_table(void **state)
{
	(void)state;
	const struct plan_case cases[] = {
		/* enrolment: only someone who is not a student */
		{F_NEW, MOVEMENT_ENROLMENT, 0, 0, 10, OK, NULL, 0, 10, 0, 10, 0, 10, 0},
		{F_EXPELLED, MOVEMENT_ENROLMENT, 0, 0, 11, OK, NULL, 0, 11, 0, 11, 0, 11, 0},
		{F_STAFF, MOVEMENT_ENROLMENT, 0, 0, 10, OK, NULL, 0, 10, 0, 10, 0, 10, 0},
		{F_ACTIVE, MOVEMENT_ENROLMENT, 0, 0, 11, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_LEAVE, MOVEMENT_ENROLMENT, 0, 0, 11, CONF, "kind", 0, 0, 0, 0, 0, 0, 0},
		{F_NO_USER, MOVEMENT_ENROLMENT, 0, 0, 10, INV, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_ENROLMENT, 0, 0, 2, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_ENROLMENT, 0, 0, 12, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_ENROLMENT, 0, 0, 404, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		/* transfer: an active student, to another group */
		{F_ACTIVE, MOVEMENT_TRANSFER, 0, 0, 11, OK, NULL, 10, 11, 5, 11, 10, 11, 0},
		{F_ACTIVE, MOVEMENT_TRANSFER, 0, 10, 11, OK, NULL, 10, 11, 5, 11, 10, 11, 0},
		{F_ACTIVE, MOVEMENT_TRANSFER, 0, 11, 13, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_TRANSFER, 0, 0, 10, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_TRANSFER, 0, 0, 12, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_TRANSFER, 0, 0, 3, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_LEAVE, MOVEMENT_TRANSFER, 0, 0, 11, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_TRANSFER, 0, 0, 11, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_EXPELLED, MOVEMENT_TRANSFER, 0, 0, 11, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_TWO_GROUPS, MOVEMENT_TRANSFER, 0, 0, 13, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_TWO_GROUPS, MOVEMENT_TRANSFER, 0, 11, 13, OK, NULL, 11, 13, 6, 13, 11, 13, 0},
		{F_TWO_GROUPS, MOVEMENT_TRANSFER, 0, 10, 11, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		/* academic leave: an active student; ends the assignment, parents stay */
		{F_ACTIVE, MOVEMENT_ACADEMIC_LEAVE, 0, 0, 0, OK, NULL, 10, 0, 5, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_ACADEMIC_LEAVE, 0, 11, 0, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_LEAVE, MOVEMENT_ACADEMIC_LEAVE, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_ACADEMIC_LEAVE, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		/* return: only from leave; by default into the group left */
		{F_LEAVE, MOVEMENT_RETURN, 0, 0, 0, OK, NULL, 10, 10, 0, 10, 0, 10, 0},
		{F_LEAVE, MOVEMENT_RETURN, 0, 10, 11, OK, NULL, 10, 11, 0, 11, 10, 11, 0},
		{F_LEAVE, MOVEMENT_RETURN, 0, 11, 0, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_LEAVE, MOVEMENT_RETURN, 0, 0, 12, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_LEAVE, MOVEMENT_RETURN, 0, 0, 2, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_RETURN, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_EXPELLED, MOVEMENT_RETURN, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_RETURN, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		/* expulsion and graduation: active or on leave; parents leave the group */
		{F_ACTIVE, MOVEMENT_EXPULSION, 0, 0, 0, OK, NULL, 10, 0, 5, 0, 10, 0, 0},
		{F_ACTIVE, MOVEMENT_GRADUATION, 0, 10, 0, OK, NULL, 10, 0, 5, 0, 10, 0, 0},
		{F_LEAVE, MOVEMENT_EXPULSION, 0, 0, 0, OK, NULL, 10, 0, 0, 0, 10, 0, 0},
		{F_LEAVE, MOVEMENT_GRADUATION, 0, 11, 0, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_EXPULSION, 0, 11, 0, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_EXPELLED, MOVEMENT_EXPULSION, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_GRADUATION, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_EXPULSION, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_TWO_GROUPS, MOVEMENT_EXPULSION, 0, 0, 0, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NO_USER, MOVEMENT_EXPULSION, 0, 0, 0, INV, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_EXPULSION, 0, 404, 0, INV, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_plan_case(i, &cases[i]);
}

static void test_staff_table(void **state)
{
	(void)state;
	const struct plan_case cases[] = {
		/* hiring: a fitting unit, not twice in the same unit */
		{F_NEW, MOVEMENT_HIRING, ROLE_TEACHER, 0, 2, OK, NULL, 0, 2, 0, 2, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_ADMINISTRATION, 0, 1, OK, NULL, 0, 1, 0, 1, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_CURATOR, 0, 10, OK, NULL, 0, 10, 0, 10, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_HIRING, ROLE_STAFF, 0, 3, OK, NULL, 0, 3, 0, 3, 0, 0, 0},
		{F_STAFF, MOVEMENT_HIRING, ROLE_TEACHER, 0, 3, OK, NULL, 0, 3, 0, 3, 0, 0, 0},
		{F_STAFF, MOVEMENT_HIRING, ROLE_TEACHER, 0, 2, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_HIRING, ROLE_CURATOR, 0, 11, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_CURATOR, 0, 13, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_TEACHER, 0, 10, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_CURATOR, 0, 2, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_CURATOR, 0, 12, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_HIRING, ROLE_TEACHER, 0, 404, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NO_USER, MOVEMENT_HIRING, ROLE_TEACHER, 0, 2, INV, "user_id", 0, 0, 0, 0, 0, 0, 0},
		/* staff transfer: the role in from_unit (default: the only one) */
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 0, 3, OK, NULL, 2, 3, 7, 3, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 2, 1, OK, NULL, 2, 1, 7, 1, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_CURATOR, 11, 10, OK, NULL, 11, 10, 8, 10, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_CURATOR, 0, 13, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 3, 1, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 0, 2, CONF, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 0, 10, INV, "to_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_STAFF_TRANSFER, ROLE_ADMINISTRATION, 0, 2, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 2, 3, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		/* dismissal: every staff role, or those of a role / in a unit */
		{F_STAFF, MOVEMENT_DISMISSAL, 0, 0, 0, OK, NULL, 2, 0, 7, 0, 0, 0, 3},
		{F_STAFF, MOVEMENT_DISMISSAL, 0, 11, 0, OK, NULL, 11, 0, 8, 0, 0, 0, 1},
		{F_STAFF, MOVEMENT_DISMISSAL, ROLE_STAFF, 0, 0, OK, NULL, 1, 0, 9, 0, 0, 0, 1},
		{F_STAFF, MOVEMENT_DISMISSAL, ROLE_TEACHER, 11, 0, CONF, "from_unit_id", 0, 0, 0, 0, 0, 0, 0},
		{F_STAFF, MOVEMENT_DISMISSAL, ROLE_ADMINISTRATION, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_ACTIVE, MOVEMENT_DISMISSAL, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
		{F_NEW, MOVEMENT_DISMISSAL, 0, 0, 0, CONF, "user_id", 0, 0, 0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_plan_case(i, &cases[i]);
}

static void test_dismissal_rows(void **state)
{
	(void)state;
	struct movement_request req = {MOVEMENT_DISMISSAL, ROLE_NONE, 0, 0};
	struct movement_state st = state_of(F_STAFF, &req);
	/* a student role is no staff role: dismissal leaves it alone */
	add_active(&st, 5, ROLE_STUDENT, 10);
	struct movement_plan plan;
	const char *field;
	assert_int_equal(movement_plan(&st, &req, &plan, &field), PERR_OK);
	assert_int_equal(plan.nrows, 3);
	const int64_t ends[3] = {7, 8, 9};
	const enum role roles[3] = {ROLE_TEACHER, ROLE_CURATOR, ROLE_STAFF};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(plan.rows[i].end_assignment_id, ends[i]);
		assert_int_equal(plan.rows[i].role, roles[i]);
		assert_int_equal(plan.rows[i].end_role, roles[i]);
		assert_int_equal(plan.rows[i].from_unit_id, plan.rows[i].end_unit_id);
		assert_int_equal(plan.rows[i].create_unit_id, 0);
	}
}

static void test_state_same(void **state)
{
	(void)state;
	struct movement_request req = {MOVEMENT_TRANSFER, ROLE_STUDENT, 0, 11};
	struct movement_state a = state_of(F_ACTIVE, &req), b = state_of(F_ACTIVE, &req);
	assert_true(movement_state_same(&a, &b));
	b.last_movement_id++;
	assert_false(movement_state_same(&a, &b));
	b = a;
	b.active[0].unit_id = 11;
	assert_false(movement_state_same(&a, &b));
	b = a;
	b.nactive = 0;
	assert_false(movement_state_same(&a, &b));
	b = a;
	b.to.archived = true;
	assert_false(movement_state_same(&a, &b));
	b = a;
	b.to.curator_id = 5;
	assert_false(movement_state_same(&a, &b));
}

/* ---- reversal ---- */

static struct movement_rec rec(int64_t id, enum movement_kind kind, enum role role, int64_t from,
			       int64_t to)
{
	struct movement_rec m;
	memset(&m, 0, sizeof m);
	m.id = id;
	m.kind = kind;
	m.role = role;
	m.from_unit_id = from;
	m.to_unit_id = to;
	return m;
}

static void test_reversal_mapping(void **state)
{
	(void)state;
	const struct {
		enum movement_kind kind;
		enum role role;
		int64_t from, to;
		enum movement_kind want;
		int64_t want_from, want_to;
	} cases[] = {
		{MOVEMENT_ENROLMENT, ROLE_STUDENT, 0, 10, MOVEMENT_EXPULSION, 10, 0},
		{MOVEMENT_TRANSFER, ROLE_STUDENT, 10, 11, MOVEMENT_TRANSFER, 11, 10},
		{MOVEMENT_ACADEMIC_LEAVE, ROLE_STUDENT, 10, 0, MOVEMENT_RETURN, 10, 10},
		{MOVEMENT_RETURN, ROLE_STUDENT, 10, 11, MOVEMENT_ACADEMIC_LEAVE, 11, 0},
		{MOVEMENT_EXPULSION, ROLE_STUDENT, 10, 0, MOVEMENT_ENROLMENT, 0, 10},
		{MOVEMENT_GRADUATION, ROLE_STUDENT, 11, 0, MOVEMENT_ENROLMENT, 0, 11},
		{MOVEMENT_HIRING, ROLE_TEACHER, 0, 2, MOVEMENT_DISMISSAL, 2, 0},
		{MOVEMENT_STAFF_TRANSFER, ROLE_STAFF, 2, 3, MOVEMENT_STAFF_TRANSFER, 3, 2},
		{MOVEMENT_DISMISSAL, ROLE_CURATOR, 10, 0, MOVEMENT_HIRING, 0, 10},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct movement_rec h = rec(1, cases[i].kind, cases[i].role, cases[i].from, cases[i].to);
		struct movement_request out;
		const char *field = "unset";
		assert_int_equal(movement_reversal(&h, 1, 0, &out, &field), PERR_OK);
		assert_null(field);
		if (out.kind != cases[i].want || out.from_unit_id != cases[i].want_from ||
		    out.to_unit_id != cases[i].want_to || out.role != cases[i].role)
			fail_msg("case %zu: %s %lld→%lld", i, movement_kind_name(out.kind),
				 (long long)out.from_unit_id, (long long)out.to_unit_id);
		/* the reverse is a well-formed request */
		assert_int_equal(movement_request_check(&out, &field), PERR_OK);
	}
}

static void test_reversal_refusals(void **state)
{
	(void)state;
	struct movement_request out;
	const char *field;
	/* a student's history: enrolment, transfer, leave */
	struct movement_rec h[6] = {
		rec(1, MOVEMENT_ENROLMENT, ROLE_STUDENT, 0, 10),
		rec(2, MOVEMENT_TRANSFER, ROLE_STUDENT, 10, 11),
		rec(3, MOVEMENT_HIRING, ROLE_TEACHER, 0, 2),  /* also a teacher */
		rec(4, MOVEMENT_ACADEMIC_LEAVE, ROLE_STUDENT, 11, 0),
		rec(5, MOVEMENT_HIRING, ROLE_TEACHER, 0, 3),
		rec(6, MOVEMENT_STAFF_TRANSFER, ROLE_TEACHER, 3, 1),
	};
	/* only the latest student movement */
	assert_int_equal(movement_reversal(h, 6, 0, &out, &field), PERR_CONFLICT);
	assert_string_equal(field, "id");
	assert_int_equal(movement_reversal(h, 6, 1, &out, &field), PERR_CONFLICT);
	assert_int_equal(movement_reversal(h, 6, 3, &out, &field), PERR_OK);
	assert_int_equal(out.kind, MOVEMENT_RETURN);
	/* staff: latest in its units; hiring into 2 is untouched by later 3 → 1 */
	assert_int_equal(movement_reversal(h, 6, 2, &out, &field), PERR_OK);
	assert_int_equal(out.kind, MOVEMENT_DISMISSAL);
	assert_int_equal(out.from_unit_id, 2);
	assert_int_equal(movement_reversal(h, 6, 4, &out, &field), PERR_CONFLICT);
	assert_int_equal(movement_reversal(h, 6, 5, &out, &field), PERR_OK);
	/* reversed once only */
	h[3].reversed_by = 7;
	assert_int_equal(movement_reversal(h, 6, 3, &out, &field), PERR_CONFLICT);
	assert_string_equal(field, "id");
	assert_int_equal(movement_reversal(h, 6, 6, &out, &field), PERR_INVALID);
}

/* ---- hooks ---- */

struct hook_log {
	int calls;
	int order[16]; /* one per call: up to 1 + MOVEMENT_MAX_HOOKS */
	struct movement_event last;
	struct movement_change first_change;
};

static int hook_seq;

static void hook_a(void *ud, const struct movement_event *ev)
{
	struct hook_log *l = ud;
	l->order[l->calls++] = ++hook_seq;
	l->last = *ev;
	if (ev->nchanges)
		l->first_change = ev->changes[0];
}

static void test_hooks(void **state)
{
	(void)state;
	struct hook_log a = {0}, b = {0};
	movement_hooks_reset();
	hook_seq = 0;
	const struct movement_change ch[2] = {
		{100, 42, ROLE_STUDENT, 10, false},
		{100, 42, ROLE_STUDENT, 11, true},
	};
	struct movement_event ev = {
		.movement_id = 100, .user_id = 42, .kind = MOVEMENT_TRANSFER, .role = ROLE_STUDENT,
		.from_unit_id = 10, .to_unit_id = 11, .changes = ch, .nchanges = 2,
	};
	movement_hooks_run(&ev); /* none registered: nothing happens */
	movement_hooks_add(hook_a, &a);
	movement_hooks_add(hook_a, &b);
	movement_hooks_run(&ev);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_true(a.order[0] < b.order[0]); /* registration order */
	assert_int_equal(a.last.movement_id, 100);
	assert_int_equal(a.last.user_id, 42);
	assert_int_equal(a.last.kind, MOVEMENT_TRANSFER);
	assert_int_equal(a.last.role, ROLE_STUDENT);
	assert_int_equal(a.last.from_unit_id, 10);
	assert_int_equal(a.last.to_unit_id, 11);
	assert_int_equal(a.last.reverses_id, 0);
	assert_int_equal(a.last.nchanges, 2);
	assert_int_equal(a.first_change.unit_id, 10);
	assert_false(a.first_change.added);
	assert_int_equal(b.last.to_unit_id, 11);
	/* the registry holds MOVEMENT_MAX_HOOKS */
	for (int i = 2; i < MOVEMENT_MAX_HOOKS; i++)
		movement_hooks_add(hook_a, &b);
	ev.kind = MOVEMENT_EXPULSION;
	movement_hooks_run(&ev);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 1 + MOVEMENT_MAX_HOOKS - 1);
	assert_int_equal(b.last.kind, MOVEMENT_EXPULSION);
	movement_hooks_reset();
	movement_hooks_run(&ev);
	assert_int_equal(a.calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_unit_fits),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_request_check),
		cmocka_unit_test(test_student_table),
		cmocka_unit_test(test_staff_table),
		cmocka_unit_test(test_dismissal_rows),
		cmocka_unit_test(test_state_same),
		cmocka_unit_test(test_reversal_mapping),
		cmocka_unit_test(test_reversal_refusals),
		cmocka_unit_test(test_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
