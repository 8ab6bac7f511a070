/* SPDX-License-Identifier: MIT */
/* College structure rules with no I/O: the kinds of org units and which may
 * hang under which, which role may be held in which kind of unit, the
 * validation of unit names, study-group codes and enrolment years and of the
 * college's free-form details, the case fold used by people and audit search
 * (ASCII and Cyrillic, which SQLite's lower() leaves alone), and the dates
 * accepted by the audit search. Pure functions; any thread. */
#ifndef PARTA_DOMAIN_ORG_H
#define PARTA_DOMAIN_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/authz.h"

struct json_value;

enum org_kind {
	ORG_NONE = 0,
	ORG_COLLEGE,
	ORG_BRANCH,       /* филиал */
	ORG_DEPARTMENT,   /* a staff group, e.g. ЦМК */
	ORG_STUDY_GROUP,
	ORG__COUNT
};

#define ORG_NAME_MAX_CHARS 200
#define ORG_SHORT_NAME_MAX_CHARS 64
#define ORG_CODE_MAX_CHARS 32
#define ORG_YEAR_MIN 1990
#define ORG_YEAR_MAX 2100
#define ORG_DETAILS_MAX_KEYS 32
#define ORG_DETAILS_KEY_MAX_CHARS 64
#define ORG_DETAILS_VALUE_MAX_CHARS 500
/* Buffer sizes for normalized texts: characters may take up to 4 bytes. */
#define ORG_NAME_BUF (ORG_NAME_MAX_CHARS * 4 + 1)
#define ORG_SHORT_NAME_BUF (ORG_SHORT_NAME_MAX_CHARS * 4 + 1)
#define ORG_CODE_BUF (ORG_CODE_MAX_CHARS * 4 + 1)

/* "college", "branch", "department", "study_group" ("" for ORG_NONE). */
const char *org_kind_name(enum org_kind k);
/* ORG_NONE if s[0..len) names no kind. */
enum org_kind org_kind_parse(const char *s, size_t len);

/* May a unit of kind child hang under a live unit of kind parent? Branches
 * only under the college; departments under the college or a branch; study
 * groups under the college, a branch or a department; nothing under a study
 * group, and the college under nothing. PERR_OK or PERR_INVALID. */
int org_parent_check(enum org_kind child, enum org_kind parent);

/* May role be assigned in a unit of kind unit_kind? Students and curators
 * belong to a study group; teachers, staff and the administration to the
 * college, a branch or a department; the platform administrator to the
 * college. Parents are never assigned directly (they come through parent
 * links or import). PERR_OK, or PERR_INVALID with *field set to "role" (the
 * role cannot be assigned at all) or "unit_id" (not in this kind of unit). */
int org_role_unit_check(enum role role, enum org_kind unit_kind, const char **field);

/* Trim text[0..len) and check it is valid UTF-8 without control characters,
 * min_chars..max_chars characters (code points) long. Writes the trimmed text
 * NUL-terminated into out (which may be text itself). PERR_OK or PERR_INVALID
 * (also if out is too small). */
int org_normalize_text(const char *text, size_t len, size_t min_chars, size_t max_chars, char *out,
		       size_t out_size);
/* A study-group code: trimmed, 1..ORG_CODE_MAX_CHARS characters. */
int org_normalize_code(const char *code, size_t len, char out[ORG_CODE_BUF]);
/* ORG_YEAR_MIN..ORG_YEAR_MAX. PERR_OK or PERR_INVALID. */
int org_check_year(int64_t year);
/* The college's details: a JSON object of at most ORG_DETAILS_MAX_KEYS
 * distinct keys (1..64 characters, no control characters) whose values are
 * strings of at most ORG_DETAILS_VALUE_MAX_CHARS characters. PERR_OK or
 * PERR_INVALID. */
int org_check_details(const struct json_value *details);

/* Case-fold s[0..len) for search: ASCII and Cyrillic capitals become small
 * letters and ё/Ё becomes е (so «Семён» is found as «семен»); other bytes are
 * copied. The result is never longer than the input; out needs len + 1 bytes
 * and is NUL-terminated. Returns the length written. */
size_t org_fold(const char *s, size_t len, char *out);

/* A point in time of the audit search: unix seconds ("1712345678"), an ISO
 * date ("2024-04-05", the start of that UTC day, or with end_of_day its last
 * second) or an ISO date-time in UTC ("2024-04-05T10:20:30Z", the Z and the
 * seconds optional). PERR_OK or PERR_INVALID. */
int org_parse_time(const char *s, size_t len, bool end_of_day, int64_t *out);

#endif
