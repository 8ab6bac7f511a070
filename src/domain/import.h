/* SPDX-License-Identifier: MIT */
/* Import of an e-journal's CSV export (groups, students, parents, staff):
 * reading the header, validating each row on its own (required values,
 * formats, logins, roles) and across the file (duplicate external ids, group
 * codes and logins), with every problem recorded as {line, field, problem}.
 * The store then resolves references (a student's group, a parent's child)
 * against the file and the database and applies the valid rows; it adds its
 * own problems (unknown group, login taken) to the same plan. The columns are
 * documented in docs/import.md. Pure: no I/O; any thread; a plan belongs to
 * one thread at a time. */
#ifndef PARTA_DOMAIN_IMPORT_H
#define PARTA_DOMAIN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/i18n.h"
#include "domain/authz.h"
#include "domain/csv.h"

#define IMPORT_ID_MAX 64        /* bytes of an external id */
#define IMPORT_NAME_PART_MAX 100 /* bytes of a last, first or middle name */
#define IMPORT_CODE_MAX 32      /* bytes of a group code */
#define IMPORT_TEXT_MAX 200     /* bytes of a group or branch name */
#define IMPORT_CHILDREN_MAX 10  /* children listed on one parent row */

enum import_type { IMPORT_GROUP, IMPORT_STUDENT, IMPORT_PARENT, IMPORT_STAFF, IMPORT__TYPES };

/* What is wrong with a row. Several problems share one API code (see
 * import_problem_code); the message tells them apart. */
enum import_problem {
	IMPORT_E_MISSING,          /* a required value is empty */
	IMPORT_E_MISSING_COLUMN,   /* the header lacks a required column */
	IMPORT_E_INVALID,          /* a value is malformed */
	IMPORT_E_BAD_QUOTE,        /* CSV: stray quote */
	IMPORT_E_UNTERMINATED,     /* CSV: quote never closed */
	IMPORT_E_FIELD_TOO_LONG,   /* CSV: field over CSV_FIELD_MAX */
	IMPORT_E_TOO_MANY_FIELDS,  /* CSV: over CSV_COLUMNS_MAX fields */
	IMPORT_E_NUL,              /* CSV: NUL byte */
	IMPORT_E_UNKNOWN_GROUP,    /* no such group in the file or the college */
	IMPORT_E_UNKNOWN_STUDENT,  /* no such student in the file or already imported */
	IMPORT_E_DUPLICATE,        /* the value was already used on another line */
	IMPORT_E_DUPLICATE_COLUMN, /* the header names a column twice */
	IMPORT_E_LOGIN_TAKEN,      /* the login belongs to another person */
	IMPORT_E_UNSUPPORTED_TYPE, /* type is not group, student, parent or staff */
	IMPORT_E__COUNT
};

struct import_error {
	size_t line;         /* 1-based physical line of the row (1: the header) */
	const char *field;   /* column name (static), or NULL for the whole row */
	enum import_problem problem;
	size_t other_line;   /* IMPORT_E_DUPLICATE: the line that used the value first */
};

/* One data row, validated. Strings are trimmed, owned by the plan, never NULL
 * unless said so. */
struct import_row {
	size_t line;
	enum import_type type;
	char *external_id;       /* as in the file */
	char *key;               /* "<type>:<external_id>", the users.external_id of a person */
	char *last_name, *first_name, *middle_name;  /* people ("" when absent) */
	char *name;              /* people: "Last First Middle", the display name */
	char *login;             /* people: normalized e-mail or phone, NULL if none */
	char *group_code;        /* group, student, curator; parent: optional; NULL if none */
	char *group_name;        /* group rows; NULL if none */
	char *branch;            /* group and staff rows: branch name, NULL = the college */
	int enrolment_year;      /* group rows; 0 if none */
	enum role staff_role;    /* staff rows: teacher, staff, administration or curator */
	char **children;         /* parent rows: the students' external ids (file form) */
	size_t nchildren;
	bool bad;                /* has a problem: the row is reported and skipped */
};

struct import_counts {
	size_t rows;             /* data rows read (blank ones not counted) */
	size_t groups, students, parents, staff, branches;  /* created */
	size_t updated, unchanged;
	size_t skipped;          /* rows with a problem */
};

struct import_plan {
	struct import_row *rows;
	size_t nrows;
	struct import_error *errors;
	size_t nerrors;
	size_t errors_cap;
	struct import_counts counts;
	enum csv_encoding encoding;
	char delimiter;
	bool header_ok;          /* false: header problems only, no row was read */
};

/* Read and validate data[0..len) (the file as uploaded; the encoding and the
 * delimiter are detected). On PERR_OK the plan holds every row that was read,
 * those with problems marked bad, and every problem (sorted by line); the
 * caller frees it with import_plan_clear. PERR_INVALID (plan empty) if the
 * data is empty or its first record is not a header of this format (no known
 * column name). */
int import_plan_parse(const void *data, size_t len, struct import_plan *plan);
void import_plan_clear(struct import_plan *plan);

/* Record a problem for the row on line (the store uses it too). */
void import_plan_add_error(struct import_plan *plan, size_t line, const char *field,
			   enum import_problem problem, size_t other_line);
/* Sort the problems by line (stable) and recount counts.skipped from the bad
 * rows. Call after the store added its own. */
void import_plan_finish(struct import_plan *plan);

/* "group", "student", "parent", "staff". */
const char *import_type_name(enum import_type t);
/* The API code of a problem: missing, invalid, unknown_group,
 * unknown_student, duplicate, conflict or unsupported_type. */
const char *import_problem_code(enum import_problem p);
/* The message for a problem in lang, naming the column and, for duplicates,
 * the other line. Always NUL-terminated in out. */
void import_error_message(const struct import_error *e, enum lang lang, char *out, size_t size);

#endif
