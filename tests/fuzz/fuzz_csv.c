/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for src/domain/csv.c (and the import's validation on top
 * of it). Any bytes are read record by record: line numbers never go back,
 * fields are NUL-terminated and within the limits, the decoded text is valid
 * UTF-8. Each good record is written back with the writer and must read back
 * to the same fields (a formula guard apostrophe aside). The same bytes then
 * go through import_plan_parse, whose problems must be sorted by line and
 * whose counts must add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "domain/csv.h"
#include "domain/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static void fuzz_roundtrip(const struct csv_record *rec, char delim)
{
	char other = delim == ';' ? ',' : ';';
	struct buf b;
	for (size_t i = 0; i < rec->nfields; i++)
		if (memchr(rec->field[i], other, rec->len[i]))
			return;  /* could change which delimiter is detected */
	buf_init(&b, 0);
	/* a BOM first, as the export writes it: the reader drops exactly one, so
	 * a field's own leading BOM survives */
	buf_puts(&b, "\xEF\xBB\xBF");
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i)
			buf_putc(&b, delim);
		csv_write_field(&b, rec->field[i], delim);
	}
	/* a lone empty field writes nothing: a blank line, which is skipped */
	if (rec->nfields == 1 && rec->len[0] == 0) {
		buf_free(&b);
		return;
	}
	csv_write_eol(&b);
	struct csv_reader *rd = csv_reader_new(b.data, b.len);
	struct csv_record back;
	CHECK(csv_reader_next(rd, &back));
	CHECK(back.status == CSV_OK && back.line == 1 && back.nfields == rec->nfields);
	for (size_t i = 0; i < rec->nfields; i++) {
		bool same = back.len[i] == rec->len[i] && memcmp(back.field[i], rec->field[i], rec->len[i]) == 0;
		bool guarded = back.len[i] == rec->len[i] + 1 && back.field[i][0] == '\'' &&
			       memcmp(back.field[i] + 1, rec->field[i], rec->len[i]) == 0;
		CHECK(same || guarded);
	}
	CHECK(!csv_reader_next(rd, &back));
	csv_reader_free(rd);
	buf_free(&b);
}

static void fuzz_reader(const uint8_t *data, size_t size)
{
	struct csv_reader *rd = csv_reader_new(data, size);
	struct csv_record rec;
	size_t len, last_line = 0;
	const char *text = csv_reader_text(rd, &len);
	char delim = csv_reader_delimiter(rd);
	CHECK(utf8_valid(text, len));
	CHECK(delim == ';' || delim == ',');
	while (csv_reader_next(rd, &rec)) {
		CHECK(rec.line > last_line);
		last_line = rec.line;
		CHECK(rec.status <= CSV_ERR_NUL);
		CHECK(rec.nfields <= CSV_COLUMNS_MAX);
		if (rec.status != CSV_OK)
			continue;
		CHECK(rec.nfields >= 1);
		for (size_t i = 0; i < rec.nfields; i++) {
			CHECK(rec.len[i] <= CSV_FIELD_MAX);
			CHECK(rec.field[i][rec.len[i]] == '\0');
			CHECK(strlen(rec.field[i]) == rec.len[i]);
		}
		fuzz_roundtrip(&rec, delim);
	}
	csv_reader_free(rd);
}

static void fuzz_import(const uint8_t *data, size_t size)
{
	struct import_plan plan;
	int rc = import_plan_parse(data, size, &plan);
	if (rc) {
		CHECK(rc == PERR_INVALID && plan.nrows == 0 && plan.nerrors == 0);
		return;
	}
	CHECK(plan.nrows <= plan.counts.rows);
	CHECK(plan.counts.skipped <= plan.counts.rows);
	size_t bad = 0;
	for (size_t i = 0; i < plan.nrows; i++) {
		const struct import_row *r = &plan.rows[i];
		if (r->bad) {
			bad++;
			continue;
		}
		CHECK(r->key && r->external_id);
		if (r->type != IMPORT_GROUP)
			CHECK(r->name && r->last_name && r->first_name && r->middle_name);
		else
			CHECK(r->group_code);
	}
	CHECK(plan.counts.skipped == bad + (plan.counts.rows - plan.nrows));
	for (size_t i = 1; i < plan.nerrors; i++)
		CHECK(plan.errors[i - 1].line <= plan.errors[i].line);
	char msg[512];
	for (size_t i = 0; i < plan.nerrors; i++) {
		import_error_message(&plan.errors[i], LANG_RU, msg, sizeof msg);
		CHECK(utf8_valid(msg, strlen(msg)));
	}
	import_plan_clear(&plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reader(data, size);
	fuzz_import(data, size);
	return 0;
}
