/* SPDX-License-Identifier: MIT */
/* The plan that bench/seed writes for a Parta run: bearer tokens by
 * topology user index, chat ids by topology room index, and (after a fill)
 * the highest seq of each room. Text lines:
 *   topology receivers=R senders=S rooms=K room_size=M fan_senders=F
 *   token <user> <token>
 *   chat <room> <chat_id>
 *   seq <room> <seq>            (in the separate seq file)
 * Loaded once at start; read-only afterwards. */
#ifndef PARTA_BENCH_PLAN_H
#define PARTA_BENCH_PLAN_H

#include <stdint.h>

struct plan {
	uint32_t receivers, senders, rooms, room_size, fan_senders;
	uint32_t ntokens;
	char **tokens;               /* by user index; NULL where missing */
	uint32_t nchats;
	int64_t *chats;              /* by room index (rooms + 1 entries) */
	int64_t *seqs;               /* by room index, 0 where unknown */
};

/* Load path into p (zeroed first). Returns 0, or -1 with a message on
 * stderr. The caller frees with plan_free. */
int plan_load(struct plan *p, const char *path);
/* Read the seq lines of path into p->seqs. Returns 0 or -1. */
int plan_load_seqs(struct plan *p, const char *path);
void plan_free(struct plan *p);

#endif
