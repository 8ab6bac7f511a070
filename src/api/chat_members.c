/* SPDX-License-Identifier: MIT */
/* Chat members API: list a chat's members, add people (each must pass the
 * contact policy relative to the one who adds them), remove a member or
 * leave, change a member's role (the owner only; "owner" hands ownership
 * over) and mute them for a time. Input is checked here; the rules
 * (domain/chat_policy.c, authz_may_contact) are applied by the store inside
 * the write transaction, which appends the membership events and the audit
 * entries of moderation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/chats_int.h"
#include "api/org_int.h"
#include "base/alloc.h"
#include "base/err.h"

/* ---- GET /api/v1/chats/:id/members ---- */

static void list_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	r->rc = store_chat_members(&r->p->store, r->user.id, s->chat_id, api_now(), &s->members);
}

static void list_done(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "members");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->members.count; i++)
		chat_api_write_member(&w, &s->members.items[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_list(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	api_run(r, "chat_members", list_work, list_done);
}

/* ---- POST /api/v1/chats/:id/members ---- */

static void add_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	struct chat_members_add *a = &s->add;
	a->actor_id = r->user.id;
	a->chat_id = s->chat_id;
	a->user_ids = s->ids;
	a->nuser_ids = s->nids;
	a->classmates_allowed = CHAT_CLASSMATES_ALLOWED_DEFAULT;
	a->now_ms = chat_api_now_ms();
	a->audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	r->rc = store_chat_members_add(&r->p->store, a, &r->rc_field);
}

static void add_done(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "added");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->add.nadded; i++)
		jw_int(&w, s->add.added[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_add(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	if (chat_api_body_ids(r, "user_ids", true, CHAT_ADD_MAX, &s->ids, &s->nids)) {
		api_error(r, PERR_INVALID, "user_ids");
		return;
	}
	api_run(r, "chat_members_add", add_work, add_done);
}

/* ---- DELETE and PATCH /api/v1/chats/:id/members/:user_id ---- */

static void change_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	struct chat_member_change *c = &s->change;
	c->actor_id = r->user.id;
	c->chat_id = s->chat_id;
	c->user_id = s->user_id;
	c->now_ms = chat_api_now_ms();
	c->audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	r->rc = store_chat_member_change(&r->p->store, c, &r->rc_field);
	if (r->rc || c->remove)
		return;
	r->rc = store_chat_members(&r->p->store, r->user.id, s->chat_id, api_now(), &s->members);
}

static void change_done(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	if (s->change.remove) {
		api_respond_empty(r, 204, NULL);
		return;
	}
	const struct chat_member_view *m = NULL;
	for (size_t i = 0; i < s->members.count && !m; i++)
		if (s->members.items[i].user_id == s->user_id)
			m = &s->members.items[i];
	if (!m) {
		api_error(r, PERR_NOT_FOUND, NULL);
		return;
	}
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "member");
	chat_api_write_member(&w, m);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static bool parse_member_path(struct api_req *r, struct chat_api_state *s)
{
	return chat_api_param(r, 0, "id", &s->chat_id) && chat_api_param(r, 1, "user_id", &s->user_id);
}

static void handle_remove(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!parse_member_path(r, s))
		return;
	s->change.remove = true;
	api_run(r, "chat_member_remove", change_work, change_done);
}

static void handle_update(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	struct chat_member_change *c = &s->change;
	const char *v;
	size_t len;
	bool present;
	if (!parse_member_path(r, s))
		return;
	if (api_body_string(r, "role", false, &v, &len) ||
	    (v && chat_role_parse(v, len) == CHAT_ROLE_NONE)) {
		api_error(r, PERR_INVALID, "role");
		return;
	}
	c->role = v ? chat_role_parse(v, len) : CHAT_ROLE_NONE;
	if (org_api_body_int(r, "muted_for_s", false, 0, CHAT_MUTE_MAX_S, &c->muted_for_s, &present) ||
	    (present && !chat_policy_valid_mute(c->muted_for_s))) {
		api_error(r, PERR_INVALID, "muted_for_s");
		return;
	}
	c->mute = present;
	if (!c->mute && c->role == CHAT_ROLE_NONE) {
		api_error(r, PERR_INVALID, "body");
		return;
	}
	api_run(r, "chat_member_update", change_work, change_done);
}

const struct route api_chat_members_routes[] = {
	{HTTP_GET, "/api/v1/chats/:id/members", (const void *)handle_list, API_AUTH},
	{HTTP_POST, "/api/v1/chats/:id/members", (const void *)handle_add, API_AUTH | API_JSON},
	{HTTP_DELETE, "/api/v1/chats/:id/members/:user_id", (const void *)handle_remove, API_AUTH},
	{HTTP_PATCH, "/api/v1/chats/:id/members/:user_id", (const void *)handle_update,
	 API_AUTH | API_JSON},
};
const size_t api_chat_members_routes_count =
	sizeof api_chat_members_routes / sizeof api_chat_members_routes[0];
