/* SPDX-License-Identifier: MIT */
/* Store types of chat administration (included by store.h inside the
 * chatadmin slice's markers; the vtable entries and wrappers live there):
 * creating chats, their settings, members and moderation, the chat list, the
 * history pages, the read report, edits and pins. Writes take the actor and
 * decide inside their transaction, from facts read there, with the pure rules
 * of domain/chat_policy.h and authz_may_contact; every change is an event of
 * the chat's log. Strings inside results are heap copies the caller frees
 * with the matching *_clear function. */
#ifndef PARTA_STORE_CHAT_ADMIN_H
#define PARTA_STORE_CHAT_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/chat_policy.h"

/* A chat as its member sees it (the chat list and GET /chats/:id). */
struct chat_summary {
	int64_t id;
	char kind[8];               /* direct | group | channel */
	char mandatory[16];         /* "" | teachers | study_group | parents | subject */
	int64_t unit_id;            /* 0: none */
	char *subject;              /* subject chats; NULL otherwise */
	char *title;                /* direct chats: the other person's name */
	char *description;
	char post_policy[8];        /* all | admins */
	char add_policy[8];
	int64_t slow_mode_s;
	int64_t created_by;         /* 0: the system */
	int64_t created_at;         /* unix seconds */
	bool archived;
	int64_t last_seq;
	int64_t members_count;
	int64_t peer_id;            /* direct chats: the other person; 0 otherwise */
	/* the requester's membership */
	char my_role[8];            /* owner | admin | member */
	int64_t read_seq;
	int64_t joined_seq;
	int64_t muted_until;        /* unix seconds; 0: may post */
	int64_t unread;             /* others' live messages after read_seq (current membership) */
	/* the last message the requester may read */
	bool has_last;
	int64_t last_msg_seq;
	int64_t last_author_id;
	char *last_author_name;
	char *last_text;            /* NULL if deleted */
	int64_t last_at_ms;
	int64_t activity_ms;        /* the last message, else when the requester joined */
};
void chat_summary_clear(struct chat_summary *c);

struct chat_summary_list {
	struct chat_summary *items; /* most recent activity first */
	size_t count;
};
void chat_summary_list_clear(struct chat_summary_list *l);

/* A new chat (store_chat_create). */
struct chat_new {
	int64_t actor_id;
	enum chat_kind kind;
	int64_t peer_id;              /* direct chats: the other person */
	const char *title;            /* group/channel: checked (chat_policy_title); subject chats: NULL = "<subject> <group code>" */
	const char *description;      /* checked; NULL: "" */
	const int64_t *user_ids;      /* initial members besides the creator (may repeat) */
	size_t nuser_ids;
	int64_t unit_id;              /* subject chats: the study group; 0 otherwise */
	const char *subject;          /* subject chats: checked (chat_policy_subject) */
	bool classmates_allowed;      /* contact policy setting */
	int64_t now_ms;
	struct audit_entry audit;     /* actor, ip, now: the store sets action, target, after */
};

/* A settings change; NULL / -1 members stay as they are. */
struct chat_settings_patch {
	int64_t actor_id;
	int64_t chat_id;
	const char *title;            /* checked */
	const char *description;      /* checked */
	const char *post_policy;      /* "all" | "admins" */
	const char *add_policy;
	int64_t slow_mode_s;          /* -1: unchanged */
	int64_t now_ms;
	struct audit_entry audit;
};

/* Adding people to a chat by hand. */
struct chat_members_add {
	int64_t actor_id;
	int64_t chat_id;
	const int64_t *user_ids;      /* 1..CHAT_ADD_MAX, may repeat */
	size_t nuser_ids;
	bool classmates_allowed;
	int64_t now_ms;
	struct audit_entry audit;
	/* out: the people added (those already members are skipped); heap, caller frees */
	int64_t *added;
	size_t nadded;
};

/* Removing a member, or changing their role and/or mute. */
struct chat_member_change {
	int64_t actor_id;
	int64_t chat_id;
	int64_t user_id;
	bool remove;                  /* remove (self: leave); the rest is ignored */
	enum chat_role role;          /* CHAT_ROLE_NONE: unchanged */
	bool mute;                    /* change the mute */
	int64_t muted_for_s;          /* 0: unmute; else checked (chat_policy_valid_mute) */
	int64_t now_ms;
	struct audit_entry audit;
};

struct chat_member_view {
	int64_t user_id;
	char *name;
	char role[8];
	char source[8];               /* manual | system */
	int64_t muted_until;          /* unix seconds; 0: may post */
};
struct chat_member_list {
	struct chat_member_view *items; /* owner, admins, then members; by name */
	size_t count;
};
void chat_member_list_clear(struct chat_member_list *l);

enum chat_page_mode { CHAT_PAGE_LATEST = 0, CHAT_PAGE_BEFORE, CHAT_PAGE_AFTER, CHAT_PAGE_AROUND };

struct chat_page_query {
	int64_t user_id;
	int64_t chat_id;
	enum chat_page_mode mode;
	int64_t seq;                  /* before/after/around */
	int limit;                    /* 1..CHAT_PAGE_MAX */
};

struct chat_reaction_count {
	char *emoji;
	int64_t count;
	bool mine;
};

struct chat_message_view {
	int64_t id;
	int64_t seq;
	int64_t author_id;
	char *author_name;
	char *text;                   /* NULL if deleted */
	bool deleted;
	bool deleted_by_moderator;    /* deleted by someone else than the author */
	int64_t at_ms;
	int64_t edited_at_ms;         /* 0: never edited */
	int64_t reply_to;             /* seq; 0: none */
	char *forwarded_from_json;    /* JSON object or NULL */
	char *mentions_json;          /* JSON array ("[]" when deleted) */
	char *attachments_json;       /* JSON array ("[]" when deleted) */
	bool pinned;
	struct chat_reaction_count *reactions; /* none when deleted */
	size_t nreactions;
};

struct chat_message_list {
	struct chat_message_view *items; /* oldest first */
	size_t count;
	bool has_more_before;
	bool has_more_after;
};
void chat_message_list_clear(struct chat_message_list *l);

/* One version of a message: its text and since when. */
struct chat_message_version {
	char *text;
	int64_t at_ms;
};
struct chat_edit_list {
	struct chat_message_version *items; /* oldest first, the current text last */
	size_t count;
	bool deleted;                 /* deleted messages show no versions */
};
void chat_edit_list_clear(struct chat_edit_list *l);

struct chat_person {
	int64_t id;
	char *name;
};
struct chat_read_report {
	int64_t seq;
	struct chat_person *read;     /* by name */
	size_t nread;
	struct chat_person *unread;
	size_t nunread;
};
void chat_read_report_clear(struct chat_read_report *r);

#endif
