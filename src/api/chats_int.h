/* SPDX-License-Identifier: MIT */
/* Helpers shared by the chat administration resources (chats.c,
 * chat_members.c): the JSON shapes of a chat and a member, a list of user ids
 * in a body, and the state a chat request carries through api_run. Times of
 * the chat API are unix milliseconds, like the events of the real-time
 * protocol. Loop thread, except the writers, which are pure. */
#ifndef PARTA_API_CHATS_INT_H
#define PARTA_API_CHATS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"

/* Everything a chat request may need; freed with the request. */
struct chat_api_state {
	int64_t chat_id;
	int64_t user_id;              /* a member, or a direct chat's other person */
	int64_t seq;
	int64_t *ids;                 /* user_ids of the body (heap) */
	size_t nids;
	bool existed;
	struct chat_new create;
	char title[CHAT_TITLE_MAX_CHARS * 4 + 1];
	char description[CHAT_DESCRIPTION_MAX_CHARS * 4 + 1];
	char subject[CHAT_SUBJECT_MAX_CHARS * 4 + 1];
	char post_policy[8];
	char add_policy[8];
	struct chat_settings_patch patch;
	struct chat_members_add add;
	struct chat_member_change change;
	struct chat_page_query page;
	/* results */
	struct chat_summary chat;
	struct chat_summary_list chats;
	struct chat_member_list members;
	struct chat_message_list messages;
	struct chat_edit_list edits;
	struct chat_read_report reads;
};

/* A new state attached to r (freed with it). */
struct chat_api_state *chat_api_state_new(struct api_req *r);

/* Path parameter i as an id into *out; answers 400 with field and returns
 * false if it is not one. */
bool chat_api_param(struct api_req *r, int i, const char *field, int64_t *out);

/* The body member name as a list of 1..max distinct-or-not user ids (> 0)
 * into a heap array (*ids, *n; the caller frees). Absent or null: PERR_OK
 * with *n = 0 (PERR_INVALID if required). */
int chat_api_body_ids(struct api_req *r, const char *name, bool required, size_t max,
		      int64_t **ids, size_t *n);

/* A unix-ms time, or null for 0. */
void chat_api_kv_ms(struct json_writer *w, const char *key, int64_t ms);
/* A chat as its member sees it: id, kind, mandatory, title, description,
 * unit_id, subject, post_policy, add_policy, slow_mode_s, archived,
 * created_by, created_at, last_seq, read_seq, unread, my_role, muted_until,
 * members_count, peer, last_message. */
void chat_api_write_chat(struct json_writer *w, const struct chat_summary *c);
/* {user_id, name, role, source, muted_until}. */
void chat_api_write_member(struct json_writer *w, const struct chat_member_view *m);
/* Wall-clock time in unix milliseconds (the time of the events written). */
int64_t chat_api_now_ms(void);
/* Map the store's answer for a chat that the requester may not see. */
void chat_api_error(struct api_req *r);

#endif
