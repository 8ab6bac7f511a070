/* SPDX-License-Identifier: MIT */
/* Run blocking work (store calls, password hashing) off the loop thread on
 * libuv's thread pool, then finish on the loop thread. The pool size is set
 * from config (store_threads) before the loop starts. */
#ifndef PARTA_NET_WORK_H
#define PARTA_NET_WORK_H

#include <stdint.h>
#include <uv.h>

/* work(arg) runs on a pool thread; then done(arg, elapsed_ns) on the loop
 * thread, where elapsed_ns is the time work took. arg is owned by the caller
 * throughout (typically freed in done). Loop thread only. */
void work_run(uv_loop_t *loop, void (*work)(void *arg), void (*done)(void *arg, uint64_t elapsed_ns),
	      void *arg);
/* Size the pool (UV_THREADPOOL_SIZE); must run before the first work_run. */
void work_set_threads(int n);

#endif
