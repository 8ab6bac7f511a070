/* SPDX-License-Identifier: MIT */
/* Local bus: a mutex-protected FIFO drained on the loop thread by an
 * uv_async handle. The handle is referenced only while calls are
 * outstanding, so an idle bus never keeps the loop from ending. */
#include "rt/bus.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/alloc.h"

enum bus_item_kind { BUS_EVENTS, BUS_CALL };

struct bus_item {
	enum bus_item_kind kind;
	struct chat_event *ev;
	size_t n;
	bus_call_fn fn;
	void *arg;
	int rc;
};

struct bus {
	uv_async_t async;
	pthread_mutex_t mu;
	struct bus_item *items, *spare;
	size_t n, cap, spare_cap;
	bus_events_fn on_events;
	void *ud;
	size_t outstanding;   /* loop thread only */
	bool closing, closed;
};

static void bus__maybe_close(struct bus *b)
{
	if (b->closing && !b->closed && b->outstanding == 0) {
		b->closed = true;
		uv_close((uv_handle_t *)&b->async, NULL);
	}
}

static void bus__drain(uv_async_t *h)
{
	struct bus *b = h->data;
	for (;;) {
		pthread_mutex_lock(&b->mu);
		struct bus_item *items = b->items;
		size_t n = b->n, cap = b->cap;
		b->items = b->spare;
		b->cap = b->spare_cap;
		b->n = 0;
		b->spare = NULL;
		b->spare_cap = 0;
		pthread_mutex_unlock(&b->mu);
		if (n == 0) {
			free(items);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			struct bus_item *it = &items[i];
			if (it->kind == BUS_EVENTS) {
				b->on_events(b->ud, it->ev, it->n);
				chat_events_free(it->ev, it->n);
			} else {
				it->fn(it->arg, it->rc);
				if (b->outstanding && --b->outstanding == 0)
					uv_unref((uv_handle_t *)&b->async);
			}
		}
		/* keep the drained array for the next round */
		pthread_mutex_lock(&b->mu);
		if (!b->spare) {
			b->spare = items;
			b->spare_cap = cap;
			items = NULL;
		}
		pthread_mutex_unlock(&b->mu);
		free(items);
	}
	bus__maybe_close(b);
}

struct bus *bus_new(uv_loop_t *loop, bus_events_fn on_events, void *ud)
{
	struct bus *b = xcalloc(1, sizeof *b);
	pthread_mutex_init(&b->mu, NULL);
	b->on_events = on_events;
	b->ud = ud;
	uv_async_init(loop, &b->async, bus__drain);
	b->async.data = b;
	uv_unref((uv_handle_t *)&b->async);
	return b;
}

static void bus__push(struct bus *b, const struct bus_item *it)
{
	pthread_mutex_lock(&b->mu);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->items = xrealloc(b->items, b->cap * sizeof *b->items);
	}
	b->items[b->n++] = *it;
	pthread_mutex_unlock(&b->mu);
	uv_async_send(&b->async);
}

void bus_post_events(void *bus, struct chat_event *ev, size_t n)
{
	struct bus_item it = {.kind = BUS_EVENTS, .ev = ev, .n = n};
	bus__push(bus, &it);
}

void bus_post_call(struct bus *b, bus_call_fn fn, void *arg, int rc)
{
	struct bus_item it = {.kind = BUS_CALL, .fn = fn, .arg = arg, .rc = rc};
	bus__push(b, &it);
}

void bus_hold(struct bus *b)
{
	if (b->outstanding++ == 0)
		uv_ref((uv_handle_t *)&b->async);
}

void bus_close(struct bus *b)
{
	b->closing = true;
	bus__maybe_close(b);
}

void bus_free(struct bus *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].kind == BUS_EVENTS)
			chat_events_free(b->items[i].ev, b->items[i].n);
	free(b->items);
	free(b->spare);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
