/* SPDX-License-Identifier: MIT */
/* The error table: every code has a status, a unique API code and messages
 * in both languages; and Accept-Language negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/err.h"
#include "base/i18n.h"

static void test_mapping(void **state)
{
	(void)state;
	struct {
		int err, status;
		const char *code;
	} want[] = {
		{PERR_OK, 200, "ok"},
		{PERR_INVALID, 400, "invalid_input"},
		{PERR_UNAUTHENTICATED, 401, "unauthenticated"},
		{PERR_BAD_CREDENTIALS, 401, "bad_credentials"},
		{PERR_FORBIDDEN, 403, "forbidden"},
		{PERR_CSRF, 403, "csrf_failed"},
		{PERR_NOT_FOUND, 404, "not_found"},
		{PERR_METHOD, 405, "method_not_allowed"},
		{PERR_CONFLICT, 409, "conflict"},
		{PERR_EXPIRED, 410, "expired"},
		{PERR_TOO_LARGE, 413, "payload_too_large"},
		{PERR_UNSUPPORTED, 415, "unsupported"},
		{PERR_RATE_LIMITED, 429, "rate_limited"},
		{PERR_INTERNAL, 500, "internal"},
		{PERR_UNAVAILABLE, 503, "unavailable"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(perr_http_status(want[i].err), want[i].status);
		assert_string_equal(perr_str(want[i].err), want[i].code);
	}
	/* out of range falls back to internal */
	assert_string_equal(perr_str(-1), "internal");
	assert_string_equal(perr_str(PERR__COUNT), "internal");
	assert_int_equal(perr_http_status(9999), 500);
}

static void test_table_complete(void **state)
{
	(void)state;
	for (int e = 0; e < PERR__COUNT; e++) {
		const char *code = perr_str(e);
		assert_non_null(code);
		int st = perr_http_status(e);
		assert_true(st >= 200 && st < 600);
		const char *ru = perr_message(e, LANG_RU), *en = perr_message(e, LANG_EN);
		assert_true(strlen(ru) > 0 && strlen(en) > 0);
		assert_string_not_equal(ru, en);
		/* Russian messages are in Cyrillic: the first byte of a Cyrillic letter is 0xD0/0xD1 */
		assert_true((unsigned char)ru[0] == 0xD0 || (unsigned char)ru[0] == 0xD1);
		for (int f = 0; f < e; f++)
			if (strcmp(perr_str(f), code) == 0 && e != PERR_INTERNAL)
				fail_msg("duplicate code %s", code);
	}
}

static void test_accept_language(void **state)
{
	(void)state;
	struct {
		const char *h;
		enum lang want;
	} cases[] = {
		{NULL, LANG_RU},
		{"", LANG_RU},
		{"en", LANG_EN},
		{"en-US,en;q=0.9", LANG_EN},
		{"ru-RU,ru;q=0.9,en;q=0.8", LANG_RU},
		{"en;q=0.5, ru;q=0.8", LANG_RU},
		{"de, en;q=0.3", LANG_EN},
		{"de, fr", LANG_RU},
		{"EN-gb", LANG_EN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *h = cases[i].h;
		if (lang_from_accept(h, h ? strlen(h) : 0) != cases[i].want)
			fail_msg("%s", h ? h : "(null)");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_accept_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
