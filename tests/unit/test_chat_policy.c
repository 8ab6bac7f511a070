/* SPDX-License-Identifier: MIT */
/* The contact policy (authz_may_contact) as a table of relationships, who
 * may create chats, and the chat administration rules and value checks of
 * domain/chat_policy.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/err.h"
#include "domain/authz.h"
#include "domain/chat_policy.h"

#define B(r) AUTHZ_ROLE_BIT(r)
#define PA B(ROLE_PLATFORM_ADMIN)
#define ADM B(ROLE_ADMINISTRATION)
#define CUR B(ROLE_CURATOR)
#define TEA B(ROLE_TEACHER)
#define STU B(ROLE_STUDENT)
#define PAR B(ROLE_PARENT)
#define STF B(ROLE_STAFF)

/* Relationship flags of a row. */
enum {
	COVERS = 1 << 0,        /* the actor teaches/curates/administers the target's group */
	COVERED = 1 << 1,       /* the target does so for the actor */
	COVERS_CHILD = 1 << 2,  /* the actor covers the group of the target's child */
	CHILD_COVERED = 1 << 3, /* the target covers the group of the actor's child */
	GUARDIAN = 1 << 4,      /* the actor is the target's parent */
	WARD = 1 << 5,          /* the target is the actor's parent */
	CLASSMATES = 1 << 6,
	SHARED = 1 << 7,        /* a group chat or channel in common */
	SAME = 1 << 8,          /* the same person */
	NO_CLASSMATES = 1 << 9, /* the college does not let classmates write */
};

struct row {
	const char *what;
	unsigned actor, target;
	unsigned rel;
	bool want;
};

static struct contact_facts facts_of(const struct row *r)
{
	struct contact_facts f = {
		.same_person = r->rel & SAME,
		.actor_roles = r->actor,
		.target_roles = r->target,
		.actor_covers_target = r->rel & COVERS,
		.target_covers_actor = r->rel & COVERED,
		.actor_covers_target_child = r->rel & COVERS_CHILD,
		.target_covers_actor_child = r->rel & CHILD_COVERED,
		.actor_guardian_of_target = r->rel & GUARDIAN,
		.target_guardian_of_actor = r->rel & WARD,
		.classmates = r->rel & CLASSMATES,
		.shared_chat = r->rel & SHARED,
		.classmates_allowed = !(r->rel & NO_CLASSMATES),
	};
	return f;
}

static void test_contact_table(void **state)
{
	(void)state;
	const struct row rows[] = {
		/* students are written to by the staff who teach or curate them */
		{"curator -> student of their group", CUR, STU, COVERS, true},
		{"teacher covering the group -> student", TEA, STU, COVERS, true},
		{"administration covering the group -> student", ADM, STU, COVERS, true},
		{"platform administrator -> any student", PA, STU, 0, true},
		{"teacher outside the student's units -> student", TEA, STU, 0, false},
		{"curator of another group -> student", CUR, STU, 0, false},
		{"administration of another branch -> student", ADM, STU, 0, false},
		{"staff (not teaching) -> student", STF, STU, 0, false},
		{"staff sharing a chat -> student", STF, STU, SHARED, true},
		{"teacher sharing a chat -> student", TEA, STU, SHARED, true},
		/* students among themselves */
		{"classmate -> classmate", STU, STU, CLASSMATES, true},
		{"classmate, the college forbids", STU, STU, CLASSMATES | NO_CLASSMATES, false},
		{"student of another group -> student", STU, STU, 0, false},
		{"student sharing a chat -> student", STU, STU, SHARED, true},
		/* a student opens chats with their curator, teachers, classmates,
		 * people they share a chat with */
		{"student -> their curator", STU, CUR, COVERED, true},
		{"student -> teacher covering their group", STU, TEA, COVERED, true},
		{"student -> teacher outside their units", STU, TEA, 0, false},
		{"student -> administration outside their units", STU, ADM, 0, false},
		{"student -> staff sharing a chat", STU, STF, SHARED, true},
		{"student -> staff, nothing shared", STU, STF, 0, false},
		{"student -> platform administrator, no relation", STU, PA, 0, false},
		{"student -> platform administrator covering the college", STU, PA, COVERED, true},
		/* parents: reached by the staff of their child's units only */
		{"curator of the child's group -> parent", CUR, PAR, COVERS_CHILD, true},
		{"teacher covering the child's group -> parent", TEA, PAR, COVERS_CHILD, true},
		{"teacher outside the child's units -> parent", TEA, PAR, 0, false},
		{"staff sharing the parents' chat -> parent", STF, PAR, SHARED, false},
		{"platform administrator -> parent", PA, PAR, 0, true},
		{"parent -> the child's curator", PAR, CUR, CHILD_COVERED, true},
		{"parent -> teacher covering the child's group", PAR, TEA, CHILD_COVERED, true},
		{"parent -> teacher elsewhere", PAR, TEA, 0, false},
		{"parent -> their own child", PAR, STU, GUARDIAN, true},
		{"child -> their own parent", STU, PAR, WARD, true},
		{"parent -> another student", PAR, STU, 0, false},
		{"parent -> another student sharing a chat", PAR, STU, SHARED, false},
		{"parent -> another parent of the group (the parents' chat)", PAR, PAR, SHARED, false},
		{"student -> a parent sharing a chat", STU, PAR, SHARED, false},
		{"student -> a classmate's parent", STU, PAR, 0, false},
		/* adults among staff reach each other freely */
		{"teacher -> teacher", TEA, TEA, 0, true},
		{"staff -> administration", STF, ADM, 0, true},
		{"curator -> staff", CUR, STF, 0, true},
		{"administration -> platform administrator", ADM, PA, 0, true},
		{"a teacher who is also a parent is reachable as staff", TEA, TEA | PAR, 0, true},
		{"parent who is also a teacher -> unrelated student", TEA | PAR, STU, 0, false},
		/* nobody outside the college */
		{"no roles -> student", 0, STU, SHARED | CLASSMATES, false},
		{"teacher -> former student (no roles)", TEA, 0, SHARED, false},
		{"platform administrator -> someone with no roles", PA, 0, 0, false},
		{"oneself", TEA, TEA, SAME, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct contact_facts f = facts_of(&rows[i]);
		bool got = authz_may_contact(&f);
		if (got != rows[i].want)
			fail_msg("row %zu (%s): got %d, want %d", i, rows[i].what, got, rows[i].want);
	}
	assert_false(authz_may_contact(NULL));
}

static void test_create_chat(void **state)
{
	(void)state;
	/* college (1) > branch (2) > groups 4, 5; group 6 in branch 7 */
	const struct authz_scope group4 = {4, {2, 1}, 2};
	const struct authz_scope group6 = {6, {7, 1}, 2};
	struct {
		enum role role;
		int64_t unit;
		bool free_chat;      /* group chats and channels */
		bool subject4;       /* a subject chat of group 4 */
		bool subject6;
	} rows[] = {
		{ROLE_PLATFORM_ADMIN, 0, true, true, true},
		{ROLE_ADMINISTRATION, 2, true, true, false},
		{ROLE_ADMINISTRATION, 1, true, true, true},
		{ROLE_CURATOR, 4, true, true, false},
		{ROLE_TEACHER, 2, true, true, false},
		{ROLE_TEACHER, 3, true, false, false},
		{ROLE_STUDENT, 4, false, false, false},
		{ROLE_PARENT, 4, false, false, false},
		{ROLE_STAFF, 1, false, false, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct authz_grant g = {rows[i].role, rows[i].unit, false};
		struct authz_actor a = {42, &g, 1};
		if (authz_may_create_chat(&a) != rows[i].free_chat ||
		    authz_may_create_subject_chat(&a, &group4) != rows[i].subject4 ||
		    authz_may_create_subject_chat(&a, &group6) != rows[i].subject6)
			fail_msg("row %zu (%s)", i, role_name(rows[i].role));
	}
	struct authz_actor none = {42, NULL, 0};
	assert_false(authz_may_create_chat(&none));
	assert_false(authz_may_create_subject_chat(&none, &group4));
	assert_false(authz_may_create_chat(NULL));
	/* a student who is also a teacher somewhere creates as a teacher */
	struct authz_grant two[] = {{ROLE_STUDENT, 4, false}, {ROLE_TEACHER, 2, false}};
	struct authz_actor both = {42, two, 2};
	assert_true(authz_may_create_chat(&both));
}

static const struct chat_facts group = {CHAT_KIND_GROUP, false, false, false};
static const struct chat_facts group_add_all = {CHAT_KIND_GROUP, false, true, false};
static const struct chat_facts channel = {CHAT_KIND_CHANNEL, false, false, false};
static const struct chat_facts direct = {CHAT_KIND_DIRECT, false, true, false};
static const struct chat_facts mandatory = {CHAT_KIND_GROUP, true, false, false};
static const struct chat_facts archived = {CHAT_KIND_GROUP, false, true, true};

static const struct chat_membership owner = {CHAT_ROLE_OWNER, false};
static const struct chat_membership admin = {CHAT_ROLE_ADMIN, false};
static const struct chat_membership member = {CHAT_ROLE_MEMBER, false};
static const struct chat_membership sys_member = {CHAT_ROLE_MEMBER, true};
static const struct chat_membership sys_admin = {CHAT_ROLE_ADMIN, true};
static const struct chat_membership nobody = {CHAT_ROLE_NONE, false};

static void test_update_and_add(void **state)
{
	(void)state;
	assert_int_equal(chat_policy_may_update(&group, &owner), PERR_OK);
	assert_int_equal(chat_policy_may_update(&channel, &admin), PERR_OK);
	assert_int_equal(chat_policy_may_update(&group, &member), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_update(&group, &nobody), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_update(&direct, &owner), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_update(&archived, &owner), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_update(&mandatory, &sys_admin), PERR_OK);

	assert_int_equal(chat_policy_may_add(&group, &admin), PERR_OK);
	assert_int_equal(chat_policy_may_add(&group, &member), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_add(&group_add_all, &member), PERR_OK);
	assert_int_equal(chat_policy_may_add(&group_add_all, &nobody), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_add(&direct, &member), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_add(&archived, &owner), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_add(&mandatory, &sys_admin), PERR_OK);

	assert_true(chat_policy_post_policy_fits(&group, "all"));
	assert_true(chat_policy_post_policy_fits(&channel, "admins"));
	assert_false(chat_policy_post_policy_fits(&channel, "all"));
	assert_true(chat_policy_post_policy_fits(&channel, NULL));
}

static void test_remove(void **state)
{
	(void)state;
	const char *field = NULL;
	struct {
		const struct chat_facts *c;
		const struct chat_membership *actor, *target;
		bool self;
		int want;
	} rows[] = {
		{&group, &owner, &admin, false, PERR_OK},
		{&group, &owner, &member, false, PERR_OK},
		{&group, &admin, &member, false, PERR_OK},
		{&group, &admin, &admin, false, PERR_FORBIDDEN},
		{&group, &admin, &owner, false, PERR_FORBIDDEN},
		{&group, &member, &member, false, PERR_FORBIDDEN},
		{&group, &member, &member, true, PERR_OK},       /* leaving */
		{&group, &admin, &admin, true, PERR_OK},
		{&group, &owner, &owner, true, PERR_CONFLICT},   /* hand ownership over first */
		{&group, &owner, &nobody, false, PERR_NOT_FOUND},
		{&group, &nobody, &member, false, PERR_FORBIDDEN},
		{&mandatory, &sys_admin, &sys_member, false, PERR_FORBIDDEN},
		{&mandatory, &sys_admin, &member, false, PERR_OK}, /* added by hand: removable */
		{&mandatory, &sys_member, &sys_member, true, PERR_FORBIDDEN},
		{&mandatory, &member, &member, true, PERR_FORBIDDEN},
		{&direct, &member, &member, true, PERR_FORBIDDEN},
		{&archived, &owner, &member, false, PERR_FORBIDDEN},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int got = chat_policy_may_remove(rows[i].c, rows[i].actor, rows[i].target, rows[i].self,
						 &field);
		if (got != rows[i].want)
			fail_msg("row %zu: got %s, want %s", i, perr_str(got), perr_str(rows[i].want));
	}
	chat_policy_may_remove(&group, &owner, &owner, true, &field);
	assert_string_equal(field, "user_id");
}

static void test_roles_and_mutes(void **state)
{
	(void)state;
	const char *field = NULL;
	assert_int_equal(chat_policy_may_set_role(&group, &owner, &member, CHAT_ROLE_ADMIN, false, &field),
			 PERR_OK);
	assert_int_equal(chat_policy_may_set_role(&group, &owner, &admin, CHAT_ROLE_MEMBER, false, &field),
			 PERR_OK);
	assert_int_equal(chat_policy_may_set_role(&group, &owner, &member, CHAT_ROLE_OWNER, false, &field),
			 PERR_OK);
	assert_int_equal(chat_policy_may_set_role(&group, &admin, &member, CHAT_ROLE_ADMIN, false, &field),
			 PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_set_role(&group, &member, &member, CHAT_ROLE_ADMIN, true, &field),
			 PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_set_role(&group, &owner, &owner, CHAT_ROLE_MEMBER, true, &field),
			 PERR_CONFLICT);
	assert_string_equal(field, "role");
	assert_int_equal(chat_policy_may_set_role(&group, &owner, &nobody, CHAT_ROLE_ADMIN, false, &field),
			 PERR_NOT_FOUND);
	assert_int_equal(chat_policy_may_set_role(&direct, &owner, &member, CHAT_ROLE_ADMIN, false, &field),
			 PERR_FORBIDDEN);
	/* the structure sets a system member's role; ownership may still be handed over */
	assert_int_equal(chat_policy_may_set_role(&mandatory, &owner, &sys_member, CHAT_ROLE_ADMIN, false,
						  &field),
			 PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_set_role(&mandatory, &owner, &sys_admin, CHAT_ROLE_OWNER, false,
						  &field),
			 PERR_OK);

	assert_int_equal(chat_policy_may_mute(&group, &owner, &admin, false, &field), PERR_OK);
	assert_int_equal(chat_policy_may_mute(&group, &admin, &member, false, &field), PERR_OK);
	assert_int_equal(chat_policy_may_mute(&mandatory, &sys_admin, &sys_member, false, &field), PERR_OK);
	assert_int_equal(chat_policy_may_mute(&group, &admin, &admin, false, &field), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_mute(&group, &admin, &owner, false, &field), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_mute(&group, &member, &member, false, &field), PERR_FORBIDDEN);
	assert_int_equal(chat_policy_may_mute(&group, &owner, &owner, true, &field), PERR_CONFLICT);
	assert_int_equal(chat_policy_may_mute(&group, &owner, &nobody, false, &field), PERR_NOT_FOUND);
	assert_int_equal(chat_policy_may_mute(&direct, &member, &member, false, &field), PERR_FORBIDDEN);

	assert_true(chat_policy_may_see_reads(&admin, false));
	assert_true(chat_policy_may_see_reads(&owner, false));
	assert_true(chat_policy_may_see_reads(&member, true));
	assert_false(chat_policy_may_see_reads(&member, false));
	assert_false(chat_policy_may_see_reads(&nobody, true));
}

static void test_values(void **state)
{
	(void)state;
	char out[1024 * 4 + 1];
	assert_int_equal(chat_policy_title("  Студсовет  ", strlen("  Студсовет  "), out, sizeof out), PERR_OK);
	assert_string_equal(out, "Студсовет");
	assert_int_equal(chat_policy_title("   ", 3, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_title("", 0, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_title("a\nb", 3, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_title("a\x7f", 2, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_title("a\xc2\x85", 3, out, sizeof out), PERR_INVALID); /* C1 NEL */
	assert_int_equal(chat_policy_title("\xff", 1, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_title("a\0b", 3, out, sizeof out), PERR_INVALID);
	char t[402];
	memset(t, 0, sizeof t);
	for (int i = 0; i < 200; i++)
		memcpy(t + 2 * i, "ж", 2); /* 200 characters, 400 bytes */
	assert_int_equal(chat_policy_title(t, 400, out, sizeof out), PERR_OK);
	memcpy(t + 400, "ж", 2);
	assert_int_equal(chat_policy_title(t, 402, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_title(t, 400, out, 100), PERR_INVALID); /* out too small */

	assert_int_equal(chat_policy_description("", 0, out, sizeof out), PERR_OK);
	assert_string_equal(out, "");
	assert_int_equal(chat_policy_description("line 1\nline 2\r\n\tend", 19, out, sizeof out), PERR_OK);
	assert_int_equal(chat_policy_description("bell\a", 5, out, sizeof out), PERR_INVALID);
	char d[1002];
	memset(d, 'x', sizeof d);
	assert_int_equal(chat_policy_description(d, 1000, out, sizeof out), PERR_OK);
	assert_int_equal(chat_policy_description(d, 1001, out, sizeof out), PERR_INVALID);
	assert_int_equal(chat_policy_subject("Физика", strlen("Физика"), out, sizeof out), PERR_OK);
	assert_int_equal(chat_policy_subject(" ", 1, out, sizeof out), PERR_INVALID);

	assert_true(chat_policy_valid_policy("all", 3));
	assert_true(chat_policy_valid_policy("admins", 6));
	assert_false(chat_policy_valid_policy("owner", 5));
	assert_false(chat_policy_valid_policy("admin", 5));
	assert_false(chat_policy_valid_policy(NULL, 0));

	assert_true(chat_policy_valid_slow_mode(0));
	assert_true(chat_policy_valid_slow_mode(3600));
	assert_false(chat_policy_valid_slow_mode(3601));
	assert_false(chat_policy_valid_slow_mode(-1));
	assert_true(chat_policy_valid_mute(0));
	assert_false(chat_policy_valid_mute(59));
	assert_true(chat_policy_valid_mute(60));
	assert_true(chat_policy_valid_mute(2592000));
	assert_false(chat_policy_valid_mute(2592001));

	char key[48];
	chat_policy_direct_key(17, 5, key);
	assert_string_equal(key, "5:17");
	chat_policy_direct_key(5, 17, key);
	assert_string_equal(key, "5:17");

	assert_int_equal(chat_policy_prefix("абв", 6, 2), 4);
	assert_int_equal(chat_policy_prefix("абв", 6, 3), 6);
	assert_int_equal(chat_policy_prefix("abc", 3, 0), 0);

	assert_int_equal(chat_kind_parse("channel", 7), CHAT_KIND_CHANNEL);
	assert_int_equal(chat_kind_parse("chan", 4), CHAT_KIND_NONE);
	assert_int_equal(chat_role_parse("owner", 5), CHAT_ROLE_OWNER);
	assert_int_equal(chat_role_parse("", 0), CHAT_ROLE_NONE);
	assert_string_equal(chat_role_name(CHAT_ROLE_ADMIN), "admin");
	assert_string_equal(chat_kind_name(CHAT_KIND_NONE), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contact_table),   cmocka_unit_test(test_create_chat),
		cmocka_unit_test(test_update_and_add),  cmocka_unit_test(test_remove),
		cmocka_unit_test(test_roles_and_mutes), cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
