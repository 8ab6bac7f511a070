/* SPDX-License-Identifier: MIT */
/* College structure rules: which unit kind nests under which, which role fits
 * which kind of unit, names, codes, years and details, the search case fold
 * (ASCII and Cyrillic) and the audit search's dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "domain/org.h"

static void test_kinds(void **state)
{
	(void)state;
	for (int k = ORG_NONE + 1; k < ORG__COUNT; k++) {
		const char *n = org_kind_name((enum org_kind)k);
		assert_int_equal(org_kind_parse(n, strlen(n)), k);
	}
	assert_int_equal(org_kind_parse("group", 5), ORG_NONE);
	assert_int_equal(org_kind_parse("study_group ", 12), ORG_NONE);
	assert_int_equal(org_kind_parse("", 0), ORG_NONE);
	assert_string_equal(org_kind_name(ORG__COUNT), "");
	assert_string_equal(org_kind_name(ORG_NONE), "");
}

static void test_parent_rules(void **state)
{
	(void)state;
	/* want[child][parent] */
	static const bool want[ORG__COUNT][ORG__COUNT] = {
		[ORG_BRANCH] = {[ORG_COLLEGE] = true},
		[ORG_DEPARTMENT] = {[ORG_COLLEGE] = true, [ORG_BRANCH] = true},
		[ORG_STUDY_GROUP] = {[ORG_COLLEGE] = true, [ORG_BRANCH] = true,
				     [ORG_DEPARTMENT] = true},
	};
	for (int c = 0; c < ORG__COUNT; c++) {
		for (int p = 0; p < ORG__COUNT; p++) {
			int rc = org_parent_check((enum org_kind)c, (enum org_kind)p);
			if ((rc == PERR_OK) != want[c][p])
				fail_msg("%s under %s: got %d", org_kind_name((enum org_kind)c),
					 org_kind_name((enum org_kind)p), rc);
		}
	}
	/* out of range */
	assert_int_equal(org_parent_check(ORG__COUNT, ORG_COLLEGE), PERR_INVALID);
	assert_int_equal(org_parent_check(ORG_BRANCH, (enum org_kind)-1), PERR_INVALID);
}

static void test_role_units(void **state)
{
	(void)state;
	struct {
		enum role role;
		enum org_kind kind;
		int rc;
		const char *field;
	} cases[] = {
		{ROLE_STUDENT, ORG_STUDY_GROUP, PERR_OK, NULL},
		{ROLE_STUDENT, ORG_COLLEGE, PERR_INVALID, "unit_id"},
		{ROLE_STUDENT, ORG_BRANCH, PERR_INVALID, "unit_id"},
		{ROLE_STUDENT, ORG_DEPARTMENT, PERR_INVALID, "unit_id"},
		{ROLE_CURATOR, ORG_STUDY_GROUP, PERR_OK, NULL},
		{ROLE_CURATOR, ORG_DEPARTMENT, PERR_INVALID, "unit_id"},
		{ROLE_TEACHER, ORG_COLLEGE, PERR_OK, NULL},
		{ROLE_TEACHER, ORG_BRANCH, PERR_OK, NULL},
		{ROLE_TEACHER, ORG_DEPARTMENT, PERR_OK, NULL},
		{ROLE_TEACHER, ORG_STUDY_GROUP, PERR_INVALID, "unit_id"},
		{ROLE_STAFF, ORG_BRANCH, PERR_OK, NULL},
		{ROLE_STAFF, ORG_STUDY_GROUP, PERR_INVALID, "unit_id"},
		{ROLE_ADMINISTRATION, ORG_COLLEGE, PERR_OK, NULL},
		{ROLE_ADMINISTRATION, ORG_DEPARTMENT, PERR_OK, NULL},
		{ROLE_ADMINISTRATION, ORG_STUDY_GROUP, PERR_INVALID, "unit_id"},
		{ROLE_PLATFORM_ADMIN, ORG_COLLEGE, PERR_OK, NULL},
		{ROLE_PLATFORM_ADMIN, ORG_BRANCH, PERR_INVALID, "unit_id"},
		{ROLE_PARENT, ORG_STUDY_GROUP, PERR_INVALID, "role"},
		{ROLE_PARENT, ORG_COLLEGE, PERR_INVALID, "role"},
		{ROLE_NONE, ORG_COLLEGE, PERR_INVALID, "role"},
		{ROLE__COUNT, ORG_COLLEGE, PERR_INVALID, "role"},
		{ROLE_TEACHER, ORG_NONE, PERR_INVALID, "unit_id"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *field = "untouched";
		int rc = org_role_unit_check(cases[i].role, cases[i].kind, &field);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %s in %s: rc %d", i, role_name(cases[i].role),
				 org_kind_name(cases[i].kind), rc);
		if (cases[i].field)
			assert_string_equal(field, cases[i].field);
		else
			assert_null(field);
	}
	/* field may be NULL */
	assert_int_equal(org_role_unit_check(ROLE_PARENT, ORG_STUDY_GROUP, NULL), PERR_INVALID);
}

static void test_texts(void **state)
{
	(void)state;
	char out[ORG_NAME_BUF];
	const char *in = "  Бардымский филиал \t";
	assert_int_equal(org_normalize_text(in, strlen(in), 1, ORG_NAME_MAX_CHARS, out, sizeof out),
			 PERR_OK);
	assert_string_equal(out, "Бардымский филиал");
	/* counted in characters, not bytes: 200 Cyrillic letters fit */
	char big[ORG_NAME_MAX_CHARS * 2 + 3];
	for (int i = 0; i < ORG_NAME_MAX_CHARS; i++)
		memcpy(big + 2 * i, "Ж", 2);
	assert_int_equal(org_normalize_text(big, 2 * ORG_NAME_MAX_CHARS, 1, ORG_NAME_MAX_CHARS, out,
					    sizeof out),
			 PERR_OK);
	memcpy(big + 2 * ORG_NAME_MAX_CHARS, "Ж", 2);
	assert_int_equal(org_normalize_text(big, 2 * ORG_NAME_MAX_CHARS + 2, 1, ORG_NAME_MAX_CHARS,
					    out, sizeof out),
			 PERR_INVALID);
	assert_int_equal(org_normalize_text("   ", 3, 1, 10, out, sizeof out), PERR_INVALID);
	assert_int_equal(org_normalize_text("   ", 3, 0, 10, out, sizeof out), PERR_OK);
	assert_string_equal(out, "");
	assert_int_equal(org_normalize_text("a\nb", 3, 1, 10, out, sizeof out), PERR_INVALID);
	assert_int_equal(org_normalize_text("a\x7f", 2, 1, 10, out, sizeof out), PERR_INVALID);
	assert_int_equal(org_normalize_text("a\xc2\x85", 3, 1, 10, out, sizeof out), PERR_INVALID);
	assert_int_equal(org_normalize_text("\xff\xfe", 2, 1, 10, out, sizeof out), PERR_INVALID);
	/* the output buffer bounds the bytes too */
	assert_int_equal(org_normalize_text("abcdef", 6, 1, 10, out, 6), PERR_INVALID);
	/* in place */
	char inplace[] = "  ТМ-21 ";
	assert_int_equal(org_normalize_text(inplace, strlen(inplace), 1, 10, inplace, sizeof inplace),
			 PERR_OK);
	assert_string_equal(inplace, "ТМ-21");
}

static void test_codes_years(void **state)
{
	(void)state;
	char out[ORG_CODE_BUF];
	assert_int_equal(org_normalize_code(" ТМ-21 ", strlen(" ТМ-21 "), out), PERR_OK);
	assert_string_equal(out, "ТМ-21");
	assert_int_equal(org_normalize_code("", 0, out), PERR_INVALID);
	assert_int_equal(org_normalize_code("  ", 2, out), PERR_INVALID);
	char code[ORG_CODE_MAX_CHARS * 2 + 2];
	for (int i = 0; i < ORG_CODE_MAX_CHARS; i++)
		memcpy(code + 2 * i, "Я", 2);
	assert_int_equal(org_normalize_code(code, 2 * ORG_CODE_MAX_CHARS, out), PERR_OK);
	memcpy(code + 2 * ORG_CODE_MAX_CHARS, "Я", 2);
	assert_int_equal(org_normalize_code(code, 2 * ORG_CODE_MAX_CHARS + 2, out), PERR_INVALID);

	assert_int_equal(org_check_year(1990), PERR_OK);
	assert_int_equal(org_check_year(2024), PERR_OK);
	assert_int_equal(org_check_year(2100), PERR_OK);
	assert_int_equal(org_check_year(1989), PERR_INVALID);
	assert_int_equal(org_check_year(2101), PERR_INVALID);
	assert_int_equal(org_check_year(-2024), PERR_INVALID);
}

static int details_rc(const char *json)
{
	struct json_doc *doc = NULL;
	if (json_parse(json, strlen(json), &doc, NULL))
		fail_msg("bad test JSON %s", json);
	int rc = org_check_details(json_root(doc));
	json_doc_free(doc);
	return rc;
}

static void test_details(void **state)
{
	(void)state;
	assert_int_equal(details_rc("{}"), PERR_OK);
	assert_int_equal(details_rc("{\"address\":\"617830, Пермский край, г. Чернушка\","
				    "\"phone\":\"+7 (34261) 4-18-52\",\"inn\":\"5957000000\"}"),
			 PERR_OK);
	assert_int_equal(details_rc("{\"address\":\"line 1\\nline 2\"}"), PERR_OK);
	assert_int_equal(details_rc("[]"), PERR_INVALID);
	assert_int_equal(details_rc("\"x\""), PERR_INVALID);
	assert_int_equal(details_rc("{\"phone\":12345}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"phone\":null}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"a\":{\"b\":\"c\"}}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"\":\"x\"}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"a\":\"x\",\"a\":\"y\"}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"a\":\"x\\u0000y\"}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"a\":\"bell\\u0007\"}"), PERR_INVALID);
	assert_int_equal(details_rc("{\"a\\nb\":\"x\"}"), PERR_INVALID);

	/* 32 keys are fine, 33 are not */
	char json[4096];
	size_t n = 0;
	n += (size_t)snprintf(json + n, sizeof json - n, "{");
	for (int i = 0; i < ORG_DETAILS_MAX_KEYS; i++)
		n += (size_t)snprintf(json + n, sizeof json - n, "%s\"k%d\":\"v\"", i ? "," : "", i);
	snprintf(json + n, sizeof json - n, "}");
	assert_int_equal(details_rc(json), PERR_OK);
	snprintf(json + n, sizeof json - n, ",\"extra\":\"v\"}");
	assert_int_equal(details_rc(json), PERR_INVALID);

	/* 500 characters (Cyrillic: 1000 bytes) are fine, 501 are not */
	char big[2 * 501 + 32];
	n = (size_t)snprintf(big, sizeof big, "{\"address\":\"");
	for (int i = 0; i < ORG_DETAILS_VALUE_MAX_CHARS; i++) {
		memcpy(big + n, "Ц", 2);
		n += 2;
	}
	memcpy(big + n, "\"}", 3);
	assert_int_equal(details_rc(big), PERR_OK);
	memcpy(big + n, "Ц\"}", 5);
	assert_int_equal(details_rc(big), PERR_INVALID);
	assert_int_equal(org_check_details(NULL), PERR_INVALID);
}

static void fold_is(const char *in, const char *want)
{
	char out[256];
	size_t n = org_fold(in, strlen(in), out);
	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
}

static void test_fold(void **state)
{
	(void)state;
	fold_is("", "");
	fold_is("Admin@College.RU", "admin@college.ru");
	fold_is("АБВГДЕЖЗИЙКЛМНОП", "абвгдежзийклмноп");
	fold_is("РСТУФХЦЧШЩЪЫЬЭЮЯ", "рстуфхцчшщъыьэюя");
	fold_is("абвгдежзийклмнопрстуфхцчшщъыьэюя", "абвгдежзийклмнопрстуфхцчшщъыьэюя");
	fold_is("Семён Ёлкин", "семен елкин");
	fold_is("ёЁ", "ее");
	/* other Cyrillic capitals U+0400..U+040F (Ukrainian, Belarusian…) */
	fold_is("ЄІЇЎЂ", "єіїўђ");
	/* non-letters and other scripts are kept */
	fold_is("ТМ-21 (2024) — Ω ü", "тм-21 (2024) — Ω ü");
	/* a truncated sequence at the end is copied as is */
	fold_is("Я\xd0", "я\xd0");
	/* folding never grows the text */
	const char *mixed = "ПОЛИТЕХНИЧЕСКИЙ Колледж ЁЖ";
	char out[128];
	assert_true(org_fold(mixed, strlen(mixed), out) <= strlen(mixed));
}

static void test_times(void **state)
{
	(void)state;
	struct {
		const char *in;
		bool end;
		int64_t want;
	} ok[] = {
		{"0", false, 0},
		{"1712345678", false, 1712345678},
		{"1970-01-01", false, 0},
		{"1970-01-01", true, 86399},
		{"2024-04-05", false, 1712275200},
		{"2024-04-05", true, 1712275200 + 86399},
		{"2024-02-29", false, 1709164800},
		{"2000-02-29", false, 951782400},
		{"2024-04-05T10:20:30Z", false, 1712312430},
		{"2024-04-05T10:20:30", true, 1712312430},
		{"2024-04-05 10:20", false, 1712312400},
		{"2024-04-05T10:20Z", false, 1712312400},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t t = -1;
		if (org_parse_time(ok[i].in, strlen(ok[i].in), ok[i].end, &t) != PERR_OK)
			fail_msg("rejected %s", ok[i].in);
		if (t != ok[i].want)
			fail_msg("%s: got %lld, want %lld", ok[i].in, (long long)t, (long long)ok[i].want);
	}
	const char *bad[] = {"", "-5", "12a", "1234567890123", "2024-4-5", "2024/04/05",
			     "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
			     "2024-04-00", "1969-12-31", "2024-04-05T", "2024-04-05T24:00",
			     "2024-04-05T10:60", "2024-04-05T10:20:61", "2024-04-05X10:20",
			     "2024-04-05T10:20:30+03:00", "yesterday"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t;
		if (org_parse_time(bad[i], strlen(bad[i]), false, &t) != PERR_INVALID)
			fail_msg("accepted %s as %lld", bad[i], (long long)t);
	}
	assert_int_equal(org_parse_time(NULL, 0, false, &(int64_t){0}), PERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),        cmocka_unit_test(test_parent_rules),
		cmocka_unit_test(test_role_units),   cmocka_unit_test(test_texts),
		cmocka_unit_test(test_codes_years),  cmocka_unit_test(test_details),
		cmocka_unit_test(test_fold),         cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
