/* SPDX-License-Identifier: MIT */
/* Invitation rules: tokens (shape, randomness, hash), sealing with the server
 * key (round trip, wrong key, tampering), which role a link may carry into
 * which kind of unit, defaults, link states, note and reason validation, the
 * join URL and the short "Фамилия И." form of names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "domain/accounts.h"
#include "domain/invites.h"

static void test_tokens(void **state)
{
	(void)state;
	char a[INVITE_TOKEN_LEN + 1], b[INVITE_TOKEN_LEN + 1];
	invite_token_new(a);
	invite_token_new(b);
	assert_int_equal(strlen(a), INVITE_TOKEN_LEN);
	assert_true(invite_token_well_formed(a, strlen(a)));
	assert_string_not_equal(a, b);
	/* 22 base64url characters decode back to the 16 random bytes */
	uint8_t raw[32];
	size_t raw_len = 0;
	assert_int_equal(sodium_base642bin(raw, sizeof raw, a, strlen(a), NULL, &raw_len, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
			 0);
	assert_int_equal(raw_len, INVITE_TOKEN_BYTES);

	const char *bad[] = {"", "short", "AAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA",
			     "AAAAAAAAAAAAAAAAAAAA+A", "AAAAAAAAAAAAAAAAAAAA/A", "AAAAAAAAAAAAAAAAAAAA=A",
			     "AAAAAAAAAAAAAAAAAAAA A", "ААААААААААА"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (invite_token_well_formed(bad[i], strlen(bad[i])))
			fail_msg("accepted %s", bad[i]);
	assert_true(invite_token_well_formed("abcdefghijklmnopqrs-_9", 22));

	/* the hash is BLAKE2b-256 of the token text, the same for the same token */
	uint8_t h1[INVITE_HASH_LEN], h2[INVITE_HASH_LEN], expect[32];
	invite_token_hash(a, strlen(a), h1);
	invite_token_hash(a, strlen(a), h2);
	assert_memory_equal(h1, h2, sizeof h1);
	crypto_generichash(expect, sizeof expect, (const unsigned char *)a, strlen(a), NULL, 0);
	assert_memory_equal(h1, expect, sizeof h1);
	invite_token_hash(b, strlen(b), h2);
	assert_memory_not_equal(h1, h2, sizeof h1);
}

static void test_sealing(void **state)
{
	(void)state;
	uint8_t key[INVITE_KEY_LEN], other[INVITE_KEY_LEN];
	uint8_t s1[INVITE_SEALED_LEN], s2[INVITE_SEALED_LEN];
	char token[INVITE_TOKEN_LEN + 1], out[INVITE_TOKEN_LEN + 1];
	randombytes_buf(key, sizeof key);
	randombytes_buf(other, sizeof other);
	invite_token_new(token);

	assert_int_equal(invite_token_seal(key, token, s1), PERR_OK);
	assert_int_equal(invite_token_seal(key, token, s2), PERR_OK);
	assert_memory_not_equal(s1, s2, sizeof s1);  /* a fresh nonce each time */
	assert_null(memmem(s1, sizeof s1, token, strlen(token)));  /* not in clear */

	assert_int_equal(invite_token_unseal(key, s1, sizeof s1, out), PERR_OK);
	assert_string_equal(out, token);
	assert_int_equal(invite_token_unseal(key, s2, sizeof s2, out), PERR_OK);
	assert_string_equal(out, token);

	/* another server key, tampering, truncation: refused, out emptied */
	assert_int_equal(invite_token_unseal(other, s1, sizeof s1, out), PERR_INVALID);
	assert_string_equal(out, "");
	for (size_t i = 0; i < sizeof s1; i += 7) {
		uint8_t t[INVITE_SEALED_LEN];
		memcpy(t, s1, sizeof t);
		t[i] ^= 0x01;
		if (invite_token_unseal(key, t, sizeof t, out) != PERR_INVALID)
			fail_msg("tampered byte %zu accepted", i);
	}
	assert_int_equal(invite_token_unseal(key, s1, sizeof s1 - 1, out), PERR_INVALID);
	assert_int_equal(invite_token_unseal(key, NULL, 0, out), PERR_INVALID);

	/* only well-formed tokens are sealed */
	assert_int_equal(invite_token_seal(key, "not a token", s1), PERR_INVALID);
	assert_int_equal(invite_token_seal(key, NULL, s1), PERR_INVALID);
}

static void test_targets(void **state)
{
	(void)state;
	const char *kinds[] = {"college", "branch", "department", "study_group"};
	struct {
		enum role role;
		bool ok[4]; /* college, branch, department, study_group */
	} table[] = {
		{ROLE_ADMINISTRATION, {true, true, true, false}},
		{ROLE_TEACHER, {true, true, true, false}},
		{ROLE_STAFF, {true, true, true, false}},
		{ROLE_CURATOR, {false, false, false, true}},
		{ROLE_STUDENT, {false, false, false, true}},
		{ROLE_PARENT, {false, false, false, true}},
		{ROLE_PLATFORM_ADMIN, {false, false, false, false}},
		{ROLE_NONE, {false, false, false, false}},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		for (size_t k = 0; k < 4; k++) {
			int want = table[i].ok[k] ? PERR_OK : PERR_INVALID;
			if (invite_check_target(table[i].role, kinds[k]) != want)
				fail_msg("%s into %s: expected %s", role_name(table[i].role), kinds[k],
					 table[i].ok[k] ? "allowed" : "refused");
		}
		assert_int_equal(invite_check_target(table[i].role, "nonsense"), PERR_INVALID);
		assert_int_equal(invite_check_target(table[i].role, NULL), PERR_INVALID);
	}
	assert_false(invite_role_linkable(ROLE_PLATFORM_ADMIN));
	assert_false(invite_role_linkable(ROLE_NONE));
	assert_true(invite_role_linkable(ROLE_PARENT));

	assert_int_equal(invite_default_max_uses(ROLE_STUDENT), 100);
	assert_int_equal(invite_default_max_uses(ROLE_PARENT), 100);
	assert_int_equal(invite_default_max_uses(ROLE_TEACHER), 1);
	assert_int_equal(invite_default_max_uses(ROLE_CURATOR), 1);
	assert_int_equal(invite_default_max_uses(ROLE_ADMINISTRATION), 1);
	assert_int_equal(invite_default_max_uses(ROLE_STAFF), 1);

	/* parent links always need the curator's confirmation */
	assert_true(invite_needs_approval(ROLE_PARENT, false));
	assert_true(invite_needs_approval(ROLE_PARENT, true));
	assert_false(invite_needs_approval(ROLE_STUDENT, false));
	assert_true(invite_needs_approval(ROLE_STUDENT, true));
	assert_false(invite_needs_approval(ROLE_TEACHER, false));
}

static void test_states(void **state)
{
	(void)state;
	int64_t now = 1000000;
	assert_int_equal(invite_state_at(0, now + 1, 0, 1, now), INVITE_LIVE);
	assert_int_equal(invite_state_at(0, now, 0, 1, now), INVITE_EXPIRED);
	assert_int_equal(invite_state_at(0, now - 1, 0, 1, now), INVITE_EXPIRED);
	assert_int_equal(invite_state_at(0, now + 1, 1, 1, now), INVITE_EXHAUSTED);
	assert_int_equal(invite_state_at(0, now + 1, 99, 100, now), INVITE_LIVE);
	assert_int_equal(invite_state_at(5, now + 1, 0, 1, now), INVITE_REVOKED);
	/* revoked beats expired beats exhausted */
	assert_int_equal(invite_state_at(5, now - 1, 1, 1, now), INVITE_REVOKED);
	assert_int_equal(invite_state_at(0, now - 1, 1, 1, now), INVITE_EXPIRED);
	assert_string_equal(invite_state_name(INVITE_LIVE), "live");
	assert_string_equal(invite_state_name(INVITE_REVOKED), "revoked");
	assert_string_equal(invite_state_name(INVITE_EXPIRED), "expired");
	assert_string_equal(invite_state_name(INVITE_EXHAUSTED), "exhausted");
}

static void test_texts(void **state)
{
	(void)state;
	char buf[2048];
	/* notes: up to 200 characters (not bytes), one line */
	assert_true(invite_note_valid("", 0));
	assert_true(invite_note_valid("Для группы ТМ-21", strlen("Для группы ТМ-21")));
	size_t n = 0;
	for (int i = 0; i < INVITE_NOTE_MAX; i++, n += 2)
		memcpy(buf + n, "ж", 2);
	assert_true(invite_note_valid(buf, n));
	memcpy(buf + n, "ж", 2);
	assert_false(invite_note_valid(buf, n + 2));
	assert_false(invite_note_valid("a\nb", 3));
	assert_false(invite_note_valid("a\tb", 3));
	assert_false(invite_note_valid("\xc2\x85", 2));  /* U+0085, a C1 control */
	assert_false(invite_note_valid("\xff", 1));
	assert_false(invite_note_valid("\xd0", 1));      /* truncated sequence */

	/* reasons: 1..500 characters after trimming, newlines allowed */
	assert_false(invite_reason_valid("", 0));
	assert_false(invite_reason_valid(" \n\t ", 4));
	assert_true(invite_reason_valid("Не из этой группы", strlen("Не из этой группы")));
	assert_true(invite_reason_valid("строка 1\nстрока 2", strlen("строка 1\nстрока 2")));
	assert_false(invite_reason_valid("a\x01", 2));
	memset(buf, 'x', INVITE_REASON_MAX);
	assert_true(invite_reason_valid(buf, INVITE_REASON_MAX));
	buf[INVITE_REASON_MAX] = 'x';
	assert_false(invite_reason_valid(buf, INVITE_REASON_MAX + 1));
	/* surrounding spaces do not count */
	buf[0] = ' ';
	buf[INVITE_REASON_MAX] = ' ';
	assert_true(invite_reason_valid(buf, INVITE_REASON_MAX + 1));
}

static void test_url(void **state)
{
	(void)state;
	char out[128], tiny[16];
	assert_int_equal(invite_url("https://parta.college.ru", "abcdefghijklmnopqrs-_9", out, sizeof out),
			 PERR_OK);
	assert_string_equal(out, "https://parta.college.ru/join/abcdefghijklmnopqrs-_9");
	assert_int_equal(invite_url("https://parta.college.ru", "abcdefghijklmnopqrs-_9", tiny,
				    sizeof tiny),
			 PERR_LIMIT);
}

static void test_name_short(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} cases[] = {
		{"Иванов Пётр Сергеевич", "Иванов П."},
		{"Иванова Мария", "Иванова М."},
		{"  Петров   Ёжик ", "Петров Ё."},
		{"Сидоров", "Сидоров"},
		{"Smith John", "Smith J."},
		{"", ""},
		{"   ", ""},
		{"Ли 李明", "Ли 李."},
	};
	char out[INVITE_NAME_SHORT_MAX];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		invite_name_short(cases[i].in, out, sizeof out);
		assert_string_equal(out, cases[i].out);
	}
	/* a short buffer cuts at a character boundary, never mid-character */
	char small[8];
	invite_name_short("Иванов Пётр", small, sizeof small);
	assert_string_equal(small, "Ива");
	invite_name_short("Иванов Пётр", out, 0);
}

int main(void)
{
	if (accounts_init())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),  cmocka_unit_test(test_sealing),
		cmocka_unit_test(test_targets), cmocka_unit_test(test_states),
		cmocka_unit_test(test_texts),   cmocka_unit_test(test_url),
		cmocka_unit_test(test_name_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
