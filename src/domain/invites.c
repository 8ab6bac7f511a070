/* SPDX-License-Identifier: MIT */
/* Invitation tokens and link rules: generation, hashing and sealing with
 * libsodium; which role a link may carry into which kind of unit; defaults,
 * note and reason validation; the short name form for rosters. */
#include "domain/invites.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"

/* crypto_kdf contexts are exactly 8 bytes */
#define INVITE_KDF_CONTEXT "invites_"
#define INVITE_KDF_ID 1

_Static_assert(INVITE_SEALED_LEN ==
		       crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + INVITE_TOKEN_LEN,
	       "sealed token layout");
_Static_assert(INVITE_KEY_LEN == crypto_kdf_KEYBYTES, "server key size");
_Static_assert(crypto_secretbox_KEYBYTES == 32, "secretbox key size");

void invite_token_new(char out[INVITE_TOKEN_LEN + 1])
{
	uint8_t raw[INVITE_TOKEN_BYTES];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, INVITE_TOKEN_LEN + 1, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

static bool invites__b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

bool invite_token_well_formed(const char *token, size_t len)
{
	if (!token || len != INVITE_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!invites__b64url_char(token[i]))
			return false;
	return true;
}

void invite_token_hash(const char *token, size_t len, uint8_t out[INVITE_HASH_LEN])
{
	crypto_generichash(out, INVITE_HASH_LEN, (const unsigned char *)token, len, NULL, 0);
}

static void invites__seal_key(const uint8_t server_key[INVITE_KEY_LEN],
			      uint8_t key[crypto_secretbox_KEYBYTES])
{
	crypto_kdf_derive_from_key(key, crypto_secretbox_KEYBYTES, INVITE_KDF_ID, INVITE_KDF_CONTEXT,
				   server_key);
}

int invite_token_seal(const uint8_t server_key[INVITE_KEY_LEN], const char *token,
		      uint8_t out[INVITE_SEALED_LEN])
{
	uint8_t key[crypto_secretbox_KEYBYTES];
	if (!token || !invite_token_well_formed(token, strlen(token)))
		return PERR_INVALID;
	invites__seal_key(server_key, key);
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const unsigned char *)token,
			      INVITE_TOKEN_LEN, out, key);
	sodium_memzero(key, sizeof key);
	return PERR_OK;
}

int invite_token_unseal(const uint8_t server_key[INVITE_KEY_LEN], const uint8_t *sealed,
			size_t len, char out[INVITE_TOKEN_LEN + 1])
{
	int rc = PERR_INVALID;
	uint8_t key[crypto_secretbox_KEYBYTES];
	out[0] = '\0';
	if (!sealed || len != INVITE_SEALED_LEN)
		return PERR_INVALID;
	invites__seal_key(server_key, key);
	if (crypto_secretbox_open_easy((unsigned char *)out, sealed + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, sealed, key) != 0)
		goto out;
	out[INVITE_TOKEN_LEN] = '\0';
	if (!invite_token_well_formed(out, INVITE_TOKEN_LEN))
		goto out;
	rc = PERR_OK;
out:
	if (rc)
		sodium_memzero(out, INVITE_TOKEN_LEN + 1);
	sodium_memzero(key, sizeof key);
	return rc;
}

enum invite_state invite_state_at(int64_t revoked_at, int64_t expires_at, int64_t uses,
				  int64_t max_uses, int64_t now)
{
	if (revoked_at)
		return INVITE_REVOKED;
	if (now >= expires_at)
		return INVITE_EXPIRED;
	if (uses >= max_uses)
		return INVITE_EXHAUSTED;
	return INVITE_LIVE;
}

const char *invite_state_name(enum invite_state s)
{
	switch (s) {
	case INVITE_LIVE:
		return "live";
	case INVITE_REVOKED:
		return "revoked";
	case INVITE_EXPIRED:
		return "expired";
	case INVITE_EXHAUSTED:
		return "exhausted";
	}
	return "";
}

int invite_url(const char *public_url, const char *token, char *out, size_t out_size)
{
	int n = snprintf(out, out_size, "%s/join/%s", public_url, token);
	return n < 0 || (size_t)n >= out_size ? PERR_LIMIT : PERR_OK;
}

bool invite_role_linkable(enum role role)
{
	switch (role) {
	case ROLE_ADMINISTRATION:
	case ROLE_TEACHER:
	case ROLE_STAFF:
	case ROLE_CURATOR:
	case ROLE_STUDENT:
	case ROLE_PARENT:
		return true;
	default:
		return false;
	}
}

int invite_check_target(enum role role, const char *unit_kind)
{
	if (!unit_kind || !invite_role_linkable(role))
		return PERR_INVALID;
	bool group = strcmp(unit_kind, "study_group") == 0;
	bool staff_unit = strcmp(unit_kind, "college") == 0 || strcmp(unit_kind, "branch") == 0 ||
			  strcmp(unit_kind, "department") == 0;
	switch (role) {
	case ROLE_CURATOR:
	case ROLE_STUDENT:
	case ROLE_PARENT:
		return group ? PERR_OK : PERR_INVALID;
	default:
		return staff_unit ? PERR_OK : PERR_INVALID;
	}
}

int64_t invite_default_max_uses(enum role role)
{
	return role == ROLE_STUDENT || role == ROLE_PARENT ? 100 : 1;
}

bool invite_needs_approval(enum role role, bool requested)
{
	return role == ROLE_PARENT ? true : requested;
}

/* Count code points of valid UTF-8 s[0..len) and tell whether it holds a
 * control character (newlines allowed or not). -1 if not valid UTF-8. */
static long invites__text_chars(const char *s, size_t len, bool allow_newline, bool *has_ctl)
{
	long n = 0;
	*has_ctl = false;
	if (!utf8_valid(s, len))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			n++;
		if (c == 0x7f || (c < 0x20 && !(allow_newline && (c == '\n' || c == '\r'))))
			*has_ctl = true;
		/* C1 controls U+0080..U+009F are encoded C2 80..C2 9F */
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
			*has_ctl = true;
	}
	return n;
}

bool invite_note_valid(const char *note, size_t len)
{
	bool ctl;
	long n = invites__text_chars(note, len, false, &ctl);
	return n >= 0 && n <= INVITE_NOTE_MAX && !ctl;
}

static bool invites__space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool invite_reason_valid(const char *reason, size_t len)
{
	bool ctl;
	while (len && invites__space(reason[0])) {
		reason++;
		len--;
	}
	while (len && invites__space(reason[len - 1]))
		len--;
	long n = invites__text_chars(reason, len, true, &ctl);
	return n >= 1 && n <= INVITE_REASON_MAX && !ctl;
}

/* Bytes of the UTF-8 sequence starting with lead byte c (1 for stray bytes). */
static size_t invites__seq_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Append s[0..n) to out at *pos, whole characters only. */
static void invites__put(char *out, size_t out_size, size_t *pos, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = invites__seq_len((unsigned char)s[i]);
		if (i + k > n || *pos + k + 1 > out_size)
			return;
		memcpy(out + *pos, s + i, k);
		*pos += k;
		i += k;
	}
}

void invite_name_short(const char *full, char *out, size_t out_size)
{
	size_t pos = 0;
	if (!out_size)
		return;
	out[0] = '\0';
	if (!full)
		return;
	const char *p = full;
	while (*p && invites__space(*p))
		p++;
	const char *w1 = p;
	while (*p && !invites__space(*p))
		p++;
	size_t w1_len = (size_t)(p - w1);
	while (*p && invites__space(*p))
		p++;
	invites__put(out, out_size, &pos, w1, w1_len);
	if (*p && pos + 1 < out_size) {
		size_t k = invites__seq_len((unsigned char)*p);
		size_t avail = strnlen(p, k);
		if (avail == k && pos + 1 + k + 1 + 1 <= out_size) {
			out[pos++] = ' ';
			memcpy(out + pos, p, k);
			pos += k;
			out[pos++] = '.';
		}
	}
	out[pos] = '\0';
}
