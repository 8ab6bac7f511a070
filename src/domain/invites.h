/* SPDX-License-Identifier: MIT */
/* Invitation links without I/O: the token (128-bit random, base64url without
 * padding, 22 characters), the hash it is stored and looked up under
 * (BLAKE2b-256), its sealed copy (XSalsa20-Poly1305 with a key derived from
 * the server key) so that those who manage a link can show or print it again,
 * which role may be invited into which kind of org unit, the defaults and
 * limits of a link, the join URL, and the short "Фамилия И." form of a name
 * shown in a parent link's roster. Pure functions; any thread. libsodium must
 * be initialized (accounts_init) before the token functions are called. */
#ifndef PARTA_DOMAIN_INVITES_H
#define PARTA_DOMAIN_INVITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/authz.h"

#define INVITE_TOKEN_BYTES 16      /* 128 bits of randomness */
#define INVITE_TOKEN_LEN 22        /* base64url of 16 bytes, no padding */
#define INVITE_HASH_LEN 32         /* BLAKE2b-256, = STORE_HASH_LEN */
#define INVITE_KEY_LEN 32          /* the server key (= ACCOUNT_KEY_LEN) */
/* nonce (24) + MAC (16) + the token's characters */
#define INVITE_SEALED_LEN (24 + 16 + INVITE_TOKEN_LEN)

#define INVITE_TTL_DEFAULT_S (7 * 24 * 3600)
#define INVITE_TTL_MIN_S 3600
#define INVITE_TTL_MAX_S 31536000
#define INVITE_MAX_USES_MAX 10000
#define INVITE_NOTE_MAX 200        /* characters (code points) */
#define INVITE_REASON_MAX 500      /* characters of a join-request decision's reason */
#define INVITE_NAME_SHORT_MAX 256  /* bytes of a "Фамилия И." form, NUL included */

/* A new random token (NUL-terminated base64url, INVITE_TOKEN_LEN characters). */
void invite_token_new(char out[INVITE_TOKEN_LEN + 1]);
/* True if token[0..len) has the shape of a token (22 base64url characters).
 * Cheap pre-check before any lookup: a malformed token is simply unknown. */
bool invite_token_well_formed(const char *token, size_t len);
/* The hash under which a token is stored and looked up. */
void invite_token_hash(const char *token, size_t len, uint8_t out[INVITE_HASH_LEN]);
/* Encrypt a well-formed token with a key derived from server_key (a random
 * nonce each time) into out. PERR_OK, or PERR_INVALID if the token is not
 * well formed. */
int invite_token_seal(const uint8_t server_key[INVITE_KEY_LEN], const char *token,
		      uint8_t out[INVITE_SEALED_LEN]);
/* Decrypt a sealed token into out (NUL-terminated). PERR_OK, or PERR_INVALID
 * if sealed is not INVITE_SEALED_LEN bytes, was sealed with another key, was
 * tampered with, or does not hold a well-formed token (out is then ""). */
int invite_token_unseal(const uint8_t server_key[INVITE_KEY_LEN], const uint8_t *sealed,
			size_t len, char out[INVITE_TOKEN_LEN + 1]);

/* Whether a link can be redeemed now; the order is the order of the checks
 * (a revoked link is reported revoked even if it has also expired). */
enum invite_state {
	INVITE_LIVE = 0,
	INVITE_REVOKED,
	INVITE_EXPIRED,
	INVITE_EXHAUSTED,
};
/* revoked_at 0: not revoked. A link is expired once now >= expires_at and
 * exhausted once uses >= max_uses. */
enum invite_state invite_state_at(int64_t revoked_at, int64_t expires_at, int64_t uses,
				  int64_t max_uses, int64_t now);
/* "live", "revoked", "expired", "exhausted": also the error field values
 * that tell a client why a link was refused. */
const char *invite_state_name(enum invite_state s);

/* The link people open: "{public_url}/join/{token}" into out (NUL-terminated;
 * PERR_LIMIT if it does not fit). public_url has no trailing slash. */
int invite_url(const char *public_url, const char *token, char *out, size_t out_size);

/* Roles a link may invite: administration, teacher, staff (into the college,
 * a branch or a department) and curator, student, parent (into a study
 * group). Never platform_admin: that is an appointment, not a link. */
bool invite_role_linkable(enum role role);
/* PERR_OK if a link for role may target an org unit of this kind ("college",
 * "branch", "department", "study_group"); PERR_INVALID otherwise. */
int invite_check_target(enum role role, const char *unit_kind);
/* Default maximum uses: 100 for student and parent links (a whole group and
 * its families), 1 for personal staff links. */
int64_t invite_default_max_uses(enum role role);
/* Whether joining through a link for role needs approval: parent links always
 * do (the curator confirms the child), whatever the link says. */
bool invite_needs_approval(enum role role, bool requested);
/* True if note[0..len) is a valid note: UTF-8, at most INVITE_NOTE_MAX code
 * points, no control characters (a note is one line). Empty is valid. */
bool invite_note_valid(const char *note, size_t len);
/* True if a reject reason is valid: 1..INVITE_REASON_MAX code points of UTF-8
 * after trimming, newlines allowed, other control characters not. */
bool invite_reason_valid(const char *reason, size_t len);

/* The short form of a full name for rosters shown to applicants: the first
 * word (the surname in "Фамилия Имя Отчество") and the first letter of the
 * second word with a dot, e.g. "Иванов Пётр Сергеевич" → "Иванов П.". A
 * one-word name is returned as is. Writes NUL-terminated UTF-8 into out
 * (truncated at a character boundary if out is too small). */
void invite_name_short(const char *full, char *out, size_t out_size);

#endif
