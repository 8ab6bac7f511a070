/* SPDX-License-Identifier: MIT */
/* Account rules: login normalization, names, passwords, hashing, tokens,
 * CSRF derivation; and the login rate limiter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "domain/accounts.h"
#include "domain/ratelimit.h"

static void test_logins(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} ok[] = {
		{"Admin@College.RU", "admin@college.ru"},
		{"  a.b+c@mail.example.org ", "a.b+c@mail.example.org"},
		{"+7 (912) 345-67-89", "+79123456789"},
		{"8 912 345 67 89", "+79123456789"},
		{"9123456789", "+79123456789"},
		{"+44 20 7946 0958", "+442079460958"},
	};
	const char *bad[] = {"", "   ", "abc", "@college.ru", "a@b", "a@@b.ru", "a@.ru", "a@b.ru.",
			     "a b@c.ru", "12345", "+7912345678901234", "+7 912 abc", "7+912",
			     "анна@колледж.рф"};
	char out[ACCOUNT_LOGIN_MAX + 1];
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (account_normalize_login(ok[i].in, strlen(ok[i].in), out, sizeof out) != PERR_OK)
			fail_msg("rejected %s", ok[i].in);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (account_normalize_login(bad[i], strlen(bad[i]), out, sizeof out) != PERR_INVALID)
			fail_msg("accepted %s as %s", bad[i], out);
}

static void test_names_passwords(void **state)
{
	(void)state;
	char out[ACCOUNT_NAME_MAX + 1];
	assert_int_equal(account_normalize_name(" Анна Петровна ", strlen(" Анна Петровна "), out, sizeof out), PERR_OK);
	assert_string_equal(out, "Анна Петровна");
	assert_int_equal(account_normalize_name("  ", 2, out, sizeof out), PERR_INVALID);
	assert_int_equal(account_normalize_name("a\nb", 3, out, sizeof out), PERR_INVALID);
	assert_int_equal(account_normalize_name("\xff\xfe", 2, out, sizeof out), PERR_INVALID);
	char longname[ACCOUNT_NAME_MAX + 2];
	memset(longname, 'x', sizeof longname);
	assert_int_equal(account_normalize_name(longname, sizeof longname, out, sizeof out),
			 PERR_INVALID);

	assert_int_equal(account_check_password("1234567", 7), PERR_INVALID);
	assert_int_equal(account_check_password("12345678", 8), PERR_OK);
	assert_int_equal(account_check_password("пароль12", strlen("пароль12")), PERR_OK);
	assert_int_equal(account_check_password("\xc3\x28xxxxxxx", 9), PERR_INVALID);
}

static void test_hashing(void **state)
{
	(void)state;
	char h1[ACCOUNT_HASH_MAX], h2[ACCOUNT_HASH_MAX];
	assert_int_equal(account_hash_password("correct horse", 13, h1), PERR_OK);
	assert_int_equal(account_hash_password("correct horse", 13, h2), PERR_OK);
	assert_non_null(strstr(h1, "$argon2id$"));
	assert_string_not_equal(h1, h2); /* salted */
	assert_true(account_verify_password(h1, "correct horse", 13));
	assert_false(account_verify_password(h1, "correct horsE", 13));
	assert_false(account_verify_password(NULL, "x", 1));
	assert_false(account_verify_password("", "x", 1));
}

static void test_tokens(void **state)
{
	(void)state;
	char a[ACCOUNT_TOKEN_LEN + 1], b[ACCOUNT_TOKEN_LEN + 1];
	token_generate(a);
	token_generate(b);
	assert_int_equal(strlen(a), ACCOUNT_TOKEN_LEN);
	assert_string_not_equal(a, b);
	for (const char *p = a; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
	uint8_t ha[32], ha2[32], hb[32];
	token_hash(a, strlen(a), ha);
	token_hash(a, strlen(a), ha2);
	token_hash(b, strlen(b), hb);
	assert_memory_equal(ha, ha2, 32);
	assert_memory_not_equal(ha, hb, 32);

	uint8_t k1[ACCOUNT_KEY_LEN] = {1}, k2[ACCOUNT_KEY_LEN] = {2};
	char c1[ACCOUNT_TOKEN_LEN + 1], c2[ACCOUNT_TOKEN_LEN + 1], c3[ACCOUNT_TOKEN_LEN + 1];
	csrf_token_for(k1, a, strlen(a), c1);
	csrf_token_for(k2, a, strlen(a), c2);
	csrf_token_for(k1, b, strlen(b), c3);
	assert_string_not_equal(c1, c2);
	assert_string_not_equal(c1, c3);
	assert_true(token_equal(c1, c1));
	assert_false(token_equal(c1, c2));
	assert_false(token_equal(c1, "short"));
}

static void test_ratelimit(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(3, 60000, 10);
	uint32_t retry = 0;
	uint64_t t = 1000000;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_check(rl, "ip:1", t, &retry), PERR_OK);
		ratelimit_spend(rl, "ip:1", t);
	}
	assert_int_equal(ratelimit_check(rl, "ip:1", t, &retry), PERR_RATE_LIMITED);
	assert_true(retry >= 1 && retry <= 20);
	/* other keys are independent */
	assert_int_equal(ratelimit_check(rl, "ip:2", t, &retry), PERR_OK);
	/* a third of the window refills one token */
	assert_int_equal(ratelimit_check(rl, "ip:1", t + 20000, &retry), PERR_OK);
	ratelimit_spend(rl, "ip:1", t + 20000);
	assert_int_equal(ratelimit_check(rl, "ip:1", t + 20000, &retry), PERR_RATE_LIMITED);
	ratelimit_reset(rl, "ip:1");
	assert_int_equal(ratelimit_check(rl, "ip:1", t + 20000, &retry), PERR_OK);
	/* bounded memory: past max_keys, full buckets are pruned */
	char key[16];
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "k%d", i);
		ratelimit_spend(rl, key, t + 20000 + (uint64_t)i * 60000);
	}
	ratelimit_free(rl);
}

int main(void)
{
	if (accounts_init())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logins),  cmocka_unit_test(test_names_passwords),
		cmocka_unit_test(test_hashing), cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
