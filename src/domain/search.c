/* SPDX-License-Identifier: MIT */
/* Full-text search rules: code point classes and folding, the word splitter
 * shared by the index tokenizer and the query parser, the query parser and
 * its FTS5 rendering, and snippets. See search.h for the contracts and
 * docs/internals/search.md for the design. */
#include "domain/search.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"

/* ---- code points ---- */

uint32_t search_utf8_decode(const unsigned char *s, size_t n, size_t *adv)
{
	uint32_t c = s[0];
	size_t need;
	uint32_t min;
	*adv = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		min = 0x80;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		min = 0x800;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		min = 0x10000;
		c &= 0x07;
	} else {
		return SEARCH_CP_INVALID;
	}
	if (n < need + 1)
		return SEARCH_CP_INVALID;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return SEARCH_CP_INVALID;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return SEARCH_CP_INVALID;
	*adv = need + 1;
	return c;
}

static bool in(uint32_t cp, uint32_t lo, uint32_t hi)
{
	return cp >= lo && cp <= hi;
}

/* Combining marks of the blocks a college's texts use (Latin diacritics,
 * Russian stress marks, Cyrillic titlo…). */
static bool search__is_mark(uint32_t cp)
{
	return in(cp, 0x0300, 0x036F) || in(cp, 0x0483, 0x0489) || in(cp, 0x1AB0, 0x1AFF) ||
	       in(cp, 0x1DC0, 0x1DFF) || in(cp, 0x20D0, 0x20FF) || in(cp, 0x2DE0, 0x2DFF) ||
	       in(cp, 0xFE20, 0xFE2F);
}

/* Punctuation, symbols, spaces and emoji above Latin-1. Anything else is a
 * letter of some script: scripts we do not know well still form words. */
static bool search__is_sep_high(uint32_t cp)
{
	return cp == 0x037E || cp == 0x0387 || in(cp, 0x2000, 0x2BFF) || in(cp, 0x2E00, 0x2E7F) ||
	       in(cp, 0x3000, 0x303F) || in(cp, 0xD800, 0xF8FF) || in(cp, 0xFE10, 0xFE1F) ||
	       in(cp, 0xFE30, 0xFE6F) || in(cp, 0xFF00, 0xFF0F) || in(cp, 0xFF1A, 0xFF20) ||
	       in(cp, 0xFF3B, 0xFF40) || in(cp, 0xFF5B, 0xFF65) || in(cp, 0xFFF0, 0xFFFF) ||
	       in(cp, 0x1F000, 0x1FBFF) || cp >= 0xE0000;
}

enum search_cp_class search_cp_class(uint32_t cp)
{
	if (cp < 0x80) {
		if (in(cp, '0', '9') || in(cp, 'a', 'z') || in(cp, 'A', 'Z'))
			return SEARCH_CP_WORD;
		return SEARCH_CP_SEP;
	}
	if (cp == SEARCH_CP_INVALID)
		return SEARCH_CP_SEP;
	if (cp < 0xC0) {
		if (cp == 0xAD)
			return SEARCH_CP_IGNORE; /* soft hyphen */
		return cp == 0xAA || cp == 0xB5 || cp == 0xBA ? SEARCH_CP_WORD : SEARCH_CP_SEP;
	}
	if (cp == 0xD7 || cp == 0xF7)
		return SEARCH_CP_SEP;
	if (cp < 0x300)
		return SEARCH_CP_WORD;
	if (search__is_mark(cp))
		return SEARCH_CP_MARK;
	if (cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF || in(cp, 0xFE00, 0xFE0F))
		return SEARCH_CP_IGNORE; /* joiners, word joiner, BOM, variation selectors */
	return search__is_sep_high(cp) ? SEARCH_CP_SEP : SEARCH_CP_WORD;
}

/* Latin-1 lower-case letters à..ÿ without their diacritics ('_': kept). */
static const char fold_latin1[] = "aaaaaa_ceeeeiiii_nooooo_ouuuuy_y";
/* Latin Extended-A Ā..ſ, both cases, to the base letter ('?': the ligatures
 * Ĳ and Œ, kept as their lower-case form). */
static const char fold_latin_ext_a[] = "aaaaaaccccccccdd"
				       "ddeeeeeeeeeegggg"
				       "gggghhhhiiiiiiii"
				       "ii??jjkkklllllll"
				       "lllnnnnnnnnnoooo"
				       "oo??rrrrrrssssss"
				       "ssttttttuuuuuuuu"
				       "uuuuwwyyyzzzzzzs";

static uint32_t search__fold_greek(uint32_t cp)
{
	if (in(cp, 0x391, 0x3A9) && cp != 0x3A2)
		return cp + 0x20;
	switch (cp) {
	case 0x3C2: return 0x3C3;                       /* final sigma */
	case 0x386: case 0x3AC: return 0x3B1;           /* tonos dropped */
	case 0x388: case 0x3AD: return 0x3B5;
	case 0x389: case 0x3AE: return 0x3B7;
	case 0x38A: case 0x3AF: return 0x3B9;
	case 0x38C: case 0x3CC: return 0x3BF;
	case 0x38E: case 0x3CD: return 0x3C5;
	case 0x38F: case 0x3CE: return 0x3C9;
	default: return cp;
	}
}

static uint32_t search__fold_cyrillic(uint32_t cp)
{
	if (in(cp, 0x410, 0x42F))
		return cp + 0x20;
	if (in(cp, 0x400, 0x40F))
		cp += 0x50;
	if (cp == 0x451 || cp == 0x450)
		return 0x435; /* ё, ѐ → е */
	if ((in(cp, 0x460, 0x481) || in(cp, 0x48A, 0x4BF) || in(cp, 0x4D0, 0x52F)) && !(cp & 1))
		return cp + 1;
	if (cp == 0x4C0)
		return 0x4CF;
	if (in(cp, 0x4C1, 0x4CE) && (cp & 1))
		return cp + 1;
	return cp;
}

uint32_t search_cp_fold(uint32_t cp)
{
	if (cp < 0x80)
		return in(cp, 'A', 'Z') ? cp + 0x20 : cp;
	if (in(cp, 0xC0, 0xFF)) {
		if (cp <= 0xDE && cp != 0xD7)
			cp += 0x20;
		if (cp >= 0xE0 && fold_latin1[cp - 0xE0] != '_')
			return (uint32_t)fold_latin1[cp - 0xE0];
		return cp;
	}
	if (in(cp, 0x100, 0x17F)) {
		char b = fold_latin_ext_a[cp - 0x100];
		return b == '?' ? (cp | 1) : (uint32_t)b;
	}
	if (in(cp, 0x370, 0x3FF))
		return search__fold_greek(cp);
	if (in(cp, 0x400, 0x52F))
		return search__fold_cyrillic(cp);
	return cp;
}

/* ---- words ---- */

static bool search__is_cyrillic(uint32_t cp)
{
	return in(cp, 0x400, 0x52F);
}

static bool search__is_latin(uint32_t cp)
{
	return in(cp, 'a', 'z') || (in(cp, 0xC0, 0x24F) && cp != 0xD7 && cp != 0xF7);
}

/* Latin letters that look like Cyrillic ones (folded), and their twins. */
static uint32_t search__cyrillic_twin(uint32_t cp)
{
	switch (cp) {
	case 'a': return 0x430;
	case 'b': return 0x432;
	case 'c': return 0x441;
	case 'e': return 0x435;
	case 'h': return 0x43D;
	case 'k': return 0x43A;
	case 'm': return 0x43C;
	case 'o': return 0x43E;
	case 'p': return 0x440;
	case 't': return 0x442;
	case 'x': return 0x445;
	case 'y': return 0x443;
	default: return 0;
	}
}

static size_t search__utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Script flags, the Cyrillic reading of a mixed word, and the UTF-8 text. */
static void search__word_finish(uint32_t *cps, size_t ncp, struct search_word *w)
{
	bool twins = true;
	w->cyrillic = w->latin = false;
	for (size_t i = 0; i < ncp; i++) {
		if (search__is_cyrillic(cps[i]))
			w->cyrillic = true;
		if (search__is_latin(cps[i])) {
			w->latin = true;
			if (!search__cyrillic_twin(cps[i]))
				twins = false;
		}
	}
	if (w->cyrillic && w->latin && twins) {
		for (size_t i = 0; i < ncp; i++)
			if (search__is_latin(cps[i]))
				cps[i] = search__cyrillic_twin(cps[i]);
		w->latin = false;
	}
	w->len = 0;
	for (size_t i = 0; i < ncp; i++)
		w->len += search__utf8_put(cps[i], w->text + w->len);
	w->text[w->len] = '\0';
	w->ncp = ncp;
}

bool search_word_next(const char *s, size_t n, size_t *pos, struct search_word *w)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cps[SEARCH_WORD_MAX_CP];
	size_t ncp = 0, i = *pos;
	bool in_word = false;
	w->truncated = false;
	while (i < n) {
		size_t adv;
		uint32_t cp = search_utf8_decode(u + i, n - i, &adv);
		enum search_cp_class k = search_cp_class(cp);
		if (k == SEARCH_CP_SEP && in_word)
			break;
		if (!in_word && k != SEARCH_CP_WORD) {
			i += adv;
			continue;
		}
		if (!in_word) {
			in_word = true;
			w->start = i;
		}
		if (k == SEARCH_CP_WORD) {
			if (ncp < SEARCH_WORD_MAX_CP)
				cps[ncp++] = search_cp_fold(cp);
			else
				w->truncated = true;
			w->end = i + adv;
		} else if (k == SEARCH_CP_MARK) {
			/* и + breve is й, у + breve is ў; other marks (stress,
			 * diaeresis, Latin accents) are dropped */
			if (!w->truncated && cp == 0x306 && ncp && cps[ncp - 1] == 0x438)
				cps[ncp - 1] = 0x439;
			else if (!w->truncated && cp == 0x306 && ncp && cps[ncp - 1] == 0x443)
				cps[ncp - 1] = 0x45E;
			w->end = i + adv;
		}
		i += adv;
	}
	*pos = i;
	if (!in_word)
		return false;
	search__word_finish(cps, ncp, w);
	return true;
}

/* ---- queries ---- */

static size_t search__count_cp(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Append word to the query's text (space-separated within a term). */
static int search__add_word(struct search_query *q, struct search_term *t, const struct search_word *w)
{
	size_t need = w->len + (t->nwords ? 1 : 0);
	if (q->text_len + need + 1 > sizeof q->text)
		return PERR_LIMIT;
	if (t->nwords)
		q->text[q->text_len++] = ' ';
	memcpy(q->text + q->text_len, w->text, w->len);
	q->text_len += w->len;
	q->text[q->text_len] = '\0';
	t->len += need;
	t->nwords++;
	return PERR_OK;
}

static void search__term_begin(struct search_query *q, struct search_term *t)
{
	memset(t, 0, sizeof *t);
	t->off = q->text_len;
}

static void search__term_end(struct search_query *q, struct search_term *t, bool prefix,
			     size_t last_ncp)
{
	if (!t->nwords || q->nterms == SEARCH_TERMS_MAX)
		return;
	t->prefix = prefix && last_ncp >= SEARCH_PREFIX_MIN_CP;
	q->terms[q->nterms++] = *t;
}

/* "…" starting at q[*i] (the opening quote): one phrase term. */
static int search__parse_phrase(const char *s, size_t len, size_t *i, struct search_query *q)
{
	const char *close = memchr(s + *i + 1, '"', len - *i - 1);
	size_t end = close ? (size_t)(close - s) : len;
	struct search_term t;
	struct search_word w;
	size_t pos = *i + 1, last_ncp = 0;
	int rc = PERR_OK;
	search__term_begin(q, &t);
	while (!rc && search_word_next(s, end, &pos, &w)) {
		rc = search__add_word(q, &t, &w);
		last_ncp = w.truncated ? 0 : w.ncp;
	}
	*i = close ? end + 1 : len;
	bool prefix = *i < len && s[*i] == '*';
	if (prefix)
		(*i)++;
	if (!rc)
		search__term_end(q, &t, prefix, last_ncp);
	return rc;
}

/* Bare words in s[*i..end of segment): one term each. */
static int search__parse_words(const char *s, size_t len, size_t *i, struct search_query *q)
{
	const char *quote = memchr(s + *i, '"', len - *i);
	size_t end = quote ? (size_t)(quote - s) : len;
	struct search_word w;
	size_t pos = *i;
	int rc = PERR_OK;
	while (!rc && search_word_next(s, end, &pos, &w)) {
		struct search_term t;
		search__term_begin(q, &t);
		rc = search__add_word(q, &t, &w);
		if (!rc)
			search__term_end(q, &t, w.end < end && s[w.end] == '*',
					 w.truncated ? 0 : w.ncp);
	}
	*i = end;
	return rc;
}

int search_query_parse(const char *s, size_t len, struct search_query *out)
{
	memset(out, 0, sizeof *out);
	if (!s || len == 0 || !utf8_valid(s, len) || search__count_cp(s, len) > SEARCH_QUERY_MAX_CP)
		return PERR_INVALID;
	size_t i = 0;
	int rc = PERR_OK;
	while (!rc && i < len) {
		if (s[i] == '"')
			rc = search__parse_phrase(s, len, &i, out);
		else
			rc = search__parse_words(s, len, &i, out);
	}
	if (rc || out->nterms == 0) {
		memset(out, 0, sizeof *out);
		return PERR_INVALID;
	}
	return PERR_OK;
}

void search_query_fts5(const struct search_query *q, const char *column, struct buf *out)
{
	for (size_t i = 0; i < q->nterms; i++) {
		const struct search_term *t = &q->terms[i];
		if (i)
			buf_puts(out, " AND ");
		buf_printf(out, "%s : \"", column);
		/* words hold no quote by construction; doubling any keeps the
		 * expression valid whatever a future word rule lets through */
		for (size_t k = 0; k < t->len; k++) {
			char c = q->text[t->off + k];
			if (c == '"')
				buf_putc(out, '"');
			buf_putc(out, c);
		}
		buf_puts(out, t->prefix ? "\" *" : "\"");
	}
}

/* ---- results ---- */

void search_result_clear(struct search_result *r)
{
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].chat_title);
		free(r->items[i].author_name);
		free(r->items[i].text);
	}
	free(r->items);
	memset(r, 0, sizeof *r);
}

/* ---- snippets ---- */

#define SNIPPET_LEAD_CP 40   /* characters shown before the first match */
#define SNIPPET_SNAP_CP 24   /* how far a cut may move to land on a space */
#define SNIPPET_ELLIPSIS "\xE2\x80\xA6"

static int search__range_cmp(const void *a, const void *b)
{
	const struct search_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Clip to [0, len), drop empty ranges, sort and merge. Returns the count. */
static size_t search__ranges_normalize(const struct search_range *r, size_t n, size_t len,
				       struct search_range *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < SEARCH_RANGES_MAX; i++) {
		uint64_t s = r[i].start, e = (uint64_t)r[i].start + r[i].len;
		if (s >= len)
			continue;
		if (e > len)
			e = len;
		if (e > s)
			out[k++] = (struct search_range){(uint32_t)s, (uint32_t)(e - s)};
	}
	qsort(out, k, sizeof *out, search__range_cmp);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && out[i].start <= out[m - 1].start + out[m - 1].len) {
			uint32_t e = out[i].start + out[i].len;
			if (e > out[m - 1].start + out[m - 1].len)
				out[m - 1].len = e - out[m - 1].start;
		} else {
			out[m++] = out[i];
		}
	}
	return m;
}

/* UTF-16 code units of the characters starting in s[a..b). */
static uint32_t search__u16_units(const char *s, size_t len, size_t a, size_t b)
{
	uint32_t n = 0;
	size_t i = a;
	while (i < b && i < len) {
		size_t adv;
		uint32_t cp = search_utf8_decode((const unsigned char *)s + i, len - i, &adv);
		n += cp != SEARCH_CP_INVALID && cp >= 0x10000 ? 2 : 1;
		i += adv;
	}
	return n;
}

static bool search__is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* The window [*ws, *we) in bytes, from character offsets off[0..ncp]. */
static void search__window(const char *text, const size_t *off, size_t ncp, size_t first_byte,
			   size_t *ws, size_t *we)
{
	size_t first = 0;
	while (first < ncp && off[first + 1] <= first_byte)
		first++;
	size_t a = first > SNIPPET_LEAD_CP ? first - SNIPPET_LEAD_CP : 0;
	if (a + SEARCH_SNIPPET_CP > ncp)
		a = ncp - SEARCH_SNIPPET_CP;
	if (a > 0) {
		/* start after a space, if one is near and before the match */
		for (size_t k = a; k < a + SNIPPET_SNAP_CP && k < first; k++) {
			if (search__is_space(text[off[k]])) {
				a = k + 1;
				break;
			}
		}
	}
	size_t b = a + SEARCH_SNIPPET_CP;
	if (b < ncp) {
		for (size_t k = b; k > b - SNIPPET_SNAP_CP && k > first + 1; k--) {
			if (search__is_space(text[off[k]])) {
				b = k;
				break;
			}
		}
	} else {
		b = ncp;
	}
	*ws = off[a];
	*we = off[b];
}

void search_snippet_make(const char *text, size_t len, const struct search_range *r, size_t n,
			 struct search_snippet *out)
{
	struct search_range rs[SEARCH_RANGES_MAX];
	size_t nr = search__ranges_normalize(r, n, len, rs);
	size_t *off = xmalloc((len + 1) * sizeof *off);
	size_t ncp = 0, ws = 0, we = len;
	for (size_t i = 0; i < len;) {
		size_t adv;
		search_utf8_decode((const unsigned char *)text + i, len - i, &adv);
		off[ncp++] = i;
		i += adv;
	}
	off[ncp] = len;
	if (ncp > SEARCH_SNIPPET_CP)
		search__window(text, off, ncp, nr ? rs[0].start : 0, &ws, &we);
	free(off);

	struct buf b;
	buf_init(&b, 0);
	uint32_t lead = 0;
	if (ws > 0) {
		buf_puts(&b, SNIPPET_ELLIPSIS);
		lead = 1;
	}
	buf_append(&b, text + ws, we - ws);
	if (we < len)
		buf_puts(&b, SNIPPET_ELLIPSIS);
	memset(out, 0, sizeof *out);
	out->text = buf_steal(&b, &out->len);
	for (size_t i = 0; i < nr; i++) {
		size_t s = rs[i].start, e = (size_t)rs[i].start + rs[i].len;
		if (e <= ws || s >= we)
			continue;
		if (s < ws)
			s = ws;
		if (e > we)
			e = we;
		struct search_highlight *h = &out->hl[out->nhl++];
		h->start = lead + search__u16_units(text, len, ws, s);
		h->len = search__u16_units(text, len, s, e);
	}
}
