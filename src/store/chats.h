/* SPDX-License-Identifier: MIT */
/* Store types and wrappers for chats (included by store.h; the vtable
 * entries live there). A chat is an append-only event log: every change is a
 * chat_event with the chat's next seq, assigned in the committing
 * transaction. After each commit the backend hands that commit's events, in
 * order, to the event sink given at open (the real-time hub's bus). Hot-path
 * writes (send, message ops, read) may be asynchronous: with a done callback
 * they return at once and call done on the WRITER thread after the commit. */
#ifndef PARTA_STORE_CHATS_H
#define PARTA_STORE_CHATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAT_TEXT_MAX 8000        /* bytes of one message */
#define CHAT_CLIENT_ID_MAX 64
#define CHAT_SYNC_LIMIT 1000      /* events per chat per sync page */

/* A committed event as published: `frame` is the complete JSON object sent to
 * clients, {"type":"event","chat_id":…,"seq":…,"kind":…,…}. */
struct chat_event {
	int64_t chat_id;
	int64_t seq;
	int64_t at_ms;
	int64_t author_id;   /* 0: the system */
	int64_t subject_id;  /* member.* events: the person concerned, else 0 */
	char kind[24];       /* message.new, message.edit, member.added, chat.updated… */
	char *frame;         /* heap, NUL-terminated */
	size_t frame_len;
};
void chat_events_free(struct chat_event *ev, size_t n);

/* Called on the writer thread after every successful commit that appended
 * events, with those events in commit order. Takes ownership of ev (free with
 * chat_events_free). Must not block. */
typedef void (*store_event_sink)(void *ud, struct chat_event *ev, size_t n);
/* Completion of an asynchronous write, on the writer thread after the commit
 * (or the failure). rc is the write's enum perr. */
typedef void (*store_done_fn)(void *ud, int rc);

struct chat_write_result {
	int64_t chat_id;
	int64_t seq;          /* the event's seq (the original one for a duplicate) */
	int64_t at_ms;
	int64_t message_id;   /* sends */
	bool duplicate;       /* the client id was seen before: nothing new written */
};

struct chat_send {
	int64_t user_id;
	int64_t chat_id;
	const char *client_id;     /* required: idempotency key, 1..64 chars */
	const char *text;          /* 1..CHAT_TEXT_MAX bytes of UTF-8 */
	int64_t reply_to;          /* seq of a message in the same chat, or 0 */
	const int64_t *mentions;   /* user ids (must be members), may be NULL */
	size_t nmentions;
	int64_t forward_chat_id;   /* forwarding: the source message (the sender must see it) */
	int64_t forward_seq;
	const char *attachments_json; /* JSON array or NULL */
	int64_t now_ms;
};

enum chat_message_op_kind {
	CHAT_OP_EDIT,      /* author only; text */
	CHAT_OP_DELETE,    /* author, or a chat admin/owner (moderation: audited) */
	CHAT_OP_REACT,     /* emoji */
	CHAT_OP_UNREACT,
	CHAT_OP_PIN,       /* admins/owner; any member in direct chats */
	CHAT_OP_UNPIN,
};

struct chat_message_op {
	enum chat_message_op_kind kind;
	int64_t user_id;
	int64_t chat_id;
	int64_t seq;               /* the message (its message.new seq) */
	const char *client_id;     /* required */
	const char *text;          /* edit */
	const char *emoji;         /* react/unreact: 1..32 bytes */
	int64_t now_ms;
};

/* A chat the user belongs to, for subscriptions and sync. */
struct chat_ref {
	int64_t chat_id;
	int64_t last_seq;
	int64_t read_seq;
	int64_t joined_seq;
};
struct chat_ref_list {
	struct chat_ref *items;
	size_t count;
};
void chat_ref_list_clear(struct chat_ref_list *l);

struct chat_event_list {
	struct chat_event *items;
	size_t count;
	bool more;           /* the page was cut at the limit */
};
void chat_event_list_clear(struct chat_event_list *l);

#endif
