/* SPDX-License-Identifier: MIT */
/* Destructors of the org result structs of store.h (units, assignments,
 * people, audit rows), shared by every backend. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

void org_unit_clear(struct org_unit *u)
{
	free(u->name);
	free(u->short_name);
	free(u->code);
	free(u->details);
	free(u->curator_name);
	memset(u, 0, sizeof *u);
}

void org_unit_list_clear(struct org_unit_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		org_unit_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void org_assignment_clear(struct org_assignment *a)
{
	free(a->user_name);
	free(a->user_login);
	free(a->unit_name);
	memset(a, 0, sizeof *a);
}

void org_assignment_list_clear(struct org_assignment_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		org_assignment_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void org_person_clear(struct org_person *p)
{
	free(p->login);
	free(p->name);
	org_assignment_list_clear(&p->assignments);
	for (size_t i = 0; i < p->nguardianships; i++)
		free(p->guardianships[i].name);
	free(p->guardianships);
	memset(p, 0, sizeof *p);
}

void org_people_list_clear(struct org_people_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].login);
		free(l->items[i].name);
		org_assignment_list_clear(&l->items[i].roles);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

void org_audit_list_clear(struct org_audit_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		struct org_audit_row *r = &l->items[i];
		free(r->actor_name);
		free(r->action);
		free(r->target);
		free(r->before_json);
		free(r->after_json);
		free(r->ip);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}
