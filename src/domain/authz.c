/* SPDX-License-Identifier: MIT */
/* Authorization rules as data: for each role, the actions it may take, which
 * target roles they may concern and whether the grant's unit must cover the
 * scope. Anything not in the table is denied. */
#include "domain/authz.h"

#include <string.h>

static const char *const role_names[ROLE__COUNT] = {
	[ROLE_NONE] = "",
	[ROLE_PLATFORM_ADMIN] = "platform_admin",
	[ROLE_ADMINISTRATION] = "administration",
	[ROLE_CURATOR] = "curator",
	[ROLE_TEACHER] = "teacher",
	[ROLE_STUDENT] = "student",
	[ROLE_PARENT] = "parent",
	[ROLE_STAFF] = "staff",
};

static const char *const action_names[AUTHZ__COUNT] = {
	[AUTHZ_STRUCTURE_READ] = "structure.read",  [AUTHZ_COLLEGE_EDIT] = "college.edit",
	[AUTHZ_STRUCTURE_EDIT] = "structure.edit",  [AUTHZ_ADMIN_APPOINT] = "admin.appoint",
	[AUTHZ_ROLE_ASSIGN] = "role.assign",        [AUTHZ_INVITE_CREATE] = "invite.create",
	[AUTHZ_INVITE_MANAGE] = "invite.manage",    [AUTHZ_JOIN_REVIEW] = "join.review",
	[AUTHZ_MOVEMENT_RECORD] = "movement.record", [AUTHZ_PEOPLE_READ] = "people.read",
	[AUTHZ_AUDIT_READ] = "audit.read",          [AUTHZ_IMPORT] = "import",
};

const char *role_name(enum role r)
{
	return r > ROLE_NONE && r < ROLE__COUNT ? role_names[r] : "";
}

enum role role_parse(const char *s, size_t len)
{
	for (int r = ROLE_NONE + 1; r < ROLE__COUNT; r++)
		if (strlen(role_names[r]) == len && memcmp(role_names[r], s, len) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *authz_action_name(enum authz_action a)
{
	return a >= 0 && a < AUTHZ__COUNT ? action_names[a] : "";
}

#define R(x) (1u << (x))
#define ALL_ROLES (R(ROLE_PLATFORM_ADMIN) | R(ROLE_ADMINISTRATION) | R(ROLE_CURATOR) | \
		   R(ROLE_TEACHER) | R(ROLE_STUDENT) | R(ROLE_PARENT) | R(ROLE_STAFF))
#define NO_TARGET R(ROLE_NONE)

struct authz_rule {
	enum role role;          /* the actor's grant */
	enum authz_action act;
	unsigned targets;        /* bit set of target roles (NO_TARGET: actions without one) */
	bool scoped;             /* the grant's unit must cover the scope */
	bool director_only;
};

/* The regulation, section 2, as rules. */
static const struct authz_rule rules[] = {
	/* 2.1 the platform administrator builds the structure, issues links for
	 * administration, teachers, curators, staff and students, reviews join
	 * requests, records movements; and sees the audit log */
	{ROLE_PLATFORM_ADMIN, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_COLLEGE_EDIT, NO_TARGET, false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_STRUCTURE_EDIT, NO_TARGET, false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_ROLE_ASSIGN,
	 R(ROLE_ADMINISTRATION) | R(ROLE_CURATOR) | R(ROLE_TEACHER) | R(ROLE_STAFF) | R(ROLE_STUDENT),
	 false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_INVITE_CREATE,
	 R(ROLE_ADMINISTRATION) | R(ROLE_CURATOR) | R(ROLE_TEACHER) | R(ROLE_STAFF) | R(ROLE_STUDENT) |
		 R(ROLE_PARENT),
	 false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_INVITE_MANAGE, ALL_ROLES & ~R(ROLE_PLATFORM_ADMIN), false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_JOIN_REVIEW, ALL_ROLES & ~R(ROLE_PLATFORM_ADMIN), false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_MOVEMENT_RECORD, NO_TARGET, false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_PEOPLE_READ, NO_TARGET, false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_AUDIT_READ, NO_TARGET, false, false},
	{ROLE_PLATFORM_ADMIN, AUTHZ_IMPORT, NO_TARGET, false, false},
	/* 2.2 the administration appoints the platform administrator, hands
	 * parents links (2.6) and oversees its units; the director sees the audit */
	{ROLE_ADMINISTRATION, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
	{ROLE_ADMINISTRATION, AUTHZ_ADMIN_APPOINT, NO_TARGET, false, false},
	{ROLE_ADMINISTRATION, AUTHZ_INVITE_CREATE, R(ROLE_PARENT), true, false},
	{ROLE_ADMINISTRATION, AUTHZ_INVITE_MANAGE, R(ROLE_PARENT), true, false},
	{ROLE_ADMINISTRATION, AUTHZ_PEOPLE_READ, NO_TARGET, true, false},
	{ROLE_ADMINISTRATION, AUTHZ_AUDIT_READ, NO_TARGET, false, true},
	/* 2.3 the curator invites the students of their group and its parents,
	 * and confirms them */
	{ROLE_CURATOR, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
	{ROLE_CURATOR, AUTHZ_INVITE_CREATE, R(ROLE_STUDENT) | R(ROLE_PARENT), true, false},
	{ROLE_CURATOR, AUTHZ_INVITE_MANAGE, R(ROLE_STUDENT) | R(ROLE_PARENT), true, false},
	{ROLE_CURATOR, AUTHZ_JOIN_REVIEW, R(ROLE_STUDENT) | R(ROLE_PARENT), true, false},
	{ROLE_CURATOR, AUTHZ_PEOPLE_READ, NO_TARGET, true, false},
	/* 2.4 / 2.6 teachers hand parents links for groups in their unit */
	{ROLE_TEACHER, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
	{ROLE_TEACHER, AUTHZ_INVITE_CREATE, R(ROLE_PARENT), true, false},
	{ROLE_TEACHER, AUTHZ_INVITE_MANAGE, R(ROLE_PARENT), true, false},
	{ROLE_TEACHER, AUTHZ_PEOPLE_READ, NO_TARGET, true, false},
	/* 2.5, 2.6 and staff: members of the college see its structure */
	{ROLE_STUDENT, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
	{ROLE_PARENT, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
	{ROLE_STAFF, AUTHZ_STRUCTURE_READ, NO_TARGET, false, false},
};

bool authz_covers(const struct authz_grant *g, const struct authz_scope *scope)
{
	if (g->unit_id == 0 || g->unit_id == AUTHZ_COLLEGE_UNIT)
		return true;
	if (!scope || scope->unit_id == 0)
		return false;
	if (scope->unit_id == g->unit_id)
		return true;
	for (size_t i = 0; i < scope->nancestors && i < AUTHZ_MAX_DEPTH; i++)
		if (scope->ancestors[i] == g->unit_id)
			return true;
	return false;
}

bool authz_allowed(const struct authz_actor *actor, enum authz_action act, enum role target_role,
		   const struct authz_scope *scope)
{
	if (!actor || act < 0 || act >= AUTHZ__COUNT || target_role < 0 || target_role >= ROLE__COUNT)
		return false;
	for (size_t g = 0; g < actor->ngrants; g++) {
		const struct authz_grant *grant = &actor->grants[g];
		for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
			const struct authz_rule *rule = &rules[i];
			if (rule->role != grant->role || rule->act != act)
				continue;
			if (!(rule->targets & R(target_role)))
				continue;
			if (rule->director_only && !grant->director)
				continue;
			if (rule->scoped && !authz_covers(grant, scope))
				continue;
			return true;
		}
	}
	return false;
}

/* ==== chatadmin slice: chat creation and contact policy ==== */
#define STAFF_ROLES (R(ROLE_PLATFORM_ADMIN) | R(ROLE_ADMINISTRATION) | R(ROLE_CURATOR) | \
		     R(ROLE_TEACHER) | R(ROLE_STAFF))

bool authz_may_contact(const struct contact_facts *f)
{
	if (!f || f->same_person)
		return false;
	/* nobody outside the college: both need an active role */
	if (!f->actor_roles || !f->target_roles)
		return false;
	/* the platform administrator reaches everyone in the college */
	if (f->actor_roles & R(ROLE_PLATFORM_ADMIN))
		return true;
	/* adults among staff contact each other freely */
	if ((f->actor_roles & STAFF_ROLES) && (f->target_roles & STAFF_ROLES))
		return true;
	/* a family: a parent and their own child, both ways */
	if (f->actor_guardian_of_target || f->target_guardian_of_actor)
		return true;
	/* a student and the staff who teach, curate or administer their group;
	 * a parent and the staff of their child's group: both ways */
	if (f->actor_covers_target || f->target_covers_actor || f->actor_covers_target_child ||
	    f->target_covers_actor_child)
		return true;
	/* classmates, if the college allows it (it does by default) */
	if (f->classmates && f->classmates_allowed)
		return true;
	/* members of a chat they share, except parents: a parent is reached only
	 * by the staff of their child's units and reaches only them and their
	 * child, whatever chats they are in */
	if (f->shared_chat && f->actor_roles != R(ROLE_PARENT) && f->target_roles != R(ROLE_PARENT))
		return true;
	return false;
}

bool authz_may_create_chat(const struct authz_actor *actor)
{
	if (!actor)
		return false;
	const unsigned creators = R(ROLE_PLATFORM_ADMIN) | R(ROLE_ADMINISTRATION) | R(ROLE_CURATOR) |
				  R(ROLE_TEACHER);
	for (size_t g = 0; g < actor->ngrants; g++)
		if (actor->grants[g].role > ROLE_NONE && actor->grants[g].role < ROLE__COUNT &&
		    (creators & R(actor->grants[g].role)))
			return true;
	return false;
}

bool authz_may_create_subject_chat(const struct authz_actor *actor, const struct authz_scope *group)
{
	if (!actor || !group || group->unit_id == 0)
		return false;
	for (size_t g = 0; g < actor->ngrants; g++) {
		const struct authz_grant *grant = &actor->grants[g];
		if (grant->role == ROLE_PLATFORM_ADMIN)
			return true;
		if ((grant->role == ROLE_TEACHER || grant->role == ROLE_CURATOR ||
		     grant->role == ROLE_ADMINISTRATION) &&
		    authz_covers(grant, group))
			return true;
	}
	return false;
}
/* ==== end chatadmin slice: chat creation and contact policy ==== */
