/* SPDX-License-Identifier: MIT */
/* Unit tests for domain/import: the header (required columns, duplicates,
 * not a CSV of ours at all), a table of single rows with exactly the problems
 * (field, code) each must get, values as they come out (trimmed, normalized
 * logins, the "-" patronymic, a parent's list of children), duplicates across
 * the file (external ids per type, group codes, logins in any spelling) with
 * the line that had the value first, CSV syntax errors counted as skipped
 * rows at their lines, and the messages in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "domain/import.h"

#define HEADER "type;external_id;last_name;first_name;middle_name;login;group_code;group_name;" \
	       "branch;enrolment_year;staff_role;student_external_id\n"

static int parse(const char *csv, struct import_plan *plan)
{
	return import_plan_parse(csv, strlen(csv), plan);
}

static bool has_error(const struct import_plan *p, size_t line, const char *field, const char *code)
{
	for (size_t i = 0; i < p->nerrors; i++) {
		const struct import_error *e = &p->errors[i];
		if (e->line == line && strcmp(import_problem_code(e->problem), code) == 0 &&
		    ((!field && !e->field) || (field && e->field && strcmp(field, e->field) == 0)))
			return true;
	}
	return false;
}

static void test_header(void **state)
{
	(void)state;
	struct import_plan p;
	/* not ours: empty, blank, no known column, binary */
	assert_int_equal(parse("", &p), PERR_INVALID);
	assert_int_equal(parse("\n\n", &p), PERR_INVALID);
	assert_int_equal(parse("name,age\nx,1\n", &p), PERR_INVALID);
	assert_int_equal(import_plan_parse("\x89PNG\r\n\x1a\n\0\0", 10, &p), PERR_INVALID);
	assert_int_equal(parse("{\"type\": 1}\n", &p), PERR_INVALID);

	/* required columns missing: reported on line 1, no row read */
	assert_int_equal(parse("type,external_id,first_name\nstudent,1,Ann\n", &p), PERR_OK);
	assert_false(p.header_ok);
	assert_int_equal(p.nrows, 0);
	assert_int_equal(p.nerrors, 2);
	assert_true(has_error(&p, 1, "last_name", "missing"));
	assert_true(has_error(&p, 1, "group_code", "missing"));
	import_plan_clear(&p);

	/* a column twice */
	assert_int_equal(parse("type;external_id;last_name;first_name;group_code;Type\n", &p), PERR_OK);
	assert_false(p.header_ok);
	assert_true(has_error(&p, 1, "type", "duplicate"));
	import_plan_clear(&p);

	/* any order, any case, blanks, unknown columns ignored */
	assert_int_equal(parse(" Group_Code ,comment,LAST_NAME,first_name,external_id,type\n"
			       "ТМ-21,whatever,Иванов,Пётр,s1,student\n",
			       &p),
			 PERR_OK);
	assert_true(p.header_ok);
	assert_int_equal(p.nerrors, 0);
	assert_int_equal(p.nrows, 1);
	assert_string_equal(p.rows[0].group_code, "ТМ-21");
	assert_string_equal(p.rows[0].name, "Иванов Пётр");
	assert_int_equal(p.delimiter, ',');
	import_plan_clear(&p);
}

struct row_case {
	const char *row;      /* one data line after HEADER */
	const char *field1, *code1;  /* the problems it must get (NULL: none) */
	const char *field2, *code2;
};

static const struct row_case row_cases[] = {
	{"group;g1;;;;;ТМ-21;Технология;;2021;;", NULL, NULL, NULL, NULL},
	{"student;s1;Иванов;Пётр;;;ТМ-21;;;;;", NULL, NULL, NULL, NULL},
	{"parent;p1;Иванова;Анна;;+79120000001;;;;;;s1", NULL, NULL, NULL, NULL},
	{"staff;t1;Сидоров;Олег;;oleg@x.ru;;;;;teacher;", NULL, NULL, NULL, NULL},
	{"staff;c1;Сидоров;Олег;;oleg@x.ru;ТМ-21;;;;Curator;", NULL, NULL, NULL, NULL},
	{";s1;Иванов;Пётр;;;ТМ-21;;;;;", "type", "missing", NULL, NULL},
	{"teacher;s1;Иванов;Пётр;;;ТМ-21;;;;;", "type", "unsupported_type", NULL, NULL},
	{"student;;Иванов;Пётр;;;ТМ-21;;;;;", "external_id", "missing", NULL, NULL},
	{"student;a b;Иванов;Пётр;;;ТМ-21;;;;;", "external_id", "invalid", NULL, NULL},
	{"student;a@b;Иванов;Пётр;;;ТМ-21;;;;;", "external_id", "invalid", NULL, NULL},
	{"student;"
	 "12345678901234567890123456789012345678901234567890123456789012345;Иванов;Пётр;;;ТМ-21;;;;;",
	 "external_id", "invalid", NULL, NULL},
	{"student;s1;;;;;ТМ-21;;;;;", "last_name", "missing", "first_name", "missing"},
	{"student;s1;Иванов;Пётр;;;;;;;;", "group_code", "missing", NULL, NULL},
	{"student;s1;Иванов;Пётр;;abc;ТМ-21;;;;;", "login", "invalid", NULL, NULL},
	{"student;s1;Ива\x01нов;Пётр;;;ТМ-21;;;;;", "last_name", "invalid", NULL, NULL},
	{"staff;t1;Сидоров;Олег;;;;;;;teacher;", "login", "missing", NULL, NULL},
	{"staff;t1;Сидоров;Олег;;o@x.ru;;;;;;", "staff_role", "missing", NULL, NULL},
	{"staff;t1;Сидоров;Олег;;o@x.ru;;;;;boss;", "staff_role", "invalid", NULL, NULL},
	{"staff;t1;Сидоров;Олег;;o@x.ru;;;;;curator;", "group_code", "missing", NULL, NULL},
	{"parent;p1;Иванова;Анна;;;;;;;;", "student_external_id", "missing", NULL, NULL},
	{"parent;p1;Иванова;Анна;;;;;;;;1 2 3 4 5 6 7 8 9 10 11", "student_external_id", "invalid",
	 NULL, NULL},
	{"group;g1;;;;;;;;;;", "group_code", "missing", NULL, NULL},
	{"group;g1;;;;;ТМ-21;;;20x1;;", "enrolment_year", "invalid", NULL, NULL},
	{"group;g1;;;;;ТМ-21;;;1800;;", "enrolment_year", "invalid", NULL, NULL},
	{"group;g1;;;;;ТМ-21;;;20211;;", "enrolment_year", "invalid", NULL, NULL},
};

static void test_rows(void **state)
{
	(void)state;
	char csv[1024];
	for (size_t i = 0; i < sizeof row_cases / sizeof row_cases[0]; i++) {
		const struct row_case *c = &row_cases[i];
		struct import_plan p;
		snprintf(csv, sizeof csv, HEADER "%s\n", c->row);
		assert_int_equal(parse(csv, &p), PERR_OK);
		size_t want = (c->code1 ? 1 : 0) + (c->code2 ? 1 : 0);
		if (p.nerrors != want)
			fail_msg("%s: %zu problems, want %zu (first: %s %s)", c->row, p.nerrors, want,
				 p.nerrors ? p.errors[0].field : "", p.nerrors ? import_problem_code(p.errors[0].problem) : "");
		if (c->code1 && !has_error(&p, 2, c->field1, c->code1))
			fail_msg("%s: no %s for %s", c->row, c->code1, c->field1);
		if (c->code2 && !has_error(&p, 2, c->field2, c->code2))
			fail_msg("%s: no %s for %s", c->row, c->code2, c->field2);
		assert_int_equal(p.nrows, 1);
		assert_int_equal(p.rows[0].bad, want > 0);
		assert_int_equal(p.counts.rows, 1);
		assert_int_equal(p.counts.skipped, want > 0);
		import_plan_clear(&p);
	}
}

static void test_values(void **state)
{
	(void)state;
	struct import_plan p;
	assert_int_equal(parse(HEADER
			       "student ; 42 ;\xC2\xA0Иванов ; Пётр;-; 8 (912) 000-00-01 ;ТМ-21;;;;;\n"
			       "parent;42;Иванова;Анна;Ивановна;Anna@Mail.RU;;;;;;\"42, 43;44\t45 42\"\n"
			       "staff;42;Сидоров;Олег;—;o@x.ru;;;Бардымский филиал;;ADMINISTRATION;\n"
			       "group;42;;;;;ТМ-21;;;2021;;\n",
			       &p),
			 PERR_OK);
	assert_int_equal(p.nerrors, 0);
	assert_int_equal(p.nrows, 4);
	const struct import_row *s = &p.rows[0], *par = &p.rows[1], *st = &p.rows[2], *g = &p.rows[3];
	/* the same external id in four types is four different keys */
	assert_string_equal(s->key, "student:42");
	assert_string_equal(par->key, "parent:42");
	assert_string_equal(st->key, "staff:42");
	assert_string_equal(g->key, "group:42");
	assert_string_equal(s->last_name, "Иванов");
	assert_string_equal(s->middle_name, "");
	assert_string_equal(s->name, "Иванов Пётр");
	assert_string_equal(s->login, "+79120000001");
	assert_string_equal(par->login, "anna@mail.ru");
	assert_string_equal(par->name, "Иванова Анна Ивановна");
	assert_int_equal(par->nchildren, 4);
	assert_string_equal(par->children[0], "42");
	assert_string_equal(par->children[1], "43");
	assert_string_equal(par->children[2], "44");
	assert_string_equal(par->children[3], "45");
	assert_int_equal(st->staff_role, ROLE_ADMINISTRATION);
	assert_string_equal(st->branch, "Бардымский филиал");
	assert_string_equal(st->middle_name, "");
	assert_int_equal(g->enrolment_year, 2021);
	assert_null(g->group_name);
	assert_null(g->branch);
	import_plan_clear(&p);
}

static void test_duplicates(void **state)
{
	(void)state;
	struct import_plan p;
	assert_int_equal(parse(HEADER
			       "group;g1;;;;;ТМ-21;;;;;\n"                            /* 2 */
			       "group;g2;;;;;ТМ-21;;;;;\n"                            /* 3: code */
			       "student;s1;Иванов;Пётр;;+79120000001;ТМ-21;;;;;\n"     /* 4 */
			       "student;s1;Петров;Иван;;;ТМ-21;;;;;\n"                 /* 5: id */
			       "student;s2;Петров;Иван;;8 912 000 00 01;ТМ-21;;;;;\n"  /* 6: login */
			       "parent;s1;Иванова;Анна;;;;;;;;s1\n"                    /* 7: fine */
			       "group;g1;;;;;ЭМ-22;;;;;\n"                            /* 8: id */
			       "student;;Без;Кода;;+79120000002;ТМ-21;;;;;\n"          /* 9: missing */
			       "student;s3;Сидоров;Олег;;+79120000002;ТМ-21;;;;;\n",   /* 10: fine */
			       &p),
			 PERR_OK);
	assert_int_equal(p.nerrors, 5);
	assert_true(has_error(&p, 3, "group_code", "duplicate"));
	assert_true(has_error(&p, 5, "external_id", "duplicate"));
	assert_true(has_error(&p, 6, "login", "duplicate"));
	assert_true(has_error(&p, 8, "external_id", "duplicate"));
	assert_true(has_error(&p, 9, "external_id", "missing"));
	/* a row that is already bad claims nothing: line 10's login is fine */
	assert_false(has_error(&p, 10, "login", "duplicate"));
	/* errors come sorted by line; duplicates name the first line */
	for (size_t i = 1; i < p.nerrors; i++)
		assert_true(p.errors[i - 1].line <= p.errors[i].line);
	assert_int_equal(p.errors[1].line, 5);
	assert_int_equal(p.errors[1].other_line, 4);
	assert_int_equal(p.counts.rows, 9);
	assert_int_equal(p.counts.skipped, 5);
	import_plan_clear(&p);
}

static void test_csv_errors(void **state)
{
	(void)state;
	struct import_plan p;
	assert_int_equal(parse(HEADER
			       "student;s1;\"Ива\"нов;Пётр;;;ТМ-21;;;;;\n"            /* 2: quote */
			       "\n"
			       "student;s2;\"Многострочное\nимя\";Пётр;;;ТМ-21;;;;;\n" /* 4-5: invalid name */
			       "student;s3;Иванов;Пётр;;;ТМ-21;;;;;\n"                /* 6: fine */
			       ";;;;;;;;;;;\n"                                          /* 7: blank */
			       "student;s4;\"Иванов;Пётр;;;ТМ-21;;;;;\n",             /* 8: unterminated */
			       &p),
			 PERR_OK);
	assert_int_equal(p.counts.rows, 4);
	assert_int_equal(p.nrows, 2);
	assert_int_equal(p.nerrors, 3);
	assert_true(has_error(&p, 2, NULL, "invalid"));
	assert_true(has_error(&p, 4, "last_name", "invalid"));
	assert_true(has_error(&p, 8, NULL, "invalid"));
	assert_int_equal(p.rows[1].line, 6);
	assert_false(p.rows[1].bad);
	assert_int_equal(p.counts.skipped, 3);
	import_plan_clear(&p);
}

static void test_messages(void **state)
{
	(void)state;
	char msg[256];
	struct import_error e = {5, "login", IMPORT_E_INVALID, 0};
	import_error_message(&e, LANG_RU, msg, sizeof msg);
	assert_string_equal(msg, "Неверное значение в поле «login» (нужен e-mail или номер телефона)");
	import_error_message(&e, LANG_EN, msg, sizeof msg);
	assert_string_equal(msg, "The field \"login\" has an invalid value (an e-mail or a phone number)");
	e = (struct import_error){7, "external_id", IMPORT_E_DUPLICATE, 3};
	import_error_message(&e, LANG_RU, msg, sizeof msg);
	assert_string_equal(msg, "Значение поля «external_id» уже было в строке 3");
	import_error_message(&e, LANG_EN, msg, sizeof msg);
	assert_string_equal(msg, "The value of \"external_id\" was already used on line 3");
	e = (struct import_error){7, NULL, IMPORT_E_UNTERMINATED, 0};
	import_error_message(&e, LANG_EN, msg, sizeof msg);
	assert_string_equal(msg, "A quote is never closed: the file was not read from this line on");
	/* truncated, still terminated */
	import_error_message(&e, LANG_RU, msg, 8);
	assert_int_equal(strlen(msg), 7);
	/* every problem has a code of the API's set and a message in both languages */
	static const char *const codes[] = {"missing", "invalid", "unknown_group", "unknown_student",
					    "duplicate", "conflict", "unsupported_type"};
	for (int p = 0; p < IMPORT_E__COUNT; p++) {
		bool known = false;
		for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++)
			known = known || strcmp(codes[k], import_problem_code((enum import_problem)p)) == 0;
		assert_true(known);
		e = (struct import_error){2, "type", (enum import_problem)p, 1};
		import_error_message(&e, LANG_RU, msg, sizeof msg);
		assert_true(strlen(msg) > 10);
		assert_null(strchr(msg, '{'));
		import_error_message(&e, LANG_EN, msg, sizeof msg);
		assert_true(strlen(msg) > 10);
		assert_null(strchr(msg, '{'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
