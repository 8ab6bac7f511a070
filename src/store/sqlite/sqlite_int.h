/* SPDX-License-Identifier: MIT */
/* Internals of the SQLite backend shared by its files: the connection pool,
 * the group-committing writer and the statement cache. Not for use outside
 * src/store/sqlite/. */
#ifndef PARTA_STORE_SQLITE_INT_H
#define PARTA_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

struct sqlite_conn;

/* A unit of writing: runs on the writer thread inside the batch transaction,
 * wrapped in a savepoint so a failing job rolls back only itself. Returns
 * enum perr. */
typedef int (*sqlite_write_fn)(struct sqlite_conn *cn, void *arg);
/* A read: runs on the calling thread with a pooled reader connection. */
typedef int (*sqlite_read_fn)(struct sqlite_conn *cn, void *arg);

/* Queue fn for the writer and wait until its batch committed (or failed).
 * Returns fn's result, or PERR_IO if the commit failed. */
int sqlite_write(struct store *st, sqlite_write_fn fn, void *arg);
/* Run fn with a reader connection. */
int sqlite_read(struct store *st, sqlite_read_fn fn, void *arg);

/* Cached prepared statement for sql (a string literal: cached by address),
 * reset and with bindings cleared. Never NULL (aborts on a bad statement: a
 * programming error). */
sqlite3_stmt *sqlite_stmt(struct sqlite_conn *cn, const char *sql);
sqlite3 *sqlite_db(struct sqlite_conn *cn);
/* Map a sqlite result code to enum perr (constraint → PERR_CONFLICT). */
int sqlite_perr(struct sqlite_conn *cn, int rc);
/* Copy column i as a heap string (NULL if SQL NULL). */
char *sqlite_col_str(sqlite3_stmt *s, int i);

/* Account use cases (accounts.c), entries of store_sqlite_ops. */
int sqlite_admin_count(struct store *st, int64_t *out);
int sqlite_user_create(struct store *st, const struct user_new *u, int64_t *id_out);
int sqlite_user_get(struct store *st, int64_t id, struct user *out);
int sqlite_user_get_by_login(struct store *st, const char *login, struct user *out);
int sqlite_user_set_password(struct store *st, int64_t user_id, const char *hash, int64_t now,
			     int64_t keep_session_id);
int sqlite_setup_token_put(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			   int64_t expires_at);
int sqlite_setup_token_check(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now);
int sqlite_setup_complete(struct store *st, const uint8_t hash[STORE_HASH_LEN],
			  const struct user_new *admin, int64_t *id_out);
int sqlite_session_create(struct store *st, const struct session_new *s, int64_t *id_out);
int sqlite_session_lookup(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			  struct session *out);
int sqlite_session_touch(struct store *st, int64_t session_id, int64_t now, const char *ip);
int sqlite_session_list(struct store *st, int64_t user_id, int64_t now, struct session_list *out);
int sqlite_session_revoke(struct store *st, int64_t user_id, int64_t session_id, int64_t now);
int sqlite_audit_append(struct store *st, const struct audit_entry *e);
int sqlite_grants_load(struct store *st, int64_t user_id, struct grant_list *out);
int sqlite_unit_scope(struct store *st, int64_t unit_id, struct authz_scope *out, char kind[16]);
/* Audit entry inside a write job (any slice). */
int sqlite_audit_insert(struct sqlite_conn *cn, const struct audit_entry *e);

/* ==== org slice: declarations (org.c) ==== */
/* ==== end org slice: declarations ==== */
/* ==== invites slice: declarations (invites.c) ==== */
/* ==== end invites slice: declarations ==== */
/* ==== movements slice: declarations (movements.c) ==== */
/* ==== end movements slice: declarations ==== */
/* ==== import slice: declarations (import.c) ==== */
/* ==== end import slice: declarations ==== */

#endif
