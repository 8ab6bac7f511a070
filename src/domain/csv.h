/* SPDX-License-Identifier: MIT */
/* CSV (RFC 4180) as spreadsheets and e-journals export it: fields quoted with
 * '"' (a quote inside is written ""), line breaks inside quoted fields, CRLF,
 * LF or lone CR line ends, the delimiter (';' or ',') chosen from the header
 * line, a UTF-8 byte order mark dropped, and the encoding detected: valid
 * UTF-8 is taken as is, anything else is read as Windows-1251 and converted to
 * UTF-8. Every record carries the physical line it starts on, so errors point
 * at the line a spreadsheet shows. Bounded: a field holds at most
 * CSV_FIELD_MAX bytes and a record at most CSV_COLUMNS_MAX fields; a record
 * past a limit or with broken quoting is reported (with its status) and the
 * reader goes on with the next one. Also a small writer for the same format.
 * Pure; any thread; a reader belongs to one thread at a time. */
#ifndef PARTA_DOMAIN_CSV_H
#define PARTA_DOMAIN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define CSV_FIELD_MAX 4096   /* bytes of one field, after decoding */
#define CSV_COLUMNS_MAX 64   /* fields of one record */

enum csv_encoding { CSV_UTF8, CSV_CP1251 };

enum csv_status {
	CSV_OK = 0,
	CSV_ERR_QUOTE,           /* a quote inside an unquoted field, or text after a closing quote */
	CSV_ERR_UNTERMINATED,    /* a quoted field never closed: the rest of the input was swallowed */
	CSV_ERR_FIELD_TOO_LONG,  /* a field over CSV_FIELD_MAX bytes */
	CSV_ERR_TOO_MANY_FIELDS, /* more than CSV_COLUMNS_MAX fields */
	CSV_ERR_NUL,             /* a NUL byte */
};

/* One record. Field i is field[i][0..len[i]) and NUL-terminated; the storage
 * belongs to the reader and is valid until the next csv_reader_next or
 * csv_reader_free. When status is not CSV_OK the fields are incomplete and
 * must not be used; line still tells where the record began. */
struct csv_record {
	size_t line;             /* 1-based physical line where the record starts */
	enum csv_status status;
	size_t nfields;
	const char *field[CSV_COLUMNS_MAX];
	size_t len[CSV_COLUMNS_MAX];
};

struct csv_reader;

/* A reader over data[0..len). Decides the encoding (after dropping a UTF-8
 * BOM) and the delimiter (whichever of ';' and ',' occurs more often outside
 * quotes in the first record; ',' on a tie). UTF-8 input is borrowed: data
 * must stay valid until csv_reader_free; Windows-1251 input is converted into
 * a copy the reader owns. Never fails (allocation aborts); free with
 * csv_reader_free. */
struct csv_reader *csv_reader_new(const void *data, size_t len);
void csv_reader_free(struct csv_reader *rd);
enum csv_encoding csv_reader_encoding(const struct csv_reader *rd);
char csv_reader_delimiter(const struct csv_reader *rd);
/* The decoded (UTF-8) text the reader reads, without the BOM. */
const char *csv_reader_text(const struct csv_reader *rd, size_t *len);

/* The next record into rec. Empty lines are skipped. Returns false at the end
 * of the input (rec untouched). A record with status != CSV_OK has been
 * consumed (after a quote error, up to the end of its physical line; after an
 * unterminated quote, to the end of the input). */
bool csv_reader_next(struct csv_reader *rd, struct csv_record *rec);

/* Short English description of a status ("ok", "bad quote", …). */
const char *csv_status_str(enum csv_status st);

/* Convert Windows-1251 bytes to UTF-8 appended to out (the one undefined byte,
 * 0x98, becomes U+FFFD). */
void csv_cp1251_to_utf8(const void *in, size_t len, struct buf *out);

/* Writer: append field s (NUL-terminated; NULL is an empty field) to out,
 * quoted when it contains the delimiter, a quote, CR or LF, or starts with a
 * character a spreadsheet would read as a formula (=, +, -, @): those get a
 * leading apostrophe so a mail merge never runs a formula from our data. */
void csv_write_field(struct buf *out, const char *s, char delimiter);
/* Append CRLF (RFC 4180 record end). */
void csv_write_eol(struct buf *out);

#endif
