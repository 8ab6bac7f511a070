/* SPDX-License-Identifier: MIT */
/* Chats API: open a direct chat, create a group chat, channel or subject
 * chat, the chat list with unread counts and last messages, one chat and its
 * settings, history pages around or beside any message, a message's edits,
 * who has read it, and the pinned messages. Who may create which chat is
 * authz's (authz_may_create_chat, authz_may_create_subject_chat), decided in
 * the work function before the store is asked; who may write to whom (the
 * contact policy) and what a member may change (domain/chat_policy.c) are
 * decided by the store inside the write transaction; reads see only what the
 * requester's membership spans cover. Also the helpers of chats_int.h shared
 * with chat_members.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/chats_int.h"
#include "api/org_int.h"
#include "base/alloc.h"
#include "base/err.h"

/* ---- shared helpers (chats_int.h) ---- */

static void chat_api_state_free(void *p)
{
	struct chat_api_state *s = p;
	free(s->ids);
	free(s->add.added);
	chat_summary_clear(&s->chat);
	chat_summary_list_clear(&s->chats);
	chat_member_list_clear(&s->members);
	chat_message_list_clear(&s->messages);
	chat_edit_list_clear(&s->edits);
	chat_read_report_clear(&s->reads);
	free(s);
}

struct chat_api_state *chat_api_state_new(struct api_req *r)
{
	struct chat_api_state *s = xcalloc(1, sizeof *s);
	r->state = s;
	r->state_free = chat_api_state_free;
	return s;
}

bool chat_api_param(struct api_req *r, int i, const char *field, int64_t *out)
{
	if (api_param_id(r, i, out) == PERR_OK)
		return true;
	api_error(r, PERR_INVALID, field);
	return false;
}

int chat_api_body_ids(struct api_req *r, const char *name, bool required, size_t max,
		      int64_t **ids, size_t *n)
{
	const struct json_value *v = r->body ? json_get(r->body, name) : NULL;
	*ids = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return required ? PERR_INVALID : PERR_OK;
	size_t len = json_len(v);
	if (json_type(v) != JSON_ARRAY || (required && len == 0) || len > max)
		return PERR_INVALID;
	int64_t *out = len ? xmalloc(len * sizeof *out) : NULL;
	for (size_t i = 0; i < len; i++) {
		if (json_int(json_at(v, i), &out[i]) || out[i] <= 0) {
			free(out);
			return PERR_INVALID;
		}
	}
	*ids = out;
	*n = len;
	return PERR_OK;
}

void chat_api_kv_ms(struct json_writer *w, const char *key, int64_t ms)
{
	jw_key(w, key);
	if (ms)
		jw_int(w, ms);
	else
		jw_null(w);
}

static void chat_api_kv_id(struct json_writer *w, const char *key, int64_t id)
{
	jw_key(w, key);
	if (id)
		jw_int(w, id);
	else
		jw_null(w);
}

static void chat_api_author(struct json_writer *w, int64_t id, const char *name)
{
	jw_key(w, "author");
	jw_object_begin(w);
	jw_kv_int(w, "id", id);
	jw_kv_string(w, "name", name ? name : "");
	jw_object_end(w);
}

/* The chat list shows the start of the last message only. */
static void chat_api_last_message(struct json_writer *w, const struct chat_summary *c)
{
	jw_key(w, "last_message");
	if (!c->has_last) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_int(w, "seq", c->last_msg_seq);
	chat_api_author(w, c->last_author_id, c->last_author_name);
	jw_key(w, "text");
	if (c->last_text) {
		size_t len = strlen(c->last_text);
		jw_stringn(w, c->last_text, chat_policy_prefix(c->last_text, len, CHAT_PREVIEW_CHARS));
	} else {
		jw_null(w);
	}
	jw_kv_bool(w, "deleted", c->last_text == NULL);
	jw_kv_int(w, "at", c->last_at_ms);
	jw_object_end(w);
}

void chat_api_write_chat(struct json_writer *w, const struct chat_summary *c)
{
	jw_object_begin(w);
	jw_kv_int(w, "id", c->id);
	jw_kv_string(w, "kind", c->kind);
	jw_key(w, "mandatory");
	if (c->mandatory[0])
		jw_string(w, c->mandatory);
	else
		jw_null(w);
	jw_kv_string(w, "title", c->title ? c->title : "");
	jw_kv_string(w, "description", c->description ? c->description : "");
	chat_api_kv_id(w, "unit_id", c->unit_id);
	jw_key(w, "subject");
	jw_string(w, c->subject);
	jw_kv_string(w, "post_policy", c->post_policy);
	jw_kv_string(w, "add_policy", c->add_policy);
	jw_kv_int(w, "slow_mode_s", c->slow_mode_s);
	jw_kv_bool(w, "archived", c->archived);
	chat_api_kv_id(w, "created_by", c->created_by);
	jw_kv_int(w, "created_at", c->created_at * 1000);
	jw_kv_int(w, "last_seq", c->last_seq);
	jw_kv_int(w, "read_seq", c->read_seq);
	jw_kv_int(w, "unread", c->unread);
	jw_kv_string(w, "my_role", c->my_role);
	chat_api_kv_ms(w, "muted_until", c->muted_until * 1000);
	jw_kv_int(w, "members_count", c->members_count);
	jw_key(w, "peer");
	if (c->peer_id) {
		jw_object_begin(w);
		jw_kv_int(w, "id", c->peer_id);
		jw_kv_string(w, "name", c->title ? c->title : "");
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	chat_api_last_message(w, c);
	jw_object_end(w);
}

void chat_api_write_member(struct json_writer *w, const struct chat_member_view *m)
{
	jw_object_begin(w);
	jw_kv_int(w, "user_id", m->user_id);
	jw_kv_string(w, "name", m->name ? m->name : "");
	jw_kv_string(w, "role", m->role);
	jw_kv_string(w, "source", m->source);
	chat_api_kv_ms(w, "muted_until", m->muted_until * 1000);
	jw_object_end(w);
}

int64_t chat_api_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void chat_api_error(struct api_req *r)
{
	api_error(r, r->rc, r->rc_field);
}

/* ---- answers ---- */

/* {"chat": …} with status. */
static void respond_chat(struct api_req *r, int status)
{
	struct chat_api_state *s = r->state;
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "chat");
	chat_api_write_chat(&w, &s->chat);
	jw_object_end(&w);
	api_respond_json(r, status, &out, NULL);
	buf_free(&out);
}

/* ---- POST /api/v1/chats ---- */

/* May the requester create this group chat, channel or subject chat? */
static int authorize_create(struct api_req *r, const struct chat_new *n)
{
	int rc = store_grants_load(&r->p->store, r->user.id, &r->grants);
	if (rc)
		return rc;
	r->grants_loaded = true;
	struct authz_actor actor = {r->user.id, r->grants.items, r->grants.count};
	if (!n->unit_id)
		return authz_may_create_chat(&actor) ? PERR_OK : PERR_FORBIDDEN;
	struct authz_scope scope;
	char kind[16] = "";
	rc = store_unit_scope(&r->p->store, n->unit_id, &scope, kind);
	if (rc == PERR_NOT_FOUND || (!rc && strcmp(kind, "study_group") != 0)) {
		r->rc_field = "unit_id";
		return PERR_INVALID;
	}
	if (rc)
		return rc;
	return authz_may_create_subject_chat(&actor, &scope) ? PERR_OK : PERR_FORBIDDEN;
}

static void create_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	struct chat_new *n = &s->create;
	if (n->kind != CHAT_KIND_DIRECT) {
		r->rc = authorize_create(r, n);
		if (r->rc)
			return;
	}
	n->actor_id = r->user.id;
	n->now_ms = chat_api_now_ms();
	n->audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	r->rc = store_chat_create(&r->p->store, n, &s->chat_id, &s->existed, &r->rc_field);
	if (!r->rc)
		r->rc = store_chat_get(&r->p->store, r->user.id, s->chat_id, api_now(), &s->chat);
}

static void create_done(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	respond_chat(r, s->existed ? 200 : 201);
}

/* title, description, subject and unit_id of a group chat or channel. */
static int parse_create_group(struct api_req *r, struct chat_api_state *s)
{
	struct chat_new *n = &s->create;
	const char *v;
	size_t len;
	bool present;
	r->rc_field = "unit_id";
	if (org_api_body_int(r, "unit_id", false, 1, INT64_MAX, &n->unit_id, &present) ||
	    (present && n->kind != CHAT_KIND_GROUP))
		return PERR_INVALID;
	r->rc_field = "subject";
	if (api_body_string(r, "subject", present, &v, &len) || (v && !present) ||
	    (v && chat_policy_subject(v, len, s->subject, sizeof s->subject)))
		return PERR_INVALID;
	n->subject = present ? s->subject : NULL;
	/* a subject chat may go without a title: "<subject> — <group>" */
	r->rc_field = "title";
	if (api_body_string(r, "title", !present, &v, &len) ||
	    (v && chat_policy_title(v, len, s->title, sizeof s->title)))
		return PERR_INVALID;
	n->title = v ? s->title : NULL;
	r->rc_field = "description";
	if (api_body_string(r, "description", false, &v, &len) ||
	    (v && chat_policy_description(v, len, s->description, sizeof s->description)))
		return PERR_INVALID;
	n->description = v ? s->description : NULL;
	r->rc_field = "user_ids";
	if (chat_api_body_ids(r, "user_ids", false, CHAT_ADD_MAX, &s->ids, &s->nids))
		return PERR_INVALID;
	n->user_ids = s->ids;
	n->nuser_ids = s->nids;
	r->rc_field = NULL;
	return PERR_OK;
}

static void handle_create(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	struct chat_new *n = &s->create;
	const char *v;
	size_t len;
	bool present;
	if (api_body_string(r, "kind", true, &v, &len)) {
		api_error(r, PERR_INVALID, "kind");
		return;
	}
	n->kind = chat_kind_parse(v, len);
	if (n->kind == CHAT_KIND_NONE) {
		api_error(r, PERR_INVALID, "kind");
		return;
	}
	n->classmates_allowed = CHAT_CLASSMATES_ALLOWED_DEFAULT;
	if (n->kind == CHAT_KIND_DIRECT) {
		if (org_api_body_int(r, "user_id", true, 1, INT64_MAX, &n->peer_id, &present)) {
			api_error(r, PERR_INVALID, "user_id");
			return;
		}
	} else if (parse_create_group(r, s)) {
		api_error(r, PERR_INVALID, r->rc_field);
		return;
	}
	api_run(r, "chat_create", create_work, create_done);
}

/* ---- GET /api/v1/chats ---- */

static void list_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	r->rc = store_chat_list(&r->p->store, r->user.id, api_now(), &s->chats);
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
	jw_key(&w, "chats");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->chats.count; i++)
		chat_api_write_chat(&w, &s->chats.items[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_list(struct api_req *r)
{
	chat_api_state_new(r);
	api_run(r, "chat_list", list_work, list_done);
}

/* ---- GET /api/v1/chats/:id ---- */

static void get_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	r->rc = store_chat_get(&r->p->store, r->user.id, s->chat_id, api_now(), &s->chat);
}

static void get_done(struct api_req *r)
{
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	respond_chat(r, 200);
}

static void handle_get(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	api_run(r, "chat_get", get_work, get_done);
}

/* ---- PATCH /api/v1/chats/:id ---- */

static void update_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	struct chat_settings_patch *p = &s->patch;
	p->actor_id = r->user.id;
	p->chat_id = s->chat_id;
	p->now_ms = chat_api_now_ms();
	p->audit = api_audit_entry(r, NULL, NULL, NULL, NULL);
	r->rc = store_chat_update(&r->p->store, p, &r->rc_field);
	if (!r->rc)
		r->rc = store_chat_get(&r->p->store, r->user.id, s->chat_id, api_now(), &s->chat);
}

/* A policy member ("all" | "admins") into out, or NULL if absent. */
static int parse_policy(struct api_req *r, const char *name, char out[8], const char **dst)
{
	const char *v;
	size_t len;
	if (api_body_string(r, name, false, &v, &len) || (v && !chat_policy_valid_policy(v, len)))
		return PERR_INVALID;
	if (v)
		snprintf(out, 8, "%.*s", (int)len, v);
	*dst = v ? out : NULL;
	return PERR_OK;
}

static int parse_patch(struct api_req *r, struct chat_api_state *s)
{
	struct chat_settings_patch *p = &s->patch;
	const char *v;
	size_t len;
	bool present;
	r->rc_field = "title";
	if (api_body_string(r, "title", false, &v, &len) ||
	    (v && chat_policy_title(v, len, s->title, sizeof s->title)))
		return PERR_INVALID;
	p->title = v ? s->title : NULL;
	r->rc_field = "description";
	if (api_body_string(r, "description", false, &v, &len) ||
	    (v && chat_policy_description(v, len, s->description, sizeof s->description)))
		return PERR_INVALID;
	p->description = v ? s->description : NULL;
	r->rc_field = "post_policy";
	if (parse_policy(r, "post_policy", s->post_policy, &p->post_policy))
		return PERR_INVALID;
	r->rc_field = "add_policy";
	if (parse_policy(r, "add_policy", s->add_policy, &p->add_policy))
		return PERR_INVALID;
	r->rc_field = "slow_mode_s";
	p->slow_mode_s = -1;
	if (org_api_body_int(r, "slow_mode_s", false, 0, CHAT_SLOW_MODE_MAX_S, &p->slow_mode_s,
			     &present))
		return PERR_INVALID;
	if (!present)
		p->slow_mode_s = -1;
	r->rc_field = "body";
	if (!p->title && !p->description && !p->post_policy && !p->add_policy && p->slow_mode_s < 0)
		return PERR_INVALID;
	r->rc_field = NULL;
	return PERR_OK;
}

static void handle_update(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	if (parse_patch(r, s)) {
		api_error(r, PERR_INVALID, r->rc_field);
		return;
	}
	api_run(r, "chat_update", update_work, get_done);
}

/* ---- GET /api/v1/chats/:id/messages ---- */

static void write_message(struct json_writer *w, const struct chat_message_view *m)
{
	jw_object_begin(w);
	jw_kv_int(w, "seq", m->seq);
	jw_kv_int(w, "id", m->id);
	chat_api_author(w, m->author_id, m->author_name);
	jw_key(w, "text");
	jw_string(w, m->deleted ? NULL : m->text);
	jw_kv_bool(w, "deleted", m->deleted);
	jw_kv_bool(w, "deleted_by_moderator", m->deleted_by_moderator);
	chat_api_kv_ms(w, "edited_at", m->edited_at_ms);
	chat_api_kv_id(w, "reply_to", m->reply_to);
	jw_key(w, "forwarded_from");
	if (m->forwarded_from_json)
		jw_raw(w, m->forwarded_from_json, strlen(m->forwarded_from_json));
	else
		jw_null(w);
	jw_key(w, "mentions");
	jw_raw(w, m->mentions_json, strlen(m->mentions_json));
	jw_key(w, "attachments");
	jw_raw(w, m->attachments_json, strlen(m->attachments_json));
	jw_key(w, "reactions");
	jw_array_begin(w);
	for (size_t i = 0; i < m->nreactions; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "emoji", m->reactions[i].emoji);
		jw_kv_int(w, "count", m->reactions[i].count);
		jw_kv_bool(w, "mine", m->reactions[i].mine);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_kv_bool(w, "pinned", m->pinned);
	jw_kv_int(w, "at", m->at_ms);
	jw_object_end(w);
}

static void respond_messages(struct api_req *r, bool flags)
{
	struct chat_api_state *s = r->state;
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_key(&w, "messages");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->messages.count; i++)
		write_message(&w, &s->messages.items[i]);
	jw_array_end(&w);
	if (flags) {
		jw_kv_bool(&w, "has_more_before", s->messages.has_more_before);
		jw_kv_bool(&w, "has_more_after", s->messages.has_more_after);
	}
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void history_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	s->page.user_id = r->user.id;
	s->page.chat_id = s->chat_id;
	r->rc = store_chat_history(&r->p->store, &s->page, &s->messages);
}

static void history_done(struct api_req *r)
{
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	respond_messages(r, true);
}

/* around | before | after (at most one) and limit. */
static int parse_page(struct api_req *r, struct chat_page_query *q)
{
	static const struct {
		const char *name;
		enum chat_page_mode mode;
	} modes[] = {{"around", CHAT_PAGE_AROUND}, {"before", CHAT_PAGE_BEFORE}, {"after", CHAT_PAGE_AFTER}};
	q->mode = CHAT_PAGE_LATEST;
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		int64_t seq = 0;
		r->rc_field = modes[i].name;
		if (!org_api_query_has(r, modes[i].name))
			continue;
		if (q->mode != CHAT_PAGE_LATEST ||
		    org_api_query_int(r, modes[i].name, 0, INT64_MAX / 2, 0, &seq))
			return PERR_INVALID;
		q->mode = modes[i].mode;
		q->seq = seq;
	}
	int64_t limit;
	r->rc_field = "limit";
	if (org_api_query_int(r, "limit", 1, CHAT_PAGE_MAX, CHAT_PAGE_DEFAULT, &limit))
		return PERR_INVALID;
	q->limit = (int)limit;
	r->rc_field = NULL;
	return PERR_OK;
}

static void handle_history(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	if (parse_page(r, &s->page)) {
		api_error(r, PERR_INVALID, r->rc_field);
		return;
	}
	api_run(r, "chat_history", history_work, history_done);
}

/* ---- GET /api/v1/chats/:id/messages/:seq/edits ---- */

static void edits_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	r->rc = store_chat_edits(&r->p->store, r->user.id, s->chat_id, s->seq, &s->edits);
}

static void edits_done(struct api_req *r)
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
	jw_kv_int(&w, "seq", s->seq);
	jw_kv_bool(&w, "deleted", s->edits.deleted);
	jw_key(&w, "versions");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->edits.count; i++) {
		jw_object_begin(&w);
		jw_kv_string(&w, "text", s->edits.items[i].text);
		jw_kv_int(&w, "at", s->edits.items[i].at_ms);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static bool parse_message_path(struct api_req *r, struct chat_api_state *s)
{
	return chat_api_param(r, 0, "id", &s->chat_id) && chat_api_param(r, 1, "seq", &s->seq);
}

static void handle_edits(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!parse_message_path(r, s))
		return;
	api_run(r, "chat_edits", edits_work, edits_done);
}

/* ---- GET /api/v1/chats/:id/messages/:seq/reads ---- */

static void reads_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	r->rc = store_chat_reads(&r->p->store, r->user.id, s->chat_id, s->seq, &s->reads);
}

static void write_people(struct json_writer *w, const char *key, const struct chat_person *p,
			 size_t n)
{
	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		jw_object_begin(w);
		jw_kv_int(w, "user_id", p[i].id);
		jw_kv_string(w, "name", p[i].name ? p[i].name : "");
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void reads_done(struct api_req *r)
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
	jw_kv_int(&w, "seq", s->reads.seq);
	write_people(&w, "read", s->reads.read, s->reads.nread);
	write_people(&w, "unread", s->reads.unread, s->reads.nunread);
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_reads(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!parse_message_path(r, s))
		return;
	api_run(r, "chat_reads", reads_work, reads_done);
}

/* ---- GET /api/v1/chats/:id/pins ---- */

static void pins_work(struct api_req *r)
{
	struct chat_api_state *s = r->state;
	r->rc = store_chat_pins(&r->p->store, r->user.id, s->chat_id, &s->messages);
}

static void pins_done(struct api_req *r)
{
	if (r->rc) {
		chat_api_error(r);
		return;
	}
	respond_messages(r, false);
}

static void handle_pins(struct api_req *r)
{
	struct chat_api_state *s = chat_api_state_new(r);
	if (!chat_api_param(r, 0, "id", &s->chat_id))
		return;
	api_run(r, "chat_pins", pins_work, pins_done);
}

const struct route api_chatadmin_routes[] = {
	{HTTP_POST, "/api/v1/chats", (const void *)handle_create, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/chats", (const void *)handle_list, API_AUTH},
	{HTTP_GET, "/api/v1/chats/:id", (const void *)handle_get, API_AUTH},
	{HTTP_PATCH, "/api/v1/chats/:id", (const void *)handle_update, API_AUTH | API_JSON},
	{HTTP_GET, "/api/v1/chats/:id/messages", (const void *)handle_history, API_AUTH},
	{HTTP_GET, "/api/v1/chats/:id/messages/:seq/edits", (const void *)handle_edits, API_AUTH},
	{HTTP_GET, "/api/v1/chats/:id/messages/:seq/reads", (const void *)handle_reads, API_AUTH},
	{HTTP_GET, "/api/v1/chats/:id/pins", (const void *)handle_pins, API_AUTH},
};
const size_t api_chatadmin_routes_count = sizeof api_chatadmin_routes / sizeof api_chatadmin_routes[0];
