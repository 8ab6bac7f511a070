/* SPDX-License-Identifier: MIT */
/* Strict JSON parser and streaming writer (see json.h).
 *
 * The parser is recursive descent, bounded by JSON_MAX_DEPTH. Every value, key
 * and decoded string of one document lives in an arena of a few large chunks
 * owned by struct json_doc (the doc itself sits in the first chunk), so a small
 * document costs one malloc and freeing is a walk over the chunk list.
 * Children of a container are collected on a scratch stack while it is parsed
 * and copied into the arena as one contiguous array when it closes, which
 * makes json_at and json_key_at O(1).
 *
 * Numbers: an integer literal that fits int64 is kept as its exact value;
 * anything else keeps its text, which json_int converts exactly in decimal and
 * json_double hands to strtod. The server never calls setlocale(), so strtod
 * and printf use the "C" locale's '.' decimal point. */
#include "base/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define JSON__NUM_INT 1u  /* number flag: u.i holds the exact value */

#define JSON__ALIGN alignof(max_align_t)
#define JSON__CHUNK_MIN 1024
#define JSON__CHUNK_FIRST_MAX (256 * 1024)
#define JSON__CHUNK_MAX (4 * 1024 * 1024)
#define JSON__INLINE_STACK 32

struct json_member;

struct json_value {
	unsigned char type;   /* enum json_type */
	unsigned char flags;  /* JSON_BOOL: the value; JSON_NUMBER: JSON__NUM_INT */
	size_t len;           /* string bytes, number text bytes, or child count */
	union {
		const char *str;                    /* string; number without NUM_INT */
		const struct json_member *members;  /* array (key NULL) or object */
		int64_t i;                          /* number with NUM_INT */
	} u;
};

/* Arrays reuse the member layout with a NULL key, so one scratch stack serves
 * both kinds of container. */
struct json_member {
	const char *key;
	size_t key_len;
	struct json_value value;
};

struct json_chunk {
	struct json_chunk *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

struct json_arena {
	struct json_chunk *head;  /* the chunk small allocations are cut from */
	size_t next_cap;
};

struct json_doc {
	struct json_value root;
	struct json_arena arena;  /* also holds this struct */
};

struct json_parser {
	const unsigned char *s;
	size_t len;
	size_t pos;               /* on failure: offset of the offending byte */
	struct json_arena *arena;
	struct json_member *stack;
	size_t stack_len;
	size_t stack_cap;
	struct json_member inline_stack[JSON__INLINE_STACK];
};

/* ---- arena ---- */

static struct json_chunk *json__chunk_new(size_t cap)
{
	struct json_chunk *c = xmalloc(sizeof *c + cap);
	c->next = NULL;
	c->used = 0;
	c->cap = cap;
	return c;
}

/* Memory for n bytes, aligned for any type, valid until the arena is freed.
 * Large requests get a chunk of their own linked behind the current one, so
 * the space left in the current chunk is not abandoned. */
static void *json__arena_alloc(struct json_arena *a, size_t n)
{
	n = (n + JSON__ALIGN - 1) & ~(size_t)(JSON__ALIGN - 1);
	struct json_chunk *c = a->head;
	if (c && c->cap - c->used >= n) {
		void *p = (char *)c->data + c->used;
		c->used += n;
		return p;
	}
	if (c && n > a->next_cap / 4) {
		struct json_chunk *big = json__chunk_new(n);
		big->used = n;
		big->next = c->next;
		c->next = big;
		return big->data;
	}
	size_t cap = a->next_cap > n ? a->next_cap : n;
	c = json__chunk_new(cap);
	c->next = a->head;
	a->head = c;
	if (a->next_cap < JSON__CHUNK_MAX)
		a->next_cap *= 2;
	c->used = n;
	return c->data;
}

static void json__arena_free(struct json_arena *a)
{
	struct json_chunk *c = a->head;
	while (c) {
		struct json_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ---- UTF-8 ---- */

/* Length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one. */
static size_t json__utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

static size_t json__utf8_put(char *dst, uint32_t cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xC0 | (cp >> 6));
		dst[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xE0 | (cp >> 12));
		dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		dst[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	dst[0] = (char)(0xF0 | (cp >> 18));
	dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	dst[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- numbers ---- */

static bool json__is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Exact value of a grammatically valid JSON number text[0..len) as int64.
 * Works in decimal: the literal is digits x 10^exp, an integer iff no nonzero
 * digit is left right of the point after applying the exponent. Returns
 * false for non-integers and values outside int64. */
static bool json__decimal_to_int(const char *text, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (text[i] == '-') {
		neg = true;
		i++;
	}
	size_t int_start = i;
	while (i < len && json__is_digit((unsigned char)text[i]))
		i++;
	size_t int_end = i;
	size_t frac_start = i, frac_end = i;
	if (i < len && text[i] == '.') {
		frac_start = ++i;
		while (i < len && json__is_digit((unsigned char)text[i]))
			i++;
		frac_end = i;
	}
	int64_t exp = 0;
	if (i < len && (text[i] == 'e' || text[i] == 'E')) {
		bool exp_neg = false;
		i++;
		if (text[i] == '+' || text[i] == '-')
			exp_neg = text[i++] == '-';
		/* Saturate: past 10^9 the answer no longer depends on the digits. */
		for (; i < len; i++)
			if (exp < 1000000000)
				exp = exp * 10 + (text[i] - '0');
		if (exp_neg)
			exp = -exp;
	}

	/* The significant digits: integer part then fraction, without leading
	 * zeros; frac digits shift the exponent down. */
	size_t ndig = (int_end - int_start) + (frac_end - frac_start);
	exp -= (int64_t)(frac_end - frac_start);
	/* Index k of the digit sequence, 0-based, skipping the '.'. */
#define JSON__DIGIT(k) \
	((k) < int_end - int_start ? text[int_start + (k)] \
				   : text[frac_start + (k) - (int_end - int_start)])
	size_t first = 0;
	while (first < ndig && JSON__DIGIT(first) == '0')
		first++;
	if (first == ndig) {
		*out = 0;
		return true;
	}
	size_t last = ndig;  /* one past the last nonzero digit */
	while (JSON__DIGIT(last - 1) == '0') {
		last--;
		exp++;
	}
	if (exp < 0)
		return false;  /* a nonzero digit right of the point */
	if ((int64_t)(last - first) + exp > 19)
		return false;  /* at least 10^19 > INT64_MAX */
	uint64_t mag = 0;
	for (size_t k = first; k < last; k++)
		mag = mag * 10 + (uint64_t)(JSON__DIGIT(k) - '0');
#undef JSON__DIGIT
	for (int64_t e = 0; e < exp; e++) {
		if (mag > UINT64_MAX / 10)
			return false;
		mag *= 10;
	}
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return false;
		*out = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

/* ---- parser ---- */

static void json__skip_ws(struct json_parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static void json__push(struct json_parser *p, const struct json_member *m)
{
	if (p->stack_len == p->stack_cap) {
		size_t cap = p->stack_cap * 2;
		if (p->stack == p->inline_stack) {
			p->stack = xmalloc(cap * sizeof *p->stack);
			memcpy(p->stack, p->inline_stack, sizeof p->inline_stack);
		} else {
			p->stack = xrealloc(p->stack, cap * sizeof *p->stack);
		}
		p->stack_cap = cap;
	}
	p->stack[p->stack_len++] = *m;
}

/* Move the children pushed since base into the arena as out's array. */
static void json__collect(struct json_parser *p, struct json_value *out, size_t base)
{
	size_t n = p->stack_len - base;
	struct json_member *members = NULL;
	if (n) {
		members = json__arena_alloc(p->arena, n * sizeof *members);
		memcpy(members, p->stack + base, n * sizeof *members);
	}
	out->u.members = members;
	out->len = n;
	p->stack_len = base;
}

static int json__literal(struct json_parser *p, const char *word)
{
	for (size_t i = 0; word[i]; i++) {
		if (p->pos >= p->len || p->s[p->pos] != (unsigned char)word[i])
			return PERR_INVALID;
		p->pos++;
	}
	return PERR_OK;
}

static int json__parse_number(struct json_parser *p, struct json_value *out)
{
	const unsigned char *s = p->s;
	size_t start = p->pos;
	size_t i = start;
	bool is_int = true;

	if (s[i] == '-')
		i++;
	if (i >= p->len || !json__is_digit(s[i]))
		goto bad;
	if (s[i] == '0') {
		i++;
		if (i < p->len && json__is_digit(s[i]))
			goto bad;  /* leading zero */
	} else {
		while (i < p->len && json__is_digit(s[i]))
			i++;
	}
	if (i < p->len && s[i] == '.') {
		is_int = false;
		i++;
		if (i >= p->len || !json__is_digit(s[i]))
			goto bad;
		while (i < p->len && json__is_digit(s[i]))
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		is_int = false;
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= p->len || !json__is_digit(s[i]))
			goto bad;
		while (i < p->len && json__is_digit(s[i]))
			i++;
	}

	const char *text = (const char *)s + start;
	size_t len = i - start;
	int64_t v;
	out->type = JSON_NUMBER;
	/* "-0" keeps its text so that json_double can return -0.0. */
	if (is_int && json__decimal_to_int(text, len, &v) && !(v == 0 && text[0] == '-')) {
		out->flags = JSON__NUM_INT;
		out->u.i = v;
	} else {
		char *copy = json__arena_alloc(p->arena, len + 1);
		memcpy(copy, text, len);
		copy[len] = '\0';
		out->u.str = copy;
		out->len = len;
	}
	p->pos = i;
	return PERR_OK;
bad:
	p->pos = i;
	return PERR_INVALID;
}

static int json__hex4(const unsigned char *s, size_t avail, uint32_t *out)
{
	uint32_t v = 0;
	if (avail < 4)
		return PERR_INVALID;
	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return PERR_INVALID;
		v = v << 4 | d;
	}
	*out = v;
	return PERR_OK;
}

/* Decode the escape at s[*i] (a backslash) within s[..end) into dst, advancing
 * *i and *o. A high surrogate must be followed by a \u low surrogate; the pair
 * becomes one 4-byte character. */
static int json__escape(const unsigned char *s, size_t *i, size_t end, char *dst, size_t *o)
{
	size_t k = *i + 1;  /* the byte after the backslash; always < end */
	uint32_t cp, lo;
	char c;

	switch (s[k]) {
	case '"': c = '"'; break;
	case '\\': c = '\\'; break;
	case '/': c = '/'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'u':
		if (json__hex4(s + k + 1, end - k - 1, &cp))
			return PERR_INVALID;
		k += 5;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return PERR_INVALID;  /* low surrogate first */
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - k < 6 || s[k] != '\\' || s[k + 1] != 'u' ||
			    json__hex4(s + k + 2, 4, &lo) || lo < 0xDC00 || lo > 0xDFFF)
				return PERR_INVALID;  /* high surrogate alone */
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			k += 6;
		}
		*o += json__utf8_put(dst + *o, cp);
		*i = k;
		return PERR_OK;
	default:
		return PERR_INVALID;
	}
	dst[(*o)++] = c;
	*i = k + 1;
	return PERR_OK;
}

/* Parse the string starting at the '"' at p->pos into a NUL-terminated arena
 * copy. Decoding never makes a string longer, so the raw length bounds it. */
static int json__parse_string(struct json_parser *p, const char **str, size_t *len)
{
	const unsigned char *s = p->s;
	size_t start = p->pos + 1;
	size_t end = start;

	while (end < p->len && s[end] != '"')
		end += s[end] == '\\' ? 2 : 1;
	if (end >= p->len) {
		p->pos = p->len;
		return PERR_INVALID;
	}

	char *dst = json__arena_alloc(p->arena, end - start + 1);
	size_t i = start, o = 0;
	while (i < end) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			dst[o++] = (char)c;
			i++;
		} else if (c == '\\') {
			if (json__escape(s, &i, end, dst, &o))
				goto bad;
		} else if (c < 0x20) {
			goto bad;
		} else {
			size_t n = json__utf8_seq(s + i, end - i);
			if (!n)
				goto bad;
			memcpy(dst + o, s + i, n);
			o += n;
			i += n;
		}
	}
	dst[o] = '\0';
	*str = dst;
	*len = o;
	p->pos = end + 1;
	return PERR_OK;
bad:
	p->pos = i;
	return PERR_INVALID;
}

static int json__parse_value(struct json_parser *p, struct json_value *out, int depth);

/* After a member or element: ',' (continue, returns true) or the closer. */
static int json__after_child(struct json_parser *p, unsigned char closer, bool *more)
{
	json__skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ',') {
		p->pos++;
		*more = true;
		return PERR_OK;
	}
	if (p->pos < p->len && p->s[p->pos] == closer) {
		p->pos++;
		*more = false;
		return PERR_OK;
	}
	return PERR_INVALID;
}

static int json__parse_array(struct json_parser *p, struct json_value *out, int depth)
{
	int rc = PERR_OK;
	size_t base = p->stack_len;
	bool more = true;

	if (depth > JSON_MAX_DEPTH)
		return PERR_INVALID;
	p->pos++;
	json__skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		more = false;
	}
	while (more) {
		struct json_member m = {0};
		rc = json__parse_value(p, &m.value, depth);
		if (rc)
			goto out;
		json__push(p, &m);
		rc = json__after_child(p, ']', &more);
		if (rc)
			goto out;
	}
	out->type = JSON_ARRAY;
	json__collect(p, out, base);
out:
	p->stack_len = base;
	return rc;
}

static int json__parse_object(struct json_parser *p, struct json_value *out, int depth)
{
	int rc = PERR_OK;
	size_t base = p->stack_len;
	bool more = true;

	if (depth > JSON_MAX_DEPTH)
		return PERR_INVALID;
	p->pos++;
	json__skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		more = false;
	}
	while (more) {
		struct json_member m = {0};
		json__skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '"') {
			rc = PERR_INVALID;
			goto out;
		}
		rc = json__parse_string(p, &m.key, &m.key_len);
		if (rc)
			goto out;
		json__skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':') {
			rc = PERR_INVALID;
			goto out;
		}
		p->pos++;
		rc = json__parse_value(p, &m.value, depth);
		if (rc)
			goto out;
		json__push(p, &m);
		rc = json__after_child(p, '}', &more);
		if (rc)
			goto out;
	}
	out->type = JSON_OBJECT;
	json__collect(p, out, base);
out:
	p->stack_len = base;
	return rc;
}

/* depth: containers enclosing this value. */
static int json__parse_value(struct json_parser *p, struct json_value *out, int depth)
{
	json__skip_ws(p);
	if (p->pos >= p->len)
		return PERR_INVALID;
	switch (p->s[p->pos]) {
	case '{':
		return json__parse_object(p, out, depth + 1);
	case '[':
		return json__parse_array(p, out, depth + 1);
	case '"':
		out->type = JSON_STRING;
		return json__parse_string(p, &out->u.str, &out->len);
	case 't':
		out->type = JSON_BOOL;
		out->flags = 1;
		return json__literal(p, "true");
	case 'f':
		out->type = JSON_BOOL;
		return json__literal(p, "false");
	case 'n':
		out->type = JSON_NULL;
		return json__literal(p, "null");
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return json__parse_number(p, out);
	default:
		return PERR_INVALID;
	}
}

int json_parse(const char *text, size_t len, struct json_doc **out, size_t *err_offset)
{
	int rc = PERR_OK;
	struct json_arena arena = {0};
	struct json_parser p;

	*out = NULL;
	/* First chunk sized from the input so typical documents need just it. */
	arena.next_cap = len > JSON__CHUNK_FIRST_MAX / 2 ? JSON__CHUNK_FIRST_MAX
							 : JSON__CHUNK_MIN + 2 * len;
	p.s = (const unsigned char *)(text ? text : "");
	p.len = text ? len : 0;
	p.pos = 0;
	p.arena = &arena;
	p.stack = p.inline_stack;
	p.stack_len = 0;
	p.stack_cap = JSON__INLINE_STACK;

	struct json_doc *doc = json__arena_alloc(&arena, sizeof *doc);
	memset(doc, 0, sizeof *doc);
	rc = json__parse_value(&p, &doc->root, 0);
	if (rc)
		goto out;
	json__skip_ws(&p);
	if (p.pos != p.len) {
		rc = PERR_INVALID;  /* trailing garbage */
		goto out;
	}
	doc->arena = arena;
	*out = doc;
out:
	if (p.stack != p.inline_stack)
		free(p.stack);
	if (rc) {
		if (err_offset)
			*err_offset = p.pos;
		json__arena_free(&arena);
	}
	return rc;
}

void json_doc_free(struct json_doc *doc)
{
	if (!doc)
		return;
	struct json_arena arena = doc->arena;  /* doc lives in it */
	json__arena_free(&arena);
}

const struct json_value *json_root(const struct json_doc *doc)
{
	return doc ? &doc->root : NULL;
}

/* ---- accessors ---- */

/* A missing value (NULL) reports JSON_NULL, so optional members read as null;
 * json_is_null() still tells an explicit null from an absent one. */
enum json_type json_type(const struct json_value *v)
{
	return v ? (enum json_type)v->type : JSON_NULL;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT || !key)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < obj->len; i++) {
		const struct json_member *m = &obj->u.members[i];
		if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
			return &m->value;
	}
	return NULL;
}

size_t json_len(const struct json_value *v)
{
	if (!v || (v->type != JSON_ARRAY && v->type != JSON_OBJECT))
		return 0;
	return v->len;
}

const struct json_value *json_at(const struct json_value *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->len)
		return NULL;
	return &arr->u.members[i].value;
}

const char *json_key_at(const struct json_value *obj, size_t i)
{
	if (!obj || obj->type != JSON_OBJECT || i >= obj->len)
		return NULL;
	return obj->u.members[i].key;
}

const struct json_value *json_value_at(const struct json_value *obj, size_t i)
{
	if (!obj || obj->type != JSON_OBJECT || i >= obj->len)
		return NULL;
	return &obj->u.members[i].value;
}

const char *json_str(const struct json_value *v, size_t *len)
{
	if (!v || v->type != JSON_STRING)
		return NULL;
	if (len)
		*len = v->len;
	return v->u.str;
}

/* Exact: 1.0, 1e2 and 12.50e1 are integers, 1.5 and 1e-2 are not, and a
 * literal is never rounded through double on the way. */
int json_int(const struct json_value *v, int64_t *out)
{
	int64_t x;
	if (!v || v->type != JSON_NUMBER)
		return PERR_INVALID;
	if (v->flags & JSON__NUM_INT) {
		*out = v->u.i;
		return PERR_OK;
	}
	if (!json__decimal_to_int(v->u.str, v->len, &x))
		return PERR_INVALID;
	*out = x;
	return PERR_OK;
}

/* Nearest double; PERR_INVALID for non-numbers and for magnitudes beyond the
 * double range (1e400), which would otherwise come back as infinity. */
int json_double(const struct json_value *v, double *out)
{
	if (!v || v->type != JSON_NUMBER)
		return PERR_INVALID;
	if (v->flags & JSON__NUM_INT) {
		*out = (double)v->u.i;
		return PERR_OK;
	}
	double d = strtod(v->u.str, NULL);
	if (!isfinite(d))
		return PERR_INVALID;
	*out = d;
	return PERR_OK;
}

int json_bool(const struct json_value *v, bool *out)
{
	if (!v || v->type != JSON_BOOL)
		return PERR_INVALID;
	*out = v->flags != 0;
	return PERR_OK;
}

bool json_is_null(const struct json_value *v)
{
	return v && v->type == JSON_NULL;
}

/* ---- writer ---- */

/* A container opened at depth JSON_MAX_DEPTH could not be parsed back, so it
 * is written as null and everything inside it is dropped: while depth is
 * above the limit, nothing is written. This keeps the output valid JSON
 * without an error path in every call. */

void jw_init(struct json_writer *w, struct buf *out)
{
	w->out = out;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
}

/* Commas before a value or key; false inside a dropped container. */
static bool jw__item(struct json_writer *w)
{
	if (w->depth > JSON_MAX_DEPTH)
		return false;
	if (w->after_key) {
		w->after_key = false;
		return true;
	}
	if (!w->first[w->depth])
		buf_putc(w->out, ',');
	w->first[w->depth] = false;
	return true;
}

static void jw__open(struct json_writer *w, char c)
{
	if (w->depth >= JSON_MAX_DEPTH) {
		if (w->depth == JSON_MAX_DEPTH && jw__item(w))
			buf_puts(w->out, "null");
		w->depth++;
		return;
	}
	jw__item(w);
	buf_putc(w->out, c);
	w->depth++;
	w->first[w->depth] = true;
}

static void jw__close(struct json_writer *w, char c)
{
	if (w->depth == 0)
		return;  /* unbalanced: ignore rather than write past the root */
	w->depth--;
	if (w->depth >= JSON_MAX_DEPTH)
		return;
	w->after_key = false;
	buf_putc(w->out, c);
}

void jw_object_begin(struct json_writer *w)
{
	jw__open(w, '{');
}

void jw_object_end(struct json_writer *w)
{
	jw__close(w, '}');
}

void jw_array_begin(struct json_writer *w)
{
	jw__open(w, '[');
}

void jw_array_end(struct json_writer *w)
{
	jw__close(w, ']');
}

/* s[0..n) as a JSON string: quote, backslash and control characters escaped,
 * well-formed UTF-8 copied, every byte of a malformed sequence as U+FFFD. */
static void jw__quoted(struct buf *out, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0;  /* start of bytes copied verbatim */
	size_t i = 0;

	buf_putc(out, '"');
	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t len = json__utf8_seq(s + i, n - i);
			if (len) {
				i += len;
				continue;
			}
		}
		buf_append(out, s + run, i - run);
		switch (c) {
		case '"': buf_puts(out, "\\\""); break;
		case '\\': buf_puts(out, "\\\\"); break;
		case '\b': buf_puts(out, "\\b"); break;
		case '\f': buf_puts(out, "\\f"); break;
		case '\n': buf_puts(out, "\\n"); break;
		case '\r': buf_puts(out, "\\r"); break;
		case '\t': buf_puts(out, "\\t"); break;
		default:
			if (c < 0x20) {
				char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				buf_append(out, esc, sizeof esc);
			} else {
				buf_puts(out, "\xEF\xBF\xBD");
			}
			break;
		}
		i++;
		run = i;
	}
	buf_append(out, s + run, i - run);
	buf_putc(out, '"');
}

void jw_key(struct json_writer *w, const char *key)
{
	if (!jw__item(w))
		return;
	jw__quoted(w->out, key ? key : "", key ? strlen(key) : 0);
	buf_putc(w->out, ':');
	w->after_key = true;
}

void jw_string(struct json_writer *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_stringn(w, s, strlen(s));
}

void jw_stringn(struct json_writer *w, const char *s, size_t n)
{
	if (!jw__item(w))
		return;
	jw__quoted(w->out, s, n);
}

void jw_int(struct json_writer *w, int64_t v)
{
	if (!jw__item(w))
		return;
	buf_printf(w->out, "%" PRId64, v);
}

/* Shortest of %.15g..%.17g that reads back as the same double; %.17g always
 * does. Infinity and NaN have no JSON form and become null. */
void jw_double(struct json_writer *w, double v)
{
	char tmp[32];
	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	if (!jw__item(w))
		return;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	buf_puts(w->out, tmp);
}

void jw_bool(struct json_writer *w, bool v)
{
	if (!jw__item(w))
		return;
	buf_puts(w->out, v ? "true" : "false");
}

void jw_null(struct json_writer *w)
{
	if (!jw__item(w))
		return;
	buf_puts(w->out, "null");
}

void jw_raw(struct json_writer *w, const char *json, size_t n)
{
	if (!jw__item(w))
		return;
	buf_append(w->out, json, n);
}

void jw_kv_string(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kv_bool(struct json_writer *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
