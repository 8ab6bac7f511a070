/* SPDX-License-Identifier: MIT */
/* Account rules: logins, names, passwords, tokens. Pure functions over
 * libsodium; no store access. */
#include "domain/accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"

/* Interactive limits (2 passes, 64 MiB) would allow only a handful of
 * parallel logins in 24 GiB with headroom for everything else; 32 MiB with 3
 * passes keeps the same order of cost per guess at half the memory. */
#define PWHASH_OPS 3
#define PWHASH_MEM (32u * 1024 * 1024)

int accounts_init(void)
{
	return sodium_init() < 0 ? PERR_INTERNAL : PERR_OK;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static int normalize_email(const char *s, size_t len, char *out, size_t out_size)
{
	const char *at = memchr(s, '@', len);
	if (!at || at == s || len > ACCOUNT_LOGIN_MAX || len + 1 > out_size)
		return PERR_INVALID;
	size_t local = (size_t)(at - s);
	const char *dom = at + 1;
	size_t dlen = len - local - 1;
	if (dlen < 3 || memchr(dom, '@', dlen) || !memchr(dom, '.', dlen) || dom[0] == '.' ||
	    dom[dlen - 1] == '.')
		return PERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == ',' || c == ';' || c == '<' || c == '>' ||
		    c == '\\' || c >= 0x80)
			return PERR_INVALID;
		out[i] = (char)tolower(c);
	}
	out[len] = '\0';
	return PERR_OK;
}

static int normalize_phone(const char *s, size_t len, char *out, size_t out_size)
{
	char digits[32];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isdigit(c)) {
			if (n >= sizeof digits - 1)
				return PERR_INVALID;
			digits[n++] = (char)c;
		} else if (c == '+' && i == 0) {
			continue;
		} else if (c != ' ' && c != '-' && c != '(' && c != ')') {
			return PERR_INVALID;
		}
	}
	digits[n] = '\0';
	if (n == 11 && digits[0] == '8')
		digits[0] = '7';
	if (n == 10 && s[0] != '+' && digits[0] == '9') {
		/* a Russian mobile number written without the country code */
		memmove(digits + 1, digits, n + 1);
		digits[0] = '7';
		n++;
	}
	if (n < 10 || n > 15 || n + 2 > out_size)
		return PERR_INVALID;
	out[0] = '+';
	memcpy(out + 1, digits, n + 1);
	return PERR_OK;
}

int account_normalize_login(const char *in, size_t len, char *out, size_t out_size)
{
	trim(&in, &len);
	if (len == 0 || len > ACCOUNT_LOGIN_MAX)
		return PERR_INVALID;
	if (memchr(in, '@', len))
		return normalize_email(in, len, out, out_size);
	return normalize_phone(in, len, out, out_size);
}

int account_normalize_name(const char *in, size_t len, char *out, size_t out_size)
{
	trim(&in, &len);
	if (len == 0 || len > ACCOUNT_NAME_MAX || len + 1 > out_size || !utf8_valid(in, len))
		return PERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f)
			return PERR_INVALID;
	}
	memcpy(out, in, len);
	out[len] = '\0';
	return PERR_OK;
}

int account_check_password(const char *pw, size_t len)
{
	if (len < ACCOUNT_PASSWORD_MIN || len > ACCOUNT_PASSWORD_MAX || !utf8_valid(pw, len))
		return PERR_INVALID;
	return PERR_OK;
}

int account_hash_password(const char *pw, size_t len, char out[ACCOUNT_HASH_MAX])
{
	_Static_assert(crypto_pwhash_STRBYTES <= ACCOUNT_HASH_MAX, "hash buffer too small");
	if (crypto_pwhash_str_alg(out, pw, len, PWHASH_OPS, PWHASH_MEM,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return PERR_NOMEM;
	return PERR_OK;
}

bool account_verify_password(const char *hash, const char *pw, size_t len)
{
	if (!hash || !*hash)
		return false;
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

void account_burn_verify(const char *pw, size_t len)
{
	char h[ACCOUNT_HASH_MAX];
	account_hash_password(pw, len, h);
}

static void b64url(const uint8_t *bin, size_t n, char *out, size_t out_size)
{
	sodium_bin2base64(out, out_size, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void token_generate(char out[ACCOUNT_TOKEN_LEN + 1])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	b64url(raw, sizeof raw, out, ACCOUNT_TOKEN_LEN + 1);
	sodium_memzero(raw, sizeof raw);
}

void token_hash(const char *token, size_t len, uint8_t out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, len, NULL, 0);
}

void csrf_token_for(const uint8_t key[ACCOUNT_KEY_LEN], const char *session_token, size_t len,
		    char out[ACCOUNT_TOKEN_LEN + 1])
{
	uint8_t mac[32];
	crypto_generichash(mac, sizeof mac, (const unsigned char *)session_token, len, key,
			   ACCOUNT_KEY_LEN);
	b64url(mac, sizeof mac, out, ACCOUNT_TOKEN_LEN + 1);
}

bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}
