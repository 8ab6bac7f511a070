/* SPDX-License-Identifier: MIT */
/* Store types of joining a chat by link (included by store.h inside the
 * chatadmin slice's markers, after the invitation types it borrows
 * STORE_HASH_LEN and STORE_SEALED_MAX from; the vtable entries and wrappers
 * live there). A link leads into one group chat or channel that is not
 * mandatory; its owner and admins create, list and revoke links; a person of
 * the college opens one and joins as a member if the link's creator may write
 * to them (authz_may_contact). The token itself never reaches the store: only
 * its hash (lookup) and its sealed copy (shown again to those who manage the
 * link). Times are unix seconds. Strings inside results are heap copies
 * freed by the matching *_clear function. */
#ifndef PARTA_STORE_CHAT_LINKS_H
#define PARTA_STORE_CHAT_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A link as those who manage it see it. */
struct chat_link {
	int64_t id;
	int64_t chat_id;
	int64_t created_by;
	char *created_by_name;
	int64_t created_at;
	int64_t expires_at;
	int64_t max_uses;
	int64_t uses;
	int64_t revoked_at;           /* 0: not revoked */
	/* The link cannot be used although nobody revoked it: its creator is no
	 * longer an owner or admin of the chat or has no active role in the
	 * college any more, or the chat was archived. Reported as revoked. */
	bool dormant;
	uint8_t token_sealed[STORE_SEALED_MAX];
	size_t token_sealed_len;
};
void chat_link_clear(struct chat_link *l);

struct chat_link_list {
	struct chat_link *items;      /* newest first */
	size_t count;
};
void chat_link_list_clear(struct chat_link_list *l);

/* A new link (store_chat_link_create). */
struct chat_link_new {
	int64_t actor_id;
	int64_t chat_id;
	uint8_t token_hash[STORE_HASH_LEN];
	const uint8_t *token_sealed;  /* borrowed for the call */
	size_t token_sealed_len;
	int64_t now;
	int64_t expires_at;
	int64_t max_uses;
	struct audit_entry audit;     /* actor, ip, now: the store sets action, target, after */
};

/* What opening a link shows, and what decides whether the user may join. */
struct chat_link_preview {
	struct chat_link link;
	char kind[8];                 /* group | channel */
	char *title;
	int64_t members_count;
	bool already_member;          /* the user is a member now */
	bool removed;                 /* a moderator removed the user from the chat */
	bool may_join;                /* not a member, not removed by a moderator, and the
				       * creator may write to the user (contact policy) */
};
void chat_link_preview_clear(struct chat_link_preview *p);

/* Joining by link (store_chat_link_join). */
struct chat_link_join {
	int64_t user_id;
	uint8_t token_hash[STORE_HASH_LEN];
	bool classmates_allowed;      /* contact policy setting */
	int64_t now_ms;               /* the member.added event's time; now_ms / 1000 decides expiry */
	struct audit_entry audit;
	int64_t chat_id;              /* out: the chat joined */
};

#endif
