/* SPDX-License-Identifier: MIT */
/* The rules of the mandatory chats: kind and role names, which assignment
 * puts whom where with which chat role, the Russian titles (and cutting a
 * long one at a character boundary), and the member difference: additions,
 * removals, role changes, manual members and owners left alone, duplicates,
 * unsorted input. Then the SQLite reconciliation itself on a real store in a
 * temporary directory (no network): what the API cannot reach easily —
 * manual members and owners left alone, role changes, subject chats,
 * archiving and restoring a group, renames, per-branch chats, idempotence,
 * the events handed to the sink after the commit, a college of 5,000. */
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
#include "base/log.h"
#include "domain/chat_sync.h"
#include "store/sqlite/sqlite_int.h"

static void test_names(void **state)
{
	(void)state;
	for (int k = CHAT_SYNC_KIND_NONE + 1; k < CHAT_SYNC_KIND__COUNT; k++) {
		const char *n = chat_sync_kind_name((enum chat_sync_kind)k);
		assert_true(n[0] != '\0');
		assert_int_equal(chat_sync_kind_parse(n), k);
	}
	assert_string_equal(chat_sync_kind_name(CHAT_SYNC_TEACHERS), "teachers");
	assert_string_equal(chat_sync_kind_name(CHAT_SYNC_STUDY_GROUP), "study_group");
	assert_string_equal(chat_sync_kind_name(CHAT_SYNC_PARENTS), "parents");
	assert_string_equal(chat_sync_kind_name(CHAT_SYNC_SUBJECT), "subject");
	assert_string_equal(chat_sync_kind_name(CHAT_SYNC_KIND__COUNT), "");
	assert_string_equal(chat_sync_kind_name(CHAT_SYNC_KIND_NONE), "");
	assert_int_equal(chat_sync_kind_parse("group"), CHAT_SYNC_KIND_NONE);
	assert_int_equal(chat_sync_kind_parse(""), CHAT_SYNC_KIND_NONE);
	assert_int_equal(chat_sync_kind_parse(NULL), CHAT_SYNC_KIND_NONE);

	assert_string_equal(chat_sync_role_name(CHAT_SYNC_MEMBER), "member");
	assert_string_equal(chat_sync_role_name(CHAT_SYNC_ADMIN), "admin");
	assert_string_equal(chat_sync_role_name(CHAT_SYNC_OWNER), "owner");
	assert_string_equal(chat_sync_role_name(CHAT_SYNC_ROLE_NONE), "");
	assert_int_equal(chat_sync_role_parse("member"), CHAT_SYNC_MEMBER);
	assert_int_equal(chat_sync_role_parse("admin"), CHAT_SYNC_ADMIN);
	assert_int_equal(chat_sync_role_parse("owner"), CHAT_SYNC_OWNER);
	assert_int_equal(chat_sync_role_parse("Owner"), CHAT_SYNC_ROLE_NONE);
	assert_int_equal(chat_sync_role_parse(NULL), CHAT_SYNC_ROLE_NONE);
}

/* The membership table: kind × assignment role → chat role. */
static void test_role_for(void **state)
{
	(void)state;
	static const struct {
		enum chat_sync_kind k;
		enum role r;
		enum chat_sync_role want;
	} cases[] = {
		{CHAT_SYNC_TEACHERS, ROLE_TEACHER, CHAT_SYNC_MEMBER},
		{CHAT_SYNC_TEACHERS, ROLE_CURATOR, CHAT_SYNC_MEMBER},
		{CHAT_SYNC_TEACHERS, ROLE_ADMINISTRATION, CHAT_SYNC_ADMIN},
		{CHAT_SYNC_TEACHERS, ROLE_PLATFORM_ADMIN, CHAT_SYNC_ADMIN},
		{CHAT_SYNC_TEACHERS, ROLE_STAFF, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_TEACHERS, ROLE_STUDENT, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_TEACHERS, ROLE_PARENT, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_STUDY_GROUP, ROLE_STUDENT, CHAT_SYNC_MEMBER},
		{CHAT_SYNC_STUDY_GROUP, ROLE_TEACHER, CHAT_SYNC_MEMBER},
		{CHAT_SYNC_STUDY_GROUP, ROLE_CURATOR, CHAT_SYNC_ADMIN},
		{CHAT_SYNC_STUDY_GROUP, ROLE_PARENT, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_STUDY_GROUP, ROLE_ADMINISTRATION, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_STUDY_GROUP, ROLE_STAFF, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_PARENTS, ROLE_PARENT, CHAT_SYNC_MEMBER},
		{CHAT_SYNC_PARENTS, ROLE_CURATOR, CHAT_SYNC_ADMIN},
		{CHAT_SYNC_PARENTS, ROLE_STUDENT, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_PARENTS, ROLE_TEACHER, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_SUBJECT, ROLE_STUDENT, CHAT_SYNC_MEMBER},
		{CHAT_SYNC_SUBJECT, ROLE_CURATOR, CHAT_SYNC_ADMIN},
		{CHAT_SYNC_SUBJECT, ROLE_TEACHER, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_SUBJECT, ROLE_PARENT, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_KIND_NONE, ROLE_STUDENT, CHAT_SYNC_ROLE_NONE},
		{CHAT_SYNC_STUDY_GROUP, ROLE_NONE, CHAT_SYNC_ROLE_NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum chat_sync_role got = chat_sync_role_for(cases[i].k, cases[i].r);
		if (got != cases[i].want)
			fail_msg("case %zu: %s × %s: got %d, want %d", i,
				 chat_sync_kind_name(cases[i].k), role_name(cases[i].r), got, cases[i].want);
	}
}

static void test_titles(void **state)
{
	(void)state;
	char t[CHAT_SYNC_TITLE_MAX];
	chat_sync_title(CHAT_SYNC_TEACHERS, NULL, t);
	assert_string_equal(t, "Преподаватели");
	chat_sync_title(CHAT_SYNC_TEACHERS, "", t);
	assert_string_equal(t, "Преподаватели");
	chat_sync_title(CHAT_SYNC_TEACHERS, "Бардымский филиал", t);
	assert_string_equal(t, "Преподаватели — Бардымский филиал");
	chat_sync_title(CHAT_SYNC_STUDY_GROUP, "ТМ-21", t);
	assert_string_equal(t, "ТМ-21");
	chat_sync_title(CHAT_SYNC_PARENTS, "ТМ-21", t);
	assert_string_equal(t, "Родители ТМ-21");
	chat_sync_title(CHAT_SYNC_SUBJECT, "Физика", t);
	assert_string_equal(t, "");
	chat_sync_title(CHAT_SYNC_KIND_NONE, "x", t);
	assert_string_equal(t, "");
}

/* A name longer than fits is cut whole characters at a time. */
static void test_title_cut(void **state)
{
	(void)state;
	char name[1024], t[CHAT_SYNC_TITLE_MAX];
	size_t n = 0;
	while (n + 2 < sizeof name) {       /* "ж" is two bytes */
		memcpy(name + n, "ж", 2);
		n += 2;
	}
	name[n] = '\0';
	chat_sync_title(CHAT_SYNC_PARENTS, name, t);
	size_t len = strlen(t);
	assert_true(len <= CHAT_SYNC_TITLE_MAX - 1);
	assert_true(len >= CHAT_SYNC_TITLE_MAX - 3);
	assert_memory_equal(t, "Родители ", strlen("Родители "));
	/* the title ends on a whole character: "…ж" */
	assert_memory_equal(t + len - 2, "ж", 2);
	/* an odd-length prefix forces the cut to step back one byte */
	chat_sync_title(CHAT_SYNC_TEACHERS, name, t);
	len = strlen(t);
	assert_true(len <= CHAT_SYNC_TITLE_MAX - 1);
	assert_memory_equal(t + len - 2, "ж", 2);
	/* ASCII fills the buffer exactly */
	memset(name, 'a', 600);
	name[600] = '\0';
	chat_sync_title(CHAT_SYNC_STUDY_GROUP, name, t);
	assert_int_equal(strlen(t), CHAT_SYNC_TITLE_MAX - 1);
}

/* ---- the difference ---- */

static void set_of(struct chat_sync_set *s, const struct chat_sync_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		chat_sync_set_add(s, m[i].user_id, m[i].role, m[i].manual);
}

static void expect(const struct chat_sync_diff *d, size_t i, enum chat_sync_op op, int64_t user,
		   enum chat_sync_role role)
{
	assert_true(i < d->count);
	assert_int_equal(d->items[i].op, op);
	assert_int_equal(d->items[i].user_id, user);
	if (op != CHAT_SYNC_REMOVE)
		assert_int_equal(d->items[i].role, role);
}

#define M CHAT_SYNC_MEMBER
#define A CHAT_SYNC_ADMIN
#define O CHAT_SYNC_OWNER

static void test_diff_basic(void **state)
{
	(void)state;
	struct chat_sync_set want = {0}, have = {0};
	struct chat_sync_diff d = {0};
	/* unsorted on purpose */
	const struct chat_sync_member w[] = {{7, M, false}, {3, A, false}, {5, M, false}, {9, M, false}};
	const struct chat_sync_member h[] = {{9, M, false}, {2, M, false}, {3, M, false}, {4, M, false}};
	set_of(&want, w, 4);
	set_of(&have, h, 4);
	chat_sync_diff_compute(&want, &have, true, &d);
	/* removals, role changes, additions; each by user id */
	assert_int_equal(d.count, 5);
	expect(&d, 0, CHAT_SYNC_REMOVE, 2, 0);
	expect(&d, 1, CHAT_SYNC_REMOVE, 4, 0);
	expect(&d, 2, CHAT_SYNC_SET_ROLE, 3, A);
	expect(&d, 3, CHAT_SYNC_ADD, 5, M);
	expect(&d, 4, CHAT_SYNC_ADD, 7, M);
	/* the same sets with roles left to someone else: no role change */
	chat_sync_diff_compute(&want, &have, false, &d);
	assert_int_equal(d.count, 4);
	expect(&d, 0, CHAT_SYNC_REMOVE, 2, 0);
	expect(&d, 1, CHAT_SYNC_REMOVE, 4, 0);
	expect(&d, 2, CHAT_SYNC_ADD, 5, M);
	expect(&d, 3, CHAT_SYNC_ADD, 7, M);
	chat_sync_set_clear(&want);
	chat_sync_set_clear(&have);
	chat_sync_diff_clear(&d);
}

static void test_diff_in_sync_and_empty(void **state)
{
	(void)state;
	struct chat_sync_set want = {0}, have = {0};
	struct chat_sync_diff d = {0};
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 0);
	const struct chat_sync_member w[] = {{1, M, false}, {2, A, false}};
	set_of(&want, w, 2);
	set_of(&have, w, 2);
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 0);
	/* nobody wanted: every system member leaves */
	chat_sync_set_clear(&want);
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 2);
	expect(&d, 0, CHAT_SYNC_REMOVE, 1, 0);
	expect(&d, 1, CHAT_SYNC_REMOVE, 2, 0);
	/* nobody present: everyone wanted is added */
	set_of(&want, w, 2);
	chat_sync_set_clear(&have);
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 2);
	expect(&d, 0, CHAT_SYNC_ADD, 1, M);
	expect(&d, 1, CHAT_SYNC_ADD, 2, A);
	chat_sync_set_clear(&want);
	chat_sync_diff_clear(&d);
}

/* Members added by hand and owners are never touched by the system. */
static void test_diff_manual_and_owner(void **state)
{
	(void)state;
	struct chat_sync_set want = {0}, have = {0};
	struct chat_sync_diff d = {0};
	const struct chat_sync_member h[] = {
		{1, M, true},    /* manual, not wanted: stays */
		{2, M, true},    /* manual, wanted as admin: left as is, not re-added */
		{3, O, false},   /* owner (system or not), not wanted: stays */
		{4, O, true},    /* owner wanted as member: keeps ownership */
		{5, A, false},   /* system admin no longer wanted: removed */
	};
	const struct chat_sync_member w[] = {{2, A, false}, {4, M, false}, {6, M, false}};
	set_of(&have, h, 5);
	set_of(&want, w, 3);
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 2);
	expect(&d, 0, CHAT_SYNC_REMOVE, 5, 0);
	expect(&d, 1, CHAT_SYNC_ADD, 6, M);
	chat_sync_set_clear(&want);
	chat_sync_set_clear(&have);
	chat_sync_diff_clear(&d);
}

/* Someone wanted twice (a curator who also teaches the group) gets the
 * highest role; wanted owners are added as admins; NONE means not wanted. */
static void test_diff_duplicates(void **state)
{
	(void)state;
	struct chat_sync_set want = {0}, have = {0};
	struct chat_sync_diff d = {0};
	const struct chat_sync_member w[] = {
		{10, M, false}, {10, A, false}, {10, M, false},
		{11, O, false},
		{12, CHAT_SYNC_ROLE_NONE, false},
		{13, CHAT_SYNC_ROLE_NONE, false}, {13, M, false},
	};
	const struct chat_sync_member h[] = {{12, M, false}, {14, M, false}, {14, M, false}};
	set_of(&want, w, 7);
	set_of(&have, h, 3);
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 5);
	expect(&d, 0, CHAT_SYNC_REMOVE, 12, 0);
	expect(&d, 1, CHAT_SYNC_REMOVE, 14, 0);
	expect(&d, 2, CHAT_SYNC_ADD, 10, A);
	expect(&d, 3, CHAT_SYNC_ADD, 11, A);
	expect(&d, 4, CHAT_SYNC_ADD, 13, M);
	assert_int_equal(want.count, 4);  /* folded in place, sorted */
	assert_int_equal(want.items[0].user_id, 10);
	assert_int_equal(want.items[3].user_id, 13);
	assert_int_equal(want.items[0].role, A);
	/* present twice, once by hand: treated as manual */
	chat_sync_set_clear(&have);
	chat_sync_set_clear(&want);
	chat_sync_set_add(&have, 20, M, false);
	chat_sync_set_add(&have, 20, M, true);
	chat_sync_diff_compute(&want, &have, true, &d);
	assert_int_equal(d.count, 0);
	chat_sync_set_clear(&want);
	chat_sync_set_clear(&have);
	chat_sync_diff_clear(&d);
}

/* A large transfer-like change: set-based, every id accounted for once. */
static void test_diff_large(void **state)
{
	(void)state;
	struct chat_sync_set want = {0}, have = {0};
	struct chat_sync_diff d = {0};
	for (int64_t i = 1000; i > 0; i--) {
		if (i % 2 == 0)
			chat_sync_set_add(&want, i, M, false);
		if (i % 3 == 0)
			chat_sync_set_add(&have, i, M, false);
	}
	chat_sync_diff_compute(&want, &have, true, &d);
	size_t adds = 0, removes = 0;
	int64_t last = 0;
	for (size_t i = 0; i < d.count; i++) {
		const struct chat_sync_change *c = &d.items[i];
		if (c->op == CHAT_SYNC_ADD) {
			assert_true(c->user_id % 2 == 0 && c->user_id % 3 != 0);
			if (adds)
				assert_true(c->user_id > last);
			adds++;
		} else {
			assert_int_equal(c->op, CHAT_SYNC_REMOVE);
			assert_true(c->user_id % 3 == 0 && c->user_id % 2 != 0);
			assert_int_equal(adds, 0);  /* removals come first */
			removes++;
		}
		last = c->user_id;
	}
	assert_int_equal(adds, 500 - 166);    /* even, not multiples of 6 */
	assert_int_equal(removes, 333 - 166); /* multiples of 3, odd */
	chat_sync_set_clear(&want);
	chat_sync_set_clear(&have);
	chat_sync_diff_clear(&d);
}

/* ---- the SQLite reconciliation ---- */

#define T0 1700000000LL /* unix seconds: the tests' clock, advanced per step */

struct fixture {
	char dir[64];
	struct store_handle h;
	int64_t now;             /* seconds */
	size_t events;           /* handed to the sink */
	size_t added, removed, role, updated;
};

static void sink(void *ud, struct chat_event *ev, size_t n)
{
	struct fixture *f = ud;
	for (size_t i = 0; i < n; i++) {
		f->events++;
		if (!strcmp(ev[i].kind, "member.added"))
			f->added++;
		else if (!strcmp(ev[i].kind, "member.removed"))
			f->removed++;
		else if (!strcmp(ev[i].kind, "member.role"))
			f->role++;
		else if (!strcmp(ev[i].kind, "chat.updated"))
			f->updated++;
	}
	chat_events_free(ev, n);
}

static void counts_reset(struct fixture *f)
{
	f->events = f->added = f->removed = f->role = f->updated = 0;
}

static int exec_w(struct sqlite_conn *cn, void *arg)
{
	char *err = NULL;
	int rc = sqlite3_exec(sqlite_db(cn), arg, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "sql: %s\n  in: %s\n", err ? err : "?", (const char *)arg);
		sqlite3_free(err);
		return PERR_INTERNAL;
	}
	return PERR_OK;
}

/* Run SQL (printf-style) in a write job of its own. */
static void sql(struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(struct fixture *f, const char *fmt, ...)
{
	char q[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	assert_int_equal(sqlite_write(f->h.st, exec_w, q), PERR_OK);
}

struct query_job {
	const char *sql;
	struct buf out;
};

static int query_r(struct sqlite_conn *cn, void *arg)
{
	struct query_job *j = arg;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(sqlite_db(cn), j->sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return PERR_INTERNAL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		buf_puts(&j->out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return PERR_OK;
}

/* The first column of the first row of a query (printf-style) as text ("" if
 * none or NULL), in a static buffer valid until the next call. */
static const char *q(struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *q(struct fixture *f, const char *fmt, ...)
{
	static char last[65536];
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct query_job j = {text, {0}};
	buf_init(&j.out, 0);
	assert_int_equal(sqlite_read(f->h.st, query_r, &j), PERR_OK);
	snprintf(last, sizeof last, "%s", j.out.data ? j.out.data : "");
	buf_free(&j.out);
	return last;
}

/* "user:role user:role …" of a chat, by user id (manual members marked *). */
static const char *members(struct fixture *f, int64_t chat_id)
{
	return q(f, "SELECT group_concat(x,' ') FROM (SELECT user_id||':'||role||"
		    "CASE source WHEN 'system' THEN '' ELSE '*' END AS x FROM chat_members "
		    "WHERE chat_id=%lld ORDER BY user_id)", (long long)chat_id);
}

static int64_t chat_of(struct fixture *f, const char *kind, int64_t unit_id)
{
	return atoll(q(f, "SELECT id FROM chats WHERE mandatory='%s' AND unit_id=%lld AND "
			  "archived_at IS NULL", kind, (long long)unit_id));
}

enum cs_call { CS_UNIT, CS_USER, CS_ALL };
struct cs_job {
	enum cs_call call;
	int64_t id, at_ms;
};

static int cs_w(struct sqlite_conn *cn, void *arg)
{
	struct cs_job *j = arg;
	switch (j->call) {
	case CS_UNIT:
		return sqlite_chats_reconcile_unit(cn, j->id, j->at_ms);
	case CS_USER:
		return sqlite_chats_reconcile_user(cn, j->id, j->at_ms);
	default:
		return sqlite_chats_reconcile_all(cn, j->at_ms);
	}
}

/* Reconcile at the fixture's clock; counts the events of this call only. */
static void reconcile(struct fixture *f, enum cs_call call, int64_t id)
{
	struct cs_job j = {call, id, f->now * 1000};
	counts_reset(f);
	assert_int_equal(sqlite_write(f->h.st, cs_w, &j), PERR_OK);
}

static void person(struct fixture *f, int64_t id, const char *name)
{
	sql(f, "INSERT INTO users(id,login,name,created_at,password_changed_at) "
	       "VALUES(%lld,'u%lld@t','%s',%lld,%lld)", (long long)id, (long long)id, name, T0, T0);
}

/* unit 0: college-wide (unit_id NULL). */
static void assign(struct fixture *f, int64_t user, const char *role, int64_t unit)
{
	sql(f, "INSERT INTO role_assignments(user_id,role,unit_id,since) VALUES(%lld,'%s',NULLIF(%lld,0),"
	       "%lld)", (long long)user, role, (long long)unit, (long long)f->now);
}

/* End the assignment now (as movements do: until = now). */
static void unassign(struct fixture *f, int64_t user, const char *role, int64_t unit)
{
	sql(f, "UPDATE role_assignments SET until=%lld WHERE user_id=%lld AND role='%s' AND "
	       "COALESCE(unit_id,1)=%lld AND until IS NULL",
	    (long long)f->now, (long long)user, role, (long long)unit);
}

/* Units: 1 college, 2 branch «Бардымский филиал», 3 group ТМ-21 in 2, 4 group
 * ПК-22 under the college. People: 1 platform admin, 2 teacher in 2, 3
 * curator of 3, 4 and 5 students of 3, 6 parent in 3, 7 staff in 2, 8
 * director (administration, college). */
static int setup_store(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/parta-chatsync-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	struct store_config cfg = {.data_dir = f->dir, .readers = 2, .sink = sink, .sink_ud = f};
	assert_int_equal(store_open(&f->h, "sqlite", &cfg), PERR_OK);
	f->now = T0;
	sql(f, "INSERT INTO org_units(id,kind,parent_id,name,created_at) VALUES"
	       "(2,'branch',1,'Бардымский филиал',%lld)", T0);
	sql(f, "INSERT INTO org_units(id,kind,parent_id,name,code,created_at) VALUES"
	       "(3,'study_group',2,'Технология машиностроения','ТМ-21',%lld),"
	       "(4,'study_group',1,'Программирование','ПК-22',%lld)", T0, T0);
	static const char *const names[] = {"", "Админ", "Учитель", "Куратор", "Студент А",
					    "Студент Б", "Родитель", "Сотрудник", "Директор"};
	for (int i = 1; i <= 8; i++)
		person(f, i, names[i]);
	assign(f, 1, "platform_admin", 0);
	assign(f, 2, "teacher", 2);
	assign(f, 3, "curator", 3);
	assign(f, 4, "student", 3);
	assign(f, 5, "student", 3);
	assign(f, 6, "parent", 3);
	assign(f, 7, "staff", 2);
	assign(f, 8, "administration", 1);
	*state = f;
	return 0;
}

static int teardown_store(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	store_close(&f->h);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_store_all(void **state)
{
	struct fixture *f = *state;
	reconcile(f, CS_ALL, 0);
	int64_t teachers = chat_of(f, "teachers", 1), branch = chat_of(f, "teachers", 2);
	int64_t g = chat_of(f, "study_group", 3), p = chat_of(f, "parents", 3);
	assert_true(teachers && branch && g && p);
	assert_string_equal(members(f, teachers), "1:admin 2:member 3:member 8:admin");
	assert_string_equal(members(f, branch), "2:member 3:member");
	assert_string_equal(members(f, g), "3:admin 4:member 5:member");
	assert_string_equal(members(f, p), "3:admin 6:member");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)teachers), "Преподаватели");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)branch),
			    "Преподаватели — Бардымский филиал");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)g), "ТМ-21");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)p), "Родители ТМ-21");
	/* the empty group ПК-22 has its chats too, without members */
	assert_true(chat_of(f, "study_group", 4) && chat_of(f, "parents", 4));
	assert_string_equal(members(f, chat_of(f, "study_group", 4)), "");
	/* 6 chats, 4+2+3+2 members: each an event, handed to the sink after the commit */
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chats WHERE created_by IS NULL"), "6");
	assert_int_equal(f->added, 11);
	assert_int_equal(f->events, 11);
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chat_events"), "11");
	assert_string_equal(q(f, "SELECT kind||' '||data FROM chat_events WHERE chat_id=%lld AND "
				 "seq=1", (long long)g),
			    "member.added {\"user_id\":3,\"name\":\"Куратор\",\"role\":\"admin\"}");
	/* idempotent: nothing more to do */
	reconcile(f, CS_ALL, 0);
	assert_int_equal(f->events, 0);
	reconcile(f, CS_UNIT, 3);
	assert_int_equal(f->events, 0);
}

/* Leaving, manual members, role changes, the teachers' chat of the dismissed. */
static void test_store_user(void **state)
{
	struct fixture *f = *state;
	reconcile(f, CS_ALL, 0);
	int64_t g = chat_of(f, "study_group", 3), teachers = chat_of(f, "teachers", 1);
	/* the curator added the staff member by hand: the system leaves them */
	sql(f, "INSERT INTO chat_members(chat_id,user_id,role,source,joined_seq) VALUES(%lld,7,'member',"
	       "'manual',0)", (long long)g);
	f->now += 10;
	unassign(f, 5, "student", 3);              /* student Б leaves (expulsion) */
	reconcile(f, CS_USER, 5);
	assert_string_equal(members(f, g), "3:admin 4:member 7:member*");
	assert_int_equal(f->removed, 1);
	assert_int_equal(f->events, 1);
	/* the removed person's span ends at the removal: history stays theirs */
	assert_string_equal(q(f, "SELECT from_seq||'-'||to_seq FROM chat_member_spans WHERE "
				 "chat_id=%lld AND user_id=5", (long long)g),
			    q(f, "SELECT (SELECT joined_seq FROM chat_members WHERE chat_id=%lld AND "
				 "user_id=4)+1||'-'||last_seq FROM chats WHERE id=%lld", (long long)g,
			      (long long)g));
	/* the teacher becomes administration too: admin in «Преподаватели» (member.role) */
	f->now += 10;
	assign(f, 2, "administration", 2);
	reconcile(f, CS_USER, 2);
	assert_string_equal(members(f, teachers), "1:admin 2:admin 3:member 8:admin");
	assert_string_equal(members(f, chat_of(f, "teachers", 2)), "2:admin 3:member");
	assert_int_equal(f->role, 2);
	assert_int_equal(f->events, 2);
	/* dismissal: every teaching role ends, the chats follow */
	f->now += 10;
	unassign(f, 2, "teacher", 2);
	unassign(f, 2, "administration", 2);
	reconcile(f, CS_USER, 2);
	assert_string_equal(members(f, teachers), "1:admin 3:member 8:admin");
	assert_string_equal(members(f, chat_of(f, "teachers", 2)), "3:member");
	/* a curator replaced: the new one is admin, the old one leaves group and parents */
	f->now += 10;
	unassign(f, 3, "curator", 3);
	assign(f, 2, "curator", 3);
	reconcile(f, CS_USER, 2);
	assert_string_equal(members(f, g), "2:admin 4:member 7:member*");
	assert_string_equal(members(f, chat_of(f, "parents", 3)), "2:admin 6:member");
	assert_string_equal(members(f, teachers), "1:admin 2:member 8:admin");
}

/* Subject chats follow the group; their teacher is in the group chat. */
static void test_store_subject(void **state)
{
	struct fixture *f = *state;
	reconcile(f, CS_ALL, 0);
	sql(f, "INSERT INTO chats(id,kind,mandatory,unit_id,subject,title,created_by,created_at) "
	       "VALUES(100,'group','subject',3,'Физика','Физика ТМ-21',2,%lld)", T0);
	sql(f, "INSERT INTO chat_members(chat_id,user_id,role,source,joined_seq) "
	       "VALUES(100,2,'owner','manual',0)");
	reconcile(f, CS_UNIT, 3);
	int64_t g = chat_of(f, "study_group", 3);
	assert_string_equal(members(f, 100), "2:owner* 3:admin 4:member 5:member");
	assert_string_equal(members(f, g), "2:member 3:admin 4:member 5:member");
	/* the owner promotes a student: the system keeps its hands off roles there */
	sql(f, "UPDATE chat_members SET role='admin' WHERE chat_id=100 AND user_id=4");
	reconcile(f, CS_UNIT, 3);
	assert_int_equal(f->events, 0);
	assert_string_equal(members(f, 100), "2:owner* 3:admin 4:admin 5:member");
	/* a new student joins both */
	f->now += 10;
	person(f, 9, "Новенький");
	assign(f, 9, "student", 3);
	reconcile(f, CS_USER, 9);
	assert_string_equal(members(f, 100), "2:owner* 3:admin 4:admin 5:member 9:member");
	assert_string_equal(members(f, g), "2:member 3:admin 4:member 5:member 9:member");
	/* the teacher is dismissed: out of the group chat, still the subject chat's owner */
	f->now += 10;
	unassign(f, 2, "teacher", 2);
	reconcile(f, CS_USER, 2);
	assert_string_equal(members(f, g), "3:admin 4:member 5:member 9:member");
	assert_string_equal(members(f, 100), "2:owner* 3:admin 4:admin 5:member 9:member");
}

/* Archiving a group archives its chats (readable, members kept); restoring
 * revives them; a rename retitles them. */
static void test_store_archive(void **state)
{
	struct fixture *f = *state;
	reconcile(f, CS_ALL, 0);
	sql(f, "INSERT INTO chats(id,kind,mandatory,unit_id,subject,title,created_by,created_at) "
	       "VALUES(100,'group','subject',3,'Физика','Физика',2,%lld),"
	       "(101,'group','subject',3,'Химия','Химия',2,%lld)", T0, T0);
	sql(f, "INSERT INTO chat_members(chat_id,user_id,role,source,joined_seq) "
	       "VALUES(100,2,'owner','manual',0),(101,2,'owner','manual',0)");
	/* its owner archived the chemistry chat long ago: not the system's business */
	sql(f, "UPDATE chats SET archived_at=%lld WHERE id=101", T0);
	int64_t g = chat_of(f, "study_group", 3), p = chat_of(f, "parents", 3);
	f->now += 10;
	unassign(f, 3, "curator", 3);
	unassign(f, 4, "student", 3);
	unassign(f, 5, "student", 3);
	unassign(f, 6, "parent", 3);
	reconcile(f, CS_UNIT, 3);           /* (each of those movements reconciles) */
	assert_string_equal(members(f, g), "2:member");
	assert_string_equal(members(f, p), "");
	sql(f, "UPDATE org_units SET archived_at=%lld WHERE id=3", (long long)f->now);
	reconcile(f, CS_UNIT, 3);
	assert_int_equal(chat_of(f, "study_group", 3), 0);
	assert_int_equal(chat_of(f, "parents", 3), 0);
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chats WHERE unit_id=3 AND archived_at IS NOT NULL"),
			    "4");
	assert_int_equal(f->updated, 3);     /* group, parents, physics */
	/* the teacher still owns the physics chat and stays in the frozen group chat */
	assert_string_equal(members(f, g), "2:member");
	/* idempotent while archived */
	reconcile(f, CS_ALL, 0);
	assert_int_equal(f->events, 0);
	/* restored under a new code: the same chats come back, renamed */
	f->now += 10;
	sql(f, "UPDATE org_units SET archived_at=NULL,code='ТМ-24' WHERE id=3");
	reconcile(f, CS_UNIT, 3);
	assert_int_equal(chat_of(f, "study_group", 3), g);
	assert_int_equal(chat_of(f, "parents", 3), p);
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)g), "ТМ-24");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)p), "Родители ТМ-24");
	assert_string_equal(q(f, "SELECT archived_at IS NULL FROM chats WHERE id=100"), "1");
	assert_string_equal(q(f, "SELECT archived_at IS NULL FROM chats WHERE id=101"), "0");
	assert_string_equal(members(f, g), "2:member");
	/* the curator renames the group chat: the name stands while the code does */
	sql(f, "UPDATE chats SET title='ТМ-24: наша группа' WHERE id=%lld", (long long)g);
	reconcile(f, CS_ALL, 0);
	assert_int_equal(f->events, 0);
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)g), "ТМ-24: наша группа");
	/* a new code renames both chats: one chat.updated each */
	sql(f, "UPDATE org_units SET code='ТМ-25' WHERE id=3");
	reconcile(f, CS_UNIT, 3);
	assert_int_equal(f->updated, 2);
	assert_int_equal(f->events, 2);
	assert_string_equal(q(f, "SELECT data FROM chat_events WHERE chat_id=%lld ORDER BY seq DESC",
			      (long long)g), "{\"title\":\"ТМ-25\"}");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)g), "ТМ-25");
}

/* A branch's «Преподаватели» appears with its first teacher or curator and
 * is archived with the branch. */
static void test_store_branch(void **state)
{
	struct fixture *f = *state;
	sql(f, "INSERT INTO org_units(id,kind,parent_id,name,created_at) VALUES"
	       "(5,'branch',1,'Куединский филиал',%lld),(6,'department',5,'ЦМК',%lld)", T0, T0);
	person(f, 10, "Завуч");
	person(f, 11, "Преподаватель ЦМК");
	assign(f, 10, "administration", 5);
	reconcile(f, CS_ALL, 0);
	assert_int_equal(chat_of(f, "teachers", 5), 0);
	assign(f, 11, "teacher", 6);       /* in a department of the branch */
	reconcile(f, CS_USER, 11);
	int64_t b = chat_of(f, "teachers", 5);
	assert_true(b != 0);
	assert_string_equal(members(f, b), "10:admin 11:member");
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)b),
			    "Преподаватели — Куединский филиал");
	/* the teacher leaves: the chat stays with the branch's administration */
	f->now += 10;
	unassign(f, 11, "teacher", 6);
	reconcile(f, CS_USER, 11);
	assert_int_equal(chat_of(f, "teachers", 5), b);
	assert_string_equal(members(f, b), "10:admin");
	/* renamed with the branch; archived with it */
	sql(f, "UPDATE org_units SET name='Куединский филиал № 2' WHERE id=5");
	reconcile(f, CS_UNIT, 5);
	assert_string_equal(q(f, "SELECT title FROM chats WHERE id=%lld", (long long)b),
			    "Преподаватели — Куединский филиал № 2");
	f->now += 10;
	unassign(f, 10, "administration", 5);
	sql(f, "UPDATE org_units SET archived_at=%lld WHERE id IN (5,6)", (long long)f->now);
	reconcile(f, CS_UNIT, 5);
	assert_int_equal(chat_of(f, "teachers", 5), 0);
	assert_string_equal(q(f, "SELECT archived_at IS NOT NULL FROM chats WHERE id=%lld", (long long)b), "1");
}

/* The start-up op: everything the first time, the teachers' chats after. */
static void test_store_start(void **state)
{
	struct fixture *f = *state;
	bool full = false;
	counts_reset(f);
	assert_int_equal(store_chats_reconcile_start(&f->h, f->now * 1000, &full), PERR_OK);
	assert_true(full);
	assert_int_equal(f->added, 11);
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chats"), "6");
	/* an administrator made by the command line while the server was down */
	person(f, 12, "Новый админ");
	assign(f, 12, "platform_admin", 0);
	counts_reset(f);
	assert_int_equal(store_chats_reconcile_start(&f->h, f->now * 1000, &full), PERR_OK);
	assert_false(full);
	assert_int_equal(f->added, 1);
	assert_string_equal(members(f, chat_of(f, "teachers", 1)), "1:admin 2:member 3:member 8:admin 12:admin");
}

/* An imported college: 200 groups of 25 students, a parent each, a curator
 * each: every chat and membership from one reconciliation. */
static void test_store_college(void **state)
{
	struct fixture *f = *state;
	sql(f, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i<199) "
	       "INSERT INTO org_units(id,kind,parent_id,name,code,created_at) "
	       "SELECT 1000+i,'study_group',2,'Группа '||i,'Г-'||i,%lld FROM n", T0);
	sql(f, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i<9999) "
	       "INSERT INTO users(id,login,name,created_at,password_changed_at) "
	       "SELECT 10000+i,'x'||i||'@t','Человек '||i,%lld,%lld FROM n", T0, T0);
	/* students 10000..14999 and parents 15000..19999, 25 per group; curators 30000.. */
	sql(f, "INSERT INTO role_assignments(user_id,role,unit_id,since) SELECT id,'student',"
	       "1000+(id-10000)/25,%lld FROM users WHERE id BETWEEN 10000 AND 14999", T0);
	sql(f, "INSERT INTO role_assignments(user_id,role,unit_id,since) SELECT id,'parent',"
	       "1000+(id-15000)/25,%lld FROM users WHERE id BETWEEN 15000 AND 19999", T0);
	sql(f, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i<199) "
	       "INSERT INTO users(id,login,name,created_at,password_changed_at) "
	       "SELECT 30000+i,'c'||i||'@t','Куратор '||i,%lld,%lld FROM n", T0, T0);
	sql(f, "INSERT INTO role_assignments(user_id,role,unit_id,since) SELECT id,'curator',"
	       "1000+(id-30000),%lld FROM users WHERE id BETWEEN 30000 AND 30199", T0);
	reconcile(f, CS_ALL, 0);
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chats WHERE mandatory='study_group'"), "202");
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chat_members m JOIN chats c ON c.id=m.chat_id "
				 "WHERE c.mandatory='study_group' AND c.unit_id>=1000"), "5200");
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chat_members m JOIN chats c ON c.id=m.chat_id "
				 "WHERE c.mandatory='parents' AND c.unit_id>=1000"), "5200");
	assert_string_equal(q(f, "SELECT group_concat(user_id||':'||role,' ') FROM (SELECT * FROM "
				 "chat_members WHERE chat_id=%lld ORDER BY user_id LIMIT 2)",
			      (long long)chat_of(f, "parents", 1007)),
			    "15175:member 15176:member");
	assert_string_equal(q(f, "SELECT role FROM chat_members WHERE chat_id=%lld AND user_id=30007",
			      (long long)chat_of(f, "parents", 1007)), "admin");
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chat_members WHERE chat_id=%lld",
			      (long long)chat_of(f, "teachers", 1)), "204");
	/* everyone moves one group up (transfer), the parents follow: one job */
	f->now += 10;
	sql(f, "UPDATE role_assignments SET until=%lld WHERE role IN ('student','parent') AND "
	       "unit_id BETWEEN 1000 AND 1199 AND until IS NULL", (long long)f->now);
	sql(f, "INSERT INTO role_assignments(user_id,role,unit_id,since) SELECT user_id,role,"
	       "1000+(unit_id-999)%%200,%lld FROM role_assignments WHERE until=%lld",
	    (long long)f->now, (long long)f->now);
	reconcile(f, CS_ALL, 0);
	assert_int_equal(f->removed, 10000);
	assert_int_equal(f->added, 10000);
	assert_string_equal(q(f, "SELECT COUNT(*) FROM chat_members m JOIN chats c ON c.id=m.chat_id "
				 "WHERE c.mandatory='study_group' AND c.unit_id=1001 AND m.user_id "
				 "BETWEEN 10000 AND 10024"), "25");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_role_for),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_title_cut),
		cmocka_unit_test(test_diff_basic),
		cmocka_unit_test(test_diff_in_sync_and_empty),
		cmocka_unit_test(test_diff_manual_and_owner),
		cmocka_unit_test(test_diff_duplicates),
		cmocka_unit_test(test_diff_large),
		cmocka_unit_test_setup_teardown(test_store_all, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_user, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_subject, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_archive, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_branch, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_start, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_college, setup_store, teardown_store),
	};
	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
