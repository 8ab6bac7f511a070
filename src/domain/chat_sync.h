/* SPDX-License-Identifier: MIT */
/* Mandatory chats kept in sync with the college structure: «Преподаватели»
 * (the college's teaching staff, and one per branch), one group chat and one
 * parents' chat per study group, and the subject chats whose members follow
 * their group. This module holds the rules with no I/O: which role
 * assignment puts a person into which kind of chat with which chat role, the
 * Russian titles, and the difference between the members a chat should have
 * and those it has. The store (src/store/sqlite/chat_sync.c) loads both sets
 * and applies the difference through the chat core's member primitives.
 * docs/internals/mandatory-chats.md describes the whole. Pure functions, any
 * thread. */
#ifndef PARTA_DOMAIN_CHAT_SYNC_H
#define PARTA_DOMAIN_CHAT_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/authz.h"

/* The kinds of chats the system keeps in sync (chats.mandatory). */
enum chat_sync_kind {
	CHAT_SYNC_KIND_NONE = 0,
	CHAT_SYNC_TEACHERS,      /* «Преподаватели»: the college (unit 1) or a branch */
	CHAT_SYNC_STUDY_GROUP,   /* the group chat: students, curator, the group's teachers */
	CHAT_SYNC_PARENTS,       /* «Родители <code>»: the group's parents and curator */
	CHAT_SYNC_SUBJECT,       /* a teacher's subject chat: the group's students and curator */
	CHAT_SYNC_KIND__COUNT
};

/* Chat roles, in increasing order of rights. */
enum chat_sync_role {
	CHAT_SYNC_ROLE_NONE = 0,
	CHAT_SYNC_MEMBER,
	CHAT_SYNC_ADMIN,
	CHAT_SYNC_OWNER,
};

/* "teachers", "study_group", "parents", "subject" ("" otherwise). */
const char *chat_sync_kind_name(enum chat_sync_kind k);
/* CHAT_SYNC_KIND_NONE if s (NUL-terminated, may be NULL) names no kind. */
enum chat_sync_kind chat_sync_kind_parse(const char *s);
/* "member", "admin", "owner" ("" for CHAT_SYNC_ROLE_NONE). */
const char *chat_sync_role_name(enum chat_sync_role r);
/* CHAT_SYNC_ROLE_NONE if s (may be NULL) names no chat role. */
enum chat_sync_role chat_sync_role_parse(const char *s);

/* The chat role an active assignment of role r gives in a chat of kind k, or
 * CHAT_SYNC_ROLE_NONE if that assignment does not put its holder there. The
 * store passes, for a study group's chats, the group's assignments (student,
 * curator, parent) and ROLE_TEACHER for the owners of the group's subject
 * chats who still hold a teaching role; for «Преподаватели», every active
 * teacher, curator, administration and platform_admin assignment in the
 * chat's scope:
 *   teachers:    teacher, curator → member; administration, platform_admin → admin
 *   study_group: student, teacher → member; curator → admin
 *   parents:     parent → member; curator → admin
 *   subject:     student → member; curator → admin (the owner keeps their place) */
enum chat_sync_role chat_sync_role_for(enum chat_sync_kind k, enum role r);

#define CHAT_SYNC_TITLE_MAX 256 /* bytes of a title, NUL included */

/* The title of a mandatory chat into out (always NUL-terminated, cut at a
 * UTF-8 character boundary if too long):
 *   teachers, name NULL or "" (the college): «Преподаватели»
 *   teachers, name = a branch's name:        «Преподаватели — <name>»
 *   study_group, name = the group's code:    «<code>»
 *   parents, name = the group's code:        «Родители <code>»
 * Subject chats are titled by their teacher: out gets "" for them and for
 * unknown kinds. */
void chat_sync_title(enum chat_sync_kind k, const char *name, char out[CHAT_SYNC_TITLE_MAX]);

/* A set of chat members: wanted ones (role only) or present ones (role and
 * whether the member was added by hand: manual). */
struct chat_sync_member {
	int64_t user_id;
	enum chat_sync_role role;
	bool manual;
};
struct chat_sync_set {
	struct chat_sync_member *items;
	size_t count, cap;
};
/* Append (duplicates allowed: chat_sync_diff merges them). Aborts on memory
 * exhaustion (xrealloc). */
void chat_sync_set_add(struct chat_sync_set *s, int64_t user_id, enum chat_sync_role role,
		       bool manual);
void chat_sync_set_clear(struct chat_sync_set *s);

enum chat_sync_op {
	CHAT_SYNC_REMOVE = 1,  /* end the membership */
	CHAT_SYNC_SET_ROLE,    /* change a system member's role */
	CHAT_SYNC_ADD,         /* add as a system member with role */
};
struct chat_sync_change {
	enum chat_sync_op op;
	int64_t user_id;
	enum chat_sync_role role;  /* ADD, SET_ROLE */
};
struct chat_sync_diff {
	struct chat_sync_change *items;
	size_t count, cap;
};
void chat_sync_diff_clear(struct chat_sync_diff *d);

/* What turns the chat's present members into the wanted ones, into out
 * (cleared first): removals, then role changes, then additions, each in
 * increasing user id. Rules:
 *  - a wanted person who is not a member is added with the wanted role (the
 *    system never makes owners: a wanted owner is added as admin);
 *  - a present member added by hand (manual) or an owner is left alone, wanted
 *    or not, whatever their role;
 *  - a present system member who is not wanted is removed; one wanted with
 *    another role gets that role if set_roles (chats whose roles only the
 *    system sets: teachers', group and parents' chats), else keeps theirs
 *    (a subject chat's owner may promote and demote its members).
 * A person wanted several times gets the highest role; a person present
 * several times (never, from the store) counts once with the highest role.
 * Sorts both sets in place by user id. */
void chat_sync_diff_compute(struct chat_sync_set *want, struct chat_sync_set *have, bool set_roles,
			    struct chat_sync_diff *out);

#endif
