/* SPDX-License-Identifier: MIT */
/* Movements of students and staff (regulation 2.1: "редактирует информацию,
 * связанную с движением обучающихся и педагогических работников"): enrolment,
 * transfer, academic leave, return, expulsion, graduation; hiring, staff
 * transfer, dismissal. This module is the state machine with no I/O: it
 * validates a request's shape, decides from the person's current state what a
 * movement does to role assignments (movement_plan), what undoes a recorded
 * movement (movement_reversal), and keeps the registry of hooks that other
 * modules (chat membership) run after a movement committed. The rules are
 * documented as a table in docs/internals/movements.md. Pure functions, any
 * thread, except the hook registry (loop thread). */
#ifndef PARTA_DOMAIN_MOVEMENTS_H
#define PARTA_DOMAIN_MOVEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/authz.h"

enum movement_kind {
	MOVEMENT_NONE = 0,
	MOVEMENT_ENROLMENT,       /* student: into a study group */
	MOVEMENT_TRANSFER,        /* student: group → group (any branch) */
	MOVEMENT_ACADEMIC_LEAVE,  /* student: leaves the group for a while */
	MOVEMENT_RETURN,          /* student: from leave back into a group */
	MOVEMENT_EXPULSION,       /* student: leaves the college */
	MOVEMENT_GRADUATION,      /* student: finishes */
	MOVEMENT_HIRING,          /* staff role into a unit */
	MOVEMENT_STAFF_TRANSFER,  /* staff role: unit → unit */
	MOVEMENT_DISMISSAL,       /* ends staff roles */
	MOVEMENT__COUNT
};

#define MOVEMENT_DATE_LEN 10        /* YYYY-MM-DD */
#define MOVEMENT_ORDER_REF_MAX 100  /* characters (code points) */
#define MOVEMENT_NOTE_MAX 500       /* characters (code points) */
#define MOVEMENT_MAX_ACTIVE 32      /* active student/staff assignments of one person */

/* "enrolment", "transfer", … ("" for MOVEMENT_NONE or out of range). */
const char *movement_kind_name(enum movement_kind k);
/* MOVEMENT_NONE if s[0..len) names no kind. */
enum movement_kind movement_kind_parse(const char *s, size_t len);
/* True for the six student kinds. */
bool movement_kind_is_student(enum movement_kind k);
/* True for the roles staff movements apply to: teacher, staff,
 * administration, curator. */
bool movement_role_is_staff(enum role r);
/* May an assignment of role r be held in an org unit of this kind
 * ("college", "branch", "department", "study_group")? Students and curators:
 * study groups; teachers, staff and administration: college, branch or
 * department. */
bool movement_unit_fits(enum role r, const char *unit_kind);

/* True if s[0..len) is YYYY-MM-DD, a real calendar date in 2000..2100. */
bool movement_date_valid(const char *s, size_t len);
/* True if s[0..len) is valid UTF-8 of at most max code points. */
bool movement_text_valid(const char *s, size_t len, size_t max);

/* What was asked for: units are 0 when not given, role ROLE_NONE when not
 * given. */
struct movement_request {
	enum movement_kind kind;
	enum role role;
	int64_t from_unit_id;
	int64_t to_unit_id;
};

/* Check the request's shape (not the person's state): the kind is known; the
 * role fits the kind (student kinds: none or "student", set to ROLE_STUDENT;
 * hiring and staff_transfer: a staff role; dismissal: none or a staff role);
 * the units the kind needs are there and those it does not take are absent.
 * PERR_OK, or PERR_INVALID with *field naming the member ("kind", "role",
 * "from_unit_id", "to_unit_id"). */
int movement_request_check(struct movement_request *req, const char **field);

/* An org unit a request names, as loaded by the store. */
struct movement_unit {
	int64_t id;              /* 0: none */
	bool exists;
	bool archived;
	char kind[16];           /* "college", "branch", "department", "study_group" */
	int64_t curator_id;      /* study groups: the active curator (0: none) */
};

/* An active role assignment. College-wide assignments have unit_id
 * AUTHZ_COLLEGE_UNIT. */
struct movement_assignment {
	int64_t id;
	enum role role;
	int64_t unit_id;
};

/* The person's current state as far as movements are concerned. */
struct movement_state {
	bool user_exists;
	/* active student and staff assignments, by id */
	struct movement_assignment active[MOVEMENT_MAX_ACTIVE];
	size_t nactive;
	int64_t last_movement_id;              /* the person's latest movement (any role), 0 none */
	enum movement_kind last_student_kind;  /* the latest student movement, MOVEMENT_NONE none */
	int64_t last_student_from;             /* its from unit (for a leave: the group left) */
	struct movement_unit from;             /* the request's from unit */
	struct movement_unit to;               /* the request's to unit */
	struct movement_unit left;             /* last_student_from (return's default group) */
};

/* True if two loads of a person's state are the same (the write re-checks
 * that nothing changed between planning and committing). */
bool movement_state_same(const struct movement_state *a, const struct movement_state *b);

/* One movements row to record, and what it does to role assignments. */
struct movement_row {
	enum role role;
	int64_t from_unit_id;            /* as recorded; 0: none */
	int64_t to_unit_id;
	int64_t end_assignment_id;       /* the person's assignment to end; 0: none */
	enum role end_role;              /* its role and unit (for hooks) */
	int64_t end_unit_id;
	int64_t create_unit_id;          /* create an assignment of `role` here; 0: none */
	int64_t parents_leave_unit_id;   /* guardians with no other active child there leave; 0 */
	int64_t parents_join_unit_id;    /* confirmed guardians become parents there; 0 */
};

/* What a movement does: one row, except a dismissal that ends several roles
 * (one row per ended assignment). */
struct movement_plan {
	enum movement_kind kind;
	struct movement_row rows[MOVEMENT_MAX_ACTIVE];
	size_t nrows;
};

/* Decide what req (already checked by movement_request_check) does given the
 * person's state. PERR_OK with *plan filled; PERR_INVALID with *field
 * ("user_id", "from_unit_id", "to_unit_id") if the person or a unit does not
 * exist, or ("to_unit_id") the target unit is of the wrong kind;
 * PERR_CONFLICT with *field naming what is wrong ("user_id": the person's
 * state does not allow it; "from_unit_id": they hold no such assignment there
 * or it is ambiguous; "to_unit_id": same unit, already there, archived or the
 * group has another curator; "kind": another kind fits, e.g. return instead
 * of enrolment for a student on leave). */
int movement_plan(const struct movement_state *st, const struct movement_request *req,
		  struct movement_plan *plan, const char **field);

/* A recorded movement with the names a client shows. Strings are heap copies
 * owned by the struct (movement_rec_clear). */
struct movement_rec {
	int64_t id;
	int64_t user_id;
	char *user_name;
	enum movement_kind kind;
	enum role role;
	int64_t from_unit_id;            /* 0: none */
	char *from_unit_name;
	int64_t to_unit_id;              /* 0: none */
	char *to_unit_name;
	char date[MOVEMENT_DATE_LEN + 1];
	char *order_ref;
	char *note;
	int64_t reverses_id;             /* 0: none */
	int64_t reversed_by;             /* 0: not reversed */
	int64_t created_by;              /* 0: the system */
	char *created_by_name;
	int64_t created_at;              /* unix seconds */
};
void movement_rec_clear(struct movement_rec *m);

struct movement_list {
	struct movement_rec *items;
	size_t count;
	int64_t total;                   /* journal: matches before limit/offset */
};
void movement_list_clear(struct movement_list *l);

/* The movement that undoes hist[idx], given the person's movements in the
 * order recorded (hist[0..n)). PERR_OK with *out set; PERR_CONFLICT (field
 * "id") if hist[idx] was already reversed or is not the person's latest
 * movement of its role (students: any later student movement; staff: a later
 * movement of the same role touching one of its units); PERR_INVALID if idx
 * is out of range. The reverse still has to pass movement_plan. */
int movement_reversal(const struct movement_rec *hist, size_t n, size_t idx,
		      struct movement_request *out, const char **field);

/* ---- hooks: chat membership and anything else that follows movements ---- */

/* One role assignment a movement ended (added = false) or created. */
struct movement_change {
	int64_t movement_id;
	int64_t user_id;                 /* the person, or one of their parents */
	enum role role;
	int64_t unit_id;
	bool added;
};

/* A committed movement. Pointers are borrowed for the duration of the hook
 * call only. */
struct movement_event {
	int64_t movement_id;
	int64_t user_id;
	enum movement_kind kind;
	enum role role;
	int64_t from_unit_id;            /* 0: none */
	int64_t to_unit_id;              /* 0: none */
	int64_t reverses_id;             /* 0: not a reversal */
	const struct movement_change *changes;  /* this movement's assignment changes */
	size_t nchanges;
};

typedef void (*movement_hook_fn)(void *ud, const struct movement_event *ev);

#define MOVEMENT_MAX_HOOKS 8

/* Register fn (with ud, borrowed until the process ends) to run after every
 * committed movement, in registration order. Call at start-up or on the loop
 * thread; more than MOVEMENT_MAX_HOOKS is a programming error (aborts). */
void movement_hooks_add(movement_hook_fn fn, void *ud);
/* Call every registered hook with ev. Loop thread, after the movement's
 * transaction committed. Hooks must not block. */
void movement_hooks_run(const struct movement_event *ev);
/* Forget every hook (tests). */
void movement_hooks_reset(void);

#endif
