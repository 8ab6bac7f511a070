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

#define STORE_HASH_LEN 32 /* token hashes (BLAKE2b-256) */

struct store;

struct store_config {
	const char *data_dir;      /* sqlite: the database lives in data_dir/parta.db */
	const char *postgres_url;
	int readers;               /* reader connections */
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
/* ==== end org slice: structs ==== */
/* ==== invites slice: structs (invitations, join requests) ==== */
/* ==== end invites slice: structs ==== */
/* ==== movements slice: structs ==== */
/* ==== end movements slice: structs ==== */
/* ==== import slice: structs ==== */
/* ==== end import slice: structs ==== */

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
	/* ==== end org slice: ops ==== */
	/* ==== invites slice: ops ==== */
	/* ==== end invites slice: ops ==== */
	/* ==== movements slice: ops ==== */
	/* ==== end movements slice: ops ==== */
	/* ==== import slice: ops ==== */
	/* ==== end import slice: ops ==== */
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
/* ==== end org slice: wrappers ==== */
/* ==== invites slice: wrappers ==== */
/* ==== end invites slice: wrappers ==== */
/* ==== movements slice: wrappers ==== */
/* ==== end movements slice: wrappers ==== */
/* ==== import slice: wrappers ==== */
/* ==== end import slice: wrappers ==== */

/* Open the configured backend into h. */
int store_open(struct store_handle *h, const char *backend, const struct store_config *cfg);
void store_close(struct store_handle *h);

#endif
