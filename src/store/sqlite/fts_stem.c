/* SPDX-License-Identifier: MIT */
/* The "parta" FTS5 tokenizer and the parta_hits() auxiliary function of the
 * message index. Words are split and folded by domain/search.c (the query
 * parser uses the same rules) and stemmed with Snowball (libstemmer): the
 * Russian stemmer for words with Cyrillic letters, the English one for
 * other words with Latin letters, none for numbers and other scripts.
 *
 * Snowball's Russian stemmer is not idempotent on some nouns: «экзамен» →
 * «экзам» (it reads «-ен» as a verb ending) but «экзаменом» → «экзамен». So
 * every word is indexed as its stem S1 and, at the same position, the stem of
 * that stem S2 when it differs and keeps at least FTS_STEM_MIN_CP characters;
 * queries ask for S1 or S2. A prefix query (word*) asks for the folded prefix,
 * S1 and S2 as prefixes (S1 of «студенты» is «студент», which the folded
 * prefix alone would miss). See docs/internals/search.md.
 *
 * A tokenizer instance belongs to one FTS5 table on one connection, which one
 * thread uses at a time: its stemmers (not thread-safe) need no lock. */
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "domain/search.h"
#include "store/sqlite/sqlite_int.h"

#define FTS_STEM_MIN_CP 4  /* a derived form (S2, a stemmed prefix) this short is too vague */

struct fts_stem {
	struct sb_stemmer *ru;
	struct sb_stemmer *en;
};

struct fts_stem *fts_stem_new(void)
{
	struct fts_stem *t = xcalloc(1, sizeof *t);
	t->ru = sb_stemmer_new("russian", "UTF_8");
	t->en = sb_stemmer_new("english", "UTF_8");
	if (!t->ru || !t->en) {
		fts_stem_free(t);
		return NULL;
	}
	return t;
}

void fts_stem_free(struct fts_stem *t)
{
	if (!t)
		return;
	if (t->ru)
		sb_stemmer_delete(t->ru);
	if (t->en)
		sb_stemmer_delete(t->en);
	free(t);
}

static size_t fts_stem__ncp(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			k++;
	return k;
}

/* Stem in[0..n) into out (capacity SEARCH_WORD_MAX_BYTES); returns the
 * length, or -1 if the stemmer ran out of memory. */
static int fts_stem__run(struct sb_stemmer *sb, const char *in, int n, char *out)
{
	const sb_symbol *r = sb_stemmer_stem(sb, (const sb_symbol *)in, n);
	if (!r)
		return -1;
	int len = sb_stemmer_length(sb);
	if (len > SEARCH_WORD_MAX_BYTES)
		len = SEARCH_WORD_MAX_BYTES;
	memcpy(out, r, (size_t)len);
	return len;
}

struct fts_stem_forms {
	char s1[SEARCH_WORD_MAX_BYTES];
	char s2[SEARCH_WORD_MAX_BYTES];
	int n1, n2;   /* 0: no such form (not stemmed, or the same as before) */
};

/* The word's stems. Words that are cut, numbers and words of other scripts
 * have none. */
static int fts_stem__forms(struct fts_stem *t, const struct search_word *w, struct fts_stem_forms *f)
{
	f->n1 = f->n2 = 0;
	struct sb_stemmer *sb = w->cyrillic ? t->ru : w->latin ? t->en : NULL;
	if (!sb || w->truncated)
		return PERR_OK;
	f->n1 = fts_stem__run(sb, w->text, (int)w->len, f->s1);
	if (f->n1 < 0)
		return PERR_NOMEM;
	f->n2 = fts_stem__run(sb, f->s1, f->n1, f->s2);
	if (f->n2 < 0)
		return PERR_NOMEM;
	if (f->n2 == f->n1 && memcmp(f->s1, f->s2, (size_t)f->n1) == 0)
		f->n2 = 0;
	else if (fts_stem__ncp(f->s2, (size_t)f->n2) < FTS_STEM_MIN_CP)
		f->n2 = 0;
	return PERR_OK;
}

/* Emit the tokens of one word: the first at the word's position, the others
 * colocated with it. */
static int fts_stem__emit_word(struct fts_stem *t, const struct search_word *w, bool prefix,
			       void *ctx, fts_stem_emit_fn emit)
{
	struct fts_stem_forms f;
	int rc = fts_stem__forms(t, w, &f);
	if (rc)
		return SQLITE_NOMEM;
	int s = (int)w->start, e = (int)w->end;
	if (!prefix) {
		if (f.n1 <= 0)
			return emit(ctx, 0, w->text, (int)w->len, s, e);
		rc = emit(ctx, 0, f.s1, f.n1, s, e);
		if (rc == SQLITE_OK && f.n2 > 0)
			rc = emit(ctx, FTS5_TOKEN_COLOCATED, f.s2, f.n2, s, e);
		return rc;
	}
	rc = emit(ctx, 0, w->text, (int)w->len, s, e);
	if (rc == SQLITE_OK && f.n1 > 0 && fts_stem__ncp(f.s1, (size_t)f.n1) >= FTS_STEM_MIN_CP &&
	    !((size_t)f.n1 == w->len && memcmp(f.s1, w->text, w->len) == 0))
		rc = emit(ctx, FTS5_TOKEN_COLOCATED, f.s1, f.n1, s, e);
	if (rc == SQLITE_OK && f.n2 > 0)
		rc = emit(ctx, FTS5_TOKEN_COLOCATED, f.s2, f.n2, s, e);
	return rc;
}

int fts_stem_tokenize(struct fts_stem *t, void *ctx, int flags, const char *text, int n,
		      fts_stem_emit_fn emit)
{
	struct search_word a, b;
	struct search_word *cur = &a, *next = &b;
	size_t pos = 0, len = text && n > 0 ? (size_t)n : 0;
	/* with FTS5_TOKENIZE_PREFIX only the last word is a prefix: look one
	 * word ahead */
	bool have = search_word_next(text, len, &pos, cur);
	while (have) {
		bool more = search_word_next(text, len, &pos, next);
		bool prefix = !more && (flags & FTS5_TOKENIZE_PREFIX);
		int rc = fts_stem__emit_word(t, cur, prefix, ctx, emit);
		if (rc != SQLITE_OK)
			return rc;
		struct search_word *tmp = cur;
		cur = next;
		next = tmp;
		have = more;
	}
	return SQLITE_OK;
}

/* ---- the FTS5 tokenizer ---- */

static int fts_stem__create(void *ud, const char **argv, int argc, Fts5Tokenizer **out)
{
	*out = NULL;
	if (argc > 0)
		return SQLITE_ERROR; /* no options */
	struct fts_stem *t = fts_stem_new();
	if (!t)
		return SQLITE_ERROR;
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fts_stem__delete(Fts5Tokenizer *tok)
{
	fts_stem_free((struct fts_stem *)tok);
}

static int fts_stem__tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n,
			      int (*emit)(void *, int, const char *, int, int, int))
{
	return fts_stem_tokenize((struct fts_stem *)tok, ctx, flags, text, n, emit);
}

/* ---- parta_hits(message_fts): the matched parts of the text column ---- */

struct hits_state {
	int first[SEARCH_RANGES_MAX];   /* token positions of each instance */
	int last[SEARCH_RANGES_MAX];
	uint32_t out[SEARCH_RANGES_MAX * 2];  /* byte start, length */
	int n;
	int pos;                        /* position of the next token */
	int max_last;
};

static int hits__token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct hits_state *h = ctx;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	int p = h->pos++;
	for (int i = 0; i < h->n; i++) {
		if (p == h->first[i])
			h->out[2 * i] = (uint32_t)start;
		if (p == h->last[i])
			h->out[2 * i + 1] = (uint32_t)end - h->out[2 * i];
	}
	return p >= h->max_last ? SQLITE_DONE : SQLITE_OK; /* nothing further is wanted */
}

/* A blob of (start, length) pairs of native uint32, in bytes of column 0,
 * one per phrase instance found there (at most SEARCH_RANGES_MAX). */
static void hits__fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		     sqlite3_value **val)
{
	struct hits_state h;
	int ninst = 0;
	memset(&h, 0, sizeof h);
	int rc = api->xInstCount(fts, &ninst);
	for (int i = 0; rc == SQLITE_OK && i < ninst && h.n < SEARCH_RANGES_MAX; i++) {
		int phrase, col, off;
		rc = api->xInst(fts, i, &phrase, &col, &off);
		if (rc != SQLITE_OK || col != 0)
			continue;
		int size = api->xPhraseSize(fts, phrase);
		h.first[h.n] = off;
		h.last[h.n] = off + (size > 0 ? size : 1) - 1;
		if (h.last[h.n] > h.max_last)
			h.max_last = h.last[h.n];
		h.n++;
	}
	const char *text = NULL;
	int len = 0;
	if (rc == SQLITE_OK && h.n)
		rc = api->xColumnText(fts, 0, &text, &len);
	if (rc == SQLITE_OK && h.n && text)
		rc = api->xTokenize(fts, text, len, &h, hits__token);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	sqlite3_result_blob(ctx, h.out, (int)(sizeof h.out[0] * 2 * (size_t)h.n), SQLITE_TRANSIENT);
}

/* ---- registration ---- */

static fts5_api *fts_stem__api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return api;
}

int sqlite_search_register(sqlite3 *db)
{
	static fts5_tokenizer tokenizer = {fts_stem__create, fts_stem__delete, fts_stem__tokenize};
	fts5_api *api = fts_stem__api(db);
	if (!api)
		return PERR_UNSUPPORTED; /* SQLite built without FTS5 */
	if (api->xCreateTokenizer(api, "parta", NULL, &tokenizer, NULL) != SQLITE_OK)
		return PERR_IO;
	if (api->xCreateFunction(api, "parta_hits", NULL, hits__fn, NULL) != SQLITE_OK)
		return PERR_IO;
	return PERR_OK;
}
