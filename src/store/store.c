/* SPDX-License-Identifier: MIT */
/* Backend selection and the result-struct destructors shared by backends. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"

void user_clear(struct user *u)
{
	free(u->login);
	free(u->name);
	free(u->password_hash);
	if (u->roles) {
		for (char **r = u->roles; *r; r++)
			free(*r);
		free(u->roles);
	}
	memset(u, 0, sizeof *u);
}

void session_clear(struct session *s)
{
	free(s->kind);
	free(s->user_agent);
	free(s->ip);
	memset(s, 0, sizeof *s);
}

void grant_list_clear(struct grant_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void session_list_clear(struct session_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		session_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* Every entry of the vtable must be set: a missing one is a build error that
 * we catch at start rather than as a NULL call later. */
static void store__check_ops(const struct store_ops *o)
{
	const void *const entries[] = {
		o->open, o->close, o->schema_version, o->admin_count, o->user_create, o->user_get,
		o->user_get_by_login, o->user_set_password, o->setup_token_put,
		o->setup_token_check, o->setup_complete, o->session_create, o->session_lookup,
		o->session_touch, o->session_list, o->session_revoke, o->audit_append,
		o->grants_load, o->unit_scope,
		/* ==== org slice: check ==== */
		o->org_tree, o->org_unit_get, o->org_unit_people, o->org_college_update,
		o->org_unit_create, o->org_unit_update, o->org_unit_set_archived, o->org_person_create,
		o->org_person_get, o->org_people_list, o->org_role_assign, o->org_assignment_get,
		o->org_role_end, o->org_audit_list,
		/* ==== end org slice: check ==== */
		/* ==== invites slice: check ==== */
		o->invite_create, o->invite_get, o->invite_list, o->invite_revoke, o->join_preview,
		o->join_redeem, o->join_request_get, o->join_request_list, o->join_request_decide,
		/* ==== end invites slice: check ==== */
		/* ==== movements slice: check ==== */
		o->movement_state_load, o->movement_record, o->movement_get, o->movement_person_list,
		o->movement_journal,
		/* ==== end movements slice: check ==== */
		/* ==== import slice: check ==== */
		o->import_apply, o->import_invitees, o->import_invites_issue, o->demo_seed,
		/* ==== end import slice: check ==== */
		/* ==== chats slice: check ==== */
		o->chat_user_chats, o->chat_events_since, o->chat_send, o->chat_message_op, o->chat_read,
		/* ==== end chats slice: check ==== */
		/* ==== chatadmin slice: check ==== */
		o->chat_create, o->chat_get, o->chat_list, o->chat_update, o->chat_members,
		o->chat_members_add, o->chat_member_change, o->chat_history, o->chat_pins, o->chat_edits,
		o->chat_reads,
		o->chat_link_create, o->chat_links, o->chat_link_revoke, o->chat_link_preview,
		o->chat_link_join,
		/* ==== end chatadmin slice: check ==== */
		/* ==== chatsync slice: check ==== */
		o->chats_reconcile_start,
		/* ==== end chatsync slice: check ==== */
		/* ==== search slice: check ==== */
		o->search_messages,
		/* ==== end search slice: check ==== */
	};
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
		if (!entries[i]) {
			fprintf(stderr, "store backend %s: entry %zu missing\n", o->name, i);
			abort();
		}
	}
}

const struct store_ops *store_backend(const char *name)
{
	const struct store_ops *o = NULL;
	if (strcmp(name, "sqlite") == 0)
		o = &store_sqlite_ops;
	if (o)
		store__check_ops(o);
	return o;
}

int store_open(struct store_handle *h, const char *backend, const struct store_config *cfg)
{
	h->ops = store_backend(backend);
	h->st = NULL;
	if (!h->ops) {
		log_error("store backend \"%s\" is not available in this build", backend);
		return PERR_UNSUPPORTED;
	}
	return h->ops->open(cfg, &h->st);
}

void store_close(struct store_handle *h)
{
	if (h->ops && h->st)
		h->ops->close(h->st);
	h->st = NULL;
}
