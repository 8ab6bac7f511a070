/* SPDX-License-Identifier: MIT */
/* The bus: how committed chat events and completions of asynchronous store
 * writes reach the loop thread, in the order they were posted. The store's
 * writer thread posts a commit's events and then that commit's completions,
 * so on the loop every event is published before the write that made it is
 * acknowledged. This is the local bus; across nodes (DESIGN §8) the same
 * posts also go out on NATS subjects per chat and arrive here from other
 * nodes. Posting: any thread. Delivery: loop thread. */
#ifndef PARTA_RT_BUS_H
#define PARTA_RT_BUS_H

#include <stddef.h>
#include <uv.h>

#include "store/chats.h"

struct bus;

typedef void (*bus_events_fn)(void *ud, const struct chat_event *ev, size_t n);
typedef void (*bus_call_fn)(void *arg, int rc);

/* on_events runs on the loop thread for each posted batch (borrowed for the
 * call; the bus frees it afterwards). */
struct bus *bus_new(uv_loop_t *loop, bus_events_fn on_events, void *ud);
/* Any thread; takes ownership of ev. Matches store_event_sink (ud = bus). */
void bus_post_events(void *bus, struct chat_event *ev, size_t n);
/* Any thread: run fn(arg, rc) on the loop thread, after everything posted
 * before it. */
void bus_post_call(struct bus *b, bus_call_fn fn, void *arg, int rc);
/* Loop thread: an operation that will post a call is outstanding; the loop
 * stays alive until the matching bus_post_call was delivered. */
void bus_hold(struct bus *b);
/* Loop thread: stop once nothing is outstanding (then the handle closes and
 * the loop may end). */
void bus_close(struct bus *b);
/* After the loop ended. */
void bus_free(struct bus *b);

#endif
