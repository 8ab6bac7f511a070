/* SPDX-License-Identifier: MIT */
/* SQLite backend core: one writer connection on its own thread that commits
 * queued writes in groups (one transaction, one fsync for many callers, each
 * job in its own savepoint), a pool of reader connections in WAL mode, cached
 * prepared statements, and numbered migrations applied at open. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "store/migrations.h"
#include "store/sqlite/sqlite_int.h"

#define STMT_CACHE 128 /* initial slots of the statement cache */
#define USED_MAX 32
#define MAX_BATCH 256

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct sqlite_conn {
	sqlite3 *db;
	struct chat_event *pending;  /* writer: events appended by the open batch */
	size_t npending, cap_pending;
	struct sqlite_conn *next_free;
	struct stmt_slot *slots;    /* open addressing, cap_slots a power of two */
	size_t nslots, cap_slots;
	sqlite3_stmt *used[USED_MAX]; /* statements handed out since the last reset */
	size_t nused;               /* USED_MAX + 1: overflowed, reset them all */
};

struct write_job {
	sqlite_write_fn fn;
	void *arg;
	int rc;
	bool done;
	store_done_fn async_done;   /* non-NULL: nobody waits; heap job freed by the writer */
	void *async_ud;
	struct write_job *next;
};

struct store {
	char *path;
	struct sqlite_conn *writer;
	pthread_t writer_thread;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;   /* writer waits for jobs */
	pthread_cond_t done_cv;   /* callers wait for their batch */
	pthread_cond_t reader_cv; /* callers wait for a free reader */
	struct write_job *head, *tail;
	bool stopping;
	struct sqlite_conn *free_readers;
	struct sqlite_conn **readers;
	int nreaders;
	store_event_sink sink;
	void *sink_ud;
};

void sqlite_pending_event_add(struct sqlite_conn *cn, struct chat_event *ev)
{
	if (cn->npending == cn->cap_pending) {
		cn->cap_pending = cn->cap_pending ? cn->cap_pending * 2 : 64;
		cn->pending = xrealloc(cn->pending, cn->cap_pending * sizeof *cn->pending);
	}
	cn->pending[cn->npending++] = *ev;
}

/* Forget events appended after mark (their job or batch rolled back). */
static void db__pending_truncate(struct sqlite_conn *cn, size_t mark)
{
	for (size_t i = mark; i < cn->npending; i++)
		free(cn->pending[i].frame);
	cn->npending = mark;
}

sqlite3 *sqlite_db(struct sqlite_conn *cn)
{
	return cn->db;
}

static size_t db__slot_index(const struct sqlite_conn *cn, const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 20) & (cn->cap_slots - 1);
}

/* The cache is an open-addressing table keyed by the SQL literal's address.
 * The set of statements is fixed by the code, so it only grows until each was
 * seen once; nothing is ever evicted (a job may still hold a statement). */
static void db__cache_put(struct sqlite_conn *cn, const char *sql, sqlite3_stmt *st)
{
	if ((cn->nslots + 1) * 2 > cn->cap_slots) {
		struct stmt_slot *old = cn->slots;
		size_t old_cap = cn->cap_slots;
		cn->cap_slots = old_cap ? old_cap * 2 : STMT_CACHE;
		cn->slots = xcalloc(cn->cap_slots, sizeof *cn->slots);
		cn->nslots = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].sql)
				db__cache_put(cn, old[i].sql, old[i].stmt);
		free(old);
	}
	size_t i = db__slot_index(cn, sql);
	while (cn->slots[i].sql)
		i = (i + 1) & (cn->cap_slots - 1);
	cn->slots[i] = (struct stmt_slot){sql, st};
	cn->nslots++;
}

static void db__mark_used(struct sqlite_conn *cn, sqlite3_stmt *st)
{
	if (cn->nused > USED_MAX)
		return;
	if (cn->nused && cn->used[cn->nused - 1] == st)
		return;
	if (cn->nused == USED_MAX) {
		cn->nused = USED_MAX + 1;
		return;
	}
	cn->used[cn->nused++] = st;
}

sqlite3_stmt *sqlite_stmt(struct sqlite_conn *cn, const char *sql)
{
	if (cn->cap_slots) {
		size_t i = db__slot_index(cn, sql);
		while (cn->slots[i].sql) {
			if (cn->slots[i].sql == sql) {
				sqlite3_reset(cn->slots[i].stmt);
				sqlite3_clear_bindings(cn->slots[i].stmt);
				db__mark_used(cn, cn->slots[i].stmt);
				return cn->slots[i].stmt;
			}
			i = (i + 1) & (cn->cap_slots - 1);
		}
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(cn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		log_error("sqlite prepare failed: %s\n%s", sqlite3_errmsg(cn->db), sql);
		abort();
	}
	db__cache_put(cn, sql, st);
	db__mark_used(cn, st);
	return st;
}

/* Reset every cached statement: one left mid-iteration would keep its read
 * transaction (and so a stale snapshot) open past COMMIT. */
static void db__reset_all(struct sqlite_conn *cn)
{
	if (cn->nused > USED_MAX) {
		for (size_t i = 0; i < cn->cap_slots; i++)
			if (cn->slots[i].sql)
				sqlite3_reset(cn->slots[i].stmt);
	} else {
		for (size_t i = 0; i < cn->nused; i++)
			sqlite3_reset(cn->used[i]);
	}
	cn->nused = 0;
}

int sqlite_perr(struct sqlite_conn *cn, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return PERR_OK;
	case SQLITE_CONSTRAINT:
		return PERR_CONFLICT;
	case SQLITE_NOMEM:
		return PERR_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return PERR_UNAVAILABLE;
	default:
		log_error("sqlite: %s (%d)", cn ? sqlite3_errmsg(cn->db) : "?", rc);
		return PERR_IO;
	}
}

char *sqlite_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t)
		return NULL;
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

static int db__exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		log_error("sqlite: %s", err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return PERR_IO;
	}
	return PERR_OK;
}

static int db__open_conn(const char *path, bool writer, struct sqlite_conn **out)
{
	int rc = PERR_OK;
	struct sqlite_conn *cn = xcalloc(1, sizeof *cn);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &cn->db, flags, NULL) != SQLITE_OK) {
		log_error("cannot open database %s: %s", path, sqlite3_errmsg(cn->db));
		rc = PERR_IO;
		goto out;
	}
	sqlite3_busy_timeout(cn->db, 5000);
	sqlite3_extended_result_codes(cn->db, 1);
	/* search slice: the message index's tokenizer ("parta", fts_stem.c)
	 * lives in this connection, not in the file: register it before any
	 * statement (the migration that creates message_fts included). */
	rc = sqlite_search_register(cn->db);
	if (rc) {
		log_error("cannot register the full-text tokenizer on %s", path);
		goto out;
	}
	rc = db__exec(cn->db, "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
	if (rc)
		goto out;
	if (writer) {
		/* WAL: readers never block the writer; synchronous=FULL: a commit
		 * is on disk before we acknowledge it (persist before ack). */
		rc = db__exec(cn->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				      "PRAGMA wal_autocheckpoint=4000;");
	} else {
		rc = db__exec(cn->db, "PRAGMA query_only=ON;");
	}
out:
	if (rc) {
		sqlite3_close(cn->db);
		free(cn);
		cn = NULL;
	}
	*out = cn;
	return rc;
}

static void db__close_conn(struct sqlite_conn *cn)
{
	if (!cn)
		return;
	for (size_t i = 0; i < cn->cap_slots; i++)
		if (cn->slots[i].sql)
			sqlite3_finalize(cn->slots[i].stmt);
	free(cn->slots);
	db__pending_truncate(cn, 0);
	free(cn->pending);
	sqlite3_close(cn->db);
	free(cn);
}

static int db__migrate(struct sqlite_conn *cn)
{
	int rc = db__exec(cn->db, "CREATE TABLE IF NOT EXISTS schema_version("
				  "version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
	if (rc)
		return rc;
	/* Apply every migration not recorded yet, in order: a numbered file that
	 * lands after a higher one (parallel branches) still runs. */
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(cn->db, "SELECT 1 FROM schema_version WHERE version=?", -1, &st, NULL);
	for (int i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, m->version);
		int seen = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (seen)
			continue;
		log_info("applying migration %s", m->name);
		rc = db__exec(cn->db, "BEGIN IMMEDIATE");
		if (rc) {
			sqlite3_finalize(st);
			return rc;
		}
		rc = db__exec(cn->db, m->sql);
		if (!rc) {
			char sql[256];
			snprintf(sql, sizeof sql,
				 "INSERT INTO schema_version VALUES(%d,'%s',strftime('%%s','now'))",
				 m->version, m->name);
			rc = db__exec(cn->db, sql);
		}
		if (rc) {
			db__exec(cn->db, "ROLLBACK");
			log_error("migration %s failed; it was rolled back", m->name);
			sqlite3_finalize(st);
			return rc;
		}
		rc = db__exec(cn->db, "COMMIT");
		if (rc) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return PERR_OK;
}

/* Take every queued job (up to MAX_BATCH) and commit them together. */
static void *db__writer_main(void *arg)
{
	struct store *st = arg;
	sqlite3 *db = st->writer->db;
	pthread_mutex_lock(&st->mu);
	for (;;) {
		while (!st->head && !st->stopping)
			pthread_cond_wait(&st->work_cv, &st->mu);
		if (!st->head && st->stopping)
			break;
		struct write_job *batch = st->head;
		struct write_job *last = batch;
		int n = 1;
		while (last->next && n < MAX_BATCH) {
			last = last->next;
			n++;
		}
		st->head = last->next;
		if (!st->head)
			st->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&st->mu);

		struct sqlite_conn *w = st->writer;
		int commit_rc = db__exec(db, "BEGIN IMMEDIATE");
		for (struct write_job *j = batch; j; j = j->next) {
			if (commit_rc) {
				j->rc = commit_rc;
				continue;
			}
			size_t mark = w->npending;
			sqlite3_exec(db, "SAVEPOINT job", NULL, NULL, NULL);
			j->rc = j->fn(w, j->arg);
			db__reset_all(w);
			if (j->rc) {
				sqlite3_exec(db, "ROLLBACK TO job", NULL, NULL, NULL);
				db__pending_truncate(w, mark);
			}
			sqlite3_exec(db, "RELEASE job", NULL, NULL, NULL);
		}
		if (!commit_rc) {
			commit_rc = db__exec(db, "COMMIT");
			if (commit_rc) {
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
				for (struct write_job *j = batch; j; j = j->next)
					j->rc = PERR_IO;
			}
		}
		/* committed events go out before any acknowledgement of them */
		if (!commit_rc && w->npending && st->sink) {
			struct chat_event *ev = w->pending;
			size_t nev = w->npending;
			w->pending = NULL;
			w->npending = w->cap_pending = 0;
			st->sink(st->sink_ud, ev, nev);
		} else {
			db__pending_truncate(w, 0);
		}
		/* complete asynchronous jobs (freeing them) and keep the waited ones */
		struct write_job *waited = NULL, **tailp = &waited;
		struct write_job *j = batch;
		while (j) {
			struct write_job *next = j->next;
			if (j->async_done) {
				j->async_done(j->async_ud, j->rc);
				free(j);
			} else {
				*tailp = j;
				tailp = &j->next;
			}
			j = next;
		}
		*tailp = NULL;

		pthread_mutex_lock(&st->mu);
		/* waiters cannot run before we unlock: reading next stays safe */
		for (j = waited; j; j = j->next)
			j->done = true;
		pthread_cond_broadcast(&st->done_cv);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

int sqlite_write(struct store *st, sqlite_write_fn fn, void *arg)
{
	struct write_job job = {.fn = fn, .arg = arg};
	pthread_mutex_lock(&st->mu);
	if (st->stopping) {
		pthread_mutex_unlock(&st->mu);
		return PERR_UNAVAILABLE;
	}
	if (st->tail)
		st->tail->next = &job;
	else
		st->head = &job;
	st->tail = &job;
	pthread_cond_signal(&st->work_cv);
	while (!job.done)
		pthread_cond_wait(&st->done_cv, &st->mu);
	pthread_mutex_unlock(&st->mu);
	return job.rc;
}

int sqlite_write_async(struct store *st, sqlite_write_fn fn, void *arg, store_done_fn done, void *ud)
{
	struct write_job *job = xcalloc(1, sizeof *job);
	job->fn = fn;
	job->arg = arg;
	job->async_done = done;
	job->async_ud = ud;
	pthread_mutex_lock(&st->mu);
	if (st->stopping) {
		pthread_mutex_unlock(&st->mu);
		free(job);
		return PERR_UNAVAILABLE;
	}
	if (st->tail)
		st->tail->next = job;
	else
		st->head = job;
	st->tail = job;
	pthread_cond_signal(&st->work_cv);
	pthread_mutex_unlock(&st->mu);
	return PERR_OK;
}

int sqlite_read(struct store *st, sqlite_read_fn fn, void *arg)
{
	pthread_mutex_lock(&st->mu);
	while (!st->free_readers)
		pthread_cond_wait(&st->reader_cv, &st->mu);
	struct sqlite_conn *cn = st->free_readers;
	st->free_readers = cn->next_free;
	pthread_mutex_unlock(&st->mu);

	/* a read transaction gives the function one consistent snapshot */
	sqlite3_exec(cn->db, "BEGIN", NULL, NULL, NULL);
	int rc = fn(cn, arg);
	db__reset_all(cn);
	sqlite3_exec(cn->db, "COMMIT", NULL, NULL, NULL);

	pthread_mutex_lock(&st->mu);
	cn->next_free = st->free_readers;
	st->free_readers = cn;
	pthread_cond_signal(&st->reader_cv);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

static void db_close(struct store *st);

static int db_open(const struct store_config *cfg, struct store **out)
{
	int rc = PERR_OK;
	struct store *st = xcalloc(1, sizeof *st);
	size_t n = strlen(cfg->data_dir) + 16;
	st->path = xmalloc(n);
	snprintf(st->path, n, "%s/parta.db", cfg->data_dir);
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->work_cv, NULL);
	pthread_cond_init(&st->done_cv, NULL);
	pthread_cond_init(&st->reader_cv, NULL);
	st->sink = cfg->sink;
	st->sink_ud = cfg->sink_ud;

	rc = db__open_conn(st->path, true, &st->writer);
	if (rc)
		goto out;
	rc = db__migrate(st->writer);
	if (rc)
		goto out;
	st->nreaders = cfg->readers > 0 ? cfg->readers : 4;
	st->readers = xcalloc((size_t)st->nreaders, sizeof *st->readers);
	for (int i = 0; i < st->nreaders; i++) {
		rc = db__open_conn(st->path, false, &st->readers[i]);
		if (rc)
			goto out;
		st->readers[i]->next_free = st->free_readers;
		st->free_readers = st->readers[i];
	}
	if (pthread_create(&st->writer_thread, NULL, db__writer_main, st) != 0) {
		rc = PERR_IO;
		goto out;
	}
out:
	if (rc) {
		db_close(st);
		st = NULL;
	}
	*out = st;
	return rc;
}

static void db_close(struct store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	bool had_thread = st->writer && st->free_readers && st->readers;
	st->stopping = true;
	pthread_cond_broadcast(&st->work_cv);
	pthread_mutex_unlock(&st->mu);
	if (had_thread && st->writer_thread)
		pthread_join(st->writer_thread, NULL);
	for (int i = 0; i < st->nreaders; i++)
		db__close_conn(st->readers[i]);
	free(st->readers);
	if (st->writer) {
		sqlite3_wal_checkpoint_v2(st->writer->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
					  NULL);
		db__close_conn(st->writer);
	}
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->work_cv);
	pthread_cond_destroy(&st->done_cv);
	pthread_cond_destroy(&st->reader_cv);
	free(st->path);
	free(st);
}

static int db__schema_version_read(struct sqlite_conn *cn, void *arg)
{
	int *out = arg;
	sqlite3_stmt *s = sqlite_stmt(cn, "SELECT COALESCE(MAX(version),0) FROM schema_version");
	*out = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	return PERR_OK;
}

static int db_schema_version(struct store *st, int *out)
{
	return sqlite_read(st, db__schema_version_read, out);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = db_open,
	.close = db_close,
	.schema_version = db_schema_version,
	.admin_count = sqlite_admin_count,
	.user_create = sqlite_user_create,
	.user_get = sqlite_user_get,
	.user_get_by_login = sqlite_user_get_by_login,
	.user_set_password = sqlite_user_set_password,
	.setup_token_put = sqlite_setup_token_put,
	.setup_token_check = sqlite_setup_token_check,
	.setup_complete = sqlite_setup_complete,
	.session_create = sqlite_session_create,
	.session_lookup = sqlite_session_lookup,
	.session_touch = sqlite_session_touch,
	.session_list = sqlite_session_list,
	.session_revoke = sqlite_session_revoke,
	.audit_append = sqlite_audit_append,
	.grants_load = sqlite_grants_load,
	.unit_scope = sqlite_unit_scope,
	/* ==== org slice: entries ==== */
	.org_tree = sqlite_org_tree,
	.org_unit_get = sqlite_org_unit_get,
	.org_unit_people = sqlite_org_unit_people,
	.org_college_update = sqlite_org_college_update,
	.org_unit_create = sqlite_org_unit_create,
	.org_unit_update = sqlite_org_unit_update,
	.org_unit_set_archived = sqlite_org_unit_set_archived,
	.org_person_create = sqlite_org_person_create,
	.org_person_get = sqlite_org_person_get,
	.org_people_list = sqlite_org_people_list,
	.org_role_assign = sqlite_org_role_assign,
	.org_assignment_get = sqlite_org_assignment_get,
	.org_role_end = sqlite_org_role_end,
	.org_audit_list = sqlite_org_audit_list,
	/* ==== end org slice: entries ==== */
	/* ==== invites slice: entries ==== */
	.invite_create = sqlite_invite_create,
	.invite_get = sqlite_invite_get,
	.invite_list = sqlite_invite_list,
	.invite_revoke = sqlite_invite_revoke,
	.join_preview = sqlite_join_preview,
	.join_redeem = sqlite_join_redeem,
	.join_request_get = sqlite_join_request_get,
	.join_request_list = sqlite_join_request_list,
	.join_request_decide = sqlite_join_request_decide,
	/* ==== end invites slice: entries ==== */
	/* ==== movements slice: entries ==== */
	.movement_state_load = sqlite_movement_state_load,
	.movement_record = sqlite_movement_record,
	.movement_get = sqlite_movement_get,
	.movement_person_list = sqlite_movement_person_list,
	.movement_journal = sqlite_movement_journal,
	/* ==== end movements slice: entries ==== */
	/* ==== import slice: entries ==== */
	.import_apply = sqlite_import_apply,
	.import_invitees = sqlite_import_invitees,
	.import_invites_issue = sqlite_import_invites_issue,
	.demo_seed = sqlite_demo_seed,
	/* ==== end import slice: entries ==== */
	/* ==== chats slice: entries ==== */
	.chat_user_chats = sqlite_chat_user_chats,
	.chat_events_since = sqlite_chat_events_since,
	.chat_send = sqlite_chat_send,
	.chat_message_op = sqlite_chat_message_op,
	.chat_read = sqlite_chat_read,
	/* ==== end chats slice: entries ==== */
	/* ==== chatadmin slice: entries ==== */
	.chat_create = sqlite_chat_create,
	.chat_get = sqlite_chat_get,
	.chat_list = sqlite_chat_list,
	.chat_update = sqlite_chat_update,
	.chat_members = sqlite_chat_members,
	.chat_members_add = sqlite_chat_members_add,
	.chat_member_change = sqlite_chat_member_change,
	.chat_history = sqlite_chat_history,
	.chat_pins = sqlite_chat_pins,
	.chat_edits = sqlite_chat_edits,
	.chat_reads = sqlite_chat_reads,
	.chat_link_create = sqlite_chat_link_create,
	.chat_links = sqlite_chat_links,
	.chat_link_revoke = sqlite_chat_link_revoke,
	.chat_link_preview = sqlite_chat_link_preview,
	.chat_link_join = sqlite_chat_link_join,
	/* ==== end chatadmin slice: entries ==== */
	/* ==== chatsync slice: entries ==== */
	.chats_reconcile_start = sqlite_chats_reconcile_start,
	/* ==== end chatsync slice: entries ==== */
	/* ==== search slice: entries ==== */
	.search_messages = sqlite_search_messages,
	/* ==== end search slice: entries ==== */
};
