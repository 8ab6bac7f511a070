/* SPDX-License-Identifier: MIT */
/* The real-time hub: which connection follows which chat, and fan-out of
 * committed events. An event is encoded once into a WebSocket frame shared
 * by every recipient (serialize once, send many). Each follower keeps a
 * cursor per chat (the last seq it was sent): an event at or below it is
 * never sent twice, and while a client is syncing its live events wait in a
 * bounded buffer and go out after the history, so a client receives each
 * event exactly once and in order. Membership events move followers: a
 * member.added subscribes the person's open connections, a member.removed
 * unsubscribes them after delivering it. Loop thread only. */
#ifndef PARTA_RT_HUB_H
#define PARTA_RT_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/chats.h"

struct hub;
struct hub_client;
struct conn;
struct metrics;

#define HUB_CURSOR_UNSET (-1)   /* following, but the cursor comes with the sync */
#define HUB_PENDING_MAX 20000   /* live events buffered during one sync */

struct hub *hub_new(struct metrics *metrics);
void hub_free(struct hub *h);
/* Publish committed events (in commit order) to their followers. */
void hub_publish(struct hub *h, const struct chat_event *ev, size_t n);

/* A real-time connection of user_id (name is copied). The client starts in
 * the syncing state. The hub holds a reference; ops in flight take their own
 * (hub_client_ref) so they can answer after the connection closed. */
struct hub_client *hub_client_new(struct hub *h, struct conn *c, int64_t user_id, const char *name);
/* The connection closed: stop following, drop buffered events, release the
 * hub's reference. */
void hub_client_close(struct hub_client *hc);
void hub_client_ref(struct hub_client *hc);
void hub_client_unref(struct hub_client *hc);
/* NULL once closed. */
struct conn *hub_client_conn(const struct hub_client *hc);
int64_t hub_client_user(const struct hub_client *hc);
const char *hub_client_name(const struct hub_client *hc);
struct hub *hub_client_hub(const struct hub_client *hc);

/* Follow chat_id from cursor (HUB_CURSOR_UNSET: decided at sync end). Already
 * following: the cursor is kept. */
void hub_client_follow(struct hub_client *hc, int64_t chat_id, int64_t cursor);
bool hub_client_follows(const struct hub_client *hc, int64_t chat_id);
/* The last seq sent to the client for chat_id, or HUB_CURSOR_UNSET. */
int64_t hub_client_cursor(const struct hub_client *hc, int64_t chat_id);

/* Sync: buffer live events until hub_client_sync_end. */
void hub_client_sync_begin(struct hub_client *hc);
bool hub_client_syncing(const struct hub_client *hc);
/* Send a history event (from the store) if it is past the chat's cursor, and
 * advance the cursor. Returns false if the connection is gone. */
bool hub_client_send_history(struct hub_client *hc, const struct chat_event *ev);
/* Set an unset cursor (chats the client had no cursor for start at seq). */
void hub_client_settle_cursor(struct hub_client *hc, int64_t chat_id, int64_t seq);
/* Leave the syncing state: send the buffered live events past each cursor. */
void hub_client_sync_end(struct hub_client *hc);

/* Send an ephemeral JSON message (typing, read position) to every open
 * client following chat_id, except `except` (may be NULL). */
void hub_chat_send_ephemeral(struct hub *h, int64_t chat_id, const char *json, size_t len,
			     const struct hub_client *except);
/* … and to every open client of user_id, except `except`. */
void hub_user_send_ephemeral(struct hub *h, int64_t user_id, const char *json, size_t len,
			     const struct hub_client *except);

/* Counters for tests and metrics. */
size_t hub_client_count(const struct hub *h);
size_t hub_chat_followers(const struct hub *h, int64_t chat_id);

#endif
