/* SPDX-License-Identifier: MIT */
/* The one authorization decision point. Every permission check of Parta is a
 * call to authz_allowed with the actor's role grants, the action, the role it
 * concerns (for invitations and reviews) and the org unit it touches with its
 * ancestors. Deny by default: an action/role pair not listed in authz.c is
 * refused. Pure: no store access, any thread; callers load grants and scope.
 * The rules follow the college's regulation (section 2) and are documented
 * as a table in docs/internals/authz.md. */
#ifndef PARTA_DOMAIN_AUTHZ_H
#define PARTA_DOMAIN_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
	ROLE_NONE = 0,
	ROLE_PLATFORM_ADMIN,
	ROLE_ADMINISTRATION,
	ROLE_CURATOR,
	ROLE_TEACHER,
	ROLE_STUDENT,
	ROLE_PARENT,
	ROLE_STAFF,
	ROLE__COUNT
};

/* "platform_admin", "administration", … ("" for ROLE_NONE). */
const char *role_name(enum role r);
/* ROLE_NONE if s[0..len) names no role. */
enum role role_parse(const char *s, size_t len);

#define AUTHZ_COLLEGE_UNIT 1 /* org unit id of the college itself */
#define AUTHZ_MAX_DEPTH 8

struct authz_grant {
	enum role role;
	int64_t unit_id;   /* 0 or AUTHZ_COLLEGE_UNIT: the whole college */
	bool director;     /* administration only */
};

struct authz_actor {
	int64_t user_id;
	const struct authz_grant *grants;
	size_t ngrants;
};

/* The org unit an action touches and its ancestors, nearest first (the
 * college last). unit_id 0: the college as a whole. */
struct authz_scope {
	int64_t unit_id;
	int64_t ancestors[AUTHZ_MAX_DEPTH];
	size_t nancestors;
};

enum authz_action {
	AUTHZ_STRUCTURE_READ,   /* see the tree of branches, departments and groups */
	AUTHZ_COLLEGE_EDIT,     /* the college's name and details */
	AUTHZ_STRUCTURE_EDIT,   /* create, rename, move, archive units under scope */
	AUTHZ_ADMIN_APPOINT,    /* appoint or relieve a platform administrator */
	AUTHZ_ROLE_ASSIGN,      /* assign target_role in scope (curator of a group…) */
	AUTHZ_INVITE_CREATE,    /* an invitation link for target_role into scope */
	AUTHZ_INVITE_MANAGE,    /* list and revoke links of target_role in scope */
	AUTHZ_JOIN_REVIEW,      /* approve or reject join requests for target_role in scope */
	AUTHZ_MOVEMENT_RECORD,  /* enrolment, transfer, expulsion, hiring, dismissal… */
	AUTHZ_PEOPLE_READ,      /* the roster of a unit and a person's history */
	AUTHZ_AUDIT_READ,       /* the audit log */
	AUTHZ_IMPORT,           /* CSV import and personal-link export */
	AUTHZ__COUNT
};

const char *authz_action_name(enum authz_action a);

/* May actor do act (about target_role, ROLE_NONE if not applicable) in scope?
 * scope may be NULL for college-wide actions. */
bool authz_allowed(const struct authz_actor *actor, enum authz_action act, enum role target_role,
		   const struct authz_scope *scope);

/* True if the grant's unit covers the scope (the unit itself or an ancestor,
 * or the grant is college-wide). */
bool authz_covers(const struct authz_grant *g, const struct authz_scope *scope);

/* ==== chatadmin slice: chat creation and contact policy ==== */
/* Who may start a conversation with whom (DESIGN.md §6), decided from facts
 * about two people that the store computes from the structure: their active
 * roles, whether one teaches, curates or administers a study group where the
 * other (or the other's child) is a student, guardianship, classmates and
 * chats they share. The same rule answers "may actor open a direct chat with
 * target" and "may actor add target to a chat". Pure; any thread. The
 * decision table is in docs/internals/chat_policy.md. */

/* Bit of role r in a role set (contact_facts.actor_roles / target_roles). */
#define AUTHZ_ROLE_BIT(r) (1u << (unsigned)(r))

struct contact_facts {
	bool same_person;
	unsigned actor_roles;          /* AUTHZ_ROLE_BIT of each active role */
	unsigned target_roles;
	/* the actor holds teacher, curator, administration or platform
	 * administrator in a unit covering a study group where the target is an
	 * active student (and the reverse) */
	bool actor_covers_target;
	bool target_covers_actor;
	/* the same about a group of a confirmed child of the target (the target
	 * is a parent), and of the actor */
	bool actor_covers_target_child;
	bool target_covers_actor_child;
	bool actor_guardian_of_target; /* a confirmed guardianship */
	bool target_guardian_of_actor;
	bool classmates;               /* active students of one study group */
	bool shared_chat;              /* current members of one group chat or channel */
	bool classmates_allowed;       /* the college lets classmates write to each other */
};

/* May the actor write to the target: open a direct chat with them, or add
 * them to a chat? Deny by default. */
bool authz_may_contact(const struct contact_facts *f);

/* May the actor create a group chat or a channel (a free chat)? The platform
 * administrator, the administration, curators and teachers (regulation 2.1-2.4). */
bool authz_may_create_chat(const struct authz_actor *actor);

/* May the actor create a subject chat for the study group in scope? A
 * teacher, curator or administration member whose unit covers the group, or
 * the platform administrator. */
bool authz_may_create_subject_chat(const struct authz_actor *actor, const struct authz_scope *group);
/* ==== end chatadmin slice: chat creation and contact policy ==== */

#endif
