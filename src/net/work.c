/* SPDX-License-Identifier: MIT */
/* uv_queue_work with timing. */
#include "net/work.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"

struct work_item {
	uv_work_t req;
	void (*work)(void *arg);
	void (*done)(void *arg, uint64_t elapsed_ns);
	void *arg;
	uint64_t elapsed;
};

static void work__run(uv_work_t *req)
{
	struct work_item *w = req->data;
	uint64_t t0 = uv_hrtime();
	w->work(w->arg);
	w->elapsed = uv_hrtime() - t0;
}

static void work__after(uv_work_t *req, int status)
{
	struct work_item *w = req->data;
	(void)status; /* never cancelled: we do not call uv_cancel */
	w->done(w->arg, w->elapsed);
	free(w);
}

void work_run(uv_loop_t *loop, void (*work)(void *arg), void (*done)(void *arg, uint64_t elapsed_ns),
	      void *arg)
{
	struct work_item *w = xcalloc(1, sizeof *w);
	w->req.data = w;
	w->work = work;
	w->done = done;
	w->arg = arg;
	uv_queue_work(loop, &w->req, work__run, work__after);
}

void work_set_threads(int n)
{
	char v[16];
	snprintf(v, sizeof v, "%d", n);
	setenv("UV_THREADPOOL_SIZE", v, 1);
}
