/* SPDX-License-Identifier: MIT */
/* The one error enum of Parta and its single mapping to HTTP statuses, stable
 * API error codes (what clients switch on) and user-facing messages in Russian
 * and English. Every module returns these codes; only the API layer turns them
 * into responses, through this table. Any thread. */
#ifndef PARTA_BASE_ERR_H
#define PARTA_BASE_ERR_H

#include "base/i18n.h"

enum perr {
	PERR_OK = 0,
	PERR_NOMEM,
	PERR_INVALID,          /* malformed or out-of-range input */
	PERR_UNAUTHENTICATED,  /* no or bad session */
	PERR_BAD_CREDENTIALS,  /* wrong login or password */
	PERR_FORBIDDEN,        /* authenticated but not allowed */
	PERR_CSRF,             /* cookie-authenticated write without CSRF token */
	PERR_NOT_FOUND,
	PERR_METHOD,           /* route exists, method does not */
	PERR_CONFLICT,         /* unique constraint, state conflict */
	PERR_EXPIRED,          /* token or link past its expiry */
	PERR_LIMIT,            /* a size or count limit was exceeded */
	PERR_TOO_LARGE,        /* request body over the limit */
	PERR_RATE_LIMITED,
	PERR_UNSUPPORTED,      /* unsupported media type or feature */
	PERR_IO,
	PERR_UNAVAILABLE,      /* shutting down, store not ready */
	PERR_INTERNAL,
	PERR__COUNT
};

/* Stable snake_case API code, e.g. "invalid_input". Unknown values map to
 * "internal". */
const char *perr_str(int err);
/* HTTP status for the error (200 for PERR_OK). */
int perr_http_status(int err);
/* Human-readable message in the given language; never NULL. */
const char *perr_message(int err, enum lang lang);

#endif
