/* SPDX-License-Identifier: MIT */
/* Helpers shared by the two files of the SQLite chat administration
 * (chat_admin.c: writes; chat_views.c: reads). Not for use elsewhere. Any
 * connection (reader or writer), inside a job. */
#ifndef PARTA_STORE_SQLITE_CHAT_ADMIN_INT_H
#define PARTA_STORE_SQLITE_CHAT_ADMIN_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/chat_policy.h"

struct sqlite_conn;

/* A message (m, a messages row) is visible to reader ?2 if one of their
 * membership spans in the chat covers its seq. */
#define CA_VISIBLE                                                                              \
	"EXISTS(SELECT 1 FROM chat_member_spans p WHERE p.chat_id=m.chat_id AND p.user_id=?2 AND " \
	"m.seq>=p.from_seq AND (p.to_seq IS NULL OR m.seq<=p.to_seq))"

/* The single integer of a one-row query (sql a string literal) with up to
 * three int64 parameters (as many as it has). PERR_NOT_FOUND without a row. */
int sqlite_ca_int(struct sqlite_conn *cn, const char *sql, int64_t a, int64_t b, int64_t c,
		  int64_t *out);
/* Column i as text into dst[n] ("" for NULL). */
void sqlite_ca_col_copy(char *dst, size_t n, sqlite3_stmt *s, int i);
/* user_id's membership in chat_id (role NONE if not a member) and, if
 * muted_until is not NULL, their mute (unix seconds, 0: none). */
int sqlite_ca_membership(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			 struct chat_membership *m, int64_t *muted_until);
/* The contact policy inside a job: PERR_OK if actor may write to target at
 * now_s (authz_may_contact with the facts of the structure, memberships and
 * guardianships read on cn), PERR_FORBIDDEN if not, or a store error. */
int sqlite_ca_contact(struct sqlite_conn *cn, int64_t actor, int64_t target, int64_t now_s,
		      bool classmates_allowed);

#endif
