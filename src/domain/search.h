/* SPDX-License-Identifier: MIT */
/* Full-text search rules, with no I/O: what a word is (Unicode letters and
 * digits, Cyrillic and Latin case-folded, ё read as е, Latin diacritics and
 * Russian stress marks dropped), the parser of what a user types into the
 * search box (words, "quoted phrases", a prefix with a trailing *) and its
 * rendering as an FTS5 expression that can never be a syntax error, the
 * shapes of search requests and results shared by the store and the API, and
 * the snippet shown for a hit. The SQLite tokenizer (store/sqlite/fts_stem.c)
 * splits and folds text with search_word_next, so the index and the query
 * parser agree on every word by construction. Pure functions, any thread.
 * Design and costs: docs/internals/search.md. */
#ifndef PARTA_DOMAIN_SEARCH_H
#define PARTA_DOMAIN_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* ---- words ---- */

#define SEARCH_WORD_MAX_CP 64    /* a longer word is cut here (and not stemmed) */
#define SEARCH_WORD_MAX_BYTES (SEARCH_WORD_MAX_CP * 4)
#define SEARCH_CP_INVALID 0xFFFFFFFFu

/* Decode one code point from s[0..n), n >= 1. On a malformed, overlong,
 * surrogate or truncated sequence returns SEARCH_CP_INVALID with *adv = 1,
 * so a caller skipping bad bytes one by one always makes progress. */
uint32_t search_utf8_decode(const unsigned char *s, size_t n, size_t *adv);

enum search_cp_class {
	SEARCH_CP_SEP = 0,   /* punctuation, spaces, symbols, emoji, invalid bytes */
	SEARCH_CP_WORD,      /* a letter or digit */
	SEARCH_CP_MARK,      /* a combining mark: belongs to the letter before it */
	SEARCH_CP_IGNORE,    /* soft hyphen, zero-width joiners: skipped inside a word */
};
enum search_cp_class search_cp_class(uint32_t cp);

/* The folded form of a word character: lower case for Latin (with the
 * diacritics of Latin-1 and Latin Extended-A removed), Greek and Cyrillic;
 * ё → е. Other code points are returned unchanged. Idempotent. */
uint32_t search_cp_fold(uint32_t cp);

/* One word of a text, folded. */
struct search_word {
	char text[SEARCH_WORD_MAX_BYTES + 1]; /* folded UTF-8, NUL-terminated */
	size_t len;                           /* bytes of text */
	size_t ncp;                           /* code points of text */
	size_t start, end;                    /* the word's bytes in the input */
	bool cyrillic;                        /* contains a Cyrillic letter */
	bool latin;                           /* contains a Latin letter */
	bool truncated;                       /* longer than SEARCH_WORD_MAX_CP */
};

/* The next word of s[0..n) at or after *pos: fills w and moves *pos past it;
 * false when no word is left. A word is a run of word characters (combining
 * marks and ignorable characters inside it do not split it: "й" written as
 * и + U+0306 is й, a stress mark is dropped). A word with Cyrillic letters in
 * which every Latin letter looks like a Cyrillic one ("Cтудент" typed with a
 * Latin C) is read as all-Cyrillic. Never fails on any input, including
 * invalid UTF-8 (invalid bytes separate words). */
bool search_word_next(const char *s, size_t n, size_t *pos, struct search_word *w);

/* ---- queries ---- */

#define SEARCH_QUERY_MAX_CP 200     /* characters of q */
#define SEARCH_PREFIX_MIN_CP 3      /* a shorter word before * is a plain word */
#define SEARCH_TERMS_MAX 100        /* 200 characters hold at most 100 words */
#define SEARCH_QUERY_TEXT_MAX 2048  /* folded words of one query, bytes */

/* One term: a word, or a phrase (words in this order, next to each other);
 * with prefix, its last word matches any word beginning with it. */
struct search_term {
	size_t off, len;            /* the folded words in search_query.text, space-separated */
	size_t nwords;
	bool prefix;
};

struct search_query {
	struct search_term terms[SEARCH_TERMS_MAX];
	size_t nterms;
	char text[SEARCH_QUERY_TEXT_MAX];
	size_t text_len;
};

/* Parse what a user typed: words (each must match), "quoted phrases" (an
 * unterminated quote runs to the end), and word* or "phrase"* for a prefix of
 * at least SEARCH_PREFIX_MIN_CP characters. Everything else — FTS5 operators
 * and syntax (AND OR NOT NEAR ^ : ( ) + - { } and stray * or "), punctuation,
 * emoji — is either a separator or an ordinary word. PERR_INVALID if q is not
 * valid UTF-8, is empty or longer than SEARCH_QUERY_MAX_CP characters, or
 * holds no word. out is filled on PERR_OK. */
int search_query_parse(const char *q, size_t len, struct search_query *out);

/* Append to out the FTS5 expression of q restricted to column: every term
 * ANDed, each a double-quoted string (quotes doubled) with the column filter,
 * prefixes as "…" *. The result is always valid FTS5 syntax. */
void search_query_fts5(const struct search_query *q, const char *column, struct buf *out);

/* ---- requests and results (the store op and the API) ---- */

#define SEARCH_LIMIT_DEFAULT 20
#define SEARCH_LIMIT_MAX 50
#define SEARCH_RANGES_MAX 32        /* highlighted ranges kept per message */

struct search_request {
	int64_t user_id;
	const struct search_query *query;
	int64_t chat_id;            /* 0: every chat the user may read */
	int64_t before_id;          /* 0: from the newest; else messages with id < before_id */
	int limit;                  /* 1..SEARCH_LIMIT_MAX */
};

/* A matched part of a message's text, in bytes. */
struct search_range {
	uint32_t start, len;
};

struct search_hit {
	int64_t message_id;
	int64_t chat_id;
	int64_t seq;
	int64_t author_id;
	int64_t at_ms;
	char *chat_title;           /* a direct chat: the other person's name */
	char *author_name;
	char *text;                 /* the message's text as indexed */
	size_t text_len;
	struct search_range ranges[SEARCH_RANGES_MAX];
	size_t nranges;
};

struct search_result {
	struct search_hit *items;   /* newest first */
	size_t count;
	int64_t next_before_id;     /* 0: nothing older matches */
};
void search_result_clear(struct search_result *r);

/* ---- snippets ---- */

#define SEARCH_SNIPPET_CP 200       /* characters of a snippet, ellipses aside */

/* A highlighted part of a snippet, in UTF-16 code units (what JavaScript's
 * String indexes count). */
struct search_highlight {
	uint32_t start, len;
};

struct search_snippet {
	char *text;                 /* heap, NUL-terminated; "…" marks cut ends */
	size_t len;
	struct search_highlight hl[SEARCH_RANGES_MAX];
	size_t nhl;
};

/* The snippet of text[0..len) for the byte ranges r[0..n) (any order,
 * overlaps allowed, out-of-range parts ignored): the whole text if it has at
 * most SEARCH_SNIPPET_CP characters, else a window of that many characters
 * starting a little before the first range, cut at spaces where possible,
 * with "…" at the cut ends. Highlights are the ranges that fall inside,
 * merged and clipped. Any input is safe (invalid UTF-8 bytes count as one
 * character each). out->text must be freed. */
void search_snippet_make(const char *text, size_t len, const struct search_range *r, size_t n,
			 struct search_snippet *out);

#endif
