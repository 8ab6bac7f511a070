/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for src/base/json.c. Any input is parsed; a document that
 * parses is walked through every accessor, written back with the writer, and
 * the output must parse again to the same tree (keys up to their first NUL,
 * since jw_key takes C strings). Independently, the raw input written as a
 * JSON string must always parse back as a string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static void fuzz_write(struct json_writer *w, const struct json_value *v)
{
	const char *s;
	size_t len;
	int64_t i;
	double d;
	bool b;

	switch (json_type(v)) {
	case JSON_NULL:
		CHECK(json_is_null(v));
		jw_null(w);
		break;
	case JSON_BOOL:
		CHECK(json_bool(v, &b) == PERR_OK);
		jw_bool(w, b);
		break;
	case JSON_NUMBER:
		if (json_int(v, &i) == PERR_OK) {
			CHECK(json_double(v, &d) == PERR_OK);
			jw_int(w, i);
		} else if (json_double(v, &d) == PERR_OK) {
			jw_double(w, d);
		} else {
			jw_null(w);
		}
		break;
	case JSON_STRING:
		s = json_str(v, &len);
		CHECK(s && s[len] == '\0');
		jw_stringn(w, s, len);
		break;
	case JSON_ARRAY:
		CHECK(json_at(v, json_len(v)) == NULL);
		jw_array_begin(w);
		for (size_t k = 0; k < json_len(v); k++)
			fuzz_write(w, json_at(v, k));
		jw_array_end(w);
		break;
	case JSON_OBJECT:
		CHECK(json_key_at(v, json_len(v)) == NULL);
		jw_object_begin(w);
		for (size_t k = 0; k < json_len(v); k++) {
			const char *key = json_key_at(v, k);
			CHECK(key);
			jw_key(w, key);
			fuzz_write(w, json_value_at(v, k));
		}
		jw_object_end(w);
		break;
	default:
		abort();
	}
}

/* a was parsed from the input, b from our re-serialization of a. */
static void fuzz_compare(const struct json_value *a, const struct json_value *b)
{
	const char *sa, *sb;
	size_t la, lb;
	int64_t ia, ib;
	double da, db;
	bool ba, bb;

	switch (json_type(a)) {
	case JSON_NULL:
		CHECK(json_is_null(b));
		break;
	case JSON_BOOL:
		CHECK(json_bool(a, &ba) == PERR_OK && json_bool(b, &bb) == PERR_OK && ba == bb);
		break;
	case JSON_NUMBER:
		if (json_int(a, &ia) == PERR_OK) {
			CHECK(json_int(b, &ib) == PERR_OK && ia == ib);
		} else if (json_double(a, &da) == PERR_OK) {
			CHECK(json_double(b, &db) == PERR_OK && da == db);
		} else {
			CHECK(json_is_null(b));
		}
		break;
	case JSON_STRING:
		sa = json_str(a, &la);
		sb = json_str(b, &lb);
		CHECK(sb && la == lb && memcmp(sa, sb, la) == 0);
		break;
	case JSON_ARRAY:
		CHECK(json_type(b) == JSON_ARRAY && json_len(a) == json_len(b));
		for (size_t k = 0; k < json_len(a); k++)
			fuzz_compare(json_at(a, k), json_at(b, k));
		break;
	case JSON_OBJECT:
		CHECK(json_type(b) == JSON_OBJECT && json_len(a) == json_len(b));
		for (size_t k = 0; k < json_len(a); k++) {
			CHECK(strcmp(json_key_at(a, k), json_key_at(b, k)) == 0);
			fuzz_compare(json_value_at(a, k), json_value_at(b, k));
		}
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc *doc = NULL, *again = NULL;
	size_t off = 0;
	struct buf out;
	struct json_writer w;

	int rc = json_parse((const char *)data, size, &doc, &off);
	if (rc == PERR_OK) {
		buf_init(&out, 0);
		jw_init(&w, &out);
		fuzz_write(&w, json_root(doc));
		CHECK(w.depth == 0);
		CHECK(json_parse(out.data, out.len, &again, &off) == PERR_OK);
		fuzz_compare(json_root(doc), json_root(again));
		json_doc_free(again);
		json_doc_free(doc);
		buf_free(&out);
	} else {
		CHECK(rc == PERR_INVALID && doc == NULL && off <= size);
	}

	/* Any bytes become a valid JSON string. */
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_stringn(&w, (const char *)data, size);
	CHECK(json_parse(out.data, out.len, &again, &off) == PERR_OK);
	CHECK(json_type(json_root(again)) == JSON_STRING);
	json_doc_free(again);
	buf_free(&out);
	return 0;
}
