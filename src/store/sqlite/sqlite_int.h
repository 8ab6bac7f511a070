/* SPDX-License-Identifier: MIT */
/* Internals of the SQLite backend shared by its files: the connection pool,
 * the group-committing writer and the statement cache. Not for use outside
 * src/store/sqlite/. */
#ifndef PARTA_STORE_SQLITE_INT_H
#define PARTA_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

struct sqlite_conn;

/* A unit of writing: runs on the writer thread inside the batch transaction,
 * wrapped in a savepoint so a failing job rolls back only itself. Returns
 * enum perr. */
typedef int (*sqlite_write_fn)(struct sqlite_conn *cn, void *arg);
/* A read: runs on the calling thread with a pooled reader connection. */
typedef int (*sqlite_read_fn)(struct sqlite_conn *cn, void *arg);

/* Queue fn for the writer and wait until its batch committed (or failed).
 * Returns fn's result, or PERR_IO if the commit failed. */
int sqlite_write(struct store *st, sqlite_write_fn fn, void *arg);
/* Run fn with a reader connection. */
int sqlite_read(struct store *st, sqlite_read_fn fn, void *arg);

/* Cached prepared statement for sql (a string literal: cached by address),
 * reset and with bindings cleared. Never NULL (aborts on a bad statement: a
 * programming error). */
sqlite3_stmt *sqlite_stmt(struct sqlite_conn *cn, const char *sql);
sqlite3 *sqlite_db(struct sqlite_conn *cn);
/* Map a sqlite result code to enum perr (constraint → PERR_CONFLICT). */
int sqlite_perr(struct sqlite_conn *cn, int rc);
/* Copy column i as a heap string (NULL if SQL NULL). */
char *sqlite_col_str(sqlite3_stmt *s, int i);

/* Account use cases (accounts.c), entries of store_sqlite_ops. */
int sqlite_admin_count(struct store *st, int64_t *out);
int sqlite_user_create(struct store *st, const struct user_new *u, int64_t *id_out);
int sqlite_user_get(struct store *st, int64_t id, struct user *out);
int sqlite_user_get_by_login(struct store *st, const char *login, struct user *out);
int sqlite_user_set_password(struct store *st, int64_t user_id, const char *hash, int64_t now,
			     int64_t keep_session_id);
int sqlite_setup_token_put(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			   int64_t expires_at);
int sqlite_setup_token_check(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now);
int sqlite_setup_complete(struct store *st, const uint8_t hash[STORE_HASH_LEN],
			  const struct user_new *admin, int64_t *id_out);
int sqlite_session_create(struct store *st, const struct session_new *s, int64_t *id_out);
int sqlite_session_lookup(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			  struct session *out);
int sqlite_session_touch(struct store *st, int64_t session_id, int64_t now, const char *ip);
int sqlite_session_list(struct store *st, int64_t user_id, int64_t now, struct session_list *out);
int sqlite_session_revoke(struct store *st, int64_t user_id, int64_t session_id, int64_t now);
int sqlite_audit_append(struct store *st, const struct audit_entry *e);
int sqlite_grants_load(struct store *st, int64_t user_id, struct grant_list *out);
int sqlite_unit_scope(struct store *st, int64_t unit_id, struct authz_scope *out, char kind[16]);
/* Audit entry inside a write job (any slice). */
int sqlite_audit_insert(struct sqlite_conn *cn, const struct audit_entry *e);

/* ==== org slice: declarations (org.c) ==== */
int sqlite_org_tree(struct store *st, bool archived, struct org_unit *college,
		    struct org_unit_list *units);
int sqlite_org_unit_get(struct store *st, int64_t unit_id, struct org_unit *out);
int sqlite_org_unit_people(struct store *st, int64_t unit_id, int64_t now,
			   struct org_assignment_list *out);
int sqlite_org_college_update(struct store *st, const struct org_college_patch *p,
			      const struct audit_entry *audit);
int sqlite_org_unit_create(struct store *st, const struct org_unit_new *n,
			   const struct audit_entry *audit, int64_t *id_out, const char **field);
int sqlite_org_unit_update(struct store *st, int64_t unit_id, const struct org_unit_patch *p,
			   const struct audit_entry *audit, const char **field);
int sqlite_org_unit_set_archived(struct store *st, int64_t unit_id, bool archived,
				 const struct audit_entry *audit, const char **field);
int sqlite_org_person_create(struct store *st, const struct org_person_new *n,
			     const struct audit_entry *audit, int64_t *id_out, const char **field);
int sqlite_org_person_get(struct store *st, int64_t user_id, struct org_person *out);
int sqlite_org_people_list(struct store *st, const struct org_people_query *q,
			   struct org_people_list *out);
int sqlite_org_role_assign(struct store *st, const struct org_role_new *n,
			   const struct audit_entry *audit, struct org_assignment *out,
			   const char **field);
int sqlite_org_assignment_get(struct store *st, int64_t assignment_id,
			      struct org_assignment *out);
int sqlite_org_role_end(struct store *st, int64_t user_id, int64_t assignment_id,
			const struct audit_entry *audit, const char **field);
int sqlite_org_audit_list(struct store *st, const struct org_audit_query *q,
			  struct org_audit_list *out);
/* ==== end org slice: declarations ==== */
/* ==== invites slice: declarations (invites.c) ==== */
int sqlite_invite_create(struct store *st, const struct invite_new *n,
			 const struct audit_entry *audit, int64_t *id_out, const char **field);
int sqlite_invite_get(struct store *st, int64_t id, struct invite *out);
int sqlite_invite_list(struct store *st, const struct invite_filter *f, struct invite_list *out);
int sqlite_invite_revoke(struct store *st, int64_t id, const struct audit_entry *audit);
int sqlite_join_preview(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			struct join_preview *out);
int sqlite_join_redeem(struct store *st, const struct join_redeem *in, struct join_result *out,
		       const char **field);
int sqlite_join_request_get(struct store *st, int64_t id, struct join_request *out);
int sqlite_join_request_list(struct store *st, const struct join_request_filter *f,
			     struct join_request_list *out);
int sqlite_join_request_decide(struct store *st, const struct join_decision *d,
			       struct join_result *out, const char **field);
/* ==== end invites slice: declarations ==== */
/* ==== movements slice: declarations (movements.c) ==== */
int sqlite_movement_state_load(struct store *st, int64_t user_id, const struct movement_request *req,
			       int64_t now, struct movement_state *out);
int sqlite_movement_record(struct store *st, const struct movement_new *m,
			   struct movement_recorded *out);
int sqlite_movement_get(struct store *st, int64_t id, struct movement_rec *out);
int sqlite_movement_person_list(struct store *st, int64_t user_id, int64_t now,
				struct movement_list *out, int64_t *units, size_t max_units,
				size_t *nunits);
int sqlite_movement_journal(struct store *st, const struct movement_filter *f,
			    struct movement_list *out);
/* ==== end movements slice: declarations ==== */
/* ==== import slice: declarations (import.c) ==== */
int sqlite_import_apply(struct store *st, struct import_plan *plan, const struct import_options *opt);
int sqlite_import_invitees(struct store *st, int64_t unit_id, int64_t now,
			   struct import_invitee_list *out);
int sqlite_import_invites_issue(struct store *st, const struct import_invite_batch *b);
int sqlite_demo_seed(struct store *st, const struct demo_seed *d, struct import_plan *plan,
		     const struct import_options *opt);
/* ==== end import slice: declarations ==== */
/* ==== chats slice: declarations ==== */
/* Writer connection only: keep ev (taking its frame) for the sink; published
 * if the job and the batch commit, dropped otherwise. */
void sqlite_pending_event_add(struct sqlite_conn *cn, struct chat_event *ev);
/* The full-text index (search slice, search.c), called by message writes. */
int sqlite_search_index(struct sqlite_conn *cn, int64_t message_id, const char *text);
int sqlite_search_unindex(struct sqlite_conn *cn, int64_t message_id);
/* Queue fn for the writer without waiting: done(ud, rc) runs on the writer
 * thread after the batch committed (rc = fn's result, or PERR_IO if the commit
 * failed). arg must stay valid until then. */
int sqlite_write_async(struct store *st, sqlite_write_fn fn, void *arg, store_done_fn done, void *ud);

/* Inside a write job: append an event to chat_id's log. Assigns the next seq
 * (chats.last_seq + 1), inserts the chat_events row and records the event for
 * the sink, published only if the job and its batch commit. data_json is the
 * event's JSON object (NULL: {}); author_id 0 = the system; subject_id: the
 * person a member.* event is about (else 0). PERR_NOT_FOUND if no such chat. */
int sqlite_chat_event_append(struct sqlite_conn *cn, int64_t chat_id, const char *kind,
			     int64_t author_id, int64_t subject_id, const char *client_id,
			     const char *data_json, int64_t at_ms, int64_t *seq_out);
/* Inside a write job: make user_id a member (role owner|admin|member, source
 * manual|system) with a new visibility span, appending "member.added"
 * {user_id, name, role, by}. Already a member: PERR_CONFLICT, nothing done. */
int sqlite_chat_member_add(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			   const char *role, const char *source, int64_t actor_id, int64_t at_ms);
/* Inside a write job: end user_id's membership (closing their span at the
 * "member.removed" event, which they still see). Not a member: PERR_NOT_FOUND. */
int sqlite_chat_member_remove(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id,
			      int64_t actor_id, int64_t at_ms);
/* Inside any job: the member's role ("owner"/"admin"/"member") into role[8],
 * PERR_NOT_FOUND if not a member. */
int sqlite_chat_member_role(struct sqlite_conn *cn, int64_t chat_id, int64_t user_id, char role[8]);
int sqlite_chat_user_chats(struct store *st, int64_t user_id, struct chat_ref_list *out);
int sqlite_chat_events_since(struct store *st, int64_t user_id, int64_t chat_id, int64_t after_seq,
			     int limit, struct chat_event_list *out);
int sqlite_chat_send(struct store *st, const struct chat_send *in, struct chat_write_result *out,
		     store_done_fn done, void *ud);
int sqlite_chat_message_op(struct store *st, const struct chat_message_op *op,
			   struct chat_write_result *out, store_done_fn done, void *ud);
int sqlite_chat_read(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
		     store_done_fn done, void *ud);
/* ==== end chats slice: declarations ==== */
/* ==== chatadmin slice: declarations ==== */
/* chat_admin.c */
int sqlite_chat_create(struct store *st, const struct chat_new *n, int64_t *chat_id, bool *existed,
		       const char **field);
int sqlite_chat_get(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
		    struct chat_summary *out);
int sqlite_chat_list(struct store *st, int64_t user_id, int64_t now, struct chat_summary_list *out);
int sqlite_chat_update(struct store *st, const struct chat_settings_patch *p, const char **field);
int sqlite_chat_members(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
			struct chat_member_list *out);
int sqlite_chat_members_add(struct store *st, struct chat_members_add *a, const char **field);
int sqlite_chat_member_change(struct store *st, const struct chat_member_change *c,
			      const char **field);
int sqlite_chat_history(struct store *st, const struct chat_page_query *q,
			struct chat_message_list *out);
int sqlite_chat_pins(struct store *st, int64_t user_id, int64_t chat_id,
		     struct chat_message_list *out);
int sqlite_chat_edits(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
		      struct chat_edit_list *out);
int sqlite_chat_reads(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
		      struct chat_read_report *out);
/* chat_links.c: joining a chat by link */
int sqlite_chat_link_create(struct store *st, const struct chat_link_new *n, struct chat_link *out,
			    const char **field);
int sqlite_chat_links(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
		      struct chat_link_list *out, const char **field);
int sqlite_chat_link_revoke(struct store *st, int64_t user_id, int64_t chat_id, int64_t link_id,
			    const struct audit_entry *audit, struct chat_link *out,
			    const char **field);
int sqlite_chat_link_preview(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t user_id,
			     int64_t now, bool classmates_allowed, struct chat_link_preview *out,
			     const char **field);
int sqlite_chat_link_join(struct store *st, struct chat_link_join *j, const char **field);
/* ==== end chatadmin slice: declarations ==== */
/* ==== chatsync slice: declarations ==== */
/* Mandatory chats (chat_sync.c; docs/internals/mandatory-chats.md). Inside a
 * write job, after the job changed the structure: bring the mandatory chats
 * concerned in line with it, through sqlite_chat_member_add/_remove (every
 * change an event published after the commit; only source='system' members
 * are touched). at_ms: the events' time, unix ms; an assignment counts if it
 * is open at at_ms/1000 (role assignments are in unix seconds), so pass the
 * job's own `now` * 1000. Return enum perr (the job should fail with it).
 * _unit: the chats of unit_id if it is a study group (group, parents' and
 * subject chats: created, renamed, archived with the group, revived on
 * restore) and every «Преподаватели» chat. */
int sqlite_chats_reconcile_unit(struct sqlite_conn *cn, int64_t unit_id, int64_t at_ms);
/* _user: as _unit for every unit where user_id holds an assignment open at
 * the instant or ended at it (this job's changes) and every unit whose group,
 * parents' or subject chat they are a system member of; the teachers' chats
 * once. Covers the parents who follow a student (their group is the
 * student's). */
int sqlite_chats_reconcile_user(struct sqlite_conn *cn, int64_t user_id, int64_t at_ms);
/* _all: every live study group (and archived ones with live chats) and the
 * teachers' chats. For import and the demo seed. */
int sqlite_chats_reconcile_all(struct sqlite_conn *cn, int64_t at_ms);
/* Store op chats_reconcile_start (its own write job). */
int sqlite_chats_reconcile_start(struct store *st, int64_t at_ms, bool *full);
/* ==== end chatsync slice: declarations ==== */
/* ==== search slice: declarations ==== */
/* fts_stem.c: register the "parta" FTS5 tokenizer and the parta_hits()
 * auxiliary function on db. Must run on every connection right after it
 * opens, before any statement touches message_fts (the migration creating it
 * included). PERR_UNSUPPORTED if this SQLite has no FTS5. */
int sqlite_search_register(sqlite3 *db);
/* The tokenizer's work without SQLite (tests): split and fold text[0..n),
 * stem each word, and call emit for each token exactly as FTS5 receives it
 * (flags: the FTS5_TOKENIZE_* of the call; tflags FTS5_TOKEN_COLOCATED for a
 * form at the same position as the previous token). Returns SQLITE_OK or the
 * first non-OK value of emit. fts_stem_new returns NULL if libstemmer lacks
 * the Russian or English stemmer. One thread at a time per instance. */
typedef int (*fts_stem_emit_fn)(void *ctx, int tflags, const char *token, int ntoken, int start,
				int end);
struct fts_stem;
struct fts_stem *fts_stem_new(void);
void fts_stem_free(struct fts_stem *t);
int fts_stem_tokenize(struct fts_stem *t, void *ctx, int flags, const char *text, int n,
		      fts_stem_emit_fn emit);
/* search.c, inside a write job, in the transaction that changes the message:
 * sqlite_search_index (re)indexes message message_id (its messages row must
 * exist: its chat_id is read from it; PERR_NOT_FOUND if not) with text,
 * replacing whatever was indexed for it; sqlite_search_unindex removes it
 * from the index (nothing indexed: PERR_OK). Both are idempotent and do not
 * depend on the order of the caller's own UPDATEs of messages: the index
 * keeps its own copy of the indexed text. message.new: index; edit: unindex
 * + index (or index alone); delete: unindex. */
int sqlite_search_index(struct sqlite_conn *cn, int64_t message_id, const char *text);
int sqlite_search_unindex(struct sqlite_conn *cn, int64_t message_id);
int sqlite_search_messages(struct store *st, const struct search_request *req,
			   struct search_result *out);
/* ==== end search slice: declarations ==== */

#endif
