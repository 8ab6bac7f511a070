/* SPDX-License-Identifier: MIT */
/* The store: every persistent read and write of Parta, one function per use
 * case, behind a backend vtable (sqlite now, postgres for scale). Every call
 * BLOCKS: call it only from a store thread (work_run), never from the loop.
 * Writes are durable when the call returns PERR_OK (the backend committed;
 * concurrent writes may share one commit). Strings returned inside result
 * structs are heap copies owned by the caller (free with the matching
 * *_clear function). Thread-safe: any number of threads may call at once. */
#ifndef PARTA_STORE_STORE_H
#define PARTA_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/authz.h"
#include "store/chats.h"

#define STORE_HASH_LEN 32 /* token hashes (BLAKE2b-256) */

struct store;

struct store_config {
	const char *data_dir;      /* sqlite: the database lives in data_dir/parta.db */
	const char *postgres_url;
	int readers;               /* reader connections */
	store_event_sink sink;     /* committed chat events (may be NULL) */
	void *sink_ud;
};

struct user {
	int64_t id;
	char *login;
	char *name;
	char *password_hash;       /* NULL if no password set */
	int64_t created_at;
	int64_t password_changed_at;
	bool disabled;
	char **roles;              /* active role names, NULL-terminated; may be empty */
};
void user_clear(struct user *u);

struct user_new {
	const char *login;         /* normalized */
	const char *name;
	const char *password_hash; /* may be NULL */
	const char *role;          /* initial role, or NULL */
	int64_t now;
	int64_t actor_id;          /* for the audit log; 0 = system */
	const char *ip;
};

struct session_new {
	int64_t user_id;
	uint8_t token_hash[STORE_HASH_LEN];
	const char *kind;          /* "cookie" | "bearer" */
	int64_t now;
	int64_t expires_at;
	const char *user_agent;
	const char *ip;
};

struct session {
	int64_t id;
	int64_t user_id;
	char *kind;
	int64_t created_at, last_seen_at, expires_at;
	char *user_agent;
	char *ip;
};
void session_clear(struct session *s);

struct session_list {
	struct session *items;
	size_t count;
};
void session_list_clear(struct session_list *l);

struct audit_entry {
	int64_t actor_id;          /* 0 = system */
	const char *action;
	const char *target;
	const char *before_json;   /* may be NULL */
	const char *after_json;    /* may be NULL */
	const char *ip;
	int64_t now;
};

/* Active role assignments of a user (the actor of an authorization). */
struct grant_list {
	struct authz_grant *items;
	size_t count;
};
void grant_list_clear(struct grant_list *l);

/* ==== org slice: structs (structure, people, roles) ==== */
/* An org unit (the college, a branch, a department or a study group). */
struct org_unit {
	int64_t id;
	char kind[16];              /* "college" | "branch" | "department" | "study_group" */
	int64_t parent_id;          /* 0: none (the college) */
	char *name;
	char *short_name;
	char *code;                 /* study groups; NULL otherwise */
	int64_t enrolment_year;     /* study groups; 0 otherwise */
	char *details;              /* the college: its details, a JSON object; NULL otherwise */
	int64_t created_at;
	int64_t archived_at;        /* 0: live */
	int64_t curator_id;         /* study groups: the active curator; 0 if none */
	char *curator_name;
	int64_t students;           /* people with an active student role directly in the unit */
	int64_t staff;              /* people with another active role (not parent) directly in it */
};
void org_unit_clear(struct org_unit *u);

struct org_unit_list {
	struct org_unit *items;
	size_t count;
};
void org_unit_list_clear(struct org_unit_list *l);

/* A role assignment, with its person and unit. */
struct org_assignment {
	int64_t id;
	int64_t user_id;
	char *user_name;
	char *user_login;
	char role[16];
	int64_t unit_id;            /* a NULL unit in the table (the whole college) reads as 1 */
	char *unit_name;
	int64_t since;
	int64_t until;              /* 0: open-ended */
	bool director;
};
void org_assignment_clear(struct org_assignment *a);

struct org_assignment_list {
	struct org_assignment *items;
	size_t count;
};
void org_assignment_list_clear(struct org_assignment_list *l);

/* A guardianship seen from one person: the other party. */
struct org_guardianship {
	int64_t parent_id;
	int64_t student_id;
	char *name;                 /* the other party's name */
	bool confirmed;
};

/* A person with their whole role history and guardianships. */
struct org_person {
	int64_t id;
	char *login;
	char *name;
	struct org_assignment_list assignments;  /* every assignment, newest first */
	struct org_guardianship *guardianships;  /* as parent, then as student */
	size_t nguardianships;
};
void org_person_clear(struct org_person *p);

/* One row of a people search: the person and their active assignments. */
struct org_person_row {
	int64_t id;
	char *login;
	char *name;
	struct org_assignment_list roles;
};

struct org_people_query {
	int64_t unit_id;            /* 0: the whole college; else the unit and its descendants */
	enum role role;             /* ROLE_NONE: any */
	const char *q_folded;       /* org_fold'ed substring of name or login; NULL or "": any */
	int64_t limit, offset;
	int64_t now;
};

struct org_people_list {
	struct org_person_row *items;
	size_t count;
	int64_t total;              /* matches without limit and offset */
};
void org_people_list_clear(struct org_people_list *l);

struct org_unit_new {
	const char *kind;           /* "branch" | "department" | "study_group" */
	int64_t parent_id;
	const char *name;           /* normalized (org_normalize_text) */
	const char *short_name;     /* "" if none */
	const char *code;           /* study groups: normalized; NULL otherwise */
	int64_t enrolment_year;     /* study groups; 0 otherwise */
};

/* A partial update: NULL / 0 members stay as they are. */
struct org_unit_patch {
	const char *name;
	const char *short_name;
	const char *code;
	int64_t enrolment_year;
	int64_t parent_id;          /* a move */
};

struct org_college_patch {
	const char *name;
	const char *short_name;
	const char *details_json;   /* a validated JSON object (org_check_details); replaces all */
};

struct org_person_new {
	const char *login;          /* normalized */
	const char *name;           /* normalized */
	const char *password_hash;  /* NULL: cannot log in until a password is set */
	enum role role;
	int64_t unit_id;
	bool director;
};

struct org_role_new {
	int64_t user_id;
	enum role role;
	int64_t unit_id;
	bool director;
};

struct org_audit_query {
	int64_t actor_id;           /* 0: anyone */
	const char *action;         /* "" any; exact, or a prefix if it ends with '.' */
	const char *q_folded;       /* org_fold'ed text in action, target, before, after; "" any */
	int64_t from, to;           /* inclusive bounds on the time (unix seconds) */
	int64_t before_id;          /* 0: from the newest */
	int64_t limit;
};

struct org_audit_row {
	int64_t id;
	int64_t at;
	int64_t actor_id;           /* 0: the system */
	char *actor_name;
	char *action;
	char *target;
	char *before_json;          /* may be NULL */
	char *after_json;           /* may be NULL */
	char *ip;
};

struct org_audit_list {
	struct org_audit_row *items;
	size_t count;
	bool more;                  /* older entries match too */
};
void org_audit_list_clear(struct org_audit_list *l);
/* ==== end org slice: structs ==== */
/* ==== invites slice: structs (invitations, join requests) ==== */
#define STORE_SEALED_MAX 64 /* sealed invitation tokens (INVITE_SEALED_LEN) */

/* An invitation link as stored: never the token, only its hash and its
 * sealed copy (readable with the server key, to show or print it again). */
struct invite {
	int64_t id;
	enum role role;
	int64_t unit_id;
	char *unit_name;
	char unit_kind[16];
	bool unit_archived;         /* links into an archived unit cannot be redeemed */
	int64_t created_by;
	char *created_by_name;
	int64_t created_at;
	int64_t expires_at;
	int64_t max_uses;
	int64_t uses;
	bool needs_approval;
	int64_t revoked_at;         /* 0: not revoked */
	char *note;
	char *personal_name;        /* personal (imported) links; NULL for shared ones */
	int64_t personal_user_id;   /* personal links: the account they hand over; 0 otherwise */
	uint8_t token_sealed[STORE_SEALED_MAX];
	size_t token_sealed_len;
};
void invite_clear(struct invite *inv);

struct invite_list {
	struct invite *items;
	size_t count;
};
void invite_list_clear(struct invite_list *l);

struct invite_new {
	uint8_t token_hash[STORE_HASH_LEN];
	const uint8_t *token_sealed;
	size_t token_sealed_len;
	enum role role;
	int64_t unit_id;
	int64_t created_by;
	int64_t now;
	int64_t expires_at;
	int64_t max_uses;
	bool needs_approval;
	const char *note;           /* "" if none */
	const char *personal_name;  /* NULL for a shared link */
};

struct invite_filter {
	int64_t unit_id;            /* 0: any; else the unit and its descendants */
	enum role role;             /* ROLE_NONE: any */
	bool personal;              /* false: shared links; true: personal (imported) links */
	size_t limit;               /* newest first; 0: 1000 */
};

/* A student of a group as a parent link shows them: the short name only. */
struct join_roster_entry {
	int64_t id;
	char *name;                 /* the full name: the API shortens it */
};

/* What opening a link shows before joining. */
struct join_preview {
	struct invite invite;
	char *college_name;
	struct join_roster_entry *roster;  /* parent links: the group's active students */
	size_t nroster;
};
void join_preview_clear(struct join_preview *p);

/* Redeem a link: join as user_id, or register account first (user_id 0).
 * A personal link (made by the import for one existing person) instead
 * hands that person's account over: account's login and password hash are
 * set on it (its name is kept) and user_id must be 0. */
struct join_redeem {
	uint8_t token_hash[STORE_HASH_LEN];
	int64_t user_id;
	const struct user_new *account;  /* login normalized, password hashed; role ignored */
	int64_t student_id;              /* parent links: the child; 0 otherwise */
	int64_t now;
	const char *today;               /* YYYY-MM-DD: the date of movements it records */
	const char *ip;
};

/* The outcome of a redemption or a decision. */
struct join_result {
	int64_t user_id;
	int64_t request_id;         /* redemption: 0 when joined directly */
	bool joined;                /* the role was assigned now (or was already held) */
	enum role role;             /* the role and unit joined */
	int64_t unit_id;
	int64_t movement_id;        /* the enrolment or hiring recorded; 0: none */
};

struct join_request {
	int64_t id;
	int64_t invite_id;
	int64_t user_id;
	char *user_name;
	char *user_login;
	enum role role;
	int64_t unit_id;
	char *unit_name;
	int64_t student_id;         /* parent requests: the child; 0 otherwise */
	char *student_name;
	char status[12];            /* "pending" | "approved" | "rejected" */
	char *reason;
	int64_t created_at;
	int64_t decided_at;         /* 0: pending */
	int64_t decided_by;         /* 0: pending */
	char *decided_by_name;
};
void join_request_clear(struct join_request *jr);

struct join_request_list {
	struct join_request *items;
	size_t count;
};
void join_request_list_clear(struct join_request_list *l);

struct join_request_filter {
	const char *status;         /* NULL: any */
	int64_t unit_id;            /* 0: any; else the unit and its descendants */
	int64_t user_id;            /* 0: anyone's */
	size_t limit;               /* newest first; 0: 1000 */
};

struct join_decision {
	int64_t request_id;
	bool approve;
	const char *reason;         /* trimmed; "" allowed for approvals */
	int64_t actor_id;
	int64_t now;
	const char *today;          /* YYYY-MM-DD */
	const char *ip;
};
/* ==== end invites slice: structs ==== */
/* ==== movements slice: structs ==== */
/* Movements (domain/movements.h holds the state, plan and record types). */
#include "domain/movements.h"

/* A planned movement to record: the plan's rows in one transaction, after
 * re-reading the person's state for req and checking it is still *expect. */
struct movement_new {
	int64_t user_id;
	struct movement_request req;          /* the units the state was loaded for */
	const struct movement_state *expect;  /* the state the plan was made from */
	const struct movement_plan *plan;
	const char *date;                     /* YYYY-MM-DD, checked */
	const char *order_ref;                /* checked; NULL: "" */
	const char *note;                     /* checked; NULL: "" */
	int64_t reverses_id;                  /* 0: not a reversal (set on the first row) */
	int64_t actor_id;
	const char *ip;
	int64_t now;
};

/* What recording did: a movement id per plan row, and every role assignment
 * ended or created (the person's and their parents'). changes is heap memory
 * the caller frees with free(). */
struct movement_recorded {
	int64_t ids[MOVEMENT_MAX_ACTIVE];
	size_t nids;
	struct movement_change *changes;
	size_t nchanges;
};

/* The journal of a unit. */
struct movement_filter {
	int64_t unit_id;                      /* 0: the whole college; else the unit and below */
	enum movement_kind kind;              /* MOVEMENT_NONE: any */
	const char *from_date;                /* YYYY-MM-DD inclusive; NULL: open */
	const char *to_date;
	int64_t limit;                        /* 1.. */
	int64_t offset;
};
/* ==== end movements slice: structs ==== */
/* ==== import slice: structs ==== */
struct import_plan;                 /* domain/import.h */

/* How an import runs (store_import_apply, store_demo_seed). */
struct import_options {
	bool dry_run;               /* resolve and check everything, change nothing */
	int64_t actor_id;           /* for created_by and the audit; 0: the command line */
	const char *ip;             /* for the audit entry */
	int64_t now;
	const char *today;          /* YYYY-MM-DD: the date of the movements it records */
	const char *password_hash;  /* NULL for imports; the demo's shared password for new people */
};

/* An imported person without a password, due a personal invitation link. */
struct import_invitee {
	int64_t user_id;
	char *last_name, *first_name, *middle_name;
	char role[16];              /* the role of the link: the person's imported role */
	int64_t unit_id;            /* its unit */
	char *group_code;           /* NULL unless the unit is a study group */
	char *login;                /* NULL if the person has no login yet */
};
struct import_invitee_list {
	struct import_invitee *items;
	size_t count;
};
void import_invitee_list_clear(struct import_invitee_list *l);

/* A personal link to store for one invitee (the token made by the caller). */
struct import_invite_new {
	int64_t user_id;
	const char *role;
	int64_t unit_id;
	const char *personal_name;
	uint8_t token_hash[STORE_HASH_LEN];
	uint8_t token_sealed[STORE_SEALED_MAX];
	size_t token_sealed_len;
};
struct import_invite_batch {
	const struct import_invite_new *items;
	size_t count;
	int64_t unit_id;            /* the export's unit filter (0: all), for the audit */
	int64_t expires_at;
	struct audit_entry audit;   /* actor, ip, now; the store sets action and after */
};

/* The demo college (store_demo_seed): what the demo's CSV cannot say. */
struct demo_curator {
	const char *staff_key;      /* users.external_id of a staff row, "staff:…" */
	const char *group_code;
};
struct demo_seed {
	const char *college_name;
	const char *college_short_name;
	const char *college_details_json;  /* a JSON object */
	const char *const *departments;    /* department names under the college, NULL-terminated */
	const char *admin_login;           /* the platform administrator (normalized) */
	const char *admin_name;
	const char *director_key;          /* users.external_id of the director's staff row */
	const struct demo_curator *curators;
	size_t ncurators;
};
/* ==== end import slice: structs ==== */
/* ==== chatadmin slice: structs (or an #include of your own store/<name>.h) ==== */
#include "store/chat_admin.h"
#include "store/chat_links.h"
/* ==== end chatadmin slice: structs ==== */
/* ==== chatsync slice: structs (or an #include of your own store/<name>.h) ==== */
/* ==== end chatsync slice: structs ==== */
/* ==== search slice: structs (or an #include of your own store/<name>.h) ==== */
#include "domain/search.h"
/* ==== end search slice: structs ==== */

struct store_ops {
	const char *name;
	/* Open (creating if needed) and migrate to the latest schema. */
	int (*open)(const struct store_config *cfg, struct store **out);
	/* Finish queued writes, checkpoint, close. */
	void (*close)(struct store *st);
	int (*schema_version)(struct store *st, int *out);

	/* accounts */
	int (*admin_count)(struct store *st, int64_t *out);
	int (*user_create)(struct store *st, const struct user_new *u, int64_t *id_out);
	int (*user_get)(struct store *st, int64_t id, struct user *out);
	int (*user_get_by_login)(struct store *st, const char *login, struct user *out);
	int (*user_set_password)(struct store *st, int64_t user_id, const char *hash, int64_t now,
				 int64_t keep_session_id);
	/* first administrator */
	int (*setup_token_put)(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			       int64_t expires_at);
	int (*setup_token_check)(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now);
	int (*setup_complete)(struct store *st, const uint8_t hash[STORE_HASH_LEN],
			      const struct user_new *admin, int64_t *id_out);
	/* sessions */
	int (*session_create)(struct store *st, const struct session_new *s, int64_t *id_out);
	int (*session_lookup)(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			      struct session *out);
	int (*session_touch)(struct store *st, int64_t session_id, int64_t now, const char *ip);
	int (*session_list)(struct store *st, int64_t user_id, int64_t now, struct session_list *out);
	int (*session_revoke)(struct store *st, int64_t user_id, int64_t session_id, int64_t now);
	/* audit */
	int (*audit_append)(struct store *st, const struct audit_entry *e);
	/* authorization inputs */
	int (*grants_load)(struct store *st, int64_t user_id, struct grant_list *out);
	int (*unit_scope)(struct store *st, int64_t unit_id, struct authz_scope *out, char kind[16]);

	/* ==== org slice: ops ==== */
	int (*org_tree)(struct store *st, bool archived, struct org_unit *college,
			struct org_unit_list *units);
	int (*org_unit_get)(struct store *st, int64_t unit_id, struct org_unit *out);
	int (*org_unit_people)(struct store *st, int64_t unit_id, int64_t now,
			       struct org_assignment_list *out);
	int (*org_college_update)(struct store *st, const struct org_college_patch *p,
				  const struct audit_entry *audit);
	int (*org_unit_create)(struct store *st, const struct org_unit_new *n,
			       const struct audit_entry *audit, int64_t *id_out, const char **field);
	int (*org_unit_update)(struct store *st, int64_t unit_id, const struct org_unit_patch *p,
			       const struct audit_entry *audit, const char **field);
	int (*org_unit_set_archived)(struct store *st, int64_t unit_id, bool archived,
				     const struct audit_entry *audit, const char **field);
	int (*org_person_create)(struct store *st, const struct org_person_new *n,
				 const struct audit_entry *audit, int64_t *id_out, const char **field);
	int (*org_person_get)(struct store *st, int64_t user_id, struct org_person *out);
	int (*org_people_list)(struct store *st, const struct org_people_query *q,
			       struct org_people_list *out);
	int (*org_role_assign)(struct store *st, const struct org_role_new *n,
			       const struct audit_entry *audit, struct org_assignment *out,
			       const char **field);
	int (*org_assignment_get)(struct store *st, int64_t assignment_id, struct org_assignment *out);
	int (*org_role_end)(struct store *st, int64_t user_id, int64_t assignment_id,
			    const struct audit_entry *audit, const char **field);
	int (*org_audit_list)(struct store *st, const struct org_audit_query *q,
			      struct org_audit_list *out);
	/* ==== end org slice: ops ==== */
	/* ==== invites slice: ops ==== */
	int (*invite_create)(struct store *st, const struct invite_new *n,
			     const struct audit_entry *audit, int64_t *id_out, const char **field);
	int (*invite_get)(struct store *st, int64_t id, struct invite *out);
	int (*invite_list)(struct store *st, const struct invite_filter *f, struct invite_list *out);
	int (*invite_revoke)(struct store *st, int64_t id, const struct audit_entry *audit);
	int (*join_preview)(struct store *st, const uint8_t hash[STORE_HASH_LEN], int64_t now,
			    struct join_preview *out);
	int (*join_redeem)(struct store *st, const struct join_redeem *in, struct join_result *out,
			   const char **field);
	int (*join_request_get)(struct store *st, int64_t id, struct join_request *out);
	int (*join_request_list)(struct store *st, const struct join_request_filter *f,
				 struct join_request_list *out);
	int (*join_request_decide)(struct store *st, const struct join_decision *d,
				   struct join_result *out, const char **field);
	/* ==== end invites slice: ops ==== */
	/* ==== movements slice: ops ==== */
	int (*movement_state_load)(struct store *st, int64_t user_id,
				   const struct movement_request *req, int64_t now,
				   struct movement_state *out);
	int (*movement_record)(struct store *st, const struct movement_new *m,
			       struct movement_recorded *out);
	int (*movement_get)(struct store *st, int64_t id, struct movement_rec *out);
	int (*movement_person_list)(struct store *st, int64_t user_id, int64_t now,
				    struct movement_list *out, int64_t *units, size_t max_units,
				    size_t *nunits);
	int (*movement_journal)(struct store *st, const struct movement_filter *f,
				struct movement_list *out);
	/* ==== end movements slice: ops ==== */
	/* ==== import slice: ops ==== */
	int (*import_apply)(struct store *st, struct import_plan *plan, const struct import_options *opt);
	int (*import_invitees)(struct store *st, int64_t unit_id, int64_t now,
			       struct import_invitee_list *out);
	int (*import_invites_issue)(struct store *st, const struct import_invite_batch *b);
	int (*demo_seed)(struct store *st, const struct demo_seed *d, struct import_plan *plan,
			 const struct import_options *opt);
	/* ==== end import slice: ops ==== */
	/* ==== chats slice: ops ==== */
	int (*chat_user_chats)(struct store *st, int64_t user_id, struct chat_ref_list *out);
	int (*chat_events_since)(struct store *st, int64_t user_id, int64_t chat_id, int64_t after_seq,
				 int limit, struct chat_event_list *out);
	int (*chat_send)(struct store *st, const struct chat_send *in, struct chat_write_result *out,
			 store_done_fn done, void *ud);
	int (*chat_message_op)(struct store *st, const struct chat_message_op *op,
			       struct chat_write_result *out, store_done_fn done, void *ud);
	int (*chat_read)(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
			 store_done_fn done, void *ud);
	/* ==== end chats slice: ops ==== */
	/* ==== chatadmin slice: ops ==== */
	int (*chat_create)(struct store *st, const struct chat_new *n, int64_t *chat_id, bool *existed,
			   const char **field);
	int (*chat_get)(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
			struct chat_summary *out);
	int (*chat_list)(struct store *st, int64_t user_id, int64_t now, struct chat_summary_list *out);
	int (*chat_update)(struct store *st, const struct chat_settings_patch *p, const char **field);
	int (*chat_members)(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
			    struct chat_member_list *out);
	int (*chat_members_add)(struct store *st, struct chat_members_add *a, const char **field);
	int (*chat_member_change)(struct store *st, const struct chat_member_change *c,
				  const char **field);
	int (*chat_history)(struct store *st, const struct chat_page_query *q,
			    struct chat_message_list *out);
	int (*chat_pins)(struct store *st, int64_t user_id, int64_t chat_id,
			 struct chat_message_list *out);
	int (*chat_edits)(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
			  struct chat_edit_list *out);
	int (*chat_reads)(struct store *st, int64_t user_id, int64_t chat_id, int64_t seq,
			  struct chat_read_report *out);
	/* joining a chat by link (store/chat_links.h) */
	int (*chat_link_create)(struct store *st, const struct chat_link_new *n, struct chat_link *out,
				const char **field);
	int (*chat_links)(struct store *st, int64_t user_id, int64_t chat_id, int64_t now,
			  struct chat_link_list *out, const char **field);
	int (*chat_link_revoke)(struct store *st, int64_t user_id, int64_t chat_id, int64_t link_id,
				const struct audit_entry *audit, struct chat_link *out,
				const char **field);
	int (*chat_link_preview)(struct store *st, const uint8_t hash[STORE_HASH_LEN],
				 int64_t user_id, int64_t now, bool classmates_allowed,
				 struct chat_link_preview *out, const char **field);
	int (*chat_link_join)(struct store *st, struct chat_link_join *j, const char **field);
	/* ==== end chatadmin slice: ops ==== */
	/* ==== chatsync slice: ops ==== */
	int (*chats_reconcile_start)(struct store *st, int64_t at_ms, bool *full);
	/* ==== end chatsync slice: ops ==== */
	/* ==== search slice: ops ==== */
	int (*search_messages)(struct store *st, const struct search_request *req,
			       struct search_result *out);
	/* ==== end search slice: ops ==== */
};

/* Backends. */
extern const struct store_ops store_sqlite_ops;

/* Choose a backend by name ("sqlite", "postgres"); NULL if unknown or not
 * built. Checks the table has every entry (aborts if not: a build error). */
const struct store_ops *store_backend(const char *name);

/* The handle callers pass around: backend + its state. */
struct store_handle {
	const struct store_ops *ops;
	struct store *st;
};

/* Wrappers carrying the contracts. All return enum perr. */

/* PERR_CONFLICT if the login is taken. */
static inline int store_user_create(struct store_handle *h, const struct user_new *u, int64_t *id)
{
	return h->ops->user_create(h->st, u, id);
}
/* PERR_NOT_FOUND if absent. out must be user_clear'ed on PERR_OK. */
static inline int store_user_get(struct store_handle *h, int64_t id, struct user *out)
{
	return h->ops->user_get(h->st, id, out);
}
static inline int store_user_get_by_login(struct store_handle *h, const char *login, struct user *out)
{
	return h->ops->user_get_by_login(h->st, login, out);
}
/* Sets the hash and revokes every session of the user but keep_session_id
 * (0: revoke all). */
static inline int store_user_set_password(struct store_handle *h, int64_t user_id, const char *hash,
					  int64_t now, int64_t keep_session_id)
{
	return h->ops->user_set_password(h->st, user_id, hash, now, keep_session_id);
}
/* Number of users holding an active platform_admin role. */
static inline int store_admin_count(struct store_handle *h, int64_t *out)
{
	return h->ops->admin_count(h->st, out);
}
static inline int store_setup_token_put(struct store_handle *h, const uint8_t hash[STORE_HASH_LEN],
					int64_t now, int64_t expires_at)
{
	return h->ops->setup_token_put(h->st, hash, now, expires_at);
}
/* PERR_OK if the token exists, is unused and unexpired; PERR_EXPIRED otherwise. */
static inline int store_setup_token_check(struct store_handle *h, const uint8_t hash[STORE_HASH_LEN],
					  int64_t now)
{
	return h->ops->setup_token_check(h->st, hash, now);
}
/* Atomically: the token is valid and unused (else PERR_EXPIRED), create the
 * user with role platform_admin (PERR_CONFLICT if the login is taken), mark the
 * token used, write the audit entry. */
static inline int store_setup_complete(struct store_handle *h, const uint8_t hash[STORE_HASH_LEN],
				       const struct user_new *admin, int64_t *id)
{
	return h->ops->setup_complete(h->st, hash, admin, id);
}
static inline int store_session_create(struct store_handle *h, const struct session_new *s, int64_t *id)
{
	return h->ops->session_create(h->st, s, id);
}
/* The live (unrevoked, unexpired) session with this token hash, or
 * PERR_NOT_FOUND. out must be session_clear'ed on PERR_OK. */
static inline int store_session_lookup(struct store_handle *h, const uint8_t hash[STORE_HASH_LEN],
				       int64_t now, struct session *out)
{
	return h->ops->session_lookup(h->st, hash, now, out);
}
/* Record activity (last_seen_at, ip). */
static inline int store_session_touch(struct store_handle *h, int64_t session_id, int64_t now,
				      const char *ip)
{
	return h->ops->session_touch(h->st, session_id, now, ip);
}
/* Live sessions of a user, newest first. */
static inline int store_session_list(struct store_handle *h, int64_t user_id, int64_t now,
				     struct session_list *out)
{
	return h->ops->session_list(h->st, user_id, now, out);
}
/* Revoke one of the user's sessions; PERR_NOT_FOUND if it is not theirs or not live. */
static inline int store_session_revoke(struct store_handle *h, int64_t user_id, int64_t session_id,
				       int64_t now)
{
	return h->ops->session_revoke(h->st, user_id, session_id, now);
}
static inline int store_audit_append(struct store_handle *h, const struct audit_entry *e)
{
	return h->ops->audit_append(h->st, e);
}

/* The user's active role grants (until NULL or in the future). */
static inline int store_grants_load(struct store_handle *h, int64_t user_id, struct grant_list *out)
{
	return h->ops->grants_load(h->st, user_id, out);
}
/* The scope of an org unit: its id and ancestors (nearest first) and its kind
 * ("college", "branch", "department", "study_group"; kind may be NULL).
 * PERR_NOT_FOUND if the unit does not exist. unit_id 0: the college. */
static inline int store_unit_scope(struct store_handle *h, int64_t unit_id, struct authz_scope *out,
				   char kind[16])
{
	return h->ops->unit_scope(h->st, unit_id, out, kind);
}

/* ==== org slice: wrappers ==== */
/* Writes below: the audit template (actor, action, ip, now) is completed with
 * the target and before/after snapshots and inserted in the same transaction;
 * audit->now is the time of the change. On a refusal nothing changes and
 * *field (if field is non-NULL) names the offending input, or NULL. */

/* The college (with details) and every other unit, archived ones only if
 * archived; ordered by parent, name. college and units must be cleared with
 * org_unit_clear / org_unit_list_clear on PERR_OK. */
static inline int store_org_tree(struct store_handle *h, bool archived, struct org_unit *college,
				 struct org_unit_list *units)
{
	return h->ops->org_tree(h->st, archived, college, units);
}
/* One unit with curator and counts; PERR_NOT_FOUND if absent. */
static inline int store_org_unit_get(struct store_handle *h, int64_t unit_id, struct org_unit *out)
{
	return h->ops->org_unit_get(h->st, unit_id, out);
}
/* Active assignments held directly in the unit, by person name. */
static inline int store_org_unit_people(struct store_handle *h, int64_t unit_id, int64_t now,
					struct org_assignment_list *out)
{
	return h->ops->org_unit_people(h->st, unit_id, now, out);
}
/* Change the college's name, short name and/or details (audit "college.edit"). */
static inline int store_org_college_update(struct store_handle *h, const struct org_college_patch *p,
					   const struct audit_entry *audit)
{
	return h->ops->org_college_update(h->st, p, audit);
}
/* Create a unit under a live parent following org_parent_check (audit
 * "unit.create"). Refusals: parent absent (PERR_INVALID, "parent_id"), parent
 * archived or of the wrong kind (PERR_CONFLICT / PERR_INVALID, "parent_id"),
 * study-group code taken by a live group (PERR_CONFLICT, "code"). */
static inline int store_org_unit_create(struct store_handle *h, const struct org_unit_new *n,
					const struct audit_entry *audit, int64_t *id_out,
					const char **field)
{
	return h->ops->org_unit_create(h->st, n, audit, id_out, field);
}
/* Rename, recode or move a unit (audit "unit.update", before/after).
 * PERR_NOT_FOUND if absent; code/year on a non-group: PERR_INVALID; moving the
 * college, under itself or a descendant: PERR_CONFLICT "parent_id"; parent
 * rules as for create; code taken: PERR_CONFLICT "code". */
static inline int store_org_unit_update(struct store_handle *h, int64_t unit_id,
					const struct org_unit_patch *p, const struct audit_entry *audit,
					const char **field)
{
	return h->ops->org_unit_update(h->st, unit_id, p, audit, field);
}
/* Archive (true) or restore (false) a unit (audit "unit.archive" /
 * "unit.restore"). Refusals, all PERR_CONFLICT: the college; archiving a unit
 * with live children ("children") or with people holding active roles in it
 * ("people"); restoring under an archived parent ("parent_id") or with a code
 * a live group now uses ("code"); already in that state. PERR_NOT_FOUND if
 * absent. */
static inline int store_org_unit_set_archived(struct store_handle *h, int64_t unit_id, bool archived,
					      const struct audit_entry *audit, const char **field)
{
	return h->ops->org_unit_set_archived(h->st, unit_id, archived, audit, field);
}
/* Create an account holding one role in one unit (audit "person.create").
 * Refusals: login taken (PERR_CONFLICT "login"); unit absent (PERR_INVALID
 * "unit_id") or archived (PERR_CONFLICT "unit_id"); org_role_unit_check. A new
 * curator ends the group's previous curator assignment. */
static inline int store_org_person_create(struct store_handle *h, const struct org_person_new *n,
					  const struct audit_entry *audit, int64_t *id_out,
					  const char **field)
{
	return h->ops->org_person_create(h->st, n, audit, id_out, field);
}
/* A person with all assignments and guardianships; PERR_NOT_FOUND if absent.
 * out must be org_person_clear'ed on PERR_OK. */
static inline int store_org_person_get(struct store_handle *h, int64_t user_id, struct org_person *out)
{
	return h->ops->org_person_get(h->st, user_id, out);
}
/* People matching the query, by name, with their active assignments. */
static inline int store_org_people_list(struct store_handle *h, const struct org_people_query *q,
					struct org_people_list *out)
{
	return h->ops->org_people_list(h->st, q, out);
}
/* Assign a role (audit "role.assign"); out receives the new assignment (clear
 * it on PERR_OK). Refusals: no such user (PERR_NOT_FOUND); unit as for person
 * creation; the same active assignment exists (PERR_CONFLICT "role"). A new
 * curator of a group ends the previous curator's assignment in the same
 * transaction. */
static inline int store_org_role_assign(struct store_handle *h, const struct org_role_new *n,
					const struct audit_entry *audit, struct org_assignment *out,
					const char **field)
{
	return h->ops->org_role_assign(h->st, n, audit, out, field);
}
/* One assignment; PERR_NOT_FOUND if absent. */
static inline int store_org_assignment_get(struct store_handle *h, int64_t assignment_id,
					   struct org_assignment *out)
{
	return h->ops->org_assignment_get(h->st, assignment_id, out);
}
/* End user_id's assignment now (audit "role.end"). PERR_NOT_FOUND if it is not
 * theirs; PERR_CONFLICT if already ended, or if it is the last active
 * platform administrator ("role"). */
static inline int store_org_role_end(struct store_handle *h, int64_t user_id, int64_t assignment_id,
				     const struct audit_entry *audit, const char **field)
{
	return h->ops->org_role_end(h->st, user_id, assignment_id, audit, field);
}
/* Audit entries matching the query, newest first; out->more if older ones
 * match too. Clear with org_audit_list_clear on PERR_OK. */
static inline int store_org_audit_list(struct store_handle *h, const struct org_audit_query *q,
				       struct org_audit_list *out)
{
	return h->ops->org_audit_list(h->st, q, out);
}
/* ==== end org slice: wrappers ==== */
/* ==== invites slice: wrappers ==== */
/* Invitation links and joining. Writes take an audit template (actor,
 * action, ip, now) that the store completes with the target and inserts in
 * the same transaction; on a refusal nothing changes and *field (if field is
 * non-NULL) names the offending input or the reason, or is NULL. */

/* Store a new link for a live unit: PERR_NOT_FOUND (field "unit_id") if the
 * unit does not exist, PERR_CONFLICT ("unit_id") if it is archived. The
 * audit target becomes "invite:<id>". */
static inline int store_invite_create(struct store_handle *h, const struct invite_new *n,
				      const struct audit_entry *audit, int64_t *id_out,
				      const char **field)
{
	return h->ops->invite_create(h->st, n, audit, id_out, field);
}
/* One link with its unit and creator; PERR_NOT_FOUND if absent. out must be
 * invite_clear'ed on PERR_OK. */
static inline int store_invite_get(struct store_handle *h, int64_t id, struct invite *out)
{
	return h->ops->invite_get(h->st, id, out);
}
/* Links matching f, newest first. The caller filters by permission. */
static inline int store_invite_list(struct store_handle *h, const struct invite_filter *f,
				    struct invite_list *out)
{
	return h->ops->invite_list(h->st, f, out);
}
/* Revoke a link at audit->now. PERR_NOT_FOUND if absent; revoking a revoked
 * link is PERR_OK and changes (and audits) nothing. */
static inline int store_invite_revoke(struct store_handle *h, int64_t id,
				      const struct audit_entry *audit)
{
	return h->ops->invite_revoke(h->st, id, audit);
}
/* The link with this token hash, whatever its state (the caller tells live
 * from revoked, expired and exhausted), the college's name and, for parent
 * links, the active students of the group by name. PERR_NOT_FOUND if no link
 * has this hash. out must be join_preview_clear'ed on PERR_OK. */
static inline int store_join_preview(struct store_handle *h, const uint8_t hash[STORE_HASH_LEN],
				     int64_t now, struct join_preview *out)
{
	return h->ops->join_preview(h->st, hash, now, out);
}
/* Redeem a link in one transaction: re-check it (PERR_NOT_FOUND if unknown;
 * PERR_EXPIRED with field "revoked", "expired" or "exhausted", a link of an
 * archived unit counting as revoked). A personal link hands its account
 * over (PERR_CONFLICT "personal" if redeemed with a session or the account
 * already has a password; "login" if the login is another account's) and
 * counts the use, leaving its roles as they are (audit "join.personal").
 * Any other link: register the account if asked
 * (PERR_CONFLICT "login" if taken), refuse a second join of the same role
 * and unit (PERR_CONFLICT "role": pending or already held; for parents, the
 * same child; for students, a student of another group, who moves by a
 * transfer), check a parent link's child is an active student of the group
 * (PERR_INVALID "student_id"), count the use (concurrent redemptions never
 * exceed max_uses), then either queue a pending join request (parent links
 * always; others when the link needs approval) or assign the role directly
 * (students: + an enrolment movement; teachers and staff: + hiring). Audits
 * "account.register", "join.request" or "join.direct". */
static inline int store_join_redeem(struct store_handle *h, const struct join_redeem *in,
				    struct join_result *out, const char **field)
{
	return h->ops->join_redeem(h->st, in, out, field);
}
/* One join request with names; PERR_NOT_FOUND if absent. */
static inline int store_join_request_get(struct store_handle *h, int64_t id,
					 struct join_request *out)
{
	return h->ops->join_request_get(h->st, id, out);
}
/* Join requests matching f, newest first. The caller filters by permission. */
static inline int store_join_request_list(struct store_handle *h,
					  const struct join_request_filter *f,
					  struct join_request_list *out)
{
	return h->ops->join_request_list(h->st, f, out);
}
/* Approve or reject a pending request in one transaction: PERR_NOT_FOUND if
 * absent, PERR_CONFLICT ("status") if already decided. Approving assigns the
 * role in the unit unless already held (students: + enrolment, PERR_CONFLICT
 * "role" if meanwhile a student of another group; teachers and staff: +
 * hiring; parents: a confirmed guardianship + the parent role in the group,
 * PERR_CONFLICT "student_id" if the child has left the group). Audits
 * "join.approve" / "join.reject". *out tells what an approval granted. */
static inline int store_join_request_decide(struct store_handle *h, const struct join_decision *d,
					    struct join_result *out, const char **field)
{
	return h->ops->join_request_decide(h->st, d, out, field);
}
/* ==== end invites slice: wrappers ==== */
/* ==== movements slice: wrappers ==== */
/* The person's state for planning req (domain movement_plan): whether they
 * exist, their active student and staff assignments, their latest movement
 * and latest student movement, and the units req names plus the group a
 * student on leave left. PERR_LIMIT if they hold more than
 * MOVEMENT_MAX_ACTIVE active assignments. */
static inline int store_movement_state_load(struct store_handle *h, int64_t user_id,
					    const struct movement_request *req, int64_t now,
					    struct movement_state *out)
{
	return h->ops->movement_state_load(h->st, user_id, req, now, out);
}
/* Record m in one transaction: re-read the state and refuse with
 * PERR_CONFLICT if it is not *m->expect any more (or if m->reverses_id was
 * reversed meanwhile); then per plan row end the assignment (until = now),
 * insert the movements row, create the assignment (since = now, created_by =
 * actor), end the parent role in the group left for guardians with no other
 * active child there, give confirmed guardians the parent role in the group
 * joined, and write the audit entry "movement.<kind>". out must be cleared by
 * the caller (free(out->changes)) on PERR_OK; untouched memory on failure. */
static inline int store_movement_record(struct store_handle *h, const struct movement_new *m,
					struct movement_recorded *out)
{
	return h->ops->movement_record(h->st, m, out);
}
/* One movement with names and reversed_by; PERR_NOT_FOUND if absent. out must
 * be movement_rec_clear'ed on PERR_OK. */
static inline int store_movement_get(struct store_handle *h, int64_t id, struct movement_rec *out)
{
	return h->ops->movement_get(h->st, id, out);
}
/* The person's movements in the order recorded (oldest first, at most 1000)
 * and the distinct units of their active assignments (up to max_units, the
 * college as AUTHZ_COLLEGE_UNIT) for authorization. PERR_NOT_FOUND if there
 * is no such person. out must be movement_list_clear'ed. */
static inline int store_movement_person_list(struct store_handle *h, int64_t user_id, int64_t now,
					     struct movement_list *out, int64_t *units,
					     size_t max_units, size_t *nunits)
{
	return h->ops->movement_person_list(h->st, user_id, now, out, units, max_units, nunits);
}
/* Movements matching f whose from or to unit is f->unit_id or under it,
 * newest first (effective date, then id); out->total counts every match.
 * out must be movement_list_clear'ed. */
static inline int store_movement_journal(struct store_handle *h, const struct movement_filter *f,
					 struct movement_list *out)
{
	return h->ops->movement_journal(h->st, f, out);
}
/* ==== end movements slice: wrappers ==== */
/* ==== import slice: wrappers ==== */
/* Apply a validated import plan (domain/import.h) in ONE write transaction:
 * groups first (with their branches), then staff and students, then parents,
 * so references inside the file resolve. Rows already marked bad are skipped;
 * rows whose references do not resolve (unknown_group, unknown_student) or
 * whose login belongs to another person (conflict) are marked bad and get a
 * problem in the plan. Fills plan->counts (created, updated, unchanged). New
 * people get no password (opt->password_hash aside), an enrolment or hiring
 * movement dated opt->today; a student in another group is transferred. With
 * opt->dry_run everything is checked the same way and nothing is kept. A real
 * run writes the audit entry "import.apply" with the counts. Returns PERR_OK
 * whatever the rows held, or a store error (then nothing was kept). */
static inline int store_import_apply(struct store_handle *h, struct import_plan *plan,
				     const struct import_options *opt)
{
	return h->ops->import_apply(h->st, plan, opt);
}
/* Imported people (import_people) without a password and not disabled who
 * hold an active role in unit_id or below (0: anywhere), with the role and
 * unit their personal link should carry, ordered by group code and name. out
 * must be import_invitee_list_clear'ed on PERR_OK. */
static inline int store_import_invitees(struct store_handle *h, int64_t unit_id, int64_t now,
					struct import_invitee_list *out)
{
	return h->ops->import_invitees(h->st, unit_id, now, out);
}
/* In one transaction: revoke every live personal link of each listed person,
 * store the new links (personal, max_uses 1, no approval, bound to the person
 * through invites.personal_user_id) and write the audit entry
 * "import.export_invitations" with the count. */
static inline int store_import_invites_issue(struct store_handle *h, const struct import_invite_batch *b)
{
	return h->ops->import_invites_issue(h->st, b);
}
/* Seed the demo college into an empty store, in one transaction: refuse with
 * PERR_CONFLICT if any org unit besides the college exists; set the college's
 * name and details, create the departments and the platform administrator,
 * apply plan like store_import_apply (every new person gets
 * opt->password_hash), then set the director flag and the curator roles.
 * Audit "demo.seed". */
static inline int store_demo_seed(struct store_handle *h, const struct demo_seed *d,
				  struct import_plan *plan, const struct import_options *opt)
{
	return h->ops->demo_seed(h->st, d, plan, opt);
}
/* ==== end import slice: wrappers ==== */
/* ==== chatadmin slice: wrappers ==== */
/* Chat administration. Writes decide inside their transaction (the rules of
 * domain/chat_policy.h, the contact policy authz_may_contact) and refuse with
 * nothing changed: PERR_NOT_FOUND (no such chat), PERR_FORBIDDEN (the actor
 * may not; *field names the offending input when it is about one), or as
 * documented. Every change is an event of the chat's log, published after
 * the commit; moderation writes an audit entry in the same transaction. */

/* Create a chat (the caller checked who may create which kind: authz).
 * Direct: the peer must exist, be another person, and pass the contact
 * policy (PERR_INVALID / PERR_FORBIDDEN "user_id"); if the pair already has
 * a direct chat, *existed is set and its id returned, nothing written.
 * Group/channel: the creator becomes the owner, each of user_ids a member if
 * they exist (else PERR_INVALID "user_ids") and pass the contact policy
 * relative to the creator (else PERR_FORBIDDEN "user_ids"); channels post
 * admins only. Subject chats (unit_id set): the unit must be a live study
 * group (PERR_INVALID / PERR_CONFLICT "unit_id"), without a live subject chat
 * of the same subject (PERR_CONFLICT "subject"); mandatory = 'subject', the
 * group's active students and its curator join as system members. Audit
 * "chat.create" (not for direct chats). */
static inline int store_chat_create(struct store_handle *h, const struct chat_new *n,
				    int64_t *chat_id, bool *existed, const char **field)
{
	return h->ops->chat_create(h->st, n, chat_id, existed, field);
}
/* The chat as user_id, a current member, sees it. PERR_NOT_FOUND if there is
 * no such chat, PERR_FORBIDDEN if they are not a member now. out must be
 * chat_summary_clear'ed on PERR_OK. */
static inline int store_chat_get(struct store_handle *h, int64_t user_id, int64_t chat_id,
				 int64_t now, struct chat_summary *out)
{
	return h->ops->chat_get(h->st, user_id, chat_id, now, out);
}
/* Every chat user_id is a member of, most recent activity first. */
static inline int store_chat_list(struct store_handle *h, int64_t user_id, int64_t now,
				  struct chat_summary_list *out)
{
	return h->ops->chat_list(h->st, user_id, now, out);
}
/* Change a group chat's or channel's settings (owner and admins): event
 * "chat.updated" with the changed values, audit "chat.update". Nothing to
 * change: PERR_OK, no event. */
static inline int store_chat_update(struct store_handle *h, const struct chat_settings_patch *p,
				    const char **field)
{
	return h->ops->chat_update(h->st, p, field);
}
/* The members of a chat user_id is a member of (else PERR_FORBIDDEN). */
static inline int store_chat_members(struct store_handle *h, int64_t user_id, int64_t chat_id,
				     int64_t now, struct chat_member_list *out)
{
	return h->ops->chat_members(h->st, user_id, chat_id, now, out);
}
/* Add people by hand (chat_policy_may_add); each must exist (PERR_INVALID
 * "user_ids") and pass the contact policy relative to the actor
 * (PERR_FORBIDDEN "user_ids"); current members are skipped. Events
 * "member.added"; audit "chat.member_add". a->added receives the people
 * added (free it). */
static inline int store_chat_members_add(struct store_handle *h, struct chat_members_add *a,
					 const char **field)
{
	return h->ops->chat_members_add(h->st, a, field);
}
/* Remove a member or leave (event "member.removed", audit
 * "chat.member_remove" unless leaving), or change their role (owner only;
 * "owner" hands ownership over: events "member.role", audit
 * "chat.member_role") and/or mute them until now + muted_for_s (0: unmute;
 * event "member.muted", audit "chat.mute" / "chat.unmute"). Rules:
 * chat_policy_may_remove / may_set_role / may_mute. */
static inline int store_chat_member_change(struct store_handle *h,
					   const struct chat_member_change *c, const char **field)
{
	return h->ops->chat_member_change(h->st, c, field);
}
/* A page of the messages q->user_id may read (their membership spans).
 * PERR_NOT_FOUND: no such chat; PERR_FORBIDDEN: never a member. Clear out
 * with chat_message_list_clear. */
static inline int store_chat_history(struct store_handle *h, const struct chat_page_query *q,
				     struct chat_message_list *out)
{
	return h->ops->chat_history(h->st, q, out);
}
/* The live pinned messages user_id may read, newest first; errors as history. */
static inline int store_chat_pins(struct store_handle *h, int64_t user_id, int64_t chat_id,
				  struct chat_message_list *out)
{
	return h->ops->chat_pins(h->st, user_id, chat_id, out);
}
/* The versions of message seq, which user_id may read (else PERR_NOT_FOUND,
 * like a message that does not exist; PERR_FORBIDDEN if never a member). */
static inline int store_chat_edits(struct store_handle *h, int64_t user_id, int64_t chat_id,
				   int64_t seq, struct chat_edit_list *out)
{
	return h->ops->chat_edits(h->st, user_id, chat_id, seq, out);
}
/* Who of the members that could see message seq (their spans cover it; not
 * its author) has read it (read_seq >= seq) and who has not. user_id must
 * see the message and be the chat's owner or admin or the message's author
 * (else PERR_FORBIDDEN). */
static inline int store_chat_reads(struct store_handle *h, int64_t user_id, int64_t chat_id,
				   int64_t seq, struct chat_read_report *out)
{
	return h->ops->chat_reads(h->st, user_id, chat_id, seq, out);
}

/* Joining a chat by link (docs/internals/chat_policy.md, "Joining by link").
 * Links lead into group chats and channels that are not mandatory; their
 * owner and admins manage them. The management calls answer PERR_NOT_FOUND
 * (no such chat), PERR_FORBIDDEN (user_id is not a current member, or only a
 * plain member; or, to change anything, the chat is archived), PERR_CONFLICT
 * "chat" (a direct or mandatory chat: no links there). */

/* Create a link with n's token hash and sealed token; audit
 * "chat.link_create" (without the token). out (chat_link_clear it) receives
 * the stored link. */
static inline int store_chat_link_create(struct store_handle *h, const struct chat_link_new *n,
					 struct chat_link *out, const char **field)
{
	return h->ops->chat_link_create(h->st, n, out, field);
}
/* The chat's links, newest first, as of now (dormant computed). */
static inline int store_chat_links(struct store_handle *h, int64_t user_id, int64_t chat_id,
				   int64_t now, struct chat_link_list *out, const char **field)
{
	return h->ops->chat_links(h->st, user_id, chat_id, now, out, field);
}
/* Revoke link_id of chat_id at audit->now (PERR_NOT_FOUND if the chat has
 * no such link); audit "chat.link_revoke". Revoking a revoked link changes
 * nothing and succeeds. out receives the link as it is now. */
static inline int store_chat_link_revoke(struct store_handle *h, int64_t user_id, int64_t chat_id,
					 int64_t link_id, const struct audit_entry *audit,
					 struct chat_link *out, const char **field)
{
	return h->ops->chat_link_revoke(h->st, user_id, chat_id, link_id, audit, out, field);
}
/* Open the link whose token hashes to hash, as user_id at now: PERR_NOT_FOUND
 * (no such link), PERR_FORBIDDEN (user_id has no active role: nobody outside
 * the college), PERR_EXPIRED with *field "revoked" (also a dormant link),
 * "expired" or "exhausted". On PERR_OK out (chat_link_preview_clear it)
 * describes the chat and whether the user may join. */
static inline int store_chat_link_preview(struct store_handle *h, const uint8_t hash[STORE_HASH_LEN],
					  int64_t user_id, int64_t now, bool classmates_allowed,
					  struct chat_link_preview *out, const char **field)
{
	return h->ops->chat_link_preview(h->st, hash, user_id, now, classmates_allowed, out, field);
}
/* Join by link, in one write transaction that re-checks everything: errors
 * as preview, then PERR_CONFLICT (already a member), PERR_FORBIDDEN "removed"
 * (a moderator removed the user from this chat: only an admin may add them
 * back) or "link" (the link's creator may not write to the user). Then the
 * user becomes a member (event "member.added" with by = the user), the
 * link's uses grow by one (never past max_uses, whatever the concurrency),
 * audit "chat.join_link". j->chat_id receives the chat. */
static inline int store_chat_link_join(struct store_handle *h, struct chat_link_join *j,
				       const char **field)
{
	return h->ops->chat_link_join(h->st, j, field);
}
/* ==== end chatadmin slice: wrappers ==== */
/* ==== chatsync slice: wrappers ==== */
/* At start-up, after the store opened: if no mandatory chat exists yet (the
 * first start after the chats upgrade, or a new college), create and fill
 * every mandatory chat from the structure (*full = true); otherwise bring the
 * «Преподаватели» chats up to date (people the command line made
 * administrators while the server was down). Idempotent; one write
 * transaction. full may be NULL. */
static inline int store_chats_reconcile_start(struct store_handle *h, int64_t at_ms, bool *full)
{
	return h->ops->chats_reconcile_start(h->st, at_ms, full);
}
/* ==== end chatsync slice: wrappers ==== */
/* ==== search slice: wrappers ==== */
/* Full-text search of the messages req->user_id may read: in chats where
 * they have a membership span, written inside one of their spans (a former
 * member keeps what was written while they belonged), not deleted; limited to
 * req->chat_id if given (PERR_FORBIDDEN if the user never belonged to it, or
 * it does not exist) and to ids below req->before_id if given. Newest first,
 * at most req->limit; out->next_before_id is the id to pass as before_id for
 * the next page, 0 when nothing older matches. The scan of candidates is
 * bounded: a page may hold fewer than limit hits with next_before_id set.
 * out must be search_result_clear'ed on PERR_OK. */
static inline int store_search_messages(struct store_handle *h, const struct search_request *req,
					struct search_result *out)
{
	return h->ops->search_messages(h->st, req, out);
}
/* ==== end search slice: wrappers ==== */

/* ---- chats (core: log, delivery, message writes) ---- */

/* The chats user_id is a member of now, with their positions. */
static inline int store_chat_user_chats(struct store_handle *h, int64_t user_id,
					struct chat_ref_list *out)
{
	return h->ops->chat_user_chats(h->st, user_id, out);
}
/* Events of chat_id after after_seq that user_id may read (their membership
 * spans), oldest first, at most limit (≤ CHAT_SYNC_LIMIT); out->more if cut.
 * PERR_FORBIDDEN if the user never belonged to the chat. */
static inline int store_chat_events_since(struct store_handle *h, int64_t user_id, int64_t chat_id,
					  int64_t after_seq, int limit, struct chat_event_list *out)
{
	return h->ops->chat_events_since(h->st, user_id, chat_id, after_seq, limit, out);
}
/* Append a message. Checks in the same transaction: membership, the chat's
 * post policy, mute, slow mode (PERR_RATE_LIMITED), reply/forward targets.
 * A repeated client id returns the first result with duplicate set. done NULL:
 * blocks until committed; otherwise returns PERR_OK at once, fills *out and
 * calls done(ud, rc) on the writer thread after the commit (out must live
 * until then). */
static inline int store_chat_send(struct store_handle *h, const struct chat_send *in,
				  struct chat_write_result *out, store_done_fn done, void *ud)
{
	return h->ops->chat_send(h->st, in, out, done, ud);
}
/* Edit, delete, react, unreact, pin, unpin a message; same contract as send. */
static inline int store_chat_message_op(struct store_handle *h, const struct chat_message_op *op,
					struct chat_write_result *out, store_done_fn done, void *ud)
{
	return h->ops->chat_message_op(h->st, op, out, done, ud);
}
/* Move the user's read position forward to seq (never backwards; capped at
 * the chat's last seq). Appends no event. Same done contract. */
static inline int store_chat_read(struct store_handle *h, int64_t user_id, int64_t chat_id,
				  int64_t seq, store_done_fn done, void *ud)
{
	return h->ops->chat_read(h->st, user_id, chat_id, seq, done, ud);
}

/* Open the configured backend into h. */
int store_open(struct store_handle *h, const char *backend, const struct store_config *cfg);
void store_close(struct store_handle *h);

#endif
