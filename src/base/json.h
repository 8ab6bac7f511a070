/* SPDX-License-Identifier: MIT */
/* JSON (RFC 8259) parsing into a read-only tree, and a streaming writer into a
 * struct buf. The parser is strict (no comments, no trailing commas, valid
 * UTF-8 only, no lone surrogates in \u escapes) and bounded (nesting depth,
 * input size is the caller's). Any thread; a document is owned by its caller. */
#ifndef PARTA_BASE_JSON_H
#define PARTA_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_doc;    /* owns every value of one parse */
struct json_value;  /* borrowed from its doc, valid until json_doc_free */

#define JSON_MAX_DEPTH 64

/* Parse text[0..len). On success *out owns the tree (free with json_doc_free)
 * and PERR_OK is returned. On failure PERR_INVALID, *out = NULL and, if
 * err_offset is non-NULL, the byte offset of the error is stored. */
int json_parse(const char *text, size_t len, struct json_doc **out, size_t *err_offset);
void json_doc_free(struct json_doc *doc);
const struct json_value *json_root(const struct json_doc *doc);

enum json_type json_type(const struct json_value *v);
/* Object member by key (first match), NULL if v is not an object or no key. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
size_t json_len(const struct json_value *v);  /* array elements / object members, else 0 */
const struct json_value *json_at(const struct json_value *arr, size_t i);
/* For objects: the i-th member's key (NUL-terminated, decoded) and value. */
const char *json_key_at(const struct json_value *obj, size_t i);
const struct json_value *json_value_at(const struct json_value *obj, size_t i);

/* Decoded string (NUL-terminated; may contain U+0000 so len is authoritative),
 * NULL if v is NULL or not a string. */
const char *json_str(const struct json_value *v, size_t *len);
/* PERR_OK if v is a number that is an integer within int64 range, else PERR_INVALID. */
int json_int(const struct json_value *v, int64_t *out);
int json_double(const struct json_value *v, double *out);
/* PERR_OK if v is true/false. */
int json_bool(const struct json_value *v, bool *out);
bool json_is_null(const struct json_value *v);

/* Writer: emits compact JSON with commas placed automatically. Output buffers
 * are ours (unbounded); escaping makes any input string valid JSON (invalid
 * UTF-8 bytes become U+FFFD). */
struct json_writer {
	struct buf *out;
	int depth;
	bool first[JSON_MAX_DEPTH + 1];  /* no element written yet at this depth */
	bool after_key;
};

void jw_init(struct json_writer *w, struct buf *out);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_string(struct json_writer *w, const char *s);           /* NULL writes null */
void jw_stringn(struct json_writer *w, const char *s, size_t n);
void jw_int(struct json_writer *w, int64_t v);
void jw_double(struct json_writer *w, double v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
/* Insert already-serialized JSON as one value. */
void jw_raw(struct json_writer *w, const char *json, size_t n);
/* Convenience: key + value. */
void jw_kv_string(struct json_writer *w, const char *key, const char *s);
void jw_kv_int(struct json_writer *w, const char *key, int64_t v);
void jw_kv_bool(struct json_writer *w, const char *key, bool v);

#endif
