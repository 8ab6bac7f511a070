/* SPDX-License-Identifier: MIT */
/* The authorization matrix: role × action × target role × scope, checked
 * against the regulation's table, deny by default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/authz.h"

/* A college (1) with a branch (2) holding a department (3) and two study
 * groups (4 and 5), and a group (6) in another branch (7). */
static const struct authz_scope college = {0, {0}, 0};
static const struct authz_scope branch2 = {2, {1}, 1};
static const struct authz_scope group4 = {4, {2, 1}, 2};
static const struct authz_scope group5 = {5, {2, 1}, 2};
static const struct authz_scope group6 = {6, {7, 1}, 2};

static struct authz_actor actor_of(const struct authz_grant *g, size_t n)
{
	struct authz_actor a = {42, g, n};
	return a;
}

static void test_roles(void **state)
{
	(void)state;
	for (int r = ROLE_NONE + 1; r < ROLE__COUNT; r++) {
		const char *n = role_name((enum role)r);
		assert_int_equal(role_parse(n, strlen(n)), r);
	}
	assert_int_equal(role_parse("admin", 5), ROLE_NONE);
	assert_int_equal(role_parse("", 0), ROLE_NONE);
	assert_string_equal(role_name(ROLE__COUNT), "");
}

static void test_nobody(void **state)
{
	(void)state;
	struct authz_actor none = actor_of(NULL, 0);
	for (int a = 0; a < AUTHZ__COUNT; a++)
		for (int t = 0; t < ROLE__COUNT; t++)
			assert_false(authz_allowed(&none, (enum authz_action)a, (enum role)t, &group4));
	assert_false(authz_allowed(NULL, AUTHZ_STRUCTURE_READ, ROLE_NONE, NULL));
}

struct row {
	enum role role;
	int64_t unit;
	bool director;
	enum authz_action act;
	enum role target;
	const struct authz_scope *scope;
	bool want;
};

static void test_matrix(void **state)
{
	(void)state;
	const struct row rows[] = {
		/* platform administrator: the whole college */
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_STRUCTURE_EDIT, ROLE_NONE, &group6, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_COLLEGE_EDIT, ROLE_NONE, &college, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_INVITE_CREATE, ROLE_CURATOR, &group4, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_INVITE_CREATE, ROLE_ADMINISTRATION, &college, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_INVITE_CREATE, ROLE_PLATFORM_ADMIN, &college, false},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_ADMIN_APPOINT, ROLE_NONE, &college, false},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_JOIN_REVIEW, ROLE_PARENT, &group6, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, &group5, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_AUDIT_READ, ROLE_NONE, NULL, true},
		{ROLE_PLATFORM_ADMIN, 0, false, AUTHZ_IMPORT, ROLE_NONE, NULL, true},
		/* administration appoints the administrator; director reads the audit */
		{ROLE_ADMINISTRATION, 0, false, AUTHZ_ADMIN_APPOINT, ROLE_NONE, &college, true},
		{ROLE_ADMINISTRATION, 0, false, AUTHZ_AUDIT_READ, ROLE_NONE, NULL, false},
		{ROLE_ADMINISTRATION, 0, true, AUTHZ_AUDIT_READ, ROLE_NONE, NULL, true},
		{ROLE_ADMINISTRATION, 2, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group4, true},
		{ROLE_ADMINISTRATION, 2, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group6, false},
		{ROLE_ADMINISTRATION, 2, false, AUTHZ_INVITE_CREATE, ROLE_TEACHER, &branch2, false},
		{ROLE_ADMINISTRATION, 0, false, AUTHZ_STRUCTURE_EDIT, ROLE_NONE, &branch2, false},
		{ROLE_ADMINISTRATION, 2, false, AUTHZ_PEOPLE_READ, ROLE_NONE, &group5, true},
		{ROLE_ADMINISTRATION, 2, false, AUTHZ_PEOPLE_READ, ROLE_NONE, &group6, false},
		/* curator: their own group only */
		{ROLE_CURATOR, 4, false, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &group4, true},
		{ROLE_CURATOR, 4, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group4, true},
		{ROLE_CURATOR, 4, false, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &group5, false},
		{ROLE_CURATOR, 4, false, AUTHZ_INVITE_CREATE, ROLE_TEACHER, &group4, false},
		{ROLE_CURATOR, 4, false, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &branch2, false},
		{ROLE_CURATOR, 4, false, AUTHZ_JOIN_REVIEW, ROLE_PARENT, &group4, true},
		{ROLE_CURATOR, 4, false, AUTHZ_JOIN_REVIEW, ROLE_TEACHER, &group4, false},
		{ROLE_CURATOR, 4, false, AUTHZ_JOIN_REVIEW, ROLE_STUDENT, &group6, false},
		{ROLE_CURATOR, 4, false, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, &group4, false},
		{ROLE_CURATOR, 4, false, AUTHZ_STRUCTURE_EDIT, ROLE_NONE, &group4, false},
		{ROLE_CURATOR, 4, false, AUTHZ_PEOPLE_READ, ROLE_NONE, &group4, true},
		{ROLE_CURATOR, 4, false, AUTHZ_PEOPLE_READ, ROLE_NONE, &group5, false},
		/* teacher: parent links for groups in their unit */
		{ROLE_TEACHER, 2, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group5, true},
		{ROLE_TEACHER, 2, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group6, false},
		{ROLE_TEACHER, 2, false, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &group5, false},
		{ROLE_TEACHER, 1, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group6, true},
		{ROLE_TEACHER, 2, false, AUTHZ_JOIN_REVIEW, ROLE_PARENT, &group5, false},
		/* students, parents, staff: read the structure, nothing else */
		{ROLE_STUDENT, 4, false, AUTHZ_STRUCTURE_READ, ROLE_NONE, NULL, true},
		{ROLE_STUDENT, 4, false, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &group4, false},
		{ROLE_STUDENT, 4, false, AUTHZ_PEOPLE_READ, ROLE_NONE, &group4, false},
		{ROLE_PARENT, 4, false, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group4, false},
		{ROLE_PARENT, 4, false, AUTHZ_JOIN_REVIEW, ROLE_PARENT, &group4, false},
		{ROLE_STAFF, 3, false, AUTHZ_STRUCTURE_READ, ROLE_NONE, NULL, true},
		{ROLE_STAFF, 3, false, AUTHZ_MOVEMENT_RECORD, ROLE_NONE, &group4, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct authz_grant g = {r->role, r->unit, r->director};
		struct authz_actor a = actor_of(&g, 1);
		bool got = authz_allowed(&a, r->act, r->target, r->scope);
		if (got != r->want)
			fail_msg("row %zu: %s %s %s -> %d, want %d", i, role_name(r->role),
				 authz_action_name(r->act), role_name(r->target), got, r->want);
	}
}

static void test_several_grants(void **state)
{
	(void)state;
	/* a teacher who also curates group 4 */
	struct authz_grant g[] = {{ROLE_TEACHER, 2, false}, {ROLE_CURATOR, 4, false}};
	struct authz_actor a = actor_of(g, 2);
	assert_true(authz_allowed(&a, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &group4));
	assert_false(authz_allowed(&a, AUTHZ_INVITE_CREATE, ROLE_STUDENT, &group5));
	assert_true(authz_allowed(&a, AUTHZ_INVITE_CREATE, ROLE_PARENT, &group5));
	/* out-of-range input is denied, not trusted */
	assert_false(authz_allowed(&a, (enum authz_action)99, ROLE_NONE, NULL));
	assert_false(authz_allowed(&a, AUTHZ_INVITE_CREATE, (enum role)99, &group4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_nobody),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_several_grants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
