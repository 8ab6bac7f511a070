/* SPDX-License-Identifier: MIT */
/* The rules of a chat's administration: who among its members may change its
 * settings, add, remove, promote or mute whom, depending on the chat's kind
 * (direct chats have no administration), whether it is a mandatory chat kept
 * in sync with the structure, the member roles (owner, admin, member) and
 * where a membership comes from (by hand, or the system); and the checks of
 * the values they set. Pure: the store loads the facts inside the write
 * transaction and asks these functions before changing anything. Who may
 * create chats and write to whom is authz's (authz_may_create_chat,
 * authz_may_contact). Any thread. */
#ifndef PARTA_DOMAIN_CHAT_POLICY_H
#define PARTA_DOMAIN_CHAT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAT_TITLE_MAX_CHARS 200
#define CHAT_DESCRIPTION_MAX_CHARS 1000
#define CHAT_SUBJECT_MAX_CHARS 200
#define CHAT_SLOW_MODE_MAX_S 3600
#define CHAT_MUTE_MIN_S 60
#define CHAT_MUTE_MAX_S 2592000          /* 30 days */
#define CHAT_ADD_MAX 200                 /* people added by one request */
#define CHAT_PAGE_DEFAULT 50             /* history page */
#define CHAT_PAGE_MAX 100
#define CHAT_PREVIEW_CHARS 200           /* the last message shown in the chat list */
/* Classmates may write to each other unless the college says otherwise
 * (DESIGN.md §6: "by classmates if the college allows it"). */
#define CHAT_CLASSMATES_ALLOWED_DEFAULT true

enum chat_kind { CHAT_KIND_NONE = 0, CHAT_KIND_DIRECT, CHAT_KIND_GROUP, CHAT_KIND_CHANNEL };
enum chat_role { CHAT_ROLE_NONE = 0, CHAT_ROLE_MEMBER, CHAT_ROLE_ADMIN, CHAT_ROLE_OWNER };

/* "direct", "group", "channel" / "member", "admin", "owner" ("" for NONE). */
const char *chat_kind_name(enum chat_kind k);
const char *chat_role_name(enum chat_role r);
/* NONE if s[0..len) names none. */
enum chat_kind chat_kind_parse(const char *s, size_t len);
enum chat_role chat_role_parse(const char *s, size_t len);

/* What the rules need to know about a chat. */
struct chat_facts {
	enum chat_kind kind;
	bool mandatory;          /* teachers, study group, parents or subject chat */
	bool add_policy_all;     /* any member may add people */
	bool archived;           /* read-only: nothing changes any more */
};

/* One membership as the rules see it. */
struct chat_membership {
	enum chat_role role;     /* CHAT_ROLE_NONE: not a member */
	bool system;             /* kept by the system (source 'system') */
};

/* Each returns PERR_OK if allowed, PERR_FORBIDDEN if the actor may not,
 * PERR_CONFLICT if nobody may in this state (the field to name is written to
 * *field when field is not NULL), PERR_NOT_FOUND if the target is not a
 * member. The actor must be a current member and the chat not archived
 * (else PERR_FORBIDDEN). */

/* Change the title, description or policies: owner and admins of a group
 * chat or channel. */
int chat_policy_may_update(const struct chat_facts *c, const struct chat_membership *actor);
/* Add people: owner and admins, or any member when the add policy is "all";
 * never in a direct chat. */
int chat_policy_may_add(const struct chat_facts *c, const struct chat_membership *actor);
/* Remove target (self: leave). Owner removes admins and members; admins
 * remove members; nobody removes the owner; system-kept members are removed
 * only by the system; a member leaves any chat but a mandatory or direct one;
 * the owner hands ownership over before leaving (PERR_CONFLICT "user_id"). */
int chat_policy_may_remove(const struct chat_facts *c, const struct chat_membership *actor,
			   const struct chat_membership *target, bool self, const char **field);
/* Give target the role to: only the owner, in a group chat or channel; admin
 * <-> member, or "owner" to hand ownership over (the old owner becomes an
 * admin). Not to oneself (PERR_CONFLICT "role"). The structure decides the
 * role of a system-kept member: only ownership may be handed to them. */
int chat_policy_may_set_role(const struct chat_facts *c, const struct chat_membership *actor,
			     const struct chat_membership *target, enum chat_role to, bool self,
			     const char **field);
/* Mute (or unmute) target: the owner mutes admins and members, admins mute
 * members; never oneself (PERR_CONFLICT "user_id") nor in a direct chat. */
int chat_policy_may_mute(const struct chat_facts *c, const struct chat_membership *actor,
			 const struct chat_membership *target, bool self, const char **field);
/* May the chat take post_policy ("all" | "admins")? A channel is where only
 * its admins post: it keeps "admins". */
bool chat_policy_post_policy_fits(const struct chat_facts *c, const char *post_policy);
/* May the member see who has read a message: owner, admins, or its author. */
bool chat_policy_may_see_reads(const struct chat_membership *actor, bool author);

/* Value checks. Texts: valid UTF-8 without control characters (a
 * description may hold line breaks and tabs), trimmed of surrounding
 * whitespace into out (out_size bytes, NUL-terminated), min..max characters.
 * PERR_OK or PERR_INVALID. */
int chat_policy_title(const char *s, size_t len, char *out, size_t out_size);
int chat_policy_description(const char *s, size_t len, char *out, size_t out_size);
int chat_policy_subject(const char *s, size_t len, char *out, size_t out_size);
/* "all" | "admins". */
bool chat_policy_valid_policy(const char *s, size_t len);
/* 0..CHAT_SLOW_MODE_MAX_S. */
bool chat_policy_valid_slow_mode(int64_t s);
/* 0 (unmute) or CHAT_MUTE_MIN_S..CHAT_MUTE_MAX_S. */
bool chat_policy_valid_mute(int64_t s);
/* The direct chat key of two distinct people: "<min>:<max>". */
void chat_policy_direct_key(int64_t a, int64_t b, char out[48]);
/* The number of bytes of the first max_chars characters of valid UTF-8 s. */
size_t chat_policy_prefix(const char *s, size_t len, size_t max_chars);

#endif
