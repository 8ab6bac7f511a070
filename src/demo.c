/* SPDX-License-Identifier: MIT */
/* The demo college (demo.h). The structure and the staff are fixed tables;
 * students and parents are drawn from lists of common Russian names by a
 * seeded generator, so every run makes the same college. Everything is
 * written as an e-journal CSV and read back by domain/import.c, then stored
 * by store_demo_seed (the import's own code plus the college's details, the
 * director flag and the curators) in one transaction. The director is the
 * one named in the regulation (М.В. Азанов, by his initials); everyone else
 * is invented. */
#include "demo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "domain/accounts.h"
#include "domain/csv.h"
#include "domain/import.h"
#include "store/store.h"

#define DEMO_DOMAIN "kpk.example"
#define DEMO_STUDENTS_PER_GROUP 15
#define DEMO_LOGINS_MAX 512
#define DEMO_CMK "ЦМК общепрофессиональных дисциплин"

/* ---- the structure ---- */

struct demo_group {
	const char *code;
	const char *name;
	const char *branch;      /* NULL: the main site (directly under the college) */
	int year;
	const char *curator;     /* external id of the curator's staff row */
};

static const struct demo_group demo_groups[] = {
	{"ТМ-21", "Технология машиностроения", NULL, 2021, "10"},
	{"ЭМ-22", "Электромонтаж электрических сетей и электрооборудования", NULL, 2022, "11"},
	{"ПК-23", "Поварское и кондитерское дело", NULL, 2023, "12"},
	{"ТОР-24", "Техническое обслуживание и ремонт автотранспортных средств", NULL, 2024, "13"},
	{"СВ-22", "Сварочное производство", NULL, 2022, "14"},
	{"ИС-23", "Информационные системы и программирование", NULL, 2023, "15"},
	{"ТРА-22", "Тракторист-машинист сельскохозяйственного производства", "Бардымский филиал",
	 2022, "20"},
	{"ПКБ-23", "Поварское и кондитерское дело", "Бардымский филиал", 2023, "21"},
	{"МСХ-22", "Механизация сельского хозяйства", "Куединский филиал", 2022, "22"},
	{"БУ-23", "Экономика и бухгалтерский учёт", "Куединский филиал", 2023, "23"},
	{"ТЭО-23", "Техническая эксплуатация нефтепромыслового оборудования", "Октябрьский филиал",
	 2023, "24"},
	{"АМ-24", "Мастер по ремонту и обслуживанию автомобилей", "Уинский филиал", 2024, "25"},
};
#define DEMO_NGROUPS (sizeof demo_groups / sizeof demo_groups[0])

/* A staff row. role: teacher, staff or administration; unit: a branch or
 * department name, NULL for the college. */
struct demo_staff {
	const char *id;
	const char *last, *first, *middle;
	const char *role;
	const char *unit;
};

static const struct demo_staff demo_staff[] = {
	{"1", "Азанов", "М.", "В.", "administration", NULL},
	{"2", "Кравченко", "Елена", "Николаевна", "administration", NULL},
	{"3", "Лобанова", "Ирина", "Викторовна", "administration", NULL},
	{"4", "Шестакова", "Наталья", "Петровна", "staff", NULL},
	{"5", "Мальцев", "Андрей", "Юрьевич", "staff", NULL},
	{"10", "Горбунов", "Виктор", "Иванович", "teacher", NULL},
	{"11", "Исаева", "Светлана", "Олеговна", "teacher", NULL},
	{"12", "Чернова", "Людмила", "Геннадьевна", "teacher", NULL},
	{"13", "Пономарёв", "Алексей", "Сергеевич", "teacher", NULL},
	{"14", "Зуева", "Марина", "Анатольевна", "teacher", NULL},
	{"15", "Русинов", "Денис", "Евгеньевич", "teacher", NULL},
	{"20", "Габдуллина", "Гульнара", "Ринатовна", "teacher", "Бардымский филиал"},
	{"21", "Сафин", "Ильдар", "Маратович", "teacher", "Бардымский филиал"},
	{"22", "Мохова", "Оксана", "Викторовна", "teacher", "Куединский филиал"},
	{"23", "Белоусов", "Игорь", "Николаевич", "teacher", "Куединский филиал"},
	{"24", "Рябова", "Юлия", "Александровна", "teacher", "Октябрьский филиал"},
	{"25", "Третьяков", "Павел", "Андреевич", "teacher", "Уинский филиал"},
	{"30", "Соколова", "Анна", "Михайловна", "teacher", DEMO_CMK},
	{"31", "Назаров", "Олег", "Владимирович", "teacher", DEMO_CMK},
	{"32", "Фомина", "Елена", "Юрьевна", "teacher", DEMO_CMK},
	{"33", "Киселёв", "Роман", "Игоревич", "teacher", NULL},
};
#define DEMO_NSTAFF (sizeof demo_staff / sizeof demo_staff[0])
#define DEMO_DIRECTOR "1"   /* the staff row of the director */
#define DEMO_TEACHER "33"   /* a teacher who curates no group, to show */

/* ---- names ---- */

static const char *const demo_surnames[] = {
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
	"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
	"Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
	"Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
	"Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Ильин",
	"Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов",
	"Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов",
	"Богданов", "Осипов", "Ахметов", "Закиров", "Галиев", "Мухаметшин", "Шарипов", "Юсупов",
};
static const char *const demo_male[] = {
	"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
	"Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван",
	"Денис", "Евгений", "Даниил", "Тимофей", "Владислав", "Павел", "Руслан", "Тимур",
};
static const char *const demo_female[] = {
	"Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Полина", "Дарья", "Алина",
	"Ксения", "Елизавета", "Софья", "Вероника", "Юлия", "Валерия", "Ольга", "Елена",
	"Ирина", "Светлана", "Татьяна", "Наталья", "Алсу", "Регина", "Лилия", "Диана",
};
/* Patronymics: male form, female form. */
static const char *const demo_patronymics[][2] = {
	{"Александрович", "Александровна"}, {"Дмитриевич", "Дмитриевна"},
	{"Сергеевич", "Сергеевна"},         {"Андреевич", "Андреевна"},
	{"Алексеевич", "Алексеевна"},       {"Михайлович", "Михайловна"},
	{"Иванович", "Ивановна"},           {"Владимирович", "Владимировна"},
	{"Николаевич", "Николаевна"},       {"Викторович", "Викторовна"},
	{"Юрьевич", "Юрьевна"},             {"Олегович", "Олеговна"},
	{"Евгеньевич", "Евгеньевна"},       {"Павлович", "Павловна"},
	{"Игоревич", "Игоревна"},           {"Петрович", "Петровна"},
	{"Геннадьевич", "Геннадьевна"},     {"Анатольевич", "Анатольевна"},
};
#define DEMO_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the generator ---- */

/* Accounts worth printing: login of a curator, a teacher, a student and a
 * parent. */
struct demo_accounts {
	char curator[ACCOUNT_LOGIN_MAX + 1], curator_group[16];
	char teacher[ACCOUNT_LOGIN_MAX + 1];
	char director[ACCOUNT_LOGIN_MAX + 1];
	char student[ACCOUNT_LOGIN_MAX + 1], student_group[16];
	char parent[ACCOUNT_LOGIN_MAX + 1];
};

struct demo_gen {
	struct buf csv;
	uint32_t rng;
	char *logins[DEMO_LOGINS_MAX];
	size_t nlogins;
	unsigned phone;
	struct demo_accounts shown;
};

static uint32_t demo__rand(struct demo_gen *g, uint32_t n)
{
	/* xorshift32: deterministic and good enough to pick names */
	uint32_t x = g->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	g->rng = x;
	return x % n;
}

/* Latin transliteration of a Cyrillic name, lower case, letters only. */
static void demo__translit(const char *s, char *out, size_t size)
{
	static const char *const lower[32] = {
		"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
		"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
	};
	size_t n = 0;
	out[0] = '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		const char *t = "";
		if (*p < 0x80) {
			char one[2] = {(char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p), '\0'};
			p++;
			if ((one[0] >= 'a' && one[0] <= 'z') || (one[0] >= '0' && one[0] <= '9'))
				n += (size_t)snprintf(out + n, size - n, "%s", one);
			if (n >= size)
				n = size - 1;
			continue;
		}
		unsigned cp = p[1] ? ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F) : 0;
		p += p[1] ? 2 : 1;
		if (cp >= 0x410 && cp <= 0x44F)
			t = lower[(cp - 0x410) % 32];
		else if (cp == 0x401 || cp == 0x451)
			t = "e";
		n += (size_t)snprintf(out + n, size - n, "%s", t);
		if (n >= size)
			n = size - 1;
	}
}

/* base@DEMO_DOMAIN, with a number added if another demo person has it. */
static void demo__login(struct demo_gen *g, const char *base, char *out, size_t size)
{
	for (unsigned k = 1;; k++) {
		if (k == 1)
			snprintf(out, size, "%s@" DEMO_DOMAIN, base);
		else
			snprintf(out, size, "%s%u@" DEMO_DOMAIN, base, k);
		bool taken = false;
		for (size_t i = 0; i < g->nlogins && !taken; i++)
			taken = strcmp(g->logins[i], out) == 0;
		if (!taken)
			break;
	}
	if (g->nlogins < DEMO_LOGINS_MAX)
		g->logins[g->nlogins++] = xstrdup(out);
}

enum { D_TYPE, D_ID, D_LAST, D_FIRST, D_MIDDLE, D_LOGIN, D_GROUP, D_GROUP_NAME, D_BRANCH, D_YEAR,
       D_STAFF_ROLE, D_CHILD, D__COLS };

static void demo__row(struct demo_gen *g, const char *const f[D__COLS])
{
	for (int i = 0; i < D__COLS; i++) {
		if (i)
			buf_putc(&g->csv, ';');
		csv_write_field(&g->csv, f[i], ';');
	}
	csv_write_eol(&g->csv);
}

static void demo__groups(struct demo_gen *g)
{
	for (size_t i = 0; i < DEMO_NGROUPS; i++) {
		const struct demo_group *d = &demo_groups[i];
		char id[16], year[8];
		snprintf(id, sizeof id, "g%zu", i + 1);
		snprintf(year, sizeof year, "%d", d->year);
		const char *f[D__COLS] = {[D_TYPE] = "group", [D_ID] = id, [D_GROUP] = d->code,
					  [D_GROUP_NAME] = d->name, [D_BRANCH] = d->branch,
					  [D_YEAR] = year};
		demo__row(g, f);
	}
}

static const struct demo_group *demo__curated(const char *staff_id)
{
	for (size_t i = 0; i < DEMO_NGROUPS; i++)
		if (strcmp(demo_groups[i].curator, staff_id) == 0)
			return &demo_groups[i];
	return NULL;
}

static void demo__staff(struct demo_gen *g)
{
	for (size_t i = 0; i < DEMO_NSTAFF; i++) {
		const struct demo_staff *d = &demo_staff[i];
		char base[64], login[ACCOUNT_LOGIN_MAX + 1];
		demo__translit(d->last, base, sizeof base);
		demo__login(g, base, login, sizeof login);
		const char *f[D__COLS] = {[D_TYPE] = "staff", [D_ID] = d->id, [D_LAST] = d->last,
					  [D_FIRST] = d->first, [D_MIDDLE] = d->middle,
					  [D_LOGIN] = login, [D_BRANCH] = d->unit,
					  [D_STAFF_ROLE] = d->role};
		demo__row(g, f);
		const struct demo_group *cur = demo__curated(d->id);
		if (cur && !g->shown.curator[0]) {
			snprintf(g->shown.curator, sizeof g->shown.curator, "%s", login);
			snprintf(g->shown.curator_group, sizeof g->shown.curator_group, "%s", cur->code);
		}
		if (strcmp(d->id, DEMO_TEACHER) == 0)
			snprintf(g->shown.teacher, sizeof g->shown.teacher, "%s", login);
		if (strcmp(d->id, DEMO_DIRECTOR) == 0)
			snprintf(g->shown.director, sizeof g->shown.director, "%s", login);
	}
}

/* A parent (the mother, usually) for the student just written. */
static void demo__parent(struct demo_gen *g, const char *surname, const char *child_id, unsigned n)
{
	bool father = demo__rand(g, 4) == 0;
	char last[80], id[16], phone[24];
	snprintf(last, sizeof last, "%s%s", surname, father ? "" : "а");
	snprintf(id, sizeof id, "p%u", n);
	snprintf(phone, sizeof phone, "+7912%07u", ++g->phone);
	const char *first = father ? demo_male[demo__rand(g, DEMO_COUNT(demo_male))]
				   : demo_female[demo__rand(g, DEMO_COUNT(demo_female))];
	const char *middle = demo_patronymics[demo__rand(g, DEMO_COUNT(demo_patronymics))][father ? 0 : 1];
	const char *f[D__COLS] = {[D_TYPE] = "parent", [D_ID] = id, [D_LAST] = last,
				  [D_FIRST] = first, [D_MIDDLE] = middle, [D_LOGIN] = phone,
				  [D_CHILD] = child_id};
	demo__row(g, f);
	if (!g->shown.parent[0])
		snprintf(g->shown.parent, sizeof g->shown.parent, "%s", phone);
}

static void demo__students(struct demo_gen *g)
{
	unsigned n = 0;
	for (size_t gi = 0; gi < DEMO_NGROUPS; gi++) {
		for (int k = 0; k < DEMO_STUDENTS_PER_GROUP; k++, n++) {
			bool male = demo__rand(g, 2) == 0;
			const char *surname = demo_surnames[demo__rand(g, DEMO_COUNT(demo_surnames))];
			char last[80], id[16], base[96], a[48], b[48], login[ACCOUNT_LOGIN_MAX + 1];
			snprintf(last, sizeof last, "%s%s", surname, male ? "" : "а");
			const char *first = male ? demo_male[demo__rand(g, DEMO_COUNT(demo_male))]
						 : demo_female[demo__rand(g, DEMO_COUNT(demo_female))];
			const char *middle =
				demo_patronymics[demo__rand(g, DEMO_COUNT(demo_patronymics))][male ? 0 : 1];
			snprintf(id, sizeof id, "s%u", 1001 + n);
			demo__translit(first, a, sizeof a);
			demo__translit(last, b, sizeof b);
			snprintf(base, sizeof base, "%s.%s", a, b);
			demo__login(g, base, login, sizeof login);
			const char *f[D__COLS] = {[D_TYPE] = "student", [D_ID] = id, [D_LAST] = last,
						  [D_FIRST] = first, [D_MIDDLE] = middle,
						  [D_LOGIN] = login, [D_GROUP] = demo_groups[gi].code};
			demo__row(g, f);
			if (!g->shown.student[0]) {
				snprintf(g->shown.student, sizeof g->shown.student, "%s", login);
				snprintf(g->shown.student_group, sizeof g->shown.student_group, "%s",
					 demo_groups[gi].code);
			}
			if (k % 3 == 0)
				demo__parent(g, surname, id, n + 1);
		}
	}
}

/* The demo's e-journal file into g->csv. */
static void demo__csv(struct demo_gen *g)
{
	buf_puts(&g->csv, "type;external_id;last_name;first_name;middle_name;login;group_code;"
			  "group_name;branch;enrolment_year;staff_role;student_external_id\r\n");
	demo__groups(g);
	demo__staff(g);
	demo__students(g);
}

/* ---- the command ---- */

static int demo__ensure_dir(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return PERR_IO;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "parta: cannot create the data dir %s: %s\n", path, strerror(errno));
		return PERR_IO;
	}
	return PERR_OK;
}

static void demo__print(const struct demo_gen *g, const struct import_plan *plan, const char *data_dir)
{
	const struct import_counts *c = &plan->counts;
	printf("Демо-колледж создан / demo college seeded: ГБПОУ «Краевой политехнический колледж» "
	       "(%s)\n", data_dir);
	printf("  групп / groups: %zu, обучающихся / students: %zu, родителей / parents: %zu, "
	       "сотрудников / staff: %zu, филиалов / branches: %zu\n",
	       c->groups, c->students, c->parents, c->staff, c->branches);
	printf("Пароль всех демо-учётных записей / password of every demo account: %s\n", DEMO_PASSWORD);
	printf("Демо-учётные записи / demo accounts:\n");
	printf("  %-9s %-34s %s\n", "admin", "admin@" DEMO_DOMAIN,
	       "администратор платформы / platform administrator");
	printf("  %-9s %-34s %s\n", "director", g->shown.director,
	       "директор (администрация) / director");
	printf("  %-9s %-34s куратор группы %s / curator\n", "curator", g->shown.curator,
	       g->shown.curator_group);
	printf("  %-9s %-34s %s\n", "teacher", g->shown.teacher, "преподаватель / teacher");
	printf("  %-9s %-34s обучающийся группы %s / student\n", "student", g->shown.student,
	       g->shown.student_group);
	printf("  %-9s %-34s %s\n", "parent", g->shown.parent, "родитель / parent");
	printf("Запустите сервер / start the server: parta serve --data-dir=%s\n", data_dir);
}

int demo_main(const struct config *cfg)
{
	static const char *const departments[] = {DEMO_CMK, NULL};
	static const char details[] =
		"{\"full_name\":\"Государственное бюджетное профессиональное образовательное "
		"учреждение «Краевой политехнический колледж»\",\"main_site\":\"Чернушка\","
		"\"region\":\"Пермский край\",\"director\":\"М.В. Азанов\",\"branches\":\"Бардымский, "
		"Куединский, Октябрьский, Уинский филиалы\",\"regulation\":\"Положение об "
		"использовании ИКОП, рег. № 273, утверждено приказом № 84-ОД от 28.02.2024\"}";
	struct demo_gen g;
	struct import_plan plan;
	struct store_handle store = {0};
	struct demo_curator curators[DEMO_NGROUPS];
	char keys[DEMO_NGROUPS][24], hash[ACCOUNT_HASH_MAX], today[16];
	int rc;
	memset(&g, 0, sizeof g);
	memset(&plan, 0, sizeof plan);
	g.rng = 2024;
	buf_init(&g.csv, 0);
	demo__csv(&g);
	rc = import_plan_parse(g.csv.data, g.csv.len, &plan);
	if (rc || plan.nerrors) {
		/* our own table is wrong: a programming error, say where */
		fprintf(stderr, "parta: the demo data does not import (%zu problems, first on line %zu)\n",
			plan.nerrors, plan.nerrors ? plan.errors[0].line : 0);
		rc = rc ? rc : PERR_INTERNAL;
		goto out;
	}
	for (size_t i = 0; i < DEMO_NGROUPS; i++) {
		snprintf(keys[i], sizeof keys[i], "staff:%s", demo_groups[i].curator);
		curators[i] = (struct demo_curator){keys[i], demo_groups[i].code};
	}
	rc = account_hash_password(DEMO_PASSWORD, strlen(DEMO_PASSWORD), hash);
	if (rc)
		goto out;
	struct store_config sc = {.data_dir = cfg->data_dir,
				  .postgres_url = cfg->postgres_url,
				  .readers = 1};
	rc = demo__ensure_dir(cfg->data_dir);
	if (!rc)
		rc = store_open(&store, cfg->store, &sc);
	if (rc) {
		fprintf(stderr, "parta: cannot open the %s store in %s: %s\n", cfg->store, cfg->data_dir,
			perr_str(rc));
		goto out;
	}
	struct demo_seed seed = {.college_name = "ГБПОУ «Краевой политехнический колледж»",
				 .college_short_name = "КПК",
				 .college_details_json = details,
				 .departments = departments,
				 .admin_login = "admin@" DEMO_DOMAIN,
				 .admin_name = "Ершова Татьяна Андреевна",
				 .director_key = "staff:" DEMO_DIRECTOR,
				 .curators = curators,
				 .ncurators = DEMO_NGROUPS};
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	struct import_options opt = {.ip = "command line", .now = (int64_t)t, .today = today,
				     .password_hash = hash};
	rc = store_demo_seed(&store, &seed, &plan, &opt);
	if (rc == PERR_CONFLICT)
		fprintf(stderr, "parta: the store in %s is not empty (it already has a college "
				"structure); the demo seeds only a new, empty data dir.\n"
				"parta: хранилище в %s не пустое: демо-колледж создаётся только в новом "
				"каталоге данных.\n",
			cfg->data_dir, cfg->data_dir);
	else if (rc)
		fprintf(stderr, "parta: cannot seed the demo college: %s\n", perr_str(rc));
	else
		demo__print(&g, &plan, cfg->data_dir);
out:
	store_close(&store);
	import_plan_clear(&plan);
	for (size_t i = 0; i < g.nlogins; i++)
		free(g.logins[i]);
	buf_free(&g.csv);
	return rc;
}
