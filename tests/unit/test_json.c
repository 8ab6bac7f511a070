/* SPDX-License-Identifier: MIT */
/* Unit tests for src/base/json.c: table-driven valid and malformed documents
 * (with the reported error offset), the depth limit, string decoding, exact
 * integer access, the writer's escaping and structure, and parse -> write ->
 * parse round trips. */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

/* Serialize a parsed tree with the writer: the canonical compact form. */
static void dump_value(struct json_writer *w, const struct json_value *v)
{
	const char *s;
	size_t len;
	int64_t i;
	double d;
	bool b;

	switch (json_type(v)) {
	case JSON_NULL:
		jw_null(w);
		break;
	case JSON_BOOL:
		assert_int_equal(json_bool(v, &b), PERR_OK);
		jw_bool(w, b);
		break;
	case JSON_NUMBER:
		if (json_int(v, &i) == PERR_OK)
			jw_int(w, i);
		else if (json_double(v, &d) == PERR_OK)
			jw_double(w, d);
		else
			jw_null(w);
		break;
	case JSON_STRING:
		s = json_str(v, &len);
		assert_non_null(s);
		jw_stringn(w, s, len);
		break;
	case JSON_ARRAY:
		jw_array_begin(w);
		for (size_t k = 0; k < json_len(v); k++)
			dump_value(w, json_at(v, k));
		jw_array_end(w);
		break;
	case JSON_OBJECT:
		jw_object_begin(w);
		for (size_t k = 0; k < json_len(v); k++) {
			jw_key(w, json_key_at(v, k));
			dump_value(w, json_value_at(v, k));
		}
		jw_object_end(w);
		break;
	}
}

/* Parse text and return its canonical form (caller frees), or NULL. */
static char *canonical(const char *text, size_t len)
{
	struct json_doc *doc = NULL;
	struct buf out;
	struct json_writer w;

	if (json_parse(text, len, &doc, NULL) != PERR_OK)
		return NULL;
	buf_init(&out, 0);
	jw_init(&w, &out);
	dump_value(&w, json_root(doc));
	json_doc_free(doc);
	assert_int_equal(w.depth, 0);
	return buf_steal(&out, NULL);
}

/* ---- valid documents ---- */

struct valid_case {
	const char *in;
	size_t len;          /* 0: strlen(in) */
	const char *expect;  /* canonical output */
};

static const struct valid_case valid_cases[] = {
	{"null", 0, "null"},
	{"true", 0, "true"},
	{"false", 0, "false"},
	{"0", 0, "0"},
	{"-0", 0, "0"},
	{"42", 0, "42"},
	{"-17", 0, "-17"},
	{" \t\r\n 7 \t\r\n", 0, "7"},
	{"1.5", 0, "1.5"},
	{"-1.25e-3", 0, "-0.00125"},
	{"1E2", 0, "100"},
	{"1e+2", 0, "100"},
	{"2.50", 0, "2.5"},
	{"0.1", 0, "0.1"},
	{"1e400", 0, "null"},  /* beyond double: no number to give back */
	{"1e-400", 0, "0"},
	{"9223372036854775807", 0, "9223372036854775807"},
	{"-9223372036854775808", 0, "-9223372036854775808"},
	{"9223372036854775808", 0, "9.223372036854776e+18"},
	{"123456789012345678901234567890", 0, "1.2345678901234568e+29"},
	{"\"\"", 0, "\"\""},
	{"\"abc\"", 0, "\"abc\""},
	{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, "\"\\\"\\\\/\\b\\f\\n\\r\\t\""},
	{"\"\\u0041\\u00e9\\u20AC\"", 0, "\"A\xc3\xa9\xe2\x82\xac\""},
	{"\"\\ud83d\\ude00\"", 0, "\"\xf0\x9f\x98\x80\""},
	{"\"\\uDBFF\\uDFFF\"", 0, "\"\xf4\x8f\xbf\xbf\""},
	{"\"\\u0001\\u001f\\u007f\"", 0, "\"\\u0001\\u001f\x7f\""},
	{"\"\\u0000\"", 0, "\"\\u0000\""},
	{"\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"", 0,
	 "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\""},
	{"\"\xef\xbb\xbf\"", 0, "\"\xef\xbb\xbf\""},  /* BOM inside a string is text */
	{"\"</script>\"", 0, "\"</script>\""},
	{"[]", 0, "[]"},
	{"[ ]", 0, "[]"},
	{"{}", 0, "{}"},
	{"{ \n }", 0, "{}"},
	{"[1,2,3]", 0, "[1,2,3]"},
	{" [ 1 , \"a\" , null , true , false , [ ] , { } ] ", 0,
	 "[1,\"a\",null,true,false,[],{}]"},
	{"{\"a\":1,\"b\":[true,{\"c\":null}]}", 0, "{\"a\":1,\"b\":[true,{\"c\":null}]}"},
	{"{ \"a\" : 1 , \"a\" : 2 }", 0, "{\"a\":1,\"a\":2}"},
	{"{\"\":\"\"}", 0, "{\"\":\"\"}"},
	{"[[[[[[]]]]]]", 0, "[[[[[[]]]]]]"},
	{"{\"\\u00e9\\n\":1}", 0, "{\"\xc3\xa9\\n\":1}"},
	{"[1]\n", 0, "[1]"},
};

static void test_valid_documents(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
		const struct valid_case *c = &valid_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *out = canonical(c->in, len);
		if (!out)
			fail_msg("case %zu: %s: did not parse", i, c->in);
		if (strcmp(out, c->expect) != 0)
			fail_msg("case %zu: %s: got %s, want %s", i, c->in, out, c->expect);
		/* The canonical form is a fixed point. */
		char *again = canonical(out, strlen(out));
		assert_non_null(again);
		assert_string_equal(again, out);
		free(again);
		free(out);
	}
}

/* ---- malformed documents ---- */

struct invalid_case {
	const char *in;
	size_t len;     /* 0: strlen(in) */
	size_t offset;  /* expected err_offset */
};

static const struct invalid_case invalid_cases[] = {
	{"", 0, 0},
	{" \n ", 0, 3},
	{"nul", 0, 3},
	{"nulx", 0, 3},
	{"tru", 0, 3},
	{"True", 0, 0},
	{"falsy", 0, 4},
	{"truex", 0, 4},
	{"NaN", 0, 0},
	{"Infinity", 0, 0},
	{"-Infinity", 0, 1},
	{"undefined", 0, 0},
	/* numbers */
	{"01", 0, 1},
	{"-01", 0, 2},
	{"00", 0, 1},
	{"-", 0, 1},
	{"+1", 0, 0},
	{".5", 0, 0},
	{"1.", 0, 2},
	{"1.e3", 0, 2},
	{"1e", 0, 2},
	{"1e+", 0, 3},
	{"1ee2", 0, 2},
	{"0x10", 0, 1},
	{"1 2", 0, 2},
	{"- 1", 0, 1},
	/* structure */
	{"[", 0, 1},
	{"[1", 0, 2},
	{"[1,", 0, 3},
	{"[1,]", 0, 3},
	{"[,1]", 0, 1},
	{"[1 2]", 0, 3},
	{"[1;2]", 0, 2},
	{"]", 0, 0},
	{"{", 0, 1},
	{"{\"a\"", 0, 4},
	{"{\"a\":", 0, 5},
	{"{\"a\":1", 0, 6},
	{"{\"a\":1,}", 0, 7},
	{"{,}", 0, 1},
	{"{a:1}", 0, 1},
	{"{'a':1}", 0, 1},
	{"{\"a\" 1}", 0, 5},
	{"{\"a\"=1}", 0, 4},
	{"{1:1}", 0, 1},
	{"{\"a\":1 \"b\":2}", 0, 7},
	{"[}", 0, 1},
	{"{]", 0, 1},
	{"[1]]", 0, 3},
	{"[1] [2]", 0, 4},
	{"{}x", 0, 2},
	{"1\0", 2, 1},
	{"\0", 1, 0},
	{"// c\n1", 0, 0},
	{"/* c */ 1", 0, 0},
	{"[1 /* c */]", 0, 3},
	{"\xef\xbb\xbf" "1", 0, 0},  /* no BOM before the document */
	/* strings */
	{"\"abc", 0, 4},
	{"\"abc\\\"", 0, 6},
	{"\"\\", 0, 2},
	{"'a'", 0, 0},
	{"\"a\x01\"", 0, 2},
	{"\"a\tb\"", 0, 2},
	{"\"a\nb\"", 0, 2},
	{"\"a\0b\"", 5, 2},
	{"\"\\x41\"", 0, 1},
	{"\"\\a\"", 0, 1},
	{"\"\\U0041\"", 0, 1},
	{"\"\\u\"", 0, 1},
	{"\"\\u12\"", 0, 1},
	{"\"\\u12G4\"", 0, 1},
	{"\"ab\\u-123\"", 0, 3},
	/* lone and misordered surrogates */
	{"\"\\ud800\"", 0, 1},
	{"\"\\udbff\"", 0, 1},
	{"\"\\udc00\"", 0, 1},
	{"\"\\udfff\"", 0, 1},
	{"\"\\ude00\\ud83d\"", 0, 1},
	{"\"\\ud800x\"", 0, 1},
	{"\"\\ud800\\n\"", 0, 1},
	{"\"\\ud800\\u0041\"", 0, 1},
	{"\"\\ud800\\ud800\"", 0, 1},
	{"\"\\ud800\\u", 0, 9},
	{"\"x\\ud800\\udc0\"", 0, 2},
	/* invalid UTF-8 */
	{"\"\x80\"", 0, 1},
	{"\"\xbf\"", 0, 1},
	{"\"a\xff\"", 0, 2},
	{"\"\xfe\"", 0, 1},
	{"\"\xc0\xaf\"", 0, 1},          /* overlong '/' */
	{"\"\xc1\xbf\"", 0, 1},          /* overlong */
	{"\"\xe0\x80\xaf\"", 0, 1},      /* overlong 3-byte */
	{"\"\xf0\x80\x80\xaf\"", 0, 1},  /* overlong 4-byte */
	{"\"\xed\xa0\x80\"", 0, 1},      /* encoded surrogate U+D800 */
	{"\"\xed\xbf\xbf\"", 0, 1},      /* encoded surrogate U+DFFF */
	{"\"\xf4\x90\x80\x80\"", 0, 1},  /* U+110000 */
	{"\"\xf5\x80\x80\x80\"", 0, 1},
	{"\"\xc3\"", 0, 1},              /* truncated before the quote */
	{"\"\xe2\x82\"", 0, 1},
	{"\"\xe2\x82x\"", 0, 1},
	{"\"\xf0\x9f\x98\"", 0, 1},
	{"\"\xc3\xa9\xc3\"", 0, 3},
	{"[\"ok\",\"\xff\"]", 0, 7},
	{"{\"\xff\":1}", 0, 2},
	/* bare UTF-8 outside strings */
	{"\xc3\xa9", 0, 0},
};

static void test_invalid_documents(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof invalid_cases / sizeof invalid_cases[0]; i++) {
		const struct invalid_case *c = &invalid_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		struct json_doc *doc = (struct json_doc *)&doc;  /* must be reset */
		size_t off = (size_t)-1;
		int rc = json_parse(c->in, len, &doc, &off);
		if (rc != PERR_INVALID)
			fail_msg("case %zu: \"%s\": rc %d, want PERR_INVALID", i, c->in, rc);
		assert_null(doc);
		if (off != c->offset)
			fail_msg("case %zu: \"%s\": error at %zu, want %zu", i, c->in, off,
				 c->offset);
		/* err_offset is optional. */
		assert_int_equal(json_parse(c->in, len, &doc, NULL), PERR_INVALID);
	}
}

static void test_null_text(void **state)
{
	struct json_doc *doc = NULL;
	size_t off = 99;
	(void)state;
	assert_int_equal(json_parse(NULL, 0, &doc, &off), PERR_INVALID);
	assert_null(doc);
	assert_int_equal(off, 0);
	assert_int_equal(json_parse(NULL, 5, &doc, &off), PERR_INVALID);
	assert_int_equal(off, 0);
}

/* ---- depth ---- */

static char *nested(const char *open, const char *close, int depth)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < depth; i++)
		buf_puts(&b, open);
	buf_puts(&b, "1");
	for (int i = 0; i < depth; i++)
		buf_puts(&b, close);
	return buf_steal(&b, NULL);
}

static void test_depth_limit(void **state)
{
	struct json_doc *doc = NULL;
	size_t off = 0;
	char *text;
	(void)state;

	text = nested("[", "]", JSON_MAX_DEPTH);
	assert_int_equal(json_parse(text, strlen(text), &doc, &off), PERR_OK);
	const struct json_value *v = json_root(doc);
	for (int i = 0; i < JSON_MAX_DEPTH; i++) {
		assert_int_equal(json_type(v), JSON_ARRAY);
		v = json_at(v, 0);
	}
	int64_t one = 0;
	assert_int_equal(json_int(v, &one), PERR_OK);
	assert_int_equal(one, 1);
	json_doc_free(doc);
	free(text);

	text = nested("[", "]", JSON_MAX_DEPTH + 1);
	assert_int_equal(json_parse(text, strlen(text), &doc, &off), PERR_INVALID);
	assert_null(doc);
	assert_int_equal(off, JSON_MAX_DEPTH);
	free(text);

	text = nested("{\"k\":", "}", JSON_MAX_DEPTH);
	assert_int_equal(json_parse(text, strlen(text), &doc, &off), PERR_OK);
	json_doc_free(doc);
	free(text);

	text = nested("{\"k\":", "}", JSON_MAX_DEPTH + 1);
	assert_int_equal(json_parse(text, strlen(text), &doc, &off), PERR_INVALID);
	assert_int_equal(off, JSON_MAX_DEPTH * 5);
	free(text);

	/* Far too deep must fail cleanly, not exhaust the stack. */
	text = nested("[", "]", 100000);
	assert_int_equal(json_parse(text, strlen(text), &doc, &off), PERR_INVALID);
	assert_int_equal(off, JSON_MAX_DEPTH);
	free(text);

	/* Depth counts nesting, not the number of containers. */
	struct buf b;
	buf_init(&b, 0);
	buf_putc(&b, '[');
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, i ? ",[[]]" : "[[]]");
	buf_putc(&b, ']');
	assert_int_equal(json_parse(b.data, b.len, &doc, &off), PERR_OK);
	assert_int_equal(json_len(json_root(doc)), 1000);
	json_doc_free(doc);
	buf_free(&b);
}

/* ---- decoded strings ---- */

struct string_case {
	const char *in;
	const char *bytes;
	size_t len;
};

static const struct string_case string_cases[] = {
	{"\"\"", "", 0},
	{"\"\\u0000\"", "\0", 1},
	{"\"a\\u0000b\"", "a\0b", 3},
	{"\"\\u0041\"", "A", 1},
	{"\"\\u007F\"", "\x7f", 1},
	{"\"\\u0080\"", "\xc2\x80", 2},
	{"\"\\u07ff\"", "\xdf\xbf", 2},
	{"\"\\u0800\"", "\xe0\xa0\x80", 3},
	{"\"\\uFFFF\"", "\xef\xbf\xbf", 3},
	{"\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4},
	{"\"\\uD834\\uDD1E\"", "\xf0\x9d\x84\x9e", 4},
	{"\"\\/\"", "/", 1},
	{"\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf", 4},
	{"\"\x7f\"", "\x7f", 1},
};

static void test_string_decoding(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof string_cases / sizeof string_cases[0]; i++) {
		const struct string_case *c = &string_cases[i];
		struct json_doc *doc = NULL;
		size_t len = 99;
		if (json_parse(c->in, strlen(c->in), &doc, NULL) != PERR_OK)
			fail_msg("case %zu: %s: did not parse", i, c->in);
		const char *s = json_str(json_root(doc), &len);
		assert_non_null(s);
		assert_int_equal(len, c->len);
		assert_memory_equal(s, c->bytes, c->len);
		assert_int_equal(s[len], '\0');
		json_doc_free(doc);
	}
}

/* ---- numbers ---- */

struct int_case {
	const char *in;
	int rc;
	int64_t value;
};

static const struct int_case int_cases[] = {
	{"0", PERR_OK, 0},
	{"-0", PERR_OK, 0},
	{"7", PERR_OK, 7},
	{"-7", PERR_OK, -7},
	{"9223372036854775807", PERR_OK, INT64_MAX},
	{"-9223372036854775808", PERR_OK, INT64_MIN},
	{"9223372036854775808", PERR_INVALID, 0},
	{"-9223372036854775809", PERR_INVALID, 0},
	{"18446744073709551616", PERR_INVALID, 0},
	{"99999999999999999999999999", PERR_INVALID, 0},
	{"9007199254740993", PERR_OK, 9007199254740993LL},  /* not a double */
	{"1.0", PERR_OK, 1},
	{"-2.000", PERR_OK, -2},
	{"0.000", PERR_OK, 0},
	{"1e2", PERR_OK, 100},
	{"1E+2", PERR_OK, 100},
	{"12.50e1", PERR_OK, 125},
	{"100e-2", PERR_OK, 1},
	{"0e999999999999999999999", PERR_OK, 0},
	{"9.223372036854775807e18", PERR_OK, INT64_MAX},
	{"-9.223372036854775808e18", PERR_OK, INT64_MIN},
	{"9.223372036854775808e18", PERR_INVALID, 0},
	{"123456789012345678900000e-5", PERR_OK, 1234567890123456789LL},
	{"1e18", PERR_OK, 1000000000000000000LL},
	{"1e19", PERR_INVALID, 0},
	{"1e999999999999999999999", PERR_INVALID, 0},
	{"1.5", PERR_INVALID, 0},
	{"-0.5", PERR_INVALID, 0},
	{"1.25e1", PERR_INVALID, 0},
	{"1e-2", PERR_INVALID, 0},
	{"1e-999999999999999999999", PERR_INVALID, 0},
	{"1.0000000000000000001", PERR_INVALID, 0},   /* rounds to 1.0 as a double */
	{"9007199254740990.5", PERR_INVALID, 0},      /* rounds to an integer double */
	{"\"1\"", PERR_INVALID, 0},
	{"true", PERR_INVALID, 0},
	{"null", PERR_INVALID, 0},
	{"[1]", PERR_INVALID, 0},
};

static void test_json_int(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof int_cases / sizeof int_cases[0]; i++) {
		const struct int_case *c = &int_cases[i];
		struct json_doc *doc = NULL;
		int64_t v = 12345;
		assert_int_equal(json_parse(c->in, strlen(c->in), &doc, NULL), PERR_OK);
		int rc = json_int(json_root(doc), &v);
		if (rc != c->rc)
			fail_msg("case %zu: %s: rc %d, want %d", i, c->in, rc, c->rc);
		if (rc == PERR_OK && v != c->value)
			fail_msg("case %zu: %s: %" PRId64 ", want %" PRId64, i, c->in, v, c->value);
		if (rc != PERR_OK)
			assert_int_equal(v, 12345);  /* untouched */
		json_doc_free(doc);
	}
	int64_t v;
	assert_int_equal(json_int(NULL, &v), PERR_INVALID);
}

struct double_case {
	const char *in;
	int rc;
	double value;
};

static const struct double_case double_cases[] = {
	{"0", PERR_OK, 0.0},
	{"1.5", PERR_OK, 1.5},
	{"-1.25e-3", PERR_OK, -0.00125},
	{"1e308", PERR_OK, 1e308},
	{"1e-400", PERR_OK, 0.0},
	{"1e400", PERR_INVALID, 0},
	{"-1e400", PERR_INVALID, 0},
	{"9223372036854775807", PERR_OK, 9223372036854775807.0},
	{"9223372036854775808", PERR_OK, 9223372036854775808.0},
	{"-9223372036854775808", PERR_OK, -9223372036854775808.0},
	{"0.1", PERR_OK, 0.1},
	{"\"1.5\"", PERR_INVALID, 0},
	{"false", PERR_INVALID, 0},
};

static void test_json_double(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof double_cases / sizeof double_cases[0]; i++) {
		const struct double_case *c = &double_cases[i];
		struct json_doc *doc = NULL;
		double v = 0;
		assert_int_equal(json_parse(c->in, strlen(c->in), &doc, NULL), PERR_OK);
		int rc = json_double(json_root(doc), &v);
		if (rc != c->rc)
			fail_msg("case %zu: %s: rc %d, want %d", i, c->in, rc, c->rc);
		if (rc == PERR_OK && v != c->value)
			fail_msg("case %zu: %s: %.17g, want %.17g", i, c->in, v, c->value);
		json_doc_free(doc);
	}

	struct json_doc *doc = NULL;
	double d = 1;
	assert_int_equal(json_parse("-0", 2, &doc, NULL), PERR_OK);
	assert_int_equal(json_double(json_root(doc), &d), PERR_OK);
	assert_true(d == 0.0 && signbit(d));
	json_doc_free(doc);
}

/* ---- accessors ---- */

static void test_accessors(void **state)
{
	static const char text[] =
		"{\"name\":\"Ann\",\"age\":30,\"tags\":[\"a\",\"b\"],\"ok\":true,"
		"\"none\":null,\"name\":\"dup\",\"k\\u0000x\":1,\"\":\"empty\"}";
	struct json_doc *doc = NULL;
	size_t len = 0;
	int64_t i = 0;
	bool b = false;
	(void)state;

	assert_int_equal(json_parse(text, sizeof text - 1, &doc, NULL), PERR_OK);
	const struct json_value *root = json_root(doc);
	assert_int_equal(json_type(root), JSON_OBJECT);
	assert_int_equal(json_len(root), 8);

	assert_string_equal(json_str(json_get(root, "name"), &len), "Ann");  /* first match */
	assert_int_equal(len, 3);
	assert_int_equal(json_int(json_get(root, "age"), &i), PERR_OK);
	assert_int_equal(i, 30);
	assert_int_equal(json_bool(json_get(root, "ok"), &b), PERR_OK);
	assert_true(b);
	assert_true(json_is_null(json_get(root, "none")));
	assert_string_equal(json_str(json_get(root, ""), NULL), "empty");

	/* Missing members and wrong types. */
	assert_null(json_get(root, "missing"));
	assert_null(json_get(root, "k"));  /* the key is "k\0x" */
	assert_null(json_get(root, NULL));
	assert_false(json_is_null(json_get(root, "missing")));
	assert_int_equal(json_type(NULL), JSON_NULL);
	assert_null(json_str(json_get(root, "age"), &len));
	assert_int_equal(json_bool(json_get(root, "age"), &b), PERR_INVALID);
	assert_int_equal(json_int(json_get(root, "name"), &i), PERR_INVALID);
	assert_false(json_is_null(json_get(root, "ok")));

	const struct json_value *tags = json_get(root, "tags");
	assert_int_equal(json_type(tags), JSON_ARRAY);
	assert_int_equal(json_len(tags), 2);
	assert_string_equal(json_str(json_at(tags, 0), NULL), "a");
	assert_string_equal(json_str(json_at(tags, 1), NULL), "b");
	assert_null(json_at(tags, 2));
	assert_null(json_get(tags, "a"));
	assert_null(json_key_at(tags, 0));
	assert_null(json_value_at(tags, 0));
	assert_null(json_at(root, 0));
	assert_int_equal(json_len(json_get(root, "age")), 0);
	assert_int_equal(json_len(NULL), 0);

	assert_string_equal(json_key_at(root, 0), "name");
	assert_string_equal(json_key_at(root, 5), "name");
	assert_string_equal(json_str(json_value_at(root, 5), NULL), "dup");
	assert_memory_equal(json_key_at(root, 6), "k\0x", 4);
	assert_null(json_key_at(root, 8));
	assert_null(json_value_at(root, 8));
	json_doc_free(doc);

	json_doc_free(NULL);
	assert_null(json_root(NULL));
}

/* Large documents exercise chunk growth, big strings and the scratch stack. */
static void test_large_document(void **state)
{
	struct buf b;
	struct json_writer w;
	struct json_doc *doc = NULL;
	const int count = 20000;
	char name[32];
	(void)state;

	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_array_begin(&w);
	for (int i = 0; i < count; i++) {
		jw_object_begin(&w);
		jw_kv_int(&w, "id", i);
		snprintf(name, sizeof name, "n%d", i);
		jw_kv_string(&w, "name", name);
		jw_key(&w, "list");
		jw_array_begin(&w);
		for (int k = 0; k < i % 50; k++)
			jw_int(&w, k);
		jw_array_end(&w);
		jw_object_end(&w);
	}
	jw_array_end(&w);

	assert_int_equal(json_parse(b.data, b.len, &doc, NULL), PERR_OK);
	const struct json_value *root = json_root(doc);
	assert_int_equal(json_len(root), (size_t)count);
	for (int i = 0; i < count; i++) {
		const struct json_value *o = json_at(root, (size_t)i);
		int64_t id = -1;
		assert_int_equal(json_int(json_get(o, "id"), &id), PERR_OK);
		assert_int_equal(id, i);
		snprintf(name, sizeof name, "n%d", i);
		assert_string_equal(json_str(json_get(o, "name"), NULL), name);
		const struct json_value *list = json_get(o, "list");
		assert_int_equal(json_len(list), (size_t)(i % 50));
		if (i % 50) {
			int64_t last = -1;
			assert_int_equal(json_int(json_at(list, (size_t)(i % 50 - 1)), &last),
					 PERR_OK);
			assert_int_equal(last, i % 50 - 1);
		}
	}
	json_doc_free(doc);
	buf_free(&b);

	/* A 3 MiB string with escapes, larger than any arena chunk. */
	size_t n = 3u << 20;
	char *big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n / 2] = '\n';
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_array_begin(&w);
	jw_string(&w, "small");
	jw_stringn(&w, big, n);
	jw_string(&w, "after");
	jw_array_end(&w);
	assert_int_equal(json_parse(b.data, b.len, &doc, NULL), PERR_OK);
	size_t len = 0;
	const char *s = json_str(json_at(json_root(doc), 1), &len);
	assert_int_equal(len, n);
	assert_memory_equal(s, big, n);
	assert_string_equal(json_str(json_at(json_root(doc), 0), NULL), "small");
	assert_string_equal(json_str(json_at(json_root(doc), 2), NULL), "after");
	json_doc_free(doc);
	buf_free(&b);
	free(big);
}

/* ---- writer ---- */

struct escape_case {
	const char *in;
	size_t len;  /* 0: strlen(in) */
	const char *expect;
};

static const struct escape_case escape_cases[] = {
	{"", 0, "\"\""},
	{"plain text", 0, "\"plain text\""},
	{"a\"b\\c/d", 0, "\"a\\\"b\\\\c/d\""},
	{"\n\t\r\b\f", 0, "\"\\n\\t\\r\\b\\f\""},
	{"\x01\x1f\x0b", 0, "\"\\u0001\\u001f\\u000b\""},
	{"\0", 1, "\"\\u0000\""},
	{"a\0b", 3, "\"a\\u0000b\""},
	{"\x7f", 0, "\"\x7f\""},
	{"</script>", 0, "\"</script>\""},
	{"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
	{"\xff", 0, "\"\xef\xbf\xbd\""},
	{"a\xc3", 0, "\"a\xef\xbf\xbd\""},
	{"\xc3(", 0, "\"\xef\xbf\xbd(\""},
	{"\xc0\xaf", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\""},
	{"\xed\xa0\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
	{"\xf4\x90\x80\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
	{"\xe2\x82\"", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\\\"\""},
	{"ok\xf0\x9f\x98", 0, "\"ok\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
};

static void test_writer_escaping(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
		const struct escape_case *c = &escape_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		struct buf b;
		struct json_writer w;
		buf_init(&b, 0);
		jw_init(&w, &b);
		jw_stringn(&w, c->in, len);
		if (strcmp(b.data, c->expect) != 0)
			fail_msg("case %zu: got %s, want %s", i, b.data, c->expect);

		/* The output always parses, and valid input comes back unchanged. */
		struct json_doc *doc = NULL;
		assert_int_equal(json_parse(b.data, b.len, &doc, NULL), PERR_OK);
		size_t n = 0;
		const char *s = json_str(json_root(doc), &n);
		assert_non_null(s);
		if (!strstr(c->expect, "\xef\xbf\xbd")) {
			assert_int_equal(n, len);
			assert_memory_equal(s, c->in, len);
		}
		json_doc_free(doc);
		buf_free(&b);
	}
}

static char *write_sample(void)
{
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "s", "x\"y");
	jw_kv_int(&w, "i", -42);
	jw_kv_bool(&w, "t", true);
	jw_kv_bool(&w, "f", false);
	jw_kv_string(&w, "n", NULL);
	jw_key(&w, "a");
	jw_array_begin(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_null(&w);
	jw_raw(&w, "{\"r\":[1]}", 9);
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_string(&w, "");
	jw_double(&w, 0.5);
	jw_array_end(&w);
	jw_key(&w, "o");
	jw_object_begin(&w);
	jw_key(&w, "k\n");
	jw_raw(&w, "true", 4);
	jw_object_end(&w);
	jw_object_end(&w);
	assert_int_equal(w.depth, 0);
	return buf_steal(&b, NULL);
}

static void test_writer_structure(void **state)
{
	(void)state;
	char *out = write_sample();
	assert_string_equal(out,
			    "{\"s\":\"x\\\"y\",\"i\":-42,\"t\":true,\"f\":false,\"n\":null,"
			    "\"a\":[-9223372036854775808,9223372036854775807,null,"
			    "{\"r\":[1]},[],{},\"\",0.5],\"o\":{\"k\\n\":true}}");
	/* And it parses back to the same canonical text. */
	char *again = canonical(out, strlen(out));
	assert_non_null(again);
	assert_string_equal(again, out);
	free(again);
	free(out);

	/* Top-level scalars. */
	struct buf b;
	struct json_writer w;
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_string(&w, NULL);
	assert_string_equal(b.data, "null");
	buf_free(&b);
}

struct double_write_case {
	double in;
	const char *expect;
};

static void test_writer_double(void **state)
{
	const struct double_write_case cases[] = {
		{0.0, "0"},
		{-0.0, "-0"},
		{1.0, "1"},
		{0.5, "0.5"},
		{0.1, "0.1"},
		{0.1 + 0.2, "0.30000000000000004"},
		{-1.25e-3, "-0.00125"},
		{123456789.0, "123456789"},
		{1e300, "1e+300"},
		{1e-300, "1e-300"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{INFINITY, "null"},
		{-INFINITY, "null"},
		{NAN, "null"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;
		struct json_writer w;
		buf_init(&b, 0);
		jw_init(&w, &b);
		jw_array_begin(&w);
		jw_double(&w, cases[i].in);
		jw_double(&w, cases[i].in);
		jw_array_end(&w);
		char want[64];
		snprintf(want, sizeof want, "[%s,%s]", cases[i].expect, cases[i].expect);
		if (strcmp(b.data, want) != 0)
			fail_msg("case %zu: got %s, want %s", i, b.data, want);
		/* Finite values read back exactly. */
		struct json_doc *doc = NULL;
		assert_int_equal(json_parse(b.data, b.len, &doc, NULL), PERR_OK);
		if (isfinite(cases[i].in)) {
			double d = 0;
			assert_int_equal(json_double(json_at(json_root(doc), 0), &d), PERR_OK);
			assert_true(d == cases[i].in);
		}
		json_doc_free(doc);
		buf_free(&b);
	}
}

/* Containers past JSON_MAX_DEPTH become null and their contents vanish, so the
 * output is still JSON our parser accepts. */
static void test_writer_depth_cut(void **state)
{
	struct buf b;
	struct json_writer w;
	struct json_doc *doc = NULL;
	const int depth = JSON_MAX_DEPTH + 10;
	(void)state;

	buf_init(&b, 0);
	jw_init(&w, &b);
	for (int i = 0; i < depth; i++) {
		jw_array_begin(&w);
		jw_int(&w, i);
	}
	for (int i = 0; i < depth; i++) {
		jw_string(&w, "tail");
		jw_array_end(&w);
	}
	assert_int_equal(w.depth, 0);
	assert_int_equal(json_parse(b.data, b.len, &doc, NULL), PERR_OK);

	const struct json_value *v = json_root(doc);
	for (int i = 0; i < JSON_MAX_DEPTH; i++) {
		int64_t x = -1;
		assert_int_equal(json_type(v), JSON_ARRAY);
		assert_int_equal(json_len(v), 3);
		assert_int_equal(json_int(json_at(v, 0), &x), PERR_OK);
		assert_int_equal(x, i);
		assert_string_equal(json_str(json_at(v, 2), NULL), "tail");
		v = json_at(v, 1);
	}
	assert_true(json_is_null(v));
	json_doc_free(doc);
	buf_free(&b);

	/* The same with a key in front of the cut object. */
	buf_init(&b, 0);
	jw_init(&w, &b);
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		jw_array_begin(&w);
	jw_object_begin(&w);
	jw_key(&w, "deep");
	jw_object_begin(&w);
	jw_kv_int(&w, "lost", 1);
	jw_object_end(&w);
	jw_kv_int(&w, "kept", 2);
	jw_object_end(&w);
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		jw_array_end(&w);
	assert_int_equal(w.depth, 0);
	assert_int_equal(json_parse(b.data, b.len, &doc, NULL), PERR_OK);
	assert_non_null(strstr(b.data, "{\"deep\":null,\"kept\":2}"));
	json_doc_free(doc);
	buf_free(&b);

	/* Unbalanced ends are ignored rather than corrupting the state. */
	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_array_end(&w);
	assert_int_equal(w.depth, 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_documents),
		cmocka_unit_test(test_invalid_documents),
		cmocka_unit_test(test_null_text),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_string_decoding),
		cmocka_unit_test(test_json_int),
		cmocka_unit_test(test_json_double),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_large_document),
		cmocka_unit_test(test_writer_escaping),
		cmocka_unit_test(test_writer_structure),
		cmocka_unit_test(test_writer_double),
		cmocka_unit_test(test_writer_depth_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
