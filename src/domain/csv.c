/* SPDX-License-Identifier: MIT */
/* The CSV reader and writer (csv.h). The reader works on the whole decoded
 * text in memory (request bodies are bounded by max_body_bytes) and walks it
 * byte by byte with one small state machine per field: unquoted fields end
 * at the delimiter or a line end; quoted fields end at a lone quote and may
 * span lines. Field bytes go into fixed slots of CSV_FIELD_MAX + 1 bytes, so
 * a hostile file costs at most CSV_COLUMNS_MAX slots however long it is.
 * Windows-1251 is decoded with our own 128-entry table (no iconv, so the
 * result does not depend on the host's locale data). */
#include "domain/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/utf8.h"

struct csv_reader {
	const char *text;        /* decoded UTF-8, BOM dropped */
	size_t len;
	size_t pos;
	char *owned;             /* the converted copy for Windows-1251 input */
	size_t line;             /* physical line at pos, 1-based */
	enum csv_encoding enc;
	char delim;
	char *slots;             /* CSV_COLUMNS_MAX fields of CSV_FIELD_MAX + 1 bytes */
};

#define CSV__SLOT (CSV_FIELD_MAX + 1)

/* Windows-1251 bytes 0x80..0xFF as Unicode code points. 0x98 is unassigned. */
static const uint16_t csv__cp1251[128] = {
	0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, /* 80 */
	0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F, /* 88 */
	0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90 */
	0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F, /* 98 */
	0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, /* A0 */
	0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407, /* A8 */
	0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, /* B0 */
	0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457, /* B8 */
	0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417, /* C0 */
	0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F, /* C8 */
	0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427, /* D0 */
	0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F, /* D8 */
	0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, /* E0 */
	0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F, /* E8 */
	0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, /* F0 */
	0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F, /* F8 */
};

void csv_cp1251_to_utf8(const void *in, size_t len, struct buf *out)
{
	const unsigned char *s = in;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		buf_append(out, s + start, i - start);
		unsigned cp = csv__cp1251[s[i] - 0x80];
		char u[3];
		if (cp < 0x800) {
			u[0] = (char)(0xC0 | (cp >> 6));
			u[1] = (char)(0x80 | (cp & 0x3F));
			buf_append(out, u, 2);
		} else {
			u[0] = (char)(0xE0 | (cp >> 12));
			u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
			buf_append(out, u, 3);
		}
		start = i + 1;
	}
	buf_append(out, s + start, len - start);
}

static bool csv__is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* Consume one line end at pos (CRLF, LF or a lone CR). */
static void csv__eol(struct csv_reader *rd)
{
	if (rd->text[rd->pos] == '\r' && rd->pos + 1 < rd->len && rd->text[rd->pos + 1] == '\n')
		rd->pos++;
	rd->pos++;
	rd->line++;
}

/* ';' or ',': whichever occurs more often outside quotes in the first record. */
static char csv__detect_delimiter(const char *s, size_t len)
{
	size_t semi = 0, comma = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == ';')
			semi++;
		else if (c == ',')
			comma++;
		else if (csv__is_eol(c))
			break;
	}
	return semi > comma ? ';' : ',';
}

struct csv_reader *csv_reader_new(const void *data, size_t len)
{
	struct csv_reader *rd = xcalloc(1, sizeof *rd);
	const char *s = data ? data : "";
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (utf8_valid(s, len)) {
		rd->enc = CSV_UTF8;
		rd->text = s;
		rd->len = len;
	} else {
		struct buf b;
		buf_init(&b, 0);
		csv_cp1251_to_utf8(s, len, &b);
		buf_putc(&b, '\0'); /* a buffer is only allocated once something was added */
		rd->enc = CSV_CP1251;
		rd->len = b.len - 1;
		rd->owned = buf_steal(&b, NULL);
		rd->text = rd->owned;
	}
	rd->line = 1;
	rd->delim = csv__detect_delimiter(rd->text, rd->len);
	rd->slots = xmalloc((size_t)CSV_COLUMNS_MAX * CSV__SLOT);
	return rd;
}

void csv_reader_free(struct csv_reader *rd)
{
	if (!rd)
		return;
	free(rd->owned);
	free(rd->slots);
	free(rd);
}

enum csv_encoding csv_reader_encoding(const struct csv_reader *rd)
{
	return rd->enc;
}

char csv_reader_delimiter(const struct csv_reader *rd)
{
	return rd->delim;
}

const char *csv_reader_text(const struct csv_reader *rd, size_t *len)
{
	*len = rd->len;
	return rd->text;
}

/* The field being read: where its bytes go (NULL past the column limit). */
struct csv__field {
	char *slot;
	size_t len;
};

static void csv__fail(struct csv_record *rec, enum csv_status st)
{
	if (rec->status == CSV_OK)
		rec->status = st;
}

static void csv__put(struct csv_record *rec, struct csv__field *f, char c)
{
	if (c == '\0') {
		csv__fail(rec, CSV_ERR_NUL);
		return;
	}
	if (f->len >= CSV_FIELD_MAX) {
		csv__fail(rec, CSV_ERR_FIELD_TOO_LONG);
		return;
	}
	if (f->slot)
		f->slot[f->len] = c;
	f->len++;
}

/* After a quoting error: drop the rest of the physical line. */
static void csv__skip_line(struct csv_reader *rd)
{
	while (rd->pos < rd->len && !csv__is_eol(rd->text[rd->pos]))
		rd->pos++;
	if (rd->pos < rd->len)
		csv__eol(rd);
}

/* What ended a field: a delimiter (another field follows) or the record. */
enum csv__end { CSV__NEXT_FIELD, CSV__END_RECORD };

/* Where a field or a closing quote leaves off: the delimiter, a line end or
 * the end of input are fine; anything else is a quoting error. Spaces and
 * tabs after a closing quote are tolerated. */
static enum csv__end csv__after_quote(struct csv_reader *rd, struct csv_record *rec)
{
	while (rd->pos < rd->len && (rd->text[rd->pos] == ' ' || rd->text[rd->pos] == '\t'))
		rd->pos++;
	if (rd->pos >= rd->len)
		return CSV__END_RECORD;
	char c = rd->text[rd->pos];
	if (c == rd->delim) {
		rd->pos++;
		return CSV__NEXT_FIELD;
	}
	if (csv__is_eol(c)) {
		csv__eol(rd);
		return CSV__END_RECORD;
	}
	csv__fail(rec, CSV_ERR_QUOTE);
	csv__skip_line(rd);
	return CSV__END_RECORD;
}

/* A quoted field; pos is just past the opening quote. */
static enum csv__end csv__quoted(struct csv_reader *rd, struct csv_record *rec, struct csv__field *f)
{
	const char *t = rd->text;
	for (;;) {
		if (rd->pos >= rd->len) {
			csv__fail(rec, CSV_ERR_UNTERMINATED);
			return CSV__END_RECORD;
		}
		char c = t[rd->pos];
		if (c == '"') {
			if (rd->pos + 1 < rd->len && t[rd->pos + 1] == '"') {
				csv__put(rec, f, '"');
				rd->pos += 2;
				continue;
			}
			rd->pos++;
			return csv__after_quote(rd, rec);
		}
		csv__put(rec, f, c);
		rd->pos++;
		if (c == '\n' || (c == '\r' && (rd->pos >= rd->len || t[rd->pos] != '\n')))
			rd->line++;
	}
}

/* Any field; pos is at its first byte. */
static enum csv__end csv__field(struct csv_reader *rd, struct csv_record *rec, struct csv__field *f)
{
	const char *t = rd->text;
	size_t p = rd->pos;
	while (p < rd->len && (t[p] == ' ' || t[p] == '\t'))
		p++;
	if (p < rd->len && t[p] == '"') {
		rd->pos = p + 1;
		return csv__quoted(rd, rec, f);
	}
	for (;;) {
		if (rd->pos >= rd->len)
			return CSV__END_RECORD;
		char c = t[rd->pos];
		if (c == rd->delim) {
			rd->pos++;
			return CSV__NEXT_FIELD;
		}
		if (csv__is_eol(c)) {
			csv__eol(rd);
			return CSV__END_RECORD;
		}
		if (c == '"') {
			csv__fail(rec, CSV_ERR_QUOTE);
			csv__skip_line(rd);
			return CSV__END_RECORD;
		}
		csv__put(rec, f, c);
		rd->pos++;
	}
}

bool csv_reader_next(struct csv_reader *rd, struct csv_record *rec)
{
	while (rd->pos < rd->len && csv__is_eol(rd->text[rd->pos]))
		csv__eol(rd);
	if (rd->pos >= rd->len)
		return false;
	rec->line = rd->line;
	rec->status = CSV_OK;
	rec->nfields = 0;
	for (;;) {
		struct csv__field f = {NULL, 0};
		if (rec->nfields < CSV_COLUMNS_MAX)
			f.slot = rd->slots + rec->nfields * CSV__SLOT;
		else
			csv__fail(rec, CSV_ERR_TOO_MANY_FIELDS);
		enum csv__end end = csv__field(rd, rec, &f);
		if (f.slot) {
			size_t n = f.len < CSV_FIELD_MAX ? f.len : CSV_FIELD_MAX;
			f.slot[n] = '\0';
			rec->field[rec->nfields] = f.slot;
			rec->len[rec->nfields] = n;
			rec->nfields++;
		}
		if (end == CSV__END_RECORD)
			break;
	}
	return true;
}

const char *csv_status_str(enum csv_status st)
{
	switch (st) {
	case CSV_OK:
		return "ok";
	case CSV_ERR_QUOTE:
		return "bad quote";
	case CSV_ERR_UNTERMINATED:
		return "unterminated quote";
	case CSV_ERR_FIELD_TOO_LONG:
		return "field too long";
	case CSV_ERR_TOO_MANY_FIELDS:
		return "too many fields";
	case CSV_ERR_NUL:
		return "NUL byte";
	}
	return "?";
}

/* Would a spreadsheet read s as a formula? A phone number (+ or - then
 * digits and spaces) is data, not a formula. */
static bool csv__formula(const char *s)
{
	if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
		return true;
	if (s[0] != '+' && s[0] != '-')
		return false;
	if (!s[1])
		return false;
	for (const char *p = s + 1; *p; p++)
		if ((*p < '0' || *p > '9') && *p != ' ')
			return true;
	return false;
}

void csv_write_field(struct buf *out, const char *s, char delimiter)
{
	if (!s)
		s = "";
	bool formula = csv__formula(s);
	bool quote = formula || strchr(s, delimiter) || strpbrk(s, "\"\r\n");
	if (quote)
		buf_putc(out, '"');
	if (formula)
		buf_putc(out, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	if (quote)
		buf_putc(out, '"');
}

void csv_write_eol(struct buf *out)
{
	buf_append(out, "\r\n", 2);
}
