/* SPDX-License-Identifier: MIT */
/* Full-text search: the word splitter and folding (Cyrillic and Latin case,
 * ё, stress marks, punctuation, mixed scripts, long words, invalid UTF-8),
 * the "parta" tokenizer's tokens and stems (the second-stem synonyms, query
 * prefixes), the query parser (words, phrases, prefixes, FTS5 operators typed
 * by users neutralized — every accepted query runs in a real FTS5 table
 * without a syntax error), the tokenizer inside SQLite FTS5 (morphology,
 * parta_hits ranges, integrity after deletes), the store's search on a real
 * database (membership spans, deleted messages, the chat filter, paging and
 * the bound on candidates scanned) and snippets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "domain/search.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

/* ---- helpers ---- */

/* The folded words of s, space-separated, into out. */
static void words_of(const char *s, size_t n, char *out, size_t cap)
{
	struct search_word w;
	size_t pos = 0, len = 0;
	out[0] = '\0';
	while (search_word_next(s, n, &pos, &w)) {
		int k = snprintf(out + len, cap - len, "%s%s", len ? " " : "", w.text);
		assert_true(k > 0 && (size_t)k < cap - len);
		len += (size_t)k;
	}
}

static void assert_words(const char *s, const char *expect)
{
	char got[2048];
	words_of(s, strlen(s), got, sizeof got);
	assert_string_equal(got, expect);
}

/* Tokens as the tokenizer emits them: "tok" for a new position, "=tok" for
 * a colocated one, space-separated. */
struct tok_log {
	char text[4096];
	size_t len;
	int count;
	int last_end;
	size_t n;          /* the input's length, to check offsets */
};

static int tok_collect(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct tok_log *l = ctx;
	assert_true(start >= 0 && start < end && (size_t)end <= l->n);
	assert_true(ntok > 0 && ntok <= SEARCH_WORD_MAX_BYTES);
	assert_true(utf8_valid(tok, (size_t)ntok));
	int k = snprintf(l->text + l->len, sizeof l->text - l->len, "%s%s%.*s", l->len ? " " : "",
			 (tflags & FTS5_TOKEN_COLOCATED) ? "=" : "", ntok, tok);
	assert_true(k > 0 && (size_t)k < sizeof l->text - l->len);
	l->len += (size_t)k;
	l->count++;
	l->last_end = end;
	return SQLITE_OK;
}

static void tokens(struct fts_stem *t, int flags, const char *s, size_t n, struct tok_log *l)
{
	memset(l, 0, sizeof *l);
	l->n = n;
	assert_int_equal(fts_stem_tokenize(t, l, flags, s, (int)n, tok_collect), SQLITE_OK);
}

static void assert_tokens(struct fts_stem *t, int flags, const char *s, const char *expect)
{
	struct tok_log l;
	tokens(t, flags, s, strlen(s), &l);
	assert_string_equal(l.text, expect);
}

/* ---- words and folding ---- */

static void test_fold_cyrillic(void **state)
{
	(void)state;
	assert_words("ПРИВЕТ, Мир! ЁЖИК ёлка Ёлка", "привет мир ежик елка елка");
	assert_words("ЭКЗАМЕН экзамен ЭкЗаМеН", "экзамен экзамен экзамен");
	/* stress marks are dropped; й written as и + combining breve is й */
	assert_words("Учи\xcc\x81тель", "учитель");
	assert_words("кра\xd0\xb8\xcc\x86 КРА\xd0\x98\xcc\x86", "край край");
	/* е + combining diaeresis reads as е, like ё */
	assert_words("е\xcc\x88лка", "елка");
	/* other Cyrillic letters keep their identity, lower-cased */
	assert_words("ЇЖАК Ґанок ЎСЁ", "їжак ґанок ўсе");
	assert_int_equal(search_cp_fold(0x401), 0x435);  /* Ё */
	assert_int_equal(search_cp_fold(0x451), 0x435);  /* ё */
	assert_int_equal(search_cp_fold(0x419), 0x439);  /* Й stays й */
	for (uint32_t cp = 0; cp < 0x2000; cp++)
		assert_int_equal(search_cp_fold(search_cp_fold(cp)), search_cp_fold(cp));
}

static void test_fold_latin(void **state)
{
	(void)state;
	assert_words("Hello WORLD", "hello world");
	assert_words("Café naïve ÉCOLE Ångström", "cafe naive ecole angstrom");
	assert_words("ŁÓDŹ Straße ŒUVRE", "lodz straße œuvre");
	/* combining accents on Latin letters are dropped like precomposed ones */
	assert_words("Cafe\xcc\x81", "cafe");
	assert_words("ΟΔΥΣΣΕΥΣ Άλφα", "οδυσσευσ αλφα");
}

static void test_punctuation(void **state)
{
	(void)state;
	assert_words("Привет,мир!!!(тест)", "привет мир тест");
	assert_words("кто-то «в кавычках» — тире… №5 ИП-21/3", "кто то в кавычках тире 5 ип 21 3");
	assert_words("e-mail: admin@college.ru; https://x.ru/a?b=c", "e mail admin college ru https x ru a b c");
	assert_words("эмодзи😀внутри 👍🏽 ♥ € $100", "эмодзи внутри 100");
	/* soft hyphen and zero-width joiners do not split a word */
	assert_words("сло\xc2\xadво па\xe2\x80\x8dра", "слово пара");
	/* no-break and other Unicode spaces do */
	assert_words("один\xc2\xa0два\xe2\x80\x83три", "один два три");
	assert_words("", "");
	assert_words("!!! ... ---", "");
}

static void test_offsets(void **state)
{
	(void)state;
	const char *s = "  Привет, «мир»!";
	struct search_word w;
	size_t pos = 0;
	assert_true(search_word_next(s, strlen(s), &pos, &w));
	assert_int_equal(w.start, 2);
	assert_int_equal(w.end, 2 + 12);
	assert_true(w.cyrillic);
	assert_false(w.latin);
	assert_true(search_word_next(s, strlen(s), &pos, &w));
	assert_string_equal(w.text, "мир");
	assert_int_equal(w.start, 2 + 12 + 2 + 2);
	assert_int_equal(w.end, w.start + 6);
	assert_false(search_word_next(s, strlen(s), &pos, &w));
}

static void test_mixed_scripts(void **state)
{
	(void)state;
	/* a Cyrillic word typed with Latin look-alikes is read as Cyrillic */
	assert_words("Cтудент", "студент");           /* Latin C */
	assert_words("kомпьютеp", "компьютер");        /* Latin k and p */
	struct search_word w;
	size_t pos = 0;
	assert_true(search_word_next("Cтудент", strlen("Cтудент"), &pos, &w));
	assert_true(w.cyrillic);
	assert_false(w.latin);
	/* a real mixture stays as it is */
	assert_words("Zoomом iPhone-ы Python3 Wi-Fi", "zoomом iphone ы python3 wi fi");
	pos = 0;
	assert_true(search_word_next("Zoomом", strlen("Zoomом"), &pos, &w));
	assert_true(w.cyrillic && w.latin);
	/* other scripts form words too */
	assert_words("日本語 עברית", "日本語 עברית");
}

static void test_long_words(void **state)
{
	(void)state;
	char s[1000];
	memset(s, 'A', 300);
	memcpy(s + 300, " ok", 4);
	struct search_word w;
	size_t pos = 0;
	assert_true(search_word_next(s, strlen(s), &pos, &w));
	assert_true(w.truncated);
	assert_int_equal(w.ncp, SEARCH_WORD_MAX_CP);
	assert_int_equal(w.len, SEARCH_WORD_MAX_CP);
	assert_int_equal(w.start, 0);
	assert_int_equal(w.end, 300);
	assert_true(search_word_next(s, strlen(s), &pos, &w));
	assert_string_equal(w.text, "ok");
	assert_false(w.truncated);
	/* 300 Cyrillic letters: cut at 64 characters on a character boundary */
	size_t n = 0;
	for (int i = 0; i < 300; i++) {
		memcpy(s + n, "Ж", 2);
		n += 2;
	}
	pos = 0;
	assert_true(search_word_next(s, n, &pos, &w));
	assert_int_equal(w.len, SEARCH_WORD_MAX_CP * 2);
	assert_true(utf8_valid(w.text, w.len));
	assert_int_equal(w.end, n);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	const char s[] = "\xff\xfe abc \xc3 def\xed\xa0\x80ghi \xc0\xaf jkl\xf0\x9f";
	assert_words(s, "abc def ghi jkl");
	/* a truncated sequence at the very end */
	assert_words("абв\xd0", "абв");
	size_t adv;
	assert_int_equal(search_utf8_decode((const unsigned char *)"\xe0\x80\x80", 3, &adv),
			 SEARCH_CP_INVALID);
	assert_int_equal(adv, 1);
	assert_int_equal(search_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &adv),
			 SEARCH_CP_INVALID);
	assert_int_equal(search_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &adv),
			 0x1F600);
	assert_int_equal(adv, 4);
}

/* Random bytes, biased towards UTF-8 lead and continuation bytes: words are
 * always valid UTF-8 within the input's bounds, and the splitter ends. */
static void test_random_bytes(void **state)
{
	(void)state;
	static const unsigned char pool[] = {'a', 'Z', '5', ' ', ',', '"', '*', 0xD0, 0xD1, 0x90,
					     0xB5, 0xCC, 0x81, 0xE2, 0x80, 0xF0, 0x9F, 0xFF, 0xC2, 0xAD};
	struct fts_stem *t = fts_stem_new();
	assert_non_null(t);
	srand(7);
	for (int round = 0; round < 3000; round++) {
		unsigned char s[300];
		size_t n = (size_t)(rand() % (int)sizeof s);
		for (size_t i = 0; i < n; i++)
			s[i] = pool[rand() % (int)sizeof pool];
		struct search_word w;
		size_t pos = 0, last_end = 0;
		while (search_word_next((const char *)s, n, &pos, &w)) {
			assert_true(w.start >= last_end && w.start < w.end && w.end <= n);
			assert_true(utf8_valid(w.text, w.len));
			assert_true(w.len <= SEARCH_WORD_MAX_BYTES);
			last_end = w.end;
		}
		struct tok_log l;
		tokens(t, FTS5_TOKENIZE_DOCUMENT, (const char *)s, n, &l);
		tokens(t, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, (const char *)s, n, &l);
		struct search_query q;
		if (search_query_parse((const char *)s, n, &q) == PERR_OK)
			assert_true(q.nterms > 0);
	}
	fts_stem_free(t);
}

/* ---- the tokenizer ---- */

static void test_stems(void **state)
{
	(void)state;
	struct fts_stem *t = fts_stem_new();
	assert_non_null(t);
	int doc = FTS5_TOKENIZE_DOCUMENT;
	/* Russian: one stem for the forms of a word; Snowball reads «-ен» of
	 * «экзамен» as a verb ending, so the second stem joins the forms */
	assert_tokens(t, doc, "Экзамен экзамены экзамена", "экзам экзам экзам");
	assert_tokens(t, doc, "экзаменом экзаменах", "экзамен =экзам экзамен =экзам");
	assert_tokens(t, doc, "студенты студентов СТУДЕНТ", "студент студент студент");
	assert_tokens(t, doc, "Ёлка елка", "елк елк");
	/* a second stem of four characters is indexed; «экз» above was not */
	assert_tokens(t, doc, "задание", "задан =зада");
	/* English */
	assert_tokens(t, doc, "exams exam running runs run", "exam exam run run run");
	assert_tokens(t, doc, "Experimentation experiment", "experiment =experi experi");
	/* numbers, cut words and other scripts are not stemmed */
	assert_tokens(t, doc, "2024 日本語", "2024 日本語");
	char longw[200];
	memset(longw, 'x', 100);
	memcpy(longw + 100, "ing", 4);
	struct tok_log l;
	tokens(t, doc, longw, strlen(longw), &l);
	assert_int_equal(l.count, 1);
	assert_int_equal((int)l.len, SEARCH_WORD_MAX_CP);
	assert_int_equal(l.last_end, 103);
	/* a query asks for the same tokens */
	assert_tokens(t, FTS5_TOKENIZE_QUERY, "экзаменом", "экзамен =экзам");
	fts_stem_free(t);
}

static void test_prefix_tokens(void **state)
{
	(void)state;
	struct fts_stem *t = fts_stem_new();
	int pq = FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX;
	/* the folded prefix, and its stems as prefixes too */
	assert_tokens(t, pq, "Студенты", "студенты =студент");
	assert_tokens(t, pq, "матем", "матем");
	assert_tokens(t, pq, "экзаменом", "экзаменом =экзамен =экзам");
	/* stems shorter than four characters are not used as prefixes */
	assert_tokens(t, pq, "дела", "дела");
	/* in a phrase only the last word is a prefix */
	assert_tokens(t, pq, "теория вероятн", "теор вероятн");
	assert_tokens(t, pq, "happy", "happy =happi");
	fts_stem_free(t);
}

static int tok_stop(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	int *n = ctx;
	return ++*n == 2 ? SQLITE_DONE : SQLITE_OK;
}

static void test_tokenizer_stops(void **state)
{
	(void)state;
	struct fts_stem *t = fts_stem_new();
	int n = 0;
	assert_int_equal(fts_stem_tokenize(t, &n, FTS5_TOKENIZE_DOCUMENT, "один два три", 21,
					   tok_stop), SQLITE_DONE);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(fts_stem_tokenize(t, &n, FTS5_TOKENIZE_DOCUMENT, NULL, 0, tok_stop), SQLITE_OK);
	assert_int_equal(n, 0);
	fts_stem_free(t);
}

/* ---- the query parser ---- */

static void term_text(const struct search_query *q, size_t i, char *out, size_t cap)
{
	const struct search_term *t = &q->terms[i];
	snprintf(out, cap, "%.*s%s", (int)t->len, q->text + t->off, t->prefix ? "*" : "");
}

/* The terms of q as "a|b c|d*". */
static void assert_terms(const char *input, const char *expect)
{
	struct search_query q;
	char got[2048] = "", one[600];
	size_t len = 0;
	assert_int_equal(search_query_parse(input, strlen(input), &q), PERR_OK);
	for (size_t i = 0; i < q.nterms; i++) {
		term_text(&q, i, one, sizeof one);
		len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", i ? "|" : "", one);
	}
	assert_string_equal(got, expect);
}

static void assert_refused(const char *input, size_t len)
{
	struct search_query q;
	assert_int_equal(search_query_parse(input, len, &q), PERR_INVALID);
	assert_int_equal(q.nterms, 0);
}

static void test_query_words(void **state)
{
	(void)state;
	assert_terms("экзамен", "экзамен");
	assert_terms("  Экзамен   ЗАВТРА ", "экзамен|завтра");
	assert_terms("Ёлка, ура!", "елка|ура");
	assert_terms("exam 2024", "exam|2024");
}

static void test_query_phrases(void **state)
{
	(void)state;
	assert_terms("\"теория вероятностей\" экзамен", "теория вероятностей|экзамен");
	assert_terms("экзамен \"теория, вероятностей!\"", "экзамен|теория вероятностей");
	/* an unterminated quote runs to the end */
	assert_terms("\"теория вероятностей", "теория вероятностей");
	/* empty phrases vanish */
	assert_terms("\"\" \"!!\" экзамен", "экзамен");
	assert_terms("a\"b\"c", "a|b|c");
}

static void test_query_prefixes(void **state)
{
	(void)state;
	assert_terms("матем*", "матем*");
	assert_terms("матем* экзамен", "матем*|экзамен");
	/* too short for a prefix: a plain word */
	assert_terms("ма* x*", "ма|x");
	/* a star not right after the word is no prefix */
	assert_terms("матем *", "матем");
	assert_terms("\"теория вер\"*", "теория вер*");
	assert_terms("\"теория\" *", "теория");
	assert_terms("***экзамен**", "экзамен*");
}

static void test_query_operators_neutralized(void **state)
{
	(void)state;
	assert_terms("экзамен AND зачёт", "экзамен|and|зачет");
	assert_terms("экзамен OR зачёт NOT пересдача", "экзамен|or|зачет|not|пересдача");
	assert_terms("NEAR(экзамен зачёт, 5)", "near|экзамен|зачет|5");
	assert_terms("^экзамен text:зачёт chat:12", "экзамен|text|зачет|chat|12");
	assert_terms("(экзамен) {text chat} : - + ;", "экзамен|text|chat");
	assert_terms("\"экзамен\"\"зачёт\"", "экзамен|зачет");

	struct search_query q;
	struct buf b;
	const char *in = "NEAR(\"a\" b*) OR c:d";
	assert_int_equal(search_query_parse(in, strlen(in), &q), PERR_OK);
	buf_init(&b, 0);
	search_query_fts5(&q, "text", &b);
	assert_string_equal(b.data, "text : \"near\" AND text : \"a\" AND text : \"b\" AND "
				    "text : \"or\" AND text : \"c\" AND text : \"d\"");
	buf_free(&b);
	in = "\"теория вер\"* матем*";
	assert_int_equal(search_query_parse(in, strlen(in), &q), PERR_OK);
	buf_init(&b, 0);
	search_query_fts5(&q, "text", &b);
	assert_string_equal(b.data, "text : \"теория вер\" * AND text : \"матем\" *");
	buf_free(&b);
}

static void test_query_refused(void **state)
{
	(void)state;
	assert_refused("", 0);
	assert_refused("   ", 3);
	assert_refused("!!! ... *** \"\" ()", 17);
	assert_refused("\"", 1);
	assert_refused("😀👍", strlen("😀👍"));
	assert_refused("\xff\xfe экзамен", strlen("\xff\xfe экзамен"));
	assert_refused(NULL, 0);
	/* 200 characters are fine, 201 are not (characters, not bytes) */
	char s[1000];
	size_t n = 0;
	for (int i = 0; i < 100; i++) {
		memcpy(s + n, "я ", 3);
		n += 3;
	}
	struct search_query q;
	assert_int_equal(search_query_parse(s, n, &q), PERR_OK);
	assert_int_equal(q.nterms, 100);
	s[n++] = 'x';
	assert_refused(s, n);
}

/* ---- inside SQLite FTS5 ---- */

static sqlite3 *fts_db(void)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite_search_register(db), PERR_OK);
	/* as migration 010 creates it */
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE message_fts USING fts5(text, chat, "
					  "tokenize = 'parta', columnsize = 0, prefix = '3 4')", NULL, NULL,
					  NULL),
			 SQLITE_OK);
	return db;
}

static void fts_add(sqlite3 *db, int64_t id, const char *text, int64_t chat)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO message_fts(rowid,text,chat) "
						"VALUES(?,?,?)", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, chat);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* Run the user's query q (with an optional chat filter); ids found, newest
 * first, as "3 2 1". Returns the SQLite result (SQLITE_DONE when fine). */
static int fts_find(sqlite3 *db, const char *userq, int64_t chat, char *out, size_t cap)
{
	struct search_query q;
	struct buf b;
	out[0] = '\0';
	if (search_query_parse(userq, strlen(userq), &q) != PERR_OK)
		return SQLITE_MISUSE;
	buf_init(&b, 0);
	if (chat)
		buf_printf(&b, "chat : \"%lld\" AND ", (long long)chat);
	search_query_fts5(&q, "text", &b);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM message_fts WHERE message_fts "
						"MATCH ? ORDER BY rowid DESC", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, b.data, -1, SQLITE_STATIC);
	size_t len = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		len += (size_t)snprintf(out + len, cap - len, "%s%lld", len ? " " : "",
					(long long)sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	buf_free(&b);
	return rc;
}

static void assert_found(sqlite3 *db, const char *q, int64_t chat, const char *expect)
{
	char got[512];
	assert_int_equal(fts_find(db, q, chat, got, sizeof got), SQLITE_DONE);
	if (strcmp(got, expect) != 0)
		fail_msg("query «%s»: found [%s], expected [%s]", q, got, expect);
}

static void test_fts_morphology(void **state)
{
	(void)state;
	sqlite3 *db = fts_db();
	fts_add(db, 1, "Экзамен будет в пятницу", 1);
	fts_add(db, 2, "Все экзамены перенесли", 1);
	fts_add(db, 3, "Готовимся к экзаменам, студенты!", 1);
	fts_add(db, 4, "Поговорим перед экзаменом", 1);
	fts_add(db, 5, "Результаты экзамена вывешены", 2);
	fts_add(db, 6, "Список студентов группы", 1);
	fts_add(db, 7, "The exams are running late", 1);
	fts_add(db, 8, "One exam runs on Monday", 1);
	fts_add(db, 9, "Ёлка в актовом зале", 1);
	fts_add(db, 10, "Теория вероятностей и математическая статистика", 1);
	fts_add(db, 11, "Cтудент пришёл (латинская C)", 1);

	const char *forms[] = {"экзамен", "экзамены", "экзаменом", "экзамена", "ЭКЗАМЕНАМ", NULL};
	for (int i = 0; forms[i]; i++)
		assert_found(db, forms[i], 0, "5 4 3 2 1");
	assert_found(db, "экзамен", 1, "4 3 2 1");
	assert_found(db, "студенты", 0, "11 6 3");
	assert_found(db, "студентов", 0, "11 6 3");
	assert_found(db, "exams", 0, "8 7");
	assert_found(db, "exam", 0, "8 7");
	assert_found(db, "running", 0, "8 7");
	assert_found(db, "runs", 0, "8 7");
	assert_found(db, "елка", 0, "9");
	assert_found(db, "ЁЛКОЙ", 0, "9");
	assert_found(db, "\"теория вероятностей\"", 0, "10");
	assert_found(db, "\"вероятностей теория\"", 0, "");
	assert_found(db, "\"теория вероят\"*", 0, "10");
	assert_found(db, "матем*", 0, "10");
	assert_found(db, "студенты*", 0, "11 6 3");
	assert_found(db, "экзамен студенты", 0, "3");
	assert_found(db, "экзамен OR статистика", 0, "");
	/* the chat column is not searched as text */
	assert_found(db, "2", 0, "");
	sqlite3_close(db);
}

static void test_fts_syntax_never_fails(void **state)
{
	(void)state;
	static const char *const bits[] = {"AND", "OR", "NOT", "NEAR", "near", "(", ")", "\"", "*",
					   "^", ":", "-", "+", "{", "}", "text", "chat", "экзамен",
					   "мат", ",", " ", " ", "\\", "'", "NEAR(", "a", "0", "ё"};
	sqlite3 *db = fts_db();
	fts_add(db, 1, "экзамен по математике AND OR NOT", 1);
	srand(11);
	int accepted = 0;
	for (int round = 0; round < 4000; round++) {
		char q[400];
		size_t n = 0;
		int parts = 1 + rand() % 12;
		for (int i = 0; i < parts; i++) {
			const char *b = bits[rand() % (int)(sizeof bits / sizeof bits[0])];
			size_t bl = strlen(b);
			if (n + bl >= sizeof q)
				break;
			memcpy(q + n, b, bl);
			n += bl;
		}
		q[n] = '\0';
		char got[64];
		int rc = fts_find(db, q, round % 2, got, sizeof got);
		if (rc == SQLITE_MISUSE)
			continue; /* refused by the parser: no word */
		accepted++;
		if (rc != SQLITE_DONE)
			fail_msg("query «%s» failed in FTS5: %s", q, sqlite3_errmsg(db));
	}
	assert_true(accepted > 1000);
	assert_found(db, "AND OR NOT", 0, "1");
	sqlite3_close(db);
}

static void test_fts_hits(void **state)
{
	(void)state;
	sqlite3 *db = fts_db();
	const char *text = "Итак, экзамены: теория вероятностей; экзамен — в пятницу.";
	fts_add(db, 1, text, 1);
	struct search_query q;
	struct buf b;
	const char *userq = "экзамен \"теория вероятностей\"";
	assert_int_equal(search_query_parse(userq, strlen(userq), &q), PERR_OK);
	buf_init(&b, 0);
	search_query_fts5(&q, "text", &b);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT parta_hits(message_fts) FROM message_fts "
						"WHERE message_fts MATCH ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, b.data, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	const uint32_t *r = sqlite3_column_blob(s, 0);
	int n = sqlite3_column_bytes(s, 0) / 8;
	assert_int_equal(n, 3);
	char seen[3][64];
	for (int i = 0; i < n; i++)
		snprintf(seen[i], sizeof seen[i], "%.*s", (int)r[2 * i + 1], text + r[2 * i]);
	/* in the order of the text: both forms of экзамен and the phrase */
	assert_string_equal(seen[0], "экзамены");
	assert_string_equal(seen[1], "теория вероятностей");
	assert_string_equal(seen[2], "экзамен");
	sqlite3_finalize(s);
	buf_free(&b);
	sqlite3_close(db);
}

static void test_fts_delete_integrity(void **state)
{
	(void)state;
	sqlite3 *db = fts_db();
	for (int i = 1; i <= 200; i++)
		fts_add(db, i, i % 2 ? "экзаменом студентов" : "exams running late", i % 3);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM message_fts WHERE rowid % 4 = 1", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO message_fts(message_fts) "
					  "VALUES('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
	char got[4096];
	assert_int_equal(fts_find(db, "экзамен", 0, got, sizeof got), SQLITE_DONE);
	/* odd ids not ≡ 1 mod 4: 3, 7, …, 199 — 50 of them, the first 199 */
	assert_int_equal(strncmp(got, "199 195 191", 11), 0);
	int k = 0;
	for (char *p = got; *p; p++)
		k += *p == ' ';
	assert_int_equal(k + 1, 50);
	sqlite3_close(db);
}

/* ---- the store's search on a real database ---- */

struct store_fixture {
	char dir[64];
	struct store_handle h;
};

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/* A message in chat at seq with text, indexed as the chat core does. */
static void raw_message(sqlite3 *db, int64_t id, int64_t chat, int64_t seq, const char *text)
{
	char sql[512];
	snprintf(sql, sizeof sql, "INSERT INTO messages(id,chat_id,seq,author_id,text,created_at) "
				  "VALUES(%lld,%lld,%lld,2,'%s',%lld)", (long long)id, (long long)chat,
		 (long long)seq, text, (long long)id * 1000);
	exec_ok(db, sql);
	snprintf(sql, sizeof sql, "INSERT INTO message_fts(rowid,text,chat) VALUES(%lld,'%s','%lld')",
		 (long long)id, text, (long long)chat);
	exec_ok(db, sql);
}

/* Users 1 (reader), 2 (author), 3 (in 70 chats, seeing almost nothing), 4
 * (in none). Chat 1: user 1 from the start (id 1..3, the second deleted);
 * chat 2: user 1 until seq 5 (ids 11..20 = seq 1..10); chat 3: user 1 for
 * seq ≤ 3 and from 10 (ids 21..32 = seq 1..12); chats 4..73: user 3 joined
 * after everything (6000 messages, ids 101..6100); user 3 also reads chat 1. */
static int store_setup(void **state)
{
	struct store_fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/parta-search-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	struct store_config cfg = {.data_dir = f->dir, .readers = 2};
	assert_int_equal(store_open(&f->h, "sqlite", &cfg), PERR_OK);
	store_close(&f->h);

	char path[128], sql[256];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/parta.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite_search_register(db), PERR_OK);
	exec_ok(db, "BEGIN");
	for (int u = 1; u <= 4; u++) {
		snprintf(sql, sizeof sql, "INSERT INTO users(id,login,name,created_at,password_changed_at) "
					  "VALUES(%d,'u%d','Пользователь %d',0,0)", u, u, u);
		exec_ok(db, sql);
	}
	for (int c = 1; c <= 73; c++) {
		snprintf(sql, sizeof sql, "INSERT INTO chats(id,kind,title,created_at,last_seq) "
					  "VALUES(%d,'group','Чат %d',0,%d)", c, c, c <= 3 ? 12 : 100);
		exec_ok(db, sql);
	}
	exec_ok(db, "INSERT INTO chat_member_spans VALUES(1,1,0,NULL),(2,1,0,5),(3,1,0,3),(3,1,10,NULL),"
		    "(1,3,0,NULL)");
	for (int c = 4; c <= 73; c++) {
		snprintf(sql, sizeof sql, "INSERT INTO chat_member_spans VALUES(%d,3,1000000,NULL)", c);
		exec_ok(db, sql);
	}
	raw_message(db, 1, 1, 1, "Экзамен в понедельник");
	raw_message(db, 2, 1, 2, "Экзамены перенесли");
	raw_message(db, 3, 1, 3, "После экзамена собрание");
	exec_ok(db, "UPDATE messages SET deleted_at=5000 WHERE id=2"); /* left in the index on purpose */
	for (int i = 0; i < 10; i++)
		raw_message(db, 11 + i, 2, 1 + i, "экзаменом");
	for (int i = 0; i < 12; i++)
		raw_message(db, 21 + i, 3, 1 + i, "экзамены");
	for (int i = 0; i < 6000; i++)
		raw_message(db, 101 + i, 4 + i % 70, 1 + i / 70, "экзамен");
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	assert_int_equal(store_open(&f->h, "sqlite", &cfg), PERR_OK);
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	struct store_fixture *f = *state;
	char path[128];
	store_close(&f->h);
	const char *files[] = {"parta.db", "parta.db-wal", "parta.db-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The ids found by user for q, as "3 1"; *next gets next_before_id. */
static int store_find(struct store_fixture *f, int64_t user, const char *q, int64_t chat,
		      int64_t before, int limit, char *out, size_t cap, int64_t *next)
{
	struct search_query sq;
	struct search_result res;
	assert_int_equal(search_query_parse(q, strlen(q), &sq), PERR_OK);
	struct search_request req = {.user_id = user, .query = &sq, .chat_id = chat,
				     .before_id = before, .limit = limit};
	int rc = store_search_messages(&f->h, &req, &res);
	size_t len = 0;
	out[0] = '\0';
	if (rc)
		return rc;
	for (size_t i = 0; i < res.count; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%lld", i ? " " : "",
					(long long)res.items[i].message_id);
	*next = res.next_before_id;
	search_result_clear(&res);
	return PERR_OK;
}

static void test_store_visibility(void **state)
{
	struct store_fixture *f = *state;
	char got[4096];
	int64_t next = -1;
	/* chat 1 without the deleted one; chat 2 up to seq 5; chat 3 seq 1..3 and 10..12 */
	assert_int_equal(store_find(f, 1, "экзамен", 0, 0, 50, got, sizeof got, &next), PERR_OK);
	assert_string_equal(got, "32 31 30 23 22 21 15 14 13 12 11 3 1");
	assert_int_equal(next, 0);
	assert_int_equal(store_find(f, 1, "экзаменом", 2, 0, 50, got, sizeof got, &next), PERR_OK);
	assert_string_equal(got, "15 14 13 12 11");
	assert_int_equal(store_find(f, 1, "экзамен", 50, 0, 50, got, sizeof got, &next),
			 PERR_FORBIDDEN);
	assert_int_equal(store_find(f, 1, "экзамен", 999, 0, 50, got, sizeof got, &next),
			 PERR_FORBIDDEN);
	/* nobody reads chat 4..73's messages: user 2 wrote them but is in no chat */
	assert_int_equal(store_find(f, 2, "экзамен", 0, 0, 50, got, sizeof got, &next), PERR_OK);
	assert_string_equal(got, "");
	assert_int_equal(next, 0);
	assert_int_equal(store_find(f, 4, "экзамен", 0, 0, 50, got, sizeof got, &next), PERR_OK);
	assert_string_equal(got, "");
	assert_int_equal(store_find(f, 1, "зачёт", 0, 0, 50, got, sizeof got, &next), PERR_OK);
	assert_string_equal(got, "");
}

static void test_store_paging(void **state)
{
	struct store_fixture *f = *state;
	char got[4096], all[4096] = "";
	int64_t next = 0, before = 0;
	size_t len = 0;
	for (int page = 0; page < 10; page++) {
		assert_int_equal(store_find(f, 1, "экзамен", 0, before, 4, got, sizeof got, &next), PERR_OK);
		if (*got)
			len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? " " : "", got);
		if (!next)
			break;
		before = next;
	}
	assert_int_equal(next, 0);
	assert_string_equal(all, "32 31 30 23 22 21 15 14 13 12 11 3 1");
}

/* User 3 reads 71 chats (too many for the chat filter) but sees only chat
 * 1's two messages below 6000 newer invisible candidates: a page stops after
 * 5000 candidates with next_before_id set, and the next one finds them. */
static void test_store_scan_bound(void **state)
{
	struct store_fixture *f = *state;
	char got[4096];
	int64_t next = 0, before = 0;
	int pages = 0;
	assert_int_equal(store_find(f, 3, "экзамен", 0, 0, 20, got, sizeof got, &next), PERR_OK);
	assert_string_equal(got, "");
	assert_int_equal(next, 6100 - 5000 + 1);
	for (before = next; before; before = next, pages++) {
		assert_true(pages < 5);
		assert_int_equal(store_find(f, 3, "экзамен", 0, before, 20, got, sizeof got, &next),
				 PERR_OK);
		if (*got)
			break;
	}
	assert_string_equal(got, "3 1");
	assert_int_equal(next, 0);
}

/* ---- snippets ---- */

/* The UTF-8 bytes of UTF-16 units [start, start+len) of s. */
static void u16_slice(const char *s, uint32_t start, uint32_t len, char *out, size_t cap)
{
	size_t i = 0, n = strlen(s);
	uint32_t u = 0;
	size_t a = n, b = n;
	while (i <= n) {
		if (u == start && a == n)
			a = i;
		if (u == start + len) {
			b = i;
			break;
		}
		if (i == n)
			break;
		size_t adv;
		uint32_t cp = search_utf8_decode((const unsigned char *)s + i, n - i, &adv);
		u += cp != SEARCH_CP_INVALID && cp >= 0x10000 ? 2 : 1;
		i += adv;
	}
	snprintf(out, cap, "%.*s", (int)(b - a), s + a);
}

static void test_snippet_short(void **state)
{
	(void)state;
	const char *t = "😀 Экзамен будет завтра";
	struct search_range r[] = {{5, 14}};
	struct search_snippet sn;
	search_snippet_make(t, strlen(t), r, 1, &sn);
	assert_string_equal(sn.text, t);
	assert_int_equal(sn.nhl, 1);
	assert_int_equal(sn.hl[0].start, 3); /* the emoji is two UTF-16 units */
	assert_int_equal(sn.hl[0].len, 7);
	free(sn.text);
	/* unordered, overlapping and out-of-range ranges */
	struct search_range r2[] = {{20, 10}, {5, 14}, {10, 4}, {500, 3}, {40, 1000}, {31, 12}};
	search_snippet_make(t, strlen(t), r2, 6, &sn);
	assert_int_equal(sn.nhl, 3);
	char w[64];
	u16_slice(sn.text, sn.hl[0].start, sn.hl[0].len, w, sizeof w);
	assert_string_equal(w, "Экзамен");
	u16_slice(sn.text, sn.hl[1].start, sn.hl[1].len, w, sizeof w);
	assert_string_equal(w, "будет");
	u16_slice(sn.text, sn.hl[2].start, sn.hl[2].len, w, sizeof w);
	assert_string_equal(w, "завтра");
	free(sn.text);
	search_snippet_make("", 0, NULL, 0, &sn);
	assert_string_equal(sn.text, "");
	assert_int_equal(sn.nhl, 0);
	free(sn.text);
}

static void test_snippet_long(void **state)
{
	(void)state;
	char t[8000];
	size_t n = 0;
	for (int i = 0; i < 120; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "слово%d ", i);
	size_t hit = n;
	n += (size_t)snprintf(t + n, sizeof t - n, "экзамен ");
	for (int i = 0; i < 120; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "текст%d ", i);
	struct search_range r = {(uint32_t)hit, 14};
	struct search_snippet sn;
	search_snippet_make(t, n, &r, 1, &sn);
	assert_true(strncmp(sn.text, "…", 3) == 0);
	assert_true(strcmp(sn.text + sn.len - 3, "…") == 0);
	size_t cps = 0;
	for (size_t i = 0; i < sn.len; i++)
		cps += ((unsigned char)sn.text[i] & 0xC0) != 0x80;
	assert_true(cps <= SEARCH_SNIPPET_CP + 2);
	assert_true(cps >= SEARCH_SNIPPET_CP - 30);
	/* cut at spaces: a whole word after the ellipsis */
	assert_true(strncmp(sn.text + 3, "слово", 10) == 0);
	assert_int_equal(sn.nhl, 1);
	char w[64];
	u16_slice(sn.text, sn.hl[0].start, sn.hl[0].len, w, sizeof w);
	assert_string_equal(w, "экзамен");
	free(sn.text);
	/* a hit near the end: the window ends with the text */
	struct search_range last = {(uint32_t)(n - 9), 8};
	search_snippet_make(t, n, &last, 1, &sn);
	assert_true(strncmp(sn.text, "…", 3) == 0);
	assert_true(sn.text[sn.len - 1] == ' ');
	assert_int_equal(sn.nhl, 1);
	free(sn.text);
	/* invalid UTF-8 does not upset it */
	memset(t, 0xFF, 600);
	search_snippet_make(t, 600, &r, 1, &sn);
	assert_true(sn.len > 0);
	free(sn.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_cyrillic),
		cmocka_unit_test(test_fold_latin),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_mixed_scripts),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_stems),
		cmocka_unit_test(test_prefix_tokens),
		cmocka_unit_test(test_tokenizer_stops),
		cmocka_unit_test(test_query_words),
		cmocka_unit_test(test_query_phrases),
		cmocka_unit_test(test_query_prefixes),
		cmocka_unit_test(test_query_operators_neutralized),
		cmocka_unit_test(test_query_refused),
		cmocka_unit_test(test_fts_morphology),
		cmocka_unit_test(test_fts_syntax_never_fails),
		cmocka_unit_test(test_fts_hits),
		cmocka_unit_test(test_fts_delete_integrity),
		cmocka_unit_test_setup_teardown(test_store_visibility, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_paging, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_scan_bound, store_setup, store_teardown),
		cmocka_unit_test(test_snippet_short),
		cmocka_unit_test(test_snippet_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
