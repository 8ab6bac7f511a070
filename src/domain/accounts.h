/* SPDX-License-Identifier: MIT */
/* Account rules with no I/O: login normalization (e-mail or phone), name and
 * password validation, Argon2id password hashing (libsodium crypto_pwhash),
 * session tokens (256-bit random, stored only as BLAKE2b-256 hashes) and the
 * CSRF token derived from a session token with the server key. Any thread;
 * hashing is slow by design: call it on a store thread, never on the loop. */
#ifndef PARTA_DOMAIN_ACCOUNTS_H
#define PARTA_DOMAIN_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACCOUNT_LOGIN_MAX 254
#define ACCOUNT_NAME_MAX 200
#define ACCOUNT_PASSWORD_MIN 8
#define ACCOUNT_PASSWORD_MAX 256
#define ACCOUNT_HASH_MAX 128   /* crypto_pwhash_STRBYTES */
#define ACCOUNT_TOKEN_LEN 43   /* base64url of 32 bytes, no padding */
#define ACCOUNT_KEY_LEN 32

/* Must be called once before any other function (initializes libsodium). */
int accounts_init(void);

/* Normalize a login: an e-mail is trimmed and lower-cased and must look like
 * local@domain.tld; a phone keeps digits only with a leading '+' (a Russian
 * 11-digit number starting with 8 becomes +7…), 10 to 15 digits. Writes the
 * normalized form into out (NUL-terminated). PERR_OK or PERR_INVALID. */
int account_normalize_login(const char *in, size_t len, char *out, size_t out_size);
/* Trimmed display name, 1..ACCOUNT_NAME_MAX bytes of valid UTF-8 without
 * control characters. Writes the trimmed name into out. */
int account_normalize_name(const char *in, size_t len, char *out, size_t out_size);
/* ACCOUNT_PASSWORD_MIN..MAX bytes of valid UTF-8. */
int account_check_password(const char *pw, size_t len);

/* Argon2id hash string of pw into out[ACCOUNT_HASH_MAX]. PERR_OK or PERR_NOMEM. */
int account_hash_password(const char *pw, size_t len, char out[ACCOUNT_HASH_MAX]);
/* True if pw matches the stored hash string. */
bool account_verify_password(const char *hash, const char *pw, size_t len);
/* Spend about the time of a verification (for unknown logins, so timing does
 * not reveal which logins exist). */
void account_burn_verify(const char *pw, size_t len);

/* A new random token (NUL-terminated base64url) for sessions, setup links. */
void token_generate(char out[ACCOUNT_TOKEN_LEN + 1]);
/* The hash under which a token is stored. */
void token_hash(const char *token, size_t len, uint8_t out[32]);
/* The CSRF token bound to a session token: keyed BLAKE2b, base64url. */
void csrf_token_for(const uint8_t key[ACCOUNT_KEY_LEN], const char *session_token, size_t len,
		    char out[ACCOUNT_TOKEN_LEN + 1]);
/* Constant-time comparison of two NUL-terminated tokens. */
bool token_equal(const char *a, const char *b);

#endif
