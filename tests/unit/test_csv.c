/* SPDX-License-Identifier: MIT */
/* Unit tests for domain/csv: a table of inputs with the records (line,
 * status, fields) they must produce — quoting, "" escapes, line breaks inside
 * quotes and the line numbers after them, CRLF / LF / CR, blank lines, both
 * delimiters and their detection, the BOM, broken quoting and the limits (a
 * field of CSV_FIELD_MAX bytes and one more, CSV_COLUMNS_MAX columns and one
 * more) with the reader going on after each bad record; Windows-1251
 * detection and our table checked byte by byte against the C library's
 * iconv; and the writer, read back through the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "domain/csv.h"

#define MAXREC 8
#define MAXF 4

struct want_rec {
	size_t line;
	enum csv_status status;
	size_t nfields;               /* checked when status is CSV_OK */
	const char *field[MAXF];      /* the first fields (NULL: not checked) */
};

struct csv_case {
	const char *name;
	const char *in;
	size_t len;                   /* 0: strlen(in) */
	char delim;
	size_t nrec;
	struct want_rec rec[MAXREC];
};

#define OK(line, n, ...) {line, CSV_OK, n, {__VA_ARGS__}}
#define BAD(line, st) {line, st, 0, {NULL}}

static const struct csv_case cases[] = {
	{"commas, LF", "a,b,c\n1,2,3\n", 0, ',', 2, {OK(1, 3, "a", "b", "c"), OK(2, 3, "1", "2", "3")}},
	{"semicolons win", "a;b,c;d\nx;y\n", 0, ';', 2, {OK(1, 3, "a", "b,c", "d"), OK(2, 2, "x", "y")}},
	{"a tie is a comma", "a;b,c\n", 0, ',', 1, {OK(1, 2, "a;b", "c")}},
	{"delimiters inside quotes do not count", "\"a;b;c\",d\n", 0, ',', 1, {OK(1, 2, "a;b;c", "d")}},
	{"CRLF", "a,b\r\nc,d\r\n", 0, ',', 2, {OK(1, 2, "a", "b"), OK(2, 2, "c", "d")}},
	{"lone CR", "a,b\rc,d\r", 0, ',', 2, {OK(1, 2, "a", "b"), OK(2, 2, "c", "d")}},
	{"no final line end", "a,b\nc,d", 0, ',', 2, {OK(1, 2, "a", "b"), OK(2, 2, "c", "d")}},
	{"blank lines are skipped, lines still counted", "a\n\n\r\n\nb\n\n", 0, ',', 2,
	 {OK(1, 1, "a"), OK(5, 1, "b")}},
	{"empty fields", ",,\n", 0, ',', 1, {OK(1, 3, "", "", "")}},
	{"quoted with escapes", "\"a\"\"b\",\"\"\"\",\"\"\n", 0, ',', 1, {OK(1, 3, "a\"b", "\"", "")}},
	{"line break inside quotes", "h1,h2\n\"x\ny\",z\nnext,row\n", 0, ',', 3,
	 {OK(1, 2, "h1", "h2"), OK(2, 2, "x\ny", "z"), OK(4, 2, "next", "row")}},
	{"CRLF inside quotes counts once", "h\r\n\"a\r\nb\r\nc\"\r\nd\r\n", 0, ',', 3,
	 {OK(1, 1, "h"), OK(2, 1, "a\r\nb\r\nc"), OK(5, 1, "d")}},
	{"blanks around a quoted field", " \"a\" ,b\n", 0, ',', 1, {OK(1, 2, "a", "b")}},
	{"blanks in an unquoted field stay", " a ,b\n", 0, ',', 1, {OK(1, 2, " a ", "b")}},
	{"stray quote in an unquoted field", "a,b\"c,d\nnext,1\n", 0, ',', 2,
	 {BAD(1, CSV_ERR_QUOTE), OK(2, 2, "next", "1")}},
	{"text after a closing quote", "\"ab\"c,d\nx,y\n", 0, ',', 2,
	 {BAD(1, CSV_ERR_QUOTE), OK(2, 2, "x", "y")}},
	{"quote error after a multi-line field", "h\n\"a\nb\"x,c\nn,m\n", 0, ',', 3,
	 {OK(1, 1, "h"), BAD(2, CSV_ERR_QUOTE), OK(4, 2, "n", "m")}},
	{"unterminated quote swallows the rest", "a,b\n\"abc,d\ne,f\n", 0, ',', 2,
	 {OK(1, 2, "a", "b"), BAD(2, CSV_ERR_UNTERMINATED)}},
	{"NUL byte", "a,b\nc\0d,e\nf,g\n", 14, ',', 3,
	 {OK(1, 2, "a", "b"), BAD(2, CSV_ERR_NUL), OK(3, 2, "f", "g")}},
	{"BOM is dropped", "\xEF\xBB\xBFtype;x\n", 0, ';', 1, {OK(1, 2, "type", "x")}},
	{"UTF-8 Cyrillic", "фамилия;имя\nИванов;Пётр\n", 0, ';', 2,
	 {OK(1, 2, "фамилия", "имя"), OK(2, 2, "Иванов", "Пётр")}},
	{"empty input", "", 0, ',', 0, {{0}}},
	{"only line ends", "\r\n\n\r", 0, ',', 0, {{0}}},
};

static void check_case(const struct csv_case *c)
{
	size_t len = c->len ? c->len : strlen(c->in);
	struct csv_reader *rd = csv_reader_new(c->in, len);
	struct csv_record rec;
	size_t n = 0;
	if (csv_reader_delimiter(rd) != c->delim)
		fail_msg("%s: delimiter '%c'", c->name, csv_reader_delimiter(rd));
	while (csv_reader_next(rd, &rec)) {
		if (n >= c->nrec)
			fail_msg("%s: extra record at line %zu", c->name, rec.line);
		const struct want_rec *w = &c->rec[n++];
		if (rec.line != w->line || rec.status != w->status)
			fail_msg("%s: record %zu: line %zu status %s, want line %zu status %s", c->name, n,
				 rec.line, csv_status_str(rec.status), w->line, csv_status_str(w->status));
		if (rec.status != CSV_OK)
			continue;
		if (rec.nfields != w->nfields)
			fail_msg("%s: record %zu: %zu fields, want %zu", c->name, n, rec.nfields, w->nfields);
		for (size_t i = 0; i < MAXF && i < rec.nfields; i++) {
			if (!w->field[i])
				continue;
			if (rec.len[i] != strlen(w->field[i]) || strcmp(rec.field[i], w->field[i]) != 0)
				fail_msg("%s: record %zu field %zu: \"%s\", want \"%s\"", c->name, n, i,
					 rec.field[i], w->field[i]);
		}
	}
	if (n != c->nrec)
		fail_msg("%s: %zu records, want %zu", c->name, n, c->nrec);
	/* the end is sticky */
	assert_false(csv_reader_next(rd, &rec));
	csv_reader_free(rd);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
}

/* Read all records of s; returns how many, statuses into st[] (up to max). */
static size_t read_all(const char *s, size_t len, enum csv_status *st, size_t *lines, size_t max)
{
	struct csv_reader *rd = csv_reader_new(s, len);
	struct csv_record rec;
	size_t n = 0;
	while (csv_reader_next(rd, &rec)) {
		if (n < max) {
			st[n] = rec.status;
			lines[n] = rec.line;
		}
		n++;
	}
	csv_reader_free(rd);
	return n;
}

static void test_field_limit(void **state)
{
	(void)state;
	struct buf b;
	enum csv_status st[4];
	size_t lines[4];
	buf_init(&b, 0);
	/* exactly CSV_FIELD_MAX bytes: fine, and kept whole */
	for (int i = 0; i < CSV_FIELD_MAX; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, ",y\n");
	struct csv_reader *rd = csv_reader_new(b.data, b.len);
	struct csv_record rec;
	assert_true(csv_reader_next(rd, &rec));
	assert_int_equal(rec.status, CSV_OK);
	assert_int_equal(rec.len[0], CSV_FIELD_MAX);
	assert_string_equal(rec.field[1], "y");
	csv_reader_free(rd);
	/* one more byte, unquoted and quoted (with a line break inside): the
	 * record is refused, the next one is read at its right line */
	buf_reset(&b);
	buf_puts(&b, "h\n");
	for (int i = 0; i <= CSV_FIELD_MAX; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\n\"");
	for (int i = 0; i <= CSV_FIELD_MAX; i++)
		buf_putc(&b, i == 10 ? '\n' : 'x');
	buf_puts(&b, "\",z\nlast\n");
	assert_int_equal(read_all(b.data, b.len, st, lines, 4), 4);
	assert_int_equal(st[0], CSV_OK);
	assert_int_equal(st[1], CSV_ERR_FIELD_TOO_LONG);
	assert_int_equal(lines[1], 2);
	assert_int_equal(st[2], CSV_ERR_FIELD_TOO_LONG);
	assert_int_equal(lines[2], 3);
	assert_int_equal(st[3], CSV_OK);
	assert_int_equal(lines[3], 5);
	buf_free(&b);
}

static void test_column_limit(void **state)
{
	(void)state;
	struct buf b;
	enum csv_status st[3];
	size_t lines[3];
	buf_init(&b, 0);
	for (int i = 0; i < CSV_COLUMNS_MAX; i++)
		buf_printf(&b, "%sc%d", i ? ";" : "", i);
	buf_puts(&b, "\n");
	struct csv_reader *rd = csv_reader_new(b.data, b.len);
	struct csv_record rec;
	assert_true(csv_reader_next(rd, &rec));
	assert_int_equal(rec.status, CSV_OK);
	assert_int_equal(rec.nfields, CSV_COLUMNS_MAX);
	assert_string_equal(rec.field[CSV_COLUMNS_MAX - 1], "c63");
	csv_reader_free(rd);
	/* 65 columns (the last one spanning two lines), then a good record */
	b.len--; /* drop the line end */
	buf_puts(&b, ";\"extra\ncolumn\"\nok;1\n");
	assert_int_equal(read_all(b.data, b.len, st, lines, 3), 2);
	assert_int_equal(st[0], CSV_ERR_TOO_MANY_FIELDS);
	assert_int_equal(lines[0], 1);
	assert_int_equal(st[1], CSV_OK);
	assert_int_equal(lines[1], 3);
	buf_free(&b);
}

static void test_cp1251(void **state)
{
	(void)state;
	/* "Иванов;Пётр;ёЁ№" in Windows-1251: not valid UTF-8, so converted */
	const char in[] = "\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF\n\xC8\xE2\xE0\xED\xEE\xE2;"
			  "\xCF\xB8\xF2\xF0;\xB8\xA8\xB9\x98\n";
	struct csv_reader *rd = csv_reader_new(in, sizeof in - 1);
	struct csv_record rec;
	assert_int_equal(csv_reader_encoding(rd), CSV_CP1251);
	assert_int_equal(csv_reader_delimiter(rd), ';');
	assert_true(csv_reader_next(rd, &rec));
	assert_string_equal(rec.field[0], "Фамилия");
	assert_string_equal(rec.field[1], "Имя");
	assert_true(csv_reader_next(rd, &rec));
	assert_int_equal(rec.line, 2);
	assert_string_equal(rec.field[0], "Иванов");
	assert_string_equal(rec.field[1], "Пётр");
	assert_string_equal(rec.field[2], "ёЁ№\xEF\xBF\xBD");
	size_t len;
	const char *text = csv_reader_text(rd, &len);
	assert_true(utf8_valid(text, len));
	csv_reader_free(rd);

	/* valid UTF-8 stays as it is (not read as cp1251) */
	rd = csv_reader_new("Пётр", strlen("Пётр"));
	assert_int_equal(csv_reader_encoding(rd), CSV_UTF8);
	csv_reader_free(rd);
	/* a BOM with invalid UTF-8 after it: cp1251, and the BOM is still gone */
	rd = csv_reader_new("\xEF\xBB\xBF\xC8", 4);
	assert_int_equal(csv_reader_encoding(rd), CSV_CP1251);
	assert_true(csv_reader_next(rd, &rec));
	assert_string_equal(rec.field[0], "И");
	csv_reader_free(rd);
}

/* Every byte 0x80..0xFF against glibc's CP1251 (0x98 is unassigned there and
 * U+FFFD in ours). */
static void test_cp1251_table(void **state)
{
	(void)state;
	iconv_t cd = iconv_open("UTF-8", "CP1251");
	if (cd == (iconv_t)-1)
		skip();
	for (int byte = 0x80; byte <= 0xFF; byte++) {
		char in[1] = {(char)byte}, want[8] = {0}, got[8] = {0};
		char *ip = in, *op = want;
		size_t il = 1, ol = sizeof want - 1;
		struct buf b;
		buf_init(&b, 0);
		csv_cp1251_to_utf8(in, 1, &b);
		memcpy(got, b.data, b.len < 7 ? b.len : 7);
		buf_free(&b);
		if (byte == 0x98) {
			assert_string_equal(got, "\xEF\xBF\xBD");
			continue;
		}
		iconv(cd, NULL, NULL, NULL, NULL);
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
			fail_msg("iconv refused 0x%02X", byte);
		if (strcmp(got, want) != 0)
			fail_msg("0x%02X: ours %s, iconv %s", byte, got, want);
	}
	iconv_close(cd);
}

static void test_writer(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} cases_w[] = {
		{"plain", "plain"},
		{"", ""},
		{"a;b", "\"a;b\""},
		{"a,b", "a,b"},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"two\nlines", "\"two\nlines\""},
		{"=1+2", "\"'=1+2\""},
		{"@SUM(A1)", "\"'@SUM(A1)\""},
		{"+79120000001", "+79120000001"},
		{"-", "-"},
		{"-12", "-12"},
		{"-x", "\"'-x\""},
		{"+cmd", "\"'+cmd\""},
	};
	for (size_t i = 0; i < sizeof cases_w / sizeof cases_w[0]; i++) {
		struct buf b;
		buf_init(&b, 0);
		csv_write_field(&b, cases_w[i].in, ';');
		buf_putc(&b, '\0');
		assert_string_equal(b.data, cases_w[i].out);
		buf_free(&b);
	}
	/* a record of awkward fields reads back the same */
	const char *fields[] = {"a\"b", "x;y", "line\r\nbreak", "", "Пётр", NULL};
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "h1;h2;h3;h4;h5;h6\r\n");
	for (int i = 0; i < 6; i++) {
		if (i)
			buf_putc(&b, ';');
		csv_write_field(&b, fields[i], ';');
	}
	csv_write_eol(&b);
	struct csv_reader *rd = csv_reader_new(b.data, b.len);
	struct csv_record rec;
	assert_true(csv_reader_next(rd, &rec));
	assert_true(csv_reader_next(rd, &rec));
	assert_int_equal(rec.status, CSV_OK);
	assert_int_equal(rec.nfields, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(rec.field[i], fields[i] ? fields[i] : "");
	assert_false(csv_reader_next(rd, &rec));
	csv_reader_free(rd);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_column_limit),
		cmocka_unit_test(test_cp1251),
		cmocka_unit_test(test_cp1251_table),
		cmocka_unit_test(test_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
