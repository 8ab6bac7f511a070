/* SPDX-License-Identifier: MIT */
/* `parta demo`: seed the regulation's college («Краевой политехнический
 * колледж»: the main site in Чернушка and four branches, a department, study
 * groups with curators, students, parents, teachers and the administration)
 * into an empty store, so a newcomer sees a living system. The people come
 * from a CSV made in memory and go through the same import as an uploaded
 * e-journal file; every demo account gets one shared password, printed with a
 * few logins to try. Main thread, before any server runs on the data dir. */
#ifndef PARTA_DEMO_H
#define PARTA_DEMO_H

#include "base/config.h"

/* The demo password every demo account gets (printed by demo_main). */
#define DEMO_PASSWORD "parta-demo-2024"

/* Open the configured store (creating the data dir), seed the demo college
 * and print the demo accounts to stdout. Refuses (message on stderr,
 * PERR_CONFLICT) if the store already holds any org unit besides the college.
 * Returns enum perr. Blocking; accounts_init must have been called. */
int demo_main(const struct config *cfg);

#endif
