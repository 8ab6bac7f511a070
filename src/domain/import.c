/* SPDX-License-Identifier: MIT */
/* Reading and validating an e-journal CSV into an import plan (import.h):
 * the header is matched to the known columns, each record becomes a row whose
 * values are checked on their own, then duplicates across the file are found
 * by sorting keys. Problems carry a code and a message from the table below
 * (Russian and English). References to groups and students are left to the
 * store, which sees both the file and the database. */
#include "domain/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/utf8.h"
#include "domain/accounts.h"

enum import__column {
	COL_TYPE,
	COL_EXTERNAL_ID,
	COL_LAST_NAME,
	COL_FIRST_NAME,
	COL_MIDDLE_NAME,
	COL_LOGIN,
	COL_GROUP_CODE,
	COL_GROUP_NAME,
	COL_BRANCH,
	COL_ENROLMENT_YEAR,
	COL_STAFF_ROLE,
	COL_STUDENT_EXTERNAL_ID,
	COL__COUNT
};

static const struct {
	const char *name;
	bool required;   /* the header must have it */
} import__columns[COL__COUNT] = {
	[COL_TYPE] = {"type", true},
	[COL_EXTERNAL_ID] = {"external_id", true},
	[COL_LAST_NAME] = {"last_name", true},
	[COL_FIRST_NAME] = {"first_name", true},
	[COL_MIDDLE_NAME] = {"middle_name", false},
	[COL_LOGIN] = {"login", false},
	[COL_GROUP_CODE] = {"group_code", true},
	[COL_GROUP_NAME] = {"group_name", false},
	[COL_BRANCH] = {"branch", false},
	[COL_ENROLMENT_YEAR] = {"enrolment_year", false},
	[COL_STAFF_ROLE] = {"staff_role", false},
	[COL_STUDENT_EXTERNAL_ID] = {"student_external_id", false},
};

#define F(c) (import__columns[c].name)

static const char *const import__type_names[IMPORT__TYPES] = {
	[IMPORT_GROUP] = "group",
	[IMPORT_STUDENT] = "student",
	[IMPORT_PARENT] = "parent",
	[IMPORT_STAFF] = "staff",
};

const char *import_type_name(enum import_type t)
{
	return (unsigned)t < IMPORT__TYPES ? import__type_names[t] : "";
}

/* ---- problems and their messages ---- */

/* {field} is replaced by the column name, {line} by the other line. */
static const struct {
	const char *code;
	const char *ru;
	const char *en;
} import__problems[IMPORT_E__COUNT] = {
	[IMPORT_E_MISSING] = {"missing", "Не заполнено обязательное поле «{field}»",
			      "The required field \"{field}\" is empty"},
	[IMPORT_E_MISSING_COLUMN] = {"missing", "В заголовке нет обязательного столбца «{field}»",
				     "The header has no required column \"{field}\""},
	[IMPORT_E_INVALID] = {"invalid", "Неверное значение в поле «{field}»",
			      "The field \"{field}\" has an invalid value"},
	[IMPORT_E_BAD_QUOTE] = {"invalid",
				"Ошибка в кавычках: кавычка внутри поля без кавычек или текст после "
				"закрывающей кавычки",
				"Quoting error: a quote inside an unquoted field or text after a "
				"closing quote"},
	[IMPORT_E_UNTERMINATED] = {"invalid",
				   "Кавычка не закрыта: файл начиная с этой строки не прочитан",
				   "A quote is never closed: the file was not read from this line on"},
	[IMPORT_E_FIELD_TOO_LONG] = {"invalid", "Поле длиннее 4096 байт",
				     "A field is longer than 4096 bytes"},
	[IMPORT_E_TOO_MANY_FIELDS] = {"invalid", "В строке больше 64 столбцов",
				      "The row has more than 64 columns"},
	[IMPORT_E_NUL] = {"invalid", "Недопустимый символ (нулевой байт)",
			  "Invalid character (a NUL byte)"},
	[IMPORT_E_UNKNOWN_GROUP] = {"unknown_group",
				    "Группа из поля «{field}» не найдена ни в файле, ни в колледже",
				    "The group in \"{field}\" is neither in the file nor in the college"},
	[IMPORT_E_UNKNOWN_STUDENT] = {"unknown_student",
				      "Обучающийся из поля «{field}» не найден ни в файле, ни среди "
				      "импортированных ранее",
				      "The student in \"{field}\" is neither in the file nor imported "
				      "before"},
	[IMPORT_E_DUPLICATE] = {"duplicate", "Значение поля «{field}» уже было в строке {line}",
				"The value of \"{field}\" was already used on line {line}"},
	[IMPORT_E_DUPLICATE_COLUMN] = {"duplicate", "Столбец «{field}» указан в заголовке дважды",
				       "The header names the column \"{field}\" twice"},
	[IMPORT_E_LOGIN_TAKEN] = {"conflict", "Логин из поля «{field}» уже занят другим человеком",
				  "The login in \"{field}\" belongs to another person"},
	[IMPORT_E_UNSUPPORTED_TYPE] = {"unsupported_type",
				       "Неизвестный тип строки в поле «{field}»: нужен group, student, "
				       "parent или staff",
				       "Unknown row type in \"{field}\": expected group, student, parent "
				       "or staff"},
};

/* What a valid value of a column looks like, added to "invalid" messages. */
static const struct {
	const char *field;
	const char *ru;
	const char *en;
} import__hints[] = {
	{"login", " (нужен e-mail или номер телефона)", " (an e-mail or a phone number)"},
	{"enrolment_year", " (год от 1900 до 2100)", " (a year from 1900 to 2100)"},
	{"staff_role", " (teacher, staff, administration или curator)",
	 " (teacher, staff, administration or curator)"},
	{"external_id", " (до 64 латинских букв, цифр и знаков, без пробелов и символов @ , ; \")",
	 " (up to 64 ASCII letters, digits and signs, no blanks and none of @ , ; \")"},
	{"group_code", " (до 32 байт, без управляющих символов)",
	 " (up to 32 bytes, no control characters)"},
	{"student_external_id", " (до 10 кодов через пробел, запятую или точку с запятой)",
	 " (up to 10 ids separated by spaces, commas or semicolons)"},
};

const char *import_problem_code(enum import_problem p)
{
	return (unsigned)p < IMPORT_E__COUNT ? import__problems[p].code : "invalid";
}

/* Append s to out[*n..size) keeping room for the NUL. */
static void import__emit(char *out, size_t size, size_t *n, const char *s, size_t len)
{
	if (*n + 1 >= size)
		return;
	size_t room = size - 1 - *n;
	if (len > room)
		len = room;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
}

void import_error_message(const struct import_error *e, enum lang lang, char *out, size_t size)
{
	if (!size)
		return;
	out[0] = '\0';
	enum import_problem p = (unsigned)e->problem < IMPORT_E__COUNT ? e->problem : IMPORT_E_INVALID;
	const char *t = lang == LANG_EN ? import__problems[p].en : import__problems[p].ru;
	const char *field = e->field ? e->field : "";
	char line[24];
	snprintf(line, sizeof line, "%zu", e->other_line);
	size_t n = 0;
	while (*t) {
		if (strncmp(t, "{field}", 7) == 0) {
			import__emit(out, size, &n, field, strlen(field));
			t += 7;
		} else if (strncmp(t, "{line}", 6) == 0) {
			import__emit(out, size, &n, line, strlen(line));
			t += 6;
		} else {
			import__emit(out, size, &n, t, 1);
			t++;
		}
	}
	if (p != IMPORT_E_INVALID)
		return;
	for (size_t i = 0; i < sizeof import__hints / sizeof import__hints[0]; i++) {
		if (strcmp(import__hints[i].field, field) == 0) {
			const char *h = lang == LANG_EN ? import__hints[i].en : import__hints[i].ru;
			import__emit(out, size, &n, h, strlen(h));
		}
	}
}

void import_plan_add_error(struct import_plan *plan, size_t line, const char *field,
			   enum import_problem problem, size_t other_line)
{
	if (plan->nerrors == plan->errors_cap) {
		plan->errors_cap = plan->errors_cap ? plan->errors_cap * 2 : 16;
		plan->errors = xrealloc(plan->errors, plan->errors_cap * sizeof *plan->errors);
	}
	plan->errors[plan->nerrors++] = (struct import_error){line, field, problem, other_line};
}

/* Stable order by line: a merge sort (qsort is not stable). */
static void import__sort_errors(struct import_error *a, struct import_error *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	import__sort_errors(a, tmp, h);
	import__sort_errors(a + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = a[j].line < a[i].line ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

void import_plan_finish(struct import_plan *plan)
{
	if (plan->nerrors > 1) {
		struct import_error *tmp = xmalloc(plan->nerrors * sizeof *tmp);
		import__sort_errors(plan->errors, tmp, plan->nerrors);
		free(tmp);
	}
	size_t bad = 0;
	for (size_t i = 0; i < plan->nrows; i++)
		if (plan->rows[i].bad)
			bad++;
	/* rows the CSV reader could not read have no row struct: their errors
	 * were counted when they were read */
	plan->counts.skipped = bad + (plan->counts.rows - plan->nrows);
}

static void import__row_clear(struct import_row *r)
{
	free(r->external_id);
	free(r->key);
	free(r->last_name);
	free(r->first_name);
	free(r->middle_name);
	free(r->name);
	free(r->login);
	free(r->group_code);
	free(r->group_name);
	free(r->branch);
	for (size_t i = 0; i < r->nchildren; i++)
		free(r->children[i]);
	free(r->children);
}

void import_plan_clear(struct import_plan *plan)
{
	for (size_t i = 0; i < plan->nrows; i++)
		import__row_clear(&plan->rows[i]);
	free(plan->rows);
	free(plan->errors);
	memset(plan, 0, sizeof *plan);
}

/* ---- values ---- */

/* Trim ASCII blanks and no-break spaces (U+00A0, common in spreadsheet
 * exports) at both ends. */
static void import__trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n;
	for (;;) {
		if (len && (p[0] == ' ' || p[0] == '\t')) {
			p++;
			len--;
		} else if (len >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
			p += 2;
			len -= 2;
		} else {
			break;
		}
	}
	for (;;) {
		if (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		else if (len >= 2 && (unsigned char)p[len - 2] == 0xC2 && (unsigned char)p[len - 1] == 0xA0)
			len -= 2;
		else
			break;
	}
	*s = p;
	*n = len;
}

struct import__rec {
	const struct csv_record *rec;
	const int *cols;    /* field index of each column, -1 if absent */
	struct import_plan *plan;
	struct import_row *row;
};

/* The trimmed value of column c ("" if the column or the field is absent). */
static const char *import__get(const struct import__rec *x, int c, size_t *n)
{
	int i = x->cols[c];
	if (i < 0 || (size_t)i >= x->rec->nfields) {
		*n = 0;
		return "";
	}
	const char *s = x->rec->field[i];
	*n = x->rec->len[i];
	import__trim(&s, n);
	return s;
}

static void import__fail(struct import__rec *x, int c, enum import_problem p)
{
	import_plan_add_error(x->plan, x->row->line, c >= 0 ? F(c) : NULL, p, 0);
	x->row->bad = true;
}

/* Printable text of at most max bytes (valid UTF-8, no control characters). */
static bool import__text_ok(const char *s, size_t n, size_t max)
{
	if (n > max || !utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/* Column c as a heap string: NULL if empty and not required (a required
 * empty value is reported missing); an invalid one is reported. */
static char *import__text(struct import__rec *x, int c, bool required, size_t max)
{
	size_t n;
	const char *s = import__get(x, c, &n);
	if (n == 0) {
		if (required)
			import__fail(x, c, IMPORT_E_MISSING);
		return NULL;
	}
	if (!import__text_ok(s, n, max)) {
		import__fail(x, c, IMPORT_E_INVALID);
		return NULL;
	}
	return xstrndup(s, n);
}

/* An external id: 1..IMPORT_ID_MAX printable ASCII characters, no blanks and
 * none of @ , ; " (the separators of a parent's list of children; and no '@',
 * so a placeholder login made from it can never be an e-mail). */
static bool import__id_ok(const char *s, size_t n)
{
	if (n == 0 || n > IMPORT_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c <= ' ' || c > '~' || c == '@' || c == ',' || c == ';' || c == '"')
			return false;
	}
	return true;
}

static bool import__ieq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* ---- rows ---- */

static void import__names(struct import__rec *x)
{
	struct import_row *r = x->row;
	r->last_name = import__text(x, COL_LAST_NAME, true, IMPORT_NAME_PART_MAX);
	r->first_name = import__text(x, COL_FIRST_NAME, true, IMPORT_NAME_PART_MAX);
	r->middle_name = import__text(x, COL_MIDDLE_NAME, false, IMPORT_NAME_PART_MAX);
	/* e-journals write a dash for "no patronymic" */
	if (r->middle_name && (strcmp(r->middle_name, "-") == 0 || strcmp(r->middle_name, "—") == 0 ||
			       strcmp(r->middle_name, "–") == 0)) {
		free(r->middle_name);
		r->middle_name = NULL;
	}
	if (!r->middle_name)
		r->middle_name = xstrdup("");
	if (!r->last_name || !r->first_name)
		return;
	size_t n = strlen(r->last_name) + strlen(r->first_name) + strlen(r->middle_name) + 3;
	r->name = xmalloc(n);
	snprintf(r->name, n, "%s %s%s%s", r->last_name, r->first_name, r->middle_name[0] ? " " : "",
		 r->middle_name);
	if (strlen(r->name) > ACCOUNT_NAME_MAX)
		import__fail(x, COL_LAST_NAME, IMPORT_E_INVALID);
}

static void import__login(struct import__rec *x, bool required)
{
	size_t n;
	const char *s = import__get(x, COL_LOGIN, &n);
	char login[ACCOUNT_LOGIN_MAX + 1];
	if (n == 0) {
		if (required)
			import__fail(x, COL_LOGIN, IMPORT_E_MISSING);
		return;
	}
	if (account_normalize_login(s, n, login, sizeof login) != PERR_OK) {
		import__fail(x, COL_LOGIN, IMPORT_E_INVALID);
		return;
	}
	x->row->login = xstrdup(login);
}

static void import__year(struct import__rec *x)
{
	size_t n;
	const char *s = import__get(x, COL_ENROLMENT_YEAR, &n);
	if (n == 0)
		return;
	int y = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || n > 4) {
			import__fail(x, COL_ENROLMENT_YEAR, IMPORT_E_INVALID);
			return;
		}
		y = y * 10 + (s[i] - '0');
	}
	if (y < 1900 || y > 2100) {
		import__fail(x, COL_ENROLMENT_YEAR, IMPORT_E_INVALID);
		return;
	}
	x->row->enrolment_year = y;
}

static void import__staff_role(struct import__rec *x)
{
	size_t n;
	const char *s = import__get(x, COL_STAFF_ROLE, &n);
	static const struct {
		const char *word;
		enum role role;
	} roles[] = {{"teacher", ROLE_TEACHER},
		     {"staff", ROLE_STAFF},
		     {"administration", ROLE_ADMINISTRATION},
		     {"curator", ROLE_CURATOR}};
	if (n == 0) {
		import__fail(x, COL_STAFF_ROLE, IMPORT_E_MISSING);
		return;
	}
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		if (import__ieq(s, n, roles[i].word)) {
			x->row->staff_role = roles[i].role;
			return;
		}
	}
	import__fail(x, COL_STAFF_ROLE, IMPORT_E_INVALID);
}

/* A parent's children: external ids separated by blanks, ',' or ';'. */
static void import__children(struct import__rec *x)
{
	struct import_row *r = x->row;
	size_t n;
	const char *s = import__get(x, COL_STUDENT_EXTERNAL_ID, &n);
	if (n == 0) {
		import__fail(x, COL_STUDENT_EXTERNAL_ID, IMPORT_E_MISSING);
		return;
	}
	r->children = xcalloc(IMPORT_CHILDREN_MAX, sizeof *r->children);
	size_t i = 0;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == ';'))
			i++;
		size_t start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ',' && s[i] != ';')
			i++;
		if (i == start)
			break;
		if (r->nchildren == IMPORT_CHILDREN_MAX || !import__id_ok(s + start, i - start)) {
			import__fail(x, COL_STUDENT_EXTERNAL_ID, IMPORT_E_INVALID);
			return;
		}
		bool seen = false;
		for (size_t k = 0; k < r->nchildren; k++)
			if (strlen(r->children[k]) == i - start && memcmp(r->children[k], s + start, i - start) == 0)
				seen = true;
		if (!seen)
			r->children[r->nchildren++] = xstrndup(s + start, i - start);
	}
	if (!r->nchildren)
		import__fail(x, COL_STUDENT_EXTERNAL_ID, IMPORT_E_MISSING);
}

static bool import__type(struct import__rec *x)
{
	size_t n;
	const char *s = import__get(x, COL_TYPE, &n);
	if (n == 0) {
		import__fail(x, COL_TYPE, IMPORT_E_MISSING);
		return false;
	}
	for (int t = 0; t < IMPORT__TYPES; t++) {
		if (import__ieq(s, n, import__type_names[t])) {
			x->row->type = (enum import_type)t;
			return true;
		}
	}
	import__fail(x, COL_TYPE, IMPORT_E_UNSUPPORTED_TYPE);
	return false;
}

/* Validate one record into x->row (already holding its line). */
static void import__row(struct import__rec *x)
{
	struct import_row *r = x->row;
	if (!import__type(x))
		return;
	size_t idn;
	const char *id = import__get(x, COL_EXTERNAL_ID, &idn);
	if (idn == 0)
		import__fail(x, COL_EXTERNAL_ID, IMPORT_E_MISSING);
	else if (!import__id_ok(id, idn))
		import__fail(x, COL_EXTERNAL_ID, IMPORT_E_INVALID);
	else
		r->external_id = xstrndup(id, idn);
	if (r->external_id) {
		size_t n = strlen(r->external_id) + 10;
		r->key = xmalloc(n);
		snprintf(r->key, n, "%s:%s", import_type_name(r->type), r->external_id);
	}
	switch (r->type) {
	case IMPORT_GROUP:
		r->group_code = import__text(x, COL_GROUP_CODE, true, IMPORT_CODE_MAX);
		r->group_name = import__text(x, COL_GROUP_NAME, false, IMPORT_TEXT_MAX);
		r->branch = import__text(x, COL_BRANCH, false, IMPORT_TEXT_MAX);
		import__year(x);
		break;
	case IMPORT_STUDENT:
		import__names(x);
		import__login(x, false);
		r->group_code = import__text(x, COL_GROUP_CODE, true, IMPORT_CODE_MAX);
		break;
	case IMPORT_PARENT:
		import__names(x);
		import__login(x, false);
		r->group_code = import__text(x, COL_GROUP_CODE, false, IMPORT_CODE_MAX);
		import__children(x);
		break;
	case IMPORT_STAFF:
		import__names(x);
		import__login(x, true);
		import__staff_role(x);
		r->group_code = import__text(x, COL_GROUP_CODE, r->staff_role == ROLE_CURATOR,
					     IMPORT_CODE_MAX);
		r->branch = import__text(x, COL_BRANCH, false, IMPORT_TEXT_MAX);
		break;
	default:
		break;
	}
}

/* ---- duplicates across the file ---- */

struct import__key {
	const char *key;
	size_t row;
};

static int import__key_cmp(const void *a, const void *b)
{
	const struct import__key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Among rows not yet bad that have a key (key_of returns non-NULL), every
 * row after the first with the same key is a duplicate of it. */
static void import__dedupe(struct import_plan *plan, const char *(*key_of)(const struct import_row *),
			   const char *field)
{
	struct import__key *keys = xmalloc((plan->nrows ? plan->nrows : 1) * sizeof *keys);
	size_t n = 0;
	for (size_t i = 0; i < plan->nrows; i++) {
		const char *k = plan->rows[i].bad ? NULL : key_of(&plan->rows[i]);
		if (k)
			keys[n++] = (struct import__key){k, i};
	}
	qsort(keys, n, sizeof *keys, import__key_cmp);
	for (size_t i = 1; i < n; i++) {
		size_t first = i - 1;
		while (i < n && strcmp(keys[i].key, keys[first].key) == 0) {
			struct import_row *r = &plan->rows[keys[i].row];
			import_plan_add_error(plan, r->line, field, IMPORT_E_DUPLICATE,
					      plan->rows[keys[first].row].line);
			r->bad = true;
			i++;
		}
	}
	free(keys);
}

static const char *import__key_person(const struct import_row *r)
{
	return r->key;
}

static const char *import__key_group_code(const struct import_row *r)
{
	return r->type == IMPORT_GROUP ? r->group_code : NULL;
}

static const char *import__key_login(const struct import_row *r)
{
	return r->type != IMPORT_GROUP ? r->login : NULL;
}

/* ---- the file ---- */

/* Match the header to the columns. PERR_INVALID if no column is known. */
static int import__header(struct import_plan *plan, const struct csv_record *rec, int cols[COL__COUNT])
{
	bool any = false;
	for (int c = 0; c < COL__COUNT; c++)
		cols[c] = -1;
	if (rec->status != CSV_OK)
		return PERR_INVALID;
	for (size_t i = 0; i < rec->nfields; i++) {
		const char *s = rec->field[i];
		size_t n = rec->len[i];
		import__trim(&s, &n);
		for (int c = 0; c < COL__COUNT; c++) {
			if (!import__ieq(s, n, F(c)))
				continue;
			any = true;
			if (cols[c] >= 0) {
				import_plan_add_error(plan, rec->line, F(c), IMPORT_E_DUPLICATE_COLUMN, 0);
				plan->header_ok = false;
			}
			cols[c] = (int)i;
		}
	}
	if (!any)
		return PERR_INVALID;
	for (int c = 0; c < COL__COUNT; c++) {
		if (import__columns[c].required && cols[c] < 0) {
			import_plan_add_error(plan, rec->line, F(c), IMPORT_E_MISSING_COLUMN, 0);
			plan->header_ok = false;
		}
	}
	return PERR_OK;
}

static bool import__blank(const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		const char *s = rec->field[i];
		size_t n = rec->len[i];
		import__trim(&s, &n);
		if (n)
			return false;
	}
	return true;
}

static enum import_problem import__csv_problem(enum csv_status st)
{
	switch (st) {
	case CSV_ERR_QUOTE:
		return IMPORT_E_BAD_QUOTE;
	case CSV_ERR_UNTERMINATED:
		return IMPORT_E_UNTERMINATED;
	case CSV_ERR_FIELD_TOO_LONG:
		return IMPORT_E_FIELD_TOO_LONG;
	case CSV_ERR_TOO_MANY_FIELDS:
		return IMPORT_E_TOO_MANY_FIELDS;
	default:
		return IMPORT_E_NUL;
	}
}

int import_plan_parse(const void *data, size_t len, struct import_plan *plan)
{
	int rc = PERR_OK;
	int cols[COL__COUNT];
	struct csv_record rec;
	size_t cap = 0;
	memset(plan, 0, sizeof *plan);
	struct csv_reader *rd = csv_reader_new(data, len);
	plan->encoding = csv_reader_encoding(rd);
	plan->delimiter = csv_reader_delimiter(rd);
	if (!csv_reader_next(rd, &rec)) {
		rc = PERR_INVALID;
		goto out;
	}
	plan->header_ok = true;
	rc = import__header(plan, &rec, cols);
	if (rc || !plan->header_ok)
		goto out;
	while (csv_reader_next(rd, &rec)) {
		if (rec.status != CSV_OK) {
			plan->counts.rows++;
			import_plan_add_error(plan, rec.line, NULL, import__csv_problem(rec.status), 0);
			continue;
		}
		if (import__blank(&rec))
			continue;
		plan->counts.rows++;
		if (plan->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			plan->rows = xrealloc(plan->rows, cap * sizeof *plan->rows);
		}
		struct import_row *r = &plan->rows[plan->nrows++];
		memset(r, 0, sizeof *r);
		r->line = rec.line;
		struct import__rec x = {&rec, cols, plan, r};
		import__row(&x);
	}
	import__dedupe(plan, import__key_person, F(COL_EXTERNAL_ID));
	import__dedupe(plan, import__key_group_code, F(COL_GROUP_CODE));
	import__dedupe(plan, import__key_login, F(COL_LOGIN));
out:
	csv_reader_free(rd);
	if (rc == PERR_OK) {
		import_plan_finish(plan);
	} else {
		import_plan_clear(plan);
	}
	return rc;
}
