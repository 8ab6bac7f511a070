/* SPDX-License-Identifier: MIT */
/* Helpers shared by the structure, people and audit resources (org.c,
 * people.c, audit.c): typed body and query parameters with the 400 field
 * convention, ISO times, and the JSON shapes of units and role assignments.
 * Loop thread, except the JSON writers which are pure. */
#ifndef PARTA_API_ORG_INT_H
#define PARTA_API_ORG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"

/* Body member name as an integer in [min, max]. Absent or null: PERR_OK with
 * *present false (PERR_INVALID if required). Anything else: PERR_INVALID. */
int org_api_body_int(struct api_req *r, const char *name, bool required, int64_t min, int64_t max,
		     int64_t *out, bool *present);
/* Body member name as a boolean; absent or null leaves *out unchanged. */
int org_api_body_bool(struct api_req *r, const char *name, bool *out);
/* Is name present in the query string at all (even with a value too long or
 * badly encoded for http_query_get)? */
bool org_api_query_has(const struct api_req *r, const char *name);
/* Query parameter name as an integer in [min, max]; def if absent. */
int org_api_query_int(struct api_req *r, const char *name, int64_t min, int64_t max, int64_t def,
		      int64_t *out);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
void org_api_time(int64_t t, char out[32]);
/* A unit as a JSON object: id, kind, parent_id, name, short_name, code,
 * enrolment_year, archived, curator {id,name}|null, counts {students,staff};
 * the college adds its details. The object is left open when open is true
 * (the caller adds members and closes it). */
void org_api_write_unit(struct json_writer *w, const struct org_unit *u, bool open);
/* An assignment: id, user_id, role, unit_id, unit_name, since, until, director. */
void org_api_write_assignment(struct json_writer *w, const struct org_assignment *a);

#endif
